package iam

import (
	"context"

	"github.com/openpca/openpca/internal/store"
)

// accountEmails lists every account's email.
func (s *Store) accountEmails(ctx context.Context, q querier) ([]string, error) {
	return store.QueryAll(ctx, q, func(sc scanner) (string, error) {
		var e string
		err := sc.Scan(&e)
		return e, err
	}, `SELECT email FROM accounts`)
}
