package console

import (
	"context"
	"net/http"
	"strings"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/org"
)

func (c *Console) orgRoutes() {
	c.mux.HandleFunc("GET /console/org", c.page(c.orgHome))
	c.mux.HandleFunc("POST /console/org/create", c.action(c.orgCreate))
	c.mux.HandleFunc("POST /console/org/ou", c.action(c.orgCreateOU))
	c.mux.HandleFunc("POST /console/org/account", c.action(c.orgCreateAccount))
	c.mux.HandleFunc("POST /console/org/move", c.action(c.orgMove))
	c.mux.HandleFunc("POST /console/org/access", c.action(c.orgAccess))
}

// orgNode is one root or OU of the tree with its accounts.
type orgNode struct {
	ID, Name string
	Accounts []org.Account
	Children []*orgNode
}

type orgData struct {
	Org      *org.Organization
	NoOrg    bool
	Root     *orgNode
	Parents  []*orgNode // every root and OU, for the move form
	Services []org.EnabledServicePrincipal
}

// maxOUDepth is AWS's nesting limit for OUs under a root.
const maxOUDepth = 5

func (c *Console) orgTree(ctx context.Context, caller *authz.Caller, n *orgNode, depth int, all *[]*orgNode) error {
	*all = append(*all, n)
	max := 20
	for tok := ""; ; {
		o, err := c.cfg.Org.ListAccountsForParent(ctx, caller, &org.ListForParentInput{ParentId: n.ID, NextToken: tok, MaxResults: &max})
		if err != nil {
			return err
		}
		n.Accounts = append(n.Accounts, o.Accounts...)
		if tok = o.NextToken; tok == "" {
			break
		}
	}
	if depth > maxOUDepth {
		return nil
	}
	for tok := ""; ; {
		o, err := c.cfg.Org.ListOrganizationalUnitsForParent(ctx, caller, &org.ListForParentInput{ParentId: n.ID, NextToken: tok, MaxResults: &max})
		if err != nil {
			return err
		}
		for _, ou := range o.OrganizationalUnits {
			child := &orgNode{ID: ou.Id, Name: ou.Name}
			if err := c.orgTree(ctx, caller, child, depth+1, all); err != nil {
				return err
			}
			n.Children = append(n.Children, child)
		}
		if tok = o.NextToken; tok == "" {
			break
		}
	}
	return nil
}

func (c *Console) orgHome(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, caller := r.Context(), c.caller(r, s)
	d := &orgData{}
	v := &view{Title: "Organizations", Nav: "org", Data: d}
	o, err := c.cfg.Org.DescribeOrganization(ctx, caller, &org.Empty{})
	if err != nil {
		if e, _ := c.awsError("org", err); e.Code == "AWSOrganizationsNotInUseException" {
			d.NoOrg = true
			c.render(w, r, http.StatusOK, "org", v)
			return
		}
		e, st := c.awsError("org", err)
		v.Error = e
		c.render(w, r, st, "org", v)
		return
	}
	d.Org = o.Organization
	err = func() error {
		roots, err := c.cfg.Org.ListRoots(ctx, caller, &org.ListInput{})
		if err != nil || len(roots.Roots) == 0 {
			return err
		}
		d.Root = &orgNode{ID: roots.Roots[0].Id, Name: roots.Roots[0].Name}
		if err := c.orgTree(ctx, caller, d.Root, 0, &d.Parents); err != nil {
			return err
		}
		sa, err := c.cfg.Org.ListAWSServiceAccessForOrganization(ctx, caller, &org.ListInput{})
		if err != nil {
			return err
		}
		d.Services = sa.EnabledServicePrincipals
		return nil
	}()
	st := http.StatusOK
	if err != nil {
		v.Error, st = c.awsError("org", err)
	}
	c.render(w, r, st, "org", v)
}

func (c *Console) orgFail(w http.ResponseWriter, r *http.Request, s *session, err error) {
	e, st := c.awsError("org", err)
	c.render(w, r, st, "message", &view{Title: "Organizations", Nav: "org", Error: e})
}

func (c *Console) orgCreate(w http.ResponseWriter, r *http.Request, s *session) {
	if _, err := c.cfg.Org.CreateOrganization(r.Context(), c.caller(r, s), &org.CreateOrganizationInput{FeatureSet: "ALL"}); err != nil {
		c.orgFail(w, r, s, err)
		return
	}
	doneRedirect(w, r, "/console/org", "Organization created.")
}

func (c *Console) orgCreateOU(w http.ResponseWriter, r *http.Request, s *session) {
	in := &org.CreateOrganizationalUnitInput{ParentId: r.PostFormValue("parent"), Name: strings.TrimSpace(r.PostFormValue("name"))}
	err := valid("org", in)
	if err == nil {
		_, err = c.cfg.Org.CreateOrganizationalUnit(r.Context(), c.caller(r, s), in)
	}
	if err != nil {
		c.orgFail(w, r, s, err)
		return
	}
	doneRedirect(w, r, "/console/org", "Organizational unit created.")
}

func (c *Console) orgCreateAccount(w http.ResponseWriter, r *http.Request, s *session) {
	in := &org.CreateAccountInput{AccountName: strings.TrimSpace(r.PostFormValue("name")), Email: strings.TrimSpace(r.PostFormValue("email"))}
	err := valid("org", in)
	var out *org.CreateAccountStatusOutput
	if err == nil {
		out, err = c.cfg.Org.CreateAccount(r.Context(), c.caller(r, s), in)
	}
	if err != nil {
		c.orgFail(w, r, s, err)
		return
	}
	// CreateAccount answers IN_PROGRESS; poll once, as AWS's console does.
	st := out.CreateAccountStatus
	if d, err := c.cfg.Org.DescribeCreateAccountStatus(r.Context(), c.caller(r, s),
		&org.CreateAccountRequestIdInput{CreateAccountRequestId: st.Id}); err == nil && d.CreateAccountStatus != nil {
		st = d.CreateAccountStatus
	}
	msg := "Account creation " + st.State
	if st.AccountId != "" {
		msg += ": " + st.AccountId
	}
	if st.FailureReason != "" {
		msg += " (" + st.FailureReason + ")"
	}
	doneRedirect(w, r, "/console/org", msg)
}

func (c *Console) orgMove(w http.ResponseWriter, r *http.Request, s *session) {
	in := &org.MoveAccountInput{AccountId: r.PostFormValue("account"),
		SourceParentId: r.PostFormValue("from"), DestinationParentId: r.PostFormValue("to")}
	err := valid("org", in)
	if err == nil {
		_, err = c.cfg.Org.MoveAccount(r.Context(), c.caller(r, s), in)
	}
	if err != nil {
		c.orgFail(w, r, s, err)
		return
	}
	doneRedirect(w, r, "/console/org", "Account moved.")
}

func (c *Console) orgAccess(w http.ResponseWriter, r *http.Request, s *session) {
	in := &org.ServicePrincipalInput{ServicePrincipal: r.PostFormValue("service")}
	var err error
	if r.PostFormValue("op") == "disable" {
		_, err = c.cfg.Org.DisableAWSServiceAccess(r.Context(), c.caller(r, s), in)
	} else {
		_, err = c.cfg.Org.EnableAWSServiceAccess(r.Context(), c.caller(r, s), in)
	}
	if err != nil {
		c.orgFail(w, r, s, err)
		return
	}
	doneRedirect(w, r, "/console/org", "Trusted access updated.")
}
