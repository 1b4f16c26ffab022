package console

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"huitong"
	"huitong/internal/catalog"
	"huitong/internal/sharing"
)

type tab struct {
	Label, URL string
	Current    bool
}

type requestsData struct {
	Mode   string // "requests", "inbox" or "countersign"
	Intro  string
	Role   string
	Status string
	Filter bool
	Tabs   []tab
	Items  []sharing.Request
	Pager  pager
}

// sides are the listing roles the caller may pick: as consumer, as
// provider, and everything for admins and auditors ("all").
func sides(p *huitong.Principal) []string {
	var out []string
	if p.HasRole(huitong.RoleConsumer) {
		out = append(out, huitong.RoleConsumer)
	}
	if p.HasRole(huitong.RoleProvider) {
		out = append(out, huitong.RoleProvider)
	}
	if p.IsAdmin() || p.HasRole(huitong.RoleAuditor) {
		out = append(out, "all")
	}
	return out
}

// pickSide returns the asked side when allowed, else the first, with tabs
// to the others. A caller with no side gets "consumer", which the service
// refuses.
func pickSide(r *http.Request, base string) (string, []tab) {
	p := sessionFrom(r.Context()).P
	all := sides(p)
	if len(all) == 0 {
		return huitong.RoleConsumer, nil
	}
	role := r.URL.Query().Get("role")
	if !contains(all, role) {
		role = all[0]
	}
	var tabs []tab
	if len(all) > 1 {
		for _, s := range all {
			q := url.Values{"role": {s}}
			if st := r.URL.Query().Get("status"); st != "" {
				q.Set("status", st)
			}
			tabs = append(tabs, tab{Label: "side." + s, URL: base + "?" + q.Encode(), Current: s == role})
		}
	}
	return role, tabs
}

func serviceRole(side string) string {
	if side == "all" {
		return ""
	}
	return side
}

func (c *Console) requestList(w http.ResponseWriter, r *http.Request) {
	role, tabs := pickSide(r, "/console/requests")
	q := r.URL.Query()
	d := &requestsData{Mode: "requests", Role: role, Status: q.Get("status"), Filter: true, Tabs: tabs}
	c.listRequests(w, r, "nav.requests", d, sharing.ListQuery{Role: serviceRole(role), Status: d.Status})
}

func (c *Console) inbox(w http.ResponseWriter, r *http.Request) {
	d := &requestsData{Mode: "inbox", Intro: "inbox.intro"}
	c.listRequests(w, r, "nav.inbox", d, sharing.ListQuery{Role: huitong.RoleProvider, Status: sharing.StatusPending})
}

func (c *Console) countersignQueue(w http.ResponseWriter, r *http.Request) {
	d := &requestsData{Mode: "countersign", Intro: "countersign.intro"}
	c.listRequests(w, r, "nav.countersign", d, sharing.ListQuery{Status: sharing.StatusCountersign})
}

func (c *Console) listRequests(w http.ResponseWriter, r *http.Request, title string, d *requestsData, q sharing.ListQuery) {
	q.PageToken, q.Limit = r.URL.Query().Get("page_token"), 25
	page, err := c.Sharing.List(r.Context(), q)
	pg := c.newPage(r, title, d)
	if err != nil {
		if huitong.ErrorKind(err) != huitong.Invalid {
			c.fail(w, r, err)
			return
		}
		pg.Err = errorsOf(err, pg.Lang)
		c.render(w, r, http.StatusBadRequest, "requests", pg)
		return
	}
	d.Items, d.Pager = page.Items, pagerOf(r, "page_token", page.NextPageToken)
	c.render(w, r, http.StatusOK, "requests", pg)
}

// approveForm is the provider's approval as the form holds it.
type approveForm struct {
	Fields, Unmasked                            []string
	ExpiresAt, MaxExpires, Rate, Quota, Comment string
}

type requestData struct {
	Req                                   sharing.Request
	Titles                                map[string]string
	FieldRows                             []catalog.Field
	CanApprove, CanReject, CanCountersign bool
	Restricted                            []string
	Approve                               approveForm
	Reason                                string
	DefaultRate                           float64
	DefaultQuota                          int64
}

func requestID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

// requestPage loads a request and decides which decisions the caller may
// take on it.
func (c *Console) requestPage(r *http.Request, id int64) (*requestData, error) {
	ctx := r.Context()
	req, err := c.Sharing.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	p := sessionFrom(ctx).P
	d := &requestData{Req: req, Titles: map[string]string{}, DefaultRate: sharing.DefaultRate, DefaultQuota: sharing.DefaultDailyQuota}
	if res, err := c.Catalog.Get(ctx, req.ResourceCode); err == nil {
		for _, f := range res.Fields {
			d.Titles[f.Name] = f.Title
			if contains(req.Fields, f.Name) {
				d.FieldRows = append(d.FieldRows, f)
			}
		}
		if req.Terms != nil {
			d.Restricted = sharing.Restricted(res, req.Terms.Fields)
		}
	}
	provider := p.HasRole(huitong.RoleProvider) && p.InOrg(req.ProviderUSCC)
	d.CanApprove = provider && req.Status == sharing.StatusPending
	d.CanCountersign = p.IsAdmin() && req.Status == sharing.StatusCountersign
	d.CanReject = (provider && (req.Status == sharing.StatusPending || req.Status == sharing.StatusCountersign)) || d.CanCountersign
	d.Approve = approveForm{Fields: req.Fields, MaxExpires: req.ExpiresAt.Add(-time.Microsecond).In(cst).Format(time.DateOnly)}
	return d, nil
}

func (c *Console) requestView(w http.ResponseWriter, r *http.Request) {
	id, ok := requestID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	d, err := c.requestPage(r, id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "request", c.newPage(r, "req.page_title", d))
}

// decided answers a decision: back to the request with a notice, or the
// request page again with the error next to the form.
func (c *Console) decided(w http.ResponseWriter, r *http.Request, id int64, flash string, err error, keep func(*requestData)) {
	if err == nil {
		see(w, r, withFlash("/console/requests/"+strconv.FormatInt(id, 10), flash))
		return
	}
	if k := huitong.ErrorKind(err); k == huitong.Internal || k == huitong.NotFound || k == huitong.Unavailable {
		c.fail(w, r, err)
		return
	}
	d, lerr := c.requestPage(r, id)
	if lerr != nil {
		c.fail(w, r, lerr)
		return
	}
	keep(d)
	pg := c.newPage(r, "req.page_title", d)
	pg.Err = errorsOf(err, pg.Lang)
	c.render(w, r, formStatus(err), "request", pg)
}

// approve approves a request, as POST /api/v1/requests/{id}/approve does,
// on the narrowed terms of the form.
func (c *Console) approve(w http.ResponseWriter, r *http.Request) {
	id, ok := requestID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	f := r.PostForm
	form := approveForm{Fields: f["fields"], Unmasked: f["unmasked_fields"], ExpiresAt: strings.TrimSpace(f.Get("expires_at")),
		Rate: strings.TrimSpace(f.Get("rate")), Quota: strings.TrimSpace(f.Get("daily_quota")), Comment: strings.TrimSpace(f.Get("comment"))}
	var v huitong.Validation
	a := sharing.Approval{Fields: form.Fields, UnmaskedFields: form.Unmasked, Comment: form.Comment}
	if len(form.Fields) == 0 {
		v.Add("fields", "required", "请至少勾选一个批准的信息项", "tick at least one field to approve")
	}
	exp, ok := sharing.ParseExpiry(form.ExpiresAt)
	if !ok {
		v.Add("expires_at", "invalid_time", "到期日期须为 YYYY-MM-DD", "the expiry must be a date, YYYY-MM-DD")
	}
	a.ExpiresAt = exp
	if form.Rate != "" {
		n, err := strconv.ParseFloat(form.Rate, 64)
		if err != nil {
			v.Add("rate", "not_number", "调用频率须为数字", "rate must be a number")
		}
		a.Rate = n
	}
	if form.Quota != "" {
		n, err := strconv.ParseInt(form.Quota, 10, 64)
		if err != nil {
			v.Add("daily_quota", "not_integer", "每日配额须为整数", "daily_quota must be an integer")
		}
		a.DailyQuota = n
	}
	err := v.Err()
	if err == nil {
		_, err = c.Sharing.Approve(r.Context(), id, a)
	}
	c.decided(w, r, id, "approved", err, func(d *requestData) {
		form.MaxExpires = d.Approve.MaxExpires
		d.Approve = form
	})
}

func (c *Console) reject(w http.ResponseWriter, r *http.Request) {
	id, ok := requestID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	reason := strings.TrimSpace(r.PostForm.Get("reason"))
	_, err := c.Sharing.Reject(r.Context(), id, reason)
	c.decided(w, r, id, "rejected", err, func(d *requestData) { d.Reason = reason })
}

func (c *Console) countersign(w http.ResponseWriter, r *http.Request) {
	id, ok := requestID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	_, err := c.Sharing.Countersign(r.Context(), id, r.PostForm.Get("comment"))
	c.decided(w, r, id, "countersigned", err, func(*requestData) {})
}

type grantRow struct {
	G                  sharing.Grant
	Provider, Consumer string
	CanRevoke          bool
}

type grantsData struct {
	Role, Status, Resource string
	Tabs                   []tab
	Items                  []grantRow
	Pager                  pager
}

func (c *Console) grantList(w http.ResponseWriter, r *http.Request) {
	c.grants(w, r, formErrors{}, http.StatusOK)
}

// grants renders the grants page, with fe from a failed revocation.
func (c *Console) grants(w http.ResponseWriter, r *http.Request, fe formErrors, status int) {
	ctx := r.Context()
	p := sessionFrom(ctx).P
	role, tabs := pickSide(r, "/console/grants")
	q := r.URL.Query()
	d := &grantsData{Role: role, Status: q.Get("status"), Resource: strings.TrimSpace(q.Get("resource_code")), Tabs: tabs}
	pg := c.newPage(r, "grants.title", d)
	pg.Err = fe
	page, err := c.Sharing.Grants(ctx, sharing.GrantQuery{Role: serviceRole(role), Status: d.Status, ResourceCode: d.Resource,
		Limit: 25, PageToken: q.Get("page_token")})
	if err != nil {
		if huitong.ErrorKind(err) != huitong.Invalid {
			c.fail(w, r, err)
			return
		}
		pg.Err = errorsOf(err, pg.Lang)
		c.render(w, r, http.StatusBadRequest, "grants", pg)
		return
	}
	names := c.namer(ctx)
	for _, g := range page.Items {
		d.Items = append(d.Items, grantRow{G: g, Provider: names.name(g.ProviderUSCC), Consumer: names.name(g.ConsumerUSCC),
			CanRevoke: g.Status != sharing.GrantRevoked && (p.IsAdmin() || (p.HasRole(huitong.RoleProvider) && p.InOrg(g.ProviderUSCC)))})
	}
	d.Pager = pagerOf(r, "page_token", page.NextPageToken)
	c.render(w, r, status, "grants", pg)
}

// revoke revokes a grant, as POST /api/v1/grants/{id}/revoke does.
func (c *Console) revoke(w http.ResponseWriter, r *http.Request) {
	id, ok := requestID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	_, err := c.Sharing.Revoke(r.Context(), id, r.PostForm.Get("reason"))
	if err == nil {
		see(w, r, withFlash("/console/grants?role="+url.QueryEscape(r.URL.Query().Get("role")), "revoked"))
		return
	}
	if k := huitong.ErrorKind(err); k == huitong.Internal || k == huitong.NotFound || k == huitong.Unavailable {
		c.fail(w, r, err)
		return
	}
	fe := errorsOf(err, langOf(r.Context()))
	c.grants(w, r, fe, formStatus(err))
}
