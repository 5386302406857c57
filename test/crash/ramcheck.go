package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acmpca"
	pcatypes "github.com/aws/aws-sdk-go-v2/service/acmpca/types"
	"github.com/aws/aws-sdk-go-v2/service/ram"
	ramtypes "github.com/aws/aws-sdk-go-v2/service/ram/types"
	"github.com/aws/smithy-go"
)

const endEntityV1 = "arn:aws:acm-pca:::template/EndEntityCertificate/V1"

// shareView is one share as the RAM API shows it after a restart.
type shareView struct {
	status     ramtypes.ResourceShareStatus
	name       string
	retain     bool
	perms      []string
	principals map[string]ramtypes.ResourceShareAssociationStatus
	resources  map[string]ramtypes.ResourceShareAssociationStatus
}

// grantStmt is one statement of a permission template.
type grantStmt struct {
	Actions   []string
	Condition map[string]map[string]any
}

// grant is one (principal, action, condition) the CA's policy allows; key
// is its canonical form for set comparison.
type grant struct {
	principal, action string
	cond              map[string]map[string]any
}

func (g grant) key() string {
	c, _ := json.Marshal(g.cond) // map keys sorted: canonical
	return g.principal + " " + g.action + " " + string(c)
}

// readRAM reads every share of the owner, its associations and its
// permission through the RAM API.
func (s *state) readRAM(ctx context.Context, r *ramState) (map[string]*shareView, error) {
	rc := s.rd.ram
	views := map[string]*shareView{}
	var active []string
	sp := ram.NewGetResourceSharesPaginator(rc, &ram.GetResourceSharesInput{ResourceOwner: ramtypes.ResourceOwnerSelf})
	for sp.HasMorePages() {
		page, err := sp.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("GetResourceShares: %w", err)
		}
		for _, sh := range page.ResourceShares {
			v := &shareView{status: sh.Status, name: aws.ToString(sh.Name), principals: map[string]ramtypes.ResourceShareAssociationStatus{},
				resources: map[string]ramtypes.ResourceShareAssociationStatus{}}
			if c := sh.ResourceShareConfiguration; c != nil {
				v.retain = aws.ToBool(c.RetainSharingOnAccountLeaveOrganization)
			}
			views[*sh.ResourceShareArn] = v
			if sh.Status == ramtypes.ResourceShareStatusActive {
				active = append(active, *sh.ResourceShareArn)
			}
		}
	}
	for start := 0; start < len(active); start += 50 {
		batch := active[start:min(start+50, len(active))]
		for _, typ := range []ramtypes.ResourceShareAssociationType{ramtypes.ResourceShareAssociationTypePrincipal, ramtypes.ResourceShareAssociationTypeResource} {
			ap := ram.NewGetResourceShareAssociationsPaginator(rc, &ram.GetResourceShareAssociationsInput{AssociationType: typ, ResourceShareArns: batch})
			for ap.HasMorePages() {
				page, err := ap.NextPage(ctx)
				if err != nil {
					return nil, fmt.Errorf("GetResourceShareAssociations: %w", err)
				}
				for _, a := range page.ResourceShareAssociations {
					v := views[aws.ToString(a.ResourceShareArn)]
					if v == nil {
						return nil, fmt.Errorf("association of unlisted share %s", aws.ToString(a.ResourceShareArn))
					}
					m := v.principals
					if a.AssociationType == ramtypes.ResourceShareAssociationTypeResource {
						m = v.resources
					}
					m[aws.ToString(a.AssociatedEntity)] = a.Status
				}
			}
		}
	}
	for _, arn := range active {
		pp := ram.NewListResourceSharePermissionsPaginator(rc, &ram.ListResourceSharePermissionsInput{ResourceShareArn: aws.String(arn)})
		for pp.HasMorePages() {
			page, err := pp.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("ListResourceSharePermissions %s: %w", arn, err)
			}
			for _, p := range page.Permissions {
				views[arn].perms = append(views[arn].perms, aws.ToString(p.Arn))
				if err := s.loadTemplate(ctx, r, aws.ToString(p.Arn)); err != nil {
					return nil, err
				}
			}
		}
	}
	return views, nil
}

// loadTemplate reads a permission's statements with GetPermission once.
func (s *state) loadTemplate(ctx context.Context, r *ramState, arn string) error {
	if _, ok := r.templates[arn]; ok {
		return nil
	}
	out, err := s.rd.ram.GetPermission(ctx, &ram.GetPermissionInput{PermissionArn: &arn})
	if err != nil {
		return fmt.Errorf("GetPermission %s: %w", arn, err)
	}
	var doc struct {
		Statement []struct {
			Effect    string
			Action    json.RawMessage
			Condition map[string]map[string]any
		}
	}
	if err := json.Unmarshal([]byte(aws.ToString(out.Permission.Permission)), &doc); err != nil {
		return fmt.Errorf("permission %s template: %w", arn, err)
	}
	var sts []grantStmt
	for _, st := range doc.Statement {
		if st.Effect != "Allow" {
			return fmt.Errorf("permission %s: effect %q", arn, st.Effect)
		}
		sts = append(sts, grantStmt{Actions: stringOrList(st.Action), Condition: st.Condition})
	}
	r.templates[arn] = sts
	return nil
}

func stringOrList(raw json.RawMessage) []string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var list []string
	_ = json.Unmarshal(raw, &list)
	return list
}

var accountRE = regexp.MustCompile(`^\d{12}$`)

// expectedGrants computes, independently of the server's generator, what
// the CA's policy must allow: for every ACTIVE share holding the CA, each
// statement of its permission for each ASSOCIATED principal. An account
// principal is its root ARN. A principal associated through the
// organization (a member, share not retained on leaving) is bound to it by
// aws:PrincipalOrgID, so access ends when the account leaves.
func expectedGrants(views map[string]*shareView, r *ramState, ca string) map[string]grant {
	out := map[string]grant{}
	for _, v := range views {
		if v.status != ramtypes.ResourceShareStatusActive || v.resources[ca] != ramtypes.ResourceShareAssociationStatusAssociated {
			continue
		}
		for p, st := range v.principals {
			if st != ramtypes.ResourceShareAssociationStatusAssociated {
				continue
			}
			pr, acct := p, p
			if accountRE.MatchString(p) {
				pr = "arn:aws:iam::" + p + ":root"
			} else if parts := strings.Split(p, ":"); len(parts) > 4 {
				acct = parts[4]
			}
			for _, perm := range v.perms {
				for _, st := range r.templates[perm] {
					for _, a := range st.Actions {
						cond := map[string]map[string]any{}
						for op, kv := range st.Condition {
							cond[op] = map[string]any{}
							for k, x := range kv {
								cond[op][k] = x
							}
						}
						if r.inOrg[acct] && !v.retain {
							if cond["StringEquals"] == nil {
								cond["StringEquals"] = map[string]any{}
							}
							cond["StringEquals"]["aws:PrincipalOrgID"] = r.orgID
						}
						if len(cond) == 0 {
							cond = nil
						}
						g := grant{principal: pr, action: a, cond: cond}
						out[g.key()] = g
					}
				}
			}
		}
	}
	return out
}

// policyGrants parses a CA policy into its grants; only Allow statements
// on the CA are expected from RAM.
func policyGrants(doc, ca string) (map[string]grant, error) {
	out := map[string]grant{}
	if doc == "" {
		return out, nil
	}
	var p struct {
		Statement []struct {
			Effect    string
			Principal json.RawMessage
			Action    json.RawMessage
			Resource  json.RawMessage
			Condition map[string]map[string]any
		}
	}
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return nil, err
	}
	for _, st := range p.Statement {
		if st.Effect != "Allow" {
			return nil, fmt.Errorf("statement effect %q", st.Effect)
		}
		if res := stringOrList(st.Resource); !slices.Equal(res, []string{ca}) {
			return nil, fmt.Errorf("statement resource %v, want the CA", res)
		}
		var principals []string
		var star string
		if json.Unmarshal(st.Principal, &star) == nil {
			principals = []string{star}
		} else {
			var m map[string]json.RawMessage
			if err := json.Unmarshal(st.Principal, &m); err != nil {
				return nil, fmt.Errorf("principal %s", st.Principal)
			}
			for k, v := range m {
				if k != "AWS" {
					return nil, fmt.Errorf("principal kind %s", k)
				}
				principals = stringOrList(v)
			}
		}
		cond := st.Condition
		if len(cond) == 0 {
			cond = nil
		}
		for _, pr := range principals {
			for _, a := range stringOrList(st.Action) {
				g := grant{principal: pr, action: a, cond: cond}
				out[g.key()] = g
			}
		}
	}
	return out, nil
}

// allowsIssue: a grant lets principal issue with the default template as a
// member of the organization (the only condition keys RAM writes here).
func allowsIssue(gs map[string]grant, principals []string, orgID string) bool {
	for _, g := range gs {
		if g.action != "acm-pca:IssueCertificate" || !slices.Contains(principals, g.principal) {
			continue
		}
		ok := true
		for op, kv := range g.cond {
			for k, v := range kv {
				want := map[string]string{"acm-pca:TemplateArn": endEntityV1, "aws:PrincipalOrgID": orgID}[k]
				if op != "StringEquals" || want == "" || v != want {
					ok = false
				}
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// checkRAM: every acknowledged RAM write is reflected, the CA's policy
// (acm-pca GetPolicy, and RAM GetResourcePolicies) grants exactly what the
// associations generate, and each member's IssueCertificate probe agrees.
func checkRAM(ctx context.Context, s *state, rep *report) {
	s.mu.Lock()
	r := s.ram
	s.mu.Unlock()
	if r == nil {
		return
	}
	cycle := s.cycle - 1
	views, err := s.readRAM(ctx, r)
	if err != nil {
		rep.fail("cycle %d: RAM: %v", cycle, err)
		return
	}
	s.mu.Lock()
	for _, l := range ackedLosses(r, views, s.ca) {
		rep.lost++
		rep.fail("cycle %d: %s", cycle, l)
	}
	s.adoptRAM(r, views)
	s.mu.Unlock()

	want := expectedGrants(views, r, s.ca)
	doc := ""
	if out, err := s.rd.pca.GetPolicy(ctx, &acmpca.GetPolicyInput{ResourceArn: &s.ca}); err == nil {
		doc = aws.ToString(out.Policy)
	} else if !isCode(err, "ResourceNotFoundException") {
		rep.fail("cycle %d: GetPolicy: %v", cycle, err)
		return
	}
	if rp, err := s.rd.ram.GetResourcePolicies(ctx, &ram.GetResourcePoliciesInput{ResourceArns: []string{s.ca}}); err != nil {
		rep.fail("cycle %d: GetResourcePolicies: %v", cycle, err)
	} else if got := strings.Join(rp.Policies, ""); got != doc {
		rep.policy++
		rep.fail("cycle %d: RAM GetResourcePolicies differs from acm-pca GetPolicy:\n%s\n%s", cycle, got, doc)
	}
	have, err := policyGrants(doc, s.ca)
	if err != nil {
		rep.fail("cycle %d: CA policy: %v: %s", cycle, err, doc)
		return
	}
	if extra, missing := diffGrants(have, want); len(extra)+len(missing) > 0 {
		rep.policy++
		rep.fail("cycle %d: the CA policy is not what its RAM associations generate: granted but not associated %v; associated but not granted %v",
			cycle, extra, missing)
	}
	s.probeMembers(ctx, rep, r, cycle, want)
}

// ackedLosses lists acknowledged RAM writes the server no longer reflects
// (s.mu held): a share not listed or not ACTIVE, a deletion undone, the CA
// or an associated principal not ASSOCIATED, a disassociated one back, a
// different permission. Shares whose last write went unanswered are
// skipped (adoptRAM then takes their state).
func ackedLosses(r *ramState, views map[string]*shareView, ca string) []string {
	var out []string
	for _, arn := range r.order {
		rec, v := r.shares[arn], views[arn]
		lost := func(format string, args ...any) {
			out = append(out, fmt.Sprintf("share %s: "+format, append([]any{arn}, args...)...))
		}
		switch {
		case v == nil:
			lost("acknowledged, not listed")
			rec.deleted, rec.uncertain = true, false // reported once
			continue
		case rec.uncertain:
			continue
		case rec.deleted:
			if v.status == ramtypes.ResourceShareStatusActive {
				lost("acknowledged DeleteResourceShare undone (ACTIVE)")
			}
			continue
		case v.status != ramtypes.ResourceShareStatusActive:
			lost("status %s, want ACTIVE", v.status)
			continue
		}
		if v.resources[ca] != ramtypes.ResourceShareAssociationStatusAssociated {
			lost("the CA is %q, want ASSOCIATED", v.resources[ca])
		}
		if !slices.Equal(v.perms, []string{rec.perm}) {
			lost("permissions %v, want %s", v.perms, rec.perm)
		}
		for _, p := range slices.Sorted(maps.Keys(rec.principals)) {
			if v.principals[p] != ramtypes.ResourceShareAssociationStatusAssociated {
				lost("acknowledged association of %s is %q", p, v.principals[p])
			}
		}
		for _, p := range slices.Sorted(maps.Keys(rec.pending)) {
			if v.principals[p] != ramtypes.ResourceShareAssociationStatusAssociating {
				lost("acknowledged association of %s (invitation pending) is %q", p, v.principals[p])
			}
		}
		for _, p := range slices.Sorted(maps.Keys(rec.removed)) {
			if v.principals[p] == ramtypes.ResourceShareAssociationStatusAssociated {
				lost("acknowledged disassociation of %s undone", p)
			}
		}
	}
	return out
}

// adoptRAM takes the server's state for shares whose last write went
// unanswered and for unacknowledged creates that were committed (s.mu held).
func (s *state) adoptRAM(r *ramState, views map[string]*shareView) {
	for arn, v := range views {
		rec := r.shares[arn]
		if rec == nil {
			if !strings.HasPrefix(v.name, shareName) {
				continue
			}
			rec = &shareRec{arn: arn, uncertain: true}
			r.shares[arn] = rec
			r.order = append(r.order, arn)
			r.adopted++
		}
		rec.busy = false
		if !rec.uncertain {
			continue
		}
		rec.uncertain = false
		rec.principals, rec.pending, rec.removed = map[string]bool{}, map[string]bool{}, map[string]bool{}
		rec.deleted = v.status != ramtypes.ResourceShareStatusActive
		if len(v.perms) == 1 {
			rec.perm = v.perms[0]
		}
		for p, st := range v.principals {
			switch st {
			case ramtypes.ResourceShareAssociationStatusAssociated:
				rec.principals[p] = true
			case ramtypes.ResourceShareAssociationStatusAssociating:
				rec.pending[p] = true
			}
		}
	}
}

func diffGrants(have, want map[string]grant) (extra, missing []string) {
	for k := range have {
		if _, ok := want[k]; !ok {
			extra = append(extra, k)
		}
	}
	for k := range want {
		if _, ok := have[k]; !ok {
			missing = append(missing, k)
		}
	}
	sort.Strings(extra)
	sort.Strings(missing)
	return extra, missing
}

// probeMembers: each member's user asks to issue; the answer must match
// what the expected grants say (one probe per member per check).
func (s *state) probeMembers(ctx context.Context, rep *report, r *ramState, cycle int, want map[string]grant) {
	for _, m := range r.members {
		cfg := s.awsConfig(m.key, m.secret, "")
		cfg.RetryMaxAttempts = 3 // not an acknowledged write: a retry hides nothing
		pc := acmpca.NewFromConfig(cfg)
		_, err := pc.IssueCertificate(ctx, &acmpca.IssueCertificateInput{CertificateAuthorityArn: &s.ca, Csr: r.csr,
			SigningAlgorithm: pcatypes.SigningAlgorithmSha256withecdsa,
			Validity:         &pcatypes.Validity{Type: pcatypes.ValidityPeriodTypeDays, Value: aws.Int64(7)}})
		allowed := err == nil
		if err != nil && !isCode(err, "AccessDeniedException") {
			rep.fail("cycle %d: probe IssueCertificate as %s: %v", cycle, m.devARN, err)
			continue
		}
		exp := allowsIssue(want, []string{"arn:aws:iam::" + m.acct + ":root", m.devARN}, r.orgID)
		s.mu.Lock()
		r.probes++
		if allowed {
			r.allowed++
		}
		s.mu.Unlock()
		if allowed != exp {
			rep.policy++
			rep.fail("cycle %d: %s may issue: %v, but its RAM associations say %v (%v)", cycle, m.devARN, allowed, exp, err)
		}
	}
}

func isCode(err error, code string) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == code
}
