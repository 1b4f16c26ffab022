package main

import (
	"context"
	"sync"
	"time"

	"huitong/internal/audit"
	"huitong/internal/catalog"
	"huitong/internal/ingest"
)

// phases adds up the wall time Ingest spends in each store call and in
// the audit log; the rest is reading and checking the file. Ingest calls
// them one at a time, so the parts add up to the call.
type phases struct {
	mu    sync.Mutex
	time  map[string]time.Duration
	calls map[string]int
}

func newPhases() *phases {
	return &phases{time: map[string]time.Duration{}, calls: map[string]int{}}
}

func (p *phases) reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.time, p.calls = map[string]time.Duration{}, map[string]int{}
}

func (p *phases) add(name string, t0 time.Time) {
	d := time.Since(t0)
	p.mu.Lock()
	p.time[name] += d
	p.calls[name]++
	p.mu.Unlock()
}

func (p *phases) snapshot() (map[string]time.Duration, map[string]int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	t, c := map[string]time.Duration{}, map[string]int{}
	for k, v := range p.time {
		t[k] = v
	}
	for k, v := range p.calls {
		c[k] = v
	}
	return t, c
}

// phaseOrder is the order of the phases in the report.
var phaseOrder = []string{"PrepareRecords", "CreateBatch", "Stage", "SaveFindings", "Plan", "audit Append", "Merge", "FinishBatch", "DropStage"}

// timedStore times the ingest.Store calls Ingest makes.
type timedStore struct {
	ingest.Store
	p *phases
}

func (s timedStore) PrepareRecords(ctx context.Context, r catalog.Resource) error {
	defer s.p.add("PrepareRecords", time.Now())
	return s.Store.PrepareRecords(ctx, r)
}

func (s timedStore) CreateBatch(ctx context.Context, b ingest.Batch) (int64, error) {
	defer s.p.add("CreateBatch", time.Now())
	return s.Store.CreateBatch(ctx, b)
}

func (s timedStore) Stage(ctx context.Context, r catalog.Resource, batchID int64, rows []ingest.Staged) error {
	defer s.p.add("Stage", time.Now())
	return s.Store.Stage(ctx, r, batchID, rows)
}

func (s timedStore) SaveFindings(ctx context.Context, batchID int64, fs []ingest.Finding, rej []ingest.Sealed) error {
	defer s.p.add("SaveFindings", time.Now())
	return s.Store.SaveFindings(ctx, batchID, fs, rej)
}

func (s timedStore) Plan(ctx context.Context, r catalog.Resource, b ingest.Batch) (ingest.MergeResult, error) {
	defer s.p.add("Plan", time.Now())
	return s.Store.Plan(ctx, r, b)
}

func (s timedStore) Merge(ctx context.Context, r catalog.Resource, b *ingest.Batch) (ingest.MergeResult, error) {
	defer s.p.add("Merge", time.Now())
	return s.Store.Merge(ctx, r, b)
}

func (s timedStore) DropStage(ctx context.Context, batchID int64) error {
	defer s.p.add("DropStage", time.Now())
	return s.Store.DropStage(ctx, batchID)
}

func (s timedStore) FinishBatch(ctx context.Context, b ingest.Batch) error {
	defer s.p.add("FinishBatch", time.Now())
	return s.Store.FinishBatch(ctx, b)
}

// timedRecorder times the audit appends Ingest makes.
type timedRecorder struct {
	ingest.Recorder
	p *phases
}

func (r timedRecorder) Append(ctx context.Context, e audit.Entry) (int64, error) {
	defer r.p.add("audit Append", time.Now())
	return r.Recorder.Append(ctx, e)
}
