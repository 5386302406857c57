package cloudtrailapi

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openpca/openpca/internal/awsapi"
	"github.com/openpca/openpca/internal/pca"
	"github.com/openpca/openpca/internal/trail"
)

// The first recorder's pipeline, kept as the reference the direct encoder
// must match: members as a map, long strings cut, secrets redacted, then
// resources collected from the map and the map JSON-encoded.

func refParams(v any) map[string]any {
	m := awsapi.Members(v)
	if m == nil {
		return nil
	}
	refCut(m)
	trail.Redact(m)
	return m
}

func refCut(v any) {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if s, ok := x.(string); ok && len(s) > maxParamBytes {
				t[k] = s[:maxParamBytes] + "…"
			} else {
				refCut(x)
			}
		}
	case []any:
		for i, x := range t {
			if s, ok := x.(string); ok && len(s) > maxParamBytes {
				t[i] = s[:maxParamBytes] + "…"
			} else {
				refCut(x)
			}
		}
	}
}

func refResources(ms ...map[string]any) []trail.Resource {
	var out []trail.Resource
	seen := map[string]bool{}
	var walk func(key string, v any)
	walk = func(key string, v any) {
		switch t := v.(type) {
		case map[string]any:
			for _, k := range slices.Sorted(maps.Keys(t)) {
				walk(k, t[k])
			}
		case []any:
			for _, x := range t {
				walk(key, x)
			}
		case string:
			k := strings.ToLower(key)
			if (strings.HasSuffix(k, "arn") || strings.HasSuffix(k, "arns")) && strings.HasPrefix(t, "arn:") &&
				arnAccount(t) != "" && !seen[t] {
				seen[t] = true
				out = append(out, trail.Resource{Type: ResourceType(t), Name: t})
			}
		}
	}
	for _, m := range ms {
		walk("", m)
	}
	return out
}

type refInner struct {
	PrivateKey string
	RoleArn    string
	Count      int32
}

type refKind int

type refAll struct {
	CertificateArn  string
	PolicyArns      []string
	Passphrase      []byte
	Csr             []byte
	Nested          *refInner
	List            []refInner
	Tags            map[string]string
	Secrets         map[string]string
	Doc             any
	Long            string
	Odd             string
	When            time.Time
	Unset           time.Time
	Flag            *bool
	Ratio           float64
	Kind            refKind
	Empty           string
	Missing         *refInner
	NoList          []string
	SecretAccessKey string `json:"SecretAccessKey"`
	Renamed         string `json:"otherName,omitempty"`
}

// TestParamsMatchReference: the direct encoder writes byte for byte what
// json.Marshal wrote of the cut and redacted members map, and finds the
// same resources in the same order.
func TestParamsMatchReference(t *testing.T) {
	ca := "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/11111111-2222-3333-4444-555555555555"
	yes := true
	long := strings.Repeat("x", maxParamBytes+5)
	var doc any
	if err := json.Unmarshal([]byte(`{"Statement":[{"Resource":"`+ca+`","password":"p","Arns":["arn:aws:iam::999988887777:role/x",1.5,null,true]}],"sessionToken":{"a":1},"roleArn":"arn:aws:iam::555566667777:role/r"}`), &doc); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ in, out any }{
		{&pca.IssueCertificateInput{CertificateAuthorityArn: ca, Csr: make([]byte, 450), SigningAlgorithm: "SHA256WITHECDSA",
			Validity: &pca.Validity{Type: "DAYS", Value: new(int64(7))}},
			&pca.IssueCertificateOutput{CertificateArn: ca + "/certificate/0123456789abcdef0123456789abcdef"}},
		{&refAll{CertificateArn: "arn:aws:acm:us-east-1:111122223333:certificate/1",
			PolicyArns: []string{"arn:aws:iam::aws:policy/ReadOnly", "arn:aws:iam::222233334444:policy/p", "arn:aws:iam::222233334444:policy/p"},
			Passphrase: []byte("pw"), Csr: []byte("0123456789"),
			Nested:  &refInner{PrivateKey: "k", RoleArn: "arn:aws:iam::333344445555:role/n", Count: -3},
			List:    []refInner{{RoleArn: "arn:aws:iam::333344445555:role/m"}, {}},
			Tags:    map[string]string{"b": "<x&y>", "a": "1", "keyArn": "arn:aws:kms:us-east-1:666677778888:key/k"},
			Secrets: map[string]string{"password": "p"}, Doc: doc, Long: long,
			Odd: "tab\there \u2028 \x01 \"q\" \\ \xff é \b\f", When: time.Date(2026, 12, 6, 9, 0, 0, 5, time.FixedZone("x", 3600)),
			Flag: &yes, Ratio: 0.000001, Kind: 3, NoList: []string{}, SecretAccessKey: "s", Renamed: "r"},
			&refAll{}},
		{nil, (*refAll)(nil)},
		{"not a struct", &refAll{Doc: "arn:aws:iam::111122223333:user/u"}},
	}
	for i, tc := range cases {
		wantIn, wantOut := refParams(tc.in), refParams(tc.out)
		p := paramsEncoder{caller: "111122223333"}
		gotIn, gotOut := p.encode(tc.in, 0), p.encode(tc.out, 0)
		for _, x := range []struct {
			got  []byte
			want map[string]any
		}{{gotIn, wantIn}, {gotOut, wantOut}} {
			want := []byte(nil)
			if x.want != nil {
				var err error
				if want, err = json.Marshal(x.want); err != nil {
					t.Fatal(err)
				}
			}
			if string(x.got) != string(want) {
				t.Errorf("case %d:\n got  %s\n want %s", i, x.got, want)
			}
		}
		if got, want := p.resources, refResources(wantIn, wantOut); !slices.Equal(got, want) {
			t.Errorf("case %d: resources\n got  %v\n want %v", i, got, want)
		}
	}
}
