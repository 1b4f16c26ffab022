// Package readcache keeps values a service read from its store for a short
// time, emptied at once by the changes the service makes itself.
package readcache

import (
	"sync"
	"time"
)

// Cache maps keys to values read from a store. Every change that can make
// a cached value wrong calls Invalidate after it is stored. A value is put
// with the generation current before its store read began and counts only
// while that generation lasts, so that a read racing with a change is
// never kept past it. Other processes' changes are seen within the TTL
// passed to Get. The zero Cache is ready to use.
type Cache[K comparable, V any] struct {
	// Max bounds the entries; when full the cache is emptied and refilled.
	// Zero means 16,384.
	Max int

	mu  sync.Mutex
	gen uint64
	m   map[K]entry[V]
}

type entry[V any] struct {
	v    V
	read time.Time // when it was read from the store (monotonic)
	gen  uint64
}

// Generation returns the current generation, to take before a store read
// and pass to Put.
func (c *Cache[K, V]) Generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// Get returns the value for k if it was read less than ttl ago and nothing
// was invalidated since.
func (c *Cache[K, V]) Get(k K, ttl time.Duration) (V, bool) {
	c.mu.Lock()
	e, ok := c.m[k]
	gen := c.gen
	c.mu.Unlock()
	if !ok || e.gen != gen || time.Since(e.read) >= ttl {
		var zero V
		return zero, false
	}
	return e.v, true
}

// Put keeps v, read at read under generation gen, unless an invalidation
// happened since.
func (c *Cache[K, V]) Put(k K, v V, gen uint64, read time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	max := c.Max
	if max == 0 {
		max = 1 << 14
	}
	if c.m == nil || len(c.m) >= max {
		c.m = make(map[K]entry[V])
	}
	c.m[k] = entry[V]{v: v, read: read, gen: gen}
}

// Invalidate forgets every entry.
func (c *Cache[K, V]) Invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.m = nil
}
