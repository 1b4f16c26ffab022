package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"huitong/internal/catalog"
	"huitong/internal/demo"
)

var screenshots = flag.Bool("screenshots", false, "TestScreenshots: save the console's main pages to docs/screenshots")

// screenshotDir is where TestScreenshots writes, from this package's
// directory.
var screenshotDir = filepath.Join("..", "..", "docs", "screenshots")

// TestScreenshots saves the console's main pages, in Chinese at 1366x768,
// as the README shows them. It runs only when asked:
//
//	go test ./cmd/huitong -run TestScreenshots -screenshots
//
// (or with HUITONG_SCREENSHOTS=1), and needs a CJK font
// (apt-get install fonts-noto-cjk) so that the Chinese is not boxes.
func TestScreenshots(t *testing.T) {
	if !*screenshots && os.Getenv("HUITONG_SCREENSHOTS") == "" {
		t.Skip("run with -screenshots (or HUITONG_SCREENSHOTS=1) to write docs/screenshots")
	}
	if out, err := exec.Command("fc-list", ":lang=zh").Output(); err != nil || len(out) == 0 {
		t.Fatal("no CJK font for the screenshots: apt-get install -y fonts-noto-cjk")
	}
	e := newBrowserEnv(t)
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		t.Fatal(err)
	}
	e.readSomeData(t)

	visitor := newPerson(t, e.browser, "visitor", e.m.InternalURL())
	visitor.open("/console/login")
	visitor.save("login")

	ops := e.officer(t, "dsj_ops")
	ops.save("home")

	consumer := e.officer(t, "mz_consumer")
	consumer.search("人口")
	consumer.save("catalog")
	consumer.followLink("open 户籍人口信息", `table.results`, "户籍人口信息")
	consumer.save("resource")
	consumer.do("fill in the request",
		chromedp.Click(chromedp.CSS(`[data-testid=request-form] input[name=fields][value=id_card]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=request-form] input[name=fields][value=name]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=request-form] input[name=fields][value=household_no]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=request-form] input[name=fields][value=relation_to_head]`)),
		chromedp.SendKeys(chromedp.ID("purpose"), "社会救助家庭成员认定"),
		chromedp.SendKeys(chromedp.ID("legal_basis"), "《社会救助暂行办法》第十一条"),
	)
	consumer.follow("submit the request", `[data-testid=request-submit]`)

	provider := e.officer(t, "ga_provider")
	provider.search("人口基础信息")
	provider.followLink("open 人口基础信息", `table.results`, "人口基础信息")
	provider.follow("open its data and quality", `[data-testid=data]`)
	provider.save("data")
	provider.follow("open the inbox", `nav a[href="/console/inbox"]`)
	provider.save("inbox")
	provider.followRow("open the request", `[data-testid=request-list]`, "社会救助家庭成员认定", `a[href^="/console/requests/"]`)
	provider.do("untick household_no", chromedp.Click(chromedp.CSS(`[data-testid=approve-form] input[name=fields][value=household_no]`)))
	provider.do("comment", chromedp.SendKeys(chromedp.ID("a_comment"), "户号与认定无关，不予提供"))
	provider.do("show the decision", chromedp.ScrollIntoView(chromedp.ID("approve-h")))
	provider.save("approve")
	provider.follow("approve", `[data-testid=approve]`)

	consumer.follow("go home", `nav a[href="/console/"]`)
	consumer.follow("open my grants", `a.tile[href^="/console/grants"]`)
	consumer.save("grants")

	auditor := e.officer(t, "auditor")
	auditor.follow("open the audit log", `nav a[href="/console/audit"]`)
	auditor.do("filter approvals", chromedp.SendKeys(chromedp.ID("action"), "sharing.approve"))
	auditor.follow("apply the filter", `form.filters button[type=submit]`)
	auditor.followRow("open the approval", `[data-testid=audit-list]`, "社会救助家庭成员认定", `a[href^="/console/audit/"]`)
	for deadline := time.Now().Add(stepTimeout); auditor.count(`[data-testid=proof-ok]`) == 0; {
		if time.Now().After(deadline) {
			t.Fatalf("no verified proof%s", auditor.snapshot())
		}
		time.Sleep(300 * time.Millisecond)
		auditor.do("reload", chromedp.Reload())
	}
	auditor.do("show the proof", chromedp.ScrollIntoView(chromedp.CSS(`section.proof`)))
	auditor.save("audit-entry")
	auditor.follow("open the dashboard", `nav a[href="/console/dashboard"]`)
	auditor.do("wait for the charts", chromedp.WaitVisible(chromedp.CSS(`#dashboard .chart canvas`)))
	time.Sleep(time.Second) // ECharts animates its first drawing
	auditor.save("dashboard")

	citizen := newPerson(t, e.browser, "citizen_li", e.m.PublicURL())
	citizen.open("/my/")
	citizen.login("citizen_li", demoPassword)
	citizen.wantText("see the history", `main h1`, "谁使用了我的数据")
	citizen.save("my-history")
}

// save writes the window as docs/screenshots/name.png.
func (p *person) save(name string) {
	p.t.Helper()
	buf := get(p, "screenshot "+name, chromedp.CaptureScreenshot())
	f := filepath.Join(screenshotDir, name+".png")
	if err := os.WriteFile(f, buf, 0o644); err != nil {
		p.t.Fatal(err)
	}
	p.t.Logf("%s: %d KiB", f, len(buf)>>10)
}

// readSomeData reads the demo citizen's record through the exchange
// gateway, as the civil affairs bureau would, and tries once without a
// grant, so that the dashboard and the citizen's page have something to
// show.
func (e *browserEnv) readSomeData(t *testing.T) {
	t.Helper()
	c := login(t, e.m, "mz_consumer", demoPassword)
	code := func(name string) string {
		var res catalog.Results
		c.want(200, "GET", "/api/v1/resources?q="+name, nil).decode(t, &res)
		for _, it := range res.Items {
			if it.Name == name {
				return it.Code
			}
		}
		t.Fatalf("no demo resource %s", name)
		return ""
	}
	people, household := code("人口基础信息"), code("户籍人口信息")
	query := map[string]any{"where": map[string]any{"id_card": demo.CitizenIDCard}, "fields": []string{"id_card", "name", "marital_status"},
		"purpose": "最低生活保障资格审核"}
	for range 3 {
		c.want(200, "POST", "/api/v1/exchange/"+people+"/query", query)
	}
	c.want(200, "POST", "/api/v1/exchange/"+people+"/verify", map[string]any{"where": map[string]any{"id_card": demo.CitizenIDCard},
		"match": map[string]any{"name": demo.CitizenName}, "purpose": "最低生活保障资格审核"})
	c.wantErr(403, "no_grant", "POST", fmt.Sprintf("/api/v1/exchange/%s/query", household), query)
}
