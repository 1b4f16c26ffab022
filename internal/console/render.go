package console

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"huitong"
)

//go:embed templates
var templateFS embed.FS

// area is one side of the wall: its path prefix and its layout.
type area struct {
	prefix string // "/console/" or "/my/"
	layout string // the template that wraps a page's "content"
	files  []string
}

var (
	consoleArea = area{prefix: "/console/", layout: "layout", files: []string{
		"login", "home", "catalog", "resource", "version", "resource_form", "data", "batch",
		"requests", "request", "grants", "audit", "audit_entry", "consistency", "tracker",
		"dashboard", "error", "licenses", "license", "license_use", "license_issue", "license_types", "license_type", "license_type_form",
		"license_import", "verify"}}
	publicArea = area{prefix: "/my/", layout: "public", files: []string{"my_login", "my_history", "error",
		"my_licenses", "my_consents", "my_consent", "verify"}}
	// verifyArea is /verify/{identifier}, on both listeners, in the public
	// layout.
	verifyArea = area{prefix: "/verify/", layout: "public", files: []string{"verify", "error"}}
)

// pages holds every page parsed once per area and language, so that a
// broken template stops the program at start rather than a user later.
var pages = mustParse()

type pageSet map[string]*template.Template // file name -> page

func mustParse() map[string]map[string]pageSet {
	out := map[string]map[string]pageSet{}
	for _, a := range []area{consoleArea, publicArea, verifyArea} {
		out[a.prefix] = map[string]pageSet{}
		for _, lang := range languages {
			set := pageSet{}
			for _, f := range a.files {
				t, err := parsePage(a, lang, f)
				if err != nil {
					panic(fmt.Sprintf("console: template %s: %v", f, err))
				}
				set[f] = t
			}
			out[a.prefix][lang] = set
		}
	}
	return out
}

func parsePage(a area, lang, file string) (*template.Template, error) {
	t := template.New(file).Funcs(funcs(a, lang))
	t, err := t.ParseFS(templateFS, "templates/"+a.layout+".html", "templates/partials.html", "templates/"+file+".html")
	if err != nil {
		return nil, err
	}
	if t.Lookup(a.layout) == nil || t.Lookup("content") == nil {
		return nil, errors.New("no layout or content")
	}
	return t, nil
}

// page is what every template gets: the frame and the page's own Data.
type page struct {
	Lang  string
	Title string // message key of the title
	// TitleText, when set, is the title itself (a resource's name).
	TitleText string
	Area      string
	Path      string
	LangURL   string // the same page in the other language
	User      *viewer
	CSRF      string
	Flash     string // message key of a notice after a redirect
	Err       formErrors
	Version   string
	Data      any
}

// viewer is the logged-in caller as the header shows it.
type viewer struct {
	Name, Display, OrgName, OrgUSCC string
	Roles                           []string
	Can                             abilities
	Masked                          string // a citizen's masked ID number
}

// abilities say which parts of the console the caller's roles may use: the
// nav shows only those, and the pages check them again.
type abilities struct {
	Catalog, Register, Requests, Inbox, Grants, Countersign, Audit, Dashboard bool
	// The license library: the list, issuance, types, verification.
	Licenses, Issue, LicenseTypes, Verify bool
}

func abilitiesOf(p *huitong.Principal) abilities {
	any := func(roles ...string) bool {
		for _, r := range roles {
			if p.HasRole(r) {
				return true
			}
		}
		return false
	}
	return abilities{
		Catalog:     p != nil,
		Register:    any(huitong.RoleProvider, huitong.RoleAdmin),
		Requests:    any(huitong.RoleConsumer, huitong.RoleProvider, huitong.RoleAdmin, huitong.RoleAuditor),
		Inbox:       any(huitong.RoleProvider),
		Grants:      any(huitong.RoleConsumer, huitong.RoleProvider, huitong.RoleAdmin, huitong.RoleAuditor),
		Countersign: any(huitong.RoleAdmin),
		Audit:       any(huitong.RoleAuditor, huitong.RoleAdmin),
		Dashboard:   any(huitong.RoleAdmin, huitong.RoleAuditor),

		Licenses:     any(huitong.RoleIssuer, huitong.RoleAuditor, huitong.RoleAdmin),
		Issue:        any(huitong.RoleIssuer),
		LicenseTypes: any(huitong.RoleIssuer, huitong.RoleAdmin),
		Verify:       p != nil,
	}
}

// formErrors is a service error as a form shows it: the message on top,
// field details next to their fields.
type formErrors struct {
	Message string
	Fields  map[string][]string
	colon   string
}

// Any reports whether there is anything to show.
func (e formErrors) Any() bool { return e.Message != "" || len(e.Fields) > 0 }

// For returns the messages about one field ("name", "fields[3].name").
func (e formErrors) For(field string) []string { return e.Fields[field] }

// Other returns the field messages no input of the form shows, named.
func (e formErrors) Other(shown ...string) []string {
	var out []string
	for f, ms := range e.Fields {
		if !contains(shown, f) && !strings.HasPrefix(f, "fields[") {
			for _, m := range ms {
				out = append(out, f+e.colon+m)
			}
		}
	}
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// errorsOf turns a service error into what a form shows, in the page's
// language.
func errorsOf(err error, lang string) formErrors {
	var he *huitong.Error
	if !errors.As(err, &he) || he.Kind == huitong.Internal {
		return formErrors{Message: msg(lang, "error.internal")}
	}
	fe := formErrors{Message: he.Message, Fields: map[string][]string{}, colon: msg(lang, "p.colon")}
	if lang == "en" {
		fe.Message = he.MessageEN
	}
	for _, d := range he.Details {
		m := d.Message
		if lang == "en" {
			m = d.MessageEN
		}
		fe.Fields[d.Field] = append(fe.Fields[d.Field], m)
	}
	return fe
}

// newPage starts the page of a request: language, caller, CSRF token.
func (c *Console) newPage(r *http.Request, title string, data any) *page {
	s := sessionFrom(r.Context())
	a := areaOf(r)
	pg := &page{Lang: langOf(r.Context()), Title: title, Area: a.prefix, Path: r.URL.Path, Data: data, CSRF: s.CSRF, Version: c.Version}
	pg.LangURL = otherLangURL(r, pg.Lang)
	if f := r.URL.Query().Get("ok"); f != "" && hasMsg("flash."+f) {
		pg.Flash = "flash." + f
	}
	if s.P != nil {
		pg.User = c.viewerOf(r.Context(), s.P)
	}
	return pg
}

func (c *Console) viewerOf(ctx context.Context, p *huitong.Principal) *viewer {
	v := &viewer{Name: p.Name, Display: p.Name, OrgUSCC: p.OrgUSCC, Roles: p.Roles, Can: abilitiesOf(p)}
	if c.Licenses == nil {
		v.Can.Licenses, v.Can.Issue, v.Can.LicenseTypes, v.Can.Verify = false, false, false, false
	}
	if me, err := c.Orgs.Me(ctx); err == nil {
		v.OrgName = me.Org.Name
		if me.User != nil {
			v.Display = me.User.DisplayName
			v.Masked = me.User.IDCardMasked
		}
	} else {
		c.logger().WarnContext(ctx, "console: who am I", slog.Any("err", err))
	}
	return v
}

func areaOf(r *http.Request) area {
	if strings.HasPrefix(r.URL.Path, "/my/") {
		return publicArea
	}
	if strings.HasPrefix(r.URL.Path, "/verify/") {
		return verifyArea
	}
	return consoleArea
}

func otherLangURL(r *http.Request, lang string) string {
	q := r.URL.Query()
	other := "en"
	if lang == "en" {
		other = "zh"
	}
	q.Set("lang", other)
	q.Del("ok")
	path := r.URL.Path
	if r.Method != http.MethodGet {
		path = areaOf(r).prefix
		q = url.Values{"lang": {other}}
	}
	return path + "?" + q.Encode()
}

// render executes a page into a buffer and writes it with status, so that
// a template failure becomes a clean error page, never half a page.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, file string, pg *page) {
	a := areaOf(r)
	t := pages[a.prefix][pg.Lang][file]
	var buf bytes.Buffer
	if t == nil {
		c.logger().ErrorContext(r.Context(), "console: no such page", slog.String("page", file))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if err := t.ExecuteTemplate(&buf, a.layout, pg); err != nil {
		c.logger().ErrorContext(r.Context(), "console: template", slog.String("page", file), slog.Any("err", err))
		if file != "error" {
			c.errorPage(w, r, http.StatusInternalServerError, "error.internal_title", "error.internal")
			return
		}
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	buf.WriteTo(w)
}

type errorData struct {
	Heading, Text string // message keys
	Detail        string // a service's own message, already translated
}

func (c *Console) errorPage(w http.ResponseWriter, r *http.Request, status int, heading, text string) {
	c.render(w, r, status, "error", c.newPage(r, heading, errorData{Heading: heading, Text: text}))
}

func (c *Console) notFound(w http.ResponseWriter, r *http.Request) {
	c.errorPage(w, r, http.StatusNotFound, "error.not_found_title", "error.not_found")
}

func (c *Console) forbidden(w http.ResponseWriter, r *http.Request) {
	c.errorPage(w, r, http.StatusForbidden, "error.forbidden_title", "error.forbidden")
}

func (c *Console) csrfFailed(w http.ResponseWriter, r *http.Request) {
	c.errorPage(w, r, http.StatusForbidden, "error.csrf_title", "error.csrf")
}

func (c *Console) serverError(w http.ResponseWriter, r *http.Request, err error) {
	c.logger().ErrorContext(r.Context(), "console: internal error", slog.String("path", r.URL.Path), slog.Any("err", err))
	c.errorPage(w, r, http.StatusInternalServerError, "error.internal_title", "error.internal")
}

// fail shows a service error that has no form to go back to: not found,
// forbidden, or another with the service's message.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, err error) {
	kind := huitong.ErrorKind(err)
	switch kind {
	case huitong.Internal:
		c.serverError(w, r, err)
		return
	case huitong.Unauthenticated:
		c.toLogin(w, r, areaOf(r).prefix+"login", "expired")
		return
	}
	heading := map[huitong.Kind]string{huitong.NotFound: "error.not_found_title", huitong.Forbidden: "error.forbidden_title"}[kind]
	if heading == "" {
		heading = "error.failed_title"
	}
	pg := c.newPage(r, heading, errorData{Heading: heading, Detail: errorsOf(err, langOf(r.Context())).Message})
	var he *huitong.Error
	if errors.As(err, &he) && he.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(he.RetryAfter))
	}
	c.render(w, r, kind.HTTPStatus(), "error", pg)
}

// formStatus is the status of a form shown again with an error.
func formStatus(err error) int { return huitong.ErrorKind(err).HTTPStatus() }

// see redirects after a successful POST.
func see(w http.ResponseWriter, r *http.Request, target string) {
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// cst is China Standard Time, in which pages show times.
var cst = time.FixedZone("CST", 8*3600)
