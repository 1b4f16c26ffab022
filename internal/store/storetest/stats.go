package storetest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/mod/sumdb/tlog"

	"huitong/internal/audit"
	"huitong/internal/catalog"
	"huitong/internal/ingest"
	"huitong/internal/sharing"
	"huitong/internal/stats"
	"huitong/internal/store"
)

// cst is China Standard Time, in which the dashboard's days begin.
var cst = time.FixedZone("CST", 8*3600)

// at is a time on a March 2026 day, in China Standard Time.
func at(day, hour, minute int) time.Time {
	return time.Date(2026, 3, day, hour, minute, 0, 0, cst).UTC()
}

// appendAudit stores records as the log's next entries from first.
func appendAudit(t *testing.T, db *store.DB, mem memHashes, first int64, recs []audit.Record) {
	t.Helper()
	var stored []audit.Stored
	var hashes []tlog.Hash
	for i, r := range recs {
		r.Index = first + int64(i)
		data, err := r.Encode()
		if err != nil {
			t.Fatal(err)
		}
		hs, err := tlog.StoredHashes(r.Index, data, mem)
		if err != nil {
			t.Fatal(err)
		}
		base := tlog.StoredHashIndex(0, r.Index)
		for j, h := range hs {
			mem[base+int64(j)] = h
		}
		hashes = append(hashes, hs...)
		stored = append(stored, audit.Stored{Index: r.Index, Data: data, Time: r.Time, ActorOrg: r.ActorOrg,
			Action: r.Action, Object: r.Object, Outcome: r.Outcome})
	}
	if err := db.AuditAppend(t.Context(), first, stored, hashes); err != nil {
		t.Fatal(err)
	}
}

// statsRequest stores a request of org C in its final state, with its
// grant when it has one.
func statsRequest(t *testing.T, db *store.DB, res catalog.Resource, created time.Time, status, decidedBy string, took time.Duration, grantExpires time.Time) *sharing.Grant {
	t.Helper()
	ctx := t.Context()
	id, err := db.NextShareRequestID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r := sharing.Request{ID: id, ResourceCode: res.Code, ResourceName: res.Name, ProviderUSCC: res.ProviderUSCC,
		ConsumerUSCC: usccC, ConsumerName: "德清县公安局", Fields: []string{"id_card"}, Purpose: "户籍核验",
		ExpiresAt: created.AddDate(1, 0, 0), Status: status, RequestedBy: "user:dq", CreatedAt: created}
	if decidedBy != "" {
		r.DecidedBy, r.DecidedAt = decidedBy, created.Add(took)
	}
	var g *sharing.Grant
	if status == sharing.StatusApproved {
		g = grantFor(t, db, r, 0, grantExpires)
		g.CreatedAt, g.ApprovedBy, r.GrantID = r.DecidedAt, decidedBy, g.ID
	}
	if err := db.CreateShareRequest(ctx, r, g); err != nil {
		t.Fatal(err)
	}
	return g
}

// statsBatch stores a finished batch of a resource.
func statsBatch(t *testing.T, db *store.DB, res catalog.Resource, created time.Time, status string, rows, accepted int64) {
	t.Helper()
	b := ingest.Batch{ResourceCode: res.Code, Version: res.Version, Mode: "upsert", Format: "csv", Status: "processing",
		Columns: []ingest.Column{}, Unknown: []string{}, CreatedBy: "user:ga", CreatedAt: created}
	var err error
	if b.ID, err = db.CreateBatch(t.Context(), b); err != nil {
		t.Fatal(err)
	}
	b.Status, b.Rows, b.Accepted, b.Rejected, b.FinishedAt = status, rows, accepted, rows-accepted, created.Add(time.Minute)
	if err := db.FinishBatch(t.Context(), b); err != nil {
		t.Fatal(err)
	}
}

func testStats(t *testing.T, db *store.DB) {
	ctx := t.Context()
	now := at(10, 10, 0)
	w := stats.WindowOf(now, 3) // 8, 9 and 10 March, UTC+8
	if want := (stats.Window{From: at(8, 0, 0), To: at(11, 0, 0)}); w != want {
		t.Fatalf("WindowOf = %v, want %v", w, want)
	}

	// An empty database has nothing to count, and says so without error.
	if got, err := db.ExchangesByDay(ctx, w); err != nil || len(got) != 0 {
		t.Errorf("ExchangesByDay on empty = %v, %v", got, err)
	}
	if got, err := db.PendingRequests(ctx); err != nil || got != (stats.Pending{}) {
		t.Errorf("PendingRequests on empty = %+v, %v", got, err)
	}
	if got, err := db.ApprovalTimes(ctx, w, stats.ApprovalBuckets); err != nil || got.Automatic != 0 || len(got.Buckets) != 6 {
		t.Errorf("ApprovalTimes on empty = %+v, %v", got, err)
	}
	if got, err := db.QualityByOrg(ctx, w); err != nil || len(got) != 0 {
		t.Errorf("QualityByOrg on empty = %+v, %v", got, err)
	}

	mustOrgs(t, db)
	create := func(provider, name, prefix string, st catalog.ShareType) catalog.Resource {
		r := resource(provider, name)
		r.ShareType = st
		r, err := db.CreateResource(ctx, r, prefix)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	people := create(usccA, "人口基础信息", "JC-002486211", catalog.ShareConditional)
	address := create(usccA, "户籍地址信息", "JC-002486211", catalog.ShareUnconditional)
	license := create(usccB, "营业执照信息", "JC-MB1A35427", catalog.ShareConditional)

	obj := func(r catalog.Resource) string { return "resource:" + r.Code }
	rec := func(t time.Time, org, action, object, outcome, reason string) audit.Record {
		return audit.Record{Time: t, Actor: "user:x", ActorOrg: org, Action: action, Object: object, Outcome: outcome, Reason: reason}
	}
	appendAudit(t, db, memHashes{}, 0, []audit.Record{
		rec(at(7, 23, 59), usccB, "exchange.query", obj(people), audit.Allowed, ""), // the day before the window
		rec(at(8, 0, 0), usccB, "exchange.query", obj(people), audit.Allowed, ""),   // midnight UTC+8: 16:00 UTC the day before
		rec(at(8, 23, 30), usccB, "exchange.verify", obj(people), audit.Allowed, ""),
		rec(at(9, 7, 0), usccC, "exchange.changes", obj(address), audit.Allowed, ""), // 23:00 UTC on the 8th
		rec(at(9, 12, 0), usccB, "exchange.query", obj(license), audit.Allowed, ""),
		rec(at(10, 9, 0), usccC, "exchange.query", obj(people), audit.Allowed, ""),
		rec(at(10, 9, 30), usccB, "exchange.query", obj(people), audit.Denied, "no_grant"),
		rec(at(9, 10, 0), usccA, "catalog.update", obj(people), audit.Allowed, ""),
		rec(at(8, 10, 0), usccA, "catalog.create", "resource:", audit.Failed, "internal"),
		rec(at(9, 11, 0), "", "auth.login", "user:nobody", audit.Denied, "bad_credentials"),
		rec(at(10, 10, 30), usccB, "exchange.query", obj(address), audit.Denied, "no_grant"),
		rec(at(7, 20, 0), usccB, "exchange.query", obj(address), audit.Denied, "no_grant"), // before the window
		rec(at(9, 13, 0), usccB, "org.create", "org:", audit.Denied, ""),
	})

	gotEx, err := db.ExchangesByDay(ctx, w)
	if err != nil {
		t.Fatal(err)
	}
	wantEx := []stats.DayCount{
		{Day: "2026-03-08", Key: usccB, Name: "湖州市市场监督管理局", Count: 2},
		{Day: "2026-03-09", Key: usccB, Name: "湖州市市场监督管理局", Count: 1},
		{Day: "2026-03-09", Key: usccC, Name: "德清县公安局", Count: 1},
		{Day: "2026-03-10", Key: usccC, Name: "德清县公安局", Count: 1},
	}
	if d := cmp.Diff(wantEx, gotEx); d != "" {
		t.Errorf("ExchangesByDay (-want +got):\n%s", d)
	}
	gotRead, err := db.TopReadResources(ctx, w, 2)
	if err != nil {
		t.Fatal(err)
	}
	wantRead := []stats.ReadResource{
		{Code: people.Code, Name: "人口基础信息", ProviderUSCC: usccA, ProviderName: "湖州市公安局", Reads: 3},
		{Code: address.Code, Name: "户籍地址信息", ProviderUSCC: usccA, ProviderName: "湖州市公安局", Reads: 1}, // ties with license, by code
	}
	if d := cmp.Diff(wantRead, gotRead); d != "" {
		t.Errorf("TopReadResources (-want +got):\n%s", d)
	}
	gotRef, err := db.RefusalsByDay(ctx, w)
	if err != nil {
		t.Fatal(err)
	}
	wantRef := []stats.DayCount{
		{Day: "2026-03-08", Key: audit.Failed, Count: 1},
		{Day: "2026-03-09", Key: audit.Denied, Count: 2},
		{Day: "2026-03-10", Key: audit.Denied, Count: 2},
	}
	if d := cmp.Diff(wantRef, gotRef); d != "" {
		t.Errorf("RefusalsByDay (-want +got):\n%s", d)
	}
	gotReasons, err := db.RefusalReasons(ctx, w, 10)
	if err != nil {
		t.Fatal(err)
	}
	wantReasons := []stats.KeyCount{{Key: "no_grant", Count: 2}, {Key: "", Count: 1}, {Key: "bad_credentials", Count: 1}, {Key: "internal", Count: 1}}
	if d := cmp.Diff(wantReasons, gotReasons); d != "" {
		t.Errorf("RefusalReasons (-want +got):\n%s", d)
	}
	gotActions, err := db.RefusalActions(ctx, w, 3)
	if err != nil {
		t.Fatal(err)
	}
	wantActions := []stats.KeyCount{{Key: "exchange.query", Count: 2}, {Key: "auth.login", Count: 1}, {Key: "catalog.create", Count: 1}}
	if d := cmp.Diff(wantActions, gotActions); d != "" {
		t.Errorf("RefusalActions (-want +got):\n%s", d)
	}

	// Requests: created in the window or not, decided in it or not.
	far := now.AddDate(1, 0, 0)
	statsRequest(t, db, people, at(8, 9, 0), sharing.StatusApproved, "user:ga", 30*time.Minute, far)
	statsRequest(t, db, people, at(8, 10, 0), sharing.StatusRejected, "user:ga", 5*time.Hour, time.Time{})
	statsRequest(t, db, people, at(9, 8, 0), sharing.StatusPending, "", 0, time.Time{})
	statsRequest(t, db, address, at(9, 9, 0), sharing.StatusApproved, sharing.SystemApprover, 0, at(9, 12, 0))
	revoked := statsRequest(t, db, license, at(1, 10, 0), sharing.StatusApproved, "user:sc", 7*24*time.Hour+2*time.Hour, far)
	statsRequest(t, db, license, at(2, 10, 0), sharing.StatusPending, "", 0, time.Time{})
	statsRequest(t, db, people, at(9, 14, 0), sharing.StatusCountersign, "user:ga", 2*time.Hour, time.Time{})
	statsRequest(t, db, people, at(10, 8, 0), sharing.StatusApproved, "user:ga", time.Hour, far)
	statsRequest(t, db, license, time.Date(2026, 2, 20, 9, 0, 0, 0, cst), sharing.StatusRejected, "user:sc", 24*time.Hour, time.Time{})
	if err := db.RevokeGrant(ctx, revoked.ID, at(9, 0, 0), "user:sc", "停止使用"); err != nil {
		t.Fatal(err)
	}
	// Grants count under their resource's current share type.
	license.ShareType = catalog.ShareUnconditional
	if _, err := db.UpdateResource(ctx, license, 0); err != nil {
		t.Fatal(err)
	}

	gotReq, err := db.TopRequestedResources(ctx, w, 10)
	if err != nil {
		t.Fatal(err)
	}
	wantReq := []stats.RequestedResource{
		{Code: people.Code, Name: "人口基础信息", ProviderUSCC: usccA, ProviderName: "湖州市公安局", Requests: 5, Approved: 2, Rejected: 1},
		{Code: address.Code, Name: "户籍地址信息", ProviderUSCC: usccA, ProviderName: "湖州市公安局", Requests: 1, Approved: 1},
	}
	if d := cmp.Diff(wantReq, gotReq); d != "" {
		t.Errorf("TopRequestedResources (-want +got):\n%s", d)
	}
	if got, err := db.TopRequestedResources(ctx, w, 1); err != nil || len(got) != 1 || got[0].Code != people.Code {
		t.Errorf("TopRequestedResources(limit 1) = %+v, %v", got, err)
	}
	gotTimes, err := db.ApprovalTimes(ctx, w, stats.ApprovalBuckets)
	if err != nil {
		t.Fatal(err)
	}
	// <1h: 30m; 1-4h: exactly 1h and 2h (countersign pending); 4-24h: 5h;
	// >7d: 7d2h. The February decision is outside the window.
	wantTimes := stats.ApprovalCounts{Buckets: []int64{1, 2, 1, 0, 0, 1}, Automatic: 1}
	if d := cmp.Diff(wantTimes, gotTimes); d != "" {
		t.Errorf("ApprovalTimes (-want +got):\n%s", d)
	}
	gotPending, err := db.PendingRequests(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := (stats.Pending{Pending: 2, AwaitingCountersign: 1, Oldest: at(2, 10, 0)}); gotPending != want {
		t.Errorf("PendingRequests = %+v, want %+v", gotPending, want)
	}
	gotGrants, err := db.GrantsByShareType(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	wantGrants := []stats.ShareTypeGrants{
		{ShareType: "conditional", Live: 2},
		{ShareType: "unconditional", Expired: 1, Revoked: 1},
	}
	if d := cmp.Diff(wantGrants, gotGrants); d != "" {
		t.Errorf("GrantsByShareType (-want +got):\n%s", d)
	}

	// Batches: committed and rejected ones in the window count.
	statsBatch(t, db, people, at(8, 11, 0), ingest.StatusCommitted, 100, 90)
	statsBatch(t, db, people, at(9, 11, 0), ingest.StatusRejected, 10, 8)
	statsBatch(t, db, people, at(9, 12, 0), ingest.StatusFailed, 0, 0)
	statsBatch(t, db, address, at(10, 8, 0), ingest.StatusCommitted, 50, 50)
	statsBatch(t, db, address, at(1, 8, 0), ingest.StatusCommitted, 10, 0)
	gotQ, err := db.QualityByOrg(ctx, w)
	if err != nil {
		t.Fatal(err)
	}
	validityA := (100*98.0/110 + 100) / 2
	wantQ := []stats.OrgQuality{
		{USCC: usccA, Name: "湖州市公安局", Resources: 2, Checked: 2, Batches: 3, Rows: 160, Accepted: 148, Rejected: 12, Validity: &validityA},
		{USCC: usccB, Name: "湖州市市场监督管理局", Resources: 1},
	}
	if d := cmp.Diff(wantQ, gotQ, cmpopts.EquateApprox(0, 1e-9)); d != "" {
		t.Errorf("QualityByOrg (-want +got):\n%s", d)
	}
}
