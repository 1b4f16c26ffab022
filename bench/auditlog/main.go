// Command auditlog measures the audit log: durable appends per second with
// 1, 16 and 64 concurrent writers through Log.Append, side by side with a
// baseline of plain durable single-row INSERTs of the same record bytes
// into a bare table; and the latency of inclusion and consistency proofs on
// logs of a million records and more, side by side with tlog's proofs over
// hashes in memory. It prints markdown for docs/PERFORMANCE.md. It reports;
// it does not assert.
//
//	go run ./bench/auditlog                       # SQLite: appends, then proofs at 1M and 10M
//	go run ./bench/auditlog -db postgres -dsn 'postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable'
//	go run ./bench/auditlog -db sqlite -proofs=false -writers 64 -cpuprofile append.prof
//
// SQLite runs in fresh directories under -dir (default the system temp
// directory, which must be on a real disk for the numbers to mean
// anything). For PostgreSQL it works in the database huitong_bench_audit (created
// when missing, its public schema dropped and recreated before each run),
// never in the database -dsn names; it waits while another client is
// connected to huitong_bench_audit. Progress goes to stderr, the report to stdout.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"huitong/bench/internal/benchutil"
	"huitong/internal/audit"
	"huitong/internal/store"
)

func main() { benchutil.Main("auditlog", run) }

type config struct {
	dbs        []string
	dsn        string
	dir        string
	writers    []int
	duration   time.Duration
	appends    bool
	proofs     bool
	sizes      []int64
	samples    int
	chunk      int
	pgWait     time.Duration
	cpuProfile string
	out        string
}

func parseFlags() (config, error) {
	var c config
	var dbs, writers, sizes string
	flag.StringVar(&dbs, "db", "sqlite", "stores to measure, comma-separated: sqlite, postgres")
	flag.StringVar(&c.dsn, "dsn", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable",
		"PostgreSQL server to use (the benchmark works in the database "+benchDB+" on it, never in this one)")
	flag.StringVar(&c.dir, "dir", "", "where SQLite's fresh directories go (default: the system temp directory)")
	flag.StringVar(&writers, "writers", "1,16,64", "comma-separated numbers of concurrent writers")
	flag.DurationVar(&c.duration, "duration", 10*time.Second, "how long each append run lasts")
	flag.BoolVar(&c.appends, "appends", true, "measure appends")
	flag.BoolVar(&c.proofs, "proofs", true, "measure proofs")
	flag.StringVar(&sizes, "sizes", "1000000,10000000", "comma-separated log sizes for the proofs, ascending (the log grows from one to the next)")
	flag.IntVar(&c.samples, "samples", 2000, "proofs timed per kind and size")
	flag.IntVar(&c.chunk, "chunk", 10000, "records per transaction when populating the log for the proofs")
	flag.DurationVar(&c.pgWait, "pg-wait", 30*time.Minute, "how long to wait for other clients of "+benchDB+" to leave")
	flag.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile of the audit log's append runs (not the baselines) to this file")
	flag.StringVar(&c.out, "o", "", "also write the report to this file")
	flag.Parse()
	for _, s := range strings.Split(dbs, ",") {
		s = strings.TrimSpace(s)
		if s != "sqlite" && s != "postgres" {
			return c, fmt.Errorf("-db: unknown store %q", s)
		}
		c.dbs = append(c.dbs, s)
	}
	var err error
	if c.writers, err = benchutil.PositiveInts("writers", writers); err != nil {
		return c, err
	}
	for _, s := range strings.Split(sizes, ",") {
		v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil || v < 2 || (len(c.sizes) > 0 && v <= c.sizes[len(c.sizes)-1]) {
			return c, fmt.Errorf("bad -sizes %q: want ascending sizes of at least 2", sizes)
		}
		c.sizes = append(c.sizes, v)
	}
	return c, nil
}

// storeReport is what was measured on one store.
type storeReport struct {
	label   string
	audit   []appendRun
	bare    []appendRun
	proofs  []proofRun
	skipped string
}

func run() error {
	cfg, err := parseFlags()
	if err != nil {
		return err
	}
	ctx := context.Background()
	mach := describeMachine()
	benchutil.Logf("machine: %d CPUs (GOMAXPROCS %d), %s, %s RAM, %s; load %s", mach.CPUs, mach.GOMAXPROCS, mach.CPUModel, mach.MemTotal, mach.Go, loadAvg())
	var prof *os.File
	if cfg.cpuProfile != "" {
		if prof, err = os.Create(cfg.cpuProfile); err != nil {
			return err
		}
		defer prof.Close()
	}
	started := time.Now()
	var reps []*storeReport
	for _, name := range cfg.dbs {
		var b *backend
		if name == "sqlite" {
			b, err = newSQLite(ctx, cfg.dir)
		} else {
			b, err = newPostgres(ctx, cfg.dsn, cfg.pgWait)
		}
		if err != nil {
			return err
		}
		rep := &storeReport{label: b.label}
		reps = append(reps, rep)
		benchutil.Logf("store: %s", b.label)
		if cfg.appends {
			for _, w := range cfg.writers {
				if prof != nil {
					if err := pprof.StartCPUProfile(prof); err != nil {
						return err
					}
				}
				a, err := runAudit(ctx, b, w, cfg.duration)
				if prof != nil {
					pprof.StopCPUProfile()
					prof = nil // one profile per file: the first run's
				}
				if err != nil {
					return fmt.Errorf("%s, %d writers, audit log: %w", b.name, w, err)
				}
				benchutil.Logf("%s %2d writers: Log.Append %8.0f/s (p50 %s, p99 %s; %d commits)", b.name, w, a.rate(), benchutil.FmtDur(a.Lat.P50), benchutil.FmtDur(a.Lat.P99), a.Commits)
				bare, err := runBare(ctx, b, w, cfg.duration)
				if err != nil {
					return fmt.Errorf("%s, %d writers, baseline: %w", b.name, w, err)
				}
				benchutil.Logf("%s %2d writers: bare INSERT %8.0f/s (p50 %s, p99 %s)", b.name, w, bare.rate(), benchutil.FmtDur(bare.Lat.P50), benchutil.FmtDur(bare.Lat.P99))
				rep.audit, rep.bare = append(rep.audit, a), append(rep.bare, bare)
			}
		}
		if cfg.proofs {
			if err := runProofs(ctx, b, cfg, rep); err != nil {
				return err
			}
		}
	}
	return benchutil.WriteReport(cfg.out, func(w io.Writer) { writeReport(w, cfg, mach, reps, time.Since(started)) })
}

func runProofs(ctx context.Context, b *backend, cfg config, rep *storeReport) error {
	dsn, cleanup, err := b.fresh(ctx)
	if err != nil {
		return err
	}
	defer cleanup()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	mem := &memHashes{}
	var have int64
	for _, size := range cfg.sizes {
		subjects, err := audit.NewSubjects(benchSecret)
		if err != nil {
			return err
		}
		benchutil.Logf("%s: populating the log from %d to %d records, %d a transaction", b.name, have, size, cfg.chunk)
		t := time.Now()
		if err := populate(ctx, db, subjects, mem, have, size, cfg.chunk, 1); err != nil {
			return err
		}
		took := time.Since(t)
		have = size
		benchutil.Logf("%s: measuring proofs at %d records", b.name, size)
		pr, err := measureProofs(ctx, db, mem, size, cfg.samples, 1)
		if err != nil {
			return fmt.Errorf("%s, proofs at %d: %w", b.name, size, err)
		}
		pr.Populate = took
		if b.name == "SQLite" {
			pr.DiskSize = diskSize(dsn)
		}
		benchutil.Logf("%s %d: ProveInclusion p50 %s p99 %s; ProveConsistency p50 %s p99 %s; raw ProveRecord p50 %s",
			b.name, size, benchutil.FmtDur(pr.Inclusion.P50), benchutil.FmtDur(pr.Inclusion.P99), benchutil.FmtDur(pr.Consistency.P50), benchutil.FmtDur(pr.Consistency.P99), benchutil.FmtDur(pr.RawInclusion.P50))
		rep.proofs = append(rep.proofs, pr)
	}
	return nil
}
