package awsapi

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/sigv4"
)

// Content types of the protocols.
const (
	ctJSON11 = "application/x-amz-json-1.1"
	ctREST   = "application/json"
	ctXML    = "text/xml"
	ctCBOR   = "application/cbor"
)

func contentType(p Protocol) string {
	switch p {
	case RESTJSON1:
		return ctREST
	case Query:
		return ctXML
	case rpcv2CBOR:
		return ctCBOR
	}
	return ctJSON11
}

// authFailure names the edge failures whose code and status differ by
// protocol (reference §1.6).
type authFailure int

const (
	failMissingAuth authFailure = iota
	failIncomplete
	failUnknownKey
	failSignature // mismatch, skew, scope date/region/service
	failExpiredToken
	failAccessDenied
	failTooLarge
	failUnavailable // the pre-authentication body budget is spent
	failThrottled   // the account's request rate is exceeded
)

// authCodes gives, per failure, the code and status for JSON11, RESTJSON1
// and Query in that order; rpcv2Cbor answers like JSON11.
var authCodes = map[authFailure][3]struct {
	code   string
	status int
}{
	failMissingAuth:  {{"MissingAuthenticationTokenException", 400}, {"MissingAuthenticationTokenException", 403}, {"MissingAuthenticationToken", 403}},
	failIncomplete:   {{"IncompleteSignatureException", 400}, {"IncompleteSignatureException", 403}, {"IncompleteSignature", 400}},
	failUnknownKey:   {{"UnrecognizedClientException", 400}, {"UnrecognizedClientException", 403}, {"InvalidClientTokenId", 403}},
	failSignature:    {{"InvalidSignatureException", 400}, {"InvalidSignatureException", 403}, {"SignatureDoesNotMatch", 403}},
	failExpiredToken: {{"ExpiredTokenException", 400}, {"ExpiredTokenException", 403}, {"ExpiredToken", 403}},
	failAccessDenied: {{"AccessDeniedException", 400}, {"AccessDeniedException", 403}, {"AccessDenied", 403}},
	failTooLarge:     {{"RequestEntityTooLargeException", 413}, {"RequestEntityTooLargeException", 413}, {"RequestEntityTooLarge", 413}},
	// AWS's generic 503 (common errors: ServiceUnavailable); RAM models
	// ServiceUnavailableException 503. SDKs retry both.
	failUnavailable: {{"ServiceUnavailableException", 503}, {"ServiceUnavailableException", 503}, {"ServiceUnavailable", 503}},
	// JSON services: ThrottlingException 400; RAM models it 429; IAM/STS
	// answer Throttling 400 "Rate exceeded". SDKs retry all three.
	failThrottled: {{"ThrottlingException", 400}, {"ThrottlingException", 429}, {"Throttling", 400}},
}

func protoError(p Protocol, f authFailure, msg string) *Error {
	i := int(p)
	if p == rpcv2CBOR {
		i = int(JSON11)
	}
	c := authCodes[f][i]
	return &Error{Code: c.code, Message: msg, Status: c.status, Sender: c.status < 500}
}

// AWS's fixed texts for edge failures.
const (
	msgMissingAuth  = "Missing Authentication Token"
	msgUnknownKey   = "The security token included in the request is invalid."
	msgExpiredToken = "The security token included in the request is expired"
	msgInternal     = "We encountered an internal error. Please try again."
	msgUnavailable  = "The request has failed due to a temporary failure of the server."
	msgThrottled    = "Rate exceeded"
)

// sigv4Error maps a verification failure to the protocol's error.
func sigv4Error(p Protocol, e *sigv4.Error) *Error {
	switch e.Kind {
	case sigv4.MissingAuthentication:
		return protoError(p, failMissingAuth, msgMissingAuth)
	case sigv4.IncompleteSignature:
		return protoError(p, failIncomplete, e.Msg)
	case sigv4.UnknownAccessKey:
		return protoError(p, failUnknownKey, msgUnknownKey)
	}
	return protoError(p, failSignature, e.Msg)
}

// internalError is the generic server fault; the real cause is only logged.
func internalError(p Protocol) *Error {
	code := "InternalFailure"
	if p == Query {
		code = "ServiceFailure"
	}
	return &Error{Code: code, Message: msgInternal, Status: http.StatusInternalServerError}
}

// mapDomainError turns a handler's error into the wire error; internal
// reports whether it was an unexpected failure to be logged.
func mapDomainError(svc *Service, p Protocol, err error) (e *Error, internal bool) {
	if svc.MapError != nil {
		if e := svc.MapError(err); e != nil {
			return e, false
		}
	}
	var ae *Error
	if errors.As(err, &ae) {
		return ae, false
	}
	var de *authz.DeniedError
	if errors.As(err, &de) {
		msg := "Access denied"
		if de.Decision != nil && de.Decision.Message != "" {
			msg = de.Decision.Message
		}
		return protoError(p, failAccessDenied, msg), false
	}
	return internalError(p), true
}

// writeError renders e in the protocol's shape. ns is the Query namespace.
func writeError(w http.ResponseWriter, p Protocol, ns, requestID string, e *Error) {
	h := w.Header()
	h.Set("Content-Type", contentType(p))
	var body []byte
	switch p {
	case Query:
		body = queryErrorBody(ns, requestID, e)
	case rpcv2CBOR:
		// The smithy-go client reads only the body's __type; the header
		// is kept for tools that look at headers.
		h.Set(hdrSmithyProtocol, rpcv2CBORName)
		h["X-Amzn-ErrorType"] = []string{e.Code}
		body = cborErrorBody(e)
	default:
		// Both the header and __type: Go SDKs read the header first,
		// botocore's awsJson parser reads only __type (reference §1.2).
		h["X-Amzn-ErrorType"] = []string{e.Code}
		fields := make(map[string]any, len(e.Fields)+2)
		for k, v := range e.Fields {
			fields[k] = v
		}
		fields["__type"] = e.Code
		fields["message"] = e.Message
		var err error
		if body, err = json.Marshal(fields); err != nil {
			body, _ = json.Marshal(map[string]string{"__type": e.Code, "message": e.Message})
		}
	}
	status := e.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	h.Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func queryErrorBody(ns, requestID string, e *Error) []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString("<ErrorResponse")
	if ns != "" {
		b.WriteString(` xmlns="`)
		xmlText(&b, ns)
		b.WriteString(`"`)
	}
	typ := "Receiver"
	// A 4xx is the sender's fault even if a binding forgot Sender.
	if e.Sender || e.Status < 500 {
		typ = "Sender"
	}
	b.WriteString("><Error><Type>" + typ + "</Type><Code>")
	xmlText(&b, e.Code)
	b.WriteString("</Code><Message>")
	xmlText(&b, e.Message)
	b.WriteString("</Message></Error><RequestId>")
	xmlText(&b, requestID)
	b.WriteString("</RequestId></ErrorResponse>")
	return b.Bytes()
}
