package integration

import (
	"context"
	"crypto/x509"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acm"
	"github.com/aws/aws-sdk-go-v2/service/acmpca"
	pcatypes "github.com/aws/aws-sdk-go-v2/service/acmpca/types"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/ram"
	ramtypes "github.com/aws/aws-sdk-go-v2/service/ram/types"

	"github.com/openpca/openpca/internal/clock"
	"github.com/openpca/openpca/internal/server"
	"github.com/openpca/openpca/internal/store/storetest"
)

// startOn starts a server on dataDir with the given database ("" is the
// embedded SQLite store, whatever OPENPCA_TEST_DATABASE says) and master key.
func startOn(t *testing.T, dataDir, database, key string) *rig {
	t.Helper()
	clk := clock.NewFake(time.Now().UTC().Truncate(time.Second))
	app, err := server.Open(context.Background(), server.Config{DataDir: dataDir, Database: database, MasterKey: key,
		Region: "us-east-1", Clock: clk, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler)
	return startRig(t, dataDir, app, srv, clk)
}

// migrateStoreCLI runs the built `openpca admin migrate-store`.
func migrateStoreCLI(t *testing.T, bin, from, to string) (string, error) {
	t.Helper()
	out, err := exec.Command(bin, "admin", "migrate-store", "--from", from, "--to", to).CombinedOutput()
	return string(out), err
}

func pemCert(t *testing.T, s string) *x509.Certificate {
	t.Helper()
	b, _ := pem.Decode([]byte(s))
	if b == nil {
		t.Fatalf("not PEM: %q", s)
	}
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// rowCounts counts the rows of every table of a PostgreSQL database.
func rowCounts(t *testing.T, url string) map[string]int64 {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := map[string]int64{}
	for _, n := range storetest.Strings(t, db, `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`) {
		var c int64
		if err := db.QueryRow(`SELECT COUNT(*) FROM ` + n).Scan(&c); err != nil {
			t.Fatal(err)
		}
		out[n] = c
	}
	return out
}

// subordinateCA creates a subordinate CA signed by root and installs it.
func subordinateCA(t *testing.T, c *acmpca.Client, root string) (ca, certARN string) {
	t.Helper()
	ctx := context.Background()
	out := must[*acmpca.CreateCertificateAuthorityOutput](t)(c.CreateCertificateAuthority(ctx, &acmpca.CreateCertificateAuthorityInput{
		CertificateAuthorityType: pcatypes.CertificateAuthorityTypeSubordinate,
		CertificateAuthorityConfiguration: &pcatypes.CertificateAuthorityConfiguration{KeyAlgorithm: pcatypes.KeyAlgorithmEcPrime256v1,
			SigningAlgorithm: pcatypes.SigningAlgorithmSha256withecdsa, Subject: &pcatypes.ASN1Subject{CommonName: aws.String("Team Sub")}},
	}))
	ca = *out.CertificateAuthorityArn
	csr := waitCSR(t, c, ca)
	issued := must[*acmpca.IssueCertificateOutput](t)(c.IssueCertificate(ctx, &acmpca.IssueCertificateInput{CertificateAuthorityArn: &root,
		Csr: []byte(*csr.Csr), SigningAlgorithm: pcatypes.SigningAlgorithmSha256withecdsa,
		TemplateArn: aws.String("arn:aws:acm-pca:::template/SubordinateCACertificate_PathLen0/V1"),
		Validity:    &pcatypes.Validity{Type: pcatypes.ValidityPeriodTypeDays, Value: aws.Int64(365)}}))
	got := must[*acmpca.GetCertificateOutput](t)(c.GetCertificate(ctx, &acmpca.GetCertificateInput{CertificateAuthorityArn: &root, CertificateArn: issued.CertificateArn}))
	chain := must[*acmpca.GetCertificateAuthorityCertificateOutput](t)(c.GetCertificateAuthorityCertificate(ctx,
		&acmpca.GetCertificateAuthorityCertificateInput{CertificateAuthorityArn: &root}))
	must[*acmpca.ImportCertificateAuthorityCertificateOutput](t)(c.ImportCertificateAuthorityCertificate(ctx,
		&acmpca.ImportCertificateAuthorityCertificateInput{CertificateAuthorityArn: &ca, Certificate: []byte(*got.Certificate),
			CertificateChain: []byte(*chain.Certificate)}))
	return ca, *issued.CertificateArn
}

// crlSerials fetches a CA's CRL from the server and returns its serials,
// after checking its signature against the CA certificate.
func crlSerials(t testing.TB, base, ca string, caCert *x509.Certificate) []*big.Int {
	t.Helper()
	resp, err := http.Get(base + "/crl/" + ca[strings.LastIndex(ca, "/")+1:] + ".crl")
	if err != nil {
		t.Fatal(err)
	}
	der, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	crl, err := x509.ParseRevocationList(der)
	if err != nil {
		t.Fatalf("CRL (%s): %v", resp.Status, err)
	}
	if err := crl.CheckSignatureFrom(caCert); err != nil {
		t.Fatalf("CRL signature: %v", err)
	}
	var out []*big.Int
	for _, e := range crl.RevokedCertificateEntries {
		out = append(out, e.SerialNumber)
	}
	return out
}

// TestMigrateStoreToPostgres (issue #13 item 6): a store built on SQLite
// through the SDK, moved with `openpca admin migrate-store`, answers the
// same from PostgreSQL with the same master key: CAs, certificates byte
// for byte, policies, shares for both accounts, managed certificates
// (their keys unsealed), the CRL, the trail, old access keys and page
// tokens; the migrated CA keys sign new certificates. The command refuses
// while a server holds the source and refuses a target that is not empty,
// leaving it unchanged.
func TestMigrateStoreToPostgres(t *testing.T) {
	url := storetest.PostgresURL(t) // skipped without PostgreSQL
	bin := filepath.Join(t.TempDir(), "openpca")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/openpca").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ctx := context.Background()
	key := base64.StdEncoding.EncodeToString([]byte("migrate-store-test-key-32-bytes!"))
	dir := t.TempDir()
	a := startOn(t, dir, "", key)
	if a.app.DB.Engine() != "sqlite" {
		t.Fatalf("source engine %s", a.app.DB.Engine())
	}
	root := creds{key: mgmtKeyID, secret: mgmtSecret}
	rootIAM := a.rootIAM()
	alice := userIn(t, rootIAM, "alice", allowPCA)
	userIn(t, rootIAM, "bob", "")

	orgs := organizations.NewFromConfig(a.awsConfig(root.key, root.secret, ""))
	must[*organizations.CreateOrganizationOutput](t)(orgs.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}))
	rootID := *must[*organizations.ListRootsOutput](t)(orgs.ListRoots(ctx, &organizations.ListRootsInput{})).Roots[0].Id
	ou := *must[*organizations.CreateOrganizationalUnitOutput](t)(orgs.CreateOrganizationalUnit(ctx,
		&organizations.CreateOrganizationalUnitInput{ParentId: &rootID, Name: aws.String("Team")})).OrganizationalUnit.Id
	st := must[*organizations.CreateAccountOutput](t)(orgs.CreateAccount(ctx, &organizations.CreateAccountInput{
		AccountName: aws.String("member"), Email: aws.String("member@example.com")}))
	memberID := *st.CreateAccountStatus.AccountId
	must[*organizations.MoveAccountOutput](t)(orgs.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: &memberID,
		SourceParentId: &rootID, DestinationParentId: &ou}))

	// A root CA publishing CRLs, a subordinate, leaves of both, one revoked.
	pcaA := a.pca(root)
	out := must[*acmpca.CreateCertificateAuthorityOutput](t)(pcaA.CreateCertificateAuthority(ctx, &acmpca.CreateCertificateAuthorityInput{
		CertificateAuthorityType: pcatypes.CertificateAuthorityTypeRoot,
		CertificateAuthorityConfiguration: &pcatypes.CertificateAuthorityConfiguration{KeyAlgorithm: pcatypes.KeyAlgorithmEcPrime256v1,
			SigningAlgorithm: pcatypes.SigningAlgorithmSha256withecdsa, Subject: &pcatypes.ASN1Subject{CommonName: aws.String("Team Root")}},
		RevocationConfiguration: &pcatypes.RevocationConfiguration{
			CrlConfiguration: &pcatypes.CrlConfiguration{Enabled: aws.Bool(true), ExpirationInDays: aws.Int32(7)}},
	}))
	rootCA := *out.CertificateAuthorityArn
	csr := waitCSR(t, pcaA, rootCA)
	self := must[*acmpca.IssueCertificateOutput](t)(pcaA.IssueCertificate(ctx, &acmpca.IssueCertificateInput{CertificateAuthorityArn: &rootCA,
		Csr: []byte(*csr.Csr), SigningAlgorithm: pcatypes.SigningAlgorithmSha256withecdsa,
		TemplateArn: aws.String("arn:aws:acm-pca:::template/RootCACertificate/V1"),
		Validity:    &pcatypes.Validity{Type: pcatypes.ValidityPeriodTypeDays, Value: aws.Int64(3650)}}))
	rootPEM := must[*acmpca.GetCertificateOutput](t)(pcaA.GetCertificate(ctx, &acmpca.GetCertificateInput{CertificateAuthorityArn: &rootCA, CertificateArn: self.CertificateArn}))
	must[*acmpca.ImportCertificateAuthorityCertificateOutput](t)(pcaA.ImportCertificateAuthorityCertificate(ctx,
		&acmpca.ImportCertificateAuthorityCertificateInput{CertificateAuthorityArn: &rootCA, Certificate: []byte(*rootPEM.Certificate)}))
	rootCert := pemCert(t, *rootPEM.Certificate)
	subCA, subCertARN := subordinateCA(t, pcaA, rootCA)
	type issued struct{ ca, arn string }
	certs := []issued{{rootCA, *self.CertificateArn}, {rootCA, subCertARN}}
	for _, ca := range []string{rootCA, rootCA, subCA} {
		arn, err := issue(a.pca(alice), ca, "", leafCSR(t))
		if err != nil {
			t.Fatal(err)
		}
		certs = append(certs, issued{ca, arn})
	}
	revoked := pemCert(t, *must[*acmpca.GetCertificateOutput](t)(pcaA.GetCertificate(ctx,
		&acmpca.GetCertificateInput{CertificateAuthorityArn: &rootCA, CertificateArn: &certs[2].arn})).Certificate)
	must[*acmpca.RevokeCertificateOutput](t)(pcaA.RevokeCertificate(ctx, &acmpca.RevokeCertificateInput{CertificateAuthorityArn: &rootCA,
		CertificateSerial: aws.String(revoked.SerialNumber.Text(16)), RevocationReason: pcatypes.RevocationReasonKeyCompromise}))

	// A CA policy on the subordinate, a RAM share of the root accepted by
	// a standalone account, an ACM certificate issued and exported once.
	eID, eRoot, eDev := standalone(t, a, "e")
	putPolicy(t, pcaA, subCA, accountShareDoc(subCA, eID))
	share := *must[*ram.CreateResourceShareOutput](t)(a.ram(root).CreateResourceShare(ctx, &ram.CreateResourceShareInput{
		Name: aws.String("root-share"), ResourceArns: []string{rootCA}, Principals: []string{eID}})).ResourceShare.ResourceShareArn
	inv := pendingInvitation(t, a.ram(eRoot), share)
	must[*ram.AcceptResourceShareInvitationOutput](t)(a.ram(eRoot).AcceptResourceShareInvitation(ctx,
		&ram.AcceptResourceShareInvitationInput{ResourceShareInvitationArn: inv.ResourceShareInvitationArn}))
	eArn, err := issue(a.pca(eDev), rootCA, "", leafCSR(t))
	if err != nil {
		t.Fatal(err)
	}
	certs = append(certs, issued{rootCA, eArn})
	acmARN := request(t, a.acm(root), rootCA)
	if _, err := a.app.ACM.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	exported := export(t, a.acm(root), acmARN)

	// What the SQLite server answers, to compare with PostgreSQL's.
	type view struct {
		cas, policy, certs, describe string
		shares, resources            map[string]string
		trail                        []string
		pcaToken, iamMarker          *string
		pcaPage2, iamPage2           string
	}
	see := func(r *rig) view {
		v := view{shares: map[string]string{}, resources: map[string]string{}}
		v.cas = jsonOf(t, must[*acmpca.ListCertificateAuthoritiesOutput](t)(r.pca(root).ListCertificateAuthorities(ctx,
			&acmpca.ListCertificateAuthoritiesInput{})).CertificateAuthorities)
		v.policy = *must[*acmpca.GetPolicyOutput](t)(r.pca(root).GetPolicy(ctx, &acmpca.GetPolicyInput{ResourceArn: &subCA})).Policy
		var all []string
		for _, c := range certs {
			g := must[*acmpca.GetCertificateOutput](t)(r.pca(root).GetCertificate(ctx, &acmpca.GetCertificateInput{CertificateAuthorityArn: &c.ca, CertificateArn: &c.arn}))
			all = append(all, *g.Certificate+"|"+aws.ToString(g.CertificateChain))
		}
		v.certs = strings.Join(all, "\n")
		for who, c := range map[string]creds{"owner": root, "recipient": eRoot} {
			owner := ramtypes.ResourceOwnerSelf
			if who == "recipient" {
				owner = ramtypes.ResourceOwnerOtherAccounts
			}
			v.shares[who] = jsonOf(t, must[*ram.GetResourceSharesOutput](t)(r.ram(c).GetResourceShares(ctx,
				&ram.GetResourceSharesInput{ResourceOwner: owner})).ResourceShares)
			v.resources[who] = jsonOf(t, must[*ram.ListResourcesOutput](t)(r.ram(c).ListResources(ctx,
				&ram.ListResourcesInput{ResourceOwner: owner})).Resources)
		}
		v.describe = jsonOf(t, must[*acm.DescribeCertificateOutput](t)(r.acm(root).DescribeCertificate(ctx,
			&acm.DescribeCertificateInput{CertificateArn: &acmARN})).Certificate)
		for _, e := range lookupBy(t, r.cloudtrail(root), cttypes.LookupAttributeKeyResourceName, rootCA) {
			v.trail = append(v.trail, *e.EventId+" "+*e.EventName)
		}
		p1 := must[*acmpca.ListCertificateAuthoritiesOutput](t)(r.pca(root).ListCertificateAuthorities(ctx, &acmpca.ListCertificateAuthoritiesInput{MaxResults: aws.Int32(1)}))
		u1 := must[*iam.ListUsersOutput](t)(r.rootIAM().ListUsers(ctx, &iam.ListUsersInput{MaxItems: aws.Int32(1)}))
		v.pcaToken, v.iamMarker = p1.NextToken, u1.Marker
		return v
	}
	// pages follows the page tokens of v through r.
	pages := func(r *rig, v view) (string, string) {
		if v.pcaToken == nil || v.iamMarker == nil {
			t.Fatal("no page token with two CAs and two users at one item a page")
		}
		p2 := must[*acmpca.ListCertificateAuthoritiesOutput](t)(r.pca(root).ListCertificateAuthorities(ctx,
			&acmpca.ListCertificateAuthoritiesInput{MaxResults: aws.Int32(1), NextToken: v.pcaToken}))
		u2 := must[*iam.ListUsersOutput](t)(r.rootIAM().ListUsers(ctx, &iam.ListUsersInput{MaxItems: aws.Int32(1), Marker: v.iamMarker}))
		return jsonOf(t, p2.CertificateAuthorities), jsonOf(t, u2.Users)
	}
	before := see(a)
	before.pcaPage2, before.iamPage2 = pages(a, before)
	if len(before.trail) < 3 {
		t.Fatalf("trail for the root CA: %v", before.trail)
	}

	// While the server runs the command refuses: it would copy a store
	// that goes on changing.
	outText, err := migrateStoreCLI(t, bin, dir, url)
	if err == nil || !strings.Contains(outText, "data directory in use") {
		t.Fatalf("migrate-store while the server runs: %v\n%s", err, outText)
	}
	a.stop()
	outText, err = migrateStoreCLI(t, bin, dir, url)
	if err != nil {
		t.Fatalf("migrate-store: %v\n%s", err, outText)
	}
	t.Logf("migrate-store:\n%s", outText)
	for _, want := range []string{"rows of", "pca_certificates ", "trail_chunks ", "settings ", "OPENPCA_MASTER_KEY"} {
		if !strings.Contains(outText, want) {
			t.Errorf("summary lacks %q:\n%s", want, outText)
		}
	}

	b := startOn(t, t.TempDir(), url, key)
	if b.app.DB.Engine() != "postgres" {
		t.Fatalf("target engine %s", b.app.DB.Engine())
	}
	after := see(b)
	for name, pair := range map[string][2]string{
		"ListCertificateAuthorities": {before.cas, after.cas}, "GetPolicy": {before.policy, after.policy},
		"GetCertificate": {before.certs, after.certs}, "DescribeCertificate": {before.describe, after.describe},
		"GetResourceShares owner": {before.shares["owner"], after.shares["owner"]}, "GetResourceShares recipient": {before.shares["recipient"], after.shares["recipient"]},
		"ListResources owner": {before.resources["owner"], after.resources["owner"]}, "ListResources recipient": {before.resources["recipient"], after.resources["recipient"]},
		"LookupEvents": {strings.Join(before.trail, ","), strings.Join(after.trail, ",")},
	} {
		if pair[0] != pair[1] {
			t.Errorf("%s differs after the move:\nbefore %s\nafter  %s", name, pair[0], pair[1])
		}
	}
	// Page tokens issued by the SQLite server still work.
	if p, u := pages(b, before); p != before.pcaPage2 || u != before.iamPage2 {
		t.Errorf("pages from old tokens: %s %s, want %s %s", p, u, before.pcaPage2, before.iamPage2)
	}
	// The old access keys authenticate.
	for c, want := range map[creds]string{root: "arn:aws:iam::" + mgmtAccount + ":root",
		alice: "arn:aws:iam::" + mgmtAccount + ":user/alice", eDev: "arn:aws:iam::" + eID + ":user/dev"} {
		if got := callerARN(t, b, c); got != want {
			t.Errorf("caller %s = %s, want %s", c.key, got, want)
		}
	}
	// The organization and its OU came along.
	accts := must[*organizations.ListAccountsForParentOutput](t)(organizations.NewFromConfig(b.awsConfig(root.key, root.secret, "")).ListAccountsForParent(ctx,
		&organizations.ListAccountsForParentInput{ParentId: &ou}))
	if len(accts.Accounts) != 1 || *accts.Accounts[0].Id != memberID {
		t.Errorf("accounts in the OU: %+v", accts.Accounts)
	}
	// ACM's key was unsealed with the same master key.
	ex := export(t, b.acm(root), acmARN)
	checkExport(t, ex)
	if *ex.Certificate != *exported.Certificate {
		t.Error("ACM certificate changed")
	}
	// The CRL lists the serial revoked before the move.
	if !slices.ContainsFunc(crlSerials(t, b.srv.URL, rootCA, rootCert), func(s *big.Int) bool { return s.Cmp(revoked.SerialNumber) == 0 }) {
		t.Errorf("serial %x not in the CRL after the move", revoked.SerialNumber)
	}
	// Both migrated CA keys sign; new serials are new.
	old := map[string]bool{}
	for _, c := range certs {
		g := must[*acmpca.GetCertificateOutput](t)(b.pca(root).GetCertificate(ctx, &acmpca.GetCertificateInput{CertificateAuthorityArn: &c.ca, CertificateArn: &c.arn}))
		old[pemCert(t, *g.Certificate).SerialNumber.Text(16)] = true
	}
	pool := x509.NewCertPool()
	pool.AddCert(rootCert)
	for _, ca := range []string{rootCA, subCA} {
		arn, err := issue(b.pca(alice), ca, "", leafCSR(t))
		if err != nil {
			t.Fatalf("issue from %s after the move: %v", ca, err)
		}
		g := must[*acmpca.GetCertificateOutput](t)(b.pca(root).GetCertificate(ctx, &acmpca.GetCertificateInput{CertificateAuthorityArn: &ca, CertificateArn: &arn}))
		leaf := pemCert(t, *g.Certificate)
		inter := x509.NewCertPool()
		if g.CertificateChain != nil {
			inter.AppendCertsFromPEM([]byte(*g.CertificateChain))
		}
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, Intermediates: inter}); err != nil {
			t.Errorf("leaf of %s does not verify: %v", ca, err)
		}
		if old[leaf.SerialNumber.Text(16)] {
			t.Errorf("serial %x issued twice", leaf.SerialNumber)
		}
	}
	b.stop()

	// A second run finds the target full and leaves it unchanged.
	counts := rowCounts(t, url)
	outText, err = migrateStoreCLI(t, bin, dir, url)
	if err == nil || !strings.Contains(outText, "not empty") {
		t.Fatalf("migrate-store into a full target: %v\n%s", err, outText)
	}
	if again := rowCounts(t, url); jsonOf(t, again) != jsonOf(t, counts) {
		t.Fatalf("the refused run changed the target:\nbefore %v\nafter  %v", counts, again)
	}
}
