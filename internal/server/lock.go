package server

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// LockFile is the data directory's lock file. Every process that opens
// the data directory (serve and the admin commands) holds a shared lock
// on it; a master-key rotation needs it exclusively, so it refuses while
// anything has the directory open and nothing opens it mid-rotation.
const LockFile = "openpca.lock"

// ErrDataDirInUse: another process holds the data directory.
var ErrDataDirInUse = errors.New("data directory in use")

// ServeLockFile is held exclusively by the one `openpca serve` of an
// embedded (SQLite) store: several servers need PostgreSQL, and at start
// the one server may take over every lease its dead predecessors held.
const ServeLockFile = "openpca.serve.lock"

// lockEmbeddedServe takes ServeLockFile exclusively.
func lockEmbeddedServe(dir string) (*dirLock, error) {
	path := filepath.Join(dir, ServeLockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	held, err := lockFile(f, true)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if !held {
		f.Close()
		return nil, fmt.Errorf("%w: another openpca serve uses the embedded store in %s; several servers share a PostgreSQL database (--database) instead", ErrDataDirInUse, dir)
	}
	return &dirLock{f: f}, nil
}

// dirLock is a held lock on a data directory, and the locks taken with it.
type dirLock struct {
	f    *os.File
	more []*dirLock
}

// with makes other released together with l.
func (l *dirLock) with(other *dirLock) *dirLock {
	l.more = append(l.more, other)
	return l
}

func lockDataDir(dir string, exclusive bool) (*dirLock, error) {
	path := filepath.Join(dir, LockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	held, err := lockFile(f, exclusive)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if !held {
		f.Close()
		if exclusive {
			return nil, fmt.Errorf("%w: %s is held by a running openpca process (serve or an admin command); stop every process using the data directory first", ErrDataDirInUse, path)
		}
		return nil, fmt.Errorf("%w: %s is held by an admin command that needs the directory alone (rotate-master-key, migrate-store); start again when it has finished", ErrDataDirInUse, path)
	}
	return &dirLock{f: f}, nil
}

// LockDataDirExclusive takes the data directory alone, as admin commands
// that must not run beside a server do (every serve or admin process holds
// the lock shared while it has the directory open); release drops it.
func LockDataDirExclusive(dir string) (release func(), err error) {
	l, err := lockDataDir(dir, true)
	if err != nil {
		return nil, err
	}
	return l.release, nil
}

// release drops the lock (closing the file releases the flock).
func (l *dirLock) release() {
	if l == nil {
		return
	}
	for _, m := range l.more {
		m.release()
	}
	l.more = nil
	if l.f != nil {
		l.f.Close()
		l.f = nil
	}
}
