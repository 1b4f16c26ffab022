package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"huitong/internal/catalog"
	"huitong/internal/demo"
	"huitong/internal/license"
	"huitong/internal/org"
	"huitong/internal/web"
)

const (
	usccPolice = "11330500002486211M"
	usccMarket = "11330500MB1A354275"
	// usccBadCheck is usccMarket with a wrong check character.
	usccBadCheck = "11330500MB1A354276"
)

// setupOrgs registers two departments with a provider each and returns the
// admin and the two providers' clients.
func setupOrgs(t *testing.T, m *Main) (admin, police, market *client) {
	admin = login(t, m, "admin", adminPassword)
	admin.want(201, "POST", "/api/v1/orgs", org.OrgInput{USCC: usccPolice, Name: "湖州市公安局", RegionCode: "330500", Kind: "agency"})
	admin.want(201, "POST", "/api/v1/orgs", org.OrgInput{USCC: usccMarket, Name: "湖州市市场监督管理局", RegionCode: "330500"})
	admin.want(201, "POST", "/api/v1/users", org.UserInput{Username: "ga", Password: "Police2026", OrgUSCC: usccPolice, Roles: []string{"provider"}})
	admin.want(201, "POST", "/api/v1/users", org.UserInput{Username: "sc", Password: "Market2026", OrgUSCC: usccMarket, Roles: []string{"provider", "consumer"}})
	return admin, login(t, m, "ga", "Police2026"), login(t, m, "sc", "Market2026")
}

func TestOrgsAndUsers(t *testing.T) {
	m := testMain(t, false, "")
	admin, police, _ := setupOrgs(t, m)

	// A wrong check character is refused, and accepted only with an explicit override.
	admin.wantErr(400, "uscc_checksum", "POST", "/api/v1/orgs", org.OrgInput{USCC: usccBadCheck, Name: "某局", RegionCode: "330500"})
	var o org.Org
	admin.want(201, "POST", "/api/v1/orgs", org.OrgInput{USCC: usccBadCheck, Name: "某局", RegionCode: "330500", OverrideChecksum: true}).decode(t, &o)
	if !o.ChecksumOverridden {
		t.Error("override not recorded")
	}
	admin.wantErr(409, "org_exists", "POST", "/api/v1/orgs", org.OrgInput{USCC: usccPolice, Name: "重复", RegionCode: "330500"})
	r := admin.wantErr(400, "validation_failed", "POST", "/api/v1/orgs", org.OrgInput{USCC: "12345", Name: "", RegionCode: "33"})
	for _, f := range []string{`"field":"uscc"`, `"field":"name"`, `"field":"region_code"`} {
		if !strings.Contains(string(r.body), f) {
			t.Errorf("validation details miss %s: %s", f, r.body)
		}
	}
	admin.wantErr(400, "validation_failed", "POST", "/api/v1/orgs", org.OrgInput{USCC: "11330521004211396D", Name: "某县局", RegionCode: "999999"})
	admin.wantErr(404, "parent_not_found", "POST", "/api/v1/orgs", org.OrgInput{USCC: "11330521004211396D", Name: "德清县公安局", RegionCode: "330521", ParentUSCC: "11330500MB1B482507"})
	admin.want(201, "POST", "/api/v1/orgs", org.OrgInput{USCC: "11330521004211396D", Name: "德清县公安局", RegionCode: "330521", ParentUSCC: usccPolice})

	// Hierarchy and reading.
	var page org.Page[org.Org]
	police.want(200, "GET", "/api/v1/orgs?parent="+usccPolice, nil).decode(t, &page)
	if len(page.Items) != 1 || page.Items[0].Name != "德清县公安局" || page.Items[0].RegionName != "浙江省湖州市德清县" {
		t.Errorf("children of police = %+v", page.Items)
	}
	police.want(200, "GET", "/api/v1/orgs/"+usccPolice, nil).decode(t, &o)
	if o.Name != "湖州市公安局" {
		t.Errorf("GetOrg = %+v", o)
	}
	police.wantErr(404, "org_not_found", "GET", "/api/v1/orgs/11330500MB1B482507", nil)
	// Paging through orgs one at a time visits each once.
	seen := map[string]bool{}
	tok := ""
	for range 10 {
		admin.want(200, "GET", "/api/v1/orgs?page_size=1&page_token="+tok, nil).decode(t, &page)
		for _, it := range page.Items {
			if seen[it.USCC] {
				t.Fatalf("org %s served twice", it.USCC)
			}
			seen[it.USCC] = true
		}
		if tok = page.NextPageToken; tok == "" {
			break
		}
	}
	if len(seen) != 5 { // operator, police, market, bad-check, county
		t.Errorf("paged through %d orgs, want 5", len(seen))
	}
	admin.wantErr(400, "invalid_page_token", "GET", "/api/v1/orgs?page_token=garbage!", nil)
	admin.wantErr(400, "invalid_parameter", "GET", "/api/v1/orgs?page_size=ten", nil)

	// Only admins manage orgs and users.
	police.wantErr(403, "forbidden", "POST", "/api/v1/orgs", org.OrgInput{USCC: "11330500MB1B482507", Name: "x", RegionCode: "330500"})
	police.wantErr(403, "forbidden", "POST", "/api/v1/users", org.UserInput{Username: "x1", Password: "Passw0rd1", OrgUSCC: usccPolice, Roles: []string{"admin"}})
	admin.wantErr(409, "username_taken", "POST", "/api/v1/users", org.UserInput{Username: "ga", Password: "Passw0rd1", OrgUSCC: usccPolice, Roles: []string{"consumer"}})
	admin.wantErr(400, "validation_failed", "POST", "/api/v1/users", org.UserInput{Username: "x1", Password: "short", OrgUSCC: usccPolice, Roles: []string{"wizard"}})
	admin.wantErr(404, "org_not_found", "POST", "/api/v1/users", org.UserInput{Username: "x1", Password: "Passw0rd1", OrgUSCC: "11330500MB1B482507", Roles: []string{"consumer"}})

	// Users: admin sees all; a provider only its own org.
	var users org.Page[org.User]
	admin.want(200, "GET", "/api/v1/users", nil).decode(t, &users)
	if len(users.Items) != 3 {
		t.Errorf("admin sees %d users, want 3", len(users.Items))
	}
	police.want(200, "GET", "/api/v1/users", nil).decode(t, &users)
	if len(users.Items) != 1 || users.Items[0].Username != "ga" {
		t.Errorf("police sees %+v", users.Items)
	}
	police.wantErr(403, "forbidden", "GET", "/api/v1/users?org_uscc="+usccMarket, nil)
	if strings.Contains(string(admin.want(200, "GET", "/api/v1/users", nil).body), "argon2") {
		t.Error("password hashes leak in the user list")
	}
}

func TestAuth(t *testing.T) {
	m := testMain(t, false, "")
	admin, police, _ := setupOrgs(t, m)
	anon := &client{t: t, base: m.InternalURL()}

	anon.wantErr(401, "unauthenticated", "GET", "/api/v1/me", nil)
	anon.wantErr(401, "invalid_credentials", "POST", "/api/v1/auth/login", map[string]string{"username": "ga", "password": "wrong-pass1"})
	anon.wantErr(401, "invalid_credentials", "POST", "/api/v1/auth/login", map[string]string{"username": "nobody", "password": "wrong-pass1"})
	anon.wantErr(400, "validation_failed", "POST", "/api/v1/auth/login", map[string]string{"username": "ga"})
	bad := &client{t: t, base: m.InternalURL(), token: "hts_not-a-real-token-at-all-xxxxxxxxxxxxxxxxxxx"}
	bad.wantErr(401, "invalid_token", "GET", "/api/v1/me", nil)
	r := anon.do("GET", "/api/v1/me", nil)
	if r.header.Get("WWW-Authenticate") == "" {
		t.Error("401 without WWW-Authenticate")
	}

	var me org.Me
	police.want(200, "GET", "/api/v1/me", nil).decode(t, &me)
	if me.Kind != "user" || me.User.Username != "ga" || me.Org.USCC != usccPolice || me.User.Roles[0] != "provider" {
		t.Errorf("me = %+v", me)
	}

	// Logout revokes the token at once.
	police.want(200, "POST", "/api/v1/auth/logout", nil)
	police.wantErr(401, "invalid_token", "GET", "/api/v1/me", nil)

	// Apps: a token shown once, usable, revocable.
	var app org.App
	admin.want(201, "POST", "/api/v1/orgs/"+usccPolice+"/apps", org.AppInput{Name: "户籍业务系统"}).decode(t, &app)
	if !strings.HasPrefix(app.Token, "hta_") || app.OrgUSCC != usccPolice || app.Roles[0] != "consumer" {
		t.Fatalf("app = %+v", app)
	}
	sys := &client{t: t, base: m.InternalURL(), token: app.Token}
	sys.want(200, "GET", "/api/v1/me", nil).decode(t, &me)
	if me.Kind != "app" || me.App.Name != "户籍业务系统" || me.Org.USCC != usccPolice {
		t.Errorf("app me = %+v", me)
	}
	sys.wantErr(403, "forbidden", "POST", "/api/v1/orgs/"+usccPolice+"/apps", org.AppInput{Name: "x"})
	var apps org.Page[org.App]
	admin.want(200, "GET", "/api/v1/orgs/"+usccPolice+"/apps", nil).decode(t, &apps)
	if len(apps.Items) != 1 || apps.Items[0].Token != "" {
		t.Errorf("app list = %+v (tokens must not be listed)", apps.Items)
	}
	admin.wantErr(400, "validation_failed", "POST", "/api/v1/orgs/"+usccPolice+"/apps", org.AppInput{Name: "x", Roles: []string{"admin"}})
	market := login(t, m, "sc", "Market2026")
	market.wantErr(403, "forbidden", "DELETE", fmt.Sprintf("/api/v1/orgs/%s/apps/%d", usccPolice, app.ID), nil)
	market.wantErr(404, "app_not_found", "DELETE", fmt.Sprintf("/api/v1/orgs/%s/apps/%d", usccMarket, app.ID), nil)
	admin.want(200, "DELETE", fmt.Sprintf("/api/v1/orgs/%s/apps/%d", usccPolice, app.ID), nil)
	sys.wantErr(401, "invalid_token", "GET", "/api/v1/me", nil)
	// A department's own provider manages its apps.
	market.want(201, "POST", "/api/v1/orgs/"+usccMarket+"/apps", org.AppInput{Name: "企业开办系统", Roles: []string{"consumer", "provider"}})
}

func TestLoginLockout(t *testing.T) {
	m := testMain(t, false, "")
	setupOrgs(t, m)
	anon := &client{t: t, base: m.InternalURL()}
	now := time.Now()
	m.Orgs.Now = func() time.Time { return now }
	for i := 1; i <= 9; i++ {
		anon.wantErr(401, "invalid_credentials", "POST", "/api/v1/auth/login", map[string]string{"username": "ga", "password": "Wrong" + strconv.Itoa(i) + "pass"})
	}
	r := anon.wantErr(429, "account_locked", "POST", "/api/v1/auth/login", map[string]string{"username": "ga", "password": "Wrong10pass"})
	if ra, _ := strconv.Atoi(r.header.Get("Retry-After")); ra < 800 || ra > 901 {
		t.Errorf("Retry-After = %q, want about 900", r.header.Get("Retry-After"))
	}
	// Locked: even the right password is refused.
	anon.wantErr(429, "account_locked", "POST", "/api/v1/auth/login", map[string]string{"username": "ga", "password": "Police2026"})
	// Fifteen minutes later it works again, and the counter starts anew.
	now = now.Add(16 * time.Minute)
	login(t, m, "ga", "Police2026")
	anon.wantErr(401, "invalid_credentials", "POST", "/api/v1/auth/login", map[string]string{"username": "ga", "password": "WrongAgain1"})
}

func TestSessionExpiry(t *testing.T) {
	m := testMain(t, false, "")
	_, police, _ := setupOrgs(t, m)
	now := time.Now().Add(2 * time.Hour) // past the one-hour TTL
	m.Orgs.Now = func() time.Time { return now }
	police.wantErr(401, "invalid_token", "GET", "/api/v1/me", nil)
}

func populationInput(provider string) catalog.Input {
	return catalog.Input{
		Name: "人口基础信息", Summary: "全市户籍人口的基础身份信息。", Category: catalog.CategoryBase, ProviderUSCC: provider,
		Format: "table", UpdateCycle: "daily", ShareType: catalog.ShareConditional, ShareCondition: "用于法定职责范围内的身份核验",
		ShareMethod: "api", OpenType: catalog.OpenNone, PublishDate: "2026-01-15",
		Fields: []catalog.Field{
			{Name: "id_card", Title: "公民身份号码", Type: "string", Level: 3, PII: "id_card", Key: true, Required: true},
			{Name: "name", Title: "姓名", Type: "string", Level: 3, PII: "name", Required: true},
			{Name: "gender", Title: "性别", Type: "string", Level: 2, Enum: []string{"男", "女"}},
			{Name: "address", Title: "户籍地址", Type: "string", Level: 3, PII: "address"},
		},
	}
}

func TestCatalog(t *testing.T) {
	m := testMain(t, false, "")
	admin, police, market := setupOrgs(t, m)

	var r catalog.Resource
	police.want(201, "POST", "/api/v1/resources", populationInput("")).decode(t, &r)
	if r.Code != "JC-002486211-0001" || r.Version != 1 || r.Level != 3 || r.ProviderUSCC != usccPolice || r.ProviderName != "湖州市公安局" {
		t.Fatalf("created = %+v", r)
	}
	// Another department's provider may not register for the police, nor edit its resources.
	market.wantErr(403, "not_provider", "POST", "/api/v1/resources", populationInput(usccPolice))
	market.wantErr(403, "not_provider", "PUT", "/api/v1/resources/"+r.Code, populationInput(""))
	// A consumer-only user may not register at all.
	admin.want(201, "POST", "/api/v1/users", org.UserInput{Username: "gc", Password: "Consumer1", OrgUSCC: usccPolice, Roles: []string{"consumer"}})
	login(t, m, "gc", "Consumer1").wantErr(403, "forbidden", "POST", "/api/v1/resources", populationInput(""))

	// Validation: every problem is named.
	in := populationInput("")
	in.ShareType, in.ShareCondition = catalog.ShareConditional, ""
	in.Fields = append(in.Fields, catalog.Field{Name: "Bad Name", Title: "", Type: "blob", Level: 7}, catalog.Field{Name: "gender", Title: "重复", Type: "string", Level: 1})
	res := police.wantErr(400, "validation_failed", "POST", "/api/v1/resources", in)
	for _, f := range []string{"share_condition", "fields[4].name", "fields[4].title", "fields[4].type", "fields[4].level", "fields[5].name"} {
		if !strings.Contains(string(res.body), `"field":"`+f+`"`) {
			t.Errorf("details miss %s: %s", f, res.body)
		}
	}
	none := populationInput("")
	none.ShareType = catalog.ShareNone
	police.wantErr(400, "validation_failed", "POST", "/api/v1/resources", none) // needs legal basis
	none.LegalBasis = "《中华人民共和国居民身份证法》第十九条"
	police.want(201, "POST", "/api/v1/resources", none)
	rel := populationInput("")
	rel.Name, rel.RelatedCodes = "户籍人口信息", []string{"JC-000000000-0001"}
	police.wantErr(404, "related_not_found", "POST", "/api/v1/resources", rel)
	rel.RelatedCodes = []string{r.Code}
	police.want(201, "POST", "/api/v1/resources", rel)
	// A ref must name an existing resource with a single key field.
	ref := populationInput("")
	ref.Name = "户籍迁移信息"
	ref.Fields = append(ref.Fields, catalog.Field{Name: "household", Title: "户主身份号码", Type: "string", Level: 3, Ref: "JC-000000000-0001"})
	res = police.wantErr(400, "validation_failed", "POST", "/api/v1/resources", ref)
	if !strings.Contains(string(res.body), `"code":"ref_not_found"`) {
		t.Errorf("ref to nowhere: %s", res.body)
	}
	ref.Fields[len(ref.Fields)-1].Ref = r.Code
	police.want(201, "POST", "/api/v1/resources", ref)

	// Edit: a new version; the old one stays readable; stale edits conflict.
	edit := populationInput("")
	edit.Fields = append(edit.Fields, catalog.Field{Name: "phone", Title: "联系电话", Type: "string", Level: 3, PII: "phone"})
	edit.Version, edit.ChangeNote = 1, "增加联系电话"
	var r2 catalog.Resource
	var before catalog.Resource
	police.want(200, "GET", "/api/v1/resources/"+r.Code, nil).decode(t, &before) // read, and kept, before the edit
	police.want(200, "PUT", "/api/v1/resources/"+r.Code, edit).decode(t, &r2)
	var after catalog.Resource
	police.want(200, "GET", "/api/v1/resources/"+r.Code, nil).decode(t, &after)
	if before.Version != 1 || after.Version != 2 || len(after.Fields) != 5 {
		t.Errorf("current version before and after the edit = %d, %d (%d fields)", before.Version, after.Version, len(after.Fields))
	}
	if r2.Version != 2 || r2.Code != r.Code || len(r2.Fields) != 5 || !r2.CreatedAt.Equal(r.CreatedAt) {
		t.Errorf("edited = %+v", r2)
	}
	police.wantErr(409, "version_conflict", "PUT", "/api/v1/resources/"+r.Code, edit)
	moved := populationInput(usccMarket)
	police.wantErr(400, "provider_immutable", "PUT", "/api/v1/resources/"+r.Code, moved)
	police.wantErr(404, "resource_not_found", "PUT", "/api/v1/resources/JC-002486211-0099", populationInput(""))
	var v1 catalog.Resource
	market.want(200, "GET", "/api/v1/resources/"+r.Code+"/versions/1", nil).decode(t, &v1)
	if v1.Version != 1 || len(v1.Fields) != 4 {
		t.Errorf("version 1 = v%d with %d fields", v1.Version, len(v1.Fields))
	}
	market.wantErr(404, "version_not_found", "GET", "/api/v1/resources/"+r.Code+"/versions/7", nil)
	var versions struct {
		Items []catalog.Version `json:"items"`
	}
	market.want(200, "GET", "/api/v1/resources/"+r.Code+"/versions", nil).decode(t, &versions)
	if len(versions.Items) != 2 || versions.Items[0].Version != 2 || versions.Items[0].ChangeNote != "增加联系电话" ||
		len(versions.Items[0].Changes) != 1 || versions.Items[0].Changes[0] != "field added: phone" {
		t.Errorf("versions = %+v", versions.Items)
	}
	market.wantErr(404, "resource_not_found", "GET", "/api/v1/resources/nope/versions", nil)
	var cur catalog.Resource
	resp := market.want(200, "GET", "/api/v1/resources/"+r.Code, nil)
	resp.decode(t, &cur)
	if cur.Version != 2 || resp.header.Get("ETag") != `"2"` {
		t.Errorf("current = v%d etag %q", cur.Version, resp.header.Get("ETag"))
	}
	// An admin may edit any resource; If-Match carries the version.
	edit.Version = 0
	req, _ := http.NewRequest("PUT", m.InternalURL()+"/api/v1/resources/"+r.Code, strings.NewReader(mustJSON(t, edit)))
	req.Header.Set("Authorization", "Bearer "+admin.token)
	req.Header.Set("If-Match", `"1"`)
	hr, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	hr.Body.Close()
	if hr.StatusCode != 409 {
		t.Errorf("stale If-Match = %d, want 409", hr.StatusCode)
	}
	admin.want(200, "PUT", "/api/v1/resources/"+r.Code, edit)
}

func TestCatalogSearch(t *testing.T) {
	m := testMain(t, false, "")
	_, police, market := setupOrgs(t, m)
	police.want(201, "POST", "/api/v1/resources", populationInput(""))
	lic := catalog.Input{
		Name: "营业执照信息", Summary: "企业和个体工商户营业执照登记信息。", Category: catalog.CategoryDepartment,
		Format: "table", UpdateCycle: "realtime", ShareType: catalog.ShareUnconditional, ShareMethod: "api",
		OpenType: catalog.OpenOpen, Fields: []catalog.Field{
			{Name: "uscc", Title: "统一社会信用代码", Type: "string", Level: 1, PII: "uscc", Key: true, Required: true},
			{Name: "org_name", Title: "企业名称", Type: "string", Level: 1},
			{Name: "legal_rep", Title: "法定代表人", Type: "string", Level: 1},
		}}
	market.want(201, "POST", "/api/v1/resources", lic)
	ins := catalog.Input{
		Name: "社会保险参保信息", Summary: "职工和城乡居民社会保险参保登记，含人口参保状态。", Category: catalog.CategoryTheme,
		Format: "table", UpdateCycle: "monthly", ShareType: catalog.ShareConditional, ShareCondition: "社保资格核验", ShareMethod: "api",
		OpenType: catalog.OpenNone, Fields: []catalog.Field{
			{Name: "id_card", Title: "公民身份号码", Type: "string", Level: 3, PII: "id_card", Key: true, Required: true},
			{Name: "status", Title: "参保状态", Type: "string", Level: 2, Enum: []string{"参保缴费", "暂停缴费", "终止参保"}},
		}}
	market.want(201, "POST", "/api/v1/resources", ins)

	search := func(query string) catalog.Results {
		t.Helper()
		var res catalog.Results
		market.want(200, "GET", "/api/v1/resources?"+query, nil).decode(t, &res)
		return res
	}
	names := func(res catalog.Results) []string {
		var out []string
		for _, it := range res.Items {
			out = append(out, it.Name)
		}
		return out
	}
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"q=人口", []string{"人口基础信息", "社会保险参保信息"}}, // name beats summary
		{"q=营业执照", []string{"营业执照信息"}},
		{"q=社保", []string{"社会保险参保信息"}},                // abbreviation
		{"q=法定代表人", []string{"营业执照信息"}},               // a field title
		{"q=市场监督", []string{"营业执照信息", "社会保险参保信息"}},    // provider name
		{"q=公民身份号码+参保", []string{"社会保险参保信息"}},         // every term must match
		{"q=ID_CARD", []string{"人口基础信息", "社会保险参保信息"}}, // field names, any case
		{"q=不存在的东西", nil},
		{"q=人口&share_type=conditional&provider=" + usccPolice, []string{"人口基础信息"}},
		{"q=&open_type=open", []string{"营业执照信息"}},
		{"category=theme", []string{"社会保险参保信息"}},
		{"level=1", []string{"营业执照信息"}},
		{"", []string{"人口基础信息", "营业执照信息", "社会保险参保信息"}}, // by code: JC-0024…, BM-MB1A…, ZT-MB1A…? sorted below
	} {
		got := names(search(tc.query))
		if tc.query == "" {
			if len(got) != 3 {
				t.Errorf("list all = %v", got)
			}
			continue
		}
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("search %q = %v, want %v", tc.query, got, tc.want)
		}
	}
	// Paging: one at a time, each once, total constant.
	seen := map[string]bool{}
	tok := ""
	for {
		res := search("page_size=1&page_token=" + tok)
		if res.Total != 3 {
			t.Fatalf("total = %d", res.Total)
		}
		for _, it := range res.Items {
			if seen[it.Code] {
				t.Fatalf("%s twice", it.Code)
			}
			seen[it.Code] = true
		}
		if tok = res.NextPageToken; tok == "" {
			break
		}
	}
	if len(seen) != 3 {
		t.Errorf("paged %d", len(seen))
	}
	market.wantErr(400, "validation_failed", "GET", "/api/v1/resources?share_type=sometimes", nil)
	market.wantErr(400, "validation_failed", "GET", "/api/v1/resources?level=9", nil)
	market.wantErr(400, "invalid_parameter", "GET", "/api/v1/resources?level=high", nil)
	market.wantErr(400, "invalid_page_token", "GET", "/api/v1/resources?page_token=zzz", nil)
	market.wantErr(400, "validation_failed", "GET", "/api/v1/resources?page_size=1000", nil)
	(&client{t: t, base: m.InternalURL()}).wantErr(401, "unauthenticated", "GET", "/api/v1/resources?q=人口", nil)

	// An edit shows in search at once: the old name no longer matches.
	var r catalog.Resource
	police.want(200, "GET", "/api/v1/resources/JC-002486211-0001", nil).decode(t, &r)
	in := populationInput("")
	in.Name = "常住人口信息"
	police.want(200, "PUT", "/api/v1/resources/"+r.Code, in)
	if got := names(search("q=基础信息")); len(got) != 0 {
		t.Errorf("after rename, 基础信息 finds %v", got)
	}
	if got := names(search("q=常住")); len(got) != 1 {
		t.Errorf("after rename, 常住 finds %v", got)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestBadInput(t *testing.T) {
	m := testMain(t, false, "")
	admin, police, _ := setupOrgs(t, m)
	for _, tc := range []struct {
		name, body, code string
		status           int
	}{
		{"empty", "", "invalid_json", 400},
		{"truncated", `{"name":"人口`, "invalid_json", 400},
		{"syntax", `{"name": nope}`, "invalid_json", 400},
		{"wrong type", `{"name": 5}`, "invalid_json", 400},
		{"unknown field", `{"nmae": "x"}`, "unknown_field", 400},
		{"two objects", `{} {}`, "invalid_json", 400},
		{"array", `[1,2]`, "invalid_json", 400},
		{"binary", "\x00\x01\x02\xff", "invalid_json", 400},
		{"too large", `{"name":"` + strings.Repeat("人", 400_000) + `"}`, "body_too_large", 413},
		{"fields wrong type", `{"fields": {"a": 1}}`, "invalid_json", 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			police.t = t
			police.wantErr(tc.status, tc.code, "POST", "/api/v1/resources", tc.body)
		})
	}
	police.t = t
	admin.wantErr(404, "route_not_found", "GET", "/api/v1/nothing-here", nil)
	r := admin.wantErr(405, "method_not_allowed", "DELETE", "/api/v1/resources", nil)
	if !strings.Contains(r.header.Get("Allow"), "GET") {
		t.Errorf("Allow = %q", r.header.Get("Allow"))
	}
	(&client{t: t, base: m.InternalURL(), token: "x"}).wantErr(401, "invalid_token", "GET", "/api/v1/me", nil)
	req, _ := http.NewRequest("GET", m.InternalURL()+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Basic YWRtaW46eA==")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("Basic auth = %d, want 401", resp.StatusCode)
	}
}

// TestWall proves that no department route answers on the public listener.
func TestWall(t *testing.T) {
	m := testMain(t, false, "")
	admin := login(t, m, "admin", adminPassword)
	pub := &client{t: t, base: m.PublicURL()}
	routes := (&web.Server{}).Routes()
	both := map[string]bool{}
	for _, rt := range routes {
		if rt.Public {
			both[rt.Method+" "+rt.Pattern] = true
		}
	}
	// Only these answer on both sides: health; the audit log's signed
	// checkpoint and verifier key, which anyone may check; and what anyone
	// needs to check a license — verification, the issuers' keys, status
	// lists, verification pages and QR codes — and the holder's consents,
	// which citizens give on the public side and holder orgs on the
	// internal one.
	var shared []string
	for _, rt := range routes {
		if !rt.Public && both[rt.Method+" "+rt.Pattern] {
			shared = append(shared, rt.Method+" "+rt.Pattern)
		}
	}
	want := []string{
		"GET /healthz", "GET /api/v1/audit/checkpoint", "GET /api/v1/audit/key",
		"POST /api/v1/licenses/verify", "GET /.well-known/jwks.json", "GET /status/{uscc}/{list}",
		"GET /verify/{identifier}/qr.png", "GET /verify/{identifier}/qr.svg",
		"POST /api/v1/licenses/{identifier}/consents", "GET /api/v1/licenses/{identifier}/consents",
		"DELETE /api/v1/consents/{id}", "GET /verify/{identifier}",
	}
	if strings.Join(shared, ",") != strings.Join(want, ",") {
		t.Errorf("routes on both listeners = %v, want %v", shared, want)
	}
	// Every other internal route is absent from the public side, whatever
	// the path values.
	fill := strings.NewReplacer("{uscc}", usccPolice, "{id}", "1", "{code}", "JC-1", "{version}", "1", "{key}", "1",
		"{path...}", "0/000", "{list}", "1",
		"{identifier}", "1.2.156.3005.2.11330500MB1A354275001.11330500MB1A354275.202600000001.001.1")
	for _, rt := range routes {
		if rt.Public || both[rt.Method+" "+rt.Pattern] {
			continue // registered on the public side too, on purpose
		}
		path := fill.Replace(rt.Pattern)
		if strings.Contains(path, "{") {
			t.Errorf("%s %s: no value for a path wildcard; add one to the replacer", rt.Method, rt.Pattern)
			continue
		}
		r := pub.do(rt.Method, path, "{}")
		if r.status != 404 || r.errCode() != "route_not_found" {
			t.Errorf("public %s %s = %d %s; want 404 route_not_found", rt.Method, path, r.status, r.body)
		}
	}
	// Logging in is a department route too.
	(&client{t: t, base: m.PublicURL()}).wantErr(404, "route_not_found", "POST", "/api/v1/auth/login",
		map[string]string{"username": "admin", "password": adminPassword})
	// An officer's token is refused on the public side altogether.
	(&client{t: t, base: m.PublicURL(), token: admin.token}).wantErr(401, "wrong_listener", "GET", "/api/v1/audit/key", nil)
	home := pub.do("GET", "/", nil)
	if home.status != 200 || !strings.Contains(string(home.body), "汇通") {
		t.Errorf("public home = %d", home.status)
	}
}

func TestHealth(t *testing.T) {
	m := testMain(t, false, "")
	c := &client{t: t, base: m.InternalURL()}
	c.want(200, "GET", "/healthz", nil)
	c.want(200, "GET", "/readyz", nil)
	y := c.want(200, "GET", "/api/v1/openapi.yaml", nil)
	if !strings.HasPrefix(string(y.body), "openapi: 3.1") {
		t.Errorf("openapi.yaml starts %q", y.body[:min(20, len(y.body))])
	}
	m.DB.Close()
	c.wantErr(503, "not_ready", "GET", "/readyz", nil)
}

func TestDemoCity(t *testing.T) {
	m := testMain(t, true, "")
	consumer := login(t, m, "mz_consumer", "Huzhou@2026")
	var res catalog.Results
	consumer.want(200, "GET", "/api/v1/resources?page_size=1", nil).decode(t, &res)
	if res.Total < 40 {
		t.Errorf("demo catalog has %d resources, want at least 40", res.Total)
	}
	for q, top := range map[string]string{"人口": "人口基础信息", "营业执照": "营业执照信息", "社保": "社会保险参保信息"} {
		consumer.want(200, "GET", "/api/v1/resources?q="+q, nil).decode(t, &res)
		if len(res.Items) == 0 || res.Items[0].Name != top {
			t.Errorf("search %s: top hit %v, want %s", q, res.Items, top)
		}
	}
	var orgs org.Page[org.Org]
	consumer.want(200, "GET", "/api/v1/orgs?page_size=100", nil).decode(t, &orgs)
	if len(orgs.Items) < 8 {
		t.Errorf("demo has %d orgs", len(orgs.Items))
	}
	// Every demo role can log in.
	for _, u := range []string{"dsj_admin", "ga_provider", "auditor", "zz_issuer"} {
		login(t, m, u, "Huzhou@2026")
	}
	// The demo citizen sees who used their data, on the public listener.
	var cl struct {
		Token string `json:"token"`
	}
	(&client{t: t, base: m.PublicURL()}).want(200, "POST", "/api/v1/citizen/login",
		map[string]string{"username": "citizen_li", "password": "Huzhou@2026"}).decode(t, &cl)
	var hist struct {
		Items []struct {
			Action string `json:"action"`
		} `json:"items"`
	}
	(&client{t: t, base: m.PublicURL(), token: cl.Token}).want(200, "GET", "/api/v1/tracker/me", nil).decode(t, &hist)
	if len(hist.Items) == 0 || hist.Items[len(hist.Items)-1].Action != "user.create" {
		t.Errorf("demo citizen history = %+v", hist.Items)
	}
	// The demo's licenses: a few hundred of five types, some revoked, some
	// re-issued; citizen_li's 结婚证 verifies on the public listener.
	// licenseCounts counts them by type name and status as the auditor
	// lists them; "" counts them all.
	licenseCounts := func(m *Main) map[string]int {
		auditor := login(t, m, "auditor", "Huzhou@2026")
		n := map[string]int{}
		path := "/api/v1/licenses?page_size=500"
		for {
			var page licensePage
			auditor.want(200, "GET", path, nil).decode(t, &page)
			for _, l := range page.Items {
				n[l.TypeName]++
				n[l.Status]++
				n[""]++
			}
			if page.NextPageToken == "" {
				return n
			}
			path = "/api/v1/licenses?page_size=500&page_token=" + page.NextPageToken
		}
	}
	licenses := licenseCounts(m)
	for _, k := range []string{"营业执照", "结婚证", "出生医学证明", "不动产权证书", "社会保障卡", "revoked", "superseded"} {
		if licenses[k] == 0 {
			t.Errorf("no demo license %s: %v", k, licenses)
		}
	}
	if licenses[""] < 300 || licenses[""] > 1000 {
		t.Errorf("%d demo licenses, want a few hundred", licenses[""])
	}
	citizen := &client{t: t, base: m.PublicURL(), token: cl.Token}
	var mine licensePage
	citizen.want(200, "GET", "/api/v1/my/licenses", nil).decode(t, &mine)
	var marriage license.License
	for _, l := range mine.Items {
		if l.TypeName == "结婚证" {
			marriage = l
		}
	}
	var verified license.Result
	(&client{t: t, base: m.PublicURL()}).want(200, "POST", "/api/v1/licenses/verify", license.VerifyInput{Credential: marriage.Credential}).decode(t, &verified)
	if !verified.Valid || verified.Issuer == nil || verified.Issuer.USCC != demo.USCCCivil || verified.License.HolderName != "李*" ||
		verified.License.Data["reg_date"] != "2012-05-20" {
		t.Errorf("citizen_li's 结婚证 %s verifies as %+v", marriage.Identifier, verified)
	}
	var consents struct {
		Items []license.Consent `json:"items"`
	}
	citizen.want(200, "GET", "/api/v1/my/consents", nil).decode(t, &consents)
	if len(consents.Items) != 2 {
		t.Errorf("citizen_li's consents %+v", consents.Items)
	}
	// A second start on the same data dir does not seed twice.
	m.Close()
	m2 := NewMain()
	m2.Config, m2.Demo, m2.Argon2, m2.LogOutput = m.Config, true, m.Argon2, io.Discard
	if err := m2.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer m2.Close()
	c2 := login(t, m2, "mz_consumer", "Huzhou@2026")
	var res2 catalog.Results
	c2.want(200, "GET", "/api/v1/resources?page_size=1", nil).decode(t, &res2)
	if res2.Total != res.Total && res2.Total != 57 {
		t.Errorf("after restart %d resources", res2.Total)
	}
	if again := licenseCounts(m2); again[""] != licenses[""] {
		t.Errorf("after restart %d licenses, before %d", again[""], licenses[""])
	}
}

// TestPostgresSearch runs the catalog flow on PostgreSQL: search must behave
// exactly as on SQLite.
func TestPostgresSearch(t *testing.T) {
	m := testMain(t, true, pgDSN(t))
	c := login(t, m, "mz_consumer", "Huzhou@2026")
	var res catalog.Results
	c.want(200, "GET", "/api/v1/resources?q=社保", nil).decode(t, &res)
	if len(res.Items) == 0 || res.Items[0].Name != "社会保险参保信息" {
		t.Errorf("社保 on postgres: %v", res.Items)
	}
}

// TestSharedPostgres runs two instances on one PostgreSQL database: a change
// made through one shows in the other's search.
func TestSharedPostgres(t *testing.T) {
	a := testMain(t, true, pgDSN(t))
	b := NewMain()
	b.Config, b.Argon2, b.LogOutput = a.Config, a.Argon2, io.Discard
	if err := b.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	pa := login(t, a, "ga_provider", "Huzhou@2026")
	in := populationInput("")
	in.Name = "重点人员管控信息"
	var created catalog.Resource
	pa.want(201, "POST", "/api/v1/resources", in).decode(t, &created)
	cb := login(t, b, "mz_consumer", "Huzhou@2026")
	var res catalog.Results
	cb.want(200, "GET", "/api/v1/resources?q=重点人员", nil).decode(t, &res)
	if len(res.Items) != 1 {
		t.Errorf("instance b does not see a's new resource: %v", res.Items)
	}
	// Both read the resource (and keep it); a edits it; a sees the edit at
	// once, b within the cache's TTL.
	var seen catalog.Resource
	cb.want(200, "GET", "/api/v1/resources/"+created.Code, nil).decode(t, &seen)
	pa.want(200, "GET", "/api/v1/resources/"+created.Code, nil).decode(t, &seen)
	in.Version, in.ShareType, in.ShareCondition, in.LegalBasis, in.ShareMethod = 1, catalog.ShareNone, "", "《中华人民共和国居民身份证法》第十九条", ""
	pa.want(200, "PUT", "/api/v1/resources/"+created.Code, in)
	pa.want(200, "GET", "/api/v1/resources/"+created.Code, nil).decode(t, &seen)
	if seen.Version != 2 || seen.ShareType != catalog.ShareNone {
		t.Errorf("instance a reads version %d (%s) after its own edit", seen.Version, seen.ShareType)
	}
	edited := time.Now()
	for {
		cb.want(200, "GET", "/api/v1/resources/"+created.Code, nil).decode(t, &seen)
		if seen.Version == 2 && seen.ShareType == catalog.ShareNone {
			break
		}
		if time.Since(edited) > catalog.DefaultCacheTTL+time.Second {
			t.Fatalf("instance b still reads version %d (%s) %v after a's edit", seen.Version, seen.ShareType, time.Since(edited))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestGracefulShutdown(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	dir := t.TempDir()
	var out strings.Builder
	var mu sync.Mutex
	w := writerFunc(func(p []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return out.Write(p) })
	done := make(chan int)
	t.Setenv("HUITONG_ADMIN_PASSWORD", adminPassword)
	go func() {
		done <- run(ctx, []string{"serve", "--data-dir", dir, "--addr", "127.0.0.1:0", "--public-addr", "127.0.0.1:0", "--log-level", "error"}, w, io.Discard)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		up := strings.Contains(out.String(), "huitong")
		mu.Unlock()
		if up || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit code %d; output:\n%s", code, out.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop on cancel")
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestCommandLine(t *testing.T) {
	var out, errb strings.Builder
	if code := run(t.Context(), []string{"version"}, &out, &errb); code != 0 || !strings.HasPrefix(out.String(), "huitong ") {
		t.Errorf("version = %d %q", code, out.String())
	}
	if code := run(t.Context(), []string{"serve", "--help"}, &out, &errb); code != 0 || !strings.Contains(errb.String(), "--data-dir") && !strings.Contains(errb.String(), "-data-dir") {
		t.Errorf("serve --help = %d %q", code, errb.String())
	}
	errb.Reset()
	if code := run(t.Context(), []string{"serve", "--operator-uscc", usccBadCheck, "--addr", "x"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "operator-uscc") || !strings.Contains(errb.String(), "--addr") {
		t.Errorf("bad config = %d %q", code, errb.String())
	}
	if code := run(t.Context(), []string{"frobnicate"}, &out, &errb); code != 2 {
		t.Errorf("unknown command = %d", code)
	}
	if code := run(t.Context(), nil, &out, &errb); code != 2 {
		t.Errorf("no command = %d", code)
	}
}

// TestInFlightFinish shows that a request under way when shutdown starts
// still gets its answer.
func TestInFlightFinish(t *testing.T) {
	m := testMain(t, false, "")
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", m.InternalURL()+"/api/v1/auth/login", pr)
	type result struct {
		status int
		err    error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			got <- result{err: err}
			return
		}
		resp.Body.Close()
		got <- result{status: resp.StatusCode}
	}()
	pw.Write([]byte(`{"username":"admin",`)) // the handler is now reading the body
	time.Sleep(100 * time.Millisecond)
	closed := make(chan error, 1)
	go func() { closed <- m.Close() }()
	time.Sleep(100 * time.Millisecond)
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) while a request was in flight", err)
	default:
	}
	pw.Write([]byte(`"password":"` + adminPassword + `"}`))
	pw.Close()
	r := <-got
	if r.err != nil || r.status != 200 {
		t.Fatalf("in-flight login = %d, %v; want 200", r.status, r.err)
	}
	if err := <-closed; err != nil {
		t.Errorf("Close: %v", err)
	}
}
