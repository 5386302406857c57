package integration

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

const ec2Trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

func TestInstanceProfiles(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	root := r.rootIAM()

	created := must[*iam.CreateInstanceProfileOutput](t)(root.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{
		InstanceProfileName: aws.String("web"), Path: aws.String("/app/"),
		Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}},
	}))
	p := created.InstanceProfile
	if !strings.HasPrefix(aws.ToString(p.InstanceProfileId), "AIPA") || len(aws.ToString(p.InstanceProfileId)) != 21 ||
		aws.ToString(p.Arn) != "arn:aws:iam::"+mgmtAccount+":instance-profile/app/web" || p.Roles == nil || len(p.Roles) != 0 || len(p.Tags) != 1 {
		t.Fatalf("CreateInstanceProfile = %+v", p)
	}
	_, err := root.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("WEB")})
	if msg := apiError(t, err, "EntityAlreadyExists"); msg != "Instance Profile WEB already exists." {
		t.Fatalf("duplicate message %q", msg)
	}
	_, err = root.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("nope")})
	if msg := apiError(t, err, "NoSuchEntity"); msg != "Instance Profile nope cannot be found." {
		t.Fatalf("missing message %q", msg)
	}

	must[*iam.CreateRoleOutput](t)(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(ec2Trust)}))
	must[*iam.CreateRoleOutput](t)(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("other"), AssumeRolePolicyDocument: aws.String(ec2Trust)}))
	_, err = root.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("ghost")})
	if msg := apiError(t, err, "NoSuchEntity"); msg != "The role with name ghost cannot be found." {
		t.Fatalf("missing role message %q", msg)
	}
	must[*iam.AddRoleToInstanceProfileOutput](t)(root.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("app")}))
	_, err = root.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("other")})
	if msg := apiError(t, err, "LimitExceeded"); msg != "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1" {
		t.Fatalf("second role message %q", msg)
	}
	got := must[*iam.GetInstanceProfileOutput](t)(root.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("web")}))
	if len(got.InstanceProfile.Roles) != 1 || aws.ToString(got.InstanceProfile.Roles[0].RoleName) != "app" || got.InstanceProfile.Roles[0].AssumeRolePolicyDocument == nil {
		t.Fatalf("GetInstanceProfile roles = %+v", got.InstanceProfile.Roles)
	}

	// DeleteRole and DeleteInstanceProfile refuse while the role is in it.
	_, err = root.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("app")})
	if msg := apiError(t, err, "DeleteConflict"); msg != "Cannot delete entity, must remove roles from instance profile first." {
		t.Fatalf("DeleteRole message %q", msg)
	}
	_, err = root.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("web")})
	apiError(t, err, "DeleteConflict")

	// Listing: by path prefix, for a role, and page by page.
	for _, n := range []string{"a1", "a2", "a3"} {
		must[*iam.CreateInstanceProfileOutput](t)(root.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String(n)}))
	}
	under := must[*iam.ListInstanceProfilesOutput](t)(root.ListInstanceProfiles(ctx, &iam.ListInstanceProfilesInput{PathPrefix: aws.String("/app/")}))
	if len(under.InstanceProfiles) != 1 || len(under.InstanceProfiles[0].Roles) != 1 {
		t.Fatalf("ListInstanceProfiles /app/ = %+v", under.InstanceProfiles)
	}
	var names []string
	pager := iam.NewListInstanceProfilesPaginator(root, &iam.ListInstanceProfilesInput{MaxItems: aws.Int32(2)})
	for pager.HasMorePages() {
		page := must[*iam.ListInstanceProfilesOutput](t)(pager.NextPage(ctx))
		for _, ip := range page.InstanceProfiles {
			names = append(names, aws.ToString(ip.InstanceProfileName))
		}
	}
	if strings.Join(names, ",") != "a1,a2,a3,web" {
		t.Fatalf("paged names = %v", names)
	}
	forRole := must[*iam.ListInstanceProfilesForRoleOutput](t)(root.ListInstanceProfilesForRole(ctx, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("app")}))
	if len(forRole.InstanceProfiles) != 1 || aws.ToString(forRole.InstanceProfiles[0].InstanceProfileName) != "web" {
		t.Fatalf("ListInstanceProfilesForRole = %+v", forRole.InstanceProfiles)
	}
	empty := must[*iam.ListInstanceProfilesForRoleOutput](t)(root.ListInstanceProfilesForRole(ctx, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("other")}))
	if empty.InstanceProfiles == nil || len(empty.InstanceProfiles) != 0 || empty.IsTruncated {
		t.Fatalf("ListInstanceProfilesForRole other = %+v", empty)
	}

	// Tags.
	must[*iam.TagInstanceProfileOutput](t)(root.TagInstanceProfile(ctx, &iam.TagInstanceProfileInput{InstanceProfileName: aws.String("web"),
		Tags: []iamtypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}}))
	must[*iam.UntagInstanceProfileOutput](t)(root.UntagInstanceProfile(ctx, &iam.UntagInstanceProfileInput{InstanceProfileName: aws.String("web"), TagKeys: []string{"team"}}))
	tags := must[*iam.ListInstanceProfileTagsOutput](t)(root.ListInstanceProfileTags(ctx, &iam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("web")}))
	if len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "env" {
		t.Fatalf("ListInstanceProfileTags = %+v", tags.Tags)
	}
	_, err = root.TagInstanceProfile(ctx, &iam.TagInstanceProfileInput{InstanceProfileName: aws.String("nope"), Tags: []iamtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	if msg := apiError(t, err, "NoSuchEntity"); msg != "Instance Profile nope cannot be found." {
		t.Fatalf("tag missing message %q", msg)
	}

	// Removing a role that is not in the profile.
	_, err = root.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("other")})
	if msg := apiError(t, err, "NoSuchEntity"); msg != "Role other in Instance Profile web cannot be found." {
		t.Fatalf("remove unattached message %q", msg)
	}
}

// TestInstanceProfileAuthorization: a user needs iam:<Action> on the
// profile's ARN, and iam:PassRole on the role it adds.
func TestInstanceProfileAuthorization(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	root := r.rootIAM()
	keyID, secret := newUserWithKey(t, r, "ops")
	must[*iam.PutUserPolicyOutput](t)(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("ops"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:CreateInstanceProfile","iam:AddRoleToInstanceProfile"],"Resource":"arn:aws:iam::` + mgmtAccount + `:instance-profile/ops/*"}]}`)}))
	ops := r.iam(keyID, secret, "")
	_, err := ops.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("x")})
	apiError(t, err, "AccessDenied")
	must[*iam.CreateInstanceProfileOutput](t)(ops.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("x"), Path: aws.String("/ops/")}))
	must[*iam.CreateRoleOutput](t)(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(ec2Trust)}))
	_, err = ops.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("x"), RoleName: aws.String("app")})
	if msg := apiError(t, err, "AccessDenied"); !strings.Contains(msg, "iam:PassRole") {
		t.Fatalf("PassRole denial %q", msg)
	}
}

// TestTerraformRoleDestroy mimics aws_iam_role's destroy with an instance
// profile: ListInstanceProfilesForRole, RemoveRoleFromInstanceProfile for
// each, then DeleteRole (and the profile's own destroy).
func TestTerraformRoleDestroy(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	root := r.rootIAM()
	must[*iam.CreateRoleOutput](t)(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("tf"), AssumeRolePolicyDocument: aws.String(ec2Trust)}))
	must[*iam.CreateInstanceProfileOutput](t)(root.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("tf")}))
	must[*iam.AddRoleToInstanceProfileOutput](t)(root.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("tf"), RoleName: aws.String("tf")}))

	out := must[*iam.ListInstanceProfilesForRoleOutput](t)(root.ListInstanceProfilesForRole(ctx, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("tf")}))
	for _, ip := range out.InstanceProfiles {
		must[*iam.RemoveRoleFromInstanceProfileOutput](t)(root.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: ip.InstanceProfileName, RoleName: aws.String("tf")}))
	}
	for _, op := range []func() error{
		func() error {
			_, err := root.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("tf")})
			return err
		},
		func() error {
			_, err := root.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("tf")})
			return err
		},
	} {
		if err := op(); err != nil {
			t.Fatal(err)
		}
	}
	_, err := root.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("tf")})
	apiError(t, err, "NoSuchEntity")
}
