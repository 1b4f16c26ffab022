// Command ingest measures the data-ingest pipeline, (*ingest.Service).Ingest
// (read, map columns, check rules, stage in chunks, plan, audit, merge in
// one transaction), on a generated 1,000,000 x 10 social insurance file as
// CSV and as XLSX, side by side with the database's own bulk loader on the
// same CSV: `sqlite3 .import` into a plain table for SQLite, `COPY FROM
// STDIN` for PostgreSQL. It reports rows/s, the ratio to the baseline and
// peak memory (also at a smaller file, to show whether memory stays flat),
// and prints markdown for docs/PERFORMANCE.md. It reports; it does not
// assert.
//
//	go run ./bench/ingest -rows 1000000 -db sqlite -dir /tmp/ingestbench
//	go run ./bench/ingest -rows 1000000 -db postgres -dsn 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable'
//
// Generated files are cached in -dir. For PostgreSQL it works in the
// database huitong_bench_ingest (or huitong_bench_ingest2 when another client is
// connected to it), created when missing and emptied first,
// never in the database -dsn names. Progress goes to stderr, the report to
// stdout.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"huitong/bench/internal/benchutil"
	"huitong/internal/ingest"
)

func main() { benchutil.Main("ingest bench", run) }

type config struct {
	rows         int
	memRows      int
	db           string
	dsn          string
	formats      []string
	dir          string
	seed         uint64
	repeat       int
	cpuProfile   string
	againProfile string
	memProfile   string
	xlsxProfile  string
	out          string
	quiet        float64
	quietWait    time.Duration
	keep         bool
	code         string
	sample       time.Duration
}

func parseFlags() (config, error) {
	var c config
	var formats string
	flag.IntVar(&c.rows, "rows", 1000000, "data rows of the main file")
	flag.IntVar(&c.memRows, "memrows", 200000, "data rows of the smaller file, to compare peak memory with (0: skip)")
	flag.StringVar(&c.db, "db", "sqlite", "store: sqlite or postgres")
	flag.StringVar(&c.dsn, "dsn", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable",
		"PostgreSQL server to use (the benchmark works in the database "+benchDB+" or "+benchDBAlt+" on it, never in this one)")
	flag.StringVar(&formats, "formats", "csv,xlsx", "formats to ingest: csv, xlsx")
	flag.StringVar(&c.dir, "dir", "/tmp/huitong-ingest-bench", "directory for the generated files (cached) and the SQLite stores")
	flag.Uint64Var(&c.seed, "seed", 1, "generator seed")
	flag.IntVar(&c.repeat, "repeat", 1, "times each CSV measurement (and its baseline) is repeated; the report shows each and the median")
	flag.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile of the first CSV ingest of -rows rows to this file")
	flag.StringVar(&c.againProfile, "againcpuprofile", "", "write a CPU profile of the second CSV ingest (the same file again, all unchanged) to this file")
	flag.StringVar(&c.memProfile, "memprofile", "", "write a heap profile taken near the peak heap of the first CSV ingest of -rows rows to this file")
	flag.StringVar(&c.xlsxProfile, "xlsxcpuprofile", "", "write a CPU profile of the XLSX ingest of -rows rows to this file")
	flag.StringVar(&c.out, "o", "", "also write the report to this file")
	flag.Float64Var(&c.quiet, "quiet", 0.5, "before each measurement, wait until other processes use less than this many CPUs (0: do not wait)")
	flag.DurationVar(&c.quietWait, "quiet-wait", 2*time.Minute, "longest wait for -quiet before measuring anyway")
	flag.BoolVar(&c.keep, "keep", false, "keep the SQLite store after the run")
	flag.StringVar(&c.code, "code", "", "describes the code measured in the report (default: from git in the current directory)")
	flag.DurationVar(&c.sample, "sample", 100*time.Millisecond, "memory sampling interval")
	flag.Parse()
	for _, f := range strings.Split(formats, ",") {
		f = strings.TrimSpace(f)
		if f != "csv" && f != "xlsx" {
			return c, fmt.Errorf("bad -formats %q", formats)
		}
		c.formats = append(c.formats, f)
	}
	if c.db != "sqlite" && c.db != "postgres" {
		return c, fmt.Errorf("-db must be sqlite or postgres")
	}
	if c.rows < 1 || c.repeat < 1 {
		return c, fmt.Errorf("-rows and -repeat must be positive")
	}
	return c, nil
}

func (c config) has(format string) bool { return slices.Contains(c.formats, format) }

// ingestRun is one timed Ingest.
type ingestRun struct {
	What    string // e.g. "CSV, new resource"
	Format  string
	File    dataset
	Batch   ingest.Batch
	Wall    time.Duration
	CPU     cpuUse
	Before  float64 // others' CPU just before the run
	Load    string  // load average at the start
	LoadEnd string
	Mem     *memPeak
	Phases  map[string]time.Duration
	Calls   map[string]int
}

func (r ingestRun) rowsRate() float64     { return float64(r.Batch.Rows) / r.Wall.Seconds() }
func (r ingestRun) acceptedRate() float64 { return float64(r.Batch.Accepted) / r.Wall.Seconds() }

func run() error {
	cfg, err := parseFlags()
	if err != nil {
		return err
	}
	ctx := context.Background()
	if err := os.MkdirAll(cfg.dir, 0o755); err != nil {
		return err
	}
	mach := describeMachine(cfg.dir)
	if cfg.code != "" {
		mach.Code = cfg.code
	}
	benchutil.Logf("machine: %d CPUs (GOMAXPROCS %d), %s, %s RAM, %s; load %s", mach.CPUs, mach.GOMAXPROCS, mach.CPUModel, mach.MemTotal, mach.Go, benchutil.LoadAvg())

	// 1. The files.
	big, err := ensureData(cfg.dir, cfg.rows, cfg.seed, cfg.has("xlsx"))
	if err != nil {
		return err
	}
	var small dataset
	if cfg.memRows > 0 && cfg.memRows != cfg.rows {
		if small, err = ensureData(cfg.dir, cfg.memRows, cfg.seed, cfg.has("xlsx")); err != nil {
			return err
		}
	}

	// 2. The store and the services.
	var be *backend
	if cfg.db == "sqlite" {
		be, err = newSQLiteBackend(ctx, cfg.dir)
	} else {
		be, err = newPostgresBackend(ctx, cfg.dsn)
	}
	if err != nil {
		return err
	}
	defer be.cleanup(cfg.keep)
	benchutil.Logf("store: %s", be.label)
	svc, err := openServices(ctx, be.dsn)
	if err != nil {
		return err
	}
	defer svc.close()

	rep := &report{cfg: cfg, mach: mach, backend: be.label, big: big, small: small, started: time.Now(), loadStart: benchutil.LoadAvg()}
	var sqlite3Bin string
	if cfg.db == "sqlite" && cfg.has("csv") {
		if sqlite3Bin, err = ensureSQLite3(); err != nil {
			return err
		}
		rep.baselineLabel = fmt.Sprintf("sqlite3 %s shell, `.mode csv` + `.import` into a new table (10 TEXT columns), its defaults (rollback journal, synchronous=FULL), same disk",
			sqlite3Version(sqlite3Bin))
	}
	if cfg.db == "postgres" {
		rep.baselineLabel = "`COPY t FROM STDIN WITH (FORMAT csv, HEADER)` through pgx into a new plain table (10 TEXT columns, no index), same server and database"
	}

	// 3. The smaller file first, for memory, while the process is fresh.
	if small.Rows > 0 {
		for _, f := range cfg.formats {
			r, err := svc.newResource(strings.ToUpper(f) + " small")
			if err != nil {
				return fmt.Errorf("create resource: %w", err)
			}
			m, err := measure(ctx, svc, cfg, r.Code, strings.ToUpper(f)+", new resource", f, small, "", "")
			if err != nil {
				return err
			}
			rep.smallRuns = append(rep.smallRuns, m)
		}
	}
	// 4. CSV, side by side with the baseline, then the idempotent re-upload.
	if cfg.has("csv") {
		for i := range cfg.repeat {
			var b baselineRun
			waitQuiet(cfg.quiet, cfg.quietWait)
			if cfg.db == "sqlite" {
				b, err = importSQLite(sqlite3Bin, cfg.dir, big.CSV, big.Rows)
			} else {
				b, err = copyPostgres(ctx, be.pgURL, big.CSV, big.Rows)
			}
			if err != nil {
				return err
			}
			benchutil.Logf("baseline %s: %d rows in %s = %.0f rows/s (CPU %s)", b.What, b.Rows, b.Wall.Round(time.Millisecond), b.rate(), b.CPU)
			rep.baselines = append(rep.baselines, b)
			if cfg.db == "sqlite" {
				waitQuiet(cfg.quiet, cfg.quietWait)
				fl, err := plainInsert(cfg.dir, big.CSV, big.Rows)
				if err != nil {
					return err
				}
				benchutil.Logf("floor %s: %d rows in %s = %.0f rows/s (CPU %s)", fl.What, fl.Rows, fl.Wall.Round(time.Millisecond), fl.rate(), fl.CPU)
				rep.floors = append(rep.floors, fl)
			}

			r, err := svc.newResource(fmt.Sprintf("CSV %d", i+1))
			if err != nil {
				return fmt.Errorf("create resource: %w", err)
			}
			profile, memProfile := "", ""
			if i == 0 {
				profile, memProfile = cfg.cpuProfile, cfg.memProfile
			}
			first, err := measure(ctx, svc, cfg, r.Code, "CSV, new resource", "csv", big, profile, memProfile)
			if err != nil {
				return err
			}
			rep.csv = append(rep.csv, first)
			if i == 0 {
				again, err := measure(ctx, svc, cfg, r.Code, "CSV again, same resource (all unchanged)", "csv", big, cfg.againProfile, "")
				if err != nil {
					return err
				}
				rep.again = &again
			}
		}
	}
	// 5. XLSX.
	if cfg.has("xlsx") {
		r, err := svc.newResource("XLSX")
		if err != nil {
			return fmt.Errorf("create resource: %w", err)
		}
		x, err := measure(ctx, svc, cfg, r.Code, "XLSX, new resource", "xlsx", big, cfg.xlsxProfile, "")
		if err != nil {
			return err
		}
		rep.xlsx = &x
	}
	rep.took = time.Since(rep.started)
	rep.loadEnd = benchutil.LoadAvg()

	return benchutil.WriteReport(cfg.out, rep.write)
}

// measure times one Ingest of a file into the resource code.
func measure(ctx context.Context, svc *services, cfg config, code, what, format string, d dataset, cpuProfile, memProfile string) (ingestRun, error) {
	path, ctype := d.CSV, "text/csv"
	if format == "xlsx" {
		path, ctype = d.XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	before := waitQuiet(cfg.quiet, cfg.quietWait)
	f, err := os.Open(path)
	if err != nil {
		return ingestRun{}, err
	}
	defer f.Close()
	// Only an io.Reader, as an HTTP request body is.
	body := struct{ io.Reader }{f}
	if cpuProfile != "" {
		pf, err := os.Create(cpuProfile)
		if err != nil {
			return ingestRun{}, err
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return ingestRun{}, err
		}
	}
	run := ingestRun{What: what, Format: format, File: d, Before: before, Load: benchutil.LoadAvg()}
	benchutil.Logf("%s: %d rows from %s into %s (load %s)", what, d.Rows, path, code, run.Load)
	run.Mem = startMem(cfg.sample, memProfile)
	svc.phases.reset()
	c0, t0 := readCPUTimes(), time.Now()
	b, err := svc.ingest.Ingest(svc.admin, code, ingest.Upload{Body: body, ContentType: ctype, Filename: path})
	run.Wall = time.Since(t0)
	run.CPU = cpuBetween(c0, readCPUTimes(), run.Wall)
	run.Mem.finish()
	run.Phases, run.Calls = svc.phases.snapshot()
	if cpuProfile != "" {
		pprof.StopCPUProfile()
		benchutil.Logf("CPU profile written to %s", cpuProfile)
	}
	run.LoadEnd = benchutil.LoadAvg()
	if err != nil {
		return run, fmt.Errorf("%s: ingest: %w", what, err)
	}
	run.Batch = b
	benchutil.Logf("  %s: %d rows (%d accepted, %d rejected; inserted %d, updated %d, unchanged %d; %d warnings) in %s = %.0f rows/s; peak heap %s, peak RSS %s; CPU %s",
		b.Status, b.Rows, b.Accepted, b.Rejected, b.Inserted, b.Updated, b.Unchanged, b.Warnings, run.Wall.Round(time.Millisecond),
		run.rowsRate(), benchutil.MiB(run.Mem.HeapInuse), benchutil.MiB(run.Mem.peakRSS()), run.CPU)
	return run, nil
}
