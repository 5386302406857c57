package awsapi

import "reflect"

// ValidateInput checks in, a pointer to an operation's input struct,
// against its model constraints exactly as a request in protocol p is
// checked, and returns the AWS error a client would get (nil when valid).
// It lets other clients of the domain services, such as the console,
// refuse what the API refuses.
func ValidateInput(p Protocol, in any) *Error {
	v := reflect.ValueOf(in)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil
	}
	if msgs := validate(p, v.Elem()); len(msgs) > 0 {
		return validationError(p, msgs)
	}
	return nil
}
