// Package pki is OpenPCA's pure X.509 layer: key generation, CSR checks,
// the AWS Private CA certificate templates, validity arithmetic and
// certificate building. It does no I/O, knows no accounts and reads no
// clock: callers pass the current time and (optionally) a randomness source.
//
// Errors are *Error values with a Kind; the acm-pca service maps kinds to
// AWS error codes (MalformedCSR → MalformedCSRException, InvalidArgs →
// InvalidArgsException, InvalidRequest → InvalidRequestException,
// MalformedCertificate → MalformedCertificateException, CertificateMismatch →
// CertificateMismatchException).
package pki

import (
	"errors"
	"fmt"
)

// Kind classifies a pki error by the AWS error family it belongs to.
type Kind int

const (
	// Internal is an unexpected failure (randomness, signer); maps to RequestFailedException.
	Internal Kind = iota
	// MalformedCSR: the CSR does not parse, verify or meet the key/subject rules.
	MalformedCSR
	// InvalidArgs: semantically invalid arguments (algorithms, template, validity, names).
	InvalidArgs
	// InvalidRequest: the action is prohibited (e.g. a root template for a foreign key).
	InvalidRequest
	// MalformedCertificate: an imported certificate or chain does not parse.
	MalformedCertificate
	// CertificateMismatch: an imported certificate does not fit the CA key or its chain.
	CertificateMismatch
	// NotSupported: a valid AWS value this server does not implement (ML-DSA, SM2);
	// maps to InvalidArgsException.
	NotSupported
)

var kindNames = [...]string{"Internal", "MalformedCSR", "InvalidArgs", "InvalidRequest", "MalformedCertificate", "CertificateMismatch", "NotSupported"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Error is the typed error returned by this package. Msg is suitable for
// the AWS error message.
type Error struct {
	Kind Kind
	Msg  string
	Err  error // optional cause, never shown to API callers by pki itself
}

func (e *Error) Error() string { return e.Msg }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, &Error{Kind: k}) match any *Error of kind k.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Msg == "" && t.Err == nil && t.Kind == e.Kind
}

// KindOf returns the Kind of err, or Internal when err is not an *Error.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

func errf(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Msg: fmt.Sprintf(format, args...)}
}

func wrapf(k Kind, cause error, format string, args ...any) *Error {
	return &Error{Kind: k, Msg: fmt.Sprintf(format, args...), Err: cause}
}
