package iam

import (
	"errors"
	"fmt"
)

// ErrorKind classifies a domain error; iamapi maps kinds to wire codes.
type ErrorKind int

const (
	NoSuchEntity ErrorKind = iota + 1
	EntityAlreadyExists
	LimitExceeded
	InvalidInput
	MalformedPolicyDocument
	DeleteConflict
	UnmodifiableEntity
	ServiceNotSupported
	PackedPolicyTooLarge
	ExpiredToken
	// ValidationError is the framework-style rejection IAM/STS use for some
	// argument combinations (e.g. GetUser without UserName as a role).
	ValidationError
	// AccessDenied is a denial decided by IAM itself rather than by policy
	// evaluation (e.g. GetSessionToken called with session credentials).
	AccessDenied
	PolicyNotAttachable
	// InvalidClientTokenId refuses the credentials themselves, e.g. IAM
	// operations signed with GetSessionToken credentials obtained without
	// MFA.
	InvalidClientTokenId
	// InvalidAuthenticationCode refuses MFA codes given to EnableMFADevice
	// and ResyncMFADevice.
	InvalidAuthenticationCode
)

var kindNames = map[ErrorKind]string{
	NoSuchEntity:              "NoSuchEntity",
	EntityAlreadyExists:       "EntityAlreadyExists",
	LimitExceeded:             "LimitExceeded",
	InvalidInput:              "InvalidInput",
	MalformedPolicyDocument:   "MalformedPolicyDocument",
	DeleteConflict:            "DeleteConflict",
	UnmodifiableEntity:        "UnmodifiableEntity",
	ServiceNotSupported:       "ServiceNotSupported",
	PackedPolicyTooLarge:      "PackedPolicyTooLarge",
	ExpiredToken:              "ExpiredToken",
	ValidationError:           "ValidationError",
	AccessDenied:              "AccessDenied",
	PolicyNotAttachable:       "PolicyNotAttachable",
	InvalidClientTokenId:      "InvalidClientTokenId",
	InvalidAuthenticationCode: "InvalidAuthenticationCode",
}

func (k ErrorKind) String() string {
	if n, ok := kindNames[k]; ok {
		return n
	}
	return fmt.Sprintf("ErrorKind(%d)", int(k))
}

// Error is a domain error with AWS's message text.
type Error struct {
	Kind    ErrorKind
	Message string
}

func (e *Error) Error() string { return e.Kind.String() + ": " + e.Message }

func errorf(kind ErrorKind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// KindOf returns err's kind, or 0 when err is not an *Error.
func KindOf(err error) ErrorKind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}

func noSuchPolicy(arn string) *Error {
	return errorf(NoSuchEntity, "Policy %s does not exist or is not attachable.", arn)
}
