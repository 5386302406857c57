package pca

import (
	"time"

	"github.com/openpca/openpca/internal/pki"
)

// Input and output shapes of the acm-pca operations. Member names are the
// AWS model's (awsJson1_1 uses Go field names); tags carry the model's
// constraints, checked by awsapi before a call reaches the service.

// ASN1Subject mirrors the model's ASN1Subject; it converts to pki.ASN1Subject.
type ASN1Subject struct {
	Country                    string                `json:",omitempty" pattern:"[A-Za-z]{2}"`
	Organization               string                `json:",omitempty" max:"64"`
	OrganizationalUnit         string                `json:",omitempty" max:"64"`
	DistinguishedNameQualifier string                `json:",omitempty" max:"64" pattern:"[a-zA-Z0-9'()+-.?:/= ]*"`
	State                      string                `json:",omitempty" max:"128"`
	CommonName                 string                `json:",omitempty" max:"64"`
	SerialNumber               string                `json:",omitempty" max:"64" pattern:"[a-zA-Z0-9'()+-.?:/= ]*"`
	Locality                   string                `json:",omitempty" max:"128"`
	Title                      string                `json:",omitempty" max:"64"`
	Surname                    string                `json:",omitempty" max:"40"`
	GivenName                  string                `json:",omitempty" max:"16"`
	Initials                   string                `json:",omitempty" max:"5"`
	Pseudonym                  string                `json:",omitempty" max:"128"`
	GenerationQualifier        string                `json:",omitempty" max:"3"`
	CustomAttributes           []pki.CustomAttribute `json:",omitempty" min:"1" max:"150"`
}

func (s *ASN1Subject) pki() pki.ASN1Subject { return pki.ASN1Subject(*s) }

// CertificateAuthorityConfiguration is the CA's key, signing algorithm and subject.
type CertificateAuthorityConfiguration struct {
	KeyAlgorithm     string             `required:"true" enum:"RSA_2048,RSA_3072,RSA_4096,EC_prime256v1,EC_secp384r1,EC_secp521r1,ML_DSA_44,ML_DSA_65,ML_DSA_87,SM2"`
	SigningAlgorithm string             `required:"true" enum:"SHA256WITHECDSA,SHA384WITHECDSA,SHA512WITHECDSA,SHA256WITHRSA,SHA384WITHRSA,SHA512WITHRSA,SM3WITHSM2,ML_DSA_44,ML_DSA_65,ML_DSA_87"`
	Subject          *ASN1Subject       `required:"true"`
	CsrExtensions    *pki.CsrExtensions `json:",omitempty"`
}

// CrlDistributionPointExtensionConfiguration says whether issued certificates omit the CDP.
type CrlDistributionPointExtensionConfiguration struct {
	OmitExtension *bool `required:"true"`
}

// CrlConfiguration is the CRL half of a RevocationConfiguration.
type CrlConfiguration struct {
	Enabled                                    *bool                                       `required:"true"`
	ExpirationInDays                           *int32                                      `min:"1" max:"5000"`
	CustomCname                                string                                      `json:",omitempty" max:"253"`
	S3BucketName                               string                                      `json:",omitempty" min:"3" max:"255"`
	S3ObjectAcl                                string                                      `json:",omitempty" enum:"PUBLIC_READ,BUCKET_OWNER_FULL_CONTROL"`
	CrlDistributionPointExtensionConfiguration *CrlDistributionPointExtensionConfiguration `json:",omitempty"`
	CrlType                                    string                                      `json:",omitempty" enum:"COMPLETE,PARTITIONED"`
	CustomPath                                 string                                      `json:",omitempty" max:"253"`
}

// OcspConfiguration is the OCSP half of a RevocationConfiguration.
type OcspConfiguration struct {
	Enabled         *bool  `required:"true"`
	OcspCustomCname string `json:",omitempty" max:"253"`
}

// RevocationConfiguration is stored as given (§2.9); publication comes later.
type RevocationConfiguration struct {
	CrlConfiguration  *CrlConfiguration  `json:",omitempty"`
	OcspConfiguration *OcspConfiguration `json:",omitempty"`
}

// Tag is one CA tag.
type Tag struct {
	Key   string  `required:"true" min:"1" max:"128" pattern:"[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*"`
	Value *string `max:"256" pattern:"[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*"`
}

// Validity mirrors the model's Validity.
type Validity struct {
	Value *int64 `required:"true" min:"1"`
	Type  string `required:"true" enum:"END_DATE,ABSOLUTE,DAYS,MONTHS,YEARS"`
}

func (v *Validity) pki() pki.Validity {
	var n int64
	if v.Value != nil {
		n = *v.Value
	}
	return pki.Validity{Value: n, Type: pki.ValidityType(v.Type)}
}

// CertificateAuthority is DescribeCertificateAuthority's and
// ListCertificateAuthorities' view of a CA.
type CertificateAuthority struct {
	Arn                               string
	OwnerAccount                      string
	CreatedAt                         time.Time
	LastStateChangeAt                 time.Time
	Type                              string
	Serial                            string `json:",omitempty"`
	Status                            string
	NotBefore                         time.Time
	NotAfter                          time.Time
	FailureReason                     string `json:",omitempty"`
	CertificateAuthorityConfiguration *CertificateAuthorityConfiguration
	RevocationConfiguration           *RevocationConfiguration
	RestorableUntil                   time.Time
	KeyStorageSecurityStandard        string
	UsageMode                         string
}

type CreateCertificateAuthorityInput struct {
	CertificateAuthorityConfiguration *CertificateAuthorityConfiguration `required:"true"`
	RevocationConfiguration           *RevocationConfiguration
	CertificateAuthorityType          string `required:"true" enum:"ROOT,SUBORDINATE"`
	IdempotencyToken                  string `min:"1" max:"36" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]*"`
	KeyStorageSecurityStandard        string `enum:"FIPS_140_2_LEVEL_2_OR_HIGHER,FIPS_140_2_LEVEL_3_OR_HIGHER,CCPC_LEVEL_1_OR_HIGHER"`
	Tags                              []Tag  `min:"1" max:"50"`
	UsageMode                         string `enum:"GENERAL_PURPOSE,SHORT_LIVED_CERTIFICATE"`
}

type CreateCertificateAuthorityOutput struct {
	CertificateAuthorityArn string
}

// CAArnInput is the input of the operations that take only a CA ARN.
type CAArnInput struct {
	CertificateAuthorityArn string `required:"true" min:"5" max:"200" pattern:"arn:[\\w+=/,.@-]+:acm-pca:[\\w+=/,.@-]*:[0-9]*:[\\w+=,.@-]+(/[\\w+=,.@-]+)*"`
}

type DescribeCertificateAuthorityInput = CAArnInput

type DescribeCertificateAuthorityOutput struct {
	CertificateAuthority *CertificateAuthority
}

type ListCertificateAuthoritiesInput struct {
	MaxResults    *int32 `min:"1" max:"1000"`
	NextToken     string `min:"1" max:"43739"`
	ResourceOwner string `enum:"SELF,OTHER_ACCOUNTS"`
}

type ListCertificateAuthoritiesOutput struct {
	CertificateAuthorities []CertificateAuthority
	NextToken              string `json:",omitempty"`
}

type UpdateCertificateAuthorityInput struct {
	CertificateAuthorityArn string `required:"true" min:"5" max:"200" pattern:"arn:[\\w+=/,.@-]+:acm-pca:[\\w+=/,.@-]*:[0-9]*:[\\w+=,.@-]+(/[\\w+=,.@-]+)*"`
	RevocationConfiguration *RevocationConfiguration
	Status                  string `enum:"CREATING,PENDING_CERTIFICATE,ACTIVE,DELETED,DISABLED,EXPIRED,FAILED"`
}

type DeleteCertificateAuthorityInput struct {
	CertificateAuthorityArn     string `required:"true" min:"5" max:"200" pattern:"arn:[\\w+=/,.@-]+:acm-pca:[\\w+=/,.@-]*:[0-9]*:[\\w+=,.@-]+(/[\\w+=,.@-]+)*"`
	PermanentDeletionTimeInDays *int32 `min:"7" max:"30"`
}

type RestoreCertificateAuthorityInput = CAArnInput

// Empty is the output of operations without a modeled output.
type Empty struct{}

type GetCertificateAuthorityCsrInput = CAArnInput

type GetCertificateAuthorityCsrOutput struct {
	Csr string
}

type ImportCertificateAuthorityCertificateInput struct {
	CertificateAuthorityArn string `required:"true" min:"5" max:"200" pattern:"arn:[\\w+=/,.@-]+:acm-pca:[\\w+=/,.@-]*:[0-9]*:[\\w+=,.@-]+(/[\\w+=,.@-]+)*"`
	Certificate             []byte `required:"true" min:"1" max:"32768"`
	CertificateChain        []byte `min:"0" max:"2097152"`
}

type GetCertificateAuthorityCertificateInput = CAArnInput

type GetCertificateAuthorityCertificateOutput struct {
	Certificate      string `json:",omitempty"`
	CertificateChain string `json:",omitempty"`
}

type IssueCertificateInput struct {
	ApiPassthrough          *pki.APIPassthrough
	CertificateAuthorityArn string    `required:"true" min:"5" max:"200" pattern:"arn:[\\w+=/,.@-]+:acm-pca:[\\w+=/,.@-]*:[0-9]*:[\\w+=,.@-]+(/[\\w+=,.@-]+)*"`
	Csr                     []byte    `required:"true" min:"1" max:"32768"`
	SigningAlgorithm        string    `required:"true" enum:"SHA256WITHECDSA,SHA384WITHECDSA,SHA512WITHECDSA,SHA256WITHRSA,SHA384WITHRSA,SHA512WITHRSA,SM3WITHSM2,ML_DSA_44,ML_DSA_65,ML_DSA_87"`
	TemplateArn             string    `min:"5" max:"200" pattern:"arn:[\\w+=/,.@-]+:acm-pca:[\\w+=/,.@-]*:[0-9]*:[\\w+=,.@-]+(/[\\w+=,.@-]+)*"`
	Validity                *Validity `required:"true"`
	ValidityNotBefore       *Validity
	IdempotencyToken        string `min:"1" max:"36" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]*"`
}

type IssueCertificateOutput struct {
	CertificateArn string
}

type GetCertificateInput struct {
	CertificateAuthorityArn string `required:"true" min:"5" max:"200" pattern:"arn:[\\w+=/,.@-]+:acm-pca:[\\w+=/,.@-]*:[0-9]*:[\\w+=,.@-]+(/[\\w+=,.@-]+)*"`
	CertificateArn          string `required:"true" min:"5" max:"200" pattern:"arn:[\\w+=/,.@-]+:acm-pca:[\\w+=/,.@-]*:[0-9]*:[\\w+=,.@-]+(/[\\w+=,.@-]+)*"`
}

type GetCertificateOutput struct {
	Certificate      string `json:",omitempty"`
	CertificateChain string `json:",omitempty"`
}

type TagCertificateAuthorityInput struct {
	CertificateAuthorityArn string `required:"true" min:"5" max:"200" pattern:"arn:[\\w+=/,.@-]+:acm-pca:[\\w+=/,.@-]*:[0-9]*:[\\w+=,.@-]+(/[\\w+=,.@-]+)*"`
	Tags                    []Tag  `required:"true" min:"1" max:"50"`
}

type UntagCertificateAuthorityInput = TagCertificateAuthorityInput

type ListTagsInput struct {
	CertificateAuthorityArn string `required:"true" min:"5" max:"200" pattern:"arn:[\\w+=/,.@-]+:acm-pca:[\\w+=/,.@-]*:[0-9]*:[\\w+=,.@-]+(/[\\w+=,.@-]+)*"`
	MaxResults              *int32 `min:"1" max:"1000"`
	NextToken               string `min:"1" max:"43739"`
}

type ListTagsOutput struct {
	Tags      []Tag
	NextToken string `json:",omitempty"`
}
