package ram

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/openpca/openpca/internal/store"
)

// All of RAM's SQL. Rows are small; list operations load a region's rows
// of one owner (or one receiver) and filter in Go.

type querier interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

type shareRow struct {
	ARN, Region, Owner, Name string
	AllowExternal, Retain    bool
	Status, FeatureSet       string
	Tags                     []Tag
	SourcePolicy             string
	Created, Updated         time.Time
}

type assocRow struct {
	ShareARN, Region, Kind, Entity, Account string
	Status, Message                         string
	External                                bool
	ViaOrg                                  string // organization the association depends on
	Created, Updated                        time.Time
}

type permRow struct {
	ShareARN, ResourceType, PermissionARN, Version string
	Created, Updated                               time.Time
}

type invRow struct {
	ARN, Region, ShareARN, Sender, Receiver, ReceiverARN, Status string
	Created, Updated, Expires                                    time.Time
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

const shareCols = `arn, region, owner, name, allow_external, retain_on_leave, status, feature_set, tags, source_policy, created_at, updated_at`

func scanShares(rows *sql.Rows, err error) ([]*shareRow, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*shareRow
	for rows.Next() {
		var r shareRow
		var ext, ret, c, u int64
		var tags string
		if err := rows.Scan(&r.ARN, &r.Region, &r.Owner, &r.Name, &ext, &ret, &r.Status, &r.FeatureSet, &tags, &r.SourcePolicy, &c, &u); err != nil {
			return nil, err
		}
		r.AllowExternal, r.Retain = ext != 0, ret != 0
		r.Created, r.Updated = store.Time(c), store.Time(u)
		if err := json.Unmarshal([]byte(tags), &r.Tags); err != nil {
			return nil, err
		}
		out = append(out, &r)
	}
	return out, rows.Err()
}

func getShare(ctx context.Context, q querier, arn string) (*shareRow, error) {
	rs, err := scanShares(q.QueryContext(ctx, `SELECT `+shareCols+` FROM ram_shares WHERE arn = $1`, arn))
	if err != nil || len(rs) == 0 {
		return nil, err
	}
	return rs[0], nil
}

func sharesOf(ctx context.Context, q querier, region, owner string) ([]*shareRow, error) {
	return scanShares(q.QueryContext(ctx, `SELECT `+shareCols+` FROM ram_shares WHERE region = $1 AND owner = $2 ORDER BY created_at, arn`, region, owner))
}

func putShare(ctx context.Context, q querier, r *shareRow) error {
	if r.Tags == nil {
		r.Tags = []Tag{}
	}
	tags, _ := json.Marshal(r.Tags)
	_, err := q.ExecContext(ctx, `INSERT INTO ram_shares (`+shareCols+`) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)
		ON CONFLICT (arn) DO UPDATE SET name = excluded.name, allow_external = excluded.allow_external,
			retain_on_leave = excluded.retain_on_leave, status = excluded.status, feature_set = excluded.feature_set,
			tags = excluded.tags, source_policy = excluded.source_policy, updated_at = excluded.updated_at`,
		r.ARN, r.Region, r.Owner, r.Name, b2i(r.AllowExternal), b2i(r.Retain), r.Status, r.FeatureSet, string(tags),
		r.SourcePolicy, store.Nanos(r.Created), store.Nanos(r.Updated))
	return err
}

const assocCols = `share_arn, region, kind, entity, account, status, message, external, created_at, updated_at, via_org`

func scanAssocs(rows *sql.Rows, err error) ([]*assocRow, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*assocRow
	for rows.Next() {
		var r assocRow
		var ext, c, u int64
		if err := rows.Scan(&r.ShareARN, &r.Region, &r.Kind, &r.Entity, &r.Account, &r.Status, &r.Message, &ext, &c, &u, &r.ViaOrg); err != nil {
			return nil, err
		}
		r.External = ext != 0
		r.Created, r.Updated = store.Time(c), store.Time(u)
		out = append(out, &r)
	}
	return out, rows.Err()
}

func assocsOfShare(ctx context.Context, q querier, shareARN string) ([]*assocRow, error) {
	return scanAssocs(q.QueryContext(ctx, `SELECT `+assocCols+` FROM ram_associations WHERE share_arn = $1 ORDER BY created_at, entity`, shareARN))
}

// assocsOfEntity lists every share's association of one resource or principal.
func assocsOfEntity(ctx context.Context, q querier, region, kind, entity string) ([]*assocRow, error) {
	return scanAssocs(q.QueryContext(ctx, `SELECT `+assocCols+` FROM ram_associations WHERE region = $1 AND kind = $2 AND entity = $3 ORDER BY share_arn`, region, kind, entity))
}

// associatedPrincipals lists the ASSOCIATED principal rows of a region.
func associatedPrincipals(ctx context.Context, q querier, region string) ([]*assocRow, error) {
	return scanAssocs(q.QueryContext(ctx, `SELECT `+assocCols+` FROM ram_associations WHERE region = $1 AND kind = 'PRINCIPAL' AND status = 'ASSOCIATED' ORDER BY share_arn`, region))
}

func putAssoc(ctx context.Context, q querier, r *assocRow) error {
	_, err := q.ExecContext(ctx, `INSERT INTO ram_associations (`+assocCols+`) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)
		ON CONFLICT (share_arn, kind, entity) DO UPDATE SET account = excluded.account, status = excluded.status,
			message = excluded.message, external = excluded.external, updated_at = excluded.updated_at, via_org = excluded.via_org`,
		r.ShareARN, r.Region, r.Kind, r.Entity, r.Account, r.Status, r.Message, b2i(r.External), store.Nanos(r.Created), store.Nanos(r.Updated), r.ViaOrg)
	return err
}

func permsOfShare(ctx context.Context, q querier, shareARN string) ([]*permRow, error) {
	rows, err := q.QueryContext(ctx, `SELECT share_arn, resource_type, permission_arn, version, created_at, updated_at
		FROM ram_share_permissions WHERE share_arn = $1 ORDER BY resource_type`, shareARN)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*permRow
	for rows.Next() {
		var r permRow
		var c, u int64
		if err := rows.Scan(&r.ShareARN, &r.ResourceType, &r.PermissionARN, &r.Version, &c, &u); err != nil {
			return nil, err
		}
		r.Created, r.Updated = store.Time(c), store.Time(u)
		out = append(out, &r)
	}
	return out, rows.Err()
}

func putPerm(ctx context.Context, q querier, region string, r *permRow) error {
	_, err := q.ExecContext(ctx, `INSERT INTO ram_share_permissions (share_arn, region, resource_type, permission_arn, version, created_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (share_arn, resource_type) DO UPDATE SET permission_arn = excluded.permission_arn,
			version = excluded.version, updated_at = excluded.updated_at`,
		r.ShareARN, region, r.ResourceType, r.PermissionARN, r.Version, store.Nanos(r.Created), store.Nanos(r.Updated))
	return err
}

func deletePerm(ctx context.Context, q querier, shareARN, resourceType string) error {
	_, err := q.ExecContext(ctx, `DELETE FROM ram_share_permissions WHERE share_arn = $1 AND resource_type = $2`, shareARN, resourceType)
	return err
}

const invCols = `arn, region, share_arn, sender, receiver, receiver_arn, status, created_at, updated_at, expires_at`

func scanInvs(rows *sql.Rows, err error) ([]*invRow, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*invRow
	for rows.Next() {
		var r invRow
		var c, u, e int64
		if err := rows.Scan(&r.ARN, &r.Region, &r.ShareARN, &r.Sender, &r.Receiver, &r.ReceiverARN, &r.Status, &c, &u, &e); err != nil {
			return nil, err
		}
		r.Created, r.Updated, r.Expires = store.Time(c), store.Time(u), store.Time(e)
		out = append(out, &r)
	}
	return out, rows.Err()
}

func getInv(ctx context.Context, q querier, arn string) (*invRow, error) {
	rs, err := scanInvs(q.QueryContext(ctx, `SELECT `+invCols+` FROM ram_invitations WHERE arn = $1`, arn))
	if err != nil || len(rs) == 0 {
		return nil, err
	}
	return rs[0], nil
}

func invsOfReceiver(ctx context.Context, q querier, region, receiver string) ([]*invRow, error) {
	return scanInvs(q.QueryContext(ctx, `SELECT `+invCols+` FROM ram_invitations WHERE region = $1 AND receiver = $2 ORDER BY created_at, arn`, region, receiver))
}

func invsOfShare(ctx context.Context, q querier, shareARN string) ([]*invRow, error) {
	return scanInvs(q.QueryContext(ctx, `SELECT `+invCols+` FROM ram_invitations WHERE share_arn = $1 ORDER BY created_at, arn`, shareARN))
}

// expiredInvs lists PENDING invitations whose time is up, in any region.
func expiredInvs(ctx context.Context, q querier, now time.Time) ([]*invRow, error) {
	return scanInvs(q.QueryContext(ctx, `SELECT `+invCols+` FROM ram_invitations WHERE status = 'PENDING' AND expires_at <= $1`, store.Nanos(now)))
}

func countPendingSent(ctx context.Context, q querier, region, sender string) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM ram_invitations WHERE region = $1 AND sender = $2 AND status = 'PENDING'`, region, sender).Scan(&n)
	return n, err
}

func putInv(ctx context.Context, q querier, r *invRow) error {
	_, err := q.ExecContext(ctx, `INSERT INTO ram_invitations (`+invCols+`) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)
		ON CONFLICT (arn) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at`,
		r.ARN, r.Region, r.ShareARN, r.Sender, r.Receiver, r.ReceiverARN, r.Status, store.Nanos(r.Created), store.Nanos(r.Updated), store.Nanos(r.Expires))
	return err
}

// tokenScope is the stored form of a token scope: PostgreSQL text cannot
// hold the NUL separators the service joins scopes with.
func tokenScope(scope string) string { return strings.ReplaceAll(scope, "\x00", "\x1f") }

// clientToken returns the recorded fingerprint and answer of a token scope.
func clientToken(ctx context.Context, q querier, scope string) (fp, answer string, ok bool, err error) {
	err = q.QueryRowContext(ctx, `SELECT fingerprint, answer FROM ram_client_tokens WHERE scope = $1`, tokenScope(scope)).Scan(&fp, &answer)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", false, nil
	}
	return fp, answer, err == nil, err
}

func putClientToken(ctx context.Context, q querier, scope, region, fp, answer string, now time.Time) error {
	_, err := q.ExecContext(ctx, `INSERT INTO ram_client_tokens (scope, region, fingerprint, answer, created_at) VALUES ($1,$2,$3,$4,$5)`,
		tokenScope(scope), region, fp, answer, store.Nanos(now))
	return err
}

// grantsRows reads, in two queries, the ACTIVE shares holding a resource
// (ASSOCIATED) with their CA permission, and their ASSOCIATED principals:
// all a policy recomputation needs.
func grantsRows(ctx context.Context, q querier, region, entity string) ([]*shareRow, map[string]string, []*assocRow, error) {
	rows, err := q.QueryContext(ctx, `SELECT s.arn, s.name, s.feature_set, s.source_policy, COALESCE(p.permission_arn, '')
		FROM ram_associations a JOIN ram_shares s ON s.arn = a.share_arn
		LEFT JOIN ram_share_permissions p ON p.share_arn = s.arn AND p.resource_type = $3
		WHERE a.region = $1 AND a.kind = 'RESOURCE' AND a.entity = $2 AND a.status = 'ASSOCIATED' AND s.status = 'ACTIVE'`,
		region, entity, ResourceTypeCA)
	if err != nil {
		return nil, nil, nil, err
	}
	defer rows.Close()
	var shares []*shareRow
	perms := map[string]string{}
	for rows.Next() {
		var r shareRow
		var perm string
		if err := rows.Scan(&r.ARN, &r.Name, &r.FeatureSet, &r.SourcePolicy, &perm); err != nil {
			return nil, nil, nil, err
		}
		shares = append(shares, &r)
		perms[r.ARN] = perm
	}
	if err := rows.Err(); err != nil {
		return nil, nil, nil, err
	}
	// Only the columns a policy needs: this is the hot loop for big shares.
	prow, err := q.QueryContext(ctx, `SELECT b.share_arn, b.entity, b.via_org
		FROM ram_associations a JOIN ram_associations b ON b.share_arn = a.share_arn
		WHERE a.region = $1 AND a.kind = 'RESOURCE' AND a.entity = $2 AND a.status = 'ASSOCIATED'
			AND b.kind = 'PRINCIPAL' AND b.status = 'ASSOCIATED'`, region, entity)
	if err != nil {
		return nil, nil, nil, err
	}
	defer prow.Close()
	var principals []*assocRow
	for prow.Next() {
		a := &assocRow{Kind: "PRINCIPAL", Status: "ASSOCIATED"}
		if err := prow.Scan(&a.ShareARN, &a.Entity, &a.ViaOrg); err != nil {
			return nil, nil, nil, err
		}
		principals = append(principals, a)
	}
	err = prow.Err()
	return shares, perms, principals, err
}
