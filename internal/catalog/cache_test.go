package catalog

import (
	"context"
	"sync"
	"testing"
	"time"

	"huitong"
	"huitong/internal/audit"
)

// oneResource is a Store holding one resource, whose reads are counted and
// which can be changed behind the Service's back, as another instance
// sharing the database would.
type oneResource struct {
	Store // the methods the cache does not use
	mu    sync.Mutex
	r     Resource
	reads int
}

func (s *oneResource) GetResource(_ context.Context, code string) (Resource, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads++
	if code != s.r.Code {
		return Resource{}, huitong.ErrNoRecord
	}
	return s.r.clone(), nil
}

func (s *oneResource) set(version int, share ShareType) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.r.Version, s.r.ShareType = version, share
}

func (s *oneResource) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reads
}

type nopRecorder struct{}

func (nopRecorder) Append(context.Context, audit.Entry) (int64, error) { return 0, nil }

func TestResourceCache(t *testing.T) {
	ctx := t.Context()
	st := &oneResource{r: Resource{Code: "JC-1-0001", Version: 1, ShareType: ShareConditional,
		Fields: []Field{{Name: "id_card", Level: 3}}}}
	s := NewService(st, nopRecorder{}, nil)
	s.CacheTTL = 200 * time.Millisecond
	get := func() Resource {
		t.Helper()
		r, err := s.get(ctx, "JC-1-0001")
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	get()
	r := get()
	if n := st.count(); n != 1 {
		t.Errorf("two gets read the store %d times, want 1", n)
	}
	// A caller changing what it got does not change the cache.
	r.Fields[0].Level = 1
	if get().Fields[0].Level != 3 {
		t.Error("the cached resource shares its fields with a caller")
	}

	// Another instance's edit shows once the TTL has passed, not later.
	st.set(2, ShareNone)
	start := time.Now()
	for get().Version != 2 {
		if time.Since(start) > 2*s.CacheTTL {
			t.Fatalf("an edit behind the cache was not seen after %v", time.Since(start))
		}
		time.Sleep(10 * time.Millisecond)
	}

	// An edit through the Service shows at once.
	get()
	err := s.change(ctx, "catalog.update", Resource{Code: "JC-1-0001"}, func() error {
		st.set(3, ShareUnconditional)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if r := get(); r.Version != 3 || r.ShareType != ShareUnconditional {
		t.Errorf("after an edit through the service: version %d, %s", r.Version, r.ShareType)
	}

	// Unknown codes are not kept as absent.
	if _, err := s.get(ctx, "JC-1-0002"); err == nil {
		t.Error("unknown resource found")
	}

	// A negative TTL reads the store every time.
	s.CacheTTL = -1
	before := st.count()
	get()
	get()
	if n := st.count() - before; n != 2 {
		t.Errorf("without the cache two gets read the store %d times", n)
	}
}
