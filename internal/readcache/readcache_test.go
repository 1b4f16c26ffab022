package readcache

import (
	"testing"
	"time"
)

func TestCache(t *testing.T) {
	var c Cache[string, int]
	if _, ok := c.Get("a", time.Hour); ok {
		t.Fatal("empty cache answered")
	}
	gen := c.Generation()
	c.Put("a", 1, gen, time.Now())
	if v, ok := c.Get("a", time.Hour); !ok || v != 1 {
		t.Fatalf("Get = %d %v", v, ok)
	}
	if _, ok := c.Get("a", 0); ok {
		t.Error("an entry older than the TTL answered")
	}
	// A read that began before an invalidation is not kept.
	stale := c.Generation()
	c.Invalidate()
	if _, ok := c.Get("a", time.Hour); ok {
		t.Error("an entry survived Invalidate")
	}
	c.Put("b", 2, stale, time.Now())
	if _, ok := c.Get("b", time.Hour); ok {
		t.Error("a read racing with an invalidation was kept")
	}
	// Full: emptied and refilled.
	c.Max = 2
	gen = c.Generation()
	c.Put("x", 1, gen, time.Now())
	c.Put("y", 2, gen, time.Now())
	c.Put("z", 3, gen, time.Now())
	if _, ok := c.Get("x", time.Hour); ok {
		t.Error("a full cache was not emptied")
	}
	if v, ok := c.Get("z", time.Hour); !ok || v != 3 {
		t.Error("the entry after emptying is missing")
	}
}
