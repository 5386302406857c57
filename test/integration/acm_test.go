package integration

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acm"
	acmtypes "github.com/aws/aws-sdk-go-v2/service/acm/types"
	"github.com/aws/aws-sdk-go-v2/service/acmpca"
	pcatypes "github.com/aws/aws-sdk-go-v2/service/acmpca/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/youmark/pkcs8"

	iamstore "github.com/openpca/openpca/internal/iam"
)

func (r *rig) acm(c creds) *acm.Client {
	return acm.NewFromConfig(r.awsConfig(c.key, c.secret, c.token))
}

const (
	acmUserPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["acm:*","acm-pca:IssueCertificate","acm-pca:GetCertificate","acm-pca:RevokeCertificate"],"Resource":"*"},` +
		`{"Effect":"Allow","Action":["iam:CreateServiceLinkedRole","iam:GetRole"],"Resource":"*"}]}`
	acmNoSLRPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["acm:*","acm-pca:IssueCertificate","acm-pca:GetCertificate"],"Resource":"*"}]}`
)

// acmRig is a server whose ACM worker runs only when the test says so,
// at the instant the test chooses.
type acmRig struct {
	*rig
	t *testing.T
}

func newACMRig(t *testing.T) *acmRig {
	// The worker runs only under App.Serve; the test drives it with work().
	return &acmRig{rig: newRig(t, ""), t: t}
}

// work runs the ACM worker at now+d (the fake clock moves there and back:
// requests stay signed with the wall clock).
func (r *acmRig) work(d time.Duration) {
	r.t.Helper()
	r.clock.Advance(d)
	defer r.clock.Advance(-d)
	if _, err := r.app.ACM.RunDue(context.Background()); err != nil {
		r.t.Fatal(err)
	}
}

func (r *acmRig) describe(c *acm.Client, arn string) *acmtypes.CertificateDetail {
	r.t.Helper()
	return must[*acm.DescribeCertificateOutput](r.t)(c.DescribeCertificate(context.Background(),
		&acm.DescribeCertificateInput{CertificateArn: &arn})).Certificate
}

func request(t *testing.T, c *acm.Client, ca string) string {
	t.Helper()
	out := must[*acm.RequestCertificateOutput](t)(c.RequestCertificate(context.Background(), &acm.RequestCertificateInput{
		DomainName: aws.String("app.example.com"), SubjectAlternativeNames: []string{"www.example.com"},
		CertificateAuthorityArn: &ca, KeyAlgorithm: acmtypes.KeyAlgorithmEcPrime256v1,
	}))
	return *out.CertificateArn
}

func export(t *testing.T, c *acm.Client, arn string) *acm.ExportCertificateOutput {
	t.Helper()
	return must[*acm.ExportCertificateOutput](t)(c.ExportCertificate(context.Background(),
		&acm.ExportCertificateInput{CertificateArn: &arn, Passphrase: []byte("correct horse")}))
}

// predicted asks, over the wire as c, what renewal of cert from ca is
// predicted to do now (OpenPCAGetRenewalHealth): "SUCCESS" or the reason.
func (r *acmRig) predicted(c creds, ca, cert string) string {
	r.t.Helper()
	status, _, body := r.send(r.t, rawReq{service: "acm", keyID: c.key, secret: c.secret,
		contentType: "application/x-amz-json-1.1", target: "CertificateManager.OpenPCAGetRenewalHealth",
		body: []byte(`{"CertificateAuthorityArn":"` + ca + `"}`)})
	if status != 200 {
		return "HTTP " + strconv.Itoa(status) + ": " + body
	}
	var out struct {
		Certificates []struct{ CertificateArn, PredictedOutcome, PredictedReason, FixedBy string }
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		r.t.Fatal(err)
	}
	for _, h := range out.Certificates {
		if h.CertificateArn == cert {
			if h.PredictedOutcome == "SUCCESS" {
				return "SUCCESS"
			}
			return h.PredictedReason + " by " + h.FixedBy
		}
	}
	return "not listed"
}

// renewAt is when managed renewal of a certificate issued now starts.
const renewAt = (395 - 60) * 24 * time.Hour

// outsideAccount makes a standalone account with one ACM user.
func outsideAccount(t *testing.T, r *rig, policy string) (acct string, root, user creds) {
	t.Helper()
	a, err := r.app.IAMStore.CreateAccount(context.Background(), iamstore.AccountSpec{Name: "recipient"})
	if err != nil {
		t.Fatal(err)
	}
	root = creds{key: a.RootAccessKeyID, secret: a.RootSecretAccessKey}
	return a.AccountID, root, userIn(t, r.iamAs(root), "dev", policy)
}

func TestACMCrossAccountManagedRenewal(t *testing.T) {
	r := newACMRig(t)
	ctx := context.Background()
	a := creds{key: mgmtKeyID, secret: mgmtSecret}
	ca := activeCA(t, r.pca(a))
	bID, bRoot, bDev := outsideAccount(t, r.rig, acmUserPolicy)
	putPolicy(t, r.pca(a), ca, accountShareDoc(ca, bID))
	bACM := r.acm(bDev)

	arn := request(t, bACM, ca)
	if !strings.HasPrefix(arn, "arn:aws:acm:us-east-1:"+bID+":certificate/") {
		t.Fatalf("ARN %s", arn)
	}
	_, err := bACM.GetCertificate(ctx, &acm.GetCertificateInput{CertificateArn: &arn})
	apiError(t, err, "RequestInProgressException")
	if d := r.describe(bACM, arn); d.Status != acmtypes.CertificateStatusPendingValidation {
		t.Fatalf("status %s before the worker ran", d.Status)
	}
	// The service-linked role was created with the requester's permissions.
	must[*iam.GetRoleOutput](t)(r.iamAs(bRoot).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("AWSServiceRoleForCertificateManager")}))

	r.work(0)
	w := acm.NewCertificateValidatedWaiter(bACM)
	if err := w.Wait(ctx, &acm.DescribeCertificateInput{CertificateArn: &arn}, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	d := r.describe(bACM, arn)
	if d.Status != acmtypes.CertificateStatusIssued || d.Type != acmtypes.CertificateTypePrivate || *d.CertificateAuthorityArn != ca ||
		d.KeyAlgorithm != "EC-prime256v1" || d.RenewalEligibility != acmtypes.RenewalEligibilityIneligible || d.RenewalSummary != nil {
		t.Fatalf("after issuance: %+v", d)
	}
	if got := d.NotAfter.Sub(*d.NotBefore); got < 394*24*time.Hour || got > 396*24*time.Hour {
		t.Fatalf("validity %v, want 395 days", got)
	}
	if !strings.Contains(*d.Serial, ":") || len(d.ExtendedKeyUsages) != 2 || *d.ExtendedKeyUsages[0].OID != "1.3.6.1.5.5.7.3.1" {
		t.Fatalf("serial %s, EKUs %+v", *d.Serial, d.ExtendedKeyUsages)
	}
	firstSerial := *d.Serial

	_, err = bACM.RenewCertificate(ctx, &acm.RenewCertificateInput{CertificateArn: &arn})
	if msg := apiError(t, err, "ValidationException"); !strings.Contains(msg, "has not been exported") {
		t.Fatal(msg)
	}
	ex := export(t, bACM, arn)
	checkExport(t, ex)
	if d := r.describe(bACM, arn); d.RenewalEligibility != acmtypes.RenewalEligibilityEligible {
		t.Fatalf("eligibility after export %s", d.RenewalEligibility)
	}

	if got := r.predicted(a, ca, arn); got != "SUCCESS" {
		t.Fatalf("prediction %s", got)
	}
	if got := r.predicted(bDev, ca, arn); !strings.Contains(got, "HTTP 400") || !strings.Contains(got, "AccessDenied") {
		t.Fatalf("the recipient asked the CA's renewal health: %s", got)
	}
	r.work(renewAt - time.Hour) // not yet due
	if d := r.describe(bACM, arn); d.RenewalSummary != nil {
		t.Fatalf("renewed early: %+v", d.RenewalSummary)
	}
	r.work(renewAt)
	d = r.describe(bACM, arn)
	if d.RenewalSummary == nil || d.RenewalSummary.RenewalStatus != acmtypes.RenewalStatusSuccess || *d.Serial == firstSerial ||
		d.RenewalEligibility != acmtypes.RenewalEligibilityIneligible || *d.CertificateArn != arn {
		t.Fatalf("after renewal: %+v %+v", d, d.RenewalSummary)
	}
	if ex2 := export(t, bACM, arn); ex2.PrivateKey == ex.PrivateKey || *ex2.Certificate == *ex.Certificate {
		t.Fatal("renewal kept the old key or certificate")
	}

	// Listing: EC certificates appear only when asked for.
	l := must[*acm.ListCertificatesOutput](t)(bACM.ListCertificates(ctx, &acm.ListCertificatesInput{}))
	if len(l.CertificateSummaryList) != 0 {
		t.Fatalf("default list shows EC certificates: %+v", l.CertificateSummaryList)
	}
	l = must[*acm.ListCertificatesOutput](t)(bACM.ListCertificates(ctx, &acm.ListCertificatesInput{
		Includes: &acmtypes.Filters{KeyTypes: []acmtypes.KeyAlgorithm{acmtypes.KeyAlgorithmEcPrime256v1}}}))
	if len(l.CertificateSummaryList) != 1 || *l.CertificateSummaryList[0].CertificateArn != arn ||
		l.CertificateSummaryList[0].KeyAlgorithm != "EC-prime256v1" {
		t.Fatalf("list: %+v", l.CertificateSummaryList)
	}
	// The CA's owner cannot see B's certificate.
	_, err = r.acm(a).DescribeCertificate(ctx, &acm.DescribeCertificateInput{CertificateArn: &arn})
	apiError(t, err, "ResourceNotFoundException")
}

// checkExport decrypts the exported key and checks it matches the certificate.
func checkExport(t *testing.T, ex *acm.ExportCertificateOutput) {
	t.Helper()
	blk, _ := pem.Decode([]byte(*ex.PrivateKey))
	if blk == nil || blk.Type != "ENCRYPTED PRIVATE KEY" || strings.HasSuffix(*ex.PrivateKey, "\n") {
		t.Fatalf("private key PEM: %q", *ex.PrivateKey)
	}
	key, err := pkcs8.ParsePKCS8PrivateKey(blk.Bytes, []byte("correct horse"))
	if err != nil {
		t.Fatal(err)
	}
	cblk, _ := pem.Decode([]byte(*ex.Certificate))
	cert, err := x509.ParseCertificate(cblk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		t.Fatalf("key %T", key)
	}
	if eq, ok := signer.Public().(interface{ Equal(crypto.PublicKey) bool }); !ok || !eq.Equal(cert.PublicKey) {
		t.Fatal("exported key does not match the certificate")
	}
	if _, err := x509.ParseCertificate(cblk.Bytes); err != nil || *ex.CertificateChain == "" {
		t.Fatal("no chain")
	}
}

// managedCase is one managed certificate, issued and exported: A owns the
// CA, the certificate belongs to the account of acm (B, or A itself).
type managedCase struct {
	r       *acmRig
	a       creds
	ca, arn string
	bID     string
	bRoot   creds
	acm     *acm.Client
}

// crossAccountCase shares a CA of A (valid caDays) with principal(B's
// account ID) by put-policy; B's user, allowed userPolicy, requests a
// managed certificate, which is issued and exported.
func crossAccountCase(t *testing.T, caDays int64, userPolicy string, principal func(bID string) string) *managedCase {
	t.Helper()
	r := newACMRig(t)
	c := &managedCase{r: r, a: creds{key: mgmtKeyID, secret: mgmtSecret}}
	c.ca = activeCAFor(t, r.pca(c.a), caDays)
	var bDev creds
	c.bID, c.bRoot, bDev = outsideAccount(t, r.rig, userPolicy)
	putPolicy(t, r.pca(c.a), c.ca, accountShareDoc(c.ca, principal(c.bID)))
	c.acm = r.acm(bDev)
	c.issueAndExport(t)
	return c
}

func (c *managedCase) issueAndExport(t *testing.T) {
	t.Helper()
	c.arn = request(t, c.acm, c.ca)
	c.r.work(0)
	if d := c.r.describe(c.acm, c.arn); d.Status != acmtypes.CertificateStatusIssued {
		t.Fatalf("status %s (%s)", d.Status, d.FailureReason)
	}
	export(t, c.acm, c.arn)
}

// predict checks the owner's prediction for the certificate.
func (c *managedCase) predict(t *testing.T, want string) {
	t.Helper()
	if got := c.r.predicted(c.a, c.ca, c.arn); got != want {
		t.Fatalf("prediction %q, want %q", got, want)
	}
}

// renewAt runs the worker at d from now and checks the renewal summary the
// certificate's account sees.
func (c *managedCase) renewAt(t *testing.T, d time.Duration, status acmtypes.RenewalStatus, reason acmtypes.FailureReason) {
	t.Helper()
	c.r.work(d)
	got := c.r.describe(c.acm, c.arn).RenewalSummary
	if got == nil || got.RenewalStatus != status || got.RenewalStatusReason != reason {
		t.Fatalf("renewal %+v, want %s %s", got, status, reason)
	}
}

const fiveYears = 5 * 365

// account names the whole account (its 12-digit ID) as the policy principal.
func account(id string) string { return id }

func TestACMRenewalFailuresAreVisibleToTheRecipient(t *testing.T) {
	ctx := context.Background()
	pending := acmtypes.RenewalStatusPendingAutoRenewal
	t.Run("no iam:CreateServiceLinkedRole: SLR_NOT_FOUND until the recipient creates the role", func(t *testing.T) {
		c := crossAccountCase(t, fiveYears, acmNoSLRPolicy, account)
		c.predict(t, "SLR_NOT_FOUND by RECIPIENT")
		c.renewAt(t, renewAt, pending, acmtypes.FailureReasonSlrNotFound)
		// The CA's owner cannot fix it: a broader policy changes nothing.
		putPolicy(t, c.r.pca(c.a), c.ca, orgShareDoc(c.ca, "o-abcdefghij"))
		c.renewAt(t, renewAt+time.Hour, pending, acmtypes.FailureReasonSlrNotFound)
		putPolicy(t, c.r.pca(c.a), c.ca, accountShareDoc(c.ca, c.bID))
		must[*iam.CreateServiceLinkedRoleOutput](t)(c.r.iamAs(c.bRoot).CreateServiceLinkedRole(ctx,
			&iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("acm.amazonaws.com")}))
		c.renewAt(t, renewAt+2*time.Hour, acmtypes.RenewalStatusSuccess, "")
	})
	t.Run("user-only principal: PCA_ACCESS_DENIED", func(t *testing.T) {
		c := crossAccountCase(t, fiveYears, acmUserPolicy, func(bID string) string { return "arn:aws:iam::" + bID + ":user/dev" })
		c.predict(t, "PCA_ACCESS_DENIED by CA_OWNER")
		c.renewAt(t, renewAt, pending, acmtypes.FailureReasonPcaAccessDenied)
	})
	t.Run("CA disabled: PCA_INVALID_STATE, FAILED once expired", func(t *testing.T) {
		c := crossAccountCase(t, fiveYears, acmUserPolicy, account)
		must[*acmpca.UpdateCertificateAuthorityOutput](t)(c.r.pca(c.a).UpdateCertificateAuthority(ctx, &acmpca.UpdateCertificateAuthorityInput{
			CertificateAuthorityArn: &c.ca, Status: pcatypes.CertificateAuthorityStatusDisabled}))
		c.predict(t, "PCA_INVALID_STATE by CA_OWNER")
		c.renewAt(t, renewAt, pending, acmtypes.FailureReasonPcaInvalidState)
		// Retried hourly; after expiry the renewal has FAILED.
		c.renewAt(t, 396*24*time.Hour, acmtypes.RenewalStatusFailed, acmtypes.FailureReasonPcaInvalidState)
	})
	t.Run("CA expiring before the renewed certificate: PCA_INVALID_DURATION", func(t *testing.T) {
		c := crossAccountCase(t, 425, acmUserPolicy, account)
		c.predict(t, "PCA_INVALID_DURATION by CA_OWNER")
		c.renewAt(t, renewAt, pending, acmtypes.FailureReasonPcaInvalidDuration)
	})
	t.Run("same account: PCA_ACCESS_DENIED until CreatePermission", func(t *testing.T) {
		r := newACMRig(t)
		c := &managedCase{r: r, a: creds{key: mgmtKeyID, secret: mgmtSecret}}
		c.ca, c.acm = activeCA(t, r.pca(c.a)), r.acm(c.a)
		c.issueAndExport(t)
		c.predict(t, "PCA_ACCESS_DENIED by CA_OWNER")
		c.renewAt(t, renewAt, pending, acmtypes.FailureReasonPcaAccessDenied)
		must[*acmpca.CreatePermissionOutput](t)(r.pca(c.a).CreatePermission(ctx, &acmpca.CreatePermissionInput{
			CertificateAuthorityArn: &c.ca, Principal: aws.String("acm.amazonaws.com"),
			Actions: []pcatypes.ActionType{pcatypes.ActionTypeIssueCertificate, pcatypes.ActionTypeGetCertificate, pcatypes.ActionTypeListPermissions}}))
		c.predict(t, "SUCCESS")
		c.renewAt(t, renewAt+time.Hour, acmtypes.RenewalStatusSuccess, "")
	})
}

func TestACMRequestFailuresAndBadInput(t *testing.T) {
	r := newACMRig(t)
	ctx := context.Background()
	a := creds{key: mgmtKeyID, secret: mgmtSecret}
	aACM := r.acm(a)
	pending := must[*acmpca.CreateCertificateAuthorityOutput](t)(r.pca(a).CreateCertificateAuthority(ctx, &acmpca.CreateCertificateAuthorityInput{
		CertificateAuthorityType: pcatypes.CertificateAuthorityTypeRoot,
		CertificateAuthorityConfiguration: &pcatypes.CertificateAuthorityConfiguration{KeyAlgorithm: pcatypes.KeyAlgorithmEcPrime256v1,
			SigningAlgorithm: pcatypes.SigningAlgorithmSha256withecdsa, Subject: &pcatypes.ASN1Subject{CommonName: aws.String("Pending")}},
	}))
	waitCSR(t, r.pca(a), *pending.CertificateAuthorityArn) // the CA is now PENDING_CERTIFICATE
	arn := request(t, aACM, *pending.CertificateAuthorityArn)
	r.work(0)
	if d := r.describe(aACM, arn); d.Status != acmtypes.CertificateStatusFailed || d.FailureReason != acmtypes.FailureReasonPcaInvalidState {
		t.Fatalf("pending CA: %s %s", d.Status, d.FailureReason)
	}
	w := acm.NewCertificateValidatedWaiter(aACM)
	if err := w.Wait(ctx, &acm.DescribeCertificateInput{CertificateArn: &arn}, 2*time.Second); err == nil {
		t.Fatal("waiter succeeded on a FAILED certificate")
	}

	ca := activeCA(t, r.pca(a))
	// An RSA key from an EC CA: the families differ.
	out := must[*acm.RequestCertificateOutput](t)(aACM.RequestCertificate(ctx, &acm.RequestCertificateInput{
		DomainName: aws.String("rsa.example.com"), CertificateAuthorityArn: &ca}))
	r.work(0)
	if d := r.describe(aACM, *out.CertificateArn); d.FailureReason != acmtypes.FailureReasonPcaInvalidArgs {
		t.Fatalf("key family mismatch: %s %s", d.Status, d.FailureReason)
	}

	bad := []struct {
		name string
		in   acm.RequestCertificateInput
		code string
	}{
		{"RSA_3072", acm.RequestCertificateInput{DomainName: aws.String("a.example.com"), CertificateAuthorityArn: &ca, KeyAlgorithm: acmtypes.KeyAlgorithmRsa3072}, "ValidationException"},
		{"bad domain", acm.RequestCertificateInput{DomainName: aws.String("-bad-.example..com"), CertificateAuthorityArn: &ca}, "InvalidParameterException"},
		{"bad CA ARN", acm.RequestCertificateInput{DomainName: aws.String("a.example.com"), CertificateAuthorityArn: aws.String("arn:aws:acm-pca:us-east-1:111122223333:nope/x")}, "InvalidArnException"},
		{"aws: tag", acm.RequestCertificateInput{DomainName: aws.String("a.example.com"), CertificateAuthorityArn: &ca,
			Tags: []acmtypes.Tag{{Key: aws.String("aws:x"), Value: aws.String("y")}}}, "InvalidTagException"},
		{"too many names", acm.RequestCertificateInput{DomainName: aws.String("a.example.com"), CertificateAuthorityArn: &ca,
			SubjectAlternativeNames: []string{"b.example.com", "c.example.com", "d.example.com", "e.example.com", "f.example.com",
				"g.example.com", "h.example.com", "i.example.com", "j.example.com", "k.example.com"}}, "LimitExceededException"},
	}
	before := must[*acm.ListCertificatesOutput](t)(aACM.ListCertificates(ctx, &acm.ListCertificatesInput{
		Includes: &acmtypes.Filters{KeyTypes: []acmtypes.KeyAlgorithm{acmtypes.KeyAlgorithmRsa2048, acmtypes.KeyAlgorithmEcPrime256v1}}}))
	for _, c := range bad {
		_, err := aACM.RequestCertificate(ctx, &c.in)
		var ae interface{ ErrorCode() string }
		if !errors.As(err, &ae) || ae.ErrorCode() != c.code {
			t.Errorf("%s: want %s, got %v", c.name, c.code, err)
		}
	}
	after := must[*acm.ListCertificatesOutput](t)(aACM.ListCertificates(ctx, &acm.ListCertificatesInput{
		Includes: &acmtypes.Filters{KeyTypes: []acmtypes.KeyAlgorithm{acmtypes.KeyAlgorithmRsa2048, acmtypes.KeyAlgorithmEcPrime256v1}}}))
	if len(after.CertificateSummaryList) != len(before.CertificateSummaryList) {
		t.Fatal("a refused request stored a certificate")
	}
	_, err := aACM.ExportCertificate(ctx, &acm.ExportCertificateInput{CertificateArn: out.CertificateArn, Passphrase: []byte("has$dollar")})
	apiError(t, err, "ValidationException")
	_, err = aACM.DescribeCertificate(ctx, &acm.DescribeCertificateInput{CertificateArn: aws.String("arn:aws:acm:us-east-1:111122223333:certificate/not-a-uuid")})
	apiError(t, err, "InvalidArnException")

	// Idempotency: the same token within the hour returns the same ARN.
	tok := func() string {
		return *must[*acm.RequestCertificateOutput](t)(aACM.RequestCertificate(ctx, &acm.RequestCertificateInput{
			DomainName: aws.String("idem.example.com"), CertificateAuthorityArn: &ca, KeyAlgorithm: acmtypes.KeyAlgorithmEcPrime256v1,
			IdempotencyToken: aws.String("tok1")})).CertificateArn
	}
	if x, y := tok(), tok(); x != y {
		t.Fatalf("idempotency: %s != %s", x, y)
	}

	// Tags, options and account configuration round-trip.
	must[*acm.AddTagsToCertificateOutput](t)(aACM.AddTagsToCertificate(ctx, &acm.AddTagsToCertificateInput{CertificateArn: &arn,
		Tags: []acmtypes.Tag{{Key: aws.String("team"), Value: aws.String("b")}}}))
	tags := must[*acm.ListTagsForCertificateOutput](t)(aACM.ListTagsForCertificate(ctx, &acm.ListTagsForCertificateInput{CertificateArn: &arn}))
	if len(tags.Tags) != 1 || *tags.Tags[0].Value != "b" {
		t.Fatalf("tags %+v", tags.Tags)
	}
	must[*acm.PutAccountConfigurationOutput](t)(aACM.PutAccountConfiguration(ctx, &acm.PutAccountConfigurationInput{
		IdempotencyToken: aws.String("x"), ExpiryEvents: &acmtypes.ExpiryEventsConfiguration{DaysBeforeExpiry: aws.Int32(30)}}))
	cfg := must[*acm.GetAccountConfigurationOutput](t)(aACM.GetAccountConfiguration(ctx, &acm.GetAccountConfigurationInput{}))
	if *cfg.ExpiryEvents.DaysBeforeExpiry != 30 {
		t.Fatalf("days %d", *cfg.ExpiryEvents.DaysBeforeExpiry)
	}
	must[*acm.DeleteCertificateOutput](t)(aACM.DeleteCertificate(ctx, &acm.DeleteCertificateInput{CertificateArn: &arn}))
	_, err = aACM.DescribeCertificate(ctx, &acm.DescribeCertificateInput{CertificateArn: &arn})
	apiError(t, err, "ResourceNotFoundException")
}
