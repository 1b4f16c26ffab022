package sharing

import (
	"context"
	"time"
)

// DefaultGrantCacheTTL is how long Live trusts a grant it has read from
// the store. Within one process a revocation or a new grant empties the
// cache at once; another instance sharing the database sees them within
// this time.
const DefaultGrantCacheTTL = time.Second

// grantKey is what Live looks a grant up by.
type grantKey struct {
	consumer, resource string
	appID, grantID     int64
}

// grantEntry is what the grant cache keeps: the grant as stored (active or
// revoked), so that the status a call sees is derived from the cached row
// at the time of the call. Every change to grants made through the Service
// invalidates the cache after it is stored.
type grantEntry struct {
	g    Grant
	live bool // live when read
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
	if e, ok := s.grants.Get(k, ttl); ok && (!e.live || e.g.StatusAt(now) == GrantActive) {
		return e.g, nil
	}
	gen := s.grants.Generation()
	var g Grant
	var err error
	if k.grantID > 0 {
		g, err = s.Store.GetGrant(ctx, k.grantID)
	} else {
		g, err = s.Store.LiveGrant(ctx, k.consumer, k.resource, k.appID, now)
	}
	if err == nil && ttl > 0 {
		s.grants.Put(k, grantEntry{g: g, live: g.StatusAt(now) == GrantActive}, gen, time.Now())
	}
	return g, err
}

// storeChange runs a store call that changes grants, then forgets cached
// grants, whatever its outcome.
func (s *Service) storeChange(do func() error) error {
	defer s.grants.Invalidate()
	return do()
}
