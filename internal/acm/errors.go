package acm

import (
	"errors"
	"fmt"
)

// Domain error kinds; acmapi maps them to ACM's wire codes.
var (
	ErrNotFound          = errors.New("resource not found")
	ErrInvalidArn        = errors.New("invalid arn")
	ErrRequestInProgress = errors.New("request in progress")
	ErrValidation        = errors.New("validation")
	ErrInvalidParameter  = errors.New("invalid parameter")
	ErrInvalidTag        = errors.New("invalid tag")
	ErrTooManyTags       = errors.New("too many tags")
	ErrLimitExceeded     = errors.New("limit exceeded")
	ErrInvalidArgs       = errors.New("invalid args")
	ErrConflict          = errors.New("conflict")
)

// Error is a domain error with the message AWS shows.
type Error struct {
	Kind error
	Msg  string
	Err  error
}

func (e *Error) Error() string        { return e.Msg }
func (e *Error) Is(target error) bool { return target == e.Kind }
func (e *Error) Unwrap() error        { return e.Err }

func errf(kind error, format string, args ...any) *Error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

func notFound(arn string) *Error { return errf(ErrNotFound, "Could not find certificate %s.", arn) }

func inProgress(arn string) *Error {
	return errf(ErrRequestInProgress, "Certificate %s is still pending issuance; retry when its status is ISSUED.", arn)
}
