package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for preparing the bench database

	"huitong"
	"huitong/bench/internal/benchutil"
	"huitong/internal/catalog"
	"huitong/internal/ids"
	"huitong/internal/org"
	"huitong/internal/store"
)

// benchDB is the only PostgreSQL database the benchmark ever empties.
const benchDB = "huitong_bench_catalog"

// prepared is a store ready to open, described for the report.
type prepared struct {
	dsn     string // what store.Open takes
	label   string // for the report: "SQLite 3.x (WAL, synchronous=FULL), file ..."
	cleanup func()
}

// prepareSQLite picks the data directory. A fresh run needs an empty one.
func prepareSQLite(ctx context.Context, dir string, reuse bool) (prepared, error) {
	cleanup := func() {}
	if dir == "" {
		d, err := os.MkdirTemp("", "catalogsearch-")
		if err != nil {
			return prepared{}, err
		}
		dir = d
		cleanup = func() { os.RemoveAll(d) }
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return prepared{}, err
	}
	path := filepath.Join(dir, "huitong.db")
	if _, err := os.Stat(path); err == nil && !reuse {
		return prepared{}, fmt.Errorf("%s exists: remove it, or pass -reuse to search the resources it holds", path)
	}
	version := benchutil.SQLiteVersion(ctx)
	return prepared{dsn: path, cleanup: cleanup,
		label: fmt.Sprintf("SQLite %s (modernc.org/sqlite, WAL, synchronous=FULL), file %s", version, path)}, nil
}

// preparePostgres creates the database huitong_bench_catalog if it is missing and,
// unless reuse is set, empties its public schema, once no other session is
// connected to it (waiting at most waitOthers). It never touches the
// database adminDSN names.
func preparePostgres(ctx context.Context, adminDSN string, reuse bool, waitOthers time.Duration) (prepared, error) {
	u, admin, err := benchutil.OpenAdmin(adminDSN)
	if err != nil {
		return prepared{}, err
	}
	defer admin.Close()
	exists, err := benchutil.DatabaseExists(ctx, admin, benchDB)
	if err != nil {
		return prepared{}, fmt.Errorf("connect to postgres: %w", err)
	}
	if !exists {
		if err := benchutil.CreateDatabase(ctx, admin, benchDB); err != nil {
			return prepared{}, err
		}
	}
	var version string
	if err := admin.QueryRowContext(ctx, `SHOW server_version`).Scan(&version); err != nil {
		return prepared{}, err
	}
	u.Path = "/" + benchDB
	dsn := u.String()
	if !reuse {
		b, err := sql.Open("pgx", dsn)
		if err != nil {
			return prepared{}, err
		}
		defer b.Close()
		b.SetMaxOpenConns(1)
		cur, err := benchutil.CurrentDatabase(ctx, b)
		if err != nil {
			return prepared{}, err
		}
		if cur != benchDB {
			return prepared{}, fmt.Errorf("refusing to empty database %q: only %q", cur, benchDB)
		}
		// Another benchmark may be using the database: wait for it to leave
		// rather than drop its tables.
		for deadline := time.Now().Add(waitOthers); ; {
			var n int
			if err := b.QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, benchDB).Scan(&n); err != nil {
				return prepared{}, err
			}
			if n == 0 {
				break
			}
			if time.Now().After(deadline) {
				return prepared{}, fmt.Errorf("%d other sessions are connected to %s; not dropping its tables", n, benchDB)
			}
			benchutil.Logf("%d other sessions are connected to %s; waiting for them to leave", n, benchDB)
			time.Sleep(10 * time.Second)
		}
		if err := benchutil.ResetSchema(ctx, b); err != nil {
			return prepared{}, err
		}
	}
	host := u.Host
	return prepared{dsn: dsn, cleanup: func() {},
		label: fmt.Sprintf("PostgreSQL %s at %s, database %s (pgx)", strings.Fields(version)[0], host, benchDB)}, nil
}

// createOrgs registers the provider orgs. It writes them through the store
// (the org service adds an audit trail the benchmark has no use for), after
// the checks the org service makes: a GB 32100 check character and a known
// GB/T 2260 region code.
func createOrgs(ctx context.Context, db *store.DB, orgs []benchOrg) error {
	now := time.Now().UTC()
	for _, o := range orgs {
		if err := ids.ValidateUSCC(o.in.USCC); err != nil {
			return fmt.Errorf("org %s: %w", o.in.USCC, err)
		}
		if !ids.KnownRegion(o.in.RegionCode) {
			return fmt.Errorf("org %s: unknown region %s", o.in.USCC, o.in.RegionCode)
		}
		err := db.CreateOrg(ctx, org.Org{USCC: o.in.USCC, Name: o.in.Name, RegionCode: o.in.RegionCode, Kind: o.in.Kind, CreatedAt: now})
		if err != nil && !errors.Is(err, huitong.ErrDuplicate) {
			return fmt.Errorf("org %s %s: %w", o.in.USCC, o.in.Name, err)
		}
	}
	return nil
}

// loadResources writes n generated resources through Store.CreateResource,
// one transaction each, from workers goroutines. It checks the first ones
// against the catalog's input rules, so that the data is data a provider
// could register.
func loadResources(ctx context.Context, db *store.DB, g *generator, n, workers int, logf func(string, ...any)) (time.Duration, error) {
	type job struct {
		r      catalog.Resource
		prefix string
	}
	jobs := make(chan job, 256)
	errc := make(chan error, workers)
	var done sync.WaitGroup
	var mu sync.Mutex
	written := 0
	start := time.Now()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range workers {
		done.Add(1)
		go func() {
			defer done.Done()
			for j := range jobs {
				if _, err := db.CreateResource(ctx, j.r, j.prefix); err != nil {
					errc <- err
					cancel()
					return
				}
				mu.Lock()
				written++
				if written%10000 == 0 || written == n {
					el := time.Since(start)
					rate := float64(written) / el.Seconds()
					logf("  loaded %d/%d resources in %s (%.0f/s, ~%s to go)", written, n, el.Round(time.Second), rate,
						(time.Duration(float64(n-written)/rate) * time.Second).Round(time.Second))
				}
				mu.Unlock()
			}
		}()
	}
	var genErr error
feed:
	for i := range n {
		r, prefix := g.next(i)
		if i < 2000 {
			in := asInput(r)
			if err := in.Validate(); err != nil {
				genErr = fmt.Errorf("generated resource %d (%s) fails validation: %w", i, r.Name, err)
				break
			}
		}
		select {
		case jobs <- job{r, prefix}:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	done.Wait()
	close(errc)
	return time.Since(start), errors.Join(genErr, <-errc)
}

// loadAll reads every current resource the way Refresh does.
func loadAll(ctx context.Context, db *store.DB) ([]catalog.Resource, error) {
	var all []catalog.Resource
	var from int64
	for {
		batch, err := db.ResourcesChangedSince(ctx, from, 2000)
		if err != nil {
			return nil, err
		}
		if len(batch) == 0 {
			return all, nil
		}
		all = append(all, batch...)
		from = batch[len(batch)-1].Rev
	}
}
