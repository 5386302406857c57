package integration

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// newUserWithKey creates a user and an access key for it as the root.
func newUserWithKey(t *testing.T, r *rig, name string) (keyID, secret string) {
	t.Helper()
	ctx := context.Background()
	root := r.rootIAM()
	if _, err := root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		t.Fatalf("CreateUser %s: %v", name, err)
	}
	out, err := root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatalf("CreateAccessKey %s: %v", name, err)
	}
	return *out.AccessKey.AccessKeyId, *out.AccessKey.SecretAccessKey
}

func createPolicy(t *testing.T, r *rig, name, doc string) string {
	t.Helper()
	out, err := r.rootIAM().CreatePolicy(context.Background(), &iam.CreatePolicyInput{PolicyName: aws.String(name), PolicyDocument: aws.String(doc)})
	if err != nil {
		t.Fatalf("CreatePolicy %s: %v", name, err)
	}
	return *out.Policy.Arn
}

func TestRootCreatesUserKeyAndPolicy(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()

	id := must[*sts.GetCallerIdentityOutput](t)(r.rootSTS().GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if *id.Account != mgmtAccount || *id.Arn != "arn:aws:iam::"+mgmtAccount+":root" || *id.UserId != mgmtAccount {
		t.Fatalf("root identity %+v", id)
	}

	keyID, secret := newUserWithKey(t, r, "alice")
	if !strings.HasPrefix(keyID, "AKIA") || len(keyID) != 20 || len(secret) != 40 {
		t.Fatalf("key %q / secret length %d", keyID, len(secret))
	}
	alice := r.iam(keyID, secret, "")
	who := must[*sts.GetCallerIdentityOutput](t)(r.sts(keyID, secret, "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if *who.Arn != "arn:aws:iam::"+mgmtAccount+":user/alice" || !strings.HasPrefix(*who.UserId, "AIDA") || *who.Account != mgmtAccount {
		t.Fatalf("alice identity %+v", who)
	}

	// No policy yet: denied with AWS's message shape.
	_, err := alice.ListUsers(ctx, &iam.ListUsersInput{})
	msg := apiError(t, err, "AccessDenied")
	wantPrefix := "User: arn:aws:iam::" + mgmtAccount + ":user/alice is not authorized to perform: iam:ListUsers on resource: "
	if !strings.HasPrefix(msg, wantPrefix) || !strings.HasSuffix(msg, " because no identity-based policy allows the iam:ListUsers action") {
		t.Fatalf("denial message %q", msg)
	}

	arn := createPolicy(t, r, "list-users", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}`)
	must[*iam.AttachUserPolicyOutput](t)(r.rootIAM().AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String(arn)}))
	users := must[*iam.ListUsersOutput](t)(alice.ListUsers(ctx, &iam.ListUsersInput{}))
	if len(users.Users) != 1 || *users.Users[0].UserName != "alice" {
		t.Fatalf("ListUsers = %+v", users.Users)
	}
	// Still nothing else.
	_, err = alice.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("mallory")})
	apiError(t, err, "AccessDenied")
}

func TestAssumedRoleSessionSeesAssumedRoleARN(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	root := r.rootIAM()
	keyID, secret := newUserWithKey(t, r, "ops")
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + mgmtAccount + `:root"},"Action":"sts:AssumeRole"}]}`
	role := must[*iam.CreateRoleOutput](t)(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("deployer"), AssumeRolePolicyDocument: aws.String(trust)}))
	if !strings.HasPrefix(*role.Role.RoleId, "AROA") {
		t.Fatalf("role id %q", *role.Role.RoleId)
	}
	// Without an identity policy the user may not assume the role (same account, trust names the account, not the user).
	_, err := r.sts(keyID, secret, "").AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: role.Role.Arn, RoleSessionName: aws.String("s1")})
	apiError(t, err, "AccessDenied")

	must[*iam.PutUserPolicyOutput](t)(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("ops"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"` + *role.Role.Arn + `"}]}`)}))
	out := must[*sts.AssumeRoleOutput](t)(r.sts(keyID, secret, "").AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: role.Role.Arn, RoleSessionName: aws.String("s1")}))
	c := out.Credentials
	if !strings.HasPrefix(*c.AccessKeyId, "ASIA") || *c.SessionToken == "" || c.Expiration == nil {
		t.Fatalf("credentials %+v", c)
	}
	wantARN := "arn:aws:sts::" + mgmtAccount + ":assumed-role/deployer/s1"
	if *out.AssumedRoleUser.Arn != wantARN || !strings.HasSuffix(*out.AssumedRoleUser.AssumedRoleId, ":s1") {
		t.Fatalf("assumed role user %+v", out.AssumedRoleUser)
	}
	who := must[*sts.GetCallerIdentityOutput](t)(r.sts(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if *who.Arn != wantARN {
		t.Fatalf("session identity %s", *who.Arn)
	}
	// Without the token the session key is not accepted.
	_, err = r.sts(*c.AccessKeyId, *c.SecretAccessKey, "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	apiError(t, err, "InvalidClientTokenId")
	// The session has no permissions of its own: denied, named by its session ARN.
	_, err = r.iam(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken).ListUsers(ctx, &iam.ListUsersInput{})
	if msg := apiError(t, err, "AccessDenied"); !strings.HasPrefix(msg, "User: "+wantARN+" is not authorized") {
		t.Fatalf("session denial %q", msg)
	}
}

func TestInactiveKeyStopsAtOnce(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	keyID, secret := newUserWithKey(t, r, "carol")
	if _, err := r.sts(keyID, secret, "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	must[*iam.UpdateAccessKeyOutput](t)(r.rootIAM().UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("carol"), AccessKeyId: aws.String(keyID), Status: iamtypes.StatusTypeInactive}))
	_, err := r.sts(keyID, secret, "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	apiError(t, err, "InvalidClientTokenId")
	// A third key is refused.
	must[*iam.CreateAccessKeyOutput](t)(r.rootIAM().CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("carol")}))
	_, err = r.rootIAM().CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("carol")})
	apiError(t, err, "LimitExceeded")
}

// TestGroupAllowManagedDenyAndSimulation: a user allowed by a group policy and
// denied by an explicit Deny in an attached managed policy; the simulator
// answers as the real evaluation does for the same inputs.
func TestGroupAllowManagedDenyAndSimulation(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	root := r.rootIAM()
	keyID, secret := newUserWithKey(t, r, "bob")
	bob := r.iam(keyID, secret, "")
	must[*iam.CreateGroupOutput](t)(root.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("readers")}))
	must[*iam.AddUserToGroupOutput](t)(root.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("readers"), UserName: aws.String("bob")}))
	must[*iam.PutGroupPolicyOutput](t)(root.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("readers"), PolicyName: aws.String("read"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"*"}}`)}))
	deny := createPolicy(t, r, "no-list-roles", `{"Version":"2012-10-17","Statement":[{"Sid":"NoRoles","Effect":"Deny","Action":"iam:ListRoles","Resource":"*"}]}`)
	must[*iam.AttachUserPolicyOutput](t)(root.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("bob"), PolicyArn: aws.String(deny)}))

	bobARN := "arn:aws:iam::" + mgmtAccount + ":user/bob"
	cases := []struct {
		name     string
		action   string
		call     func() error
		decision iamtypes.PolicyEvaluationDecisionType
		msgEnd   string
	}{
		{"group allows ListUsers", "iam:ListUsers", func() error { _, err := bob.ListUsers(ctx, &iam.ListUsersInput{}); return err }, iamtypes.PolicyEvaluationDecisionTypeAllowed, ""},
		{"group allows GetUser", "iam:GetUser", func() error { _, err := bob.GetUser(ctx, &iam.GetUserInput{}); return err }, iamtypes.PolicyEvaluationDecisionTypeAllowed, ""},
		{"managed policy denies ListRoles", "iam:ListRoles", func() error { _, err := bob.ListRoles(ctx, &iam.ListRolesInput{}); return err }, iamtypes.PolicyEvaluationDecisionTypeExplicitDeny, " with an explicit deny in an identity-based policy"},
		{"nothing allows CreateGroup", "iam:CreateGroup", func() error {
			_, err := bob.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("x")})
			return err
		}, iamtypes.PolicyEvaluationDecisionTypeImplicitDeny, " because no identity-based policy allows the iam:CreateGroup action"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if tc.decision == iamtypes.PolicyEvaluationDecisionTypeAllowed {
				if err != nil {
					t.Fatalf("real call: %v", err)
				}
			} else if msg := apiError(t, err, "AccessDenied"); !strings.HasSuffix(msg, tc.msgEnd) {
				t.Fatalf("message %q, want suffix %q", msg, tc.msgEnd)
			}
			sim := must[*iam.SimulatePrincipalPolicyOutput](t)(root.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{
				PolicySourceArn: aws.String(bobARN), ActionNames: []string{tc.action},
			}))
			if len(sim.EvaluationResults) != 1 || sim.EvaluationResults[0].EvalDecision != tc.decision {
				t.Fatalf("simulation %+v, want %s", sim.EvaluationResults, tc.decision)
			}
		})
	}
}
