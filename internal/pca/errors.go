package pca

import (
	"errors"
	"fmt"

	"github.com/openpca/openpca/internal/pki"
)

// Domain error kinds. Errors returned by the service are *Error values whose
// Kind is one of these, so errors.Is(err, ErrInvalidState) works; the wire
// codes are assigned by pcaapi.MapError only.
var (
	ErrNotFound             = errors.New("resource not found")
	ErrInvalidArn           = errors.New("invalid arn")
	ErrInvalidState         = errors.New("invalid state")
	ErrInvalidArgs          = errors.New("invalid arguments")
	ErrInvalidRequest       = errors.New("invalid request")
	ErrMalformedCSR         = errors.New("malformed csr")
	ErrMalformedCertificate = errors.New("malformed certificate")
	ErrCertificateMismatch  = errors.New("certificate mismatch")
	ErrRequestInProgress    = errors.New("request in progress")
	ErrRequestFailed        = errors.New("request failed")
	ErrLimitExceeded        = errors.New("limit exceeded")
	ErrInvalidTag           = errors.New("invalid tag")
	ErrTooManyTags          = errors.New("too many tags")
	ErrInvalidNextToken     = errors.New("invalid next token")
	ErrConcurrentModify     = errors.New("concurrent modification")
	ErrInvalidPolicy        = errors.New("invalid policy")
	ErrLockoutPrevented     = errors.New("lockout prevented")
	ErrAlreadyProcessed     = errors.New("request already processed")
	ErrPermissionExists     = errors.New("permission already exists")
)

// Error is a domain error: a Kind (one of the Err* values) and the message
// AWS would show.
type Error struct {
	Kind error
	Msg  string
	Err  error // cause, not shown to callers
}

func (e *Error) Error() string { return e.Msg }

// Is matches the error's Kind.
func (e *Error) Is(target error) bool { return target == e.Kind }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

func errf(kind error, format string, args ...any) *Error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// fromPKI converts a pki error into the domain kind it maps to; other errors
// pass unchanged (internal failures).
func fromPKI(err error) error {
	var pe *pki.Error
	if !errors.As(err, &pe) {
		return err
	}
	kind := map[pki.Kind]error{
		pki.MalformedCSR:         ErrMalformedCSR,
		pki.InvalidArgs:          ErrInvalidArgs,
		pki.NotSupported:         ErrInvalidArgs,
		pki.InvalidRequest:       ErrInvalidRequest,
		pki.MalformedCertificate: ErrMalformedCertificate,
		pki.CertificateMismatch:  ErrCertificateMismatch,
	}[pe.Kind]
	if kind == nil {
		return &Error{Kind: ErrRequestFailed, Msg: "The request failed; please retry.", Err: err}
	}
	return &Error{Kind: kind, Msg: pe.Msg, Err: err}
}

func notFoundCA(arn string) error {
	return errf(ErrNotFound, "Could not find certificate authority %s.", arn)
}

func wrongState(arn, what string) error {
	return errf(ErrInvalidState, "The certificate authority %s is not in the correct state to %s.", arn, what)
}
