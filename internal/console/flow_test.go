package console_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"huitong/internal/audit"
	"huitong/internal/demo"
	"huitong/internal/sharing"
)

var requestPathRE = regexp.MustCompile(`^/console/requests/(\d+)\?ok=`)

// requestIDOf returns the request id a redirect after a request leads to.
func requestIDOf(t *testing.T, p page) string {
	t.Helper()
	m := requestPathRE.FindStringSubmatch(p.location)
	if p.status != http.StatusSeeOther || m == nil {
		t.Fatalf("want a redirect to the request, got %d %s: %s", p.status, p.location, excerpt(p.body))
	}
	return m[1]
}

// TestRequestApproveGrant: a consumer requests fields from the resource
// page; the provider finds it in the inbox and approves fewer fields; the
// consumer sees the grant. Each step is audited as its API twin.
func TestRequestApproveGrant(t *testing.T) {
	res := "/console/resources/" + e.household.Code
	consumer := as(t, "mz_consumer")
	form := url.Values{"fields": {"id_card", "name", "household_no", "relation_to_head"}, "purpose": {"社会救助家庭成员认定（控制台测试）"},
		"expires_at": {"2027-06-30"}}
	id := requestIDOf(t, consumer.submit(res, res+"/request", form))
	p := consumer.get("/console/requests/" + id + "?ok=requested")
	checkPage(t, "request", p)
	if !strings.Contains(p.body, "status-pending") || !strings.Contains(p.body, "共享申请已提交") {
		t.Errorf("request page: %s", excerpt(p.body))
	}
	if p := consumer.get("/console/requests?role=consumer"); !strings.Contains(p.body, "/console/requests/"+id+`"`) {
		t.Errorf("my requests do not list %s", id)
	}

	provider := as(t, "ga_provider")
	inbox := provider.get("/console/inbox")
	if !strings.Contains(inbox.body, "/console/requests/"+id+`"`) {
		t.Fatalf("inbox does not list %s: %s", id, excerpt(inbox.body))
	}
	// Unticking every field is refused next to the fields.
	bad := provider.submit("/console/requests/"+id, "/console/requests/"+id+"/approve", url.Values{"comment": {"x"}})
	if bad.status != 400 || !strings.Contains(bad.body, "请至少勾选一个批准的信息项") {
		t.Errorf("approve with no field: %d %s", bad.status, excerpt(bad.body))
	}
	// An expiry beyond the request's is the service's refusal, shown.
	bad = provider.submit("/console/requests/"+id, "/console/requests/"+id+"/approve",
		url.Values{"fields": {"id_card"}, "expires_at": {"2029-01-01"}})
	if bad.status != 400 || !strings.Contains(bad.body, "field-error") {
		t.Errorf("approve extending the expiry: %d %s", bad.status, excerpt(bad.body))
	}
	ok := provider.submit("/console/requests/"+id, "/console/requests/"+id+"/approve",
		url.Values{"fields": {"id_card", "name", "relation_to_head"}, "unmasked_fields": {"name"}, "comment": {"户号与认定无关"},
			"daily_quota": {"5000"}})
	if ok.status != http.StatusSeeOther {
		t.Fatalf("approve = %d %s", ok.status, excerpt(ok.body))
	}
	p = provider.follow(ok)
	if !strings.Contains(p.body, "status-approved") {
		t.Errorf("after approval: %s", excerpt(p.body))
	}

	grants := consumer.get("/console/grants?role=consumer&status=active&resource_code=" + e.household.Code)
	checkPage(t, "grants", grants)
	if !strings.Contains(grants.body, "relation_to_head") || strings.Contains(grants.body, "household_no") {
		t.Errorf("consumer's grants: %s", excerpt(grants.body))
	}

	// The log holds the request and the decision, by the people who made
	// them, as the API would have recorded them.
	recs, err := e.log.Entries(admin(), audit.Filter{Action: "sharing.", Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	for _, r := range recs {
		if r.Detail["request_id"] == id {
			seen = append(seen, r.Action+"/"+r.Actor+"/"+r.Outcome)
		}
	}
	want := []string{"sharing.request/user:mz_consumer/allowed", "sharing.approve/user:ga_provider/allowed"}
	if strings.Join(seen, ",") != strings.Join(want, ",") {
		t.Errorf("audit records of request %s: %v, want %v", id, seen, want)
	}
}

// TestRejectAndRevoke: a reason is required for both; with one, they go
// through.
func TestRejectAndRevoke(t *testing.T) {
	res := "/console/resources/" + e.people.Code
	consumer := as(t, "gjj_consumer")
	id := requestIDOf(t, consumer.submit(res, res+"/request", url.Values{"fields": {"id_card", "name"}, "purpose": {"测试驳回"}}))
	provider := as(t, "ga_provider")
	p := provider.submit("/console/requests/"+id, "/console/requests/"+id+"/reject", url.Values{"reason": {" "}})
	if p.status != 400 || !strings.Contains(p.body, "field-error") {
		t.Errorf("reject without reason: %d %s", p.status, excerpt(p.body))
	}
	p = provider.submit("/console/requests/"+id, "/console/requests/"+id+"/reject", url.Values{"reason": {"超出必要范围"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("reject = %d %s", p.status, excerpt(p.body))
	}
	if p = provider.follow(p); !strings.Contains(p.body, "status-rejected") || !strings.Contains(p.body, "超出必要范围") {
		t.Errorf("after rejection: %s", excerpt(p.body))
	}

	// Revoke the demo grant of the civil affairs bureau.
	grants := fmt.Sprintf("/console/grants?role=provider&resource_code=%s", e.people.Code)
	action := fmt.Sprintf("/console/grants/%d/revoke?role=provider", e.grantID)
	p = provider.submit(grants, action, url.Values{"reason": {""}})
	if p.status != 400 || !strings.Contains(p.body, `role="alert"`) {
		t.Errorf("revoke without reason: %d %s", p.status, excerpt(p.body))
	}
	p = provider.submit(grants, action, url.Values{"reason": {"测试撤销"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("revoke = %d %s", p.status, excerpt(p.body))
	}
	g, err := e.shr.GetGrant(admin(), e.grantID)
	if err != nil || g.Status != sharing.GrantRevoked || g.RevokeReason != "测试撤销" {
		t.Errorf("grant after revocation: %+v %v", g, err)
	}
	// A consumer cannot revoke, whatever it posts.
	if p := as(t, "mz_consumer").submit("/console/grants", action, url.Values{"reason": {"x"}}); p.status != 403 {
		t.Errorf("consumer revokes: %d", p.status)
	}
}

// TestCountersign: level-4 fields wait for an admin after the provider's
// approval; the admin's queue lists them and the countersignature makes the
// grant.
func TestCountersign(t *testing.T) {
	res := "/console/resources/" + e.restricted.Code
	key := ""
	for _, f := range e.restricted.Fields {
		if f.Key {
			key = f.Name
		}
	}
	id := requestIDOf(t, as(t, "mz_consumer").submit(res, res+"/request",
		url.Values{"fields": {key, e.restrictedF}, "purpose": {"会签测试"}}))
	p := as(t, e.restrictedBy).submit("/console/requests/"+id, "/console/requests/"+id+"/approve",
		url.Values{"fields": {key, e.restrictedF}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("approve = %d %s", p.status, excerpt(p.body))
	}
	adm := as(t, "admin")
	if q := adm.get("/console/countersign"); !strings.Contains(q.body, "/console/requests/"+id+`"`) {
		t.Fatalf("countersign queue lacks %s", id)
	}
	if q := adm.get("/console/requests/" + id); !strings.Contains(q.body, "countersign-form") || !strings.Contains(q.body, "reject-form") {
		t.Errorf("admin's request page lacks the countersign forms")
	}
	if q := as(t, "ga_provider").get("/console/countersign"); q.status != 403 {
		t.Errorf("provider's countersign queue = %d", q.status)
	}
	p = adm.submit("/console/requests/"+id, "/console/requests/"+id+"/countersign", url.Values{"comment": {"同意"}})
	if p = adm.follow(p); !strings.Contains(p.body, "status-approved") {
		t.Errorf("after countersign: %s", excerpt(p.body))
	}
}

// TestCSRF: a POST without the form's token, or with another session's,
// is refused with the 403 page and changes nothing.
func TestCSRF(t *testing.T) {
	res := "/console/resources/" + e.household.Code
	consumer := as(t, "mz_consumer")
	other := as(t, "gjj_consumer").get(res).csrf(t)
	for name, tok := range map[string]string{"missing": "", "forged": "AAAA", "another session's": other} {
		form := url.Values{"fields": {"id_card"}, "purpose": {"csrf " + name}}
		if tok != "" {
			form.Set("_csrf", tok)
		}
		p := consumer.post(res+"/request", form)
		if p.status != 403 || !strings.Contains(p.body, "表单校验失败") {
			t.Errorf("%s token: %d %s", name, p.status, excerpt(p.body))
		}
	}
	list, err := e.shr.List(admin(), sharing.ListQuery{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range list.Items {
		if strings.HasPrefix(r.Purpose, "csrf ") {
			t.Errorf("a forged form filed request %d", r.ID)
		}
	}
	// A script sends its token in X-CSRF-Token; the form is read all the same.
	tok := consumer.get(res).csrf(t)
	req, _ := http.NewRequest("POST", e.internal.URL+res+"/request",
		strings.NewReader(url.Values{"fields": {"id_card"}, "purpose": {"header token"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-CSRF-Token", tok)
	if p := consumer.do(req); p.status != http.StatusSeeOther {
		t.Errorf("request with the token in a header = %d %s", p.status, excerpt(p.body))
	}
	// A form over the limit is too large, not a failed token check.
	if p := consumer.post(res+"/request", url.Values{"_csrf": {tok}, "purpose": {strings.Repeat("审", 1<<19)}}); p.status != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized form = %d %s", p.status, excerpt(p.body))
	}
	// Logout and login forms too.
	if p := consumer.post("/console/logout", url.Values{}); p.status != 403 {
		t.Errorf("logout without token = %d", p.status)
	}
	fresh := newBrowser(t, e.internal.URL)
	if p := fresh.post("/console/login", url.Values{"username": {"admin"}, "password": {demo.AdminPassword}}); p.status != 403 {
		t.Errorf("login without token = %d", p.status)
	}
	// An upload's token travels in its body, before the file.
	data := "/console/resources/" + e.people.Code + "/data"
	if p := as(t, "ga_provider").upload(data[:len(data)-5]+"/upload", url.Values{}, "x.csv", "text/csv", "a\n1\n"); p.status != 403 {
		t.Errorf("upload without token = %d", p.status)
	}
}

// TestLoginAndLanguage: a failed login shows why, in the chosen language;
// logging out ends the session everywhere, the API included.
func TestLoginAndLanguage(t *testing.T) {
	b := newBrowser(t, e.internal.URL)
	p := b.submit("/console/login", "/console/login", url.Values{"username": {"mz_consumer"}, "password": {"wrong"}})
	if p.status != 401 || !strings.Contains(p.body, "用户名或密码错误") || !strings.Contains(p.body, `value="mz_consumer"`) {
		t.Errorf("failed login: %d %s", p.status, excerpt(p.body))
	}
	checkPage(t, "failed login", p)
	p = b.submit("/console/login?lang=en", "/console/login", url.Values{"username": {""}, "password": {""}})
	if p.status != 400 || !strings.Contains(p.body, "username is required") || !strings.Contains(p.body, `<html lang="en">`) {
		t.Errorf("empty login in English: %d %s", p.status, excerpt(p.body))
	}
	p = b.submit("/console/login", "/console/login", url.Values{"username": {"citizen_li"}, "password": {demo.Password}})
	if p.status != 403 || !strings.Contains(p.body, "citizen users log in on the public address") {
		t.Errorf("citizen on the console: %d %s", p.status, excerpt(p.body))
	}
	// The language sticks in a cookie until switched back.
	p = b.submit("/console/login", "/console/login", url.Values{"username": {"mz_consumer"}, "password": {demo.Password},
		"next": {"/console/catalog?q=x"}})
	if p.status != http.StatusSeeOther || p.location != "/console/catalog?q=x" {
		t.Fatalf("login = %d %s", p.status, p.location)
	}
	home := b.get("/console/")
	if !strings.Contains(home.body, "Log out") || !strings.Contains(home.body, `href="/console/?lang=zh"`) {
		t.Errorf("English home: %s", excerpt(home.body))
	}
	home = b.get("/console/?lang=zh")
	if !strings.Contains(home.body, "退出") || !strings.Contains(home.body, `<html lang="zh-CN">`) {
		t.Errorf("Chinese home: %s", excerpt(home.body))
	}
	// An open redirect is not followed.
	b2 := newBrowser(t, e.internal.URL)
	p = b2.submit("/console/login", "/console/login", url.Values{"username": {"mz_consumer"}, "password": {demo.Password},
		"next": {"//evil.example/"}})
	if p.location != "/console/" {
		t.Errorf("next=//evil: %s", p.location)
	}
	// Logout revokes the token.
	tok := cookie(b, e.internal.URL+"/console/", "huitong_session")
	p = b.submit("/console/", "/console/logout", url.Values{})
	if p.status != http.StatusSeeOther || !strings.Contains(p.location, "m=bye") {
		t.Errorf("logout = %d %s", p.status, p.location)
	}
	if _, err := e.orgs.Authenticate(admin(), tok); err == nil {
		t.Error("the session token outlives the logout")
	}
	// A stale cookie leads to the login page with a message.
	u, _ := url.Parse(e.internal.URL + "/console/")
	b.c.Jar.SetCookies(u, []*http.Cookie{{Name: "huitong_session", Value: tok, Path: "/console/"}})
	p = b.get("/console/catalog")
	if p.status != http.StatusSeeOther || !strings.Contains(p.location, "m=expired") {
		t.Fatalf("stale session: %d %s", p.status, p.location)
	}
	if p = b.get(p.location); !strings.Contains(p.body, "登录已过期") {
		t.Errorf("login page after expiry: %s", excerpt(p.body))
	}
}

// TestUploadReport: a provider uploads a CSV with a bad row; the report
// shows the counts and the first errors, and the rejected rows download
// as XLSX.
func TestUploadReport(t *testing.T) {
	prov := as(t, "ga_provider")
	data := "/console/resources/" + e.people.Code + "/data"
	tok := prov.get(data).csrf(t)
	csv := "公民身份号码,姓名,性别,出生日期,户口状态\n33050219850615123X,李明,男,1985年6月15日,正常\n" +
		"11010519491231002X,张三,男,1949/12/31,迁入\n110105194912310021,王五,男,1949-12-31,正常\n"
	p := prov.upload("/console/resources/"+e.people.Code+"/upload", url.Values{"_csrf": {tok}}, "people.csv", "text/csv", csv)
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/console/batches/") {
		t.Fatalf("upload = %d %s %s", p.status, p.location, excerpt(p.body))
	}
	rep := prov.get(p.location)
	checkPage(t, "batch", rep)
	if !strings.Contains(rep.body, "文件已处理") || !strings.Contains(rep.body, "errors-xlsx") || !strings.Contains(rep.body, "<dd>1</dd>") {
		t.Errorf("batch report: %s", excerpt(rep.body))
	}
	href := regexp.MustCompile(`href="(/console/batches/\d+/errors\.xlsx)"`).FindStringSubmatch(rep.body)
	if href == nil {
		t.Fatal("no download link")
	}
	x := prov.get(href[1])
	if x.status != 200 || !strings.HasPrefix(x.body, "PK") || !strings.Contains(x.header.Get("Content-Type"), "spreadsheetml") {
		t.Errorf("xlsx = %d %s", x.status, x.header.Get("Content-Type"))
	}
	if x := as(t, "auditor").get(href[1]); x.status != 403 {
		t.Errorf("auditor's download = %d", x.status)
	}
	// A file the service cannot read is shown on the data page.
	p = prov.upload("/console/resources/"+e.people.Code+"/upload", url.Values{"_csrf": {tok}}, "x.csv", "text/csv", "foo,bar\n1,2\n")
	if p.status != 400 || !strings.Contains(p.body, "文件缺少必需的列") {
		t.Errorf("bad file: %d %s", p.status, excerpt(p.body))
	}
	p = prov.upload("/console/resources/"+e.people.Code+"/upload", url.Values{"_csrf": {tok}}, "", "application/octet-stream", "")
	if p.status != 400 || !strings.Contains(p.body, "请选择要上传的文件") {
		t.Errorf("no file: %d %s", p.status, excerpt(p.body))
	}
	// Another org's provider may not feed the police's data.
	other := as(t, "mz_provider")
	if p := other.upload("/console/resources/"+e.people.Code+"/upload", url.Values{"_csrf": {other.get("/console/").csrf(t)}},
		"people.csv", "text/csv", csv); p.status != 403 {
		t.Errorf("another org's upload = %d", p.status)
	}
	// The quality page shows the batches in its trend.
	q := prov.get(data)
	checkPage(t, "data", q)
	if !strings.Contains(q.body, `class="spark"`) || !strings.Contains(q.body, `data-testid="score"`) {
		t.Errorf("data page: %s", excerpt(q.body))
	}
}

// TestRefusedActionsAudited: an action a role may not take is refused by
// the service it calls, which records the refusal, as through the API.
func TestRefusedActionsAudited(t *testing.T) {
	denied := func(action string) int {
		t.Helper()
		var n int
		if err := e.db.RawQueryRow(t.Context(), `SELECT COUNT(*) FROM audit_records WHERE action = ? AND outcome = ?`,
			action, audit.Denied).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	pending := strconv.FormatInt(e.pendingID, 10)
	for _, tc := range []struct {
		user, path, audited string
		form                url.Values
	}{
		{"mz_consumer", "/console/requests/" + pending + "/approve", "sharing.approve", url.Values{"fields": {"id_card"}}},
		{"mz_consumer", "/console/requests/" + pending + "/countersign", "sharing.countersign", url.Values{}},
		{"mz_consumer", "/console/resources/new", "catalog.create", url.Values{"name": {"越权登记"}}},
		{"ga_provider", "/console/resources/" + e.open.Code + "/request", "sharing.request", url.Values{"fields": {"uscc"}, "purpose": {"越权申请"}}},
		{"ga_provider", "/console/tracker", "audit.tracker", url.Values{"id_card": {demo.CitizenIDCard}}},
	} {
		t.Run(tc.user+" "+tc.path, func(t *testing.T) {
			before := denied(tc.audited)
			// Another org's request is not found rather than forbidden.
			if p := as(t, tc.user).submit("/console/catalog", tc.path, tc.form); p.status != http.StatusForbidden && p.status != http.StatusNotFound {
				t.Errorf("status = %d: %s", p.status, excerpt(p.body))
			}
			if after := denied(tc.audited); after != before+1 {
				t.Errorf("%s denied records: %d before, %d after", tc.audited, before, after)
			}
		})
	}
}
