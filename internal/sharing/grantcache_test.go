package sharing_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"huitong/internal/catalog"
	"huitong/internal/sharing"
)

// countingStore counts the grant reads Live makes.
type countingStore struct {
	sharing.Store
	reads atomic.Int64
}

func (s *countingStore) GetGrant(ctx context.Context, id int64) (sharing.Grant, error) {
	s.reads.Add(1)
	return s.Store.GetGrant(ctx, id)
}

func (s *countingStore) LiveGrant(ctx context.Context, consumer, resource string, appID int64, now time.Time) (sharing.Grant, error) {
	s.reads.Add(1)
	return s.Store.LiveGrant(ctx, consumer, resource, appID, now)
}

// approve makes a grant of res to the market bureau.
func (f *fixture) approve(t *testing.T, res catalog.Resource, fields []string, until time.Time) sharing.Grant {
	t.Helper()
	r, err := f.svc.Request(f.market, sharing.RequestInput{ResourceCode: res.Code, Fields: fields, Purpose: "企业开办身份核验", ExpiresAt: until})
	if err != nil {
		t.Fatal(err)
	}
	a, err := f.svc.Approve(f.police, r.ID, sharing.Approval{})
	if err != nil {
		t.Fatal(err)
	}
	g, err := f.svc.GetGrant(f.market, a.GrantID)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestLiveCacheRevoke shows that Live keeps a grant it has read, and that a
// revocation refuses the very next call, by the grant found or the one
// named.
func TestLiveCacheRevoke(t *testing.T) {
	f := newFixture(t)
	cs := &countingStore{Store: f.db}
	f.svc.Store = cs
	res := f.res[catalog.ShareConditional]
	g := f.approve(t, res, []string{"id_card", "name"}, t0.AddDate(1, 0, 0))
	for _, id := range []int64{0, g.ID} {
		before := cs.reads.Load()
		for range 3 {
			got, err := f.svc.Live(f.market, principal(f.market), res.Code, id)
			wantCode(t, err, "")
			if got.ID != g.ID || got.Status != sharing.GrantActive {
				t.Fatalf("Live(%d) = %+v", id, got)
			}
		}
		if n := cs.reads.Load() - before; n != 1 {
			t.Errorf("three Live(%d) calls read the store %d times, want once", id, n)
		}
	}
	if _, err := f.svc.Revoke(f.police, g.ID, "发现超范围使用"); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{0, g.ID} {
		got, err := f.svc.Live(f.market, principal(f.market), res.Code, id)
		wantCode(t, err, sharing.CodeGrantRevoked)
		if got.ID != g.ID || got.Status != sharing.GrantRevoked {
			t.Errorf("Live(%d) after revoke = %+v", id, got)
		}
	}
}

// TestLiveCacheExpiry shows that a cached grant's status is derived at the
// time of the call: it expires on time without being read again.
func TestLiveCacheExpiry(t *testing.T) {
	f := newFixture(t)
	res := f.res[catalog.ShareConditional]
	until := t0.Add(48 * time.Hour)
	g := f.approve(t, res, []string{"id_card", "name"}, until)
	if _, err := f.svc.Live(f.market, principal(f.market), res.Code, 0); err != nil {
		t.Fatal(err)
	}
	f.clock.Set(g.ExpiresAt)
	for _, id := range []int64{0, g.ID} {
		got, err := f.svc.Live(f.market, principal(f.market), res.Code, id)
		wantCode(t, err, sharing.CodeGrantExpired)
		if got.ID != g.ID || got.Status != sharing.GrantExpired {
			t.Errorf("Live(%d) at expiry = %+v", id, got)
		}
	}
}

// TestLiveCacheNewGrant shows that a grant made after one was cached is
// used at once, and that when the newest grant expires an older live one
// is found again.
func TestLiveCacheNewGrant(t *testing.T) {
	f := newFixture(t)
	res := f.res[catalog.ShareConditional]
	old := f.approve(t, res, []string{"id_card", "name"}, t0.AddDate(1, 0, 0))
	if got, err := f.svc.Live(f.market, principal(f.market), res.Code, 0); err != nil || got.ID != old.ID {
		t.Fatalf("Live = %d, %v", got.ID, err)
	}
	newer := f.approve(t, res, []string{"id_card", "name", "gender"}, t0.Add(72*time.Hour))
	got, err := f.svc.Live(f.market, principal(f.market), res.Code, 0)
	if err != nil || got.ID != newer.ID || !got.Has("gender") {
		t.Fatalf("Live after a new grant = %+v, %v", got, err)
	}
	f.clock.Set(newer.ExpiresAt.Add(time.Second))
	got, err = f.svc.Live(f.market, principal(f.market), res.Code, 0)
	if err != nil || got.ID != old.ID {
		t.Errorf("Live after the newer grant expired = %d (%s), %v; want the older grant %d", got.ID, got.Status, err, old.ID)
	}
}

// TestLiveCacheOtherInstance shows the bound on another instance sharing
// the database: it refuses a grant revoked elsewhere once GrantCacheTTL
// has passed since it read the grant.
func TestLiveCacheOtherInstance(t *testing.T) {
	f := newFixture(t)
	res := f.res[catalog.ShareConditional]
	g := f.approve(t, res, []string{"id_card", "name"}, t0.AddDate(1, 0, 0))
	other := &sharing.Service{Store: f.db, Resource: f.svc.Resource, OrgName: f.svc.OrgName, AppOrg: f.svc.AppOrg,
		Audit: f.svc.Audit, Now: f.svc.Now, GrantCacheTTL: 50 * time.Millisecond}
	if _, err := other.Live(f.market, principal(f.market), res.Code, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Revoke(f.police, g.ID, "发现超范围使用"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(60 * time.Millisecond)
	_, err := other.Live(f.market, principal(f.market), res.Code, 0)
	wantCode(t, err, sharing.CodeGrantRevoked)
}
