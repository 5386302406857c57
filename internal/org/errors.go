package org

import (
	"errors"
	"fmt"
)

// ErrorKind classifies a domain error; orgapi maps kinds to wire codes.
type ErrorKind int

const (
	AccessDenied ErrorKind = iota + 1
	NotInUse               // AWSOrganizationsNotInUseException
	AlreadyInOrganization
	ConstraintViolation // with Reason
	InvalidInput        // with Reason
	HandshakeConstraintViolation
	OrganizationNotEmpty
	DuplicateOrganizationalUnit
	ParentNotFound
	OrganizationalUnitNotEmpty
	OrganizationalUnitNotFound
	RootNotFound
	AccountNotFound
	ChildNotFound
	SourceParentNotFound
	DestinationParentNotFound
	DuplicateAccount
	DuplicateHandshake
	HandshakeNotFound
	InvalidHandshakeTransition
	HandshakeAlreadyInState
	MasterCannotLeaveOrganization
	CreateAccountStatusNotFound
	TargetNotFound
	PolicyNotFound
	DuplicatePolicy
	PolicyInUse
	PolicyTypeAlreadyEnabled
	PolicyTypeNotEnabled
	PolicyTypeNotAvailable
	DuplicatePolicyAttachment
	PolicyNotAttached
	MalformedPolicyDocument
	AccountAlreadyClosed
	AccountAlreadyRegistered
	AccountNotRegistered
)

// Error is a domain error with AWS's message and, for the kinds that model
// one, its Reason.
type Error struct {
	Kind    ErrorKind
	Reason  string
	Message string
}

func (e *Error) Error() string {
	if e.Reason != "" {
		return fmt.Sprintf("org error %d (%s): %s", e.Kind, e.Reason, e.Message)
	}
	return fmt.Sprintf("org error %d: %s", e.Kind, e.Message)
}

func errorf(kind ErrorKind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

func reasonf(kind ErrorKind, reason, format string, args ...any) *Error {
	return &Error{Kind: kind, Reason: reason, Message: fmt.Sprintf(format, args...)}
}

// KindOf returns err's kind, or 0 when err is not an *Error.
func KindOf(err error) ErrorKind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}

// AWS's texts for the common errors.
var (
	errNotManagement = errorf(AccessDenied, "You don't have permissions to access this resource.")
	errNotInUse      = errorf(NotInUse, "Your account is not a member of an organization.")
)

// The not-found texts are the model's, which name no ID; the id arguments
// only say which lookup failed.

func errAccountNotFound(string) *Error {
	return errorf(AccountNotFound, "We can't find an Amazon Web Services account with the AccountId that you specified, or the account whose credentials you used to make this request isn't a member of an organization.")
}

func errPolicyNotFound(string) *Error {
	return errorf(PolicyNotFound, "We can't find a policy with the PolicyId that you specified.")
}

func errTargetNotFound(string) *Error {
	return errorf(TargetNotFound, "We can't find a root, OU, account, or policy with the TargetId that you specified.")
}
