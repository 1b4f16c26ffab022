package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"huitong/bench/internal/benchutil"
	"huitong/internal/audit"
)

// appendRun is one measured run of writers appending for a while.
type appendRun struct {
	Writers int
	N       int64               // appends (or inserts) that returned without error
	Errors  int64               // that returned an error
	Elapsed time.Duration       // from start until the last writer returned
	Lat     benchutil.Latencies // of one append as its caller sees it

	// The audit log's store calls, from a counting wrapper.
	Commits     int64         // AuditAppend calls (group commits)
	CommitTime  time.Duration // spent in AuditAppend
	HashReads   int64         // AuditHashes calls
	HashTime    time.Duration // spent in AuditHashes
	Checkpoints int64         // AuditPutCheckpoint calls
	Load        string        // load average after the run
}

func (r appendRun) rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.N) / r.Elapsed.Seconds()
}

// countingStore counts the audit log's writes and hash reads.
type countingStore struct {
	audit.Store
	commits, commitNanos, hashReads, hashNanos, checkpoints atomic.Int64
}

func (c *countingStore) AuditAppend(ctx context.Context, first int64, recs []audit.Stored, hashes []tlog.Hash) error {
	t := time.Now()
	err := c.Store.AuditAppend(ctx, first, recs, hashes)
	c.commitNanos.Add(int64(time.Since(t)))
	c.commits.Add(1)
	return err
}

func (c *countingStore) AuditHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	t := time.Now()
	h, err := c.Store.AuditHashes(ctx, indexes)
	c.hashNanos.Add(int64(time.Since(t)))
	c.hashReads.Add(1)
	return h, err
}

func (c *countingStore) AuditPutCheckpoint(ctx context.Context, size int64, signed []byte, at time.Time) error {
	c.checkpoints.Add(1)
	return c.Store.AuditPutCheckpoint(ctx, size, signed, at)
}

// drive runs writers goroutines that call op until dur has passed, and
// returns how many calls succeeded and their latencies.
func drive(writers int, dur time.Duration, seed uint64, op func(w int, r *rand.Rand) error) appendRun {
	var wg sync.WaitGroup
	lats := make([][]time.Duration, writers)
	var n, errs atomic.Int64
	var firstErr sync.Once
	start := time.Now()
	deadline := start.Add(dur)
	for w := range writers {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(seed, uint64(w)))
			ls := make([]time.Duration, 0, 1<<14)
			for time.Now().Before(deadline) {
				t := time.Now()
				if err := op(w, r); err != nil {
					errs.Add(1)
					firstErr.Do(func() { benchutil.Logf("error (first of the run): %v", err) })
					continue
				}
				ls = append(ls, time.Since(t))
				n.Add(1)
			}
			lats[w] = ls
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	var all []time.Duration
	for _, ls := range lats {
		all = append(all, ls...)
	}
	return appendRun{Writers: writers, N: n.Load(), Errors: errs.Load(), Elapsed: elapsed, Lat: benchutil.Summarize(all), Load: loadAvg()}
}

// runAudit measures Log.Append on a fresh store.
func runAudit(ctx context.Context, b *backend, writers int, dur time.Duration) (appendRun, error) {
	dsn, cleanup, err := b.fresh(ctx)
	if err != nil {
		return appendRun{}, err
	}
	defer cleanup()
	var cs *countingStore
	db, l, _, err := openLog(ctx, dsn, func(s audit.Store) audit.Store { cs = &countingStore{Store: s}; return cs })
	if err != nil {
		return appendRun{}, err
	}
	defer db.Close()
	before := l.Size()
	callers := make([]context.Context, writers)
	for w := range callers {
		callers[w] = caller(ctx, w)
	}
	run := drive(writers, dur, 1, func(w int, r *rand.Rand) error {
		_, err := l.Append(request(callers[w], r), entry(r))
		return err
	})
	if err := l.Close(); err != nil {
		return run, fmt.Errorf("close log: %w", err)
	}
	size, err := db.AuditSize(ctx)
	if err != nil {
		return run, err
	}
	if size-before != run.N {
		return run, fmt.Errorf("the log grew by %d records, but %d appends returned", size-before, run.N)
	}
	run.Commits, run.CommitTime = cs.commits.Load(), time.Duration(cs.commitNanos.Load())
	run.HashReads, run.HashTime = cs.hashReads.Load(), time.Duration(cs.hashNanos.Load())
	run.Checkpoints = cs.checkpoints.Load()
	return run, nil
}

// runBare measures the baseline: each caller inserts the same canonical
// record bytes into a bare table as its own transaction (a plain INSERT in
// autocommit), durable before it returns.
func runBare(ctx context.Context, b *backend, writers int, dur time.Duration) (appendRun, error) {
	dsn, cleanup, err := b.fresh(ctx)
	if err != nil {
		return appendRun{}, err
	}
	defer cleanup()
	subjects, err := audit.NewSubjects(benchSecret)
	if err != nil {
		return appendRun{}, err
	}
	if b.name == "SQLite" {
		// Only the directory is wanted: the bare table gets its own file.
		dsn = dsn + ".unused"
	}
	db, insert, err := b.openBare(ctx, dsn, writers)
	if err != nil {
		return appendRun{}, err
	}
	defer db.Close()
	callers := make([]context.Context, writers)
	for w := range callers {
		callers[w] = caller(ctx, w)
	}
	var next atomic.Int64
	run := drive(writers, dur, 1, func(w int, r *rand.Rand) error {
		rctx := request(callers[w], r)
		rec := record(rctx, subjects, entry(r), next.Add(1)-1, time.Now())
		data, err := rec.Encode()
		if err != nil {
			return err
		}
		_, err = db.ExecContext(ctx, insert, data)
		return err
	})
	var count int64
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM bare_audit`).Scan(&count); err != nil {
		return run, err
	}
	if count != run.N {
		return run, fmt.Errorf("the bare table holds %d rows, but %d inserts returned", count, run.N)
	}
	return run, nil
}
