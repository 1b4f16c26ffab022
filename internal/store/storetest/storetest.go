// Package storetest is the store conformance suite: every dialect of
// huitong's store must pass it, so that the platform behaves the same on
// SQLite and PostgreSQL.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"huitong"
	"huitong/internal/catalog"
	"huitong/internal/org"
	"huitong/internal/store"
)

// Run runs the suite. open must return a fresh, empty, migrated database
// for each call and close it when the test ends.
func Run(t *testing.T, open func(t *testing.T) *store.DB) {
	t.Run("Orgs", func(t *testing.T) { testOrgs(t, open(t)) })
	t.Run("Users", func(t *testing.T) { testUsers(t, open(t)) })
	t.Run("LoginLock", func(t *testing.T) { testLoginLock(t, open(t)) })
	t.Run("Tokens", func(t *testing.T) { testTokens(t, open(t)) })
	t.Run("Apps", func(t *testing.T) { testApps(t, open(t)) })
	t.Run("Resources", func(t *testing.T) { testResources(t, open(t)) })
	t.Run("ConcurrentResources", func(t *testing.T) { testConcurrentResources(t, open(t)) })
	t.Run("Audit", func(t *testing.T) { testAudit(t, open(t)) })
	t.Run("Records", func(t *testing.T) { testRecords(t, open(t)) })
	t.Run("Refs", func(t *testing.T) { testRefs(t, open(t)) })
	t.Run("ShareRequests", func(t *testing.T) { testShareRequests(t, open(t)) })
	t.Run("ConcurrentApprove", func(t *testing.T) { testConcurrentApprove(t, open(t)) })
	t.Run("Grants", func(t *testing.T) { testGrants(t, open(t)) })
	t.Run("FindRecords", func(t *testing.T) { testFindRecords(t, open(t)) })
	t.Run("Stats", func(t *testing.T) { testStats(t, open(t)) })
	t.Run("Migrate", func(t *testing.T) { testMigrate(t, open(t)) })
}

// Fixed valid USCCs for the suite.
const (
	usccA = "11330500002486211M"
	usccB = "11330500MB1A354275"
	usccC = "11330521004211396D"
)

var t0 = time.Date(2026, 3, 1, 8, 30, 0, 123456000, time.UTC)

func mustOrgs(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := t.Context()
	for _, o := range []org.Org{
		{USCC: usccA, Name: "湖州市公安局", RegionCode: "330500", Kind: "agency", CreatedAt: t0},
		{USCC: usccB, Name: "湖州市市场监督管理局", RegionCode: "330500", Kind: "agency", CreatedAt: t0},
		{USCC: usccC, Name: "德清县公安局", ParentUSCC: usccA, RegionCode: "330521", Kind: "agency", ChecksumOverridden: true, CreatedAt: t0},
	} {
		if err := db.CreateOrg(ctx, o); err != nil {
			t.Fatalf("CreateOrg(%s): %v", o.USCC, err)
		}
	}
}

func testOrgs(t *testing.T, db *store.DB) {
	ctx := t.Context()
	mustOrgs(t, db)
	got, err := db.GetOrg(ctx, usccC)
	if err != nil {
		t.Fatal(err)
	}
	want := org.Org{USCC: usccC, Name: "德清县公安局", ParentUSCC: usccA, RegionCode: "330521", Kind: "agency", ChecksumOverridden: true, CreatedAt: t0}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("GetOrg (-want +got):\n%s", d)
	}
	if _, err := db.GetOrg(ctx, "11330500MB1B482507"); !errors.Is(err, huitong.ErrNoRecord) {
		t.Errorf("GetOrg(missing) = %v, want ErrNoRecord", err)
	}
	if err := db.CreateOrg(ctx, org.Org{USCC: usccA, Name: "again", RegionCode: "330500", Kind: "agency", CreatedAt: t0}); !errors.Is(err, huitong.ErrDuplicate) {
		t.Errorf("CreateOrg(duplicate) = %v, want ErrDuplicate", err)
	}
	if err := db.CreateOrg(ctx, org.Org{USCC: "11330500MB1B482507", Name: "x", ParentUSCC: "11330500MB1B719566", RegionCode: "330500", Kind: "agency", CreatedAt: t0}); !errors.Is(err, huitong.ErrDuplicate) {
		t.Errorf("CreateOrg(unknown parent) = %v, want ErrDuplicate (a broken reference)", err)
	}
	page1, err := db.ListOrgs(ctx, "", "", 2)
	if err != nil {
		t.Fatal(err)
	}
	page2, err := db.ListOrgs(ctx, "", page1[len(page1)-1].USCC, 2)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, o := range append(page1, page2...) {
		codes = append(codes, o.USCC)
	}
	if d := cmp.Diff([]string{usccA, usccB, usccC}, codes); d != "" {
		t.Errorf("ListOrgs pages in USCC order (-want +got):\n%s", d)
	}
	kids, err := db.ListOrgs(ctx, usccA, "", 10)
	if err != nil || len(kids) != 1 || kids[0].USCC != usccC {
		t.Errorf("ListOrgs(parent) = %v, %v; want [%s]", kids, err, usccC)
	}
	if n, err := db.CountOrgs(ctx); err != nil || n != 3 {
		t.Errorf("CountOrgs = %d, %v; want 3", n, err)
	}
}

func newUser(name, orgUSCC string, roles ...string) org.User {
	return org.User{Username: name, DisplayName: "用户" + name, OrgUSCC: orgUSCC, Roles: roles, PasswordHash: "$argon2id$x", CreatedAt: t0}
}

func testUsers(t *testing.T, db *store.DB) {
	ctx := t.Context()
	mustOrgs(t, db)
	if n, err := db.CountUsers(ctx); err != nil || n != 0 {
		t.Fatalf("CountUsers on empty = %d, %v", n, err)
	}
	u := newUser("zhang", usccA, "provider", "consumer")
	id, err := db.CreateUser(ctx, u)
	if err != nil || id == 0 {
		t.Fatalf("CreateUser = %d, %v", id, err)
	}
	u.ID = id
	got, err := db.GetUserByName(ctx, "zhang")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(u, got); d != "" {
		t.Errorf("GetUserByName (-want +got):\n%s", d)
	}
	if got, err := db.GetUser(ctx, id); err != nil || got.Username != "zhang" {
		t.Errorf("GetUser = %+v, %v", got, err)
	}
	if _, err := db.CreateUser(ctx, newUser("zhang", usccB, "consumer")); !errors.Is(err, huitong.ErrDuplicate) {
		t.Errorf("CreateUser(duplicate name) = %v, want ErrDuplicate", err)
	}
	if _, err := db.CreateUser(ctx, newUser("li", "11330500MB1B482507", "consumer")); !errors.Is(err, huitong.ErrDuplicate) {
		t.Errorf("CreateUser(unknown org) = %v, want ErrDuplicate", err)
	}
	if _, err := db.GetUserByName(ctx, "nobody"); !errors.Is(err, huitong.ErrNoRecord) {
		t.Errorf("GetUserByName(missing) = %v, want ErrNoRecord", err)
	}
	for _, n := range []string{"wang", "zhao", "qian"} {
		if _, err := db.CreateUser(ctx, newUser(n, usccB, "consumer")); err != nil {
			t.Fatal(err)
		}
	}
	all, err := db.ListUsers(ctx, "", 0, 10)
	if err != nil || len(all) != 4 {
		t.Fatalf("ListUsers = %d users, %v; want 4", len(all), err)
	}
	ofB, err := db.ListUsers(ctx, usccB, 0, 2)
	if err != nil || len(ofB) != 2 || ofB[0].Username != "wang" || ofB[1].Username != "zhao" {
		t.Fatalf("ListUsers(org B, 2) = %v, %v", ofB, err)
	}
	rest, err := db.ListUsers(ctx, usccB, ofB[1].ID, 2)
	if err != nil || len(rest) != 1 || rest[0].Username != "qian" {
		t.Errorf("ListUsers(org B, after) = %v, %v", rest, err)
	}
}

func testLoginLock(t *testing.T, db *store.DB) {
	ctx := t.Context()
	mustOrgs(t, db)
	id, err := db.CreateUser(ctx, newUser("zhang", usccA, "consumer"))
	if err != nil {
		t.Fatal(err)
	}
	until := t0.Add(15 * time.Minute)
	// An old failure outside the window does not count.
	if locked, err := db.RecordLoginFailure(ctx, id, t0.Add(-time.Hour), t0.Add(-75*time.Minute), 3, until); err != nil || locked {
		t.Fatalf("first failure: locked=%v err=%v", locked, err)
	}
	window := t0.Add(-15 * time.Minute)
	for i := 1; i <= 3; i++ {
		locked, err := db.RecordLoginFailure(ctx, id, t0.Add(time.Duration(i)*time.Second), window, 3, until)
		if err != nil {
			t.Fatal(err)
		}
		if locked != (i == 3) {
			t.Fatalf("failure %d: locked = %v", i, locked)
		}
	}
	u, _ := db.GetUser(ctx, id)
	if u.LockedUntil == nil || !u.LockedUntil.Equal(until) {
		t.Fatalf("LockedUntil = %v, want %v", u.LockedUntil, until)
	}
	if err := db.ClearLoginFailures(ctx, id); err != nil {
		t.Fatal(err)
	}
	u, _ = db.GetUser(ctx, id)
	if u.LockedUntil != nil {
		t.Errorf("after clear LockedUntil = %v, want nil", u.LockedUntil)
	}
	if locked, _ := db.RecordLoginFailure(ctx, id, t0.Add(time.Minute), window, 3, until); locked {
		t.Error("a cleared user locked after one failure")
	}
}

func testTokens(t *testing.T, db *store.DB) {
	ctx := t.Context()
	mustOrgs(t, db)
	uid, err := db.CreateUser(ctx, newUser("zhang", usccA, "consumer", "provider"))
	if err != nil {
		t.Fatal(err)
	}
	hash := []byte("0123456789abcdef0123456789abcdef")
	tid, err := db.CreateToken(ctx, org.Token{Hash: hash, Kind: org.TokenSession, UserID: uid, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	tok, p, err := db.LookupToken(ctx, hash)
	if err != nil {
		t.Fatal(err)
	}
	if tok.ID != tid || tok.UserID != uid || !tok.ExpiresAt.Equal(t0.Add(time.Hour)) || !tok.RevokedAt.IsZero() {
		t.Errorf("LookupToken token = %+v", tok)
	}
	wantP := huitong.Principal{Kind: huitong.PrincipalUser, ID: uid, Name: "zhang", OrgUSCC: usccA, Roles: []string{"consumer", "provider"}}
	if d := cmp.Diff(wantP, p); d != "" {
		t.Errorf("LookupToken principal (-want +got):\n%s", d)
	}
	if _, err := db.CreateToken(ctx, org.Token{Hash: hash, Kind: org.TokenSession, UserID: uid, CreatedAt: t0}); !errors.Is(err, huitong.ErrDuplicate) {
		t.Errorf("CreateToken(duplicate hash) = %v, want ErrDuplicate", err)
	}
	if err := db.RevokeToken(ctx, tid, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	tok, _, _ = db.LookupToken(ctx, hash)
	if !tok.RevokedAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("RevokedAt = %v", tok.RevokedAt)
	}
	if _, _, err := db.LookupToken(ctx, []byte("nope")); !errors.Is(err, huitong.ErrNoRecord) {
		t.Errorf("LookupToken(unknown) = %v, want ErrNoRecord", err)
	}
}

func testApps(t *testing.T, db *store.DB) {
	ctx := t.Context()
	mustOrgs(t, db)
	hash := []byte("app-token-hash-0123456789abcdef!")
	a := org.App{OrgUSCC: usccB, Name: "企业开办系统", Roles: []string{"consumer"}, CreatedBy: "user:admin", CreatedAt: t0}
	id, err := db.CreateApp(ctx, a, org.Token{Hash: hash, Kind: org.TokenApp, CreatedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	a.ID = id
	got, err := db.GetApp(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(a, got); d != "" {
		t.Errorf("GetApp (-want +got):\n%s", d)
	}
	_, p, err := db.LookupToken(ctx, hash)
	if err != nil || p.Kind != huitong.PrincipalApp || p.ID != id || p.OrgUSCC != usccB || p.Name != "企业开办系统" {
		t.Fatalf("LookupToken(app) = %+v, %v", p, err)
	}
	list, err := db.ListApps(ctx, usccB, 0, 10)
	if err != nil || len(list) != 1 {
		t.Fatalf("ListApps = %v, %v", list, err)
	}
	if list, _ := db.ListApps(ctx, usccA, 0, 10); len(list) != 0 {
		t.Errorf("ListApps(other org) = %v, want none", list)
	}
	if err := db.RevokeApp(ctx, id, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	tok, _, _ := db.LookupToken(ctx, hash)
	if tok.RevokedAt.IsZero() {
		t.Error("revoking an app left its token live")
	}
	if err := db.RevokeApp(ctx, id, t0.Add(2*time.Hour)); !errors.Is(err, huitong.ErrNoRecord) {
		t.Errorf("RevokeApp twice = %v, want ErrNoRecord", err)
	}
	got, _ = db.GetApp(ctx, id)
	if got.RevokedAt == nil || !got.RevokedAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("RevokedAt = %v", got.RevokedAt)
	}
}

func resource(provider, name string) catalog.Resource {
	return catalog.Resource{
		Name: name, Summary: "摘要", Category: catalog.CategoryBase, ProviderUSCC: provider, ProviderName: "湖州市公安局",
		Format: "table", UpdateCycle: "daily", ShareType: catalog.ShareConditional, ShareCondition: "用于法定职责",
		ShareMethod: "api", OpenType: catalog.OpenNone, RelatedCodes: []string{}, PublishDate: "2026-01-01",
		Fields: []catalog.Field{
			{Name: "id_card", Title: "公民身份号码", Type: "string", Level: 3, PII: "id_card", Key: true, Required: true},
			{Name: "gender", Title: "性别", Type: "string", Level: 2, Enum: []string{"男", "女"}},
		},
		Level: 3, CreatedAt: t0, UpdatedAt: t0, UpdatedBy: "user:zhang",
	}
}

func testResources(t *testing.T, db *store.DB) {
	ctx := t.Context()
	mustOrgs(t, db)
	if rev, err := db.CatalogRev(ctx); err != nil || rev != 0 {
		t.Fatalf("CatalogRev on empty = %d, %v", rev, err)
	}
	r1, err := db.CreateResource(ctx, resource(usccA, "人口基础信息"), "JC-002486211")
	if err != nil {
		t.Fatal(err)
	}
	r2, err := db.CreateResource(ctx, resource(usccA, "户籍人口信息"), "JC-002486211")
	if err != nil {
		t.Fatal(err)
	}
	r3, err := db.CreateResource(ctx, resource(usccB, "营业执照信息"), "JC-MB1A35427")
	if err != nil {
		t.Fatal(err)
	}
	if r1.Code != "JC-002486211-0001" || r2.Code != "JC-002486211-0002" || r3.Code != "JC-MB1A35427-0001" {
		t.Errorf("codes = %s %s %s", r1.Code, r2.Code, r3.Code)
	}
	if r1.Version != 1 || !(r1.Rev < r2.Rev && r2.Rev < r3.Rev) {
		t.Errorf("versions/revs: %d %d %d %d", r1.Version, r1.Rev, r2.Rev, r3.Rev)
	}
	got, err := db.GetResource(ctx, r1.Code)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(r1, got); d != "" {
		t.Errorf("GetResource (-want +got):\n%s", d)
	}
	if _, err := db.GetResource(ctx, "JC-000000000-0001"); !errors.Is(err, huitong.ErrNoRecord) {
		t.Errorf("GetResource(missing) = %v", err)
	}
	if _, err := db.CreateResource(ctx, resource("11330500MB1B482507", "x"), "JC-MB1B48250"); !errors.Is(err, huitong.ErrDuplicate) {
		t.Errorf("CreateResource(unknown provider) = %v, want ErrDuplicate", err)
	}

	edit := r1
	edit.Summary = "新摘要"
	edit.UpdatedAt = t0.Add(time.Hour)
	v2, err := db.UpdateResource(ctx, edit, 1)
	if err != nil {
		t.Fatal(err)
	}
	if v2.Version != 2 || v2.Rev <= r3.Rev {
		t.Errorf("update: version %d rev %d (after %d)", v2.Version, v2.Rev, r3.Rev)
	}
	if _, err := db.UpdateResource(ctx, edit, 1); !errors.Is(err, catalog.ErrStaleVersion) {
		t.Errorf("UpdateResource(stale) = %v, want ErrStaleVersion", err)
	}
	v3, err := db.UpdateResource(ctx, edit, 0)
	if err != nil || v3.Version != 3 {
		t.Fatalf("UpdateResource(no check) = %d, %v", v3.Version, err)
	}
	missing := edit
	missing.Code = "JC-000000000-0009"
	if _, err := db.UpdateResource(ctx, missing, 0); !errors.Is(err, huitong.ErrNoRecord) {
		t.Errorf("UpdateResource(missing) = %v, want ErrNoRecord", err)
	}
	old, err := db.GetResourceVersion(ctx, r1.Code, 1)
	if err != nil || old.Summary != "摘要" || old.Version != 1 {
		t.Errorf("GetResourceVersion(1) = %q v%d, %v", old.Summary, old.Version, err)
	}
	if _, err := db.GetResourceVersion(ctx, r1.Code, 9); !errors.Is(err, huitong.ErrNoRecord) {
		t.Errorf("GetResourceVersion(9) = %v", err)
	}
	vs, err := db.ListResourceVersions(ctx, r1.Code)
	if err != nil || len(vs) != 3 || vs[0].Version != 1 || vs[2].Version != 3 {
		t.Errorf("ListResourceVersions = %d, %v", len(vs), err)
	}
	changed, err := db.ResourcesChangedSince(ctx, r2.Rev, 10)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, r := range changed {
		order = append(order, fmt.Sprintf("%s@%d", r.Code, r.Version))
	}
	if d := cmp.Diff([]string{"JC-MB1A35427-0001@1", "JC-002486211-0001@3"}, order); d != "" {
		t.Errorf("ResourcesChangedSince (-want +got):\n%s", d)
	}
	if rev, _ := db.CatalogRev(ctx); rev != v3.Rev {
		t.Errorf("CatalogRev = %d, want %d", rev, v3.Rev)
	}
}

func testConcurrentResources(t *testing.T, db *store.DB) {
	ctx := t.Context()
	mustOrgs(t, db)
	const n = 24
	var wg sync.WaitGroup
	errs := make(chan error, n)
	codes := make(chan string, n)
	for i := range n {
		wg.Go(func() {
			r, err := db.CreateResource(ctx, resource(usccA, fmt.Sprintf("资源%d", i)), "BM-002486211")
			if err != nil {
				errs <- err
				return
			}
			codes <- r.Code
		})
	}
	wg.Wait()
	close(errs)
	close(codes)
	for err := range errs {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for c := range codes {
		if seen[c] {
			t.Errorf("code %s given twice", c)
		}
		seen[c] = true
	}
	all, err := db.ResourcesChangedSince(ctx, 0, 1000)
	if err != nil || len(all) != n {
		t.Fatalf("ResourcesChangedSince(0) = %d, %v", len(all), err)
	}
	for i := 1; i < len(all); i++ {
		if all[i].Rev <= all[i-1].Rev {
			t.Errorf("revs not increasing: %d then %d", all[i-1].Rev, all[i].Rev)
		}
	}
}

func testMigrate(t *testing.T, db *store.DB) {
	// Migrating an up-to-date database again is a no-op.
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	if err := db.Ping(t.Context()); err != nil {
		t.Fatal(err)
	}
}
