package main

import (
	"strings"
	"testing"

	ramtypes "github.com/aws/aws-sdk-go-v2/service/ram/types"
)

const (
	tCA   = "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/ca"
	tOrg  = "o-abcdefghij"
	tA1   = "210987654321"
	tA2   = "310987654321"
	tUser = "arn:aws:iam::410987654321:user/dev"
)

func testRAM() *ramState {
	reads := []string{"acm-pca:DescribeCertificateAuthority", "acm-pca:GetCertificate"}
	return &ramState{orgID: tOrg, shares: map[string]*shareRec{}, inOrg: map[string]bool{tA1: true, tA2: true, "410987654321": true}, templates: map[string][]grantStmt{
		permDefault: {{Actions: reads}, {Actions: []string{"acm-pca:IssueCertificate"},
			Condition: map[string]map[string]any{"StringEquals": {"acm-pca:TemplateArn": endEntityV1}}}},
	}}
}

const (
	assoc  = ramtypes.ResourceShareAssociationStatusAssociated
	gone   = ramtypes.ResourceShareAssociationStatusDisassociated
	active = ramtypes.ResourceShareStatusActive
)

func testViews() map[string]*shareView {
	return map[string]*shareView{
		"s1": {status: active, perms: []string{permDefault}, resources: map[string]ramtypes.ResourceShareAssociationStatus{tCA: assoc},
			principals: map[string]ramtypes.ResourceShareAssociationStatus{tA1: assoc, tUser: assoc, tA2: gone}},
		// Deleted, and a share whose CA was removed: neither grants anything.
		"s2": {status: ramtypes.ResourceShareStatusDeleted, perms: []string{permDefault}, resources: map[string]ramtypes.ResourceShareAssociationStatus{tCA: assoc},
			principals: map[string]ramtypes.ResourceShareAssociationStatus{tA2: assoc}},
		"s3": {status: active, perms: []string{permDefault}, resources: map[string]ramtypes.ResourceShareAssociationStatus{tCA: gone},
			principals: map[string]ramtypes.ResourceShareAssociationStatus{tA2: assoc}},
	}
}

// policyDoc is a policy in the generator's shape granting principals.
func policyDoc(principals string) string {
	return `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"RamStatement1","Effect":"Allow","Principal":{"AWS":[` + principals + `]},"Action":["acm-pca:DescribeCertificateAuthority","acm-pca:GetCertificate"],"Resource":"` + tCA + `","Condition":{"StringEquals":{"aws:PrincipalOrgID":"` + tOrg + `"}}},` +
		`{"Sid":"RamStatement2","Effect":"Allow","Principal":{"AWS":[` + principals + `]},"Action":"acm-pca:IssueCertificate","Resource":"` + tCA + `","Condition":{"StringEquals":{"acm-pca:TemplateArn":"` + endEntityV1 + `","aws:PrincipalOrgID":"` + tOrg + `"}}}]}`
}

// TestRAMPolicyInvariant: the expected grants come from ACTIVE shares that
// hold the CA and their ASSOCIATED principals only; a policy with one
// principal too many or too few differs, and the probe expectation follows
// the grants.
func TestRAMPolicyInvariant(t *testing.T) {
	r := testRAM()
	want := expectedGrants(testViews(), r, tCA)
	a1, a2 := `"arn:aws:iam::`+tA1+`:root"`, `"arn:aws:iam::`+tA2+`:root"`
	for _, tc := range []struct {
		name           string
		principals     string
		extra, missing int
	}{
		{"exact", a1 + `,"` + tUser + `"`, 0, 0},
		{"a disassociated principal still granted", a1 + `,` + a2 + `,"` + tUser + `"`, 3, 0},
		{"an associated principal not granted", a1, 0, 3},
	} {
		have, err := policyGrants(policyDoc(tc.principals), tCA)
		if err != nil {
			t.Fatal(err)
		}
		extra, missing := diffGrants(have, want)
		if len(extra) != tc.extra || len(missing) != tc.missing {
			t.Errorf("%s: extra %v missing %v", tc.name, extra, missing)
		}
	}
	if have, _ := policyGrants("", tCA); len(have) != 0 {
		t.Errorf("no policy grants %v", have)
	}
	if _, err := policyGrants(strings.Replace(policyDoc(a1), `"Resource":"`+tCA, `"Resource":"*`, 1), tCA); err == nil {
		t.Error("a statement on another resource was accepted")
	}
	for _, tc := range []struct {
		who  []string
		want bool
	}{
		{[]string{"arn:aws:iam::" + tA1 + ":root"}, true},
		{[]string{"arn:aws:iam::410987654321:root", tUser}, true},
		{[]string{"arn:aws:iam::" + tA2 + ":root"}, false},
	} {
		if got := allowsIssue(want, tc.who, tOrg); got != tc.want {
			t.Errorf("allowsIssue(%v) = %v", tc.who, got)
		}
	}
	if allowsIssue(want, []string{"arn:aws:iam::" + tA1 + ":root"}, "o-other") {
		t.Error("a grant bound to another organization allowed")
	}
}

// TestAckedLosses: an acknowledged association missing, a disassociation
// or deletion undone and an unlisted share are each one loss; a share
// whose last write went unanswered is not judged.
func TestAckedLosses(t *testing.T) {
	rec := func(deleted, uncertain bool) *shareRec {
		return &shareRec{arn: "s1", perm: permDefault, principals: map[string]bool{tA1: true, tUser: true},
			removed: map[string]bool{tA2: true}, deleted: deleted, uncertain: uncertain}
	}
	for _, tc := range []struct {
		name  string
		rec   *shareRec
		edit  func(v *shareView)
		views bool
		lost  int
	}{
		{"all reflected", rec(false, false), func(*shareView) {}, true, 0},
		{"association lost", rec(false, false), func(v *shareView) { v.principals[tUser] = gone }, true, 1},
		{"disassociation undone", rec(false, false), func(v *shareView) { v.principals[tA2] = assoc }, true, 1},
		{"permission changed", rec(false, false), func(v *shareView) { v.perms = []string{permBlank} }, true, 1},
		{"deletion undone", rec(true, false), func(*shareView) {}, true, 1},
		{"deleted as acknowledged", rec(true, false), func(v *shareView) { v.status = ramtypes.ResourceShareStatusDeleted }, true, 0},
		{"unanswered write", rec(false, true), func(v *shareView) { v.principals[tUser] = gone }, true, 0},
		{"share not listed", rec(false, false), func(*shareView) {}, false, 1},
	} {
		r := testRAM()
		r.shares["s1"], r.order = tc.rec, []string{"s1"}
		views := testViews()
		tc.edit(views["s1"])
		if !tc.views {
			delete(views, "s1")
		}
		if got := ackedLosses(r, views, tCA); len(got) != tc.lost {
			t.Errorf("%s: %v, want %d losses", tc.name, got, tc.lost)
		}
	}
}

// TestRAMOutsideAccount: an outside account's grant carries no
// organization condition, and its acknowledged association stays
// ASSOCIATING until the acknowledged acceptance.
func TestRAMOutsideAccount(t *testing.T) {
	const ext = "510987654321"
	r := testRAM()
	views := testViews()
	views["s1"].principals[ext] = assoc
	want := expectedGrants(views, r, tCA)
	g := grant{principal: "arn:aws:iam::" + ext + ":root", action: "acm-pca:IssueCertificate",
		cond: map[string]map[string]any{"StringEquals": {"acm-pca:TemplateArn": endEntityV1}}}
	if _, ok := want[g.key()]; !ok || !allowsIssue(want, []string{g.principal}, tOrg) {
		t.Fatalf("no organization-free grant for the outside account in %v", want)
	}
	rec := &shareRec{arn: "s1", perm: permDefault, principals: map[string]bool{tA1: true},
		pending: map[string]bool{ext: true}, removed: map[string]bool{}}
	r.shares["s1"], r.order = rec, []string{"s1"}
	for st, lost := range map[ramtypes.ResourceShareAssociationStatus]int{
		ramtypes.ResourceShareAssociationStatusAssociating: 0, assoc: 1, gone: 1} {
		views["s1"].principals[ext] = st
		if got := ackedLosses(r, views, tCA); len(got) != lost {
			t.Errorf("pending principal %s: %v, want %d losses", st, got, lost)
		}
	}
}
