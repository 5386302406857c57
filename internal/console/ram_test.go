package console_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var shareARNRE = regexp.MustCompile(`arn=(arn%3Aaws%3Aram[^&"]+)`)

// createShare runs the RAM wizard and returns the share's ARN.
func createShare(t testing.TB, b *browser, name, ca, principals string, external bool) string {
	t.Helper()
	w := b.get("/console/ram/create?ca=" + url.QueryEscape(ca))
	perm := regexp.MustCompile(`<option value="(arn:aws:ram::aws:permission/[^"]+)" selected>`).FindStringSubmatch(w.body)
	if w.status != 200 || perm == nil || !strings.Contains(w.body, `<option value="`+ca+`" selected>`) {
		t.Fatalf("wizard: %d %s", w.status, excerpt(w.body))
	}
	f := url.Values{"name": {name}, "ca": {ca}, "permission": {perm[1]}, "principals": {principals}}
	if external {
		f.Set("external", "on")
	}
	p := b.post("/console/ram/create", f)
	m := shareARNRE.FindStringSubmatch(p.hdr.Get("Location"))
	if p.status != http.StatusSeeOther || m == nil {
		t.Fatalf("create share: %d %s", p.status, excerpt(p.body))
	}
	arn, _ := url.QueryUnescape(m[1])
	return arn
}

// TestRAMShareInvitationThroughThePages: A shares a CA with account B
// through the wizard; B sees the invitation with the CA it offers, accepts,
// finds the CA in the request form and gets a certificate issued. The
// share's pages change its principals and permission and delete it.
func TestRAMShareInvitationThroughThePages(t *testing.T) {
	r := newRig(t)
	a := r.browser()
	a.mustSignIn(mgmt, "admin", r.admin(mgmt, "admin"))
	bID := r.account("b")
	ca := createRootCA(t, a, "RAM Root")

	// The wizard refuses what the API refuses, in RAM's words.
	p := a.post("/console/ram/create", url.Values{"name": {"bad"}, "ca": {ca}, "principals": {"12345"}, "external": {"on"}})
	if p.status != http.StatusBadRequest || !strings.Contains(p.body, "MalformedArnException") && !strings.Contains(p.body, "InvalidParameterException") {
		t.Fatalf("bad principal: %d %s", p.status, excerpt(p.body))
	}
	share := createShare(t, a, "to-b", ca, bID, true)
	d := a.get("/console/ram/share?arn=" + url.QueryEscape(share))
	if d.status != 200 || !strings.Contains(d.body, `id="share-status">ACTIVE`) || !strings.Contains(d.body, ca) || !strings.Contains(d.body, bID) {
		t.Fatalf("share page: %d %s", d.status, excerpt(d.body))
	}
	if l := a.get("/console/ram/shares"); !strings.Contains(l.body, ">to-b</a>") || !strings.Contains(l.body, bID) {
		t.Fatalf("share list: %s", excerpt(l.body))
	}
	if c := a.get("/console/pca/ca?arn=" + url.QueryEscape(ca)); !regexp.MustCompile(`(?s)id="ca-shares".*>to-b</a></td><td>ASSOCIATED`).MatchString(c.body) {
		t.Fatalf("CA page lacks the share: %s", excerpt(c.body))
	}

	b := r.browser()
	b.mustSignIn(bID, "admin", r.admin(bID, "admin"))
	// B cannot open A's share.
	if o := b.get("/console/ram/share?arn=" + url.QueryEscape(share)); o.status != http.StatusBadRequest || !strings.Contains(o.body, "UnknownResourceException") {
		t.Fatalf("B opens A's share: %d %s", o.status, excerpt(o.body))
	}
	// Before accepting, the CA is offered, not usable.
	if q := b.get("/console/acm/request"); strings.Contains(q.body, `<option value="`+ca+`"`) {
		t.Fatal("CA offered for requests before the invitation is accepted")
	}
	recv := b.get("/console/ram/received")
	inv := regexp.MustCompile(`name="invitation" value="([^"]+)"`).FindStringSubmatch(recv.body)
	if inv == nil || !regexp.MustCompile(`(?s)id="invitations".*<div class="arn">`+regexp.QuoteMeta(ca)).MatchString(recv.body) {
		t.Fatalf("no pending invitation with the CA: %s", excerpt(recv.body))
	}
	if p := b.post("/console/ram/invitation", url.Values{"invitation": {html.UnescapeString(inv[1])}, "op": {"accept"}}); p.status != http.StatusSeeOther {
		t.Fatalf("accept: %d %s", p.status, excerpt(p.body))
	}
	recv = b.get("/console/ram/received")
	if strings.Contains(recv.body, `name="invitation"`) || !regexp.MustCompile(`(?s)id="received-resources".*`+regexp.QuoteMeta(ca)).MatchString(recv.body) {
		t.Fatalf("after accepting: %s", excerpt(recv.body))
	}
	// Accepting twice answers RAM's error.
	if p := b.post("/console/ram/invitation", url.Values{"invitation": {html.UnescapeString(inv[1])}, "op": {"accept"}}); p.status != http.StatusBadRequest ||
		!strings.Contains(p.body, "ResourceShareInvitationAlreadyAcceptedException") {
		t.Fatalf("second accept: %d %s", p.status, excerpt(p.body))
	}
	if q := b.get("/console/acm/request"); !strings.Contains(q.body, `<option value="`+ca+`">RAM Root — shared by `+mgmt) {
		t.Fatalf("request form lacks the shared CA: %s", excerpt(q.body))
	}
	p = b.post("/console/acm/request", url.Values{"ca": {ca}, "domain": {"ram.b.example"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("request: %d %s", p.status, excerpt(p.body))
	}
	if _, err := r.app.ACM.RunDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	if c := b.follow(p); !strings.Contains(c.body, `id="cert-status">ISSUED`) {
		t.Fatalf("not issued: %s", excerpt(c.body))
	}

	// Change the permission to the same managed one (replace), remove B,
	// then delete the share.
	perm := regexp.MustCompile(`id="change-permission">.*?<option value="([^"]+)" selected>AWSRAMDefaultPermissionCertificateAuthority<`).FindStringSubmatch(d.body)
	if perm == nil {
		t.Fatal("no permission choice")
	}
	if p := a.post("/console/ram/permission", url.Values{"arn": {share}, "permission": {perm[1]}}); p.status != http.StatusSeeOther {
		t.Fatalf("permission: %d %s", p.status, excerpt(p.body))
	}
	if p := a.post("/console/ram/associate", url.Values{"arn": {share}, "kind": {"principal"}, "value": {bID}, "op": {"disassociate"}}); p.status != http.StatusSeeOther {
		t.Fatalf("disassociate: %d %s", p.status, excerpt(p.body))
	}
	if q := b.get("/console/acm/request"); strings.Contains(q.body, `<option value="`+ca+`"`) {
		t.Error("CA still offered after B was removed from the share")
	}
	if p := a.post("/console/ram/delete", url.Values{"arn": {share}}); p.status != http.StatusSeeOther {
		t.Fatalf("delete: %d %s", p.status, excerpt(p.body))
	}
	if l := a.get("/console/ram/shares"); !regexp.MustCompile(`to-b</td>\s*<td class="status s-DELETED">`).MatchString(l.body) {
		t.Errorf("deleted share: %s", excerpt(l.body))
	}
	// Only a management account may enable organization sharing.
	if p := b.post("/console/ram/settings", url.Values{}); p.status != http.StatusBadRequest || !strings.Contains(p.body, "OperationNotPermittedException") {
		t.Errorf("B enables org sharing: %d %s", p.status, excerpt(p.body))
	}
}
