package integration

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ram"
	ramtypes "github.com/aws/aws-sdk-go-v2/service/ram/types"
)

// TestRAMAuthorization: every RAM call goes through IAM with RAM's action
// names, resources and condition keys.
func TestRAMAuthorization(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	a := creds{key: mgmtKeyID, secret: mgmtSecret}
	ca := activeCA(t, r.pca(a))
	eID, _, _ := standalone(t, r, "e")

	none := r.ram(userIn(t, r.rootIAM(), "nobody", ""))
	_, err := none.ListResourceTypes(ctx, &ram.ListResourceTypesInput{})
	wantDenied(t, err, "is not authorized to perform: ram:ListResourceTypes on resource: *")

	// ram:* except external sharing and except sharing with eID.
	scoped := r.ram(userIn(t, r.rootIAM(), "scoped", `{"Version":"2012-10-17","Statement":[`+
		`{"Effect":"Allow","Action":"ram:*","Resource":"*"},`+
		`{"Effect":"Deny","Action":"ram:CreateResourceShare","Resource":"*","Condition":{"Bool":{"ram:RequestedAllowsExternalPrincipals":"true"}}},`+
		`{"Effect":"Deny","Action":["ram:CreateResourceShare","ram:AssociateResourceShare"],"Resource":"*","Condition":{"StringEquals":{"ram:Principal":"`+eID+`"}}},`+
		`{"Effect":"Deny","Action":"ram:AssociateResourceShare","Resource":"*","Condition":{"StringEquals":{"ram:RequestedResourceType":"acm-pca:CertificateAuthority"}}}]}`))
	_, err = scoped.CreateResourceShare(ctx, &ram.CreateResourceShareInput{Name: aws.String("ext")})
	wantDenied(t, err, "ram:CreateResourceShare on resource: arn:aws:ram:us-east-1:"+mgmtAccount+":resource-share/")
	sh := must[*ram.CreateResourceShareOutput](t)(scoped.CreateResourceShare(ctx, &ram.CreateResourceShareInput{Name: aws.String("int"),
		AllowExternalPrincipals: aws.Bool(false)}))
	arn := *sh.ResourceShare.ResourceShareArn
	_, err = scoped.AssociateResourceShare(ctx, &ram.AssociateResourceShareInput{ResourceShareArn: &arn, Principals: []string{eID}})
	wantDenied(t, err, "ram:AssociateResourceShare on resource: "+arn+" with an explicit deny")
	_, err = scoped.AssociateResourceShare(ctx, &ram.AssociateResourceShareInput{ResourceShareArn: &arn, ResourceArns: []string{ca}})
	wantDenied(t, err, "ram:AssociateResourceShare on resource: "+arn+" with an explicit deny")
	// Keys of the existing share: its name and its tags.
	must[*ram.TagResourceOutput](t)(scoped.TagResource(ctx, &ram.TagResourceInput{ResourceShareArn: &arn,
		Tags: []ramtypes.Tag{{Key: aws.String("team"), Value: aws.String("pki")}}}))
	guarded := r.ram(userIn(t, r.rootIAM(), "guarded", `{"Version":"2012-10-17","Statement":[`+
		`{"Effect":"Allow","Action":"ram:*","Resource":"*"},`+
		`{"Effect":"Deny","Action":"ram:DeleteResourceShare","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"pki"}}},`+
		`{"Effect":"Deny","Action":"ram:UpdateResourceShare","Resource":"*","Condition":{"StringEquals":{"ram:ResourceShareName":"int"}}}]}`))
	_, err = guarded.DeleteResourceShare(ctx, &ram.DeleteResourceShareInput{ResourceShareArn: &arn})
	wantDenied(t, err, "ram:DeleteResourceShare on resource: "+arn+" with an explicit deny")
	_, err = guarded.UpdateResourceShare(ctx, &ram.UpdateResourceShareInput{ResourceShareArn: &arn, Name: aws.String("renamed")})
	wantDenied(t, err, "ram:UpdateResourceShare on resource: "+arn+" with an explicit deny")
	must[*ram.DeleteResourceShareOutput](t)(scoped.DeleteResourceShare(ctx, &ram.DeleteResourceShareInput{ResourceShareArn: &arn}))

	// Sharing a CA also needs acm-pca:PutPolicy on it: RAM writes its policy.
	ramOnly := r.ram(userIn(t, r.rootIAM(), "ramonly", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ram:*","Resource":"*"}]}`))
	_, err = ramOnly.CreateResourceShare(ctx, &ram.CreateResourceShareInput{Name: aws.String("ca"), ResourceArns: []string{ca}})
	wantDenied(t, err, "is not authorized to perform: acm-pca:PutPolicy on resource: "+ca)
	both := r.ram(userIn(t, r.rootIAM(), "both", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ram:*","acm-pca:PutPolicy"],"Resource":"*"}]}`))
	must[*ram.CreateResourceShareOutput](t)(both.CreateResourceShare(ctx, &ram.CreateResourceShareInput{Name: aws.String("ca"), ResourceArns: []string{ca}}))
}
