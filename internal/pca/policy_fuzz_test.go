package pca

import (
	"errors"
	"strings"
	"testing"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/pki"
)

// FuzzPutPolicyDocument: PutPolicy never panics, and a rejected document is
// never stored (the earlier policy stays in place).
func FuzzPutPolicyDocument(f *testing.F) {
	for _, name := range []string{"policy_account_share.json", "policy_org_share.json"} {
		b, err := readTestdata(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add(stmt(`"Effect":"Allow","Principal":"*","Action":"acm-pca:IssueCertificate",` + onCA + orgCond))
	f.Add(stmt(`"Effect":"Deny","Principal":"*","Action":"acm-pca:*",` + onCA))
	f.Add(`{"Version":"2012-10-17","Statement":[]}`)
	f.Add(`{"Statement":{"Effect":"Allow","Principal":{"AWS":["1"]},"Action":"acm-pca:Get*","Resource":"*"}}`)
	f.Add("\xff\xfe{")

	w := newWorld()
	e := newWorldEnv(f, w)
	ca := e.create("ROOT", pki.ECPrime256v1, "fuzz")
	owner := rootCaller(acct)
	baseline := accountShare(f, ca, acctB)
	if err := e.put(owner, ca, baseline); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		// The fuzzed text may name this CA wherever the seeds name docCA.
		doc = strings.ReplaceAll(doc, docCA, ca)
		err := e.put(owner, ca, doc)
		got, gerr := e.svc.GetPolicy(bg, owner, &GetPolicyInput{ResourceArn: ca})
		if gerr != nil {
			t.Fatalf("GetPolicy: %v", gerr)
		}
		if err != nil {
			var de *authz.DeniedError
			if !errors.Is(err, ErrInvalidPolicy) && !errors.Is(err, ErrLockoutPrevented) && !errors.As(err, &de) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			if got.Policy != baseline {
				t.Fatalf("a rejected document replaced the policy: %q", got.Policy)
			}
			return
		}
		if got.Policy != doc {
			t.Fatalf("accepted document not stored as sent")
		}
		if _, verr := validatePolicy(doc, ca); verr != nil {
			t.Fatalf("stored a document the validator rejects: %v", verr)
		}
		// Restore the baseline for the next input.
		if err := e.put(owner, ca, baseline); err != nil {
			t.Fatal(err)
		}
	})
}
