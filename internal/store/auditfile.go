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
// their own and attached to the readers as the schema "audit" (table names
// are unique across both files, so queries name them without the schema).
// Record reads keep their cache, and an audit append no longer waits behind
// a long write to the main file, such as an upload's merge.
//
// Nothing is written to both files in one transaction: an audit append
// touches only the audit file. The main file remembers that its audit log
// lives in the audit file, under a random number both files keep (the
// counter auditMovedCounter), so that a missing or replaced audit file stops
// the start instead of beginning a new, empty log.

const (
	auditSchema       = "audit"
	auditMovedCounter = "audit_file"
)

// errAuditMissing: the main file's audit log is in an audit file that is
// not there.
var errAuditMissing = errors.New("audit file missing")

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

// migrateAuditFile creates or updates the audit file's schema and moves an
// audit log still kept in the main file into it. existed tells whether the
// audit file was there before this open.
func (db *DB) migrateAuditFile(ctx context.Context, existed bool) error {
	var moved int64
	err := db.w.QueryRowContext(ctx, `SELECT COALESCE(MAX(value), 0) FROM counters WHERE name = ?`, auditMovedCounter).Scan(&moved)
	if err != nil {
		return fmt.Errorf("audit file: %w", err)
	}
	if moved > 0 && !existed {
		return fmt.Errorf("the audit log file %s is missing: restore it beside %s from the backup taken with it: %w", db.auditFile, db.path, errAuditMissing)
	}
	if err := db.migrate(ctx, db.a, "migrations/sqlite-audit"); err != nil {
		return err
	}
	if moved > 0 {
		var id int64
		err := db.a.QueryRowContext(ctx, `SELECT value FROM counters WHERE name = ?`, auditMovedCounter).Scan(&id)
		if err != nil || id != moved {
			return fmt.Errorf("the audit log file %s does not belong to %s", db.auditFile, db.path)
		}
		return nil
	}
	return db.moveAuditLog(ctx)
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
		for _, t := range auditTables {
			if _, err := tx.ExecContext(ctx, `DROP TABLE main.`+t.name); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM main.counters WHERE name = 'audit_size'`); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO main.counters(name, value) VALUES(?, ?)`, auditMovedCounter, id)
		return err
	}
	for _, step := range []func(*sql.Tx) error{copyLog, dropMain} {
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

// attachment is a database attached to every new connection of a pool.
type attachment struct {
	file, schema string
	pragmas      []string
}

// attachFor maps a pool's DSN to what its connections attach.
var attachFor sync.Map

func sqlQuote(s string) string { return strings.ReplaceAll(s, "'", "''") }

// fileExists reports whether path exists.
func fileExists(path string) (bool, error) {
	_, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}
