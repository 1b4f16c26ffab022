package ingest

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"huitong"
	"huitong/internal/audit"
	"huitong/internal/catalog"
)

// memStore is the part of Store that Ingest uses, in memory.
type memStore struct {
	Store // the rest panics
	mu    sync.Mutex

	staged      int
	stageCalls  int
	findings    []Finding
	rejected    []Sealed
	saveCalls   int
	status      string
	mergedCount int64
}

func (m *memStore) PrepareRecords(context.Context, catalog.Resource) error { return nil }
func (m *memStore) CreateBatch(context.Context, Batch) (int64, error)      { return 7, nil }
func (m *memStore) DropStage(context.Context, int64) error                 { return nil }
func (m *memStore) Stage(_ context.Context, _ catalog.Resource, _ int64, rows []Staged) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.staged += len(rows)
	m.stageCalls++
	return nil
}
func (m *memStore) SaveFindings(_ context.Context, _ int64, fs []Finding, rej []Sealed) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.findings = append(m.findings, fs...)
	m.rejected = append(m.rejected, rej...)
	m.saveCalls++
	return nil
}
func (m *memStore) Plan(context.Context, catalog.Resource, Batch) (MergeResult, error) {
	return MergeResult{Inserted: int64(m.staged)}, nil
}
func (m *memStore) Merge(_ context.Context, _ catalog.Resource, b *Batch) (MergeResult, error) {
	b.Status, b.Inserted = StatusCommitted, int64(m.staged)
	return MergeResult{Inserted: int64(m.staged)}, nil
}
func (m *memStore) FinishBatch(_ context.Context, b Batch) error {
	m.status = b.Status
	return nil
}

type memAudit struct{ n int64 }

func (a *memAudit) Append(context.Context, audit.Entry) (int64, error) { a.n++; return a.n, nil }

// TestIngestSavesEveryFinding: findings and rejected rows are saved in a
// few large calls, not one per chunk, and none is lost.
func TestIngestSavesEveryFinding(t *testing.T) {
	for _, tc := range []struct{ rows, bad, maxSaves int }{{40000, 400, 1}, {12000, 2500, 3}} {
		t.Run(fmt.Sprintf("%d of %d bad", tc.bad, tc.rows), func(t *testing.T) { testSavesEveryFinding(t, tc.rows, tc.bad, tc.maxSaves) })
	}
}

// genderService is an ingest service over a memory store for a resource of
// a key and an enum field.
func genderService(t *testing.T) (*Service, *memStore) {
	t.Helper()
	r := catalog.Resource{Code: "JC-1", Version: 1, ProviderUSCC: "11330500002486211M", Fields: []catalog.Field{
		{Name: "code", Title: "编码", Type: "string", Level: 1, Key: true, Required: true},
		{Name: "gender", Title: "性别", Type: "string", Level: 1, Enum: []string{"男", "女"}},
	}}
	sealer, err := NewSealer(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	st := &memStore{}
	return &Service{Store: st, Audit: &memAudit{}, Sealer: sealer, Now: time.Now,
		Resource: func(context.Context, string) (catalog.Resource, error) { return r, nil }}, st
}

func testSavesEveryFinding(t *testing.T, rows, bad, maxSaves int) {
	t.Helper()
	svc, st := genderService(t)
	var csv strings.Builder
	csv.WriteString("编码,性别\n")
	for i := range rows {
		g := "男"
		if i%(rows/bad) == 0 && i/(rows/bad) < bad {
			g = "未知"
		}
		fmt.Fprintf(&csv, "K%05d,%s\n", i, g)
	}
	ctx := huitong.WithPrincipal(t.Context(), &huitong.Principal{Kind: huitong.PrincipalUser, ID: 1, Name: "t",
		Roles: []string{huitong.RoleAdmin}})
	b, err := svc.Ingest(ctx, "JC-1", Upload{Body: strings.NewReader(csv.String()), ContentType: "text/csv"})
	if err != nil {
		t.Fatal(err)
	}
	if b.Rows != int64(rows) || b.Rejected != int64(bad) || b.Accepted != int64(rows-bad) || st.staged != rows-bad {
		t.Errorf("batch = %d rows, %d accepted, %d rejected; staged %d", b.Rows, b.Accepted, b.Rejected, st.staged)
	}
	if len(st.findings) != bad || len(st.rejected) != bad {
		t.Errorf("saved %d findings and %d rejected rows, want %d each", len(st.findings), len(st.rejected), bad)
	}
	seen := map[int]bool{}
	for _, f := range st.findings {
		seen[f.Row] = true
	}
	if len(seen) != bad {
		t.Errorf("findings name %d rows, want %d", len(seen), bad)
	}
	if st.saveCalls > maxSaves || st.stageCalls < 2 {
		t.Errorf("%d SaveFindings and %d Stage calls", st.saveCalls, st.stageCalls)
	}
}

// cutOffReader reads r, then fails as a connection cut off mid-upload.
type cutOffReader struct{ r io.Reader }

func (f cutOffReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, io.ErrUnexpectedEOF
	}
	return n, err
}

// TestIngestSavesFindingsOfFailedRead: a file that breaks off part-way
// fails the batch, and what was found up to there is still saved.
func TestIngestSavesFindingsOfFailedRead(t *testing.T) {
	svc, st := genderService(t)
	var csv strings.Builder
	csv.WriteString("编码,性别\n")
	for i := range 10000 { // beyond the 64 KiB the reader sniffs first
		g := "男"
		if i%100 == 0 {
			g = "未知"
		}
		fmt.Fprintf(&csv, "K%05d,%s\n", i, g)
	}
	ctx := huitong.WithPrincipal(t.Context(), &huitong.Principal{Kind: huitong.PrincipalUser, ID: 1, Name: "t",
		Roles: []string{huitong.RoleAdmin}})
	if _, err := svc.Ingest(ctx, "JC-1", Upload{Body: cutOffReader{strings.NewReader(csv.String())}, ContentType: "text/csv"}); err == nil {
		t.Fatal("a cut-off file was accepted")
	}
	if len(st.findings) != 100 || len(st.rejected) != 100 {
		t.Errorf("saved %d findings and %d rejected rows of the failed read, want 100 each", len(st.findings), len(st.rejected))
	}
}
