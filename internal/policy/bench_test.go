package policy

import "testing"

func BenchmarkParse(b *testing.B) {
	data := []byte(orgSharePolicy)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data, Resource); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEvaluateAccountShare(b *testing.B) {
	d := mustParse(b, accountSharePolicy, Resource)
	ctx := NewContext()
	ctx.Set("acm-pca:TemplateArn", endEntityV1)
	ctx.Set("aws:PrincipalAccount", "555555555555")
	req := &Request{Principal: shareCaller, Action: "acm-pca:IssueCertificate", Resource: caARN, Context: ctx}
	b.ReportAllocs()
	for b.Loop() {
		if r := d.Evaluate(req); r.Effect != Allow || len(r.Matched) != 1 {
			b.Fatal(r)
		}
	}
}

func BenchmarkEvaluateOrgShare(b *testing.B) {
	d := mustParse(b, orgSharePolicy, Resource)
	ctx := NewContext()
	ctx.Set("acm-pca:TemplateArn", endEntityV1)
	ctx.Set("aws:PrincipalOrgID", "o-aa111bb222")
	ctx.Set("aws:PrincipalOrgPaths", "o-aa111bb222/r-ab12/ou-ab12-11111111/")
	req := &Request{Principal: shareCaller, Action: "acm-pca:IssueCertificate", Resource: caARN, Context: ctx}
	b.ReportAllocs()
	for b.Loop() {
		if r := d.Evaluate(req); r.Effect != Allow || len(r.Matched) != 1 {
			b.Fatal(r)
		}
	}
}

func BenchmarkEvaluateDenied(b *testing.B) {
	d := mustParse(b, orgSharePolicy, Resource)
	ctx := NewContext()
	ctx.Set("acm-pca:TemplateArn", endEntityV1)
	req := &Request{Principal: pOther, Action: "acm-pca:IssueCertificate", Resource: caARN, Context: ctx}
	b.ReportAllocs()
	for b.Loop() {
		if r := d.Evaluate(req); r.Effect != NoMatch {
			b.Fatal(r)
		}
	}
}

func BenchmarkCacheParse(b *testing.B) {
	c := NewCache(16)
	data := []byte(orgSharePolicy)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Parse(data, Resource); err != nil {
			b.Fatal(err)
		}
	}
}
