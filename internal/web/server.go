package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"huitong"
	"huitong/internal/audit"
	"huitong/internal/catalog"
	"huitong/internal/exchange"
	"huitong/internal/ingest"
	"huitong/internal/license"
	"huitong/internal/org"
	"huitong/internal/sharing"
	"huitong/internal/stats"
)

// Server turns HTTP into calls on the domain services. It builds two
// handlers: the internal one (政务外网) for department routes and the public
// one (互联网) for citizen routes. A route lives on one side only.
type Server struct {
	Orgs    *org.Service
	Catalog *catalog.Service
	Audit   *audit.Log
	Ingest  *ingest.Service
	// Exchange is the gateway: the only way shared data leaves.
	Exchange *exchange.Gateway
	// Sharing keeps share requests, their decisions and grants.
	Sharing *sharing.Service
	// Stats computes the leaders' dashboard.
	Stats *stats.Service
	// Licenses is the electronic license library; nil leaves its routes
	// out.
	Licenses *license.Service
	// LicensePage, when set, renders the public verification page
	// /verify/{identifier} for browsers.
	LicensePage http.Handler
	// Ready reports whether the server can take traffic (the database
	// answers); /readyz calls it.
	Ready   func(ctx context.Context) error
	Logger  *slog.Logger
	Version string
	OpenAPI []byte
	// Console, when set, serves the web console under /console/ on the
	// internal listener (where GET / leads to it) and the citizen pages
	// under /my/ on the public one.
	Console interface {
		Handler() http.Handler
		PublicHandler() http.Handler
	}
}

// Route is one registered route, exported for the tests that check the
// OpenAPI document and the wall between the listeners.
type Route struct {
	Method  string
	Pattern string
	Public  bool // on the public listener instead of the internal one
	handler http.HandlerFunc
}

// Routes lists every route the server registers.
func (s *Server) Routes() []Route {
	return append([]Route{
		{Method: "GET", Pattern: "/healthz", handler: s.healthz},
		{Method: "GET", Pattern: "/readyz", handler: s.readyz},
		{Method: "GET", Pattern: "/api/v1/openapi.yaml", handler: s.openapi},

		{Method: "POST", Pattern: "/api/v1/auth/login", handler: s.login},
		{Method: "POST", Pattern: "/api/v1/auth/logout", handler: s.logout},
		{Method: "GET", Pattern: "/api/v1/me", handler: s.me},

		{Method: "POST", Pattern: "/api/v1/orgs", handler: s.createOrg},
		{Method: "GET", Pattern: "/api/v1/orgs", handler: s.listOrgs},
		{Method: "GET", Pattern: "/api/v1/orgs/{uscc}", handler: s.getOrg},
		{Method: "POST", Pattern: "/api/v1/orgs/{uscc}/apps", handler: s.createApp},
		{Method: "GET", Pattern: "/api/v1/orgs/{uscc}/apps", handler: s.listApps},
		{Method: "DELETE", Pattern: "/api/v1/orgs/{uscc}/apps/{id}", handler: s.revokeApp},

		{Method: "POST", Pattern: "/api/v1/users", handler: s.createUser},
		{Method: "GET", Pattern: "/api/v1/users", handler: s.listUsers},

		{Method: "POST", Pattern: "/api/v1/resources", handler: s.createResource},
		{Method: "GET", Pattern: "/api/v1/resources", handler: s.searchResources},
		{Method: "GET", Pattern: "/api/v1/resources/{code}", handler: s.getResource},
		{Method: "PUT", Pattern: "/api/v1/resources/{code}", handler: s.updateResource},
		{Method: "GET", Pattern: "/api/v1/resources/{code}/versions", handler: s.listVersions},
		{Method: "GET", Pattern: "/api/v1/resources/{code}/versions/{version}", handler: s.getVersion},

		{Method: "POST", Pattern: "/api/v1/resources/{code}/batches", handler: s.createBatch},
		{Method: "GET", Pattern: "/api/v1/resources/{code}/batches", handler: s.listBatches},
		{Method: "GET", Pattern: "/api/v1/batches/{id}", handler: s.getBatch},
		{Method: "GET", Pattern: "/api/v1/batches/{id}/errors", handler: s.batchErrors},
		{Method: "DELETE", Pattern: "/api/v1/resources/{code}/records/{key}", handler: s.deleteRecord},
		{Method: "GET", Pattern: "/api/v1/resources/{code}/quality", handler: s.quality},

		{Method: "GET", Pattern: "/api/v1/audit/checkpoint", handler: s.auditCheckpoint},
		{Method: "GET", Pattern: "/api/v1/audit/key", handler: s.auditKey},
		{Method: "GET", Pattern: "/api/v1/audit/checkpoints", handler: s.auditCheckpoints},
		{Method: "GET", Pattern: "/api/v1/audit/entries", handler: s.auditEntries},
		{Method: "GET", Pattern: "/api/v1/audit/proof/inclusion", handler: s.auditInclusion},
		{Method: "GET", Pattern: "/api/v1/audit/proof/consistency", handler: s.auditConsistency},
		{Method: "GET", Pattern: "/api/v1/audit/log/checkpoint", handler: s.auditCheckpoint},
		{Method: "GET", Pattern: "/api/v1/audit/log/tile/{path...}", handler: s.auditTile},
		{Method: "GET", Pattern: "/api/v1/tracker", handler: s.tracker},

		{Method: "POST", Pattern: "/api/v1/requests", handler: s.createShareRequest},
		{Method: "GET", Pattern: "/api/v1/requests", handler: s.listShareRequests},
		{Method: "GET", Pattern: "/api/v1/requests/{id}", handler: s.getShareRequest},
		{Method: "POST", Pattern: "/api/v1/requests/{id}/approve", handler: s.approveShareRequest},
		{Method: "POST", Pattern: "/api/v1/requests/{id}/reject", handler: s.rejectShareRequest},
		{Method: "POST", Pattern: "/api/v1/requests/{id}/countersign", handler: s.countersignShareRequest},
		{Method: "GET", Pattern: "/api/v1/grants", handler: s.listGrants},
		{Method: "GET", Pattern: "/api/v1/grants/{id}", handler: s.getGrant},
		{Method: "POST", Pattern: "/api/v1/grants/{id}/revoke", handler: s.revokeGrant},

		{Method: "GET", Pattern: "/healthz", Public: true, handler: s.healthz},
		{Method: "GET", Pattern: "/{$}", Public: true, handler: s.publicHome},
		{Method: "GET", Pattern: "/api/v1/audit/checkpoint", Public: true, handler: s.auditCheckpoint},
		{Method: "GET", Pattern: "/api/v1/audit/key", Public: true, handler: s.auditKey},
		{Method: "POST", Pattern: "/api/v1/citizen/login", Public: true, handler: s.citizenLogin},
		{Method: "POST", Pattern: "/api/v1/citizen/logout", Public: true, handler: s.logout},
		{Method: "GET", Pattern: "/api/v1/tracker/me", Public: true, handler: s.trackerMe},
	}, append(append(s.exchangeRoutes(), s.statsRoutes()...), s.licenseRoutes()...)...)
}

// Handler returns the internal listener's handler.
func (s *Server) Handler() http.Handler { return s.build(false) }

// PublicHandler returns the public listener's handler.
func (s *Server) PublicHandler() http.Handler { return s.build(true) }

func (s *Server) build(public bool) http.Handler {
	mux := http.NewServeMux()
	allowed := map[string][]string{}
	for _, rt := range s.Routes() {
		if rt.Public != public {
			continue
		}
		mux.HandleFunc(rt.Method+" "+rt.Pattern, rt.handler)
		allowed[rt.Pattern] = append(allowed[rt.Pattern], rt.Method)
	}
	// A path that exists under another method answers 405 in JSON.
	for pattern, methods := range allowed {
		if pattern == "/{$}" {
			continue
		}
		sort.Strings(methods)
		allow := strings.Join(methods, ", ")
		if contains(methods, "GET") {
			allow += ", HEAD"
		}
		h := func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", allow)
			s.writeError(w, r, &huitong.Error{Kind: huitong.MethodNotAllowed, Code: "method_not_allowed",
				Message: "不支持的请求方法 " + r.Method + "，可用：" + allow, MessageEN: "method " + r.Method + " not allowed; use " + allow})
		}
		if !tryHandle(mux, pattern, h) {
			// The pattern overlaps a route of another method with a
			// wildcard (POST /licenses/verify and GET /licenses/{id}):
			// answer 405 for each common method the path lacks instead.
			for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
				if !contains(methods, m) {
					tryHandle(mux, m+" "+pattern, h)
				}
			}
		}
	}
	if s.Console != nil && public {
		mux.Handle("/my/", s.Console.PublicHandler())
	} else if s.Console != nil {
		mux.Handle("/console/", s.Console.Handler())
		mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/console/", http.StatusFound)
		})
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, huitong.NotFoundf("route_not_found", "接口不存在：%s", "no such route: %s", r.URL.Path))
	})
	return s.middleware(mux, public)
}

// tryHandle registers h for pattern unless it conflicts with a pattern
// registered before, which ServeMux reports by panicking before it changes.
func tryHandle(mux *http.ServeMux, pattern string, h http.HandlerFunc) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	mux.HandleFunc(pattern, h)
	return true
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

type ctxKey int

const requestIDKey ctxKey = 0

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// statusWriter records the status for the access log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// middleware gives every request an id, recovers panics into a 500, logs the
// request (never its query string or body: they may hold personal data) and
// authenticates a bearer token when one is sent.
//
// A token works on one side of the wall only: a citizen's on the public
// listener, an officer's or app's on the internal one.
func (s *Server) middleware(next http.Handler, public bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 64 {
			b := make([]byte, 8)
			rand.Read(b)
			id = hex.EncodeToString(b)
		}
		ctx := context.WithValue(r.Context(), requestIDKey, id)
		ctx = huitong.WithRequest(ctx, huitong.Request{ID: id, ClientIP: clientIP(r)})
		w.Header().Set("X-Request-Id", id)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		sw := &statusWriter{ResponseWriter: w}
		r = r.WithContext(ctx)
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.Logger.ErrorContext(ctx, "panic", slog.String("request_id", id), slog.Any("panic", v), slog.String("stack", string(debug.Stack())))
				if sw.status == 0 {
					s.writeError(sw, r, &huitong.Error{Kind: huitong.Internal, Code: "internal"})
				}
			}
			p := huitong.PrincipalFrom(r.Context())
			s.Logger.LogAttrs(ctx, slog.LevelInfo, "request", slog.String("request_id", id), slog.String("method", r.Method),
				slog.String("path", r.URL.Path), slog.Int("status", sw.status), slog.Duration("took", time.Since(start)),
				slog.String("actor", p.Actor()))
		}()
		if auth := r.Header.Get("Authorization"); auth != "" {
			scheme, tok, ok := strings.Cut(auth, " ")
			if !ok || !strings.EqualFold(scheme, "Bearer") {
				s.writeError(sw, r, &huitong.Error{Kind: huitong.Unauthenticated, Code: "invalid_token",
					Message: "Authorization 头须为 Bearer 令牌", MessageEN: "the Authorization header must be a Bearer token"})
				return
			}
			p, err := s.Orgs.Authenticate(ctx, strings.TrimSpace(tok))
			if err != nil {
				s.writeError(sw, r, err)
				return
			}
			citizenOnly := p.HasRole(huitong.RoleCitizen) && len(p.Roles) == 1
			if public != citizenOnly {
				s.writeError(sw, r, &huitong.Error{Kind: huitong.Unauthenticated, Code: "wrong_listener",
					Message:   "此令牌不能在本入口使用：公众用户请使用互联网入口，工作人员和业务系统请使用政务外网入口",
					MessageEN: "this token is not valid here: citizens use the public address, officers and systems the internal one"})
				return
			}
			p.ClientIP = clientIP(r)
			r = r.WithContext(huitong.WithPrincipal(ctx, p))
		}
		next.ServeHTTP(sw, r)
	})
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
