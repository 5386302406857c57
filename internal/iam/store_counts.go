package iam

import (
	"context"
	"github.com/openpca/openpca/internal/store"
)

// Counts and clean-ups the services check inside their transactions.

// countAccessKeys counts a user's (or, with userID "", the root's) keys.
func (s *Store) countAccessKeys(ctx context.Context, q querier, acct, userID string) (int, error) {
	return count(ctx, q, `SELECT COUNT(*) FROM iam_access_keys WHERE account_id = $1 AND user_id = $2`, acct, userID)
}

// countEntities counts an account's users or groups.
func (s *Store) countEntities(ctx context.Context, q querier, kind, acct string) (int, error) {
	return count(ctx, q, `SELECT COUNT(*) FROM `+entityTable[kind]+` WHERE account_id = $1`, acct)
}

// countRoles counts an account's roles.
func (s *Store) countRoles(ctx context.Context, q querier, acct string) (int, error) {
	return count(ctx, q, `SELECT COUNT(*) FROM iam_roles WHERE account_id = $1`, acct)
}

// countPolicies counts an account's customer-managed policies.
func (s *Store) countPolicies(ctx context.Context, q querier, acct string) (int, error) {
	return count(ctx, q, `SELECT COUNT(*) FROM iam_policies WHERE account_id = $1`, acct)
}

// policyNameTaken reports whether the account has a policy named name
// (case-insensitively).
func (s *Store) policyNameTaken(ctx context.Context, q querier, acct, name string) (bool, error) {
	n, err := count(ctx, q, `SELECT COUNT(*) FROM iam_policies WHERE account_id = $1 AND name_lower = $2`, acct, lowerKey(name))
	return n > 0, err
}

// countPolicyVersions counts a policy's versions.
func (s *Store) countPolicyVersions(ctx context.Context, q querier, policyID string) (int, error) {
	return count(ctx, q, `SELECT COUNT(*) FROM iam_policy_versions WHERE policy_id = $1`, policyID)
}

// countAttachmentsIn counts the attachments of policyARN in one account.
func (s *Store) countAttachmentsIn(ctx context.Context, q querier, acct, policyARN string) (int, error) {
	return count(ctx, q, `SELECT COUNT(*) FROM iam_attachments WHERE account_id = $1 AND policy_arn = $2`, acct, policyARN)
}

// countAttachments counts the attachments of policyARN in every account.
func (s *Store) countAttachments(ctx context.Context, q querier, policyARN string) (int, error) {
	return count(ctx, q, `SELECT COUNT(*) FROM iam_attachments WHERE policy_arn = $1`, policyARN)
}

// attachmentCounts counts an account's attachments per policy ARN.
func (s *Store) attachmentCounts(ctx context.Context, q querier, acct string) (map[string]int, error) {
	type pair struct {
		arn string
		n   int
	}
	rows, err := store.QueryAll(ctx, q, func(sc scanner) (pair, error) {
		var p pair
		err := sc.Scan(&p.arn, &p.n)
		return p, err
	}, `SELECT policy_arn, COUNT(*) FROM iam_attachments WHERE account_id = $1 GROUP BY policy_arn`, acct)
	if err != nil {
		return nil, err
	}
	out := make(map[string]int, len(rows))
	for _, p := range rows {
		out[p.arn] = p.n
	}
	return out, nil
}

// dependent names what can keep an entity from being deleted.
type dependent int

const (
	depAccessKeys     dependent = iota // a user's access keys
	depInlinePolicies                  // an entity's inline policies
	depAttachments                     // an entity's attached managed policies
	depGroupMembers                    // a group's members
	depGroups                          // a user's groups
	depMFADevices                      // a user's enabled MFA devices
)

var dependentCount = map[dependent]string{
	depAccessKeys:     `SELECT COUNT(*) FROM iam_access_keys WHERE user_id = $1`,
	depInlinePolicies: `SELECT COUNT(*) FROM iam_inline_policies WHERE entity_id = $1`,
	depAttachments:    `SELECT COUNT(*) FROM iam_attachments WHERE entity_id = $1`,
	depGroupMembers:   `SELECT COUNT(*) FROM iam_group_members WHERE group_id = $1`,
	depGroups:         `SELECT COUNT(*) FROM iam_group_members WHERE user_id = $1`,
	depMFADevices:     `SELECT COUNT(*) FROM iam_mfa_devices WHERE user_id = $1`,
}

// countDependents counts the rows of kind d that belong to entity id.
func (s *Store) countDependents(ctx context.Context, q querier, d dependent, id string) (int, error) {
	return count(ctx, q, dependentCount[d], id)
}

// deleteUserSessions deletes the sessions a user's keys opened.
func (s *Store) deleteUserSessions(ctx context.Context, q querier, userID string) error {
	_, err := q.ExecContext(ctx, `DELETE FROM iam_sessions WHERE user_id = $1`, userID)
	s.wrote(q)
	return err
}
