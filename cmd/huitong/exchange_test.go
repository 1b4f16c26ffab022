package main

import (
	"fmt"
	"strconv"
	"testing"

	"huitong/internal/org"
	"huitong/internal/sharing"
)

func TestExchange(t *testing.T) { exchangeFlow(t, testMain(t, false, "")) }

func TestExchangePostgres(t *testing.T) { exchangeFlow(t, testMain(t, false, pgDSN(t))) }

// exchangeFlow feeds data, grants a consumer access and reads it through the
// gateway over HTTP: masked, audited, and visible to the citizen whose
// record was read.
func exchangeFlow(t *testing.T, m *Main) {
	admin, police, market := setupOrgs(t, m)
	const idCard = "11010519491231002X"
	admin.want(201, "POST", "/api/v1/users", org.UserInput{Username: "citizen1", Password: "Citizen2026", OrgUSCC: defaultOperatorUSCC, Roles: []string{"citizen"}, IDCard: idCard})
	res := peopleResource(t, police)
	if b := police.batch(res.Code, "text/csv", "", []byte(peopleCSV)); b.Accepted != 2 {
		t.Fatalf("batch = %+v", b)
	}
	path := "/api/v1/exchange/" + res.Code
	query := map[string]any{"where": map[string]any{"id_card": "11010519491231002x"}, "fields": []string{"name", "id_card", "phone"}, "purpose": "低保资格审核"}

	// No grant, no data; the refusal is audited.
	market.wantErr(403, "no_grant", "POST", path+"/query", query)
	police.wantErr(403, "forbidden", "POST", path+"/query", query)
	(&client{t: t, base: m.InternalURL()}).wantErr(401, "unauthenticated", "POST", path+"/query", query)

	var req sharing.Request
	market.want(201, "POST", "/api/v1/requests", map[string]any{"resource_code": res.Code, "fields": []string{"id_card", "name", "phone", "diagnosis"},
		"purpose": "低保资格审核"}).decode(t, &req)
	market.wantErr(403, "no_grant", "POST", path+"/query", query) // pending
	police.want(200, "POST", "/api/v1/requests/"+strconv.FormatInt(req.ID, 10)+"/approve", map[string]any{"fields": []string{"id_card", "name", "phone"}})

	var a struct {
		Records    []map[string]any `json:"records"`
		NextCursor string           `json:"next_cursor"`
		AuditIndex int64            `json:"audit_index"`
	}
	r := market.want(200, "POST", path+"/query", query)
	r.decode(t, &a)
	if len(a.Records) != 1 || a.Records[0]["name"] != "张*" || a.Records[0]["id_card"] != "110105********002X" || a.Records[0]["phone"] != "138****8000" ||
		r.header.Get("X-Huitong-Audit-Index") != fmt.Sprint(a.AuditIndex) {
		t.Errorf("query = %+v, header %q", a, r.header.Get("X-Huitong-Audit-Index"))
	}
	market.wantErr(403, "field_not_granted", "POST", path+"/query", map[string]any{"where": map[string]any{"id_card": idCard}, "fields": []string{"diagnosis"}})
	market.wantErr(400, "filter_not_indexed", "POST", path+"/query", map[string]any{"where": map[string]any{"name": "张三"}})
	market.wantErr(400, "invalid_json", "POST", path+"/query", "not an object")
	market.wantErr(404, "resource_not_found", "POST", "/api/v1/exchange/JC-000000000-0009/query", query)

	var v struct {
		Match      bool  `json:"match"`
		AuditIndex int64 `json:"audit_index"`
	}
	market.want(200, "POST", path+"/verify", map[string]any{"where": map[string]any{"id_card": idCard}, "match": map[string]any{"name": "张三"}}).decode(t, &v)
	if !v.Match {
		t.Errorf("verify = %+v", v)
	}
	market.want(200, "POST", path+"/verify", map[string]any{"where": map[string]any{"id_card": idCard}, "match": map[string]any{"name": "张四"}}).decode(t, &v)
	if v.Match {
		t.Errorf("verify of a wrong name = %+v", v)
	}
	var ch struct {
		Records    []map[string]any `json:"records"`
		NextCursor string           `json:"next_cursor"`
	}
	market.want(200, "GET", path+"/changes?limit=1", nil).decode(t, &ch)
	if len(ch.Records) != 1 || ch.NextCursor == "" {
		t.Errorf("changes = %+v", ch)
	}
	market.wantErr(400, "invalid_parameter", "GET", path+"/changes?limit=x", nil)

	// The citizen sees who read their record, and why.
	var tok struct {
		Token string `json:"token"`
	}
	(&client{t: t, base: m.PublicURL()}).want(200, "POST", "/api/v1/citizen/login", map[string]string{"username": "citizen1", "password": "Citizen2026"}).decode(t, &tok)
	var tr struct {
		Items []struct {
			Action       string `json:"action"`
			ActorOrgName string `json:"actor_org_name"`
			Purpose      string `json:"purpose"`
		} `json:"items"`
	}
	(&client{t: t, base: m.PublicURL(), token: tok.Token}).want(200, "GET", "/api/v1/tracker/me", nil).decode(t, &tr)
	seen := map[string]int{}
	for _, it := range tr.Items {
		if it.ActorOrgName == "湖州市市场监督管理局" && it.Purpose == "低保资格审核" {
			seen[it.Action]++
		}
	}
	if seen["exchange.query"] != 1 || seen["exchange.verify"] != 2 || seen["exchange.changes"] != 1 {
		t.Errorf("citizen history = %+v", tr.Items)
	}
}
