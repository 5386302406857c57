package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// backupUnderLoad runs `openpca admin backup` while the clients write,
// restores the archive with `openpca admin restore` into a new directory,
// and checks that every certificate acknowledged before the backup began
// is in the restored database with the same bytes.
func (s *state) backupUnderLoad(ctx context.Context, o options, rep *report) {
	s.mu.Lock()
	before := make([]*certRec, 0, len(s.order))
	for _, a := range s.order {
		c := *s.certs[a]
		before = append(before, &c)
	}
	s.mu.Unlock()
	work := filepath.Dir(o.dir)
	file := filepath.Join(work, "backup.tar.gz")
	restored := filepath.Join(work, "restored")
	if out, err := exec.Command(o.bin, "admin", "backup", "--data-dir", o.dir, "--to", file).CombinedOutput(); err != nil {
		rep.fail("admin backup under load: %v: %s", err, out)
		return
	}
	if out, err := exec.Command(o.bin, "admin", "restore", "--from", file, "--data-dir", restored).CombinedOutput(); err != nil {
		rep.fail("admin restore: %v: %s", err, out)
		return
	}
	defer os.RemoveAll(restored)
	if _, err := os.Stat(filepath.Join(restored, "master.key")); err == nil {
		rep.fail("the backup restored a master key")
	}
	rs := &state{dir: restored, caID: s.caID}
	rows, err := rs.dbCertificates(ctx)
	if err != nil {
		rep.fail("read restored database: %v", err)
		return
	}
	var br report
	rs.checkStored(&br, 0, before, rows)
	for _, f := range br.failures {
		rep.fail("backup: %s", f)
	}
	rep.lost += br.lost
	rep.dups += br.dups
	fmt.Printf("backup under load: %d certificates acknowledged before it began, all in the restored copy unless reported (%d rows)\n", len(before), len(rows))
}
