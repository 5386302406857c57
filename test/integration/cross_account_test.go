package integration

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acmpca"
	pcatypes "github.com/aws/aws-sdk-go-v2/service/acmpca/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/openpca/openpca/internal/authz"
	iamstore "github.com/openpca/openpca/internal/iam"
)

// creds is one signing identity.
type creds struct{ key, secret, token string }

func (r *rig) pca(c creds) *acmpca.Client {
	return acmpca.NewFromConfig(r.awsConfig(c.key, c.secret, c.token))
}

func (r *rig) iamAs(c creds) *iam.Client { return r.iam(c.key, c.secret, c.token) }

const (
	allowPCA   = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"acm-pca:*","Resource":"*"}]}`
	denyIssue  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"acm-pca:*","Resource":"*"},{"Effect":"Deny","Action":"acm-pca:IssueCertificate","Resource":"*"}]}`
	readShared = `["acm-pca:DescribeCertificateAuthority","acm-pca:GetCertificate","acm-pca:GetCertificateAuthorityCertificate","acm-pca:ListPermissions","acm-pca:ListTags"]`
	tmplV1     = "arn:aws:acm-pca:::template/EndEntityCertificate/V1"
)

// accountShareDoc is the PCA guide's account share (duplicate Sid "1").
func accountShareDoc(ca, principal string) string {
	return `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"1","Effect":"Allow","Principal":{"AWS":"` + principal + `"},"Action":` + readShared + `,"Resource":"` + ca + `"},` +
		`{"Sid":"1","Effect":"Allow","Principal":{"AWS":"` + principal + `"},"Action":["acm-pca:IssueCertificate"],"Resource":"` + ca + `",` +
		`"Condition":{"StringEquals":{"acm-pca:TemplateArn":"` + tmplV1 + `"}}}]}`
}

// orgShareDoc is the PCA guide's organization share.
func orgShareDoc(ca, org string) string {
	return `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"1","Effect":"Allow","Principal":"*","Action":"acm-pca:IssueCertificate","Resource":"` + ca + `",` +
		`"Condition":{"StringEquals":{"acm-pca:TemplateArn":"` + tmplV1 + `","aws:PrincipalOrgID":"` + org + `"}}},` +
		`{"Sid":"1","Effect":"Allow","Principal":"*","Action":` + readShared + `,"Resource":"` + ca + `",` +
		`"Condition":{"StringEquals":{"aws:PrincipalOrgID":"` + org + `"}}}]}`
}

// ouShareDoc shares issuance and reads with an OU and its children.
func ouShareDoc(ca, ouPath string) string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"OU","Effect":"Allow","Principal":"*",` +
		`"Action":["acm-pca:IssueCertificate","acm-pca:GetCertificate"],"Resource":"` + ca + `",` +
		`"Condition":{"ForAnyValue:StringLike":{"aws:PrincipalOrgPaths":"` + ouPath + `*"}}}]}`
}

// userIn creates a user with an inline policy (none when doc is "") and
// an access key, through an IAM client of the user's account.
func userIn(t *testing.T, admin *iam.Client, name, doc string) creds {
	t.Helper()
	ctx := context.Background()
	must[*iam.CreateUserOutput](t)(admin.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}))
	if doc != "" {
		must[*iam.PutUserPolicyOutput](t)(admin.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name),
			PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}))
	}
	k := must[*iam.CreateAccessKeyOutput](t)(admin.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)}))
	return creds{key: *k.AccessKey.AccessKeyId, secret: *k.AccessKey.SecretAccessKey}
}

func assume(t *testing.T, r *rig, as creds, roleARN string) creds {
	t.Helper()
	out := must[*sts.AssumeRoleOutput](t)(r.sts(as.key, as.secret, as.token).AssumeRole(context.Background(),
		&sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s1")}))
	return creds{key: *out.Credentials.AccessKeyId, secret: *out.Credentials.SecretAccessKey, token: *out.Credentials.SessionToken}
}

// activeCA creates a root CA in the client's account and installs it.
func activeCA(t *testing.T, c *acmpca.Client) string {
	t.Helper()
	return activeCAFor(t, c, 5*365)
}

// activeCAFor is activeCA with a root certificate valid for days.
func activeCAFor(t *testing.T, c *acmpca.Client, days int64) string {
	t.Helper()
	ctx := context.Background()
	out := must[*acmpca.CreateCertificateAuthorityOutput](t)(c.CreateCertificateAuthority(ctx, &acmpca.CreateCertificateAuthorityInput{
		CertificateAuthorityType: pcatypes.CertificateAuthorityTypeRoot,
		CertificateAuthorityConfiguration: &pcatypes.CertificateAuthorityConfiguration{KeyAlgorithm: pcatypes.KeyAlgorithmEcPrime256v1,
			SigningAlgorithm: pcatypes.SigningAlgorithmSha256withecdsa, Subject: &pcatypes.ASN1Subject{CommonName: aws.String("Shared Root")}},
	}))
	ca := *out.CertificateAuthorityArn
	csr := waitCSR(t, c, ca)
	issued := must[*acmpca.IssueCertificateOutput](t)(c.IssueCertificate(ctx, &acmpca.IssueCertificateInput{CertificateAuthorityArn: &ca,
		Csr: []byte(*csr.Csr), SigningAlgorithm: pcatypes.SigningAlgorithmSha256withecdsa,
		TemplateArn: aws.String("arn:aws:acm-pca:::template/RootCACertificate/V1"),
		Validity:    &pcatypes.Validity{Type: pcatypes.ValidityPeriodTypeDays, Value: aws.Int64(days)}}))
	got := must[*acmpca.GetCertificateOutput](t)(c.GetCertificate(ctx, &acmpca.GetCertificateInput{CertificateAuthorityArn: &ca, CertificateArn: issued.CertificateArn}))
	must[*acmpca.ImportCertificateAuthorityCertificateOutput](t)(c.ImportCertificateAuthorityCertificate(ctx,
		&acmpca.ImportCertificateAuthorityCertificateInput{CertificateAuthorityArn: &ca, Certificate: []byte(*got.Certificate)}))
	return ca
}

// waitCSR waits, as clients do, for the CA's key to be generated (the CA
// leaves CREATING after CreateCertificateAuthority returns) and returns
// its CSR.
func waitCSR(t *testing.T, c *acmpca.Client, ca string) *acmpca.GetCertificateAuthorityCsrOutput {
	t.Helper()
	ctx := context.Background()
	in := &acmpca.GetCertificateAuthorityCsrInput{CertificateAuthorityArn: &ca}
	if err := acmpca.NewCertificateAuthorityCSRCreatedWaiter(c, func(o *acmpca.CertificateAuthorityCSRCreatedWaiterOptions) {
		o.MinDelay = 5 * time.Millisecond
	}).Wait(ctx, in, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	return must[*acmpca.GetCertificateAuthorityCsrOutput](t)(c.GetCertificateAuthorityCsr(ctx, in))
}

func leafCSR(t *testing.T) []byte {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "svc.example.com"},
		DNSNames: []string{"svc.example.com"}}, k)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
}

// issue asks c to issue a leaf from ca with template ("" for the default).
func issue(c *acmpca.Client, ca, template string, csr []byte) (string, error) {
	in := &acmpca.IssueCertificateInput{CertificateAuthorityArn: &ca, Csr: csr, SigningAlgorithm: pcatypes.SigningAlgorithmSha256withecdsa,
		Validity: &pcatypes.Validity{Type: pcatypes.ValidityPeriodTypeDays, Value: aws.Int64(7)}}
	if template != "" {
		in.TemplateArn = aws.String(template)
	}
	out, err := c.IssueCertificate(context.Background(), in)
	if err != nil {
		return "", err
	}
	return *out.CertificateArn, nil
}

func putPolicy(t *testing.T, c *acmpca.Client, ca, doc string) {
	t.Helper()
	must[*acmpca.PutPolicyOutput](t)(c.PutPolicy(context.Background(), &acmpca.PutPolicyInput{ResourceArn: &ca, Policy: &doc}))
}

func wantDenied(t *testing.T, err error, tail string) {
	t.Helper()
	msg := apiError(t, err, "AccessDeniedException")
	if !strings.Contains(msg, tail) {
		t.Fatalf("denial %q does not contain %q", msg, tail)
	}
}

// TestCrossAccountMatrix plays §10b rows 1–8 and 22 across four accounts:
// A (the management account) owns the CA; B is standalone; C is in the
// organization inside OU "Shared"; D is in the organization outside it.
func TestCrossAccountMatrix(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	a := creds{key: mgmtKeyID, secret: mgmtSecret}

	// B: standalone.
	bAcct, err := r.app.IAMStore.CreateAccount(ctx, iamstore.AccountSpec{Name: "b"})
	if err != nil {
		t.Fatal(err)
	}
	bRoot := creds{key: bAcct.RootAccessKeyID, secret: bAcct.RootSecretAccessKey}
	bIAM := r.iamAs(bRoot)
	bDev := userIn(t, bIAM, "dev", allowPCA)
	bNone := userIn(t, bIAM, "none", "")
	bDenied := userIn(t, bIAM, "denied", denyIssue)
	bAssumer := userIn(t, bIAM, "assumer", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)
	roleOut := must[*iam.CreateRoleOutput](t)(bIAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("issuer"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` +
			bAcct.AccountID + `:root"},"Action":"sts:AssumeRole"}]}`)}))
	must[*iam.PutRolePolicyOutput](t)(bIAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("issuer"),
		PolicyName: aws.String("pca"), PolicyDocument: aws.String(allowPCA)}))
	bRoleARN := *roleOut.Role.Arn

	// The organization: A manages it; C in OU Shared, D in the root.
	orgs := organizations.NewFromConfig(r.awsConfig(a.key, a.secret, ""))
	org := must[*organizations.CreateOrganizationOutput](t)(orgs.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}))
	orgID := *org.Organization.Id
	rootID := *must[*organizations.ListRootsOutput](t)(orgs.ListRoots(ctx, &organizations.ListRootsInput{})).Roots[0].Id
	ou := must[*organizations.CreateOrganizationalUnitOutput](t)(orgs.CreateOrganizationalUnit(ctx,
		&organizations.CreateOrganizationalUnitInput{ParentId: &rootID, Name: aws.String("Shared")}))
	ouID := *ou.OrganizationalUnit.Id
	cID, dID := createMemberAccount(t, orgs, "c"), createMemberAccount(t, orgs, "d")
	must[*organizations.MoveAccountOutput](t)(orgs.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: &cID,
		SourceParentId: &rootID, DestinationParentId: &ouID}))
	// Users in C and D, created through OrganizationAccountAccessRole.
	aAdmin := userIn(t, r.rootIAM(), "orgadmin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	devIn := func(acct string) creds {
		s := assume(t, r, aAdmin, "arn:aws:iam::"+acct+":role/OrganizationAccountAccessRole")
		return userIn(t, r.iamAs(s), "dev", allowPCA)
	}
	cDev, dDev := devIn(cID), devIn(dID)

	aPCA := r.pca(a)
	ca := activeCA(t, aPCA)
	csr := leafCSR(t)
	bPCA := r.pca(bDev)

	t.Run("row 1: no policy", func(t *testing.T) {
		_, err := issue(bPCA, ca, "", csr)
		wantDenied(t, err, "User: arn:aws:iam::"+bAcct.AccountID+":user/dev is not authorized to perform: acm-pca:IssueCertificate on resource: "+
			ca+" because no resource-based policy allows the acm-pca:IssueCertificate action")
	})
	t.Run("row 7: same account, identity policy only", func(t *testing.T) {
		local := userIn(t, r.rootIAM(), "local", allowPCA)
		if _, err := issue(r.pca(local), ca, "", csr); err != nil {
			t.Fatal(err)
		}
	})

	putPolicy(t, aPCA, ca, accountShareDoc(ca, bAcct.AccountID))
	var bCert string
	t.Run("row 2: account share", func(t *testing.T) {
		var err error
		if bCert, err = issue(bPCA, ca, "", csr); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(bCert, ca+"/certificate/") {
			t.Fatalf("certificate ARN %s is not under the CA", bCert)
		}
		got := must[*acmpca.GetCertificateOutput](t)(bPCA.GetCertificate(ctx, &acmpca.GetCertificateInput{CertificateAuthorityArn: &ca, CertificateArn: &bCert}))
		if !strings.Contains(*got.Certificate, "BEGIN CERTIFICATE") {
			t.Fatalf("certificate %q", *got.Certificate)
		}
		d := must[*acmpca.DescribeCertificateAuthorityOutput](t)(bPCA.DescribeCertificateAuthority(ctx, &acmpca.DescribeCertificateAuthorityInput{CertificateAuthorityArn: &ca}))
		if *d.CertificateAuthority.OwnerAccount != mgmtAccount {
			t.Fatalf("owner %s", *d.CertificateAuthority.OwnerAccount)
		}
		must[*acmpca.GetCertificateAuthorityCertificateOutput](t)(bPCA.GetCertificateAuthorityCertificate(ctx,
			&acmpca.GetCertificateAuthorityCertificateInput{CertificateAuthorityArn: &ca}))
		must[*acmpca.ListTagsOutput](t)(bPCA.ListTags(ctx, &acmpca.ListTagsInput{CertificateAuthorityArn: &ca}))
		// The certificate records its issuer (B's user) though it belongs to A's CA.
		var principal, account string
		serial := bCert[strings.LastIndex(bCert, "/")+1:]
		if err := r.app.DB.QueryRowContext(ctx, `SELECT issuer_principal, issuer_account FROM pca_certificates WHERE serial = $1`, serial).
			Scan(&principal, &account); err != nil {
			t.Fatal(err)
		}
		if account != bAcct.AccountID || principal != "arn:aws:iam::"+bAcct.AccountID+":user/dev" {
			t.Fatalf("recorded issuer %s / %s", principal, account)
		}
	})
	t.Run("row 3: template restriction", func(t *testing.T) {
		_, err := issue(bPCA, ca, "arn:aws:acm-pca:::template/SubordinateCACertificate_PathLen0/V1", csr)
		wantDenied(t, err, "because no resource-based policy allows the acm-pca:IssueCertificate action")
	})
	t.Run("row 4: no identity policy", func(t *testing.T) {
		_, err := issue(r.pca(bNone), ca, "", csr)
		wantDenied(t, err, "because no identity-based policy allows the acm-pca:IssueCertificate action")
	})
	t.Run("row 5: explicit deny in the recipient's identity policy", func(t *testing.T) {
		_, err := issue(r.pca(bDenied), ca, "", csr)
		wantDenied(t, err, "with an explicit deny in an identity-based policy")
	})
	t.Run("row 6: management calls refused", func(t *testing.T) {
		_, err := bPCA.GetPolicy(ctx, &acmpca.GetPolicyInput{ResourceArn: &ca})
		wantDenied(t, err, "acm-pca:GetPolicy on resource: "+ca+" because no resource-based policy allows")
		_, err = bPCA.UpdateCertificateAuthority(ctx, &acmpca.UpdateCertificateAuthorityInput{CertificateAuthorityArn: &ca,
			Status: pcatypes.CertificateAuthorityStatusDisabled})
		wantDenied(t, err, "acm-pca:UpdateCertificateAuthority on resource: "+ca)
		_, err = bPCA.GetCertificateAuthorityCsr(ctx, &acmpca.GetCertificateAuthorityCsrInput{CertificateAuthorityArn: &ca})
		wantDenied(t, err, "acm-pca:GetCertificateAuthorityCsr on resource: "+ca)
		doc := accountShareDoc(ca, bAcct.AccountID)
		_, err = bPCA.PutPolicy(ctx, &acmpca.PutPolicyInput{ResourceArn: &ca, Policy: &doc})
		wantDenied(t, err, "acm-pca:PutPolicy on resource: "+ca)
		// Even B's root.
		_, err = r.pca(bRoot).DeletePolicy(ctx, &acmpca.DeletePolicyInput{ResourceArn: &ca})
		wantDenied(t, err, "User: arn:aws:iam::"+bAcct.AccountID+":root is not authorized to perform: acm-pca:DeletePolicy")
	})
	t.Run("row 8 prelude: C is not named by the account share", func(t *testing.T) {
		_, err := issue(r.pca(cDev), ca, "", csr)
		wantDenied(t, err, "because no resource-based policy allows")
	})
	t.Run("user-ARN share", func(t *testing.T) {
		putPolicy(t, aPCA, ca, accountShareDoc(ca, "arn:aws:iam::"+bAcct.AccountID+":user/dev"))
		if _, err := issue(bPCA, ca, "", csr); err != nil {
			t.Fatal(err)
		}
		session := assume(t, r, bAssumer, bRoleARN)
		_, err := issue(r.pca(session), ca, "", csr)
		wantDenied(t, err, "User: arn:aws:sts::"+bAcct.AccountID+":assumed-role/issuer/s1 is not authorized")
	})
	t.Run("role-ARN share through AssumeRole", func(t *testing.T) {
		putPolicy(t, aPCA, ca, accountShareDoc(ca, bRoleARN))
		session := assume(t, r, bAssumer, bRoleARN)
		if _, err := issue(r.pca(session), ca, "", csr); err != nil {
			t.Fatal(err)
		}
		_, err := issue(bPCA, ca, "", csr)
		wantDenied(t, err, "because no resource-based policy allows")
	})
	t.Run("row 8: organization share", func(t *testing.T) {
		putPolicy(t, aPCA, ca, orgShareDoc(ca, orgID))
		for name, c := range map[string]creds{"C": cDev, "D": dDev} {
			if _, err := issue(r.pca(c), ca, "", csr); err != nil {
				t.Fatalf("%s in the organization: %v", name, err)
			}
		}
		_, err := issue(bPCA, ca, "", csr)
		wantDenied(t, err, "because no resource-based policy allows")
	})
	t.Run("OU share, then MoveAccount out flips the answer", func(t *testing.T) {
		putPolicy(t, aPCA, ca, ouShareDoc(ca, orgID+"/"+rootID+"/"+ouID+"/"))
		if _, err := issue(r.pca(cDev), ca, "", csr); err != nil {
			t.Fatalf("C in the OU: %v", err)
		}
		_, err := issue(r.pca(dDev), ca, "", csr)
		wantDenied(t, err, "because no resource-based policy allows")
		must[*organizations.MoveAccountOutput](t)(orgs.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: &cID,
			SourceParentId: &ouID, DestinationParentId: &rootID}))
		_, err = issue(r.pca(cDev), ca, "", csr)
		wantDenied(t, err, "because no resource-based policy allows")
	})
	t.Run("who-can follows the policy and the tree", func(t *testing.T) {
		r.app.PCA.SetDirectory(r.app.IAMStore)
		putPolicy(t, aPCA, ca, orgShareDoc(ca, orgID))
		rootA := "arn:aws:iam::" + mgmtAccount + ":root"
		owner := &authz.Caller{Principal: authz.Principal{Type: authz.TypeAccount, AccountID: mgmtAccount, ARN: rootA, PrincipalARN: rootA, UserID: mgmtAccount}}
		ps, err := r.app.PCA.WhoCan(ctx, owner, ca, "")
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, p := range ps {
			got[p.PrincipalArn] = p.Reason
		}
		for arn, reason := range map[string]string{
			rootA:                                         "AllowedAsRoot",
			"arn:aws:iam::" + cID + ":user/dev":           "AllowedByBoth",
			"arn:aws:iam::" + dID + ":user/dev":           "AllowedByBoth",
			"arn:aws:iam::" + mgmtAccount + ":user/local": "AllowedByBoth",
		} {
			if got[arn] != reason {
				t.Errorf("%s: %q, want %q (all: %v)", arn, got[arn], reason, got)
			}
		}
		if _, ok := got["arn:aws:iam::"+bAcct.AccountID+":user/dev"]; ok {
			t.Errorf("B (outside the organization) listed: %v", got)
		}
	})
	t.Run("after DeletePolicy B is denied again", func(t *testing.T) {
		putPolicy(t, aPCA, ca, accountShareDoc(ca, bAcct.AccountID))
		must[*acmpca.DeletePolicyOutput](t)(aPCA.DeletePolicy(ctx, &acmpca.DeletePolicyInput{ResourceArn: &ca}))
		_, err := bPCA.GetCertificate(ctx, &acmpca.GetCertificateInput{CertificateAuthorityArn: &ca, CertificateArn: &bCert})
		wantDenied(t, err, "because no resource-based policy allows the acm-pca:GetCertificate action")
	})
	t.Run("row 22: 16 minutes of skew", func(t *testing.T) {
		putPolicy(t, aPCA, ca, accountShareDoc(ca, bAcct.AccountID))
		r.clock.Advance(16 * time.Minute)
		defer r.clock.Advance(-16 * time.Minute)
		_, err := issue(bPCA, ca, "", csr)
		msg := apiError(t, err, "InvalidSignatureException")
		if !strings.Contains(msg, "Signature expired") {
			t.Fatalf("message %q", msg)
		}
	})
}
