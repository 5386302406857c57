package console

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/openpca/openpca/internal/acm"
	"github.com/openpca/openpca/internal/pca"
)

func (c *Console) acmRoutes() {
	c.mux.HandleFunc("GET /console/acm", c.page(c.acmList))
	c.mux.HandleFunc("GET /console/acm/request", c.page(c.acmRequestForm))
	c.mux.HandleFunc("POST /console/acm/request", c.action(c.acmRequest))
	c.mux.HandleFunc("GET /console/acm/cert", c.page(func(w http.ResponseWriter, r *http.Request, s *session) {
		c.acmDetail(w, r, s, r.URL.Query().Get("arn"), nil)
	}))
	c.mux.HandleFunc("POST /console/acm/export", c.action(c.acmExport))
	c.mux.HandleFunc("POST /console/acm/renew", c.action(c.acmRenew))
	c.mux.HandleFunc("POST /console/acm/delete", c.action(c.acmDelete))
	c.mux.HandleFunc("POST /console/acm/tags", c.action(c.acmTags))
}

var acmStatuses = []string{"PENDING_VALIDATION", "ISSUED", "INACTIVE", "EXPIRED", "VALIDATION_TIMED_OUT", "REVOKED", "FAILED"}

type acmListData struct {
	Status   string
	Statuses []string
	Certs    []acm.CertificateSummary
	// Renewal is each listed certificate's renewal status (the summary has
	// none), from DescribeCertificate as the same caller.
	Renewal map[string]string
	Next    string
}

func (c *Console) acmList(w http.ResponseWriter, r *http.Request, s *session) {
	q := r.URL.Query()
	d := acmListData{Statuses: acmStatuses}
	// ListCertificates answers only RSA_2048 certificates unless asked for
	// other key types; the console, like AWS's, shows every type.
	in := &acm.ListCertificatesInput{NextToken: q.Get("next"), Includes: &acm.Filters{KeyTypes: []string{
		"RSA_1024", "RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1", "EC_secp521r1"}}}
	max := int32(50)
	in.MaxItems = &max
	for _, st := range acmStatuses {
		if q.Get("status") == st {
			d.Status, in.CertificateStatuses = st, []string{st}
		}
	}
	v := &view{Title: "Certificates", Nav: "acm", Data: &d}
	out, err := c.cfg.ACM.ListCertificates(r.Context(), c.caller(r, s), in)
	if err != nil {
		e, st := c.awsError("acm", err)
		v.Error = e
		c.render(w, r, st, "acm_list", v)
		return
	}
	d.Certs, d.Next = out.CertificateSummaryList, out.NextToken
	d.Renewal = map[string]string{}
	for _, cs := range d.Certs {
		desc, err := c.cfg.ACM.DescribeCertificate(r.Context(), c.caller(r, s), &acm.CertificateArnInput{CertificateArn: cs.CertificateArn})
		if err == nil && desc.Certificate.RenewalSummary != nil {
			rs := desc.Certificate.RenewalSummary
			d.Renewal[cs.CertificateArn] = strings.TrimSpace(rs.RenewalStatus + " " + rs.RenewalStatusReason)
		}
	}
	c.render(w, r, http.StatusOK, "acm_list", v)
}

type acmRequestData struct {
	CAs    []pca.CertificateAuthority
	CAsErr *pageError
	Domain string
}

// activeCAs lists the CAs the caller may request from: its own and those
// shared with it, active only.
func (c *Console) activeCAs(r *http.Request, s *session) ([]pca.CertificateAuthority, *pageError) {
	var out []pca.CertificateAuthority
	for _, owner := range []string{"SELF", "OTHER_ACCOUNTS"} {
		max := int32(1000)
		l, err := c.cfg.PCA.ListCertificateAuthorities(r.Context(), c.caller(r, s), &pca.ListCertificateAuthoritiesInput{ResourceOwner: owner, MaxResults: &max})
		if err != nil {
			e, _ := c.awsError("acm-pca", err)
			return out, e
		}
		for _, ca := range l.CertificateAuthorities {
			if ca.Status == "ACTIVE" {
				out = append(out, ca)
			}
		}
	}
	return out, nil
}

func (c *Console) acmRequestForm(w http.ResponseWriter, r *http.Request, s *session) {
	d := &acmRequestData{}
	d.CAs, d.CAsErr = c.activeCAs(r, s)
	c.render(w, r, http.StatusOK, "acm_request", &view{Title: "Request a private certificate", Nav: "acm", Data: d})
}

var acmKeyAlgorithms = map[string]bool{"RSA_2048": true, "RSA_3072": true, "RSA_4096": true, "EC_prime256v1": true, "EC_secp384r1": true, "EC_secp521r1": true}

func (c *Console) acmRequest(w http.ResponseWriter, r *http.Request, s *session) {
	f := r.PostForm
	in := &acm.RequestCertificateInput{DomainName: strings.TrimSpace(f.Get("domain")), CertificateAuthorityArn: f.Get("ca")}
	if a := strings.TrimSpace(f.Get("ca_arn")); a != "" {
		in.CertificateAuthorityArn = a // a CA shared by policy is listed nowhere
	}
	if k := f.Get("key"); acmKeyAlgorithms[k] {
		in.KeyAlgorithm = k
	} else {
		in.KeyAlgorithm = c.caKeyFamily(r, s, in.CertificateAuthorityArn)
	}
	for _, san := range strings.Fields(strings.ReplaceAll(f.Get("sans"), ",", " ")) {
		in.SubjectAlternativeNames = append(in.SubjectAlternativeNames, san)
	}
	if len(in.SubjectAlternativeNames) > 0 {
		in.SubjectAlternativeNames = append([]string{in.DomainName}, in.SubjectAlternativeNames...)
	}
	for _, t := range parseTags(f.Get("tags")) {
		in.Tags = append(in.Tags, acm.Tag{Key: t[0], Value: t[1]})
	}
	if f.Get("export") == "on" {
		in.Options = &acm.CertificateOptions{Export: "ENABLED"}
	}
	err := valid("acm", in)
	var out *acm.CertificateArnOutput
	if err == nil {
		out, err = c.cfg.ACM.RequestCertificate(r.Context(), c.caller(r, s), in)
	}
	if err != nil {
		d := &acmRequestData{Domain: in.DomainName}
		d.CAs, d.CAsErr = c.activeCAs(r, s)
		v := &view{Title: "Request a private certificate", Nav: "acm", Data: d}
		var st int
		v.Error, st = c.awsError("acm", err)
		c.render(w, r, st, "acm_request", v)
		return
	}
	redirectCert(w, r, out.CertificateArn, "Certificate requested.")
}

// caKeyFamily picks a key algorithm of the CA's family: a private CA signs
// only keys of its own family (PCA_INVALID_ARGS otherwise). "" (the API's
// RSA_2048 default) when the CA cannot be described.
func (c *Console) caKeyFamily(r *http.Request, s *session, arn string) string {
	out, err := c.cfg.PCA.DescribeCertificateAuthority(r.Context(), c.caller(r, s), &pca.DescribeCertificateAuthorityInput{CertificateAuthorityArn: arn})
	if err != nil || out.CertificateAuthority.CertificateAuthorityConfiguration == nil {
		return ""
	}
	switch k := out.CertificateAuthority.CertificateAuthorityConfiguration.KeyAlgorithm; {
	case strings.HasPrefix(k, "EC_"):
		return "EC_prime256v1"
	case strings.HasPrefix(k, "RSA_"):
		return "RSA_2048"
	}
	return ""
}

func redirectCert(w http.ResponseWriter, r *http.Request, arn, done string) {
	doneRedirect(w, r, "/console/acm/cert?"+url.Values{"arn": {arn}}.Encode(), done)
}

type acmDetailData struct {
	Cert    *acm.CertificateDetail
	Tags    []acm.Tag
	TagsErr *pageError
	PEM     string
}

func (c *Console) acmDetail(w http.ResponseWriter, r *http.Request, s *session, arn string, fail *pageError) {
	ctx, caller := r.Context(), c.caller(r, s)
	v := &view{Title: "Certificate", Nav: "acm", Error: fail}
	out, err := c.cfg.ACM.DescribeCertificate(ctx, caller, &acm.CertificateArnInput{CertificateArn: arn})
	if err != nil {
		e, st := c.awsError("acm", err)
		v.Error = e
		c.render(w, r, st, "message", v)
		return
	}
	d := &acmDetailData{Cert: out.Certificate}
	if t, err := c.cfg.ACM.ListTagsForCertificate(ctx, caller, &acm.CertificateArnInput{CertificateArn: arn}); err == nil {
		d.Tags = t.Tags
	} else {
		d.TagsErr, _ = c.awsError("acm", err)
	}
	if out.Certificate.Status == "ISSUED" {
		if g, err := c.cfg.ACM.GetCertificate(ctx, caller, &acm.CertificateArnInput{CertificateArn: arn}); err == nil {
			d.PEM = g.Certificate
		}
	}
	v.Data = d
	st := http.StatusOK
	if fail != nil {
		st = http.StatusBadRequest
	}
	c.render(w, r, st, "acm_detail", v)
}

// acmExport answers the exported certificate, chain and passphrase-
// encrypted key as one PEM file download. Only on POST; the passphrase
// and key are never logged or shown.
func (c *Console) acmExport(w http.ResponseWriter, r *http.Request, s *session) {
	arn, pass := r.PostFormValue("arn"), r.PostFormValue("passphrase")
	in := &acm.ExportCertificateInput{CertificateArn: arn, Passphrase: []byte(pass)}
	err := valid("acm", in)
	var out *acm.ExportCertificateOutput
	if err == nil {
		out, err = c.cfg.ACM.ExportCertificate(r.Context(), c.caller(r, s), in)
	}
	if err != nil {
		e, _ := c.awsError("acm", err)
		c.acmDetail(w, r, s, arn, e)
		return
	}
	name := "certificate-" + lastPart(arn) + ".pem"
	w.Header().Set("Content-Type", "application/x-pem-file")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	var b strings.Builder
	b.WriteString(out.Certificate)
	if !strings.HasSuffix(out.Certificate, "\n") {
		b.WriteString("\n")
	}
	b.WriteString(out.CertificateChain)
	if !strings.HasSuffix(out.CertificateChain, "\n") {
		b.WriteString("\n")
	}
	b.WriteString(out.PrivateKey)
	_, _ = w.Write([]byte(b.String()))
}

func lastPart(arn string) string {
	if i := strings.LastIndexByte(arn, '/'); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

func (c *Console) acmRenew(w http.ResponseWriter, r *http.Request, s *session) {
	arn := r.PostFormValue("arn")
	if _, err := c.cfg.ACM.RenewCertificate(r.Context(), c.caller(r, s), &acm.CertificateArnInput{CertificateArn: arn}); err != nil {
		e, _ := c.awsError("acm", err)
		c.acmDetail(w, r, s, arn, e)
		return
	}
	redirectCert(w, r, arn, "Renewal requested.")
}

func (c *Console) acmDelete(w http.ResponseWriter, r *http.Request, s *session) {
	arn := r.PostFormValue("arn")
	if _, err := c.cfg.ACM.DeleteCertificate(r.Context(), c.caller(r, s), &acm.CertificateArnInput{CertificateArn: arn}); err != nil {
		e, _ := c.awsError("acm", err)
		c.acmDetail(w, r, s, arn, e)
		return
	}
	doneRedirect(w, r, "/console/acm", "Certificate deleted.")
}

func (c *Console) acmTags(w http.ResponseWriter, r *http.Request, s *session) {
	arn := r.PostFormValue("arn")
	in := &acm.TagsInput{CertificateArn: arn, Tags: []acm.Tag{{Key: strings.TrimSpace(r.PostFormValue("key")), Value: strings.TrimSpace(r.PostFormValue("value"))}}}
	err := valid("acm", in)
	switch {
	case err != nil:
	case r.PostFormValue("op") == "remove":
		_, err = c.cfg.ACM.RemoveTagsFromCertificate(r.Context(), c.caller(r, s), in)
	default:
		_, err = c.cfg.ACM.AddTagsToCertificate(r.Context(), c.caller(r, s), in)
	}
	if err != nil {
		e, _ := c.awsError("acm", err)
		c.acmDetail(w, r, s, arn, e)
		return
	}
	redirectCert(w, r, arn, "Tags updated.")
}
