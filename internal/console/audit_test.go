package console_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"huitong/internal/console"
	"huitong/internal/demo"
)

// TestAuditPages: an entry's inclusion proof verifies against the latest
// signed checkpoint; two checkpoints check consistent; the tracker lookup
// is recorded.
func TestAuditPages(t *testing.T) {
	aud := as(t, "auditor")
	p := aud.get("/console/audit/0")
	if !strings.Contains(p.body, `data-testid="proof-ok"`) || !strings.Contains(p.body, "huitong/test/audit") {
		t.Errorf("entry 0: %s", excerpt(p.body))
	}
	last := e.log.Size() - 1
	deadline := time.Now().Add(5 * time.Second)
	for {
		p = aud.get(fmt.Sprintf("/console/audit/%d", last))
		if strings.Contains(p.body, `data-testid="proof-ok"`) || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond) // the checkpointer signs every 50 ms here
	}
	if !strings.Contains(p.body, `data-testid="proof-ok"`) {
		t.Errorf("entry %d: %s", last, excerpt(p.body))
	}
	if p := aud.get(fmt.Sprintf("/console/audit/%d", last+1000)); p.status != 404 {
		t.Errorf("entry past the end = %d", p.status)
	}

	list := aud.get("/console/audit?action=auth.login&outcome=allowed&start=0")
	checkPage(t, "audit list", list)
	if !strings.Contains(list.body, "user:auditor") {
		t.Errorf("audit list lacks the auditor's login: %s", excerpt(list.body))
	}
	if p := aud.get("/console/audit?since=yesterday"); p.status != 400 || !strings.Contains(p.body, "YYYY-MM-DD") {
		t.Errorf("bad date = %d", p.status)
	}

	cps, err := e.log.Checkpoints(admin(), 10)
	if err != nil || len(cps) < 2 {
		t.Fatalf("checkpoints: %d %v", len(cps), err)
	}
	p = aud.get(fmt.Sprintf("/console/consistency?old=%d&new=%d", cps[len(cps)-1].Size, cps[0].Size))
	if !strings.Contains(p.body, `data-testid="consistency-ok"`) {
		t.Errorf("consistency: %s", excerpt(p.body))
	}
	if p := aud.get("/console/consistency?old=5&new=3"); p.status != 400 {
		t.Errorf("reversed consistency = %d", p.status)
	}

	p = aud.submit("/console/tracker", "/console/tracker", url.Values{"id_card": {demo.CitizenIDCard}})
	checkPage(t, "tracker", p)
	m := regexp.MustCompile(`记入审计日志，序号 (\d+)`).FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("tracker: %s", excerpt(p.body))
	}
	if p := aud.submit("/console/tracker", "/console/tracker", url.Values{"id_card": {""}}); p.status != 400 {
		t.Errorf("empty tracker lookup = %d", p.status)
	}
	// The citizen sees the lookup in their own history.
	cit := citizenLogin(t)
	h := cit.get("/my/")
	checkPage(t, "citizen history", h)
	if !strings.Contains(h.body, "查询个人数据使用记录") || !strings.Contains(h.body, "湖州市审计局") {
		t.Errorf("citizen history lacks the auditor's lookup: %s", excerpt(h.body))
	}
	if strings.Contains(h.body, "user:auditor") {
		t.Error("citizen history names the officer")
	}
}

// citizenLogin logs the demo citizen in on the public pages.
func citizenLogin(t *testing.T) *browser {
	t.Helper()
	b := newBrowser(t, e.public.URL)
	p := b.submit("/my/login", "/my/login", url.Values{"username": {"citizen_li"}, "password": {demo.Password}})
	if p.status != http.StatusSeeOther || p.location != "/my/" {
		t.Fatalf("citizen login = %d %s: %s", p.status, p.location, excerpt(p.body))
	}
	return b
}

// TestCitizenPages: only citizens log in on the public side; logging out
// revokes the session.
func TestCitizenPages(t *testing.T) {
	b := newBrowser(t, e.public.URL)
	if p := b.get("/my/"); p.status != http.StatusSeeOther || p.location != "/my/login" {
		t.Errorf("logged out /my/ = %d %s", p.status, p.location)
	}
	p := b.submit("/my/login", "/my/login", url.Values{"username": {"mz_consumer"}, "password": {demo.Password}})
	if p.status != 403 || !strings.Contains(p.body, "此入口仅供公众用户登录") {
		t.Errorf("officer on /my/login: %d %s", p.status, excerpt(p.body))
	}
	checkPage(t, "my login", p)
	if !strings.Contains(p.body, `class="public"`) || strings.Contains(p.body, `id="nav"`) {
		t.Error("the citizen pages look like the console")
	}
	cit := citizenLogin(t)
	h := cit.get("/my/?lang=en")
	if !strings.Contains(h.body, "Who used my data") || !strings.Contains(h.body, "********") {
		t.Errorf("English history: %s", excerpt(h.body))
	}
	if p := cit.get("/my/nothing"); p.status != 404 {
		t.Errorf("/my/nothing = %d", p.status)
	}
	p = cit.submit("/my/", "/my/logout", url.Values{})
	if p.status != http.StatusSeeOther || cit.get("/my/").status != http.StatusSeeOther {
		t.Errorf("logout = %d", p.status)
	}
}

// TestDashboard: the page holds the chart containers and renders without
// the chart scripts; the bridge serves the API's figures to the session's
// caller, and only the bridged paths.
func TestDashboard(t *testing.T) {
	p := as(t, "admin").get("/console/dashboard")
	for _, id := range console.DashboardCharts {
		if !strings.Contains(p.body, `id="`+id+`"`) {
			t.Errorf("no container %s", id)
		}
	}
	if !strings.Contains(p.body, `data-source="/console/api/v1/stats/dashboard"`) {
		t.Error("no data-source")
	}
	j := as(t, "auditor").get("/console/api/v1/stats/dashboard?days=7")
	var v map[string]any
	if j.status != 200 || json.Unmarshal([]byte(j.body), &v) != nil || v["days"] != float64(7) {
		t.Errorf("bridge = %d %.300s", j.status, j.body)
	}
	if j := as(t, "mz_consumer").get("/console/api/v1/stats/dashboard"); j.status != 403 {
		t.Errorf("consumer's bridge = %d", j.status)
	}
	if j := as(t, "admin").get("/console/api/v1/me"); j.status != 404 {
		t.Errorf("unbridged path = %d", j.status)
	}
	if j := newBrowser(t, e.internal.URL).get("/console/api/v1/stats/dashboard"); j.status != http.StatusSeeOther {
		t.Errorf("logged-out bridge = %d", j.status)
	}
}

// TestAssets: assets are served under their content hash, immutable; any
// other hash is not found.
func TestAssets(t *testing.T) {
	p := as(t, "admin").get("/console/")
	for _, name := range []string{"app.css", "app.js"} {
		m := regexp.MustCompile(`"(/console/assets/[0-9a-f]{12}/` + regexp.QuoteMeta(name) + `)"`).FindStringSubmatch(p.body)
		if m == nil {
			t.Fatalf("no hashed %s on the page", name)
		}
		a := newBrowser(t, e.internal.URL).get(m[1])
		if a.status != 200 || !strings.Contains(a.header.Get("Cache-Control"), "immutable") || a.body == "" {
			t.Errorf("%s = %d %q", m[1], a.status, a.header.Get("Cache-Control"))
		}
		stale := newBrowser(t, e.internal.URL).get("/console/assets/000000000000/" + name)
		if stale.status != 404 {
			t.Errorf("stale hash = %d", stale.status)
		}
	}
	pub := newBrowser(t, e.public.URL).get("/my/login")
	if !regexp.MustCompile(`"/my/assets/[0-9a-f]{12}/app.css"`).MatchString(pub.body) {
		t.Error("public pages do not load their css from /my/assets/")
	}
}
