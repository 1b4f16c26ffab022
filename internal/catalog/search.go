package catalog

import (
	"container/heap"
	"container/list"
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"huitong"
)

// Query is a catalog search: free text (Chinese or not) plus filters.
type Query struct {
	Text      string
	Provider  string
	ShareType ShareType
	OpenType  OpenType
	Category  Category
	Level     int // 0: any
	PageSize  int
	PageToken string
}

// Item is one search hit: the catalog entry without its fields.
type Item struct {
	Code         string    `json:"code"`
	Version      int       `json:"version"`
	Name         string    `json:"name"`
	Summary      string    `json:"summary"`
	Category     Category  `json:"category"`
	ProviderUSCC string    `json:"provider_uscc"`
	ProviderName string    `json:"provider_name"`
	Format       string    `json:"format"`
	UpdateCycle  string    `json:"update_cycle"`
	ShareType    ShareType `json:"share_type"`
	OpenType     OpenType  `json:"open_type"`
	Level        int       `json:"level"`
	FieldCount   int       `json:"field_count"`
	PublishDate  string    `json:"publish_date"`
	UpdatedAt    time.Time `json:"updated_at"`
	Score        int       `json:"score,omitempty"`
}

// Results is one page of search hits.
type Results struct {
	Items         []Item `json:"items"`
	Total         int    `json:"total"`
	NextPageToken string `json:"next_page_token"`
}

// Search finds resources. Text is split on spaces; every term must occur (as
// a substring, case-insensitive) in the name, field titles or names, provider
// name, summary or code. Hits rank by where terms occur: name before field
// titles before provider before summary. With no text, resources are listed
// by code. Any authenticated caller may search.
// Errors: Unauthenticated, Invalid (invalid_page_token, validation_failed).
func (s *Service) Search(ctx context.Context, q Query) (Results, error) {
	if _, err := huitong.Require(ctx); err != nil {
		return Results{}, err
	}
	if err := q.validate(); err != nil {
		return Results{}, err
	}
	q.Provider = strings.ToUpper(strings.TrimSpace(q.Provider))
	if err := s.Refresh(ctx); err != nil {
		return Results{}, huitong.Fault("catalog refresh index", err)
	}
	return s.index.Search(q)
}

func (q *Query) validate() error {
	var v huitong.Validation
	if utf8.RuneCountInString(q.Text) > 200 {
		v.Add("q", "too_long", "检索词过长（不超过 200 字）", "query too long (at most 200 chars)")
	}
	if q.ShareType != "" && q.ShareType != ShareUnconditional && q.ShareType != ShareConditional && q.ShareType != ShareNone {
		v.Add("share_type", "invalid_enum", "共享类型须为 unconditional、conditional 或 none", "share_type must be unconditional, conditional or none")
	}
	if q.OpenType != "" && q.OpenType != OpenOpen && q.OpenType != OpenConditional && q.OpenType != OpenNone {
		v.Add("open_type", "invalid_enum", "开放类型须为 open、conditional 或 none", "open_type must be open, conditional or none")
	}
	if q.Category != "" && CategoryPrefix(q.Category) == "" {
		v.Add("category", "invalid_enum", "资源分类须为 base、theme 或 department", "category must be base, theme or department")
	}
	if q.Level < 0 || q.Level > 4 {
		v.Add("level", "invalid_level", "数据分级须为 1 至 4", "level must be 1 to 4")
	}
	if q.PageSize < 0 || q.PageSize > 200 {
		v.Add("page_size", "out_of_range", "每页条数须为 1 至 200", "page_size must be 1 to 200")
	}
	return v.Err()
}

// Refresh brings the search index up to date with the store. Other
// instances sharing a PostgreSQL database may have changed the catalog; the
// counter read here is one indexed row.
func (s *Service) Refresh(ctx context.Context) error {
	rev, err := s.Store.CatalogRev(ctx)
	if err != nil {
		return err
	}
	if rev <= s.index.Rev() {
		return nil
	}
	s.index.loadMu.Lock()
	defer s.index.loadMu.Unlock()
	for {
		from := s.index.Rev()
		if from >= rev {
			return nil
		}
		batch, err := s.Store.ResourcesChangedSince(ctx, from, 2000)
		if err != nil {
			return err
		}
		if len(batch) == 0 {
			s.index.setRev(rev)
			return nil
		}
		s.index.PutBatch(batch)
	}
}

// doc is a resource as the index keeps it: lower-cased texts to match, and
// the item to show.
type doc struct {
	item     Item
	rev      int64
	name     string
	fields   string
	provider string
	summary  string
	code     string
}

// grams calls fn once for each distinct bigram of the doc's texts. They are
// recomputed when needed rather than kept: a list per doc would double the
// index's memory.
func (d *doc) grams(fn func(string)) {
	seen := make(map[string]struct{}, 128)
	for _, s := range []string{d.name, d.fields, d.provider, d.summary, d.code} {
		eachGram(s, func(g string) {
			if _, ok := seen[g]; !ok {
				seen[g] = struct{}{}
				fn(g)
			}
		})
	}
}

// Index is an in-memory inverted index of character bigrams over the current
// version of every resource. It answers substring queries in any script
// without a word segmenter, identically whichever store is behind it.
type Index struct {
	mu       sync.RWMutex
	loadMu   sync.Mutex
	docs     []*doc
	byCode   map[string]int32
	byCodeSL []int32 // slots sorted by code
	postings map[string][]int32
	rev      int64
	// gen counts changes to the index; cached rankings of an older
	// generation are stale.
	gen   uint64
	cache *rankCache
}

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{byCode: map[string]int32{}, postings: map[string][]int32{}, cache: newRankCache()}
}

// Rev returns the highest rev the index has seen.
func (ix *Index) Rev() int64 {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.rev
}

func (ix *Index) setRev(rev int64) {
	ix.mu.Lock()
	ix.rev = max(ix.rev, rev)
	ix.mu.Unlock()
}

// Len returns the number of indexed resources.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.docs)
}

// Put adds or replaces one resource written by this process, so that its
// writer reads it back at once. It does not advance the index's rev: changes
// below it made elsewhere are still to be loaded by Refresh.
func (ix *Index) Put(r Resource) { ix.putBatch([]Resource{r}, false) }

// PutBatch adds or replaces resources read from the store in rev order and
// advances the index's rev; a resource older than the one indexed is ignored.
func (ix *Index) PutBatch(rs []Resource) { ix.putBatch(rs, true) }

func (ix *Index) putBatch(rs []Resource, advance bool) {
	docs := make([]*doc, len(rs))
	for i := range rs {
		docs[i] = newDoc(&rs[i])
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for _, d := range docs {
		ix.put(d)
		if advance {
			ix.rev = max(ix.rev, d.rev)
		}
	}
}

func (ix *Index) put(d *doc) {
	ix.gen++
	slot, ok := ix.byCode[d.item.Code]
	if ok {
		old := ix.docs[slot]
		if old.rev > d.rev || (old.rev == d.rev && old.item.Version >= d.item.Version) {
			return
		}
		old.grams(func(g string) {
			p := ix.postings[g]
			if i := slices.Index(p, slot); i >= 0 {
				p[i] = p[len(p)-1]
				p = p[:len(p)-1]
			}
			if len(p) == 0 {
				delete(ix.postings, g)
			} else {
				ix.postings[g] = p
			}
		})
		ix.docs[slot] = d
	} else {
		slot = int32(len(ix.docs))
		ix.docs = append(ix.docs, d)
		ix.byCode[d.item.Code] = slot
		i, _ := slices.BinarySearchFunc(ix.byCodeSL, d.item.Code, func(s int32, code string) int {
			return strings.Compare(ix.docs[s].item.Code, code)
		})
		ix.byCodeSL = slices.Insert(ix.byCodeSL, i, slot)
	}
	d.grams(func(g string) {
		ix.postings[g] = append(ix.postings[g], slot)
	})
}

func newDoc(r *Resource) *doc {
	var ft strings.Builder
	for _, f := range r.Fields {
		ft.WriteString(f.Title)
		ft.WriteByte(0)
		ft.WriteString(f.Name)
		ft.WriteByte(0)
	}
	d := &doc{
		item: Item{Code: r.Code, Version: r.Version, Name: r.Name, Summary: r.Summary, Category: r.Category,
			ProviderUSCC: r.ProviderUSCC, ProviderName: r.ProviderName, Format: r.Format, UpdateCycle: r.UpdateCycle,
			ShareType: r.ShareType, OpenType: r.OpenType, Level: r.Level, FieldCount: len(r.Fields),
			PublishDate: r.PublishDate, UpdatedAt: r.UpdatedAt},
		rev:      r.Rev,
		name:     fold(r.Name),
		fields:   fold(ft.String()),
		provider: fold(r.ProviderName),
		summary:  fold(r.Summary),
		code:     fold(r.Code),
	}
	return d
}

// fold lower-cases and maps full-width ASCII to half-width, so that "ＡＰＩ"
// finds "api".
func fold(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 0xFF01 && r <= 0xFF5E {
			r -= 0xFEE0
		}
		if r == 0x3000 {
			return ' '
		}
		return unicode.ToLower(r)
	}, s)
}

// eachGram calls fn with every two-rune window of s that does not span a
// separator (NUL or space).
func eachGram(s string, fn func(string)) {
	prev, prevAt := rune(-1), 0
	for i, r := range s {
		if r == 0 || unicode.IsSpace(r) {
			prev = -1
			continue
		}
		if prev >= 0 {
			fn(s[prevAt : i+utf8.RuneLen(r)])
		}
		prev, prevAt = r, i
	}
}

// terms splits a query into folded, de-duplicated terms.
func terms(text string) []string {
	var out []string
	for _, t := range strings.Fields(fold(text)) {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// Match weights: where a term occurs decides how much it counts.
const (
	wNameExact = 40
	wNamePre   = 20
	wName      = 16
	wCode      = 12
	wFields    = 6
	wProvider  = 3
	wSummary   = 1
)

// score returns the score of d for all term groups, or 0 when a group has
// no match. A group is a term and its synonyms; its best match counts.
func (d *doc) score(groups [][]string) int {
	total := 0
	for _, g := range groups {
		best := 0
		for _, t := range g {
			best = max(best, d.termScore(t))
		}
		if best == 0 {
			return 0
		}
		total += best
	}
	return total
}

func (d *doc) termScore(t string) int {
	{
		s := 0
		switch {
		case d.name == t:
			s = wNameExact
		case strings.HasPrefix(d.name, t):
			s = wNamePre
		case strings.Contains(d.name, t):
			s = wName
		}
		if strings.Contains(d.code, t) {
			s += wCode
		}
		if strings.Contains(d.fields, t) {
			s += wFields
		}
		if strings.Contains(d.provider, t) {
			s += wProvider
		}
		if strings.Contains(d.summary, t) {
			s += wSummary
		}
		return s
	}
}

func (q *Query) keep(d *doc) bool {
	it := &d.item
	return (q.Provider == "" || it.ProviderUSCC == q.Provider) &&
		(q.ShareType == "" || it.ShareType == q.ShareType) &&
		(q.OpenType == "" || it.OpenType == q.OpenType) &&
		(q.Category == "" || it.Category == q.Category) &&
		(q.Level == 0 || it.Level == q.Level)
}

// Search runs q against the index.
func (ix *Index) Search(q Query) (Results, error) {
	offset, err := decodeOffset(q.PageToken)
	if err != nil {
		return Results{}, err
	}
	size := q.PageSize
	if size == 0 {
		size = 20
	}
	var groups [][]string
	for _, t := range terms(q.Text) {
		groups = append(groups, alternatives(t))
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	want := offset + size
	key := q.cacheKey(groups)
	ranked, ok := ix.cache.get(key, ix.gen, want)
	switch {
	case ok:
	case want <= cachedHits:
		// Rank a few pages at once: the next pages of a query come from
		// the cache until the catalog changes.
		ranked = ix.rank(q, groups, cachedHits)
		ix.cache.put(key, ranked)
	default:
		// A deep page is ranked for this call only: caching it would let
		// any caller pin up to a million hits per query in memory.
		ranked = ix.rank(q, groups, want)
	}
	res := Results{Items: []Item{}, Total: ranked.total}
	for i := offset; i < len(ranked.hits) && i < want; i++ {
		it := ix.docs[ranked.hits[i].slot].item
		it.Score = ranked.hits[i].score
		res.Items = append(res.Items, it)
	}
	if offset+len(res.Items) < res.Total {
		res.NextPageToken = encodeOffset(offset + len(res.Items))
	}
	return res, nil
}

// ranked is the best hits of one query over one generation of the index,
// and how many hits there are in all.
type ranked struct {
	gen   uint64
	total int
	hits  []hit // best first; all of them when len(hits) == total
}

// cachedHits is how many hits a query ranks, and the cache keeps, at least:
// ten pages of twenty.
const cachedHits = 200

// rank scores every matching resource and keeps the best want of them.
// ix.mu must be held.
func (ix *Index) rank(q Query, groups [][]string, want int) ranked {
	r := ranked{gen: ix.gen}
	if len(groups) == 0 {
		for _, slot := range ix.byCodeSL {
			if !q.keep(ix.docs[slot]) {
				continue
			}
			if len(r.hits) < want {
				r.hits = append(r.hits, hit{slot: slot})
			}
			r.total++
		}
		return r
	}
	top := &hitHeap{docs: ix.docs}
	for _, slot := range ix.candidates(groups) {
		d := ix.docs[slot]
		if !q.keep(d) {
			continue
		}
		sc := d.score(groups)
		if sc == 0 {
			continue
		}
		r.total++
		h := hit{slot: slot, score: sc}
		if top.Len() < want {
			heap.Push(top, h)
		} else if top.less(top.hits[0], h) {
			top.hits[0] = h
			heap.Fix(top, 0)
		}
	}
	r.hits = make([]hit, top.Len())
	for i := len(r.hits) - 1; i >= 0; i-- {
		r.hits[i] = heap.Pop(top).(hit)
	}
	return r
}

// cacheKey identifies a query's ranking: its terms (with synonyms) and
// filters, not its page.
func (q *Query) cacheKey(groups [][]string) string {
	var b strings.Builder
	for _, g := range groups {
		b.WriteString(strings.Join(g, "\x01"))
		b.WriteByte(0)
	}
	fmt.Fprintf(&b, "|%s|%s|%s|%s|%d", q.Provider, q.ShareType, q.OpenType, q.Category, q.Level)
	return b.String()
}

// rankCache keeps the rankings of recent queries, least recently used out.
// Any change to the index (a new generation) makes every entry stale.
type rankCache struct {
	mu    sync.Mutex
	order *list.List // of *cacheEntry, most recent first
	byKey map[string]*list.Element
}

type cacheEntry struct {
	key string
	r   ranked
}

const cacheEntries = 256

func newRankCache() *rankCache {
	return &rankCache{order: list.New(), byKey: map[string]*list.Element{}}
}

// get returns a ranking of generation gen that covers the first want hits.
func (c *rankCache) get(key string, gen uint64, want int) (ranked, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byKey[key]
	if !ok {
		return ranked{}, false
	}
	r := el.Value.(*cacheEntry).r
	if r.gen != gen || (len(r.hits) < want && len(r.hits) < r.total) {
		return ranked{}, false
	}
	c.order.MoveToFront(el)
	return r, true
}

func (c *rankCache) put(key string, r ranked) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byKey[key]; ok {
		el.Value.(*cacheEntry).r = r
		c.order.MoveToFront(el)
		return
	}
	c.byKey[key] = c.order.PushFront(&cacheEntry{key: key, r: r})
	for c.order.Len() > cacheEntries {
		last := c.order.Back()
		delete(c.byKey, last.Value.(*cacheEntry).key)
		c.order.Remove(last)
	}
}

// candidates returns the slots that may match every group: for the group
// whose candidates are fewest, the union over its terms of the postings of
// each term's rarest bigram. A one-rune term has no bigram; a group holding
// one cannot narrow the search.
func (ix *Index) candidates(groups [][]string) []int32 {
	var best []int32
	found := false
	for _, g := range groups {
		var union [][]int32
		n := 0
		narrow := true
		for _, t := range g {
			p, ok := ix.rarest(t)
			if !ok {
				narrow = false
				break
			}
			if p != nil {
				union = append(union, p)
				n += len(p)
			}
		}
		if !narrow {
			continue
		}
		if found && n >= len(best) {
			continue
		}
		found = true
		if len(union) == 1 {
			best = union[0]
			continue
		}
		seen := make(map[int32]struct{}, n)
		best = make([]int32, 0, n)
		for _, p := range union {
			for _, slot := range p {
				if _, dup := seen[slot]; !dup {
					seen[slot] = struct{}{}
					best = append(best, slot)
				}
			}
		}
	}
	if found {
		return best
	}
	all := make([]int32, len(ix.docs))
	for i := range all {
		all[i] = int32(i)
	}
	return all
}

// rarest returns the shortest posting list among t's bigrams: nil when one
// of them occurs nowhere (t cannot match), and ok false when t is one rune.
func (ix *Index) rarest(t string) (p []int32, ok bool) {
	if utf8.RuneCountInString(t) < 2 {
		return nil, false
	}
	first := true
	eachGram(t, func(g string) {
		q := ix.postings[g]
		if first || len(q) < len(p) {
			p, first = q, false
		}
	})
	if first {
		// Every rune stands alone between separators: no bigram to narrow by.
		return nil, false
	}
	if len(p) == 0 {
		return nil, true
	}
	return p, true
}

type hit struct {
	slot  int32
	score int
}

// hitHeap is a min-heap of the best hits so far: its root is the worst kept.
type hitHeap struct {
	hits []hit
	docs []*doc
}

// less orders worse hits first: lower score, then later code.
func (h *hitHeap) less(a, b hit) bool {
	if a.score != b.score {
		return a.score < b.score
	}
	return h.docs[a.slot].item.Code > h.docs[b.slot].item.Code
}
func (h *hitHeap) Len() int           { return len(h.hits) }
func (h *hitHeap) Less(i, j int) bool { return h.less(h.hits[i], h.hits[j]) }
func (h *hitHeap) Swap(i, j int)      { h.hits[i], h.hits[j] = h.hits[j], h.hits[i] }
func (h *hitHeap) Push(x any)         { h.hits = append(h.hits, x.(hit)) }
func (h *hitHeap) Pop() any {
	x := h.hits[len(h.hits)-1]
	h.hits = h.hits[:len(h.hits)-1]
	return x
}

func encodeOffset(n int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("o:" + strconv.Itoa(n)))
}

func decodeOffset(tok string) (int, error) {
	if tok == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err == nil && len(b) > 2 && string(b[:2]) == "o:" {
		if n, err := strconv.Atoi(string(b[2:])); err == nil && n >= 0 && n <= 1_000_000 {
			return n, nil
		}
	}
	return 0, huitong.Invalidf("invalid_page_token", "分页令牌无效", "invalid page token")
}
