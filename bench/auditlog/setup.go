package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for the bench database and the baseline
	"golang.org/x/mod/sumdb/note"
	_ "modernc.org/sqlite" // the "sqlite" driver, for the baseline

	"huitong/bench/internal/benchutil"
	"huitong/internal/audit"
	"huitong/internal/store"
)

// benchDB is the only PostgreSQL database the benchmark ever empties.
const benchDB = "huitong_bench_audit"

// sqliteParams are the store's connection settings (internal/store
// openSQLite): WAL, synchronous=FULL, so that a commit is durable.
const sqliteParams = "_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=synchronous(FULL)&_time_format=sqlite&_txlock=immediate"

// backend is a store to run on: SQLite files in fresh directories, or the
// bench database on a PostgreSQL server.
type backend struct {
	name    string // "SQLite" or "PostgreSQL"
	label   string // for the report
	baseDir string // SQLite: where fresh directories go
	adminDSN,
	dsn string // PostgreSQL: the bench database
	wait time.Duration
}

func newSQLite(ctx context.Context, baseDir string) (*backend, error) {
	version := benchutil.SQLiteVersion(ctx)
	if baseDir == "" {
		baseDir = os.TempDir()
	}
	return &backend{name: "SQLite", baseDir: baseDir,
		label: fmt.Sprintf("SQLite %s (modernc.org/sqlite, WAL, synchronous=FULL, one writer connection), fresh files under %s", version, baseDir)}, nil
}

func newPostgres(ctx context.Context, adminDSN string, wait time.Duration) (*backend, error) {
	u, admin, err := benchutil.OpenAdmin(adminDSN)
	if err != nil {
		return nil, err
	}
	defer admin.Close()
	exists, err := benchutil.DatabaseExists(ctx, admin, benchDB)
	if err != nil {
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	if !exists {
		if err := benchutil.CreateDatabase(ctx, admin, benchDB); err != nil {
			return nil, err
		}
	}
	var version, syncCommit, fsync string
	if err := admin.QueryRowContext(ctx, `SELECT current_setting('server_version'), current_setting('synchronous_commit'), current_setting('fsync')`).
		Scan(&version, &syncCommit, &fsync); err != nil {
		return nil, err
	}
	u.Path = "/" + benchDB
	return &backend{name: "PostgreSQL", adminDSN: adminDSN, dsn: u.String(), wait: wait,
		label: fmt.Sprintf("PostgreSQL %s at %s, database %s (pgx; synchronous_commit=%s, fsync=%s)",
			strings.Fields(version)[0], u.Host, benchDB, syncCommit, fsync)}, nil
}

// fresh returns the DSN of an empty store and a cleanup: a new directory
// for SQLite, the emptied public schema of the bench database for
// PostgreSQL.
func (b *backend) fresh(ctx context.Context) (string, func(), error) {
	if b.name == "SQLite" {
		dir, err := os.MkdirTemp(b.baseDir, "auditlog-bench-")
		if err != nil {
			return "", nil, err
		}
		return filepath.Join(dir, "huitong.db"), func() { os.RemoveAll(dir) }, nil
	}
	db, err := sql.Open("pgx", b.dsn)
	if err != nil {
		return "", nil, err
	}
	defer db.Close()
	cur, err := benchutil.CurrentDatabase(ctx, db)
	if err != nil {
		return "", nil, err
	}
	if cur != benchDB {
		return "", nil, fmt.Errorf("refusing to empty database %q: only %q", cur, benchDB)
	}
	// Another benchmark may be using the bench database: wait for it
	// rather than drop its tables under it.
	deadline := time.Now().Add(b.wait)
	for {
		var others int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, benchDB).Scan(&others); err != nil {
			return "", nil, err
		}
		if others == 0 {
			break
		}
		if time.Now().After(deadline) {
			return "", nil, fmt.Errorf("%d other connection(s) to %s for over %s: another benchmark is using it", others, benchDB, b.wait)
		}
		benchutil.Logf("waiting: %d other connection(s) to %s", others, benchDB)
		time.Sleep(10 * time.Second)
	}
	if err := benchutil.ResetSchema(ctx, db); err != nil {
		return "", nil, err
	}
	return b.dsn, func() {}, nil
}

// openBare opens the baseline's connection to the store at dsn, configured
// as the store configures its writer, and creates the bare table.
func (b *backend) openBare(ctx context.Context, dsn string, writers int) (*sql.DB, string, error) {
	var db *sql.DB
	var err error
	var create, insert string
	if b.name == "SQLite" {
		path := filepath.Join(filepath.Dir(dsn), "bare.db")
		if db, err = sql.Open("sqlite", "file:"+path+"?"+sqliteParams); err != nil {
			return nil, "", err
		}
		db.SetMaxOpenConns(1) // as the store's writer: SQLite takes one writer at a time
		create = `CREATE TABLE bare_audit (id INTEGER PRIMARY KEY, data BLOB NOT NULL)`
		insert = `INSERT INTO bare_audit(data) VALUES (?)`
	} else {
		if db, err = sql.Open("pgx", dsn); err != nil {
			return nil, "", err
		}
		db.SetMaxOpenConns(writers)
		db.SetMaxIdleConns(writers)
		create = `CREATE TABLE bare_audit (id BIGSERIAL PRIMARY KEY, data BYTEA NOT NULL)`
		insert = `INSERT INTO bare_audit(data) VALUES ($1)`
	}
	if _, err := db.ExecContext(ctx, create); err != nil {
		db.Close()
		return nil, "", err
	}
	return db, insert, nil
}

// openLog opens the store at dsn and an audit log over it (through wrap)
// with a freshly generated key.
func openLog(ctx context.Context, dsn string, wrap func(audit.Store) audit.Store) (*store.DB, *audit.Log, *audit.Subjects, error) {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, nil, nil, err
	}
	l, subjects, err := openLogOn(ctx, db, wrap)
	if err != nil {
		db.Close()
		return nil, nil, nil, err
	}
	return db, l, subjects, nil
}

// benchSKey and benchVKey are the key pair of every log the benchmark
// opens, and benchSecret its subject key.
var benchSKey, benchVKey, benchSecret = func() (string, string, []byte) {
	skey, vkey, err := note.GenerateKey(rand.Reader, "huitong/bench/audit")
	if err != nil {
		panic(err)
	}
	secret := make([]byte, 32)
	rand.Read(secret)
	return skey, vkey, secret
}()

func openLogOn(ctx context.Context, db *store.DB, wrap func(audit.Store) audit.Store) (*audit.Log, *audit.Subjects, error) {
	signer, err := note.NewSigner(benchSKey)
	if err != nil {
		return nil, nil, err
	}
	verifier, err := note.NewVerifier(benchVKey)
	if err != nil {
		return nil, nil, err
	}
	subjects, err := audit.NewSubjects(benchSecret)
	if err != nil {
		return nil, nil, err
	}
	var st audit.Store = db
	if wrap != nil {
		st = wrap(db)
	}
	l, err := audit.Open(ctx, audit.Config{Store: st, Signer: signer, Verifier: verifier, Subjects: subjects,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	return l, subjects, err
}
