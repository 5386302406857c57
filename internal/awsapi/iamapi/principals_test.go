package iamapi

import (
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// TestTrustPrincipalsByUniqueID: a trust policy keeps the user it names by
// unique ID, so a user deleted and created again under the same name does
// not inherit the role; a trust naming a user or role that does not exist
// is refused, as AWS does.
func TestTrustPrincipalsByUniqueID(t *testing.T) {
	r := newRig(t)
	bobARN := "arn:aws:iam::" + acct + ":user/bob"
	trust := func(principal string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["` + principal + `"]},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalArn":"` + principal + `"}}}]}`
	}
	for _, missing := range []string{bobARN, "arn:aws:iam::" + acct + ":role/ghost"} {
		_, err := r.root.CreateRole(r.ctx, &awsiam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trust(missing))})
		wantErr(t, err, "MalformedPolicyDocument", `Invalid principal in policy: "AWS":"`+missing+`"`)
	}
	assumeOnly := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`
	bob := r.user("bob", assumeOnly)
	created, err := r.root.CreateRole(r.ctx, &awsiam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trust(bobARN))})
	if err != nil {
		t.Fatal(err)
	}
	shown := func() string {
		t.Helper()
		out, err := r.root.GetRole(r.ctx, &awsiam.GetRoleInput{RoleName: aws.String("r")})
		if err != nil {
			t.Fatal(err)
		}
		doc, _ := url.QueryUnescape(aws.ToString(out.Role.AssumeRolePolicyDocument))
		return doc
	}
	if got := shown(); got != trust(bobARN) {
		t.Fatalf("GetRole trust = %s", got)
	}
	if _, err := r.sts(bob).AssumeRole(r.ctx, &sts.AssumeRoleInput{RoleArn: created.Role.Arn, RoleSessionName: aws.String("s1")}); err != nil {
		t.Fatal(err)
	}

	// Delete bob: the trust now shows his unique ID.
	u, err := r.root.GetUser(r.ctx, &awsiam.GetUserInput{UserName: aws.String("bob")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.root.DeleteAccessKey(r.ctx, &awsiam.DeleteAccessKeyInput{UserName: aws.String("bob"), AccessKeyId: aws.String(bob.id)}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.root.DeleteUserPolicy(r.ctx, &awsiam.DeleteUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("p")}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.root.DeleteUser(r.ctx, &awsiam.DeleteUserInput{UserName: aws.String("bob")}); err != nil {
		t.Fatal(err)
	}
	oldID := aws.ToString(u.User.UserId)
	if got := shown(); !strings.Contains(got, `"AWS":["`+oldID+`"]`) || !strings.Contains(got, `"aws:PrincipalArn":"`+bobARN+`"`) {
		t.Fatalf("trust after deletion = %s", got)
	}
	// A new bob is not the principal the trust named.
	newBob := r.user("bob", assumeOnly)
	_, err = r.sts(newBob).AssumeRole(r.ctx, &sts.AssumeRoleInput{RoleArn: created.Role.Arn, RoleSessionName: aws.String("s1")})
	wantErr(t, err, "AccessDenied", "")

	_, err = r.root.UpdateAssumeRolePolicy(r.ctx, &awsiam.UpdateAssumeRolePolicyInput{RoleName: aws.String("r"),
		PolicyDocument: aws.String(trust("arn:aws:iam::" + acct + ":user/nobody"))})
	wantErr(t, err, "MalformedPolicyDocument", `Invalid principal in policy: "AWS":"arn:aws:iam::`+acct+`:user/nobody"`)
	if _, err := r.root.UpdateAssumeRolePolicy(r.ctx, &awsiam.UpdateAssumeRolePolicyInput{RoleName: aws.String("r"), PolicyDocument: aws.String(trust(bobARN))}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.sts(newBob).AssumeRole(r.ctx, &sts.AssumeRoleInput{RoleArn: created.Role.Arn, RoleSessionName: aws.String("s2")}); err != nil {
		t.Fatalf("the re-granted new bob: %v", err)
	}
}
