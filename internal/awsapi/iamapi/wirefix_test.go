package iamapi

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
)

// TestAssumeRolePolicyArnsLimitSession: managed session policies sent by the
// SDK (PolicyArns.member.N.arn) bound the session.
func TestAssumeRolePolicyArnsLimitSession(t *testing.T) {
	r := newRig(t)
	roleARN := r.role("ops", allowAll)
	pol, err := r.root.CreatePolicy(r.ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("list-only"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	caller := r.sts(r.user("alice", allowAll))
	out, err := caller.AssumeRole(r.ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s1"),
		PolicyArns: []ststypes.PolicyDescriptorType{{Arn: pol.Policy.Arn}}})
	if err != nil {
		t.Fatal(err)
	}
	if out.PackedPolicySize == nil {
		t.Fatal("PackedPolicySize missing: the managed session policy was not received")
	}
	sess := r.iam(sessionKeys(out.Credentials))
	if _, err := sess.ListUsers(r.ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = sess.ListRoles(r.ctx, &awsiam.ListRolesInput{})
	wantErr(t, err, "AccessDenied", "")
}

// TestSimulateCustomPolicyPrincipalEntries: the simulator's caller supplies
// aws:username and aws:Principal* as context entries; they must count.
func TestSimulateCustomPolicyPrincipalEntries(t *testing.T) {
	r := newRig(t)
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*",
		"Condition":{"StringEquals":{"aws:username":"alice","aws:PrincipalTag/team":"blue","aws:PrincipalAccount":"` + acct + `"}}}]}`
	for _, tc := range []struct {
		user, team, want string
	}{
		{"alice", "blue", "allowed"},
		{"bob", "blue", "implicitDeny"},
		{"alice", "red", "implicitDeny"},
	} {
		out, err := r.root.SimulateCustomPolicy(r.ctx, &awsiam.SimulateCustomPolicyInput{
			PolicyInputList: []string{doc}, ActionNames: []string{"s3:GetObject"},
			ContextEntries: []iamtypes.ContextEntry{
				{ContextKeyName: aws.String("aws:username"), ContextKeyType: iamtypes.ContextKeyTypeEnumString, ContextKeyValues: []string{tc.user}},
				{ContextKeyName: aws.String("aws:PrincipalTag/team"), ContextKeyType: iamtypes.ContextKeyTypeEnumString, ContextKeyValues: []string{tc.team}},
				{ContextKeyName: aws.String("aws:PrincipalAccount"), ContextKeyType: iamtypes.ContextKeyTypeEnumString, ContextKeyValues: []string{acct}},
			}})
		if err != nil {
			t.Fatal(err)
		}
		if got := string(out.EvaluationResults[0].EvalDecision); got != tc.want {
			t.Errorf("%s/%s: %s, want %s (missing %v)", tc.user, tc.team, got, tc.want, out.EvaluationResults[0].MissingContextValues)
		}
	}
}
