package pki

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ASN1Subject mirrors the acm-pca ASN1Subject shape (field names are AWS's
// member names, so JSON decodes straight into it). Empty strings mean absent.
type ASN1Subject struct {
	Country                    string            `json:",omitempty"`
	Organization               string            `json:",omitempty"`
	OrganizationalUnit         string            `json:",omitempty"`
	DistinguishedNameQualifier string            `json:",omitempty"`
	State                      string            `json:",omitempty"`
	CommonName                 string            `json:",omitempty"`
	SerialNumber               string            `json:",omitempty"`
	Locality                   string            `json:",omitempty"`
	Title                      string            `json:",omitempty"`
	Surname                    string            `json:",omitempty"`
	GivenName                  string            `json:",omitempty"`
	Initials                   string            `json:",omitempty"`
	Pseudonym                  string            `json:",omitempty"`
	GenerationQualifier        string            `json:",omitempty"`
	CustomAttributes           []CustomAttribute `json:",omitempty"`
}

// CustomAttribute is one custom relative distinguished name.
type CustomAttribute struct {
	ObjectIdentifier string
	Value            string
}

// Attribute OIDs (PcaIssueCert.md).
var (
	oidCountry             = asn1.ObjectIdentifier{2, 5, 4, 6}
	oidOrganization        = asn1.ObjectIdentifier{2, 5, 4, 10}
	oidOrganizationalUnit  = asn1.ObjectIdentifier{2, 5, 4, 11}
	oidDNQualifier         = asn1.ObjectIdentifier{2, 5, 4, 46}
	oidState               = asn1.ObjectIdentifier{2, 5, 4, 8}
	oidCommonName          = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidSerialNumber        = asn1.ObjectIdentifier{2, 5, 4, 5}
	oidLocality            = asn1.ObjectIdentifier{2, 5, 4, 7}
	oidTitle               = asn1.ObjectIdentifier{2, 5, 4, 12}
	oidSurname             = asn1.ObjectIdentifier{2, 5, 4, 4}
	oidGivenName           = asn1.ObjectIdentifier{2, 5, 4, 42}
	oidInitials            = asn1.ObjectIdentifier{2, 5, 4, 43}
	oidPseudonym           = asn1.ObjectIdentifier{2, 5, 4, 65}
	oidGenerationQualifier = asn1.ObjectIdentifier{2, 5, 4, 44}
	oidDomainComponent     = asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 25}
	oidEmailAddress        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}
)

type attrRule struct {
	name      string
	oid       asn1.ObjectIdentifier
	max       int
	printable bool // PrintableString per X.520; others are UTF8String
	get       func(*ASN1Subject) string
}

// attrRules is in ASN1Subject member order, which is also the RDN order we emit.
var attrRules = []attrRule{
	{"Country", oidCountry, 2, true, func(s *ASN1Subject) string { return s.Country }},
	{"Organization", oidOrganization, 64, false, func(s *ASN1Subject) string { return s.Organization }},
	{"OrganizationalUnit", oidOrganizationalUnit, 64, false, func(s *ASN1Subject) string { return s.OrganizationalUnit }},
	{"DistinguishedNameQualifier", oidDNQualifier, 64, true, func(s *ASN1Subject) string { return s.DistinguishedNameQualifier }},
	{"State", oidState, 128, false, func(s *ASN1Subject) string { return s.State }},
	{"CommonName", oidCommonName, 64, false, func(s *ASN1Subject) string { return s.CommonName }},
	{"SerialNumber", oidSerialNumber, 64, true, func(s *ASN1Subject) string { return s.SerialNumber }},
	{"Locality", oidLocality, 128, false, func(s *ASN1Subject) string { return s.Locality }},
	{"Title", oidTitle, 64, false, func(s *ASN1Subject) string { return s.Title }},
	{"Surname", oidSurname, 40, false, func(s *ASN1Subject) string { return s.Surname }},
	{"GivenName", oidGivenName, 16, false, func(s *ASN1Subject) string { return s.GivenName }},
	{"Initials", oidInitials, 5, false, func(s *ASN1Subject) string { return s.Initials }},
	{"Pseudonym", oidPseudonym, 128, false, func(s *ASN1Subject) string { return s.Pseudonym }},
	{"GenerationQualifier", oidGenerationQualifier, 3, false, func(s *ASN1Subject) string { return s.GenerationQualifier }},
}

// IsEmpty reports whether no attribute is set.
func (s *ASN1Subject) IsEmpty() bool {
	if s == nil {
		return true
	}
	for _, r := range attrRules {
		if r.get(s) != "" {
			return false
		}
	}
	return len(s.CustomAttributes) == 0
}

// Marshal validates the subject and encodes it as a DER Name. The standard
// attributes appear in member order, one RDN each; CustomAttributes may not
// be combined with standard attributes (InvalidArgs).
func (s *ASN1Subject) Marshal() ([]byte, error) {
	rdns, err := s.rdnSequence()
	if err != nil {
		return nil, err
	}
	der, err := asn1.Marshal(rdns)
	if err != nil {
		return nil, wrapf(InvalidArgs, err, "Invalid subject.")
	}
	return der, nil
}

type rawAttr struct {
	Type  asn1.ObjectIdentifier
	Value asn1.RawValue
}

// rawRDNSET is one RelativeDistinguishedName; encoding/asn1 marshals slice
// types whose name ends in "SET" as a SET OF.
type rawRDNSET []rawAttr

func (s *ASN1Subject) rdnSequence() ([]rawRDNSET, error) {
	var out []rawRDNSET
	standard := false
	for _, r := range attrRules {
		v := r.get(s)
		if v == "" {
			continue
		}
		standard = true
		if utf8.RuneCountInString(v) > r.max {
			return nil, errf(InvalidArgs, "The subject attribute %s must be at most %d characters.", r.name, r.max)
		}
		if r.name == "Country" && !isCountry(v) {
			return nil, errf(InvalidArgs, "The subject attribute Country must be a two-letter country code.")
		}
		if r.printable && !isPrintable(v) {
			return nil, errf(InvalidArgs, "The subject attribute %s must be a PrintableString.", r.name)
		}
		av, err := attrValue(r.oid, v, r.printable)
		if err != nil {
			return nil, err
		}
		out = append(out, rawRDNSET{{r.oid, av}})
	}
	if len(s.CustomAttributes) > 0 {
		if standard {
			return nil, errf(InvalidArgs, "CustomAttributes cannot be combined with standard subject attributes.")
		}
		if len(s.CustomAttributes) > 150 {
			return nil, errf(InvalidArgs, "At most 150 CustomAttributes are allowed.")
		}
		for _, c := range s.CustomAttributes {
			oid, err := parseOID(c.ObjectIdentifier)
			if err != nil {
				return nil, err
			}
			if n := utf8.RuneCountInString(c.Value); n < 1 || n > 256 {
				return nil, errf(InvalidArgs, "A custom attribute value must be 1 to 256 characters.")
			}
			if oid.Equal(oidCommonName) && utf8.RuneCountInString(c.Value) > 64 {
				return nil, errf(InvalidArgs, "The common name must be at most 64 characters.")
			}
			printable := oid.Equal(oidCountry) || oid.Equal(oidDNQualifier) || oid.Equal(oidSerialNumber)
			if printable && !isPrintable(c.Value) {
				return nil, errf(InvalidArgs, "The custom attribute %s must be a PrintableString.", c.ObjectIdentifier)
			}
			av, err := attrValue(oid, c.Value, printable)
			if err != nil {
				return nil, err
			}
			out = append(out, rawRDNSET{{oid, av}})
		}
	}
	if out == nil {
		out = []rawRDNSET{}
	}
	return out, nil
}

func attrValue(oid asn1.ObjectIdentifier, v string, printable bool) (asn1.RawValue, error) {
	tag := asn1.TagUTF8String
	switch {
	case printable:
		tag = asn1.TagPrintableString
	case oid.Equal(oidDomainComponent) || oid.Equal(oidEmailAddress):
		if !isIA5(v) {
			return asn1.RawValue{}, errf(InvalidArgs, "The attribute %s must be ASCII.", oid)
		}
		tag = asn1.TagIA5String
	}
	if !utf8.ValidString(v) {
		return asn1.RawValue{}, errf(InvalidArgs, "Subject attribute values must be valid UTF-8.")
	}
	return asn1.RawValue{Class: asn1.ClassUniversal, Tag: tag, Bytes: []byte(v)}, nil
}

func isCountry(s string) bool {
	return len(s) == 2 && isUpperOrLower(s[0]) && isUpperOrLower(s[1])
}

func isUpperOrLower(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }

// isPrintable is X.680's PrintableString alphabet.
func isPrintable(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isUpperOrLower(c) || c >= '0' && c <= '9' || strings.IndexByte(" '()+,-./:=?", c) >= 0) {
			return false
		}
	}
	return true
}

func isIA5(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// oidPattern is the acm-pca CustomObjectIdentifier pattern.
var oidPattern = regexp.MustCompile(`^([0-2])\.([0-9]|([0-3][0-9]))((\.([0-9]+)){0,126})$`)

// parseOID parses a dotted OID string as the acm-pca model constrains it.
func parseOID(s string) (asn1.ObjectIdentifier, error) {
	if len(s) > 64 || !oidPattern.MatchString(s) {
		return nil, errf(InvalidArgs, "Invalid object identifier %q.", s)
	}
	parts := strings.Split(s, ".")
	oid := make(asn1.ObjectIdentifier, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return nil, errf(InvalidArgs, "Invalid object identifier %q.", s)
		}
		oid[i] = n
	}
	if oid[0] < 2 && oid[1] > 39 {
		return nil, errf(InvalidArgs, "Invalid object identifier %q.", s)
	}
	return oid, nil
}

// nameHasAttributes reports whether a DER Name carries at least one attribute.
func nameHasAttributes(der []byte) bool {
	var rdns pkix.RDNSequence
	if rest, err := asn1.Unmarshal(der, &rdns); err != nil || len(rest) > 0 {
		return len(der) > 2 // unparseable but non-empty; treat as present
	}
	for _, rdn := range rdns {
		if len(rdn) > 0 {
			return true
		}
	}
	return false
}
