package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"huitong"
	"huitong/internal/audit"
	"huitong/internal/store"
)

// memHashes is an in-memory tlog.HashReader for building test batches.
type memHashes map[int64]tlog.Hash

func (m memHashes) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		h, ok := m[x]
		if !ok {
			return nil, fmt.Errorf("no hash %d", x)
		}
		out[i] = h
	}
	return out, nil
}

// auditBatch builds records first..first+n-1 with their stored hashes.
func auditBatch(t *testing.T, mem memHashes, first int64, n int) ([]audit.Stored, []tlog.Hash) {
	t.Helper()
	var recs []audit.Stored
	var hashes []tlog.Hash
	for i := range n {
		idx := first + int64(i)
		action := []string{"auth.login", "catalog.create", "catalog.update", "org.create"}[idx%4]
		org := []string{usccA, usccB}[idx%2]
		outcome := audit.Allowed
		if idx%5 == 4 {
			outcome = audit.Denied
		}
		r := audit.Record{Index: idx, Time: t0.Add(time.Duration(idx) * time.Minute), Actor: "user:u", ActorOrg: org,
			Action: action, Object: fmt.Sprintf("resource:R%d", idx%3), Outcome: outcome}
		data, err := r.Encode()
		if err != nil {
			t.Fatal(err)
		}
		hs, err := tlog.StoredHashes(idx, data, mem)
		if err != nil {
			t.Fatal(err)
		}
		base := tlog.StoredHashIndex(0, idx)
		for j, h := range hs {
			mem[base+int64(j)] = h
		}
		hashes = append(hashes, hs...)
		var subs [][]byte
		if idx%3 == 0 {
			subs = [][]byte{[]byte("subject-A-16byte")}
		}
		recs = append(recs, audit.Stored{Index: idx, Data: data, Time: r.Time, ActorOrg: org, Action: action,
			Object: r.Object, Outcome: outcome, Subjects: subs})
	}
	return recs, hashes
}

func testAudit(t *testing.T, db *store.DB) {
	ctx := t.Context()
	if n, err := db.AuditSize(ctx); err != nil || n != 0 {
		t.Fatalf("AuditSize on empty = %d, %v", n, err)
	}
	if _, _, err := db.AuditLatestCheckpoint(ctx); !errors.Is(err, huitong.ErrNoRecord) {
		t.Errorf("AuditLatestCheckpoint on empty = %v, want ErrNoRecord", err)
	}
	mem := memHashes{}
	recs, hashes := auditBatch(t, mem, 0, 300) // more than one statement's worth of rows
	if err := db.AuditAppend(ctx, 0, recs, hashes); err != nil {
		t.Fatal(err)
	}
	if err := db.AuditAppend(ctx, 0, recs[:1], hashes[:1]); !errors.Is(err, audit.ErrSizeMismatch) {
		t.Errorf("AuditAppend at a stale size = %v, want ErrSizeMismatch", err)
	}
	more, moreHashes := auditBatch(t, mem, 300, 7)
	if err := db.AuditAppend(ctx, 300, more, moreHashes); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.AuditSize(ctx); n != 307 {
		t.Fatalf("AuditSize = %d, want 307", n)
	}
	// Every stored hash reads back, in any order, duplicates included.
	want := []int64{0, tlog.StoredHashIndex(0, 306), tlog.StoredHashIndex(1, 100), 5, 5}
	got, err := db.AuditHashes(ctx, want)
	if err != nil {
		t.Fatal(err)
	}
	for i, idx := range want {
		if got[i] != mem[idx] {
			t.Errorf("AuditHashes[%d] (index %d) differs", i, idx)
		}
	}
	if _, err := db.AuditHashes(ctx, []int64{1 << 40}); err == nil {
		t.Error("AuditHashes of a missing index succeeded")
	}
	// The tree the store holds is the tree the records make.
	root, err := tlog.TreeHash(307, tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) { return db.AuditHashes(ctx, idx) }))
	if err != nil {
		t.Fatal(err)
	}
	memRoot, _ := tlog.TreeHash(307, mem)
	if root != memRoot {
		t.Error("tree hash over stored hashes differs")
	}
	data, err := db.AuditRecords(ctx, 298, 302)
	if err != nil || len(data) != 4 || string(data[0]) != string(recs[298].Data) || string(data[3]) != string(more[1].Data) {
		t.Errorf("AuditRecords(298, 302) = %d records, %v", len(data), err)
	}

	indexes := func(rs []audit.Record) []int64 {
		var out []int64
		for _, r := range rs {
			out = append(out, r.Index)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		f    audit.Filter
		want func(audit.Stored) bool
	}{
		{"all", audit.Filter{Limit: 1000}, func(audit.Stored) bool { return true }},
		{"range", audit.Filter{Start: 10, End: 20, Limit: 1000}, func(r audit.Stored) bool { return r.Index >= 10 && r.Index < 20 }},
		{"action", audit.Filter{Action: "catalog.update", Limit: 1000}, func(r audit.Stored) bool { return r.Action == "catalog.update" }},
		{"action prefix", audit.Filter{Action: "catalog.", Limit: 1000}, func(r audit.Stored) bool { return r.Action == "catalog.create" || r.Action == "catalog.update" }},
		{"org and outcome", audit.Filter{ActorOrg: usccB, Outcome: audit.Denied, Limit: 1000}, func(r audit.Stored) bool { return r.ActorOrg == usccB && r.Outcome == audit.Denied }},
		{"object", audit.Filter{Object: "resource:R1", Limit: 1000}, func(r audit.Stored) bool { return r.Object == "resource:R1" }},
		{"time", audit.Filter{Since: t0.Add(100 * time.Minute), Until: t0.Add(110 * time.Minute), Limit: 1000}, func(r audit.Stored) bool { return r.Index >= 100 && r.Index < 110 }},
		{"limit", audit.Filter{Start: 50, Limit: 3}, func(r audit.Stored) bool { return r.Index >= 50 && r.Index < 53 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := db.AuditFind(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			var want []int64
			for _, r := range append(slices.Clone(recs), more...) {
				if tc.want(r) {
					want = append(want, r.Index)
				}
			}
			if !slices.Equal(indexes(got), want) {
				t.Errorf("AuditFind = %v, want %v", indexes(got), want)
			}
		})
	}
	hist, err := db.AuditBySubject(ctx, []byte("subject-A-16byte"), 0, 3)
	if err != nil || !slices.Equal(indexes(hist), []int64{306, 303, 300}) {
		t.Errorf("AuditBySubject = %v, %v", indexes(hist), err)
	}
	hist, _ = db.AuditBySubject(ctx, []byte("subject-A-16byte"), 300, 2)
	if !slices.Equal(indexes(hist), []int64{297, 294}) {
		t.Errorf("AuditBySubject(before 300) = %v", indexes(hist))
	}
	if hist, _ := db.AuditBySubject(ctx, []byte("nobody-at-all-00"), 0, 10); len(hist) != 0 {
		t.Errorf("unknown subject has history %v", indexes(hist))
	}

	for _, size := range []int64{10, 307, 300} {
		if err := db.AuditPutCheckpoint(ctx, size, []byte(fmt.Sprintf("note %d", size)), t0); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.AuditPutCheckpoint(ctx, 307, []byte("again"), t0); !errors.Is(err, huitong.ErrDuplicate) {
		t.Errorf("AuditPutCheckpoint twice = %v, want ErrDuplicate", err)
	}
	size, note, err := db.AuditLatestCheckpoint(ctx)
	if err != nil || size != 307 || string(note) != "note 307" {
		t.Errorf("AuditLatestCheckpoint = %d %q %v", size, note, err)
	}
	list, err := db.AuditCheckpoints(ctx, 2)
	if err != nil || len(list) != 2 || list[0].Size != 307 || list[1].Size != 300 || !list[0].At.Equal(t0) {
		t.Errorf("AuditCheckpoints = %+v, %v", list, err)
	}
}
