package orgapi

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/openpca/openpca/internal/authz"
)

const (
	invitedAccount    = "444455556666"
	standaloneAccount = "777788889999"
	caARN             = "arn:aws:acm-pca:us-east-1:" + mgmtAccount + ":certificate-authority/11111111-2222-3333-4444-555555555555"
)

// tree is the organization the tests build.
type tree struct {
	orgID, rootID        string
	ouA, ouB, ouC        string // three deep: root/A/B/C
	created              string // account made by CreateAccount
	mgmt, invited, stand clients
}

// buildTree creates the organization, three levels of OUs, an account by
// CreateAccount and one by invitation of a standalone account.
func buildTree(t *testing.T, s *stack) *tree {
	t.Helper()
	ctx := s.ctx
	tr := &tree{mgmt: s.as(mgmtKey, mgmtSecret, "")}
	o := must[*organizations.CreateOrganizationOutput](t)(tr.mgmt.org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{}))
	tr.orgID = aws.ToString(o.Organization.Id)
	if !regexp.MustCompile(`^o-[a-z0-9]{10,32}$`).MatchString(tr.orgID) || o.Organization.FeatureSet != types.OrganizationFeatureSetAll ||
		aws.ToString(o.Organization.MasterAccountId) != mgmtAccount ||
		aws.ToString(o.Organization.Arn) != "arn:aws:organizations::"+mgmtAccount+":organization/"+tr.orgID {
		t.Fatalf("CreateOrganization = %+v", o.Organization)
	}
	roots := must[*organizations.ListRootsOutput](t)(tr.mgmt.org.ListRoots(ctx, &organizations.ListRootsInput{}))
	if len(roots.Roots) != 1 || aws.ToString(roots.Roots[0].Name) != "Root" {
		t.Fatalf("ListRoots = %+v", roots.Roots)
	}
	tr.rootID = aws.ToString(roots.Roots[0].Id)

	parent := tr.rootID
	for i, name := range []string{"A", "B", "C"} {
		ou := must[*organizations.CreateOrganizationalUnitOutput](t)(tr.mgmt.org.CreateOrganizationalUnit(ctx,
			&organizations.CreateOrganizationalUnitInput{ParentId: aws.String(parent), Name: aws.String(name)}))
		id := aws.ToString(ou.OrganizationalUnit.Id)
		if !strings.HasPrefix(id, "ou-"+strings.TrimPrefix(tr.rootID, "r-")+"-") {
			t.Fatalf("OU ID %s does not carry the root's suffix", id)
		}
		parent = id
		switch i {
		case 0:
			tr.ouA = id
		case 1:
			tr.ouB = id
		case 2:
			tr.ouC = id
		}
	}
	want := tr.orgID + "/" + tr.rootID + "/" + tr.ouA + "/" + tr.ouB + "/" + tr.ouC + "/"
	d := must[*organizations.DescribeOrganizationalUnitOutput](t)(tr.mgmt.org.DescribeOrganizationalUnit(ctx,
		&organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String(tr.ouC)}))
	if aws.ToString(d.OrganizationalUnit.Path) != want ||
		aws.ToString(d.OrganizationalUnit.Arn) != "arn:aws:organizations::"+mgmtAccount+":ou/"+tr.orgID+"/"+tr.ouC {
		t.Fatalf("DescribeOrganizationalUnit = %+v, want path %s", d.OrganizationalUnit, want)
	}

	// The account exists when CreateAccount returns: it answers SUCCEEDED
	// with the AccountId, and DescribeCreateAccountStatus agrees.
	ca := must[*organizations.CreateAccountOutput](t)(tr.mgmt.org.CreateAccount(ctx, &organizations.CreateAccountInput{
		Email: aws.String("dev@example.com"), AccountName: aws.String("dev")}))
	if ca.CreateAccountStatus.State != types.CreateAccountStateSucceeded || !strings.HasPrefix(aws.ToString(ca.CreateAccountStatus.Id), "car-") ||
		len(aws.ToString(ca.CreateAccountStatus.AccountId)) != 12 || ca.CreateAccountStatus.CompletedTimestamp == nil {
		t.Fatalf("CreateAccount = %+v", ca.CreateAccountStatus)
	}
	st := must[*organizations.DescribeCreateAccountStatusOutput](t)(tr.mgmt.org.DescribeCreateAccountStatus(ctx,
		&organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: ca.CreateAccountStatus.Id}))
	if st.CreateAccountStatus.State != types.CreateAccountStateSucceeded || aws.ToString(st.CreateAccountStatus.AccountId) != aws.ToString(ca.CreateAccountStatus.AccountId) {
		t.Fatalf("DescribeCreateAccountStatus = %+v", st.CreateAccountStatus)
	}
	tr.created = aws.ToString(st.CreateAccountStatus.AccountId)

	// Invitation of a standalone account, accepted by its root.
	tr.invited = s.standalone(invitedAccount, "invited")
	tr.stand = s.standalone(standaloneAccount, "alone")
	inv := must[*organizations.InviteAccountToOrganizationOutput](t)(tr.mgmt.org.InviteAccountToOrganization(ctx,
		&organizations.InviteAccountToOrganizationInput{Target: &types.HandshakeParty{Id: aws.String(invitedAccount), Type: types.HandshakePartyTypeAccount}}))
	if inv.Handshake.State != types.HandshakeStateOpen || inv.Handshake.Action != types.ActionTypeInviteAccountToOrganization {
		t.Fatalf("InviteAccountToOrganization = %+v", inv.Handshake)
	}
	pending := must[*organizations.ListHandshakesForAccountOutput](t)(tr.invited.org.ListHandshakesForAccount(ctx, &organizations.ListHandshakesForAccountInput{}))
	if len(pending.Handshakes) != 1 || aws.ToString(pending.Handshakes[0].Id) != aws.ToString(inv.Handshake.Id) {
		t.Fatalf("invitee's handshakes = %+v", pending.Handshakes)
	}
	acc := must[*organizations.AcceptHandshakeOutput](t)(tr.invited.org.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: inv.Handshake.Id}))
	if acc.Handshake.State != types.HandshakeStateAccepted {
		t.Fatalf("AcceptHandshake = %+v", acc.Handshake)
	}
	return tr
}

func TestOrganizationTree(t *testing.T) {
	s := newStack(t)
	ctx := s.ctx
	tr := buildTree(t, s)

	list := must[*organizations.ListAccountsOutput](t)(tr.mgmt.org.ListAccounts(ctx, &organizations.ListAccountsInput{}))
	joined := map[string]types.AccountJoinedMethod{}
	for _, a := range list.Accounts {
		joined[aws.ToString(a.Id)] = a.JoinedMethod
	}
	if len(list.Accounts) != 3 || joined[tr.created] != types.AccountJoinedMethodCreated || joined[invitedAccount] != types.AccountJoinedMethodInvited {
		t.Fatalf("ListAccounts = %+v", joined)
	}
	// Pagination: one account per page, three pages.
	pages := 0
	p := organizations.NewListAccountsPaginator(tr.mgmt.org, &organizations.ListAccountsInput{MaxResults: aws.Int32(1)})
	for p.HasMorePages() {
		pg := must[*organizations.ListAccountsOutput](t)(p.NextPage(ctx))
		pages += len(pg.Accounts)
	}
	if pages != 3 {
		t.Fatalf("paginated %d accounts, want 3", pages)
	}

	// A member may describe its organization, nothing more.
	d := must[*organizations.DescribeOrganizationOutput](t)(tr.invited.org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}))
	if aws.ToString(d.Organization.Id) != tr.orgID || aws.ToString(d.Organization.MasterAccountEmail) != "mgmt@example.com" {
		t.Fatalf("member DescribeOrganization = %+v", d.Organization)
	}

	// Assume OrganizationAccountAccessRole from a management user and act.
	must[*awsiam.CreateUserOutput](t)(tr.mgmt.iam.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("ops")}))
	must[*awsiam.PutUserPolicyOutput](t)(tr.mgmt.iam.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("ops"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)}))
	key := must[*awsiam.CreateAccessKeyOutput](t)(tr.mgmt.iam.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("ops")}))
	ops := s.as(aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey), "")
	ar := must[*sts.AssumeRoleOutput](t)(ops.sts.AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + tr.created + ":role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("admin")}))
	inside := s.as(aws.ToString(ar.Credentials.AccessKeyId), aws.ToString(ar.Credentials.SecretAccessKey), aws.ToString(ar.Credentials.SessionToken))
	id := must[*sts.GetCallerIdentityOutput](t)(inside.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if aws.ToString(id.Account) != tr.created {
		t.Fatalf("assumed identity = %s", aws.ToString(id.Arn))
	}
	u := must[*awsiam.CreateUserOutput](t)(inside.iam.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("made-inside")}))
	if aws.ToString(u.User.Arn) != "arn:aws:iam::"+tr.created+":user/made-inside" {
		t.Fatalf("user created through the role = %s", aws.ToString(u.User.Arn))
	}
}

// TestMoveChangesOrgPaths: a resource policy of the management account
// conditioned on an OU path allows a member's user while its account is in
// that OU and denies it on the very next request after MoveAccount.
func TestMoveChangesOrgPaths(t *testing.T) {
	s := newStack(t)
	ctx := s.ctx
	tr := buildTree(t, s)

	// A user of the invited account allowed the action by its own policy.
	must[*awsiam.CreateUserOutput](t)(tr.invited.iam.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("issuer")}))
	must[*awsiam.PutUserPolicyOutput](t)(tr.invited.iam.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("issuer"), PolicyName: aws.String("issue"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"acm-pca:IssueCertificate","Resource":"*"}]}`)}))
	key := must[*awsiam.CreateAccessKeyOutput](t)(tr.invited.iam.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("issuer")}))
	rk, err := s.iamStore.LookupCredential(ctx, aws.ToString(key.AccessKey.AccessKeyId))
	if err != nil || rk == nil {
		t.Fatalf("LookupCredential = %v, %v", rk, err)
	}
	caller := &authz.Caller{Principal: rk.Principal, SecureTransport: true}

	rp := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"acm-pca:IssueCertificate","Resource":"` + caARN + `",` +
		`"Condition":{"ForAnyValue:StringLike":{"aws:PrincipalOrgPaths":["` + tr.orgID + "/" + tr.rootID + "/" + tr.ouA + `/*"]}}}]}`
	decide := func() (simulated string, direct bool) {
		t.Helper()
		out := must[*awsiam.SimulatePrincipalPolicyOutput](t)(tr.invited.iam.SimulatePrincipalPolicy(ctx, &awsiam.SimulatePrincipalPolicyInput{
			PolicySourceArn: aws.String("arn:aws:iam::" + invitedAccount + ":user/issuer"),
			ActionNames:     []string{"acm-pca:IssueCertificate"}, ResourceArns: []string{caARN},
			ResourcePolicy: aws.String(rp), ResourceOwner: aws.String("arn:aws:iam::" + mgmtAccount + ":root"),
		}))
		d, err := s.engine.Authorize(ctx, &authz.Request{Caller: caller, Action: "acm-pca:IssueCertificate", Resource: caARN,
			ResourceAccount: mgmtAccount, ResourcePolicy: &authz.Policy{Kind: authz.ResourcePolicy, Name: caARN, Document: rp}})
		if err != nil {
			t.Fatal(err)
		}
		return string(out.EvaluationResults[0].EvalDecision), d.Allowed
	}

	steps := []struct {
		name     string
		from, to string
		sim      iamtypes.PolicyEvaluationDecisionType
		allowed  bool
	}{
		{name: "under the root: outside ou A", sim: iamtypes.PolicyEvaluationDecisionTypeImplicitDeny},
		{name: "moved into C below A", from: tr.rootID, to: tr.ouC, sim: iamtypes.PolicyEvaluationDecisionTypeAllowed, allowed: true},
		{name: "moved into A itself", from: tr.ouC, to: tr.ouA, sim: iamtypes.PolicyEvaluationDecisionTypeAllowed, allowed: true},
		{name: "moved back to the root", from: tr.ouA, to: tr.rootID, sim: iamtypes.PolicyEvaluationDecisionTypeImplicitDeny},
	}
	for _, st := range steps {
		if st.to != "" {
			must[*organizations.MoveAccountOutput](t)(tr.mgmt.org.MoveAccount(ctx, &organizations.MoveAccountInput{
				AccountId: aws.String(invitedAccount), SourceParentId: aws.String(st.from), DestinationParentId: aws.String(st.to)}))
		}
		sim, direct := decide()
		if sim != string(st.sim) || direct != st.allowed {
			t.Errorf("%s: simulation %s, engine allowed %v; want %s, %v", st.name, sim, direct, st.sim, st.allowed)
		}
	}
	// The account's Paths follow the move too.
	da := must[*organizations.DescribeAccountOutput](t)(tr.mgmt.org.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(invitedAccount)}))
	if len(da.Account.Paths) != 1 || da.Account.Paths[0] != tr.orgID+"/"+tr.rootID+"/"+invitedAccount+"/" {
		t.Fatalf("Account.Paths = %v", da.Account.Paths)
	}
}

// TestSCPDeniesMemberRoot: an SCP denying iam:CreateUser on the root stops
// a member account's root and not the management account's.
func TestSCPDeniesMemberRoot(t *testing.T) {
	s := newStack(t)
	ctx := s.ctx
	tr := buildTree(t, s)
	root := aws.String(tr.rootID)

	en := must[*organizations.EnablePolicyTypeOutput](t)(tr.mgmt.org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{
		RootId: root, PolicyType: types.PolicyTypeServiceControlPolicy}))
	if len(en.Root.PolicyTypes) != 1 || en.Root.PolicyTypes[0].Status != types.PolicyTypeStatusEnabled {
		t.Fatalf("EnablePolicyType = %+v", en.Root.PolicyTypes)
	}
	// FullAWSAccess went everywhere; members still act.
	for _, target := range []string{tr.rootID, tr.ouC, invitedAccount} {
		pols := must[*organizations.ListPoliciesForTargetOutput](t)(tr.mgmt.org.ListPoliciesForTarget(ctx, &organizations.ListPoliciesForTargetInput{
			TargetId: aws.String(target), Filter: types.PolicyTypeServiceControlPolicy}))
		if len(pols.Policies) != 1 || aws.ToString(pols.Policies[0].Id) != "p-FullAWSAccess" || !pols.Policies[0].AwsManaged {
			t.Fatalf("policies of %s = %+v", target, pols.Policies)
		}
	}
	must[*awsiam.CreateUserOutput](t)(tr.invited.iam.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("before")}))

	cp := must[*organizations.CreatePolicyOutput](t)(tr.mgmt.org.CreatePolicy(ctx, &organizations.CreatePolicyInput{
		Name: aws.String("no-users"), Description: aws.String("deny CreateUser"), Type: types.PolicyTypeServiceControlPolicy,
		Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:CreateUser","Resource":"*"}]}`)}))
	pid := cp.Policy.PolicySummary.Id
	must[*organizations.AttachPolicyOutput](t)(tr.mgmt.org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: pid, TargetId: root}))

	_, err := tr.invited.iam.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("blocked")})
	if apiCode(err) != "AccessDenied" || !strings.Contains(err.Error(), "with an explicit deny in a service control policy") {
		t.Fatalf("member root CreateUser under the SCP: %v", err)
	}
	must[*awsiam.CreateUserOutput](t)(tr.mgmt.iam.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("mgmt-still-can")}))

	targets := must[*organizations.ListTargetsForPolicyOutput](t)(tr.mgmt.org.ListTargetsForPolicy(ctx, &organizations.ListTargetsForPolicyInput{PolicyId: pid}))
	if len(targets.Targets) != 1 || targets.Targets[0].Type != types.TargetTypeRoot {
		t.Fatalf("ListTargetsForPolicy = %+v", targets.Targets)
	}
	// In use: cannot delete; detached: the member acts again at once.
	if _, err := tr.mgmt.org.DeletePolicy(ctx, &organizations.DeletePolicyInput{PolicyId: pid}); apiCode(err) != "PolicyInUseException" {
		t.Fatalf("DeletePolicy of an attached policy: %v", err)
	}
	must[*organizations.DetachPolicyOutput](t)(tr.mgmt.org.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: pid, TargetId: root}))
	must[*awsiam.CreateUserOutput](t)(tr.invited.iam.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("after")}))

	// Removing FullAWSAccess from an OU on the path leaves no allow there.
	must[*organizations.AttachPolicyOutput](t)(tr.mgmt.org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: pid, TargetId: aws.String(tr.ouA)}))
	must[*organizations.DetachPolicyOutput](t)(tr.mgmt.org.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String("p-FullAWSAccess"), TargetId: aws.String(tr.ouA)}))
	must[*organizations.MoveAccountOutput](t)(tr.mgmt.org.MoveAccount(ctx, &organizations.MoveAccountInput{
		AccountId: aws.String(invitedAccount), SourceParentId: root, DestinationParentId: aws.String(tr.ouB)}))
	_, err = tr.invited.iam.ListUsers(ctx, &awsiam.ListUsersInput{})
	if apiCode(err) != "AccessDenied" || !strings.Contains(err.Error(), "because no service control policy allows the iam:ListUsers action") {
		t.Fatalf("member below an OU without an allowing SCP: %v", err)
	}
}

// TestBadInput: each refused with §7.2's error and nothing changed.
func TestBadInput(t *testing.T) {
	s := newStack(t)
	ctx := s.ctx
	tr := buildTree(t, s)
	m := tr.mgmt.org

	// snapshot summarizes the tree and the handshakes.
	snapshot := func() string {
		var b strings.Builder
		var walk func(parent string)
		walk = func(parent string) {
			for _, ct := range []types.ChildType{types.ChildTypeAccount, types.ChildTypeOrganizationalUnit} {
				ch := must[*organizations.ListChildrenOutput](t)(m.ListChildren(ctx, &organizations.ListChildrenInput{ParentId: aws.String(parent), ChildType: ct}))
				for _, c := range ch.Children {
					b.WriteString(parent + ">" + aws.ToString(c.Id) + ";")
					if ct == types.ChildTypeOrganizationalUnit {
						walk(aws.ToString(c.Id))
					}
				}
			}
		}
		walk(tr.rootID)
		hs := must[*organizations.ListHandshakesForOrganizationOutput](t)(m.ListHandshakesForOrganization(ctx, &organizations.ListHandshakesForOrganizationInput{}))
		for _, h := range hs.Handshakes {
			b.WriteString(aws.ToString(h.Id) + "=" + string(h.State) + ";")
		}
		return b.String()
	}
	ghostOU := "ou-" + strings.TrimPrefix(tr.rootID, "r-") + "-zzzzzzzz"

	tests := []struct {
		name   string
		call   func() error
		code   string
		reason string
	}{
		{name: "unknown parent", code: "ParentNotFoundException", call: func() error {
			_, err := m.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(ghostOU), Name: aws.String("X")})
			return err
		}},
		{name: "duplicate OU name under one parent", code: "DuplicateOrganizationalUnitException", call: func() error {
			_, err := m.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(tr.rootID), Name: aws.String("A")})
			return err
		}},
		{name: "deleting a non-empty OU", code: "OrganizationalUnitNotEmptyException", call: func() error {
			_, err := m.DeleteOrganizationalUnit(ctx, &organizations.DeleteOrganizationalUnitInput{OrganizationalUnitId: aws.String(tr.ouA)})
			return err
		}},
		{name: "inviting an account already in an organization", code: "HandshakeConstraintViolationException", reason: "ALREADY_IN_AN_ORGANIZATION", call: func() error {
			_, err := m.InviteAccountToOrganization(ctx, &organizations.InviteAccountToOrganizationInput{
				Target: &types.HandshakeParty{Id: aws.String(tr.created), Type: types.HandshakePartyTypeAccount}})
			return err
		}},
		{name: "a member creating an OU", code: "AccessDeniedException", call: func() error {
			_, err := tr.invited.org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(tr.rootID), Name: aws.String("Mine")})
			return err
		}},
		{name: "a member listing accounts", code: "AccessDeniedException", call: func() error {
			_, err := tr.invited.org.ListAccounts(ctx, &organizations.ListAccountsInput{})
			return err
		}},
		{name: "a member moving itself", code: "AccessDeniedException", call: func() error {
			_, err := tr.invited.org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(invitedAccount),
				SourceParentId: aws.String(tr.rootID), DestinationParentId: aws.String(tr.ouA)})
			return err
		}},
		{name: "an account in no organization", code: "AWSOrganizationsNotInUseException", call: func() error {
			_, err := tr.stand.org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
			return err
		}},
		{name: "creating a second organization", code: "AlreadyInOrganizationException", call: func() error {
			_, err := tr.invited.org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{})
			return err
		}},
		{name: "an OU six deep", code: "ConstraintViolationException", reason: "OU_DEPTH_LIMIT_EXCEEDED", call: func() error {
			parent := tr.ouC
			for _, n := range []string{"D", "E", "F"} {
				ou, err := m.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(parent), Name: aws.String(n)})
				if err != nil {
					return err
				}
				parent = aws.ToString(ou.OrganizationalUnit.Id)
			}
			return nil
		}},
		{name: "moving to the parent it is in", code: "DuplicateAccountException", call: func() error {
			_, err := m.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(tr.created),
				SourceParentId: aws.String(tr.rootID), DestinationParentId: aws.String(tr.rootID)})
			return err
		}},
		{name: "moving from a parent that does not exist", code: "SourceParentNotFoundException", call: func() error {
			_, err := m.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(tr.created),
				SourceParentId: aws.String(ghostOU), DestinationParentId: aws.String(tr.ouA)})
			return err
		}},
		{name: "the management account leaving", code: "MasterCannotLeaveOrganizationException", call: func() error {
			_, err := m.LeaveOrganization(ctx, &organizations.LeaveOrganizationInput{})
			return err
		}},
		{name: "deleting an organization with members", code: "OrganizationNotEmptyException", call: func() error {
			_, err := m.DeleteOrganization(ctx, &organizations.DeleteOrganizationInput{})
			return err
		}},
		{name: "a policy type that is not enabled", code: "PolicyTypeNotEnabledException", call: func() error {
			_, err := m.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String("p-FullAWSAccess"), TargetId: aws.String(tr.ouA)})
			return err
		}},
		{name: "an SCP with a Principal", code: "MalformedPolicyDocumentException", call: func() error {
			_, err := m.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("bad"), Description: aws.String(""),
				Type:    types.PolicyTypeServiceControlPolicy,
				Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}`)})
			return err
		}},
		{name: "MaxResults above 20", code: "InvalidInputException", reason: "MAX_VALUE_EXCEEDED", call: func() error {
			_, err := m.ListAccounts(ctx, &organizations.ListAccountsInput{MaxResults: aws.Int32(21)})
			return err
		}},
		{name: "an account ID of the wrong pattern", code: "InvalidInputException", reason: "INVALID_PATTERN", call: func() error {
			_, err := m.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String("12345")})
			return err
		}},
		{name: "an unknown policy type", code: "InvalidInputException", reason: "INVALID_ENUM", call: func() error {
			_, err := m.ListPolicies(ctx, &organizations.ListPoliciesInput{Filter: "NO_SUCH_POLICY"})
			return err
		}},
		{name: "an OU name too long", code: "InvalidInputException", reason: "MAX_LENGTH_EXCEEDED", call: func() error {
			_, err := m.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(tr.rootID), Name: aws.String(strings.Repeat("n", 129))})
			return err
		}},
		{name: "an empty OU name", code: "InvalidInputException", reason: "MIN_LENGTH_EXCEEDED", call: func() error {
			_, err := m.UpdateOrganizationalUnit(ctx, &organizations.UpdateOrganizationalUnitInput{OrganizationalUnitId: aws.String(tr.ouA), Name: aws.String("")})
			return err
		}},
		{name: "a required member missing", code: "InvalidInputException", reason: "INPUT_REQUIRED", call: func() error {
			_, err := m.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String("")})
			return err
		}},
		{name: "inviting an organization", code: "InvalidInputException", reason: "INVALID_PARTY_TYPE_TARGET", call: func() error {
			_, err := m.InviteAccountToOrganization(ctx, &organizations.InviteAccountToOrganizationInput{
				Target: &types.HandshakeParty{Id: aws.String(tr.orgID), Type: types.HandshakePartyTypeOrganization}})
			return err
		}},
		{name: "a party type outside the enum", code: "InvalidInputException", reason: "INVALID_ENUM", call: func() error {
			_, err := m.InviteAccountToOrganization(ctx, &organizations.InviteAccountToOrganizationInput{
				Target: &types.HandshakeParty{Id: aws.String(standaloneAccount), Type: "PERSON"}})
			return err
		}},
		{name: "a forged NextToken", code: "InvalidInputException", reason: "INVALID_NEXT_TOKEN", call: func() error {
			_, err := m.ListAccounts(ctx, &organizations.ListAccountsInput{NextToken: aws.String("forged")})
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshot()
			err := tc.call()
			if apiCode(err) != tc.code {
				t.Fatalf("error = %v, want %s", err, tc.code)
			}
			if tc.reason != "" {
				var cv *types.ConstraintViolationException
				var hc *types.HandshakeConstraintViolationException
				var ii *types.InvalidInputException
				got := ""
				switch {
				case errors.As(err, &ii):
					got = string(ii.Reason)
				case errors.As(err, &cv):
					got = string(cv.Reason)
				case errors.As(err, &hc):
					got = string(hc.Reason)
				}
				if got != tc.reason {
					t.Errorf("Reason = %q, want %q", got, tc.reason)
				}
			}
			if tc.name == "an OU six deep" {
				return // the two legal levels were created on the way
			}
			if after := snapshot(); after != before {
				t.Errorf("state changed:\n before %s\n after  %s", before, after)
			}
		})
	}
}
