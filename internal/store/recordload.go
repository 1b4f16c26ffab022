package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// Loading an empty record table. Merging staged rows into a table with its
// indexes in place costs a B-tree seek per row and index (the key and
// indexed fields are in no useful order), and it dominated the time of a
// first upload. When the table holds no row at all, not even a deleted
// one, the merge instead drops the table's indexes, appends the staged rows
// in file order and builds the indexes again by sorting, all inside the
// merge's one transaction: a failure anywhere rolls the table back to what
// it was, indexes included. The result is the same as the upsert's: every
// staged row inserted, with the same ids, sequence numbers and values.

// bulkLoadable reports whether the record table t is empty, so that the
// merge may load it with its indexes dropped.
func (db *DB) bulkLoadable(ctx context.Context, tx *Tx, t string) (bool, error) {
	if v, _ := ctx.Value(noBulkLoadKey{}).(bool); v {
		return false, nil
	}
	var one int
	err := tx.QueryRow(ctx, `SELECT 1 FROM `+t+` LIMIT 1`).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return true, nil
	}
	return false, err
}

// withIndexesRebuilt runs load with the secondary indexes and the key's
// unique index of table t dropped, and creates them again afterwards, in
// the caller's transaction.
func (db *DB) withIndexesRebuilt(ctx context.Context, tx *Tx, t string, load func() error) error {
	var drop, create []string
	switch db.Dialect {
	case SQLite:
		// The key's UNIQUE is part of the table (an automatic index that
		// cannot be dropped): the empty table is created again without it,
		// and the key gets a unique index of its own.
		var ddl string
		if err := tx.QueryRow(ctx, `SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`, t).Scan(&ddl); err != nil {
			return fmt.Errorf("record table %s: %w", t, err)
		}
		const inline = "_key TEXT NOT NULL UNIQUE"
		if strings.Contains(ddl, inline) {
			ddl = strings.Replace(ddl, inline, "_key TEXT NOT NULL", 1)
			create = append(create, fmt.Sprintf(`CREATE UNIQUE INDEX %s__key ON %s(_key)`, t, t))
		}
		idx, err := strings1(ctx, tx, `SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name`, t)
		if err != nil {
			return err
		}
		create = append(create, idx...)
		drop = []string{`DROP TABLE ` + t, ddl}
	case Postgres:
		cons, err := pairs(ctx, tx, `SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
			WHERE conrelid = CAST(? AS regclass) AND contype = 'u' ORDER BY conname`, t)
		if err != nil {
			return err
		}
		for _, c := range cons {
			drop = append(drop, fmt.Sprintf(`ALTER TABLE %s DROP CONSTRAINT %s`, t, c[0]))
			create = append(create, fmt.Sprintf(`ALTER TABLE %s ADD CONSTRAINT %s %s`, t, c[0], c[1]))
		}
		idx, err := pairs(ctx, tx, `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ?
			AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = CAST(? AS regclass)) ORDER BY indexname`, t, t)
		if err != nil {
			return err
		}
		for _, i := range idx {
			drop = append(drop, `DROP INDEX `+i[0])
			create = append(create, i[1])
		}
	}
	for _, q := range drop {
		if _, err := tx.Exec(ctx, q); err != nil {
			return fmt.Errorf("bulk load of %s: %w", t, err)
		}
	}
	if err := load(); err != nil {
		return err
	}
	for _, q := range create {
		if _, err := tx.Exec(ctx, q); err != nil {
			return fmt.Errorf("bulk load of %s: %w", t, err)
		}
	}
	return nil
}

// strings1 runs a query of one text column.
func strings1(ctx context.Context, tx *Tx, query string, args ...any) ([]string, error) {
	rows, err := tx.Query(ctx, query, args...)
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

// pairs runs a query of two text columns.
func pairs(ctx context.Context, tx *Tx, query string, args ...any) ([][2]string, error) {
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][2]string
	for rows.Next() {
		var p [2]string
		if err := rows.Scan(&p[0], &p[1]); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Context keys that tests use to take the upsert path on an empty table,
// and to make a bulk load fail after its rows are in.
type (
	noBulkLoadKey    struct{}
	failAfterLoadKey struct{}
)

// errInjected is the failure a test asks for.
var errInjected = errors.New("store: injected failure")

func failAfterLoad(ctx context.Context) bool {
	v, _ := ctx.Value(failAfterLoadKey{}).(bool)
	return v
}
