package awsapi

import (
	"reflect"
	"testing"
)

// TestViolationKinds: each violation carries the kind of constraint it
// broke and the same message validate reports, for Service.MapValidation.
func TestViolationKinds(t *testing.T) {
	long := string(make([]byte, 65))
	tests := []struct {
		name  string
		proto Protocol
		in    any
		want  []Violation
	}{
		{"required", JSON11, &jInput{}, []Violation{{Path: "resourceShareArn", Constraint: ConstraintRequired}}},
		{"min length", Query, &qInput{Password: sp("short")}, []Violation{{Path: "password", Constraint: ConstraintMinLength}}},
		{"max length and pattern", Query, &qInput{UserName: sp(long)}, []Violation{{Path: "userName", Constraint: ConstraintMaxLength}, {Path: "userName", Constraint: ConstraintPattern}}},
		{"min value", Query, &qInput{MaxItems: i32p(0)}, []Violation{{Path: "maxItems", Constraint: ConstraintMinValue}}},
		{"max value", Query, &qInput{MaxItems: i32p(1001)}, []Violation{{Path: "maxItems", Constraint: ConstraintMaxValue}}},
		{"enum", Query, &qInput{Nested: &qNested{Mode: sp("MEDIUM")}}, []Violation{{Path: "nested.mode", Constraint: ConstraintEnum}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := validateDetailed(tc.proto, reflect.ValueOf(tc.in).Elem())
			if len(c.vs) != len(tc.want) || len(c.msgs) != len(c.vs) {
				t.Fatalf("violations %+v, want %+v", c.vs, tc.want)
			}
			for i, v := range c.vs {
				if v.Path != tc.want[i].Path || v.Constraint != tc.want[i].Constraint || v.Message != c.msgs[i] {
					t.Errorf("violation %d = %+v, want %+v with message %q", i, v, tc.want[i], c.msgs[i])
				}
			}
		})
	}
}
