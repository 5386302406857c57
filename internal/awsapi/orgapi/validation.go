package orgapi

import (
	"net/http"

	"github.com/openpca/openpca/internal/awsapi"
)

// invalidInput is the Reason and message Organizations answers for each kind
// of model constraint. Its model has no ValidationException: input that
// breaks a constraint is an InvalidInputException with a Reason (texts from
// the model's InvalidInputException documentation).
var invalidInput = map[awsapi.Constraint]struct{ reason, message string }{
	awsapi.ConstraintRequired:  {"INPUT_REQUIRED", "You must include a value for all required parameters."},
	awsapi.ConstraintMinLength: {"MIN_LENGTH_EXCEEDED", "You provided a string parameter that is shorter than allowed."},
	awsapi.ConstraintMaxLength: {"MAX_LENGTH_EXCEEDED", "You provided a string parameter that is longer than allowed."},
	awsapi.ConstraintMinValue:  {"MIN_VALUE_EXCEEDED", "You provided a numeric parameter that has a smaller value than allowed."},
	awsapi.ConstraintMaxValue:  {"MAX_VALUE_EXCEEDED", "You provided a numeric parameter that has a larger value than allowed."},
	awsapi.ConstraintPattern:   {"INVALID_PATTERN", "You provided a value that does not match the required pattern."},
	awsapi.ConstraintEnum:      {"INVALID_ENUM", "You specified an invalid value."},
}

// MapValidation answers the first violated constraint with one
// InvalidInputException carrying its Reason.
func MapValidation(vs []awsapi.Violation) *awsapi.Error {
	if len(vs) == 0 {
		return nil
	}
	v := vs[0]
	r, ok := invalidInput[v.Constraint]
	if !ok {
		return nil
	}
	return &awsapi.Error{
		Code: "InvalidInputException", Message: r.message, Status: http.StatusBadRequest, Sender: true,
		Fields: map[string]any{"Reason": r.reason},
	}
}
