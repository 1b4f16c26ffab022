package audit

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"huitong"
)

// canRead reports whether the caller may read the log: auditors and admins.
func canRead(ctx context.Context) (*huitong.Principal, error) {
	return huitong.Require(ctx, huitong.RoleAuditor, huitong.RoleAdmin)
}

func badRange(zh, en string, args ...any) error {
	return huitong.Invalidf("invalid_range", zh, en, args...)
}

// currentSize returns the size of the latest signed checkpoint, which is
// what proofs and tiles may be asked about.
func (l *Log) currentSize(ctx context.Context) (int64, error) {
	_, size, err := l.latest(ctx)
	return size, err
}

// ProveInclusion returns the proof that record index is in the tree of the
// given size. Errors: Forbidden, Invalid (invalid_range).
func (l *Log) ProveInclusion(ctx context.Context, index, size int64) (tlog.RecordProof, error) {
	if _, err := canRead(ctx); err != nil {
		return nil, err
	}
	cur, err := l.currentSize(ctx)
	if err != nil {
		return nil, huitong.Fault("audit checkpoint", err)
	}
	if index < 0 || size <= index || size > cur {
		return nil, badRange("须满足 0 ≤ index < size ≤ %d（最新检查点）", "want 0 <= index < size <= %d (the latest checkpoint)", cur)
	}
	p, err := tlog.ProveRecord(size, index, l.storeReader(ctx))
	if err != nil {
		return nil, huitong.Fault("audit prove record", err)
	}
	return p, nil
}

// ProveConsistency returns the proof that the tree of size old is a prefix
// of the tree of size new. Errors: Forbidden, Invalid (invalid_range).
func (l *Log) ProveConsistency(ctx context.Context, old, new int64) (tlog.TreeProof, error) {
	if _, err := canRead(ctx); err != nil {
		return nil, err
	}
	cur, err := l.currentSize(ctx)
	if err != nil {
		return nil, huitong.Fault("audit checkpoint", err)
	}
	if old < 1 || new < old || new > cur {
		return nil, badRange("须满足 1 ≤ old ≤ new ≤ %d（最新检查点）", "want 1 <= old <= new <= %d (the latest checkpoint)", cur)
	}
	p, err := tlog.ProveTree(new, old, l.storeReader(ctx))
	if err != nil {
		return nil, huitong.Fault("audit prove tree", err)
	}
	return p, nil
}

// Entry is one record as listed: the record with its leaf hash.
type Listed struct {
	Record
	LeafHash tlog.Hash `json:"leaf_hash"`
}

// Entries lists records matching f, for auditors and admins.
// Errors: Forbidden, Invalid.
func (l *Log) Entries(ctx context.Context, f Filter) ([]Listed, error) {
	if _, err := canRead(ctx); err != nil {
		return nil, err
	}
	if f.Start < 0 || (f.End != 0 && f.End < f.Start) {
		return nil, badRange("须满足 0 ≤ start ≤ end", "want 0 <= start <= end")
	}
	// Up to 1000 a page, and one more to tell whether there is a next page.
	if f.Limit <= 0 {
		f.Limit = 100
	}
	f.Limit = min(f.Limit, 1001)
	recs, err := l.store.AuditFind(ctx, f)
	if err != nil {
		return nil, huitong.Fault("audit find records", err)
	}
	out := make([]Listed, len(recs))
	for i, r := range recs {
		data, err := r.Encode()
		if err != nil {
			return nil, huitong.Fault("audit encode", err)
		}
		out[i] = Listed{Record: r, LeafHash: tlog.RecordHash(data)}
	}
	return out, nil
}

// History returns the records that name subject (a hex HMAC), newest first.
// It does no access check: callers decide who may see whose history.
func (l *Log) History(ctx context.Context, subject string, before int64, limit int) ([]Record, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	recs, err := l.store.AuditBySubject(ctx, subjectBytes(subject), before, limit)
	if err != nil {
		return nil, huitong.Fault("audit history", err)
	}
	return recs, nil
}

// Tracker returns the access history of the citizen (or organisation) with
// the given ID number or USCC, for auditors and admins. The lookup is itself
// recorded, with that person as its subject, so they can see who looked.
// Errors: Forbidden, Invalid, Unavailable.
func (l *Log) Tracker(ctx context.Context, id string, before int64, limit int) ([]Record, int64, error) {
	p, err := canRead(ctx)
	if err != nil {
		if huitong.ErrorKind(err) == huitong.Forbidden {
			if _, aerr := l.Append(ctx, Entry{Action: "audit.tracker", Object: "subject", Outcome: Denied,
				Reason: huitong.ErrorCode(err), Subjects: []string{id}}); aerr != nil {
				return nil, 0, aerr
			}
		}
		return nil, 0, err
	}
	rule := "role:auditor"
	if !p.HasRole(huitong.RoleAuditor) {
		rule = "role:admin"
	}
	if strings.TrimSpace(id) == "" {
		return nil, 0, huitong.Invalidf("validation_failed", "须提供身份证号码或统一社会信用代码", "an ID number or USCC is required")
	}
	idx, err := l.Append(ctx, Entry{Action: "audit.tracker", Object: "subject", Subjects: []string{id}, Rule: rule})
	if err != nil {
		return nil, 0, err
	}
	recs, err := l.History(ctx, l.subjects.Of(id), before, limit)
	return recs, idx, err
}

// TileHeight is the C2SP tlog-tiles tile height: 256 hashes a tile.
const TileHeight = 8

const tileWidth = 1 << TileHeight

var errNoTile = huitong.NotFoundf("tile_not_found", "日志分片不存在", "no such tile")

// ParseTilePath parses the part of a C2SP tlog-tiles path after "tile/":
// "<L>/<N>[.p/<W>]" or "entries/<N>[.p/<W>]", where N is written in
// three-digit groups with an "x" before each but the last ("x001/x234/067").
// Level -1 stands for an entry bundle.
func ParseTilePath(p string) (level int, n int64, width int, err error) {
	bad := errNoTile
	first, rest, ok := strings.Cut(p, "/")
	if !ok {
		return 0, 0, 0, bad
	}
	if first == "entries" {
		level = -1
	} else {
		l, err := strconv.Atoi(first)
		if err != nil || l < 0 || l > 63 || strconv.Itoa(l) != first {
			return 0, 0, 0, bad
		}
		level = l
	}
	width = tileWidth
	if i := strings.Index(rest, ".p/"); i >= 0 {
		w, err := strconv.Atoi(rest[i+3:])
		if err != nil || w < 1 || w >= tileWidth || strconv.Itoa(w) != rest[i+3:] {
			return 0, 0, 0, bad
		}
		width, rest = w, rest[:i]
	}
	parts := strings.Split(rest, "/")
	for i, part := range parts {
		last := i == len(parts)-1
		if !last {
			if !strings.HasPrefix(part, "x") {
				return 0, 0, 0, bad
			}
			part = part[1:]
		}
		if len(part) != 3 || part[0] < '0' || part[0] > '9' || part[1] < '0' || part[1] > '9' || part[2] < '0' || part[2] > '9' {
			return 0, 0, 0, bad
		}
		d, _ := strconv.Atoi(part)
		if n > (1<<62)/1000 {
			return 0, 0, 0, bad
		}
		n = n*1000 + int64(d)
	}
	if len(parts) > 1 && strings.TrimPrefix(parts[0], "x") == "000" {
		return 0, 0, 0, bad // not the shortest form
	}
	return level, n, width, nil
}

// TilePath formats the C2SP path of a tile (level -1: entry bundle).
func TilePath(level int, n int64, width int) string {
	var b strings.Builder
	b.WriteString("tile/")
	if level < 0 {
		b.WriteString("entries/")
	} else {
		b.WriteString(strconv.Itoa(level) + "/")
	}
	s := fmt.Sprintf("%03d", n)
	for len(s)%3 != 0 {
		s = "0" + s
	}
	for i := 0; i < len(s); i += 3 {
		if i+3 < len(s) {
			b.WriteString("x" + s[i:i+3] + "/")
		} else {
			b.WriteString(s[i : i+3])
		}
	}
	if width < tileWidth {
		b.WriteString(".p/" + strconv.Itoa(width))
	}
	return b.String()
}

// Tile returns the bytes of a C2SP tile: for level >= 0 the concatenated
// hashes, for level -1 the entry bundle (each record as a big-endian
// uint16 length and its bytes). Only tiles within the latest checkpoint
// exist. Errors: Forbidden, NotFound (tile_not_found).
func (l *Log) Tile(ctx context.Context, level int, n int64, width int) ([]byte, error) {
	if _, err := canRead(ctx); err != nil {
		return nil, err
	}
	size, err := l.currentSize(ctx)
	if err != nil {
		return nil, huitong.Fault("audit checkpoint", err)
	}
	// The tile holds hashes of level 8*level; hash k there covers leaves
	// [k<<shift, (k+1)<<shift).
	shift := uint(TileHeight * max(level, 0))
	start := n * tileWidth
	end := start + int64(width)
	if shift >= 63 || end<<shift > size || (end<<shift)>>shift != end {
		return nil, errNoTile
	}
	// A full tile must be asked for without .p; a partial one only when the
	// tree has no full one there.
	if width < tileWidth && (start+tileWidth)<<shift <= size {
		return nil, errNoTile
	}
	if level < 0 {
		recs, err := l.store.AuditRecords(ctx, start, end)
		if err != nil {
			return nil, huitong.Fault("audit records", err)
		}
		if int64(len(recs)) != end-start {
			return nil, huitong.Fault("audit records", errors.New("short read"))
		}
		var out []byte
		for _, r := range recs {
			out = append(out, byte(len(r)>>8), byte(len(r)))
			out = append(out, r...)
		}
		return out, nil
	}
	t := tlog.Tile{H: TileHeight, L: level, N: n, W: width}
	data, err := tlog.ReadTileData(t, l.storeReader(ctx))
	if err != nil {
		return nil, huitong.Fault("audit tile", err)
	}
	return data, nil
}

// Checkpoints lists stored checkpoints, newest first, for auditors and
// admins. Errors: Forbidden.
func (l *Log) Checkpoints(ctx context.Context, limit int) ([]CheckpointInfo, error) {
	if _, err := canRead(ctx); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 50
	}
	list, err := l.store.AuditCheckpoints(ctx, min(limit, 500))
	if err != nil {
		return nil, huitong.Fault("audit checkpoints", err)
	}
	if list == nil {
		list = []CheckpointInfo{}
	}
	return list, nil
}
