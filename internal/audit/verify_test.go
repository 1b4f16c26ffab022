package audit_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"huitong"
	"huitong/internal/audit"
	"huitong/internal/store"
)

const origin = "huitong/test/audit"

// memLog is a log in memory: records, stored hashes and signed checkpoints,
// for tampering with.
type memLog struct {
	t        testing.TB
	signer   note.Signer
	verifier note.Verifier
	recs     [][]byte
	hashes   []tlog.Hash
	size     int64
	latest   []byte
	stored   [][]byte // older checkpoints
}

func newKey(t testing.TB) (note.Signer, note.Verifier) {
	skey, vkey, err := note.GenerateKey(rand.Reader, origin)
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return s, v
}

func record(t testing.TB, i int64, actor string) []byte {
	r := audit.Record{Index: i, Time: time.Date(2026, 3, 1, 8, 0, 0, int(i)*1000, time.UTC), Actor: actor,
		Action: "auth.login", Object: fmt.Sprintf("user:%d", i), Outcome: audit.Allowed}
	b, err := r.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// newMemLog makes a log of n records with older checkpoints at the given
// sizes and the latest at n.
func newMemLog(t testing.TB, n int64, checkpoints ...int64) *memLog {
	m := &memLog{t: t}
	m.signer, m.verifier = newKey(t)
	for i := range n {
		m.recs = append(m.recs, record(t, i, "alice"))
	}
	m.rehash(0)
	for _, c := range checkpoints {
		m.stored = append(m.stored, m.sign(c, m.signer))
	}
	m.latest = m.sign(n, m.signer)
	return m
}

func (m *memLog) reader() tlog.HashReaderFunc {
	return func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			if x >= int64(len(m.hashes)) {
				return nil, fmt.Errorf("no hash %d", x)
			}
			out[i] = m.hashes[x]
		}
		return out, nil
	}
}

// rehash recomputes the stored hashes of records from on, as someone
// rewriting the log would.
func (m *memLog) rehash(from int64) {
	m.hashes = m.hashes[:tlog.StoredHashIndex(0, from)]
	for i := from; i < int64(len(m.recs)); i++ {
		hs, err := tlog.StoredHashes(i, m.recs[i], m.reader())
		if err != nil {
			m.t.Fatal(err)
		}
		m.hashes = append(m.hashes, hs...)
	}
	m.size = int64(len(m.recs))
}

func (m *memLog) sign(size int64, s note.Signer) []byte {
	root, err := tlog.TreeHash(size, m.reader())
	if err != nil {
		m.t.Fatal(err)
	}
	b, err := note.Sign(&note.Note{Text: audit.Checkpoint{Origin: origin, Size: size, Root: root}.Format()}, s)
	if err != nil {
		m.t.Fatal(err)
	}
	return b
}

func (m *memLog) Checkpoint(context.Context) ([]byte, error) {
	if m.latest == nil {
		return nil, huitong.ErrNoRecord
	}
	return m.latest, nil
}

func (m *memLog) Records(_ context.Context, start, end int64) ([][]byte, error) {
	return m.recs[min(start, int64(len(m.recs))):min(end, int64(len(m.recs)))], nil
}

func (m *memLog) Size(context.Context) (int64, error) { return m.size, nil }

func (m *memLog) StoredHashes(_ context.Context, start, end int64) ([]tlog.Hash, error) {
	hi := tlog.StoredHashIndex(0, end)
	if hi > int64(len(m.hashes)) {
		return nil, huitong.ErrNoRecord
	}
	return m.hashes[tlog.StoredHashIndex(0, start):hi], nil
}

func (m *memLog) Checkpoints(context.Context) ([][]byte, error) {
	return append(m.stored, m.latest), nil
}

func verify(t *testing.T, m *memLog, v *audit.Verifier) *audit.Result {
	t.Helper()
	v.Source = m
	if v.Key == nil {
		v.Key = m.verifier
	}
	res, err := v.Verify(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestVerifyIntact recomputes trees of many shapes, in batches that do and
// do not line up with tiles, against a checkpoint at every size.
func TestVerifyIntact(t *testing.T) {
	for _, n := range []int64{0, 1, 2, 3, 5, 8, 13, 64, 255, 256, 257, 300} {
		for _, batch := range []int{7, 256} {
			t.Run(fmt.Sprintf("%d/%d", n, batch), func(t *testing.T) {
				var sizes []int64
				for s := range n {
					sizes = append(sizes, s)
				}
				m := newMemLog(t, n, sizes...)
				var last int64
				res := verify(t, m, &audit.Verifier{Batch: batch, Progress: func(done, total int64) {
					if done < last || total != n {
						t.Errorf("progress %d/%d after %d", done, total, last)
					}
					last = done
				}})
				want, _ := tlog.TreeHash(n, m.reader())
				if !res.OK() || res.Size != n || res.Records != n || res.Root != want || res.Checkpoints != int(n) {
					t.Errorf("result %+v, want OK of %d records, root %v", res, n, want)
				}
				if n > 0 && last != n {
					t.Errorf("progress ended at %d", last)
				}
			})
		}
	}
}

func TestVerifyTampered(t *testing.T) {
	const n = 40
	edit := func(m *memLog, i int64, from, to string) {
		m.recs[i] = bytes.Replace(m.recs[i], []byte(from), []byte(to), 1)
	}
	type want struct {
		kind  audit.ProblemKind
		index int64
		msg   string
	}
	tests := []struct {
		name   string
		tamper func(m *memLog, v *audit.Verifier)
		want   []want // the first problems, in order
	}{
		{"intact", func(m *memLog, v *audit.Verifier) {}, nil},
		{"edit", func(m *memLog, v *audit.Verifier) { edit(m, 7, "alice", "mallo") }, []want{
			{audit.ProblemLeafHash, 7, "index 7: record does not match its stored leaf hash"},
			{audit.ProblemRoot, 0, "tree of 40 records does not match the signed checkpoint root; the change is in records 0 to 9"}}},
		{"edit not canonical", func(m *memLog, v *audit.Verifier) { edit(m, 7, `"actor":`, `"actor" :`) }, []want{
			{audit.ProblemRecord, 7, "index 7: record is not in canonical form"}}},
		{"edit unknown field", func(m *memLog, v *audit.Verifier) { edit(m, 7, `"actor":`, `"actr":`) }, []want{
			{audit.ProblemRecord, 7, `index 7: malformed record: json: unknown field "actr"`}}},
		{"edit and rehash", func(m *memLog, v *audit.Verifier) { edit(m, 25, "alice", "mallo"); m.rehash(25) }, []want{
			{audit.ProblemRoot, 20, "tree of 40 records does not match the signed checkpoint root; the signed tree of 20 records still matches, so the change is in records 20 to 31"}}},
		{"delete", func(m *memLog, v *audit.Verifier) { m.recs = append(m.recs[:4], m.recs[5:]...) }, []want{
			{audit.ProblemIndex, 4, "index 4: record says index 5"},
			{audit.ProblemSize, 39, "log holds 39 records but the checkpoint signs 40"}}},
		{"swap", func(m *memLog, v *audit.Verifier) { m.recs[3], m.recs[5] = m.recs[5], m.recs[3] }, []want{
			{audit.ProblemIndex, 3, "index 3: record says index 5"},
			{audit.ProblemIndex, 5, "index 5: record says index 3"}}},
		{"truncate", func(m *memLog, v *audit.Verifier) { m.recs = m.recs[:38]; m.rehash(38) }, []want{
			{audit.ProblemSize, 38, "log holds 38 records but the checkpoint signs 40"}}},
		{"stored hashes deleted", func(m *memLog, v *audit.Verifier) { m.hashes = m.hashes[:tlog.StoredHashIndex(0, 30)] }, []want{
			{audit.ProblemLeafHash, 16, "index 16: stored hashes of records 16 to 31 are missing"}}},
		{"interior hash", func(m *memLog, v *audit.Verifier) { m.hashes[tlog.StoredHashIndex(1, 3)][0] ^= 1 }, []want{
			{audit.ProblemTreeHash, 6, "index 6: stored tree hash at level 1 over records 6 to 7 does not match them"}}},
		{"no checkpoint", func(m *memLog, v *audit.Verifier) { m.latest, m.stored = nil, nil }, []want{
			{audit.ProblemCheckpoint, -1, "the log has no signed checkpoint"}}},
		{"origin", func(m *memLog, v *audit.Verifier) {
			body := audit.Checkpoint{Origin: "huitong/other/audit", Size: 0, Root: tlog.Hash{}}.Format()
			m.latest, _ = note.Sign(&note.Note{Text: body}, m.signer)
		}, []want{{audit.ProblemCheckpoint, -1, `checkpoint origin "huitong/other/audit" is not the key's "huitong/test/audit"`}}},
		{"since", func(m *memLog, v *audit.Verifier) { v.Since = m.stored[1] }, nil},
		{"since rolled back", func(m *memLog, v *audit.Verifier) {
			v.Since = m.latest
			m.recs = m.recs[:30]
			m.rehash(30)
			m.latest, m.stored = m.sign(30, m.signer), m.stored[:2]
		}, []want{{audit.ProblemSince, 30, "saved checkpoint signs 40 records but the log holds 30 and its checkpoint signs 30"}}},
		{"checkpoints removed", func(m *memLog, v *audit.Verifier) {
			v.Since = m.latest
			m.latest, m.stored = m.stored[2], m.stored[:2]
		}, []want{{audit.ProblemSince, 32, "saved checkpoint signs 40 records but the log holds 40 and its checkpoint signs 32"}}},
		{"since forked", func(m *memLog, v *audit.Verifier) {
			v.Since = m.latest
			edit(m, 25, "alice", "mallo")
			m.rehash(25)
			m.latest, m.stored = m.sign(40, m.signer), m.stored[:2]
		}, []want{{audit.ProblemSince, 20, "log is not consistent with the saved checkpoint: the tree of its first 40 records has another root"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMemLog(t, n, 10, 20, 32)
			v := &audit.Verifier{Batch: 16}
			tt.tamper(m, v)
			res := verify(t, m, v)
			if len(res.Problems) < len(tt.want) || len(tt.want) == 0 && !res.OK() {
				t.Fatalf("problems %q, want %v", res.Problems, tt.want)
			}
			for i, w := range tt.want {
				if p := res.Problems[i]; p.Kind != w.kind || p.Index != w.index || p.Message != w.msg {
					t.Errorf("problem %d = %+v, want %+v", i, p, w)
				}
			}
		})
	}
}

// TestVerifyKeys covers a checkpoint re-signed by another key and a
// verifier given the wrong key.
func TestVerifyKeys(t *testing.T) {
	m := newMemLog(t, 40, 10, 20, 32)
	other, otherV := newKey(t)
	// Rewrite the tail, recompute the hashes and sign with another key.
	for i := int64(35); i < 40; i++ {
		m.recs[i] = record(t, i, "mallory")
	}
	m.rehash(35)
	m.latest = m.sign(40, other)
	res := verify(t, m, &audit.Verifier{})
	want := fmt.Sprintf("checkpoint signature does not verify with key %s (it is signed by %s)", audit.KeyName(m.verifier), audit.KeyName(otherV))
	if res.OK() || res.Problems[0].Kind != audit.ProblemSignature || res.Problems[0].Message != want {
		t.Errorf("re-signed: %q, want first %q", res.Problems, want)
	}

	// The signed text changed: the signature no longer matches it.
	m = newMemLog(t, 40)
	m.latest = bytes.Replace(m.latest, []byte("\n40\n"), []byte("\n41\n"), 1)
	res = verify(t, m, &audit.Verifier{})
	want = fmt.Sprintf("checkpoint signature does not verify with key %s (its text was changed after signing)", audit.KeyName(m.verifier))
	if res.OK() || res.Problems[0].Message != want {
		t.Errorf("altered text: %q, want first %q", res.Problems, want)
	}

	m = newMemLog(t, 40, 10)
	res = verify(t, m, &audit.Verifier{Key: otherV})
	if len(res.Problems) != 2 || res.Problems[0].Kind != audit.ProblemSignature ||
		res.Problems[1].Message != "stored checkpoint of 10 records: signature does not verify with key "+audit.KeyName(otherV) {
		t.Errorf("wrong key: %q", res.Problems)
	}
}

func TestParseVerifierKey(t *testing.T) {
	skey, vkey, err := note.GenerateKey(rand.Reader, origin)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{vkey, skey + "\n", " " + vkey + "\n"} {
		v, err := audit.ParseVerifierKey(k)
		if err != nil || v.Name() != origin {
			t.Errorf("ParseVerifierKey(%.20q) = %v, %v", k, v, err)
		}
	}
	for _, k := range []string{"", "nonsense", "PRIVATE+KEY+x"} {
		if _, err := audit.ParseVerifierKey(k); err == nil {
			t.Errorf("ParseVerifierKey(%q) succeeded", k)
		}
	}
}

// TestVerifyStore verifies a log written by Log into a real database, then
// edits a record in it behind the store's back.
func TestVerifyStore(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "audit.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	signer, verifier := newKey(t)
	subjects, _ := audit.NewSubjects(make([]byte, 32))
	l, err := audit.Open(ctx, audit.Config{Store: db, Signer: signer, Verifier: verifier, Subjects: subjects})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 300 {
		wg.Go(func() {
			if _, err := l.Append(ctx, audit.Entry{Action: "test.append", Object: fmt.Sprint("n:", i), Actor: "alice"}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	v := &audit.Verifier{Source: audit.StoreSource{Store: db}, Key: verifier, Batch: 100}
	res, err := v.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() || res.Size != 300 || res.Records != 300 || res.Checkpoints < 1 {
		t.Fatalf("intact store: %+v", res)
	}

	raw, err := sql.Open("sqlite", store.AuditFile(path))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var data []byte
	if err := raw.QueryRow(`SELECT data FROM audit_records WHERE idx = 123`).Scan(&data); err != nil {
		t.Fatal(err)
	}
	data = bytes.Replace(data, []byte(`"alice"`), []byte(`"bobby"`), 1)
	if _, err := raw.Exec(`UPDATE audit_records SET data = ? WHERE idx = 123`, data); err != nil {
		t.Fatal(err)
	}
	if res, err = v.Verify(ctx); err != nil {
		t.Fatal(err)
	}
	if res.OK() || !strings.HasPrefix(res.Problems[0].Message, "index 123: record does not match its stored leaf hash") {
		t.Errorf("edited store: %q", res.Problems)
	}
}

// BenchmarkVerify measures verification speed per record, stored hashes
// included.
func BenchmarkVerify(b *testing.B) {
	const n = 100_000
	m := newMemLog(b, n)
	b.ResetTimer()
	for b.Loop() {
		res, err := (&audit.Verifier{Source: m, Key: m.verifier}).Verify(b.Context())
		if err != nil || !res.OK() {
			b.Fatal(err, res.Problems)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/record")
}
