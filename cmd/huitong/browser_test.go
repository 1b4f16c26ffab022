package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"huitong/internal/demo"
)

// The browser tests drive the real program, seeded with the demo city,
// through Debian's chromium with chromedp: what an officer does with a
// mouse, in the pages as the browser renders them, scripts and CSP
// included. They skip where no chromium is installed, unless
// HUITONG_BROWSER_REQUIRED is set (.ci/run sets it), which turns the skip
// into a failure. HUITONG_CHROMIUM names another browser binary.

// stepTimeout bounds one step: a page load, a click and what follows it.
const stepTimeout = 15 * time.Second

// chromiumPath returns the browser to drive, or "" when none is installed.
func chromiumPath() string {
	if p := os.Getenv("HUITONG_CHROMIUM"); p != "" {
		return p
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// startChromium starts one headless chromium for the test and returns a
// context holding it. It skips the test when no chromium is installed,
// or fails it when HUITONG_BROWSER_REQUIRED is set.
func startChromium(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		if os.Getenv("HUITONG_BROWSER_REQUIRED") != "" {
			t.Fatal("HUITONG_BROWSER_REQUIRED is set but no chromium is installed (apt-get install chromium)")
		}
		t.Skip("no chromium installed: skipping the browser tests (apt-get install chromium, or set HUITONG_CHROMIUM)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.WindowSize(1366, 768),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	if err := first(ctx); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	return ctx
}

// first runs the first steps on a chromedp context, which start its
// browser or open its tab. The browser or tab lives as long as the context
// given to that first call, so it cannot carry a timeout: the wait is
// bounded here instead.
func first(ctx context.Context, steps ...chromedp.Action[chromedp.Void]) error {
	done := make(chan error, 1)
	go func() { done <- chromedp.Do(ctx, steps...) }()
	select {
	case err := <-done:
		return err
	case <-time.After(30 * time.Second):
		return errors.New("no answer from the browser in 30s")
	}
}

// person is one user at one browser window, with cookies of their own.
type person struct {
	t    *testing.T
	name string
	base string
	ctx  context.Context

	mu       sync.Mutex
	problems []string // errors the pages wrote to the console
}

// newPerson opens a window in its own browser context (cookies and
// storage apart from every other person's) at a 1366x768 office screen.
func newPerson(t *testing.T, browser context.Context, name, base string) *person {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	p := &person{t: t, name: name, base: base, ctx: ctx}
	if err := first(ctx, chromedp.EmulateViewport(1366, 768)); err != nil {
		t.Fatalf("%s: open a window: %v", name, err)
	}
	go func() {
		for m, err := range chromedp.Console(ctx) {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				p.mu.Lock()
				p.problems = append(p.problems, fmt.Sprintf("%s (%s:%d)", m, m.URL, m.Line+1))
				p.mu.Unlock()
			}
		}
	}()
	// Runs before cancel: a script error or a CSP violation on any page
	// the person saw fails the test.
	t.Cleanup(func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, s := range p.problems {
			if !expectedConsoleError(s) {
				t.Errorf("%s: the browser console says: %s", p.name, s)
			}
		}
	})
	return p
}

// expectedConsoleError reports console errors the test lets pass:
// chromium logs the 401 page of a failed login as a failed load.
func expectedConsoleError(s string) bool {
	return strings.Contains(s, "status of 401") && strings.Contains(s, "/login:")
}

// do runs steps with the step timeout, failing the test with where the
// browser was and a screenshot of it.
func (p *person) do(step string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		p.fail(step, err)
	}
}

// get runs one action that returns a value, as do does.
func get[T any](p *person, step string, a chromedp.Action[T]) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		p.fail(step, err)
	}
	return v
}

func (p *person) fail(step string, err error) {
	p.t.Helper()
	p.t.Fatalf("%s: %s: %v%s", p.name, step, err, p.snapshot())
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// snapshot saves the window to a PNG for a failure message and says where
// the browser was.
func (p *person) snapshot() string {
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		return fmt.Sprintf("\n\tat %s", loc)
	}
	f := filepath.Join(os.TempDir(), fmt.Sprintf("huitong-%s-%s.png", unsafeName.ReplaceAllString(p.t.Name(), "_"), p.name))
	if err := os.WriteFile(f, buf, 0o644); err != nil {
		return fmt.Sprintf("\n\tat %s", loc)
	}
	return fmt.Sprintf("\n\tat %s\n\tscreenshot: %s", loc, f)
}

// open loads a page of the person's site.
func (p *person) open(path string) {
	p.t.Helper()
	p.do("open "+path, chromedp.Navigate(p.base+path))
}

// follow clicks what sel finds (a link, a submit button) and waits for the
// page it leads to.
func (p *person) follow(step, sel string) {
	p.t.Helper()
	get(p, step, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(sel))))
}

// search opens the catalog from the navigation and searches it for text.
func (p *person) search(text string) {
	p.t.Helper()
	p.follow("open the catalog", `nav a[href="/console/catalog"]`)
	p.do("type "+text, chromedp.SendKeys(chromedp.ID("q"), text))
	p.follow("search "+text, `form[role=search] button[type=submit]`)
}

// followLink clicks the link within sel whose text is name, and waits for
// the page it leads to.
func (p *person) followLink(step, within, name string) {
	p.t.Helper()
	href := get(p, step+": find the link", chromedp.Evaluate[string](fmt.Sprintf(
		`(Array.from(document.querySelectorAll(%q + " a")).find(a => a.textContent.trim() === %q) || {}).getAttribute?.("href") ?? ""`,
		within, name)))
	if href == "" {
		p.t.Fatalf("%s: %s: no link %q in %s%s", p.name, step, name, within, p.snapshot())
	}
	p.follow(step, fmt.Sprintf(`%s a[href=%q]`, within, href))
}

// followRow clicks the link that link finds in the first table row within
// sel that shows text, and waits for the page it leads to.
func (p *person) followRow(step, within, text, link string) {
	p.t.Helper()
	href := get(p, step+": find the row", chromedp.Evaluate[string](fmt.Sprintf(
		`(%s?.querySelector(%q)?.getAttribute("href")) ?? ""`, rowJS(within, text), link)))
	if href == "" {
		p.t.Fatalf("%s: %s: no row showing %q with %s in %s%s", p.name, step, text, link, within, p.snapshot())
	}
	p.follow(step, fmt.Sprintf(`%s a[href=%q]`, within, href))
}

// row returns the text of the first table row within sel that shows text,
// or "" when there is none.
func (p *person) row(step, within, text string) string {
	p.t.Helper()
	return get(p, step, chromedp.Evaluate[string](fmt.Sprintf(`%s?.textContent ?? ""`, rowJS(within, text))))
}

// rowJS is a script expression for the first table row within sel that
// shows text.
func rowJS(within, text string) string {
	return fmt.Sprintf(`Array.from(document.querySelectorAll(%q + " tbody tr")).find(r => r.textContent.includes(%q))`, within, text)
}

// text returns the visible text of the first element sel finds.
func (p *person) text(step, sel string) string {
	p.t.Helper()
	return get(p, step, chromedp.Text(chromedp.CSS(sel)))
}

// wantText waits until the first element sel finds shows want.
func (p *person) wantText(step, sel, want string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	var got string
	for {
		got, _ = chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if strings.Contains(got, want) {
			return
		}
		select {
		case <-ctx.Done():
			p.t.Fatalf("%s: %s: %s shows %q, want %q in it%s", p.name, step, sel, excerptText(got), want, p.snapshot())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// count returns how many elements sel finds now, without waiting.
func (p *person) count(sel string) int {
	p.t.Helper()
	return get(p, "count "+sel, chromedp.Evaluate[int](fmt.Sprintf("document.querySelectorAll(%q).length", sel)))
}

// path returns the path and query the window shows.
func (p *person) path() string {
	p.t.Helper()
	return get(p, "read the location", chromedp.Evaluate[string]("location.pathname + location.search"))
}

// login logs in on the login page the window shows.
func (p *person) login(username, password string) {
	p.t.Helper()
	p.do("fill in the login form",
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), username),
		chromedp.SendKeys(chromedp.ID("password"), password),
	)
	p.follow("log in", `form[action$="/login"] button[type=submit]`)
}

func excerptText(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 300 {
		return string(r[:300]) + "…"
	}
	return s
}

// browserEnv is the program with the demo city and one browser.
type browserEnv struct {
	m       *Main
	browser context.Context
}

func newBrowserEnv(t *testing.T) *browserEnv {
	t.Helper()
	browser := startChromium(t)
	return &browserEnv{m: testMain(t, true, ""), browser: browser}
}

// officer opens a window on the internal console's login page and logs in.
func (e *browserEnv) officer(t *testing.T, username string) *person {
	t.Helper()
	p := newPerson(t, e.browser, username, e.m.InternalURL())
	p.open("/console/login")
	p.login(username, demoPassword)
	if got := p.path(); got != "/console/" {
		t.Fatalf("%s: after login the browser is at %s, want /console/%s", username, got, p.snapshot())
	}
	return p
}

const demoPassword = "Huzhou@2026"

var requestPath = regexp.MustCompile(`^/console/requests/(\d+)`)

// TestBrowser walks the console as its users do: a consumer finds 人口 in
// the catalog and requests fields; the provider approves fewer from the
// inbox; the consumer sees the grant; the auditor opens the approval's
// audit entry and sees its proof verified; the language switches both ways;
// a failed login says why; a citizen sees who used their data; the
// dashboard draws its charts; an issuer issues a license whose public
// verification page says valid, then revokes it and the page says so.
func TestBrowser(t *testing.T) {
	start := time.Now()
	e := newBrowserEnv(t)
	t.Logf("chromium and the demo city ready in %v", time.Since(start).Round(time.Millisecond))

	t.Run("FailedLogin", func(t *testing.T) {
		p := newPerson(t, e.browser, "stranger", e.m.InternalURL())
		p.open("/console/login")
		p.login("mz_consumer", "not-the-password")
		p.wantText("see why", `[role=alert]`, "用户名或密码错误")
		if got := get(p, "read the username", chromedp.Value(chromedp.ID("username"))); got != "mz_consumer" {
			t.Errorf("the username field holds %q after a failed login, want it kept", got)
		}
		if got := get(p, "read the password", chromedp.Value(chromedp.ID("password"))); got != "" {
			t.Errorf("the password field holds %q after a failed login, want it empty", got)
		}
		if n := p.count(`nav#nav`); n != 0 {
			t.Errorf("a failed login shows the navigation")
		}
	})

	var requestID string
	const purpose = "社会救助家庭成员认定（浏览器测试）"
	t.Run("ConsumerRequests", func(t *testing.T) {
		p := e.officer(t, "mz_consumer")
		p.search("人口")
		p.wantText("see the results", `table.results`, "户籍人口信息")
		// The consumer has no grant on 户籍人口信息 in the demo.
		p.followLink("open 户籍人口信息", `table.results`, "户籍人口信息")
		p.wantText("see the resource", `h1`, "户籍人口信息")
		p.do("tick the fields",
			chromedp.Click(chromedp.CSS(`[data-testid=request-form] input[name=fields][value=id_card]`)),
			chromedp.Click(chromedp.CSS(`[data-testid=request-form] input[name=fields][value=name]`)),
			chromedp.Click(chromedp.CSS(`[data-testid=request-form] input[name=fields][value=household_no]`)),
			chromedp.Click(chromedp.CSS(`[data-testid=request-form] input[name=fields][value=relation_to_head]`)),
			chromedp.SendKeys(chromedp.ID("purpose"), purpose),
		)
		p.follow("submit the request", `[data-testid=request-submit]`)
		m := requestPath.FindStringSubmatch(p.path())
		if m == nil {
			t.Fatalf("after the request the browser is at %s, want a request page%s", p.path(), p.snapshot())
		}
		requestID = m[1]
		p.wantText("see it pending", `main h1`, "待审批")
		p.wantText("see the flash", `.flash`, "共享申请已提交")
	})
	if requestID == "" {
		t.FailNow()
	}

	t.Run("ProviderApproves", func(t *testing.T) {
		p := e.officer(t, "ga_provider")
		p.follow("open the inbox", `nav a[href="/console/inbox"]`)
		p.wantText("see the request", `[data-testid=request-list]`, purpose)
		p.follow("handle the request", fmt.Sprintf(`[data-testid=request-list] a[href="/console/requests/%s"]`, requestID))
		// Household numbers are not needed to tell family members: untick.
		p.do("untick household_no", chromedp.Click(chromedp.CSS(`[data-testid=approve-form] input[name=fields][value=household_no]`)))
		p.do("comment", chromedp.SendKeys(chromedp.ID("a_comment"), "户号与认定无关"))
		p.follow("approve", `[data-testid=approve]`)
		p.wantText("see it approved", `main h1`, "已批准")
	})

	t.Run("ConsumerSeesGrant", func(t *testing.T) {
		p := e.officer(t, "mz_consumer")
		p.follow("open my grants", `a.tile[href^="/console/grants"]`)
		p.wantText("see the grant", `[data-testid=grant-list]`, purpose)
		row := p.row("read the grant", `[data-testid=grant-list]`, purpose)
		if !strings.Contains(row, "relation_to_head") || strings.Contains(row, "household_no") || !strings.Contains(row, "有效") {
			t.Errorf("the grant reads %q: want it live, with relation_to_head and without household_no", excerptText(row))
		}
	})

	t.Run("AuditorVerifiesProof", func(t *testing.T) {
		p := e.officer(t, "auditor")
		p.follow("open the audit log", `nav a[href="/console/audit"]`)
		p.do("filter approvals", chromedp.SendKeys(chromedp.ID("action"), "sharing.approve"))
		p.follow("apply the filter", `form.filters button[type=submit]`)
		p.wantText("see the approval", `[data-testid=audit-list]`, purpose)
		p.followRow("open the entry", `[data-testid=audit-list]`, purpose, `a[href^="/console/audit/"]`)
		p.wantText("see the record", `pre.record`, fmt.Sprintf(`"request_id": %q`, requestID))
		// The entry may be newer than the last checkpoint (one a second):
		// reload until one covers it.
		deadline := time.Now().Add(stepTimeout)
		for p.count(`[data-testid=proof-ok]`) == 0 {
			if p.count(`[data-testid=proof-bad]`) > 0 {
				t.Fatalf("the proof fails: %s%s", p.text("read the verdict", `[data-testid=proof-bad]`), p.snapshot())
			}
			if time.Now().After(deadline) {
				t.Fatalf("no checkpoint covers the entry after %v%s", stepTimeout, p.snapshot())
			}
			time.Sleep(300 * time.Millisecond)
			p.do("reload", chromedp.Reload())
		}
		p.wantText("see the proof verified", `[data-testid=proof-ok]`, "✓")
	})

	t.Run("Language", func(t *testing.T) {
		p := e.officer(t, "ga_provider")
		p.follow("open the catalog", `nav a[href="/console/catalog"]`)
		p.follow("switch to English", `a.lang`)
		if lang := get(p, "read the page language", chromedp.Evaluate[string]("document.documentElement.lang")); lang != "en" {
			t.Errorf("page language %q after switching to English", lang)
		}
		p.wantText("see English labels", `nav#nav`, "Catalog")
		p.wantText("see an English heading", `main h1`, "Resource catalog")
		if !strings.HasPrefix(p.path(), "/console/catalog") {
			t.Errorf("switching language left the page: %s", p.path())
		}
		// The choice sticks: the next page is in English too.
		p.follow("open the inbox", `nav a[href="/console/inbox"]`)
		p.wantText("see English on the next page", `main h1`, "Inbox")
		p.follow("switch back", `a.lang`)
		if lang := get(p, "read the page language", chromedp.Evaluate[string]("document.documentElement.lang")); lang != "zh-CN" {
			t.Errorf("page language %q after switching back", lang)
		}
		p.wantText("see Chinese labels", `nav#nav`, "目录")
	})

	t.Run("Dashboard", func(t *testing.T) {
		p := e.officer(t, "auditor")
		p.follow("open the dashboard", `nav a[href="/console/dashboard"]`)
		charts := p.count(`#dashboard .chart`)
		if charts == 0 {
			t.Fatalf("the dashboard has no charts%s", p.snapshot())
		}
		// Once the figures arrive, ECharts draws each chart on a canvas, or
		// the chart says it has nothing for the period.
		drawn := `Array.from(document.querySelectorAll("#dashboard .chart")).filter(c => c.querySelector("canvas") || (c.querySelector(".chart-empty") && !c.textContent.includes(%q))).length`
		deadline := time.Now().Add(stepTimeout)
		for {
			if p.count(`#dashboard .chart .error`) > 0 {
				t.Fatalf("the dashboard says: %s%s", p.text("read the error", `#dashboard .chart .error`), p.snapshot())
			}
			n := get(p, "count the charts drawn", chromedp.Evaluate[int](fmt.Sprintf(drawn, "加载")))
			if n == charts {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d of %d charts drawn%s", n, charts, p.snapshot())
			}
			time.Sleep(100 * time.Millisecond)
		}
		if p.count(`#dashboard .chart canvas`) == 0 {
			t.Errorf("the dashboard draws no chart: is ECharts embedded?%s", p.snapshot())
		}
	})

	t.Run("Citizen", func(t *testing.T) {
		p := newPerson(t, e.browser, "citizen_li", e.m.PublicURL())
		p.open("/my/")
		p.login("citizen_li", demoPassword)
		p.wantText("see the history", `main h1`, "谁使用了我的数据")
		if p.count(`[data-testid=history] li`) == 0 {
			t.Errorf("the citizen sees no use of their data%s", p.snapshot())
		}
	})

	t.Run("License", func(t *testing.T) {
		p := e.officer(t, "zz_issuer")
		p.follow("open the issue form", `nav a[href="/console/licenses/new"]`)
		// The market regulator issues one type: its form is open at once.
		p.wantText("see the form", `[data-testid=issue-form] legend`, "持证主体")
		p.do("fill in the license",
			chromedp.SendKeys(chromedp.CSS(`[name="holder.name"]`), "湖州汇通浏览器测试有限公司"),
			chromedp.SendKeys(chromedp.CSS(`[name="holder.code"]`), demo.USCCTax),
			chromedp.SendKeys(chromedp.CSS(`[name="data.enterprise_type"]`), "有限责任公司"),
			chromedp.SendKeys(chromedp.CSS(`[name="data.legal_rep"]`), "赵测试"),
			chromedp.SetValue(chromedp.CSS(`[name="data.establish_date"]`), "2020-03-01"),
			chromedp.SendKeys(chromedp.ID("number"), "浏览器测试-0001"),
		)
		p.follow("issue", `[data-testid=issue]`)
		p.wantText("see it issued", `.flash`, "证照已签发")
		p.wantText("see it active", `main h1`, "有效")
		id := p.text("read the identifier", `[data-testid=license-attrs] dd code`)
		if !strings.HasPrefix(p.path(), "/console/licenses/") || !strings.HasPrefix(id, "1.2.156.3005.2.") {
			t.Fatalf("after issuing the browser is at %s showing %q%s", p.path(), id, p.snapshot())
		}
		qrLoaded := `(() => { const i = document.querySelector("[data-testid=qr]"); return !!i && i.complete && i.naturalWidth > 0 })()`
		if !get(p, "check the QR code", chromedp.Evaluate[bool](qrLoaded)) {
			t.Errorf("the license page shows no QR code image%s", p.snapshot())
		}

		visitor := newPerson(t, e.browser, "visitor", e.m.PublicURL())
		visitor.open("/verify/" + url.PathEscape(id))
		status := `document.querySelector("[data-testid=verdict]")?.dataset.status ?? ""`
		visitor.wantText("see the license valid", `[data-testid=verdict]`, "证照有效")
		if got := get(visitor, "read the status", chromedp.Evaluate[string](status)); got != "active" {
			t.Errorf("the verification page says %q, want active%s", got, visitor.snapshot())
		}
		visitor.wantText("see the holder", `[data-testid=verify-license]`, "湖州汇通浏览器测试有限公司")
		// The inline stylesheet applies: the page has the public look.
		if bg := get(visitor, "read the background", chromedp.Evaluate[string](`getComputedStyle(document.body).backgroundColor`)); bg != "rgb(246, 250, 249)" {
			t.Errorf("the verification page's stylesheet did not apply: body background %s%s", bg, visitor.snapshot())
		}

		p.do("give a reason", chromedp.SendKeys(chromedp.ID("reason"), "浏览器测试：企业申请注销"))
		p.follow("revoke", `[data-testid=revoke]`)
		p.wantText("see it revoked", `main h1`, "已撤销")
		if n := p.count(`[data-testid=revoke-form]`); n != 0 {
			t.Errorf("a revoked license still offers revocation")
		}

		visitor.do("reload", chromedp.Reload())
		visitor.wantText("see the license revoked", `[data-testid=verdict]`, "已被发证机构撤销")
		if got := get(visitor, "read the status", chromedp.Evaluate[string](status)); got != "revoked" {
			t.Errorf("after revocation the verification page says %q, want revoked%s", got, visitor.snapshot())
		}
	})
}
