package store

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"huitong/internal/audit"
)

// appendRecords appends n records to the log of db.
func appendRecords(t *testing.T, db *DB, n int) {
	t.Helper()
	ctx := t.Context()
	first, err := db.AuditSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	recs := make([]audit.Stored, n)
	hashes := make([]tlog.Hash, n)
	for i := range recs {
		idx := first + int64(i)
		recs[i] = audit.Stored{Index: idx, Data: fmt.Appendf(nil, `{"index":%d}`, idx), Time: time.Unix(1700000000+idx, 0),
			ActorOrg: "org", Action: "exchange.query", Object: "resource:X", Outcome: "ok", Subjects: [][]byte{{byte(idx), 1}}}
		hashes[i][0] = byte(idx + 1)
	}
	if err := db.AuditAppend(ctx, first, recs, hashes); err != nil {
		t.Fatal(err)
	}
}

func mainTables(t *testing.T, db *DB) string {
	t.Helper()
	rows, err := db.w.QueryContext(t.Context(), `SELECT name FROM main.sqlite_master WHERE type = 'table' AND name LIKE 'audit%' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	return strings.Join(names, ",")
}

// TestAuditFile: the audit log lives in its own file, survives a reopen,
// is read by the readers and by a read-only open, and a missing or foreign
// audit file stops the open.
func TestAuditFile(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	path := filepath.Join(dir, "h.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	appendRecords(t, db, 3)
	if err := db.AuditPutCheckpoint(ctx, 3, []byte("note"), time.Now()); err != nil {
		t.Fatal(err)
	}
	if got := mainTables(t, db); got != "" {
		t.Errorf("main file holds audit tables %q", got)
	}
	db.Close()

	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := db.AuditSize(ctx); err != nil || n != 3 {
		t.Fatalf("size after reopen = %d, %v", n, err)
	}
	appendRecords(t, db, 2)
	recs, err := db.AuditRecords(ctx, 0, 10)
	if err != nil || len(recs) != 5 {
		t.Fatalf("records = %d, %v", len(recs), err)
	}
	var subj int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_subjects WHERE subject = ?`, []byte{4, 1}).Scan(&subj); err != nil || subj != 1 {
		t.Errorf("subject index: %d, %v", subj, err)
	}
	db.Close()

	ro, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := ro.AuditSize(ctx); err != nil || n != 5 {
		t.Errorf("read-only size = %d, %v", n, err)
	}
	if size, note, err := ro.AuditLatestCheckpoint(ctx); err != nil || size != 3 || string(note) != "note" {
		t.Errorf("read-only checkpoint = %d %q %v", size, note, err)
	}
	ro.Close()

	// Another database's audit file in its place is refused.
	other := filepath.Join(dir, "o.db")
	odb, err := Open(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	odb.Close()
	saved, err := os.ReadFile(AuditFile(path))
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := os.ReadFile(AuditFile(other))
	if err != nil {
		t.Fatal(err)
	}
	for _, sfx := range []string{"-wal", "-shm"} {
		os.Remove(AuditFile(path) + sfx)
	}
	if err := os.WriteFile(AuditFile(path), foreign, 0o600); err != nil {
		t.Fatal(err)
	}
	if db, err := Open(ctx, path); err == nil || !strings.Contains(err.Error(), "does not belong") {
		if db != nil {
			db.Close()
		}
		t.Errorf("foreign audit file: %v", err)
	}
	// A missing one too, and the open creates nothing that would let the
	// next one pass.
	os.Remove(AuditFile(path))
	for range 2 {
		if db, err := Open(ctx, path); err == nil || !strings.Contains(err.Error(), "is missing") {
			if db != nil {
				db.Close()
			}
			t.Errorf("missing audit file: %v", err)
		}
	}
	// Put back, it opens again.
	if err := os.WriteFile(AuditFile(path), saved, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := db.AuditSize(ctx); err != nil || n != 5 {
		t.Errorf("size after restore = %d, %v", n, err)
	}
	db.Close()
}

// oldLayout makes a database as it was before the audit file: the main
// file's migrations only, with a log of n records in the main file.
func oldLayout(t *testing.T, path string, n int) {
	t.Helper()
	ctx := t.Context()
	db, err := openSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.migrate(ctx, db.w, "migrations/sqlite"); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if _, err := db.w.ExecContext(ctx, `INSERT INTO audit_records(idx, data, at, actor_org, action, object, outcome) VALUES(?, ?, ?, 'org', 'a', 'o', 'ok')`, i, []byte{byte(i)}, 1000+i); err != nil {
			t.Fatal(err)
		}
		if _, err := db.w.ExecContext(ctx, `INSERT INTO audit_hashes(idx, hash) VALUES(?, ?)`, i, bytes.Repeat([]byte{byte(i)}, 32)); err != nil {
			t.Fatal(err)
		}
		if _, err := db.w.ExecContext(ctx, `INSERT INTO audit_subjects(subject, idx) VALUES(?, ?)`, []byte{9}, i); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.w.ExecContext(ctx, `UPDATE counters SET value = ? WHERE name = 'audit_size'`, n); err != nil {
		t.Fatal(err)
	}
	if _, err := db.w.ExecContext(ctx, `INSERT INTO audit_checkpoints(size, note, at) VALUES(?, 'n', 1)`, n); err != nil {
		t.Fatal(err)
	}
}

// copyFile copies a SQLite file that no connection has open, without its
// WAL (a closed database has none).
func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, sfx := range []string{"-wal", "-shm"} {
		os.Remove(to + sfx)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestAuditFileMove opens a database whose audit log is still in the main
// file, as before the audit file existed, first with a move that stops
// after its copy, as a crash there would: the log moves whole, once.
func TestAuditFileMove(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "old.db")
	oldLayout(t, path, 4)
	// A read-only open of the old layout reads the log in the main file.
	ro, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := ro.AuditSize(ctx); err != nil || n != 4 {
		t.Errorf("read-only size of the old layout = %d, %v", n, err)
	}
	ro.Close()

	stopMoveBeforeDrop = true
	_, err = Open(ctx, path)
	stopMoveBeforeDrop = false
	if err == nil || !strings.Contains(err.Error(), "stopped before the drop") {
		t.Fatalf("stopped move: %v", err)
	}

	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := mainTables(t, db); got != "" {
		t.Errorf("main file still holds %q", got)
	}
	if n, err := db.AuditSize(ctx); err != nil || n != 4 {
		t.Errorf("size = %d, %v", n, err)
	}
	recs, err := db.AuditRecords(ctx, 0, 10)
	if err != nil || len(recs) != 4 || recs[3][0] != 3 {
		t.Errorf("records = %v, %v", recs, err)
	}
	hs, err := db.AuditHashes(ctx, []int64{0, 3})
	if err != nil || hs[1][0] != 3 {
		t.Errorf("hashes = %v, %v", hs, err)
	}
	if size, _, err := db.AuditLatestCheckpoint(ctx); err != nil || size != 4 {
		t.Errorf("checkpoint = %d, %v", size, err)
	}
	// Appending goes on from the moved size.
	appendRecords(t, db, 1)
	if n, _ := db.AuditSize(ctx); n != 5 {
		t.Errorf("size after append = %d", n)
	}
	// The stats' join of the log with the orgs reads across both files.
	var c int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_records a LEFT JOIN orgs o ON o.uscc = a.actor_org`).Scan(&c); err != nil || c != 5 {
		t.Errorf("join = %d, %v", c, err)
	}
}

// TestAuditFileKept: an audit file that holds a log is never replaced by
// the log of a main file that does not know it: a new main file, or one
// restored from a backup older than the audit file.
func TestAuditFileKept(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	path := filepath.Join(dir, "h.db")
	oldLayout(t, path, 4)
	backup := filepath.Join(dir, "backup.db")
	copyFile(t, path, backup)
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	appendRecords(t, db, 2)
	db.Close()
	auditBytes, err := os.ReadFile(AuditFile(path))
	if err != nil {
		t.Fatal(err)
	}

	// The main file restored from the older backup.
	copyFile(t, backup, path)
	if db, err := Open(ctx, path); err == nil || !strings.Contains(err.Error(), "holds a log of 6 records") {
		if db != nil {
			db.Close()
		}
		t.Errorf("older main file: %v", err)
	}
	// A new main file.
	for _, sfx := range []string{"", "-wal", "-shm"} {
		os.Remove(path + sfx)
	}
	if db, err := Open(ctx, path); err == nil || !strings.Contains(err.Error(), "holds a log of 6 records") {
		if db != nil {
			db.Close()
		}
		t.Errorf("new main file: %v", err)
	}
	after, err := os.ReadFile(AuditFile(path))
	if err != nil || string(after) != string(auditBytes) {
		t.Errorf("the refused opens changed the audit file (%v)", err)
	}
}

// TestAuditFileReadOnly: a read-only open of a database whose log is in
// the audit file needs that file, and it must be the right one.
func TestAuditFileReadOnly(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	path, other := filepath.Join(dir, "h.db"), filepath.Join(dir, "o.db")
	for _, p := range []string{path, other} {
		db, err := Open(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		appendRecords(t, db, 2)
		db.Close()
	}
	saved, err := os.ReadFile(AuditFile(path))
	if err != nil {
		t.Fatal(err)
	}
	copyFile(t, AuditFile(other), AuditFile(path))
	if ro, err := OpenReadOnly(ctx, path); err == nil || !strings.Contains(err.Error(), "does not belong") {
		if ro != nil {
			ro.Close()
		}
		t.Errorf("foreign audit file: %v", err)
	}
	os.Remove(AuditFile(path))
	if ro, err := OpenReadOnly(ctx, path); err == nil || !strings.Contains(err.Error(), "is missing") {
		if ro != nil {
			ro.Close()
		}
		t.Errorf("missing audit file: %v", err)
	}
	if _, err := os.Stat(AuditFile(path)); err == nil {
		t.Error("a read-only open created the audit file")
	}
	if err := os.WriteFile(AuditFile(path), saved, 0o600); err != nil {
		t.Fatal(err)
	}
	ro, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if n, err := ro.AuditSize(ctx); err != nil || n != 2 {
		t.Errorf("size = %d, %v", n, err)
	}
}
