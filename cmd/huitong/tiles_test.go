package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/transparency-dev/formats/log"
	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	tclient "github.com/transparency-dev/tessera/client"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"huitong/internal/audit"
)

// The audit log serves C2SP tlog-tiles under /api/v1/audit/log/. These tests
// read it with an independent implementation of the spec, tessera's client,
// and check inclusion and consistency with the transparency-dev merkle
// verifiers, not with the server's own tlog code.

func TestTiles(t *testing.T) { testTiles(t, testMain(t, false, "")) }

func TestTilesPostgres(t *testing.T) { testTiles(t, testMain(t, false, pgDSN(t))) }

var rfcHasher = rfc6962.DefaultHasher

// fetchLog records the tile requests a tiles client makes and their status.
type fetchLog struct {
	mu   sync.Mutex
	reqs []string // "<path after the prefix> <status>"
}

type recordingTransport struct {
	prefix string
	log    *fetchLog
}

func (rt recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err == nil {
		rt.log.mu.Lock()
		rt.log.reqs = append(rt.log.reqs, fmt.Sprintf("%s %d", strings.TrimPrefix(r.URL.Path, rt.prefix), resp.StatusCode))
		rt.log.mu.Unlock()
	}
	return resp, err
}

func (l *fetchLog) saw(s string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range l.reqs {
		if r == s {
			return true
		}
	}
	return false
}

func (l *fetchLog) reset() {
	l.mu.Lock()
	l.reqs = nil
	l.mu.Unlock()
}

// appendTo appends realistic records until the log holds size records,
// from several writers so that batches are group-committed.
func appendTo(t *testing.T, m *Main, size int64) {
	t.Helper()
	n := size - m.Audit.Size()
	if n < 0 {
		t.Fatalf("log already holds %d records, past %d", m.Audit.Size(), size)
	}
	const writers = 16
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			for i := int64(w); i < n; i += writers {
				e := audit.Entry{Action: "exchange.query", Object: fmt.Sprintf("resource:330500-GA-%05d", i%97),
					Purpose: "不动产登记办理核验户籍信息", Rule: fmt.Sprintf("grant:%d", i%13),
					Subjects: []string{fmt.Sprintf("33050219800101%04d", i)},
					Detail:   map[string]string{"rows": fmt.Sprint(i % 7), "fields": "name,address"},
					Actor:    "app:bdc-window", ActorOrg: usccPolice}
				if i%11 == 0 {
					e.Outcome, e.Reason = audit.Denied, "no_grant"
				}
				if i%5 == 0 {
					e.Subjects = append(e.Subjects, usccMarket)
				}
				if _, err := m.Audit.Append(t.Context(), e); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if got := m.Audit.Size(); got != size {
		t.Fatalf("log holds %d records, want %d", got, size)
	}
}

// verifiedState is what a client knows after checking a checkpoint.
type verifiedState struct {
	cp     *log.Checkpoint
	raw    []byte
	leaves [][]byte // leaf hashes of every entry, from the entry bundles
}

// checkTree fetches the latest checkpoint with the tiles client, checks that
// it is for size, and checks every part of the tree the client can see: the
// entry bundles against the level-0 tiles and the root, and inclusion proofs
// built from tiles against the server's own JSON proofs.
func checkTree(t *testing.T, admin *client, f *tclient.HTTPFetcher, v note.Verifier, size uint64) verifiedState {
	t.Helper()
	ctx := t.Context()
	cp, raw, _, err := tclient.FetchCheckpoint(ctx, f.ReadCheckpoint, v, v.Name())
	if err != nil {
		t.Fatalf("tessera FetchCheckpoint: %v", err)
	}
	if cp.Size != size {
		t.Fatalf("checkpoint size %d, want %d", cp.Size, size)
	}

	// Every entry, from the entry bundles (full ones and the partial last).
	var entries [][]byte
	for i := uint64(0); i*256 < size; i++ {
		b, err := tclient.GetEntryBundle(ctx, f.ReadEntryBundle, i, size)
		if err != nil {
			t.Fatalf("tessera GetEntryBundle(%d, size %d): %v", i, size, err)
		}
		if want := min(256, size-i*256); uint64(len(b.Entries)) != want {
			t.Fatalf("entry bundle %d at size %d has %d entries, want %d", i, size, len(b.Entries), want)
		}
		entries = append(entries, b.Entries...)
	}
	leaves := make([][]byte, len(entries))
	for i, e := range entries {
		rec, err := audit.Decode(e)
		if err != nil {
			t.Fatalf("entry %d is not a canonical record: %v\n%s", i, err, e)
		}
		if rec.Index != int64(i) {
			t.Fatalf("entry %d holds record %d", i, rec.Index)
		}
		leaves[i] = rfcHasher.HashLeaf(e)
		if th := tlog.RecordHash(e); !bytes.Equal(th[:], leaves[i]) {
			t.Fatalf("entry %d: tlog.RecordHash %x differs from RFC 6962 leaf hash %x", i, th, leaves[i])
		}
	}

	// The level-0 tiles hold the same leaf hashes.
	tileLeaves, err := tclient.FetchLeafHashes(ctx, f.ReadTile, 0, size, size)
	if err != nil {
		t.Fatalf("tessera FetchLeafHashes: %v", err)
	}
	for i := range leaves {
		if !bytes.Equal(tileLeaves[i], leaves[i]) {
			t.Fatalf("leaf %d: tile hash %x, entry hash %x", i, tileLeaves[i], leaves[i])
		}
	}

	// The root over the entries is the checkpoint's, and so is the root over
	// the compact range read from the tiles (levels above 0 included).
	if root := rootOf(t, leaves); !bytes.Equal(root, cp.Hash) {
		t.Fatalf("root over the entries %x, checkpoint %x", root, cp.Hash)
	}
	nodes, err := tclient.FetchRangeNodes(ctx, size, f.ReadTile)
	if err != nil {
		t.Fatalf("tessera FetchRangeNodes: %v", err)
	}
	rf := compact.RangeFactory{Hash: rfcHasher.HashChildren}
	cr, err := rf.NewRange(0, size, nodes)
	if err != nil {
		t.Fatal(err)
	}
	if root, err := cr.GetRootHash(nil); err != nil || !bytes.Equal(root, cp.Hash) {
		t.Fatalf("root from the tiles' compact range %x (%v), checkpoint %x", root, err, cp.Hash)
	}

	// Inclusion proofs built from tiles, at the edges of the tiles and at
	// the end.
	pb, err := tclient.NewProofBuilder(ctx, size, f.ReadTile)
	if err != nil {
		t.Fatal(err)
	}
	for _, idx := range []uint64{0, 1, 127, 254, 255, 256, 257, 299, 511, 512, size / 2, size - 2, size - 1} {
		if idx >= size {
			continue
		}
		p, err := pb.InclusionProof(ctx, idx)
		if err != nil {
			t.Fatalf("tessera InclusionProof(%d, size %d): %v", idx, size, err)
		}
		if err := proof.VerifyInclusion(rfcHasher, idx, size, leaves[idx], p, cp.Hash); err != nil {
			t.Fatalf("inclusion of %d in %d: %v", idx, size, err)
		}
		if err := proof.VerifyInclusion(rfcHasher, idx, size, leaves[(idx+1)%size], p, cp.Hash); err == nil && size > 1 {
			t.Fatalf("inclusion proof of %d in %d verifies for another entry", idx, size)
		}
		if got := serverProof(t, admin, fmt.Sprintf("/api/v1/audit/proof/inclusion?index=%d&size=%d", idx, size)); !equalProofs(got, p) {
			t.Fatalf("inclusion of %d in %d: server proof %x, tiles proof %x", idx, size, got, p)
		}
	}
	return verifiedState{cp: cp, raw: raw, leaves: leaves}
}

// rootOf returns the RFC 6962 root over leaf hashes.
func rootOf(t *testing.T, leaves [][]byte) []byte {
	t.Helper()
	rf := compact.RangeFactory{Hash: rfcHasher.HashChildren}
	r := rf.NewEmptyRange(0)
	for _, l := range leaves {
		if err := r.Append(l, nil); err != nil {
			t.Fatal(err)
		}
	}
	root, err := r.GetRootHash(nil)
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// serverProof fetches one of the server's JSON proofs.
func serverProof(t *testing.T, c *client, path string) [][]byte {
	t.Helper()
	var res struct {
		Hashes []string `json:"hashes"`
	}
	c.want(200, "GET", path, nil).decode(t, &res)
	out := make([][]byte, len(res.Hashes))
	for i, h := range res.Hashes {
		b, err := base64.StdEncoding.DecodeString(h)
		if err != nil || len(b) != 32 {
			t.Fatalf("%s: bad hash %q", path, h)
		}
		out[i] = b
	}
	return out
}

func equalProofs(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// checkConsistency proves with tiles of the newer tree that each older size
// is a prefix of it, and compares with the server's JSON proofs.
func checkConsistency(t *testing.T, admin *client, f *tclient.HTTPFetcher, newer verifiedState, olds ...uint64) {
	t.Helper()
	ctx := t.Context()
	size := newer.cp.Size
	pb, err := tclient.NewProofBuilder(ctx, size, f.ReadTile)
	if err != nil {
		t.Fatal(err)
	}
	for _, old := range olds {
		if old < 1 || old > size {
			continue
		}
		p, err := pb.ConsistencyProof(ctx, old, size)
		if err != nil {
			t.Fatalf("tessera ConsistencyProof(%d, %d): %v", old, size, err)
		}
		oldRoot := rootOf(t, newer.leaves[:old])
		if err := proof.VerifyConsistency(rfcHasher, old, size, p, oldRoot, newer.cp.Hash); err != nil {
			t.Fatalf("consistency %d -> %d: %v", old, size, err)
		}
		if got := serverProof(t, admin, fmt.Sprintf("/api/v1/audit/proof/consistency?old=%d&new=%d", old, size)); !equalProofs(got, p) {
			t.Fatalf("consistency %d -> %d: server proof %x, tiles proof %x", old, size, got, p)
		}
	}
}

func testTiles(t *testing.T, m *Main) {
	ctx := t.Context()
	admin := login(t, m, "admin", adminPassword)
	// A few records through the API: failed logins of unknown users.
	anon := &client{t: t, base: m.InternalURL()}
	for i := range 5 {
		anon.wantErr(401, "invalid_credentials", "POST", "/api/v1/auth/login", map[string]string{"username": fmt.Sprintf("nobody%d", i), "password": "wrong-password"})
	}

	// The verifier key, as a client would get it.
	keyText := strings.TrimSpace(string(anon.want(200, "GET", "/api/v1/audit/key", nil).body))
	v, err := note.NewVerifier(keyText)
	if err != nil {
		// Report the broken key endpoint, and go on with the verifier of the
		// key file so that the tiles themselves are still checked.
		t.Errorf("GET /api/v1/audit/key = %q, not a note verifier key: %v", keyText, err)
		if _, v, err = audit.LoadOrCreateKey(m.Config.AuditKey, ""); err != nil {
			t.Fatal(err)
		}
	}

	prefix := "/api/v1/audit/log/"
	root, err := url.Parse(m.InternalURL() + prefix)
	if err != nil {
		t.Fatal(err)
	}
	fl := &fetchLog{}
	f, err := tclient.NewHTTPFetcher(root, &http.Client{Transport: recordingTransport{prefix: prefix, log: fl}})
	if err != nil {
		t.Fatal(err)
	}
	f.SetAuthorizationHeader("Bearer " + admin.token)

	// Without a token the tiles are refused.
	noAuth, err := tclient.NewHTTPFetcher(root, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := noAuth.ReadTile(ctx, 0, 0, 5); err == nil {
		t.Error("tile served without a token")
	}

	// Exactly one full tile: no partial level-0 tile, a level-1 tile of width 1.
	appendTo(t, m, 256)
	if _, err := m.Audit.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	s256 := checkTree(t, admin, f, v, 256)
	for _, want := range []string{"tile/0/000 200", "tile/1/000.p/1 200", "tile/entries/000 200"} {
		if !fl.saw(want) {
			t.Errorf("the client did not fetch %q; it fetched %q", want, fl.reqs)
		}
	}

	// A full and a partial tile at level 0.
	appendTo(t, m, 300)
	if _, err := m.Audit.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	fl.reset()
	s300 := checkTree(t, admin, f, v, 300)
	for _, want := range []string{"tile/0/000 200", "tile/0/001.p/44 200", "tile/1/000.p/1 200", "tile/entries/001.p/44 200"} {
		if !fl.saw(want) {
			t.Errorf("the client did not fetch %q; it fetched %q", want, fl.reqs)
		}
	}
	checkConsistency(t, admin, f, s300, 1, 2, 7, 255, 256, 257, 299, 300)

	// Grow past two full tiles: the partial tile of size 300 is now full.
	// A checkpoint at 600 leaves a partial tile that 700 widens.
	appendTo(t, m, 600)
	if _, err := m.Audit.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	appendTo(t, m, 700)
	if _, err := m.Audit.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	fl.reset()
	s700 := checkTree(t, admin, f, v, 700)
	for _, want := range []string{"tile/0/001 200", "tile/0/002.p/188 200", "tile/1/000.p/2 200", "tile/entries/002.p/188 200"} {
		if !fl.saw(want) {
			t.Errorf("the client did not fetch %q; it fetched %q", want, fl.reqs)
		}
	}
	checkConsistency(t, admin, f, s700, 1, 255, 256, 257, 300, 511, 512, 513, 699, 700)
	if !equalProofs(s700.leaves[:300], s300.leaves) || !bytes.Equal(rootOf(t, s700.leaves[:256]), s256.cp.Hash) {
		t.Fatal("the grown log's first entries differ from what was read before")
	}

	// A client still at size 300 proves inclusion there: it asks for the
	// partial tile of that size, which the server may no longer serve now
	// that the full tile exists, and falls back to the full tile.
	fl.reset()
	pb, err := tclient.NewProofBuilder(ctx, 300, f.ReadTile)
	if err != nil {
		t.Fatal(err)
	}
	for _, idx := range []uint64{0, 256, 299} {
		p, err := pb.InclusionProof(ctx, idx)
		if err != nil {
			t.Fatalf("inclusion of %d at the old size 300: %v", idx, err)
		}
		if err := proof.VerifyInclusion(rfcHasher, idx, 300, s300.leaves[idx], p, s300.cp.Hash); err != nil {
			t.Fatalf("inclusion of %d at the old size 300: %v", idx, err)
		}
	}
	t.Logf("tiles fetched for old size 300 after growth: %q", fl.reqs)

	// A partial tile of a checkpointed size must still be served while its
	// tile is not full (C2SP tlog-tiles): size 600 needs 0/002.p/88.
	fl.reset()
	if pb, err = tclient.NewProofBuilder(ctx, 600, f.ReadTile); err != nil {
		t.Fatal(err)
	}
	root600 := rootOf(t, s700.leaves[:600])
	for _, idx := range []uint64{0, 511, 512, 599} {
		p, err := pb.InclusionProof(ctx, idx)
		if err != nil {
			t.Fatalf("inclusion of %d at the old size 600: %v", idx, err)
		}
		if err := proof.VerifyInclusion(rfcHasher, idx, 600, s700.leaves[idx], p, root600); err != nil {
			t.Fatalf("inclusion of %d at the old size 600: %v", idx, err)
		}
	}
	if !fl.saw("tile/0/002.p/88 200") {
		t.Errorf("partial tile 0/002.p/88 of checkpoint 600 not served; fetched %q", fl.reqs)
	}

	// tessera's log state tracker, starting from the checkpoint of size 300,
	// moves to the latest one only after checking consistency itself.
	tr, err := tclient.NewLogStateTracker(ctx, f.ReadTile, s300.raw, v, v.Name(), tclient.UnilateralConsensus(f.ReadCheckpoint))
	if err != nil {
		t.Fatal(err)
	}
	oldRaw, cproof, newRaw, err := tr.Update(ctx)
	if err != nil {
		t.Fatalf("tessera LogStateTracker.Update 300 -> 700: %v", err)
	}
	if !bytes.Equal(oldRaw, s300.raw) || !bytes.Equal(newRaw, s700.raw) || tr.Latest().Size != 700 || len(cproof) == 0 {
		t.Fatalf("tracker update: old %q new %q latest %d proof %d hashes", oldRaw, newRaw, tr.Latest().Size, len(cproof))
	}

	// Content types the spec requires; full tiles and bundles are immutable.
	for path, ct := range map[string]string{"checkpoint": "text/plain; charset=utf-8", "tile/0/001": "application/octet-stream",
		"tile/entries/001": "application/octet-stream", "tile/0/002.p/188": "application/octet-stream", "tile/1/000.p/2": "application/octet-stream"} {
		r := admin.want(200, "GET", prefix+path, nil)
		if got := r.header.Get("Content-Type"); got != ct {
			t.Errorf("%s: Content-Type %q, want %q", path, got, ct)
		}
		if !strings.Contains(path, ".p/") && path != "checkpoint" && !strings.Contains(r.header.Get("Cache-Control"), "immutable") {
			t.Errorf("%s: Cache-Control %q, want long-lived", path, r.header.Get("Cache-Control"))
		}
	}

	// A tampered tile is caught: a flipped bit in a served hash breaks the
	// root (guards against a check above that could never fail).
	tampered := func(ctx context.Context, l, i uint64, p uint8) ([]byte, error) {
		b, err := f.ReadTile(ctx, l, i, p)
		if err == nil && l == 1 && i == 0 {
			b = bytes.Clone(b)
			b[32+5] ^= 1 // the hash of leaves [256, 512)
		}
		return b, err
	}
	tpb, err := tclient.NewProofBuilder(ctx, 700, tampered)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := tpb.InclusionProof(ctx, 10); err != nil {
		t.Fatal(err)
	} else if proof.VerifyInclusion(rfcHasher, 10, 700, s700.leaves[10], p, s700.cp.Hash) == nil {
		t.Error("inclusion proof from a tampered tile verified")
	}
}
