package console

import (
	"net/http"
	"strconv"
	"time"

	"huitong"
	"huitong/internal/audit"
	"huitong/internal/org"
)

// The citizen pages on the public listener: log in, "谁使用了我的数据",
// log out. They call what GET /api/v1/tracker/me calls.

func (c *Console) citizenLoginPage(w http.ResponseWriter, r *http.Request) {
	if ck, err := r.Cookie(citizenCookie); err == nil && ck.Value != "" {
		if p, err := c.Orgs.Authenticate(r.Context(), ck.Value); err == nil && p.HasRole(huitong.RoleCitizen) && len(p.Roles) == 1 {
			see(w, r, "/my/")
			return
		}
	}
	d := loginData{CSRF: c.csrfToken("login", c.preSession(w, r, "/my/")), Notice: notices[r.URL.Query().Get("m")]}
	c.render(w, r, http.StatusOK, "my_login", c.newPage(r, "my.login_title", d))
}

func (c *Console) citizenLoginSubmit(w http.ResponseWriter, r *http.Request) {
	user, pass, v, ok := c.loginForm(w, r)
	if !ok {
		return
	}
	err := v.Err()
	if err == nil {
		var res org.LoginResult
		if res, err = c.Orgs.LoginCitizen(r.Context(), user, pass); err == nil {
			c.setCookie(w, r, preCookie, "", "/my/", time.Time{})
			c.setCookie(w, r, citizenCookie, res.Token, "/my/", res.ExpiresAt)
			see(w, r, "/my/")
			return
		}
	}
	d := loginData{CSRF: c.csrfToken("login", c.preSession(w, r, "/my/")), Username: user}
	pg := c.newPage(r, "my.login_title", d)
	pg.Err = errorsOf(err, pg.Lang)
	c.render(w, r, formStatus(err), "my_login", pg)
}

func (c *Console) citizenLogout(w http.ResponseWriter, r *http.Request) {
	if err := c.Orgs.Logout(r.Context()); err != nil && huitong.ErrorKind(err) != huitong.Unauthenticated {
		c.fail(w, r, err)
		return
	}
	c.setCookie(w, r, citizenCookie, "", "/my/", time.Time{})
	see(w, r, "/my/login?m=bye")
}

type historyItem struct {
	audit.Record
	OrgName string
}

type historyData struct {
	Items []historyItem
	Pager pager
}

const historyPageSize = 50

// citizenHistory lists who used the citizen's data: org, action, purpose,
// time; never the officer's name.
func (c *Console) citizenHistory(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	subject, err := c.Orgs.CitizenSubject(ctx)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	recs, err := c.Audit.History(ctx, subject, max(0, before), historyPageSize+1)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d := &historyData{}
	next := ""
	if len(recs) > historyPageSize {
		recs = recs[:historyPageSize]
		next = strconv.FormatInt(recs[historyPageSize-1].Index, 10)
	}
	names := c.namer(ctx)
	for _, rec := range recs {
		rec.Actor, rec.ClientIP, rec.RequestID = "", "", ""
		d.Items = append(d.Items, historyItem{Record: rec, OrgName: names.name(rec.ActorOrg)})
	}
	d.Pager = pagerOf(r, "before", next)
	c.render(w, r, http.StatusOK, "my_history", c.newPage(r, "my.history_title", d))
}
