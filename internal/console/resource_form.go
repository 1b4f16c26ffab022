package console

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"huitong"
	"huitong/internal/catalog"
	"huitong/internal/org"
)

// fieldRow is one field of the resource form or the license type form.
// Inputs are named after the API's fields ("fields[3].name"), so that a
// validation detail lands next to its input.
type fieldRow struct {
	I               int
	P, ID           string // input name prefix "fields[3]." and id prefix "f3-"
	F               catalog.Field
	Enum            string
	Open            bool // show the rules: some are set, or wrong
	Err             formErrors
	Types, PIIKinds []string
	Levels          []string
	// License marks a license type's field, which takes neither key,
	// indexed, unique nor ref rules.
	License bool
}

type formData struct {
	New     bool
	Code    string
	In      catalog.Input
	Related string
	Rows    []fieldRow
	Blank   fieldRow
	Admin   bool
	Orgs    []org.Org
	Formats []string
	Cycles  []string
}

func (c *Console) formData(r *http.Request, isNew bool, code string, in catalog.Input, fe formErrors) *formData {
	p := sessionFrom(r.Context()).P
	d := &formData{New: isNew, Code: code, In: in, Related: strings.Join(in.RelatedCodes, ", "), Admin: p.IsAdmin(),
		Formats: catalog.Formats, Cycles: catalog.UpdateCycles}
	if d.Admin && isNew {
		d.Orgs = c.orgs(r.Context())
	}
	d.Rows, d.Blank = fieldRows(in.Fields, fe, false)
	return d
}

// fieldRows returns the rows of fields, with the errors fe, and the blank
// row the form adds a field with; license makes them a license type's.
func fieldRows(fields []catalog.Field, fe formErrors, license bool) (rows []fieldRow, blank fieldRow) {
	for i, f := range fields {
		rows = append(rows, row(i, strconv.Itoa(i), f, fe, license))
	}
	return rows, row(-1, "__i__", catalog.Field{Type: "string", Level: 1}, formErrors{}, license)
}

// The levels a resource's field and a license type's field may have: a
// license's values are printed on it, so none is level 4.
var (
	resourceLevels = []string{"1", "2", "3", "4"}
	licenseLevels  = []string{"1", "2", "3"}
)

func row(i int, idx string, f catalog.Field, fe formErrors, license bool) fieldRow {
	p := "fields[" + idx + "]."
	fr := fieldRow{I: i, P: p, ID: "f" + idx + "-", F: f, Enum: strings.Join(f.Enum, ", "), Err: fe,
		Types: catalog.FieldTypes, PIIKinds: catalog.PIIKinds, Levels: resourceLevels, License: license}
	if license {
		fr.Levels = licenseLevels
	}
	fr.Open = len(f.Enum) > 0 || f.Regex != "" || f.Min != "" || f.Max != "" || f.MinLength > 0 || f.MaxLength > 0 || f.Ref != ""
	for k := range fe.Fields {
		if strings.HasPrefix(k, p) && !slices.Contains([]string{"name", "title", "type", "level", "pii"}, strings.TrimPrefix(k, p)) {
			fr.Open = true
		}
	}
	return fr
}

var fieldKeyRE = regexp.MustCompile(`^fields\[(\d{1,4})\]\.([a-z_]+)$`)

// parseResourceForm reads the form into an Input. Field rows come in the
// order of their indexes, gaps closed; removeRow drops one.
func parseResourceForm(f url.Values, removeRow int) catalog.Input {
	in := catalog.Input{
		Name: strings.TrimSpace(f.Get("name")), Summary: strings.TrimSpace(f.Get("summary")),
		Category: catalog.Category(f.Get("category")), ProviderUSCC: strings.TrimSpace(f.Get("provider_uscc")),
		Format: f.Get("format"), UpdateCycle: f.Get("update_cycle"), ShareType: catalog.ShareType(f.Get("share_type")),
		ShareCondition: strings.TrimSpace(f.Get("share_condition")), ShareMethod: f.Get("share_method"),
		LegalBasis: strings.TrimSpace(f.Get("legal_basis")), OpenType: catalog.OpenType(f.Get("open_type")),
		OpenCondition: strings.TrimSpace(f.Get("open_condition")), RelatedCodes: list(f.Get("related_codes")),
		PublishDate: strings.TrimSpace(f.Get("publish_date")), ChangeNote: strings.TrimSpace(f.Get("change_note")),
	}
	in.Version, _ = strconv.Atoi(f.Get("version"))
	rows := map[int]bool{}
	for k := range f {
		if m := fieldKeyRE.FindStringSubmatch(k); m != nil {
			n, _ := strconv.Atoi(m[1])
			rows[n] = true
		}
	}
	idx := make([]int, 0, len(rows))
	for n := range rows {
		if n != removeRow {
			idx = append(idx, n)
		}
	}
	sort.Ints(idx)
	for _, n := range idx {
		get := func(name string) string { return strings.TrimSpace(f.Get("fields[" + strconv.Itoa(n) + "]." + name)) }
		num := func(name string) int {
			v := get(name)
			if v == "" {
				return 0
			}
			x, err := strconv.Atoi(v)
			if err != nil {
				return -1 // the service names the field
			}
			return x
		}
		in.Fields = append(in.Fields, catalog.Field{
			Name: get("name"), Title: get("title"), Type: get("type"), Level: num("level"), PII: get("pii"),
			Key: get("key") != "", Required: get("required") != "", Indexed: get("indexed") != "", Unique: get("unique") != "",
			Enum: enumList(get("enum")), Regex: get("regex"), Min: get("min"), Max: get("max"),
			MinLength: num("min_length"), MaxLength: num("max_length"), Ref: get("ref"),
		})
	}
	return in
}

func (c *Console) resourceNew(w http.ResponseWriter, r *http.Request) {
	p := sessionFrom(r.Context()).P
	in := catalog.Input{Category: catalog.CategoryBase, ProviderUSCC: p.OrgUSCC, Format: "table", UpdateCycle: "daily",
		ShareType: catalog.ShareConditional, ShareMethod: catalog.ShareMethodAPI, OpenType: catalog.OpenNone,
		Fields: []catalog.Field{{Type: "string", Level: 1}}}
	c.render(w, r, http.StatusOK, "resource_form", c.newPage(r, "form.new_title", c.formData(r, true, "", in, formErrors{})))
}

// formAction handles the form's own buttons (add or remove a field row
// without script); it reports whether it answered.
func (c *Console) formAction(w http.ResponseWriter, r *http.Request, isNew bool, code string) bool {
	f := r.PostForm
	remove := -1
	if v := f.Get("_remove_field"); v != "" {
		remove, _ = strconv.Atoi(v)
	} else if f.Get("_add_field") == "" {
		return false
	}
	in := parseResourceForm(f, remove)
	if f.Get("_add_field") != "" {
		in.Fields = append(in.Fields, catalog.Field{Type: "string", Level: 1})
	}
	title := "form.new_title"
	if !isNew {
		title = "form.edit_title"
	}
	c.render(w, r, http.StatusOK, "resource_form", c.newPage(r, title, c.formData(r, isNew, code, in, formErrors{})))
	return true
}

func (c *Console) resourceCreate(w http.ResponseWriter, r *http.Request) {
	if c.formAction(w, r, true, "") {
		return
	}
	in := parseResourceForm(r.PostForm, -1)
	res, err := c.Catalog.Create(r.Context(), in)
	if err == nil {
		see(w, r, withFlash("/console/resources/"+res.Code, "created"))
		return
	}
	c.formFailed(w, r, true, "", in, err)
}

func (c *Console) formFailed(w http.ResponseWriter, r *http.Request, isNew bool, code string, in catalog.Input, err error) {
	if k := huitong.ErrorKind(err); k == huitong.Internal || k == huitong.Unavailable {
		c.fail(w, r, err)
		return
	}
	title := "form.new_title"
	if !isNew {
		title = "form.edit_title"
	}
	lang := langOf(r.Context())
	fe := errorsOf(err, lang)
	pg := c.newPage(r, title, c.formData(r, isNew, code, in, fe))
	pg.Err = fe
	c.render(w, r, formStatus(err), "resource_form", pg)
}

func (c *Console) resourceEdit(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	res, err := c.Catalog.Get(r.Context(), code)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if !canWrite(sessionFrom(r.Context()).P, res.ProviderUSCC) {
		c.forbidden(w, r)
		return
	}
	in := catalog.Input{Name: res.Name, Summary: res.Summary, Category: res.Category, ProviderUSCC: res.ProviderUSCC,
		Format: res.Format, UpdateCycle: res.UpdateCycle, ShareType: res.ShareType, ShareCondition: res.ShareCondition,
		ShareMethod: res.ShareMethod, LegalBasis: res.LegalBasis, OpenType: res.OpenType, OpenCondition: res.OpenCondition,
		RelatedCodes: res.RelatedCodes, PublishDate: res.PublishDate, Fields: res.Fields, Version: res.Version}
	pg := c.newPage(r, "form.edit_title", c.formData(r, false, code, in, formErrors{}))
	c.render(w, r, http.StatusOK, "resource_form", pg)
}

func (c *Console) resourceUpdate(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	if c.formAction(w, r, false, code) {
		return
	}
	in := parseResourceForm(r.PostForm, -1)
	_, err := c.Catalog.Update(r.Context(), code, in)
	if err == nil {
		see(w, r, withFlash("/console/resources/"+code, "saved"))
		return
	}
	c.formFailed(w, r, false, code, in, err)
}
