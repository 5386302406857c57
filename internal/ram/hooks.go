package ram

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/openpca/openpca/internal/authz"
)

// pca calls these (pca.Sharing) inside its own transactions.

// PolicyPut records a hand-written PutPolicy: the CA leaves its STANDARD
// shares (the document replaces what RAM wrote) and appears in a
// CREATED_FROM_POLICY share, visible to the owner only, whose principals
// are the document's AWS principals.
func (s *Service) PolicyPut(ctx context.Context, tx *sql.Tx, caARN, owner, doc string) error {
	region := strings.Split(caARN, ":")[3]
	var cfp *shareRow
	as, err := assocsOfEntity(ctx, tx, region, "RESOURCE", caARN)
	if err != nil {
		return err
	}
	now := s.d.Clock.Now()
	for _, a := range as {
		sh, err := getShare(ctx, tx, a.ShareARN)
		if err != nil || sh == nil {
			return err
		}
		if sh.FeatureSet == "CREATED_FROM_POLICY" && sh.Status == "ACTIVE" {
			cfp = sh
			continue
		}
		if a.Status != "DISASSOCIATED" {
			a.Status, a.Updated = "DISASSOCIATED", now
			if err := putAssoc(ctx, tx, a); err != nil {
				return err
			}
		}
	}
	if cfp == nil {
		id := uuid.NewString()
		cfp = &shareRow{ARN: "arn:" + partitionOf(region) + ":ram:" + region + ":" + owner + ":resource-share/" + id, Region: region, Owner: owner,
			Name: "CreatedFromPolicy-" + caARN[strings.LastIndex(caARN, "/")+1:], AllowExternal: true, Status: "ACTIVE",
			FeatureSet: "CREATED_FROM_POLICY", Created: now}
	}
	cfp.SourcePolicy, cfp.Updated = doc, now
	if err := putShare(ctx, tx, cfp); err != nil {
		return err
	}
	if err := putAssoc(ctx, tx, &assocRow{ShareARN: cfp.ARN, Region: region, Kind: "RESOURCE", Entity: caARN,
		Status: "ASSOCIATED", Created: now, Updated: now}); err != nil {
		return err
	}
	old, err := assocsOfShare(ctx, tx, cfp.ARN)
	if err != nil {
		return err
	}
	want := policyPrincipals(doc)
	for _, a := range old {
		if a.Kind == "PRINCIPAL" && !slices.Contains(want, a.Entity) && a.Status != "DISASSOCIATED" {
			a.Status, a.Updated = "DISASSOCIATED", now
			if err := putAssoc(ctx, tx, a); err != nil {
				return err
			}
		}
	}
	for _, p := range want {
		acct := principalAccountOf(p)
		if err := putAssoc(ctx, tx, &assocRow{ShareARN: cfp.ARN, Region: region, Kind: "PRINCIPAL", Entity: p, Account: acct,
			Status: "ASSOCIATED", External: acct != owner, Created: now, Updated: now}); err != nil {
			return err
		}
	}
	return nil
}

// policyPrincipals lists a document's AWS principals as RAM principals
// (account roots become account IDs).
func policyPrincipals(doc string) []string {
	var out []string
	for _, st := range sourceStatements(doc) {
		m, _ := st.(map[string]any)
		if m == nil || m["Effect"] != "Allow" {
			continue
		}
		p, _ := m["Principal"].(map[string]any)
		var vals []any
		switch v := p["AWS"].(type) {
		case string:
			vals = []any{v}
		case []any:
			vals = v
		}
		for _, v := range vals {
			str, _ := v.(string)
			if acct, ok := strings.CutSuffix(str, ":root"); ok {
				str = acct[strings.LastIndex(acct, ":")+1:]
			}
			if k, _, _ := classifyPrincipal(str); k == principalAccount || k == principalUser || k == principalRole {
				out = append(out, str)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// PolicyDeleted removes a CA from every share after DeletePolicy (§3.3).
func (s *Service) PolicyDeleted(ctx context.Context, tx *sql.Tx, caARN string) error {
	region := strings.Split(caARN, ":")[3]
	as, err := assocsOfEntity(ctx, tx, region, "RESOURCE", caARN)
	if err != nil {
		return err
	}
	now := s.d.Clock.Now()
	for _, a := range as {
		if a.Status == "DISASSOCIATED" {
			continue
		}
		a.Status, a.Updated = "DISASSOCIATED", now
		if err := putAssoc(ctx, tx, a); err != nil {
			return err
		}
		sh, err := getShare(ctx, tx, a.ShareARN)
		if err != nil {
			return err
		}
		if sh != nil && sh.FeatureSet == "CREATED_FROM_POLICY" {
			sh.Status, sh.Updated = "DELETED", now
			if err := putShare(ctx, tx, sh); err != nil {
				return err
			}
		}
	}
	return nil
}

// SharedWith lists the CAs shared with account in region through accepted
// or automatic RAM shares (not hand-written policies).
func (s *Service) SharedWith(ctx context.Context, account, region string) ([]string, error) {
	if err := s.expire(ctx); err != nil {
		return nil, err
	}
	arns, _, err := s.received(ctx, s.d.DB, region, account)
	if err != nil {
		return nil, err
	}
	by, err := resourcesOfShares(ctx, s.d.DB, arns)
	if err != nil {
		return nil, err
	}
	var out []string
	seen := map[string]bool{}
	for _, arn := range arns {
		for _, ca := range by[arn] {
			if !seen[ca] {
				seen[ca] = true
				out = append(out, ca)
			}
		}
	}
	return out, nil
}

// grantSet is a permission's (action, template) pairs, for matching a
// hand-written document to a managed permission.
func grantSet(stmts []permStatement) []string {
	var out []string
	for _, st := range stmts {
		tmpl := ""
		if st.Condition != nil {
			tmpl, _ = st.Condition["StringEquals"]["acm-pca:TemplateArn"].(string)
		}
		for _, a := range st.Actions {
			out = append(out, a+"|"+tmpl)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func docGrantSet(doc string) []string {
	var stmts []permStatement
	for _, st := range sourceStatements(doc) {
		m, _ := st.(map[string]any)
		if m == nil || m["Effect"] != "Allow" {
			continue
		}
		var ps permStatement
		switch a := m["Action"].(type) {
		case string:
			ps.Actions = []string{a}
		case []any:
			for _, x := range a {
				if s, ok := x.(string); ok {
					ps.Actions = append(ps.Actions, s)
				}
			}
		}
		if c, ok := m["Condition"].(map[string]any); ok {
			b, _ := json.Marshal(c)
			_ = json.Unmarshal(b, &ps.Condition)
		}
		stmts = append(stmts, ps)
	}
	return grantSet(stmts)
}

// PromoteResourceShareCreatedFromPolicy turns a CREATED_FROM_POLICY share
// into a STANDARD one with the managed permission its document matches;
// RAM then writes the CA's policy.
func (s *Service) PromoteResourceShareCreatedFromPolicy(ctx context.Context, c *authz.Caller, in *PromoteInput) (*ReturnValueOutput, error) {
	if err := s.authorizeShare(ctx, c, "PromoteResourceShareCreatedFromPolicy", in.ResourceShareArn, nil); err != nil {
		return nil, err
	}
	return &ReturnValueOutput{ReturnValue: true}, s.txn(ctx, func(tx *sql.Tx, w *writer) error {
		sh, err := s.ownShare(ctx, tx, c, in.ResourceShareArn)
		if err != nil {
			return err
		}
		if sh.FeatureSet != "CREATED_FROM_POLICY" || sh.Status != "ACTIVE" {
			return errf(InvalidStateTransition, "The resource share %s was not created from a policy.", sh.ARN)
		}
		want := docGrantSet(sh.SourcePolicy)
		var match *managedPermission
		for i := range managedPermissions {
			if slices.Equal(grantSet(managedPermissions[i].Statements), want) {
				match = &managedPermissions[i]
			}
		}
		if match == nil {
			return errf(UnmatchedPolicyPermission, "The policy of the resource share %s matches no managed permission.", sh.ARN)
		}
		now := s.d.Clock.Now()
		sh.FeatureSet, sh.SourcePolicy, sh.Updated = "STANDARD", "", now
		if err := putShare(ctx, tx, sh); err != nil {
			return err
		}
		if err := putPerm(ctx, tx, sh.Region, &permRow{ShareARN: sh.ARN, ResourceType: ResourceTypeCA, PermissionARN: match.arn(),
			Version: "1", Created: now, Updated: now}); err != nil {
			return err
		}
		return w.regenerateShare(ctx, sh)
	})
}
