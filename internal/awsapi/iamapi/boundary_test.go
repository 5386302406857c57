package iamapi

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// TestPermissionsBoundaries: a boundary limits a user and a role session to
// what it allows, GetUser/GetRole show it, lists do not, and removing it
// restores the identity policies' reach.
func TestPermissionsBoundaries(t *testing.T) {
	r := newRig(t)
	pol, err := r.root.CreatePolicy(r.ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("bound"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ListUsers","iam:GetUser","sts:AssumeRole"],"Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	bound := aws.ToString(pol.Policy.Arn)
	missing := "arn:aws:iam::" + acct + ":policy/nope"

	// A user created with a boundary.
	out, err := r.root.CreateUser(r.ctx, &awsiam.CreateUserInput{UserName: aws.String("alice"), PermissionsBoundary: aws.String(bound)})
	if err != nil {
		t.Fatal(err)
	}
	if b := out.User.PermissionsBoundary; b == nil || aws.ToString(b.PermissionsBoundaryArn) != bound || b.PermissionsBoundaryType != "PermissionsBoundaryPolicy" {
		t.Fatalf("CreateUser boundary = %+v", b)
	}
	if _, err := r.root.PutUserPolicy(r.ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("all"), PolicyDocument: aws.String(allowAll)}); err != nil {
		t.Fatal(err)
	}
	k, err := r.root.CreateAccessKey(r.ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	alice := r.iam(keys{aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), ""})
	if _, err := alice.ListUsers(r.ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = alice.ListRoles(r.ctx, &awsiam.ListRolesInput{})
	wantErr(t, err, "AccessDenied", "User: arn:aws:iam::"+acct+":user/alice is not authorized to perform: iam:ListRoles on resource: * because no permissions boundary allows the iam:ListRoles action")

	got, err := r.root.GetUser(r.ctx, &awsiam.GetUserInput{UserName: aws.String("alice")})
	if err != nil || got.User.PermissionsBoundary == nil || aws.ToString(got.User.PermissionsBoundary.PermissionsBoundaryArn) != bound {
		t.Fatalf("GetUser = %+v, %v", got, err)
	}
	list, err := r.root.ListUsers(r.ctx, &awsiam.ListUsersInput{})
	if err != nil || len(list.Users) != 1 || list.Users[0].PermissionsBoundary != nil {
		t.Fatalf("ListUsers = %+v, %v", list, err)
	}
	gp, err := r.root.GetPolicy(r.ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String(bound)})
	if err != nil || aws.ToInt32(gp.Policy.PermissionsBoundaryUsageCount) != 1 || aws.ToInt32(gp.Policy.AttachmentCount) != 0 {
		t.Fatalf("GetPolicy = %+v, %v", gp, err)
	}
	lp, err := r.root.ListPolicies(r.ctx, &awsiam.ListPoliciesInput{Scope: "Local"})
	if err != nil || len(lp.Policies) != 1 || aws.ToInt32(lp.Policies[0].PermissionsBoundaryUsageCount) != 1 {
		t.Fatalf("ListPolicies = %+v, %v", lp, err)
	}
	_, err = r.root.DeletePolicy(r.ctx, &awsiam.DeletePolicyInput{PolicyArn: aws.String(bound)})
	wantErr(t, err, "DeleteConflict", "Cannot delete a policy attached to entities.")
	_, err = r.root.PutUserPermissionsBoundary(r.ctx, &awsiam.PutUserPermissionsBoundaryInput{UserName: aws.String("alice"), PermissionsBoundary: aws.String(missing)})
	wantErr(t, err, "NoSuchEntity", "Policy "+missing+" does not exist or is not attachable.")

	if _, err := r.root.DeleteUserPermissionsBoundary(r.ctx, &awsiam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.ListRoles(r.ctx, &awsiam.ListRolesInput{}); err != nil {
		t.Fatalf("ListRoles after removing the boundary: %v", err)
	}

	// A role session is bounded by its role's boundary.
	roleARN := r.role("ops", allowAll)
	if _, err := r.root.PutRolePermissionsBoundary(r.ctx, &awsiam.PutRolePermissionsBoundaryInput{RoleName: aws.String("ops"), PermissionsBoundary: aws.String(bound)}); err != nil {
		t.Fatal(err)
	}
	ar, err := r.sts(keys{aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), ""}).AssumeRole(r.ctx,
		&sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s1")})
	if err != nil {
		t.Fatal(err)
	}
	sess := r.iam(sessionKeys(ar.Credentials))
	if _, err := sess.ListUsers(r.ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = sess.ListRoles(r.ctx, &awsiam.ListRolesInput{})
	wantErr(t, err, "AccessDenied", "")
	role, err := r.root.GetRole(r.ctx, &awsiam.GetRoleInput{RoleName: aws.String("ops")})
	if err != nil || role.Role.PermissionsBoundary == nil || aws.ToString(role.Role.PermissionsBoundary.PermissionsBoundaryArn) != bound {
		t.Fatalf("GetRole = %+v, %v", role, err)
	}
	roles, err := r.root.ListRoles(r.ctx, &awsiam.ListRolesInput{})
	if err != nil || len(roles.Roles) != 1 || roles.Roles[0].PermissionsBoundary != nil {
		t.Fatalf("ListRoles = %+v, %v", roles, err)
	}
	if _, err := r.root.DeleteRolePermissionsBoundary(r.ctx, &awsiam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("ops")}); err != nil {
		t.Fatal(err)
	}
	if _, err := sess.ListRoles(r.ctx, &awsiam.ListRolesInput{}); err != nil {
		t.Fatalf("session ListRoles after removing the boundary: %v", err)
	}
	// A role created with a boundary, and the iam:PermissionsBoundary key.
	created, err := r.root.CreateRole(r.ctx, &awsiam.CreateRoleInput{RoleName: aws.String("b2"), PermissionsBoundary: aws.String(bound),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + acct + `"},"Action":"sts:AssumeRole"}]}`)})
	if err != nil || created.Role.PermissionsBoundary == nil {
		t.Fatalf("CreateRole = %+v, %v", created, err)
	}
	guarded := r.iam(r.user("carol", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:CreateUser","Resource":"*",
		"Condition":{"StringEquals":{"iam:PermissionsBoundary":"`+bound+`"}}}]}`))
	if _, err := guarded.CreateUser(r.ctx, &awsiam.CreateUserInput{UserName: aws.String("free")}); err == nil || !strings.Contains(err.Error(), "AccessDenied") {
		t.Fatalf("CreateUser without the boundary: %v", err)
	}
	if _, err := guarded.CreateUser(r.ctx, &awsiam.CreateUserInput{UserName: aws.String("bounded"), PermissionsBoundary: aws.String(bound)}); err != nil {
		t.Fatal(err)
	}
}
