package iamapi

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// device is a virtual MFA device as a phone app holds it.
type device struct {
	t      *testing.T
	serial string
	seed   string
}

// code is the device's code at t shifted by steps (a drifting clock).
func (d device) code(t time.Time, steps int) string {
	d.t.Helper()
	c, err := totp.GenerateCodeCustom(d.seed, t.Add(time.Duration(steps)*30*time.Second),
		totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		d.t.Fatal(err)
	}
	return c
}

// wrong is a six-digit code that no step near t produces.
func (d device) wrong(t time.Time) string {
	used := map[string]bool{}
	for s := -3; s <= 3; s++ {
		used[d.code(t, s)] = true
	}
	for _, c := range []string{"000000", "111111", "222222", "333333", "444444", "555555", "666666", "777777", "888888"} {
		if !used[c] {
			return c
		}
	}
	d.t.Fatal("no wrong code")
	return ""
}

// newDevice creates and enables a virtual device for user.
func (r *rig) newDevice(name, user string) device {
	r.t.Helper()
	out, err := r.root.CreateVirtualMFADevice(r.ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(name)})
	if err != nil {
		r.t.Fatal(err)
	}
	v := out.VirtualMFADevice
	d := device{t: r.t, serial: aws.ToString(v.SerialNumber), seed: string(v.Base32StringSeed)}
	if d.serial != "arn:aws:iam::"+acct+":mfa/"+name || len(d.seed) != 64 || strings.Trim(d.seed, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") != "" {
		r.t.Fatalf("CreateVirtualMFADevice = %q, seed %q", d.serial, d.seed)
	}
	if !bytes.HasPrefix(v.QRCodePNG, []byte("\x89PNG\r\n\x1a\n")) {
		r.t.Fatalf("QRCodePNG is not a PNG: %.16q", v.QRCodePNG)
	}
	now := r.clk.Now()
	_, err = r.root.EnableMFADevice(r.ctx, &awsiam.EnableMFADeviceInput{UserName: aws.String(user), SerialNumber: aws.String(d.serial),
		AuthenticationCode1: aws.String(d.wrong(now)), AuthenticationCode2: aws.String(d.code(now, 0))})
	wantErr(r.t, err, "InvalidAuthenticationCode", "Authentication code for device is not valid.")
	if _, err := r.root.EnableMFADevice(r.ctx, &awsiam.EnableMFADeviceInput{UserName: aws.String(user), SerialNumber: aws.String(d.serial),
		AuthenticationCode1: aws.String(d.code(now, -1)), AuthenticationCode2: aws.String(d.code(now, 0))}); err != nil {
		r.t.Fatal(err)
	}
	// Codes of the enabling step are spent.
	r.clk.Advance(30 * time.Second)
	return d
}

const mfaPolicy = `{"Version":"2012-10-17","Statement":[
	{"Effect":"Allow","Action":["iam:ListUsers","sts:AssumeRole"],"Resource":"*"},
	{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}},
	{"Effect":"Allow","Action":"iam:ListGroups","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":"60"}}}]}`

// TestMFASessions: GetSessionToken and AssumeRole verify TOTP codes (once
// each), and the sessions carry aws:MultiFactorAuthPresent/Age as AWS's.
func TestMFASessions(t *testing.T) {
	r := newRig(t)
	aliceKeys := r.user("alice", mfaPolicy)
	d := r.newDevice("alice-phone", "alice")
	alice := r.sts(aliceKeys)

	// Long-term keys: no MFA keys in the context.
	_, err := r.iam(aliceKeys).ListRoles(r.ctx, &awsiam.ListRolesInput{})
	wantErr(t, err, "AccessDenied", "")

	now := r.clk.Now()
	_, err = alice.GetSessionToken(r.ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(d.serial), TokenCode: aws.String(d.wrong(now))})
	wantErr(t, err, "AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code.")
	_, err = alice.GetSessionToken(r.ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String("arn:aws:iam::" + acct + ":mfa/other"), TokenCode: aws.String(d.code(now, 0))})
	wantErr(t, err, "AccessDenied", "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.")

	code := d.code(now, 0)
	out, err := alice.GetSessionToken(r.ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(d.serial), TokenCode: aws.String(code)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = alice.GetSessionToken(r.ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(d.serial), TokenCode: aws.String(code)})
	wantErr(t, err, "AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code.")

	// MFA-authenticated GetSessionToken credentials may call IAM.
	sess := r.iam(sessionKeys(out.Credentials))
	if _, err := sess.ListRoles(r.ctx, &awsiam.ListRolesInput{}); err != nil {
		t.Fatalf("ListRoles with an MFA session: %v", err)
	}
	if _, err := sess.ListGroups(r.ctx, &awsiam.ListGroupsInput{}); err != nil {
		t.Fatalf("ListGroups with a fresh MFA session: %v", err)
	}
	r.clk.Advance(2 * time.Minute)
	_, err = sess.ListGroups(r.ctx, &awsiam.ListGroupsInput{})
	wantErr(t, err, "AccessDenied", "")

	// A session without MFA: present=false, and no IAM at all (as AWS).
	plain, err := alice.GetSessionToken(r.ctx, &sts.GetSessionTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.iam(sessionKeys(plain.Credentials)).ListUsers(r.ctx, &awsiam.ListUsersInput{})
	wantErr(t, err, "InvalidClientTokenId", "")

	// A role whose trust policy demands MFA.
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole",
		"Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`
	role, err := r.root.CreateRole(r.ctx, &awsiam.CreateRoleInput{RoleName: aws.String("admin"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.root.PutRolePolicy(r.ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("admin"), PolicyName: aws.String("p"), PolicyDocument: aws.String(mfaPolicy)}); err != nil {
		t.Fatal(err)
	}
	_, err = alice.AssumeRole(r.ctx, &sts.AssumeRoleInput{RoleArn: role.Role.Arn, RoleSessionName: aws.String("s1")})
	wantErr(t, err, "AccessDenied", "")
	now = r.clk.Now()
	_, err = alice.AssumeRole(r.ctx, &sts.AssumeRoleInput{RoleArn: role.Role.Arn, RoleSessionName: aws.String("s1"),
		SerialNumber: aws.String(d.serial), TokenCode: aws.String(d.wrong(now))})
	wantErr(t, err, "AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code.")
	ar, err := alice.AssumeRole(r.ctx, &sts.AssumeRoleInput{RoleArn: role.Role.Arn, RoleSessionName: aws.String("s1"),
		SerialNumber: aws.String(d.serial), TokenCode: aws.String(d.code(now, 0))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.iam(sessionKeys(ar.Credentials)).ListRoles(r.ctx, &awsiam.ListRolesInput{}); err != nil {
		t.Fatalf("ListRoles in an MFA role session: %v", err)
	}

	// A drifted device is found again by ResyncMFADevice.
	r.clk.Advance(30 * time.Second)
	now = r.clk.Now()
	_, err = alice.GetSessionToken(r.ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(d.serial), TokenCode: aws.String(d.code(now, 10))})
	wantErr(t, err, "AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code.")
	if _, err := r.root.ResyncMFADevice(r.ctx, &awsiam.ResyncMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(d.serial),
		AuthenticationCode1: aws.String(d.code(now, 9)), AuthenticationCode2: aws.String(d.code(now, 10))}); err != nil {
		t.Fatal(err)
	}
	r.clk.Advance(30 * time.Second)
	if _, err := alice.GetSessionToken(r.ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(d.serial), TokenCode: aws.String(d.code(r.clk.Now(), 10))}); err != nil {
		t.Fatalf("after resync: %v", err)
	}
}

// TestVirtualMFADeviceLifecycle: listing, filters, and the conflicts AWS
// reports while a device is enabled.
func TestVirtualMFADeviceLifecycle(t *testing.T) {
	r := newRig(t)
	if _, err := r.root.CreateUser(r.ctx, &awsiam.CreateUserInput{UserName: aws.String("bob")}); err != nil {
		t.Fatal(err)
	}
	d := r.newDevice("bob-phone", "bob")
	spare, err := r.root.CreateVirtualMFADevice(r.ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("spare"),
		Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("pki")}}})
	if err != nil {
		t.Fatal(err)
	}
	spareSerial := spare.VirtualMFADevice.SerialNumber
	if _, err := r.root.TagMFADevice(r.ctx, &awsiam.TagMFADeviceInput{SerialNumber: spareSerial, Tags: []iamtypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.root.UntagMFADevice(r.ctx, &awsiam.UntagMFADeviceInput{SerialNumber: spareSerial, TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := r.root.ListMFADeviceTags(r.ctx, &awsiam.ListMFADeviceTagsInput{SerialNumber: spareSerial})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "env" {
		t.Fatalf("ListMFADeviceTags = %+v, %v", tags, err)
	}
	_, err = r.root.ListMFADeviceTags(r.ctx, &awsiam.ListMFADeviceTagsInput{SerialNumber: aws.String("arn:aws:iam::" + acct + ":mfa/none")})
	wantErr(t, err, "NoSuchEntity", "VirtualMFADevice with serial number arn:aws:iam::"+acct+":mfa/none doesn't exist.")
	_, err = r.root.CreateVirtualMFADevice(r.ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("SPARE")})
	wantErr(t, err, "EntityAlreadyExists", "MFADevice entity at the same path and name already exists.")

	list := func(status iamtypes.AssignmentStatusType) []iamtypes.VirtualMFADevice {
		t.Helper()
		out, err := r.root.ListVirtualMFADevices(r.ctx, &awsiam.ListVirtualMFADevicesInput{AssignmentStatus: status})
		if err != nil {
			t.Fatal(err)
		}
		return out.VirtualMFADevices
	}
	if got := list(iamtypes.AssignmentStatusTypeAssigned); len(got) != 1 || aws.ToString(got[0].SerialNumber) != d.serial ||
		got[0].User == nil || aws.ToString(got[0].User.UserName) != "bob" || got[0].EnableDate == nil || got[0].Base32StringSeed != nil {
		t.Fatalf("Assigned = %+v", got)
	}
	if got := list(iamtypes.AssignmentStatusTypeUnassigned); len(got) != 1 || got[0].User != nil {
		t.Fatalf("Unassigned = %+v", got)
	}
	if got := list(""); len(got) != 2 {
		t.Fatalf("Any = %+v", got)
	}
	mine, err := r.root.ListMFADevices(r.ctx, &awsiam.ListMFADevicesInput{UserName: aws.String("bob")})
	if err != nil || len(mine.MFADevices) != 1 || aws.ToString(mine.MFADevices[0].SerialNumber) != d.serial || aws.ToString(mine.MFADevices[0].UserName) != "bob" {
		t.Fatalf("ListMFADevices = %+v, %v", mine, err)
	}
	_, err = r.root.DeleteVirtualMFADevice(r.ctx, &awsiam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(d.serial)})
	wantErr(t, err, "DeleteConflict", "")
	_, err = r.root.DeleteUser(r.ctx, &awsiam.DeleteUserInput{UserName: aws.String("bob")})
	wantErr(t, err, "DeleteConflict", "Cannot delete entity, must delete MFA device first.")
	if _, err := r.root.DeactivateMFADevice(r.ctx, &awsiam.DeactivateMFADeviceInput{UserName: aws.String("bob"), SerialNumber: aws.String(d.serial)}); err != nil {
		t.Fatal(err)
	}
	_, err = r.root.DeactivateMFADevice(r.ctx, &awsiam.DeactivateMFADeviceInput{UserName: aws.String("bob"), SerialNumber: aws.String(d.serial)})
	wantErr(t, err, "NoSuchEntity", "")
	if _, err := r.root.DeleteVirtualMFADevice(r.ctx, &awsiam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(d.serial)}); err != nil {
		t.Fatal(err)
	}
	if got := list(""); len(got) != 1 {
		t.Fatalf("after delete = %+v", got)
	}
	if _, err := r.root.DeleteUser(r.ctx, &awsiam.DeleteUserInput{UserName: aws.String("bob")}); err != nil {
		t.Fatal(err)
	}
}

// TestRevokeActiveSessions: the IAM console's "revoke active sessions"
// policy (Deny * when aws:TokenIssueTime is older than now) ends every
// earlier session of the role, while later ones work.
func TestRevokeActiveSessions(t *testing.T) {
	r := newRig(t)
	roleARN := r.role("ops", allowAll)
	caller := r.sts(r.user("alice", allowAll))
	assume := func() *awsiam.Client {
		t.Helper()
		out, err := caller.AssumeRole(r.ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s1")})
		if err != nil {
			t.Fatal(err)
		}
		return r.iam(sessionKeys(out.Credentials))
	}
	old := assume()
	if _, err := old.ListUsers(r.ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatal(err)
	}
	r.clk.Advance(5 * time.Second)
	cutoff := r.clk.Now().UTC().Format("2006-01-02T15:04:05Z")
	revoke := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["*"],"Resource":["*"],
		"Condition":{"DateLessThan":{"aws:TokenIssueTime":"` + cutoff + `"}}}]}`
	if _, err := r.root.PutRolePolicy(r.ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("ops"), PolicyName: aws.String("AWSRevokeOlderSessions"),
		PolicyDocument: aws.String(revoke)}); err != nil {
		t.Fatal(err)
	}
	_, err := old.ListUsers(r.ctx, &awsiam.ListUsersInput{})
	wantErr(t, err, "AccessDenied", "")
	r.clk.Advance(time.Second)
	if _, err := assume().ListUsers(r.ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatalf("new session after revocation: %v", err)
	}
}

// TestMFACodeOnceUnderConcurrency: of concurrent requests with one code,
// exactly one gets credentials.
func TestMFACodeOnceUnderConcurrency(t *testing.T) {
	r := newRig(t)
	alice := r.sts(r.user("alice", ""))
	d := r.newDevice("alice-phone", "alice")
	code := d.code(r.clk.Now(), 0)
	const n = 8
	errs := make(chan error, n)
	for range n {
		go func() {
			_, err := alice.GetSessionToken(r.ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(d.serial), TokenCode: aws.String(code)})
			errs <- err
		}()
	}
	ok := 0
	for range n {
		if err := <-errs; err == nil {
			ok++
		} else {
			wantErr(t, err, "AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code.")
		}
	}
	if ok != 1 {
		t.Fatalf("%d requests succeeded with one code", ok)
	}
}
