package awsapi

import (
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"

	"github.com/openpca/openpca/internal/authz"
)

// guess is what a request looks like before its signature scope is known.
type guess struct {
	svc   *Service // nil: no registered service
	exact bool     // the request names one of svc's operations
	proto Protocol // the shape early failures answer in
}

// guessService picks the service a request looks like before its signature
// scope is known, so that early failures (no Authorization, an unknown
// service, …) answer in the shape its client parses: a matching
// operation first, then the protocol's marks (X-Amz-Target: awsJson1_1; a
// form or Action: awsQuery; any other path than "/": restJson1, as RAM's
// clients send), else awsJson1_1.
func (s *Server) guessService(r *http.Request) guess {
	if name, _, ok := rpcv2Path(r.URL.Path); ok && isRPCv2(r) {
		for _, svc := range s.ordered {
			if svc.RPCv2CBOR == name {
				return guess{svc: svc, exact: true, proto: rpcv2CBOR}
			}
		}
		return guess{proto: rpcv2CBOR}
	}
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		prefix, _ := splitTarget(target)
		for _, svc := range s.ordered {
			if svc.Protocol == JSON11 && svc.hasPrefix(prefix) {
				return guess{svc: svc, exact: true, proto: JSON11}
			}
		}
		return guess{proto: JSON11}
	}
	key := r.Method + " " + r.URL.Path
	for _, svc := range s.ordered {
		if svc.Protocol == RESTJSON1 {
			if _, ok := svc.Operations[key]; ok {
				return guess{svc: svc, exact: true, proto: RESTJSON1}
			}
		}
	}
	ct := r.Header.Get("Content-Type")
	action, version := r.URL.Query().Get("Action"), ""
	if action == "" && strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		action, version = unsignedFormAction(r)
	}
	if strings.HasPrefix(ct, "application/x-www-form-urlencoded") || action != "" {
		var first *Service
		for _, svc := range s.ordered {
			if svc.Protocol != Query {
				continue
			}
			if _, ok := svc.Operations[action]; ok && (version == "" || version == svc.APIVersion) {
				return guess{svc: svc, exact: true, proto: Query}
			}
			if first == nil {
				first = svc
			}
		}
		// The first Query service lends its namespace to the error body.
		return guess{svc: first, proto: Query}
	}
	if r.URL.Path != "/" && r.URL.Path != "" {
		return guess{proto: RESTJSON1}
	}
	return guess{proto: JSON11}
}

// splitTarget splits X-Amz-Target at its last dot: prefixes may hold dots
// ("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101"), names do not.
func splitTarget(target string) (prefix, name string) {
	i := strings.LastIndexByte(target, '.')
	if i < 0 {
		return target, ""
	}
	return target[:i], target[i+1:]
}

func (svc *Service) hasPrefix(p string) bool {
	return p == svc.TargetPrefix || slices.Contains(svc.TargetAliases, p)
}

func unknownOperation(status int, msg string) *Error {
	return &Error{Code: "UnknownOperationException", Message: msg, Status: status, Sender: true}
}

func (s *Server) serveJSON11(x *exchange, caller *authz.Caller, body []byte) {
	target := x.r.Header.Get("X-Amz-Target")
	// The target names the operation; unsigned, a captured request could
	// be replayed as another operation with the same body.
	if target != "" && !slices.Contains(x.signedHeaders, "x-amz-target") {
		x.fail(protoError(x.proto, failIncomplete, "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization."))
		return
	}
	prefix, name := splitTarget(target)
	op, ok := x.svc.Operations[name]
	if target == "" || !x.svc.hasPrefix(prefix) || !ok {
		x.fail(unknownOperation(http.StatusBadRequest, "Unknown operation: '"+truncate(target)+"'."))
		return
	}
	x.operation = op.Name
	in := reflect.New(op.in)
	if e := decodeJSON(JSON11, body, nil, in); e != nil {
		x.fail(e)
		return
	}
	s.validateAndCall(x, op, caller, in, func(out reflect.Value) { s.writeJSON(x, ctJSON11, out) })
}

func (s *Server) serveREST(x *exchange, caller *authz.Caller, body []byte) {
	key := x.r.Method + " " + x.r.URL.Path
	op, ok := x.svc.Operations[key]
	if !ok {
		x.fail(unknownOperation(http.StatusNotFound, "No operation matches "+truncate(key)+"."))
		return
	}
	x.operation = op.Name
	query, err := url.ParseQuery(x.r.URL.RawQuery)
	if err != nil {
		x.fail(serializationError("Malformed query string."))
		return
	}
	in := reflect.New(op.in)
	if e := decodeJSON(RESTJSON1, body, query, in); e != nil {
		x.fail(e)
		return
	}
	s.validateAndCall(x, op, caller, in, func(out reflect.Value) { s.writeJSON(x, ctREST, out) })
}

func (s *Server) writeJSON(x *exchange, ct string, out reflect.Value) {
	b, err := encodeJSON(out)
	if err != nil {
		s.cfg.Logger.Error("awsapi: encoding output failed", "request_id", x.id, "operation", x.operation, "error", err.Error())
		x.fail(internalError(x.proto))
		return
	}
	writeBody(x.w, ct, b)
}

// queryParamsOf merges the URL query and a form body; a malformed encoding
// answers MalformedQueryString (our choice of code for an unreadable form).
func queryParamsOf(r *http.Request, body []byte) (url.Values, *Error) {
	bad := &Error{Code: "MalformedQueryString", Message: "The request's query string or form body is not correctly URL-encoded.", Status: http.StatusBadRequest, Sender: true}
	values, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, bad
	}
	if len(body) > 0 {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, bad
		}
		for k, vs := range form {
			values[k] = append(values[k], vs...)
		}
	}
	return values, nil
}

func (s *Server) serveQuery(x *exchange, caller *authz.Caller, body []byte) {
	values, e := queryParamsOf(x.r, body)
	if e != nil {
		x.fail(e)
		return
	}
	action := values.Get("Action")
	if action == "" {
		x.fail(&Error{Code: "MissingAction", Message: "Missing Action", Status: http.StatusBadRequest, Sender: true})
		return
	}
	version, hasVersion := values.Get("Version"), values.Has("Version")
	op, ok := x.svc.Operations[action]
	if hasVersion && x.svc.APIVersion != "" && version != x.svc.APIVersion {
		ok = false
	}
	if !ok {
		shown := version
		if !hasVersion {
			shown = "NO_VERSION_SPECIFIED"
		}
		x.fail(&Error{Code: "InvalidAction", Message: "Could not find operation " + truncate(action) + " for version " + truncate(shown),
			Status: http.StatusBadRequest, Sender: true})
		return
	}
	x.operation = op.Name
	in := reflect.New(op.in)
	if errs := decodeQuery(values, in); len(errs) > 0 {
		x.fail(validationError(Query, errs))
		return
	}
	name := op.Name
	if name == "" {
		name = action
	}
	s.validateAndCall(x, op, caller, in, func(out reflect.Value) {
		writeBody(x.w, ctXML, encodeQueryResponse(name, x.svc.XMLNamespace, x.id, out))
	})
}

func (s *Server) validateAndCall(x *exchange, op Operation, caller *authz.Caller, in reflect.Value, encode func(reflect.Value)) {
	if c := validateDetailed(x.proto, in.Elem()); len(c.msgs) > 0 {
		if x.svc.MapValidation != nil {
			if e := x.svc.MapValidation(c.vs); e != nil {
				x.fail(e)
				return
			}
		}
		x.fail(validationError(x.proto, c.msgs))
		return
	}
	s.call(x, op, caller, in, encode)
}
