package integration

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// The credential cache (internal/iam/credcache.go) must never outlive the
// write that changes an answer: each test warms the cache with two signed
// requests, changes the key, its user or role, and expects the very next
// request to see it. The fake clock never moves, so the cache's TTL cannot
// be what ends an entry.

// warm signs two requests with c so its lookup is cached.
func warm(t *testing.T, r *rig, c creds) {
	t.Helper()
	for range 2 {
		must[*sts.GetCallerIdentityOutput](t)(r.sts(c.key, c.secret, c.token).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}))
	}
}

// apiCode is err's AWS error code, "" for none.
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func refused(t *testing.T, r *rig, c creds, what string) {
	t.Helper()
	_, err := r.sts(c.key, c.secret, c.token).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if apiCode(err) != "InvalidClientTokenId" {
		t.Fatalf("%s: GetCallerIdentity = %v, want InvalidClientTokenId", what, err)
	}
}

func TestCredCacheKeyStatusAndDeletion(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	root := r.rootIAM()
	dev := userIn(t, root, "dev", "")
	warm(t, r, dev)

	must[*iam.UpdateAccessKeyOutput](t)(root.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("dev"),
		AccessKeyId: aws.String(dev.key), Status: iamtypes.StatusTypeInactive}))
	refused(t, r, dev, "deactivated key")
	must[*iam.UpdateAccessKeyOutput](t)(root.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("dev"),
		AccessKeyId: aws.String(dev.key), Status: iamtypes.StatusTypeActive}))
	warm(t, r, dev) // a refusal is not cached either
	must[*iam.DeleteAccessKeyOutput](t)(root.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("dev"), AccessKeyId: aws.String(dev.key)}))
	refused(t, r, dev, "deleted key")
}

// A user's tags are its principal tags: untagging must change the next
// decision that conditions on them.
func TestCredCachePrincipalTags(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	root := r.rootIAM()
	dev := userIn(t, root, "dev", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*",
		"Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"}}}]}`)
	must[*iam.TagUserOutput](t)(root.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("dev"),
		Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}}))
	for range 2 {
		must[*iam.ListUsersOutput](t)(r.iamAs(dev).ListUsers(ctx, &iam.ListUsersInput{}))
	}
	must[*iam.UntagUserOutput](t)(root.UntagUser(ctx, &iam.UntagUserInput{UserName: aws.String("dev"), TagKeys: []string{"team"}}))
	if _, err := r.iamAs(dev).ListUsers(ctx, &iam.ListUsersInput{}); apiCode(err) != "AccessDenied" {
		t.Fatalf("ListUsers after the tag was removed: %v", err)
	}
}

// A user's GetSessionToken credentials outlive its access key but not the
// user.
func TestCredCacheUserDeleted(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	root := r.rootIAM()
	dev := userIn(t, root, "dev", "")
	out := must[*sts.GetSessionTokenOutput](t)(r.sts(dev.key, dev.secret, "").GetSessionToken(ctx, &sts.GetSessionTokenInput{}))
	sess := creds{key: *out.Credentials.AccessKeyId, secret: *out.Credentials.SecretAccessKey, token: *out.Credentials.SessionToken}
	must[*iam.DeleteAccessKeyOutput](t)(root.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("dev"), AccessKeyId: aws.String(dev.key)}))
	warm(t, r, sess)
	must[*iam.DeleteUserOutput](t)(root.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("dev")}))
	refused(t, r, sess, "session of a deleted user")
}

// A role's sessions end with the role, and AWSRevokeOlderSessions (a
// policy on the role, read per request) denies them from the next request.
func TestCredCacheRoleSessions(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	root := r.rootIAM()
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + mgmtAccount + `"},"Action":"sts:AssumeRole"}]}`
	roleARN := func(name string) string {
		out := must[*iam.CreateRoleOutput](t)(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)}))
		return *out.Role.Arn
	}
	caller := userIn(t, root, "admin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)

	gone := assume(t, r, caller, roleARN("gone"))
	warm(t, r, gone)
	must[*iam.DeleteRoleOutput](t)(root.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("gone")}))
	refused(t, r, gone, "session of a deleted role")

	arn := roleARN("kept")
	must[*iam.PutRolePolicyOutput](t)(root.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("kept"), PolicyName: aws.String("list"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}`)}))
	sess := assume(t, r, caller, arn)
	for range 2 {
		must[*iam.ListUsersOutput](t)(r.iamAs(sess).ListUsers(ctx, &iam.ListUsersInput{}))
	}
	// What the console's "Revoke active sessions" attaches.
	cutoff := r.clock.Now().Add(time.Second).UTC().Format(time.RFC3339)
	must[*iam.PutRolePolicyOutput](t)(root.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("kept"), PolicyName: aws.String("AWSRevokeOlderSessions"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*",
			"Condition":{"DateLessThan":{"aws:TokenIssueTime":"` + cutoff + `"}}}]}`)}))
	if _, err := r.iamAs(sess).ListUsers(ctx, &iam.ListUsersInput{}); apiCode(err) != "AccessDenied" {
		t.Fatalf("revoked session: ListUsers = %v", err)
	}
}

// A closed account's keys stop at once (orgapi's guard runs on every
// request, outside the IAM cache).
func TestCredCacheAccountClosed(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	orgs := organizations.NewFromConfig(r.awsConfig(mgmtKeyID, mgmtSecret, ""))
	must[*organizations.CreateOrganizationOutput](t)(orgs.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}))
	st := must[*organizations.CreateAccountOutput](t)(orgs.CreateAccount(ctx, &organizations.CreateAccountInput{
		AccountName: aws.String("member"), Email: aws.String("member@example.com")}))
	if st.CreateAccountStatus.State != orgtypes.CreateAccountStateSucceeded {
		t.Fatalf("CreateAccount = %+v", st.CreateAccountStatus)
	}
	member := *st.CreateAccountStatus.AccountId
	all := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	orgAdmin := userIn(t, r.rootIAM(), "orgadmin", all)
	access := assume(t, r, orgAdmin, "arn:aws:iam::"+member+":role/OrganizationAccountAccessRole")
	admin := userIn(t, r.iamAs(access), "admin", all)
	warm(t, r, admin)
	must[*organizations.CloseAccountOutput](t)(orgs.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: aws.String(member)}))
	refused(t, r, admin, "key of a closed account")
}

// Across servers on one PostgreSQL database a deactivation reaches the
// other server's cache by NOTIFY, not by the TTL: neither fake clock
// moves. The notification is asynchronous, so the other server is polled.
func TestCredCacheAcrossServers(t *testing.T) {
	a, b := sharedPair(t)
	ctx := context.Background()
	dev := userIn(t, a.rootIAM(), "dev", "")
	warm(t, b, dev)
	must[*iam.UpdateAccessKeyOutput](t)(a.rootIAM().UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("dev"),
		AccessKeyId: aws.String(dev.key), Status: iamtypes.StatusTypeInactive}))
	refused(t, a, dev, "deactivated key, same server")
	for i := 0; ; i++ {
		_, err := b.sts(dev.key, dev.secret, "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if apiCode(err) == "InvalidClientTokenId" {
			return
		}
		if i == 500 {
			t.Fatalf("the other server still accepts a deactivated key: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
