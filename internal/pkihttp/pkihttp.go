// Package pkihttp serves what relying parties and auditors fetch over plain
// HTTP: CRLs, the OCSP responder and audit-report downloads. It only
// decodes, calls internal/pca and renders.
//
// Routes (matched before any ServeMux: OCSP GET paths carry base64, which
// may contain "//", and ServeMux would answer those with a redirect):
//
//	GET  /ocsp/<url-encoded base64 DER>   OCSP, RFC 6960 Appendix A / RFC 5019 §5
//	POST /ocsp                            OCSP, body application/ocsp-request
//	POST / (Content-Type application/ocsp-request) and GET /<base64>
//	                                      OCSP at a CA's OcspCustomCname root
//	GET  <path>/<ca-id>.crl               the CA's DER CRL at the path its
//	                                      CDP names (/crl, or CustomPath)
//	GET  /audit/<bucket>/<S3Key>          an audit report, for SigV4-signed
//	                                      callers allowed DescribeCertificateAuthorityAuditReport
//
// Everything else goes to the next handler.
//
// Audit downloads are authenticated with a SigV4 Authorization header
// (service "acm-pca" or "s3", any region), e.g.
// curl --aws-sigv4 "aws:amz:us-east-1:acm-pca" --user "$AKID:$SECRET" \
// -H "x-amz-security-token: $TOKEN" URL. Presigned query strings are not
// accepted: internal/sigv4 verifies the header form only.
package pkihttp

import (
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/awsapi"
	"github.com/openpca/openpca/internal/clock"
	"github.com/openpca/openpca/internal/pca"
	"github.com/openpca/openpca/internal/pki"
	"github.com/openpca/openpca/internal/sigv4"
)

// maxOCSPRequest bounds an OCSP request body (a request is ~100 bytes).
const maxOCSPRequest = 16 << 10

// Config is what the handler needs.
type Config struct {
	PCA *pca.Service
	// Credentials resolves access keys for audit downloads; nil refuses
	// every download.
	Credentials awsapi.CredentialStore
	Clock       clock.Clock  // clock.Real when nil
	Logger      *slog.Logger // slog.Default when nil
}

// Handler serves CRLs, OCSP and audit downloads and passes other requests on.
type Handler struct {
	cfg      Config
	next     http.Handler
	verifier *sigv4.Verifier
}

// New returns the handler; next receives every request it does not serve.
func New(cfg Config, next http.Handler) *Handler {
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if next == nil {
		next = http.NotFoundHandler()
	}
	return &Handler{cfg: cfg, next: next, verifier: &sigv4.Verifier{Clock: cfg.Clock}}
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw := r.URL.EscapedPath()
	get := r.Method == http.MethodGet || r.Method == http.MethodHead
	switch {
	case raw == "/ocsp" || raw == "/ocsp/":
		if r.Method == http.MethodPost {
			h.ocspPost(w, r)
		} else if get {
			h.ocspAnswer(w, r, pki.OCSPMalformedRequest, nil)
		} else {
			methodNotAllowed(w, "GET, POST")
		}
	case strings.HasPrefix(raw, "/ocsp/"):
		if !get {
			methodNotAllowed(w, "GET")
			return
		}
		h.ocspGet(w, r, strings.TrimPrefix(raw, "/ocsp/"))
	case raw == "/" && r.Method == http.MethodPost && isOCSPRequest(r):
		h.ocspPost(w, r)
	case get && rootOCSP(raw):
		h.ocspGet(w, r, strings.TrimPrefix(raw, "/"))
	case get && strings.HasSuffix(r.URL.Path, ".crl"):
		h.crl(w, r)
	case get && strings.HasPrefix(r.URL.Path, "/audit/"):
		h.audit(w, r)
	default:
		h.next.ServeHTTP(w, r)
	}
}

// rootOCSP recognizes an OCSP GET at the root of an OcspCustomCname: a DER
// SEQUENCE starts with 0x30, which base64 spells "M", and the rest must
// parse as an OCSP request (anything else belongs to the next handler).
func rootOCSP(raw string) bool {
	if !strings.HasPrefix(raw, "/M") || len(raw) < 16 {
		return false
	}
	der, ok := decodeOCSPPath(raw[1:])
	if !ok {
		return false
	}
	_, err := pki.ParseOCSPRequest(der)
	return err == nil
}

func isOCSPRequest(r *http.Request) bool {
	ct, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";")
	return strings.EqualFold(strings.TrimSpace(ct), "application/ocsp-request")
}

func methodNotAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
}

func (h *Handler) ocspPost(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxOCSPRequest+1))
	if err != nil || len(body) > maxOCSPRequest {
		h.ocspAnswer(w, r, pki.OCSPMalformedRequest, nil)
		return
	}
	ans := h.cfg.PCA.OCSP(r.Context(), body)
	h.ocspAnswer(w, r, ans.DER, ans)
}

// ocspGet decodes the URL-encoded base64 request. Clients differ: some
// escape '/', '+' and '=', some do not, some drop the padding or use the
// URL-safe alphabet; all are accepted.
func (h *Handler) ocspGet(w http.ResponseWriter, r *http.Request, enc string) {
	der, ok := decodeOCSPPath(enc)
	if !ok {
		h.ocspAnswer(w, r, pki.OCSPMalformedRequest, nil)
		return
	}
	ans := h.cfg.PCA.OCSP(r.Context(), der)
	h.ocspAnswer(w, r, ans.DER, ans)
}

func decodeOCSPPath(enc string) ([]byte, bool) {
	if len(enc) > 2*maxOCSPRequest {
		return nil, false
	}
	s, err := url.PathUnescape(enc)
	if err != nil {
		return nil, false
	}
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "-_") {
		s = strings.NewReplacer("-", "+", "_", "/").Replace(s)
	}
	der, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil || len(der) == 0 {
		return nil, false
	}
	return der, true
}

// ocspAnswer writes an OCSP response. Successful GET answers carry the
// RFC 5019 §6.2 caching headers, valid until nextUpdate.
func (h *Handler) ocspAnswer(w http.ResponseWriter, r *http.Request, der []byte, ans *pca.OCSPAnswer) {
	hd := w.Header()
	hd.Set("Content-Type", "application/ocsp-response")
	hd.Set("Content-Length", strconv.Itoa(len(der)))
	if ans != nil && ans.Successful && r.Method != http.MethodPost {
		maxAge := int(ans.NextUpdate.Sub(h.cfg.Clock.Now()) / time.Second)
		if maxAge < 0 {
			maxAge = 0
		}
		hd.Set("Cache-Control", "max-age="+strconv.Itoa(maxAge)+", public, no-transform, must-revalidate")
		hd.Set("Last-Modified", ans.ThisUpdate.UTC().Format(http.TimeFormat))
		hd.Set("Expires", ans.NextUpdate.UTC().Format(http.TimeFormat))
	} else {
		hd.Set("Cache-Control", "no-cache")
	}
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(der)
	}
}

func (h *Handler) crl(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	id := strings.TrimSuffix(path.Base(p), ".crl")
	der, err := h.cfg.PCA.CRL(r.Context(), id, p)
	if err != nil {
		if errors.Is(err, pca.ErrNotFound) {
			http.NotFound(w, r)
			return
		}
		h.cfg.Logger.Error("pkihttp: CRL failed", "path", p, "error", err.Error())
		http.Error(w, "the CRL could not be produced; retry later", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "application/pkix-crl")
	hd.Set("Content-Length", strconv.Itoa(len(der)))
	hd.Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(der)
	}
}

// audit serves /audit/<bucket>/<key> to a SigV4-authenticated caller.
func (h *Handler) audit(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/audit/")
	bucket, key, ok := strings.Cut(rest, "/")
	if !ok || bucket == "" || key == "" {
		http.NotFound(w, r)
		return
	}
	caller, status, msg := h.authenticate(r)
	if caller == nil {
		http.Error(w, msg, status)
		return
	}
	body, ctype, err := h.cfg.PCA.AuditReportObject(r.Context(), caller, bucket, key)
	var denied *authz.DeniedError
	switch {
	case errors.As(err, &denied):
		http.Error(w, denied.Error(), http.StatusForbidden)
		return
	case errors.Is(err, pca.ErrNotFound):
		http.NotFound(w, r)
		return
	case err != nil:
		h.cfg.Logger.Error("pkihttp: audit download failed", "bucket", bucket, "key", key, "error", err.Error())
		http.Error(w, "the report could not be read; retry later", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", ctype)
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	hd.Set("Cache-Control", "private, no-store")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// authenticate verifies the request's SigV4 header signature; on failure
// it returns the HTTP status and message to answer.
func (h *Handler) authenticate(r *http.Request) (*authz.Caller, int, string) {
	if h.cfg.Credentials == nil {
		return nil, http.StatusForbidden, "audit downloads are not enabled on this server"
	}
	hdr := r.Header.Get("Authorization")
	if hdr == "" {
		return nil, http.StatusForbidden, "Missing Authentication Token: sign the request with SigV4"
	}
	auth, err := sigv4.ParseAuthorization(hdr)
	if err != nil {
		return nil, http.StatusBadRequest, err.Error()
	}
	if auth.Service != "acm-pca" && auth.Service != "s3" {
		return nil, http.StatusForbidden, "Credential should be scoped to the acm-pca or s3 service."
	}
	var cred *awsapi.Credential
	lookup := func(akid string) (*sigv4.Secret, error) {
		c, err := h.cfg.Credentials.LookupCredential(r.Context(), akid)
		if err != nil || c == nil {
			return nil, err
		}
		cred = c
		return &sigv4.Secret{SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken}, nil
	}
	if err := h.verifier.Verify(r, nil, auth, lookup); err != nil {
		var se *sigv4.Error
		if !errors.As(err, &se) {
			h.cfg.Logger.Error("pkihttp: credential lookup failed", "error", err.Error())
			return nil, http.StatusInternalServerError, "internal error"
		}
		return nil, http.StatusForbidden, se.Msg
	}
	if cred == nil {
		return nil, http.StatusForbidden, "the request was not authenticated"
	}
	if !cred.Expiration.IsZero() && !h.cfg.Clock.Now().Before(cred.Expiration) {
		return nil, http.StatusForbidden, "The security token included in the request is expired"
	}
	return &authz.Caller{Principal: cred.Principal, AccessKeyID: auth.AccessKeyID, SourceIP: sourceIP(r),
		SecureTransport: r.TLS != nil}, 0, ""
}

func sourceIP(r *http.Request) string {
	host := r.RemoteAddr
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	return strings.Trim(host, "[]")
}
