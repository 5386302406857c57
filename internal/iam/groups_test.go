package iam

import (
	"testing"

	"github.com/openpca/openpca/internal/authz"
)

func TestGroups(t *testing.T) {
	e := newEnv(t)
	root := e.roots[acctA]
	must(e.svc.CreateUser(e.ctx, root, &CreateUserInput{UserName: "bob"}))
	steps := []struct {
		name string
		run  func() error
		want ErrorKind
	}{
		{"create", func() error {
			out, err := e.svc.CreateGroup(e.ctx, root, &CreateGroupInput{GroupName: "admins"})
			if err == nil && (out.Group.GroupId[:4] != "AGPA" || out.Group.Arn != "arn:aws:iam::"+acctA+":group/admins") {
				t.Errorf("group = %+v", out.Group)
			}
			return err
		}, 0},
		{"duplicate", func() error {
			_, err := e.svc.CreateGroup(e.ctx, root, &CreateGroupInput{GroupName: "Admins"})
			return err
		}, EntityAlreadyExists},
		{"add member (twice is fine)", func() error {
			for range 2 {
				if _, err := e.svc.AddUserToGroup(e.ctx, root, &GroupMemberInput{GroupName: "admins", UserName: "bob"}); err != nil {
					return err
				}
			}
			out, err := e.svc.GetGroup(e.ctx, root, &GetGroupInput{GroupName: "admins"})
			if err == nil && (len(out.Users) != 1 || out.Users[0].UserName != "bob") {
				t.Errorf("members = %+v", out.Users)
			}
			return err
		}, 0},
		{"add missing user", func() error {
			_, err := e.svc.AddUserToGroup(e.ctx, root, &GroupMemberInput{GroupName: "admins", UserName: "ghost"})
			return err
		}, NoSuchEntity},
		{"groups for user", func() error {
			out, err := e.svc.ListGroupsForUser(e.ctx, root, &ListGroupsForUserInput{UserName: "bob"})
			if err == nil && len(out.Groups) != 1 {
				t.Errorf("groups = %+v", out.Groups)
			}
			return err
		}, 0},
		{"member user cannot be deleted", func() error {
			_, err := e.svc.DeleteUser(e.ctx, root, &DeleteUserInput{UserName: "bob"})
			return err
		}, DeleteConflict},
		{"group with members cannot be deleted", func() error {
			_, err := e.svc.DeleteGroup(e.ctx, root, &GroupNameInput{GroupName: "admins"})
			return err
		}, DeleteConflict},
		{"group policies", func() error {
			if _, err := e.svc.PutGroupPolicy(e.ctx, root, &PutGroupPolicyInput{GroupName: "admins", PolicyName: "all", PolicyDocument: allowDoc("*", "*")}); err != nil {
				return err
			}
			if _, err := e.svc.AttachGroupPolicy(e.ctx, root, &AttachGroupPolicyInput{GroupName: "admins", PolicyArn: "arn:aws:iam::aws:policy/IAMReadOnlyAccess"}); err != nil {
				return err
			}
			names, err := e.svc.ListGroupPolicies(e.ctx, root, &ListGroupPoliciesInput{GroupName: "admins"})
			if err == nil && len(names.PolicyNames) != 1 {
				t.Errorf("inline = %v", names.PolicyNames)
			}
			att, err := e.svc.ListAttachedGroupPolicies(e.ctx, root, &ListAttachedGroupPoliciesInput{GroupName: "admins"})
			if err == nil && len(att.AttachedPolicies) != 1 {
				t.Errorf("attached = %v", att.AttachedPolicies)
			}
			return err
		}, 0},
		{"remove member twice", func() error {
			if _, err := e.svc.RemoveUserFromGroup(e.ctx, root, &GroupMemberInput{GroupName: "admins", UserName: "bob"}); err != nil {
				return err
			}
			_, err := e.svc.RemoveUserFromGroup(e.ctx, root, &GroupMemberInput{GroupName: "admins", UserName: "bob"})
			return err
		}, NoSuchEntity},
		{"delete with policies conflicts", func() error {
			_, err := e.svc.DeleteGroup(e.ctx, root, &GroupNameInput{GroupName: "admins"})
			return err
		}, DeleteConflict},
		{"delete after cleanup", func() error {
			must(e.svc.DeleteGroupPolicy(e.ctx, root, &GroupPolicyInput{GroupName: "admins", PolicyName: "all"}))
			must(e.svc.DetachGroupPolicy(e.ctx, root, &AttachGroupPolicyInput{GroupName: "admins", PolicyArn: "arn:aws:iam::aws:policy/IAMReadOnlyAccess"}))
			_, err := e.svc.DeleteGroup(e.ctx, root, &GroupNameInput{GroupName: "admins"})
			return err
		}, 0},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) { wantErr(t, s.run(), s.want) })
	}
}

func TestIdentityPoliciesComposition(t *testing.T) {
	e := newEnv(t)
	root := e.roots[acctA]
	bob := e.user(acctA, "bob", allowDoc("s3:GetObject", "*"))
	must(e.svc.CreatePolicy(e.ctx, root, &CreatePolicyInput{PolicyName: "Mine", PolicyDocument: allowDoc("acm:*", "*")}))
	mine := "arn:aws:iam::" + acctA + ":policy/Mine"
	must(e.svc.CreatePolicyVersion(e.ctx, root, &CreatePolicyVersionInput{PolicyArn: mine, PolicyDocument: allowDoc("acm:ListCertificates", "*"), SetAsDefault: ptrBool(true)}))
	must(e.svc.AttachUserPolicy(e.ctx, root, &AttachUserPolicyInput{UserName: "bob", PolicyArn: mine}))
	for _, g := range []string{"g1", "g2"} {
		must(e.svc.CreateGroup(e.ctx, root, &CreateGroupInput{GroupName: g}))
		must(e.svc.AddUserToGroup(e.ctx, root, &GroupMemberInput{GroupName: g, UserName: "bob"}))
		must(e.svc.PutGroupPolicy(e.ctx, root, &PutGroupPolicyInput{GroupName: g, PolicyName: "gp", PolicyDocument: allowDoc("ram:*", "*")}))
		// the same managed policy through user and both groups counts once
		must(e.svc.AttachGroupPolicy(e.ctx, root, &AttachGroupPolicyInput{GroupName: g, PolicyArn: mine}))
	}
	must(e.svc.AttachGroupPolicy(e.ctx, root, &AttachGroupPolicyInput{GroupName: "g2", PolicyArn: "arn:aws:iam::aws:policy/AWSPrivateCAReadOnly"}))

	pols := must(e.st.IdentityPolicies(e.ctx, &bob.Principal))
	got := map[string]string{}
	for _, p := range pols {
		if p.Kind != authz.IdentityPolicy {
			t.Errorf("%s has kind %v", p.Name, p.Kind)
		}
		got[p.Name] = p.Document
	}
	want := []string{"user/bob/inline/p", mine, "group/g1/inline/gp", "group/g2/inline/gp", "arn:aws:iam::aws:policy/AWSPrivateCAReadOnly"}
	if len(pols) != len(want) {
		t.Errorf("got %d policies %v, want %v", len(pols), keys(got), want)
	}
	for _, w := range want {
		if _, ok := got[w]; !ok {
			t.Errorf("missing %s", w)
		}
	}
	if got[mine] != allowDoc("acm:ListCertificates", "*") {
		t.Errorf("managed policy is not at its default version: %s", got[mine])
	}
	if root := must(e.st.IdentityPolicies(e.ctx, &e.roots[acctA].Principal)); len(root) != 0 {
		t.Errorf("root has identity policies %v", root)
	}
}

func ptrBool(b bool) *bool { return &b }

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestServiceLinkedRoles(t *testing.T) {
	e := newEnv(t)
	root := e.roots[acctB]
	slrARN := "arn:aws:iam::" + acctB + ":role/aws-service-role/acm.amazonaws.com/AWSServiceRoleForCertificateManager"
	acmAdmin := e.user(acctB, "acmadmin", "")
	must(e.svc.AttachUserPolicy(e.ctx, root, &AttachUserPolicyInput{UserName: "acmadmin", PolicyArn: "arn:aws:iam::aws:policy/AWSCertificateManagerFullAccess"}))
	dev := e.user(acctB, "dev", "")
	var task string
	steps := []struct {
		name string
		run  func() error
		want ErrorKind
	}{
		{"denied without permission", func() error {
			_, err := e.svc.CreateServiceLinkedRole(e.ctx, dev, &CreateServiceLinkedRoleInput{AWSServiceName: "acm.amazonaws.com"})
			return err
		}, denial},
		{"AWSCertificateManagerFullAccess may not create other services' roles", func() error {
			_, err := e.svc.CreateServiceLinkedRole(e.ctx, acmAdmin, &CreateServiceLinkedRoleInput{AWSServiceName: "ram.amazonaws.com"})
			return err
		}, denial},
		{"create for ACM", func() error {
			out, err := e.svc.CreateServiceLinkedRole(e.ctx, acmAdmin, &CreateServiceLinkedRoleInput{AWSServiceName: "acm.amazonaws.com"})
			if err == nil && (out.Role.Arn != slrARN || out.Role.Path != "/aws-service-role/acm.amazonaws.com/") {
				t.Errorf("role = %+v", out.Role)
			}
			return err
		}, 0},
		{"second create is taken", func() error {
			_, err := e.svc.CreateServiceLinkedRole(e.ctx, root, &CreateServiceLinkedRoleInput{AWSServiceName: "acm.amazonaws.com"})
			if err != nil && err.Error() != "InvalidInput: Service role name AWSServiceRoleForCertificateManager has been taken in this account, please try a different suffix." {
				t.Errorf("message %q", err)
			}
			return err
		}, InvalidInput},
		{"unknown service", func() error {
			_, err := e.svc.CreateServiceLinkedRole(e.ctx, root, &CreateServiceLinkedRoleInput{AWSServiceName: "nope.amazonaws.com"})
			return err
		}, InvalidInput},
		{"role carries the service policy", func() error {
			p := must(e.st.RoleSessionPrincipal(e.ctx, slrARN, "acm"))
			pols, err := e.st.IdentityPolicies(e.ctx, p)
			if err == nil && (len(pols) != 1 || pols[0].Name != "arn:aws:iam::aws:policy/aws-service-role/CertificateManagerServiceRolePolicy") {
				t.Errorf("policies = %+v", pols)
			}
			return err
		}, 0},
		{"trust policy is protected", func() error {
			_, err := e.svc.UpdateAssumeRolePolicy(e.ctx, root, &UpdateAssumeRolePolicyInput{RoleName: "AWSServiceRoleForCertificateManager", PolicyDocument: trustAccount(acctB)})
			return err
		}, UnmodifiableEntity},
		{"inline policies are protected", func() error {
			_, err := e.svc.PutRolePolicy(e.ctx, root, &PutRolePolicyInput{RoleName: "AWSServiceRoleForCertificateManager", PolicyName: "x", PolicyDocument: allowDoc("*", "*")})
			return err
		}, UnmodifiableEntity},
		{"DeleteRole is refused", func() error {
			_, err := e.svc.DeleteRole(e.ctx, root, &RoleNameInput{RoleName: "AWSServiceRoleForCertificateManager"})
			return err
		}, UnmodifiableEntity},
		{"DeleteServiceLinkedRole", func() error {
			out, err := e.svc.DeleteServiceLinkedRole(e.ctx, acmAdmin, &RoleNameInput{RoleName: "AWSServiceRoleForCertificateManager"})
			if err == nil {
				task = out.DeletionTaskId
			}
			return err
		}, 0},
		{"deletion status", func() error {
			out, err := e.svc.GetServiceLinkedRoleDeletionStatus(e.ctx, acmAdmin, &GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: task})
			if err == nil && out.Status != "SUCCEEDED" {
				t.Errorf("status = %s (task %s)", out.Status, task)
			}
			return err
		}, 0},
		{"role gone", func() error {
			_, err := e.svc.GetRole(e.ctx, root, &RoleNameInput{RoleName: "AWSServiceRoleForCertificateManager"})
			return err
		}, NoSuchEntity},
		{"create for RAM", func() error {
			out, err := e.svc.CreateServiceLinkedRole(e.ctx, root, &CreateServiceLinkedRoleInput{AWSServiceName: "ram.amazonaws.com"})
			if err == nil && out.Role.RoleName != "AWSServiceRoleForResourceAccessManager" {
				t.Errorf("role = %+v", out.Role)
			}
			return err
		}, 0},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) { wantErr(t, s.run(), s.want) })
	}
}
