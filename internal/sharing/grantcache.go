package sharing

import (
	"context"
	"sync"
	"time"
)

// DefaultGrantCacheTTL is how long Live trusts a grant it has read from
// the store. Within one process a revocation or a new grant empties the
// cache at once; another instance sharing the database sees them within
// this time.
const DefaultGrantCacheTTL = time.Second

// maxGrantCache bounds the cache; when full it is emptied and refilled.
const maxGrantCache = 1 << 14

// grantKey is what Live looks a grant up by.
type grantKey struct {
	consumer, resource string
	appID, grantID     int64
}

// grantCache keeps the grants Live read recently, as stored: the status a
// call sees is derived from the cached row at the time of the call.
//
// Every change to grants made through the Service calls invalidate after
// it is stored. An entry remembers the generation current before its store
// read began and counts only while that generation lasts, so that a read
// racing with a revocation is never kept past it.
type grantCache struct {
	mu  sync.Mutex
	gen uint64
	m   map[grantKey]grantEntry
}

type grantEntry struct {
	g    Grant // as stored: active or revoked
	live bool  // live when read
	read time.Time
	gen  uint64
}

func (c *grantCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

func (c *grantCache) get(k grantKey, ttl time.Duration) (grantEntry, bool) {
	c.mu.Lock()
	e, ok := c.m[k]
	gen := c.gen
	c.mu.Unlock()
	if !ok || e.gen != gen || time.Since(e.read) >= ttl {
		return grantEntry{}, false
	}
	return e, true
}

func (c *grantCache) put(k grantKey, e grantEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e.gen != c.gen {
		return
	}
	if c.m == nil || len(c.m) >= maxGrantCache {
		c.m = make(map[grantKey]grantEntry)
	}
	c.m[k] = e
}

func (c *grantCache) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.m = nil
}

func (s *Service) grantTTL() time.Duration {
	if s.GrantCacheTTL == 0 {
		return DefaultGrantCacheTTL
	}
	return max(s.GrantCacheTTL, 0)
}

// lookupGrant returns the grant Live works on, from the cache when it may.
// A cached grant that was live when read but is no longer live now is read
// again: when no grant is named, an older grant may still be live. The
// grant's slices (fields, unmasked fields) are shared with the cache: the
// gateway reads them and must never change them.
func (s *Service) lookupGrant(ctx context.Context, k grantKey, now time.Time) (Grant, error) {
	ttl := s.grantTTL()
	if e, ok := s.grants.get(k, ttl); ok && (!e.live || e.g.StatusAt(now) == GrantActive) {
		return e.g, nil
	}
	gen := s.grants.generation()
	var g Grant
	var err error
	if k.grantID > 0 {
		g, err = s.Store.GetGrant(ctx, k.grantID)
	} else {
		g, err = s.Store.LiveGrant(ctx, k.consumer, k.resource, k.appID, now)
	}
	if err == nil && ttl > 0 {
		s.grants.put(k, grantEntry{g: g, live: g.StatusAt(now) == GrantActive, read: time.Now(), gen: gen})
	}
	return g, err
}

// storeChange runs a store call that changes grants, then forgets cached
// grants, whatever its outcome.
func (s *Service) storeChange(do func() error) error {
	defer s.grants.invalidate()
	return do()
}
