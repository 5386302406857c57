package iam

import (
	"context"
	"database/sql"
	"errors"
	"github.com/openpca/openpca/internal/store"
)

// boundaryTable names the table of the entity kinds that take a
// permissions boundary.
var boundaryTable = map[string]string{"user": "iam_users", "role": "iam_roles"}

// boundaryOf returns a user's or role's permissions boundary ARN, "" if none.
func (s *Store) boundaryOf(ctx context.Context, q querier, kind, id string) (string, error) {
	var arn string
	err := q.QueryRowContext(ctx, `SELECT permissions_boundary FROM `+boundaryTable[kind]+` WHERE id = $1`, id).Scan(&arn)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return arn, err
}

// setBoundary sets ("" clears) a user's or role's permissions boundary.
func (s *Store) setBoundary(ctx context.Context, q querier, kind, id, arn string) error {
	_, err := q.ExecContext(ctx, `UPDATE `+boundaryTable[kind]+` SET permissions_boundary = $1 WHERE id = $2`, arn, id)
	return err
}

// countBoundaryUses counts the users and roles a policy bounds.
func (s *Store) countBoundaryUses(ctx context.Context, q querier, arn string) (int, error) {
	return count(ctx, q, `SELECT (SELECT COUNT(*) FROM iam_users WHERE permissions_boundary = $1) + (SELECT COUNT(*) FROM iam_roles WHERE permissions_boundary = $1)`, arn)
}

// countBoundaryUsesIn counts the users and roles of one account a policy
// bounds (PermissionsBoundaryUsageCount).
func (s *Store) countBoundaryUsesIn(ctx context.Context, q querier, acct, arn string) (int, error) {
	return count(ctx, q, `SELECT (SELECT COUNT(*) FROM iam_users WHERE account_id = $1 AND permissions_boundary = $2) + (SELECT COUNT(*) FROM iam_roles WHERE account_id = $1 AND permissions_boundary = $2)`, acct, arn)
}

// boundaryCounts counts an account's users and roles per boundary policy ARN.
func (s *Store) boundaryCounts(ctx context.Context, q querier, acct string) (map[string]int, error) {
	type pair struct {
		arn string
		n   int
	}
	rows, err := store.QueryAll(ctx, q, func(sc scanner) (pair, error) {
		var p pair
		err := sc.Scan(&p.arn, &p.n)
		return p, err
	}, `SELECT permissions_boundary, COUNT(*) FROM iam_users WHERE account_id = $1 AND permissions_boundary <> '' GROUP BY permissions_boundary
		UNION ALL
		SELECT permissions_boundary, COUNT(*) FROM iam_roles WHERE account_id = $1 AND permissions_boundary <> '' GROUP BY permissions_boundary`, acct)
	if err != nil {
		return nil, err
	}
	out := make(map[string]int, len(rows))
	for _, p := range rows {
		out[p.arn] += p.n
	}
	return out, nil
}
