package console

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"huitong"
	"huitong/internal/catalog"
	"huitong/internal/ingest"
	"huitong/internal/license"
)

// License types: the list, one type, the form that defines one; and the
// bulk import of licenses of a type.

type typesData struct {
	Items     []license.Type
	CanDefine bool
}

func (c *Console) typeList(w http.ResponseWriter, r *http.Request) {
	ts, err := c.Licenses.Types(r.Context())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	p := sessionFrom(r.Context()).P
	d := typesData{Items: ts, CanDefine: p.HasRole(huitong.RoleIssuer) || p.IsAdmin()}
	c.render(w, r, http.StatusOK, "license_types", c.newPage(r, "lic.types_title", d))
}

type namedOrg struct{ USCC, Name string }

type typeData struct {
	T        license.Type
	Issuers  []namedOrg
	CanIssue bool
}

func (c *Console) typeView(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	t, err := c.Licenses.Type(ctx, r.PathValue("code"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	p := sessionFrom(ctx).P
	d := typeData{T: t, CanIssue: p.HasRole(huitong.RoleIssuer) && t.CanIssue(p.OrgUSCC)}
	names := c.namer(ctx)
	for _, u := range t.IssuerUSCCs {
		d.Issuers = append(d.Issuers, namedOrg{USCC: u, Name: names.name(u)})
	}
	pg := c.newPage(r, "lic.type_title", d)
	pg.TitleText = t.Name
	c.render(w, r, http.StatusOK, "license_type", pg)
}

// typeForm is the type form as the page holds it.
type typeForm struct {
	Code, Name, HolderKind, Issuers, Validity string
}

type typeFormData struct {
	F     typeForm
	Rows  []fieldRow
	Blank fieldRow
	// Prefix is the caller's org USCC, with which an issuer's type codes
	// start.
	Prefix string
}

func (c *Console) typeFormData(r *http.Request, f typeForm, fields []catalog.Field, fe formErrors) *typeFormData {
	d := &typeFormData{F: f, Prefix: sessionFrom(r.Context()).P.OrgUSCC}
	d.Rows, d.Blank = fieldRows(fields, fe, true)
	return d
}

func (c *Console) typeNew(w http.ResponseWriter, r *http.Request) {
	p := sessionFrom(r.Context()).P
	f := typeForm{Code: p.OrgUSCC, HolderKind: license.HolderOrg, Issuers: p.OrgUSCC}
	d := c.typeFormData(r, f, []catalog.Field{{Type: "string", Level: 1}}, formErrors{})
	c.render(w, r, http.StatusOK, "license_type_form", c.newPage(r, "lic.type_new_title", d))
}

// typeCreate defines a type, as POST /api/v1/license-types does. The
// form's own buttons add or remove a field row without script.
func (c *Console) typeCreate(w http.ResponseWriter, r *http.Request) {
	pf := r.PostForm
	f := typeForm{Code: strings.ToUpper(strings.TrimSpace(pf.Get("code"))), Name: strings.TrimSpace(pf.Get("name")),
		HolderKind: pf.Get("holder_kind"), Issuers: pf.Get("issuer_usccs"), Validity: strings.TrimSpace(pf.Get("validity_days"))}
	remove := -1
	if v := pf.Get("_remove_field"); v != "" {
		remove, _ = strconv.Atoi(v)
	}
	fields := parseResourceForm(pf, remove).Fields
	if remove >= 0 || pf.Get("_add_field") != "" {
		if pf.Get("_add_field") != "" {
			fields = append(fields, catalog.Field{Type: "string", Level: 1})
		}
		c.render(w, r, http.StatusOK, "license_type_form", c.newPage(r, "lic.type_new_title", c.typeFormData(r, f, fields, formErrors{})))
		return
	}
	t := license.Type{Code: f.Code, Name: f.Name, HolderKind: f.HolderKind, Fields: fields}
	for _, u := range list(f.Issuers) {
		t.IssuerUSCCs = append(t.IssuerUSCCs, strings.ToUpper(u))
	}
	var err error
	if f.Validity != "" {
		if t.ValidityDays, err = strconv.Atoi(f.Validity); err != nil {
			var v huitong.Validation
			v.Add("validity_days", "not_integer", "有效期天数须为整数", "validity_days must be an integer")
			err = v.Err()
		}
	}
	if err == nil {
		t, err = c.Licenses.DefineType(r.Context(), t)
	}
	if err == nil {
		see(w, r, withFlash("/console/licenses/types/"+url.PathEscape(t.Code), "type_defined"))
		return
	}
	if k := huitong.ErrorKind(err); k == huitong.Internal || k == huitong.Unavailable {
		c.fail(w, r, err)
		return
	}
	lang := langOf(r.Context())
	fe := errorsOf(err, lang)
	pg := c.newPage(r, "lic.type_new_title", c.typeFormData(r, f, fields, fe))
	pg.Err = fe
	c.render(w, r, formStatus(err), "license_type_form", pg)
}

// Import.

type importData struct {
	Types  []license.Type
	Type   *license.Type
	Report *license.ImportReport
}

func (c *Console) importData(r *http.Request, code string) (*importData, error) {
	ts, err := c.issuable(r.Context())
	if err != nil {
		return nil, err
	}
	d := &importData{Types: ts}
	if code == "" && len(ts) == 1 {
		code = ts[0].Code
	}
	for i := range ts {
		if ts[i].Code == code {
			d.Type = &ts[i]
		}
	}
	return d, nil
}

func (c *Console) importForm(w http.ResponseWriter, r *http.Request) {
	d, err := c.importData(r, r.URL.Query().Get("type"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "license_import", c.newPage(r, "lic.import_title", d))
}

// importUpload imports a file of licenses, as POST /api/v1/license-types/
// {code}/imports does, from a multipart form streamed part by part: the
// options and the CSRF token first, then the file. The report is the
// answer.
func (c *Console) importUpload(w http.ResponseWriter, r *http.Request) {
	code := ""
	in := license.ImportInput{}
	part := c.uploadPart(w, r, func(name, v string) {
		switch name {
		case "type_code":
			code = v
		case "encoding":
			in.Encoding = v
		case "sheet":
			in.Sheet = v
		}
	}, func(err error) { c.importFailed(w, r, code, err) })
	if part == nil {
		return
	}
	in.Body, in.Filename, in.ContentType = ingest.SizeLimited(part), part.FileName(), part.Header.Get("Content-Type")
	rep, err := c.Licenses.Import(r.Context(), code, in)
	if err != nil {
		c.importFailed(w, r, code, err)
		return
	}
	d, err := c.importData(r, code)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d.Report = &rep
	pg := c.newPage(r, "lic.import_title", d)
	pg.Flash = "flash.imported"
	c.render(w, r, http.StatusOK, "license_import", pg)
}

func (c *Console) importFailed(w http.ResponseWriter, r *http.Request, code string, err error) {
	if k := huitong.ErrorKind(err); k == huitong.Internal || k == huitong.Unavailable {
		c.fail(w, r, err)
		return
	}
	d, lerr := c.importData(r, code)
	if lerr != nil {
		c.fail(w, r, lerr)
		return
	}
	pg := c.newPage(r, "lic.import_title", d)
	pg.Err = errorsOf(err, pg.Lang)
	c.render(w, r, formStatus(err), "license_import", pg)
}
