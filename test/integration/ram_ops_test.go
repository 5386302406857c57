package integration

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ram"
	ramtypes "github.com/aws/aws-sdk-go-v2/service/ram/types"
)

// TestRAMOperations covers the permission, listing, update and tagging
// operations through the SDK.
func TestRAMOperations(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	a := creds{key: mgmtKeyID, secret: mgmtSecret}
	aRAM := r.ram(a)
	ca := activeCA(t, r.pca(a))
	eID, _, _ := standalone(t, r, "e")
	const def = "arn:aws:ram::aws:permission/AWSRAMDefaultPermissionCertificateAuthority"

	t.Run("managed permissions", func(t *testing.T) {
		p1 := must[*ram.ListPermissionsOutput](t)(aRAM.ListPermissions(ctx, &ram.ListPermissionsInput{
			ResourceType: aws.String("ACM-PCA:certificateauthority"), MaxResults: aws.Int32(2)}))
		if len(p1.Permissions) != 2 || p1.NextToken == nil {
			t.Fatalf("first page %+v", p1)
		}
		var all []ramtypes.ResourceSharePermissionSummary
		all = append(all, p1.Permissions...)
		for tok := p1.NextToken; tok != nil; {
			p := must[*ram.ListPermissionsOutput](t)(aRAM.ListPermissions(ctx, &ram.ListPermissionsInput{
				ResourceType: aws.String("ACM-PCA:certificateauthority"), MaxResults: aws.Int32(2), NextToken: tok}))
			all = append(all, p.Permissions...)
			tok = p.NextToken
		}
		defaults := 0
		for _, p := range all {
			if *p.ResourceType != "acm-pca:CertificateAuthority" || p.PermissionType != ramtypes.PermissionTypeAwsManaged || *p.Version != "1" {
				t.Fatalf("permission %+v", p)
			}
			if *p.IsResourceTypeDefault {
				defaults++
				if *p.Arn != def {
					t.Fatalf("default %s", *p.Arn)
				}
			}
		}
		if len(all) != 5 || defaults != 1 {
			t.Fatalf("%d permissions, %d defaults", len(all), defaults)
		}
		g := must[*ram.GetPermissionOutput](t)(aRAM.GetPermission(ctx, &ram.GetPermissionInput{PermissionArn: aws.String(def)}))
		if !strings.Contains(*g.Permission.Permission, `"acm-pca:TemplateArn":"arn:aws:acm-pca:::template/EndEntityCertificate/V1"`) ||
			strings.Contains(*g.Permission.Permission, "Principal") {
			t.Fatalf("template %s", *g.Permission.Permission)
		}
		v := must[*ram.ListPermissionVersionsOutput](t)(aRAM.ListPermissionVersions(ctx, &ram.ListPermissionVersionsInput{PermissionArn: aws.String(def)}))
		if len(v.Permissions) != 1 || !*v.Permissions[0].DefaultVersion {
			t.Fatalf("versions %+v", v.Permissions)
		}
		none := must[*ram.ListPermissionsOutput](t)(aRAM.ListPermissions(ctx, &ram.ListPermissionsInput{ResourceType: aws.String("ec2:Subnet")}))
		if len(none.Permissions) != 0 {
			t.Fatalf("ec2:Subnet permissions %+v", none.Permissions)
		}
	})
	sh := must[*ram.CreateResourceShareOutput](t)(aRAM.CreateResourceShare(ctx, &ram.CreateResourceShareInput{
		Name: aws.String("ops"), ResourceArns: []string{ca}, Principals: []string{eID},
		Tags: []ramtypes.Tag{{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("b"), Value: aws.String("2")}}}))
	arn := sh.ResourceShare.ResourceShareArn
	t.Run("permissions of a share", func(t *testing.T) {
		other := "arn:aws:ram::aws:permission/AWSRAMSubordinateCACertificatePathLen0IssuanceCertificateAuthority"
		_, err := aRAM.AssociateResourceSharePermission(ctx, &ram.AssociateResourceSharePermissionInput{ResourceShareArn: arn, PermissionArn: &other})
		apiError(t, err, "InvalidParameterException")
		must[*ram.AssociateResourceSharePermissionOutput](t)(aRAM.AssociateResourceSharePermission(ctx, &ram.AssociateResourceSharePermissionInput{
			ResourceShareArn: arn, PermissionArn: &other, Replace: aws.Bool(true)}))
		lp := must[*ram.ListResourceSharePermissionsOutput](t)(aRAM.ListResourceSharePermissions(ctx, &ram.ListResourceSharePermissionsInput{ResourceShareArn: arn}))
		if len(lp.Permissions) != 1 || *lp.Permissions[0].Arn != other {
			t.Fatalf("permissions %+v", lp.Permissions)
		}
		_, err = aRAM.DisassociateResourceSharePermission(ctx, &ram.DisassociateResourceSharePermissionInput{ResourceShareArn: arn, PermissionArn: &other})
		apiError(t, err, "InvalidStateTransitionException")
		byPerm := must[*ram.GetResourceSharesOutput](t)(aRAM.GetResourceShares(ctx, &ram.GetResourceSharesInput{
			ResourceOwner: ramtypes.ResourceOwnerSelf, PermissionArn: &other}))
		if len(byPerm.ResourceShares) != 1 {
			t.Fatalf("shares with %s: %+v", other, byPerm.ResourceShares)
		}
	})
	t.Run("update, tags, principals", func(t *testing.T) {
		up := must[*ram.UpdateResourceShareOutput](t)(aRAM.UpdateResourceShare(ctx, &ram.UpdateResourceShareInput{ResourceShareArn: arn,
			Name: aws.String("renamed"), AllowExternalPrincipals: aws.Bool(false)}))
		if *up.ResourceShare.Name != "renamed" || *up.ResourceShare.AllowExternalPrincipals {
			t.Fatalf("updated %+v", up.ResourceShare)
		}
		must[*ram.UntagResourceOutput](t)(aRAM.UntagResource(ctx, &ram.UntagResourceInput{ResourceShareArn: arn, TagKeys: []string{"a"}}))
		got := must[*ram.GetResourceSharesOutput](t)(aRAM.GetResourceShares(ctx, &ram.GetResourceSharesInput{ResourceOwner: ramtypes.ResourceOwnerSelf,
			TagFilters: []ramtypes.TagFilter{{TagKey: aws.String("b"), TagValues: []string{"2"}}}}))
		if len(got.ResourceShares) != 1 || len(got.ResourceShares[0].Tags) != 1 || *got.ResourceShares[0].Tags[0].Key != "b" {
			t.Fatalf("tagged shares %+v", got.ResourceShares)
		}
		ps := must[*ram.ListPrincipalsOutput](t)(aRAM.ListPrincipals(ctx, &ram.ListPrincipalsInput{ResourceOwner: ramtypes.ResourceOwnerSelf}))
		if len(ps.Principals) != 0 {
			t.Fatalf("principals before acceptance %+v", ps.Principals)
		}
		res := must[*ram.ListResourcesOutput](t)(aRAM.ListResources(ctx, &ram.ListResourcesInput{ResourceOwner: ramtypes.ResourceOwnerSelf,
			ResourceType: aws.String("acm-pca:CertificateAuthority")}))
		if len(res.Resources) != 1 || *res.Resources[0].Arn != ca || res.Resources[0].ResourceRegionScope != ramtypes.ResourceRegionScopeRegional {
			t.Fatalf("resources %+v", res.Resources)
		}
		_, err := aRAM.ListResources(ctx, &ram.ListResourcesInput{ResourceOwner: ramtypes.ResourceOwnerSelf, ResourceType: aws.String("ec2:Subnet")})
		apiError(t, err, "InvalidResourceTypeException")
	})
}
