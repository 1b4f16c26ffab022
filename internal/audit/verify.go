package audit

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"huitong"
)

// VerifySource is a copy of the log for a Verifier to read: a database
// (StoreSource) or a running server (HTTPSource).
type VerifySource interface {
	// Checkpoint returns the latest signed checkpoint, or an error wrapping
	// huitong.ErrNoRecord when there is none.
	Checkpoint(ctx context.Context) ([]byte, error)
	// Records returns, in index order, the canonical bytes of the records
	// the source holds at indexes [start, end): fewer when some are missing.
	Records(ctx context.Context, start, end int64) ([][]byte, error)
}

// SizeSource is a VerifySource that knows how many records it holds, which
// may be more than the latest checkpoint signs.
type SizeSource interface {
	Size(ctx context.Context) (int64, error)
}

// HashSource is a VerifySource that keeps the tree's stored hashes
// (tlog.StoredHashes) for the verifier to compare with what it recomputes.
type HashSource interface {
	// StoredHashes returns the hashes at storage indexes
	// [tlog.StoredHashIndex(0, start), tlog.StoredHashIndex(0, end)).
	StoredHashes(ctx context.Context, start, end int64) ([]tlog.Hash, error)
}

// CheckpointSource is a VerifySource that keeps older signed checkpoints,
// which let the verifier narrow down where a rewritten log changed.
type CheckpointSource interface {
	Checkpoints(ctx context.Context) ([][]byte, error)
}

// ProblemKind classifies a Problem.
type ProblemKind string

// The kinds of problem a Verifier reports.
const (
	ProblemSignature  ProblemKind = "signature"  // a checkpoint does not verify with the key
	ProblemCheckpoint ProblemKind = "checkpoint" // a checkpoint is missing, malformed or of another origin
	ProblemRecord     ProblemKind = "record"     // a record is malformed or not canonical
	ProblemIndex      ProblemKind = "index"      // a record's index is not its position
	ProblemLeafHash   ProblemKind = "leaf_hash"  // a record differs from its stored leaf hash
	ProblemTreeHash   ProblemKind = "tree_hash"  // a stored interior hash differs from the records
	ProblemSize       ProblemKind = "size"       // records are missing
	ProblemRoot       ProblemKind = "root"       // the tree differs from a signed checkpoint
	ProblemSince      ProblemKind = "since"      // the log does not extend the saved checkpoint
)

// Problem is one thing wrong with the log.
type Problem struct {
	Kind ProblemKind `json:"kind"`
	// Index is the first record concerned, -1 when the problem is not about
	// records.
	Index   int64  `json:"index"`
	Message string `json:"message"`
}

func (p Problem) String() string { return p.Message }

// MaxProblems bounds the problems a Result lists.
const MaxProblems = 100

// Result is the outcome of a verification.
type Result struct {
	Key    string    `json:"key"`    // the verifier key's name+hash
	Origin string    `json:"origin"` // the checkpoint's origin line
	Size   int64     `json:"size"`   // records the latest checkpoint signs
	Root   tlog.Hash `json:"root"`   // the recomputed root of those records
	// Records is how many records were read and recomputed; past Size they
	// are not yet covered by a checkpoint.
	Records int64 `json:"records"`
	// Checkpoints is how many older stored checkpoints were checked.
	Checkpoints int `json:"checkpoints"`
	// Since is the size of the saved checkpoint checked, -1 for none.
	Since    int64     `json:"since"`
	Problems []Problem `json:"problems"`
	Omitted  int       `json:"omitted"` // problems past MaxProblems
}

// OK reports whether the log is intact.
func (r *Result) OK() bool { return len(r.Problems) == 0 }

func (r *Result) add(kind ProblemKind, index int64, format string, args ...any) {
	if len(r.Problems) >= MaxProblems {
		r.Omitted++
		return
	}
	r.Problems = append(r.Problems, Problem{Kind: kind, Index: index, Message: fmt.Sprintf(format, args...)})
}

// Verifier recomputes a log from its records and checks it against signed
// checkpoints. It streams: memory stays bounded by the batch and the tree
// height (plus 40 bytes for each older stored checkpoint), not the log size.
type Verifier struct {
	Source VerifySource
	Key    note.Verifier
	// Since is an optional signed checkpoint saved earlier, which the log
	// must extend.
	Since []byte
	// Batch is the number of records read at a time (default 1024).
	Batch int
	// Progress, if set, is called after each batch.
	Progress func(done, total int64)
}

// KeyName returns "<name>+<hash>" of a verifier key, as notes name signers.
func KeyName(v note.Verifier) string { return fmt.Sprintf("%s+%08x", v.Name(), v.KeyHash()) }

// ParseVerifierKey returns the verifier of a key text: a note verifier key
// "<name>+<hash>+<key>", or a signer key "PRIVATE+KEY+..." whose verifier it
// derives.
func ParseVerifierKey(text string) (note.Verifier, error) {
	text = strings.TrimSpace(text)
	if strings.HasPrefix(text, "PRIVATE+KEY+") {
		_, v, err := signerFromKey(text)
		return v, err
	}
	v, err := note.NewVerifier(text)
	if err != nil {
		return nil, fmt.Errorf("audit verifier key: %w", err)
	}
	return v, nil
}

// target is a tree size whose root a signed checkpoint claims.
type target struct {
	size   int64
	root   tlog.Hash
	what   string    // "latest", "since" or "stored"
	got    tlog.Hash // the recomputed root
	ok     bool      // it matched
	seen   bool      // the stream reached size
	signed bool      // the checkpoint verified with the key
}

// Verify reads the whole log once. It returns an error only when the source
// cannot be read; what is wrong with the log is in the Result.
func (v *Verifier) Verify(ctx context.Context) (*Result, error) {
	res := &Result{Key: KeyName(v.Key), Since: -1}
	var targets []*target
	signed, err := v.Source.Checkpoint(ctx)
	switch {
	case errors.Is(err, huitong.ErrNoRecord):
		res.add(ProblemCheckpoint, -1, "the log has no signed checkpoint")
	case err != nil:
		return nil, fmt.Errorf("read the checkpoint: %w", err)
	default:
		if c, sigOK, ok := v.open(res, "checkpoint", signed); ok {
			res.Origin, res.Size = c.Origin, c.Size
			targets = append(targets, &target{size: c.Size, root: c.Root, what: "latest", signed: sigOK})
		}
	}
	if v.Since != nil {
		if c, sigOK, ok := v.open(res, "saved checkpoint", v.Since); ok {
			res.Since = c.Size
			targets = append(targets, &target{size: c.Size, root: c.Root, what: "since", signed: sigOK})
		}
	}
	if cs, ok := v.Source.(CheckpointSource); ok {
		list, err := cs.Checkpoints(ctx)
		if err != nil {
			return nil, fmt.Errorf("read stored checkpoints: %w", err)
		}
		for _, s := range list {
			if bytes.Equal(s, signed) {
				continue
			}
			c, err := OpenCheckpoint(s, v.Key)
			if err != nil {
				of := "of unknown size"
				if pc, ok := parseUnverified(s); ok {
					of = "of " + nrecords(pc.Size)
				}
				res.add(ProblemSignature, -1, "stored checkpoint %s: signature does not verify with key %s", of, res.Key)
				continue
			}
			res.Checkpoints++
			targets = append(targets, &target{size: c.Size, root: c.Root, what: "stored", signed: true})
		}
	}
	slices.SortStableFunc(targets, func(a, b *target) int { return cmp.Compare(a.size, b.size) })

	total := res.Size
	held := int64(-1)
	if ss, ok := v.Source.(SizeSource); ok {
		if held, err = ss.Size(ctx); err != nil {
			return nil, fmt.Errorf("read the log size: %w", err)
		}
		total = max(total, held)
	}
	if err := v.stream(ctx, res, targets, total); err != nil {
		return nil, err
	}
	v.finish(res, targets, held)
	return res, nil
}

// open verifies and parses a signed checkpoint, reporting what is wrong. It
// returns the checkpoint even when the signature fails, if it parses.
func (v *Verifier) open(res *Result, what string, signed []byte) (c Checkpoint, sigOK, ok bool) {
	n, err := note.Open(signed, note.VerifierList(v.Key))
	c, ok = parseUnverified(signed)
	if err != nil {
		var unv *note.UnverifiedNoteError
		var inv *note.InvalidSignatureError
		by := ": " + err.Error()
		if errors.As(err, &unv) {
			var names []string
			for _, s := range unv.Note.UnverifiedSigs {
				names = append(names, fmt.Sprintf("%s+%08x", s.Name, s.Hash))
			}
			by = " (it is signed by " + strings.Join(names, ", ") + ")"
		} else if errors.As(err, &inv) {
			by = " (its text was changed after signing)"
		}
		if !ok {
			res.add(ProblemCheckpoint, -1, "%s is malformed: %v", what, err)
			return c, false, false
		}
		res.add(ProblemSignature, -1, "%s signature does not verify with key %s%s", what, res.Key, by)
		return c, false, true
	}
	if !ok {
		_, err := ParseCheckpoint(n.Text)
		res.add(ProblemCheckpoint, -1, "%s is malformed: %v", what, err)
		return c, true, false
	}
	if c.Origin != v.Key.Name() {
		res.add(ProblemCheckpoint, -1, "%s origin %q is not the key's %q", what, c.Origin, v.Key.Name())
	}
	return c, true, true
}

// parseUnverified parses a checkpoint's text without checking signatures.
func parseUnverified(signed []byte) (Checkpoint, bool) {
	i := bytes.LastIndex(signed, []byte("\n\n"))
	if i < 0 {
		return Checkpoint{}, false
	}
	c, err := ParseCheckpoint(string(signed[:i+1]))
	return c, err == nil
}

// stream reads records [0, total) and recomputes the tree, comparing with
// stored hashes and the targets' roots as it goes.
func (v *Verifier) stream(ctx context.Context, res *Result, targets []*target, total int64) error {
	batch := int64(v.Batch)
	if batch <= 0 {
		batch = 1024
	}
	hs, withHashes := v.Source.(HashSource)
	var tree compactRange
	next := 0 // targets[next] is the smallest size not reached yet
	reach := func(n int64) {
		for ; next < len(targets) && targets[next].size <= n; next++ {
			if t := targets[next]; t.size == n {
				t.seen, t.got = true, tree.root()
				t.ok = t.got == t.root
			}
		}
	}
	reach(0)
	var pos, shift int64 // records read; record index minus position
	recordBad := false   // a record problem was found: interior hashes then differ too
	for start := int64(0); start < total; start += batch {
		end := min(start+batch, total)
		recs, err := v.Source.Records(ctx, start, end)
		if err != nil {
			return fmt.Errorf("read records [%d, %d): %w", start, end, err)
		}
		if int64(len(recs)) > end-start {
			return fmt.Errorf("read records [%d, %d): got %d", start, end, len(recs))
		}
		var stored []tlog.Hash
		if withHashes && len(recs) > 0 {
			stored, err = hs.StoredHashes(ctx, pos, pos+int64(len(recs)))
			switch {
			case errors.Is(err, huitong.ErrNoRecord):
				res.add(ProblemLeafHash, pos, "index %d: stored hashes of records %d to %d are missing", pos, pos, pos+int64(len(recs))-1)
				stored, recordBad = nil, true
			case err != nil:
				return fmt.Errorf("read stored hashes [%d, %d): %w", pos, pos+int64(len(recs)), err)
			}
		}
		k := 0
		for _, data := range recs {
			leaf := tlog.RecordHash(data)
			bad := false
			r, err := Decode(data)
			if err != nil {
				res.add(ProblemRecord, pos, "index %d: %v", pos, err)
				bad, recordBad = true, true
			} else if s := r.Index - pos; s != 0 {
				if s != shift {
					res.add(ProblemIndex, pos, "index %d: record says index %d", pos, r.Index)
				}
				shift, bad, recordBad = s, true, true
			} else {
				shift = 0
			}
			if stored != nil {
				if leaf != stored[k] && !bad {
					res.add(ProblemLeafHash, pos, "index %d: record does not match its stored leaf hash", pos)
					recordBad = true
				}
				k++
			}
			tree.push(leaf, func(level int, h tlog.Hash) {
				if stored == nil {
					return
				}
				if h != stored[k] && !recordBad {
					lo := pos + 1 - 1<<level
					res.add(ProblemTreeHash, lo, "index %d: stored tree hash at level %d over records %d to %d does not match them", lo, level, lo, pos)
					recordBad = true
				}
				k++
			})
			pos++
			reach(pos)
		}
		if v.Progress != nil {
			v.Progress(pos, total)
		}
	}
	res.Records = pos
	for _, t := range targets {
		if t.what == "latest" && t.seen {
			res.Root = t.got
		}
	}
	return nil
}

// finish reports missing records and roots that differ from checkpoints,
// narrowing a difference down with the stored checkpoints.
func (v *Verifier) finish(res *Result, targets []*target, held int64) {
	if res.Records < res.Size {
		res.add(ProblemSize, res.Records, "log holds %s but the checkpoint signs %d", nrecords(res.Records), res.Size)
	} else if held >= 0 && res.Records < held {
		res.add(ProblemSize, res.Records, "log holds %s but counts %d", nrecords(res.Records), held)
	}
	// bad is the smallest signed size whose root differs, good the largest
	// below it that matches: the change is in records [good, bad).
	var good, bad int64 = 0, -1
	for _, t := range targets {
		if t.seen && t.signed && !t.ok {
			bad = t.size
			break
		}
	}
	for _, t := range targets {
		if t.seen && t.signed && t.ok && t.size < bad {
			good = t.size
		}
	}
	where := ""
	if bad >= 0 && bad-good < res.Size {
		where = fmt.Sprintf("; the signed tree of %s still matches, so the change is in records %d to %d", nrecords(good), good, bad-1)
		if good == 0 {
			where = fmt.Sprintf("; the change is in records 0 to %d", bad-1)
		}
	}
	reported := false
	for _, t := range targets {
		if !t.seen || t.ok {
			continue
		}
		switch t.what {
		case "latest":
			res.add(ProblemRoot, good, "tree of %s does not match the signed checkpoint root%s", nrecords(t.size), where)
			reported = true
		case "since":
			if t.size <= res.Size {
				res.add(ProblemSince, good, "log is not consistent with the saved checkpoint: the tree of its first %s has another root", nrecords(t.size))
			}
		}
	}
	for _, t := range targets {
		if t.what == "since" && t.size > res.Size {
			// The log signed a larger tree once: it lost records or
			// checkpoints since.
			res.add(ProblemSince, min(res.Records, res.Size), "saved checkpoint signs %s but the log holds %d and its checkpoint signs %d", nrecords(t.size), res.Records, res.Size)
		}
		if t.what == "stored" && t.seen && !t.ok && !reported {
			res.add(ProblemRoot, good, "tree of %s does not match the stored checkpoint of that size%s", nrecords(t.size), where)
			reported = true
		}
	}
}

// nrecords returns "1 record" or "<n> records".
func nrecords(n int64) string {
	if n == 1 {
		return "1 record"
	}
	return fmt.Sprintf("%d records", n)
}

// compactRange is the RFC 6962 compact range [0, n) of a tree: the roots of
// its perfect subtrees, largest first.
type compactRange struct {
	hashes []tlog.Hash
	levels []int
}

// push appends a leaf and calls merged for each interior hash it completes,
// lowest level first: the order of tlog.StoredHashes.
func (c *compactRange) push(h tlog.Hash, merged func(level int, h tlog.Hash)) {
	c.hashes, c.levels = append(c.hashes, h), append(c.levels, 0)
	for n := len(c.levels); n >= 2 && c.levels[n-1] == c.levels[n-2]; n = len(c.levels) {
		h := tlog.NodeHash(c.hashes[n-2], c.hashes[n-1])
		level := c.levels[n-1] + 1
		c.hashes, c.levels = append(c.hashes[:n-2], h), append(c.levels[:n-2], level)
		merged(level, h)
	}
}

// root returns the tree hash of the leaves pushed so far.
func (c *compactRange) root() tlog.Hash {
	if len(c.hashes) == 0 {
		h, _ := tlog.TreeHash(0, nil)
		return h
	}
	h := c.hashes[len(c.hashes)-1]
	for i := len(c.hashes) - 2; i >= 0; i-- {
		h = tlog.NodeHash(c.hashes[i], h)
	}
	return h
}

// StoreSource reads the log from its database, stored hashes and older
// checkpoints included.
type StoreSource struct {
	Store Store
	// MaxCheckpoints bounds the older checkpoints read (default 65536).
	MaxCheckpoints int
}

// Checkpoint returns the stored checkpoint of the largest size.
func (s StoreSource) Checkpoint(ctx context.Context) ([]byte, error) {
	_, signed, err := s.Store.AuditLatestCheckpoint(ctx)
	return signed, err
}

// Records returns the records stored at indexes [start, end).
func (s StoreSource) Records(ctx context.Context, start, end int64) ([][]byte, error) {
	return s.Store.AuditRecords(ctx, start, end)
}

// Size returns the log's record counter.
func (s StoreSource) Size(ctx context.Context) (int64, error) { return s.Store.AuditSize(ctx) }

// StoredHashes returns the stored hashes written with records [start, end).
func (s StoreSource) StoredHashes(ctx context.Context, start, end int64) ([]tlog.Hash, error) {
	lo, hi := tlog.StoredHashIndex(0, start), tlog.StoredHashIndex(0, end)
	idx := make([]int64, 0, hi-lo)
	for i := lo; i < hi; i++ {
		idx = append(idx, i)
	}
	return s.Store.AuditHashes(ctx, idx)
}

// Checkpoints returns the stored checkpoints.
func (s StoreSource) Checkpoints(ctx context.Context) ([][]byte, error) {
	limit := s.MaxCheckpoints
	if limit <= 0 {
		limit = 1 << 16
	}
	list, err := s.Store.AuditCheckpoints(ctx, limit)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, len(list))
	for i, c := range list {
		out[i] = []byte(c.Note)
	}
	return out, nil
}
