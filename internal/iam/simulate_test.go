package iam

import (
	"testing"

	"github.com/openpca/openpca/internal/authz"
)

func TestSimulateAgreesWithCheck(t *testing.T) {
	e := newEnv(t)
	root := e.roots[acctA]
	ca := "arn:aws:acm-pca:us-east-1:" + acctA + ":certificate-authority/0b1f"
	locked := "arn:aws:acm-pca:us-east-1:" + acctA + ":certificate-authority/locked"
	denyRevoke := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"acm-pca:RevokeCertificate","Resource":"` + locked + `"}]}`
	bob := e.user(acctA, "bob", denyRevoke)
	bob.SecureTransport = true
	must(e.svc.AttachUserPolicy(e.ctx, root, &AttachUserPolicyInput{UserName: "bob", PolicyArn: "arn:aws:iam::aws:policy/AWSPrivateCAUser"}))
	must(e.svc.CreateGroup(e.ctx, root, &CreateGroupInput{GroupName: "sharers"}))
	must(e.svc.AddUserToGroup(e.ctx, root, &GroupMemberInput{GroupName: "sharers", UserName: "bob"}))
	tagged := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ram:*","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/team":"pki"}}}]}`
	must(e.svc.PutGroupPolicy(e.ctx, root, &PutGroupPolicyInput{GroupName: "sharers", PolicyName: "ram", PolicyDocument: tagged}))

	// Documents equivalent to bob's, for SimulateCustomPolicy.
	userCA := must(e.svc.GetPolicyVersion(e.ctx, root, &PolicyVersionInput{PolicyArn: "arn:aws:iam::aws:policy/AWSPrivateCAUser", VersionId: "v1"})).PolicyVersion.Document
	docs := []string{denyRevoke, userCA, tagged}

	endEntity := "arn:aws:acm-pca:::template/EndEntityCertificate/V1"
	subCA := "arn:aws:acm-pca:::template/SubordinateCACertificate_PathLen0/V1"
	cases := []struct {
		name     string
		action   string
		resource string
		context  map[string][]string
		want     string
	}{
		{"issue end-entity", "acm-pca:IssueCertificate", ca, map[string][]string{"acm-pca:TemplateArn": {endEntity}}, "allowed"},
		{"issue with default template", "acm-pca:IssueCertificate", ca, nil, "allowed"},
		{"issue subordinate CA denied", "acm-pca:IssueCertificate", ca, map[string][]string{"acm-pca:TemplateArn": {subCA}}, "explicitDeny"},
		{"revoke allowed", "acm-pca:RevokeCertificate", ca, nil, "allowed"},
		{"revoke on locked CA", "acm-pca:RevokeCertificate", locked, nil, "explicitDeny"},
		{"ram with matching tag", "ram:CreateResourceShare", "*", map[string][]string{"aws:RequestTag/team": {"pki"}}, "allowed"},
		{"ram without tag", "ram:CreateResourceShare", "*", nil, "implicitDeny"},
		{"unrelated action", "s3:GetObject", "*", nil, "implicitDeny"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := e.eng.Authorize(e.ctx, &authz.Request{Caller: bob, Action: c.action, Resource: c.resource, Context: c.context})
			if err != nil {
				t.Fatal(err)
			}
			real := simDecision(d)
			if real != c.want {
				t.Fatalf("engine decision = %s, want %s (%s)", real, c.want, d.Message)
			}
			var entries []ContextEntry
			for k, v := range c.context {
				entries = append(entries, ContextEntry{ContextKeyName: k, ContextKeyValues: v, ContextKeyType: "string"})
			}
			sp := must(e.svc.SimulatePrincipalPolicy(e.ctx, root, &SimulatePrincipalPolicyInput{
				PolicySourceArn: bob.ARN, ActionNames: []string{c.action}, ResourceArns: []string{c.resource}, ContextEntries: entries,
			}))
			if len(sp.EvaluationResults) != 1 || sp.EvaluationResults[0].EvalDecision != real {
				t.Fatalf("SimulatePrincipalPolicy = %+v, engine %s", sp.EvaluationResults, real)
			}
			if r := sp.EvaluationResults[0]; real != "implicitDeny" && len(r.MatchedStatements) == 0 {
				t.Errorf("no matched statements for %s", real)
			}
			sc := must(e.svc.SimulateCustomPolicy(e.ctx, root, &SimulateCustomPolicyInput{
				PolicyInputList: docs, ActionNames: []string{c.action}, ResourceArns: []string{c.resource}, ContextEntries: entries,
			}))
			if len(sc.EvaluationResults) != 1 || sc.EvaluationResults[0].EvalDecision != real {
				t.Fatalf("SimulateCustomPolicy = %+v, engine %s", sc.EvaluationResults, real)
			}
		})
	}
}

func TestSimulateShapes(t *testing.T) {
	e := newEnv(t)
	root := e.roots[acctA]
	bob := e.user(acctA, "bob", allowDoc("acm:*", "*"))
	max := 2
	out := must(e.svc.SimulatePrincipalPolicy(e.ctx, root, &SimulatePrincipalPolicyInput{
		PolicySourceArn: bob.ARN, ActionNames: []string{"acm:ListCertificates", "acm:DescribeCertificate", "s3:GetObject"}, MaxItems: &max,
	}))
	if len(out.EvaluationResults) != 2 || !out.IsTruncated || out.EvaluationResults[0].EvalResourceName != "*" {
		t.Fatalf("page 1 = %+v", out)
	}
	m := out.EvaluationResults[0].MatchedStatements
	if len(m) != 1 || m[0].SourcePolicyId != "p" || m[0].SourcePolicyType != "user" {
		t.Errorf("matched = %+v", m)
	}
	out = must(e.svc.SimulatePrincipalPolicy(e.ctx, root, &SimulatePrincipalPolicyInput{
		PolicySourceArn: bob.ARN, ActionNames: []string{"acm:ListCertificates", "acm:DescribeCertificate", "s3:GetObject"}, MaxItems: &max, Marker: out.Marker,
	}))
	if len(out.EvaluationResults) != 1 || out.IsTruncated || out.EvaluationResults[0].EvalDecision != "implicitDeny" {
		t.Fatalf("page 2 = %+v", out)
	}
	_, err := e.svc.SimulateCustomPolicy(e.ctx, root, &SimulateCustomPolicyInput{PolicyInputList: []string{"{"}, ActionNames: []string{"acm:*"}})
	wantErr(t, err, MalformedPolicyDocument)
	_, err = e.svc.SimulatePrincipalPolicy(e.ctx, bob, &SimulatePrincipalPolicyInput{PolicySourceArn: bob.ARN, ActionNames: []string{"acm:*"}})
	wantErr(t, err, denial)

	// A resource policy naming the caller, cross-account.
	rp := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + bob.ARN + `"},"Action":"acm-pca:GetCertificate","Resource":"*"}]}`
	res := must(e.svc.SimulateCustomPolicy(e.ctx, root, &SimulateCustomPolicyInput{
		PolicyInputList: []string{allowDoc("acm-pca:GetCertificate", "*")}, ActionNames: []string{"acm-pca:GetCertificate"},
		ResourcePolicy: rp, CallerArn: bob.ARN, ResourceOwner: "arn:aws:iam::" + acctB + ":root",
	}))
	if r := res.EvaluationResults[0]; r.EvalDecision != "allowed" || r.EvalDecisionDetails["ResourcePolicy"] != "allowed" {
		t.Errorf("cross-account with resource policy = %+v", r)
	}
}
