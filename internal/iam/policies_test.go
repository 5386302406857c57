package iam

import (
	"strings"
	"testing"
)

func TestManagedPolicies(t *testing.T) {
	e := newEnv(t)
	root := e.roots[acctA]
	arn := "arn:aws:iam::" + acctA + ":policy/team/Issue"
	must(e.svc.CreateUser(e.ctx, root, &CreateUserInput{UserName: "bob"}))
	steps := []struct {
		name string
		run  func() error
		want ErrorKind
	}{
		{"create", func() error {
			out, err := e.svc.CreatePolicy(e.ctx, root, &CreatePolicyInput{PolicyName: "Issue", Path: "/team/", PolicyDocument: allowDoc("acm-pca:IssueCertificate", "*")})
			if err == nil && (out.Policy.Arn != arn || out.Policy.DefaultVersionId != "v1" || out.Policy.PolicyId[:4] != "ANPA") {
				t.Errorf("policy = %+v", out.Policy)
			}
			return err
		}, 0},
		{"duplicate", func() error {
			_, err := e.svc.CreatePolicy(e.ctx, root, &CreatePolicyInput{PolicyName: "issue", PolicyDocument: allowDoc("*", "*")})
			return err
		}, EntityAlreadyExists},
		{"malformed", func() error {
			_, err := e.svc.CreatePolicy(e.ctx, root, &CreatePolicyInput{PolicyName: "bad", PolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}`})
			return err
		}, MalformedPolicyDocument},
		{"principal not allowed in identity policy", func() error {
			_, err := e.svc.CreatePolicy(e.ctx, root, &CreatePolicyInput{PolicyName: "bad", PolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`})
			return err
		}, MalformedPolicyDocument},
		{"too large", func() error {
			actions := make([]string, 0, 400)
			for i := range 400 {
				actions = append(actions, `"acm-pca:Action`+strings.Repeat("x", 5)+string(rune('a'+i%26))+`"`)
			}
			doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[` + strings.Join(actions, ",") + `],"Resource":"*"}]}`
			_, err := e.svc.CreatePolicy(e.ctx, root, &CreatePolicyInput{PolicyName: "big", PolicyDocument: doc})
			if err != nil && !strings.Contains(err.Error(), "PolicySize: 6144") {
				t.Errorf("message %q", err)
			}
			return err
		}, LimitExceeded},
		{"versions up to five", func() error {
			for i := 2; i <= 5; i++ {
				out, err := e.svc.CreatePolicyVersion(e.ctx, root, &CreatePolicyVersionInput{PolicyArn: arn, PolicyDocument: allowDoc("acm-pca:GetCertificate", "*")})
				if err != nil {
					return err
				}
				if out.PolicyVersion.VersionId != "v"+string(rune('0'+i)) || out.PolicyVersion.IsDefaultVersion {
					t.Errorf("version %d = %+v", i, out.PolicyVersion)
				}
			}
			_, err := e.svc.CreatePolicyVersion(e.ctx, root, &CreatePolicyVersionInput{PolicyArn: arn, PolicyDocument: allowDoc("*", "*")})
			return err
		}, LimitExceeded},
		{"set default and read it", func() error {
			if _, err := e.svc.SetDefaultPolicyVersion(e.ctx, root, &PolicyVersionInput{PolicyArn: arn, VersionId: "v3"}); err != nil {
				return err
			}
			out, err := e.svc.GetPolicy(e.ctx, root, &PolicyArnInput{PolicyArn: arn})
			if err == nil && out.Policy.DefaultVersionId != "v3" {
				t.Errorf("default = %s", out.Policy.DefaultVersionId)
			}
			v, err := e.svc.GetPolicyVersion(e.ctx, root, &PolicyVersionInput{PolicyArn: arn, VersionId: "v3"})
			if err == nil && (!v.PolicyVersion.IsDefaultVersion || !strings.Contains(v.PolicyVersion.Document, "GetCertificate")) {
				t.Errorf("v3 = %+v", v.PolicyVersion)
			}
			return err
		}, 0},
		{"default version cannot be deleted", func() error {
			_, err := e.svc.DeletePolicyVersion(e.ctx, root, &PolicyVersionInput{PolicyArn: arn, VersionId: "v3"})
			return err
		}, DeleteConflict},
		{"list versions newest first", func() error {
			out, err := e.svc.ListPolicyVersions(e.ctx, root, &ListPolicyVersionsInput{PolicyArn: arn})
			if err == nil && (len(out.Versions) != 5 || out.Versions[0].VersionId != "v5") {
				t.Errorf("versions = %+v", out.Versions)
			}
			return err
		}, 0},
		{"attach to user", func() error {
			_, err := e.svc.AttachUserPolicy(e.ctx, root, &AttachUserPolicyInput{UserName: "bob", PolicyArn: arn})
			return err
		}, 0},
		{"attached policy cannot be deleted", func() error {
			_, err := e.svc.DeletePolicy(e.ctx, root, &PolicyArnInput{PolicyArn: arn})
			return err
		}, DeleteConflict},
		{"list attached and entities", func() error {
			out, err := e.svc.ListAttachedUserPolicies(e.ctx, root, &ListAttachedUserPoliciesInput{UserName: "bob"})
			if err != nil {
				return err
			}
			if len(out.AttachedPolicies) != 1 || out.AttachedPolicies[0].PolicyName != "Issue" {
				t.Errorf("attached = %+v", out.AttachedPolicies)
			}
			ents, err := e.svc.ListEntitiesForPolicy(e.ctx, root, &ListEntitiesForPolicyInput{PolicyArn: arn})
			if err == nil && (len(ents.PolicyUsers) != 1 || ents.PolicyUsers[0].UserName != "bob") {
				t.Errorf("entities = %+v", ents)
			}
			return err
		}, 0},
		{"only-attached local listing", func() error {
			yes := true
			out, err := e.svc.ListPolicies(e.ctx, root, &ListPoliciesInput{Scope: "Local", OnlyAttached: &yes})
			if err == nil && (len(out.Policies) != 1 || out.Policies[0].AttachmentCount != 1) {
				t.Errorf("policies = %+v", out.Policies)
			}
			return err
		}, 0},
		{"detach twice", func() error {
			if _, err := e.svc.DetachUserPolicy(e.ctx, root, &AttachUserPolicyInput{UserName: "bob", PolicyArn: arn}); err != nil {
				return err
			}
			_, err := e.svc.DetachUserPolicy(e.ctx, root, &AttachUserPolicyInput{UserName: "bob", PolicyArn: arn})
			return err
		}, NoSuchEntity},
		{"delete needs versions gone first", func() error {
			_, err := e.svc.DeletePolicy(e.ctx, root, &PolicyArnInput{PolicyArn: arn})
			return err
		}, DeleteConflict},
		{"delete after versions", func() error {
			for _, v := range []string{"v1", "v2", "v4", "v5"} {
				if _, err := e.svc.DeletePolicyVersion(e.ctx, root, &PolicyVersionInput{PolicyArn: arn, VersionId: v}); err != nil {
					return err
				}
			}
			_, err := e.svc.DeletePolicy(e.ctx, root, &PolicyArnInput{PolicyArn: arn})
			return err
		}, 0},
		{"other account's policy is not visible", func() error {
			must(e.svc.CreatePolicy(e.ctx, e.roots[acctB], &CreatePolicyInput{PolicyName: "Theirs", PolicyDocument: allowDoc("*", "*")}))
			_, err := e.svc.AttachUserPolicy(e.ctx, root, &AttachUserPolicyInput{UserName: "bob", PolicyArn: "arn:aws:iam::" + acctB + ":policy/Theirs"})
			return err
		}, NoSuchEntity},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) { wantErr(t, s.run(), s.want) })
	}
}

func TestAWSManagedPolicies(t *testing.T) {
	e := newEnv(t)
	root := e.roots[acctA]
	must(e.svc.CreateUser(e.ctx, root, &CreateUserInput{UserName: "bob"}))
	// every embedded document must be a valid identity policy
	for _, m := range e.st.managed.sorted {
		if err := e.svc.validateDocument(m.Document, 0); err != nil {
			t.Errorf("%s: %v", m.Name, err)
		}
	}
	userARN := "arn:aws:iam::aws:policy/AWSPrivateCAUser"
	cases := []struct {
		name string
		run  func() error
		want ErrorKind
	}{
		{"get", func() error {
			out, err := e.svc.GetPolicy(e.ctx, root, &PolicyArnInput{PolicyArn: userARN})
			if err == nil && (out.Policy.PolicyName != "AWSPrivateCAUser" || out.Policy.DefaultVersionId != "v1") {
				t.Errorf("policy = %+v", out.Policy)
			}
			return err
		}, 0},
		{"get version document", func() error {
			out, err := e.svc.GetPolicyVersion(e.ctx, root, &PolicyVersionInput{PolicyArn: userARN, VersionId: "v1"})
			if err == nil && !strings.Contains(out.PolicyVersion.Document, "template/EndEntityCertificate/V*") {
				t.Errorf("document = %s", out.PolicyVersion.Document)
			}
			return err
		}, 0},
		{"list AWS scope", func() error {
			out, err := e.svc.ListPolicies(e.ctx, root, &ListPoliciesInput{Scope: "AWS"})
			if err == nil && len(out.Policies) != len(awsManagedDefs) {
				t.Errorf("listed %d AWS policies", len(out.Policies))
			}
			return err
		}, 0},
		{"attach to user", func() error {
			_, err := e.svc.AttachUserPolicy(e.ctx, root, &AttachUserPolicyInput{UserName: "bob", PolicyArn: userARN})
			return err
		}, 0},
		{"cannot be modified", func() error {
			_, err := e.svc.CreatePolicyVersion(e.ctx, root, &CreatePolicyVersionInput{PolicyArn: userARN, PolicyDocument: allowDoc("*", "*")})
			return err
		}, InvalidInput},
		{"service role policy is not attachable to users", func() error {
			_, err := e.svc.AttachUserPolicy(e.ctx, root, &AttachUserPolicyInput{UserName: "bob", PolicyArn: "arn:aws:iam::aws:policy/aws-service-role/CertificateManagerServiceRolePolicy"})
			return err
		}, PolicyNotAttachable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { wantErr(t, c.run(), c.want) })
	}
}
