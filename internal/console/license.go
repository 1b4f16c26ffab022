package console

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"huitong"
	"huitong/internal/catalog"
	"huitong/internal/ids"
	"huitong/internal/license"
)

// The issuers' pages of the license library (电子证照库) on the internal
// console: the list, a license with its QR code and credential, revocation
// and re-issue, issuance, bulk import and license types. Each calls what
// its API twin calls.

// licensePages registers the issuers' pages and the verification page on
// the internal console's mux.
func (c *Console) licensePages(mux *http.ServeMux, page func(string, http.HandlerFunc, ...string)) {
	issuers := []string{huitong.RoleIssuer}
	page("GET /console/licenses", c.licenseList)
	page("GET /console/licenses/new", c.issueForm, issuers...)
	page("POST /console/licenses/new", c.issueSubmit)
	page("GET /console/licenses/import", c.importForm, issuers...)
	page("POST /console/licenses/import/upload", c.importUpload)
	page("GET /console/licenses/types", c.typeList, huitong.RoleIssuer, huitong.RoleAdmin, huitong.RoleAuditor)
	page("GET /console/licenses/types/new", c.typeNew, huitong.RoleIssuer, huitong.RoleAdmin)
	page("POST /console/licenses/types/new", c.typeCreate)
	page("GET /console/licenses/types/{code}", c.typeView, huitong.RoleIssuer, huitong.RoleAdmin, huitong.RoleAuditor)
	page("GET /console/licenses/{identifier}", c.licenseView)
	page("POST /console/licenses/{identifier}/revoke", c.licenseRevoke)
	page("POST /console/licenses/{identifier}/reissue", c.licenseReissue)
	page("POST /console/licenses/{identifier}/use", c.licenseUse)
	mux.Handle("GET /console/verify", c.anyone(c.verifyForm, sessionCookie))
	mux.Handle("POST /console/verify", c.anyone(c.verifySubmit, sessionCookie))
}

// licenseStatuses are the statuses a listing filters on.
var licenseStatuses = []string{license.Active, license.Revoked, license.Superseded, license.StatusExpired}

type licenseFilter struct {
	Type, Holder, Status, From, To string
}

type licensesData struct {
	F        licenseFilter
	Types    []license.Type
	Statuses []string
	// OwnOrg is set when the caller sees only the licenses its org holds.
	OwnOrg    string
	CanIssue  bool
	CanDefine bool
	Items     []license.License
	Pager     pager
}

const licensePageSize = 25

// licenseList lists and searches licenses, as GET /api/v1/licenses does:
// issuers see their org's, auditors and admins all, and any other officer
// the licenses their org holds.
func (c *Console) licenseList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := sessionFrom(ctx).P
	q := r.URL.Query()
	d := &licensesData{F: licenseFilter{Type: q.Get("type_code"), Holder: strings.TrimSpace(q.Get("holder_code")), Status: q.Get("status"),
		From: q.Get("issued_from"), To: q.Get("issued_to")}, Statuses: licenseStatuses,
		CanIssue: p.HasRole(huitong.RoleIssuer), CanDefine: p.HasRole(huitong.RoleIssuer) || p.IsAdmin()}
	if !p.HasRole(huitong.RoleIssuer) && !p.HasRole(huitong.RoleAuditor) && !p.IsAdmin() {
		d.OwnOrg, d.F.Holder = p.OrgUSCC, p.OrgUSCC
	}
	d.Types, _ = c.Licenses.Types(ctx)
	pg := c.newPage(r, "lic.list_title", d)
	page, err := c.Licenses.List(ctx, license.Query{TypeCode: d.F.Type, HolderCode: d.F.Holder, Status: d.F.Status,
		IssuedFrom: d.F.From, IssuedTo: d.F.To, Limit: licensePageSize, PageToken: q.Get("page_token")})
	if err != nil {
		if k := huitong.ErrorKind(err); k != huitong.Invalid && k != huitong.Forbidden {
			c.fail(w, r, err)
			return
		}
		pg.Err = errorsOf(err, pg.Lang)
		c.render(w, r, formStatus(err), "licenses", pg)
		return
	}
	d.Items, d.Pager = page.Items, pagerOf(r, "page_token", page.NextPageToken)
	c.render(w, r, http.StatusOK, "licenses", pg)
}

// valueRow is one field of a license as a form or a page shows it.
type valueRow struct {
	F     catalog.Field
	Name  string // the input's name: "data.<field>"
	Value string
	Bad   bool // the service found fault with it
}

// markBad marks the rows fe names.
func markBad(rows []valueRow, fe formErrors) {
	for i := range rows {
		rows[i].Bad = len(fe.For(rows[i].Name)) > 0
	}
}

func valueRows(t license.Type, data map[string]string) []valueRow {
	rows := make([]valueRow, 0, len(t.Fields))
	for _, f := range t.Fields {
		rows = append(rows, valueRow{F: f, Name: "data." + f.Name, Value: data[f.Name]})
	}
	return rows
}

// reissueForm is the re-issue form as the page holds it.
type reissueForm struct {
	Rows                               []valueRow
	Number, ValidFrom, ValidUntil, Why string
}

type licenseData struct {
	L          license.License
	Type       *license.Type
	Rows       []valueRow
	IssuerName string
	CanManage  bool
	Reason     string
	Reissue    reissueForm
	// Form names the form Err belongs to: "revoke" or "reissue".
	Form string
}

// licensePage loads a license (an audited read, as through the API) and
// decides what the caller may do with it. Only use reads under the
// holder's consent, counting one use: a page view never does.
func (c *Console) licensePage(r *http.Request, id string, use bool) (*licenseData, error) {
	ctx := r.Context()
	read := c.Licenses.Read
	if use {
		read = c.Licenses.Get
	}
	l, err := read(ctx, id)
	if err != nil {
		return nil, err
	}
	p := sessionFrom(ctx).P
	d := &licenseData{L: l, IssuerName: l.IssuerName,
		CanManage: l.Status == license.Active && p.HasRole(huitong.RoleIssuer) && p.InOrg(l.IssuerUSCC)}
	if d.IssuerName == "" {
		d.IssuerName = c.namer(ctx).name(l.IssuerUSCC)
	}
	if t, err := c.Licenses.Type(ctx, l.TypeCode); err == nil {
		d.Type = &t
		d.Rows = valueRows(t, l.Data)
		d.Reissue = reissueForm{Rows: valueRows(t, l.Data), Number: l.Number, ValidFrom: l.ValidFrom, ValidUntil: l.ValidUntil}
	}
	return d, nil
}

func (c *Console) licenseView(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("identifier")
	d, err := c.licensePage(r, id, false)
	if huitong.ErrorCode(err) == "consent_required" {
		// A department with the holder's consent uses it on purpose,
		// with a POST: the page says that the use is counted and recorded.
		c.render(w, r, http.StatusOK, "license_use", c.newPage(r, "lic.page_title", licenseUseData{Identifier: id}))
		return
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "license", c.newPage(r, "lic.page_title", d))
}

type licenseUseData struct{ Identifier string }

// licenseUse reads a license under the holder's consent, as
// GET /api/v1/licenses/{id} does for the caller's org, and shows it.
func (c *Console) licenseUse(w http.ResponseWriter, r *http.Request) {
	d, err := c.licensePage(r, r.PathValue("identifier"), true)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "license", c.newPage(r, "lic.page_title", d))
}

// licenseActed answers a revocation or re-issue: on to the license with a
// notice, or the license page again with the error next to the form.
func (c *Console) licenseActed(w http.ResponseWriter, r *http.Request, to, flash, form string, err error, keep func(*licenseData)) {
	if err == nil {
		see(w, r, withFlash("/console/licenses/"+url.PathEscape(to), flash))
		return
	}
	if k := huitong.ErrorKind(err); k == huitong.Internal || k == huitong.NotFound || k == huitong.Unavailable {
		c.fail(w, r, err)
		return
	}
	d, lerr := c.licensePage(r, r.PathValue("identifier"), false)
	if lerr != nil {
		c.fail(w, r, lerr)
		return
	}
	keep(d)
	d.Form = form
	pg := c.newPage(r, "lic.page_title", d)
	pg.Err = errorsOf(err, pg.Lang)
	markBad(d.Reissue.Rows, pg.Err)
	c.render(w, r, formStatus(err), "license", pg)
}

// licenseRevoke revokes a license, as POST /api/v1/licenses/{id}/revoke.
func (c *Console) licenseRevoke(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("identifier")
	reason := strings.TrimSpace(r.PostForm.Get("reason"))
	_, err := c.Licenses.Revoke(r.Context(), id, license.RevokeInput{Reason: reason})
	c.licenseActed(w, r, id, "license_revoked", "revoke", err, func(d *licenseData) { d.Reason = reason })
}

// dataOf reads the "data.<field>" inputs of a form for the fields of t.
func dataOf(f url.Values, t *license.Type) map[string]any {
	data := map[string]any{}
	if t == nil {
		return data
	}
	for _, fl := range t.Fields {
		if v, ok := f["data."+fl.Name]; ok && len(v) > 0 {
			data[fl.Name] = strings.TrimSpace(v[0])
		}
	}
	return data
}

// licenseReissue issues the next version of a license, as POST
// /api/v1/licenses/{id}/reissue, with every field of the form.
func (c *Console) licenseReissue(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := r.PathValue("identifier")
	f := r.PostForm
	form := reissueForm{Number: strings.TrimSpace(f.Get("number")), ValidFrom: strings.TrimSpace(f.Get("valid_from")),
		ValidUntil: strings.TrimSpace(f.Get("valid_until")), Why: strings.TrimSpace(f.Get("reason"))}
	var t *license.Type
	if tt, err := c.Licenses.Type(ctx, typeCodeOf(id)); err == nil {
		t = &tt
	}
	in := license.ReissueInput{Data: dataOf(f, t), Number: form.Number, ValidFrom: form.ValidFrom, ValidUntil: form.ValidUntil, Reason: form.Why}
	l, err := c.Licenses.Reissue(ctx, id, in)
	c.licenseActed(w, r, l.Identifier, "reissued", "reissue", err, func(d *licenseData) {
		if d.Type != nil {
			values := map[string]string{}
			for k, v := range in.Data {
				values[k], _ = v.(string)
			}
			form.Rows = valueRows(*d.Type, values)
		}
		d.Reissue = form
	})
}

// typeCodeOf returns the type code part of a license identifier, or "".
func typeCodeOf(id string) string {
	lid, err := ids.ParseLicenseID(id)
	if err != nil {
		return ""
	}
	return lid.TypeCode
}

// Issuance.

type issueData struct {
	Types     []license.Type // the types the caller's org issues
	Type      *license.Type
	Rows      []valueRow
	HolderKey string // message key of the holder code label
	Holder    license.Holder
	Number    string
	ValidFrom string
	Until     string
}

// issuable returns the types the caller's org may issue, by name.
func (c *Console) issuable(ctx context.Context) ([]license.Type, error) {
	p := sessionFrom(ctx).P
	ts, err := c.Licenses.Types(ctx)
	if err != nil {
		return nil, err
	}
	var out []license.Type
	for _, t := range ts {
		if t.CanIssue(p.OrgUSCC) {
			out = append(out, t)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// issueData builds the issue form for the type code names (the only one
// when there is one), with the values of in.
func (c *Console) issueData(ctx context.Context, code string, in license.IssueInput) (*issueData, error) {
	ts, err := c.issuable(ctx)
	if err != nil {
		return nil, err
	}
	d := &issueData{Types: ts, Holder: in.Holder, Number: in.Number, ValidFrom: in.ValidFrom, Until: in.ValidUntil}
	if code == "" && len(ts) == 1 {
		code = ts[0].Code
	}
	for i := range ts {
		if ts[i].Code == code {
			d.Type = &ts[i]
		}
	}
	if d.Type != nil {
		values := map[string]string{}
		for k, v := range in.Data {
			values[k], _ = v.(string)
		}
		d.Rows = valueRows(*d.Type, values)
		d.HolderKey = "lic.holder_code_" + d.Type.HolderKind
	}
	return d, nil
}

func (c *Console) issueForm(w http.ResponseWriter, r *http.Request) {
	d, err := c.issueData(r.Context(), r.URL.Query().Get("type"), license.IssueInput{})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "license_issue", c.newPage(r, "lic.issue_title", d))
}

// issueSubmit issues a license, as POST /api/v1/licenses does.
func (c *Console) issueSubmit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	f := r.PostForm
	code := strings.TrimSpace(f.Get("type_code"))
	var t *license.Type
	if tt, err := c.Licenses.Type(ctx, code); err == nil {
		t = &tt
	}
	in := license.IssueInput{TypeCode: code, Data: dataOf(f, t), Number: strings.TrimSpace(f.Get("number")),
		Holder:    license.Holder{Name: strings.TrimSpace(f.Get("holder.name")), Code: strings.TrimSpace(f.Get("holder.code"))},
		ValidFrom: strings.TrimSpace(f.Get("valid_from")), ValidUntil: strings.TrimSpace(f.Get("valid_until"))}
	l, err := c.Licenses.Issue(ctx, in)
	if err == nil {
		see(w, r, withFlash("/console/licenses/"+url.PathEscape(l.Identifier), "issued"))
		return
	}
	if k := huitong.ErrorKind(err); k == huitong.Internal || k == huitong.Unavailable {
		c.fail(w, r, err)
		return
	}
	d, lerr := c.issueData(ctx, code, in)
	if lerr != nil {
		c.fail(w, r, lerr)
		return
	}
	pg := c.newPage(r, "lic.issue_title", d)
	pg.Err = errorsOf(err, pg.Lang)
	markBad(d.Rows, pg.Err)
	c.render(w, r, formStatus(err), "license_issue", pg)
}
