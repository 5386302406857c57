package ram

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
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
	// PrincipalID is the unique ID of an IAM user or role principal when
	// it was associated ('' otherwise): the policy names it, not the ARN.
	PrincipalID      string
	Created, Updated time.Time
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

const assocCols = `share_arn, region, kind, entity, account, status, message, external, created_at, updated_at, via_org, principal_id`

// assocDest returns the scan destinations of assocCols and a function
// that finishes the row after the scan.
func assocDest(r *assocRow) ([]any, func()) {
	var ext, c, u int64
	return []any{&r.ShareARN, &r.Region, &r.Kind, &r.Entity, &r.Account, &r.Status, &r.Message, &ext, &c, &u, &r.ViaOrg, &r.PrincipalID},
		func() { r.External, r.Created, r.Updated = ext != 0, store.Time(c), store.Time(u) }
}

func scanAssocs(rows *sql.Rows, err error) ([]*assocRow, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*assocRow
	for rows.Next() {
		var r assocRow
		dest, done := assocDest(&r)
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		done()
		out = append(out, &r)
	}
	return out, rows.Err()
}

// prefixed qualifies a column list with a table alias.
func prefixed(cols, alias string) string {
	return alias + "." + strings.ReplaceAll(cols, ", ", ", "+alias+".")
}

// sharedAssoc is an association with the share it belongs to.
type sharedAssoc struct {
	Share *shareRow
	Assoc *assocRow
}

// scanSharedAssocs reads rows of assocCols followed by shareCols; each
// share is decoded once however many of its rows come.
func scanSharedAssocs(rows *sql.Rows, err error) ([]sharedAssoc, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []sharedAssoc
	shares := map[string]*shareRow{}
	for rows.Next() {
		var a assocRow
		var sh shareRow
		var ext, ret, c, u int64
		var tags string
		dest, done := assocDest(&a)
		dest = append(dest, &sh.ARN, &sh.Region, &sh.Owner, &sh.Name, &ext, &ret, &sh.Status, &sh.FeatureSet, &tags, &sh.SourcePolicy, &c, &u)
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		done()
		p := shares[sh.ARN]
		if p == nil {
			sh.AllowExternal, sh.Retain = ext != 0, ret != 0
			sh.Created, sh.Updated = store.Time(c), store.Time(u)
			if err := json.Unmarshal([]byte(tags), &sh.Tags); err != nil {
				return nil, err
			}
			p = &sh
			shares[sh.ARN] = p
		}
		out = append(out, sharedAssoc{Share: p, Assoc: &a})
	}
	return out, rows.Err()
}

// assocFilter selects associations of an owner's shares in a region.
type assocFilter struct {
	Region, Owner, Kind string
	Entity, Status      string   // "" = any
	ShareARNs           []string // none = all the owner's shares
}

// ownerAssocs lists, with their shares, the associations f selects in
// share then association order, rows [off, off+limit) of them; only a
// page is read and decoded.
func ownerAssocs(ctx context.Context, q querier, f assocFilter, off, limit int) ([]sharedAssoc, error) {
	// CROSS JOIN keeps SQLite on the owner's shares in creation order
	// (ram_shares_owner_created), probing each share's rows by key, so a
	// page stops early; PostgreSQL plans it as a plain join.
	query := `SELECT ` + prefixed(assocCols, "a") + `, ` + prefixed(shareCols, "s") + `
		FROM ram_shares s CROSS JOIN ram_associations a
		WHERE a.share_arn = s.arn AND s.region = $1 AND s.owner = $2 AND a.kind = $3`
	args := []any{f.Region, f.Owner, f.Kind}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.Entity != "" {
		query += ` AND a.entity = ` + arg(f.Entity)
	}
	if f.Status != "" {
		query += ` AND a.status = ` + arg(f.Status)
	}
	if len(f.ShareARNs) > 0 {
		var in string
		args, in = inList(args, f.ShareARNs)
		query += ` AND s.arn IN (` + in + `)`
	}
	query += ` ORDER BY s.created_at, s.arn, a.created_at, a.entity LIMIT ` + arg(limit) + ` OFFSET ` + arg(off)
	return scanSharedAssocs(q.QueryContext(ctx, query, args...))
}

// receivedRows lists the ASSOCIATED principal rows that may make account a
// member of an ACTIVE, STANDARD share of another account: its own rows
// (account, user, role) and every organization or OU row (empty
// account), oldest share first.
func receivedRows(ctx context.Context, q querier, region, account string) ([]*assocRow, error) {
	return scanAssocs(q.QueryContext(ctx, `SELECT `+prefixed(assocCols, "a")+`
		FROM ram_associations a JOIN ram_shares s ON s.arn = a.share_arn
		WHERE a.region = $1 AND a.account IN ($2, '') AND a.kind = 'PRINCIPAL' AND a.status = 'ASSOCIATED'
			AND s.owner <> $2 AND s.status = 'ACTIVE' AND s.feature_set = 'STANDARD'
		ORDER BY s.created_at, s.arn, a.created_at, a.entity`, region, account))
}

// inList appends args as $n placeholders joined for an IN list.
func inList(args []any, vals []string) ([]any, string) {
	var b strings.Builder
	for i, v := range vals {
		if i > 0 {
			b.WriteString(",")
		}
		args = append(args, v)
		b.WriteString("$" + strconv.Itoa(len(args)))
	}
	return args, b.String()
}

// sharesByARN loads shares by ARN, a few queries in all, in arns' order.
func sharesByARN(ctx context.Context, q querier, arns []string) ([]*shareRow, error) {
	got := map[string]*shareRow{}
	for rest := arns; len(rest) > 0; {
		n := min(len(rest), assocBatch)
		args, in := inList(nil, rest[:n])
		rs, err := scanShares(q.QueryContext(ctx, `SELECT `+shareCols+` FROM ram_shares WHERE arn IN (`+in+`)`, args...))
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			got[r.ARN] = r
		}
		rest = rest[n:]
	}
	out := make([]*shareRow, 0, len(arns))
	for _, arn := range arns {
		if r := got[arn]; r != nil {
			out = append(out, r)
		}
	}
	return out, nil
}

// assocBatch bounds the share ARNs of one IN list.
const assocBatch = 500

// assocsOfShares lists the ASSOCIATED associations of many shares, of
// one kind unless kind is "", a few queries in all, grouped by share.
func assocsOfShares(ctx context.Context, q querier, shareARNs []string, kind string) (map[string][]*assocRow, error) {
	by := map[string][]*assocRow{}
	for len(shareARNs) > 0 {
		n := min(len(shareARNs), assocBatch)
		args, in := inList(nil, shareARNs[:n])
		query := `SELECT ` + assocCols + ` FROM ram_associations WHERE share_arn IN (` + in + `) AND status = 'ASSOCIATED'`
		if kind != "" {
			args = append(args, kind)
			query += ` AND kind = $` + strconv.Itoa(len(args))
		}
		rs, err := scanAssocs(q.QueryContext(ctx, query+` ORDER BY share_arn, created_at, entity`, args...))
		if err != nil {
			return nil, err
		}
		for _, a := range rs {
			by[a.ShareARN] = append(by[a.ShareARN], a)
		}
		shareARNs = shareARNs[n:]
	}
	return by, nil
}

// resourcesOfShares lists the ASSOCIATED resource ARNs of many shares,
// grouped by share: the two columns SharedWith needs.
func resourcesOfShares(ctx context.Context, q querier, shareARNs []string) (map[string][]string, error) {
	by := map[string][]string{}
	for len(shareARNs) > 0 {
		n := min(len(shareARNs), assocBatch)
		args, in := inList(nil, shareARNs[:n])
		rows, err := q.QueryContext(ctx, `SELECT share_arn, entity FROM ram_associations
			WHERE share_arn IN (`+in+`) AND kind = 'RESOURCE' AND status = 'ASSOCIATED' ORDER BY share_arn, created_at, entity`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var sh, e string
			if err := rows.Scan(&sh, &e); err != nil {
				rows.Close()
				return nil, err
			}
			by[sh] = append(by[sh], e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		shareARNs = shareARNs[n:]
	}
	return by, nil
}

func assocsOfShare(ctx context.Context, q querier, shareARN string) ([]*assocRow, error) {
	return scanAssocs(q.QueryContext(ctx, `SELECT `+assocCols+` FROM ram_associations WHERE share_arn = $1 ORDER BY created_at, entity`, shareARN))
}

// assocsOfEntity lists every share's association of one resource or principal.
func assocsOfEntity(ctx context.Context, q querier, region, kind, entity string) ([]*assocRow, error) {
	return scanAssocs(q.QueryContext(ctx, `SELECT `+assocCols+` FROM ram_associations WHERE region = $1 AND kind = $2 AND entity = $3 ORDER BY share_arn`, region, kind, entity))
}

func putAssoc(ctx context.Context, q querier, r *assocRow) error {
	_, err := q.ExecContext(ctx, `INSERT INTO ram_associations (`+assocCols+`) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)
		ON CONFLICT (share_arn, kind, entity) DO UPDATE SET account = excluded.account, status = excluded.status,
			message = excluded.message, external = excluded.external, updated_at = excluded.updated_at, via_org = excluded.via_org,
			principal_id = excluded.principal_id`,
		r.ShareARN, r.Region, r.Kind, r.Entity, r.Account, r.Status, r.Message, b2i(r.External), store.Nanos(r.Created), store.Nanos(r.Updated), r.ViaOrg,
		r.PrincipalID)
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
	prow, err := q.QueryContext(ctx, `SELECT b.share_arn, b.entity, b.via_org, b.principal_id
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
		if err := prow.Scan(&a.ShareARN, &a.Entity, &a.ViaOrg, &a.PrincipalID); err != nil {
			return nil, nil, nil, err
		}
		principals = append(principals, a)
	}
	err = prow.Err()
	return shares, perms, principals, err
}
