package pki

import (
	"encoding/asn1"
	"testing"
	"time"
)

func TestValidityNotAfter(t *testing.T) {
	now := time.Date(2027, 1, 31, 10, 0, 0, 0, time.UTC)
	leapNow := time.Date(2028, 2, 29, 10, 0, 0, 0, time.UTC)
	date := func(y int, m time.Month, d, h, mi, s int) time.Time { return time.Date(y, m, d, h, mi, s, 0, time.UTC) }
	tests := []struct {
		name    string
		v       Validity
		now     time.Time
		want    time.Time
		wantErr bool
	}{
		{"END_DATE UTCTime before pivot", Validity{491231235959, ValidityEndDate}, now, date(2049, 12, 31, 23, 59, 59), false},
		{"END_DATE UTCTime at pivot is 1950", Validity{500101000000, ValidityEndDate}, now, date(1950, 1, 1, 0, 0, 0), false},
		{"END_DATE UTCTime 99 is 1999", Validity{991231235959, ValidityEndDate}, now, date(1999, 12, 31, 23, 59, 59), false},
		{"END_DATE UTCTime lost leading zero", Validity{10203040506, ValidityEndDate}, now, date(2001, 2, 3, 4, 5, 6), false},
		{"END_DATE GeneralizedTime", Validity{20500101000000, ValidityEndDate}, now, date(2050, 1, 1, 0, 0, 0), false},
		{"END_DATE GeneralizedTime 9999", Validity{99991231235959, ValidityEndDate}, now, date(9999, 12, 31, 23, 59, 59), false},
		{"END_DATE bad month", Validity{491331235959, ValidityEndDate}, now, time.Time{}, true},
		{"END_DATE Feb 30", Validity{490230000000, ValidityEndDate}, now, time.Time{}, true},
		{"END_DATE 13 digits", Validity{2049123123595, ValidityEndDate}, now, time.Time{}, true},
		{"END_DATE 15 digits", Validity{204912312359590, ValidityEndDate}, now, time.Time{}, true},
		{"ABSOLUTE", Validity{2524608000, ValidityAbsolute}, now, date(2050, 1, 1, 0, 0, 0), false},
		{"ABSOLUTE no well-defined expiry", Validity{253402300799, ValidityAbsolute}, now, date(9999, 12, 31, 23, 59, 59), false},
		{"ABSOLUTE beyond 9999", Validity{253402300800, ValidityAbsolute}, now, time.Time{}, true},
		{"DAYS", Validity{90, ValidityDays}, now, now.Add(90 * 24 * time.Hour), false},
		{"MONTHS clamps to February end", Validity{1, ValidityMonths}, now, date(2027, 2, 28, 10, 0, 0), false},
		{"MONTHS across years", Validity{13, ValidityMonths}, now, date(2028, 2, 29, 10, 0, 0), false},
		{"YEARS from leap day", Validity{1, ValidityYears}, leapNow, date(2029, 2, 28, 10, 0, 0), false},
		{"YEARS four from leap day", Validity{4, ValidityYears}, leapNow, date(2032, 2, 29, 10, 0, 0), false},
		{"zero value", Validity{0, ValidityDays}, now, time.Time{}, true},
		{"negative value", Validity{-5, ValidityYears}, now, time.Time{}, true},
		{"unknown type", Validity{5, "WEEKS"}, now, time.Time{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.v.NotAfter(tc.now)
			if tc.wantErr {
				wantKind(t, err, InvalidArgs)
				return
			}
			if err != nil || !got.Equal(tc.want) {
				t.Fatalf("NotAfter = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestNotBefore(t *testing.T) {
	if got, err := NotBefore(nil, testNow); err != nil || !got.Equal(testNow.Add(-time.Hour)) {
		t.Fatalf("default NotBefore = %v, %v", got, err)
	}
	if got, err := NotBefore(&Validity{1767225600, ValidityAbsolute}, testNow); err != nil || got.Unix() != 1767225600 {
		t.Fatalf("ABSOLUTE NotBefore = %v, %v", got, err)
	}
	for _, v := range []Validity{{5, ValidityDays}, {20260101000000, ValidityEndDate}, {0, ValidityAbsolute}} {
		_, err := NotBefore(&v, testNow)
		wantKind(t, err, InvalidArgs)
	}
}

// validityTags returns the ASN.1 tags of a certificate's notBefore and notAfter.
func validityTags(t *testing.T, tbs []byte) (int, int) {
	var seq asn1.RawValue
	if _, err := asn1.Unmarshal(tbs, &seq); err != nil {
		t.Fatal(err)
	}
	rest := seq.Bytes
	var field asn1.RawValue
	for i := 0; ; i++ {
		var err error
		if rest, err = asn1.Unmarshal(rest, &field); err != nil {
			t.Fatal(err)
		}
		// version [0], serial, signature, issuer, validity
		if i == 4 {
			break
		}
	}
	var nb, na asn1.RawValue
	r, err := asn1.Unmarshal(field.Bytes, &nb)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := asn1.Unmarshal(r, &na); err != nil {
		t.Fatal(err)
	}
	return nb.Tag, na.Tag
}

func TestIssueValidity(t *testing.T) {
	root := newRoot(t, ECPrime256v1, 0, Validity{253402300799, ValidityAbsolute})
	shortRoot := newRoot(t, ECPrime256v1, 3, Validity{2, ValidityYears})
	leafCSR := simpleCSR(t, testKey(t, ECPrime256v1, 1), "leaf.example.com", "leaf.example.com")
	caCSR, err := CreateCACSR(testKey(t, ECPrime256v1, 2), ASN1Subject{CommonName: "Sub"}, nil, SHA256WithECDSA)
	if err != nil {
		t.Fatal(err)
	}
	eeARN, subARN := DefaultTemplateARN, templateARNPrefix+"SubordinateCACertificate_PathLen0/V1"
	tests := []struct {
		name       string
		issuer     *testCA
		template   string
		csr        []byte
		v          Validity
		nb         *Validity
		mode       UsageMode
		wantErr    Kind // Internal = no error
		wantNotAft time.Time
		wantNAtag  int
		wantNotBef time.Time
		wantNBtag  int
	}{
		{name: "UTCTime before 2050", issuer: root, template: eeARN, csr: leafCSR, v: Validity{491231235959, ValidityEndDate},
			wantNotAft: time.Date(2049, 12, 31, 23, 59, 59, 0, time.UTC), wantNAtag: asn1.TagUTCTime, wantNotBef: testNow.Add(-time.Hour), wantNBtag: asn1.TagUTCTime},
		{name: "GeneralizedTime from 2050", issuer: root, template: eeARN, csr: leafCSR, v: Validity{2524608000, ValidityAbsolute},
			wantNotAft: time.Date(2050, 1, 1, 0, 0, 0, 0, time.UTC), wantNAtag: asn1.TagGeneralizedTime, wantNotBef: testNow.Add(-time.Hour), wantNBtag: asn1.TagUTCTime},
		{name: "9999 no well-defined expiry", issuer: root, template: eeARN, csr: leafCSR, v: Validity{253402300799, ValidityAbsolute},
			wantNotAft: time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), wantNAtag: asn1.TagGeneralizedTime, wantNotBef: testNow.Add(-time.Hour), wantNBtag: asn1.TagUTCTime},
		{name: "ValidityNotBefore in 2050", issuer: root, template: eeARN, csr: leafCSR, v: Validity{20600101000000, ValidityEndDate}, nb: &Validity{2524608000, ValidityAbsolute},
			wantNotAft: time.Date(2060, 1, 1, 0, 0, 0, 0, time.UTC), wantNAtag: asn1.TagGeneralizedTime, wantNotBef: time.Date(2050, 1, 1, 0, 0, 0, 0, time.UTC), wantNBtag: asn1.TagGeneralizedTime},
		{name: "END_DATE in the past", issuer: root, template: eeARN, csr: leafCSR, v: Validity{250101000000, ValidityEndDate}, wantErr: InvalidArgs},
		{name: "NotBefore after NotAfter", issuer: root, template: eeARN, csr: leafCSR, v: Validity{30, ValidityDays}, nb: &Validity{testNow.AddDate(0, 0, 31).Unix(), ValidityAbsolute}, wantErr: InvalidArgs},
		{name: "ValidityNotBefore must be ABSOLUTE", issuer: root, template: eeARN, csr: leafCSR, v: Validity{30, ValidityDays}, nb: &Validity{1, ValidityDays}, wantErr: InvalidArgs},
		{name: "leaf up to the issuer's end", issuer: shortRoot, template: eeARN, csr: leafCSR, v: Validity{shortRoot.cert.NotAfter.Unix(), ValidityAbsolute},
			wantNotAft: shortRoot.cert.NotAfter, wantNAtag: asn1.TagUTCTime, wantNotBef: testNow.Add(-time.Hour), wantNBtag: asn1.TagUTCTime},
		{name: "leaf beyond the issuer", issuer: shortRoot, template: eeARN, csr: leafCSR, v: Validity{shortRoot.cert.NotAfter.Unix() + 1, ValidityAbsolute}, wantErr: InvalidArgs},
		{name: "leaf 3 years from a 2-year CA", issuer: shortRoot, template: eeARN, csr: leafCSR, v: Validity{3, ValidityYears}, wantErr: InvalidArgs},
		{name: "CA equal to its parent", issuer: shortRoot, template: subARN, csr: caCSR, v: Validity{shortRoot.cert.NotAfter.Unix(), ValidityAbsolute}, wantErr: InvalidArgs},
		{name: "CA one second shorter than parent", issuer: shortRoot, template: subARN, csr: caCSR, v: Validity{shortRoot.cert.NotAfter.Unix() - 1, ValidityAbsolute},
			wantNotAft: shortRoot.cert.NotAfter.Add(-time.Second), wantNAtag: asn1.TagUTCTime, wantNotBef: testNow.Add(-time.Hour), wantNBtag: asn1.TagUTCTime},
		{name: "short-lived 7 days", issuer: root, template: eeARN, csr: leafCSR, v: Validity{7, ValidityDays}, mode: UsageShortLived,
			wantNotAft: testNow.AddDate(0, 0, 7), wantNAtag: asn1.TagUTCTime, wantNotBef: testNow.Add(-time.Hour), wantNBtag: asn1.TagUTCTime},
		{name: "short-lived 8 days", issuer: root, template: eeARN, csr: leafCSR, v: Validity{8, ValidityDays}, mode: UsageShortLived, wantErr: InvalidArgs},
		{name: "short-lived 7 days and a second", issuer: root, template: eeARN, csr: leafCSR, v: Validity{testNow.AddDate(0, 0, 7).Unix() + 1, ValidityAbsolute}, mode: UsageShortLived, wantErr: InvalidArgs},
		{name: "short-lived with early NotBefore", issuer: root, template: eeARN, csr: leafCSR, v: Validity{3, ValidityDays}, nb: &Validity{testNow.AddDate(0, 0, -5).Unix(), ValidityAbsolute}, mode: UsageShortLived, wantErr: InvalidArgs},
		{name: "general purpose 8 days", issuer: root, template: eeARN, csr: leafCSR, v: Validity{8, ValidityDays}, mode: UsageGeneralPurpose,
			wantNotAft: testNow.AddDate(0, 0, 8), wantNAtag: asn1.TagUTCTime, wantNotBef: testNow.Add(-time.Hour), wantNBtag: asn1.TagUTCTime},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			der, err := Issue(&IssueRequest{CSR: tc.csr, Issuer: tc.issuer.cert, IssuerSigner: tc.issuer.signer, SigningAlgorithm: SHA256WithECDSA,
				TemplateARN: tc.template, Validity: tc.v, ValidityNotBefore: tc.nb, UsageMode: tc.mode, Now: testNow})
			if tc.wantErr != Internal {
				wantKind(t, err, tc.wantErr)
				return
			}
			if err != nil {
				t.Fatalf("Issue: %v", err)
			}
			c := mustParse(t, der)
			if !c.NotAfter.Equal(tc.wantNotAft) || !c.NotBefore.Equal(tc.wantNotBef) {
				t.Errorf("validity %v – %v, want %v – %v", c.NotBefore, c.NotAfter, tc.wantNotBef, tc.wantNotAft)
			}
			nbTag, naTag := validityTags(t, c.RawTBSCertificate)
			if nbTag != tc.wantNBtag || naTag != tc.wantNAtag {
				t.Errorf("tags notBefore=%d notAfter=%d, want %d %d", nbTag, naTag, tc.wantNBtag, tc.wantNAtag)
			}
			lintCert(t, der)
		})
	}
}
