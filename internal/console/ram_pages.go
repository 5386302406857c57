package console

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/google/uuid"
	"github.com/openpca/openpca/internal/pca"
	"github.com/openpca/openpca/internal/ram"
)

func (c *Console) ramRoutes() {
	c.mux.HandleFunc("GET /console/ram", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/console/ram/shares", http.StatusSeeOther)
	})
	c.mux.HandleFunc("GET /console/ram/shares", c.page(c.ramShares))
	c.mux.HandleFunc("GET /console/ram/create", c.page(func(w http.ResponseWriter, r *http.Request, s *session) {
		c.ramCreateForm(w, r, s, http.StatusOK, nil)
	}))
	c.mux.HandleFunc("POST /console/ram/create", c.action(c.ramCreate))
	c.mux.HandleFunc("GET /console/ram/share", c.page(func(w http.ResponseWriter, r *http.Request, s *session) {
		c.ramShare(w, r, s, r.URL.Query().Get("arn"), nil, 0)
	}))
	c.mux.HandleFunc("POST /console/ram/associate", c.action(c.ramAssociate))
	c.mux.HandleFunc("POST /console/ram/permission", c.action(c.ramPermission))
	c.mux.HandleFunc("POST /console/ram/delete", c.action(c.ramDelete))
	c.mux.HandleFunc("GET /console/ram/received", c.page(c.ramReceived))
	c.mux.HandleFunc("POST /console/ram/invitation", c.action(c.ramInvitation))
	c.mux.HandleFunc("GET /console/ram/settings", c.page(func(w http.ResponseWriter, r *http.Request, s *session) {
		c.render(w, r, http.StatusOK, "ram_settings", &view{Title: "RAM settings", Nav: "ram"})
	}))
	c.mux.HandleFunc("POST /console/ram/settings", c.action(c.ramSettings))
}

// shareRow is a share with its current resources and principals.
type shareRow struct {
	ram.ResourceShare
	Resources, Principals []ram.ResourceShareAssociation
}

type ramListData struct {
	Shares []shareRow
	Next   string
}

const ramPage = int32(50)

// withAssociations attaches the associations of one page of shares: two
// calls for the page, not two per share.
func (c *Console) withAssociations(r *http.Request, s *session, shares []ram.ResourceShare) ([]shareRow, error) {
	rows := make([]shareRow, len(shares))
	idx := map[string]*shareRow{}
	var arns []string
	for i, sh := range shares {
		rows[i].ResourceShare = sh
		idx[sh.ResourceShareArn] = &rows[i]
		if sh.Status != "DELETED" {
			arns = append(arns, sh.ResourceShareArn)
		}
	}
	if len(arns) == 0 {
		return rows, nil
	}
	for _, typ := range []string{"RESOURCE", "PRINCIPAL"} {
		max := int32(500)
		for tok := ""; ; {
			o, err := c.cfg.RAM.GetResourceShareAssociations(r.Context(), c.caller(r, s), &ram.GetResourceShareAssociationsInput{
				AssociationType: typ, ResourceShareArns: arns, Paging: ram.Paging{NextToken: tok, MaxResults: &max}})
			if err != nil {
				return rows, err
			}
			for _, a := range o.ResourceShareAssociations {
				row := idx[a.ResourceShareArn]
				if row == nil || a.Status == "DISASSOCIATED" {
					continue
				}
				if typ == "RESOURCE" {
					row.Resources = append(row.Resources, a)
				} else {
					row.Principals = append(row.Principals, a)
				}
			}
			if tok = o.NextToken; tok == "" {
				break
			}
		}
	}
	return rows, nil
}

func (c *Console) ramShares(w http.ResponseWriter, r *http.Request, s *session) {
	v := &view{Title: "Shared by me", Nav: "ram"}
	d := &ramListData{}
	v.Data = d
	max := ramPage
	o, err := c.cfg.RAM.GetResourceShares(r.Context(), c.caller(r, s), &ram.GetResourceSharesInput{ResourceOwner: "SELF",
		Paging: ram.Paging{NextToken: r.URL.Query().Get("next"), MaxResults: &max}})
	if err == nil {
		d.Next = o.NextToken
		d.Shares, err = c.withAssociations(r, s, o.ResourceShares)
	}
	if err != nil {
		e, st := c.awsError("ram", err)
		v.Error = e
		c.render(w, r, st, "ram_shares", v)
		return
	}
	c.render(w, r, http.StatusOK, "ram_shares", v)
}

type ramCreateData struct {
	CAs         []pca.CertificateAuthority
	Permissions []ram.ResourceSharePermissionSummary
	Form        url.Values
}

// ownCAs lists the caller's CAs that a share can carry (not deleted).
func (c *Console) ownCAs(r *http.Request, s *session) ([]pca.CertificateAuthority, error) {
	var out []pca.CertificateAuthority
	max := int32(100)
	for tok := ""; ; {
		l, err := c.cfg.PCA.ListCertificateAuthorities(r.Context(), c.caller(r, s), &pca.ListCertificateAuthoritiesInput{ResourceOwner: "SELF", MaxResults: &max, NextToken: tok})
		if err != nil {
			return nil, err
		}
		for _, ca := range l.CertificateAuthorities {
			if ca.Status != "DELETED" {
				out = append(out, ca)
			}
		}
		if tok = l.NextToken; tok == "" || len(out) >= 1000 {
			return out, nil
		}
	}
}

func (c *Console) caPermissions(r *http.Request, s *session) ([]ram.ResourceSharePermissionSummary, error) {
	o, err := c.cfg.RAM.ListPermissions(r.Context(), c.caller(r, s), &ram.ListPermissionsInput{ResourceType: ram.ResourceTypeCA})
	if err != nil {
		return nil, err
	}
	return o.Permissions, nil
}

func (c *Console) ramCreateForm(w http.ResponseWriter, r *http.Request, s *session, st int, e *pageError) {
	d := &ramCreateData{Form: r.PostForm}
	if d.Form == nil {
		// A fresh wizard: external principals on (AWS's default), and the
		// CA preselected when coming from its detail page.
		d.Form = url.Values{"external": {"on"}, "ca": {r.URL.Query().Get("ca")}}
	}
	v := &view{Title: "Create resource share", Nav: "ram", Data: d, Error: e}
	var err error
	if d.CAs, err = c.ownCAs(r, s); err == nil {
		d.Permissions, err = c.caPermissions(r, s)
	}
	if err != nil && e == nil {
		v.Error, st = c.awsError("ram", err)
	}
	c.render(w, r, st, "ram_create", v)
}

// lines splits a textarea into its non-empty trimmed lines (principals
// may also be separated by commas or spaces, as pasted lists are).
func lines(text string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == '\r' || r == ',' || r == ' ' || r == '\t' }) {
		out = append(out, f)
	}
	return out
}

func (c *Console) ramCreate(w http.ResponseWriter, r *http.Request, s *session) {
	f := r.PostForm
	allow := f.Get("external") == "on"
	in := &ram.CreateResourceShareInput{Name: strings.TrimSpace(f.Get("name")), Principals: lines(f.Get("principals")),
		AllowExternalPrincipals: &allow, ClientToken: uuid.NewString()}
	if ca := f.Get("ca"); ca != "" {
		in.ResourceArns = []string{ca}
	}
	if p := f.Get("permission"); p != "" {
		in.PermissionArns = []string{p}
	}
	err := valid("ram", in)
	var out *ram.ResourceShareOutput
	if err == nil {
		out, err = c.cfg.RAM.CreateResourceShare(r.Context(), c.caller(r, s), in)
	}
	if err != nil {
		e, st := c.awsError("ram", err)
		c.ramCreateForm(w, r, s, st, e)
		return
	}
	redirectShare(w, r, out.ResourceShare.ResourceShareArn, "Resource share created.")
}

func redirectShare(w http.ResponseWriter, r *http.Request, arn, done string) {
	doneRedirect(w, r, "/console/ram/share?"+url.Values{"arn": {arn}}.Encode(), done)
}
