package iamapi

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
)

// TestReservedServiceRolePath: an administrator cannot fake a service-linked
// role (which SCPs do not bound) by choosing its path; only
// CreateServiceLinkedRole creates one.
func TestReservedServiceRolePath(t *testing.T) {
	r := newRig(t)
	admin := r.iam(r.user("admin", allowAll))
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole"}]}`
	for _, path := range []string{"/aws-service-role/acm.amazonaws.com/", "/aws-service-role/"} {
		_, err := admin.CreateRole(r.ctx, &awsiam.CreateRoleInput{RoleName: aws.String("AWSServiceRoleForCertificateManager"),
			Path: aws.String(path), AssumeRolePolicyDocument: aws.String(trust)})
		wantErr(t, err, "InvalidInput", "Path prefix '/aws-service-role/' can only be used for AWS Service linked Roles")
	}
	// A lookalike path elsewhere is an ordinary path.
	if _, err := admin.CreateRole(r.ctx, &awsiam.CreateRoleInput{RoleName: aws.String("x"),
		Path: aws.String("/team/aws-service-role/"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	out, err := admin.CreateServiceLinkedRole(r.ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("acm.amazonaws.com")})
	if err != nil || aws.ToString(out.Role.Path) != "/aws-service-role/acm.amazonaws.com/" {
		t.Fatalf("CreateServiceLinkedRole = %+v, %v", out, err)
	}
}
