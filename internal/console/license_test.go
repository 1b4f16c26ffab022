package console_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"huitong/internal/demo"
	"huitong/internal/license"
)

// licensePath is the console page of a license.
func licensePath(id string) string { return "/console/licenses/" + url.PathEscape(id) }

// checkLicensePage is checkPage for pages that show a license's
// verification link, the one outside URL they may hold.
func checkLicensePage(t *testing.T, what string, p page) {
	t.Helper()
	p.body = strings.ReplaceAll(p.body, e.public.URL, "")
	checkPage(t, what, p)
}

// multipartPost posts fields in order, then a file part when filename is
// set, as a browser sends a form with enctype multipart/form-data.
func (b *browser) multipartPost(path string, fields [][2]string, fileField, filename, data string) page {
	b.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range fields {
		mw.WriteField(f[0], f[1])
	}
	if filename != "" {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, fileField, filename))
		h.Set("Content-Type", "application/octet-stream")
		w, _ := mw.CreatePart(h)
		io.WriteString(w, data)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", b.base+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

// TestLicensePagesByRole renders the license pages as every role: allowed
// pages render whole, others answer 403; logged out, everything but the
// verification form leads to the login page.
func TestLicensePagesByRole(t *testing.T) {
	everyone := users
	issuers := []string{"zz_issuer", "dsj_ops"}
	readers := []string{"admin", "auditor", "zz_issuer", "dsj_ops"}
	for _, tc := range []struct {
		path   string
		ok     []string
		denied int
		anon   bool // open to everyone, logged in or not
		// use: others get the page that offers to use the holder's
		// consent, and nothing of the license.
		use bool
	}{
		{path: "/console/licenses", ok: everyone},
		{path: "/console/licenses?type_code=" + e.bizType + "&status=active&issued_from=2020-01-01&issued_to=2099-12-31", ok: everyone},
		{path: "/console/licenses/new", ok: issuers},
		{path: "/console/licenses/new?type=" + e.bizType, ok: issuers},
		{path: "/console/licenses/new?type=" + e.indivType, ok: issuers},
		{path: "/console/licenses/import", ok: issuers},
		{path: "/console/licenses/import?type=" + e.bizType, ok: issuers},
		{path: "/console/licenses/types", ok: readers},
		{path: "/console/licenses/types/new", ok: []string{"admin", "zz_issuer", "dsj_ops"}},
		{path: "/console/licenses/types/" + e.bizType, ok: readers},
		// The police hold the business license: their officers read it.
		{path: licensePath(e.bizLicense.Identifier), ok: append(slices.Clone(readers), "ga_provider"), use: true},
		{path: licensePath(e.citizenLicense.Identifier), ok: readers, use: true},
		{path: licensePath("1.2.156.3005.2.nonsense"), ok: nil, denied: 400},
		{path: "/console/verify", ok: everyone, anon: true},
	} {
		t.Run(tc.path, func(t *testing.T) {
			anon := newBrowser(t, e.internal.URL).get(tc.path)
			if tc.anon {
				if anon.status != 200 {
					t.Errorf("logged out: %d", anon.status)
				}
				checkPage(t, "anonymous "+tc.path, anon)
			} else if anon.status != http.StatusSeeOther || !strings.HasPrefix(anon.location, "/console/login") {
				t.Errorf("logged out: %d %s", anon.status, anon.location)
			}
			for _, u := range users {
				p := as(t, u).get(tc.path)
				want := tc.denied
				if want == 0 {
					want = http.StatusForbidden
				}
				if slices.Contains(tc.ok, u) {
					want = http.StatusOK
				} else if tc.use {
					if p.status != http.StatusOK || !strings.Contains(p.body, `data-testid="license-use"`) || strings.Contains(p.body, `data-testid="license-attrs"`) {
						t.Errorf("%s: %d, want the consent use page: %s", u, p.status, excerpt(p.body))
					}
					continue
				}
				if p.status != want {
					t.Errorf("%s: %d, want %d: %s", u, p.status, want, excerpt(p.body))
					continue
				}
				checkLicensePage(t, u+" "+tc.path, p)
			}
		})
	}
	// In English too.
	for _, path := range []string{"/console/licenses", licensePath(e.bizLicense.Identifier), "/console/licenses/new?type=" + e.bizType,
		"/console/licenses/types/new", "/console/licenses/import?type=" + e.bizType, "/console/verify"} {
		p := as(t, "dsj_ops").get(path + sep(path) + "lang=en")
		if p.status != 200 {
			t.Errorf("en %s = %d", path, p.status)
		}
		checkLicensePage(t, "en "+path, p)
	}
	as(t, "dsj_ops").get("/console/?lang=zh")
}

func sep(path string) string {
	if strings.Contains(path, "?") {
		return "&"
	}
	return "?"
}

// TestLicenseButtonsByRole: the license page offers revocation and
// re-issue to the issuing org's issuers only; everyone who may read it
// sees its QR code and credential.
func TestLicenseButtonsByRole(t *testing.T) {
	biz := licensePath(e.bizLicense.Identifier)
	qr := `src="/verify/` + url.PathEscape(e.bizLicense.Identifier) + `/qr.svg"`
	for _, tc := range []struct {
		user        string
		has, hasNot []string
	}{
		{"zz_issuer", []string{`data-testid="revoke-form"`, `data-testid="reissue-form"`, qr, `data-testid="credential"`}, nil},
		{"auditor", []string{qr, `data-testid="credential"`}, []string{"revoke-form", "reissue-form"}},
		{"ga_provider", []string{qr}, []string{"revoke-form", "reissue-form"}},
		{"dsj_ops", []string{qr}, []string{"revoke-form", "reissue-form"}},
	} {
		p := as(t, tc.user).get(biz)
		for _, s := range tc.has {
			if !strings.Contains(p.body, s) {
				t.Errorf("%s: no %s", tc.user, s)
			}
		}
		for _, s := range tc.hasNot {
			if strings.Contains(p.body, s) {
				t.Errorf("%s: shows %s", tc.user, s)
			}
		}
	}
	// A holder org sees only its own licenses in the list, with no
	// holder filter to change.
	p := as(t, "ga_provider").get("/console/licenses?holder_code=" + demo.USCCMarket)
	if !strings.Contains(p.body, e.bizLicense.Identifier) || strings.Contains(p.body, e.citizenLicense.Identifier) || strings.Contains(p.body, `id="holder_code"`) {
		t.Errorf("holder org's list: %s", excerpt(p.body))
	}
	p = as(t, "zz_issuer").get("/console/licenses")
	if !strings.Contains(p.body, e.bizLicense.Identifier) || !strings.Contains(p.body, e.citizenLicense.Identifier) {
		t.Errorf("issuer's list: %s", excerpt(p.body))
	}
	// A bad filter is the service's message, not a failure.
	p = as(t, "zz_issuer").get("/console/licenses?issued_from=yesterday&page_token=x")
	if p.status != 400 || !strings.Contains(p.body, "日期须为 YYYY-MM-DD") || !strings.Contains(p.body, "翻页令牌无效") {
		t.Errorf("bad filter: %d %s", p.status, excerpt(p.body))
	}
}

var licenseRedirectRE = regexp.MustCompile(`^/console/licenses/([^/?]+)\?ok=([a-z_]+)$`)

// issued returns the identifier a redirect after an issuance leads to.
func issued(t *testing.T, p page, flash string) string {
	t.Helper()
	m := licenseRedirectRE.FindStringSubmatch(p.location)
	if p.status != http.StatusSeeOther || m == nil || m[2] != flash {
		t.Fatalf("want a redirect to a license with %s, got %d %s: %s", flash, p.status, p.location, excerpt(p.body))
	}
	id, _ := url.PathUnescape(m[1])
	return id
}

// verifyPage opens /verify/{id} as a browser does on base.
func verifyPage(t *testing.T, base, id, query string) page {
	t.Helper()
	b := newBrowser(t, base)
	req, _ := http.NewRequest("GET", base+"/verify/"+url.PathEscape(id)+query, nil)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	return b.do(req)
}

var statusAttrRE = regexp.MustCompile(`data-status="([a-z_]+)"`)

func verdictOf(p page) string {
	m := statusAttrRE.FindStringSubmatch(p.body)
	if m == nil {
		return ""
	}
	return m[1]
}

// TestIssueRevokeReissue: an issuer issues a license with the form (bad
// input first), opens it, revokes and re-issues; the public verification
// page follows each step.
func TestIssueRevokeReissue(t *testing.T) {
	b := as(t, "zz_issuer")
	form := "/console/licenses/new?type=" + e.bizType
	p := b.get(form)
	for _, s := range []string{`name="data.legal_rep"`, `<select id="data.kind" name="data.kind">`, `name="holder.code"`, "统一社会信用代码"} {
		if !strings.Contains(p.body, s) {
			t.Errorf("issue form lacks %s", s)
		}
	}
	// Bad input: the service's messages next to the fields, input kept.
	bad := b.submit(form, "/console/licenses/new", url.Values{"type_code": {e.bizType}, "holder.name": {"某某公司"},
		"holder.code": {"91330500MA2B3C4D5X"}, "data.kind": {"合伙"}, "valid_until": {"2000-01-01"}})
	if bad.status != 400 {
		t.Fatalf("bad issue = %d: %s", bad.status, excerpt(bad.body))
	}
	for _, s := range []string{"持证单位统一社会信用代码无效", "法定代表人", "有效期截止日不能早于起始日", `value="某某公司"`, "field-error",
		`name="data.kind" aria-invalid="true"`} {
		if !strings.Contains(bad.body, s) {
			t.Errorf("bad issue page lacks %q: %s", s, excerpt(bad.body))
		}
	}
	// Without the form's token: refused.
	if p := b.post("/console/licenses/new", url.Values{"type_code": {e.bizType}}); p.status != 403 {
		t.Errorf("issue without CSRF = %d", p.status)
	}
	// Another org's issuer may not issue this type.
	if p := as(t, "dsj_ops").submit("/console/licenses/new", "/console/licenses/new", url.Values{"type_code": {e.bizType},
		"holder.name": {"x"}, "holder.code": {demo.USCCTax}, "data.legal_rep": {"王"}}); p.status != 403 || !strings.Contains(p.body, "发证机构") {
		t.Errorf("issue by another org = %d: %s", p.status, excerpt(p.body))
	}

	ok := b.submit(form, "/console/licenses/new", url.Values{"type_code": {e.bizType}, "holder.name": {"国家税务总局湖州市税务局服务中心"},
		"holder.code": {demo.USCCTax}, "data.legal_rep": {"周杰"}, "data.capital": {"120"}, "data.kind": {"股份有限公司"}, "number": {"HZ-2026-0001"}})
	id := issued(t, ok, "issued")
	p = b.follow(ok)
	checkLicensePage(t, "issued license", p)
	for _, s := range []string{"证照已签发", `src="/verify/` + url.PathEscape(id) + `/qr.svg"`, "HZ-2026-0001", "股份有限公司", "status-active", ">eyJ"} {
		if !strings.Contains(p.body, s) {
			t.Errorf("license page lacks %q: %s", s, excerpt(p.body))
		}
	}
	// The QR code the page shows is served on the console's listener.
	if q := b.get("/verify/" + url.PathEscape(id) + "/qr.svg"); q.status != 200 || !strings.HasPrefix(q.header.Get("Content-Type"), "image/svg+xml") {
		t.Errorf("QR code = %d %s", q.status, q.header.Get("Content-Type"))
	}
	if v := verifyPage(t, e.public.URL, id, ""); v.status != 200 || verdictOf(v) != "active" || !strings.Contains(v.body, "证照有效") {
		t.Errorf("public verification page of the new license: %d %s: %s", v.status, verdictOf(v), excerpt(v.body))
	}

	// Revocation needs a reason, and the form's token.
	lp := licensePath(id)
	if p := b.submit(lp, lp+"/revoke", url.Values{"reason": {" "}}); p.status != 400 || !strings.Contains(p.body, "须写明撤销原因") {
		t.Errorf("revoke without reason = %d: %s", p.status, excerpt(p.body))
	}
	if p := b.post(lp+"/revoke", url.Values{"reason": {"x"}}); p.status != 403 {
		t.Errorf("revoke without CSRF = %d", p.status)
	}
	if p := as(t, "auditor").submit(lp, lp+"/revoke", url.Values{"reason": {"审计"}}); p.status != 403 {
		t.Errorf("revoke by an auditor = %d", p.status)
	}
	rv := b.submit(lp, lp+"/revoke", url.Values{"reason": {"企业申请注销"}})
	if issued(t, rv, "license_revoked") != id {
		t.Errorf("revocation leads to %s", rv.location)
	}
	p = b.follow(rv)
	if !strings.Contains(p.body, "status-revoked") || !strings.Contains(p.body, "企业申请注销") || strings.Contains(p.body, "revoke-form") {
		t.Errorf("revoked license page: %s", excerpt(p.body))
	}
	for _, base := range []string{e.public.URL, e.internal.URL} {
		if v := verifyPage(t, base, id, ""); verdictOf(v) != "revoked" || !strings.Contains(v.body, "证照已被发证机构撤销") {
			t.Errorf("%s verification page after revocation: %s: %s", base, verdictOf(v), excerpt(v.body))
		}
	}
	// Revoking twice is the service's refusal on the page.
	if p := b.submit(licensePath(e.bizLicense.Identifier), lp+"/revoke", url.Values{"reason": {"再次"}}); p.status != 409 {
		t.Errorf("second revocation = %d: %s", p.status, excerpt(p.body))
	}

	// Re-issue another license: a bad date first, then a new version.
	ok = b.submit(form, "/console/licenses/new", url.Values{"type_code": {e.bizType}, "holder.name": {"湖州市交通运输局服务中心"},
		"holder.code": {demo.USCCTransport}, "data.legal_rep": {"徐涛"}, "data.capital": {"80"}})
	old := issued(t, ok, "issued")
	op := licensePath(old)
	badRe := b.submit(op, op+"/reissue", url.Values{"data.legal_rep": {"徐涛"}, "data.capital": {"abc"}, "valid_from": {"2026-01-01"}, "valid_until": {"2025-01-01"}})
	if badRe.status != 400 || !strings.Contains(badRe.body, "有效期截止日不能早于起始日") || !strings.Contains(badRe.body, `value="abc"`) ||
		!strings.Contains(badRe.body, "<details open>") {
		t.Errorf("bad re-issue = %d: %s", badRe.status, excerpt(badRe.body))
	}
	re := b.submit(op, op+"/reissue", url.Values{"data.legal_rep": {"徐涛"}, "data.capital": {"200"}, "reason": {"增资"}})
	next := issued(t, re, "reissued")
	if !strings.HasSuffix(next, ".002."+next[len(next)-1:]) {
		t.Errorf("re-issued as %s, want version 002", next)
	}
	if p := b.follow(re); !strings.Contains(p.body, "200") || !strings.Contains(p.body, url.PathEscape(old)) {
		t.Errorf("new version page: %s", excerpt(p.body))
	}
	if p := b.get(op); !strings.Contains(p.body, "status-superseded") || strings.Contains(p.body, "reissue-form") {
		t.Errorf("old version page: %s", excerpt(p.body))
	}
	if v := verifyPage(t, e.public.URL, old, ""); verdictOf(v) != "superseded" || !strings.Contains(v.body, `href="/verify/`+url.PathEscape(next)+`"`) {
		t.Errorf("old version's verification: %s: %s", verdictOf(v), excerpt(v.body))
	}
}

var styleRE = regexp.MustCompile(`(?s)<style>(.*?)</style>`)

// TestVerificationPage: /verify/{identifier} shows the verification in the
// public layout, on both listeners, zh and en, masked, with a CSP that
// allows its one inline stylesheet by hash.
func TestVerificationPage(t *testing.T) {
	id := e.citizenLicense.Identifier
	for _, base := range []string{e.public.URL, e.internal.URL} {
		p := verifyPage(t, base, id, "")
		if p.status != 200 || verdictOf(p) != "active" {
			t.Fatalf("%s: %d %s: %s", base, p.status, verdictOf(p), excerpt(p.body))
		}
		for _, bad := range []string{"template:", "⟦", "<no value>", "%!", "<script", " style=", demo.CitizenIDCard, demo.CitizenName + "<", "红旗路"} {
			if strings.Contains(p.body, bad) {
				t.Errorf("%s: the page holds %q", base, bad)
			}
		}
		for _, want := range []string{"个体工商户营业执照", "李明小吃店", "<dd>李*</dd>", "湖州市市场监督管理局", `<body class="public">`, "证照有效"} {
			if !strings.Contains(p.body, want) {
				t.Errorf("%s: the page lacks %q: %s", base, want, excerpt(p.body))
			}
		}
		csp := p.header.Get("Content-Security-Policy")
		m := styleRE.FindStringSubmatch(p.body)
		if m == nil {
			t.Fatalf("no stylesheet on the page")
		}
		sum := sha256.Sum256([]byte(m[1]))
		if !strings.Contains(csp, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("CSP %q does not allow the page's stylesheet by its hash", csp)
		}
		en := verifyPage(t, base, id, "?lang=en")
		if !strings.Contains(en.body, `lang="en"`) || !strings.Contains(en.body, "the license is valid") {
			t.Errorf("%s in English: %s", base, excerpt(en.body))
		}
	}
	for _, bad := range []string{"1.2.156.3005.2.nothing", "1.2.156.3005.2." + e.bizType + "." + demo.USCCMarket + ".202699999999.001.0"} {
		p := verifyPage(t, e.public.URL, bad, "")
		if p.status != 404 || (verdictOf(p) != "malformed" && verdictOf(p) != "not_found") {
			t.Errorf("%s: %d %s: %s", bad, p.status, verdictOf(p), excerpt(p.body))
		}
	}
	// The API's JSON answer is unchanged for clients asking for it.
	req, _ := http.NewRequest("GET", e.public.URL+"/verify/"+url.PathEscape(id), nil)
	req.Header.Set("Accept", "application/json")
	if p := newBrowser(t, e.public.URL).do(req); !strings.Contains(p.body, `"valid":true`) {
		t.Errorf("JSON verification: %s", p.body)
	}
}

// TestVerifyForm: anyone verifies a credential pasted or uploaded, or an
// identifier, on both listeners; the form carries a CSRF token bound to
// the visitor's pre-session cookie.
func TestVerifyForm(t *testing.T) {
	for _, tc := range []struct {
		base, path string
	}{{e.public.URL, "/my/verify"}, {e.internal.URL, "/console/verify"}} {
		b := newBrowser(t, tc.base)
		form := b.get(tc.path)
		checkPage(t, tc.path, form)
		tok := form.csrf(t)
		post := func(fields [][2]string, filename, data string) page {
			return b.multipartPost(tc.path, append([][2]string{{"_csrf", tok}}, fields...), "file", filename, data)
		}
		p := post([][2]string{{"credential", e.citizenLicense.Credential}}, "", "")
		if p.status != 200 || verdictOf(p) != "active" {
			t.Fatalf("%s credential: %d %s: %s", tc.path, p.status, verdictOf(p), excerpt(p.body))
		}
		checkPage(t, tc.path+" result", p)
		if strings.Contains(p.body, demo.CitizenIDCard[6:14]) || strings.Contains(p.body, "红旗路") || !strings.Contains(p.body, "李明小吃店") {
			t.Errorf("%s: the result is not the masked view: %s", tc.path, excerpt(p.body))
		}
		if p := post(nil, "license.jwt", e.citizenLicense.Credential+"\n"); verdictOf(p) != "active" {
			t.Errorf("%s upload: %s: %s", tc.path, verdictOf(p), excerpt(p.body))
		}
		if p := post([][2]string{{"identifier", e.lic.PublicURL + "/verify/" + e.citizenLicense.Identifier}}, "", ""); verdictOf(p) != "active" {
			t.Errorf("%s link: %s: %s", tc.path, verdictOf(p), excerpt(p.body))
		}
		if p := post([][2]string{{"credential", e.bizLicense.Identifier}}, "", ""); verdictOf(p) != "active" {
			t.Errorf("%s identifier pasted as credential: %s", tc.path, verdictOf(p))
		}
		tampered := e.citizenLicense.Credential[:len(e.citizenLicense.Credential)-4] + "AAAA"
		if p := post([][2]string{{"credential", tampered}}, "", ""); verdictOf(p) != "bad_signature" || !strings.Contains(p.body, "✗") {
			t.Errorf("%s tampered: %s: %s", tc.path, verdictOf(p), excerpt(p.body))
		}
		if p := post([][2]string{{"credential", "garbage"}}, "", ""); verdictOf(p) != "malformed" {
			t.Errorf("%s garbage: %s", tc.path, verdictOf(p))
		}
		if p := post(nil, "", ""); p.status != 400 || !strings.Contains(p.body, "须提供 credential 或 identifier") {
			t.Errorf("%s empty: %d %s", tc.path, p.status, excerpt(p.body))
		}
		if p := post(nil, "big.jwt", strings.Repeat("a", license.MaxCredentialBytes+10)); p.status != 400 || !strings.Contains(p.body, "凭证文件过大") {
			t.Errorf("%s big file: %d %s", tc.path, p.status, excerpt(p.body))
		}
		// No token, or another visitor's: refused.
		if p := b.multipartPost(tc.path, [][2]string{{"credential", "x"}}, "", "", ""); p.status != 403 {
			t.Errorf("%s without CSRF = %d", tc.path, p.status)
		}
		other := newBrowser(t, tc.base)
		other.get(tc.path)
		if p := other.post(tc.path, url.Values{"_csrf": {tok}, "credential": {"x"}}); p.status != 403 {
			t.Errorf("%s with another visitor's token = %d", tc.path, p.status)
		}
		// A urlencoded form works too, and English.
		if p := b.post(tc.path+"?lang=en", url.Values{"_csrf": {tok}, "identifier": {e.bizLicense.Identifier}}); verdictOf(p) != "active" ||
			!strings.Contains(p.body, "Valid") {
			t.Errorf("%s urlencoded: %s: %s", tc.path, verdictOf(p), excerpt(p.body))
		}
		b.get(tc.path + "?lang=zh")
	}
	// A logged-in officer sees the page in the console's frame.
	if p := as(t, "mz_consumer").get("/console/verify"); !strings.Contains(p.body, `<nav id="nav"`) || !strings.Contains(p.body, `aria-current="page">证照核验`) {
		t.Errorf("officer's verification page: %s", excerpt(p.body))
	}
}

var consentWithdrawRE = regexp.MustCompile(`action="/my/consents/(\d+)/withdraw"`)

// TestCitizenLicenses: a citizen sees their license with its QR code and
// credential, lets a department use it, sees the use and withdraws.
func TestCitizenLicenses(t *testing.T) {
	if p := newBrowser(t, e.public.URL).get("/my/licenses"); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/my/login") {
		t.Errorf("logged out /my/licenses = %d %s", p.status, p.location)
	}
	b := citizenLogin(t)
	id := e.citizenLicense.Identifier
	p := b.get("/my/licenses")
	checkPage(t, "my licenses", p)
	for _, s := range []string{`src="/verify/` + url.PathEscape(id) + `/qr.svg"`, e.citizenLicense.Credential, "李明小吃店", `data-copy="cred-0"`,
		`href="/my/licenses/` + url.PathEscape(id) + `/consent"`, `href="/my/consents"`} {
		if !strings.Contains(p.body, s) {
			t.Errorf("my licenses lack %.80q", s)
		}
	}
	if strings.Contains(p.body, e.bizLicense.Identifier) {
		t.Errorf("my licenses show someone else's")
	}
	cp := "/my/licenses/" + url.PathEscape(id) + "/consent"
	form := b.get(cp)
	checkPage(t, "consent form", form)
	if !strings.Contains(form.body, `<option value="`+demo.USCCCivil+`">`) {
		t.Errorf("consent form lists no orgs: %s", excerpt(form.body))
	}
	// Someone else's license: not found.
	if p := b.get("/my/licenses/" + url.PathEscape(e.bizLicense.Identifier) + "/consent"); p.status != 404 {
		t.Errorf("consent form of another's license = %d", p.status)
	}
	bad := b.submit(cp, cp, url.Values{"grantee_uscc": {"123"}, "purpose": {""}, "expires_at": {"2000-01-01"}})
	if bad.status != 400 {
		t.Fatalf("bad consent = %d %s", bad.status, excerpt(bad.body))
	}
	for _, s := range []string{"被授权单位统一社会信用代码无效", "须写明用证事由", "授权截止时间须晚于现在"} {
		if !strings.Contains(bad.body, s) {
			t.Errorf("bad consent page lacks %q: %s", s, excerpt(bad.body))
		}
	}
	if p := b.post(cp, url.Values{"grantee": {demo.USCCCivil}, "purpose": {"x"}}); p.status != 403 {
		t.Errorf("consent without CSRF = %d", p.status)
	}
	ok := b.submit(cp, cp, url.Values{"grantee": {demo.USCCCivil}, "purpose": {"办理低保资格认定（控制台测试）"}, "one_time": {"1"}})
	if ok.status != http.StatusSeeOther || ok.location != "/my/consents?ok=consented" {
		t.Fatalf("consent = %d %s: %s", ok.status, ok.location, excerpt(ok.body))
	}
	list := b.follow(ok)
	checkPage(t, "my consents", list)
	if !strings.Contains(list.body, "授权已生效") || !strings.Contains(list.body, "湖州市民政局") || !strings.Contains(list.body, "consent-live") ||
		!strings.Contains(list.body, "已使用 0 次") {
		t.Errorf("my consents: %s", excerpt(list.body))
	}
	// Viewing the page spends nothing; the department uses the consent
	// once, on purpose, as it allows.
	dept := as(t, "mz_consumer")
	for i := 0; i < 2; i++ {
		if p := dept.get(licensePath(id)); p.status != 200 || strings.Contains(p.body, "李明小吃店") {
			t.Errorf("the department's view before use = %d", p.status)
		}
	}
	if p := dept.post(licensePath(id)+"/use", url.Values{}); p.status != 403 {
		t.Errorf("use without CSRF = %d", p.status)
	}
	if p := dept.submit(licensePath(id), licensePath(id)+"/use", url.Values{}); p.status != 200 || !strings.Contains(p.body, "李明小吃店") {
		t.Errorf("the department's use under consent = %d", p.status)
	}
	if p := dept.submit(licensePath(id), licensePath(id)+"/use", url.Values{}); p.status != 403 {
		t.Errorf("a second use of a one-time consent = %d", p.status)
	}
	list = b.get("/my/consents")
	if !strings.Contains(list.body, "已使用 1 次") || !strings.Contains(list.body, "consent-used") {
		t.Errorf("my consents after the use: %s", excerpt(list.body))
	}
	// A consent to withdraw.
	ok = b.submit(cp, cp, url.Values{"grantee": {demo.USCCCivil}, "grantee_uscc": {demo.USCCHousingFund}, "purpose": {"公积金贷款审核"}, "expires_at": {"2099-01-01"}})
	if ok.status != 400 || !strings.Contains(ok.body, "授权期限不能超过一年") {
		t.Errorf("a consent for too long = %d: %s", ok.status, excerpt(ok.body))
	}
	ok = b.submit(cp, cp, url.Values{"grantee": {demo.USCCCivil}, "grantee_uscc": {demo.USCCHousingFund}, "purpose": {"公积金贷款审核"}})
	if ok.status != http.StatusSeeOther {
		t.Fatalf("consent = %d: %s", ok.status, excerpt(ok.body))
	}
	list = b.follow(ok)
	m := consentWithdrawRE.FindStringSubmatch(list.body)
	if m == nil || !strings.Contains(list.body, "湖州市住房公积金管理中心") {
		t.Fatalf("no consent to withdraw: %s", excerpt(list.body))
	}
	wp := "/my/consents/" + m[1] + "/withdraw"
	if p := b.post(wp, url.Values{}); p.status != 403 {
		t.Errorf("withdraw without CSRF = %d", p.status)
	}
	w := b.submit("/my/consents", wp, url.Values{})
	if w.status != http.StatusSeeOther || w.location != "/my/consents?ok=consent_withdrawn" {
		t.Fatalf("withdraw = %d %s", w.status, w.location)
	}
	if p := b.follow(w); !strings.Contains(p.body, "consent-withdrawn") || !strings.Contains(p.body, "授权已撤回") {
		t.Errorf("after withdrawal: %s", excerpt(p.body))
	}
	if p := b.submit("/my/consents", wp, url.Values{}); p.status != 409 || !strings.Contains(p.body, "已撤回") {
		t.Errorf("second withdrawal = %d: %s", p.status, excerpt(p.body))
	}
	if p := b.submit("/my/consents", "/my/consents/999999/withdraw", url.Values{}); p.status != 404 {
		t.Errorf("withdraw of no consent = %d", p.status)
	}
	// The nav names the license pages, in both languages.
	if p := b.get("/my/consents?lang=en"); !strings.Contains(p.body, ">My licenses</a>") || !strings.Contains(p.body, ">My consents</a>") {
		t.Errorf("English nav: %s", excerpt(p.body))
	}
	b.get("/my/?lang=zh")
}

// TestLicenseTypeForm: an issuer defines a type with field rows, added
// without script; bad input shows the service's messages.
func TestLicenseTypeForm(t *testing.T) {
	b := as(t, "zz_issuer")
	p := b.get("/console/licenses/types/new")
	if !strings.Contains(p.body, `value="`+demo.USCCMarket+`"`) || !strings.Contains(p.body, `id="field-row-template"`) {
		t.Errorf("type form: %s", excerpt(p.body))
	}
	add := b.submit("/console/licenses/types/new", "/console/licenses/types/new", url.Values{"code": {demo.USCCMarket + "003"},
		"fields[0].name": {"a"}, "_add_field": {"1"}})
	if add.status != 200 || !strings.Contains(add.body, `name="fields[1].name"`) || !strings.Contains(add.body, `value="`+demo.USCCMarket+`003"`) {
		t.Errorf("add a row: %d %s", add.status, excerpt(add.body))
	}
	bad := b.submit("/console/licenses/types/new", "/console/licenses/types/new", url.Values{"code": {"123"}, "name": {""},
		"holder_kind": {"org"}, "issuer_usccs": {demo.USCCMarket}, "validity_days": {"x"}})
	if bad.status != 400 || !strings.Contains(bad.body, "有效期天数须为整数") {
		t.Errorf("bad validity: %d %s", bad.status, excerpt(bad.body))
	}
	bad = b.submit("/console/licenses/types/new", "/console/licenses/types/new", url.Values{"code": {"123"}, "name": {""},
		"holder_kind": {"org"}, "issuer_usccs": {demo.USCCMarket}, "fields[0].name": {"secret"}, "fields[0].title": {"机密"},
		"fields[0].type": {"string"}, "fields[0].level": {"4"}})
	if bad.status != 400 || !strings.Contains(bad.body, "证照类型代码须为") || !strings.Contains(bad.body, "证照信息项不能为 4 级") {
		t.Errorf("bad type: %d %s", bad.status, excerpt(bad.body))
	}
	if p := b.submit("/console/licenses/types/new", "/console/licenses/types/new", url.Values{"code": {demo.USCCPolice + "001"}, "name": {"x"},
		"holder_kind": {"org"}, "issuer_usccs": {demo.USCCMarket}, "fields[0].name": {"a"}, "fields[0].title": {"甲"}, "fields[0].type": {"string"},
		"fields[0].level": {"1"}}); p.status != 403 || !strings.Contains(p.body, "证照类型代码须以本单位统一社会信用代码开头") {
		t.Errorf("another authority's code: %d %s", p.status, excerpt(p.body))
	}
	code := demo.USCCMarket + "004"
	ok := b.submit("/console/licenses/types/new", "/console/licenses/types/new", url.Values{"code": {code}, "name": {"食品经营许可证"},
		"holder_kind": {"org"}, "issuer_usccs": {demo.USCCMarket + "\n" + demo.USCCChangxingMarket}, "validity_days": {"1825"},
		"fields[0].name": {"scope"}, "fields[0].title": {"经营项目"}, "fields[0].type": {"string"}, "fields[0].level": {"1"}, "fields[0].required": {"1"},
		"fields[1].name": {"site"}, "fields[1].title": {"经营场所"}, "fields[1].type": {"string"}, "fields[1].level": {"2"}, "fields[1].pii": {"address"}})
	if ok.status != http.StatusSeeOther || ok.location != "/console/licenses/types/"+code+"?ok=type_defined" {
		t.Fatalf("define = %d %s: %s", ok.status, ok.location, excerpt(ok.body))
	}
	p = b.follow(ok)
	checkPage(t, "new type", p)
	for _, s := range []string{"食品经营许可证", "经营项目", "长兴县市场监督管理局", "1825", `href="/console/licenses/new?type=` + code + `"`} {
		if !strings.Contains(p.body, s) {
			t.Errorf("type page lacks %q", s)
		}
	}
	if p := b.submit("/console/licenses/types/new", "/console/licenses/types/new", url.Values{"code": {code}, "name": {"x"},
		"holder_kind": {"org"}, "issuer_usccs": {demo.USCCMarket}, "fields[0].name": {"a"}, "fields[0].title": {"甲"}, "fields[0].type": {"string"},
		"fields[0].level": {"1"}}); p.status != 409 {
		t.Errorf("the same code again = %d", p.status)
	}
	if p := as(t, "mz_consumer").submit("/console/", "/console/licenses/types/new", url.Values{"code": {code}}); p.status != 403 {
		t.Errorf("a consumer defines a type = %d", p.status)
	}
}

// TestLicenseImport: an issuer imports a CSV of licenses and sees the
// report; a file the type does not fit is refused with the reason.
func TestLicenseImport(t *testing.T) {
	b := as(t, "zz_issuer")
	page := "/console/licenses/import?type=" + e.bizType
	p := b.get(page)
	if !strings.Contains(p.body, `data-testid="import-columns"`) || !strings.Contains(p.body, "legal_rep") {
		t.Fatalf("import form: %s", excerpt(p.body))
	}
	tok := p.csrf(t)
	csv := "holder_name,holder_code,法定代表人,capital\n" +
		"湖州市医疗保障局服务中心," + demo.USCCMedicalIns + ",吴婷,10\n" +
		"湖州市审计局服务中心," + demo.USCCAudit + ",胡萍,20\n" +
		"坏行,123,某,abc\n"
	rep := b.multipartPost("/console/licenses/import/upload", [][2]string{{"_csrf", tok}, {"type_code", e.bizType}}, "file", "licenses.csv", csv)
	if rep.status != 200 || !strings.Contains(rep.body, `data-testid="import-report"`) {
		t.Fatalf("import = %d: %s", rep.status, excerpt(rep.body))
	}
	checkPage(t, "import report", rep)
	for _, s := range []string{"<dd>3</dd>", "<dd>2</dd>", "<dd>1</dd>", "持证单位统一社会信用代码无效", "文件已导入"} {
		if !strings.Contains(rep.body, s) {
			t.Errorf("report lacks %q: %s", s, excerpt(rep.body))
		}
	}
	bad := b.multipartPost("/console/licenses/import/upload", [][2]string{{"_csrf", tok}, {"type_code", e.bizType}}, "file", "x.csv", "holder_name,holder_code,colour\nx,y,z\n")
	if bad.status != 400 || !strings.Contains(bad.body, "文件中有证照类型没有的列") {
		t.Errorf("unknown column: %d %s", bad.status, excerpt(bad.body))
	}
	if p := b.multipartPost("/console/licenses/import/upload", [][2]string{{"type_code", e.bizType}}, "file", "x.csv", csv); p.status != 403 {
		t.Errorf("import without CSRF = %d", p.status)
	}
	if p := b.multipartPost("/console/licenses/import/upload", [][2]string{{"_csrf", tok}, {"type_code", e.bizType}}, "", "", ""); p.status != 400 ||
		!strings.Contains(p.body, "请选择要上传的文件") {
		t.Errorf("import without a file = %d", p.status)
	}
	if p := as(t, "dsj_ops").get("/console/"); p.status == 200 {
		tok := p.csrf(t)
		if p := as(t, "dsj_ops").multipartPost("/console/licenses/import/upload", [][2]string{{"_csrf", tok}, {"type_code", e.bizType}}, "file", "x.csv", csv); p.status != 403 {
			t.Errorf("import by another org = %d", p.status)
		}
	}
}
