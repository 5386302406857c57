package ram

import "fmt"

// Kind classifies a domain error; ramapi maps each kind to RAM's exception
// name and HTTP status.
type Kind int

const (
	UnknownResource Kind = iota + 1
	MalformedArn
	InvalidParameter
	MissingRequiredParameter
	OperationNotPermitted
	InvalidStateTransition
	IdempotentParameterMismatch
	InvalidClientToken
	InvalidNextToken
	InvalidMaxResults
	InvalidResourceType
	ResourceShareLimitExceeded
	InvitationArnNotFound
	InvitationAlreadyAccepted
	InvitationAlreadyRejected
	InvitationExpired
	ResourceArnNotFound
	TagLimitExceeded
	UnmatchedPolicyPermission
)

// Error is a RAM domain error with the message AWS shows.
type Error struct {
	Kind Kind
	Msg  string
	Err  error // cause, not shown
}

func (e *Error) Error() string { return e.Msg }
func (e *Error) Unwrap() error { return e.Err }

func errf(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Msg: fmt.Sprintf(format, args...)}
}
