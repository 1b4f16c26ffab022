package console

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"huitong"
	"huitong/internal/catalog"
	"huitong/internal/org"
	"huitong/internal/sharing"
)

type catalogQuery struct {
	Text, Category, ShareType, Level, Provider, OpenType string
}

type catalogData struct {
	Q       catalogQuery
	Orgs    []org.Org
	Results catalog.Results
	Pager   pager
}

// catalogPageSize is how many hits a page of the catalog shows.
const catalogPageSize = 20

func (c *Console) catalogSearch(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := catalogData{Q: catalogQuery{Text: q.Get("q"), Category: q.Get("category"), ShareType: q.Get("share_type"),
		Level: q.Get("level"), Provider: q.Get("provider"), OpenType: q.Get("open_type")}}
	d.Orgs = c.orgs(r.Context())
	pg := c.newPage(r, "catalog.title", &d)
	level, err := strconv.Atoi(d.Q.Level)
	if d.Q.Level != "" && err != nil {
		level = -1 // let the service say what is wrong
	}
	d.Results, err = c.Catalog.Search(r.Context(), catalog.Query{Text: d.Q.Text, Category: catalog.Category(d.Q.Category),
		ShareType: catalog.ShareType(d.Q.ShareType), OpenType: catalog.OpenType(d.Q.OpenType), Provider: d.Q.Provider,
		Level: level, PageSize: catalogPageSize, PageToken: q.Get("page_token")})
	if err != nil {
		if huitong.ErrorKind(err) != huitong.Invalid {
			c.fail(w, r, err)
			return
		}
		pg.Err = errorsOf(err, pg.Lang)
		c.render(w, r, http.StatusBadRequest, "catalog", pg)
		return
	}
	d.Pager = pagerOf(r, "page_token", d.Results.NextPageToken)
	c.render(w, r, http.StatusOK, "catalog", pg)
}

// requestForm is a consumer's share request as the resource page shows it.
type requestForm struct {
	Fields                         []string
	Purpose, LegalBasis, ExpiresAt string
}

type resourceData struct {
	R        catalog.Resource
	Versions []catalog.Version
	// CanWrite: edit and upload (the provider org's providers, admins).
	CanWrite bool
	// CanData: batches and quality (the provider org, admins, auditors).
	CanData bool
	// CanRequest: a consumer of another org may request access.
	CanRequest bool
	Own        bool
	Form       requestForm
}

func canWrite(p *huitong.Principal, provider string) bool {
	return p.IsAdmin() || (p.HasRole(huitong.RoleProvider) && p.InOrg(provider))
}

func canReadData(p *huitong.Principal, provider string) bool {
	return p.IsAdmin() || p.HasRole(huitong.RoleAuditor) || p.InOrg(provider)
}

// resourcePage loads what the resource page shows; the caller renders it.
func (c *Console) resourcePage(r *http.Request, code string) (*resourceData, error) {
	ctx := r.Context()
	res, err := c.Catalog.Get(ctx, code)
	if err != nil {
		return nil, err
	}
	vs, err := c.Catalog.Versions(ctx, code)
	if err != nil {
		return nil, err
	}
	p := sessionFrom(ctx).P
	d := &resourceData{R: res, Versions: vs, CanWrite: canWrite(p, res.ProviderUSCC), CanData: canReadData(p, res.ProviderUSCC),
		Own: p.InOrg(res.ProviderUSCC)}
	d.CanRequest = p.HasRole(huitong.RoleConsumer) && !p.InOrg(res.ProviderUSCC) && res.ShareType != catalog.ShareNone
	d.Form.ExpiresAt = time.Now().In(cst).AddDate(1, 0, 0).Format(time.DateOnly)
	return d, nil
}

func (c *Console) resourceView(w http.ResponseWriter, r *http.Request) {
	d, err := c.resourcePage(r, r.PathValue("code"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	pg := c.newPage(r, "res.title", d)
	pg.TitleText = d.R.Name
	c.render(w, r, http.StatusOK, "resource", pg)
}

type versionData struct {
	R       catalog.Resource
	Current int
	Changes []string
}

func (c *Console) versionView(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	v, err := strconv.Atoi(r.PathValue("version"))
	if err != nil || v < 1 {
		c.notFound(w, r)
		return
	}
	res, err := c.Catalog.GetVersion(r.Context(), code, v)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d := versionData{R: res}
	vs, err := c.Catalog.Versions(r.Context(), code)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	for _, x := range vs {
		d.Current = max(d.Current, x.Version)
		if x.Version == v {
			d.Changes = x.Changes
		}
	}
	c.render(w, r, http.StatusOK, "version", c.newPage(r, "ver.title", d))
}

// requestCreate files a share request from the resource page, as POST
// /api/v1/requests does.
func (c *Console) requestCreate(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	f := r.PostForm
	form := requestForm{Fields: f["fields"], Purpose: strings.TrimSpace(f.Get("purpose")),
		LegalBasis: strings.TrimSpace(f.Get("legal_basis")), ExpiresAt: strings.TrimSpace(f.Get("expires_at"))}
	exp, ok := sharing.ParseExpiry(form.ExpiresAt)
	var err error
	if !ok {
		var v huitong.Validation
		v.Add("expires_at", "invalid_time", "到期日期须为 YYYY-MM-DD", "the expiry must be a date, YYYY-MM-DD")
		err = v.Err()
	}
	var req sharing.Request
	if err == nil {
		req, err = c.Sharing.Request(r.Context(), sharing.RequestInput{ResourceCode: code, Fields: form.Fields,
			Purpose: form.Purpose, LegalBasis: form.LegalBasis, ExpiresAt: exp})
	}
	if err == nil {
		flash := "requested"
		if req.Status == sharing.StatusApproved {
			flash = "granted"
		}
		see(w, r, withFlash("/console/requests/"+strconv.FormatInt(req.ID, 10), flash))
		return
	}
	if k := huitong.ErrorKind(err); k == huitong.Internal || k == huitong.NotFound || k == huitong.Unavailable {
		c.fail(w, r, err)
		return
	}
	d, lerr := c.resourcePage(r, code)
	if lerr != nil {
		c.fail(w, r, lerr)
		return
	}
	d.Form = form
	pg := c.newPage(r, "res.title", d)
	pg.Err = errorsOf(err, pg.Lang)
	c.render(w, r, formStatus(err), "resource", pg)
}
