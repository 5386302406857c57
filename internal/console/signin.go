package console

import (
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/openpca/openpca/internal/iam"
)

// Sign-in throttling: per user and per client address, counted in the
// database so that every server sees the same counts.
const (
	throttleWindow = 15 * time.Minute
	throttleLock   = 15 * time.Minute
	userLimit      = 5
	ipLimit        = 20
)

// AWS's console wording for a failed sign-in, whatever failed.
const msgBadSignIn = "Your authentication information is incorrect. Please try again."
const msgThrottled = "Too many failed sign-in attempts. Wait 15 minutes and try again."

var accountRE = regexp.MustCompile(`^[0-9]{12}$`)

type signinData struct {
	Account, User, Next string
}

func (c *Console) signinForm(w http.ResponseWriter, r *http.Request) {
	v := &view{Title: "Sign in", Data: signinData{Account: r.URL.Query().Get("account"), Next: safeNext(r.URL.Query().Get("next"))}}
	if r.URL.Query().Get("why") == "expired" {
		v.Error = &pageError{Message: "Your session has expired. Please sign in again."}
	}
	c.render(w, r, http.StatusOK, "signin", v)
}

func (c *Console) signin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil || !sameOrigin(r) {
		http.Error(w, "The form could not be read.", http.StatusBadRequest)
		return
	}
	acct := strings.TrimSpace(r.PostFormValue("account"))
	user := strings.TrimSpace(r.PostFormValue("username"))
	pw := r.PostFormValue("password")
	d := signinData{Account: acct, User: user, Next: safeNext(r.PostFormValue("next"))}
	fail := func(status int, msg string) {
		c.render(w, r, status, "signin", &view{Title: "Sign in", Data: d, Error: &pageError{Message: msg}})
	}
	if !accountRE.MatchString(acct) || user == "" || len(user) > 64 || pw == "" || len(pw) > 128 {
		fail(http.StatusUnauthorized, msgBadSignIn)
		return
	}
	ctx := r.Context()
	now := c.cfg.Clock.Now()
	keys := []string{"user:" + acct + "/" + strings.ToLower(user), "ip:" + clientIP(r)}
	for _, k := range keys {
		t, err := c.sessions.throttle(ctx, k)
		if err != nil {
			c.internal(w, err)
			return
		}
		if t != nil && now.Before(t.LockedUntil) {
			// Refused before the password is even checked: a locked key
			// learns nothing from further guesses.
			w.Header().Set("Retry-After", "900")
			fail(http.StatusTooManyRequests, msgThrottled)
			return
		}
	}
	in, err := c.cfg.IAMStore.VerifyPassword(ctx, acct, user, pw)
	if err != nil {
		c.internal(w, err)
		return
	}
	if in == nil {
		for i, k := range keys {
			limit := int64(userLimit)
			if i == 1 {
				limit = ipLimit
			}
			if err := c.sessions.recordFailure(ctx, k, now, throttleWindow, limit, throttleLock); err != nil {
				c.internal(w, err)
				return
			}
		}
		c.cfg.Logger.Info("console: sign-in failed", "account", acct, "user", user, "ip", clientIP(r))
		fail(http.StatusUnauthorized, msgBadSignIn)
		return
	}
	if err := c.sessions.clearThrottle(ctx, keys[0]); err != nil {
		c.internal(w, err)
		return
	}
	if in.Expired && in.HardExpiry {
		fail(http.StatusForbidden, "Your password has expired. Contact your administrator to reset it.")
		return
	}
	// Sessions nobody came back to are removed here, so the table stays
	// small without a background job.
	if err := c.sessions.purge(ctx, now.Add(-c.cfg.IdleTimeout), now.Add(-c.cfg.MaxAge)); err != nil {
		c.internal(w, err)
		return
	}
	// A fresh session per sign-in (no fixation); any earlier one ends.
	if ck, err := r.Cookie(cookieName); err == nil && ck.Value != "" {
		if err := c.sessions.delete(ctx, tokenID(ck.Value)); err != nil {
			c.internal(w, err)
			return
		}
	}
	if err := c.newSession(w, r, in.Principal, in.ResetRequired || in.Expired); err != nil {
		c.internal(w, err)
		return
	}
	c.cfg.Logger.Info("console: signed in", "principal", in.Principal.ARN, "ip", clientIP(r))
	http.Redirect(w, r, d.Next, http.StatusSeeOther)
}

func (c *Console) internal(w http.ResponseWriter, err error) {
	c.cfg.Logger.Error("console: internal error", "error", err.Error())
	http.Error(w, "internal error", http.StatusInternalServerError)
}

func (c *Console) signout(w http.ResponseWriter, r *http.Request, s *session) {
	if err := c.sessions.delete(r.Context(), s.row.ID); err != nil {
		c.internal(w, err)
		return
	}
	clearCookie(w, r)
	http.Redirect(w, r, "/console/signin?account="+s.user.AccountID, http.StatusSeeOther)
}

func (c *Console) passwordForm(w http.ResponseWriter, r *http.Request, s *session) {
	c.render(w, r, http.StatusOK, "password", &view{Title: "Change password"})
}

// changePassword is iam:ChangePassword as the signed-in user (never as a
// switched role: the password is the user's).
func (c *Console) changePassword(w http.ResponseWriter, r *http.Request, s *session) {
	v := &view{Title: "Change password"}
	if r.PostFormValue("new") != r.PostFormValue("confirm") {
		v.Error = &pageError{Code: "PasswordMismatch", Message: "The new passwords do not match."}
		c.render(w, r, http.StatusBadRequest, "password", v)
		return
	}
	caller := c.caller(r, s)
	caller.Principal, caller.AccessKeyID = s.user, ""
	in := &iam.ChangePasswordInput{OldPassword: r.PostFormValue("old"), NewPassword: r.PostFormValue("new")}
	err := valid("iam", in)
	if err == nil {
		_, err = c.cfg.IAM.ChangePassword(r.Context(), caller, in)
	}
	if err != nil {
		e, st := c.awsError("iam", err)
		v.Error = e
		c.render(w, r, st, "password", v)
		return
	}
	if err := c.sessions.clearMustChange(r.Context(), s.row.ID); err != nil {
		c.internal(w, err)
		return
	}
	doneRedirect(w, r, "/console/", "Password changed.")
}

type switchData struct {
	Account, Role, Display string
}

func (c *Console) switchRoleForm(w http.ResponseWriter, r *http.Request, s *session) {
	q := r.URL.Query()
	c.render(w, r, http.StatusOK, "switchrole", &view{Title: "Switch role",
		Data: switchData{Account: q.Get("account"), Role: q.Get("roleName"), Display: q.Get("displayName")}})
}

var roleNameRE = regexp.MustCompile(`^[\w+=,.@/-]{1,512}$`)

// switchRole is sts:AssumeRole called as the signed-in user, as AWS's
// console does; the session is named after the user.
func (c *Console) switchRole(w http.ResponseWriter, r *http.Request, s *session) {
	d := switchData{Account: strings.TrimSpace(r.PostFormValue("account")), Role: strings.TrimSpace(r.PostFormValue("role")),
		Display: strings.TrimSpace(r.PostFormValue("display"))}
	v := &view{Title: "Switch role", Data: d}
	if !accountRE.MatchString(d.Account) || !roleNameRE.MatchString(d.Role) {
		v.Error = &pageError{Code: "ValidationError", Message: "Enter a 12-digit account ID and a role name."}
		c.render(w, r, http.StatusBadRequest, "switchrole", v)
		return
	}
	caller := c.caller(r, s)
	caller.Principal, caller.AccessKeyID = s.user, ""
	dur := 3600
	out, err := c.cfg.IAM.AssumeRole(r.Context(), caller, &iam.AssumeRoleInput{
		RoleArn:         "arn:" + s.Partition() + ":iam::" + d.Account + ":role/" + d.Role,
		RoleSessionName: s.user.UserName, DurationSeconds: &dur})
	if err != nil {
		e, st := c.awsError("sts", err)
		v.Error = e
		c.render(w, r, st, "switchrole", v)
		return
	}
	display := d.Display
	if display == "" {
		display = d.Role
	}
	if err := c.sessions.setRole(r.Context(), s.row.ID, out.Credentials.AccessKeyId, display+" @ "+d.Account); err != nil {
		c.internal(w, err)
		return
	}
	doneRedirect(w, r, "/console/", "Switched role.")
}

func (c *Console) switchBack(w http.ResponseWriter, r *http.Request, s *session) {
	if err := c.sessions.setRole(r.Context(), s.row.ID, "", ""); err != nil {
		c.internal(w, err)
		return
	}
	http.Redirect(w, r, "/console/", http.StatusSeeOther)
}

func (c *Console) home(w http.ResponseWriter, r *http.Request, s *session) {
	c.render(w, r, http.StatusOK, "home", &view{Title: "Console home"})
}
