package integration

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acm"
	acmtypes "github.com/aws/aws-sdk-go-v2/service/acm/types"
)

// TestACMListCertificatesPaging pages ListCertificates (now a keyset over
// created_at, id in SQL) with every filter it pushes into SQL: key types
// (RSA only by default), statuses, sort order, and small pages.
func TestACMListCertificatesPaging(t *testing.T) {
	r := newACMRig(t)
	ctx := context.Background()
	a := creds{key: mgmtKeyID, secret: mgmtSecret}
	c := r.acm(a)
	ca := activeCA(t, r.pca(a))
	var ec, rsa []string
	for i := 0; i < 7; i++ {
		r.clock.Advance(time.Second) // distinct created_at: creation order is list order
		ec = append(ec, request(t, c, ca))
		if i%3 == 0 { // an RSA key from an EC CA fails (PCA_INVALID_ARGS)
			out := must[*acm.RequestCertificateOutput](t)(c.RequestCertificate(ctx, &acm.RequestCertificateInput{
				DomainName: aws.String("rsa.example.com"), CertificateAuthorityArn: &ca}))
			rsa = append(rsa, *out.CertificateArn)
		}
	}
	// Two certificates in the same instant: the id orders them.
	ec = append(ec, request(t, c, ca))
	r.work(0)
	both := &acmtypes.Filters{KeyTypes: []acmtypes.KeyAlgorithm{acmtypes.KeyAlgorithmEcPrime256v1, acmtypes.KeyAlgorithmRsa2048}}
	list := func(in acm.ListCertificatesInput, size int32) []string {
		t.Helper()
		in.MaxItems = aws.Int32(size)
		var arns []string
		p := acm.NewListCertificatesPaginator(c, &in)
		for pages := 0; p.HasMorePages(); pages++ {
			out := must[*acm.ListCertificatesOutput](t)(p.NextPage(ctx))
			if len(out.CertificateSummaryList) > int(size) || pages > 20 {
				t.Fatalf("page of %d, want at most %d (page %d)", len(out.CertificateSummaryList), size, pages)
			}
			for _, s := range out.CertificateSummaryList {
				arns = append(arns, *s.CertificateArn)
			}
		}
		return arns
	}
	all := append(slices.Clone(ec), rsa...)
	got := list(acm.ListCertificatesInput{Includes: both}, 2)
	if len(got) != len(all) || !sameSet(got, all) {
		t.Fatalf("all pages: %d certificates, want %d", len(got), len(all))
	}
	if def := list(acm.ListCertificatesInput{}, 1); !slices.Equal(def, rsa) {
		t.Fatalf("default key types list %v, want the RSA ones %v in creation order", def, rsa)
	}
	desc := list(acm.ListCertificatesInput{Includes: both, SortBy: acmtypes.SortByCreatedAt, SortOrder: acmtypes.SortOrderDescending}, 3)
	if slices.Reverse(desc); !slices.Equal(desc, got) {
		t.Fatalf("descending is not the ascending order reversed:\n%v\n%v", desc, got)
	}
	if iss := list(acm.ListCertificatesInput{Includes: both, CertificateStatuses: []acmtypes.CertificateStatus{acmtypes.CertificateStatusIssued}}, 2); !sameSet(iss, ec) ||
		!slices.Equal(iss, slices.DeleteFunc(slices.Clone(got), func(a string) bool { return slices.Contains(rsa, a) })) {
		t.Fatalf("ISSUED: %v, want %v", iss, ec)
	}
	if f := list(acm.ListCertificatesInput{Includes: both, CertificateStatuses: []acmtypes.CertificateStatus{acmtypes.CertificateStatusFailed, acmtypes.CertificateStatusExpired}}, 5); !slices.Equal(f, rsa) {
		t.Fatalf("FAILED or EXPIRED: %v, want %v", f, rsa)
	}
	if x := list(acm.ListCertificatesInput{Includes: both, CertificateStatuses: []acmtypes.CertificateStatus{acmtypes.CertificateStatusExpired}}, 5); len(x) != 0 {
		t.Fatalf("EXPIRED: %v", x)
	}
	_, err := c.ListCertificates(ctx, &acm.ListCertificatesInput{NextToken: aws.String("acm:2")})
	apiError(t, err, "InvalidArgsException")
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
