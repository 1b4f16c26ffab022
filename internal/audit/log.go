package audit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"huitong"
)

// ErrSizeMismatch is returned by a Store when the log grew under an append
// (another instance sharing the database appended first).
var ErrSizeMismatch = errors.New("audit log size changed under the append")

// Stored is one record ready to be written: its index, canonical bytes,
// the columns filters use, and its subjects.
type Stored struct {
	Index    int64
	Data     []byte
	Time     time.Time
	ActorOrg string
	Action   string
	Object   string
	Outcome  string
	Subjects [][]byte
}

// Filter selects records for listing.
type Filter struct {
	Start, End int64 // index range [Start, End); End 0 means the end
	ActorOrg   string
	Action     string // exact, or a prefix ending in "." ("catalog.")
	Object     string
	Outcome    string
	Since      time.Time
	Until      time.Time
	Limit      int
}

// Store keeps the log. Implementations return huitong.ErrNoRecord for
// missing rows.
type Store interface {
	// AuditSize returns the number of records.
	AuditSize(ctx context.Context) (int64, error)
	// AuditAppend writes records with indexes first, first+1, ... and the
	// stored hashes from tlog.StoredHashIndex(0, first) on, in one durable
	// transaction; ErrSizeMismatch if the log does not hold exactly first
	// records.
	AuditAppend(ctx context.Context, first int64, recs []Stored, hashes []tlog.Hash) error
	// AuditHashes returns the stored hashes at the given indexes.
	AuditHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error)
	// AuditRecords returns the canonical bytes of records [start, end).
	AuditRecords(ctx context.Context, start, end int64) ([][]byte, error)
	// AuditFind returns records matching f in index order.
	AuditFind(ctx context.Context, f Filter) ([]Record, error)
	// AuditBySubject returns records naming subject, newest first, with
	// index below before (0: no bound).
	AuditBySubject(ctx context.Context, subject []byte, before int64, limit int) ([]Record, error)
	// AuditPutCheckpoint stores a signed checkpoint; one per size.
	AuditPutCheckpoint(ctx context.Context, size int64, signed []byte, at time.Time) error
	// AuditLatestCheckpoint returns the checkpoint with the largest size.
	AuditLatestCheckpoint(ctx context.Context) (size int64, signed []byte, err error)
	// AuditCheckpoints lists stored checkpoints' sizes, newest first.
	AuditCheckpoints(ctx context.Context, limit int) ([]CheckpointInfo, error)
}

// CheckpointInfo describes a stored checkpoint.
type CheckpointInfo struct {
	Size int64     `json:"size"`
	At   time.Time `json:"at"`
	Note string    `json:"checkpoint"`
}

// Log is the audit log of one installation.
type Log struct {
	store    Store
	signer   note.Signer
	verifier note.Verifier
	origin   string
	subjects *Subjects
	now      func() time.Time
	logger   *slog.Logger

	queue chan *pending
	stop  chan struct{}
	done  sync.WaitGroup
	// closing guards closed: Append holds it for reading while it queues,
	// so that nothing is queued after the writer has drained and stopped.
	closing sync.RWMutex
	closed  bool

	mu    sync.Mutex // guards size and cache
	size  int64
	cache *hashCache

	ckMu       sync.Mutex
	ckSize     int64
	ckSigned   []byte
	seenSize   int64 // the latest stored checkpoint verified by latest
	seenSigned []byte
	dirty      chan struct{}
}

type pending struct {
	ctx   context.Context
	rec   Record
	subs  [][]byte
	index int64
	err   error
	done  chan struct{}
}

// Config configures a Log.
type Config struct {
	Store Store
	// Signer signs checkpoints; its name is the origin line.
	Signer   note.Signer
	Verifier note.Verifier
	Subjects *Subjects
	Now      func() time.Time
	Logger   *slog.Logger
	// CheckpointEvery is the least time between two checkpoints (default 1s).
	CheckpointEvery time.Duration
}

// Open starts a log over cfg.Store: it reads the size, signs a checkpoint
// if the latest one is behind, and starts the writer and the checkpointer.
// Close stops them.
func Open(ctx context.Context, cfg Config) (*Log, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.CheckpointEvery <= 0 {
		cfg.CheckpointEvery = time.Second
	}
	if cfg.Signer.Name() != cfg.Verifier.Name() || cfg.Signer.KeyHash() != cfg.Verifier.KeyHash() {
		return nil, errors.New("audit: signer and verifier keys do not match")
	}
	l := &Log{store: cfg.Store, signer: cfg.Signer, verifier: cfg.Verifier, origin: cfg.Signer.Name(),
		subjects: cfg.Subjects, now: cfg.Now, logger: cfg.Logger,
		queue: make(chan *pending, 4096), stop: make(chan struct{}), cache: newHashCache(),
		dirty: make(chan struct{}, 1)}
	var err error
	if l.size, err = l.store.AuditSize(ctx); err != nil {
		return nil, fmt.Errorf("audit: read size: %w", err)
	}
	if _, err := l.Checkpoint(ctx); err != nil {
		return nil, fmt.Errorf("audit: first checkpoint: %w", err)
	}
	l.done.Add(2)
	go l.writer()
	go l.checkpointer(cfg.CheckpointEvery)
	return l, nil
}

// Close stops the writer after the records already handed to it are
// written, and signs a last checkpoint.
// Closing twice is harmless.
func (l *Log) Close() error {
	l.closing.Lock()
	if l.closed {
		l.closing.Unlock()
		return nil
	}
	l.closed = true
	close(l.stop)
	l.closing.Unlock()
	l.done.Wait()
	_, err := l.Checkpoint(context.Background())
	return err
}

// Origin is the checkpoint origin line, "huitong/<node>/audit".
func (l *Log) Origin() string { return l.origin }

// VerifierKey returns the note verifier key that checks checkpoints.
func (l *Log) VerifierKey() string { return verifierKeyString(l.verifier) }

// SubjectOf returns the subject HMAC of an identifier.
func (l *Log) SubjectOf(id string) string { return l.subjects.Of(id) }

// unavailable is the error of a failed append. The change asked for is not
// made (services record before they change anything), so a retry is safe.
func unavailable(cause error) error {
	return &huitong.Error{Kind: huitong.Unavailable, Code: "audit_unavailable",
		Message:   "审计日志写入失败，操作未执行，请稍后重试",
		MessageEN: "the audit log could not record this action, so it was not carried out; try again later", Err: cause}
}

// Append records e and returns its index once it is durable. The caller and
// request come from ctx unless e names an actor. Any failure is an
// Unavailable error: the caller must not answer as if the action happened.
func (l *Log) Append(ctx context.Context, e Entry) (int64, error) {
	rec := Record{Time: l.now().UTC(), Action: e.Action, Object: e.Object, Outcome: e.Outcome,
		Reason: e.Reason, Purpose: e.Purpose, Rule: e.Rule, Detail: e.Detail}
	if rec.Outcome == "" {
		rec.Outcome = Allowed
	}
	if p := huitong.PrincipalFrom(ctx); p != nil {
		rec.Actor, rec.ActorOrg = p.Actor(), p.OrgUSCC
	} else {
		rec.Actor = "anonymous"
	}
	if e.Actor != "" {
		rec.Actor, rec.ActorOrg = e.Actor, e.ActorOrg
	}
	req := huitong.RequestFrom(ctx)
	rec.RequestID, rec.ClientIP = req.ID, req.ClientIP
	var subs [][]byte
	for _, id := range e.Subjects {
		if id == "" {
			continue
		}
		h := l.subjects.Of(id)
		if !slices.Contains(rec.Subjects, h) {
			rec.Subjects = append(rec.Subjects, h)
			subs = append(subs, subjectBytes(h))
		}
	}
	p := &pending{ctx: ctx, rec: rec, subs: subs, done: make(chan struct{})}
	l.closing.RLock()
	if l.closed {
		l.closing.RUnlock()
		return 0, unavailable(errors.New("audit log closed"))
	}
	select {
	case l.queue <- p:
		l.closing.RUnlock()
	case <-ctx.Done():
		l.closing.RUnlock()
		return 0, unavailable(ctx.Err())
	}
	// Once queued the record will be written or fail with its batch; wait
	// for that even if the caller gives up, so the outcome is known.
	<-p.done
	if p.err != nil {
		l.logger.ErrorContext(ctx, "audit append failed", slog.String("action", e.Action), slog.Any("err", p.err))
		return 0, unavailable(p.err)
	}
	return p.index, nil
}

// maxBatch bounds one group commit.
const maxBatch = 1024

// writer group-commits queued records until stop is closed.
func (l *Log) writer() {
	defer l.done.Done()
	batch := make([]*pending, 0, maxBatch)
	for {
		select {
		case p := <-l.queue:
			batch = append(batch[:0], p)
		case <-l.stop:
			// Drain what is queued, then stop.
			for {
				select {
				case p := <-l.queue:
					l.commit([]*pending{p})
				default:
					return
				}
			}
		}
	collect:
		for len(batch) < maxBatch {
			select {
			case p := <-l.queue:
				batch = append(batch, p)
			default:
				break collect
			}
		}
		l.commit(batch)
	}
}

// commit writes one batch. When another instance sharing the database
// appended first, it rereads the size and tries again.
func (l *Log) commit(batch []*pending) {
	err := l.tryCommit(batch)
	for try := 0; errors.Is(err, ErrSizeMismatch) && try < 100; try++ {
		l.mu.Lock()
		l.size, err = l.store.AuditSize(context.Background())
		l.cache = newHashCache()
		l.mu.Unlock()
		if err == nil {
			err = l.tryCommit(batch)
		}
	}
	for _, p := range batch {
		p.err = err
		close(p.done)
	}
	if err == nil {
		select {
		case l.dirty <- struct{}{}:
		default:
		}
	}
}

func (l *Log) tryCommit(batch []*pending) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	first := l.size
	recs := make([]Stored, len(batch))
	var hashes []tlog.Hash
	overlay := map[int64]tlog.Hash{}
	reader := l.reader(overlay)
	for i, p := range batch {
		p.rec.Index = first + int64(i)
		data, err := p.rec.Encode()
		if err != nil {
			return err
		}
		hs, err := tlog.StoredHashes(p.rec.Index, data, reader)
		if err != nil {
			return fmt.Errorf("hash record %d: %w", p.rec.Index, err)
		}
		base := tlog.StoredHashIndex(0, p.rec.Index)
		for j, h := range hs {
			overlay[base+int64(j)] = h
		}
		hashes = append(hashes, hs...)
		recs[i] = Stored{Index: p.rec.Index, Data: data, Time: p.rec.Time, ActorOrg: p.rec.ActorOrg,
			Action: p.rec.Action, Object: p.rec.Object, Outcome: p.rec.Outcome, Subjects: p.subs}
	}
	if err := l.store.AuditAppend(context.Background(), first, recs, hashes); err != nil {
		return err
	}
	for idx, h := range overlay {
		l.cache.put(idx, h)
	}
	l.cache.trim(tlog.StoredHashIndex(0, first+int64(len(batch))))
	l.size = first + int64(len(batch))
	for i, p := range batch {
		p.index = first + int64(i)
	}
	return nil
}

// reader reads stored hashes from overlay, the cache, then the store.
// l.mu must be held.
func (l *Log) reader(overlay map[int64]tlog.Hash) tlog.HashReaderFunc {
	return func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		var missing []int64
		for i, idx := range indexes {
			if h, ok := overlay[idx]; ok {
				out[i] = h
			} else if h, ok := l.cache.get(idx); ok {
				out[i] = h
			} else {
				missing = append(missing, idx)
			}
		}
		if len(missing) == 0 {
			return out, nil
		}
		got, err := l.store.AuditHashes(context.Background(), missing)
		if err != nil {
			return nil, err
		}
		k := 0
		for i, idx := range indexes {
			if _, ok := overlay[idx]; ok {
				continue
			}
			if _, ok := l.cache.get(idx); ok {
				continue
			}
			out[i] = got[k]
			l.cache.put(idx, got[k])
			k++
		}
		return out, nil
	}
}

// Size returns the number of records this instance knows of.
func (l *Log) Size() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.size
}

// storeReader reads stored hashes straight from the store, for proofs over
// any size (the store may hold records appended by other instances).
func (l *Log) storeReader(ctx context.Context) tlog.HashReaderFunc {
	return func(indexes []int64) ([]tlog.Hash, error) {
		return l.store.AuditHashes(ctx, indexes)
	}
}

// hashCache keeps recently written stored hashes, which the next appends
// read; older ones come from the store.
type hashCache struct {
	m map[int64]tlog.Hash
}

const cacheSpan = 1 << 16

func newHashCache() *hashCache { return &hashCache{m: map[int64]tlog.Hash{}} }

func (c *hashCache) get(i int64) (tlog.Hash, bool) { h, ok := c.m[i]; return h, ok }
func (c *hashCache) put(i int64, h tlog.Hash)      { c.m[i] = h }

// trim drops hashes far below top, unless they are few.
func (c *hashCache) trim(top int64) {
	if len(c.m) < 2*cacheSpan {
		return
	}
	for i := range c.m {
		if i < top-cacheSpan {
			delete(c.m, i)
		}
	}
}
