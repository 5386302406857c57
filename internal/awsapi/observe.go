package awsapi

import (
	"context"
	"encoding/json"
	"errors"
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
// write).
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
// JSON wire members; nil when v is nil or not a struct.
func Members(v any) map[string]any {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil
		}
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return nil
	}
	b, err := encodeJSON(rv)
	if err != nil {
		return nil
	}
	var m map[string]any
	if json.Unmarshal(b, &m) != nil {
		return nil
	}
	return m
}
