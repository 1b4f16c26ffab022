package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"huitong/internal/catalog"
	"huitong/internal/ingest"
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
	return db.emptyTable(ctx, tx, t)
}

// emptyTable reports whether table t holds no row at all, not even a
// deleted record.
func (db *DB) emptyTable(ctx context.Context, tx *Tx, t string) (bool, error) {
	var one int
	err := tx.QueryRow(ctx, `SELECT 1 FROM `+t+` LIMIT 1`).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return true, nil
	}
	return false, err
}

// uniqueKeys reports whether the stage st is known to hold each key once:
// a stage gets a unique index on its keys when the file repeats none (see
// uniqueStageKey, finishScratchStage and finishPostgresStage), so the
// repeat check has nothing to find.
func (db *DB) uniqueKeys(ctx context.Context, tx *Tx, st string) (bool, error) {
	q := `SELECT COUNT(*) FROM (SELECT name, tbl_name FROM main.sqlite_master WHERE type = 'index'
		UNION ALL SELECT name, tbl_name FROM ` + scratchSchema + `.sqlite_master WHERE type = 'index') WHERE name = ? AND tbl_name = ?`
	if db.Dialect == Postgres {
		q = `SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname = ? AND tablename = ?`
	}
	var n int
	err := tx.QueryRow(ctx, q, st+"_ukey", st).Scan(&n)
	return n > 0, err
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
// to stage in the scratch database only, and to make a load fail after
// its rows are in.
type (
	noBulkLoadKey    struct{}
	noDirectStageKey struct{}
	failAfterLoadKey struct{}
)

// errInjected is the failure a test asks for.
var errInjected = errors.New("store: injected failure")

func failAfterLoad(ctx context.Context) bool {
	v, _ := ctx.Value(failAfterLoadKey{}).(bool)
	return v
}

// Writing a first load once. On SQLite the stage of a batch into an empty
// record table is a table of the main database shaped like the record
// table (its row number as the rowid, the key, the hash, the sequence
// number and every column the record table has), and the merge renames it
// into place and adds the columns known only then (batch, time, deleted
// flag) as column defaults, which SQLite stores in the schema, not in
// each row. Every accepted row is then written once instead of twice. The
// stage keeps its source row numbers (_row) as a column nothing reads.
// Should the record table have gained rows meanwhile, the stage is merged
// as any other.

// openStage creates the stage of a batch on its first use, in the shape
// of the record table when that is empty (direct), else in the scratch
// database, and reports which, with the sequence base for a direct one.
func (db *DB) openStage(ctx context.Context, tx *Tx, r catalog.Resource, st string) (bool, int64, error) {
	var base int64
	if err := tx.QueryRow(ctx, `SELECT value FROM counters WHERE name = ?`, "seq:"+r.Code).Scan(&base); err != nil && !errors.Is(db.translate(err), ErrNotFound) {
		return false, 0, err
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM main.sqlite_master WHERE type = 'table' AND name = ?`, st).Scan(&n); err != nil {
		return false, 0, err
	}
	if n > 0 {
		return true, base, nil
	}
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM `+scratchSchema+`.sqlite_master WHERE type = 'table' AND name = ?`, st).Scan(&n); err != nil {
		return false, 0, err
	}
	if direct, _ := ctx.Value(noDirectStageKey{}).(bool); n == 0 && !direct {
		t := recordTable(r.Code)
		empty, err := db.bulkLoadable(ctx, tx, t)
		if err != nil {
			return false, 0, err
		}
		if empty {
			// Every column of the record table, in its order, removed
			// fields' included.
			defs := []string{"_n INTEGER PRIMARY KEY", "_row BIGINT", "_key TEXT NOT NULL", "_hash BLOB NOT NULL", "_seq BIGINT NOT NULL"}
			rows, err := tx.Query(ctx, `SELECT name, type FROM pragma_table_info(?) ORDER BY cid`, t)
			if err != nil {
				return false, 0, err
			}
			for rows.Next() {
				var name, typ string
				if err := rows.Scan(&name, &typ); err != nil {
					rows.Close()
					return false, 0, err
				}
				if strings.HasPrefix(name, "f_") {
					defs = append(defs, name+" "+typ)
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return false, 0, err
			}
			if _, err := tx.Exec(ctx, `CREATE TABLE main.`+st+` (`+strings.Join(defs, ", ")+`)`); err != nil {
				return false, 0, err
			}
			return true, base, nil
		}
	}
	_, err := tx.Exec(ctx, db.stageDDL(r, st))
	return false, 0, err
}

// uniqueStageKey gives a direct stage the unique key index its record
// table will need, built once, here, when no key repeats in the file. It
// reports false when the stage needs a plain index instead (the repeats
// are refused before the unique one is built at publish).
func (db *DB) uniqueStageKey(ctx context.Context, tx *Tx, st string) (bool, error) {
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM main.sqlite_master WHERE type = 'index' AND name = ?`, st+"_key").Scan(&n); err != nil || n > 0 {
		return false, err
	}
	_, err := tx.Exec(ctx, fmt.Sprintf(`CREATE UNIQUE INDEX IF NOT EXISTS %s_ukey ON %s(_key)`, st, st))
	if errors.Is(err, ErrConflict) {
		return false, nil // SQLite undoes the failed statement alone
	}
	return err == nil, err
}

// publishStage makes a direct stage the record table t, if the stage is
// direct and t is still empty with its sequence where the stage took it.
// It reports whether it did.
func (db *DB) publishStage(ctx context.Context, tx *Tx, t, st string, base, batchID, now int64) (bool, error) {
	if db.Dialect == Postgres {
		return db.publishPostgresStage(ctx, tx, t, st, base, batchID, now)
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM main.sqlite_master WHERE type = 'table' AND name = ?`, st).Scan(&n); err != nil || n == 0 {
		return false, err
	}
	empty, err := db.bulkLoadable(ctx, tx, t)
	if err != nil || !empty {
		return false, err
	}
	// Each chunk of the stage took its sequence base from the counter when
	// it was written. Counters only grow, so when the first and the last
	// row have the base the counter has now, so has every row between:
	// two seeks on the rowid instead of a pass over the stage.
	var lo, hi sql.NullInt64
	if err := tx.QueryRow(ctx, `SELECT (SELECT _seq - _n FROM `+st+` ORDER BY _n LIMIT 1), (SELECT _seq - _n FROM `+st+` ORDER BY _n DESC LIMIT 1)`).Scan(&lo, &hi); err != nil {
		return false, err
	}
	// An empty stage has nothing to publish; one whose sequence moved, or
	// that lacks a column the record table gained since it was opened (a
	// new catalog version prepared meanwhile), goes the merge's other way.
	if !lo.Valid || lo.Int64 != base || hi.Int64 != base {
		return false, nil
	}
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM pragma_table_info(?) WHERE name LIKE 'f\_%' ESCAPE '\'
		AND name NOT IN (SELECT name FROM pragma_table_info(?))`, t, st).Scan(&n); err != nil || n > 0 {
		return false, err
	}
	// The record table's indexes but its unique key index, which the
	// stage brings or gets below.
	idx, err := strings1(ctx, tx, `SELECT sql FROM sqlite_master m WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL
		AND NOT (SELECT COUNT(*) = 1 AND MAX(name) = '_key' FROM pragma_index_info(m.name)) ORDER BY name`, t)
	if err != nil {
		return false, err
	}
	steps := []string{
		`DROP TABLE ` + t,
		`DROP INDEX IF EXISTS ` + st + `_key`,
		`ALTER TABLE ` + st + ` RENAME TO ` + t,
		`ALTER TABLE ` + t + ` RENAME COLUMN _n TO _id`,
		fmt.Sprintf(`ALTER TABLE %s ADD COLUMN _batch BIGINT NOT NULL DEFAULT %d`, t, batchID),
		fmt.Sprintf(`ALTER TABLE %s ADD COLUMN _updated_at BIGINT NOT NULL DEFAULT %d`, t, now),
		`ALTER TABLE ` + t + ` ADD COLUMN _deleted INTEGER NOT NULL DEFAULT 0`,
	}
	for _, q := range steps {
		if _, err := tx.Exec(ctx, q); err != nil {
			return false, fmt.Errorf("publish stage as %s: %w", t, err)
		}
	}
	if failAfterLoad(ctx) {
		return false, errInjected
	}
	var unique int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM main.sqlite_master WHERE type = 'index' AND name = ?`, st+"_ukey").Scan(&unique); err != nil {
		return false, err
	}
	if unique == 0 {
		if _, err := tx.Exec(ctx, fmt.Sprintf(`CREATE UNIQUE INDEX %s__key ON %s(_key)`, t, t)); err != nil {
			return false, fmt.Errorf("publish stage as %s: %w", t, err)
		}
	}
	for _, q := range idx {
		if _, err := tx.Exec(ctx, q); err != nil {
			return false, fmt.Errorf("publish stage as %s: %w", t, err)
		}
	}
	return true, nil
}

// dropStaleStages drops the direct stages an earlier run left in the main
// database: their batches failed with it.
func dropStaleStages(ctx context.Context, w *sql.DB) error {
	rows, err := w.QueryContext(ctx, `SELECT name FROM main.sqlite_master WHERE type = 'table' AND name LIKE 'stg\_%' ESCAPE '\'`)
	if err != nil {
		return err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return err
		}
		names = append(names, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, n := range names {
		if _, err := w.ExecContext(ctx, `DROP TABLE main.`+n); err != nil {
			return err
		}
	}
	return nil
}

// Staging rows on SQLite. A staged row is 15 values or more, and at a
// million rows the writer spent a fifth of its staging time in
// database/sql converting arguments it passes on unchanged. The stage's
// inserts therefore go to the driver's connection directly, with values
// already of the driver's types, inside a transaction begun as every
// write's is, on the writer's one connection.

// maxVariables is the most parameters one SQLite statement may have
// (SQLITE_MAX_VARIABLE_NUMBER).
const maxVariables = 32766

// stageSQLite adds rows to the stage st in one transaction, creating the
// stage first if need be.
func (db *DB) stageSQLite(ctx context.Context, r catalog.Resource, st string, rows []ingest.Staged) error {
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	sqlTx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	err = func() error {
		direct, base, err := db.openStage(ctx, &Tx{db: db, tx: sqlTx}, r, st)
		if err != nil {
			return err
		}
		cols := append([]string{"_n", "_row", "_key", "_hash"}, fieldCols(r)...)
		if direct {
			cols = append(cols, "_seq")
		}
		return conn.Raw(func(dc any) error {
			return insertStaged(ctx, dc, `INSERT INTO `+st+`(`+strings.Join(cols, ", ")+`) VALUES `, len(cols), rows,
				func(s *ingest.Staged, args []driver.NamedValue) ([]driver.NamedValue, error) {
					args = append(args, driver.NamedValue{Value: s.N}, driver.NamedValue{Value: int64(s.Row)},
						driver.NamedValue{Value: s.Key}, driver.NamedValue{Value: s.Hash})
					for _, v := range s.Values {
						v, err := driverValue(v)
						if err != nil {
							return nil, err
						}
						args = append(args, driver.NamedValue{Value: v})
					}
					if direct {
						args = append(args, driver.NamedValue{Value: base + s.N})
					}
					return args, nil
				})
		})
	}()
	if err != nil {
		sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// insertStaged inserts rows with multi-row INSERTs on the driver
// connection dc: prefix is the statement up to VALUES, cols the values
// per row, which row appends to args.
func insertStaged(ctx context.Context, dc any, prefix string, cols int, rows []ingest.Staged,
	row func(s *ingest.Staged, args []driver.NamedValue) ([]driver.NamedValue, error)) error {
	prep, ok := dc.(driver.ConnPrepareContext)
	if !ok {
		return fmt.Errorf("stage: driver connection %T cannot prepare", dc)
	}
	perStmt := max(1, min(200, maxVariables/cols))
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", cols), ",") + ")"
	// Full statements share one prepared statement; the last, shorter one
	// has its own.
	stmts := map[int]driver.StmtExecContext{}
	defer func() {
		for _, st := range stmts {
			st.(driver.Stmt).Close()
		}
	}()
	stmt := func(n int) (driver.StmtExecContext, error) {
		if st, ok := stmts[n]; ok {
			return st, nil
		}
		text := prefix + strings.TrimSuffix(strings.Repeat(one+",", n), ",")
		st, err := prep.PrepareContext(ctx, text)
		if err != nil {
			return nil, err
		}
		se, ok := st.(driver.StmtExecContext)
		if !ok {
			st.Close()
			return nil, fmt.Errorf("stage: driver statement %T cannot execute with a context", st)
		}
		stmts[n] = se
		return se, nil
	}
	args := make([]driver.NamedValue, 0, min(len(rows), perStmt)*cols)
	for start := 0; start < len(rows); start += perStmt {
		end := min(start+perStmt, len(rows))
		args = args[:0]
		for i := start; i < end; i++ {
			var err error
			if args, err = row(&rows[i], args); err != nil {
				return err
			}
		}
		if len(args) != (end-start)*cols {
			return fmt.Errorf("stage: %d values for %d rows of %d columns", len(args), end-start, cols)
		}
		for i := range args {
			args[i].Ordinal = i + 1
		}
		st, err := stmt(end - start)
		if err != nil {
			return err
		}
		if _, err := st.ExecContext(ctx, args); err != nil {
			return err
		}
	}
	return nil
}

// driverValue converts a staged value to a type the driver takes as it
// is, as database/sql would have (ints of other sizes, driver.Valuer).
func driverValue(v any) (driver.Value, error) {
	switch v.(type) {
	case nil, string, int64, bool, []byte, float64, time.Time:
		return v, nil
	}
	return driver.DefaultParameterConverter.ConvertValue(v)
}

// copyText writes staged rows in the text format of PostgreSQL's COPY
// (columns _n, _row, _key, _hash, the values, and with seq the sequence
// number base + _n), or reports false when
// a value is of a type it does not write. pgx's binary COPY plans the
// encoding of every value anew, and a decimal given as text is first
// tried as a number, failing with a formatted error, before it is parsed:
// at a million rows that was more of the client's time than reading and
// checking the file. In text, the server parses each value with the
// column's own input function, as it does for a CSV.
func copyText(rows []ingest.Staged, seq bool, base int64) ([]byte, bool) {
	size := 0
	for i := range rows {
		size += 64 + len(rows[i].Key) + 2*len(rows[i].Hash)
		for _, v := range rows[i].Values {
			if s, ok := v.(string); ok {
				size += len(s) + 1
			} else {
				size += 21
			}
		}
	}
	b := make([]byte, 0, size)
	for i := range rows {
		s := &rows[i]
		b = strconv.AppendInt(b, s.N, 10)
		b = append(b, '\t')
		b = strconv.AppendInt(b, int64(s.Row), 10)
		b = append(b, '\t')
		b = appendCopyString(b, s.Key)
		b = append(b, '\t')
		b = appendCopyBytea(b, s.Hash)
		for _, v := range s.Values {
			b = append(b, '\t')
			switch v := v.(type) {
			case nil:
				b = append(b, '\\', 'N')
			case string:
				b = appendCopyString(b, v)
			case int64:
				b = strconv.AppendInt(b, v, 10)
			case int:
				b = strconv.AppendInt(b, int64(v), 10)
			case bool:
				if v {
					b = append(b, 't')
				} else {
					b = append(b, 'f')
				}
			case []byte:
				b = appendCopyBytea(b, v)
			default:
				return nil, false
			}
		}
		if seq {
			b = append(b, '\t')
			b = strconv.AppendInt(b, base+s.N, 10)
		}
		b = append(b, '\n')
	}
	return b, true
}

// appendCopyString appends s escaped for COPY's text format: a backslash
// and the separators (tab, newline, carriage return) take a backslash.
func appendCopyString(b []byte, s string) []byte {
	for {
		i := strings.IndexAny(s, "\\\t\n\r")
		if i < 0 {
			return append(b, s...)
		}
		b = append(b, s[:i]...)
		switch s[i] {
		case '\\':
			b = append(b, '\\', '\\')
		case '\t':
			b = append(b, '\\', 't')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		}
		s = s[i+1:]
	}
}

// appendCopyBytea appends p as a bytea in COPY's text format (hex, its
// backslash escaped); nil is NULL.
func appendCopyBytea(b, p []byte) []byte {
	if p == nil {
		return append(b, '\\', 'N')
	}
	b = append(b, '\\', '\\', 'x')
	return hex.AppendEncode(b, p)
}

// Writing a first load once on PostgreSQL. As on SQLite, the stage of a
// batch into an empty record table is a table in the record table's shape
// (a logged one, unlike the UNLOGGED stages of other batches, since it is
// to become the record table), and the merge renames it into place: the
// row number becomes the identity id, the columns known only then are
// added with constant defaults (which PostgreSQL keeps in the catalog, not
// in each row), the stage's unique key index becomes the key's constraint
// and the other indexes are built. This saves copying every row from the
// stage into the record table inside the merge.

// openPostgresStage creates the stage of a batch on its first use, in the
// shape of the record table when that is empty (direct), else UNLOGGED,
// and reports which, with the sequence base for a direct one.
func (db *DB) openPostgresStage(ctx context.Context, pg *pgx.Conn, r catalog.Resource, st string) (bool, int64, error) {
	var base int64
	if err := pg.QueryRow(ctx, `SELECT value FROM counters WHERE name = $1`, "seq:"+r.Code).Scan(&base); err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return false, 0, err
	}
	var persistence string
	err := pg.QueryRow(ctx, `SELECT relpersistence::text FROM pg_class WHERE oid = to_regclass($1)`, st).Scan(&persistence)
	if err == nil {
		return persistence == "p", base, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return false, 0, err
	}
	t := recordTable(r.Code)
	noDirect, _ := ctx.Value(noDirectStageKey{}).(bool)
	noBulk, _ := ctx.Value(noBulkLoadKey{}).(bool)
	empty := false
	if !noDirect && !noBulk {
		if err := pg.QueryRow(ctx, `SELECT NOT EXISTS (SELECT 1 FROM `+t+`)`).Scan(&empty); err != nil {
			return false, 0, err
		}
	}
	if !empty {
		_, err := pg.Exec(ctx, db.stageDDL(r, st))
		return false, 0, err
	}
	// Every field column of the record table, in its order and with its
	// type, removed fields' included.
	defs := []string{"_n BIGINT PRIMARY KEY", "_row BIGINT", "_key TEXT NOT NULL", "_hash BYTEA NOT NULL", "_seq BIGINT NOT NULL"}
	rows, err := pg.Query(ctx, `SELECT attname::text, format_type(atttypid, atttypmod) FROM pg_attribute
		WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped AND attname LIKE 'f\_%' ORDER BY attnum`, t)
	if err != nil {
		return false, 0, err
	}
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			rows.Close()
			return false, 0, err
		}
		defs = append(defs, name+" "+typ)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return false, 0, err
	}
	_, err = pg.Exec(ctx, `CREATE TABLE `+st+` (`+strings.Join(defs, ", ")+`)`)
	return err == nil, base, err
}

// publishPostgresStage makes a direct stage the record table t, if the
// stage is direct and t is still empty, with its sequence where the stage
// took it and its field columns as the stage has them. It reports whether
// it did.
func (db *DB) publishPostgresStage(ctx context.Context, tx *Tx, t, st string, base, batchID, now int64) (bool, error) {
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM pg_attribute WHERE attrelid = to_regclass(?) AND attname = '_seq' AND NOT attisdropped`, st).Scan(&n); err != nil || n == 0 {
		return false, err
	}
	empty, err := db.bulkLoadable(ctx, tx, t)
	if err != nil || !empty {
		return false, err
	}
	// As on SQLite: the first and the last row tell the base of them all.
	var lo, hi, maxN sql.NullInt64
	if err := tx.QueryRow(ctx, `SELECT (SELECT _seq - _n FROM `+st+` ORDER BY _n LIMIT 1), (SELECT _seq - _n FROM `+st+` ORDER BY _n DESC LIMIT 1),
		(SELECT MAX(_n) FROM `+st+`)`).Scan(&lo, &hi, &maxN); err != nil {
		return false, err
	}
	if !lo.Valid || lo.Int64 != base || hi.Int64 != base {
		return false, nil
	}
	// A field column the record table gained, or whose type it changed,
	// since the stage was opened sends the stage the merge's other way.
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM pg_attribute a WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped
		AND a.attname LIKE 'f\_%' AND (a.attname, format_type(a.atttypid, a.atttypmod)) NOT IN
		(SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = to_regclass(?) AND attnum > 0 AND NOT attisdropped)`,
		t, st).Scan(&n); err != nil || n > 0 {
		return false, err
	}
	// The record table's indexes that no constraint owns (the sequence's
	// and the indexed fields'), built again on the new table.
	idx, err := strings1(ctx, tx, `SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ?
		AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = CAST(? AS regclass)) ORDER BY indexname`, t, t)
	if err != nil {
		return false, err
	}
	var unique int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ? AND indexname = ?`,
		st, st+"_ukey").Scan(&unique); err != nil {
		return false, err
	}
	steps := []string{
		`DROP TABLE ` + t,
		`ALTER TABLE ` + st + ` RENAME TO ` + t,
		`ALTER TABLE ` + t + ` RENAME COLUMN _n TO _id`,
		`ALTER TABLE ` + t + ` RENAME CONSTRAINT ` + st + `_pkey TO ` + t + `_pkey`,
		fmt.Sprintf(`ALTER TABLE %s ALTER COLUMN _id ADD GENERATED BY DEFAULT AS IDENTITY (START WITH %d)`, t, maxN.Int64+1),
		fmt.Sprintf(`ALTER TABLE %s ADD COLUMN _batch BIGINT NOT NULL DEFAULT %d`, t, batchID),
		fmt.Sprintf(`ALTER TABLE %s ADD COLUMN _updated_at BIGINT NOT NULL DEFAULT %d`, t, now),
		`ALTER TABLE ` + t + ` ADD COLUMN _deleted BOOLEAN NOT NULL DEFAULT false`,
	}
	if unique > 0 {
		steps = append(steps, fmt.Sprintf(`ALTER TABLE %s ADD CONSTRAINT %s__key_key UNIQUE USING INDEX %s_ukey`, t, t, st))
	} else {
		// The file repeated keys; the merge refused the repeats.
		steps = append(steps, `DROP INDEX IF EXISTS `+st+`_key`, fmt.Sprintf(`ALTER TABLE %s ADD CONSTRAINT %s__key_key UNIQUE (_key)`, t, t))
	}
	for _, q := range steps {
		if _, err := tx.Exec(ctx, q); err != nil {
			return false, fmt.Errorf("publish stage as %s: %w", t, err)
		}
	}
	if failAfterLoad(ctx) {
		return false, errInjected
	}
	for _, q := range idx {
		if _, err := tx.Exec(ctx, q); err != nil {
			return false, fmt.Errorf("publish stage as %s: %w", t, err)
		}
	}
	return true, nil
}

// staleStageAge is how long a PostgreSQL batch may stay "processing" before
// its stage counts as left behind by an instance that stopped.
const staleStageAge = 24 * time.Hour

// dropStalePostgresStages drops the stages that batches left in the
// PostgreSQL database when their instance stopped mid-batch: those of
// batches that have finished since (a failure after the stage was made)
// and of batches still "processing" after staleStageAge. Several instances
// may share the database, so a stage of a batch that may still be running
// elsewhere, or whose batch row is not visible, is kept.
func (db *DB) dropStalePostgresStages(ctx context.Context, now time.Time) error {
	rows, err := db.w.QueryContext(ctx, `SELECT t.tablename, b.status, b.created_at
		FROM pg_tables t JOIN batches b ON 'stg_' || b.id::text = t.tablename
		WHERE t.schemaname = current_schema() AND t.tablename LIKE 'stg\_%'`)
	if err != nil {
		return err
	}
	var drop []string
	for rows.Next() {
		var name, status string
		var created int64
		if err := rows.Scan(&name, &status, &created); err != nil {
			rows.Close()
			return err
		}
		if status != "processing" || now.Sub(fromMicros(created)) > staleStageAge {
			drop = append(drop, name)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, n := range drop {
		if _, err := db.w.ExecContext(ctx, `DROP TABLE IF EXISTS `+n); err != nil {
			return err
		}
	}
	return nil
}
