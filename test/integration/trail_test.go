package integration

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	iamstore "github.com/openpca/openpca/internal/iam"
	"github.com/openpca/openpca/internal/keystore"
	"github.com/openpca/openpca/internal/store"
	"github.com/openpca/openpca/internal/store/storetest"
)

func (r *rig) cloudtrail(c creds) *cloudtrail.Client {
	return cloudtrail.NewFromConfig(r.awsConfig(c.key, c.secret, c.token))
}

func (r *rig) cloudtrailIn(c creds, region string) *cloudtrail.Client {
	cfg := r.awsConfig(c.key, c.secret, c.token)
	cfg.Region = region
	return cloudtrail.NewFromConfig(cfg)
}

func lookupBy(t *testing.T, c *cloudtrail.Client, key cttypes.LookupAttributeKey, value string) []cttypes.Event {
	t.Helper()
	out, err := c.LookupEvents(context.Background(), &cloudtrail.LookupEventsInput{
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: key, AttributeValue: aws.String(value)}}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Events
}

// ctRecord is the part of the CloudTrailEvent JSON the tests read.
type ctRecord struct {
	EventSource  string `json:"eventSource"`
	EventName    string `json:"eventName"`
	AWSRegion    string `json:"awsRegion"`
	EventID      string `json:"eventID"`
	RequestID    string `json:"requestID"`
	ErrorCode    string `json:"errorCode"`
	ReadOnly     bool   `json:"readOnly"`
	UserIdentity struct {
		Type, ARN, AccountID, AccessKeyID, UserName string
	} `json:"userIdentity"`
	RequestParameters  map[string]any `json:"requestParameters"`
	ResponseElements   map[string]any `json:"responseElements"`
	RecipientAccountID string         `json:"recipientAccountId"`
	SharedEventID      string         `json:"sharedEventID"`
	Resources          []struct {
		AccountID, Type, ARN string
	} `json:"resources"`
}

func record(t *testing.T, e cttypes.Event) ctRecord {
	t.Helper()
	var rec ctRecord
	if err := json.Unmarshal([]byte(aws.ToString(e.CloudTrailEvent)), &rec); err != nil {
		t.Fatalf("CloudTrailEvent: %v", err)
	}
	return rec
}

// TestTrailCrossAccountIssuance: B issues on A's CA; both accounts see the
// event (the owner as recipient of a shared event), with the caller, the
// CA as resource, and the new certificate's ARN; denials are recorded too.
func TestTrailCrossAccountIssuance(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	a := creds{key: mgmtKeyID, secret: mgmtSecret}
	bAcct, err := r.app.IAMStore.CreateAccount(ctx, iamstore.AccountSpec{Name: "b"})
	if err != nil {
		t.Fatal(err)
	}
	bRoot := creds{key: bAcct.RootAccessKeyID, secret: bAcct.RootSecretAccessKey}
	bDev := userIn(t, r.iamAs(bRoot), "dev", allowPCA)
	bDenied := userIn(t, r.iamAs(bRoot), "denied", denyIssue)

	aPCA := r.pca(a)
	ca := activeCA(t, aPCA)
	putPolicy(t, aPCA, ca, accountShareDoc(ca, bAcct.AccountID))
	certARN, err := issue(r.pca(bDev), ca, tmplV1, leafCSR(t))
	if err != nil {
		t.Fatal(err)
	}
	_, err = issue(r.pca(bDenied), ca, tmplV1, leafCSR(t))
	wantDenied(t, err, "")

	for _, viewer := range []struct {
		name    string
		c       creds
		account string
	}{{"owner", a, mgmtAccount}, {"issuer", bRoot, bAcct.AccountID}} {
		t.Run(viewer.name, func(t *testing.T) {
			evs := lookupBy(t, r.cloudtrail(viewer.c), cttypes.LookupAttributeKeyEventName, "IssueCertificate")
			var ok, denied *ctRecord
			for _, e := range evs {
				rec := record(t, e)
				if aws.ToString(e.EventSource) != "acm-pca.amazonaws.com" || rec.RecipientAccountID != viewer.account {
					t.Fatalf("event %+v seen by %s", rec, viewer.account)
				}
				switch {
				case rec.ErrorCode == "" && rec.UserIdentity.UserName == "dev":
					ok = &rec
					if aws.ToString(e.Username) != "dev" || aws.ToString(e.AccessKeyId) != bDev.key || aws.ToString(e.ReadOnly) != "false" {
						t.Errorf("event fields: user %q key %q readOnly %q", aws.ToString(e.Username), aws.ToString(e.AccessKeyId), aws.ToString(e.ReadOnly))
					}
					if len(e.Resources) == 0 || aws.ToString(e.Resources[0].ResourceName) != ca ||
						aws.ToString(e.Resources[0].ResourceType) != "AWS::ACMPCA::CertificateAuthority" {
						t.Errorf("resources = %+v", e.Resources)
					}
				case rec.ErrorCode == "AccessDeniedException":
					denied = &rec
				}
			}
			if ok == nil || denied == nil {
				t.Fatalf("want the issuance and the denial, got %d events", len(evs))
			}
			if ok.UserIdentity.Type != "IAMUser" || ok.UserIdentity.AccountID != bAcct.AccountID || ok.AWSRegion != "us-east-1" ||
				ok.SharedEventID == "" || ok.SharedEventID != ok.EventID || ok.RequestID == "" {
				t.Errorf("record = %+v", ok)
			}
			if ok.RequestParameters["certificateAuthorityArn"] != ca || ok.ResponseElements["certificateArn"] != certARN {
				t.Errorf("parameters %v, response %v", ok.RequestParameters, ok.ResponseElements)
			}
		})
	}

	// Reads are not recorded; the other region holds nothing.
	if evs := lookupBy(t, r.cloudtrail(a), cttypes.LookupAttributeKeyEventName, "DescribeCertificateAuthority"); len(evs) != 0 {
		t.Errorf("read-only calls recorded: %d", len(evs))
	}
	west, err := r.cloudtrailIn(a, "us-west-2").LookupEvents(ctx, &cloudtrail.LookupEventsInput{})
	if err != nil || len(west.Events) != 0 {
		t.Errorf("us-west-2: %v, %d events", err, len(west.Events))
	}
	// ResourceName finds the owner's events on the CA.
	if evs := lookupBy(t, r.cloudtrail(a), cttypes.LookupAttributeKeyResourceName, ca); len(evs) < 3 {
		t.Errorf("ResourceName lookup: %d events", len(evs))
	}
}

// TestTrailRedactsSecrets: access-key secrets and passwords never reach
// the trail.
func TestTrailRedactsSecrets(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	admin := r.rootIAM()
	must[*iam.CreateUserOutput](t)(admin.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u")}))
	key := must[*iam.CreateAccessKeyOutput](t)(admin.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("u")}))
	const pw = "Sup3r-Secret-Passw0rd!"
	must[*iam.CreateLoginProfileOutput](t)(admin.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("u"), Password: aws.String(pw)}))

	ct := r.cloudtrail(creds{key: mgmtKeyID, secret: mgmtSecret})
	for _, name := range []string{"CreateAccessKey", "CreateLoginProfile"} {
		evs := lookupBy(t, ct, cttypes.LookupAttributeKeyEventName, name)
		if len(evs) != 1 {
			t.Fatalf("%s: %d events", name, len(evs))
		}
		raw := aws.ToString(evs[0].CloudTrailEvent)
		if strings.Contains(raw, *key.AccessKey.SecretAccessKey) || strings.Contains(raw, pw) {
			t.Fatalf("%s record holds a secret: %s", name, raw)
		}
		if !strings.Contains(raw, "HIDDEN_DUE_TO_SECURITY_REASONS") || aws.ToString(evs[0].EventSource) != "iam.amazonaws.com" {
			t.Errorf("%s record: %s", name, raw)
		}
	}
}

// TestTrailLookupInput: paging, attribute and time-range errors, and the
// cloudtrail:LookupEvents permission.
func TestTrailLookupInput(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	admin := r.rootIAM()
	for _, n := range []string{"u1", "u2", "u3"} {
		must[*iam.CreateUserOutput](t)(admin.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(n)}))
	}
	ct := r.cloudtrail(creds{key: mgmtKeyID, secret: mgmtSecret})
	seen := map[string]bool{}
	in := &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(1), LookupAttributes: []cttypes.LookupAttribute{
		{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("CreateUser")}}}
	for p := cloudtrail.NewLookupEventsPaginator(ct, in); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range out.Events {
			seen[aws.ToString(e.EventId)] = true
		}
	}
	if len(seen) != 3 {
		t.Errorf("paged through %d CreateUser events, want 3", len(seen))
	}

	_, err := ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{NextToken: aws.String("bm90LWEtdG9rZW4")})
	apiError(t, err, "InvalidNextTokenException")
	two := []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("CreateUser")},
		{AttributeKey: cttypes.LookupAttributeKeyUsername, AttributeValue: aws.String("root")}}
	_, err = ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{LookupAttributes: two})
	apiError(t, err, "InvalidLookupAttributesException")
	now := r.clock.Now()
	_, err = ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{StartTime: aws.Time(now), EndTime: aws.Time(now.Add(-time.Hour))})
	apiError(t, err, "InvalidTimeRangeException")
	_, err = ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(51)})
	apiError(t, err, "InvalidMaxResultsException")
	// A window before the calls holds none of them.
	old, err := ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{StartTime: aws.Time(now.Add(-48 * time.Hour)), EndTime: aws.Time(now.Add(-24 * time.Hour))})
	if err != nil || len(old.Events) != 0 {
		t.Errorf("old window: %v, %d events", err, len(old.Events))
	}

	// A user without cloudtrail:LookupEvents is denied, and the denial is
	// itself recorded.
	none := userIn(t, admin, "none", "")
	_, err = r.cloudtrail(none).LookupEvents(ctx, &cloudtrail.LookupEventsInput{})
	apiError(t, err, "AccessDeniedException")
	if evs := lookupBy(t, ct, cttypes.LookupAttributeKeyUsername, "none"); len(evs) != 1 || aws.ToString(evs[0].EventName) != "LookupEvents" {
		t.Errorf("denial events: %+v", evs)
	}

	// Retention: 90 days, then pruned.
	r.clock.Advance(91 * 24 * time.Hour)
	n, err := r.app.Trail.Prune(ctx)
	if err != nil || n < 1 {
		t.Fatalf("pruned %d chunks (%v)", n, err)
	}
	r.clock.Advance(-91 * 24 * time.Hour)
	if all, err := ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{}); err != nil || len(all.Events) != 0 {
		t.Errorf("after pruning: %v, %d events", err, len(all.Events))
	}
}

// TestTrailOwnFileRestartAndBackup: on SQLite the trail lives in its own
// 0600 file, not the main database; its events survive a restart, and a
// backup restored into a new directory still holds them.
func TestTrailOwnFileRestartAndBackup(t *testing.T) {
	if storetest.UsePostgres() {
		t.Skip("on PostgreSQL the trail is in the one database; admin backup is SQLite's")
	}
	r := newRig(t, "")
	ctx := context.Background()
	root := creds{key: mgmtKeyID, secret: mgmtSecret}
	if _, err := r.rootIAM().CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("kept")}); err != nil {
		t.Fatal(err)
	}
	evs := lookupBy(t, r.cloudtrail(root), cttypes.LookupAttributeKeyEventName, "CreateUser")
	if len(evs) != 1 {
		t.Fatalf("%d CreateUser events", len(evs))
	}
	id := aws.ToString(evs[0].EventId)
	st, err := os.Stat(filepath.Join(r.dataDir, store.TrailFileName))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("trail file: %v, %v", st, err)
	}
	if r.app.TrailDB == r.app.DB {
		t.Fatal("the trail shares the main database")
	}
	var inMain int
	if err := r.app.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM trail_chunks`).Scan(&inMain); err != nil || inMain != 0 {
		t.Fatalf("main database holds %d trail rows (%v)", inMain, err)
	}
	found := func(r *rig) bool {
		for _, e := range lookupBy(t, r.cloudtrail(root), cttypes.LookupAttributeKeyEventId, id) {
			if aws.ToString(e.EventId) == id && record(t, e).RequestParameters["userName"] == "kept" {
				return true
			}
		}
		return false
	}
	r.stop()
	r2 := newRig(t, r.dataDir)
	if !found(r2) {
		t.Fatal("the event is gone after a restart")
	}
	file := filepath.Join(t.TempDir(), "backup.tar.gz")
	m, err := store.Backup(ctx, r2.dataDir, file)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(m.Files, store.TrailFileName) {
		t.Errorf("backup files %v lack the trail", m.Files)
	}
	r2.stop()
	restored := filepath.Join(t.TempDir(), "restored")
	if _, err := store.Restore(ctx, file, restored); err != nil {
		t.Fatal(err)
	}
	key, err := os.ReadFile(filepath.Join(r.dataDir, keystore.MasterKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(restored, keystore.MasterKeyFile), key, 0o600); err != nil {
		t.Fatal(err)
	}
	if !found(newRig(t, restored)) {
		t.Fatal("the event is missing after backup and restore")
	}
}
