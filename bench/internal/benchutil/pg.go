package benchutil

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"slices"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for the bench databases
	_ "modernc.org/sqlite"             // the "sqlite" driver, for the version string
)

// SQLiteVersion returns the version of the SQLite the store links, or "?".
func SQLiteVersion(ctx context.Context) string {
	version := "?"
	if c, err := sql.Open("sqlite", ":memory:"); err == nil {
		c.QueryRowContext(ctx, "SELECT sqlite_version()").Scan(&version)
		c.Close()
	}
	return version
}

// OpenAdmin parses the -dsn flag's value and opens it, to create and
// choose the bench database with; the database it names is never
// emptied.
func OpenAdmin(adminDSN string) (*url.URL, *sql.DB, error) {
	u, err := url.Parse(adminDSN)
	if err != nil {
		return nil, nil, fmt.Errorf("parse -dsn: %w", err)
	}
	admin, err := sql.Open("pgx", adminDSN)
	if err != nil {
		return nil, nil, err
	}
	return u, admin, nil
}

// PGServer is what the report says of a PostgreSQL server.
type PGServer struct {
	Version, SyncCommit, Fsync, SharedBuffers string
}

// ReadPGServer asks the server for its version and durability settings.
func ReadPGServer(ctx context.Context, admin *sql.DB) (PGServer, error) {
	var s PGServer
	if err := admin.QueryRowContext(ctx, `SELECT current_setting('server_version'), current_setting('synchronous_commit'),
		current_setting('fsync'), current_setting('shared_buffers')`).Scan(&s.Version, &s.SyncCommit, &s.Fsync, &s.SharedBuffers); err != nil {
		return s, fmt.Errorf("connect to postgres: %w", err)
	}
	return s, nil
}

// DatabaseExists reports whether the server has a database name.
func DatabaseExists(ctx context.Context, admin *sql.DB, name string) (bool, error) {
	var exists bool
	err := admin.QueryRowContext(ctx, `SELECT EXISTS(SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists)
	return exists, err
}

// CreateDatabase creates the database name.
func CreateDatabase(ctx context.Context, admin *sql.DB, name string) error {
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	return nil
}

// PickDatabase returns the first of cands no client is connected to, or ""
// when clients are connected to all. It creates those that are missing;
// with mustExist (a -reuse run) a missing one is an error instead.
func PickDatabase(ctx context.Context, admin *sql.DB, cands []string, mustExist bool) (string, error) {
	for _, cand := range cands {
		exists, err := DatabaseExists(ctx, admin, cand)
		if err != nil {
			return "", err
		}
		if !exists {
			if mustExist {
				return "", fmt.Errorf("-reuse: database %s is gone", cand)
			}
			if err := CreateDatabase(ctx, admin, cand); err != nil {
				return "", err
			}
		}
		var others int
		if err := admin.QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = $1`, cand).Scan(&others); err != nil {
			return "", err
		}
		if others == 0 {
			return cand, nil
		}
		Logf("%d other client(s) connected to %s; not using it", others, cand)
	}
	return "", nil
}

// CurrentDatabase returns the name of the database db is connected to.
func CurrentDatabase(ctx context.Context, db *sql.DB) (string, error) {
	var cur string
	err := db.QueryRowContext(ctx, `SELECT current_database()`).Scan(&cur)
	return cur, err
}

// ResetSchema drops the public schema of the database db is connected to,
// with all it holds, and creates it again empty.
func ResetSchema(ctx context.Context, db *sql.DB) error {
	for _, s := range []string{`DROP SCHEMA public CASCADE`, `CREATE SCHEMA public`} {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

// EmptyDatabase empties the public schema of the database at dsn, which
// must be one of allowed.
func EmptyDatabase(ctx context.Context, dsn string, allowed ...string) error {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	cur, err := CurrentDatabase(ctx, db)
	if err != nil {
		return err
	}
	if !slices.Contains(allowed, cur) {
		return fmt.Errorf("refusing to empty database %q", cur)
	}
	return ResetSchema(ctx, db)
}

// Label describes the server and the bench database name on host for the
// report.
func (s PGServer) Label(host, name string) string {
	return fmt.Sprintf("PostgreSQL %s at %s, database %s (pgx; synchronous_commit=%s, fsync=%s, shared_buffers=%s)",
		strings.Fields(s.Version)[0], host, name, s.SyncCommit, s.Fsync, s.SharedBuffers)
}
