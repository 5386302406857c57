package pki

import (
	"encoding/asn1"
	"sort"
	"strings"
)

// Template is one AWS Private CA certificate template (UsingTemplates.md).
// Zero KeyUsage and nil EKU mean "not defined by the template", so a
// passthrough may supply them.
type Template struct {
	Name           string // e.g. "EndEntityCertificate"
	CA             bool
	PathLen        int  // -1: no pathLenConstraint
	CriticalBC     bool // basicConstraints marked critical
	KeyUsage       int  // RFC 5280 bits (kuDigitalSignature…); 0 = from passthrough
	EKU            []asn1.ObjectIdentifier
	EKUCritical    bool
	Root           bool // self-signed: no AKI, no CDP, no AIA
	APIPassthrough bool // ApiPassthrough values are applied
	CSRPassthrough bool // CSR extensions are copied
}

// ARN returns arn:aws:acm-pca:::template/<Name>/V1.
func (t *Template) ARN() string { return templateARNPrefix + t.Name + "/V1" }

// IsCA reports whether certificates from t are CA certificates.
func (t *Template) IsCA() bool { return t.CA }

const templateARNPrefix = "arn:aws:acm-pca:::template/"

// DefaultTemplateARN is used when IssueCertificate omits TemplateArn.
const DefaultTemplateARN = templateARNPrefix + "EndEntityCertificate/V1"

var (
	ekuServerAuth  = ekuTypes["SERVER_AUTH"]
	ekuClientAuth  = ekuTypes["CLIENT_AUTH"]
	ekuCodeSigning = ekuTypes["CODE_SIGNING"]
	ekuOCSPSigning = ekuTypes["OCSP_SIGNING"]
)

var templates = buildTemplates()

func buildTemplates() map[string]*Template {
	m := map[string]*Template{}
	add := func(t Template) {
		tt := t
		m[tt.ARN()] = &tt
	}
	type variety struct {
		suffix   string
		api, csr bool
	}
	all := []variety{{"", false, false}, {"_CSRPassthrough", false, true}, {"_APIPassthrough", true, false}, {"_APICSRPassthrough", true, true}}
	passthroughs := all[1:]

	const eeKU = kuDigitalSignature | kuKeyEncipherment
	const caKU = kuDigitalSignature | kuKeyCertSign | kuCRLSign
	ee := []Template{
		{Name: "EndEntityCertificate", KeyUsage: eeKU, EKU: []asn1.ObjectIdentifier{ekuServerAuth, ekuClientAuth}},
		{Name: "EndEntityClientAuthCertificate", KeyUsage: eeKU, EKU: []asn1.ObjectIdentifier{ekuClientAuth}},
		{Name: "EndEntityServerAuthCertificate", KeyUsage: eeKU, EKU: []asn1.ObjectIdentifier{ekuServerAuth}},
		{Name: "CodeSigningCertificate", KeyUsage: kuDigitalSignature, EKU: []asn1.ObjectIdentifier{ekuCodeSigning}, EKUCritical: true},
		{Name: "OCSPSigningCertificate", KeyUsage: kuDigitalSignature, EKU: []asn1.ObjectIdentifier{ekuOCSPSigning}, EKUCritical: true},
	}
	for _, base := range ee {
		for _, v := range all {
			t := base
			t.Name += v.suffix
			t.PathLen, t.APIPassthrough, t.CSRPassthrough = -1, v.api, v.csr
			add(t)
		}
	}
	for n := 0; n <= 3; n++ {
		for _, v := range all {
			add(Template{Name: "SubordinateCACertificate_PathLen" + itoa(n) + v.suffix, CA: true, PathLen: n, CriticalBC: true, KeyUsage: caKU, APIPassthrough: v.api, CSRPassthrough: v.csr})
		}
		for _, v := range passthroughs {
			add(Template{Name: "BlankSubordinateCACertificate_PathLen" + itoa(n) + v.suffix, CA: true, PathLen: n, CriticalBC: true, APIPassthrough: v.api, CSRPassthrough: v.csr})
		}
	}
	add(Template{Name: "RootCACertificate", CA: true, PathLen: -1, CriticalBC: true, KeyUsage: caKU, Root: true})
	add(Template{Name: "RootCACertificate_APIPassthrough", CA: true, PathLen: -1, CriticalBC: true, KeyUsage: caKU, Root: true, APIPassthrough: true})
	for _, v := range passthroughs {
		add(Template{Name: "BlankEndEntityCertificate" + v.suffix, PathLen: -1, APIPassthrough: v.api, CSRPassthrough: v.csr})
		add(Template{Name: "BlankEndEntityCertificate_CriticalBasicConstraints" + v.suffix, PathLen: -1, CriticalBC: true, APIPassthrough: v.api, CSRPassthrough: v.csr})
	}
	return m
}

func itoa(n int) string { return string(rune('0' + n)) }

// LookupTemplate finds a template by ARN; "" means DefaultTemplateARN.
// Unknown ARNs answer InvalidArgs.
func LookupTemplate(arn string) (*Template, error) {
	if arn == "" {
		arn = DefaultTemplateARN
	}
	if t, ok := templates[arn]; ok {
		return t, nil
	}
	if !strings.HasPrefix(arn, "arn:") {
		return nil, errf(InvalidArgs, "The template ARN %q is not valid.", arn)
	}
	return nil, errf(InvalidArgs, "The template %q does not exist.", arn)
}

// TemplateARNs lists every known template ARN, sorted.
func TemplateARNs() []string {
	out := make([]string, 0, len(templates))
	for a := range templates {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}
