package console

import (
	"net/http"
	"sort"

	"github.com/openpca/openpca/internal/pca"
)

// policyPreview is who gains and who loses acm-pca:IssueCertificate if the
// edited policy replaced the current one, from the who-can analysis.
type policyPreview struct {
	Gains, Loses []pca.PrincipalAccess
	Unchanged    int
}

// diffAccess compares who can act before and after a policy change.
func diffAccess(before, after []pca.PrincipalAccess) *policyPreview {
	in := func(list []pca.PrincipalAccess) map[string]pca.PrincipalAccess {
		m := make(map[string]pca.PrincipalAccess, len(list))
		for _, a := range list {
			m[a.PrincipalArn] = a
		}
		return m
	}
	b, a := in(before), in(after)
	p := &policyPreview{}
	for k, v := range a {
		if _, ok := b[k]; ok {
			p.Unchanged++
		} else {
			p.Gains = append(p.Gains, v)
		}
	}
	for k, v := range b {
		if _, ok := a[k]; !ok {
			p.Loses = append(p.Loses, v)
		}
	}
	by := func(l []pca.PrincipalAccess) {
		sort.Slice(l, func(i, j int) bool { return l[i].PrincipalArn < l[j].PrincipalArn })
	}
	by(p.Gains)
	by(p.Loses)
	return p
}

// pcaPolicy saves, deletes or previews the CA's resource policy. A
// rejected policy (InvalidPolicyException, …) is shown above the editor
// with the text kept.
func (c *Console) pcaPolicy(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, caller, arn := r.Context(), c.caller(r, s), r.PostFormValue("arn")
	doc := r.PostFormValue("policy")
	f := &caForm{Policy: &doc}
	var err error
	switch r.PostFormValue("op") {
	case "preview":
		var before, after []pca.PrincipalAccess
		if before, err = c.cfg.PCA.WhoCan(ctx, caller, arn, ""); err == nil {
			after, err = c.cfg.PCA.WhoCanWithPolicy(ctx, caller, arn, "", doc)
		}
		if err == nil {
			f.Preview, f.Section = diffAccess(before, after), "policy"
			c.pcaDetail(w, r, s, arn, f)
			return
		}
	case "delete":
		if _, err = c.cfg.PCA.DeletePolicy(ctx, caller, &pca.DeletePolicyInput{ResourceArn: arn}); err == nil {
			redirectCA(w, r, arn, "Policy deleted.")
			return
		}
		f.Policy = nil
	default:
		in := &pca.PutPolicyInput{ResourceArn: arn, Policy: doc}
		if err = valid("acm-pca", in); err != nil {
			break
		}
		if _, err = c.cfg.PCA.PutPolicy(ctx, caller, in); err == nil {
			redirectCA(w, r, arn, "Policy saved.")
			return
		}
	}
	c.failCA(w, r, s, arn, "policy", err, f)
}
