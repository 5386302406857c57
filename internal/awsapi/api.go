// Package awsapi is the transport edge: it speaks the AWS wire protocols
// (awsJson1_1, restJson1, awsQuery, and Smithy rpcv2Cbor as a second wire of
// a JSON service), authenticates every request with SigV4, routes it to an
// operation by the credential scope's service and then X-Amz-Target / path /
// Action, decodes the input, calls the domain service, and encodes the output
// or the AWS error. It never touches the database and never decides
// authorization.
//
// CONTRACT (fixed; per-service bindings such as internal/awsapi/iamapi are
// written against it).
package awsapi

import (
	"context"
	"reflect"
	"time"

	"github.com/openpca/openpca/internal/authz"
)

// Protocol is an AWS wire protocol.
type Protocol int

const (
	JSON11    Protocol = iota // awsJson1_1: POST /, X-Amz-Target: Prefix.Op
	RESTJSON1                 // restJson1: method + path per operation
	Query                     // awsQuery: form Action=Op&Version=V, XML responses

	// rpcv2CBOR is Smithy RPC v2 CBOR, never a Service's main protocol:
	// a service accepts it besides its own when Service.RPCv2CBOR is set.
	rpcv2CBOR
)

// Service is one AWS service's wire binding.
type Service struct {
	// SigningName is the SigV4 credential-scope service ("iam", "sts", "acm-pca").
	SigningName string
	Protocol    Protocol
	// TargetPrefix is the X-Amz-Target prefix for JSON11 ("ACMPrivateCA").
	TargetPrefix string
	// TargetAliases are further accepted prefixes: CloudTrail's clients
	// send either its namespaced prefix (botocore) or the bare service
	// shape name (smithy-based SDKs).
	TargetAliases []string
	// RPCv2CBOR, when set, is the Smithy service name ("ACMPrivateCA") under
	// which the service also speaks smithy.protocols#rpcv2Cbor:
	// POST /service/{RPCv2CBOR}/operation/{Op}, Smithy-Protocol: rpc-v2-cbor,
	// CBOR bodies with the JSON member names, blobs as byte strings and
	// timestamps as tag 1 epoch seconds. Operations are looked up by name, so
	// it is for JSON11 (and Query) services, not RESTJSON1.
	RPCv2CBOR string
	// XMLNamespace and APIVersion are for Query
	// ("https://iam.amazonaws.com/doc/2010-05-08/", "2010-05-08").
	XMLNamespace string
	APIVersion   string
	// Regions lists credential-scope regions the service accepts besides
	// the server's served regions (IAM: "us-east-1", where its clients
	// sign, even when --regions leaves that region out).
	//
	// Regions are the edge's business, not the service's: the edge accepts
	// a request only when its scope names a served region (else
	// InvalidSignatureException "Credential should be scoped to a valid
	// region") and hands that region to the operation as
	// authz.Caller.Region. A regional service (acm-pca; ram and acm the
	// same way) places new resources in caller.Region, builds their ARNs
	// with regions.PartitionOf(caller.Region), and treats a resource of
	// another region as absent (ResourceNotFoundException); a global one
	// (IAM, STS, Organizations) ignores the region.
	Regions []string
	// Global marks a service whose resources belong to no region (IAM,
	// STS, Organizations). It does not change which scopes are accepted.
	Global bool
	// Operations by name (JSON11, Query) or by "METHOD /path" (RESTJSON1).
	Operations map[string]Operation
	// MapError turns a domain error into the service's AWS error; it returns
	// nil for errors it does not know (authz.DeniedError and others are then
	// handled generically: AccessDenied(Exception), else InternalFailure 500).
	MapError func(err error) *Error
	// MapValidation, when set, answers a request whose input breaks the
	// model's constraints (Organizations models InvalidInputException with
	// a Reason instead of ValidationException); nil keeps the default.
	MapValidation func(vs []Violation) *Error
}

// Error is an AWS error as the wire shows it.
type Error struct {
	Code    string // wire code: "NoSuchEntity", "InvalidStateException"
	Message string
	Status  int // HTTP status
	// Sender is false for server faults (query <Type>Receiver</Type>).
	Sender bool
	// Fields are extra modeled members added to JSON and CBOR error bodies
	// (Organizations "Reason", …).
	Fields map[string]any
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Handler is one operation's typed entry point.
type Handler[In, Out any] func(ctx context.Context, caller *authz.Caller, in *In) (*Out, error)

// Operation is a registered operation; build it with Op.
type Operation struct {
	Name string
	in   reflect.Type // the In struct type
	call func(ctx context.Context, caller *authz.Caller, in any) (any, error)
}

// Op registers a typed handler. Input structs use these tags (model
// constraints, checked by the decoder with AWS's ValidationException /
// ValidationError wording, member paths in lowerCamel):
//
//	json:"name"        member name on JSON wires (restJson1 lowerCamel); Query and
//	                   awsJson1_1 use the Go field name unless `wire:"Name"` is set
//	required:"true"    member must be present
//	min:"1" max:"64"   length for strings/lists/maps, value for numbers
//	pattern:"^…$"      Go regexp a string must match
//	enum:"A,B"         allowed string values
//	location:"querystring=name" (restJson1) member comes from the query string
//
// Output structs: Query/XML uses Go field names (or `wire:"Name"`); slices
// become <Name><member>…</member></Name>, maps <entry><key/><value/></entry>,
// time.Time ISO-8601 UTC, nil pointers and empty strings are omitted;
// `urlencode:"true"` URL-encodes a string (IAM policy documents). JSON uses
// the json tags; time.Time becomes epoch seconds (a JSON number), []byte base64.
// rpcv2Cbor reads and writes the same members as JSON: []byte is a CBOR byte
// string, time.Time a tag-1 epoch-seconds number.
func Op[In, Out any](name string, h Handler[In, Out]) Operation {
	return Operation{
		Name: name,
		in:   reflect.TypeFor[In](),
		call: func(ctx context.Context, caller *authz.Caller, in any) (any, error) {
			out, err := h(ctx, caller, in.(*In))
			if err != nil {
				return nil, err
			}
			return out, nil
		},
	}
}

// Credential is what an access key resolves to.
type Credential struct {
	SecretAccessKey string
	// SessionToken is set for temporary (ASIA…) credentials; the request must
	// carry it in X-Amz-Security-Token, signed.
	SessionToken string
	// Expiration is zero for long-term keys.
	Expiration time.Time
	Principal  authz.Principal
}

// CredentialStore resolves access keys. It returns (nil, nil) for a key that
// does not exist or is inactive.
type CredentialStore interface {
	LookupCredential(ctx context.Context, accessKeyID string) (*Credential, error)
}
