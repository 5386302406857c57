package integration

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	iamstore "github.com/openpca/openpca/internal/iam"
)

// TestWhoCanAPIDoesNotDiscloseOtherAccounts: the CA owner's
// OpenPCAListPrincipalsWithAccess lists its own account's principals in
// full, but for an account the CA policy names only the grant (statement,
// conditions, a note), never that account's users, roles or policy names.
// The operator's view (admin who-can) still lists them.
func TestWhoCanAPIDoesNotDiscloseOtherAccounts(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	aPCA := r.pca(creds{key: mgmtKeyID, secret: mgmtSecret})
	ca := activeCA(t, aPCA)
	userIn(t, r.rootIAM(), "local", allowPCA)

	b, err := r.app.IAMStore.CreateAccount(ctx, iamstore.AccountSpec{Name: "b"})
	if err != nil {
		t.Fatal(err)
	}
	bIAM := r.iamAs(creds{key: b.RootAccessKeyID, secret: b.RootSecretAccessKey})
	userIn(t, bIAM, "secret-dev", allowPCA)
	must[*iam.CreateRoleOutput](t)(bIAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("hidden-issuer"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` +
			b.AccountID + `:root"},"Action":"sts:AssumeRole"}]}`)}))
	must[*iam.PutRolePolicyOutput](t)(bIAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("hidden-issuer"),
		PolicyName: aws.String("private-policy-name"), PolicyDocument: aws.String(allowPCA)}))
	putPolicy(t, aPCA, ca, accountShareDoc(ca, b.AccountID))

	status, _, body := r.send(t, rawReq{service: "acm-pca", contentType: "application/x-amz-json-1.1",
		target: "ACMPrivateCA.OpenPCAListPrincipalsWithAccess", body: []byte(`{"CertificateAuthorityArn":"` + ca + `"}`)})
	if status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	for _, secret := range []string{"secret-dev", "hidden-issuer", "private-policy-name", ":" + b.AccountID + ":root"} {
		if strings.Contains(body, secret) {
			t.Errorf("the answer discloses %q of account %s: %s", secret, b.AccountID, body)
		}
	}
	var out struct {
		Principals     []struct{ PrincipalArn, AccountId, Reason string }
		ExternalGrants []struct {
			Principal, PrincipalType, AccountId, Note string
			Statement                                 struct{ Policy, PolicyKind, Sid string }
			Conditions                                []struct {
				Operator, Key string
				Values        []string
			}
		}
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatal(err)
	}
	own := map[string]string{}
	for _, p := range out.Principals {
		if p.AccountId != mgmtAccount {
			t.Errorf("principal of another account listed: %+v", p)
		}
		own[p.PrincipalArn] = p.Reason
	}
	if own["arn:aws:iam::"+mgmtAccount+":root"] != "AllowedAsRoot" || own["arn:aws:iam::"+mgmtAccount+":user/local"] != "AllowedByIdentity" {
		t.Errorf("own account's analysis: %v", own)
	}
	if len(out.ExternalGrants) != 1 {
		t.Fatalf("external grants %+v", out.ExternalGrants)
	}
	g := out.ExternalGrants[0]
	if g.Principal != b.AccountID || g.PrincipalType != "Account" || g.AccountId != b.AccountID || g.Statement.Policy != ca ||
		g.Statement.PolicyKind != "ResourcePolicy" || g.Statement.Sid != "1" || !strings.Contains(g.Note, "administrators") {
		t.Errorf("grant %+v", g)
	}
	if len(g.Conditions) != 1 || g.Conditions[0].Key != "acm-pca:TemplateArn" || g.Conditions[0].Values[0] != tmplV1 {
		t.Errorf("conditions %+v", g.Conditions)
	}

	// The operator's view keeps every account.
	full, err := r.app.WhoCan(ctx, ca, "")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range full {
		found = found || p.PrincipalArn == "arn:aws:iam::"+b.AccountID+":user/secret-dev"
	}
	if !found {
		t.Errorf("admin who-can lost account B: %+v", full)
	}
}
