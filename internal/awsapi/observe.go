package awsapi

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"time"

	"github.com/openpca/openpca/internal/authz"
)

// Call is what the edge knows about one finished request: enough for the
// call trail and the request metrics.
type Call struct {
	Time      time.Time // when the request arrived
	Latency   time.Duration
	RequestID string
	Service   string // SigV4 signing name ("acm-pca"); "" when unknown
	Global    bool   // the service is global (IAM, STS, Organizations)
	Operation string // "" when no operation was matched
	// Caller is the authenticated caller; nil when authentication failed.
	Caller    *authz.Caller
	SourceIP  string
	UserAgent string
	Status    int
	// ErrorCode and ErrorMessage are the wire error; "" on success.
	ErrorCode    string
	ErrorMessage string
	// Denial is the authorization decision of a denied call, else nil.
	Denial *authz.Decision
	// Input and Output are the decoded input struct and the operation's
	// output (pointers to the binding's types); nil when not reached.
	Input  any
	Output any
}

// Observer receives every finished call. It runs on the request's
// goroutine after the answer is written, so it must be quick (queue, not
// write). It may keep c: nothing changes it, its input or its output
// afterwards.
type Observer interface {
	ObserveCall(ctx context.Context, c *Call)
}

// observe hands the finished exchange to the configured observer.
func (s *Server) observe(x *exchange, start time.Time) {
	if s.cfg.Observer == nil {
		return
	}
	c := &Call{
		Time:      start,
		Latency:   s.cfg.Clock.Now().Sub(start),
		RequestID: x.id,
		Service:   serviceNameOrEmpty(x.svc),
		Global:    x.svc != nil && x.svc.Global,
		Operation: x.operation,
		Caller:    x.caller,
		SourceIP:  x.sourceIP,
		UserAgent: x.r.UserAgent(),
		Status:    x.w.status,
		Denial:    x.denial,
		Input:     x.input,
		Output:    x.output,
	}
	if x.err != nil {
		c.ErrorCode, c.ErrorMessage = x.err.Code, x.err.Message
	}
	s.cfg.Observer.ObserveCall(context.WithoutCancel(x.r.Context()), c)
}

func serviceNameOrEmpty(svc *Service) string {
	if svc == nil {
		return ""
	}
	return svc.SigningName
}

// noteResult keeps what the observer needs from an operation's result.
func (x *exchange) noteResult(in reflect.Value, out any, err error) {
	x.input = in.Interface()
	x.output = out
	var de *authz.DeniedError
	if errors.As(err, &de) {
		x.denial = de.Decision
	}
}

// Members renders an input or output (a struct or pointer to one) as its
// JSON wire members, names in lowerCamel as CloudTrail shows them: nested
// maps, []any, strings (times RFC 3339), numbers and bools; nil when v is
// nil or not a struct. Absent members are left out. A blob (CSR,
// certificate) is shown as CloudTrail shows it, a buffer's size without
// its content: {"position":n,"limit":n,"capacity":n}.
func Members(v any) map[string]any {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil
		}
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct || rv.Type() == timeType {
		return nil
	}
	return memberStruct(rv)
}

func memberStruct(v reflect.Value) map[string]any {
	fields := infoFor(v.Type()).fields
	m := make(map[string]any, len(fields))
	for _, f := range fields {
		fv := v.FieldByIndex(f.index)
		if jsonOmit(f, fv) || (fv.Kind() == reflect.String && fv.Len() == 0) {
			continue
		}
		m[lowerFirst(f.jsonName)] = memberValue(fv)
	}
	return m
}

func memberValue(v reflect.Value) any {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == timeType {
			return v.Interface().(time.Time).UTC().Format(time.RFC3339)
		}
		return memberStruct(v)
	case reflect.String:
		return v.String()
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			n := v.Len()
			return map[string]any{"position": n, "limit": n, "capacity": n}
		}
		out := make([]any, v.Len())
		for i := range out {
			out[i] = memberValue(v.Index(i))
		}
		return out
	case reflect.Map:
		out := make(map[string]any, v.Len())
		for it := v.MapRange(); it.Next(); {
			out[fmt.Sprint(it.Key().Interface())] = memberValue(it.Value())
		}
		return out
	case reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return v.Interface()
	case reflect.Invalid:
		return nil
	}
	return v.Interface() // numbers, bools
}
