package policy

import (
	"bytes"
	"slices"
	"testing"
)

func FuzzParse(f *testing.F) {
	seeds := []string{
		accountSharePolicy, orgSharePolicy, ouSharePolicy,
		`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`,
		`{"Version":"2008-10-17","Id":"x","Statement":[{"Sid":"","Effect":"Deny","NotAction":["s3:*","iam:Get?"],"NotResource":"arn:aws:s3:::${*}"}]}`,
		condDoc(Version2012, `{"ForAllValues:StringLikeIfExists":{"a":["x",1,true]},"Null":{"n":false},"IpAddress":{"i":"10.0.0.0/8"},"DateLessThan":{"d":1700000000}}`),
		`{"Statement":{"Effect":"Allow","NotPrincipal":{"AWS":["*","123456789012"],"Service":"s.amazonaws.com"},"Action":"sts:AssumeRole"}}`,
		`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}} x`,
		`{"Statement":[]}`,
	}
	for _, s := range seeds {
		for k := Identity; k <= SCP; k++ {
			f.Add([]byte(s), uint8(k))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, k uint8) {
		kind := Kind(k % 4)
		d, err := Parse(data, kind)
		if err != nil {
			if _, ok := err.(*ParseError); !ok {
				t.Fatalf("error %T is not *ParseError", err)
			}
			_ = err.Error()
			return
		}
		b1, err := d.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		d2, err := Parse(b1, kind)
		if err != nil {
			t.Fatalf("re-parse of %s: %v", b1, err)
		}
		b2, _ := d2.MarshalJSON()
		if !bytes.Equal(b1, b2) {
			t.Fatalf("marshal not stable:\n%s\n%s", b1, b2)
		}
		_ = d.Evaluate(&Request{Principal: pUser, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"})
	})
}

func FuzzEvaluate(f *testing.F) {
	docs := []*Document{
		mustParse(f, accountSharePolicy, Resource),
		mustParse(f, orgSharePolicy, Resource),
		mustParse(f, ouSharePolicy, Resource),
		mustParse(f, condDoc(Version2012, `{"ForAnyValue:StringLike":{"k":["a*","${k2, 'x'}"]},"NumericLessThanIfExists":{"n":"5"},"DateGreaterThan":{"d":"2026-01-01"},"ForAllValues:NotIpAddress":{"ip":["10.0.0.0/8","::1"]},"ArnLike":{"arn":"arn:aws:*:*:${aws:PrincipalAccount}:x/*"},"Bool":{"b":"true"},"Null":{"z":"false"},"BinaryEquals":{"bin":"QUJD"},"StringNotEqualsIgnoreCase":{"k":"Q"}}`), Identity),
		mustParse(f, `{"Version":"2012-10-17","Statement":{"Effect":"Deny","NotAction":"s3:?et*","NotResource":"arn:aws:s3:::home/${aws:username}/*"}}`, Identity),
		indexDoc(f), // indexed by principal: must agree with the linear scan
	}
	f.Add("acm-pca:IssueCertificate", caARN, "k", "a", "b", "o-aa111bb222")
	f.Add("s3:GetObject", "arn:aws:s3:::home/alice/x", "aws:username", "alice", "*", "10.1.2.3")
	f.Add("", "", "", "", "", "")
	f.Add("s3:GetObject", "arn:aws:s3:::b/k", "k", "111111111110", "arn:aws:iam::111111111110:user/u0", "x")
	f.Add("a:*?", "arn:::::", "n", "1e400", "2026-13-01", "arn:aws:s3:us:1:x/y")
	keys := []string{"k", "k2", "n", "d", "ip", "arn", "b", "z", "bin", "aws:username", "aws:PrincipalAccount",
		"acm-pca:TemplateArn", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths"}
	f.Fuzz(func(t *testing.T, action, resource, key, v1, v2, v3 string) {
		ctx := NewContext()
		for _, k := range keys {
			ctx.Set(k, v1, v2)
		}
		ctx.Set(key, v3)
		for _, p := range []*Principal{nil, pUser, pAnon, {Account: v1, ARNs: []string{v2}}} {
			for _, d := range docs {
				req := &Request{Principal: p, Action: action, Resource: resource, Context: ctx}
				r := d.Evaluate(req)
				if (r.Effect == NoMatch) != (len(r.Matched) == 0) {
					t.Fatalf("effect %v with matches %v", r.Effect, r.Matched)
				}
				if c := d.compiled.(*compiled); c.index != nil {
					if l := linear(d, req); l.Effect != r.Effect || !slices.Equal(l.Matched, r.Matched) {
						t.Fatalf("indexed %v %v, linear %v %v", r.Effect, r.Matched, l.Effect, l.Matched)
					}
				}
			}
		}
	})
}
