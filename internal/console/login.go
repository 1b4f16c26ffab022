package console

import (
	"context"
	"net/http"
	"strings"
	"time"

	"huitong"
	"huitong/internal/org"
	"huitong/internal/sharing"
)

// loginData is the login form.
type loginData struct {
	CSRF, Next, Username string
	Notice               string // message key
}

// notices are the messages a login page may be sent with (?m=).
var notices = map[string]string{"expired": "login.expired", "bye": "login.bye"}

func (c *Console) loginPage(w http.ResponseWriter, r *http.Request) {
	if ck, err := r.Cookie(sessionCookie); err == nil && ck.Value != "" {
		if p, err := c.Orgs.Authenticate(r.Context(), ck.Value); err == nil && !(p.HasRole(huitong.RoleCitizen) && len(p.Roles) == 1) {
			see(w, r, safeNext(r.URL.Query().Get("next"), "/console/"))
			return
		}
	}
	d := loginData{CSRF: c.csrfToken("login", c.preSession(w, r, "/console/")), Next: r.URL.Query().Get("next"),
		Notice: notices[r.URL.Query().Get("m")]}
	c.render(w, r, http.StatusOK, "login", c.newPage(r, "login.title", d))
}

// loginForm reads and checks a login form; a CSRF failure has been
// answered when ok is false.
func (c *Console) loginForm(w http.ResponseWriter, r *http.Request) (user, pass string, v huitong.Validation, ok bool) {
	if !c.loginCSRFOK(w, r) {
		c.csrfFailed(w, r)
		return "", "", v, false
	}
	user, pass = strings.TrimSpace(r.PostForm.Get("username")), r.PostForm.Get("password")
	if user == "" {
		v.Add("username", "required", "请输入用户名", "username is required")
	}
	if pass == "" {
		v.Add("password", "required", "请输入密码", "password is required")
	}
	return user, pass, v, true
}

func (c *Console) loginSubmit(w http.ResponseWriter, r *http.Request) {
	user, pass, v, ok := c.loginForm(w, r)
	if !ok {
		return
	}
	next := r.PostForm.Get("next")
	err := v.Err()
	var res org.LoginResult
	if err == nil {
		res, err = c.Orgs.Login(r.Context(), user, pass)
	}
	if err != nil {
		d := loginData{CSRF: c.csrfToken("login", c.preSession(w, r, "/console/")), Next: next, Username: user}
		pg := c.newPage(r, "login.title", d)
		pg.Err = errorsOf(err, pg.Lang)
		c.render(w, r, formStatus(err), "login", pg)
		return
	}
	c.setCookie(w, r, preCookie, "", "/console/", time.Time{})
	c.setCookie(w, r, sessionCookie, res.Token, "/console/", res.ExpiresAt)
	see(w, r, safeNext(next, "/console/"))
}

func (c *Console) logout(w http.ResponseWriter, r *http.Request) {
	if err := c.Orgs.Logout(r.Context()); err != nil && huitong.ErrorKind(err) != huitong.Unauthenticated {
		c.fail(w, r, err)
		return
	}
	c.setCookie(w, r, sessionCookie, "", "/console/", time.Time{})
	see(w, r, "/console/login?m=bye")
}

// homeData is the home page: who the caller is and what waits for them.
type homeData struct {
	Org         org.Org
	Pending     string // provider inbox
	Countersign string // admin queue
	Consumer    bool
	MyRequests  string
	MyGrants    string
	Recent      []sharing.Request
	AuditSize   int64
}

func (c *Console) home(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := sessionFrom(ctx).P
	me, err := c.Orgs.Me(ctx)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d := homeData{Org: me.Org, Consumer: p.HasRole(huitong.RoleConsumer)}
	if p.HasRole(huitong.RoleProvider) {
		d.Pending = c.countRequests(ctx, sharing.ListQuery{Role: huitong.RoleProvider, Status: sharing.StatusPending})
	}
	if p.IsAdmin() {
		d.Countersign = c.countRequests(ctx, sharing.ListQuery{Status: sharing.StatusCountersign})
	}
	if d.Consumer {
		page, err := c.Sharing.List(ctx, sharing.ListQuery{Role: huitong.RoleConsumer, Limit: 100})
		if err == nil {
			d.MyRequests = countText(len(page.Items), page.NextPageToken != "")
			d.Recent = page.Items[:min(5, len(page.Items))]
		}
		grants, err := c.Sharing.Grants(ctx, sharing.GrantQuery{Role: huitong.RoleConsumer, Status: sharing.GrantActive, Limit: 100})
		if err == nil {
			d.MyGrants = countText(len(grants.Items), grants.NextPageToken != "")
		}
	}
	if p.IsAdmin() || p.HasRole(huitong.RoleAuditor) {
		d.AuditSize = c.Audit.Size()
	}
	c.render(w, r, http.StatusOK, "home", c.newPage(r, "home.title", d))
}

// countRequests counts up to a hundred requests, "100+" beyond.
func (c *Console) countRequests(ctx context.Context, q sharing.ListQuery) string {
	q.Limit = 100
	page, err := c.Sharing.List(ctx, q)
	if err != nil {
		return "—"
	}
	return countText(len(page.Items), page.NextPageToken != "")
}

func countText(n int, more bool) string {
	s := itoa(n)
	if more {
		s += "+"
	}
	return s
}
