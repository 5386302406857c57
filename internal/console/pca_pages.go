package console

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/openpca/openpca/internal/acm"
	"github.com/openpca/openpca/internal/pca"
	"github.com/openpca/openpca/internal/ram"
)

func (c *Console) pcaRoutes() {
	c.mux.HandleFunc("GET /console/pca", c.page(c.pcaList))
	c.mux.HandleFunc("GET /console/pca/create", c.page(c.pcaCreateForm))
	c.mux.HandleFunc("POST /console/pca/create", c.action(c.pcaCreate))
	c.mux.HandleFunc("GET /console/pca/ca", c.page(func(w http.ResponseWriter, r *http.Request, s *session) {
		c.pcaDetail(w, r, s, r.URL.Query().Get("arn"), &caForm{})
	}))
	c.mux.HandleFunc("POST /console/pca/install", c.action(c.pcaInstall))
	c.mux.HandleFunc("POST /console/pca/import", c.action(c.pcaImport))
	c.mux.HandleFunc("POST /console/pca/status", c.action(c.pcaStatus))
	c.mux.HandleFunc("POST /console/pca/policy", c.action(c.pcaPolicy))
	c.mux.HandleFunc("POST /console/pca/permission", c.action(c.pcaPermission))
	c.mux.HandleFunc("POST /console/pca/revocation", c.action(c.pcaRevocation))
	c.mux.HandleFunc("POST /console/pca/tags", c.action(c.pcaTags))
	c.mux.HandleFunc("POST /console/pca/issue", c.action(c.pcaIssue))
	c.mux.HandleFunc("POST /console/pca/revoke", c.action(c.pcaRevoke))
	c.mux.HandleFunc("POST /console/pca/delete", c.action(c.pcaDelete))
	c.mux.HandleFunc("GET /console/pca/timeline.svg", c.page(c.pcaTimelineSVG))
	c.mux.HandleFunc("GET /console/pca/health.svg", c.page(c.pcaHealthSVG))
}

type pcaListData struct {
	Owner string
	CAs   []pca.CertificateAuthority
	Next  string
}

func (c *Console) pcaList(w http.ResponseWriter, r *http.Request, s *session) {
	q := r.URL.Query()
	owner := "SELF"
	if q.Get("owner") == "OTHER_ACCOUNTS" {
		owner = "OTHER_ACCOUNTS"
	}
	v := &view{Title: "Private certificate authorities", Nav: "pca"}
	max := int32(50)
	out, err := c.cfg.PCA.ListCertificateAuthorities(r.Context(), c.caller(r, s),
		&pca.ListCertificateAuthoritiesInput{ResourceOwner: owner, MaxResults: &max, NextToken: q.Get("next")})
	d := pcaListData{Owner: owner}
	if err != nil {
		e, st := c.awsError("acm-pca", err)
		v.Error, v.Data = e, d
		c.render(w, r, st, "pca_list", v)
		return
	}
	d.CAs, d.Next = out.CertificateAuthorities, out.NextToken
	v.Data = d
	c.render(w, r, http.StatusOK, "pca_list", v)
}

func (c *Console) pcaCreateForm(w http.ResponseWriter, r *http.Request, s *session) {
	c.render(w, r, http.StatusOK, "pca_create", &view{Title: "Create a private CA", Nav: "pca"})
}

// signingFor is the signing algorithm the console uses with a key
// algorithm (AWS's console picks the same).
func signingFor(keyAlg string) string {
	switch {
	case strings.HasPrefix(keyAlg, "EC_secp384"):
		return "SHA384WITHECDSA"
	case strings.HasPrefix(keyAlg, "EC_secp521"):
		return "SHA512WITHECDSA"
	case strings.HasPrefix(keyAlg, "EC_"):
		return "SHA256WITHECDSA"
	case strings.HasPrefix(keyAlg, "ML_DSA"), keyAlg == "SM2":
		if keyAlg == "SM2" {
			return "SM3WITHSM2"
		}
		return keyAlg
	}
	return "SHA256WITHRSA"
}

var keyAlgorithms = map[string]bool{"RSA_2048": true, "RSA_3072": true, "RSA_4096": true,
	"EC_prime256v1": true, "EC_secp384r1": true, "EC_secp521r1": true}

func (c *Console) pcaCreate(w http.ResponseWriter, r *http.Request, s *session) {
	f := r.PostForm
	v := &view{Title: "Create a private CA", Nav: "pca"}
	typ, key := f.Get("type"), f.Get("key")
	if (typ != "ROOT" && typ != "SUBORDINATE") || !keyAlgorithms[key] || strings.TrimSpace(f.Get("cn")) == "" {
		v.Error = &pageError{Code: "ValidationException", Message: "Choose a CA type and key algorithm and enter a common name."}
		c.render(w, r, http.StatusBadRequest, "pca_create", v)
		return
	}
	subj := &pca.ASN1Subject{CommonName: strings.TrimSpace(f.Get("cn")), Organization: strings.TrimSpace(f.Get("o")),
		OrganizationalUnit: strings.TrimSpace(f.Get("ou")), Country: strings.TrimSpace(f.Get("country")),
		State: strings.TrimSpace(f.Get("st")), Locality: strings.TrimSpace(f.Get("l"))}
	in := &pca.CreateCertificateAuthorityInput{
		CertificateAuthorityType: typ,
		CertificateAuthorityConfiguration: &pca.CertificateAuthorityConfiguration{
			KeyAlgorithm: key, SigningAlgorithm: signingFor(key), Subject: subj},
		RevocationConfiguration: revocationFrom(f),
	}
	if f.Get("usage") == "SHORT_LIVED_CERTIFICATE" {
		in.UsageMode = "SHORT_LIVED_CERTIFICATE"
	}
	if tags := parseTags(f.Get("tags")); len(tags) > 0 {
		for _, t := range tags {
			in.Tags = append(in.Tags, pca.Tag{Key: t[0], Value: &t[1]})
		}
	}
	err := valid("acm-pca", in)
	var out *pca.CreateCertificateAuthorityOutput
	if err == nil {
		out, err = c.cfg.PCA.CreateCertificateAuthority(r.Context(), c.caller(r, s), in)
	}
	if err != nil {
		var st int
		v.Error, st = c.awsError("acm-pca", err)
		c.render(w, r, st, "pca_create", v)
		return
	}
	redirectCA(w, r, out.CertificateAuthorityArn, "Certificate authority created.")
}

func revocationFrom(f url.Values) *pca.RevocationConfiguration {
	crl, ocsp := f.Get("crl") == "on", f.Get("ocsp") == "on"
	rc := &pca.RevocationConfiguration{CrlConfiguration: &pca.CrlConfiguration{Enabled: &crl},
		OcspConfiguration: &pca.OcspConfiguration{Enabled: &ocsp}}
	if crl {
		days := int32(7)
		if n, err := strconv.Atoi(f.Get("crldays")); err == nil && n > 0 && n <= 5000 {
			days = int32(n)
		}
		rc.CrlConfiguration.ExpirationInDays = &days
	}
	return rc
}

// parseTags reads "key=value" lines.
func parseTags(text string) [][2]string {
	var out [][2]string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		k, v, _ := strings.Cut(line, "=")
		out = append(out, [2]string{strings.TrimSpace(k), strings.TrimSpace(v)})
	}
	return out
}

func redirectCA(w http.ResponseWriter, r *http.Request, arn, done string) {
	doneRedirect(w, r, "/console/pca/ca?"+url.Values{"arn": {arn}}.Encode(), done)
}

// caForm carries what a failed form on the detail page showed, so the
// error appears in place with the user's input kept.
type caForm struct {
	Section  string // which section failed
	Err      *pageError
	Status   int
	Policy   *string // the edited policy text
	Preview  *policyPreview
	IssuedPE string // PEM of a certificate just issued
	Flash    string
}

type caDetail struct {
	CA          *pca.CertificateAuthority
	Form        *caForm
	CSR         string
	CertPEM     string
	Policy      string
	PolicyErr   *pageError
	Perms       []pca.Permission
	PermsErr    *pageError
	WhoCan      []pca.PrincipalAccess
	WhoCanErr   *pageError
	Health      []acm.RenewalHealth // the first maxHealthRows
	HealthMore  int                 // how many more there are
	HealthErr   *pageError
	Timeline    template.HTML // server-rendered SVG, inline: one health query per page
	HealthChart template.HTML
	Tags        []pca.Tag
	TagsErr     *pageError
	Shares      []ram.ResourceShareAssociation // the caller's RAM shares of the CA
	SharesErr   *pageError
	IsOwner     bool
	CRLEnabled  bool
	CRLDays     int32
	OCSPEnabled bool
}

// maxHealthRows bounds the dependent-certificate table (the first to
// expire); the charts count every certificate.
const maxHealthRows = 100

func (c *Console) pcaDetail(w http.ResponseWriter, r *http.Request, s *session, arn string, f *caForm) {
	ctx := r.Context()
	caller := c.caller(r, s)
	v := &view{Title: "Certificate authority", Nav: "pca", Flash: f.Flash}
	out, err := c.cfg.PCA.DescribeCertificateAuthority(ctx, caller, &pca.DescribeCertificateAuthorityInput{CertificateAuthorityArn: arn})
	if err != nil {
		e, st := c.awsError("acm-pca", err)
		if f.Err != nil {
			e, st = f.Err, f.Status
		}
		v.Error = e
		c.render(w, r, st, "message", v)
		return
	}
	ca := out.CertificateAuthority
	d := &caDetail{CA: ca, Form: f, IsOwner: ca.OwnerAccount == s.Account()}
	if rc := ca.RevocationConfiguration; rc != nil {
		if cc := rc.CrlConfiguration; cc != nil && cc.Enabled != nil && *cc.Enabled {
			d.CRLEnabled = true
			if cc.ExpirationInDays != nil {
				d.CRLDays = *cc.ExpirationInDays
			}
		}
		if oc := rc.OcspConfiguration; oc != nil && oc.Enabled != nil {
			d.OCSPEnabled = *oc.Enabled
		}
	}
	if ca.Status == "PENDING_CERTIFICATE" {
		if o, err := c.cfg.PCA.GetCertificateAuthorityCsr(ctx, caller, &pca.GetCertificateAuthorityCsrInput{CertificateAuthorityArn: arn}); err == nil {
			d.CSR = o.Csr
		}
	} else if o, err := c.cfg.PCA.GetCertificateAuthorityCertificate(ctx, caller, &pca.GetCertificateAuthorityCertificateInput{CertificateAuthorityArn: arn}); err == nil {
		d.CertPEM = o.Certificate
	}
	if o, err := c.cfg.PCA.GetPolicy(ctx, caller, &pca.GetPolicyInput{ResourceArn: arn}); err == nil {
		d.Policy = o.Policy
	} else if !errors.Is(err, pca.ErrNotFound) {
		d.PolicyErr, _ = c.awsError("acm-pca", err)
	}
	if f.Policy != nil {
		d.Policy = *f.Policy
	}
	if d.IsOwner {
		if sh, err := c.caShares(r, s, arn); err == nil {
			d.Shares = sh
		} else {
			d.SharesErr, _ = c.awsError("ram", err)
		}
	}
	if o, err := c.cfg.PCA.ListPermissions(ctx, caller, &pca.ListPermissionsInput{CertificateAuthorityArn: arn}); err == nil {
		d.Perms = o.Permissions
	} else {
		d.PermsErr, _ = c.awsError("acm-pca", err)
	}
	if o, err := c.cfg.PCA.WhoCan(ctx, caller, arn, ""); err == nil {
		d.WhoCan = o
	} else {
		d.WhoCanErr, _ = c.awsError("acm-pca", err)
	}
	if o, err := c.cfg.ACM.GetRenewalHealthSummary(ctx, caller, &acm.CertificateAuthorityArnInput{CertificateAuthorityArn: arn}, maxHealthRows); err == nil {
		// Our own markup from numbers and dates only: safe to inline.
		d.Timeline = template.HTML(timelineSVG(c.cfg.Clock.Now(), ca, expiries(o.NotAfters)))
		d.HealthChart = template.HTML(healthSVG(summaryCounts(o)))
		d.Health, d.HealthMore = o.Certificates, o.Total-len(o.Certificates)
	} else {
		d.HealthErr, _ = c.awsError("acm", err)
	}
	if o, err := c.cfg.PCA.ListTags(ctx, caller, &pca.ListTagsInput{CertificateAuthorityArn: arn}); err == nil {
		d.Tags = o.Tags
	} else {
		d.TagsErr, _ = c.awsError("acm-pca", err)
	}
	v.Data = d
	if ca.Status == "CREATING" {
		v.Refresh = 2 // the key is being generated: come back for the CSR
	}
	st := http.StatusOK
	if f.Err != nil {
		st = f.Status
	}
	c.render(w, r, st, "pca_detail", v)
}

// failCA re-renders the detail page with err shown in section.
func (c *Console) failCA(w http.ResponseWriter, r *http.Request, s *session, arn, section string, err error, f *caForm) {
	if f == nil {
		f = &caForm{}
	}
	f.Section = section
	f.Err, f.Status = c.awsError(sectionService(section), err)
	c.pcaDetail(w, r, s, arn, f)
}

func sectionService(section string) string {
	if section == "health" {
		return "acm"
	}
	return "acm-pca"
}

// pcaInstall installs a root CA's self-signed certificate, as AWS's
// console "Install CA certificate" does: the CA signs its own CSR with the
// RootCACertificate/V1 template, then the result is imported.
func (c *Console) pcaInstall(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, caller, arn := r.Context(), c.caller(r, s), r.PostFormValue("arn")
	years := int64(10)
	if n, err := strconv.Atoi(r.PostFormValue("years")); err == nil && n >= 1 && n <= 30 {
		years = int64(n)
	}
	desc, err := c.cfg.PCA.DescribeCertificateAuthority(ctx, caller, &pca.DescribeCertificateAuthorityInput{CertificateAuthorityArn: arn})
	if err != nil {
		c.failCA(w, r, s, arn, "install", err, nil)
		return
	}
	csr, err := c.cfg.PCA.GetCertificateAuthorityCsr(ctx, caller, &pca.GetCertificateAuthorityCsrInput{CertificateAuthorityArn: arn})
	if err != nil {
		c.failCA(w, r, s, arn, "install", err, nil)
		return
	}
	iss, err := c.cfg.PCA.IssueCertificate(ctx, caller, &pca.IssueCertificateInput{CertificateAuthorityArn: arn, Csr: []byte(csr.Csr),
		SigningAlgorithm: desc.CertificateAuthority.CertificateAuthorityConfiguration.SigningAlgorithm,
		TemplateArn:      "arn:" + partitionOf(arn) + ":acm-pca:::template/RootCACertificate/V1",
		Validity:         &pca.Validity{Type: "YEARS", Value: &years}})
	if err != nil {
		c.failCA(w, r, s, arn, "install", err, nil)
		return
	}
	var cert *pca.GetCertificateOutput
	for i := 0; ; i++ { // issuance is committed in batches: wait briefly
		cert, err = c.cfg.PCA.GetCertificate(ctx, caller, &pca.GetCertificateInput{CertificateAuthorityArn: arn, CertificateArn: iss.CertificateArn})
		if err == nil || !errors.Is(err, pca.ErrRequestInProgress) || i == 50 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		c.failCA(w, r, s, arn, "install", err, nil)
		return
	}
	if _, err := c.cfg.PCA.ImportCertificateAuthorityCertificate(ctx, caller, &pca.ImportCertificateAuthorityCertificateInput{
		CertificateAuthorityArn: arn, Certificate: []byte(cert.Certificate)}); err != nil {
		c.failCA(w, r, s, arn, "install", err, nil)
		return
	}
	redirectCA(w, r, arn, "CA certificate installed; the CA is active.")
}

func (c *Console) pcaImport(w http.ResponseWriter, r *http.Request, s *session) {
	arn := r.PostFormValue("arn")
	in := &pca.ImportCertificateAuthorityCertificateInput{
		CertificateAuthorityArn: arn, Certificate: []byte(r.PostFormValue("certificate")), CertificateChain: []byte(r.PostFormValue("chain"))}
	err := valid("acm-pca", in)
	if err == nil {
		_, err = c.cfg.PCA.ImportCertificateAuthorityCertificate(r.Context(), c.caller(r, s), in)
	}
	if err != nil {
		c.failCA(w, r, s, arn, "install", err, nil)
		return
	}
	redirectCA(w, r, arn, "CA certificate imported.")
}

func (c *Console) pcaStatus(w http.ResponseWriter, r *http.Request, s *session) {
	arn, status := r.PostFormValue("arn"), r.PostFormValue("status")
	if status != "ACTIVE" && status != "DISABLED" {
		status = "DISABLED"
	}
	_, err := c.cfg.PCA.UpdateCertificateAuthority(r.Context(), c.caller(r, s), &pca.UpdateCertificateAuthorityInput{CertificateAuthorityArn: arn, Status: status})
	if err != nil {
		c.failCA(w, r, s, arn, "status", err, nil)
		return
	}
	redirectCA(w, r, arn, "Status set to "+status+".")
}

func (c *Console) pcaRevocation(w http.ResponseWriter, r *http.Request, s *session) {
	arn := r.PostFormValue("arn")
	_, err := c.cfg.PCA.UpdateCertificateAuthority(r.Context(), c.caller(r, s), &pca.UpdateCertificateAuthorityInput{
		CertificateAuthorityArn: arn, RevocationConfiguration: revocationFrom(r.PostForm)})
	if err != nil {
		c.failCA(w, r, s, arn, "revocation", err, nil)
		return
	}
	redirectCA(w, r, arn, "Revocation settings saved.")
}

func (c *Console) pcaPermission(w http.ResponseWriter, r *http.Request, s *session) {
	arn, caller := r.PostFormValue("arn"), c.caller(r, s)
	var err error
	if r.PostFormValue("op") == "delete" {
		_, err = c.cfg.PCA.DeletePermission(r.Context(), caller, &pca.DeletePermissionInput{CertificateAuthorityArn: arn,
			Principal: "acm.amazonaws.com", SourceAccount: r.PostFormValue("source")})
	} else {
		_, err = c.cfg.PCA.CreatePermission(r.Context(), caller, &pca.CreatePermissionInput{CertificateAuthorityArn: arn,
			Principal: "acm.amazonaws.com", Actions: []string{"IssueCertificate", "GetCertificate", "ListPermissions"}})
	}
	if err != nil {
		c.failCA(w, r, s, arn, "permissions", err, nil)
		return
	}
	redirectCA(w, r, arn, "ACM permissions updated.")
}

func (c *Console) pcaTags(w http.ResponseWriter, r *http.Request, s *session) {
	arn, caller := r.PostFormValue("arn"), c.caller(r, s)
	key, val := strings.TrimSpace(r.PostFormValue("key")), strings.TrimSpace(r.PostFormValue("value"))
	in := &pca.TagCertificateAuthorityInput{CertificateAuthorityArn: arn, Tags: []pca.Tag{{Key: key, Value: &val}}}
	var err error
	if r.PostFormValue("op") == "remove" {
		in.Tags[0].Value = nil
		if err = valid("acm-pca", in); err == nil {
			_, err = c.cfg.PCA.UntagCertificateAuthority(r.Context(), caller, in)
		}
	} else if err = valid("acm-pca", in); err == nil {
		_, err = c.cfg.PCA.TagCertificateAuthority(r.Context(), caller, in)
	}
	if err != nil {
		c.failCA(w, r, s, arn, "tags", err, nil)
		return
	}
	redirectCA(w, r, arn, "Tags updated.")
}

func (c *Console) pcaIssue(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, caller, arn := r.Context(), c.caller(r, s), r.PostFormValue("arn")
	days, _ := strconv.ParseInt(r.PostFormValue("days"), 10, 64)
	if days < 1 {
		days = 365
	}
	desc, err := c.cfg.PCA.DescribeCertificateAuthority(ctx, caller, &pca.DescribeCertificateAuthorityInput{CertificateAuthorityArn: arn})
	if err != nil {
		c.failCA(w, r, s, arn, "issue", err, nil)
		return
	}
	in := &pca.IssueCertificateInput{CertificateAuthorityArn: arn,
		Csr: []byte(r.PostFormValue("csr")), SigningAlgorithm: desc.CertificateAuthority.CertificateAuthorityConfiguration.SigningAlgorithm,
		Validity: &pca.Validity{Type: "DAYS", Value: &days}}
	var iss *pca.IssueCertificateOutput
	if err = valid("acm-pca", in); err == nil {
		iss, err = c.cfg.PCA.IssueCertificate(ctx, caller, in)
	}
	if err != nil {
		c.failCA(w, r, s, arn, "issue", err, nil)
		return
	}
	var cert *pca.GetCertificateOutput
	for i := 0; ; i++ {
		cert, err = c.cfg.PCA.GetCertificate(ctx, caller, &pca.GetCertificateInput{CertificateAuthorityArn: arn, CertificateArn: iss.CertificateArn})
		if err == nil || !errors.Is(err, pca.ErrRequestInProgress) || i == 50 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		c.failCA(w, r, s, arn, "issue", err, nil)
		return
	}
	c.pcaDetail(w, r, s, arn, &caForm{Section: "issue", IssuedPE: cert.Certificate, Flash: "Certificate issued: " + iss.CertificateArn})
}

func (c *Console) pcaRevoke(w http.ResponseWriter, r *http.Request, s *session) {
	arn := r.PostFormValue("arn")
	in := &pca.RevokeCertificateInput{CertificateAuthorityArn: arn,
		CertificateSerial: strings.TrimSpace(r.PostFormValue("serial")), RevocationReason: r.PostFormValue("reason")}
	err := valid("acm-pca", in)
	if err == nil {
		_, err = c.cfg.PCA.RevokeCertificate(r.Context(), c.caller(r, s), in)
	}
	if err != nil {
		c.failCA(w, r, s, arn, "revoke", err, nil)
		return
	}
	redirectCA(w, r, arn, "Certificate revoked.")
}

func (c *Console) pcaDelete(w http.ResponseWriter, r *http.Request, s *session) {
	arn := r.PostFormValue("arn")
	days := int32(30)
	if n, err := strconv.Atoi(r.PostFormValue("days")); err == nil {
		days = int32(n)
	}
	in := &pca.DeleteCertificateAuthorityInput{CertificateAuthorityArn: arn, PermanentDeletionTimeInDays: &days}
	err := valid("acm-pca", in)
	if err == nil {
		_, err = c.cfg.PCA.DeleteCertificateAuthority(r.Context(), c.caller(r, s), in)
	}
	if err != nil {
		c.failCA(w, r, s, arn, "delete", err, nil)
		return
	}
	redirectCA(w, r, arn, "Certificate authority scheduled for deletion.")
}
