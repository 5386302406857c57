package org

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/openpca/openpca/internal/store"
)

// TestCreateAccountAtomic makes one step of CreateAccount fail (a trigger
// aborts the insert) and checks that the earlier steps left nothing behind.
func TestCreateAccountAtomic(t *testing.T) {
	tests := []struct {
		name, table string
	}{
		{"access role fails", "iam_roles"},
		{"membership fails", "org_members"},
		{"tags fail", "org_tags"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			m := e.roots[acctM]
			must(e.svc.CreateOrganization(e.ctx, m, &CreateOrganizationInput{}))
			before := must(e.svc.ListAccounts(e.ctx, m, &ListInput{}))
			trigger := []string{`CREATE TRIGGER fail_step BEFORE INSERT ON ` + tc.table + ` BEGIN SELECT RAISE(ABORT, 'injected'); END`}
			if e.db.Engine() == store.Postgres {
				trigger = []string{
					`CREATE FUNCTION fail_step() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected'; END $$`,
					`CREATE TRIGGER fail_step BEFORE INSERT ON ` + tc.table + ` FOR EACH ROW EXECUTE FUNCTION fail_step()`,
				}
			}
			for _, q := range trigger {
				if _, err := e.db.ExecContext(e.ctx, q); err != nil {
					t.Fatal(err)
				}
			}
			out := must(e.svc.CreateAccount(e.ctx, m, &CreateAccountInput{Email: "x@example.com", AccountName: "x", Tags: []Tag{{Key: "team", Value: "pki"}}}))
			st := must(e.svc.DescribeCreateAccountStatus(e.ctx, m, &CreateAccountRequestIdInput{CreateAccountRequestId: out.CreateAccountStatus.Id}))
			if st.CreateAccountStatus.State != "FAILED" || st.CreateAccountStatus.FailureReason != "INTERNAL_FAILURE" || st.CreateAccountStatus.AccountId != "" {
				t.Fatalf("status = %+v", st.CreateAccountStatus)
			}
			all := must(e.iam.ListAccounts(e.ctx))
			for _, a := range all {
				if strings.EqualFold(a.Email, "x@example.com") {
					t.Fatalf("orphan account %s left behind", a.ID)
				}
			}
			after := must(e.svc.ListAccounts(e.ctx, m, &ListInput{}))
			if len(after.Accounts) != len(before.Accounts) {
				t.Fatalf("members %d -> %d", len(before.Accounts), len(after.Accounts))
			}
		})
	}
}

// TestCreateAccountSameEmailConcurrently races requests for one email: one
// account at most may come out of them.
func TestCreateAccountSameEmailConcurrently(t *testing.T) {
	e := newEnv(t)
	m := e.roots[acctM]
	must(e.svc.CreateOrganization(e.ctx, m, &CreateOrganizationInput{}))
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = e.svc.CreateAccount(e.ctx, m, &CreateAccountInput{Email: "Same@example.com", AccountName: fmt.Sprint("a", i)})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got := 0
	for _, a := range must(e.iam.ListAccounts(e.ctx)) {
		if strings.EqualFold(a.Email, "same@example.com") {
			got++
		}
	}
	ok := must(e.svc.ListCreateAccountStatus(e.ctx, m, &ListCreateAccountStatusInput{States: []string{"SUCCEEDED"}}))
	if got != 1 || len(ok.CreateAccountStatuses) != 1 {
		t.Fatalf("accounts with the email = %d, SUCCEEDED requests = %d; want 1 and 1", got, len(ok.CreateAccountStatuses))
	}
}
