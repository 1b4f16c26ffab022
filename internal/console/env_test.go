package console_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"huitong"
	"huitong/internal/audit"
	"huitong/internal/catalog"
	"huitong/internal/console"
	"huitong/internal/demo"
	"huitong/internal/ids"
	"huitong/internal/ingest"
	"huitong/internal/license"
	"huitong/internal/org"
	"huitong/internal/sharing"
	"huitong/internal/stats"
	"huitong/internal/store"
	"huitong/internal/web"
)

// env is one real server over a demo city in SQLite, shared by the tests
// of this package: seeding it takes seconds.
type env struct {
	internal, public *httptest.Server
	db               *store.DB
	log              *audit.Log
	orgs             *org.Service
	cat              *catalog.Service
	ing              *ingest.Service
	shr              *sharing.Service
	lic              *license.Service

	// Demo objects the tests visit.
	people       catalog.Resource // 人口基础信息, conditional, of the police
	household    catalog.Resource // 户籍人口信息, conditional, of the police
	idcards      catalog.Resource // 居民身份证信息, not shared
	open         catalog.Resource // an unconditional resource
	batchID      int64            // a batch of the police
	pendingID    int64            // the request waiting in the HR bureau's inbox
	approvedID   int64            // mz_consumer's approved request to the police
	grantID      int64            // its grant
	restricted   catalog.Resource // a shared resource with a level-4 field
	restrictedF  string           // that field
	restrictedBy string           // a provider officer of its org

	// The license library: two types of the market regulator, whose
	// issuer is zz_issuer; a business license the police holds and a
	// license of the demo citizen.
	bizType, indivType string
	bizLicense         license.License
	citizenLicense     license.License
}

var e *env

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "huitong-console-")
	if err != nil {
		panic(err)
	}
	code := func() int {
		var err error
		e, err = newEnv(dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, "console test environment:", err)
			return 1
		}
		defer e.close()
		return m.Run()
	}()
	os.RemoveAll(dir)
	os.Exit(code)
}

// admin is a context acting as the platform for setup reads.
func admin() context.Context {
	return huitong.WithPrincipal(context.Background(), &huitong.Principal{Kind: huitong.PrincipalUser, Name: "test",
		OrgUSCC: demo.Operator().USCC, Roles: []string{huitong.RoleAdmin}})
}

func newEnv(dir string) (*env, error) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(dir, "huitong.db"))
	if err != nil {
		return nil, err
	}
	signer, verifier, err := audit.LoadOrCreateKey(filepath.Join(dir, "audit.key"), "huitong/test/audit")
	if err != nil {
		return nil, err
	}
	subjects, err := audit.NewSubjects(make([]byte, 32))
	if err != nil {
		return nil, err
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	alog, err := audit.Open(ctx, audit.Config{Store: db, Signer: signer, Verifier: verifier, Subjects: subjects, Logger: logger,
		CheckpointEvery: 50 * time.Millisecond})
	if err != nil {
		return nil, err
	}
	x := &env{db: db, log: alog}
	x.orgs = org.NewService(db, alog)
	x.orgs.Argon2 = org.Argon2Params{Time: 1, Memory: 1024, Threads: 1}
	x.orgs.CheckRegion, x.orgs.RegionName = ids.KnownRegion, ids.RegionName
	if _, _, err := x.orgs.Bootstrap(ctx, demo.Operator(), demo.AdminPassword); err != nil {
		return nil, err
	}
	x.cat = catalog.NewService(db, alog, x.orgs.OrgName)
	key := make([]byte, 32)
	rand.Read(key)
	sealer, err := ingest.NewSealer(key)
	if err != nil {
		return nil, err
	}
	x.ing = &ingest.Service{Store: db, Resource: x.cat.Get, Audit: alog, Sealer: sealer, Now: time.Now}
	x.shr = &sharing.Service{Store: db, Resource: x.cat.Get, OrgName: x.orgs.OrgName, Audit: alog, Now: time.Now,
		AppOrg: func(context.Context, int64) (string, error) { return "", huitong.ErrNoRecord }}
	if err := demo.Seed(ctx, x.orgs, x.cat, nil); err != nil {
		return nil, err
	}
	if err := demo.SeedRecords(ctx, x.cat, x.ing, nil); err != nil {
		return nil, err
	}
	if err := demo.SeedGrants(ctx, x.cat, x.shr, nil); err != nil {
		return nil, err
	}
	if err := x.cat.Refresh(ctx); err != nil {
		return nil, err
	}
	x.lic = &license.Service{Store: db, Keys: &license.Ring{Dir: filepath.Join(dir, "license-keys"), Store: db, Now: time.Now},
		Audit: alog, OrgName: x.orgs.OrgName, Subject: alog.SubjectOf, CitizenSubject: x.orgs.CitizenSubject, Now: time.Now}
	cons := &console.Console{Orgs: x.orgs, Catalog: x.cat, Ingest: x.ing, Sharing: x.shr, Audit: alog, Licenses: x.lic,
		CSRFKey: key, Logger: logger, Version: "test"}
	srv := &web.Server{Orgs: x.orgs, Catalog: x.cat, Audit: alog, Ingest: x.ing, Sharing: x.shr, Licenses: x.lic,
		Stats: &stats.Service{Store: db, Now: time.Now}, Logger: logger, Version: "test", Console: cons, LicensePage: cons.LicensePage()}
	cons.API = srv.Handler()
	x.internal = httptest.NewServer(srv.Handler())
	x.public = httptest.NewServer(srv.PublicHandler())
	x.lic.PublicURL = x.public.URL
	if err := x.seedLicenses(); err != nil {
		return x, err
	}
	return x, x.find()
}

// issuer is a context acting as zz_issuer of the market regulator.
func issuer() context.Context {
	return huitong.WithPrincipal(context.Background(), &huitong.Principal{Kind: huitong.PrincipalUser, Name: "zz_issuer",
		OrgUSCC: demo.USCCMarket, Roles: []string{huitong.RoleIssuer}})
}

// seedLicenses defines the market regulator's two license types and
// issues a license of each.
func (x *env) seedLicenses() error {
	ctx := issuer()
	x.bizType, x.indivType = demo.USCCMarket+"001", demo.USCCMarket+"002"
	if _, err := x.lic.DefineType(ctx, license.Type{Code: x.bizType, Name: "营业执照", IssuerUSCCs: []string{demo.USCCMarket},
		HolderKind: license.HolderOrg, ValidityDays: 3650, Fields: []catalog.Field{
			{Name: "legal_rep", Title: "法定代表人", Type: "string", Level: 2, PII: "name", Required: true},
			{Name: "capital", Title: "注册资本（万元）", Type: "decimal", Level: 1},
			{Name: "kind", Title: "类型", Type: "string", Level: 1, Enum: []string{"有限责任公司", "股份有限公司"}},
		}}); err != nil {
		return err
	}
	if _, err := x.lic.DefineType(ctx, license.Type{Code: x.indivType, Name: "个体工商户营业执照", IssuerUSCCs: []string{demo.USCCMarket},
		HolderKind: license.HolderCitizen, Fields: []catalog.Field{
			{Name: "trade_name", Title: "字号", Type: "string", Level: 1, Required: true},
			{Name: "address", Title: "经营场所", Type: "string", Level: 3, PII: "address"},
		}}); err != nil {
		return err
	}
	var err error
	if x.bizLicense, err = x.lic.Issue(ctx, license.IssueInput{TypeCode: x.bizType,
		Holder: license.Holder{Name: "湖州市公安局服务中心", Code: demo.USCCPolice},
		Data:   map[string]any{"legal_rep": "王小明", "capital": "500", "kind": "有限责任公司"}}); err != nil {
		return err
	}
	x.citizenLicense, err = x.lic.Issue(ctx, license.IssueInput{TypeCode: x.indivType,
		Holder: license.Holder{Name: demo.CitizenName, Code: demo.CitizenIDCard},
		Data:   map[string]any{"trade_name": "李明小吃店", "address": "湖州市吴兴区红旗路 88 号"}})
	return err
}

func (x *env) close() {
	x.internal.Close()
	x.public.Close()
	x.log.Close()
	x.db.Close()
}

// find looks up the demo objects the tests visit.
func (x *env) find() error {
	ctx := admin()
	byName := func(name string) (catalog.Resource, error) {
		res, err := x.cat.Search(ctx, catalog.Query{Text: name, PageSize: 50})
		if err != nil {
			return catalog.Resource{}, err
		}
		for _, it := range res.Items {
			if it.Name == name {
				return x.cat.Get(ctx, it.Code)
			}
		}
		return catalog.Resource{}, fmt.Errorf("no demo resource %s", name)
	}
	var err error
	if x.people, err = byName("人口基础信息"); err != nil {
		return err
	}
	if x.household, err = byName("户籍人口信息"); err != nil {
		return err
	}
	if x.idcards, err = byName("居民身份证信息"); err != nil {
		return err
	}
	open, err := x.cat.Search(ctx, catalog.Query{ShareType: catalog.ShareUnconditional, PageSize: 1})
	if err != nil || len(open.Items) == 0 {
		return fmt.Errorf("no unconditional resource: %v", err)
	}
	if x.open, err = x.cat.Get(ctx, open.Items[0].Code); err != nil {
		return err
	}
	bs, _, err := x.ing.ListBatches(ctx, x.people.Code, 0)
	if err != nil || len(bs) == 0 {
		return fmt.Errorf("no batch of %s: %v", x.people.Code, err)
	}
	x.batchID = bs[0].ID
	reqs, err := x.shr.List(ctx, sharing.ListQuery{Limit: 100})
	if err != nil {
		return err
	}
	for _, r := range reqs.Items {
		switch {
		case r.Status == sharing.StatusPending:
			x.pendingID = r.ID
		case r.Status == sharing.StatusApproved && r.ResourceCode == x.people.Code:
			x.approvedID, x.grantID = r.ID, r.GrantID
		}
	}
	if x.pendingID == 0 || x.approvedID == 0 {
		return fmt.Errorf("demo requests not found: %+v", reqs.Items)
	}
	// A shared resource with a level-4 field, and its provider officer.
	all, err := x.cat.Search(ctx, catalog.Query{Level: 4, PageSize: 100})
	if err != nil {
		return err
	}
	for _, it := range all.Items {
		if it.ShareType == catalog.ShareNone || it.ProviderUSCC == demo.USCCCivil {
			continue
		}
		for _, u := range demo.Users {
			if u.OrgUSCC == it.ProviderUSCC && slices.Contains(u.Roles, huitong.RoleProvider) {
				x.restrictedBy = u.Username
			}
		}
		r, err := x.cat.Get(ctx, it.Code)
		if err != nil {
			return err
		}
		for _, f := range r.Fields {
			if f.Level == 4 && x.restrictedBy != "" {
				x.restricted, x.restrictedF = r, f.Name
				return nil
			}
		}
	}
	return errors.New("no shared resource with a level-4 field in the demo")
}

// browser is one person's browser: a cookie jar, no automatic redirects,
// so that tests see them.
type browser struct {
	t    *testing.T
	c    *http.Client
	base string
}

func newBrowser(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: base, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

type page struct {
	status   int
	location string
	header   http.Header
	body     string
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return page{status: resp.StatusCode, location: resp.Header.Get("Location"), header: resp.Header, body: string(body)}
}

func (b *browser) get(path string) page {
	b.t.Helper()
	req, _ := http.NewRequest("GET", b.base+path, nil)
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	req, _ := http.NewRequest("POST", b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// follow GETs a redirect's target.
func (b *browser) follow(p page) page {
	b.t.Helper()
	if p.status != http.StatusSeeOther && p.status != http.StatusFound {
		b.t.Fatalf("want a redirect, got %d: %s", p.status, excerpt(p.body))
	}
	return b.get(p.location)
}

var csrfRE = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// csrf returns the CSRF token of a page's forms.
func (p page) csrf(t *testing.T) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no _csrf on the page: %s", excerpt(p.body))
	}
	return m[1]
}

// submit GETs a page and posts form to action with the page's CSRF token.
func (b *browser) submit(pagePath, action string, form url.Values) page {
	b.t.Helper()
	p := b.get(pagePath)
	if p.status != 200 {
		b.t.Fatalf("GET %s = %d: %s", pagePath, p.status, excerpt(p.body))
	}
	form.Set("_csrf", p.csrf(b.t))
	return b.post(action, form)
}

// login logs in on the internal console and returns the browser.
func login(t *testing.T, user string) *browser {
	t.Helper()
	b := newBrowser(t, e.internal.URL)
	pw := demo.Password
	if user == "admin" {
		pw = demo.AdminPassword
	}
	p := b.submit("/console/login", "/console/login", url.Values{"username": {user}, "password": {pw}})
	if p.status != http.StatusSeeOther || p.location != "/console/" {
		t.Fatalf("login %s = %d %s: %s", user, p.status, p.location, excerpt(p.body))
	}
	return b
}

// upload posts a multipart upload form: fields first, then the file.
func (b *browser) upload(path string, fields url.Values, filename, contentType, data string) page {
	b.t.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		for _, k := range []string{"_csrf", "mode", "encoding", "sheet", "strict"} {
			if v := fields.Get(k); v != "" {
				mw.WriteField(k, v)
			}
		}
		h := make(map[string][]string)
		h["Content-Disposition"] = []string{fmt.Sprintf(`form-data; name="file"; filename="%s"`, filename)}
		h["Content-Type"] = []string{contentType}
		w, _ := mw.CreatePart(h)
		io.WriteString(w, data)
		mw.Close()
		pw.Close()
	}()
	req, _ := http.NewRequest("POST", b.base+path, pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

func excerpt(s string) string {
	if i := strings.Index(s, `<main`); i >= 0 {
		s = s[i:]
	}
	if len(s) > 1500 {
		s = s[:1500] + "…"
	}
	return s
}
