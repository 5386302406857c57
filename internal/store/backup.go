package store

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// A backup is a gzip'd tar: a manifest first, then the database copy and
// the trail file's copy (when there is one), then
// the files of the data directory that hold state outside the database
// (audit reports). The master key and the AWS profile files (which carry
// secret access keys) are never included: the database's secrets stay
// sealed by a key the backup does not hold.
const (
	manifestName = "openpca-backup.json"
	manifestKind = "openpca-backup/v1"
	// auditDirName is the one data-directory subtree copied besides the database.
	auditDirName = "audit"
	// maxRestoreFile bounds one entry while restoring (a corrupt or hostile
	// archive must not fill the disk).
	maxRestoreFile = 64 << 30
)

// Manifest describes a backup.
type Manifest struct {
	Kind          string    `json:"kind"`
	CreatedAt     time.Time `json:"created_at"`
	SchemaVersion int64     `json:"schema_version"`
	Files         []string  `json:"files"`
}

// ErrNotEmpty: restore refuses a data directory that already holds files.
var ErrNotEmpty = errors.New("store: restore target directory is not empty")

// ErrBadBackup: the archive is not an OpenPCA backup or holds a path it must not.
var ErrBadBackup = errors.New("store: not a valid OpenPCA backup")

// Backup writes a consistent copy of the SQLite data directory dir to the
// file to while servers may be writing: VACUUM INTO reads one snapshot
// inside a read transaction, so concurrent commits neither block for long
// nor tear the copy. The file is written next to `to` and renamed at the end.
func Backup(ctx context.Context, dir, to string) (*Manifest, error) {
	src := filepath.Join(dir, FileName)
	if _, err := os.Stat(src); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	tmpDir, err := os.MkdirTemp(filepath.Dir(to), ".openpca-backup-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmpDir)
	snap := filepath.Join(tmpDir, FileName)
	if err := vacuumInto(ctx, src, snap); err != nil {
		return nil, err
	}
	version, err := checkDatabase(ctx, snap)
	if err != nil {
		return nil, err
	}
	m := &Manifest{Kind: manifestKind, CreatedAt: time.Now().UTC(), SchemaVersion: version, Files: []string{FileName}}
	named := map[string]string{FileName: snap}
	// The trail's own file, snapshot just after the database: events of
	// the calls in between may be missing, never a call's data.
	if _, err := os.Stat(filepath.Join(dir, TrailFileName)); err == nil {
		tsnap := filepath.Join(tmpDir, TrailFileName)
		if err := vacuumInto(ctx, filepath.Join(dir, TrailFileName), tsnap); err != nil {
			return nil, err
		}
		if _, err := checkDatabase(ctx, tsnap); err != nil {
			return nil, err
		}
		named[TrailFileName] = tsnap
		m.Files = append(m.Files, TrailFileName)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("backup: %w", err)
	}
	var extra []string
	auditRoot := filepath.Join(dir, auditDirName)
	err = filepath.WalkDir(auditRoot, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return fs.SkipAll
		}
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		extra = append(extra, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	m.Files = append(m.Files, extra...)

	tmp := filepath.Join(tmpDir, "archive")
	if err := writeArchive(tmp, m, named, dir, extra); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, to); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	return m, nil
}

func vacuumInto(ctx context.Context, src, dst string) error {
	db, err := sql.Open("sqlite", "file:"+src+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO $1`, dst); err != nil {
		return fmt.Errorf("backup: vacuum into: %w", err)
	}
	return nil
}

// IntegrityCheck runs PRAGMA integrity_check on the SQLite file at path and
// returns nil only when SQLite answers "ok".
func IntegrityCheck(ctx context.Context, path string) error {
	_, err := checkDatabase(ctx, path)
	return err
}

// checkDatabase verifies the SQLite file's integrity and returns its schema version.
func checkDatabase(ctx context.Context, path string) (int64, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return 0, fmt.Errorf("integrity check %s: %w", path, err)
	}
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return 0, err
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if len(problems) > 0 {
		return 0, fmt.Errorf("integrity check %s: %s", path, strings.Join(problems, "; "))
	}
	var v sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("%w: no schema version: %v", ErrBadBackup, err)
	}
	return v.Int64, nil
}

func writeArchive(file string, m *Manifest, named map[string]string, dir string, extra []string) (err error) {
	f, err := os.OpenFile(file, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	zw := gzip.NewWriter(f)
	tw := tar.NewWriter(zw)
	mj, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := tw.WriteHeader(&tar.Header{Name: manifestName, Mode: 0o600, Size: int64(len(mj)), ModTime: m.CreatedAt}); err != nil {
		return err
	}
	if _, err := tw.Write(mj); err != nil {
		return err
	}
	add := func(name, src string) error {
		in, err := os.Open(src)
		if err != nil {
			return err
		}
		defer in.Close()
		st, err := in.Stat()
		if err != nil {
			return err
		}
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: st.Size(), ModTime: st.ModTime()}); err != nil {
			return err
		}
		// CopyN: a file growing meanwhile must not overrun its header.
		_, err = io.CopyN(tw, in, st.Size())
		return err
	}
	for _, name := range []string{FileName, TrailFileName} {
		if src, ok := named[name]; ok {
			if err := add(name, src); err != nil {
				return err
			}
		}
	}
	for _, rel := range extra {
		if err := add(rel, filepath.Join(dir, filepath.FromSlash(rel))); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return f.Sync()
}

// Restore unpacks the backup at from into dir, which must be missing or
// empty, and verifies the restored database. It writes no master key: the
// server started on dir needs the original one (file or environment).
func Restore(ctx context.Context, from, dir string) (*Manifest, error) {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrNotEmpty, dir)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	f, err := os.Open(from)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	m, err := extract(f, func(name string, r io.Reader) error {
		dst := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			return err
		}
		out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, r); err != nil {
			out.Close()
			return err
		}
		if err := out.Sync(); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
	if err == nil {
		_, err = checkDatabase(ctx, filepath.Join(dir, FileName))
	}
	if _, serr := os.Stat(filepath.Join(dir, TrailFileName)); err == nil && serr == nil {
		_, err = checkDatabase(ctx, filepath.Join(dir, TrailFileName))
	}
	if err != nil {
		// Leave no half-restored directory a server could start on.
		if entries, rerr := os.ReadDir(dir); rerr == nil {
			for _, e := range entries {
				_ = os.RemoveAll(filepath.Join(dir, e.Name()))
			}
		}
		return nil, err
	}
	return m, nil
}

// extract reads a backup archive, checks every entry's name and hands the
// regular files to put. It is the parser of outside input (fuzzed).
func extract(r io.Reader, put func(name string, r io.Reader) error) (*Manifest, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadBackup, err)
	}
	tr := tar.NewReader(zr)
	var m *Manifest
	seen := map[string]bool{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadBackup, err)
		}
		if m == nil {
			if h.Name != manifestName || h.Size > 1<<20 {
				return nil, fmt.Errorf("%w: the manifest must come first", ErrBadBackup)
			}
			var mm Manifest
			if err := json.NewDecoder(io.LimitReader(tr, 1<<20)).Decode(&mm); err != nil || mm.Kind != manifestKind {
				return nil, fmt.Errorf("%w: bad manifest", ErrBadBackup)
			}
			m = &mm
			continue
		}
		if h.Typeflag != tar.TypeReg {
			return nil, fmt.Errorf("%w: entry %q is not a regular file", ErrBadBackup, h.Name)
		}
		if !allowedBackupName(h.Name) || seen[h.Name] {
			return nil, fmt.Errorf("%w: entry %q not allowed", ErrBadBackup, h.Name)
		}
		if h.Size < 0 || h.Size > maxRestoreFile {
			return nil, fmt.Errorf("%w: entry %q too large", ErrBadBackup, h.Name)
		}
		seen[h.Name] = true
		if err := put(h.Name, io.LimitReader(tr, h.Size)); err != nil {
			return nil, err
		}
	}
	if m == nil || !seen[FileName] {
		return nil, fmt.Errorf("%w: no database in the archive", ErrBadBackup)
	}
	return m, nil
}

// allowedBackupName accepts the database, the trail file and clean relative
// paths under the audit directory; nothing else (no master key, no
// profiles, no "..").
func allowedBackupName(name string) bool {
	if name == FileName || name == TrailFileName {
		return true
	}
	if name != path.Clean(name) || strings.HasPrefix(name, "/") || strings.Contains(name, "\\") || strings.ContainsRune(name, 0) {
		return false
	}
	rest, ok := strings.CutPrefix(name, auditDirName+"/")
	if !ok || rest == "" {
		return false
	}
	for _, seg := range strings.Split(rest, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
	}
	return true
}
