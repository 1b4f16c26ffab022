package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"huitong"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"               // registers the "sqlite" driver
)

// Dialect names the SQL dialect of a DB.
type Dialect string

// The supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Sentinel errors every dialect translates its driver errors into.
var (
	ErrNotFound = huitong.ErrNoRecord
	ErrConflict = huitong.ErrDuplicate
)

//go:embed migrations
var migrations embed.FS

// DB is a huitong database: SQLite in a data directory, or PostgreSQL.
type DB struct {
	Dialect Dialect
	// w takes writes; for SQLite it has one connection so that writers queue
	// in Go instead of spinning on SQLITE_BUSY.
	w *sql.DB
	// r takes reads; for PostgreSQL it is w.
	r *sql.DB
	// a takes the audit log's writes: for SQLite one connection to the
	// audit file (see auditfile.go); for PostgreSQL it is w.
	a *sql.DB
	// path and auditFile are the SQLite files.
	path, auditFile string
	auditExisted    bool // the audit file was there when the DB was opened
	auditAttached   bool // the readers attach the audit file
	detach          []func()

	rebound sync.Map // query string -> dialect string

	// reads caches prepared read statements on the SQLite reader pool:
	// modernc.org/sqlite parses a query's text on every call otherwise,
	// which on the exchange's hot path costs a fifth of the CPU.
	// (PostgreSQL's driver caches prepared statements itself.)
	reads stmtCache
	// writes caches the audit writer's prepared statements on the SQLite
	// audit connection (see writeStmt).
	writes stmtCache
}

// stmtCache keeps prepared statements of one SQLite pool by query text,
// at most max of them; queries beyond it run unprepared.
type stmtCache struct {
	max int
	mu  sync.Mutex
	m   map[string]*sql.Stmt
}

// get returns the prepared statement of query on pool, preparing it the
// first time, or nil when the cache is full or the query does not prepare
// (the plain call then reports the error).
func (c *stmtCache) get(ctx context.Context, pool *sql.DB, query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[query]; ok {
		return st
	}
	if len(c.m) >= c.max {
		return nil
	}
	st, err := pool.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	if c.m == nil {
		c.m = map[string]*sql.Stmt{}
	}
	c.m[query] = st
	return st
}

// close closes and forgets every statement.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	c.m = nil
}

// maxReadStmts bounds the read statement cache.
const maxReadStmts = 512

// readStmt returns the cached prepared statement for a read query, or nil
// when the query is not to be cached.
func (db *DB) readStmt(ctx context.Context, query string) *sql.Stmt {
	if db.Dialect != SQLite {
		return nil
	}
	return db.reads.get(ctx, db.r, query)
}

// scratchSchema names the SQLite database attached to the writer for
// staging tables: a file beside the main one, without WAL or syncs, since
// a stage is thrown away after its batch (and at every start).
const scratchSchema = "scratch"

func init() {
	// Attach what attachFor names for the pool to each of its new
	// connections: the scratch file to the writer, the audit file to the
	// readers.
	sqlite.RegisterConnectionHook(func(conn sqlite.ExecQuerierContext, dsn string) error {
		list, ok := attachFor.Load(dsn)
		if !ok {
			return nil
		}
		for _, a := range *list.(*[]attachment) {
			qs := append([]string{`ATTACH DATABASE '` + sqlQuote(a.file) + `' AS ` + a.schema}, a.pragmas...)
			for _, q := range qs {
				if _, err := conn.ExecContext(context.Background(), q, nil); err != nil {
					return fmt.Errorf("attach %s database: %w", a.schema, err)
				}
			}
		}
		return nil
	})
}

// Open opens (and migrates) the database named by dsn: a postgres:// or
// postgresql:// URL selects PostgreSQL; anything else is a SQLite file path.
func Open(ctx context.Context, dsn string) (*DB, error) {
	var db *DB
	var err error
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		db, err = openPostgres(dsn)
	} else {
		db, err = openSQLite(dsn)
	}
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		if errors.Is(err, errAuditMissing) {
			removeAuditFile(db.auditFile)
		}
		return nil, err
	}
	if db.Dialect == Postgres {
		// (SQLite drops its stages when it opens the file.)
		if err := db.dropStalePostgresStages(ctx, time.Now()); err != nil {
			db.Close()
			return nil, fmt.Errorf("drop old stages: %w", err)
		}
	}
	return db, nil
}

// OpenReadOnly opens an existing database for reading only, without
// migrating it: for checking a database, such as the offline audit
// verifier, without changing it. Writes through the returned DB fail.
func OpenReadOnly(ctx context.Context, dsn string) (*DB, error) {
	var db *DB
	var err error
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		db, err = openPostgres(dsn + sep + "default_transaction_read_only=on")
	} else {
		if _, statErr := os.Stat(dsn); statErr != nil {
			return nil, fmt.Errorf("open %s: %w", dsn, statErr)
		}
		db, err = openSQLiteMode(dsn, true)
	}
	if err != nil {
		return nil, err
	}
	var n int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil || n == 0 {
		db.Close()
		return nil, fmt.Errorf("%s is not a huitong database", dsn)
	}
	return db, nil
}

// OpenDataDir opens the SQLite database huitong.db inside dir, creating dir.
func OpenDataDir(ctx context.Context, dir string) (*DB, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	return Open(ctx, filepath.Join(dir, "huitong.db"))
}

func openSQLite(path string) (*DB, error) { return openSQLiteMode(path, false) }

func openSQLiteMode(path string, readOnly bool) (*DB, error) {
	// synchronous(FULL): a committed transaction survives power loss, which
	// the audit log's "durable before answer" rule needs.
	// temp_store(MEMORY), on the audit file's writer only: its multi-row
	// inserts keep their statement journal in memory instead of a temporary
	// file (a quarter of an append's time). Elsewhere temporary tables and
	// indexes (GROUP BY, DISTINCT, IN over a large stage) must be able to
	// spill to a file: in memory they grow with the upload. The writer's
	// temporary database gets a cache as large as its main one, so that
	// they spill only past 64 MiB.
	const common = "_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=synchronous(FULL)&_time_format=sqlite"
	// The writer's page cache serves uploads. Each reader's is small: eight
	// of them keep theirs between reads (the main file changes only with
	// catalog, sharing and record writes), and 2 MiB holds the inner pages
	// of a million-record table and its key index (about 1 MiB).
	params := common + "&_pragma=cache_size(-65536)&_pragma=temp.cache_size(-65536)"
	rparams := common + "&_pragma=cache_size(-2048)&_pragma=query_only(1)"
	if readOnly {
		params = "mode=ro&_pragma=busy_timeout(10000)&_pragma=query_only(1)"
		rparams = params
	}
	wdsn := "file:" + path + "?" + params + "&_txlock=immediate"
	var detach []func()
	rdsn := "file:" + path + "?" + rparams
	audit := AuditFile(path)
	auditExisted, err := fileExists(audit)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	if !readOnly {
		// Stages left by an earlier run belong to batches that failed with it.
		scratch := path + "-stage"
		for _, suffix := range []string{"", "-journal"} {
			if err := os.Remove(scratch + suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("remove old stages: %w", err)
			}
		}
		detach = append(detach, attach(wdsn, []attachment{{file: scratch, schema: scratchSchema, pragmas: []string{
			`PRAGMA ` + scratchSchema + `.journal_mode = MEMORY`,
			`PRAGMA ` + scratchSchema + `.synchronous = OFF`,
			`PRAGMA ` + scratchSchema + `.cache_size = -65536`,
		}}}))
	}
	w, err := sql.Open("sqlite", wdsn)
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	// Touch the file through the writer first so WAL mode is set before
	// readers open it.
	if err := w.Ping(); err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	if !readOnly {
		if err := dropStaleStages(context.Background(), w); err != nil {
			w.Close()
			return nil, fmt.Errorf("open sqlite %s: %w", path, err)
		}
	}
	// The readers attach the audit file without ever creating it. A
	// read-only open attaches it only when the main file says the log is
	// there (else the log is in the main file, as before the audit file).
	var paired int64
	if readOnly {
		if paired, _, _, err = auditPairing(context.Background(), w, "main"); err != nil {
			w.Close()
			return nil, fmt.Errorf("open sqlite %s: %w", path, err)
		}
		if paired > 0 && !auditExisted {
			w.Close()
			return nil, fmt.Errorf("the audit log file %s is missing: restore it beside %s from the backup taken with it: %w", audit, path, errAuditMissing)
		}
	}
	attached := !readOnly || paired > 0
	if attached {
		mode := "rw"
		if readOnly {
			mode = "ro"
		}
		detach = append(detach, attach(rdsn, []attachment{{file: "file:" + audit + "?mode=" + mode, schema: auditSchema, pragmas: auditReaderPragmas}}))
	} else {
		attachFor.Delete(rdsn)
	}
	db := &DB{Dialect: SQLite, w: w, path: path, auditFile: audit, auditAttached: attached, detach: detach,
		reads: stmtCache{max: maxReadStmts}, writes: stmtCache{max: maxWriteStmts}}
	if readOnly {
		db.a = w
	} else {
		// The audit file's writer: its main database is the audit file.
		a, err := sql.Open("sqlite", "file:"+audit+"?"+common+"&_pragma=temp_store(MEMORY)&_pragma=cache_size(-4096)&_txlock=immediate")
		if err != nil {
			w.Close()
			return nil, err
		}
		a.SetMaxOpenConns(1)
		a.SetMaxIdleConns(1)
		a.SetConnMaxLifetime(0)
		if err := a.Ping(); err != nil {
			w.Close()
			a.Close()
			return nil, fmt.Errorf("open sqlite %s: %w", audit, err)
		}
		db.a = a
		db.auditExisted = auditExisted
	}
	r, err := sql.Open("sqlite", rdsn)
	if err != nil {
		db.Close()
		return nil, err
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	db.r = r
	if paired > 0 {
		id, _, _, err := auditPairing(context.Background(), r, auditSchema)
		if err != nil || id != paired {
			db.Close()
			return nil, fmt.Errorf("the audit log file %s does not belong to %s: restore the pair from one backup", audit, path)
		}
	}
	return db, nil
}

func openPostgres(dsn string) (*DB, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(32)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	return &DB{Dialect: Postgres, w: db, r: db, a: db}, nil
}

// Close closes the database.
func (db *DB) Close() error {
	db.reads.close()
	db.writes.close()
	for _, d := range db.detach {
		d()
	}
	err := db.w.Close()
	if db.a != nil && db.a != db.w {
		err = errors.Join(err, db.a.Close())
	}
	if db.r != nil && db.r != db.w {
		err = errors.Join(err, db.r.Close())
	}
	return err
}

// Ping checks that the database answers; /readyz uses it.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.w.PingContext(ctx); err != nil {
		return err
	}
	if err := db.a.PingContext(ctx); err != nil {
		return err
	}
	var one int
	return db.r.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// q rewrites a query written with ? placeholders for the dialect.
func (db *DB) q(query string) string {
	if db.Dialect != Postgres {
		return query
	}
	if s, ok := db.rebound.Load(query); ok {
		return s.(string)
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	s := b.String()
	db.rebound.Store(query, s)
	return s
}

// Tx is a transaction with the dialect's placeholders.
type Tx struct {
	db *DB
	tx *sql.Tx
}

// Exec runs a statement.
func (t *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	r, err := t.tx.ExecContext(ctx, t.db.q(query), args...)
	return r, t.db.translate(err)
}

// QueryRow runs a query that returns at most one row.
func (t *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, t.db.q(query), args...)
}

// Query runs a query.
func (t *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	rows, err := t.tx.QueryContext(ctx, t.db.q(query), args...)
	return rows, t.db.translate(err)
}

// Write runs fn in one write transaction, committed when fn returns nil.
func (db *DB) Write(ctx context.Context, fn func(*Tx) error) error {
	return db.writeOn(ctx, db.w, fn)
}

// writeOn runs fn in one write transaction on pool.
func (db *DB) writeOn(ctx context.Context, pool *sql.DB, fn func(*Tx) error) error {
	tx, err := pool.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(&Tx{db: db, tx: tx}); err != nil {
		tx.Rollback()
		return db.translate(err)
	}
	if err := tx.Commit(); err != nil {
		return db.translate(fmt.Errorf("commit: %w", err))
	}
	return nil
}

// Read runs fn in one read-only transaction, so that it sees one snapshot.
func (db *DB) Read(ctx context.Context, fn func(*Tx) error) error {
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: db.Dialect == Postgres})
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	return db.translate(fn(&Tx{db: db, tx: tx}))
}

// queryRow runs a single-row read outside a transaction.
func (db *DB) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if st := db.readStmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return db.r.QueryRowContext(ctx, db.q(query), args...)
}

// query runs a read outside a transaction.
func (db *DB) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := db.readStmt(ctx, query); st != nil {
		rows, err := st.QueryContext(ctx, args...)
		return rows, db.translate(err)
	}
	rows, err := db.r.QueryContext(ctx, db.q(query), args...)
	return rows, db.translate(err)
}

// nextCounter increments the named counter and returns its new value. Inside
// a write transaction the row lock orders concurrent writers, so that values
// become visible in the order they were taken.
func (t *Tx) nextCounter(ctx context.Context, name string) (int64, error) {
	var v int64
	err := t.QueryRow(ctx, `INSERT INTO counters(name, value) VALUES(?, 1)
		ON CONFLICT(name) DO UPDATE SET value = counters.value + 1 RETURNING value`, name).Scan(&v)
	return v, t.db.translate(err)
}

// Migrate applies the embedded migrations not yet applied, each in its own
// transaction. Open calls it; calling it again is harmless.
func (db *DB) Migrate(ctx context.Context) error {
	if err := db.migrate(ctx, db.w, "migrations/"+string(db.Dialect)); err != nil {
		return err
	}
	if db.Dialect == SQLite && db.a != db.w {
		if err := db.migrateAuditFile(ctx, db.auditExisted); err != nil {
			return err
		}
		db.auditExisted = true
	}
	return nil
}

// migrate applies the migrations in dir to the database of pool.
func (db *DB) migrate(ctx context.Context, pool *sql.DB, dir string) error {
	entries, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sql") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	if _, err := pool.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, name := range names {
		body, err := migrations.ReadFile(dir + "/" + name)
		if err != nil {
			return err
		}
		err = db.writeOn(ctx, pool, func(tx *Tx) error {
			if db.Dialect == Postgres {
				// Several instances may start at once against one database.
				if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(7261626)`); err != nil {
					return err
				}
			}
			var n int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE name = ?`, name).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.tx.ExecContext(ctx, string(body)); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations(name, applied_at) VALUES(?, ?)`, name, time.Now().UnixMicro())
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
	}
	return nil
}

// micros converts a time to the stored form: microseconds since the epoch,
// with the zero time stored as 0.
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// fromMicros converts the stored form back; 0 is the zero time.
func fromMicros(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMicro(v).UTC()
}

// RawQueryRow runs a read with the dialect's placeholders, for tests and
// tools that inspect the database itself.
func (db *DB) RawQueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return db.queryRow(ctx, query, args...)
}
