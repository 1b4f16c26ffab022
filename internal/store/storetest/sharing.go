package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"huitong"
	"huitong/internal/catalog"
	"huitong/internal/sharing"
	"huitong/internal/store"
)

// sharingResource registers a resource of org A for requests by org B.
func sharingResource(t *testing.T, db *store.DB) catalog.Resource {
	t.Helper()
	mustOrgs(t, db)
	r, err := db.CreateResource(t.Context(), resource(usccA, "人口基础信息"), "JC-002486211")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// newShareRequest stores a pending request of org B and returns it.
func newShareRequest(t *testing.T, db *store.DB, res catalog.Resource, created time.Time) sharing.Request {
	t.Helper()
	id, err := db.NextShareRequestID(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	r := sharing.Request{ID: id, ResourceCode: res.Code, ResourceName: res.Name, ProviderUSCC: res.ProviderUSCC,
		ConsumerUSCC: usccB, ConsumerName: "湖州市市场监督管理局", Fields: []string{"id_card", "gender"},
		Purpose: "企业开办核验", LegalBasis: "《优化营商环境条例》", ExpiresAt: created.Add(365 * 24 * time.Hour),
		Status: sharing.StatusPending, RequestedBy: "user:sc", CreatedAt: created}
	if err := db.CreateShareRequest(t.Context(), r, nil); err != nil {
		t.Fatal(err)
	}
	return r
}

// grantFor builds the grant of r with a fresh id.
func grantFor(t *testing.T, db *store.DB, r sharing.Request, appID int64, expires time.Time) *sharing.Grant {
	t.Helper()
	id, err := db.NextGrantID(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return &sharing.Grant{ID: id, RequestID: r.ID, ResourceCode: r.ResourceCode, ProviderUSCC: r.ProviderUSCC,
		ConsumerUSCC: r.ConsumerUSCC, AppID: appID, Fields: r.Fields, UnmaskedFields: []string{}, Purpose: r.Purpose,
		LegalBasis: r.LegalBasis, ExpiresAt: expires, Status: sharing.GrantActive, Rate: 50, DailyQuota: 100000,
		CreatedAt: r.CreatedAt, ApprovedBy: "user:ga"}
}

// approve stores the approval of r with grant g.
func approve(t *testing.T, db *store.DB, r sharing.Request, g *sharing.Grant) sharing.Request {
	t.Helper()
	terms := sharing.Terms{Fields: g.Fields, UnmaskedFields: g.UnmaskedFields, ExpiresAt: g.ExpiresAt, Rate: g.Rate, DailyQuota: g.DailyQuota}
	r.Status, r.Terms, r.GrantID, r.DecidedBy, r.DecidedAt = sharing.StatusApproved, &terms, g.ID, g.ApprovedBy, g.CreatedAt
	if err := db.UpdateShareRequest(t.Context(), r, []string{sharing.StatusPending}, g); err != nil {
		t.Fatal(err)
	}
	return r
}

func testShareRequests(t *testing.T, db *store.DB) {
	ctx := t.Context()
	res := sharingResource(t, db)
	r1 := newShareRequest(t, db, res, t0)
	got, err := db.GetShareRequest(ctx, r1.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(r1, got); d != "" {
		t.Errorf("GetShareRequest (-want +got):\n%s", d)
	}
	if _, err := db.GetShareRequest(ctx, r1.ID+100); !errors.Is(err, huitong.ErrNoRecord) {
		t.Errorf("GetShareRequest(missing) = %v, want ErrNoRecord", err)
	}
	// An id is never given twice.
	if again := newShareRequest(t, db, res, t0); again.ID <= r1.ID {
		t.Errorf("second request id %d after %d", again.ID, r1.ID)
	}
	// A request needs a known resource and orgs.
	bad := r1
	bad.ID, bad.ResourceCode = r1.ID+50, "JC-000000000-0001"
	if err := db.CreateShareRequest(ctx, bad, nil); !errors.Is(err, huitong.ErrDuplicate) {
		t.Errorf("CreateShareRequest(unknown resource) = %v, want ErrDuplicate (a broken reference)", err)
	}

	// An unconditional request is stored with its grant, in one go.
	id, _ := db.NextShareRequestID(ctx)
	r3 := r1
	r3.ID, r3.CreatedAt = id, t0.Add(time.Minute)
	terms := sharing.DefaultTerms(r3.Fields, r3.ExpiresAt)
	g3 := grantFor(t, db, r3, 0, r3.ExpiresAt)
	g3.ApprovedBy = sharing.SystemApprover
	r3.Status, r3.Terms, r3.DecidedBy, r3.DecidedAt, r3.GrantID = sharing.StatusApproved, &terms, sharing.SystemApprover, r3.CreatedAt, g3.ID
	if err := db.CreateShareRequest(ctx, r3, g3); err != nil {
		t.Fatal(err)
	}
	got, _ = db.GetShareRequest(ctx, r3.ID)
	if d := cmp.Diff(r3, got); d != "" {
		t.Errorf("approved request (-want +got):\n%s", d)
	}
	gg, err := db.GetGrant(ctx, g3.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(*g3, gg); d != "" {
		t.Errorf("GetGrant (-want +got):\n%s", d)
	}
	// A grant insert that fails takes its request with it.
	id, _ = db.NextShareRequestID(ctx)
	r4 := r1
	r4.ID = id
	g4 := grantFor(t, db, r4, 0, r4.ExpiresAt)
	g4.ID = g3.ID // taken
	if err := db.CreateShareRequest(ctx, r4, g4); !errors.Is(err, huitong.ErrDuplicate) {
		t.Errorf("CreateShareRequest(grant id taken) = %v, want ErrDuplicate", err)
	}
	if _, err := db.GetShareRequest(ctx, r4.ID); !errors.Is(err, huitong.ErrNoRecord) {
		t.Errorf("request of a failed grant insert stored: %v", err)
	}

	// Listing: newest first, by side and status, page by page.
	list := func(f sharing.RequestFilter) []int64 {
		t.Helper()
		if f.Limit == 0 {
			f.Limit = 10
		}
		rs, err := db.ListShareRequests(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, r := range rs {
			ids = append(ids, r.ID)
		}
		return ids
	}
	all := list(sharing.RequestFilter{})
	if len(all) != 3 || all[0] != r3.ID || all[2] != r1.ID {
		t.Errorf("all requests = %v, want 3 newest first ending in %d", all, r1.ID)
	}
	if d := cmp.Diff(all, list(sharing.RequestFilter{ConsumerUSCC: usccB})); d != "" {
		t.Errorf("consumer B's requests (-want +got):\n%s", d)
	}
	if d := cmp.Diff(all, list(sharing.RequestFilter{ProviderUSCC: usccA})); d != "" {
		t.Errorf("provider A's requests (-want +got):\n%s", d)
	}
	if ids := list(sharing.RequestFilter{ConsumerUSCC: usccA}); len(ids) != 0 {
		t.Errorf("consumer A's requests = %v, want none", ids)
	}
	if d := cmp.Diff([]int64{r3.ID}, list(sharing.RequestFilter{ProviderUSCC: usccA, Status: sharing.StatusApproved})); d != "" {
		t.Errorf("approved requests (-want +got):\n%s", d)
	}
	if d := cmp.Diff(all[:2], list(sharing.RequestFilter{Limit: 2})); d != "" {
		t.Errorf("first page (-want +got):\n%s", d)
	}
	if d := cmp.Diff(all[2:], list(sharing.RequestFilter{Limit: 2, BeforeID: all[1]})); d != "" {
		t.Errorf("second page (-want +got):\n%s", d)
	}

	// A decision changes a request only from the statuses it names.
	rej := r1
	rej.Status, rej.Reason, rej.DecidedBy, rej.DecidedAt = sharing.StatusRejected, "用途不明确", "user:ga", t0.Add(time.Hour)
	if err := db.UpdateShareRequest(ctx, rej, []string{sharing.StatusCountersign}, nil); !errors.Is(err, sharing.ErrStatusChanged) {
		t.Errorf("UpdateShareRequest(from another status) = %v, want ErrStatusChanged", err)
	}
	if err := db.UpdateShareRequest(ctx, rej, []string{sharing.StatusPending, sharing.StatusCountersign}, nil); err != nil {
		t.Fatal(err)
	}
	got, _ = db.GetShareRequest(ctx, r1.ID)
	if d := cmp.Diff(rej, got); d != "" {
		t.Errorf("rejected request (-want +got):\n%s", d)
	}
	if err := db.UpdateShareRequest(ctx, rej, []string{sharing.StatusPending}, nil); !errors.Is(err, sharing.ErrStatusChanged) {
		t.Errorf("UpdateShareRequest(twice) = %v, want ErrStatusChanged", err)
	}
	rej.ID = r1.ID + 1000
	if err := db.UpdateShareRequest(ctx, rej, []string{sharing.StatusPending}, nil); !errors.Is(err, huitong.ErrNoRecord) {
		t.Errorf("UpdateShareRequest(missing) = %v, want ErrNoRecord", err)
	}
}

// testConcurrentApprove has many approvals of one request race: exactly one
// wins and exactly one grant exists.
func testConcurrentApprove(t *testing.T, db *store.DB) {
	ctx := t.Context()
	res := sharingResource(t, db)
	r := newShareRequest(t, db, res, t0)
	const n = 16
	var wg sync.WaitGroup
	var mu sync.Mutex
	won, lost := 0, 0
	for range n {
		g := grantFor(t, db, r, 0, r.ExpiresAt)
		wg.Go(func() {
			rr := r
			terms := sharing.DefaultTerms(r.Fields, r.ExpiresAt)
			rr.Status, rr.Terms, rr.GrantID, rr.DecidedBy = sharing.StatusApproved, &terms, g.ID, "user:ga"
			err := db.UpdateShareRequest(ctx, rr, []string{sharing.StatusPending}, g)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case errors.Is(err, sharing.ErrStatusChanged):
				lost++
			default:
				t.Errorf("concurrent approve: %v", err)
			}
		})
	}
	wg.Wait()
	if won != 1 || lost != n-1 {
		t.Errorf("%d approvals won and %d lost, want 1 and %d", won, lost, n-1)
	}
	gs, err := db.ListGrants(ctx, sharing.GrantFilter{ConsumerUSCC: usccB, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(gs) != 1 {
		t.Fatalf("%d grants after concurrent approvals, want 1", len(gs))
	}
	got, _ := db.GetShareRequest(ctx, r.ID)
	if got.Status != sharing.StatusApproved || got.GrantID != gs[0].ID {
		t.Errorf("request = %s with grant %d, want approved with grant %d", got.Status, got.GrantID, gs[0].ID)
	}
	// The one grant per request holds even when a caller skips the status
	// condition's protection by asking from approved.
	g := grantFor(t, db, r, 0, r.ExpiresAt)
	rr := got
	rr.GrantID = g.ID
	if err := db.UpdateShareRequest(ctx, rr, []string{sharing.StatusApproved}, g); !errors.Is(err, huitong.ErrDuplicate) {
		t.Errorf("second grant for one request = %v, want ErrDuplicate", err)
	}
}

func testGrants(t *testing.T, db *store.DB) {
	ctx := t.Context()
	res := sharingResource(t, db)
	other, err := db.CreateResource(ctx, resource(usccA, "户籍人口信息"), "JC-002486211")
	if err != nil {
		t.Fatal(err)
	}
	day := 24 * time.Hour
	// Grants of org B for res, oldest first: org-wide until t0+10d; bound
	// to app 7 until t0+20d; org-wide until t0+5d; and one for another
	// resource.
	mk := func(res catalog.Resource, app int64, expires time.Time) sharing.Grant {
		r := newShareRequest(t, db, res, t0)
		g := grantFor(t, db, r, app, expires)
		approve(t, db, r, g)
		return *g
	}
	wide := mk(res, 0, t0.Add(10*day))
	bound := mk(res, 7, t0.Add(20*day))
	short := mk(res, 0, t0.Add(5*day))
	elsewhere := mk(other, 0, t0.Add(30*day))

	live := func(consumer, code string, app int64, now time.Time) (int64, string) {
		t.Helper()
		g, err := db.LiveGrant(ctx, consumer, code, app, now)
		if errors.Is(err, huitong.ErrNoRecord) {
			return 0, ""
		}
		if err != nil {
			t.Fatal(err)
		}
		return g.ID, g.StatusAt(now)
	}
	for _, tc := range []struct {
		name     string
		consumer string
		code     string
		app      int64
		now      time.Time
		id       int64
		status   string
	}{
		{"person takes the newest org-wide", usccB, res.Code, 0, t0, short.ID, sharing.GrantActive},
		{"bound app takes the newest of its own and org-wide", usccB, res.Code, 7, t0, short.ID, sharing.GrantActive},
		{"bound app takes its own when newer", usccB, res.Code, 7, t0.Add(6 * day), bound.ID, sharing.GrantActive},
		{"other app takes org-wide only", usccB, res.Code, 8, t0, short.ID, sharing.GrantActive},
		{"expired newest skipped for a live older", usccB, res.Code, 0, t0.Add(6 * day), wide.ID, sharing.GrantActive},
		{"expiry is exclusive", usccB, res.Code, 0, t0.Add(5 * day), wide.ID, sharing.GrantActive},
		{"all expired: the newest", usccB, res.Code, 0, t0.Add(11 * day), short.ID, sharing.GrantExpired},
		{"app outlives the org-wide grants", usccB, res.Code, 7, t0.Add(11 * day), bound.ID, sharing.GrantActive},
		{"another resource", usccB, other.Code, 0, t0, elsewhere.ID, sharing.GrantActive},
		{"another org has none", usccC, res.Code, 0, t0, 0, ""},
		{"unknown resource has none", usccB, "JC-000000000-0009", 0, t0, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if id, status := live(tc.consumer, tc.code, tc.app, tc.now); id != tc.id || status != tc.status {
				t.Errorf("LiveGrant = %d %s, want %d %s", id, status, tc.id, tc.status)
			}
		})
	}

	// Revocation is immediate and once.
	at := t0.Add(time.Hour)
	if err := db.RevokeGrant(ctx, short.ID, at, "user:ga", "停止合作"); err != nil {
		t.Fatal(err)
	}
	if err := db.RevokeGrant(ctx, short.ID, at, "user:ga", "again"); !errors.Is(err, sharing.ErrAlreadyRevoked) {
		t.Errorf("RevokeGrant(twice) = %v, want ErrAlreadyRevoked", err)
	}
	if err := db.RevokeGrant(ctx, 9999, at, "user:ga", "x"); !errors.Is(err, huitong.ErrNoRecord) {
		t.Errorf("RevokeGrant(missing) = %v, want ErrNoRecord", err)
	}
	g, _ := db.GetGrant(ctx, short.ID)
	if g.Status != sharing.GrantRevoked || !g.RevokedAt.Equal(at) || g.RevokedBy != "user:ga" || g.RevokeReason != "停止合作" {
		t.Errorf("revoked grant = %+v", g)
	}
	if id, status := live(usccB, res.Code, 0, t0.Add(2*time.Hour)); id != wide.ID || status != sharing.GrantActive {
		t.Errorf("after revoking the newest, LiveGrant = %d %s, want %d active", id, status, wide.ID)
	}
	if err := db.RevokeGrant(ctx, wide.ID, at, "user:admin", "违规使用"); err != nil {
		t.Fatal(err)
	}
	if id, status := live(usccB, res.Code, 0, t0.Add(2*time.Hour)); id != short.ID || status != sharing.GrantRevoked {
		t.Errorf("with every org-wide grant revoked, LiveGrant = %d %s, want the newest, %d revoked", id, status, short.ID)
	}

	// Listing by derived status at a time.
	grants := func(f sharing.GrantFilter) []int64 {
		t.Helper()
		f.Limit = 10
		gs, err := db.ListGrants(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, g := range gs {
			ids = append(ids, g.ID)
		}
		return ids
	}
	for _, tc := range []struct {
		name string
		f    sharing.GrantFilter
		want []int64
	}{
		{"all", sharing.GrantFilter{}, []int64{elsewhere.ID, short.ID, bound.ID, wide.ID}},
		{"active now", sharing.GrantFilter{Status: sharing.GrantActive, Now: t0}, []int64{elsewhere.ID, bound.ID}},
		{"active later", sharing.GrantFilter{Status: sharing.GrantActive, Now: t0.Add(25 * day)}, []int64{elsewhere.ID}},
		{"expired later", sharing.GrantFilter{Status: sharing.GrantExpired, Now: t0.Add(25 * day)}, []int64{bound.ID}},
		{"revoked", sharing.GrantFilter{Status: sharing.GrantRevoked, Now: t0}, []int64{short.ID, wide.ID}},
		{"of a resource", sharing.GrantFilter{ResourceCode: other.Code}, []int64{elsewhere.ID}},
		{"of the provider", sharing.GrantFilter{ProviderUSCC: usccA, Now: t0}, []int64{elsewhere.ID, short.ID, bound.ID, wide.ID}},
		{"of another provider", sharing.GrantFilter{ProviderUSCC: usccB}, nil},
		{"of the consumer, second page", sharing.GrantFilter{ConsumerUSCC: usccB, BeforeID: bound.ID}, []int64{wide.ID}},
	} {
		if d := cmp.Diff(tc.want, grants(tc.f)); d != "" {
			t.Errorf("ListGrants %s (-want +got):\n%s", tc.name, d)
		}
	}
}
