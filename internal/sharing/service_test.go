package sharing_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"huitong"
	"huitong/internal/audit"
	"huitong/internal/catalog"
	"huitong/internal/org"
	"huitong/internal/sharing"
	"huitong/internal/store"
)

const (
	usccPolice = "11330500002486211M"
	usccMarket = "11330500MB1A354275"
	usccCounty = "11330521004211396D"
)

var t0 = time.Date(2026, 3, 1, 8, 30, 0, 0, time.UTC)

// recorder keeps audit entries in memory; fail makes Append fail.
type recorder struct {
	mu      sync.Mutex
	entries []audit.Entry
	fail    atomic.Bool
}

func (r *recorder) Append(ctx context.Context, e audit.Entry) (int64, error) {
	if r.fail.Load() {
		return 0, &huitong.Error{Kind: huitong.Unavailable, Code: "audit_unavailable", Message: "x", MessageEN: "x"}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.entries = append(r.entries, e)
	return int64(len(r.entries) - 1), nil
}

func (r *recorder) last() audit.Entry {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.entries[len(r.entries)-1]
}

// clock is a settable time.
type clock struct{ at atomic.Int64 }

func (c *clock) Now() time.Time                  { return time.UnixMicro(c.at.Load()) }
func (c *clock) Set(t time.Time)                 { c.at.Store(t.UnixMicro()) }
func (c *clock) Add(d time.Duration)             { c.at.Add(d.Microseconds()) }
func (c *clock) After(d time.Duration) time.Time { return c.Now().Add(d) }

type fixture struct {
	db    *store.DB
	svc   *sharing.Service
	rec   *recorder
	clock *clock
	res   map[catalog.ShareType]catalog.Resource
	// callers
	police, market, marketApp, marketProv, county, admin, auditor context.Context
	appID                                                         int64
}

func as(p huitong.Principal) context.Context {
	return huitong.WithPrincipal(context.Background(), &p)
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := t.Context()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, o := range []org.Org{
		{USCC: usccPolice, Name: "湖州市公安局", RegionCode: "330500", Kind: "agency", CreatedAt: t0},
		{USCC: usccMarket, Name: "湖州市市场监督管理局", RegionCode: "330500", Kind: "agency", CreatedAt: t0},
		{USCC: usccCounty, Name: "德清县公安局", RegionCode: "330521", Kind: "agency", CreatedAt: t0},
	} {
		if err := db.CreateOrg(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	f := &fixture{rec: &recorder{}, clock: &clock{}, res: map[catalog.ShareType]catalog.Resource{}}
	f.clock.Set(t0)
	for i, st := range []catalog.ShareType{catalog.ShareConditional, catalog.ShareUnconditional, catalog.ShareNone} {
		r := catalog.Resource{Name: fmt.Sprintf("资源%d", i), ProviderUSCC: usccPolice, ShareType: st, LegalBasis: "《中华人民共和国居民身份证法》第十九条",
			RelatedCodes: []string{}, Fields: []catalog.Field{
				{Name: "id_card", Title: "公民身份号码", Type: "string", Level: 3, PII: "id_card", Key: true},
				{Name: "name", Title: "姓名", Type: "string", Level: 3, PII: "name"},
				{Name: "gender", Title: "性别", Type: "string", Level: 2},
				{Name: "diagnosis", Title: "诊断", Type: "string", Level: 4},
			}, Level: 4, CreatedAt: t0, UpdatedAt: t0}
		if f.res[st], err = db.CreateResource(ctx, r, "JC-002486211"); err != nil {
			t.Fatal(err)
		}
	}
	f.appID, err = db.CreateApp(ctx, org.App{OrgUSCC: usccMarket, Name: "企业开办系统", Roles: []string{"consumer"}, CreatedAt: t0},
		org.Token{Hash: []byte("0123456789abcdef0123456789abcdef"), Kind: org.TokenApp, CreatedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	f.db = db
	f.svc = &sharing.Service{
		Store: db,
		Resource: func(ctx context.Context, code string) (catalog.Resource, error) {
			r, err := db.GetResource(ctx, code)
			if errors.Is(err, huitong.ErrNoRecord) {
				return r, huitong.NotFoundf("resource_not_found", "x", "resource %s not found", code)
			}
			return r, err
		},
		OrgName: func(ctx context.Context, uscc string) (string, error) {
			o, err := db.GetOrg(ctx, uscc)
			return o.Name, err
		},
		AppOrg: func(ctx context.Context, id int64) (string, error) {
			a, err := db.GetApp(ctx, id)
			return a.OrgUSCC, err
		},
		Audit: f.rec,
		Now:   f.clock.Now,
	}
	f.police = as(huitong.Principal{Kind: "user", ID: 1, Name: "ga", OrgUSCC: usccPolice, Roles: []string{"provider"}})
	f.market = as(huitong.Principal{Kind: "user", ID: 2, Name: "sc", OrgUSCC: usccMarket, Roles: []string{"consumer"}})
	f.marketApp = as(huitong.Principal{Kind: "app", ID: f.appID, Name: "企业开办系统", OrgUSCC: usccMarket, Roles: []string{"consumer"}})
	f.marketProv = as(huitong.Principal{Kind: "user", ID: 3, Name: "scp", OrgUSCC: usccMarket, Roles: []string{"provider"}})
	f.county = as(huitong.Principal{Kind: "user", ID: 4, Name: "dq", OrgUSCC: usccCounty, Roles: []string{"provider", "consumer"}})
	f.admin = as(huitong.Principal{Kind: "user", ID: 5, Name: "admin", OrgUSCC: usccCounty, Roles: []string{"admin"}})
	f.auditor = as(huitong.Principal{Kind: "user", ID: 6, Name: "sj", OrgUSCC: usccCounty, Roles: []string{"auditor"}})
	return f
}

func principal(ctx context.Context) *huitong.Principal { return huitong.PrincipalFrom(ctx) }

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if code == "" && err != nil || code != "" && huitong.ErrorCode(err) != code {
		t.Fatalf("error %v, want code %q", err, code)
	}
}

func TestConditionalFlow(t *testing.T) {
	f := newFixture(t)
	res := f.res[catalog.ShareConditional]
	r, err := f.svc.Request(f.market, sharing.RequestInput{ResourceCode: res.Code, Fields: []string{"id_card", "name", "gender"},
		Purpose: "企业开办身份核验", ExpiresAt: t0.AddDate(1, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != sharing.StatusPending || r.ConsumerName != "湖州市市场监督管理局" || r.ProviderUSCC != usccPolice || r.GrantID != 0 {
		t.Fatalf("request = %+v", r)
	}
	if e := f.rec.last(); e.Action != sharing.ActionRequest || e.Purpose != "企业开办身份核验" || e.Rule != "role:consumer" ||
		e.Detail["request_id"] != fmt.Sprint(r.ID) || e.Detail["fields"] != "id_card,name,gender" || e.Object != "resource:"+res.Code {
		t.Errorf("request record = %+v", e)
	}

	// No grant yet.
	_, err = f.svc.Live(f.market, principal(f.market), res.Code, 0)
	wantCode(t, err, sharing.CodeNoGrant)
	if !errors.Is(err, sharing.ErrNoGrant) {
		t.Errorf("Live error %v does not match ErrNoGrant", err)
	}

	// Only the provider org's provider officers approve; others get 403,
	// or 404 when they may not even see the request.
	_, err = f.svc.Approve(f.marketProv, r.ID, sharing.Approval{})
	wantCode(t, err, "not_provider")
	if e := f.rec.last(); e.Action != sharing.ActionApprove || e.Outcome != audit.Denied || e.Reason != "not_provider" || e.Purpose != r.Purpose {
		t.Errorf("denial record = %+v", e)
	}
	_, err = f.svc.Approve(f.county, r.ID, sharing.Approval{})
	wantCode(t, err, "request_not_found")
	if e := f.rec.last(); e.Outcome != audit.Denied || e.Reason != "request_not_found" || e.Object != "resource:"+res.Code {
		t.Errorf("hidden denial record = %+v", e)
	}
	_, err = f.svc.Get(f.county, r.ID)
	wantCode(t, err, "request_not_found")
	for _, ctx := range []context.Context{f.market, f.marketApp, f.police, f.admin, f.auditor} {
		if _, err := f.svc.Get(ctx, r.ID); err != nil {
			t.Errorf("Get as %s: %v", principal(ctx).Actor(), err)
		}
	}

	// The provider narrows fields and expiry.
	f.clock.Add(time.Hour)
	until := t0.AddDate(0, 6, 0)
	a, err := f.svc.Approve(f.police, r.ID, sharing.Approval{Fields: []string{"id_card", "name"}, ExpiresAt: until,
		UnmaskedFields: []string{"name"}, Comment: "同意", Rate: 10, DailyQuota: 5000})
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != sharing.StatusApproved || a.GrantID == 0 || a.DecidedBy != "user:ga" || a.Terms == nil || !a.Terms.ExpiresAt.Equal(until) {
		t.Fatalf("approved = %+v", a)
	}
	if e := f.rec.last(); e.Action != sharing.ActionApprove || e.Outcome != audit.Allowed || e.Rule != "role:provider" ||
		e.Detail["grant_id"] != fmt.Sprint(a.GrantID) || e.Detail["fields"] != "id_card,name" || e.Detail["unmasked_fields"] != "name" {
		t.Errorf("approve record = %+v", e)
	}
	_, err = f.svc.Approve(f.police, r.ID, sharing.Approval{})
	wantCode(t, err, "request_not_pending")

	g, err := f.svc.Live(f.market, principal(f.market), res.Code, 0)
	if err != nil {
		t.Fatal(err)
	}
	if g.ID != a.GrantID || len(g.Fields) != 2 || !g.Unmasked("name") || g.Unmasked("id_card") || g.Rate != 10 || g.DailyQuota != 5000 ||
		g.Purpose != r.Purpose || g.Status != sharing.GrantActive || g.ApprovedBy != "user:ga" {
		t.Fatalf("live grant = %+v", g)
	}
	// An org-wide grant serves the org's apps too, and by id.
	if g2, err := f.svc.Live(f.marketApp, principal(f.marketApp), res.Code, g.ID); err != nil || g2.ID != g.ID {
		t.Errorf("Live(app, by id) = %d, %v", g2.ID, err)
	}
	// Not another org's, nor for another resource, nor without the role.
	_, err = f.svc.Live(f.county, principal(f.county), res.Code, g.ID)
	wantCode(t, err, sharing.CodeNoGrant)
	_, err = f.svc.Live(f.market, principal(f.market), f.res[catalog.ShareUnconditional].Code, g.ID)
	wantCode(t, err, sharing.CodeNoGrant)
	_, err = f.svc.Live(f.marketProv, principal(f.marketProv), res.Code, 0)
	wantCode(t, err, "forbidden")
	_, err = f.svc.Live(f.market, nil, res.Code, 0)
	wantCode(t, err, "unauthenticated")

	// Expiry is derived from the clock: no job runs.
	f.clock.Set(until.Add(-time.Microsecond))
	if _, err := f.svc.Live(f.market, principal(f.market), res.Code, 0); err != nil {
		t.Errorf("a microsecond before expiry: %v", err)
	}
	f.clock.Set(until)
	eg, err := f.svc.Live(f.market, principal(f.market), res.Code, 0)
	wantCode(t, err, sharing.CodeGrantExpired)
	if eg.ID != g.ID || eg.Status != sharing.GrantExpired || !errors.Is(err, sharing.ErrGrantExpired) {
		t.Errorf("expired: grant %+v, err %v", eg, err)
	}
	gg, _ := f.svc.GetGrant(f.market, g.ID)
	if gg.Status != sharing.GrantExpired {
		t.Errorf("GetGrant status = %s, want expired", gg.Status)
	}
	page, err := f.svc.Grants(f.market, sharing.GrantQuery{Status: sharing.GrantExpired})
	if err != nil || len(page.Items) != 1 || page.Items[0].Status != sharing.GrantExpired {
		t.Errorf("expired grants = %+v, %v", page, err)
	}

	// Revocation: by the provider, once, with a reason; immediate.
	f.clock.Set(t0.Add(2 * time.Hour))
	_, err = f.svc.Revoke(f.market, g.ID, "不想要了")
	wantCode(t, err, "not_provider")
	_, err = f.svc.Revoke(f.police, g.ID, " ")
	wantCode(t, err, "validation_failed")
	rg, err := f.svc.Revoke(f.police, g.ID, "发现超范围使用")
	if err != nil || rg.Status != sharing.GrantRevoked || rg.RevokedBy != "user:ga" {
		t.Fatalf("Revoke = %+v, %v", rg, err)
	}
	if e := f.rec.last(); e.Action != sharing.ActionRevoke || e.Rule != "role:provider" || e.Purpose != r.Purpose || e.Detail["grant_id"] != fmt.Sprint(g.ID) {
		t.Errorf("revoke record = %+v", e)
	}
	_, err = f.svc.Revoke(f.admin, g.ID, "再次撤销")
	wantCode(t, err, sharing.CodeGrantRevoked)
	_, err = f.svc.Live(f.market, principal(f.market), res.Code, 0)
	wantCode(t, err, sharing.CodeGrantRevoked)
	if !errors.Is(err, sharing.ErrGrantRevoked) {
		t.Errorf("%v does not match ErrGrantRevoked", err)
	}
}

func TestRequestRules(t *testing.T) {
	f := newFixture(t)
	cond := f.res[catalog.ShareConditional]
	in := sharing.RequestInput{ResourceCode: cond.Code, Fields: []string{"id_card"}, Purpose: "核验"}
	for _, tc := range []struct {
		name string
		ctx  context.Context
		edit func(*sharing.RequestInput)
		code string
	}{
		{"provider only", f.police, nil, "forbidden"},
		{"admin without consumer", f.admin, nil, "forbidden"},
		{"own resource", as(huitong.Principal{Kind: "user", Name: "gc", OrgUSCC: usccPolice, Roles: []string{"consumer"}}), nil, "own_resource"},
		{"not shared", f.market, func(in *sharing.RequestInput) { in.ResourceCode = f.res[catalog.ShareNone].Code }, "share_type_none"},
		{"unknown resource", f.market, func(in *sharing.RequestInput) { in.ResourceCode = "JC-000000000-0001" }, "resource_not_found"},
		{"no resource", f.market, func(in *sharing.RequestInput) { in.ResourceCode = "" }, "validation_failed"},
		{"unknown field", f.market, func(in *sharing.RequestInput) { in.Fields = []string{"income"} }, "validation_failed"},
		{"another org's app", f.county, func(in *sharing.RequestInput) { in.AppID = f.appID }, "validation_failed"},
		{"unknown app", f.market, func(in *sharing.RequestInput) { in.AppID = 999 }, "validation_failed"},
		{"own app", f.market, func(in *sharing.RequestInput) { in.AppID = f.appID }, ""},
		{"by an app", f.marketApp, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := in
			if tc.edit != nil {
				tc.edit(&in)
			}
			n := len(f.rec.entries)
			_, err := f.svc.Request(tc.ctx, in)
			wantCode(t, err, tc.code)
			if err == nil {
				return
			}
			recorded := len(f.rec.entries) > n
			if forbidden := huitong.ErrorKind(err) == huitong.Forbidden; recorded != forbidden {
				t.Errorf("recorded = %v for %v", recorded, err)
			}
			if recorded && (f.rec.last().Outcome != audit.Denied || f.rec.last().Reason != tc.code) {
				t.Errorf("denial record = %+v", f.rec.last())
			}
		})
	}
	_, err := f.svc.Request(f.market, sharing.RequestInput{ResourceCode: f.res[catalog.ShareNone].Code, Fields: []string{"id_card"}, Purpose: "x"})
	var he *huitong.Error
	if !errors.As(err, &he) || !strings.Contains(he.Message, "《中华人民共和国居民身份证法》第十九条") || !strings.Contains(he.MessageEN, "《中华人民共和国居民身份证法》第十九条") {
		t.Errorf("share_type_none does not name the legal basis: %v", err)
	}
	// An audit log that cannot record stops the request.
	f.rec.fail.Store(true)
	_, err = f.svc.Request(f.market, in)
	wantCode(t, err, "audit_unavailable")
	f.rec.fail.Store(false)
	page, _ := f.svc.List(f.market, sharing.ListQuery{})
	if len(page.Items) != 2 {
		t.Errorf("%d requests stored, want the 2 allowed ones", len(page.Items))
	}
}

func TestUnconditionalAndCountersign(t *testing.T) {
	f := newFixture(t)
	res := f.res[catalog.ShareUnconditional]
	r, err := f.svc.Request(f.marketApp, sharing.RequestInput{ResourceCode: res.Code, Fields: []string{"id_card", "gender"}, Purpose: "企业开办", AppID: f.appID})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != sharing.StatusApproved || r.GrantID == 0 || r.DecidedBy != sharing.SystemApprover || r.Terms == nil ||
		r.Terms.Rate != sharing.DefaultRate || r.Terms.DailyQuota != sharing.DefaultDailyQuota || len(r.Terms.UnmaskedFields) != 0 {
		t.Fatalf("unconditional request = %+v", r)
	}
	g, err := f.svc.GetGrant(f.police, r.GrantID)
	if err != nil || g.ApprovedBy != sharing.SystemApprover || g.AppID != f.appID || !g.ExpiresAt.Equal(t0.Add(sharing.DefaultTerm)) {
		t.Fatalf("grant = %+v, %v", g, err)
	}
	// Bound to the app: its people may not use it.
	if _, err := f.svc.Live(f.marketApp, principal(f.marketApp), res.Code, 0); err != nil {
		t.Errorf("Live(app) = %v", err)
	}
	_, err = f.svc.Live(f.market, principal(f.market), res.Code, 0)
	wantCode(t, err, sharing.CodeNoGrant)
	_, err = f.svc.Live(f.market, principal(f.market), res.Code, g.ID)
	wantCode(t, err, sharing.CodeNoGrant)

	// A level-4 field waits for an admin, even when unconditional.
	r4, err := f.svc.Request(f.market, sharing.RequestInput{ResourceCode: res.Code, Fields: []string{"id_card", "diagnosis"}, Purpose: "医保核验"})
	if err != nil || r4.Status != sharing.StatusCountersign || r4.GrantID != 0 || r4.Terms == nil {
		t.Fatalf("level-4 request = %+v, %v", r4, err)
	}
	// And a conditional one after the provider's approval.
	cond := f.res[catalog.ShareConditional]
	rc, err := f.svc.Request(f.market, sharing.RequestInput{ResourceCode: cond.Code, Fields: []string{"id_card", "diagnosis"}, Purpose: "医保核验"})
	if err != nil {
		t.Fatal(err)
	}
	rc, err = f.svc.Approve(f.police, rc.ID, sharing.Approval{Rate: 3})
	if err != nil || rc.Status != sharing.StatusCountersign || rc.GrantID != 0 || rc.Terms.Rate != 3 {
		t.Fatalf("approved level-4 = %+v, %v", rc, err)
	}
	if e := f.rec.last(); e.Detail["restricted_fields"] != "diagnosis" || e.Detail["status"] != sharing.StatusCountersign {
		t.Errorf("approve record = %+v", e)
	}
	_, err = f.svc.Live(f.market, principal(f.market), cond.Code, 0)
	wantCode(t, err, sharing.CodeNoGrant)
	// Admins list what waits for them.
	page, err := f.svc.List(f.admin, sharing.ListQuery{Status: sharing.StatusCountersign})
	if err != nil || len(page.Items) != 2 || page.Items[0].ID != rc.ID {
		t.Fatalf("awaiting countersign = %+v, %v", page, err)
	}
	_, err = f.svc.Countersign(f.police, rc.ID, "")
	wantCode(t, err, "forbidden")
	if e := f.rec.last(); e.Action != sharing.ActionCountersign || e.Outcome != audit.Denied {
		t.Errorf("countersign denial record = %+v", e)
	}
	_, err = f.svc.Approve(f.police, rc.ID, sharing.Approval{})
	wantCode(t, err, "request_not_pending")
	cs, err := f.svc.Countersign(f.admin, rc.ID, "同意会签")
	if err != nil || cs.Status != sharing.StatusApproved || cs.GrantID == 0 || cs.CountersignedBy != "user:admin" || cs.CountersignComment != "同意会签" {
		t.Fatalf("countersigned = %+v, %v", cs, err)
	}
	if e := f.rec.last(); e.Action != sharing.ActionCountersign || e.Rule != "role:admin" || e.Detail["grant_id"] != fmt.Sprint(cs.GrantID) {
		t.Errorf("countersign record = %+v", e)
	}
	g, err = f.svc.Live(f.market, principal(f.market), cond.Code, 0)
	if err != nil || g.CountersignedBy != "user:admin" || g.ApprovedBy != "user:ga" || g.Rate != 3 || !g.Has("diagnosis") {
		t.Errorf("countersigned grant = %+v, %v", g, err)
	}
	_, err = f.svc.Countersign(f.admin, rc.ID, "")
	wantCode(t, err, "request_not_awaiting_countersign")

	// An admin may refuse instead; an admin does not decide pending ones.
	_, err = f.svc.Reject(f.admin, r4.ID, "")
	wantCode(t, err, "validation_failed")
	rj, err := f.svc.Reject(f.admin, r4.ID, "病历信息不宜共享")
	if err != nil || rj.Status != sharing.StatusRejected || rj.CountersignedBy != "user:admin" || rj.DecidedBy != sharing.SystemApprover {
		t.Fatalf("refused = %+v, %v", rj, err)
	}
	pending, _ := f.svc.Request(f.market, sharing.RequestInput{ResourceCode: cond.Code, Fields: []string{"gender"}, Purpose: "统计"})
	_, err = f.svc.Reject(f.admin, pending.ID, "不行")
	wantCode(t, err, "not_provider")
	rj, err = f.svc.Reject(f.police, pending.ID, "用途不明确")
	if err != nil || rj.Status != sharing.StatusRejected || rj.Reason != "用途不明确" || rj.DecidedBy != "user:ga" {
		t.Fatalf("rejected = %+v, %v", rj, err)
	}
	_, err = f.svc.Reject(f.police, pending.ID, "again")
	wantCode(t, err, "request_not_pending")
	// A countersignature whose terms ran out meanwhile is refused.
	late, _ := f.svc.Request(f.market, sharing.RequestInput{ResourceCode: cond.Code, Fields: []string{"diagnosis"}, Purpose: "x", ExpiresAt: t0.Add(time.Hour)})
	if _, err := f.svc.Approve(f.police, late.ID, sharing.Approval{}); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(2 * time.Hour)
	_, err = f.svc.Countersign(f.admin, late.ID, "")
	wantCode(t, err, "terms_expired")
	// A field the resource dropped after the approval is not granted by
	// the countersignature: the provider decides again.
	dropped, _ := f.svc.Request(f.market, sharing.RequestInput{ResourceCode: cond.Code, Fields: []string{"id_card", "diagnosis"}, Purpose: "y"})
	if _, err := f.svc.Approve(f.police, dropped.ID, sharing.Approval{}); err != nil {
		t.Fatal(err)
	}
	cur, err := f.db.GetResource(context.Background(), cond.Code)
	if err != nil {
		t.Fatal(err)
	}
	next := cur
	next.Version++
	next.Fields = slices.DeleteFunc(slices.Clone(cur.Fields), func(fd catalog.Field) bool { return fd.Name == "diagnosis" })
	if _, err := f.db.UpdateResource(context.Background(), next, cur.Version); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Countersign(f.admin, dropped.ID, "")
	wantCode(t, err, "validation_failed")
}

func TestConcurrentApprovals(t *testing.T) {
	f := newFixture(t)
	res := f.res[catalog.ShareConditional]
	r, err := f.svc.Request(f.market, sharing.RequestInput{ResourceCode: res.Code, Fields: []string{"gender"}, Purpose: "统计"})
	if err != nil {
		t.Fatal(err)
	}
	const n = 8
	var wg sync.WaitGroup
	codes := make(chan string, n)
	for range n {
		wg.Go(func() {
			_, err := f.svc.Approve(f.police, r.ID, sharing.Approval{})
			codes <- huitong.ErrorCode(err)
		})
	}
	wg.Wait()
	close(codes)
	count := map[string]int{}
	for c := range codes {
		count[c]++
	}
	if count["internal"] != 1 || count["request_not_pending"] != n-1 {
		// "internal" is the code of a nil error.
		t.Errorf("outcomes = %v, want one success and %d request_not_pending", count, n-1)
	}
	page, _ := f.svc.Grants(f.police, sharing.GrantQuery{Role: "provider"})
	if len(page.Items) != 1 {
		t.Errorf("%d grants, want 1", len(page.Items))
	}
	// Every approval that got past the status check was recorded before it
	// ran, and each one that lost the race in the store was recorded again.
	allowed, failed := 0, 0
	for _, e := range f.rec.entries {
		switch {
		case e.Action != sharing.ActionApprove:
		case e.Outcome == audit.Allowed:
			allowed++
		case e.Outcome == audit.Failed && e.Reason == "request_not_pending":
			failed++
		}
	}
	if allowed != failed+1 {
		t.Errorf("%d approval records and %d failure records, want one more of the first", allowed, failed)
	}
}

func TestListing(t *testing.T) {
	f := newFixture(t)
	cond := f.res[catalog.ShareConditional]
	var ids []int64
	for i := range 5 {
		r, err := f.svc.Request(f.market, sharing.RequestInput{ResourceCode: cond.Code, Fields: []string{"gender"}, Purpose: fmt.Sprint("用途", i)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append([]int64{r.ID}, ids...)
	}
	if _, err := f.svc.Request(f.county, sharing.RequestInput{ResourceCode: cond.Code, Fields: []string{"gender"}, Purpose: "县里"}); err != nil {
		t.Fatal(err)
	}
	var got []int64
	tok := ""
	for {
		page, err := f.svc.List(f.market, sharing.ListQuery{Role: "consumer", Limit: 2, PageToken: tok})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Items {
			got = append(got, r.ID)
		}
		if tok = page.NextPageToken; tok == "" {
			break
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(ids) {
		t.Errorf("paged = %v, want %v", got, ids)
	}
	for _, tc := range []struct {
		name string
		ctx  context.Context
		q    sharing.ListQuery
		n    int
		code string
	}{
		{"provider inbox", f.police, sharing.ListQuery{Role: "provider", Status: "pending"}, 6, ""},
		{"provider default", f.police, sharing.ListQuery{}, 6, ""},
		{"county as consumer", f.county, sharing.ListQuery{}, 1, ""},
		{"county as provider", f.county, sharing.ListQuery{Role: "provider"}, 0, ""},
		{"admin all", f.admin, sharing.ListQuery{}, 6, ""},
		{"auditor all", f.auditor, sharing.ListQuery{}, 6, ""},
		{"consumer as provider", f.market, sharing.ListQuery{Role: "provider"}, 0, "forbidden"},
		{"bad role", f.market, sharing.ListQuery{Role: "boss"}, 0, "invalid_parameter"},
		{"bad status", f.market, sharing.ListQuery{Status: "done"}, 0, "invalid_parameter"},
		{"bad token", f.market, sharing.ListQuery{PageToken: "!!"}, 0, "invalid_page_token"},
	} {
		page, err := f.svc.List(tc.ctx, tc.q)
		if tc.code != "" {
			if huitong.ErrorCode(err) != tc.code {
				t.Errorf("%s: error %v, want %s", tc.name, err, tc.code)
			}
			continue
		}
		if err != nil || len(page.Items) != tc.n {
			t.Errorf("%s: %d items, %v; want %d", tc.name, len(page.Items), err, tc.n)
		}
	}
	if _, err := f.svc.Grants(f.market, sharing.GrantQuery{Status: "pending"}); huitong.ErrorCode(err) != "invalid_parameter" {
		t.Errorf("Grants(bad status) = %v", err)
	}
}

// TestRefusalOfHugeInput checks that a refused request with an oversized
// code and purpose is still recorded (clipped) and answered 403.
func TestRefusalOfHugeInput(t *testing.T) {
	f := newFixture(t)
	huge := strings.Repeat("码", 100_000)
	_, err := f.svc.Request(f.police, sharing.RequestInput{ResourceCode: huge, Fields: []string{"x"}, Purpose: huge})
	wantCode(t, err, "forbidden")
	e := f.rec.last()
	if e.Outcome != audit.Denied || len([]rune(e.Object)) > 200 || len([]rune(e.Purpose)) > sharing.MaxPurpose {
		t.Errorf("record of a huge refusal: object %d runes, purpose %d runes", len([]rune(e.Object)), len([]rune(e.Purpose)))
	}
}
