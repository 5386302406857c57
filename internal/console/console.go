// Package console is OpenPCA's web management console: sign-in with IAM
// login profiles, server-rendered pages over plain forms, and sessions kept
// in the database. Every page action calls the domain services as the
// signed-in principal, so authorization and its messages are the API's.
package console

import (
	"context"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/openpca/openpca/internal/acm"
	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/awsapi"
	"github.com/openpca/openpca/internal/awsapi/acmapi"
	"github.com/openpca/openpca/internal/awsapi/iamapi"
	"github.com/openpca/openpca/internal/awsapi/orgapi"
	"github.com/openpca/openpca/internal/awsapi/ramapi"
	"github.com/openpca/openpca/internal/clock"
	"github.com/openpca/openpca/internal/iam"
	"github.com/openpca/openpca/internal/org"
	"github.com/openpca/openpca/internal/pca"
	"github.com/openpca/openpca/internal/ram"
	"github.com/openpca/openpca/internal/store"
)

// Prefix is where the console is mounted.
const Prefix = "/console/"

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Config is what the console needs.
type Config struct {
	DB       *store.DB
	IAM      *iam.Service
	IAMStore *iam.Store
	Org      *org.Service
	PCA      *pca.Service
	ACM      *acm.Service
	RAM      *ram.Service
	Clock    clock.Clock
	Logger   *slog.Logger
	// Region is the region the console's calls are scoped to.
	Region string
	// IdleTimeout and MaxAge bound a session (defaults 1 h and 12 h, as
	// AWS's console sessions).
	IdleTimeout time.Duration
	MaxAge      time.Duration
}

// Console serves the pages.
type Console struct {
	cfg      Config
	sessions sessionStore
	pages    map[string]*template.Template
	mux      *http.ServeMux
}

// New builds the console.
func New(cfg Config) (*Console, error) {
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = time.Hour
	}
	if cfg.MaxAge == 0 {
		cfg.MaxAge = 12 * time.Hour
	}
	c := &Console{cfg: cfg, sessions: sessionStore{cfg.DB}, mux: http.NewServeMux()}
	if err := c.parseTemplates(); err != nil {
		return nil, err
	}
	c.routes()
	return c, nil
}

func (c *Console) parseTemplates() error {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return err
	}
	c.pages = map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return err
		}
		c.pages[base] = t
	}
	return nil
}

// ServeHTTP adds the security headers every answer carries.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	c.mux.ServeHTTP(w, r)
}

func (c *Console) routes() {
	static, _ := fs.Sub(staticFS, "static")
	c.mux.Handle("GET /console/static/", http.StripPrefix("/console/static/", staticHandler(static)))
	c.mux.HandleFunc("GET /console/{$}", c.page(c.home))
	c.mux.HandleFunc("GET /console", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, Prefix, http.StatusSeeOther)
	})
	c.mux.HandleFunc("GET /console/signin", c.signinForm)
	c.mux.HandleFunc("POST /console/signin", c.signin)
	c.mux.HandleFunc("POST /console/signout", c.actionAllowReset(c.signout))
	c.mux.HandleFunc("GET /console/password", c.pageAllowReset(c.passwordForm))
	c.mux.HandleFunc("POST /console/password", c.actionAllowReset(c.changePassword))
	c.mux.HandleFunc("GET /console/switchrole", c.page(c.switchRoleForm))
	c.mux.HandleFunc("POST /console/switchrole", c.action(c.switchRole))
	c.mux.HandleFunc("POST /console/switchback", c.action(c.switchBack))
	c.pcaRoutes()
	c.acmRoutes()
	c.iamRoutes()
	c.orgRoutes()
	c.ramRoutes()
}

// staticHandler serves the embedded assets without directory listings.
func staticHandler(root fs.FS) http.Handler {
	files := http.FileServerFS(root)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "" || strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	})
}

// navItem is one entry of the side navigation.
type navItem struct {
	Key, Title, Href string
}

// navItems is the service navigation.
var navItems = []navItem{
	{"pca", "Private CA", "/console/pca"},
	{"ram", "Resource Access Manager", "/console/ram"},
	{"acm", "Certificate Manager", "/console/acm"},
	{"iam", "IAM", "/console/iam"},
	{"org", "Organizations", "/console/org"},
}

// view is what every page template receives.
type view struct {
	Title   string
	Nav     string
	NavList []navItem
	S       *session
	CSRF    string
	Flash   string
	Error   *pageError
	Data    any
	// Refresh, when set, reloads the page after that many seconds (a
	// resource still being created), without script.
	Refresh int
}

// pageError is a failure shown on the page in AWS's words.
type pageError struct {
	Code    string
	Message string
}

func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, name string, v *view) {
	t, ok := c.pages[name]
	if !ok {
		http.Error(w, "no such page", http.StatusInternalServerError)
		return
	}
	v.NavList = navItems
	s := sessionFrom(r.Context())
	if s != nil {
		v.S, v.CSRF = s, s.row.CSRF
	}
	if v.Flash == "" {
		v.Flash = flash(r, s)
	}
	var buf strings.Builder
	if err := t.Execute(&buf, v); err != nil {
		c.cfg.Logger.Error("console: render", "page", name, "error", err.Error())
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(buf.String()))
}

// awsError turns a service error into the code and message the API would
// answer, and the HTTP status to show the page with. svc picks the code of
// an access denial, which differs per service.
func (c *Console) awsError(svc string, err error) (*pageError, int) {
	var de *authz.DeniedError
	if errors.As(err, &de) {
		code := "AccessDeniedException"
		if svc == "iam" || svc == "sts" {
			code = "AccessDenied"
		}
		return &pageError{Code: code, Message: de.Error()}, http.StatusForbidden
	}
	var ae *awsapi.Error
	if errors.As(err, &ae) {
		return &pageError{Code: ae.Code, Message: ae.Message}, ae.Status
	}
	var ve validationErr
	if errors.As(err, &ve) {
		return &pageError{Code: "ValidationError", Message: string(ve)}, http.StatusBadRequest
	}
	var e *awsapi.Error
	switch svc {
	case "iam", "sts":
		e = iamapi.MapError(err)
	case "org":
		e = orgapi.MapError(err)
	case "ram":
		// RAM pages also call acm-pca (the CA pickers).
		if e = ramapi.MapError(err); e == nil {
			e = acmapi.MapError(err)
		}
	default:
		e = acmapi.MapError(err) // acm, and acm-pca through it
	}
	if e != nil {
		st := e.Status
		if st == 0 {
			st = http.StatusBadRequest
		}
		return &pageError{Code: e.Code, Message: e.Message}, st
	}
	c.cfg.Logger.Error("console: operation failed", "service", svc, "error", err.Error())
	return &pageError{Code: "InternalFailure", Message: "The request processing has failed because of an unknown error."}, http.StatusInternalServerError
}

// caller builds the authz.Caller the API would build for this session.
func (c *Console) caller(r *http.Request, s *session) *authz.Caller {
	return &authz.Caller{
		Principal:       s.principal,
		AccessKeyID:     s.row.RoleKeyID,
		SourceIP:        clientIP(r),
		SecureTransport: r.TLS != nil,
		Region:          c.cfg.Region,
	}
}

// valid checks a form's input struct against the API's model constraints
// (lengths, patterns, enums), which the API checks before the service
// sees a request: the console must refuse what the API refuses, in the
// same words.
func valid(svc string, in any) error {
	p := awsapi.JSON11
	if svc == "iam" || svc == "sts" {
		p = awsapi.Query
	}
	if e := awsapi.ValidateInput(p, in); e != nil {
		return e
	}
	return nil
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (c *Console) ctx(r *http.Request) context.Context { return r.Context() }
