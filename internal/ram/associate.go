package ram

import (
	"context"
	"strings"

	"github.com/google/uuid"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/org"
)

// orgView is what addPrincipal needs to know from Organizations and IAM,
// read before the transaction: a transaction holding SQLite's write lock
// must not wait for another pooled connection.
type orgView struct {
	sharing *org.Membership            // the owner's organization, when sharing is on
	members map[string]*org.Membership // principal accounts' memberships
	ous     map[string]bool            // OU principals' OUs that exist in it
	ids     map[string]string          // user and role principals' unique IDs
}

func (s *Service) orgViewFor(ctx context.Context, owner string, principals []string) (*orgView, error) {
	v := &orgView{members: map[string]*org.Membership{}, ous: map[string]bool{}}
	var iamARNs []string
	for _, p := range principals {
		if k, _, _ := classifyPrincipal(p); k == principalUser || k == principalRole {
			iamARNs = append(iamARNs, p)
		}
	}
	var err error
	if v.ids, err = s.d.CAs.PrincipalIDs(ctx, iamARNs); err != nil {
		return nil, err
	}
	if v.sharing, err = s.orgSharing(ctx, owner); err != nil || v.sharing == nil {
		return v, err
	}
	for _, p := range principals {
		if k, o, ou := classifyPrincipal(p); k == principalOU && o == v.sharing.OrgID {
			if v.ous[ou], err = s.d.Orgs.UnitExists(ctx, o, ou); err != nil {
				return nil, err
			}
		}
		if acct := principalAccountOf(p); acct != "" && v.members[acct] == nil {
			if v.members[acct], err = s.d.Orgs.Membership(ctx, acct); err != nil {
				return nil, err
			}
		}
	}
	return v, nil
}

// orgSharing is the owner's organization when organization sharing is on
// (trusted access for ram.amazonaws.com), else nil.
func (s *Service) orgSharing(ctx context.Context, owner string) (*org.Membership, error) {
	m, err := s.d.Orgs.Membership(ctx, owner)
	if err != nil || m == nil {
		return nil, err
	}
	on, err := s.d.Orgs.ServiceAccessEnabled(ctx, m.OrgID, "ram.amazonaws.com")
	if err != nil || !on {
		return nil, err
	}
	return m, nil
}

const msgOrgOnly = "The resource you are attempting to share can only be shared within your AWS Organization. " +
	"This error may also occur if you have not enabled sharing with your AWS organization, or that onboarding process is still in progress."

// checkCA validates a resource ARN for sharing by caller: a CA of the
// caller's own account in the request's region.
func (s *Service) checkCA(ctx context.Context, c *authz.Caller, arn string) error {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] == "" || parts[5] == "" {
		return errf(MalformedArn, "The specified resource ARN %s is not valid. Verify the ARN and try again.", arn)
	}
	if parts[2] != "acm-pca" || !strings.HasPrefix(parts[5], "certificate-authority/") || strings.Contains(parts[5], "/certificate/") {
		return errf(InvalidParameter, "You cannot share the selected resource type: %s.", arn)
	}
	region := regionOf(c)
	if parts[1] != partitionOf(region) || parts[3] != region || parts[4] != c.AccountID {
		return errf(UnknownResource, "The resource %s could not be found.", arn)
	}
	owner, ok, err := s.d.CAs.CAOwner(ctx, arn)
	if err != nil {
		return err
	}
	if !ok || owner != c.AccountID {
		return errf(UnknownResource, "The resource %s could not be found.", arn)
	}
	// RAM writes the CA's policy on the caller's behalf: the caller must
	// be allowed to write it (RAM concepts: "permissions to call the
	// PutResourcePolicy operation in the AWS service").
	return s.d.Engine.Check(ctx, &authz.Request{Caller: c, Action: "acm-pca:PutPolicy", Resource: arn, ResourceAccount: owner})
}

// addResource associates a CA with the share, attaching the default
// permission when the share has none for CAs yet.
func (w *writer) addResource(ctx context.Context, sh *shareRow, arn string) (*assocRow, error) {
	now := w.s.d.Clock.Now()
	a := &assocRow{ShareARN: sh.ARN, Region: sh.Region, Kind: "RESOURCE", Entity: arn, Status: "ASSOCIATED", Created: now, Updated: now}
	if old, err := findAssoc(ctx, w, sh.ARN, "RESOURCE", arn); err != nil {
		return nil, err
	} else if old != nil {
		a.Created = old.Created
	}
	perms, err := permsOfShare(ctx, w.tx, sh.ARN)
	if err != nil {
		return nil, err
	}
	if len(perms) == 0 && sh.FeatureSet != "CREATED_FROM_POLICY" {
		if err := putPerm(ctx, w.tx, sh.Region, &permRow{ShareARN: sh.ARN, ResourceType: ResourceTypeCA,
			PermissionARN: defaultPermission().arn(), Version: "1", Created: now, Updated: now}); err != nil {
			return nil, err
		}
	}
	if err := putAssoc(ctx, w.tx, a); err != nil {
		return nil, err
	}
	return a, w.regenerate(ctx, sh.Region, arn)
}

func findAssoc(ctx context.Context, w *writer, shareARN, kind, entity string) (*assocRow, error) {
	as, err := assocsOfShare(ctx, w.tx, shareARN)
	if err != nil {
		return nil, err
	}
	for _, a := range as {
		if a.Kind == kind && a.Entity == entity {
			return a, nil
		}
	}
	return nil, nil
}

// addPrincipal associates a principal (§5.4): at once inside the owner's
// organization with sharing on (and for the owner itself), otherwise by an
// invitation to the principal's account, ASSOCIATING until accepted.
func (w *writer) addPrincipal(ctx context.Context, ov *orgView, sh *shareRow, p string) (*assocRow, error) {
	s := w.s
	now := s.d.Clock.Now()
	k, a, _ := classifyPrincipal(p)
	switch k {
	case principalInvalid:
		return nil, errf(InvalidParameter, "Principal ID %s is malformed. Verify the ID and try again.", p)
	case principalMalformedARN:
		return nil, errf(MalformedArn, "The principal %s is not a valid ARN.", p)
	}
	m := ov.sharing
	row := &assocRow{ShareARN: sh.ARN, Region: sh.Region, Kind: "PRINCIPAL", Entity: p, Status: "ASSOCIATED", Created: now, Updated: now}
	old, err := findAssoc(ctx, w, sh.ARN, "PRINCIPAL", p)
	if err != nil {
		return nil, err
	}
	if old != nil && (old.Status == "ASSOCIATED" || old.Status == "ASSOCIATING") {
		return old, nil
	}
	if old != nil {
		row.Created = old.Created
	}
	row.ViaOrg = ""
	switch k {
	case principalOrg, principalOU:
		if k == principalOU && m != nil && m.OrgID == a && !ov.ous[p[strings.LastIndex(p, "/")+1:]] {
			return nil, errf(UnknownResource, "OrganizationalUnit %s could not be found.", p[strings.LastIndex(p, "/")+1:])
		}
		if m == nil || m.OrgID != a {
			if !sh.AllowExternal {
				return nil, errf(OperationNotPermitted, "%s", msgOrgOnly)
			}
			what := "Organization " + a
			if k == principalOU {
				what = "OrganizationalUnit " + p[strings.LastIndex(p, "/")+1:]
			}
			return nil, errf(UnknownResource, "%s could not be found.", what)
		}
	default:
		row.Account = principalAccountOf(p)
		// A user or role is tied to the entity its ARN names now, as AWS
		// keeps resource-policy principals by unique ID.
		row.PrincipalID = ov.ids[p]
		inOrg := row.Account == sh.Owner
		if !inOrg && m != nil {
			pm := ov.members[row.Account]
			inOrg = pm != nil && pm.OrgID == m.OrgID
			if inOrg && !sh.Retain {
				row.ViaOrg = m.OrgID
			}
		}
		if !inOrg {
			if !sh.AllowExternal {
				return nil, errf(InvalidParameter, "Principal %s is not in your AWS organization. You do not have permission to add external AWS accounts to a resource share.", p)
			}
			row.Status, row.External = "ASSOCIATING", true
			if err := w.invite(ctx, sh, row.Account, p, k); err != nil {
				return nil, err
			}
		}
	}
	if err := putAssoc(ctx, w.tx, row); err != nil {
		return nil, err
	}
	if row.Status == "ASSOCIATED" {
		if err := w.regenerateShare(ctx, sh); err != nil {
			return nil, err
		}
	}
	return row, nil
}

// invite makes sure the receiving account has a pending invitation for
// the share, within the sender's quota of pending invitations.
func (w *writer) invite(ctx context.Context, sh *shareRow, receiver, p string, k principalKind) error {
	invs, err := invsOfShare(ctx, w.tx, sh.ARN)
	if err != nil {
		return err
	}
	for _, inv := range invs {
		if inv.Receiver == receiver && inv.Status == "PENDING" {
			return nil
		}
	}
	n, err := countPendingSent(ctx, w.tx, sh.Region, sh.Owner)
	if err != nil {
		return err
	}
	if n >= MaxPendingInvitations {
		return errf(ResourceShareLimitExceeded, "This account has reached the limit of %d pending resource share invitations.", MaxPendingInvitations)
	}
	now := w.s.d.Clock.Now()
	inv := &invRow{ARN: w.s.invitationARN(sh.Region, sh.Owner, uuid.NewString()), Region: sh.Region, ShareARN: sh.ARN,
		Sender: sh.Owner, Receiver: receiver, Status: "PENDING", Created: now, Updated: now, Expires: now.Add(InvitationTTL)}
	if k == principalUser || k == principalRole {
		inv.ReceiverARN = p
	}
	return putInv(ctx, w.tx, inv)
}

// regenerateShare rewrites the policy of every CA in the share.
func (w *writer) regenerateShare(ctx context.Context, sh *shareRow) error {
	as, err := assocsOfShare(ctx, w.tx, sh.ARN)
	if err != nil {
		return err
	}
	for _, a := range as {
		if a.Kind == "RESOURCE" && (a.Status == "ASSOCIATED" || w.touched[a.Entity]) {
			if err := w.regenerate(ctx, sh.Region, a.Entity); err != nil {
				return err
			}
		}
	}
	return nil
}

// drop disassociates one association row and rewrites affected policies.
func (w *writer) drop(ctx context.Context, sh *shareRow, a *assocRow) error {
	wasActive := a.Status == "ASSOCIATED"
	a.Status, a.Updated = "DISASSOCIATED", w.s.d.Clock.Now()
	if err := putAssoc(ctx, w.tx, a); err != nil {
		return err
	}
	if a.Kind == "RESOURCE" {
		return w.regenerate(ctx, sh.Region, a.Entity)
	}
	if wasActive {
		return w.regenerateShare(ctx, sh)
	}
	return nil
}

func (sh *shareRow) assocView(a *assocRow) ResourceShareAssociation {
	return ResourceShareAssociation{ResourceShareArn: sh.ARN, ResourceShareName: sh.Name, AssociatedEntity: a.Entity,
		AssociationType: a.Kind, Status: a.Status, StatusMessage: a.Message, CreationTime: a.Created,
		LastUpdatedTime: a.Updated, External: a.External}
}
