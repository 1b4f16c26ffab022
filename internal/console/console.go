package console

import (
	"crypto/rand"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"huitong"
	"huitong/internal/audit"
	"huitong/internal/catalog"
	"huitong/internal/ingest"
	"huitong/internal/license"
	"huitong/internal/org"
	"huitong/internal/sharing"
)

// Console serves the web console. The services are the ones the API uses;
// the console holds no data of its own.
type Console struct {
	Orgs    *org.Service
	Catalog *catalog.Service
	Ingest  *ingest.Service
	Sharing *sharing.Service
	Audit   *audit.Log
	// Licenses is the license library; nil leaves its pages out.
	Licenses *license.Service
	// CSRFKey keys the HMAC of the forms' CSRF tokens. Instances sharing a
	// database must share it (cmd/huitong derives it from the data key);
	// when empty, a random key is made at first use.
	CSRFKey []byte
	Logger  *slog.Logger
	Version string
	// API is the internal listener's JSON API handler. The console forwards
	// the read-only routes in BridgedAPI to it, with the session's caller in
	// the context, so that its pages' scripts (the dashboard's charts) can
	// fetch JSON with the session cookie. Nil: those routes answer 404.
	API http.Handler

	keyOnce sync.Once
	key     []byte
}

// BridgedAPI lists the API paths a logged-in console page may fetch through
// /console/api/v1/...: GET only, with the session cookie.
var BridgedAPI = []string{"/api/v1/stats/dashboard"}

// DashboardCharts are the ids of the dashboard's chart containers, for the
// dashboard script to draw into.
var DashboardCharts = []string{
	"chart-exchanges", "chart-top-resources", "chart-approval-time",
	"chart-grants-by-share-type", "chart-quality-by-dept", "chart-denied",
}

func (c *Console) csrfKey() []byte {
	c.keyOnce.Do(func() {
		c.key = c.CSRFKey
		if len(c.key) == 0 {
			c.key = make([]byte, 32)
			rand.Read(c.key)
		}
	})
	return c.key
}

func (c *Console) logger() *slog.Logger {
	if c.Logger == nil {
		return slog.Default()
	}
	return c.Logger
}

// Handler returns the internal listener's console: every page under
// /console/. Mount it at "/console/".
func (c *Console) Handler() http.Handler {
	mux := http.NewServeMux()
	page := func(pattern string, h http.HandlerFunc, roles ...string) {
		mux.Handle(pattern, c.officer(h, roles...))
	}
	mux.HandleFunc("GET /console/login", c.loginPage)
	mux.HandleFunc("POST /console/login", c.loginSubmit)
	mux.Handle("GET /console/assets/{hash}/{path...}", assetHandler())
	page("POST /console/logout", c.logout)
	page("GET /console/{$}", c.home)

	page("GET /console/catalog", c.catalogSearch)
	page("GET /console/resources/new", c.resourceNew, huitong.RoleProvider, huitong.RoleAdmin)
	// Actions carry no role list: the service they call refuses the
	// wrong caller and records the refusal, exactly as through the API.
	page("POST /console/resources/new", c.resourceCreate)
	page("GET /console/resources/{code}", c.resourceView)
	page("GET /console/resources/{code}/edit", c.resourceEdit, huitong.RoleProvider, huitong.RoleAdmin)
	page("POST /console/resources/{code}/edit", c.resourceUpdate)
	page("GET /console/resources/{code}/versions/{version}", c.versionView)
	page("POST /console/resources/{code}/request", c.requestCreate)

	page("GET /console/resources/{code}/data", c.dataPage)
	page("POST /console/resources/{code}/upload", c.upload)
	page("GET /console/batches/{id}", c.batchView)
	page("GET /console/batches/{id}/errors.xlsx", c.batchErrors, huitong.RoleProvider, huitong.RoleAdmin)

	sharingRoles := []string{huitong.RoleConsumer, huitong.RoleProvider, huitong.RoleAdmin, huitong.RoleAuditor}
	page("GET /console/requests", c.requestList, sharingRoles...)
	page("GET /console/requests/{id}", c.requestView, sharingRoles...)
	page("GET /console/inbox", c.inbox, huitong.RoleProvider)
	page("POST /console/requests/{id}/approve", c.approve)
	page("POST /console/requests/{id}/reject", c.reject)
	page("GET /console/countersign", c.countersignQueue, huitong.RoleAdmin)
	page("POST /console/requests/{id}/countersign", c.countersign)
	page("GET /console/grants", c.grantList, sharingRoles...)
	page("POST /console/grants/{id}/revoke", c.revoke)

	page("GET /console/audit", c.auditList, huitong.RoleAuditor, huitong.RoleAdmin)
	page("GET /console/audit/{index}", c.auditEntry, huitong.RoleAuditor, huitong.RoleAdmin)
	page("GET /console/consistency", c.consistency, huitong.RoleAuditor, huitong.RoleAdmin)
	page("GET /console/tracker", c.trackerPage, huitong.RoleAuditor, huitong.RoleAdmin)
	page("POST /console/tracker", c.trackerLookup)

	page("GET /console/dashboard", c.dashboard, huitong.RoleAdmin, huitong.RoleAuditor)
	page("GET /console/api/v1/{path...}", c.bridge)
	if c.Licenses != nil {
		c.licensePages(mux, page)
	}

	mux.HandleFunc("/console/", func(w http.ResponseWriter, r *http.Request) {
		// A page that does not exist looks the same to everyone, logged in
		// or not.
		c.notFound(w, r)
	})
	return c.secure(c.withLang(mux))
}

// PublicHandler returns the public listener's citizen pages under /my/.
// Mount it at "/my/".
func (c *Console) PublicHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /my/login", c.citizenLoginPage)
	mux.HandleFunc("POST /my/login", c.citizenLoginSubmit)
	mux.Handle("GET /my/assets/{hash}/{path...}", assetHandler())
	mux.Handle("GET /my/{$}", c.citizen(c.citizenHistory))
	mux.Handle("POST /my/logout", c.citizen(c.citizenLogout))
	if c.Licenses != nil {
		c.licenseCitizenPages(mux)
	}
	mux.HandleFunc("/my/", c.notFound)
	return c.secure(c.withLang(mux))
}

// contentSecurityPolicy allows nothing from outside the binary and no
// inline script or style.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// secure sets the headers every console answer carries.
func (c *Console) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Content-Type-Options", "nosniff")
		if !strings.Contains(r.URL.Path, "/assets/") {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}
