package org

import (
	"sync"
	"time"

	"huitong"
)

// DefaultAuthCacheTTL is how long Authenticate trusts a token it has read
// from the store. Within one process a revocation (logout, app revoked)
// empties the cache at once; another instance sharing the database sees
// it within this time.
const DefaultAuthCacheTTL = time.Second

// maxAuthCache bounds the cache; when full it is emptied and refilled.
const maxAuthCache = 1 << 14

// authCache keeps the tokens Authenticate read recently, by hash, so that
// a busy caller's every request does not join tokens, users and apps.
//
// Every change that can end a token's validity calls invalidate after it
// is stored. An entry remembers the generation current before its store
// read began and counts only while that generation lasts: a read racing
// with a revocation is never kept past it.
type authCache struct {
	mu  sync.Mutex
	gen uint64
	m   map[[32]byte]authEntry
}

type authEntry struct {
	tok  Token
	p    huitong.Principal
	read time.Time // when it was read from the store (monotonic)
	gen  uint64
}

// generation returns the current generation, to pass to put.
func (c *authCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// get returns the entry for hash if it is younger than ttl and no
// invalidation happened since it was read.
func (c *authCache) get(hash [32]byte, ttl time.Duration) (authEntry, bool) {
	c.mu.Lock()
	e, ok := c.m[hash]
	gen := c.gen
	c.mu.Unlock()
	if !ok || e.gen != gen || time.Since(e.read) >= ttl {
		return authEntry{}, false
	}
	return e, true
}

// put keeps an entry read under generation gen, unless an invalidation
// happened since.
func (c *authCache) put(hash [32]byte, e authEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e.gen != c.gen {
		return
	}
	if c.m == nil || len(c.m) >= maxAuthCache {
		c.m = make(map[[32]byte]authEntry)
	}
	c.m[hash] = e
}

// invalidate forgets every entry.
func (c *authCache) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.m = nil
}
