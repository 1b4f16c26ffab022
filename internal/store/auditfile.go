package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
)

// The audit log's own file (SQLite). Every gateway answer appends to the
// audit log, and in one file every such commit would change the database
// that the record reads come from: SQLite then drops each reader
// connection's page cache at its next read, so that every lookup read its
// B-tree pages again. The audit tables therefore live in a file of their
// own beside the main one, <path>-audit, written through a connection of
// their own and attached to the readers as the schema "audit" (the audit
// tables' names are unique across both files, so queries name them without
// the schema; the log's size is in the audit file's own counters table,
// which readers name as audit.counters).
// Record reads keep their cache, and an audit append no longer waits behind
// a long write to the main file, such as an upload's merge.
//
// Nothing is written to both files in one transaction: an audit append
// touches only the audit file. The main file remembers that its audit log
// lives in the audit file, under a random number both files keep (the
// counter auditMovedCounter), so that a missing or replaced audit file stops
// the start instead of beginning a new, empty log; and an audit file holding
// a log is never replaced by a main file's, unless it is the same log (the
// copy of a move that stopped before its last step).

const (
	auditSchema       = "audit"
	auditMovedCounter = "audit_file"
)

// errAuditMissing: the main file's audit log is in an audit file that is
// not there.
var errAuditMissing = errors.New("audit file missing")

// auditPairing reads the pairing number (0 when none) and the log's size
// from the database of q named by schema ("main" or an attached one), or
// ok false when it has no counters table (a new, empty audit file).
func auditPairing(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, schema string) (id, size int64, ok bool, err error) {
	var n int
	err = q.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+schema+`.sqlite_master WHERE type = 'table' AND name = 'counters'`).Scan(&n)
	if err != nil || n == 0 {
		return 0, 0, false, err
	}
	err = q.QueryRowContext(ctx, `SELECT COALESCE(MAX(CASE WHEN name = ? THEN value END), 0),
		COALESCE(MAX(CASE WHEN name = 'audit_size' THEN value END), 0) FROM `+schema+`.counters`, auditMovedCounter).Scan(&id, &size)
	return id, size, err == nil, err
}

// removeAuditFile removes the audit file an open made where one was
// missing, so that the next open finds it missing again.
func removeAuditFile(path string) {
	for _, sfx := range []string{"", "-wal", "-shm"} {
		os.Remove(path + sfx)
	}
}

// AuditFile is the file that holds the audit log of the SQLite database
// at path.
func AuditFile(path string) string { return path + "-audit" }

// auditTables are the tables the audit file holds, with the columns copied
// when a database made before the audit file existed is opened.
var auditTables = []struct{ name, cols string }{
	{"audit_records", "idx, data, at, actor_org, action, object, outcome"},
	{"audit_hashes", "idx, hash"},
	{"audit_subjects", "subject, idx"},
	{"audit_checkpoints", "size, note, at"},
}

// migrateAuditFile checks that the audit file belongs to the main file,
// creates or updates its schema, and moves an audit log still kept in the
// main file into it. existed tells whether the audit file was there before
// this open.
func (db *DB) migrateAuditFile(ctx context.Context, existed bool) error {
	moved, mainSize, _, err := auditPairing(ctx, db.w, "main")
	if err != nil {
		return fmt.Errorf("audit file: %w", err)
	}
	if moved > 0 && !existed {
		return fmt.Errorf("the audit log file %s is missing: restore it beside %s from the backup taken with it: %w", db.auditFile, db.path, errAuditMissing)
	}
	id, size, _, err := auditPairing(ctx, db.a, "main")
	if err != nil {
		return fmt.Errorf("audit file %s: %w", db.auditFile, err)
	}
	if moved > 0 {
		if id != moved {
			return fmt.Errorf("the audit log file %s does not belong to %s: restore the pair from one backup", db.auditFile, db.path)
		}
		return db.migrate(ctx, db.a, "migrations/sqlite-audit")
	}
	// The main file holds the log (made before the audit file, or new). An
	// audit file that holds a log too may be replaced only by the same log.
	if id != 0 || size > 0 {
		same, err := db.sameLog(ctx, size, mainSize)
		if err != nil {
			return fmt.Errorf("audit file %s: %w", db.auditFile, err)
		}
		if !same {
			return fmt.Errorf("the audit log file %s holds a log of %d records that %s does not (it holds %d): restore the pair from one backup", db.auditFile, size, db.path, mainSize)
		}
	}
	if err := db.migrate(ctx, db.a, "migrations/sqlite-audit"); err != nil {
		return err
	}
	return db.moveAuditLog(ctx)
}

// sameLog reports whether the audit file's log of size records is the main
// file's of mainSize: same size and same last record.
func (db *DB) sameLog(ctx context.Context, size, mainSize int64) (bool, error) {
	if size != mainSize {
		return false, nil
	}
	if size == 0 {
		return true, nil
	}
	var a, m []byte
	if err := db.a.QueryRowContext(ctx, `SELECT data FROM audit_records WHERE idx = ?`, size-1).Scan(&a); err != nil {
		return false, err
	}
	if err := db.w.QueryRowContext(ctx, `SELECT data FROM main.audit_records WHERE idx = ?`, mainSize-1).Scan(&m); err != nil {
		return false, err
	}
	return string(a) == string(m), nil
}

// moveAuditLog moves the audit tables of the main file into the audit file:
// first a copy into the audit file (replacing whatever an interrupted move
// left there), committed, and only then the main file's tables are dropped
// and the move remembered, in one transaction. A stop between the two
// repeats the copy at the next open.
func (db *DB) moveAuditLog(ctx context.Context) error {
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	const move = "audit_move"
	if _, err := conn.ExecContext(ctx, `ATTACH DATABASE '`+sqlQuote(db.auditFile)+`' AS `+move); err != nil {
		return fmt.Errorf("audit file: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `DETACH DATABASE `+move)
	id := rand.Int64N(1<<62) + 1
	var size int64
	err = conn.QueryRowContext(ctx, `SELECT value FROM main.counters WHERE name = 'audit_size'`).Scan(&size)
	if err != nil {
		return fmt.Errorf("audit file: read the log size: %w", err)
	}
	copyLog := func(tx *sql.Tx) error {
		for _, t := range auditTables {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+move+`.`+t.name); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO `+move+`.`+t.name+`(`+t.cols+`) SELECT `+t.cols+` FROM main.`+t.name); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE `+move+`.counters SET value = ? WHERE name = 'audit_size'`, size); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO `+move+`.counters(name, value) VALUES(?, ?)
			ON CONFLICT(name) DO UPDATE SET value = excluded.value`, auditMovedCounter, id)
		return err
	}
	dropMain := func(tx *sql.Tx) error {
		// Another process moving the same log at the same time copied after
		// this one: its move is the one to finish.
		var got int64
		err := tx.QueryRowContext(ctx, `SELECT value FROM `+move+`.counters WHERE name = ?`, auditMovedCounter).Scan(&got)
		if err != nil {
			return err
		}
		if got != id {
			return errors.New("another process moved the log at the same time; start again")
		}
		for _, t := range auditTables {
			if _, err := tx.ExecContext(ctx, `DROP TABLE main.`+t.name); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM main.counters WHERE name = 'audit_size'`); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO main.counters(name, value) VALUES(?, ?)`, auditMovedCounter, id)
		return err
	}
	for i, step := range []func(*sql.Tx) error{copyLog, dropMain} {
		if i == 1 && stopMoveBeforeDrop {
			return errors.New("audit file: move stopped before the drop (test)")
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if err := step(tx); err != nil {
			tx.Rollback()
			return fmt.Errorf("audit file: move the log: %w", err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("audit file: move the log: %w", err)
		}
	}
	return nil
}

// auditReaderPragmas: readers read the audit log only for audit pages and
// proofs, each a short index range; a small cache serves them.
var auditReaderPragmas = []string{`PRAGMA ` + auditSchema + `.cache_size = -512`}

// stopMoveBeforeDrop makes a move stop after its copy is committed, as a
// crash there would (tests).
var stopMoveBeforeDrop bool

// attachment is a database attached to every new connection of a pool.
type attachment struct {
	file, schema string
	pragmas      []string
}

// attachFor maps a pool's DSN to what its connections attach
// (*[]attachment).
var attachFor sync.Map

// attach makes each new connection of the pool opened with dsn attach list,
// and returns what undoes that unless another open has replaced it since.
func attach(dsn string, list []attachment) (undo func()) {
	p := &list
	attachFor.Store(dsn, p)
	return func() { attachFor.CompareAndDelete(dsn, p) }
}

func sqlQuote(s string) string { return strings.ReplaceAll(s, "'", "''") }

// fileExists reports whether path exists.
func fileExists(path string) (bool, error) {
	_, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}
