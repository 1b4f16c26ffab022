package exchange_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"huitong"
	"huitong/internal/audit"
	"huitong/internal/catalog"
	"huitong/internal/exchange"
	"huitong/internal/ingest"
	"huitong/internal/org"
	"huitong/internal/sharing"
	"huitong/internal/store"
)

const (
	provider = "11330500002486211K"
	consumer = "11330500002486246Q"
)

// recorder keeps audit entries in memory.
type recorder struct {
	mu      sync.Mutex
	entries []audit.Entry
	fail    bool
}

func (r *recorder) Append(_ context.Context, e audit.Entry) (int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail {
		return 0, huitong.E(huitong.Unavailable, "audit_unavailable", "审计日志不可用", "the audit log is unavailable")
	}
	r.entries = append(r.entries, e)
	return int64(len(r.entries) - 1), nil
}

func (r *recorder) last() audit.Entry {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.entries[len(r.entries)-1]
}

// grants answers Live with one configured grant or error.
type grants struct {
	g   sharing.Grant
	err error
}

func (f *grants) Live(_ context.Context, p *huitong.Principal, code string, id int64) (sharing.Grant, error) {
	if f.err != nil {
		return sharing.Grant{}, f.err
	}
	return f.g, nil
}

func population() catalog.Resource {
	return catalog.Resource{Code: "JC-002486211-0001", Version: 1, Name: "人口基础信息", ProviderUSCC: provider,
		ShareType: catalog.ShareConditional, Fields: []catalog.Field{
			{Name: "id_card", Title: "公民身份号码", Type: "string", Level: 3, PII: "id_card", Key: true, Required: true},
			{Name: "name", Title: "姓名", Type: "string", Level: 3, PII: "name"},
			{Name: "phone", Title: "联系电话", Type: "string", Level: 4, PII: "phone"},
			{Name: "address", Title: "住址", Type: "string", Level: 3, PII: "address"},
			{Name: "birth_date", Title: "出生日期", Type: "date", Level: 2, Indexed: true},
			{Name: "gender", Title: "性别", Type: "string", Level: 1, Enum: []string{"男", "女"}},
			{Name: "income", Title: "收入", Type: "decimal", Level: 2},
		}}
}

const populationCSV = `id_card,name,phone,address,birth_date,gender,income
11010519491231002X,张三,13812345678,浙江省湖州市吴兴区爱山街道人民路1号,1949-12-31,女,100.5
33050219850615123X,欧阳娜娜,13900001111,浙江省湖州市南浔区练市镇,1985-06-15,男,2000
330521199001010013,李四,13700002222,浙江省湖州市德清县武康街道,1990-01-01,男,3000
`

type env struct {
	gw     *exchange.Gateway
	audit  *recorder
	grants *grants
	res    catalog.Resource
	now    time.Time
	ctx    context.Context
}

func setup(t *testing.T) *env {
	t.Helper()
	db, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	sealer, err := ingest.NewSealer([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	e := &env{audit: &recorder{}, res: population(), now: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
	if err := db.CreateOrg(t.Context(), org.Org{USCC: provider, Name: "湖州市公安局", RegionCode: "330500", Kind: "agency", CreatedAt: e.now}); err != nil {
		t.Fatal(err)
	}
	r := e.res
	r.Category, r.Format, r.UpdateCycle, r.ShareMethod, r.OpenType, r.RelatedCodes = catalog.CategoryBase, "table", "daily", "api", catalog.OpenNone, []string{}
	r.Level, r.CreatedAt, r.UpdatedAt, r.ProviderName, r.Summary, r.ShareCondition = 4, e.now, e.now, "湖州市公安局", "摘要", "法定职责"
	if r, err = db.CreateResource(t.Context(), r, "JC-002486211"); err != nil {
		t.Fatal(err)
	}
	e.res.Code = r.Code
	lookup := func(_ context.Context, code string) (catalog.Resource, error) {
		if code != e.res.Code {
			return catalog.Resource{}, huitong.NotFoundf("resource_not_found", "资源不存在", "resource not found")
		}
		return e.res, nil
	}
	ing := &ingest.Service{Store: db, Resource: lookup, Audit: e.audit, Sealer: sealer, Now: func() time.Time { return e.now }}
	pctx := huitong.WithPrincipal(t.Context(), &huitong.Principal{Kind: huitong.PrincipalUser, Name: "p", OrgUSCC: provider, Roles: []string{huitong.RoleProvider}})
	b, err := ing.Ingest(pctx, e.res.Code, ingest.Upload{Body: strings.NewReader(populationCSV), ContentType: "text/csv"})
	if err != nil || b.Accepted != 3 {
		t.Fatalf("ingest = %+v, %v", b, err)
	}
	e.grants = &grants{g: sharing.Grant{ID: 7, ResourceCode: e.res.Code, ProviderUSCC: provider, ConsumerUSCC: consumer,
		Fields: []string{"id_card", "name", "phone", "address", "birth_date", "gender"}, Purpose: "低保资格审核",
		ExpiresAt: e.now.Add(24 * time.Hour), Status: sharing.GrantActive, Rate: 1000, DailyQuota: 1000}}
	e.gw = &exchange.Gateway{Grants: e.grants, Resource: lookup, Records: db, Audit: e.audit, Sealer: sealer,
		PseudonymSecret: []byte("pseudonym secret"), Now: func() time.Time { return e.now }}
	e.ctx = huitong.WithPrincipal(t.Context(), &huitong.Principal{Kind: huitong.PrincipalApp, Name: "dibao", OrgUSCC: consumer, Roles: []string{huitong.RoleConsumer}})
	return e
}

func where(t *testing.T, s string) map[string]json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func code(err error) string {
	if err == nil {
		return ""
	}
	return huitong.ErrorCode(err)
}

func TestQueryProjectsAndMasks(t *testing.T) {
	e := setup(t)
	a, err := e.gw.Query(e.ctx, e.res.Code, exchange.Query{Where: where(t, `{"id_card":"11010519491231002x"}`),
		Fields: []string{"name", "id_card", "address", "phone", "gender"}, Purpose: "案卷 2026-01"})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Records) != 1 {
		t.Fatalf("records = %+v", a.Records)
	}
	rec := a.Records[0]
	delete(rec, "_id")
	delete(rec, "_updated_at")
	want := map[string]any{"name": "张*", "id_card": "110105********002X", "address": "浙江省湖州市吴兴区****", "phone": "138****5678", "gender": "女"}
	if d := cmp.Diff(want, rec); d != "" {
		t.Errorf("record (-want +got):\n%s", d)
	}
	ent := e.audit.last()
	if ent.Action != "exchange.query" || ent.Rule != "grant:7" || ent.Purpose != "低保资格审核" || !slices.Equal(ent.Subjects, []string{"11010519491231002X"}) ||
		ent.Detail["filter"] != "id_card:eq" || ent.Detail["count"] != "1" || ent.Detail["case"] != "案卷 2026-01" || a.AuditIndex != int64(len(e.audit.entries)-1) {
		t.Errorf("audit entry = %+v", ent)
	}
	if strings.Contains(ent.Detail["filter"], "1101") {
		t.Error("the audit detail holds a filter value")
	}
	// Unmasked by the grant.
	e.grants.g.UnmaskedFields = []string{"name"}
	a, _ = e.gw.Query(e.ctx, e.res.Code, exchange.Query{Where: where(t, `{"id_card":{"in":["33050219850615123X"]}}`), Fields: []string{"name"}})
	if a.Records[0]["name"] != "欧阳娜娜" {
		t.Errorf("unmasked name = %v", a.Records[0]["name"])
	}
}

func TestQueryRefusals(t *testing.T) {
	e := setup(t)
	q := func(w string, fields ...string) error {
		_, err := e.gw.Query(e.ctx, e.res.Code, exchange.Query{Where: where(t, w), Fields: fields})
		return err
	}
	tests := []struct {
		name, where string
		fields      []string
		want        string
	}{
		{"field outside the grant", `{"id_card":"11010519491231002X"}`, []string{"income"}, "field_not_granted"},
		{"unknown field", `{"id_card":"11010519491231002X"}`, []string{"nope"}, "unknown_field"},
		{"filter on a field outside the grant", `{"income":"100.5"}`, nil, "field_not_granted"},
		{"filter on a field neither key nor indexed", `{"gender":"女"}`, nil, "filter_not_indexed"},
		{"no filter", `{}`, nil, "filter_required"},
		{"bad ID number", `{"id_card":"110105194912310021"}`, nil, "invalid_filter"},
		{"null value", `{"id_card":null}`, nil, "invalid_filter"},
		{"unknown operator", `{"birth_date":{"like":"19%"}}`, nil, "invalid_filter"},
		{"level 4 in bulk", `{"birth_date":{"gte":"1900-01-01"}}`, []string{"phone"}, "restricted_field"},
		{"level 4 for several keys", `{"id_card":{"in":["11010519491231002X","33050219850615123X"]}}`, []string{"phone"}, "restricted_field"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := q(tc.where, tc.fields...); code(err) != tc.want {
				t.Errorf("error = %v, want %s", err, tc.want)
			}
		})
	}
	n := len(e.audit.entries)
	if err := q(`{"id_card":"11010519491231002X"}`, "income"); e.audit.last().Outcome != audit.Denied || e.audit.last().Reason != "field_not_granted" || len(e.audit.entries) != n+1 {
		t.Errorf("refusal not audited: %v %+v", err, e.audit.last())
	}
	// Roles and grants.
	for _, err := range []error{
		huitong.Forbiddenf("no_grant", "无授权", "no grant"),
		huitong.Forbiddenf("grant_revoked", "授权已撤销", "revoked"),
	} {
		e.grants.err = err
		if got := q(`{"id_card":"11010519491231002X"}`); code(got) != code(err) {
			t.Errorf("with %v: %v", err, got)
		}
	}
	e.grants.err = nil
	provCtx := huitong.WithPrincipal(t.Context(), &huitong.Principal{Kind: huitong.PrincipalUser, Name: "p", OrgUSCC: provider, Roles: []string{huitong.RoleProvider, huitong.RoleAdmin}})
	if _, err := e.gw.Query(provCtx, e.res.Code, exchange.Query{Where: where(t, `{"id_card":"11010519491231002X"}`)}); code(err) != "forbidden" {
		t.Errorf("non-consumer = %v", err)
	}
	e.res.ShareType, e.res.LegalBasis = catalog.ShareNone, "《居民身份证法》第十九条"
	if err := q(`{"id_card":"11010519491231002X"}`); code(err) != "share_type_none" || !strings.Contains(err.Error(), "第十九条") {
		t.Errorf("none = %v", err)
	}
	e.res.ShareType = catalog.ShareConditional
	// A failing audit log fails the read.
	e.audit.fail = true
	if err := q(`{"id_card":"11010519491231002X"}`); huitong.ErrorKind(err) != huitong.Unavailable {
		t.Errorf("with the audit log down = %v", err)
	}
}

func TestQueryRangesAndPages(t *testing.T) {
	e := setup(t)
	var got []string
	cursor := ""
	for range 5 {
		a, err := e.gw.Query(e.ctx, e.res.Code, exchange.Query{Where: where(t, `{"birth_date":{"gte":"1949年12月31日","lte":"1990-01-01"}}`),
			Fields: []string{"birth_date"}, Limit: 2, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range a.Records {
			got = append(got, r["birth_date"].(string))
		}
		if cursor = a.NextCursor; cursor == "" {
			break
		}
	}
	if want := []string{"1949-12-31", "1985-06-15", "1990-01-01"}; !slices.Equal(got, want) {
		t.Errorf("range pages = %v, want %v", got, want)
	}
	for _, bad := range []string{"x", "i-1", "vnotbase64!", "v" + "WzEsMl0"} {
		_, err := e.gw.Query(e.ctx, e.res.Code, exchange.Query{Where: where(t, `{"birth_date":{"gte":"1900-01-01"}}`), Fields: []string{"birth_date"}, Cursor: bad})
		if code(err) != "invalid_cursor" {
			t.Errorf("cursor %q: %v", bad, err)
		}
	}
	if _, err := e.gw.Query(e.ctx, e.res.Code, exchange.Query{Where: where(t, `{"id_card":"11010519491231002X"}`), GrantID: -1}); code(err) != "invalid_parameter" {
		t.Errorf("grant_id -1: %v", err)
	}
	if _, err := e.gw.Query(e.ctx, e.res.Code, exchange.Query{Where: where(t, `{"id_card":"11010519491231002X"}`), Limit: 1001}); code(err) != "invalid_limit" {
		t.Errorf("limit 1001: %v", err)
	}
	// Level-4 fields come back from an exact-key lookup by default.
	a, err := e.gw.Query(e.ctx, e.res.Code, exchange.Query{Where: where(t, `{"id_card":"330521199001010013"}`)})
	if err != nil || a.Records[0]["phone"] != "137****2222" || a.Records[0]["income"] != nil {
		t.Errorf("exact lookup = %+v, %v", a.Records, err)
	}
	a, err = e.gw.Query(e.ctx, e.res.Code, exchange.Query{Where: where(t, `{"birth_date":"1990-01-01"}`)})
	if _, has := a.Records[0]["phone"]; err != nil || has {
		t.Errorf("bulk read by default = %+v, %v", a.Records, err)
	}
}

func TestVerify(t *testing.T) {
	e := setup(t)
	verify := func(w, m string) (bool, error) {
		v, err := e.gw.Verify(e.ctx, e.res.Code, exchange.Verification{Where: where(t, w), Match: where(t, m)})
		return v.Match, err
	}
	tests := []struct {
		where, match string
		want         bool
	}{
		{`{"id_card":"33050219850615123X"}`, `{"name":"欧阳娜娜"}`, true},
		{`{"id_card":"33050219850615123x"}`, `{"name":"欧阳娜娜","birth_date":"1985年6月15日"}`, true},
		{`{"id_card":"33050219850615123X"}`, `{"name":"欧阳娜"}`, false},
		{`{"id_card":"33050219850615123X"}`, `{"phone":"13900001111"}`, true}, // level 4, encrypted
		{`{"id_card":"33050219850615123X"}`, `{"phone":"13900001112"}`, false},
		{`{"id_card":"11010519491231002X"}`, `{"address":"浙江省湖州市吴兴区爱山街道人民路1号"}`, true},
		{`{"id_card":"110101199003078515"}`, `{"name":"欧阳娜娜"}`, false}, // no such record
		{`{"birth_date":{"gte":"1980-01-01"}}`, `{"name":"李四"}`, true},
	}
	for _, tc := range tests {
		got, err := verify(tc.where, tc.match)
		if err != nil || got != tc.want {
			t.Errorf("verify %s %s = %v, %v; want %v", tc.where, tc.match, got, err, tc.want)
		}
	}
	ent := e.audit.last()
	if ent.Action != "exchange.verify" || ent.Detail["result"] != "true" || ent.Detail["match_fields"] != "name" || len(ent.Subjects) != 2 {
		t.Errorf("verify audit = %+v", ent)
	}
	// The verified ID number is a subject even when no record holds it.
	verify(`{"id_card":"110101199003078515"}`, `{"name":"x"}`)
	if ent := e.audit.last(); !slices.Contains(ent.Subjects, "110101199003078515") {
		t.Errorf("subjects of a miss = %v", ent.Subjects)
	}
	if _, err := verify(`{"id_card":"33050219850615123X"}`, `{"income":"2000"}`); code(err) != "field_not_granted" {
		t.Errorf("match outside the grant = %v", err)
	}
	if _, err := verify(`{"id_card":"33050219850615123X"}`, `{"name":["欧阳娜娜"]}`); code(err) != "invalid_match" {
		t.Errorf("a list to match = %v", err)
	}
	if _, err := verify(`{"id_card":"33050219850615123X"}`, `{}`); code(err) != "match_required" {
		t.Errorf("no match = %v", err)
	}
	if _, err := verify(`{"id_card":"33050219850615123X"}`, `{"birth_date":"不是日期"}`); code(err) != "invalid_match" || strings.Contains(err.Error(), "不是日期") {
		t.Errorf("bad match value = %v", err)
	}
}

func TestChanges(t *testing.T) {
	e := setup(t)
	a, err := e.gw.Changes(e.ctx, e.res.Code, exchange.ChangesQuery{Limit: 2})
	if err != nil || len(a.Records) != 2 || a.NextCursor == "" {
		t.Fatalf("first changes = %+v, %v", a, err)
	}
	if _, has := a.Records[0]["phone"]; has || a.Records[0]["name"] != "张*" {
		t.Errorf("change record = %+v", a.Records[0])
	}
	b, err := e.gw.Changes(e.ctx, e.res.Code, exchange.ChangesQuery{Cursor: a.NextCursor})
	if err != nil || len(b.Records) != 1 {
		t.Fatalf("second changes = %+v, %v", b, err)
	}
	c, err := e.gw.Changes(e.ctx, e.res.Code, exchange.ChangesQuery{Cursor: b.NextCursor})
	if err != nil || len(c.Records) != 0 || c.NextCursor != b.NextCursor {
		t.Errorf("no more changes = %+v, %v", c, err)
	}
	if _, err := e.gw.Changes(e.ctx, e.res.Code, exchange.ChangesQuery{Fields: []string{"phone"}}); code(err) != "restricted_field" {
		t.Errorf("level 4 in a feed = %v", err)
	}
	if _, err := e.gw.Changes(e.ctx, e.res.Code, exchange.ChangesQuery{Cursor: "zz"}); code(err) != "invalid_cursor" {
		t.Errorf("bad cursor = %v", err)
	}
}

func TestRateAndQuota(t *testing.T) {
	e := setup(t)
	e.grants.g.Rate, e.grants.g.DailyQuota = 2, 3
	q := func() (exchange.Answer, error) {
		return e.gw.Query(e.ctx, e.res.Code, exchange.Query{Where: where(t, `{"birth_date":{"gte":"1900-01-01"}}`), Fields: []string{"name"}, Limit: 2})
	}
	if a, err := q(); err != nil || len(a.Records) != 2 {
		t.Fatalf("first = %+v, %v", a, err)
	}
	if a, err := q(); err != nil || len(a.Records) != 1 {
		t.Fatalf("second, one record of quota left = %+v, %v", a, err)
	}
	var he *huitong.Error
	_, err := q()
	if code(err) != "rate_limited" {
		t.Fatalf("third within a second = %v", err)
	}
	if errorsAs(err, &he); he.RetryAfter < 1 {
		t.Errorf("Retry-After = %d", he.RetryAfter)
	}
	e.now = e.now.Add(2 * time.Second)
	if _, err := q(); code(err) != "quota_exceeded" {
		t.Fatalf("after the quota = %v", err)
	}
	// A new day (UTC+8 midnight is 16:00 UTC) gives a new quota.
	e.now = time.Date(2026, 11, 25, 16, 0, 1, 0, time.UTC)
	if _, err := q(); err != nil {
		t.Errorf("next day = %v", err)
	}
}

func errorsAs(err error, target **huitong.Error) {
	if e, ok := err.(*huitong.Error); ok {
		*target = e
	}
}

func TestPseudonyms(t *testing.T) {
	e := setup(t)
	read := func() map[string]any {
		t.Helper()
		a, err := e.gw.Query(e.ctx, e.res.Code, exchange.Query{Where: where(t, `{"id_card":"11010519491231002X"}`),
			Fields: []string{"id_card", "name", "gender"}, Pseudonymize: []string{"id_card", "name"}})
		if err != nil || len(a.Records) != 1 {
			t.Fatalf("query = %+v, %v", a, err)
		}
		return a.Records[0]
	}
	first := read()
	id, _ := first["id_card"].(string)
	if !strings.HasPrefix(id, "ps_") || len(id) != 35 || first["gender"] != "女" || first["name"] == "张三" || first["name"] == first["id_card"] {
		t.Errorf("pseudonymized record = %+v", first)
	}
	if again := read(); again["id_card"] != first["id_card"] {
		t.Errorf("pseudonym not stable: %v then %v", first["id_card"], again["id_card"])
	}
	if ent := e.audit.last(); ent.Detail["pseudonymized"] != "id_card,name" {
		t.Errorf("audit detail = %v", ent.Detail)
	}
	// Another consumer org gets other pseudonyms for the same person.
	e.grants.g.ConsumerUSCC = "11330500MB1A354275"
	if other := read(); other["id_card"] == first["id_card"] {
		t.Error("two consumers got the same pseudonym")
	}
	for _, tc := range []struct {
		fields, pseudo []string
		want           string
	}{
		{[]string{"name"}, []string{"id_card"}, "invalid_pseudonymize"},
		{[]string{"name"}, []string{"income"}, "field_not_granted"},
	} {
		_, err := e.gw.Query(e.ctx, e.res.Code, exchange.Query{Where: where(t, `{"id_card":"11010519491231002X"}`), Fields: tc.fields, Pseudonymize: tc.pseudo})
		if code(err) != tc.want {
			t.Errorf("pseudonymize %v of %v = %v, want %s", tc.pseudo, tc.fields, err, tc.want)
		}
	}
	e.gw.PseudonymSecret = nil
	if _, err := e.gw.Query(e.ctx, e.res.Code, exchange.Query{Where: where(t, `{"id_card":"11010519491231002X"}`), Pseudonymize: []string{"name"}}); code(err) != "pseudonyms_unavailable" {
		t.Errorf("without a secret = %v", err)
	}
}
