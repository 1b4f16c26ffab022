package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"huitong/bench/internal/benchutil"
)

func writeReport(w io.Writer, cfg config, m machine, reps []*storeReport, took time.Duration) {
	fmt.Fprintf(w, "## Audit log\n\n")
	fmt.Fprintf(w, "Measured with `%s` on %s.\n\n", command(cfg), time.Now().Format("2006-01-02"))
	fmt.Fprintf(w, "Machine: %d CPUs (%s), %s RAM, %s, %s. The whole run took %s. "+
		"A generated record is %d bytes of canonical JSON on average (%d to %d).\n\n",
		m.CPUs, m.CPUModel, m.MemTotal, m.OS, m.Go, took.Round(time.Second), recordSizes.mean, recordSizes.min, recordSizes.max)
	if cfg.appends {
		fmt.Fprintf(w, "### Durable appends\n\n")
		fmt.Fprintf(w, "Each writer calls `Log.Append` with a realistic `exchange.query` entry (a resource, a purpose, one or two subjects, a detail map; "+
			"an app principal and a request in the context) for %s, each call returning once its record is durable. "+
			"The baseline is what a naive audit log does: each writer builds the same canonical record bytes and INSERTs them into a bare table "+
			"`(id, data)` as its own autocommitted transaction, durable before it returns, with the same number of writers "+
			"(SQLite: through one writer connection, as the store does; PostgreSQL: one connection per writer). "+
			"Every run starts from an empty store. *ratio* is audit log appends/s ÷ baseline inserts/s.\n\n", cfg.duration)
		for _, r := range reps {
			if len(r.audit) == 0 {
				continue
			}
			fmt.Fprintf(w, "%s:\n\n", r.label)
			fmt.Fprintf(w, "| writers | audit log appends/s | append p50 | append p99 | group commits | records per commit | time in AuditAppend | baseline inserts/s | insert p50 | insert p99 | ratio | load avg after |\n")
			fmt.Fprintf(w, "|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
			for i, a := range r.audit {
				b := r.bare[i]
				perCommit, inAppend := "-", "-"
				if a.Commits > 0 {
					perCommit = fmt.Sprintf("%.1f", float64(a.N)/float64(a.Commits))
					inAppend = fmt.Sprintf("%.0f%% (%s a commit)", 100*a.CommitTime.Seconds()/a.Elapsed.Seconds(), benchutil.FmtDur(a.CommitTime/time.Duration(a.Commits)))
				}
				ratio := "-"
				if b.rate() > 0 {
					ratio = fmt.Sprintf("%.1f×", a.rate()/b.rate())
				}
				fmt.Fprintf(w, "| %d | %s | %s | %s | %d | %s | %s | %s | %s | %s | %s | %s / %s |\n", a.Writers, benchutil.Rate(a.rate()), benchutil.FmtDur(a.Lat.P50), benchutil.FmtDur(a.Lat.P99),
					a.Commits, perCommit, inAppend, benchutil.Rate(b.rate()), benchutil.FmtDur(b.Lat.P50), benchutil.FmtDur(b.Lat.P99), ratio, a.Load, b.Load)
				if a.Errors > 0 || b.Errors > 0 {
					fmt.Fprintf(w, "|  | %d errors |  |  |  |  |  | %d errors |  |  |  |  |\n", a.Errors, b.Errors)
				}
			}
			fmt.Fprintln(w)
		}
	}
	if cfg.proofs {
		fmt.Fprintf(w, "### Proofs\n\n")
		fmt.Fprintf(w, "The log is populated by writing records and their stored hashes straight to the store, %d records a transaction "+
			"(the rows `Log.Append` writes, without its per-call group commit), then reopened. Each figure is %d calls at random indexes "+
			"(inclusion: a random record in the whole log; consistency: a random older size to the whole log), after a warm-up, on a warm cache. "+
			"`Log.ProveInclusion` and `Log.ProveConsistency` are the API the HTTP handlers call (auditor principal in the context); "+
			"they first call `Log.Checkpoint` and `audit.OpenCheckpoint` (each shown alone) and then `tlog.ProveRecord`/`ProveTree` over the store's `AuditHashes` "+
			"(*tlog over the store*). The baseline is `tlog.ProveRecord`/`ProveTree` over all stored hashes held in memory. "+
			"All proofs checked for the first 100 of each kind.\n\n", cfg.chunk, cfg.samples)
		for _, r := range reps {
			if len(r.proofs) == 0 {
				continue
			}
			fmt.Fprintf(w, "%s:\n\n", r.label)
			fmt.Fprintf(w, "| records | populate | on disk | ProveInclusion p50 / p99 | ProveConsistency p50 / p99 | of which Checkpoint p50 / p99 | of which OpenCheckpoint p50 / p99 | tlog over the store p50 / p99 (reads a proof) | in-memory ProveRecord p50 / p99 | in-memory ProveTree p50 / p99 | Tile (level 0, full) p50 / p99 | checked |\n")
			fmt.Fprintf(w, "|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
			for _, p := range r.proofs {
				disk := "-"
				if p.DiskSize > 0 {
					disk = fmt.Sprintf("%.1f GiB", float64(p.DiskSize)/(1<<30))
				}
				fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s (%.1f) | %s | %s | %s | %d/%d |\n", benchutil.Count(p.Size), p.Populate.Round(time.Second), disk,
					pq(p.Inclusion), pq(p.Consistency), pq(p.Checkpoint), pq(p.OpenCheckpoint), pq(p.StoreProve), p.StoreReads, pq(p.RawInclusion), pq(p.RawConsistency), pq(p.Tile),
					p.Verified, 200)
			}
			fmt.Fprintln(w)
		}
	}
	fmt.Fprintf(w, "Targets (DESIGN): at least 20,000 appends/s on SQLite with 64 writers; proofs under 1 ms on a 10M-record log.\n")
}

func pq(l benchutil.Latencies) string {
	if l.N == 0 {
		return "-"
	}
	return benchutil.FmtDur(l.P50) + " / " + benchutil.FmtDur(l.P99)
}

func command(cfg config) string {
	var b strings.Builder
	fmt.Fprintf(&b, "go run ./bench/auditlog -db %s", strings.Join(cfg.dbs, ","))
	for _, d := range cfg.dbs {
		if d == "postgres" {
			fmt.Fprintf(&b, " -dsn '%s'", cfg.dsn)
		}
	}
	if cfg.appends {
		ws := make([]string, len(cfg.writers))
		for i, v := range cfg.writers {
			ws[i] = fmt.Sprint(v)
		}
		fmt.Fprintf(&b, " -writers %s -duration %s", strings.Join(ws, ","), cfg.duration)
	} else {
		b.WriteString(" -appends=false")
	}
	if cfg.proofs {
		ss := make([]string, len(cfg.sizes))
		for i, v := range cfg.sizes {
			ss[i] = fmt.Sprint(v)
		}
		fmt.Fprintf(&b, " -sizes %s -samples %d", strings.Join(ss, ","), cfg.samples)
	} else {
		b.WriteString(" -proofs=false")
	}
	return b.String()
}
