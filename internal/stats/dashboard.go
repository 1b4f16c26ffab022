package stats

import (
	"cmp"
	"context"
	"math"
	"slices"
	"time"

	"huitong"
	"huitong/internal/audit"
)

// Window bounds and defaults of a dashboard.
const (
	DefaultDays = 30
	MaxDays     = 366
	// TopN is how many resources, reasons and actions a top list holds.
	TopN = 10
)

// DayOffset is the offset of China Standard Time from UTC: a dashboard's
// days start at midnight UTC+8. Stores group by it.
const DayOffset = 8 * time.Hour

// DayLayout formats a day of a dashboard.
const DayLayout = "2006-01-02"

var cst = time.FixedZone("CST", int(DayOffset/time.Second))

// ExchangeActions are the audit actions of the gateway's reads, which the
// dashboard counts as exchanges.
var ExchangeActions = []string{"exchange.query", "exchange.verify", "exchange.changes"}

// ApprovalBuckets are the upper bounds of the approval time buckets; a
// last, open bucket takes what is longer.
var ApprovalBuckets = []time.Duration{time.Hour, 4 * time.Hour, 24 * time.Hour, 72 * time.Hour, 7 * 24 * time.Hour}

// approvalKeys name the buckets of ApprovalBuckets, and the open one.
var approvalKeys = []string{"lt_1h", "1h_4h", "4h_24h", "1d_3d", "3d_7d", "gt_7d"}

// Window is the span [From, To) a dashboard covers.
type Window struct {
	From, To time.Time
}

// DayCount is a count on one day (UTC+8, formatted with DayLayout) for one
// key: an org's USCC, or an outcome. Name is the key's name, if it has one.
type DayCount struct {
	Day   string
	Key   string
	Name  string
	Count int64
}

// KeyCount is a count for one key (a reason, an action).
type KeyCount struct {
	Key   string `json:"key"`
	Count int64  `json:"count"`
}

// RequestedResource is a resource with the share requests made for it.
type RequestedResource struct {
	Code         string `json:"resource_code"`
	Name         string `json:"resource_name"`
	ProviderUSCC string `json:"provider_uscc"`
	ProviderName string `json:"provider_name"`
	Requests     int64  `json:"requests"`
	Approved     int64  `json:"approved"`
	Rejected     int64  `json:"rejected"`
}

// ReadResource is a resource with the gateway reads of it.
type ReadResource struct {
	Code         string `json:"resource_code"`
	Name         string `json:"resource_name"`
	ProviderUSCC string `json:"provider_uscc"`
	ProviderName string `json:"provider_name"`
	Reads        int64  `json:"reads"`
}

// ApprovalCounts are the requests decided in a window by the time they
// took: Buckets[i] counts the decisions that took less than
// ApprovalBuckets[i] (and at least the bound before), the last one those
// that took longer. Automatic counts requests for unconditional resources,
// granted on request and kept out of the buckets.
type ApprovalCounts struct {
	Buckets   []int64
	Automatic int64
}

// Pending are the requests that wait now.
type Pending struct {
	Pending             int64     // for the provider's decision
	AwaitingCountersign int64     // for an admin's countersignature
	Oldest              time.Time // creation of the oldest of either; zero when none waits
}

// ShareTypeGrants counts the grants on resources of one share type.
type ShareTypeGrants struct {
	ShareType string `json:"share_type"`
	Live      int64  `json:"live"`
	Expired   int64  `json:"expired"`
	Revoked   int64  `json:"revoked"`
}

// OrgQuality is one provider org's data quality.
type OrgQuality struct {
	USCC string `json:"uscc"`
	Name string `json:"name"`
	// Resources is how many catalog resources the org provides; Checked
	// how many of them had a batch in the window.
	Resources int64 `json:"resources"`
	Checked   int64 `json:"checked"`
	Batches   int64 `json:"batches"`
	Rows      int64 `json:"rows"`
	Accepted  int64 `json:"accepted"`
	Rejected  int64 `json:"rejected"`
	// Validity is the mean over the checked resources of each one's
	// accepted rows over all its rows, 0-100 with one decimal: the
	// validity (有效性) part of the ingest quality report, over the
	// window's batches. Nil when no resource was checked.
	Validity *float64 `json:"validity"`
}

// Store computes the aggregates. Every method is a few SQL aggregations;
// windows are [From, To) on the time of the record, request, decision or
// batch counted. Lists are in the order documented on each method.
type Store interface {
	// ExchangesByDay counts audit records of ExchangeActions with outcome
	// allowed, per day and actor org (Key, with its Name), ordered by day
	// and org.
	ExchangesByDay(ctx context.Context, w Window) ([]DayCount, error)
	// TopReadResources counts the same records per resource, the most read
	// first (then by code), at most limit of them.
	TopReadResources(ctx context.Context, w Window, limit int) ([]ReadResource, error)
	// TopRequestedResources counts share requests created in the window per
	// resource, the most requested first (then by code), at most limit.
	TopRequestedResources(ctx context.Context, w Window, limit int) ([]RequestedResource, error)
	// ApprovalTimes counts requests decided in the window by how long the
	// decision took, in the buckets bounded by bounds.
	ApprovalTimes(ctx context.Context, w Window, bounds []time.Duration) (ApprovalCounts, error)
	// PendingRequests counts the requests waiting now.
	PendingRequests(ctx context.Context) (Pending, error)
	// GrantsByShareType counts grants as they stand at now per share type
	// of their resource's current version, ordered by share type.
	GrantsByShareType(ctx context.Context, now time.Time) ([]ShareTypeGrants, error)
	// QualityByOrg sums, per provider org that has resources, the
	// committed and rejected batches created in the window, ordered by
	// USCC.
	QualityByOrg(ctx context.Context, w Window) ([]OrgQuality, error)
	// RefusalsByDay counts audit records with outcome denied or failed per
	// day and outcome (Key), ordered by day and outcome.
	RefusalsByDay(ctx context.Context, w Window) ([]DayCount, error)
	// RefusalReasons counts the same records per reason (the record's
	// error code; empty when it has none), the most frequent first (then
	// by reason), at most limit.
	RefusalReasons(ctx context.Context, w Window, limit int) ([]KeyCount, error)
	// RefusalActions counts them per action, likewise.
	RefusalActions(ctx context.Context, w Window, limit int) ([]KeyCount, error)
}

// Service answers the dashboard.
type Service struct {
	Store Store
	Now   func() time.Time
}

// DashboardQuery says which days a dashboard covers.
type DashboardQuery struct {
	// Days is how many days, up to and including today (UTC+8): 1 to
	// MaxDays; 0 means DefaultDays.
	Days int
}

// Dashboard is what the leaders' dashboard shows.
type Dashboard struct {
	GeneratedAt time.Time `json:"generated_at"`
	Days        int       `json:"days"`
	// From and To are the first and last day of the window (UTC+8,
	// YYYY-MM-DD), To being today.
	From         string              `json:"from"`
	To           string              `json:"to"`
	Exchanges    Exchanges           `json:"exchanges"`
	TopRequested []RequestedResource `json:"top_requested"`
	TopRead      []ReadResource      `json:"top_read"`
	ApprovalTime ApprovalTime        `json:"approval_time"`
	// GrantsByShareType counts every grant, whenever made, as it stands now.
	GrantsByShareType []ShareTypeGrants `json:"grants_by_share_type"`
	QualityByOrg      []OrgQuality      `json:"quality_by_org"`
	Refusals          Refusals          `json:"refusals"`
}

// Exchanges are the gateway's reads per day and consumer org.
type Exchanges struct {
	Total int64       `json:"total"`
	Days  []string    `json:"days"`
	Orgs  []OrgSeries `json:"orgs"`
}

// OrgSeries is one org's count per day; Counts[i] is for Days[i].
type OrgSeries struct {
	USCC   string  `json:"uscc"`
	Name   string  `json:"name"`
	Total  int64   `json:"total"`
	Counts []int64 `json:"counts"`
}

// ApprovalTime is how long providers took to decide requests in the window,
// and what waits now.
type ApprovalTime struct {
	Buckets []ApprovalBucket `json:"buckets"`
	// Decided is the sum of the buckets; Automatic counts grants given on
	// request for unconditional resources, which are not in them.
	Decided             int64      `json:"decided"`
	Automatic           int64      `json:"automatic"`
	Pending             int64      `json:"pending"`
	AwaitingCountersign int64      `json:"awaiting_countersign"`
	OldestPendingAt     *time.Time `json:"oldest_pending_at"`
	// OldestPendingHours is the age of the oldest waiting request, one
	// decimal; 0 when none waits.
	OldestPendingHours float64 `json:"oldest_pending_hours"`
}

// ApprovalBucket is one bucket: decisions that took at least MinHours and
// less than MaxHours (nil for the last, open bucket).
type ApprovalBucket struct {
	Key      string   `json:"key"`
	MinHours float64  `json:"min_hours"`
	MaxHours *float64 `json:"max_hours"`
	Count    int64    `json:"count"`
}

// Refusals are the access attempts that were denied or failed.
type Refusals struct {
	Total   int64      `json:"total"`
	Days    []string   `json:"days"`
	Denied  []int64    `json:"denied"`
	Failed  []int64    `json:"failed"`
	Reasons []KeyCount `json:"reasons"`
	Actions []KeyCount `json:"actions"`
}

func errDays() error {
	return huitong.Invalidf("invalid_days", "统计天数须在 1 到 %d 之间", "days must be between 1 and %d", MaxDays).
		WithDetails(huitong.FieldError{Field: "days", Code: "out_of_range", Message: "须在 1 到 366 之间", MessageEN: "must be between 1 and 366"})
}

// WindowOf returns the window of the last days days (UTC+8) up to and
// including the day of now.
func WindowOf(now time.Time, days int) Window {
	t := now.In(cst)
	end := time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, cst)
	return Window{From: end.AddDate(0, 0, -days).UTC(), To: end.UTC()}
}

// Days lists the days of w, formatted with DayLayout.
func (w Window) Days() []string {
	var out []string
	for d := w.From.In(cst); d.Before(w.To); d = d.AddDate(0, 0, 1) {
		out = append(out, d.Format(DayLayout))
	}
	return out
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Dashboard computes the dashboard for the days asked. Admins and auditors
// only. Errors: Unauthenticated, Forbidden, Invalid (invalid_days), Internal.
func (s *Service) Dashboard(ctx context.Context, q DashboardQuery) (Dashboard, error) {
	if _, err := huitong.Require(ctx, huitong.RoleAdmin, huitong.RoleAuditor); err != nil {
		return Dashboard{}, err
	}
	days := q.Days
	if days == 0 {
		days = DefaultDays
	}
	if days < 1 || days > MaxDays {
		return Dashboard{}, errDays()
	}
	now := s.now()
	w := WindowOf(now, days)
	dayList := w.Days()
	d := Dashboard{GeneratedAt: now.UTC(), Days: days, From: dayList[0], To: dayList[len(dayList)-1]}

	exchanges, err := s.Store.ExchangesByDay(ctx, w)
	if err != nil {
		return Dashboard{}, huitong.Fault("stats exchanges", err)
	}
	d.Exchanges = exchangeSeries(dayList, exchanges)
	if d.TopRequested, err = s.Store.TopRequestedResources(ctx, w, TopN); err != nil {
		return Dashboard{}, huitong.Fault("stats top requested", err)
	}
	if d.TopRead, err = s.Store.TopReadResources(ctx, w, TopN); err != nil {
		return Dashboard{}, huitong.Fault("stats top read", err)
	}
	if d.ApprovalTime, err = s.approvalTime(ctx, w, now); err != nil {
		return Dashboard{}, err
	}
	if d.GrantsByShareType, err = s.Store.GrantsByShareType(ctx, now); err != nil {
		return Dashboard{}, huitong.Fault("stats grants", err)
	}
	if d.QualityByOrg, err = s.Store.QualityByOrg(ctx, w); err != nil {
		return Dashboard{}, huitong.Fault("stats quality", err)
	}
	for i := range d.QualityByOrg {
		if v := d.QualityByOrg[i].Validity; v != nil {
			r := round1(*v)
			d.QualityByOrg[i].Validity = &r
		}
	}
	if d.Refusals, err = s.refusals(ctx, w, dayList); err != nil {
		return Dashboard{}, err
	}
	d.TopRequested = nonNil(d.TopRequested)
	d.TopRead = nonNil(d.TopRead)
	d.GrantsByShareType = nonNil(d.GrantsByShareType)
	d.QualityByOrg = nonNil(d.QualityByOrg)
	return d, nil
}

// exchangeSeries turns counts per day and org into one series per org,
// the busiest first.
func exchangeSeries(days []string, counts []DayCount) Exchanges {
	pos := make(map[string]int, len(days))
	for i, d := range days {
		pos[d] = i
	}
	byOrg := map[string]*OrgSeries{}
	ex := Exchanges{Days: days, Orgs: []OrgSeries{}}
	for _, c := range counts {
		i, ok := pos[c.Day]
		if !ok {
			continue
		}
		o := byOrg[c.Key]
		if o == nil {
			o = &OrgSeries{USCC: c.Key, Name: c.Name, Counts: make([]int64, len(days))}
			byOrg[c.Key] = o
		}
		o.Counts[i] += c.Count
		o.Total += c.Count
		ex.Total += c.Count
	}
	for _, o := range byOrg {
		ex.Orgs = append(ex.Orgs, *o)
	}
	slices.SortFunc(ex.Orgs, func(a, b OrgSeries) int {
		return cmp.Or(cmp.Compare(b.Total, a.Total), cmp.Compare(a.USCC, b.USCC))
	})
	return ex
}

func (s *Service) approvalTime(ctx context.Context, w Window, now time.Time) (ApprovalTime, error) {
	c, err := s.Store.ApprovalTimes(ctx, w, ApprovalBuckets)
	if err != nil {
		return ApprovalTime{}, huitong.Fault("stats approval times", err)
	}
	p, err := s.Store.PendingRequests(ctx)
	if err != nil {
		return ApprovalTime{}, huitong.Fault("stats pending requests", err)
	}
	a := ApprovalTime{Automatic: c.Automatic, Pending: p.Pending, AwaitingCountersign: p.AwaitingCountersign}
	lower := 0.0
	for i, key := range approvalKeys {
		b := ApprovalBucket{Key: key, MinHours: lower}
		if i < len(ApprovalBuckets) {
			h := ApprovalBuckets[i].Hours()
			b.MaxHours, lower = &h, h
		}
		if i < len(c.Buckets) {
			b.Count = c.Buckets[i]
		}
		a.Decided += b.Count
		a.Buckets = append(a.Buckets, b)
	}
	if !p.Oldest.IsZero() {
		t := p.Oldest.UTC()
		a.OldestPendingAt = &t
		a.OldestPendingHours = max(0, round1(now.Sub(t).Hours()))
	}
	return a, nil
}

func (s *Service) refusals(ctx context.Context, w Window, days []string) (Refusals, error) {
	counts, err := s.Store.RefusalsByDay(ctx, w)
	if err != nil {
		return Refusals{}, huitong.Fault("stats refusals", err)
	}
	r := Refusals{Days: days, Denied: make([]int64, len(days)), Failed: make([]int64, len(days))}
	pos := make(map[string]int, len(days))
	for i, d := range days {
		pos[d] = i
	}
	for _, c := range counts {
		i, ok := pos[c.Day]
		if !ok {
			continue
		}
		switch c.Key {
		case audit.Denied:
			r.Denied[i] += c.Count
		case audit.Failed:
			r.Failed[i] += c.Count
		default:
			continue
		}
		r.Total += c.Count
	}
	if r.Reasons, err = s.Store.RefusalReasons(ctx, w, TopN); err != nil {
		return Refusals{}, huitong.Fault("stats refusal reasons", err)
	}
	if r.Actions, err = s.Store.RefusalActions(ctx, w, TopN); err != nil {
		return Refusals{}, huitong.Fault("stats refusal actions", err)
	}
	r.Reasons, r.Actions = nonNil(r.Reasons), nonNil(r.Actions)
	return r, nil
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }

// nonNil makes an empty list encode as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
