package main

import (
	"fmt"
	"testing"
	"time"

	"huitong/internal/catalog"
	"huitong/internal/org"
	"huitong/internal/sharing"
	"huitong/internal/stats"
)

func TestStats(t *testing.T) { statsFlow(t, testMain(t, false, "")) }

func TestStatsPostgres(t *testing.T) { statsFlow(t, testMain(t, false, pgDSN(t))) }

// statsFlow requests, grants, reads and is refused through the API, then
// checks that the dashboard counts exactly that, and who may see it.
func statsFlow(t *testing.T, m *Main) {
	admin, police, market := setupOrgs(t, m)
	admin.want(201, "POST", "/api/v1/users", org.UserInput{Username: "sj", Password: "Auditor2026", OrgUSCC: defaultOperatorUSCC, Roles: []string{"auditor"}})
	auditor := login(t, m, "sj", "Auditor2026")

	// Before anything happens the dashboard is empty, not an error.
	var d stats.Dashboard
	admin.want(200, "GET", "/api/v1/stats/dashboard", nil).decode(t, &d)
	if d.Days != 30 || len(d.Exchanges.Days) != 30 || d.Exchanges.Total != 0 || len(d.TopRequested) != 0 || d.Refusals.Total != 0 {
		t.Fatalf("empty dashboard = %+v", d)
	}

	people := peopleResource(t, police)
	if b := police.batch(people.Code, "text/csv", "", []byte(peopleCSV)); b.Rows != 5 || b.Accepted != 2 {
		t.Fatalf("batch = %+v", b)
	}
	in := populationInput("")
	in.Name, in.ShareType, in.ShareCondition = "户籍地址信息", catalog.ShareUnconditional, ""
	var open catalog.Resource
	police.want(201, "POST", "/api/v1/resources", in).decode(t, &open)
	in.Name, in.ShareType, in.ShareCondition = "流动人口信息", catalog.ShareConditional, "用于法定职责"
	var waiting catalog.Resource
	police.want(201, "POST", "/api/v1/resources", in).decode(t, &waiting)

	// Refused before the grant, then granted and read twice.
	path := "/api/v1/exchange/" + people.Code
	query := map[string]any{"where": map[string]any{"id_card": "11010519491231002X"}, "fields": []string{"name"}, "purpose": "低保资格审核"}
	market.wantErr(403, "no_grant", "POST", path+"/query", query)
	var req sharing.Request
	market.want(201, "POST", "/api/v1/requests", map[string]any{"resource_code": people.Code, "fields": []string{"id_card", "name"}, "purpose": "低保资格审核"}).decode(t, &req)
	police.want(200, "POST", fmt.Sprintf("/api/v1/requests/%d/approve", req.ID), map[string]any{})
	market.want(200, "POST", path+"/query", query)
	market.want(200, "POST", path+"/verify", map[string]any{"where": map[string]any{"id_card": "11010519491231002X"}, "match": map[string]any{"name": "张三"}})
	// An unconditional resource is granted at once; a conditional one waits.
	market.want(201, "POST", "/api/v1/requests", map[string]any{"resource_code": open.Code, "fields": []string{"id_card"}, "purpose": "户籍核验"})
	market.want(201, "POST", "/api/v1/requests", map[string]any{"resource_code": waiting.Code, "fields": []string{"id_card"}, "purpose": "户籍核验"})
	// A failed login is a refusal too.
	(&client{t: t, base: m.InternalURL()}).wantErr(401, "invalid_credentials", "POST", "/api/v1/auth/login", map[string]string{"username": "sc", "password": "wrong"})

	// Who may see it: admins and auditors.
	market.wantErr(403, "forbidden", "GET", "/api/v1/stats/dashboard", nil)
	police.wantErr(403, "forbidden", "GET", "/api/v1/stats/dashboard", nil)
	(&client{t: t, base: m.InternalURL()}).wantErr(401, "unauthenticated", "GET", "/api/v1/stats/dashboard", nil)
	(&client{t: t, base: m.PublicURL()}).wantErr(404, "route_not_found", "GET", "/api/v1/stats/dashboard", nil)
	auditor.wantErr(400, "invalid_days", "GET", "/api/v1/stats/dashboard?days=367", nil)
	auditor.wantErr(400, "invalid_parameter", "GET", "/api/v1/stats/dashboard?days=week", nil)

	d = stats.Dashboard{}
	auditor.want(200, "GET", "/api/v1/stats/dashboard?days=7", nil).decode(t, &d)
	today := time.Now().In(time.FixedZone("UTC+8", 8*3600)).Format(stats.DayLayout)
	if d.Days != 7 || len(d.Exchanges.Days) != 7 || d.To != today || d.Exchanges.Days[6] != d.To || d.From != d.Exchanges.Days[0] {
		t.Errorf("window: %d days %s..%s, days %v; today is %s", d.Days, d.From, d.To, d.Exchanges.Days, today)
	}

	ex := d.Exchanges
	if ex.Total != 2 || len(ex.Orgs) != 1 || ex.Orgs[0].USCC != usccMarket || ex.Orgs[0].Name != "湖州市市场监督管理局" || ex.Orgs[0].Total != 2 || sum(ex.Orgs[0].Counts) != 2 {
		t.Errorf("exchanges = %+v", ex)
	}
	if len(d.TopRead) != 1 || d.TopRead[0] != (stats.ReadResource{Code: people.Code, Name: "人口基础信息", ProviderUSCC: usccPolice, ProviderName: "湖州市公安局", Reads: 2}) {
		t.Errorf("top read = %+v", d.TopRead)
	}
	requested := map[string]stats.RequestedResource{}
	for _, r := range d.TopRequested {
		requested[r.Code] = r
	}
	if len(d.TopRequested) != 3 || requested[people.Code].Requests != 1 || requested[people.Code].Approved != 1 ||
		requested[open.Code].Approved != 1 || requested[waiting.Code].Approved != 0 || requested[waiting.Code].Name != "流动人口信息" {
		t.Errorf("top requested = %+v", d.TopRequested)
	}
	at := d.ApprovalTime
	if at.Decided != 1 || at.Buckets[0].Key != "lt_1h" || at.Buckets[0].Count != 1 || at.Automatic != 1 || at.Pending != 1 ||
		at.AwaitingCountersign != 0 || at.OldestPendingAt == nil || at.OldestPendingHours > 1 {
		t.Errorf("approval time = %+v", at)
	}
	wantGrants := []stats.ShareTypeGrants{{ShareType: "conditional", Live: 1}, {ShareType: "unconditional", Live: 1}}
	if fmt.Sprint(d.GrantsByShareType) != fmt.Sprint(wantGrants) {
		t.Errorf("grants by share type = %+v, want %+v", d.GrantsByShareType, wantGrants)
	}
	if q := d.QualityByOrg; len(q) != 1 || q[0].USCC != usccPolice || q[0].Resources != 3 || q[0].Checked != 1 || q[0].Batches != 1 ||
		q[0].Rows != 5 || q[0].Accepted != 2 || q[0].Rejected != 3 || q[0].Validity == nil || *q[0].Validity != 40 {
		t.Errorf("quality by org = %+v", q)
	}
	ref := d.Refusals
	if ref.Total != 2 || sum(ref.Denied) != 2 || sum(ref.Failed) != 0 ||
		fmt.Sprint(ref.Reasons) != fmt.Sprint([]stats.KeyCount{{Key: "invalid_credentials", Count: 1}, {Key: "no_grant", Count: 1}}) ||
		fmt.Sprint(ref.Actions) != fmt.Sprint([]stats.KeyCount{{Key: "auth.login", Count: 1}, {Key: "exchange.query", Count: 1}}) {
		t.Errorf("refusals = %+v", ref)
	}
}

func sum(xs []int64) int64 {
	var n int64
	for _, x := range xs {
		n += x
	}
	return n
}
