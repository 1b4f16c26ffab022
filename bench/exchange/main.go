// Command exchange measures the exchange gateway under load: 1, 16 and 64
// concurrent clients, each with its own keep-alive connection, send
// exact-key queries (POST /api/v1/exchange/{code}/query) and verifications
// (POST /api/v1/exchange/{code}/verify) on a resource of 1,000,000 records
// to the real huitong binary, started as a subprocess, so that every call
// takes the whole path: authentication, grant check, rate and quota,
// projection, masking and a durable audit record before the answer. Side
// by side, the same clients call a bare net/http handler in this process
// that serves the same records from a map (no authentication, masking,
// database or audit). It reports throughput, p50/p99/max latency, errors,
// the server's RSS and CPU, the audit records appended, and prints
// markdown for docs/PERFORMANCE.md. It reports; it does not assert.
//
//	go run ./bench/exchange                      # SQLite
//	go run ./bench/exchange -db postgres -dsn 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable'
//
// The setup goes through the HTTP API of `huitong demo`: the police
// bureau's provider (ga_provider) registers a conditional resource and
// uploads the generated CSV file, the civil affairs bureau's consumer
// (mz_consumer) requests every field, the provider approves at the highest
// rate and quota, and the admin countersigns the level-4 field. That
// server is then stopped, and `huitong serve` is started on the same store
// and measured, so that what it holds in memory is what serving needs.
//
// The generated file is cached in -dir, and so (with -keep) is the loaded
// store, which -reuse measures again without loading. For PostgreSQL it
// works in the database huitong_bench_exchange (or huitong_bench_exchange2
// when another client is connected to it), created when missing and
// emptied first, never in the database -dsn names. Progress goes to
// stderr, the report to stdout.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"huitong/bench/internal/benchutil"
	"huitong/bench/internal/sysinfo"
)

func main() { benchutil.Main("exchange bench", run) }

type config struct {
	db         string
	dsn        string
	dir        string
	rows       int
	seed       uint64
	clients    []int
	calls      []string
	duration   time.Duration
	warmup     time.Duration
	baseline   bool
	reuse      bool
	keep       bool
	checks     int
	quiet      float64
	quietWait  time.Duration
	logLevel   string
	cpuProfile string
	out        string
	code       string
	rssEvery   time.Duration
	src        string
}

func parseFlags() (config, error) {
	var c config
	var clients, calls string
	flag.StringVar(&c.db, "db", "sqlite", "store: sqlite or postgres")
	flag.StringVar(&c.dsn, "dsn", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable",
		"PostgreSQL server to use (the benchmark works in the database "+benchDB+" or "+benchDBAlt+" on it, never in this one)")
	flag.StringVar(&c.dir, "dir", "/tmp/huitong-exchange-bench", "directory for the binary, the generated file (cached), the server's data dir and logs")
	flag.IntVar(&c.rows, "rows", 1000000, "records of the resource")
	flag.Uint64Var(&c.seed, "seed", 1, "generator seed")
	flag.StringVar(&clients, "clients", "1,16,64", "comma-separated numbers of concurrent clients")
	flag.StringVar(&calls, "calls", "query,verify", "calls to measure: query, verify")
	flag.DurationVar(&c.duration, "duration", 10*time.Second, "measured time of each run")
	flag.DurationVar(&c.warmup, "warmup", 2*time.Second, "unmeasured time at the start of each run")
	flag.BoolVar(&c.baseline, "baseline", true, "also measure the bare handler")
	flag.BoolVar(&c.reuse, "reuse", false, "measure the store a previous run kept (-keep) instead of loading again")
	flag.BoolVar(&c.keep, "keep", false, "keep the loaded store for a later -reuse")
	flag.IntVar(&c.checks, "checks", 50, "records whose answers are checked field by field before the load")
	flag.Float64Var(&c.quiet, "quiet", 0.5, "before each run, wait until other processes use less than this many CPUs (0: do not wait)")
	flag.DurationVar(&c.quietWait, "quiet-wait", 2*time.Minute, "longest wait for -quiet before measuring anyway")
	flag.StringVar(&c.logLevel, "server-log-level", "info", "the server's --log-level (info logs a line per request, as in production)")
	flag.StringVar(&c.cpuProfile, "cpuprofile", "", "after the measurements, run the largest query load once more against a build of the server with net/http/pprof added (go build -overlay; the tree is not changed) and write its CPU profile to this file")
	flag.StringVar(&c.out, "o", "", "also write the report to this file")
	flag.StringVar(&c.code, "code", "", "describes the code measured in the report (default: from git in the current directory)")
	flag.StringVar(&c.src, "src", "HEAD", "the server's source: a git revision, built from `git archive` of it into -dir, so that uncommitted edits in the tree do not change what is measured; or \"worktree\" for the working tree")
	flag.DurationVar(&c.rssEvery, "rss-every", 100*time.Millisecond, "server RSS sampling interval")
	flag.Parse()
	if c.db != "sqlite" && c.db != "postgres" {
		return c, fmt.Errorf("-db must be sqlite or postgres")
	}
	var err error
	if c.clients, err = benchutil.PositiveInts("clients", clients); err != nil {
		return c, err
	}
	for _, s := range strings.Split(calls, ",") {
		s = strings.TrimSpace(s)
		if s != "query" && s != "verify" {
			return c, fmt.Errorf("bad -calls %q: want query, verify", calls)
		}
		c.calls = append(c.calls, s)
	}
	if c.rows < 1 || c.duration <= 0 || c.warmup < 0 {
		return c, fmt.Errorf("-rows and -duration must be positive")
	}
	return c, nil
}

var selfPID = os.Getpid()

func run() error {
	cfg, err := parseFlags()
	if err != nil {
		return err
	}
	ctx := context.Background()
	if err := os.MkdirAll(cfg.dir, 0o755); err != nil {
		return err
	}
	src, code, err := benchutil.SourceTree(cfg.src, cfg.dir, measuredPaths...)
	if err != nil {
		return err
	}
	mach := describeMachine()
	mach.Code = code
	if cfg.code != "" {
		mach.Code = cfg.code
	}
	benchutil.Logf("machine: %d CPUs (GOMAXPROCS %d), %s, %s RAM, %s; load %s", mach.CPUs, mach.GOMAXPROCS, mach.CPUModel, mach.MemTotal, mach.Go, benchutil.LoadAvg())
	rep := &report{cfg: cfg, mach: mach, started: time.Now(), loadStart: benchutil.LoadAvg()}

	// 1. The server binary, as it ships.
	bin := filepath.Join(cfg.dir, "bin", "huitong")
	if err := benchutil.GoBuild(src, bin, ""); err != nil {
		return err
	}

	// 2. The data.
	d, err := ensureData(cfg.dir, cfg.rows, cfg.seed)
	if err != nil {
		return err
	}
	rep.data = d
	tbl, err := readTable(d)
	if err != nil {
		return err
	}

	// 3. The store: loaded through the API, or kept from a previous run.
	var st *setupState
	var be *backend
	if cfg.reuse {
		path := filepath.Join(cfg.dir, cfg.db+"-state.json")
		if st, err = loadState(path, d); err != nil {
			return fmt.Errorf("-reuse: %s: %w", path, err)
		}
	}
	if cfg.db == "sqlite" {
		be = newSQLiteBackend(cfg.dir)
	} else if be, err = newPostgresBackend(ctx, cfg.dir, cfg.dsn, st); err != nil {
		return err
	}
	benchutil.Logf("store: %s", be.label)
	rep.backend = be.label
	if st == nil {
		if err := be.empty(ctx); err != nil {
			return err
		}
		srv, err := startServer(bin, be, true, cfg.logLevel, filepath.Join(cfg.dir, cfg.db+"-setup.log"))
		if err != nil {
			return err
		}
		st, err = setup(srv, d)
		srv.Stop()
		if err != nil {
			return err
		}
		st.DBName = be.dbName
		if err := st.save(be.state); err != nil {
			return err
		}
	} else {
		rep.reused = true
		benchutil.Logf("reusing resource %s (grant %d) loaded %s", st.Resource, st.GrantID, st.At.Format(time.RFC3339))
	}
	if !cfg.keep {
		defer func() {
			os.Remove(be.state)
			if be.kind == "sqlite" {
				os.RemoveAll(be.dataDir)
			}
		}()
	}
	rep.setup = st

	// 4. The gateway, in a fresh server process.
	if err := measureGateway(cfg, rep, bin, be, st, tbl); err != nil {
		return err
	}
	if cfg.cpuProfile != "" {
		if err := profileGateway(cfg, rep, src, be, st, tbl); err != nil {
			return err
		}
	}

	// 5. The bare handler, in this process, with the server stopped.
	if cfg.baseline {
		if err := measureBare(cfg, rep, tbl); err != nil {
			return err
		}
	}
	rep.took = time.Since(rep.started)
	rep.loadEnd = benchutil.LoadAvg()

	return benchutil.WriteReport(cfg.out, rep.write)
}

// measureGateway starts the server, checks its answers and runs every load
// against it.
func measureGateway(cfg config, rep *report, bin string, be *backend, st *setupState, tbl *table) error {
	t0 := time.Now()
	srv, err := startServer(bin, be, false, cfg.logLevel, filepath.Join(cfg.dir, cfg.db+"-server.log"))
	if err != nil {
		return err
	}
	defer srv.Stop()
	rep.server.startup = time.Since(t0)
	consumer, err := benchutil.NewAPI(srv.Internal).As(consumerUser, demoPassword)
	if err != nil {
		return err
	}
	time.Sleep(time.Second)
	rep.server.idleRSS = sysinfo.PidKB(srv.PID, "VmRSS")
	rep.server.startHWM = sysinfo.PidKB(srv.PID, "VmHWM")
	benchutil.Logf("huitong (pid %d) up in %s at %s; RSS %s (peak so far %s)", srv.PID, rep.server.startup.Round(time.Millisecond), srv.Internal,
		benchutil.MiB(rep.server.idleRSS), benchutil.MiB(rep.server.startHWM))

	chk, err := checkAnswers(consumer, st.Resource, tbl, cfg.checks)
	if err != nil {
		return err
	}
	rep.check = chk
	benchutil.Logf("checked %d records: %s", chk.records, chk.summary())

	t := target{name: "gateway", base: srv.Internal, token: consumer.Token, pid: srv.PID}
	cs := calls(tbl, true, st.Resource)
	cpu0 := sysinfo.ProcCPU(srv.PID)
	for _, name := range cfg.calls {
		for _, n := range cfg.clients {
			quiet := waitQuiet(srv.PID, cfg.quiet, cfg.quietWait)
			a0, err := settledAuditSize(srv.Public)
			if err != nil {
				return err
			}
			r := drive(t, cs[name], tbl, n, cfg.warmup, cfg.duration, cfg.seed+uint64(n), cfg.rssEvery)
			r.Quiet = quiet
			a1, err := settledAuditSize(srv.Public)
			if err != nil {
				r.AuditErr = err.Error()
			}
			r.Audit = a1 - a0
			logRun(r)
			rep.gateway = append(rep.gateway, r)
		}
	}
	rep.server.cpu = sysinfo.ProcCPU(srv.PID) - cpu0
	rep.server.endHWM = sysinfo.PidKB(srv.PID, "VmHWM")
	rep.server.endRSS = sysinfo.PidKB(srv.PID, "VmRSS")
	return nil
}

// measureBare builds the map and runs every load against the bare handler.
func measureBare(cfg config, rep *report, tbl *table) error {
	runtime.GC()
	debug.FreeOSMemory()
	rss0 := sysinfo.PidKB(selfPID, "VmRSS")
	t0 := time.Now()
	m := buildMap(tbl)
	rep.bareBuild = time.Since(t0)
	runtime.GC()
	rep.bareRSS = sysinfo.PidKB(selfPID, "VmRSS") - min(rss0, sysinfo.PidKB(selfPID, "VmRSS"))
	base, stop, err := startBare(m)
	if err != nil {
		return err
	}
	defer stop()
	benchutil.Logf("bare handler at %s: %d records in a map, built in %s (+%s RSS)", base, len(m), rep.bareBuild.Round(time.Millisecond), benchutil.MiB(rep.bareRSS))
	t := target{name: "bare handler", base: base}
	cs := calls(tbl, false, "")
	for _, name := range cfg.calls {
		for _, n := range cfg.clients {
			quiet := waitQuiet(0, cfg.quiet, cfg.quietWait)
			r := drive(t, cs[name], tbl, n, cfg.warmup, cfg.duration, cfg.seed+uint64(n), cfg.rssEvery)
			r.Quiet = quiet
			logRun(r)
			rep.bare = append(rep.bare, r)
		}
	}
	runtime.KeepAlive(m)
	return nil
}

func logRun(r *loadRun) {
	benchutil.Logf("%-12s %-6s %2d clients: %6.0f req/s, p50 %s, p99 %s, max %s; %d ok, %d errors, %d 429; audited %d of %d 200s; RSS %s -> %s; CPU huitong %.2f, bench %.2f, postgres %.2f, others %.2f; load %s",
		r.Target, r.Call, r.Clients, r.rate(), fmtDur(r.pct(0.5)), fmtDur(r.pct(0.99)), fmtDur(r.pct(1)), r.OK, r.errors(), r.Limited,
		r.Audit, r.TotalOK, benchutil.MiB(r.RSS.Start), benchutil.MiB(r.RSS.Peak), r.CPU.HuitongCPUs, r.CPU.BenchCPUs, r.CPU.PgCPUs, r.CPU.OthersCPUs, benchutil.First(r.Load))
}
