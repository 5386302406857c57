package orgapi

import (
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"

	"github.com/openpca/openpca/internal/iam"
)

// wantErr checks an error's code, its Reason (for the exceptions that model
// one) and, when given, its message.
func wantErr(t *testing.T, what string, err error, code, reason, msg string) {
	t.Helper()
	if apiCode(err) != code {
		t.Fatalf("%s: %v, want %s", what, err, code)
	}
	got := ""
	var cv *types.ConstraintViolationException
	var ii *types.InvalidInputException
	switch {
	case errors.As(err, &cv):
		got = string(cv.Reason)
	case errors.As(err, &ii):
		got = string(ii.Reason)
	}
	if got != reason {
		t.Errorf("%s: Reason %q, want %q", what, got, reason)
	}
	var ae smithy.APIError
	if msg != "" && errors.As(err, &ae) && ae.ErrorMessage() != msg {
		t.Errorf("%s: message %q, want %q", what, ae.ErrorMessage(), msg)
	}
}

// TestCloseAccount: the account is SUSPENDED at once, stays in the
// organization, and its credentials stop working; AWS's errors otherwise.
func TestCloseAccount(t *testing.T) {
	s := newStack(t)
	ctx := s.ctx
	tr := buildTree(t, s)
	m := tr.mgmt.org
	must[*awsiam.ListUsersOutput](t)(tr.invited.iam.ListUsers(ctx, &awsiam.ListUsersInput{}))

	_, err := tr.invited.org.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: aws.String(tr.created)})
	wantErr(t, "a member closing another", err, "AccessDeniedException", "", "")
	must[*organizations.CloseAccountOutput](t)(m.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: aws.String(invitedAccount)}))

	d := must[*organizations.DescribeAccountOutput](t)(m.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(invitedAccount)}))
	if d.Account.Status != types.AccountStatusSuspended || d.Account.State != types.AccountStateSuspended {
		t.Fatalf("closed account = %+v", d.Account)
	}
	if _, err := tr.invited.iam.ListUsers(ctx, &awsiam.ListUsersInput{}); apiCode(err) != "InvalidClientTokenId" {
		t.Fatalf("IAM with a closed account's key: %v", err)
	}
	if _, err := tr.invited.org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}); apiCode(err) != "UnrecognizedClientException" {
		t.Fatalf("Organizations with a closed account's key: %v", err)
	}

	_, err = m.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: aws.String(invitedAccount)})
	wantErr(t, "closing twice", err, "AccountAlreadyClosedException", "", "You attempted to close an account that is already closed.")
	_, err = m.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: aws.String(mgmtAccount)})
	wantErr(t, "closing the management account", err, "ConstraintViolationException", "CANNOT_CLOSE_MANAGEMENT_ACCOUNT", "")
	_, err = m.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: aws.String(standaloneAccount)})
	wantErr(t, "closing an account outside the organization", err, "AccountNotFoundException", "",
		"We can't find an Amazon Web Services account with the AccountId that you specified, or the account whose credentials you used to make this request isn't a member of an organization.")
	must[*organizations.EnableAWSServiceAccessOutput](t)(m.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("ram.amazonaws.com")}))
	_, err = m.RegisterDelegatedAdministrator(ctx, &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String(invitedAccount), ServicePrincipal: aws.String("ram.amazonaws.com")})
	wantErr(t, "registering a closed account", err, "ConstraintViolationException", "CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR", "")

	// At most ten closures in 30 days for an organization this size.
	for i := 2; ; i++ {
		ca := must[*organizations.CreateAccountOutput](t)(m.CreateAccount(ctx, &organizations.CreateAccountInput{
			Email: aws.String(fmt.Sprintf("c%d@example.com", i)), AccountName: aws.String(fmt.Sprintf("c%d", i))}))
		_, err := m.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: ca.CreateAccountStatus.AccountId})
		if i <= 10 && err != nil {
			t.Fatalf("closure %d: %v", i, err)
		}
		if i == 11 {
			wantErr(t, "an eleventh closure", err, "ConstraintViolationException", "CLOSE_ACCOUNT_QUOTA_EXCEEDED", "")
			break
		}
	}
	list := must[*organizations.ListAccountsOutput](t)(m.ListAccounts(ctx, &organizations.ListAccountsInput{}))
	suspended := 0
	for _, a := range list.Accounts {
		if a.State == types.AccountStateSuspended {
			suspended++
		}
	}
	if suspended != 10 {
		t.Fatalf("%d suspended accounts listed, want the 10 closed", suspended)
	}

	// Removed from the organization, a closed account stays closed.
	must[*organizations.RemoveAccountFromOrganizationOutput](t)(m.RemoveAccountFromOrganization(ctx, &organizations.RemoveAccountFromOrganizationInput{AccountId: aws.String(invitedAccount)}))
	if _, err := tr.invited.iam.ListUsers(ctx, &awsiam.ListUsersInput{}); apiCode(err) != "InvalidClientTokenId" {
		t.Fatalf("IAM with a closed account's key after its removal: %v", err)
	}
}

// TestDelegatedAdministrators: registration needs trusted access and a
// member; delegated administrators may list; AWS's errors otherwise.
func TestDelegatedAdministrators(t *testing.T) {
	s := newStack(t)
	ctx := s.ctx
	tr := buildTree(t, s)
	m := tr.mgmt.org
	reg := func(acct, svc string) error {
		_, err := m.RegisterDelegatedAdministrator(ctx, &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String(acct), ServicePrincipal: aws.String(svc)})
		return err
	}
	const ram, guardduty = "ram.amazonaws.com", "guardduty.amazonaws.com"

	wantErr(t, "before trusted access", reg(tr.created, ram), "ConstraintViolationException", "SERVICE_ACCESS_NOT_ENABLED", "")
	for _, svc := range []string{ram, guardduty} {
		must[*organizations.EnableAWSServiceAccessOutput](t)(m.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String(svc)}))
	}
	if err := reg(tr.created, ram); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "registering twice", reg(tr.created, ram), "AccountAlreadyRegisteredException", "",
		"The specified account is already a delegated administrator for this Amazon Web Services service.")
	wantErr(t, "the management account", reg(mgmtAccount, ram), "ConstraintViolationException", "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR", "")
	wantErr(t, "an account outside", reg(standaloneAccount, ram), "AccountNotFoundException", "", "")
	wantErr(t, "an unknown service", reg(tr.created, "nothing.amazonaws.com"), "InvalidInputException", "UNRECOGNIZED_SERVICE_PRINCIPAL", "")
	wantErr(t, "a bad account ID", reg("12", ram), "InvalidInputException", "INVALID_PATTERN", "")
	if err := reg(tr.created, guardduty); err != nil {
		t.Fatal(err)
	}

	_, err := tr.invited.org.ListDelegatedAdministrators(ctx, &organizations.ListDelegatedAdministratorsInput{})
	wantErr(t, "a member that administers nothing", err, "AccessDeniedException", "", "")
	if err := reg(invitedAccount, ram); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		svc  string
		want []string
	}{{"", []string{invitedAccount, tr.created}}, {ram, []string{invitedAccount, tr.created}}, {guardduty, []string{tr.created}}, {"acm.amazonaws.com", nil}} {
		// The delegated administrator itself may list.
		out := must[*organizations.ListDelegatedAdministratorsOutput](t)(tr.invited.org.ListDelegatedAdministrators(ctx, &organizations.ListDelegatedAdministratorsInput{
			ServicePrincipal: map[bool]*string{true: nil, false: aws.String(tc.svc)}[tc.svc == ""]}))
		var got []string
		for _, d := range out.DelegatedAdministrators {
			got = append(got, aws.ToString(d.Id))
			if d.DelegationEnabledDate == nil || d.State != types.AccountStateActive || aws.ToString(d.Email) == "" {
				t.Errorf("delegated administrator %+v", d)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(sortedIDs(tc.want)) {
			t.Errorf("ListDelegatedAdministrators(%q) = %v, want %v", tc.svc, got, sortedIDs(tc.want))
		}
	}
	// A delegated administrator may also read the organization, not change it.
	accts := must[*organizations.ListAccountsOutput](t)(tr.invited.org.ListAccounts(ctx, &organizations.ListAccountsInput{}))
	if len(accts.Accounts) != 3 {
		t.Fatalf("ListAccounts by a delegated administrator = %d accounts", len(accts.Accounts))
	}
	must[*organizations.DescribeOrganizationalUnitOutput](t)(tr.invited.org.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String(tr.ouA)}))
	_, err = tr.invited.org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(tr.rootID), Name: aws.String("Mine")})
	wantErr(t, "a delegated administrator creating an OU", err, "AccessDeniedException", "", "")
	svcs := must[*organizations.ListDelegatedServicesForAccountOutput](t)(m.ListDelegatedServicesForAccount(ctx, &organizations.ListDelegatedServicesForAccountInput{AccountId: aws.String(tr.created)}))
	if len(svcs.DelegatedServices) != 2 || aws.ToString(svcs.DelegatedServices[0].ServicePrincipal) != guardduty || aws.ToString(svcs.DelegatedServices[1].ServicePrincipal) != ram {
		t.Fatalf("ListDelegatedServicesForAccount = %+v", svcs.DelegatedServices)
	}

	_, err = m.RemoveAccountFromOrganization(ctx, &organizations.RemoveAccountFromOrganizationInput{AccountId: aws.String(invitedAccount)})
	wantErr(t, "removing a delegated administrator", err, "ConstraintViolationException", "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG", "")
	must[*organizations.DeregisterDelegatedAdministratorOutput](t)(m.DeregisterDelegatedAdministrator(ctx, &organizations.DeregisterDelegatedAdministratorInput{
		AccountId: aws.String(invitedAccount), ServicePrincipal: aws.String(ram)}))
	_, err = m.DeregisterDelegatedAdministrator(ctx, &organizations.DeregisterDelegatedAdministratorInput{AccountId: aws.String(invitedAccount), ServicePrincipal: aws.String(ram)})
	wantErr(t, "deregistering twice", err, "AccountNotRegisteredException", "", "The specified account is not a delegated administrator for this Amazon Web Services service.")
	_, err = m.ListDelegatedServicesForAccount(ctx, &organizations.ListDelegatedServicesForAccountInput{AccountId: aws.String(invitedAccount)})
	wantErr(t, "services of a member that administers none", err, "AccountNotRegisteredException", "", "")

	// Withdrawing trusted access deregisters the service's administrators.
	must[*organizations.DisableAWSServiceAccessOutput](t)(m.DisableAWSServiceAccess(ctx, &organizations.DisableAWSServiceAccessInput{ServicePrincipal: aws.String(guardduty)}))
	svcs = must[*organizations.ListDelegatedServicesForAccountOutput](t)(m.ListDelegatedServicesForAccount(ctx, &organizations.ListDelegatedServicesForAccountInput{AccountId: aws.String(tr.created)}))
	if len(svcs.DelegatedServices) != 1 || aws.ToString(svcs.DelegatedServices[0].ServicePrincipal) != ram {
		t.Fatalf("after DisableAWSServiceAccess: %+v", svcs.DelegatedServices)
	}
	must[*organizations.RemoveAccountFromOrganizationOutput](t)(m.RemoveAccountFromOrganization(ctx, &organizations.RemoveAccountFromOrganizationInput{AccountId: aws.String(invitedAccount)}))
}

func sortedIDs(ids []string) []string {
	out := append([]string(nil), ids...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// TestEmailsAndNotFoundTexts: DescribeOrganization names the management
// account's e-mail; an account created without one shows the generated
// <id>@openpca.invalid; not-found errors use the model's texts.
func TestEmailsAndNotFoundTexts(t *testing.T) {
	s := newStack(t)
	ctx := s.ctx
	tr := buildTree(t, s)
	m := tr.mgmt.org
	o := must[*organizations.DescribeOrganizationOutput](t)(m.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}))
	if aws.ToString(o.Organization.MasterAccountEmail) != "mgmt@example.com" {
		t.Fatalf("MasterAccountEmail = %q", aws.ToString(o.Organization.MasterAccountEmail))
	}
	const bare = "121212121212"
	acct, err := s.iamStore.CreateAccount(ctx, iam.AccountSpec{ID: bare, Name: "no-email"})
	if err != nil {
		t.Fatal(err)
	}
	must[*organizations.InviteAccountToOrganizationOutput](t)(m.InviteAccountToOrganization(ctx, &organizations.InviteAccountToOrganizationInput{
		Target: &types.HandshakeParty{Id: aws.String(bare), Type: types.HandshakePartyTypeAccount}}))
	hs := must[*organizations.ListHandshakesForOrganizationOutput](t)(m.ListHandshakesForOrganization(ctx, &organizations.ListHandshakesForOrganizationInput{}))
	var hid *string
	for _, h := range hs.Handshakes {
		for _, p := range h.Parties {
			if aws.ToString(p.Id) == bare && h.State == types.HandshakeStateOpen {
				hid = h.Id
			}
		}
	}
	if hid == nil {
		t.Fatalf("no open handshake for %s: %+v", bare, hs.Handshakes)
	}
	must[*organizations.AcceptHandshakeOutput](t)(s.as(acct.RootAccessKeyID, acct.RootSecretAccessKey, "").org.AcceptHandshake(ctx,
		&organizations.AcceptHandshakeInput{HandshakeId: hid}))
	d := must[*organizations.DescribeAccountOutput](t)(m.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(bare)}))
	if aws.ToString(d.Account.Email) != bare+"@openpca.invalid" {
		t.Fatalf("Email of an account without one = %q", aws.ToString(d.Account.Email))
	}

	// The generated address reaches its account by EMAIL invitation too.
	const bare2 = "131313131313"
	if _, err := s.iamStore.CreateAccount(ctx, iam.AccountSpec{ID: bare2, Name: "no-email-2"}); err != nil {
		t.Fatal(err)
	}
	inv := must[*organizations.InviteAccountToOrganizationOutput](t)(m.InviteAccountToOrganization(ctx, &organizations.InviteAccountToOrganizationInput{
		Target: &types.HandshakeParty{Id: aws.String(bare2 + "@openpca.invalid"), Type: types.HandshakePartyTypeEmail}}))
	found := false
	for _, p := range inv.Handshake.Parties {
		found = found || aws.ToString(p.Id) == bare2
	}
	if !found {
		t.Fatalf("EMAIL invitation of %s@openpca.invalid: parties %+v", bare2, inv.Handshake.Parties)
	}

	_, err = m.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String("p-abcdefgh")})
	wantErr(t, "an unknown policy", err, "PolicyNotFoundException", "", "We can't find a policy with the PolicyId that you specified.")
	_, err = m.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(standaloneAccount)})
	wantErr(t, "an account outside", err, "AccountNotFoundException", "",
		"We can't find an Amazon Web Services account with the AccountId that you specified, or the account whose credentials you used to make this request isn't a member of an organization.")
	must[*organizations.EnablePolicyTypeOutput](t)(m.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(tr.rootID), PolicyType: types.PolicyTypeServiceControlPolicy}))
	_, err = m.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String("p-FullAWSAccess"), TargetId: aws.String(standaloneAccount)})
	wantErr(t, "an unknown target", err, "TargetNotFoundException", "", "We can't find a root, OU, account, or policy with the TargetId that you specified.")
}
