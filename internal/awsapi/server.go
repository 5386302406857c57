package awsapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"reflect"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/clock"
	"github.com/openpca/openpca/internal/regions"
	"github.com/openpca/openpca/internal/sigv4"
)

// DefaultMaxBodyBytes leaves room for a 2 MiB PEM chain base64-encoded in
// JSON (~2.8 MB) with margin; AWS needs at least 4 MiB (reference §1.7).
const DefaultMaxBodyBytes = 5 << 20

// Config tunes the edge. Zero values take the defaults.
type Config struct {
	// Region is the default region (profiles, internal callers);
	// "us-east-1" when empty.
	Region string
	// Regions are the regions served: a request's credential scope must
	// name one of them (or one of its service's own Regions). The zero
	// Set serves every region of every partition.
	Regions      regions.Set
	Clock        clock.Clock  // clock.Real when nil
	Logger       *slog.Logger // slog.Default() when nil
	MaxBodyBytes int64        // DefaultMaxBodyBytes when zero
	// MaxSkew is the SigV4 clock-skew allowance; sigv4.DefaultMaxSkew when zero.
	MaxSkew time.Duration
	// MaxPendingBodyBytes bounds the body bytes held, across all
	// connections, before their signature is verified;
	// DefaultMaxPendingBodyBytes when zero.
	MaxPendingBodyBytes int64
	// RateLimit is the steady request rate allowed per account per second
	// (0 disables); RateBurst the bucket size (RateLimit, rounded up, when 0).
	RateLimit float64
	RateBurst int
	// Observer, when set, sees every finished call (trail, metrics).
	Observer Observer
}

// Server is the AWS API edge: an http.Handler that authenticates, routes,
// decodes, calls and encodes.
type Server struct {
	cfg      Config
	creds    CredentialStore
	verifier *sigv4.Verifier
	services map[string]*Service // by SigningName
	ordered  []*Service          // registration order, for guessing a protocol
	budget   bodyBudget
	limiter  *rateLimiter // nil: no rate limit
}

// New builds a Server. It panics on a programming error in the bindings
// (duplicate signing names, malformed tags, non-struct inputs) so that a
// bad binding stops start-up instead of failing requests.
func New(cfg Config, creds CredentialStore, services ...*Service) *Server {
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.MaxSkew <= 0 {
		cfg.MaxSkew = sigv4.DefaultMaxSkew
	}
	if cfg.MaxPendingBodyBytes <= 0 {
		cfg.MaxPendingBodyBytes = DefaultMaxPendingBodyBytes
	}
	s := &Server{
		cfg:      cfg,
		creds:    creds,
		verifier: &sigv4.Verifier{Clock: cfg.Clock, MaxSkew: cfg.MaxSkew},
		services: map[string]*Service{},
		budget:   bodyBudget{limit: cfg.MaxPendingBodyBytes},
		limiter:  newRateLimiter(cfg.RateLimit, cfg.RateBurst),
	}
	for _, svc := range services {
		if svc.SigningName == "" {
			panic("awsapi: service without SigningName")
		}
		if _, dup := s.services[svc.SigningName]; dup {
			panic("awsapi: duplicate service " + svc.SigningName)
		}
		for key, op := range svc.Operations {
			if op.in == nil || op.call == nil {
				panic(fmt.Sprintf("awsapi: %s operation %q not built with Op", svc.SigningName, key))
			}
			if op.in.Kind() != reflect.Struct {
				panic(fmt.Sprintf("awsapi: %s %s: input %v is not a struct", svc.SigningName, key, op.in))
			}
			checkInputType(op.in, map[reflect.Type]bool{})
		}
		if svc.RPCv2CBOR != "" && svc.Protocol == RESTJSON1 {
			panic("awsapi: " + svc.SigningName + ": rpcv2Cbor needs operations keyed by name, not a restJson1 service")
		}
		s.services[svc.SigningName] = svc
		s.ordered = append(s.ordered, svc)
	}
	return s
}

type ctxKey struct{}

// RequestID returns the request ID the edge assigned to ctx's request
// (for audit records), or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

// exchange is one request's state as it moves through the edge.
type exchange struct {
	id        string
	w         *statusWriter
	r         *http.Request
	svc       *Service
	proto     Protocol
	ns        string // Query namespace for error bodies
	rpcv2     bool   // the request declared Smithy-Protocol: rpc-v2-cbor
	operation string
	principal string
	sourceIP  string
	// signedHeaders are the lower-case headers the signature covers.
	signedHeaders []string
	bodyRead      bool
	// What the Observer sees.
	caller        *authz.Caller
	err           *Error
	denial        *authz.Decision
	input, output any
}

func (x *exchange) fail(e *Error) {
	x.err = e
	unread := !x.bodyRead && x.r.ContentLength != 0 && x.r.Body != nil && x.r.Body != http.NoBody
	if unread {
		// Answered without reading the body: close the connection rather
		// than let net/http wait to drain a body that may never come
		// (it would, before answering, for bodies under 256 KiB).
		x.w.Header().Set("Connection", "close")
	}
	writeError(x.w, x.proto, x.ns, x.id, e)
	if unread {
		// net/http still discards up to 256 KiB of the body after the
		// answer; an expired read deadline ends that at once.
		_ = http.NewResponseController(x.w).SetReadDeadline(time.Unix(1, 0))
	}
}

// statusWriter remembers the status for the access log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// ServeHTTP handles one AWS API request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := s.cfg.Clock.Now()
	x := &exchange{
		id:        uuid.NewString(),
		w:         &statusWriter{ResponseWriter: w},
		principal: "-",
		sourceIP:  hostOf(r.RemoteAddr),
	}
	x.r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, x.id))
	h := w.Header()
	// Exact AWS spelling; clients read headers case-insensitively.
	h["x-amzn-RequestId"] = []string{x.id}
	h.Set("Date", start.UTC().Format(http.TimeFormat))
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.cfg.Logger.Error("awsapi: handler panic", "request_id", x.id, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			if x.w.status == 0 {
				x.fail(internalError(x.proto))
			}
		}
		s.cfg.Logger.Info("aws request",
			"request_id", x.id,
			"principal", x.principal,
			"service", serviceName(x.svc),
			"operation", orDash(x.operation),
			"status", x.w.status,
			"latency_ms", s.cfg.Clock.Now().Sub(start).Milliseconds(),
			"source_ip", x.sourceIP,
		)
		s.observe(x, start)
	}()
	s.serve(x)
}

func serviceName(svc *Service) string {
	if svc == nil {
		return "-"
	}
	return svc.SigningName
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func hostOf(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}

func (s *Server) serve(x *exchange) {
	r := x.r
	// Until the scope names a service, answer in the protocol the request
	// looks like; an rpcv2Cbor request is answered in CBOR throughout.
	x.rpcv2 = isRPCv2(r)
	g := s.guessService(r)
	x.setService(g.svc)
	if g.svc == nil && !x.rpcv2 {
		x.proto = g.proto
	}

	header := r.Header.Get("Authorization")
	if header == "" {
		x.fail(protoError(x.proto, failMissingAuth, msgMissingAuth))
		return
	}
	auth, err := sigv4.ParseAuthorization(header)
	if auth != nil {
		x.signedHeaders = auth.SignedHeaders
	}
	if err != nil {
		var se *sigv4.Error
		if errors.As(err, &se) && se.Kind != sigv4.IncompleteSignature {
			x.fail(sigv4Error(x.proto, se))
			return
		}
		x.fail(protoError(x.proto, failIncomplete, err.Error()))
		return
	}
	svc := s.services[auth.Service]
	if svc == nil {
		if g.exact {
			// A request for a served service, signed for another one.
			x.fail(protoError(x.proto, failSignature, "Credential should be scoped to correct service: '"+g.svc.SigningName+"'."))
			return
		}
		x.fail(s.notOffered(auth.Service))
		return
	}
	x.setService(svc)
	if !s.regionOK(svc, auth.Region) {
		x.fail(protoError(x.proto, failSignature, "Credential should be scoped to a valid region, not '"+auth.Region+"'."))
		return
	}

	// Everything the headers allow is checked before a byte of the body is
	// read: an anonymous sender cannot make the server hold its body.
	cred, secret, ok := s.precheck(x, auth)
	if !ok {
		return
	}
	body, ok := s.readVerified(x, auth, secret)
	if !ok {
		return
	}
	caller, ok := s.caller(x, auth, cred)
	if !ok {
		return
	}
	x.principal = orDash(caller.ARN)
	x.caller = caller
	if !s.limiter.allow(caller.AccountID, s.cfg.Clock.Now()) {
		x.fail(protoError(x.proto, failThrottled, msgThrottled))
		return
	}

	switch {
	case x.rpcv2:
		s.serveRPCv2(x, caller, body)
	case svc.Protocol == Query:
		s.serveQuery(x, caller, body)
	case svc.Protocol == RESTJSON1:
		s.serveREST(x, caller, body)
	default:
		s.serveJSON11(x, caller, body)
	}
}

func (x *exchange) setService(svc *Service) {
	x.svc = svc
	if svc != nil {
		x.proto = svc.Protocol
		x.ns = svc.XMLNamespace
	}
	if x.rpcv2 {
		x.proto = rpcv2CBOR
	}
}

// regionOK accepts a scope region the server serves, or one the service
// names itself (IAM's us-east-1 even when --regions leaves it out).
func (s *Server) regionOK(svc *Service, region string) bool {
	return s.cfg.Regions.Serves(region) || slices.Contains(svc.Regions, region)
}

// notOffered answers a request whose scope names a service this build
// does not serve: a plain statement, not a signature error, so that a user
// pointing e.g. `aws s3` at OpenPCA learns what is wrong. 501 is not
// retried by the SDKs.
func (s *Server) notOffered(service string) *Error {
	names := make([]string, 0, len(s.services))
	for name := range s.services {
		names = append(names, name)
	}
	slices.Sort(names)
	return &Error{Code: "NotImplemented", Status: http.StatusNotImplemented,
		Message: "The service '" + truncate(service) + "' is not offered by this OpenPCA server; it offers " + strings.Join(names, ", ") + "."}
}

// readVerified reads the body within the pre-authentication budget and
// verifies the signature over it; on failure it has already answered.
func (s *Server) readVerified(x *exchange, auth *sigv4.Authorization, secret *sigv4.Secret) ([]byte, bool) {
	r := x.r
	limit := s.cfg.MaxBodyBytes
	if r.ContentLength > limit {
		x.fail(protoError(x.proto, failTooLarge, fmt.Sprintf("Request body exceeds the maximum size of %d bytes.", limit)))
		return nil, false
	}
	var body []byte
	if r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0 {
		// A chunked body of unknown length reserves the maximum.
		reserve := r.ContentLength
		if reserve < 0 {
			reserve = limit
		}
		if !s.budget.acquire(reserve) {
			x.fail(protoError(x.proto, failUnavailable, msgUnavailable))
			return nil, false
		}
		defer s.budget.release(reserve)
		var err error
		body, err = readLimited(x.w, r, limit)
		x.bodyRead = true
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			x.fail(protoError(x.proto, failTooLarge, fmt.Sprintf("Request body exceeds the maximum size of %d bytes.", limit)))
			return nil, false
		case err != nil:
			x.fail(&Error{Code: "IncompleteBody", Message: "The request body could not be read.", Status: http.StatusBadRequest, Sender: true})
			return nil, false
		}
	}
	x.bodyRead = true
	if err := s.verifier.VerifyPayload(r, body, auth, secret); err != nil {
		s.authFailed(x, err, nil)
		return nil, false
	}
	return body, true
}

// readLimited reads at most limit bytes; a declared length is read into one
// buffer of that size, a chunked body grows up to limit and is cut off by
// http.MaxBytesReader, which also closes the connection.
func readLimited(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	rd := http.MaxBytesReader(w, r.Body, limit)
	if r.ContentLength > 0 {
		body := make([]byte, r.ContentLength)
		if _, err := io.ReadFull(rd, body); err != nil {
			return nil, err
		}
		return body, nil
	}
	return io.ReadAll(rd)
}

// precheck checks the request's date, scope and access key before the body
// is read; on failure it has already answered.
func (s *Server) precheck(x *exchange, auth *sigv4.Authorization) (*Credential, *sigv4.Secret, bool) {
	var cred *Credential
	var lookupErr error
	lookup := func(akid string) (*sigv4.Secret, error) {
		cred, lookupErr = s.creds.LookupCredential(x.r.Context(), akid)
		if lookupErr != nil || cred == nil {
			return nil, lookupErr
		}
		return &sigv4.Secret{SecretAccessKey: cred.SecretAccessKey, SessionToken: cred.SessionToken}, nil
	}
	secret, err := s.verifier.Precheck(x.r, auth, lookup)
	if err != nil || lookupErr != nil {
		s.authFailed(x, err, lookupErr)
		return nil, nil, false
	}
	if cred == nil || secret == nil {
		// Precheck accepted without consulting the store: never trust that.
		s.cfg.Logger.Error("awsapi: verifier accepted a request without a credential", "request_id", x.id)
		x.fail(internalError(x.proto))
		return nil, nil, false
	}
	return cred, secret, true
}

// authFailed answers a verification failure.
func (s *Server) authFailed(x *exchange, err, lookupErr error) {
	if lookupErr != nil {
		s.cfg.Logger.Error("awsapi: credential lookup failed", "request_id", x.id, "error", lookupErr.Error())
		x.fail(internalError(x.proto))
		return
	}
	var se *sigv4.Error
	if !errors.As(err, &se) {
		s.cfg.Logger.Error("awsapi: signature verification failed", "request_id", x.id, "error", err.Error())
		x.fail(internalError(x.proto))
		return
	}
	x.fail(sigv4Error(x.proto, se))
}

// caller turns a verified credential into the authz caller; on failure it
// has already answered.
func (s *Server) caller(x *exchange, auth *sigv4.Authorization, cred *Credential) (*authz.Caller, bool) {
	// Checked after the signature so that expiry is only revealed to the
	// holder of the secret.
	if !cred.Expiration.IsZero() && !s.cfg.Clock.Now().Before(cred.Expiration) {
		x.fail(protoError(x.proto, failExpiredToken, msgExpiredToken))
		return nil, false
	}
	return &authz.Caller{
		Principal:       cred.Principal,
		AccessKeyID:     auth.AccessKeyID,
		SourceIP:        x.sourceIP,
		SecureTransport: x.r.TLS != nil,
		Region:          auth.Region,
	}, true
}

// call runs the operation and answers either its output (via encode) or
// its error.
func (s *Server) call(x *exchange, op Operation, caller *authz.Caller, in reflect.Value,
	encode func(out reflect.Value)) {
	out, err := op.call(x.r.Context(), caller, in.Interface())
	x.noteResult(in, out, err)
	if err != nil {
		e, internal := mapDomainError(x.svc, x.proto, err)
		if internal {
			s.cfg.Logger.Error("awsapi: operation failed", "request_id", x.id,
				"service", x.svc.SigningName, "operation", op.Name, "error", err.Error())
		}
		x.fail(e)
		return
	}
	ov := reflect.ValueOf(out)
	if ov.Kind() == reflect.Pointer {
		if ov.IsNil() {
			ov = reflect.New(ov.Type().Elem())
		}
		ov = ov.Elem()
	}
	encode(ov)
}

func writeBody(w http.ResponseWriter, ct string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}
