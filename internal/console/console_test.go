package console_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

// The demo users the tests log in as, one of each kind of role set.
var users = []string{"admin", "ga_provider", "mz_consumer", "mz_provider", "auditor", "zz_issuer", "dsj_ops"}

var (
	sessionsMu sync.Mutex
	sessions   = map[string]*browser{}
)

// as returns a logged-in browser for user, shared between tests (logins
// are audited and slow enough to keep few).
func as(t *testing.T, user string) *browser {
	t.Helper()
	sessionsMu.Lock()
	defer sessionsMu.Unlock()
	b, ok := sessions[user]
	if !ok {
		b = login(t, user)
		sessions[user] = b
	}
	b.t = t
	return b
}

// checkPage asserts that a 200 page rendered whole: the layout, no
// template error, no missing message.
func checkPage(t *testing.T, what string, p page) {
	t.Helper()
	for _, bad := range []string{"template:", "⟦", "<no value>", "%!"} {
		if strings.Contains(p.body, bad) {
			i := strings.Index(p.body, bad)
			t.Errorf("%s: page holds %q near %q", what, bad, p.body[max(0, i-200):min(len(p.body), i+200)])
		}
	}
	if !strings.Contains(p.body, `<main id="main"`) || !strings.HasSuffix(strings.TrimSpace(p.body), "</html>") {
		t.Errorf("%s: no layout: %s", what, excerpt(p.body))
	}
	if csp := p.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("%s: CSP = %q", what, csp)
	}
	if strings.Contains(p.body, "<script>") || strings.Contains(p.body, " style=") || strings.Contains(p.body, "http://") ||
		strings.Contains(p.body, "https://") {
		t.Errorf("%s: inline script, inline style or an outside URL on the page", what)
	}
}

// TestPagesByRole renders every page as every role: allowed pages render
// whole, others answer 403 (or 404 where the service hides what exists),
// and nobody logged out gets anything but the login page.
func TestPagesByRole(t *testing.T) {
	everyone := users
	officers := func(except ...string) []string {
		return slices.DeleteFunc(slices.Clone(users), func(u string) bool { return slices.Contains(except, u) })
	}
	auditors := []string{"admin", "auditor", "dsj_ops"}
	sharingUsers := officers("zz_issuer")
	for _, tc := range []struct {
		path   string
		ok     []string
		denied int // status for the others: 403 by default
		issuer int // zz_issuer's, when not denied
	}{
		{path: "/console/", ok: everyone},
		{path: "/console/catalog", ok: everyone},
		{path: "/console/catalog?q=%E4%BA%BA%E5%8F%A3&share_type=conditional&level=4&category=base&open_type=none", ok: everyone},
		{path: "/console/catalog?provider=" + e.people.ProviderUSCC, ok: everyone},
		{path: "/console/resources/" + e.people.Code, ok: everyone},
		{path: "/console/resources/" + e.idcards.Code, ok: everyone},
		{path: "/console/resources/" + e.open.Code, ok: everyone},
		{path: "/console/resources/" + e.people.Code + "/versions/1", ok: everyone},
		{path: "/console/resources/new", ok: []string{"admin", "ga_provider", "mz_provider", "dsj_ops"}},
		{path: "/console/resources/" + e.people.Code + "/edit", ok: []string{"admin", "ga_provider"}},
		{path: "/console/resources/" + e.people.Code + "/data", ok: []string{"admin", "ga_provider", "auditor", "dsj_ops"}},
		{path: fmt.Sprintf("/console/batches/%d", e.batchID), ok: []string{"admin", "ga_provider", "auditor", "dsj_ops"}, denied: 404},
		{path: "/console/requests", ok: sharingUsers},
		{path: "/console/requests?role=provider&status=pending", ok: sharingUsers},
		{path: fmt.Sprintf("/console/requests/%d", e.approvedID), ok: sharingUsers},
		{path: fmt.Sprintf("/console/requests/%d", e.pendingID), ok: auditors, denied: 404, issuer: 403},
		{path: "/console/inbox", ok: []string{"ga_provider", "mz_provider", "dsj_ops"}},
		{path: "/console/countersign", ok: []string{"admin"}},
		{path: "/console/grants", ok: sharingUsers},
		{path: "/console/grants?role=provider&status=active", ok: sharingUsers},
		{path: "/console/audit", ok: auditors},
		{path: "/console/audit?action=sharing.&outcome=allowed&since=2020-01-01&until=2099-12-31", ok: auditors},
		{path: "/console/audit/0", ok: auditors},
		{path: "/console/consistency", ok: auditors},
		{path: "/console/tracker", ok: auditors},
		{path: "/console/dashboard", ok: auditors},
	} {
		t.Run(tc.path, func(t *testing.T) {
			anon := newBrowser(t, e.internal.URL).get(tc.path)
			if anon.status != http.StatusSeeOther || !strings.HasPrefix(anon.location, "/console/login") {
				t.Errorf("logged out: %d %s", anon.status, anon.location)
			}
			for _, u := range users {
				p := as(t, u).get(tc.path)
				want := tc.denied
				if want == 0 {
					want = http.StatusForbidden
				}
				if u == "zz_issuer" && tc.issuer != 0 {
					want = tc.issuer
				}
				if slices.Contains(tc.ok, u) {
					want = http.StatusOK
				}
				if p.status != want {
					t.Errorf("%s: %d, want %d: %s", u, p.status, want, excerpt(p.body))
					continue
				}
				checkPage(t, u+" "+tc.path, p)
			}
		})
	}
	// Every language, for a page each.
	for _, path := range []string{"/console/", "/console/resources/" + e.people.Code, "/console/audit/0", "/console/nothing"} {
		p := as(t, "dsj_ops").get(path + "?lang=en")
		if path == "/console/nothing" {
			if p.status != 404 {
				t.Errorf("%s = %d", path, p.status)
			}
		}
		checkPage(t, "en "+path, p)
		as(t, "dsj_ops").get("/console/?lang=zh")
	}
}

var navRE = regexp.MustCompile(`(?s)<nav id="nav".*?</nav>`)
var hrefRE = regexp.MustCompile(`href="(/console/[a-z/]*)"`)

// TestNavByRole: the nav lists what the roles may use, and nothing else.
func TestNavByRole(t *testing.T) {
	lic := []string{"/console/licenses"}
	issue := []string{"/console/licenses", "/console/licenses/new", "/console/licenses/types"}
	verify := []string{"/console/verify"}
	cat := func(parts ...[]string) []string { return slices.Concat(parts...) }
	want := map[string][]string{
		"admin":       cat([]string{"/console/", "/console/catalog", "/console/resources/new", "/console/requests", "/console/grants", "/console/countersign", "/console/audit", "/console/tracker", "/console/dashboard"}, lic, []string{"/console/licenses/types"}, verify),
		"ga_provider": cat([]string{"/console/", "/console/catalog", "/console/resources/new", "/console/requests", "/console/inbox", "/console/grants"}, verify),
		"mz_consumer": cat([]string{"/console/", "/console/catalog", "/console/requests", "/console/grants"}, verify),
		"mz_provider": cat([]string{"/console/", "/console/catalog", "/console/resources/new", "/console/requests", "/console/inbox", "/console/grants"}, verify),
		"auditor":     cat([]string{"/console/", "/console/catalog", "/console/requests", "/console/grants", "/console/audit", "/console/tracker", "/console/dashboard"}, lic, verify),
		"zz_issuer":   cat([]string{"/console/", "/console/catalog"}, issue, verify),
		"dsj_ops":     cat([]string{"/console/", "/console/catalog", "/console/resources/new", "/console/requests", "/console/inbox", "/console/grants", "/console/audit", "/console/tracker", "/console/dashboard"}, issue, verify),
	}
	for _, u := range users {
		p := as(t, u).get("/console/")
		nav := navRE.FindString(p.body)
		var got []string
		for _, m := range hrefRE.FindAllStringSubmatch(nav, -1) {
			got = append(got, m[1])
		}
		if !slices.Equal(got, want[u]) {
			t.Errorf("%s: nav %v, want %v", u, got, want[u])
		}
	}
}

// TestButtonsByRole: a page shows a role only the actions it may take.
func TestButtonsByRole(t *testing.T) {
	people := "/console/resources/" + e.people.Code
	for _, tc := range []struct {
		user, path  string
		has, hasNot []string
	}{
		{"mz_consumer", people, []string{`data-testid="request-form"`}, []string{`data-testid="edit"`, `data-testid="data"`, "/approve"}},
		{"ga_provider", people, []string{`data-testid="edit"`, `data-testid="data"`}, []string{`data-testid="request-form"`}},
		{"auditor", people, []string{`data-testid="data"`}, []string{`data-testid="edit"`, `data-testid="request-form"`}},
		{"zz_issuer", people, nil, []string{`data-testid="edit"`, `data-testid="data"`, `data-testid="request-form"`}},
		{"mz_consumer", "/console/resources/" + e.idcards.Code, []string{`data-testid="not-shared"`, e.idcards.LegalBasis}, []string{`data-testid="request-form"`}},
		{"mz_consumer", fmt.Sprintf("/console/requests/%d", e.approvedID), nil, []string{"approve-form", "reject-form", "countersign-form"}},
		{"ga_provider", fmt.Sprintf("/console/requests/%d", e.approvedID), nil, []string{"approve-form", "countersign-form"}},
		{"admin", fmt.Sprintf("/console/requests/%d", e.pendingID), nil, []string{"approve-form", "reject-form", "countersign-form"}},
		{"auditor", fmt.Sprintf("/console/requests/%d", e.pendingID), nil, []string{"approve-form", "reject-form", "countersign-form"}},
		{"mz_consumer", "/console/grants", nil, []string{"revoke-form"}},
		{"auditor", "/console/grants", nil, []string{"revoke-form"}},
		{"ga_provider", "/console/grants?role=provider&status=active", []string{"revoke-form"}, nil},
		{"ga_provider", "/console/", []string{"tile-inbox"}, []string{"tile-countersign"}},
		{"admin", "/console/", []string{"tile-countersign"}, []string{"tile-inbox"}},
		{"ga_provider", fmt.Sprintf("/console/resources/%s/data", e.people.Code), []string{`data-upload`}, nil},
		{"auditor", fmt.Sprintf("/console/resources/%s/data", e.people.Code), []string{`data-testid="score"`}, []string{`data-upload`}},
		{"auditor", fmt.Sprintf("/console/batches/%d", e.batchID), nil, []string{"errors-xlsx"}},
	} {
		p := as(t, tc.user).get(tc.path)
		if p.status != 200 {
			t.Errorf("%s %s = %d", tc.user, tc.path, p.status)
			continue
		}
		for _, s := range tc.has {
			if !strings.Contains(p.body, s) {
				t.Errorf("%s %s: no %s", tc.user, tc.path, s)
			}
		}
		for _, s := range tc.hasNot {
			if strings.Contains(p.body, s) {
				t.Errorf("%s %s: shows %s", tc.user, tc.path, s)
			}
		}
	}
}

// TestWall: the console lives on the internal listener only, the citizen
// pages on the public one only; the API's 404 stays JSON; GET / leads to
// the console.
func TestWall(t *testing.T) {
	pub := newBrowser(t, e.public.URL)
	in := newBrowser(t, e.internal.URL)
	for _, tc := range []struct {
		b    *browser
		path string
	}{{pub, "/console/"}, {pub, "/console/login"}, {pub, "/console/assets/x/app.css"}, {in, "/my/"}, {in, "/my/login"}, {in, "/api/v1/nothing"}} {
		p := tc.b.get(tc.path)
		if p.status != 404 || !strings.Contains(p.body, `"route_not_found"`) {
			t.Errorf("%s %s = %d %s", tc.b.base, tc.path, p.status, excerpt(p.body))
		}
	}
	if p := in.get("/"); p.status != http.StatusFound || p.location != "/console/" {
		t.Errorf("internal / = %d %s", p.status, p.location)
	}
	if p := pub.get("/"); p.status != 200 {
		t.Errorf("public / = %d", p.status)
	}
	// A citizen's session does nothing on the internal side, under either
	// cookie name.
	cit := citizenLogin(t)
	tok := cookie(cit, e.public.URL+"/my/", "huitong_citizen")
	if tok == "" {
		t.Fatal("no citizen cookie")
	}
	z := &browser{t: t, c: cit.c, base: e.internal.URL}
	if p := z.get("/console/"); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/console/login") {
		t.Errorf("citizen's browser on the console: %d %s", p.status, p.location)
	}
	x := newBrowser(t, e.internal.URL)
	u, _ := url.Parse(e.internal.URL + "/console/")
	x.c.Jar.SetCookies(u, []*http.Cookie{{Name: "huitong_session", Value: tok, Path: "/console/"}})
	if p := x.get("/console/"); p.status != http.StatusSeeOther || !strings.Contains(p.location, "m=expired") {
		t.Errorf("citizen token as a console session: %d %s", p.status, p.location)
	}
	// And an officer's session means nothing on the public side.
	officer := cookie(as(t, "auditor"), e.internal.URL+"/console/", "huitong_session")
	y := newBrowser(t, e.public.URL)
	pu, _ := url.Parse(e.public.URL + "/my/")
	y.c.Jar.SetCookies(pu, []*http.Cookie{{Name: "huitong_citizen", Value: officer, Path: "/my/"}})
	if p := y.get("/my/"); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/my/login") {
		t.Errorf("officer token as a citizen session: %d %s", p.status, p.location)
	}
}

func cookie(b *browser, rawURL, name string) string {
	u, _ := url.Parse(rawURL)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}
