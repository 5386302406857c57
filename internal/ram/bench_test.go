package ram

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/openpca/openpca/internal/benchcpu"
	"github.com/openpca/openpca/internal/store/storetest"
)

// benchGrants is a CA in 1,000 shares with 5,000 principals (5 each).
func benchGrants() []shareGrant {
	var gs []shareGrant
	for i := range 1000 {
		g := shareGrant{ShareARN: fmt.Sprintf("arn:aws:ram:us-east-1:111122223333:resource-share/%08d", i), Statements: defaultPermission().Statements}
		for j := range 5 {
			g.Principals = append(g.Principals, fmt.Sprintf("%012d", 200000000000+i*5+j))
		}
		gs = append(gs, g)
	}
	return gs
}

// BenchmarkBuildPolicy is the pure part of recomputing that CA's policy.
func BenchmarkBuildPolicy(b *testing.B) {
	gs := benchGrants()
	benchcpu.Report(b)
	for b.Loop() {
		if buildPolicy(testCA, gs) == "" {
			b.Fatal("empty")
		}
	}
}

// BenchmarkRecomputePolicy is the whole recomputation from the stored
// associations (SQLite), as every share change on that CA pays it.
func BenchmarkRecomputePolicy(b *testing.B) {
	ctx := context.Background()
	db, err := storetest.OpenDir(ctx, b, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	now := time.Unix(1772366400, 0)
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		for _, g := range benchGrants() {
			sh := &shareRow{ARN: g.ShareARN, Region: "us-east-1", Owner: "111122223333", Name: "s", AllowExternal: true,
				Status: "ACTIVE", FeatureSet: "STANDARD", Created: now, Updated: now}
			if err := putShare(ctx, tx, sh); err != nil {
				return err
			}
			if err := putPerm(ctx, tx, "us-east-1", &permRow{ShareARN: sh.ARN, ResourceType: ResourceTypeCA,
				PermissionARN: defaultPermission().arn(), Version: "1", Created: now, Updated: now}); err != nil {
				return err
			}
			if err := putAssoc(ctx, tx, &assocRow{ShareARN: sh.ARN, Region: "us-east-1", Kind: "RESOURCE", Entity: testCA,
				Status: "ASSOCIATED", Created: now, Updated: now}); err != nil {
				return err
			}
			for _, p := range g.Principals {
				if err := putAssoc(ctx, tx, &assocRow{ShareARN: sh.ARN, Region: "us-east-1", Kind: "PRINCIPAL", Entity: p, Account: p,
					Status: "ASSOCIATED", External: true, Created: now, Updated: now}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	s := &Service{d: Deps{DB: db}}
	benchcpu.Report(b)
	for b.Loop() {
		doc, err := s.policyFor(ctx, db, "us-east-1", testCA)
		if err != nil || doc == "" {
			b.Fatal(err)
		}
	}
}
