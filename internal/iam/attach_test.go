package iam

import (
	"context"
	"testing"

	"github.com/openpca/openpca/internal/authz"
)

// TestAttachRacingDeletePolicy deletes the policy after the attach checked
// it but before its transaction: the attach must fail rather than leave an
// attachment to a deleted ARN.
func TestAttachRacingDeletePolicy(t *testing.T) {
	e := newEnv(t)
	root := e.roots[acctA]
	must(e.svc.CreateUser(e.ctx, root, &CreateUserInput{UserName: "u"}))
	must(e.svc.CreateGroup(e.ctx, root, &CreateGroupInput{GroupName: "g"}))
	must(e.svc.CreateRole(e.ctx, root, &CreateRoleInput{RoleName: "r", AssumeRolePolicyDocument: trustAccount(acctA)}))
	cases := []struct {
		name   string
		attach func(ctx context.Context, c *authz.Caller, arn string) error
	}{
		{"user", func(ctx context.Context, c *authz.Caller, arn string) error {
			_, err := e.svc.AttachUserPolicy(ctx, c, &AttachUserPolicyInput{UserName: "u", PolicyArn: arn})
			return err
		}},
		{"group", func(ctx context.Context, c *authz.Caller, arn string) error {
			_, err := e.svc.AttachGroupPolicy(ctx, c, &AttachGroupPolicyInput{GroupName: "g", PolicyArn: arn})
			return err
		}},
		{"role", func(ctx context.Context, c *authz.Caller, arn string) error {
			_, err := e.svc.AttachRolePolicy(ctx, c, &AttachRolePolicyInput{RoleName: "r", PolicyArn: arn})
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := must(e.svc.CreatePolicy(e.ctx, root, &CreatePolicyInput{PolicyName: "P-" + tc.name, PolicyDocument: allowDoc("acm-pca:*", "*")}))
			arn := p.Policy.Arn
			e.svc.beforeAttachTx = func() {
				e.svc.beforeAttachTx = nil
				must(e.svc.DeletePolicy(e.ctx, root, &PolicyArnInput{PolicyArn: arn}))
			}
			defer func() { e.svc.beforeAttachTx = nil }()
			wantErr(t, tc.attach(e.ctx, root, arn), NoSuchEntity)
			n, err := e.st.countAttachments(e.ctx, e.db, arn)
			if err != nil || n != 0 {
				t.Fatalf("attachments to the deleted policy = %d, %v", n, err)
			}
		})
	}
}
