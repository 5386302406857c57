package integration

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// createMemberAccount creates an account in the caller's organization
// through CreateAccount (email NAME@example.com) and waits until
// DescribeCreateAccountStatus says SUCCEEDED; it returns the account ID.
func createMemberAccount(t *testing.T, orgs *organizations.Client, name string) string {
	t.Helper()
	ctx := context.Background()
	st := must[*organizations.CreateAccountOutput](t)(orgs.CreateAccount(ctx, &organizations.CreateAccountInput{
		AccountName: aws.String(name), Email: aws.String(name + "@example.com")}))
	for range 100 {
		d := must[*organizations.DescribeCreateAccountStatusOutput](t)(orgs.DescribeCreateAccountStatus(ctx,
			&organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: st.CreateAccountStatus.Id}))
		if d.CreateAccountStatus.State == orgtypes.CreateAccountStateSucceeded {
			return *d.CreateAccountStatus.AccountId
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("account %s not created", name)
	return ""
}
