package main

import (
	"context"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"huitong"
	"huitong/bench/internal/benchutil"
	"huitong/internal/audit"
	"huitong/internal/store"
)

// memHashes keeps every stored hash of the populated log in memory, in
// stored-hash order: the hash reader that populating and the raw baseline
// use.
type memHashes struct {
	h []tlog.Hash
}

func (m *memHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(m.h)) {
			return nil, fmt.Errorf("stored hash %d not written yet", x)
		}
		out[i] = m.h[x]
	}
	return out, nil
}

// chunk is a batch of records for one AuditAppend.
type chunk struct {
	first  int64
	recs   []audit.Stored
	hashes []tlog.Hash
}

// populate writes records [from, to) straight to the store in chunks of
// size per transaction, with their stored hashes computed in memory: the
// same rows Log.Append writes, without the per-record group commit. A
// generator goroutine runs one chunk ahead of the writer.
func populate(ctx context.Context, db *store.DB, subjects *audit.Subjects, mem *memHashes, from, to int64, size int, seed uint64) error {
	if need := tlog.StoredHashCount(to); int64(cap(mem.h)) < need {
		h := make([]tlog.Hash, len(mem.h), need)
		copy(h, mem.h)
		mem.h = h // sized once: the slices handed to the writer stay valid
	}
	chunks := make(chan chunk, 2)
	genErr := make(chan error, 1)
	go func() {
		defer close(chunks)
		r := rand.New(rand.NewPCG(seed, uint64(from)))
		t0 := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
		callers := make([]context.Context, len(consumers))
		for w := range callers {
			callers[w] = caller(ctx, w)
		}
		for first := from; first < to; first += int64(size) {
			n := int(min(int64(size), to-first))
			c := chunk{first: first, recs: make([]audit.Stored, n)}
			base := len(mem.h)
			for i := range n {
				idx := first + int64(i)
				rctx := request(callers[r.IntN(len(callers))], r)
				rec := record(rctx, subjects, entry(r), idx, t0.Add(time.Duration(idx)*3*time.Millisecond))
				data, err := rec.Encode()
				if err != nil {
					genErr <- err
					return
				}
				hs, err := tlog.StoredHashes(idx, data, mem)
				if err != nil {
					genErr <- err
					return
				}
				mem.h = append(mem.h, hs...)
				subs := make([][]byte, len(rec.Subjects))
				for j, s := range rec.Subjects {
					subs[j], _ = hex.DecodeString(s)
				}
				c.recs[i] = audit.Stored{Index: idx, Data: data, Time: rec.Time, ActorOrg: rec.ActorOrg, Action: rec.Action,
					Object: rec.Object, Outcome: rec.Outcome, Subjects: subs}
			}
			c.hashes = mem.h[base:len(mem.h):len(mem.h)]
			select {
			case chunks <- c:
			case <-ctx.Done():
				return
			}
		}
		genErr <- nil
	}()
	start, last := time.Now(), time.Now()
	for c := range chunks {
		if err := db.AuditAppend(ctx, c.first, c.recs, c.hashes); err != nil {
			return fmt.Errorf("append chunk at %d: %w", c.first, err)
		}
		end := c.first + int64(len(c.recs))
		if time.Since(last) > 15*time.Second || end == to {
			last = time.Now()
			benchutil.Logf("  populated %d / %d records (%.0f records/s)", end, to, float64(end-from)/time.Since(start).Seconds())
		}
	}
	return <-genErr
}

// proofRun is the proof latencies measured on a log of one size.
type proofRun struct {
	Size     int64
	Populate time.Duration // writing the records added for this size
	DiskSize int64         // SQLite: the database file and WAL
	Samples  int

	Inclusion, Consistency       benchutil.Latencies // Log.ProveInclusion / ProveConsistency
	Checkpoint                   benchutil.Latencies // Log.Checkpoint, which each of them calls first
	OpenCheckpoint               benchutil.Latencies // audit.OpenCheckpoint (signature check), which they call next
	StoreProve                   benchutil.Latencies // tlog.ProveRecord over the store's AuditHashes
	StoreReads                   float64             // AuditHashes calls per proof
	RawInclusion, RawConsistency benchutil.Latencies // tlog.ProveRecord / ProveTree over hashes in memory
	Tile                         benchutil.Latencies // Log.Tile of a random full level-0 tile
	Verified                     int                 // proofs checked against the in-memory tree
	Load                         string
}

// measureProofs times the proofs on a log of mem's size whose store is db.
func measureProofs(ctx context.Context, db *store.DB, mem *memHashes, size int64, samples int, seed uint64) (proofRun, error) {
	run := proofRun{Size: size, Samples: samples}
	cs := &countingStore{}
	l, _, err := openLogOn(ctx, db, func(s audit.Store) audit.Store { cs.Store = s; return cs })
	if err != nil {
		return run, err
	}
	defer l.Close()
	if l.Size() != size {
		return run, fmt.Errorf("the log holds %d records, want %d", l.Size(), size)
	}
	actx := huitong.WithPrincipal(ctx, &huitong.Principal{Kind: huitong.PrincipalUser, Name: "bench", Roles: []string{huitong.RoleAuditor}})
	root, err := tlog.TreeHash(size, mem)
	if err != nil {
		return run, err
	}
	const verify = 100
	r := rand.New(rand.NewPCG(seed, uint64(size)))
	time1 := func(f func() error) (time.Duration, error) {
		t := time.Now()
		err := f()
		return time.Since(t), err
	}
	measure := func(name string, f func(i int) error) (benchutil.Latencies, error) {
		for i := range min(samples/10, 200) { // warm up
			if err := f(-1 - i); err != nil {
				return benchutil.Latencies{}, fmt.Errorf("%s: %w", name, err)
			}
		}
		ds := make([]time.Duration, samples)
		for i := range ds {
			d, err := time1(func() error { return f(i) })
			if err != nil {
				return benchutil.Latencies{}, fmt.Errorf("%s: %w", name, err)
			}
			ds[i] = d
		}
		return benchutil.Summarize(ds), nil
	}
	leaf := func(idx int64) tlog.Hash { return mem.h[tlog.StoredHashIndex(0, idx)] }

	if run.Inclusion, err = measure("Log.ProveInclusion", func(i int) error {
		idx := r.Int64N(size)
		p, err := l.ProveInclusion(actx, idx, size)
		if err == nil && i >= 0 && i < verify {
			if err = tlog.CheckRecord(p, size, root, idx, leaf(idx)); err == nil {
				run.Verified++
			}
		}
		return err
	}); err != nil {
		return run, err
	}
	if run.Consistency, err = measure("Log.ProveConsistency", func(i int) error {
		old := 1 + r.Int64N(size)
		p, err := l.ProveConsistency(actx, old, size)
		if err == nil && i >= 0 && i < verify {
			var oldRoot tlog.Hash
			if oldRoot, err = tlog.TreeHash(old, mem); err == nil {
				if err = tlog.CheckTree(p, size, root, old, oldRoot); err == nil {
					run.Verified++
				}
			}
		}
		return err
	}); err != nil {
		return run, err
	}
	if run.Checkpoint, err = measure("Log.Checkpoint", func(int) error {
		_, err := l.Checkpoint(ctx)
		return err
	}); err != nil {
		return run, err
	}
	signed, err := l.Checkpoint(ctx)
	if err != nil {
		return run, err
	}
	verifier, err := note.NewVerifier(benchVKey)
	if err != nil {
		return run, err
	}
	if run.OpenCheckpoint, err = measure("audit.OpenCheckpoint", func(int) error {
		_, err := audit.OpenCheckpoint(signed, verifier)
		return err
	}); err != nil {
		return run, err
	}
	reads0 := cs.hashReads.Load()
	storeReader := tlog.HashReaderFunc(func(ix []int64) ([]tlog.Hash, error) { return cs.AuditHashes(ctx, ix) })
	if run.StoreProve, err = measure("tlog.ProveRecord over the store", func(int) error {
		_, err := tlog.ProveRecord(size, r.Int64N(size), storeReader)
		return err
	}); err != nil {
		return run, err
	}
	run.StoreReads = float64(cs.hashReads.Load()-reads0) / float64(samples+min(samples/10, 200))
	if run.RawInclusion, err = measure("tlog.ProveRecord in memory", func(int) error {
		_, err := tlog.ProveRecord(size, r.Int64N(size), mem)
		return err
	}); err != nil {
		return run, err
	}
	if run.RawConsistency, err = measure("tlog.ProveTree in memory", func(int) error {
		_, err := tlog.ProveTree(size, 1+r.Int64N(size), mem)
		return err
	}); err != nil {
		return run, err
	}
	if size >= 256 {
		if run.Tile, err = measure("Log.Tile", func(int) error {
			_, err := l.Tile(actx, 0, r.Int64N(size/256), 256)
			return err
		}); err != nil {
			return run, err
		}
	}
	run.Load = loadAvg()
	return run, nil
}

// diskSize returns the size of a SQLite database with its WAL.
func diskSize(path string) int64 {
	var n int64
	for _, p := range []string{path, path + "-wal"} {
		if fi, err := os.Stat(p); err == nil {
			n += fi.Size()
		}
	}
	return n
}
