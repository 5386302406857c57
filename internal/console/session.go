package console

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/openpca/openpca/internal/authz"
)

const cookieName = "openpca_console"

// maxForm bounds a form body (the largest field is a policy or a PEM).
const maxForm = 1 << 20

// session is a signed-in browser: the IAM user, and the role session it
// switched to, if any.
type session struct {
	row       *sessionRow
	user      authz.Principal
	principal authz.Principal // who the pages act as
	roleExp   time.Time
}

// Acting is the identity shown in the header.
func (s *session) Acting() string {
	if s.row.RoleKeyID != "" {
		return s.row.RoleDisplay
	}
	return s.user.UserName + " @ " + s.user.AccountID
}

func (s *session) InRole() bool      { return s.row.RoleKeyID != "" }
func (s *session) Account() string   { return s.principal.AccountID }
func (s *session) User() string      { return s.user.UserName }
func (s *session) UserAcct() string  { return s.user.AccountID }
func (s *session) ARN() string       { return s.principal.ARN }
func (s *session) MustChange() bool  { return s.row.MustChange }
func (s *session) Partition() string { return partitionOf(s.user.ARN) }

func partitionOf(arn string) string {
	parts := strings.SplitN(arn, ":", 3)
	if len(parts) < 2 || parts[1] == "" {
		return "aws"
	}
	return parts[1]
}

type ctxKey struct{}

func sessionFrom(ctx context.Context) *session {
	s, _ := ctx.Value(ctxKey{}).(*session)
	return s
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func tokenID(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

// newSession stores a fresh session for p and sets its cookie.
func (c *Console) newSession(w http.ResponseWriter, r *http.Request, p authz.Principal, mustChange bool) error {
	pj, err := json.Marshal(p)
	if err != nil {
		return err
	}
	tok := randomToken()
	now := c.cfg.Clock.Now()
	row := &sessionRow{ID: tokenID(tok), AccountID: p.AccountID, UserName: p.UserName, PrincipalJSON: string(pj),
		CSRF: randomToken(), MustChange: mustChange, CreatedAt: now, LastSeenAt: now}
	if err := c.sessions.insert(r.Context(), row); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: tok, Path: Prefix, HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	return nil
}

func clearCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: Prefix, MaxAge: -1, HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
}

// load finds the request's live session; expired ones are deleted. why
// says why there is none ("" when no cookie was sent).
func (c *Console) load(r *http.Request) (s *session, why string, err error) {
	ck, err := r.Cookie(cookieName)
	if err != nil || ck.Value == "" {
		return nil, "", nil
	}
	id := tokenID(ck.Value)
	row, err := c.sessions.get(r.Context(), id)
	if err != nil || row == nil {
		return nil, "", err
	}
	now := c.cfg.Clock.Now()
	if now.Sub(row.LastSeenAt) > c.cfg.IdleTimeout || now.Sub(row.CreatedAt) > c.cfg.MaxAge {
		_ = c.sessions.delete(r.Context(), id)
		_ = c.sessions.purge(r.Context(), now.Add(-c.cfg.IdleTimeout), now.Add(-c.cfg.MaxAge))
		return nil, "Your session has expired. Please sign in again.", nil
	}
	s = &session{row: row}
	if err := json.Unmarshal([]byte(row.PrincipalJSON), &s.user); err != nil {
		return nil, "", err
	}
	s.principal = s.user
	if row.RoleKeyID != "" {
		k, err := c.cfg.IAMStore.LookupCredential(r.Context(), row.RoleKeyID)
		if err != nil {
			return nil, "", err
		}
		if k == nil || (!k.Expiration.IsZero() && !now.Before(k.Expiration)) {
			// The role session ended: back to the user, as AWS's console does.
			row.RoleKeyID, row.RoleDisplay = "", ""
			if err := c.sessions.setRole(r.Context(), id, "", ""); err != nil {
				return nil, "", err
			}
		} else {
			s.principal, s.roleExp = k.Principal, k.Expiration
		}
	}
	// One write a minute at most keeps the idle clock without a commit per page.
	if now.Sub(row.LastSeenAt) > time.Minute {
		if err := c.sessions.touch(r.Context(), id, now); err != nil {
			return nil, "", err
		}
	}
	return s, "", nil
}

type handler func(w http.ResponseWriter, r *http.Request, s *session)

func (c *Console) page(h handler) http.HandlerFunc   { return c.guard(h, false, false) }
func (c *Console) action(h handler) http.HandlerFunc { return c.guard(h, true, false) }
func (c *Console) pageAllowReset(h handler) http.HandlerFunc {
	return c.guard(h, false, true)
}
func (c *Console) actionAllowReset(h handler) http.HandlerFunc {
	return c.guard(h, true, true)
}

// guard requires a live session and, for state-changing requests, a
// same-origin POST carrying the session's CSRF token.
func (c *Console) guard(h handler, post, allowReset bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, why, err := c.load(r)
		if err != nil {
			c.cfg.Logger.Error("console: session", "error", err.Error())
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		if s == nil {
			if post {
				c.render(w, r, http.StatusForbidden, "signin", &view{Title: "Sign in", Error: &pageError{Message: firstNonEmpty(why, "You are not signed in.")}})
				return
			}
			q := url.Values{"next": {r.URL.RequestURI()}}
			if why != "" {
				q.Set("why", "expired")
			}
			http.Redirect(w, r, "/console/signin?"+q.Encode(), http.StatusSeeOther)
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, s))
		if post {
			r.Body = http.MaxBytesReader(w, r.Body, maxForm)
			if err := r.ParseMultipartForm(maxForm); err != nil && err != http.ErrNotMultipart {
				http.Error(w, "The form could not be read.", http.StatusBadRequest)
				return
			}
			if !sameOrigin(r) || subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(s.row.CSRF)) != 1 {
				c.render(w, r, http.StatusForbidden, "message", &view{Title: "Request refused",
					Error: &pageError{Code: "InvalidCsrfToken", Message: "The form was not sent from this console session (missing or wrong CSRF token). Reload the page and try again."}})
				return
			}
		}
		if s.row.MustChange && !allowReset {
			http.Redirect(w, r, "/console/password", http.StatusSeeOther)
			return
		}
		h(w, r, s)
	}
}

// sameOrigin refuses a cross-site POST whose browser said where it came
// from; the CSRF token is the real check.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" || o == "null" {
		return o == "" // "null" comes from sandboxed or privacy-stripped contexts
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

// doneRedirect answers 303 to path (which may carry a query) with a
// message for the next page. The message is MACed with the session's CSRF
// token so that a crafted link cannot put words on a console page.
func doneRedirect(w http.ResponseWriter, r *http.Request, path, msg string) {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	if s := sessionFrom(r.Context()); s != nil && msg != "" {
		path += sep + url.Values{"done": {msg}, "ds": {flashMAC(s.row.CSRF, msg)}}.Encode()
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
}

func flashMAC(key, msg string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte("console-flash\x00" + msg))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// flash is the verified message of the request, "" when absent or forged.
func flash(r *http.Request, s *session) string {
	q := r.URL.Query()
	msg := q.Get("done")
	if s == nil || msg == "" || !hmac.Equal([]byte(q.Get("ds")), []byte(flashMAC(s.row.CSRF, msg))) {
		return ""
	}
	return msg
}

func firstNonEmpty(a ...string) string {
	for _, s := range a {
		if s != "" {
			return s
		}
	}
	return ""
}

// safeNext keeps a post-sign-in redirect inside the console.
func safeNext(next string) string {
	if !strings.HasPrefix(next, Prefix) || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return Prefix
	}
	return next
}
