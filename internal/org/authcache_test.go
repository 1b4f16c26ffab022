package org_test

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"huitong"
	"huitong/internal/audit"
	"huitong/internal/org"
	"huitong/internal/store"
)

const operatorUSCC = "113305000024862468"

// recorder accepts every audit entry.
type recorder struct{ n atomic.Int64 }

func (r *recorder) Append(context.Context, audit.Entry) (int64, error) { return r.n.Add(1) - 1, nil }
func (r *recorder) SubjectOf(id string) string                         { return "s:" + id }

// countingStore counts token lookups.
type countingStore struct {
	org.Store
	lookups atomic.Int64
}

func (s *countingStore) LookupToken(ctx context.Context, hash []byte) (org.Token, huitong.Principal, error) {
	s.lookups.Add(1)
	return s.Store.LookupToken(ctx, hash)
}

type authEnv struct {
	db    *store.DB
	cs    *countingStore
	svc   *org.Service
	admin string // the admin's session token
}

func newAuthEnv(t *testing.T) *authEnv {
	t.Helper()
	db, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "org.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := &authEnv{db: db, cs: &countingStore{Store: db}}
	e.svc = e.service(0)
	if _, _, err := e.svc.Bootstrap(t.Context(), org.OrgInput{USCC: operatorUSCC, Name: "湖州市大数据发展管理局",
		RegionCode: "330500", Kind: org.KindAgency}, "Admin@2026-pass"); err != nil {
		t.Fatal(err)
	}
	res, err := e.svc.Login(t.Context(), "admin", "Admin@2026-pass")
	if err != nil {
		t.Fatal(err)
	}
	e.admin = res.Token
	return e
}

// service returns a Service over the env's store, as another instance
// sharing the database would have.
func (e *authEnv) service(ttl time.Duration) *org.Service {
	s := org.NewService(e.cs, &recorder{})
	s.Argon2 = org.Argon2Params{Time: 1, Memory: 64, Threads: 1}
	s.AuthCacheTTL = ttl
	return s
}

func (e *authEnv) authenticate(t *testing.T, s *org.Service, tok string) (*huitong.Principal, error) {
	t.Helper()
	return s.Authenticate(t.Context(), tok)
}

// TestAuthCacheLogout shows that Authenticate keeps a token it has read,
// that the principal it returns is the caller's own copy, and that a
// logout refuses the very next call.
func TestAuthCacheLogout(t *testing.T) {
	e := newAuthEnv(t)
	before := e.cs.lookups.Load()
	var p *huitong.Principal
	for range 3 {
		var err error
		if p, err = e.authenticate(t, e.svc, e.admin); err != nil || p.Name != "admin" || !p.IsAdmin() {
			t.Fatalf("Authenticate = %+v, %v", p, err)
		}
		p.ClientIP, p.Name = "192.0.2.1", "changed"
	}
	if n := e.cs.lookups.Load() - before; n != 1 {
		t.Errorf("three calls looked the token up %d times, want once", n)
	}
	p, _ = e.authenticate(t, e.svc, e.admin)
	if p.Name != "admin" || p.ClientIP != "" {
		t.Errorf("a caller's change to its principal leaked into the cache: %+v", p)
	}
	if err := e.svc.Logout(huitong.WithPrincipal(t.Context(), p)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.authenticate(t, e.svc, e.admin); huitong.ErrorCode(err) != "invalid_token" {
		t.Errorf("Authenticate after logout: %v, want invalid_token", err)
	}
}

// TestAuthCacheRevokeApp shows that revoking an app refuses its token at
// once.
func TestAuthCacheRevokeApp(t *testing.T) {
	e := newAuthEnv(t)
	p, err := e.authenticate(t, e.svc, e.admin)
	if err != nil {
		t.Fatal(err)
	}
	ctx := huitong.WithPrincipal(t.Context(), p)
	a, err := e.svc.CreateApp(ctx, operatorUSCC, org.AppInput{Name: "低保审核系统"})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if ap, err := e.authenticate(t, e.svc, a.Token); err != nil || ap.Kind != huitong.PrincipalApp || ap.ID != a.ID {
			t.Fatalf("Authenticate app = %+v, %v", ap, err)
		}
	}
	if _, err := e.svc.RevokeApp(ctx, operatorUSCC, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.authenticate(t, e.svc, a.Token); huitong.ErrorCode(err) != "invalid_token" {
		t.Errorf("Authenticate after the app's revocation: %v, want invalid_token", err)
	}
	if _, err := e.authenticate(t, e.svc, e.admin); err != nil {
		t.Errorf("the admin's token stopped working: %v", err)
	}
}

// TestAuthCacheOtherInstance shows the bound on another instance sharing
// the database: it refuses a token revoked elsewhere once AuthCacheTTL has
// passed since it read the token.
func TestAuthCacheOtherInstance(t *testing.T) {
	e := newAuthEnv(t)
	other := e.service(50 * time.Millisecond)
	p, err := e.authenticate(t, other, e.admin)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Logout(huitong.WithPrincipal(t.Context(), p)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(60 * time.Millisecond)
	if _, err := e.authenticate(t, other, e.admin); huitong.ErrorCode(err) != "invalid_token" {
		t.Errorf("the other instance still accepts a revoked token: %v", err)
	}
}

// TestAuthCacheExpiry shows that a cached session still ends at its
// expiry.
func TestAuthCacheExpiry(t *testing.T) {
	e := newAuthEnv(t)
	now := time.Now()
	e.svc.Now = func() time.Time { return now }
	if _, err := e.authenticate(t, e.svc, e.admin); err != nil {
		t.Fatal(err)
	}
	now = now.Add(e.svc.SessionTTL + time.Minute)
	if _, err := e.authenticate(t, e.svc, e.admin); huitong.ErrorCode(err) != "invalid_token" {
		t.Errorf("Authenticate after expiry: %v, want invalid_token", err)
	}
}
