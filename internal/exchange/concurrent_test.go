package exchange_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"huitong"
	"huitong/internal/audit"
	"huitong/internal/catalog"
	"huitong/internal/exchange"
	"huitong/internal/sharing"
)

// realLog opens an audit log over the matrix env's store and makes it the
// gateway's and the sharing service's recorder.
func (m *matrixEnv) realLog(t *testing.T) (*audit.Log, note.Verifier) {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, "huitong/test/audit")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	subs, err := audit.NewSubjects(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	l, err := audit.Open(t.Context(), audit.Config{Store: m.db, Signer: signer, Verifier: verifier, Subjects: subs,
		CheckpointEvery: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	m.gw.Audit, m.shr.Audit = l, l
	return l, verifier
}

func (m *matrixEnv) grantOf(t *testing.T, code string) sharing.Grant {
	t.Helper()
	page, err := m.shr.Grants(as(t.Context(), consumerOfficer), sharing.GrantQuery{ResourceCode: code})
	if err != nil || len(page.Items) == 0 {
		t.Fatalf("grants of %s: %+v, %v", code, page, err)
	}
	return page.Items[0]
}

// TestRevokedGrantRefusesNextCall shows that a grant the gateway has just
// served under refuses the very next call once revoked, and that the
// refusal is audited.
func TestRevokedGrantRefusesNextCall(t *testing.T) {
	m := newMatrix(t)
	l, _ := m.realLog(t)
	r := m.resourceIn(t, catalog.ShareConditional, stApproved, 1)
	ctx := as(t.Context(), consumerOfficer)
	q := exchange.Query{Where: where(t, `{"id_card":"33050219850615123X"}`), Fields: []string{"id_card", "name"}}
	v := exchange.Verification{Where: where(t, `{"id_card":"33050219850615123X"}`), Match: where(t, `{"name":"欧阳建国"}`)}
	for range 3 {
		if _, err := m.gw.Query(ctx, r.Code, q); err != nil {
			t.Fatal(err)
		}
		if _, err := m.gw.Verify(ctx, r.Code, v); err != nil {
			t.Fatal(err)
		}
	}
	g := m.grantOf(t, r.Code)
	if _, err := m.shr.Revoke(as(t.Context(), providerOfficer), g.ID, "业务已办结"); err != nil {
		t.Fatal(err)
	}
	before := l.Size()
	_, err := m.gw.Query(ctx, r.Code, q)
	if code(err) != sharing.CodeGrantRevoked {
		t.Fatalf("query after revoke: %v, want grant_revoked", err)
	}
	_, err = m.gw.Verify(ctx, r.Code, v)
	if code(err) != sharing.CodeGrantRevoked {
		t.Fatalf("verify after revoke: %v, want grant_revoked", err)
	}
	recs, err := m.db.AuditFind(t.Context(), audit.Filter{Start: before, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].Outcome != audit.Denied || recs[0].Reason != sharing.CodeGrantRevoked ||
		recs[0].Rule != fmt.Sprintf("grant:%d", g.ID) || recs[1].Action != "exchange.verify" || recs[1].Outcome != audit.Denied {
		t.Errorf("refusals recorded as %+v", recs)
	}
}

// TestConcurrentCallsAllAudited sends many calls at once through the real
// audit log: every answer names its own record, which holds that call's
// request, and the tree over all records matches the signed checkpoint
// the offline verifier checks.
func TestConcurrentCallsAllAudited(t *testing.T) {
	m := newMatrix(t)
	l, verifier := m.realLog(t)
	r := m.resourceIn(t, catalog.ShareConditional, stApproved, 1)
	start := l.Size()
	const clients, calls = 32, 20
	type answer struct {
		index   int64
		request string
		action  string
	}
	answers := make(chan answer, clients*calls)
	errs := make(chan error, clients*calls)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			for i := range calls {
				id := fmt.Sprintf("req-%d-%d", c, i)
				ctx := huitong.WithRequest(as(t.Context(), consumerOfficer), huitong.Request{ID: id})
				w := where(t, `{"id_card":"33050219850615123X"}`)
				if i%2 == 0 {
					a, err := m.gw.Query(ctx, r.Code, exchange.Query{Where: w, Fields: []string{"id_card", "name"}})
					if err != nil {
						errs <- err
						continue
					}
					answers <- answer{a.AuditIndex, id, "exchange.query"}
				} else {
					a, err := m.gw.Verify(ctx, r.Code, exchange.Verification{Where: w, Match: where(t, `{"name":"欧阳建国"}`)})
					if err != nil || !a.Match {
						errs <- fmt.Errorf("verify = %+v, %v", a, err)
						continue
					}
					answers <- answer{a.AuditIndex, id, "exchange.verify"}
				}
			}
		})
	}
	wg.Wait()
	close(answers)
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	seen := map[int64]answer{}
	for a := range answers {
		if prev, dup := seen[a.index]; dup {
			t.Errorf("calls %s and %s share audit index %d", prev.request, a.request, a.index)
		}
		seen[a.index] = a
	}
	if len(seen) != clients*calls {
		t.Fatalf("%d distinct audit indexes for %d calls", len(seen), clients*calls)
	}
	end := l.Size()
	if end-start != clients*calls {
		t.Errorf("the log grew by %d records for %d calls", end-start, clients*calls)
	}
	data, err := m.db.AuditRecords(t.Context(), start, end)
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range data {
		idx := start + int64(i)
		rec, err := audit.Decode(b)
		if err != nil {
			t.Fatalf("record %d: %v", idx, err)
		}
		a, ok := seen[idx]
		if !ok || rec.Index != idx || rec.RequestID != a.request || rec.Action != a.action || rec.Outcome != audit.Allowed {
			t.Errorf("record %d = %+v, want the answer %+v", idx, rec, a)
		}
	}
	if _, err := l.Checkpoint(t.Context()); err != nil {
		t.Fatal(err)
	}
	res, err := (&audit.Verifier{Source: audit.StoreSource{Store: m.db}, Key: verifier}).Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() || res.Size != end {
		var b bytes.Buffer
		json.NewEncoder(&b).Encode(res)
		t.Errorf("verifier: size %d, want %d; %s", res.Size, end, b.String())
	}
}
