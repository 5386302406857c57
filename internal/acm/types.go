package acm

import "time"

// The shapes mirror the ACM API (CertificateManager, awsJson1_1); member
// names are the wire names. Model constraints are in the tags the wire
// decoder enforces.

type Tag struct {
	Key   string `required:"true" min:"1" max:"128" pattern:"[\\p{L}\\p{Z}\\p{N}_.:\\/=+\\-@]*"`
	Value string `max:"256" pattern:"[\\p{L}\\p{Z}\\p{N}_.:\\/=+\\-@]*"`
}

type CertificateOptions struct {
	CertificateTransparencyLoggingPreference string `json:",omitempty" enum:"ENABLED,DISABLED"`
	Export                                   string `json:",omitempty" enum:"ENABLED,DISABLED"`
}

type DomainValidationOption struct {
	DomainName       string `required:"true" min:"1" max:"253"`
	ValidationDomain string `required:"true" min:"1" max:"253"`
}

type RequestCertificateInput struct {
	DomainName              string                   `required:"true" min:"1" max:"253"`
	ValidationMethod        string                   `enum:"EMAIL,DNS,HTTP"`
	SubjectAlternativeNames []string                 `min:"1" max:"100"`
	IdempotencyToken        string                   `min:"1" max:"32" pattern:"\\w+"`
	DomainValidationOptions []DomainValidationOption `min:"1" max:"100"`
	Options                 *CertificateOptions
	CertificateAuthorityArn string `min:"20" max:"2048" pattern:"arn:[\\w+=/,.@-]+:acm-pca:[\\w+=/,.@-]*:[0-9]*:[\\w+=,.@-]+(/[\\w+=,.@-]+)*"`
	Tags                    []Tag  `min:"1" max:"50"`
	KeyAlgorithm            string `enum:"RSA_1024,RSA_2048,RSA_3072,RSA_4096,EC_prime256v1,EC_secp384r1,EC_secp521r1"`
	ManagedBy               string `enum:"CLOUDFRONT"`
}

type CertificateArnOutput struct {
	CertificateArn string `json:",omitempty"`
}

type CertificateArnInput struct {
	CertificateArn string `required:"true" min:"20" max:"2048" pattern:"arn:[\\w+=/,.@-]+:acm:[\\w+=/,.@-]+:[\\d]{12}:[\\w+=,.@-]+(/[\\w+=,.@-]+)*"`
}

type Empty struct{}

type KeyUsage struct {
	Name string
}

type ExtendedKeyUsage struct {
	Name string
	OID  string
}

type DomainValidation struct {
	DomainName       string
	ValidationDomain string `json:",omitempty"`
	ValidationStatus string `json:",omitempty"`
	ValidationMethod string `json:",omitempty"`
}

type RenewalSummary struct {
	RenewalStatus           string
	DomainValidationOptions []DomainValidation
	RenewalStatusReason     string `json:",omitempty"`
	UpdatedAt               time.Time
}

type CertificateDetail struct {
	CertificateArn          string
	DomainName              string
	SubjectAlternativeNames []string
	DomainValidationOptions []DomainValidation
	Serial                  string `json:",omitempty"`
	Subject                 string `json:",omitempty"`
	Issuer                  string `json:",omitempty"`
	CreatedAt               time.Time
	IssuedAt                time.Time
	ImportedAt              time.Time
	Status                  string
	RevokedAt               time.Time
	RevocationReason        string `json:",omitempty"`
	NotBefore               time.Time
	NotAfter                time.Time
	KeyAlgorithm            string `json:",omitempty"`
	SignatureAlgorithm      string `json:",omitempty"`
	InUseBy                 []string
	FailureReason           string `json:",omitempty"`
	Type                    string
	RenewalSummary          *RenewalSummary
	KeyUsages               []KeyUsage
	ExtendedKeyUsages       []ExtendedKeyUsage
	CertificateAuthorityArn string `json:",omitempty"`
	RenewalEligibility      string `json:",omitempty"`
	Options                 *CertificateOptions
	ManagedBy               string `json:",omitempty"`
}

type DescribeCertificateOutput struct {
	Certificate *CertificateDetail
}

type GetCertificateOutput struct {
	Certificate      string `json:",omitempty"`
	CertificateChain string `json:",omitempty"`
}

type ExportCertificateInput struct {
	CertificateArn string `required:"true" min:"20" max:"2048" pattern:"arn:[\\w+=/,.@-]+:acm:[\\w+=/,.@-]+:[\\d]{12}:[\\w+=,.@-]+(/[\\w+=,.@-]+)*"`
	Passphrase     []byte `required:"true" min:"4" max:"128"`
}

type ExportCertificateOutput struct {
	Certificate      string `json:",omitempty"`
	CertificateChain string `json:",omitempty"`
	PrivateKey       string `json:",omitempty"`
}

type Filters struct {
	ExtendedKeyUsage []string `json:"extendedKeyUsage"`
	KeyUsage         []string `json:"keyUsage"`
	KeyTypes         []string `json:"keyTypes"`
	ExportOption     string   `json:"exportOption" enum:"ENABLED,DISABLED"`
	ManagedBy        string   `json:"managedBy" enum:"CLOUDFRONT"`
}

type ListCertificatesInput struct {
	CertificateStatuses []string `enum:"PENDING_VALIDATION,ISSUED,INACTIVE,EXPIRED,VALIDATION_TIMED_OUT,REVOKED,FAILED"`
	Includes            *Filters
	NextToken           string `min:"1" max:"10000" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]*"`
	MaxItems            *int32 `min:"1" max:"1000"`
	SortBy              string `enum:"CREATED_AT"`
	SortOrder           string `enum:"ASCENDING,DESCENDING"`
}

type CertificateSummary struct {
	CertificateArn                       string
	DomainName                           string
	SubjectAlternativeNameSummaries      []string
	HasAdditionalSubjectAlternativeNames bool
	Status                               string
	Type                                 string
	KeyAlgorithm                         string
	KeyUsages                            []string
	ExtendedKeyUsages                    []string
	ExportOption                         string `json:",omitempty"`
	InUse                                bool
	Exported                             bool
	RenewalEligibility                   string
	NotBefore                            time.Time
	NotAfter                             time.Time
	CreatedAt                            time.Time
	IssuedAt                             time.Time
	ImportedAt                           time.Time
	RevokedAt                            time.Time
	ManagedBy                            string `json:",omitempty"`
}

type ListCertificatesOutput struct {
	NextToken              string `json:",omitempty"`
	CertificateSummaryList []CertificateSummary
}

type RevokeCertificateInput struct {
	CertificateArn   string `required:"true" min:"20" max:"2048" pattern:"arn:[\\w+=/,.@-]+:acm:[\\w+=/,.@-]+:[\\d]{12}:[\\w+=,.@-]+(/[\\w+=,.@-]+)*"`
	RevocationReason string `required:"true" enum:"UNSPECIFIED,KEY_COMPROMISE,CA_COMPROMISE,AFFILIATION_CHANGED,SUPERCEDED,SUPERSEDED,CESSATION_OF_OPERATION,CERTIFICATE_HOLD,REMOVE_FROM_CRL,PRIVILEGE_WITHDRAWN,A_A_COMPROMISE"`
}

type TagsInput struct {
	CertificateArn string `required:"true" min:"20" max:"2048" pattern:"arn:[\\w+=/,.@-]+:acm:[\\w+=/,.@-]+:[\\d]{12}:[\\w+=,.@-]+(/[\\w+=,.@-]+)*"`
	Tags           []Tag  `required:"true" min:"1" max:"50"`
}

type ListTagsForCertificateOutput struct {
	Tags []Tag
}

type UpdateCertificateOptionsInput struct {
	CertificateArn string              `required:"true" min:"20" max:"2048" pattern:"arn:[\\w+=/,.@-]+:acm:[\\w+=/,.@-]+:[\\d]{12}:[\\w+=,.@-]+(/[\\w+=,.@-]+)*"`
	Options        *CertificateOptions `required:"true"`
}

type ExpiryEventsConfiguration struct {
	DaysBeforeExpiry *int32 `min:"1"`
}

type GetAccountConfigurationOutput struct {
	ExpiryEvents *ExpiryEventsConfiguration
}

type PutAccountConfigurationInput struct {
	ExpiryEvents     *ExpiryEventsConfiguration
	IdempotencyToken string `required:"true" min:"1" max:"32" pattern:"\\w+"`
}

type ImportCertificateInput struct {
	CertificateArn   string `min:"20" max:"2048" pattern:"arn:[\\w+=/,.@-]+:acm:[\\w+=/,.@-]+:[\\d]{12}:[\\w+=,.@-]+(/[\\w+=,.@-]+)*"`
	Certificate      []byte `required:"true" min:"1" max:"32768"`
	PrivateKey       []byte `required:"true" min:"1" max:"5120"`
	CertificateChain []byte `min:"1" max:"2097152"`
	Tags             []Tag  `min:"1" max:"50"`
}
