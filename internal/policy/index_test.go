package policy

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
)

// linear evaluates d without its principal index, as before the index.
func linear(d *Document, req *Request) Result {
	c := *d.compiled.(*compiled)
	c.index = nil
	cp := *d
	cp.compiled = &c
	return cp.Evaluate(req)
}

// indexDoc mixes every principal form: indexed (accounts, root ARNs, user
// ARNs) and unindexed (none, "*", NotPrincipal, services, federated).
func indexDoc(t testing.TB) *Document {
	var st []any
	add := func(effect string, princ map[string]any, notPrinc bool, action string) {
		s := map[string]any{"Sid": fmt.Sprintf("S%d", len(st)), "Effect": effect, "Action": action, "Resource": "*"}
		if princ != nil {
			key := "Principal"
			if notPrinc {
				key = "NotPrincipal"
			}
			s[key] = princ
		}
		st = append(st, s)
	}
	for i := range 10 {
		acct := fmt.Sprintf("%012d", 111111111110+i%3)
		add("Allow", map[string]any{"AWS": []string{acct, "arn:aws:iam::" + fmt.Sprintf("%012d", 222222222220+i) + ":root"}}, false, "s3:Get*")
		add("Deny", map[string]any{"AWS": "arn:aws:iam::" + acct + ":user/u" + fmt.Sprint(i%2)}, false, "s3:GetObject")
	}
	add("Allow", map[string]any{"AWS": "*"}, false, "s3:*")
	add("Deny", map[string]any{"AWS": "111111111110"}, true, "s3:Put*")
	add("Allow", map[string]any{"Service": "acm.amazonaws.com", "AWS": "111111111111"}, false, "s3:GetObject")
	add("Allow", map[string]any{"Federated": "cognito-identity.amazonaws.com"}, false, "s3:GetObject")
	b, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": st})
	d, err := Parse(b, Resource)
	if err != nil {
		t.Fatal(err)
	}
	if d.compiled.(*compiled).index == nil {
		t.Fatal("document not indexed")
	}
	return d
}

func TestIndexedEvaluateMatchesLinear(t *testing.T) {
	d := indexDoc(t)
	principals := []*Principal{
		nil, pUser, pAnon,
		{Service: "acm.amazonaws.com"},
		{Federated: "cognito-identity.amazonaws.com", Account: "111111111111"},
		{Account: "111111111110", ARNs: []string{"arn:aws:iam::111111111110:root"}},
		{Account: "111111111110", ARNs: []string{"arn:aws:iam::111111111110:user/u0"}},
		{Account: "111111111111", ARNs: []string{"arn:aws:iam::111111111111:user/u1", "AIDAEXAMPLE"}},
		{Account: "222222222225", ARNs: []string{"arn:aws:iam::222222222225:user/x"}},
		{Account: "999999999999", ARNs: []string{"arn:aws:iam::111111111112:user/u0"}},
	}
	for i, p := range principals {
		for _, action := range []string{"s3:GetObject", "s3:PutObject", "s3:ListBucket"} {
			req := &Request{Principal: p, Action: action, Resource: "arn:aws:s3:::b/k"}
			got, want := d.Evaluate(req), linear(d, req)
			if got.Effect != want.Effect || !slices.Equal(got.Matched, want.Matched) {
				t.Errorf("principal %d %s: indexed %v %v, linear %v %v", i, action, got.Effect, got.Matched, want.Effect, want.Matched)
			}
		}
	}
}

func BenchmarkEvaluateManyStatements(b *testing.B) {
	var st []any
	for i := range 1000 {
		ps := []string{}
		for j := range 5 {
			ps = append(ps, fmt.Sprintf("arn:aws:iam::%012d:root", 200000000000+i*5+j))
		}
		st = append(st, map[string]any{"Effect": "Allow", "Principal": map[string]any{"AWS": ps},
			"Action": "acm-pca:IssueCertificate", "Resource": caARN})
	}
	data, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": st})
	d := mustParse(b, string(data), Resource)
	req := &Request{Principal: &Principal{Account: "200000004999", ARNs: []string{"arn:aws:iam::200000004999:user/u"}},
		Action: "acm-pca:IssueCertificate", Resource: caARN, Context: NewContext()}
	b.ReportAllocs()
	for b.Loop() {
		if r := d.Evaluate(req); r.Effect != Allow {
			b.Fatal(r)
		}
	}
}
