package iam

// Error kinds of the credential families (SSH keys, signing certificates,
// login profiles). Numbered apart from errors.go's so both lists can grow
// without renumbering each other.
const (
	InvalidPublicKey ErrorKind = 100 + iota
	DuplicateSSHPublicKey
	UnrecognizedPublicKeyEncoding
	MalformedCertificate
	InvalidCertificate
	DuplicateCertificate
	PasswordPolicyViolation
	InvalidUserType
)

func init() {
	for k, n := range map[ErrorKind]string{
		InvalidPublicKey:              "InvalidPublicKey",
		DuplicateSSHPublicKey:         "DuplicateSSHPublicKey",
		UnrecognizedPublicKeyEncoding: "UnrecognizedPublicKeyEncoding",
		MalformedCertificate:          "MalformedCertificate",
		InvalidCertificate:            "InvalidCertificate",
		DuplicateCertificate:          "DuplicateCertificate",
		PasswordPolicyViolation:       "PasswordPolicyViolation",
		InvalidUserType:               "InvalidUserType",
	} {
		kindNames[k] = n
	}
}
