package pki

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"net"
	"unicode/utf8"
)

// APIPassthrough mirrors the acm-pca ApiPassthrough shape.
type APIPassthrough struct {
	Extensions *Extensions  `json:",omitempty"`
	Subject    *ASN1Subject `json:",omitempty"`
}

// Extensions mirrors the acm-pca Extensions shape.
type Extensions struct {
	CertificatePolicies     []PolicyInformation `json:",omitempty"`
	ExtendedKeyUsage        []ExtendedKeyUsage  `json:",omitempty"`
	KeyUsage                *KeyUsage           `json:",omitempty"`
	SubjectAlternativeNames []GeneralName       `json:",omitempty"`
	CustomExtensions        []CustomExtension   `json:",omitempty"`
}

// PolicyInformation mirrors the acm-pca PolicyInformation shape.
type PolicyInformation struct {
	CertPolicyId     string
	PolicyQualifiers []PolicyQualifierInfo `json:",omitempty"`
}

// PolicyQualifierInfo mirrors the acm-pca PolicyQualifierInfo shape; the
// only PolicyQualifierId is "CPS".
type PolicyQualifierInfo struct {
	PolicyQualifierId string
	Qualifier         Qualifier
}

// Qualifier mirrors the acm-pca Qualifier shape.
type Qualifier struct {
	CpsUri string
}

// ExtendedKeyUsage is one EKU: exactly one of the two members.
type ExtendedKeyUsage struct {
	ExtendedKeyUsageType             string `json:",omitempty"`
	ExtendedKeyUsageObjectIdentifier string `json:",omitempty"`
}

// KeyUsage mirrors the acm-pca KeyUsage shape (RFC 5280 §4.2.1.3 bits).
type KeyUsage struct {
	DigitalSignature bool `json:",omitempty"`
	NonRepudiation   bool `json:",omitempty"`
	KeyEncipherment  bool `json:",omitempty"`
	DataEncipherment bool `json:",omitempty"`
	KeyAgreement     bool `json:",omitempty"`
	KeyCertSign      bool `json:",omitempty"`
	CRLSign          bool `json:",omitempty"`
	EncipherOnly     bool `json:",omitempty"`
	DecipherOnly     bool `json:",omitempty"`
}

// GeneralName mirrors the acm-pca GeneralName union: exactly one member set.
type GeneralName struct {
	OtherName                 *OtherName    `json:",omitempty"`
	Rfc822Name                string        `json:",omitempty"`
	DnsName                   string        `json:",omitempty"`
	DirectoryName             *ASN1Subject  `json:",omitempty"`
	EdiPartyName              *EdiPartyName `json:",omitempty"`
	UniformResourceIdentifier string        `json:",omitempty"`
	IpAddress                 string        `json:",omitempty"`
	RegisteredId              string        `json:",omitempty"`
}

// OtherName mirrors the acm-pca OtherName shape; Value is encoded as a
// UTF8String (the form of the common UPN other name).
type OtherName struct {
	TypeId string
	Value  string
}

// EdiPartyName mirrors the acm-pca EdiPartyName shape.
type EdiPartyName struct {
	PartyName    string
	NameAssigner string `json:",omitempty"`
}

// CustomExtension mirrors the acm-pca CustomExtension shape: Value is the
// base64 of the extension's DER value.
type CustomExtension struct {
	ObjectIdentifier string
	Value            string
	Critical         bool `json:",omitempty"`
}

// CsrExtensions mirrors the acm-pca CsrExtensions shape used when creating a CA.
type CsrExtensions struct {
	KeyUsage                 *KeyUsage           `json:",omitempty"`
	SubjectInformationAccess []AccessDescription `json:",omitempty"`
}

// AccessDescription mirrors the acm-pca AccessDescription shape.
type AccessDescription struct {
	AccessMethod   AccessMethod
	AccessLocation GeneralName
}

// AccessMethod mirrors the acm-pca AccessMethod shape: exactly one member.
type AccessMethod struct {
	CustomObjectIdentifier string `json:",omitempty"`
	AccessMethodType       string `json:",omitempty"`
}

// Extension OIDs.
var (
	oidExtSubjectKeyID      = asn1.ObjectIdentifier{2, 5, 29, 14}
	oidExtKeyUsage          = asn1.ObjectIdentifier{2, 5, 29, 15}
	oidExtSubjectAltName    = asn1.ObjectIdentifier{2, 5, 29, 17}
	oidExtBasicConstraints  = asn1.ObjectIdentifier{2, 5, 29, 19}
	oidExtCRLDistPoints     = asn1.ObjectIdentifier{2, 5, 29, 31}
	oidExtCertPolicies      = asn1.ObjectIdentifier{2, 5, 29, 32}
	oidExtAuthorityKeyID    = asn1.ObjectIdentifier{2, 5, 29, 35}
	oidExtExtKeyUsage       = asn1.ObjectIdentifier{2, 5, 29, 37}
	oidExtAuthorityInfo     = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 1}
	oidExtSubjectInfoAccess = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 11}
	oidAccessOCSP           = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1}
	oidQualifierCPS         = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 2, 1}
)

// EKU OIDs by ExtendedKeyUsageType.
var ekuTypes = map[string]asn1.ObjectIdentifier{
	"SERVER_AUTH":              {1, 3, 6, 1, 5, 5, 7, 3, 1},
	"CLIENT_AUTH":              {1, 3, 6, 1, 5, 5, 7, 3, 2},
	"CODE_SIGNING":             {1, 3, 6, 1, 5, 5, 7, 3, 3},
	"EMAIL_PROTECTION":         {1, 3, 6, 1, 5, 5, 7, 3, 4},
	"TIME_STAMPING":            {1, 3, 6, 1, 5, 5, 7, 3, 8},
	"OCSP_SIGNING":             {1, 3, 6, 1, 5, 5, 7, 3, 9},
	"SMART_CARD_LOGIN":         {1, 3, 6, 1, 4, 1, 311, 20, 2, 2},
	"DOCUMENT_SIGNING":         {1, 3, 6, 1, 5, 5, 7, 3, 36},
	"CERTIFICATE_TRANSPARENCY": {1, 3, 6, 1, 4, 1, 11129, 2, 4, 4},
}

// Access method OIDs by AccessMethodType.
var accessMethods = map[string]asn1.ObjectIdentifier{
	"CA_REPOSITORY":         {1, 3, 6, 1, 5, 5, 7, 48, 5},
	"RESOURCE_PKI_MANIFEST": {1, 3, 6, 1, 5, 5, 7, 48, 10},
	"RESOURCE_PKI_NOTIFY":   {1, 3, 6, 1, 5, 5, 7, 48, 13},
}

// Key usage bits in RFC 5280 order.
const (
	kuDigitalSignature = 1 << iota
	kuNonRepudiation
	kuKeyEncipherment
	kuDataEncipherment
	kuKeyAgreement
	kuKeyCertSign
	kuCRLSign
	kuEncipherOnly
	kuDecipherOnly
)

func (k *KeyUsage) bits() int {
	if k == nil {
		return 0
	}
	b := 0
	for i, set := range []bool{k.DigitalSignature, k.NonRepudiation, k.KeyEncipherment, k.DataEncipherment, k.KeyAgreement, k.KeyCertSign, k.CRLSign, k.EncipherOnly, k.DecipherOnly} {
		if set {
			b |= 1 << i
		}
	}
	return b
}

// keyUsageExt encodes RFC 5280 keyUsage bits (bit 0 = digitalSignature) as
// a critical extension, DER-trimmed of trailing zero bits.
func keyUsageExt(bits int) pkix.Extension {
	var bs asn1.BitString
	for i := 8; i >= 0; i-- {
		if bits&(1<<i) != 0 {
			bs.BitLength = i + 1
			break
		}
	}
	bs.Bytes = make([]byte, (bs.BitLength+7)/8)
	for i := 0; i < bs.BitLength; i++ {
		if bits&(1<<i) != 0 {
			bs.Bytes[i/8] |= 0x80 >> (i % 8)
		}
	}
	v, _ := asn1.Marshal(bs)
	return pkix.Extension{Id: oidExtKeyUsage, Critical: true, Value: v}
}

func ekuExt(oids []asn1.ObjectIdentifier, critical bool) pkix.Extension {
	v, _ := asn1.Marshal(oids)
	return pkix.Extension{Id: oidExtExtKeyUsage, Critical: critical, Value: v}
}

type basicConstraints struct {
	IsCA       bool `asn1:"optional"`
	MaxPathLen int  `asn1:"optional,default:-1"`
}

// basicConstraintsExt encodes CA and pathLen (-1 = absent).
func basicConstraintsExt(ca bool, pathLen int, critical bool) pkix.Extension {
	v, _ := asn1.Marshal(basicConstraints{IsCA: ca, MaxPathLen: pathLen})
	return pkix.Extension{Id: oidExtBasicConstraints, Critical: critical, Value: v}
}

func subjectKeyIDExt(ski []byte) pkix.Extension {
	v, _ := asn1.Marshal(ski)
	return pkix.Extension{Id: oidExtSubjectKeyID, Value: v}
}

type authorityKeyID struct {
	ID []byte `asn1:"optional,tag:0"`
}

func authorityKeyIDExt(id []byte) pkix.Extension {
	v, _ := asn1.Marshal(authorityKeyID{ID: id})
	return pkix.Extension{Id: oidExtAuthorityKeyID, Value: v}
}

// crlDistributionPointsExt encodes one DistributionPoint per URL with a fullName URI.
func crlDistributionPointsExt(urls []string) pkix.Extension {
	type dpName struct {
		FullName []asn1.RawValue `asn1:"optional,tag:0"`
	}
	type distributionPoint struct {
		DistributionPoint dpName `asn1:"optional,tag:0"`
	}
	var dps []distributionPoint
	for _, u := range urls {
		dps = append(dps, distributionPoint{DistributionPoint: dpName{FullName: []asn1.RawValue{{Tag: 6, Class: asn1.ClassContextSpecific, Bytes: []byte(u)}}}})
	}
	v, _ := asn1.Marshal(dps)
	return pkix.Extension{Id: oidExtCRLDistPoints, Value: v}
}

type accessDescription struct {
	Method   asn1.ObjectIdentifier
	Location asn1.RawValue
}

func ocspAIAExt(urls []string) pkix.Extension {
	var ads []accessDescription
	for _, u := range urls {
		ads = append(ads, accessDescription{oidAccessOCSP, asn1.RawValue{Tag: 6, Class: asn1.ClassContextSpecific, Bytes: []byte(u)}})
	}
	v, _ := asn1.Marshal(ads)
	return pkix.Extension{Id: oidExtAuthorityInfo, Value: v}
}

// generalName encodes one acm-pca GeneralName; more or fewer than one
// member set is InvalidArgs.
func (g *GeneralName) encode() (asn1.RawValue, error) {
	n := 0
	for _, set := range []bool{g.OtherName != nil, g.Rfc822Name != "", g.DnsName != "", g.DirectoryName != nil, g.EdiPartyName != nil, g.UniformResourceIdentifier != "", g.IpAddress != "", g.RegisteredId != ""} {
		if set {
			n++
		}
	}
	if n != 1 {
		return asn1.RawValue{}, errf(InvalidArgs, "A GeneralName must specify exactly one name type; found %d.", n)
	}
	ia5 := func(tag int, s string, max int, what string) (asn1.RawValue, error) {
		if len(s) > max || !isIA5(s) {
			return asn1.RawValue{}, errf(InvalidArgs, "Invalid %s %q.", what, s)
		}
		return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: tag, Bytes: []byte(s)}, nil
	}
	switch {
	case g.OtherName != nil:
		oid, err := parseOID(g.OtherName.TypeId)
		if err != nil {
			return asn1.RawValue{}, err
		}
		if utf8.RuneCountInString(g.OtherName.Value) > 256 || !utf8.ValidString(g.OtherName.Value) {
			return asn1.RawValue{}, errf(InvalidArgs, "Invalid OtherName value.")
		}
		val, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagUTF8String, Bytes: []byte(g.OtherName.Value)})
		inner, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: val})
		oidDER, _ := asn1.Marshal(oid)
		return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: append(oidDER, inner...)}, nil
	case g.Rfc822Name != "":
		return ia5(1, g.Rfc822Name, 256, "Rfc822Name")
	case g.DnsName != "":
		return ia5(2, g.DnsName, 253, "DnsName")
	case g.DirectoryName != nil:
		if g.DirectoryName.IsEmpty() {
			return asn1.RawValue{}, errf(InvalidArgs, "A DirectoryName must not be empty.")
		}
		name, err := g.DirectoryName.Marshal()
		if err != nil {
			return asn1.RawValue{}, err
		}
		return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 4, IsCompound: true, Bytes: name}, nil
	case g.EdiPartyName != nil:
		e := g.EdiPartyName
		if e.PartyName == "" || utf8.RuneCountInString(e.PartyName) > 256 || utf8.RuneCountInString(e.NameAssigner) > 256 {
			return asn1.RawValue{}, errf(InvalidArgs, "Invalid EdiPartyName.")
		}
		var b []byte
		if e.NameAssigner != "" {
			s, _ := asn1.Marshal(asn1.RawValue{Tag: asn1.TagUTF8String, Bytes: []byte(e.NameAssigner)})
			f, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: s})
			b = append(b, f...)
		}
		s, _ := asn1.Marshal(asn1.RawValue{Tag: asn1.TagUTF8String, Bytes: []byte(e.PartyName)})
		f, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 1, IsCompound: true, Bytes: s})
		return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 5, IsCompound: true, Bytes: append(b, f...)}, nil
	case g.UniformResourceIdentifier != "":
		return ia5(6, g.UniformResourceIdentifier, 253, "UniformResourceIdentifier")
	case g.IpAddress != "":
		ip := net.ParseIP(g.IpAddress)
		if ip == nil || len(g.IpAddress) > 39 {
			return asn1.RawValue{}, errf(InvalidArgs, "Invalid IpAddress %q.", g.IpAddress)
		}
		if v4 := ip.To4(); v4 != nil {
			ip = v4
		}
		return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 7, Bytes: ip}, nil
	default:
		oid, err := parseOID(g.RegisteredId)
		if err != nil {
			return asn1.RawValue{}, err
		}
		full, _ := asn1.Marshal(oid)
		var raw asn1.RawValue
		if _, err := asn1.Unmarshal(full, &raw); err != nil {
			return asn1.RawValue{}, wrapf(InvalidArgs, err, "Invalid RegisteredId.")
		}
		return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 8, Bytes: raw.Bytes}, nil
	}
}

func subjectAltNameExt(names []GeneralName) (pkix.Extension, error) {
	if len(names) > 150 {
		return pkix.Extension{}, errf(InvalidArgs, "At most 150 SubjectAlternativeNames are allowed.")
	}
	raws := make([]asn1.RawValue, 0, len(names))
	for i := range names {
		r, err := names[i].encode()
		if err != nil {
			return pkix.Extension{}, err
		}
		raws = append(raws, r)
	}
	v, err := asn1.Marshal(raws)
	if err != nil {
		return pkix.Extension{}, wrapf(InvalidArgs, err, "Invalid SubjectAlternativeNames.")
	}
	return pkix.Extension{Id: oidExtSubjectAltName, Value: v}, nil
}

func extendedKeyUsageExt(ekus []ExtendedKeyUsage) (pkix.Extension, error) {
	if len(ekus) > 20 {
		return pkix.Extension{}, errf(InvalidArgs, "At most 20 ExtendedKeyUsage values are allowed.")
	}
	var oids []asn1.ObjectIdentifier
	for _, e := range ekus {
		switch {
		case e.ExtendedKeyUsageType != "" && e.ExtendedKeyUsageObjectIdentifier != "",
			e.ExtendedKeyUsageType == "" && e.ExtendedKeyUsageObjectIdentifier == "":
			return pkix.Extension{}, errf(InvalidArgs, "An ExtendedKeyUsage must specify exactly one of ExtendedKeyUsageType and ExtendedKeyUsageObjectIdentifier.")
		case e.ExtendedKeyUsageType != "":
			oid, ok := ekuTypes[e.ExtendedKeyUsageType]
			if !ok {
				return pkix.Extension{}, errf(InvalidArgs, "Invalid ExtendedKeyUsageType %q.", e.ExtendedKeyUsageType)
			}
			oids = append(oids, oid)
		default:
			oid, err := parseOID(e.ExtendedKeyUsageObjectIdentifier)
			if err != nil {
				return pkix.Extension{}, err
			}
			oids = append(oids, oid)
		}
	}
	return ekuExt(oids, false), nil
}

func certificatePoliciesExt(pols []PolicyInformation) (pkix.Extension, error) {
	type qualifierInfo struct {
		ID     asn1.ObjectIdentifier
		CPSURI string `asn1:"ia5"`
	}
	type policyInfo struct {
		ID         asn1.ObjectIdentifier
		Qualifiers []qualifierInfo `asn1:"optional,omitempty"`
	}
	if len(pols) > 20 {
		return pkix.Extension{}, errf(InvalidArgs, "At most 20 CertificatePolicies are allowed.")
	}
	var out []policyInfo
	for _, p := range pols {
		oid, err := parseOID(p.CertPolicyId)
		if err != nil {
			return pkix.Extension{}, err
		}
		if len(p.PolicyQualifiers) > 20 {
			return pkix.Extension{}, errf(InvalidArgs, "At most 20 PolicyQualifiers are allowed.")
		}
		pi := policyInfo{ID: oid}
		for _, q := range p.PolicyQualifiers {
			if q.PolicyQualifierId != "CPS" {
				return pkix.Extension{}, errf(InvalidArgs, "Invalid PolicyQualifierId %q.", q.PolicyQualifierId)
			}
			if q.Qualifier.CpsUri == "" || len(q.Qualifier.CpsUri) > 256 || !isIA5(q.Qualifier.CpsUri) {
				return pkix.Extension{}, errf(InvalidArgs, "Invalid CpsUri %q.", q.Qualifier.CpsUri)
			}
			pi.Qualifiers = append(pi.Qualifiers, qualifierInfo{oidQualifierCPS, q.Qualifier.CpsUri})
		}
		out = append(out, pi)
	}
	v, err := asn1.Marshal(out)
	if err != nil {
		return pkix.Extension{}, wrapf(InvalidArgs, err, "Invalid CertificatePolicies.")
	}
	return pkix.Extension{Id: oidExtCertPolicies, Value: v}, nil
}

func customExt(c CustomExtension) (pkix.Extension, error) {
	oid, err := parseOID(c.ObjectIdentifier)
	if err != nil {
		return pkix.Extension{}, err
	}
	if len(c.Value) == 0 || len(c.Value) > 4096 {
		return pkix.Extension{}, errf(InvalidArgs, "A custom extension value must be 1 to 4096 characters of base64.")
	}
	v, err := base64.StdEncoding.DecodeString(c.Value)
	if err != nil || len(v) == 0 {
		return pkix.Extension{}, errf(InvalidArgs, "The custom extension %s value is not valid base64.", c.ObjectIdentifier)
	}
	var raw asn1.RawValue
	if rest, err := asn1.Unmarshal(v, &raw); err != nil || len(rest) > 0 {
		return pkix.Extension{}, errf(InvalidArgs, "The custom extension %s value is not a single DER value.", c.ObjectIdentifier)
	}
	return pkix.Extension{Id: oid, Critical: c.Critical, Value: v}, nil
}

// subjectInfoAccessExt encodes CsrExtensions.SubjectInformationAccess.
func subjectInfoAccessExt(ads []AccessDescription) (pkix.Extension, error) {
	var out []accessDescription
	for _, a := range ads {
		m := a.AccessMethod
		var oid asn1.ObjectIdentifier
		switch {
		case (m.CustomObjectIdentifier == "") == (m.AccessMethodType == ""):
			return pkix.Extension{}, errf(InvalidArgs, "An AccessMethod must specify exactly one of CustomObjectIdentifier and AccessMethodType.")
		case m.AccessMethodType != "":
			var ok bool
			if oid, ok = accessMethods[m.AccessMethodType]; !ok {
				return pkix.Extension{}, errf(InvalidArgs, "Invalid AccessMethodType %q.", m.AccessMethodType)
			}
		default:
			var err error
			if oid, err = parseOID(m.CustomObjectIdentifier); err != nil {
				return pkix.Extension{}, err
			}
		}
		loc, err := a.AccessLocation.encode()
		if err != nil {
			return pkix.Extension{}, err
		}
		out = append(out, accessDescription{oid, loc})
	}
	v, err := asn1.Marshal(out)
	if err != nil {
		return pkix.Extension{}, wrapf(InvalidArgs, err, "Invalid SubjectInformationAccess.")
	}
	return pkix.Extension{Id: oidExtSubjectInfoAccess, Value: v}, nil
}
