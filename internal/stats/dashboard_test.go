package stats

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"huitong"
)

// fakeStore answers with fixed figures and remembers the window asked.
type fakeStore struct {
	w      Window
	now    time.Time
	limits []int
	err    error

	exchanges []DayCount
	refusals  []DayCount
	approvals ApprovalCounts
	pending   Pending
	quality   []OrgQuality
}

func (f *fakeStore) ExchangesByDay(_ context.Context, w Window) ([]DayCount, error) {
	f.w = w
	return f.exchanges, f.err
}

func (f *fakeStore) TopReadResources(_ context.Context, _ Window, limit int) ([]ReadResource, error) {
	f.limits = append(f.limits, limit)
	return nil, nil
}

func (f *fakeStore) TopRequestedResources(_ context.Context, _ Window, limit int) ([]RequestedResource, error) {
	f.limits = append(f.limits, limit)
	return nil, nil
}

func (f *fakeStore) ApprovalTimes(context.Context, Window, []time.Duration) (ApprovalCounts, error) {
	return f.approvals, nil
}

func (f *fakeStore) PendingRequests(context.Context) (Pending, error) { return f.pending, nil }

func (f *fakeStore) GrantsByShareType(_ context.Context, now time.Time) ([]ShareTypeGrants, error) {
	f.now = now
	return nil, nil
}

func (f *fakeStore) QualityByOrg(context.Context, Window) ([]OrgQuality, error) {
	return f.quality, nil
}

func (f *fakeStore) RefusalsByDay(context.Context, Window) ([]DayCount, error) {
	return f.refusals, nil
}

func (f *fakeStore) RefusalReasons(_ context.Context, _ Window, limit int) ([]KeyCount, error) {
	f.limits = append(f.limits, limit)
	return nil, nil
}

func (f *fakeStore) RefusalActions(_ context.Context, _ Window, limit int) ([]KeyCount, error) {
	f.limits = append(f.limits, limit)
	return nil, nil
}

var cstTest = time.FixedZone("UTC+8", 8*3600)

// now is 01:30 on 10 March in UTC+8, still the 9th in UTC.
var now = time.Date(2026, 3, 10, 1, 30, 0, 0, cstTest)

func as(roles ...string) context.Context {
	return huitong.WithPrincipal(context.Background(), &huitong.Principal{Kind: huitong.PrincipalUser, Name: "u", OrgUSCC: "11330500MB1C72860Q", Roles: roles})
}

func TestDashboardAccess(t *testing.T) {
	for _, tc := range []struct {
		name string
		ctx  context.Context
		kind huitong.Kind // 0 (Internal) means allowed
	}{
		{"anonymous", context.Background(), huitong.Unauthenticated},
		{"consumer", as(huitong.RoleConsumer), huitong.Forbidden},
		{"provider", as(huitong.RoleProvider), huitong.Forbidden},
		{"issuer", as(huitong.RoleIssuer), huitong.Forbidden},
		{"citizen", as(huitong.RoleCitizen), huitong.Forbidden},
		{"admin", as(huitong.RoleAdmin), 0},
		{"auditor", as(huitong.RoleAuditor), 0},
		{"consumer and auditor", as(huitong.RoleConsumer, huitong.RoleAuditor), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := &fakeStore{}
			s := &Service{Store: st, Now: func() time.Time { return now }}
			_, err := s.Dashboard(tc.ctx, DashboardQuery{})
			if tc.kind == 0 {
				if err != nil {
					t.Fatalf("Dashboard = %v, want no error", err)
				}
				return
			}
			if huitong.ErrorKind(err) != tc.kind {
				t.Fatalf("Dashboard = %v, want kind %v", err, tc.kind)
			}
			if !st.w.From.IsZero() {
				t.Error("the store was asked for a refused caller")
			}
		})
	}
}

func TestDashboardDays(t *testing.T) {
	for _, tc := range []struct {
		days     int
		wantDays int
		from     string
		invalid  bool
	}{
		{days: 0, wantDays: 30, from: "2026-02-09"},
		{days: 1, wantDays: 1, from: "2026-03-10"},
		{days: 7, wantDays: 7, from: "2026-03-04"},
		{days: 366, wantDays: 366, from: "2025-03-10"},
		{days: 367, invalid: true},
		{days: -1, invalid: true},
		{days: -30, invalid: true},
	} {
		st := &fakeStore{}
		s := &Service{Store: st, Now: func() time.Time { return now }}
		d, err := s.Dashboard(as(huitong.RoleAdmin), DashboardQuery{Days: tc.days})
		if tc.invalid {
			if huitong.ErrorKind(err) != huitong.Invalid || huitong.ErrorCode(err) != "invalid_days" {
				t.Errorf("days %d: err = %v, want invalid_days", tc.days, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("days %d: %v", tc.days, err)
		}
		if d.Days != tc.wantDays || d.From != tc.from || d.To != "2026-03-10" || len(d.Exchanges.Days) != tc.wantDays ||
			len(d.Refusals.Days) != tc.wantDays || d.Exchanges.Days[0] != tc.from {
			t.Errorf("days %d: dashboard covers %d days %s..%s (%d listed)", tc.days, d.Days, d.From, d.To, len(d.Exchanges.Days))
		}
		wantTo := time.Date(2026, 3, 11, 0, 0, 0, 0, cstTest)
		if !st.w.To.Equal(wantTo) || !st.w.From.Equal(wantTo.AddDate(0, 0, -tc.wantDays)) {
			t.Errorf("days %d: window %v, want [%v - %d days, %v)", tc.days, st.w, wantTo, tc.wantDays, wantTo)
		}
		if !st.now.Equal(now) {
			t.Errorf("grants counted at %v, want %v", st.now, now)
		}
		if d := cmp.Diff([]int{TopN, TopN, TopN, TopN}, st.limits); d != "" {
			t.Errorf("top list limits (-want +got):\n%s", d)
		}
	}
}

func TestDashboardFigures(t *testing.T) {
	const a, b = "11330500002486211M", "11330500MB1A354275"
	v := 89.0909
	st := &fakeStore{
		exchanges: []DayCount{
			{Day: "2026-03-08", Key: a, Name: "公安局", Count: 2},
			{Day: "2026-03-09", Key: b, Name: "市场监管局", Count: 5},
			{Day: "2026-03-10", Key: a, Name: "公安局", Count: 1},
			{Day: "2026-03-01", Key: b, Name: "市场监管局", Count: 9}, // outside: ignored
		},
		refusals:  []DayCount{{Day: "2026-03-09", Key: "denied", Count: 3}, {Day: "2026-03-10", Key: "failed", Count: 1}},
		approvals: ApprovalCounts{Buckets: []int64{1, 2, 0, 0, 0, 4}, Automatic: 7},
		pending:   Pending{Pending: 2, AwaitingCountersign: 1, Oldest: now.Add(-36*time.Hour - 15*time.Minute)},
		quality:   []OrgQuality{{USCC: a, Validity: &v}, {USCC: b}},
	}
	s := &Service{Store: st, Now: func() time.Time { return now }}
	d, err := s.Dashboard(as(huitong.RoleAuditor), DashboardQuery{Days: 3})
	if err != nil {
		t.Fatal(err)
	}
	days := []string{"2026-03-08", "2026-03-09", "2026-03-10"}
	wantEx := Exchanges{Total: 8, Days: days, Orgs: []OrgSeries{
		{USCC: b, Name: "市场监管局", Total: 5, Counts: []int64{0, 5, 0}},
		{USCC: a, Name: "公安局", Total: 3, Counts: []int64{2, 0, 1}},
	}}
	if diff := cmp.Diff(wantEx, d.Exchanges); diff != "" {
		t.Errorf("exchanges (-want +got):\n%s", diff)
	}
	wantRef := Refusals{Total: 4, Days: days, Denied: []int64{0, 3, 0}, Failed: []int64{0, 0, 1}, Reasons: []KeyCount{}, Actions: []KeyCount{}}
	if diff := cmp.Diff(wantRef, d.Refusals); diff != "" {
		t.Errorf("refusals (-want +got):\n%s", diff)
	}
	at := d.ApprovalTime
	if at.Decided != 7 || at.Automatic != 7 || at.Pending != 2 || at.AwaitingCountersign != 1 || at.OldestPendingHours != 36.3 ||
		at.OldestPendingAt == nil || !at.OldestPendingAt.Equal(st.pending.Oldest) {
		t.Errorf("approval time = %+v", at)
	}
	var keys []string
	for _, b := range at.Buckets {
		keys = append(keys, b.Key)
	}
	if diff := cmp.Diff([]string{"lt_1h", "1h_4h", "4h_24h", "1d_3d", "3d_7d", "gt_7d"}, keys); diff != "" {
		t.Errorf("bucket keys (-want +got):\n%s", diff)
	}
	if last := at.Buckets[5]; last.MaxHours != nil || last.MinHours != 168 || last.Count != 4 {
		t.Errorf("last bucket = %+v", last)
	}
	if first := at.Buckets[0]; first.MaxHours == nil || *first.MaxHours != 1 || first.MinHours != 0 {
		t.Errorf("first bucket = %+v", first)
	}
	if q := d.QualityByOrg; len(q) != 2 || q[0].Validity == nil || *q[0].Validity != 89.1 || q[1].Validity != nil {
		t.Errorf("quality = %+v", q)
	}

	// Empty lists are [] in JSON, never null, so that a page can draw them.
	js, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.Unmarshal(js, &m)
	for _, k := range []string{"top_requested", "top_read", "grants_by_share_type"} {
		if l, ok := m[k].([]any); !ok || len(l) != 0 {
			t.Errorf("%s = %#v, want []", k, m[k])
		}
	}
}

func TestDashboardStoreFailure(t *testing.T) {
	s := &Service{Store: &fakeStore{err: errors.New("disk on fire")}, Now: func() time.Time { return now }}
	_, err := s.Dashboard(as(huitong.RoleAdmin), DashboardQuery{})
	if huitong.ErrorKind(err) != huitong.Internal {
		t.Fatalf("Dashboard = %v, want an internal fault", err)
	}
	var he *huitong.Error
	if !errors.As(err, &he) || he.MessageEN != "internal error" {
		t.Errorf("a store failure shows %v to the caller", err)
	}
}

func TestWindowDays(t *testing.T) {
	w := WindowOf(time.Date(2026, 12, 31, 23, 59, 0, 0, cstTest), 3)
	if d := cmp.Diff([]string{"2026-12-29", "2026-12-30", "2026-12-31"}, w.Days()); d != "" {
		t.Errorf("Days (-want +got):\n%s", d)
	}
	// 16:00 UTC is the next day's midnight in UTC+8.
	w = WindowOf(time.Date(2026, 2, 28, 16, 0, 0, 0, time.UTC), 1)
	if d := cmp.Diff([]string{"2026-03-01"}, w.Days()); d != "" {
		t.Errorf("Days at UTC+8 midnight (-want +got):\n%s", d)
	}
}
