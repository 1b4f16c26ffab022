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

// TestAuditFileMove opens a database whose audit log is still in the main
// file, as before the audit file existed, with a partial copy left in the
// audit file by an interrupted move: the log moves whole, once.
func TestAuditFileMove(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := openSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	// The main file's migrations only: the old layout.
	if err := db.migrate(ctx, db.w, "migrations/sqlite"); err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
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
	if _, err := db.w.ExecContext(ctx, `UPDATE counters SET value = 4 WHERE name = 'audit_size'`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.w.ExecContext(ctx, `INSERT INTO audit_checkpoints(size, note, at) VALUES(4, 'n', 1)`); err != nil {
		t.Fatal(err)
	}
	// What an interrupted move leaves: the audit file's schema and a part.
	if err := db.migrate(ctx, db.a, "migrations/sqlite-audit"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.a.ExecContext(ctx, `INSERT INTO audit_records(idx, data, at, actor_org, action, object, outcome) VALUES(0, x'00', 1000, 'org', 'a', 'o', 'ok')`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	db, err = Open(ctx, path)
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
