package org

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openpca/openpca/internal/authz"
)

func TestOrgContext(t *testing.T) {
	e := newEnv(t)
	f := e.build()
	m := e.roots[acctM]

	tests := []struct {
		name      string
		acct      string
		wantPath  string
		wantMgmt  string
		wantOrgID string
	}{
		{name: "management account under the root", acct: acctM, wantPath: f.org + "/" + f.root + "/", wantMgmt: acctM, wantOrgID: f.org},
		{name: "member two OUs deep", acct: acctB, wantPath: f.org + "/" + f.root + "/" + f.a + "/" + f.b + "/", wantMgmt: acctM, wantOrgID: f.org},
		{name: "standalone account", acct: acctS},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			oc := must(e.st.OrgContext(e.ctx, tc.acct))
			if oc.OrgID != tc.wantOrgID || oc.ManagementAccount != tc.wantMgmt || oc.SCPsEnabled {
				t.Fatalf("OrgContext = %+v", oc)
			}
			if tc.wantPath == "" {
				if len(oc.Paths) != 0 {
					t.Fatalf("Paths = %v, want none", oc.Paths)
				}
				return
			}
			if !slices.Equal(oc.Paths, []string{tc.wantPath}) {
				t.Fatalf("Paths = %v, want %s", oc.Paths, tc.wantPath)
			}
		})
	}

	// With SCPs: one level per root, OU and the account itself.
	must(e.svc.EnablePolicyType(e.ctx, m, &PolicyTypeInput{RootId: f.root, PolicyType: scpType}))
	desc := "no iam"
	p := must(e.svc.CreatePolicy(e.ctx, m, &CreatePolicyInput{Name: "deny-iam", Description: &desc, Type: scpType,
		Content: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:*","Resource":"*"}]}`}))
	must(e.svc.AttachPolicy(e.ctx, m, &AttachPolicyInput{PolicyId: p.Policy.PolicySummary.Id, TargetId: f.a}))
	oc := must(e.st.OrgContext(e.ctx, acctB))
	if !oc.SCPsEnabled || len(oc.SCPLevels) != 4 || len(oc.SCPs) != 5 {
		t.Fatalf("SCP levels = %+v", oc.SCPLevels)
	}
	var names [][]string
	for _, level := range oc.SCPLevels {
		var n []string
		for _, pol := range level {
			if pol.Kind != authz.ServiceControlPolicy {
				t.Fatalf("level policy kind = %v", pol.Kind)
			}
			n = append(n, pol.Name[strings.LastIndex(pol.Name, "/")+1:])
		}
		slices.Sort(n)
		names = append(names, n)
	}
	onA := []string{FullAWSAccessID, p.Policy.PolicySummary.Id}
	slices.Sort(onA)
	want := [][]string{{FullAWSAccessID}, onA, {FullAWSAccessID}, {FullAWSAccessID}}
	if !slices.EqualFunc(names, want, slices.Equal[[]string]) {
		t.Fatalf("levels = %v, want %v", names, want)
	}
	if oc.SCPLevels[0][0].Name != "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess" {
		t.Fatalf("built-in SCP name = %s", oc.SCPLevels[0][0].Name)
	}
}

func TestOperationErrors(t *testing.T) {
	e := newEnv(t)
	f := e.build()
	m, b, s := e.roots[acctM], e.roots[acctB], e.roots[acctS]
	ghost := "ou-" + strings.TrimPrefix(f.root, "r-") + "-zzzzzzzz"
	desc := ""
	tests := []struct {
		name   string
		call   func() error
		kind   ErrorKind
		reason string
	}{
		{"standalone describes", func() error { _, err := e.svc.DescribeOrganization(e.ctx, s, &Empty{}); return err }, NotInUse, ""},
		{"member describes", func() error { _, err := e.svc.DescribeOrganization(e.ctx, b, &Empty{}); return err }, 0, ""},
		{"member lists roots", func() error { _, err := e.svc.ListRoots(e.ctx, b, &ListInput{}); return err }, AccessDenied, ""},
		{"member creates an account", func() error {
			_, err := e.svc.CreateAccount(e.ctx, b, &CreateAccountInput{Email: "x@example.com", AccountName: "x"})
			return err
		}, AccessDenied, ""},
		{"second organization", func() error { _, err := e.svc.CreateOrganization(e.ctx, m, &CreateOrganizationInput{}); return err }, AlreadyInOrganization, ""},
		{"unknown parent", func() error {
			_, err := e.svc.CreateOrganizationalUnit(e.ctx, m, &CreateOrganizationalUnitInput{ParentId: ghost, Name: "x"})
			return err
		}, ParentNotFound, ""},
		{"duplicate OU", func() error {
			_, err := e.svc.CreateOrganizationalUnit(e.ctx, m, &CreateOrganizationalUnitInput{ParentId: f.a, Name: "B"})
			return err
		}, DuplicateOrganizationalUnit, ""},
		{"same name elsewhere is fine", func() error {
			_, err := e.svc.CreateOrganizationalUnit(e.ctx, m, &CreateOrganizationalUnitInput{ParentId: f.root, Name: "B"})
			return err
		}, 0, ""},
		{"rename onto a sibling", func() error {
			_, err := e.svc.UpdateOrganizationalUnit(e.ctx, m, &UpdateOrganizationalUnitInput{OrganizationalUnitId: f.a, Name: ptr("B")})
			return err
		}, DuplicateOrganizationalUnit, ""},
		{"delete non-empty OU", func() error {
			_, err := e.svc.DeleteOrganizationalUnit(e.ctx, m, &OrganizationalUnitIdInput{OrganizationalUnitId: f.b})
			return err
		}, OrganizationalUnitNotEmpty, ""},
		{"describe unknown OU", func() error {
			_, err := e.svc.DescribeOrganizationalUnit(e.ctx, m, &OrganizationalUnitIdInput{OrganizationalUnitId: ghost})
			return err
		}, OrganizationalUnitNotFound, ""},
		{"invite a member", func() error {
			_, err := e.svc.InviteAccountToOrganization(e.ctx, m, &InviteAccountToOrganizationInput{Target: &HandshakeParty{Id: acctB, Type: "ACCOUNT"}})
			return err
		}, HandshakeConstraintViolation, "ALREADY_IN_AN_ORGANIZATION"},
		{"invite an unknown account", func() error {
			_, err := e.svc.InviteAccountToOrganization(e.ctx, m, &InviteAccountToOrganizationInput{Target: &HandshakeParty{Id: "000011112222", Type: "ACCOUNT"}})
			return err
		}, InvalidInput, "INVALID_PARTY_TYPE_TARGET"},
		{"invite an organization", func() error {
			_, err := e.svc.InviteAccountToOrganization(e.ctx, m, &InviteAccountToOrganizationInput{Target: &HandshakeParty{Id: f.org, Type: "ORGANIZATION"}})
			return err
		}, InvalidInput, "INVALID_PARTY_TYPE_TARGET"},
		{"move from the wrong parent", func() error {
			_, err := e.svc.MoveAccount(e.ctx, m, &MoveAccountInput{AccountId: acctB, SourceParentId: f.root, DestinationParentId: f.a})
			return err
		}, AccountNotFound, ""},
		{"move to an unknown parent", func() error {
			_, err := e.svc.MoveAccount(e.ctx, m, &MoveAccountInput{AccountId: acctB, SourceParentId: f.b, DestinationParentId: ghost})
			return err
		}, DestinationParentNotFound, ""},
		{"move a standalone account", func() error {
			_, err := e.svc.MoveAccount(e.ctx, m, &MoveAccountInput{AccountId: acctS, SourceParentId: f.root, DestinationParentId: f.a})
			return err
		}, AccountNotFound, ""},
		{"list parents of a stranger", func() error {
			_, err := e.svc.ListParents(e.ctx, m, &ListParentsInput{ChildId: acctS})
			return err
		}, ChildNotFound, ""},
		{"remove the management account", func() error {
			_, err := e.svc.RemoveAccountFromOrganization(e.ctx, m, &AccountIdInput{AccountId: acctM})
			return err
		}, MasterCannotLeaveOrganization, ""},
		{"unknown create-account request", func() error {
			_, err := e.svc.DescribeCreateAccountStatus(e.ctx, m, &CreateAccountRequestIdInput{CreateAccountRequestId: "car-00000000"})
			return err
		}, CreateAccountStatusNotFound, ""},
		{"unrecognized service principal", func() error {
			_, err := e.svc.EnableAWSServiceAccess(e.ctx, m, &ServicePrincipalInput{ServicePrincipal: "nothing.amazonaws.com"})
			return err
		}, InvalidInput, "UNRECOGNIZED_SERVICE_PRINCIPAL"},
		{"tag policy that is not a JSON object", func() error {
			_, err := e.svc.CreatePolicy(e.ctx, m, &CreatePolicyInput{Name: "t", Description: &desc, Type: "TAG_POLICY", Content: `["tags"]`})
			return err
		}, MalformedPolicyDocument, ""},
		{"disable a type never enabled", func() error {
			_, err := e.svc.DisablePolicyType(e.ctx, m, &PolicyTypeInput{RootId: f.root, PolicyType: scpType})
			return err
		}, PolicyTypeNotEnabled, ""},
		{"SCP Allow with a condition", func() error {
			_, err := e.svc.CreatePolicy(e.ctx, m, &CreatePolicyInput{Name: "c", Description: &desc, Type: scpType,
				Content: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}`})
			return err
		}, MalformedPolicyDocument, ""},
		{"update FullAWSAccess", func() error {
			_, err := e.svc.UpdatePolicy(e.ctx, m, &UpdatePolicyInput{PolicyId: FullAWSAccessID, Name: "mine"})
			return err
		}, InvalidInput, "IMMUTABLE_POLICY"},
		{"describe unknown policy", func() error {
			_, err := e.svc.DescribePolicy(e.ctx, m, &PolicyIdInput{PolicyId: "p-00000000"})
			return err
		}, PolicyNotFound, ""},
		{"tag an unknown OU", func() error {
			_, err := e.svc.TagResource(e.ctx, m, &TagResourceInput{ResourceId: ghost, Tags: []Tag{{Key: "k", Value: "v"}}})
			return err
		}, TargetNotFound, ""},
		{"duplicate tag keys", func() error {
			_, err := e.svc.TagResource(e.ctx, m, &TagResourceInput{ResourceId: f.a, Tags: []Tag{{Key: "k"}, {Key: "k"}}})
			return err
		}, InvalidInput, "DUPLICATE_TAG_KEY"},
		{"foreign NextToken", func() error {
			out, err := e.svc.ListChildren(e.ctx, m, &ListChildrenInput{ParentId: f.root, ChildType: "ORGANIZATIONAL_UNIT", MaxResults: ptr(1)})
			if err != nil {
				return err
			}
			_, err = e.svc.ListAccounts(e.ctx, m, &ListInput{NextToken: out.NextToken})
			return err
		}, InvalidInput, "INVALID_NEXT_TOKEN"},
		{"delete a non-empty organization", func() error { _, err := e.svc.DeleteOrganization(e.ctx, m, &Empty{}); return err }, OrganizationNotEmpty, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { wantKind(t, tc.call(), tc.kind, tc.reason) })
	}
}

func ptr[T any](v T) *T { return &v }

func TestHandshakeStates(t *testing.T) {
	e := newEnv(t)
	m, s := e.roots[acctM], e.roots[acctS]
	must(e.svc.CreateOrganization(e.ctx, m, &CreateOrganizationInput{}))
	invite := func() string {
		t.Helper()
		return must(e.svc.InviteAccountToOrganization(e.ctx, m, &InviteAccountToOrganizationInput{Target: &HandshakeParty{Id: acctS, Type: "ACCOUNT"}})).Handshake.Id
	}
	h1 := invite()
	steps := []struct {
		name   string
		call   func() error
		kind   ErrorKind
		reason string
	}{
		{"second open invitation", func() error {
			_, err := e.svc.InviteAccountToOrganization(e.ctx, m, &InviteAccountToOrganizationInput{Target: &HandshakeParty{Id: acctS, Type: "ACCOUNT"}})
			return err
		}, DuplicateHandshake, ""},
		{"invitee cannot cancel", func() error {
			_, err := e.svc.CancelHandshake(e.ctx, s, &HandshakeIdInput{HandshakeId: h1})
			return err
		}, AccessDenied, ""},
		{"inviter cannot accept", func() error {
			_, err := e.svc.AcceptHandshake(e.ctx, m, &HandshakeIdInput{HandshakeId: h1})
			return err
		}, AccessDenied, ""},
		{"stranger does not see it", func() error {
			_, err := e.svc.DescribeHandshake(e.ctx, e.roots[acctB], &HandshakeIdInput{HandshakeId: h1})
			return err
		}, HandshakeNotFound, ""},
		{"decline", func() error {
			_, err := e.svc.DeclineHandshake(e.ctx, s, &HandshakeIdInput{HandshakeId: h1})
			return err
		}, 0, ""},
		{"decline again", func() error {
			_, err := e.svc.DeclineHandshake(e.ctx, s, &HandshakeIdInput{HandshakeId: h1})
			return err
		}, HandshakeAlreadyInState, ""},
		{"accept after decline", func() error {
			_, err := e.svc.AcceptHandshake(e.ctx, s, &HandshakeIdInput{HandshakeId: h1})
			return err
		}, InvalidHandshakeTransition, ""},
		{"accept an expired invitation", func() error {
			h := invite()
			e.clk.Advance(handshakeTTL + time.Minute)
			_, err := e.svc.AcceptHandshake(e.ctx, s, &HandshakeIdInput{HandshakeId: h})
			return err
		}, InvalidHandshakeTransition, ""},
		{"accept a fresh invitation", func() error {
			_, err := e.svc.AcceptHandshake(e.ctx, s, &HandshakeIdInput{HandshakeId: invite()})
			return err
		}, 0, ""},
		{"leave", func() error { _, err := e.svc.LeaveOrganization(e.ctx, s, &Empty{}); return err }, 0, ""},
		{"gone after leaving", func() error { _, err := e.svc.DescribeOrganization(e.ctx, s, &Empty{}); return err }, NotInUse, ""},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) { wantKind(t, st.call(), st.kind, st.reason) })
	}
}

func TestCreateAccountFailure(t *testing.T) {
	e := newEnv(t)
	m := e.roots[acctM]
	must(e.svc.CreateOrganization(e.ctx, m, &CreateOrganizationInput{}))
	tests := []struct {
		name, email, state, reason string
	}{
		{name: "new email", email: "new@example.com", state: "SUCCEEDED"},
		{name: "email of an existing account", email: acctS + "@example.com", state: "FAILED", reason: "EMAIL_ALREADY_EXISTS"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := must(e.svc.CreateAccount(e.ctx, m, &CreateAccountInput{Email: tc.email, AccountName: tc.name}))
			if out.CreateAccountStatus.State != tc.state || out.CreateAccountStatus.FailureReason != tc.reason {
				t.Fatalf("first answer = %+v", out.CreateAccountStatus)
			}
			st := must(e.svc.DescribeCreateAccountStatus(e.ctx, m, &CreateAccountRequestIdInput{CreateAccountRequestId: out.CreateAccountStatus.Id}))
			if *st.CreateAccountStatus != *out.CreateAccountStatus {
				t.Fatalf("status = %+v, answer %+v", st.CreateAccountStatus, out.CreateAccountStatus)
			}
		})
	}
	failed := must(e.svc.ListCreateAccountStatus(e.ctx, m, &ListCreateAccountStatusInput{States: []string{"FAILED"}}))
	if len(failed.CreateAccountStatuses) != 1 {
		t.Fatalf("FAILED requests = %+v", failed.CreateAccountStatuses)
	}
}
