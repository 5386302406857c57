package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Copying an embedded (SQLite) store into another database, for
// `openpca admin migrate-store`. The copy is generic: every table of the
// source except SQLite's own and the migrations bookkeeping, every column
// as the source declares it, values converted only as far as the target
// column's type needs (sealed blobs stay byte for byte). It runs in one
// write transaction on the target, so a failure leaves the target empty.

// ErrTargetNotEmpty: the target database already holds OpenPCA rows.
var ErrTargetNotEmpty = errors.New("store: the target database is not empty")

// ErrSchemaVersion: the source or the target is at another schema version
// than this binary's migrations.
var ErrSchemaVersion = errors.New("store: schema version differs from this binary's")

// TableCount is one copied table and its row count.
type TableCount struct {
	Name string
	Rows int64
}

// CopyResult says what CopySQLite copied.
type CopyResult struct {
	SchemaVersion int64
	Tables        []TableCount // in copy order
	Rows          int64
	// Sequences lists the target sequences reset past the copied keys
	// ("table.column").
	Sequences []string
	// Uncopied lists the target's tables the source has none of (left
	// empty): a table only one engine's migrations create.
	Uncopied []string
	Elapsed  time.Duration
}

// BinarySchemaVersion is the number of the newest migration in this binary.
func BinarySchemaVersion() (int64, error) {
	migs, err := loadMigrations(SQLite)
	if err != nil || len(migs) == 0 {
		return 0, fmt.Errorf("no migrations: %v", err)
	}
	return int64(migs[len(migs)-1].version), nil
}

// identRE: table and column names are interpolated into SQL unquoted, so
// they must be plain lower-case identifiers (PostgreSQL folds case).
var identRE = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// copyBatchParams bounds the parameters of one multi-row INSERT (SQLite
// allows 32766, PostgreSQL 65535).
const copyBatchParams = 30000

// CopySQLite copies the SQLite database file at srcPath into dst, which
// must be migrated to this binary's schema version and hold no rows. The
// source must be at the same schema version (it is opened read-only and
// never migrated) and must not be written meanwhile: the caller holds
// the data directory's lock.
func CopySQLite(ctx context.Context, srcPath string, dst *DB) (*CopyResult, error) {
	start := time.Now()
	want, err := BinarySchemaVersion()
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(srcPath); err != nil {
		return nil, fmt.Errorf("source: %w", err)
	}
	src, stx, err := openCopySource(ctx, srcPath)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	defer stx.Rollback() //nolint:errcheck // read-only
	// The call trail's own file beside it (TrailFileName), when there is
	// one, holds the trail rows; its schema is the trail's migration only.
	var side *sql.Tx
	var sideTables []srcTable
	if sidePath := filepath.Join(filepath.Dir(srcPath), TrailFileName); fileExists(sidePath) {
		sdb, tx, err := openCopySource(ctx, sidePath)
		if err != nil {
			return nil, err
		}
		defer sdb.Close()
		defer tx.Rollback() //nolint:errcheck // read-only
		if sideTables, err = sourceTables(ctx, tx); err != nil {
			return nil, fmt.Errorf("%s: %w", TrailFileName, err)
		}
		side = tx
	}

	var sv sql.NullInt64
	if err := stx.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&sv); err != nil {
		return nil, fmt.Errorf("source %s is not an OpenPCA database: %w", srcPath, err)
	}
	if sv.Int64 != want {
		return nil, fmt.Errorf("%w: source at version %d, this binary at %d", ErrSchemaVersion, sv.Int64, want)
	}
	tables, err := sourceTables(ctx, stx)
	if err != nil {
		return nil, err
	}
	res := &CopyResult{SchemaVersion: want}
	err = dst.Tx(ctx, func(tx *sql.Tx) error {
		var dv sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&dv); err != nil {
			return fmt.Errorf("target: %w", err)
		}
		if dv.Int64 != want {
			return fmt.Errorf("%w: target at version %d, this binary at %d", ErrSchemaVersion, dv.Int64, want)
		}
		if res.Uncopied, err = checkEmpty(ctx, tx, dst.engine, tables); err != nil {
			return err
		}
		for _, t := range tables {
			n, err := copyTable(ctx, stx, tx, dst.engine, t)
			if err != nil {
				return fmt.Errorf("copy %s: %w", t.name, err)
			}
			res.Tables = append(res.Tables, TableCount{Name: t.name, Rows: n})
			res.Rows += n
		}
		for _, t := range sideTables {
			n, err := copyTable(ctx, side, tx, dst.engine, t)
			if err != nil {
				return fmt.Errorf("copy %s from %s: %w", t.name, TrailFileName, err)
			}
			for i := range res.Tables {
				if res.Tables[i].Name == t.name {
					res.Tables[i].Rows += n
				}
			}
			res.Rows += n
		}
		if dst.engine == Postgres {
			res.Sequences, err = resetSequences(ctx, tx)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

// openCopySource opens a SQLite file to read one snapshot of it. Not
// mode=ro: a server that crashed leaves committed rows in the WAL, which a
// read-write open recovers; query_only keeps it a reader.
func openCopySource(ctx context.Context, path string) (*sql.DB, *sql.Tx, error) {
	src, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=query_only(1)")
	if err != nil {
		return nil, nil, err
	}
	src.SetMaxOpenConns(1)
	stx, err := src.BeginTx(ctx, nil) // one snapshot for every table
	if err != nil {
		src.Close()
		return nil, nil, fmt.Errorf("source %s: %w", path, err)
	}
	return src, stx, nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

type srcTable struct {
	name string
	cols []string
}

// sourceTables lists the tables to copy, parents before the tables whose
// foreign keys name them (the target checks references per statement).
func sourceTables(ctx context.Context, tx *sql.Tx) ([]srcTable, error) {
	names, err := queryStrings(ctx, tx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name <> 'schema_migrations' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	deps := map[string][]string{}
	byName := map[string]srcTable{}
	for _, name := range names {
		if !identRE.MatchString(name) {
			return nil, fmt.Errorf("source table %q: not a plain identifier", name)
		}
		cols, err := queryStrings(ctx, tx, `SELECT name FROM pragma_table_info($1) ORDER BY cid`, name)
		if err != nil {
			return nil, err
		}
		for _, c := range cols {
			if !identRE.MatchString(c) {
				return nil, fmt.Errorf("source column %s.%q: not a plain identifier", name, c)
			}
		}
		byName[name] = srcTable{name: name, cols: cols}
		parents, err := queryStrings(ctx, tx, `SELECT DISTINCT "table" FROM pragma_foreign_key_list($1)`, name)
		if err != nil {
			return nil, err
		}
		for _, p := range parents {
			if p != name { // a self-reference orders rows, not tables
				deps[name] = append(deps[name], p)
			}
		}
	}
	// Depth-first topological order; names are sorted, so it is stable.
	var out []srcTable
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(string) error
	visit = func(n string) error {
		switch state[n] {
		case 1:
			return fmt.Errorf("foreign keys form a cycle through %s", n)
		case 2:
			return nil
		}
		state[n] = 1
		for _, p := range deps[n] {
			if _, ok := byName[p]; !ok {
				return fmt.Errorf("table %s references missing table %s", n, p)
			}
			if err := visit(p); err != nil {
				return err
			}
		}
		state[n] = 2
		out = append(out, byName[n])
		return nil
	}
	for _, n := range names {
		if err := visit(n); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// checkEmpty refuses a target that has a row in any table (its own list,
// so a table the source lacks counts too) or lacks a source table. It
// returns the target's tables that the source lacks (left empty).
func checkEmpty(ctx context.Context, tx *sql.Tx, engine string, tables []srcTable) ([]string, error) {
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name <> 'schema_migrations'`
	if engine == Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations'`
	}
	names, err := queryStrings(ctx, tx, q)
	if err != nil {
		return nil, fmt.Errorf("target tables: %w", err)
	}
	have := map[string]bool{}
	var full []string
	for _, n := range names {
		have[n] = true
		if !identRE.MatchString(n) {
			continue // not OpenPCA's
		}
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM `+n+` LIMIT 1`).Scan(&one)
		if err == nil {
			full = append(full, n)
		} else if !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("target %s: %w", n, err)
		}
	}
	if len(full) > 0 {
		sort.Strings(full)
		return nil, fmt.Errorf("%w: rows in %s", ErrTargetNotEmpty, strings.Join(full, ", "))
	}
	for _, t := range tables {
		if !have[t.name] {
			return nil, fmt.Errorf("target has no table %s: schemas differ", t.name)
		}
		delete(have, t.name)
	}
	var extra []string
	for n := range have {
		extra = append(extra, n)
	}
	sort.Strings(extra)
	return extra, nil
}

// copyTable streams one table's rows into the target in multi-row INSERTs
// and checks that source and target counts match.
func copyTable(ctx context.Context, stx, tx *sql.Tx, engine string, t srcTable) (int64, error) {
	conv, err := converters(ctx, tx, engine, t)
	if err != nil {
		return 0, err
	}
	var want, before int64
	if err := stx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+t.name).Scan(&want); err != nil {
		return 0, err
	}
	// A table split over two source files (the trail) is copied twice.
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+t.name).Scan(&before); err != nil {
		return 0, err
	}
	collist := strings.Join(t.cols, ", ")
	rows, err := stx.QueryContext(ctx, `SELECT `+collist+` FROM `+t.name+` ORDER BY rowid`)
	if err != nil {
		// WITHOUT ROWID tables have no rowid; their order does not matter.
		rows, err = stx.QueryContext(ctx, `SELECT `+collist+` FROM `+t.name)
	}
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	ncol := len(t.cols)
	per := max(1, min(500, copyBatchParams/ncol))
	args := make([]any, 0, per*ncol)
	vals := make([]any, ncol)
	ptrs := make([]any, ncol)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var n int64
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		var b strings.Builder
		b.WriteString(`INSERT INTO ` + t.name + ` (` + collist + `) VALUES `)
		for r := 0; r < len(args)/ncol; r++ {
			if r > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('(')
			for c := range ncol {
				if c > 0 {
					b.WriteByte(',')
				}
				fmt.Fprintf(&b, "$%d", r*ncol+c+1)
			}
			b.WriteByte(')')
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return err
		}
		args = args[:0]
		return nil
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return 0, err
		}
		for i, v := range vals {
			cv, err := conv[i](v)
			if err != nil {
				return 0, fmt.Errorf("row %d, column %s: %w", n+1, t.cols[i], err)
			}
			args = append(args, cv)
		}
		n++
		if len(args) >= per*ncol {
			if err := flush(); err != nil {
				return 0, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if err := flush(); err != nil {
		return 0, err
	}
	var got int64
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+t.name).Scan(&got); err != nil {
		return 0, err
	}
	if n != want || got-before != want {
		return 0, fmt.Errorf("row counts differ: source %d, read %d, target %d", want, n, got-before)
	}
	return n, nil
}

// converter turns a value read from SQLite into what the target column
// takes. SQLite's type affinity lets a column hold another type than the
// declared one; such a value is converted only where nothing is lost.
type converter func(any) (any, error)

// converters returns one converter per source column, by the target
// column's declared type.
func converters(ctx context.Context, tx *sql.Tx, engine string, t srcTable) ([]converter, error) {
	types := map[string]string{}
	q := `SELECT name, type FROM pragma_table_info($1)`
	if engine == Postgres {
		q = `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1`
	}
	rows, err := tx.QueryContext(ctx, q, t.name)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var n, ty string
		if err := rows.Scan(&n, &ty); err != nil {
			rows.Close()
			return nil, err
		}
		types[n] = strings.ToLower(ty)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]converter, len(t.cols))
	for i, c := range t.cols {
		ty, ok := types[c]
		if !ok {
			return nil, fmt.Errorf("target has no column %s: schemas differ", c)
		}
		out[i] = converterFor(ty)
	}
	return out, nil
}

// intTypes are the integer type names of both engines (PostgreSQL's
// information_schema spelling and SQLite's declared types).
var intTypes = map[string]bool{"bigint": true, "integer": true, "smallint": true, "int": true, "int2": true, "int4": true, "int8": true}

func converterFor(ty string) converter {
	switch {
	case intTypes[ty]:
		return func(v any) (any, error) {
			switch x := v.(type) {
			case nil, int64:
				return x, nil
			case bool:
				if x {
					return int64(1), nil
				}
				return int64(0), nil
			}
			return nil, fmt.Errorf("%T value %v in an integer column", v, v)
		}
	case ty == "boolean" || ty == "bool":
		return func(v any) (any, error) {
			switch x := v.(type) {
			case nil, bool:
				return x, nil
			case int64:
				return x != 0, nil
			}
			return nil, fmt.Errorf("%T value %v in a boolean column", v, v)
		}
	case ty == "bytea" || ty == "blob":
		return func(v any) (any, error) {
			switch x := v.(type) {
			case nil:
				return nil, nil
			case []byte:
				if x == nil {
					x = []byte{} // an empty blob, not NULL
				}
				return x, nil
			case string:
				return []byte(x), nil
			}
			return nil, fmt.Errorf("%T value in a binary column", v)
		}
	case strings.Contains(ty, "text") || strings.Contains(ty, "char"):
		return func(v any) (any, error) {
			var s string
			switch x := v.(type) {
			case nil:
				return nil, nil
			case string:
				s = x
			case []byte:
				s = string(x)
			default:
				return nil, fmt.Errorf("%T value %v in a text column", v, v)
			}
			if strings.IndexByte(s, 0) >= 0 {
				return nil, errors.New("NUL byte in a text value")
			}
			return s, nil
		}
	}
	return func(v any) (any, error) { return v, nil }
}

// resetSequences moves every sequence behind a serial or identity column
// past the copied keys, so the next generated key does not collide. The
// schema has none today; a future migration may add one.
func resetSequences(ctx context.Context, tx *sql.Tx) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')
		ORDER BY table_name, column_name`)
	if err != nil {
		return nil, err
	}
	var pairs [][2]string
	for rows.Next() {
		var t, c string
		if err := rows.Scan(&t, &c); err != nil {
			rows.Close()
			return nil, err
		}
		pairs = append(pairs, [2]string{t, c})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []string
	for _, p := range pairs {
		if !identRE.MatchString(p[0]) || !identRE.MatchString(p[1]) {
			continue
		}
		if _, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(MAX(`+p[1]+`), 0) + 1, false) FROM `+p[0], p[0], p[1]); err != nil {
			return nil, fmt.Errorf("reset sequence of %s.%s: %w", p[0], p[1], err)
		}
		out = append(out, p[0]+"."+p[1])
	}
	return out, nil
}

func queryStrings(ctx context.Context, tx *sql.Tx, q string, args ...any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
