package awsapi

import (
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxShownValue bounds how much of an offending value a message repeats.
const maxShownValue = 1024

// Constraint names the kind of model constraint a member failed.
type Constraint int

const (
	ConstraintOther    Constraint = iota // a value that does not fit its type
	ConstraintRequired                   // required member missing
	ConstraintMinLength
	ConstraintMaxLength
	ConstraintMinValue
	ConstraintMaxValue
	ConstraintPattern
	ConstraintEnum
)

// Violation is one failed model constraint, for services whose model
// reports them with their own error (Service.MapValidation).
type Violation struct {
	Path       string // lowerCamel member path, as in the message
	Constraint Constraint
	Message    string // AWS's framework wording for this violation
}

// violations collects AWS-worded constraint messages.
type violations []string

func (v *violations) add(value, path, constraint string) {
	*v = append(*v, violationText(value, path, constraint))
}

func violationText(value, path, constraint string) string {
	return fmt.Sprintf("Value %sat '%s' failed to satisfy constraint: Member must %s", value, path, constraint)
}

// checker collects the violations of one validation with their kinds.
type checker struct {
	msgs violations
	vs   []Violation
}

func (c *checker) add(kind Constraint, value, path, constraint string) {
	m := violationText(value, path, constraint)
	c.msgs = append(c.msgs, m)
	c.vs = append(c.vs, Violation{Path: path, Constraint: kind, Message: m})
}

// validationError renders violations the way AWS's framework does:
// "1 validation error detected: …" / "N validation errors detected: a; b".
func validationError(p Protocol, msgs []string) *Error {
	noun := "errors"
	if len(msgs) == 1 {
		noun = "error"
	}
	code := "ValidationException"
	if p == Query {
		code = "ValidationError"
	}
	return &Error{
		Code:    code,
		Message: fmt.Sprintf("%d validation %s detected: %s", len(msgs), noun, strings.Join(msgs, "; ")),
		Status:  http.StatusBadRequest,
		Sender:  true,
	}
}

// validate checks the model constraints of the struct v (and of everything
// inside it) and returns the messages, in member order.
func validate(p Protocol, v reflect.Value) []string {
	return validateDetailed(p, v).msgs
}

func validateDetailed(p Protocol, v reflect.Value) *checker {
	out := new(checker)
	validateStruct(p, v, "", out)
	return out
}

func validateStruct(p Protocol, v reflect.Value, prefix string, out *checker) {
	for _, f := range infoFor(v.Type()).fields {
		name := f.queryPath
		if p != Query {
			name = f.jsonPath
		}
		path := joinPath(prefix, name)
		fv := v.FieldByIndex(f.index)
		if absent(fv) {
			if f.required {
				out.add(ConstraintRequired, "null ", path, "not be null")
			}
			continue
		}
		for fv.Kind() == reflect.Pointer {
			fv = fv.Elem()
		}
		checkConstraints(f, fv, path, out)
		validateNested(p, fv, path, out)
	}
}

// absent says whether a member was not sent. Non-pointer numbers and bools
// cannot tell "absent" from zero, so they are always present: bindings use
// pointers for optional or required numbers. An empty string or zero time
// counts as absent.
func absent(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map:
		return v.IsNil()
	case reflect.String:
		return v.Len() == 0
	case reflect.Struct:
		return v.Type() == timeType && v.IsZero()
	}
	return false
}

// shownValue is the value as a violation message quotes it, rendered only
// when a check fails (most values pass).
type shownValue struct {
	v    reflect.Value
	hide bool
}

func (s shownValue) String() string {
	if s.hide {
		return ""
	}
	return "'" + showValue(s.v) + "' "
}

func checkConstraints(f *fieldInfo, v reflect.Value, path string, out *checker) {
	shown := shownValue{v: v, hide: f.sensitive}
	switch v.Kind() {
	case reflect.String:
		s := v.String()
		n := int64(utf8.RuneCountInString(s))
		lengthChecks(f, n, shown, path, out)
		if f.pattern != nil && !f.matched.match(f.pattern, s) {
			out.add(ConstraintPattern, shown.String(), path, "satisfy regular expression pattern: "+f.patternS)
		}
		if f.enum != nil && !slices.Contains(f.enum, s) {
			out.add(ConstraintEnum, shown.String(), path, "satisfy enum value set: ["+strings.Join(f.enum, ", ")+"]")
		}
	case reflect.Slice, reflect.Map:
		lengthChecks(f, int64(v.Len()), shown, path, out)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		rangeChecks(f, float64(v.Int()), shown, path, out)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		rangeChecks(f, float64(v.Uint()), shown, path, out)
	case reflect.Float32, reflect.Float64:
		rangeChecks(f, v.Float(), shown, path, out)
	}
}

func lengthChecks(f *fieldInfo, n int64, shown shownValue, path string, out *checker) {
	if f.min != nil && n < *f.min {
		out.add(ConstraintMinLength, shown.String(), path, "have length greater than or equal to "+strconv.FormatInt(*f.min, 10))
	}
	if f.max != nil && n > *f.max {
		out.add(ConstraintMaxLength, shown.String(), path, "have length less than or equal to "+strconv.FormatInt(*f.max, 10))
	}
}

func rangeChecks(f *fieldInfo, x float64, shown shownValue, path string, out *checker) {
	if f.min != nil && x < float64(*f.min) {
		out.add(ConstraintMinValue, shown.String(), path, "have value greater than or equal to "+strconv.FormatInt(*f.min, 10))
	}
	if f.max != nil && x > float64(*f.max) {
		out.add(ConstraintMaxValue, shown.String(), path, "have value less than or equal to "+strconv.FormatInt(*f.max, 10))
	}
}

// validateNested descends into structs, lists and maps. List paths follow
// each protocol's spelling: Query "tags.member.1.key", JSON "tags.1.member.key".
func validateNested(p Protocol, v reflect.Value, path string, out *checker) {
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() != timeType {
			validateStruct(p, v, path, out)
		}
	case reflect.Slice:
		if v.Type() == bytesType || !hasStructs(v.Type().Elem()) {
			return
		}
		for i := 0; i < v.Len(); i++ {
			ep := fmt.Sprintf("%s.%d.member", path, i+1)
			if p == Query {
				ep = fmt.Sprintf("%s.member.%d", path, i+1)
			}
			e := derefValue(v.Index(i))
			if e.IsValid() {
				validateNested(p, e, ep, out)
			}
		}
	case reflect.Map:
		if !hasStructs(v.Type().Elem()) {
			return
		}
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		for _, k := range keys {
			e := derefValue(v.MapIndex(k))
			if e.IsValid() {
				validateNested(p, e, path+"."+k.String(), out)
			}
		}
	}
}

func hasStructs(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Kind() == reflect.Struct && t != timeType || t.Kind() == reflect.Slice || t.Kind() == reflect.Map
}

func derefValue(v reflect.Value) reflect.Value {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return reflect.Value{}
		}
		v = v.Elem()
	}
	return v
}

// showValue renders a value as AWS quotes it: strings as is, lists "[a, b]".
func showValue(v reflect.Value) string {
	var s string
	switch v.Kind() {
	case reflect.String:
		s = v.String()
	case reflect.Slice:
		if v.Type() == bytesType {
			s = "(binary)"
			break
		}
		parts := make([]string, 0, v.Len())
		for i := 0; i < v.Len() && i < 100; i++ {
			e := derefValue(v.Index(i))
			if e.IsValid() && e.Kind() != reflect.Struct {
				parts = append(parts, fmt.Sprint(e.Interface()))
			} else {
				parts = append(parts, "{…}")
			}
		}
		s = "[" + strings.Join(parts, ", ") + "]"
	case reflect.Map, reflect.Struct:
		s = "{…}"
	default:
		s = fmt.Sprint(v.Interface())
	}
	if len(s) > maxShownValue {
		s = strings.ToValidUTF8(s[:maxShownValue], "") + "…"
	}
	return s
}
