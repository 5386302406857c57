package ram

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/openpca/openpca/internal/store/storetest"
)

// TestBatchedReads: the IN-list reads split long lists into batches and
// still answer every share, in the order asked, with its own rows.
func TestBatchedReads(t *testing.T) {
	ctx := context.Background()
	db, err := storetest.OpenDir(ctx, t, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Unix(1772366400, 0)
	n := 2*assocBatch + 7
	var arns []string
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		for i := range n {
			arn := fmt.Sprintf("arn:aws:ram:us-east-1:111122223333:resource-share/%08d", i)
			arns = append(arns, arn)
			if err := putShare(ctx, tx, &shareRow{ARN: arn, Region: "us-east-1", Owner: "111122223333", Name: fmt.Sprint(i),
				Status: "ACTIVE", FeatureSet: "STANDARD", Created: now.Add(time.Duration(i)), Updated: now}); err != nil {
				return err
			}
			for _, a := range []*assocRow{{Kind: "RESOURCE", Entity: fmt.Sprintf("ca-%d", i%3)}, {Kind: "PRINCIPAL", Entity: "222233334444", Account: "222233334444"},
				{Kind: "PRINCIPAL", Entity: "333344445555", Account: "333344445555", Status: "DISASSOCIATED"}} {
				a.ShareARN, a.Region, a.Created, a.Updated = arn, "us-east-1", now, now
				if a.Status == "" {
					a.Status = "ASSOCIATED"
				}
				if err := putAssoc(ctx, tx, a); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Asked in reverse: answered in reverse.
	rev := make([]string, n)
	for i, a := range arns {
		rev[n-1-i] = a
	}
	shs, err := sharesByARN(ctx, db, rev)
	if err != nil || len(shs) != n || shs[0].ARN != arns[n-1] || shs[n-1].ARN != arns[0] {
		t.Fatalf("sharesByARN: %d shares, err %v", len(shs), err)
	}
	by, err := assocsOfShares(ctx, db, arns, "")
	if err != nil || len(by) != n {
		t.Fatalf("assocsOfShares: %d shares, err %v", len(by), err)
	}
	for i, arn := range arns {
		if len(by[arn]) != 2 {
			t.Fatalf("%s: %d ASSOCIATED rows, want 2", arn, len(by[arn]))
		}
		res, err := resourcesOfShares(ctx, db, []string{arn})
		if err != nil || len(res[arn]) != 1 || res[arn][0] != fmt.Sprintf("ca-%d", i%3) {
			t.Fatalf("resourcesOfShares %s: %v %v", arn, res, err)
		}
	}
	res, err := resourcesOfShares(ctx, db, arns)
	if err != nil || len(res) != n {
		t.Fatalf("resourcesOfShares: %d shares, err %v", len(res), err)
	}
	page, err := ownerAssocs(ctx, db, assocFilter{Region: "us-east-1", Owner: "111122223333", Kind: "RESOURCE", Entity: "ca-1"}, 10, 5)
	if err != nil || len(page) != 5 || page[0].Share.ARN != arns[31] || page[4].Share.ARN != arns[43] {
		t.Fatalf("ownerAssocs page: %d rows, err %v", len(page), err)
	}
}
