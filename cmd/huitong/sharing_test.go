package main

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"huitong/internal/catalog"
	"huitong/internal/org"
	"huitong/internal/sharing"
)

// offsetClock is the real time moved by an offset the test sets, so that a
// grant's expiry can pass without waiting.
type offsetClock struct{ off atomic.Int64 }

func (c *offsetClock) Now() time.Time          { return time.Now().Add(time.Duration(c.off.Load())) }
func (c *offsetClock) Advance(d time.Duration) { c.off.Add(int64(d)) }

type requestPage struct {
	Items         []sharing.Request `json:"items"`
	NextPageToken string            `json:"next_page_token"`
}

type grantPage struct {
	Items         []sharing.Grant `json:"items"`
	NextPageToken string          `json:"next_page_token"`
}

const usccCounty = "11330521004211396D"

// decodeRequest and decodeGrant decode into fresh values, so that a field
// left out of an answer is not taken from an earlier one.
func decodeRequest(t *testing.T, r response) (v sharing.Request) {
	t.Helper()
	r.decode(t, &v)
	return v
}

func decodeGrant(t *testing.T, r response) (v sharing.Grant) {
	t.Helper()
	r.decode(t, &v)
	return v
}

func TestSharing(t *testing.T) { sharingFlow(t, testMain(t, false, "")) }

func TestSharingPostgres(t *testing.T) { sharingFlow(t, testMain(t, false, pgDSN(t))) }

// sharingFlow walks requests, approvals, countersignatures, grants, expiry
// and revocation through the API, and checks the audit log saw each step.
func sharingFlow(t *testing.T, m *Main) {
	clock := &offsetClock{}
	m.Sharing.Now = clock.Now // before the first call, so the server sees it
	admin, police, market := setupOrgs(t, m)
	admin.want(201, "POST", "/api/v1/orgs", org.OrgInput{USCC: usccCounty, Name: "德清县公安局", RegionCode: "330521", ParentUSCC: usccPolice})
	admin.want(201, "POST", "/api/v1/users", org.UserInput{Username: "dq", Password: "County2026", OrgUSCC: usccCounty, Roles: []string{"provider", "consumer"}})
	admin.want(201, "POST", "/api/v1/users", org.UserInput{Username: "sj", Password: "Auditor2026", OrgUSCC: usccCounty, Roles: []string{"auditor"}})
	county, auditor := login(t, m, "dq", "County2026"), login(t, m, "sj", "Auditor2026")

	resource := func(name string, st catalog.ShareType, restricted bool) catalog.Resource {
		in := populationInput("")
		in.Name, in.ShareType = name, st
		switch st {
		case catalog.ShareNone:
			in.ShareCondition, in.ShareMethod, in.LegalBasis = "", "", "《中华人民共和国居民身份证法》第十九条"
		case catalog.ShareUnconditional:
			in.ShareCondition = ""
		}
		if restricted {
			in.Fields = append(in.Fields, catalog.Field{Name: "diagnosis", Title: "诊断", Type: "string", Level: 4})
		}
		var r catalog.Resource
		police.want(201, "POST", "/api/v1/resources", in).decode(t, &r)
		return r
	}
	cond := resource("人口基础信息", catalog.ShareConditional, false)
	open := resource("户籍地址信息", catalog.ShareUnconditional, false)
	closed := resource("涉密人口信息", catalog.ShareNone, false)
	medical := resource("重点人群健康信息", catalog.ShareConditional, true)

	// A conditional resource: the request waits for the provider.
	requested := clock.Now().Add(200 * 24 * time.Hour).UTC().Truncate(time.Second)
	req := decodeRequest(t, market.want(201, "POST", "/api/v1/requests", map[string]any{"resource_code": cond.Code, "fields": []string{"name", "id_card", "address"},
		"purpose": "低保资格审核", "legal_basis": "《社会救助暂行办法》", "expires_at": requested.Format(time.RFC3339)}))
	if req.Status != sharing.StatusPending || req.ID == 0 || req.ConsumerUSCC != usccMarket || req.ConsumerName != "湖州市市场监督管理局" ||
		!req.ExpiresAt.Equal(requested) || req.ResourceName != "人口基础信息" {
		t.Fatalf("request = %+v", req)
	}
	reqPath := fmt.Sprintf("/api/v1/requests/%d", req.ID)
	var inbox requestPage
	police.want(200, "GET", "/api/v1/requests?role=provider&status=pending", nil).decode(t, &inbox)
	if len(inbox.Items) != 1 || inbox.Items[0].ID != req.ID {
		t.Errorf("provider inbox = %+v", inbox)
	}
	// Another org's provider neither sees nor approves it; the consumer,
	// who holds a provider role of its own, may not approve its own request.
	county.wantErr(404, "request_not_found", "GET", reqPath, nil)
	county.wantErr(404, "request_not_found", "POST", reqPath+"/approve", map[string]any{})
	market.wantErr(403, "not_provider", "POST", reqPath+"/approve", map[string]any{})
	// The provider may only narrow.
	police.wantErr(400, "validation_failed", "POST", reqPath+"/approve", map[string]any{"fields": []string{"name", "gender"}})
	police.wantErr(400, "validation_failed", "POST", reqPath+"/approve", map[string]any{"expires_at": requested.Add(time.Hour).Format(time.RFC3339)})
	approvedUntil := clock.Now().Add(100 * 24 * time.Hour).UTC().Truncate(time.Second)
	req = decodeRequest(t, police.want(200, "POST", reqPath+"/approve", map[string]any{"fields": []string{"id_card", "name"},
		"expires_at": approvedUntil.Format(time.RFC3339), "unmasked_fields": []string{"name"}, "comment": "同意", "rate": 20, "daily_quota": 5000}))
	if req.Status != sharing.StatusApproved || req.GrantID == 0 || req.DecidedBy != "user:ga" || req.Terms == nil ||
		strings.Join(req.Terms.Fields, ",") != "id_card,name" || !req.Terms.ExpiresAt.Equal(approvedUntil) {
		t.Fatalf("approved = %+v", req)
	}
	police.wantErr(409, "request_not_pending", "POST", reqPath+"/approve", nil)
	g := decodeGrant(t, market.want(200, "GET", fmt.Sprintf("/api/v1/grants/%d", req.GrantID), nil))
	if g.Status != sharing.GrantActive || strings.Join(g.Fields, ",") != "id_card,name" || strings.Join(g.UnmaskedFields, ",") != "name" ||
		g.Rate != 20 || g.DailyQuota != 5000 || g.Purpose != "低保资格审核" || g.RequestID != req.ID || !g.ExpiresAt.Equal(approvedUntil) {
		t.Fatalf("grant = %+v", g)
	}
	county.wantErr(404, "grant_not_found", "GET", fmt.Sprintf("/api/v1/grants/%d", g.ID), nil)
	condGrant := g

	// An unconditional resource is granted at once.
	req = decodeRequest(t, market.want(201, "POST", "/api/v1/requests", map[string]any{"resource_code": open.Code, "fields": []string{"address"}, "purpose": "企业住所核验"}))
	if req.Status != sharing.StatusApproved || req.GrantID == 0 || req.DecidedBy != sharing.SystemApprover {
		t.Fatalf("unconditional request = %+v", req)
	}
	g = decodeGrant(t, police.want(200, "GET", fmt.Sprintf("/api/v1/grants/%d", req.GrantID), nil))
	if g.ApprovedBy != sharing.SystemApprover || g.Rate != 50 || g.DailyQuota != 100000 || len(g.UnmaskedFields) != 0 {
		t.Errorf("unconditional grant = %+v", g)
	}

	// A resource that is not shared cannot be requested; the refusal names
	// its legal basis.
	r := market.wantErr(403, "share_type_none", "POST", "/api/v1/requests", map[string]any{"resource_code": closed.Code, "fields": []string{"name"}, "purpose": "查询"})
	if !strings.Contains(string(r.body), "《中华人民共和国居民身份证法》第十九条") {
		t.Errorf("share_type_none without the legal basis: %s", r.body)
	}
	police.wantErr(403, "forbidden", "POST", "/api/v1/requests", map[string]any{"resource_code": open.Code, "fields": []string{"name"}, "purpose": "x"})

	// A level-4 field needs an admin's countersignature.
	req = decodeRequest(t, market.want(201, "POST", "/api/v1/requests", map[string]any{"resource_code": medical.Code, "fields": []string{"id_card", "diagnosis"},
		"purpose": "医疗救助审核", "expires_at": requested.Format(time.DateOnly)}))
	medPath := fmt.Sprintf("/api/v1/requests/%d", req.ID)
	req = decodeRequest(t, police.want(200, "POST", medPath+"/approve", ""))
	if req.Status != sharing.StatusCountersign || req.GrantID != 0 || req.Terms == nil {
		t.Fatalf("level-4 approval = %+v", req)
	}
	var waiting requestPage
	admin.want(200, "GET", "/api/v1/requests?status=awaiting_countersign", nil).decode(t, &waiting)
	if len(waiting.Items) != 1 || waiting.Items[0].ID != req.ID {
		t.Errorf("awaiting countersign = %+v", waiting)
	}
	police.wantErr(403, "forbidden", "POST", medPath+"/countersign", nil)
	market.wantErr(403, "forbidden", "POST", medPath+"/countersign", map[string]string{})
	req = decodeRequest(t, admin.want(200, "POST", medPath+"/countersign", map[string]string{"comment": "同意会签"}))
	if req.Status != sharing.StatusApproved || req.GrantID == 0 || req.CountersignedBy != "user:admin" || req.CountersignComment != "同意会签" {
		t.Fatalf("countersigned = %+v", req)
	}
	g = decodeGrant(t, market.want(200, "GET", fmt.Sprintf("/api/v1/grants/%d", req.GrantID), nil))
	if g.CountersignedBy != "user:admin" || g.ApprovedBy != "user:ga" || !g.Has("diagnosis") {
		t.Errorf("countersigned grant = %+v", g)
	}
	medGrant := g

	// Rejection needs a reason.
	req = decodeRequest(t, market.want(201, "POST", "/api/v1/requests", map[string]any{"resource_code": cond.Code, "fields": []string{"gender"}, "purpose": "统计分析"}))
	rejPath := fmt.Sprintf("/api/v1/requests/%d/reject", req.ID)
	police.wantErr(400, "validation_failed", "POST", rejPath, map[string]string{"reason": " "})
	req = decodeRequest(t, police.want(200, "POST", rejPath, map[string]string{"reason": "统计用途请使用开放数据"}))
	if req.Status != sharing.StatusRejected || req.Reason != "统计用途请使用开放数据" {
		t.Errorf("rejected = %+v", req)
	}
	police.wantErr(409, "request_not_pending", "POST", rejPath, map[string]string{"reason": "again"})

	// Revocation is immediate, once, by the provider or an admin.
	revPath := fmt.Sprintf("/api/v1/grants/%d/revoke", medGrant.ID)
	market.wantErr(403, "not_provider", "POST", revPath, map[string]string{"reason": "不用了"})
	police.wantErr(400, "validation_failed", "POST", revPath, map[string]string{})
	g = decodeGrant(t, police.want(200, "POST", revPath, map[string]string{"reason": "专项工作结束"}))
	if g.Status != sharing.GrantRevoked || g.RevokedBy != "user:ga" || g.RevokeReason != "专项工作结束" {
		t.Errorf("revoked = %+v", g)
	}
	admin.wantErr(409, "grant_revoked", "POST", revPath, map[string]string{"reason": "again"})
	g = decodeGrant(t, market.want(200, "GET", fmt.Sprintf("/api/v1/grants/%d", medGrant.ID), nil))
	if g.Status != sharing.GrantRevoked {
		t.Errorf("after revocation status = %s", g.Status)
	}

	// Listings by side.
	var grants grantPage
	market.want(200, "GET", "/api/v1/grants?role=consumer", nil).decode(t, &grants)
	if len(grants.Items) != 3 {
		t.Errorf("consumer grants = %d, want 3", len(grants.Items))
	}
	market.want(200, "GET", "/api/v1/grants?role=consumer&status=revoked", nil).decode(t, &grants)
	if len(grants.Items) != 1 || grants.Items[0].ID != medGrant.ID {
		t.Errorf("revoked grants = %+v", grants.Items)
	}
	police.want(200, "GET", "/api/v1/grants?role=provider&resource_code="+cond.Code, nil).decode(t, &grants)
	if len(grants.Items) != 1 || grants.Items[0].ID != condGrant.ID {
		t.Errorf("grants of %s = %+v", cond.Code, grants.Items)
	}
	county.want(200, "GET", "/api/v1/grants?role=provider", nil).decode(t, &grants)
	if len(grants.Items) != 0 {
		t.Errorf("county sees %d grants", len(grants.Items))
	}
	var mine requestPage
	market.want(200, "GET", "/api/v1/requests?limit=2", nil).decode(t, &mine)
	if len(mine.Items) != 2 || mine.NextPageToken == "" {
		t.Fatalf("first page = %+v", mine)
	}
	first := mine.Items[0].ID
	market.want(200, "GET", "/api/v1/requests?limit=2&page_token="+mine.NextPageToken, nil).decode(t, &mine)
	if len(mine.Items) != 2 || mine.Items[0].ID >= first || mine.NextPageToken != "" {
		t.Errorf("second page = %+v", mine)
	}

	// A grant stops working at its time, without a job: move the clock.
	clock.Advance(101 * 24 * time.Hour)
	g = decodeGrant(t, market.want(200, "GET", fmt.Sprintf("/api/v1/grants/%d", condGrant.ID), nil))
	if g.Status != sharing.GrantExpired {
		t.Errorf("past its expiry, grant status = %s", g.Status)
	}
	market.want(200, "GET", "/api/v1/grants?status=expired", nil).decode(t, &grants)
	if len(grants.Items) != 1 || grants.Items[0].ID != condGrant.ID || grants.Items[0].Status != sharing.GrantExpired {
		t.Errorf("expired grants = %+v", grants.Items)
	}

	// Bad input is refused with a code, never a 500.
	for _, tc := range []struct {
		method, path string
		body         any
		status       int
		code         string
	}{
		{"POST", "/api/v1/requests", `{"resource_code":`, 400, "invalid_json"},
		{"POST", "/api/v1/requests", "", 400, "invalid_json"},
		{"POST", "/api/v1/requests", map[string]any{"resource": cond.Code}, 400, "unknown_field"},
		{"POST", "/api/v1/requests", map[string]any{"resource_code": cond.Code, "fields": "name"}, 400, "invalid_json"},
		{"POST", "/api/v1/requests", map[string]any{"resource_code": cond.Code, "fields": []string{"name"}, "purpose": "x", "expires_at": "next week"}, 400, "validation_failed"},
		{"POST", "/api/v1/requests", map[string]any{"resource_code": cond.Code, "fields": []string{"name", "income"}, "purpose": "x"}, 400, "validation_failed"},
		{"POST", "/api/v1/requests", map[string]any{"resource_code": cond.Code, "fields": []string{"name"}, "purpose": "x", "app_id": 99}, 400, "validation_failed"},
		{"POST", "/api/v1/requests", map[string]any{"resource_code": "JC-000000000-0001", "fields": []string{"name"}, "purpose": "x"}, 404, "resource_not_found"},
		{"GET", "/api/v1/requests/abc", nil, 400, "invalid_id"},
		{"GET", "/api/v1/requests/0", nil, 400, "invalid_id"},
		{"GET", "/api/v1/requests/99999", nil, 404, "request_not_found"},
		{"POST", "/api/v1/requests/-3/approve", nil, 400, "invalid_id"},
		{"POST", "/api/v1/requests/1/approve", `{"rate":"fast"}`, 400, "invalid_json"},
		{"POST", "/api/v1/requests/1/approve", `{"rate":1}{}`, 400, "invalid_json"},
		{"POST", "/api/v1/requests/1/reject", `{"why":"x"}`, 400, "unknown_field"},
		{"POST", "/api/v1/requests/x/countersign", nil, 400, "invalid_id"},
		{"GET", "/api/v1/grants/1.5", nil, 400, "invalid_id"},
		{"POST", "/api/v1/grants/zz/revoke", nil, 400, "invalid_id"},
		{"GET", "/api/v1/requests?role=boss", nil, 400, "invalid_parameter"},
		{"GET", "/api/v1/requests?status=done", nil, 400, "invalid_parameter"},
		{"GET", "/api/v1/requests?limit=many", nil, 400, "invalid_parameter"},
		{"GET", "/api/v1/grants?page_token=%21%21", nil, 400, "invalid_page_token"},
		{"GET", "/api/v1/grants?status=pending", nil, 400, "invalid_parameter"},
		{"DELETE", "/api/v1/grants/1", nil, 405, "method_not_allowed"},
	} {
		market.wantErr(tc.status, tc.code, tc.method, tc.path, tc.body)
	}
	(&client{t: t, base: m.InternalURL()}).wantErr(401, "unauthenticated", "GET", "/api/v1/requests", nil)

	// Every step is in the audit log, with its outcome and purpose.
	var page entriesAnswer
	auditor.want(200, "GET", "/api/v1/audit/entries?action=sharing.&page_size=1000", nil).decode(t, &page)
	type seen struct{ actor, action, object, outcome, reason, purpose, rule string }
	var got []seen
	for _, it := range page.Items {
		got = append(got, seen{it.Actor, it.Action, it.Object, it.Outcome, it.Reason, it.Purpose, it.Rule})
		for k, v := range it.Detail {
			if strings.Contains(v, "11010519491231002X") || strings.Contains(k+v, "张三") {
				t.Errorf("a value in an audit detail: %s=%s", k, v)
			}
		}
	}
	for _, want := range []seen{
		{"user:sc", "sharing.request", "resource:" + cond.Code, "allowed", "", "低保资格审核", "role:consumer"},
		{"user:dq", "sharing.approve", "resource:" + cond.Code, "denied", "request_not_found", "", ""},
		{"user:sc", "sharing.approve", "resource:" + cond.Code, "denied", "not_provider", "低保资格审核", ""},
		{"user:ga", "sharing.approve", "resource:" + cond.Code, "allowed", "", "低保资格审核", "role:provider"},
		{"user:sc", "sharing.request", "resource:" + open.Code, "allowed", "", "企业住所核验", "role:consumer"},
		{"user:sc", "sharing.request", "resource:" + closed.Code, "denied", "share_type_none", "查询", ""},
		{"user:ga", "sharing.request", "resource:" + open.Code, "denied", "forbidden", "x", ""},
		{"user:ga", "sharing.approve", "resource:" + medical.Code, "allowed", "", "医疗救助审核", "role:provider"},
		{"user:ga", "sharing.countersign", "resource:" + medical.Code, "denied", "forbidden", "医疗救助审核", ""},
		{"user:admin", "sharing.countersign", "resource:" + medical.Code, "allowed", "", "医疗救助审核", "role:admin"},
		{"user:ga", "sharing.reject", "resource:" + cond.Code, "allowed", "", "统计分析", "role:provider"},
		{"user:sc", "sharing.revoke", "resource:" + medical.Code, "denied", "not_provider", "医疗救助审核", ""},
		{"user:ga", "sharing.revoke", "resource:" + medical.Code, "allowed", "", "医疗救助审核", "role:provider"},
	} {
		found := false
		for _, g := range got {
			found = found || g == want
		}
		if !found {
			t.Errorf("no audit record %+v", want)
		}
	}
	for _, it := range page.Items {
		if it.Action == "sharing.approve" && it.Outcome == "allowed" && it.Object == "resource:"+cond.Code {
			if it.Detail["grant_id"] != fmt.Sprint(condGrant.ID) || it.Detail["fields"] != "id_card,name" || it.Detail["unmasked_fields"] != "name" {
				t.Errorf("approve record detail = %v", it.Detail)
			}
		}
	}
}
