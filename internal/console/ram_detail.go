package console

import (
	"net/http"

	"github.com/google/uuid"
	"github.com/openpca/openpca/internal/pca"
	"github.com/openpca/openpca/internal/ram"
)

type ramShareData struct {
	Share       *shareRow
	Permissions []ram.ResourceSharePermissionSummary // attached to the share
	Managed     []ram.ResourceSharePermissionSummary // to choose from
	Current     string                               // the attached permission's ARN, preselected
	CAs         []pca.CertificateAuthority
	Section     string // the form that failed
}

// ramShare renders a share the caller owns; e, when set, is the failure of
// the form named section.
func (c *Console) ramShare(w http.ResponseWriter, r *http.Request, s *session, arn string, e *pageError, st int) {
	ctx, caller := r.Context(), c.caller(r, s)
	v := &view{Title: "Resource share", Nav: "ram", Error: e}
	o, err := c.cfg.RAM.GetResourceShares(ctx, caller, &ram.GetResourceSharesInput{ResourceOwner: "SELF", ResourceShareArns: []string{arn}})
	if err == nil && len(o.ResourceShares) == 0 {
		// The API answers an empty list for a share of another account;
		// the page says what the association calls would.
		err = &ram.Error{Kind: ram.UnknownResource, Msg: "The resource share " + arn + " could not be found."}
	}
	if err != nil {
		if e == nil {
			e, st = c.awsError("ram", err)
		}
		v.Error = e
		c.render(w, r, st, "message", v)
		return
	}
	rows, err := c.withAssociations(r, s, o.ResourceShares)
	d := &ramShareData{Share: &rows[0], Section: r.PostForm.Get("section")}
	v.Data = d
	if err == nil && rows[0].Status != "DELETED" {
		var p *ram.PermissionsOutput
		if p, err = c.cfg.RAM.ListResourceSharePermissions(ctx, caller, &ram.ListResourceSharePermissionsInput{ResourceShareArn: arn}); err == nil {
			d.Permissions = p.Permissions
			if len(p.Permissions) > 0 {
				d.Current = p.Permissions[0].Arn
			}
		}
	}
	if err == nil {
		d.Managed, err = c.caPermissions(r, s)
	}
	if err == nil {
		d.CAs, err = c.ownCAs(r, s)
	}
	if err != nil && e == nil {
		v.Error, st = c.awsError("ram", err)
	}
	if st == 0 {
		st = http.StatusOK
	}
	c.render(w, r, st, "ram_share", v)
}

func (c *Console) failShare(w http.ResponseWriter, r *http.Request, s *session, err error) {
	e, st := c.awsError("ram", err)
	c.ramShare(w, r, s, r.PostForm.Get("arn"), e, st)
}

// ramAssociate adds or removes one resource or principal.
func (c *Console) ramAssociate(w http.ResponseWriter, r *http.Request, s *session) {
	f := r.PostForm
	arn := f.Get("arn")
	in := &ram.AssociateResourceShareInput{ResourceShareArn: arn, ClientToken: uuid.NewString()}
	entities := lines(f.Get("value"))
	if f.Get("kind") == "resource" {
		in.ResourceArns = entities
	} else {
		in.Principals = entities
	}
	err := valid("ram", in)
	if err == nil {
		if f.Get("op") == "disassociate" {
			_, err = c.cfg.RAM.DisassociateResourceShare(r.Context(), c.caller(r, s), in)
		} else {
			_, err = c.cfg.RAM.AssociateResourceShare(r.Context(), c.caller(r, s), in)
		}
	}
	if err != nil {
		c.failShare(w, r, s, err)
		return
	}
	done := "Association requested."
	if f.Get("op") == "disassociate" {
		done = "Disassociation requested."
	}
	redirectShare(w, r, arn, done)
}

// ramPermission replaces the share's managed permission.
func (c *Console) ramPermission(w http.ResponseWriter, r *http.Request, s *session) {
	arn := r.PostForm.Get("arn")
	yes := true
	in := &ram.AssociateResourceSharePermissionInput{ResourceShareArn: arn, PermissionArn: r.PostForm.Get("permission"),
		Replace: &yes, ClientToken: uuid.NewString()}
	err := valid("ram", in)
	if err == nil {
		_, err = c.cfg.RAM.AssociateResourceSharePermission(r.Context(), c.caller(r, s), in)
	}
	if err != nil {
		c.failShare(w, r, s, err)
		return
	}
	redirectShare(w, r, arn, "Permission changed.")
}

func (c *Console) ramDelete(w http.ResponseWriter, r *http.Request, s *session) {
	in := &ram.DeleteResourceShareInput{ResourceShareArn: r.PostForm.Get("arn"), ClientToken: uuid.NewString()}
	err := valid("ram", in)
	if err == nil {
		_, err = c.cfg.RAM.DeleteResourceShare(r.Context(), c.caller(r, s), in)
	}
	if err != nil {
		c.failShare(w, r, s, err)
		return
	}
	doneRedirect(w, r, "/console/ram/shares", "Resource share deleted.")
}

// invitationRow is a pending invitation with the CAs it offers.
type invitationRow struct {
	ram.ResourceShareInvitation
	Resources []ram.Resource
	Err       *pageError
}

type ramReceivedData struct {
	Pending   []invitationRow
	Shares    []ram.ResourceShare
	Resources []ram.Resource
}

func (c *Console) ramReceived(w http.ResponseWriter, r *http.Request, s *session) {
	c.ramReceivedPage(w, r, s, nil, http.StatusOK)
}

func (c *Console) ramReceivedPage(w http.ResponseWriter, r *http.Request, s *session, e *pageError, st int) {
	ctx, caller := r.Context(), c.caller(r, s)
	d := &ramReceivedData{}
	v := &view{Title: "Shared with me", Nav: "ram", Data: d, Error: e}
	err := func() error {
		max := int32(100)
		inv, err := c.cfg.RAM.GetResourceShareInvitations(ctx, caller, &ram.GetResourceShareInvitationsInput{Paging: ram.Paging{MaxResults: &max}})
		if err != nil {
			return err
		}
		for _, i := range inv.ResourceShareInvitations {
			if i.Status != "PENDING" || i.ReceiverAccountID != s.Account() {
				continue
			}
			row := invitationRow{ResourceShareInvitation: i}
			if res, err := c.cfg.RAM.ListPendingInvitationResources(ctx, caller, &ram.ListPendingInvitationResourcesInput{ResourceShareInvitationArn: i.ResourceShareInvitationArn}); err == nil {
				row.Resources = res.Resources
			} else {
				row.Err, _ = c.awsError("ram", err)
			}
			d.Pending = append(d.Pending, row)
		}
		sh, err := c.cfg.RAM.GetResourceShares(ctx, caller, &ram.GetResourceSharesInput{ResourceOwner: "OTHER-ACCOUNTS", Paging: ram.Paging{MaxResults: &max}})
		if err != nil {
			return err
		}
		d.Shares = sh.ResourceShares
		res, err := c.cfg.RAM.ListResources(ctx, caller, &ram.ListResourcesInput{ResourceOwner: "OTHER-ACCOUNTS", Paging: ram.Paging{MaxResults: &max}})
		if err != nil {
			return err
		}
		d.Resources = res.Resources
		return nil
	}()
	if err != nil && e == nil {
		v.Error, st = c.awsError("ram", err)
	}
	c.render(w, r, st, "ram_received", v)
}

func (c *Console) ramInvitation(w http.ResponseWriter, r *http.Request, s *session) {
	in := &ram.InvitationInput{ResourceShareInvitationArn: r.PostForm.Get("invitation"), ClientToken: uuid.NewString()}
	err := valid("ram", in)
	accept := r.PostForm.Get("op") == "accept"
	if err == nil {
		if accept {
			_, err = c.cfg.RAM.AcceptResourceShareInvitation(r.Context(), c.caller(r, s), in)
		} else {
			_, err = c.cfg.RAM.RejectResourceShareInvitation(r.Context(), c.caller(r, s), in)
		}
	}
	if err != nil {
		e, st := c.awsError("ram", err)
		c.ramReceivedPage(w, r, s, e, st)
		return
	}
	msg := "Invitation rejected."
	if accept {
		msg = "Invitation accepted: the shared resources are available to this account."
	}
	doneRedirect(w, r, "/console/ram/received", msg)
}

func (c *Console) ramSettings(w http.ResponseWriter, r *http.Request, s *session) {
	v := &view{Title: "RAM settings", Nav: "ram"}
	if _, err := c.cfg.RAM.EnableSharingWithAwsOrganization(r.Context(), c.caller(r, s), &ram.Empty{}); err != nil {
		var st int
		v.Error, st = c.awsError("ram", err)
		c.render(w, r, st, "ram_settings", v)
		return
	}
	doneRedirect(w, r, "/console/ram/settings", "Sharing with AWS Organizations is enabled.")
}

// caShares is the CA detail page's list of the caller's shares that
// include the CA.
func (c *Console) caShares(r *http.Request, s *session, caARN string) ([]ram.ResourceShareAssociation, error) {
	max := int32(100)
	o, err := c.cfg.RAM.GetResourceShareAssociations(r.Context(), c.caller(r, s), &ram.GetResourceShareAssociationsInput{
		AssociationType: "RESOURCE", ResourceArn: caARN, Paging: ram.Paging{MaxResults: &max}})
	if err != nil {
		return nil, err
	}
	var out []ram.ResourceShareAssociation
	for _, a := range o.ResourceShareAssociations {
		if a.Status != "DISASSOCIATED" {
			out = append(out, a)
		}
	}
	return out, nil
}
