package iam

import (
	"regexp"
	"testing"
)

func TestIdentifierFormats(t *testing.T) {
	cases := []struct {
		name string
		gen  func() string
		re   string
	}{
		{"user ID", func() string { return newUniqueID(prefixUser) }, `^AIDA[A-Z2-7]{17}$`},
		{"role ID", func() string { return newUniqueID(prefixRole) }, `^AROA[A-Z2-7]{17}$`},
		{"access key", func() string { return newAccessKeyID(prefixAccessKey) }, `^AKIA[A-Z2-7]{16}$`},
		{"session key", func() string { return newAccessKeyID(prefixSession) }, `^ASIA[A-Z2-7]{16}$`},
		{"secret", newSecret, `^[A-Za-z0-9+/]{40}$`},
		{"account", newAccountID, `^[1-9][0-9]{11}$`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			re := regexp.MustCompile(c.re)
			seen := map[string]bool{}
			for range 50 {
				v := c.gen()
				if !re.MatchString(v) {
					t.Fatalf("%q does not match %s", v, c.re)
				}
				if seen[v] {
					t.Fatalf("%q generated twice", v)
				}
				seen[v] = true
			}
		})
	}
}

func TestParseIAMARN(t *testing.T) {
	cases := []struct {
		arn  string
		ok   bool
		want parsedARN
	}{
		{"arn:aws:iam::111122223333:user/bob", true, parsedARN{"iam", "111122223333", "user", "/", "bob"}},
		{"arn:aws:iam::111122223333:role/aws-service-role/acm.amazonaws.com/AWSServiceRoleForCertificateManager", true,
			parsedARN{"iam", "111122223333", "role", "/aws-service-role/acm.amazonaws.com/", "AWSServiceRoleForCertificateManager"}},
		{"arn:aws:iam::aws:policy/aws-service-role/CertificateManagerServiceRolePolicy", true, parsedARN{"iam", "aws", "policy", "/aws-service-role/", "CertificateManagerServiceRolePolicy"}},
		{"arn:aws:iam::111122223333:root", true, parsedARN{"iam", "111122223333", "root", "", ""}},
		{"arn:aws:sts::111122223333:assumed-role/r/s", true, parsedARN{"sts", "111122223333", "assumed-role", "/", "r/s"}},
		{"arn:aws:iam::111122223333:user/", false, parsedARN{}},
		{"arn:aws:s3:::bucket", false, parsedARN{}},
		{"not an arn", false, parsedARN{}},
	}
	for _, c := range cases {
		t.Run(c.arn, func(t *testing.T) {
			got, ok := parseIAMARN(c.arn)
			if ok != c.ok || got != c.want {
				t.Fatalf("parseIAMARN = %+v, %v; want %+v, %v", got, ok, c.want, c.ok)
			}
		})
	}
}
