package audit_test

import (
	"context"
	"crypto/rand"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"huitong"
	"huitong/internal/audit"
	"huitong/internal/store"
)

func newLog(t *testing.T, db *store.DB, skey string) *audit.Log {
	t.Helper()
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "k")
	if err := writeFile(path, skey); err != nil {
		t.Fatal(err)
	}
	signer, verifier, err := audit.LoadOrCreateKey(path, s.Name())
	if err != nil {
		t.Fatal(err)
	}
	subs, _ := audit.NewSubjects(make([]byte, 32))
	l, err := audit.Open(t.Context(), audit.Config{Store: db, Signer: signer, Verifier: verifier, Subjects: subs, CheckpointEvery: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func openStore(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func genKey(t *testing.T) (string, string) {
	skey, vkey, err := note.GenerateKey(rand.Reader, "huitong/test/audit")
	if err != nil {
		t.Fatal(err)
	}
	return skey, vkey
}

// checkLog recomputes the tree from the stored records and checks it against
// a freshly signed checkpoint.
func checkLog(t *testing.T, l *audit.Log, db *store.DB, vkey string, want int64) {
	t.Helper()
	ctx := t.Context()
	signed, err := l.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := note.NewVerifier(vkey)
	cp, err := audit.OpenCheckpoint(signed, v)
	if err != nil {
		t.Fatal(err)
	}
	if cp.Size != want {
		t.Fatalf("checkpoint size %d, want %d", cp.Size, want)
	}
	recs, err := db.AuditRecords(ctx, 0, want)
	if err != nil || int64(len(recs)) != want {
		t.Fatalf("records: %d, %v", len(recs), err)
	}
	mem := map[int64]tlog.Hash{}
	reader := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = mem[x]
		}
		return out, nil
	})
	for i, data := range recs {
		r, err := audit.Decode(data)
		if err != nil || r.Index != int64(i) {
			t.Fatalf("record %d: index %d, %v", i, r.Index, err)
		}
		hs, _ := tlog.StoredHashes(int64(i), data, reader)
		for j, h := range hs {
			mem[tlog.StoredHashIndex(0, int64(i))+int64(j)] = h
		}
	}
	root, _ := tlog.TreeHash(want, reader)
	if root != cp.Root {
		t.Fatal("recomputed root differs from the signed checkpoint")
	}
}

func TestAppendConcurrent(t *testing.T) {
	db := openStore(t)
	skey, vkey := genKey(t)
	l := newLog(t, db, skey)
	ctx := huitong.WithPrincipal(t.Context(), &huitong.Principal{Kind: "user", Name: "zhang", OrgUSCC: "11330500002486211M", Roles: []string{"consumer"}})
	const writers, each = 64, 20
	var mu sync.Mutex
	seen := map[int64]bool{}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				idx, err := l.Append(ctx, audit.Entry{Action: "exchange.query", Object: "resource:JC-1", Purpose: "低保资格审核",
					Subjects: []string{"11010519491231002X"}, Detail: map[string]string{"w": string(rune('a' + w%26)), "i": string(rune('0' + i%10))}})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if seen[idx] {
					t.Errorf("index %d given twice", idx)
				}
				seen[idx] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != writers*each {
		t.Fatalf("%d distinct indexes", len(seen))
	}
	checkLog(t, l, db, vkey, writers*each)
	// Subjects are HMACs and index the history.
	hist, err := l.History(t.Context(), l.SubjectOf("11010519491231002x"), 0, 500)
	if err != nil || len(hist) != 500 || hist[0].Index != writers*each-1 {
		t.Errorf("history: %d records, first %v, %v", len(hist), hist[0].Index, err)
	}
	if hist[0].Actor != "user:zhang" || hist[0].ActorOrg != "11330500002486211M" || hist[0].Purpose != "低保资格审核" {
		t.Errorf("record = %+v", hist[0])
	}
}

// TestTwoInstances appends through two logs over one store, as two
// instances sharing a database do: indexes stay unique and the tree whole.
func TestTwoInstances(t *testing.T) {
	db := openStore(t)
	skey, vkey := genKey(t)
	a, b := newLog(t, db, skey), newLog(t, db, skey)
	ctx := context.Background()
	var wg sync.WaitGroup
	for _, l := range []*audit.Log{a, b, a, b} {
		wg.Go(func() {
			for range 25 {
				if _, err := l.Append(ctx, audit.Entry{Action: "auth.login", Actor: "system"}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	checkLog(t, b, db, vkey, 100)
}

func TestClosedLogRefuses(t *testing.T) {
	db := openStore(t)
	skey, _ := genKey(t)
	l := newLog(t, db, skey)
	if _, err := l.Append(t.Context(), audit.Entry{Action: "auth.login", Actor: "system"}); err != nil {
		t.Fatal(err)
	}
	l.Close()
	l.Close() // twice is harmless
	_, err := l.Append(t.Context(), audit.Entry{Action: "auth.login", Actor: "system"})
	if huitong.ErrorCode(err) != "audit_unavailable" || huitong.ErrorKind(err) != huitong.Unavailable {
		t.Errorf("Append after Close = %v", err)
	}
}

func TestKeysPersist(t *testing.T) {
	dir := t.TempDir()
	s1, v1, err := audit.LoadOrCreateKey(filepath.Join(dir, "k"), "huitong/n/audit")
	if err != nil {
		t.Fatal(err)
	}
	s2, v2, err := audit.LoadOrCreateKey(filepath.Join(dir, "k"), "ignored")
	if err != nil {
		t.Fatal(err)
	}
	if s1.KeyHash() != s2.KeyHash() || v1.Name() != v2.Name() || v1.Name() != "huitong/n/audit" {
		t.Error("key not persisted")
	}
	if k, ok := v1.(interface{ String() string }); !ok || k.String() == "" {
		t.Error("verifier key string not published")
	} else if _, err := note.NewVerifier(k.String()); err != nil {
		t.Errorf("published key %q does not parse: %v", k.String(), err)
	}
	sec1, _ := audit.LoadOrCreateSecret(filepath.Join(dir, "s"))
	sec2, _ := audit.LoadOrCreateSecret(filepath.Join(dir, "s"))
	if len(sec1) != 32 || string(sec1) != string(sec2) {
		t.Error("secret not persisted")
	}
}
