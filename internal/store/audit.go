package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"huitong/internal/audit"
)

var _ audit.Store = (*DB)(nil)

const auditSizeCounter = "audit_size"

// auditCounters names, for the readers, the table holding the audit log's
// size: the audit file's own on SQLite.
func (db *DB) auditCounters() string {
	if db.auditAttached {
		return auditSchema + ".counters"
	}
	return "counters"
}

// AuditSize returns the number of audit records.
func (db *DB) AuditSize(ctx context.Context) (int64, error) {
	var n int64
	err := db.queryRow(ctx, `SELECT value FROM `+db.auditCounters()+` WHERE name = ?`, auditSizeCounter).Scan(&n)
	return n, db.translate(err)
}

// AuditAppend writes a batch of records and their hashes in one transaction.
func (db *DB) AuditAppend(ctx context.Context, first int64, recs []audit.Stored, hashes []tlog.Hash) error {
	type sub struct {
		s   []byte
		idx int64
	}
	var subs []sub
	for _, r := range recs {
		for _, s := range r.Subjects {
			subs = append(subs, sub{s, r.Index})
		}
	}
	// The statements are prepared before the transaction: the SQLite
	// writer has one connection, which the transaction holds.
	const (
		counterSQL = `UPDATE counters SET value = ? WHERE name = ? AND value = ?`
		recordsSQL = `INSERT INTO audit_records(idx, data, at, actor_org, action, object, outcome) VALUES `
		hashesSQL  = `INSERT INTO audit_hashes(idx, hash) VALUES `
		subjectSQL = `INSERT INTO audit_subjects(subject, idx) VALUES `
	)
	counter := db.writeStmt(ctx, counterSQL)
	recStmt := db.writeStmt(ctx, rowsSQL(recordsSQL, 7, len(recs)))
	hashStmt := db.writeStmt(ctx, rowsSQL(hashesSQL, 2, len(hashes)))
	subStmt := db.writeStmt(ctx, rowsSQL(subjectSQL, 2, len(subs)))
	return db.writeOn(ctx, db.a, func(tx *Tx) error {
		// The counter row is the lock that orders appends from several
		// instances; a stale first means another one got there before.
		res, err := tx.execStmt(ctx, counter, counterSQL, first+int64(len(recs)), auditSizeCounter, first)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return audit.ErrSizeMismatch
		}
		err = tx.insertRowsStmt(ctx, recStmt, recordsSQL, 7, len(recs),
			func(i int, args []any) []any {
				r := &recs[i]
				return append(args, r.Index, r.Data, micros(r.Time), r.ActorOrg, r.Action, r.Object, r.Outcome)
			})
		if err != nil {
			return err
		}
		base := tlog.StoredHashIndex(0, first)
		err = tx.insertRowsStmt(ctx, hashStmt, hashesSQL, 2, len(hashes),
			func(i int, args []any) []any { return append(args, base+int64(i), hashes[i][:]) })
		if err != nil {
			return err
		}
		return tx.insertRowsStmt(ctx, subStmt, subjectSQL, 2, len(subs),
			func(i int, args []any) []any { return append(args, subs[i].s, subs[i].idx) })
	})
}

// Bounds of the writer's statement cache: statements of up to
// maxCachedRows rows, at most maxWriteStmts of them. Group commits at up to
// 64 concurrent callers stay under the first.
const (
	maxCachedRows = 64
	maxWriteStmts = 256
)

// rowsSQL is a multi-row INSERT of n rows of cols columns, or "" when n is
// 0 or above maxCachedRows.
func rowsSQL(prefix string, cols, n int) string {
	if n == 0 || n > maxCachedRows {
		return ""
	}
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", cols), ",") + ")"
	return prefix + strings.TrimSuffix(strings.Repeat(one+",", n), ",")
}

// writeStmt returns the prepared statement of query on the SQLite audit writer,
// preparing it the first time, or nil (PostgreSQL, whose driver keeps its
// own statement cache; an empty query; a full cache; a failure, which the
// unprepared call then reports). modernc.org/sqlite parses a statement's
// text on every call otherwise, which the audit writer would do for every
// group commit. It must not be called inside a write transaction.
func (db *DB) writeStmt(ctx context.Context, query string) *sql.Stmt {
	if db.Dialect != SQLite || query == "" {
		return nil
	}
	return db.writes.get(ctx, db.a, query)
}

// execStmt runs query in the transaction through st when it is not nil.
func (t *Tx) execStmt(ctx context.Context, st *sql.Stmt, query string, args ...any) (sql.Result, error) {
	if st == nil {
		return t.Exec(ctx, query, args...)
	}
	r, err := t.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	return r, t.db.translate(err)
}

// insertRowsStmt is insertRows through st, a statement inserting all n
// rows at once, when it is not nil.
func (t *Tx) insertRowsStmt(ctx context.Context, st *sql.Stmt, prefix string, cols, n int, row func(i int, args []any) []any) error {
	if st == nil {
		return insertRows(ctx, t, prefix, cols, n, row)
	}
	args := make([]any, 0, n*cols)
	for i := range n {
		args = row(i, args)
	}
	_, err := t.execStmt(ctx, st, "", args...)
	return err
}

// insertRows inserts n rows of cols columns with multi-row INSERT statements.
func insertRows(ctx context.Context, tx *Tx, prefix string, cols, n int, row func(i int, args []any) []any) error {
	const perStmt = 200
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", cols), ",") + ")"
	text := func(rows int) string {
		var q strings.Builder
		q.WriteString(prefix)
		for i := range rows {
			if i > 0 {
				q.WriteByte(',')
			}
			q.WriteString(one)
		}
		return q.String()
	}
	// Full chunks share one prepared statement: parsed once per call, not
	// once per chunk.
	var full *sql.Stmt
	if n >= 2*perStmt {
		st, err := tx.tx.PrepareContext(ctx, tx.db.q(text(perStmt)))
		if err != nil {
			return tx.db.translate(err)
		}
		defer st.Close()
		full = st
	}
	for start := 0; start < n; start += perStmt {
		end := min(start+perStmt, n)
		args := make([]any, 0, (end-start)*cols)
		for i := start; i < end; i++ {
			args = row(i, args)
		}
		var err error
		if full != nil && end-start == perStmt {
			_, err = full.ExecContext(ctx, args...)
			err = tx.db.translate(err)
		} else {
			_, err = tx.Exec(ctx, text(end-start), args...)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// AuditHashes returns stored hashes by index.
func (db *DB) AuditHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	pos := make(map[int64][]int, len(indexes))
	for i, idx := range indexes {
		pos[idx] = append(pos[idx], i)
	}
	const chunk = 500
	for start := 0; start < len(indexes); start += chunk {
		part := indexes[start:min(start+chunk, len(indexes))]
		args := make([]any, len(part))
		for i, v := range part {
			args[i] = v
		}
		rows, err := db.query(ctx, `SELECT idx, hash FROM audit_hashes WHERE idx IN (`+strings.TrimSuffix(strings.Repeat("?,", len(part)), ",")+`)`, args...)
		if err != nil {
			return nil, err
		}
		found := 0
		for rows.Next() {
			var idx int64
			var h []byte
			if err := rows.Scan(&idx, &h); err != nil {
				rows.Close()
				return nil, err
			}
			if len(h) != tlog.HashSize {
				rows.Close()
				return nil, fmt.Errorf("audit hash %d has %d bytes", idx, len(h))
			}
			for _, i := range pos[idx] {
				copy(out[i][:], h)
				found++
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		if found < len(part) {
			return nil, fmt.Errorf("audit hashes missing: %w", ErrNotFound)
		}
	}
	return out, nil
}

// AuditRecords returns the canonical bytes of records [start, end).
func (db *DB) AuditRecords(ctx context.Context, start, end int64) ([][]byte, error) {
	rows, err := db.query(ctx, `SELECT data FROM audit_records WHERE idx >= ? AND idx < ? ORDER BY idx`, start, end)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

func scanRecords(rows interface {
	Next() bool
	Scan(...any) error
	Err() error
}) ([]audit.Record, error) {
	var out []audit.Record
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		var r audit.Record
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, fmt.Errorf("decode audit record: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// AuditFind returns records matching f in index order.
func (db *DB) AuditFind(ctx context.Context, f audit.Filter) ([]audit.Record, error) {
	q := `SELECT data FROM audit_records WHERE idx >= ?`
	args := []any{f.Start}
	if f.End > 0 {
		q += ` AND idx < ?`
		args = append(args, f.End)
	}
	if f.ActorOrg != "" {
		q += ` AND actor_org = ?`
		args = append(args, f.ActorOrg)
	}
	if prefix, ok := strings.CutSuffix(f.Action, "."); ok && prefix != "" {
		q += ` AND action LIKE ?`
		args = append(args, strings.ReplaceAll(prefix, "%", "")+".%")
	} else if f.Action != "" {
		q += ` AND action = ?`
		args = append(args, f.Action)
	}
	if f.Object != "" {
		q += ` AND object = ?`
		args = append(args, f.Object)
	}
	if f.Outcome != "" {
		q += ` AND outcome = ?`
		args = append(args, f.Outcome)
	}
	if !f.Since.IsZero() {
		q += ` AND at >= ?`
		args = append(args, micros(f.Since))
	}
	if !f.Until.IsZero() {
		q += ` AND at < ?`
		args = append(args, micros(f.Until))
	}
	q += ` ORDER BY idx LIMIT ?`
	args = append(args, f.Limit)
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return scanRecords(rows)
}

// AuditBySubject returns records naming subject, newest first.
func (db *DB) AuditBySubject(ctx context.Context, subject []byte, before int64, limit int) ([]audit.Record, error) {
	if before <= 0 {
		before = 1 << 62
	}
	rows, err := db.query(ctx, `SELECT r.data FROM audit_subjects s JOIN audit_records r ON r.idx = s.idx
		WHERE s.subject = ? AND s.idx < ? ORDER BY s.idx DESC LIMIT ?`, subject, before, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return scanRecords(rows)
}

// AuditPutCheckpoint stores a signed checkpoint.
func (db *DB) AuditPutCheckpoint(ctx context.Context, size int64, signed []byte, at time.Time) error {
	return db.writeOn(ctx, db.a, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO audit_checkpoints(size, note, at) VALUES(?, ?, ?)`, size, signed, micros(at))
		return err
	})
}

// AuditLatestCheckpoint returns the checkpoint with the largest size.
func (db *DB) AuditLatestCheckpoint(ctx context.Context) (int64, []byte, error) {
	var size int64
	var note []byte
	err := db.queryRow(ctx, `SELECT size, note FROM audit_checkpoints ORDER BY size DESC LIMIT 1`).Scan(&size, &note)
	return size, note, db.translate(err)
}

// AuditCheckpoints lists checkpoints, newest first.
func (db *DB) AuditCheckpoints(ctx context.Context, limit int) ([]audit.CheckpointInfo, error) {
	rows, err := db.query(ctx, `SELECT size, note, at FROM audit_checkpoints ORDER BY size DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []audit.CheckpointInfo
	for rows.Next() {
		var c audit.CheckpointInfo
		var note []byte
		var at int64
		if err := rows.Scan(&c.Size, &note, &at); err != nil {
			return nil, err
		}
		c.Note, c.At = string(note), fromMicros(at)
		out = append(out, c)
	}
	return out, rows.Err()
}
