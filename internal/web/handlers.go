package web

import (
	"net/http"
	"strconv"
	"strings"

	"huitong"
	"huitong/internal/catalog"
	"huitong/internal/org"
)

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "version": s.Version})
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if s.Ready != nil {
		if err := s.Ready(r.Context()); err != nil {
			s.Logger.WarnContext(r.Context(), "not ready", "err", err)
			s.writeError(w, r, &huitong.Error{Kind: huitong.Unavailable, Code: "not_ready",
				Message: "服务尚未就绪（数据库不可用）", MessageEN: "not ready: the database does not answer"})
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

func (s *Server) openapi(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Write(s.OpenAPI)
}

func (s *Server) publicHome(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write([]byte(publicHomePage))
}

const publicHomePage = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>汇通 · 公众服务</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.6">
<h1>汇通 · 公众服务</h1>
<p>这里是面向社会公众的服务入口：开放数据、电子证照核验和“谁使用了我的数据”查询。</p>
<p><a href="/my/">谁使用了我的数据</a>：登录后查看政务部门使用您个人数据的每一次记录。</p>
<p lang="en">Public services of huitong: open data, e-license verification and <a href="/my/">who used my data</a>.</p>
</body></html>
`

// Auth.

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	in, err := decodeLogin(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.Orgs.Login(r.Context(), in.Username, in.Password)
	answer(s, w, r, http.StatusOK, res, err)
}

func decodeLogin(w http.ResponseWriter, r *http.Request) (loginRequest, error) {
	var in loginRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return in, err
	}
	var v huitong.Validation
	if in.Username == "" {
		v.Add("username", "required", "请输入用户名", "username is required")
	}
	if in.Password == "" {
		v.Add("password", "required", "请输入密码", "password is required")
	}
	return in, v.Err()
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if err := s.Orgs.Logout(r.Context()); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	m, err := s.Orgs.Me(r.Context())
	answer(s, w, r, http.StatusOK, m, err)
}

// answer writes v with status, or the error.
func answer[T any](s *Server, w http.ResponseWriter, r *http.Request, status int, v T, err error) {
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, status, v)
}

// Orgs, users, apps.

func (s *Server) createOrg(w http.ResponseWriter, r *http.Request) {
	var in org.OrgInput
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	o, err := s.Orgs.CreateOrg(r.Context(), in)
	answer(s, w, r, http.StatusCreated, o, err)
}

func (s *Server) listOrgs(w http.ResponseWriter, r *http.Request) {
	size, err := intParam(r, "page_size")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	p, err := s.Orgs.ListOrgs(r.Context(), q.Get("parent"), q.Get("page_token"), size)
	answer(s, w, r, http.StatusOK, p, err)
}

func (s *Server) getOrg(w http.ResponseWriter, r *http.Request) {
	o, err := s.Orgs.GetOrg(r.Context(), r.PathValue("uscc"))
	answer(s, w, r, http.StatusOK, o, err)
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) {
	var in org.UserInput
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	u, err := s.Orgs.CreateUser(r.Context(), in)
	answer(s, w, r, http.StatusCreated, u, err)
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	size, err := intParam(r, "page_size")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	p, err := s.Orgs.ListUsers(r.Context(), q.Get("org_uscc"), q.Get("page_token"), size)
	answer(s, w, r, http.StatusOK, p, err)
}

func (s *Server) createApp(w http.ResponseWriter, r *http.Request) {
	var in org.AppInput
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	a, err := s.Orgs.CreateApp(r.Context(), r.PathValue("uscc"), in)
	answer(s, w, r, http.StatusCreated, a, err)
}

func (s *Server) listApps(w http.ResponseWriter, r *http.Request) {
	size, err := intParam(r, "page_size")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.Orgs.ListApps(r.Context(), r.PathValue("uscc"), r.URL.Query().Get("page_token"), size)
	answer(s, w, r, http.StatusOK, p, err)
}

func (s *Server) revokeApp(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.writeError(w, r, huitong.NotFoundf("app_not_found", "应用 %s 不存在", "app %s not found", r.PathValue("id")))
		return
	}
	a, err := s.Orgs.RevokeApp(r.Context(), r.PathValue("uscc"), id)
	answer(s, w, r, http.StatusOK, a, err)
}

// Catalog.

func (s *Server) createResource(w http.ResponseWriter, r *http.Request) {
	var in catalog.Input
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.Catalog.Create(r.Context(), in)
	answer(s, w, r, http.StatusCreated, res, err)
}

func (s *Server) updateResource(w http.ResponseWriter, r *http.Request) {
	var in catalog.Input
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	if v := strings.TrimSpace(r.Header.Get("If-Match")); v != "" && v != "*" && in.Version == 0 {
		n, err := strconv.Atoi(strings.Trim(v, `"`))
		if err != nil || n < 1 {
			s.writeError(w, r, huitong.Invalidf("invalid_parameter", "If-Match 须为资源的 ETag（版本号，如 \"3\"）", `If-Match must be the resource's ETag (its version, such as "3")`))
			return
		}
		in.Version = n
	}
	res, err := s.Catalog.Update(r.Context(), r.PathValue("code"), in)
	answer(s, w, r, http.StatusOK, res, err)
}

func (s *Server) getResource(w http.ResponseWriter, r *http.Request) {
	res, err := s.Catalog.Get(r.Context(), r.PathValue("code"))
	if err == nil {
		w.Header().Set("ETag", `"`+strconv.Itoa(res.Version)+`"`)
	}
	answer(s, w, r, http.StatusOK, res, err)
}

func (s *Server) listVersions(w http.ResponseWriter, r *http.Request) {
	vs, err := s.Catalog.Versions(r.Context(), r.PathValue("code"))
	answer(s, w, r, http.StatusOK, map[string]any{"items": vs, "next_page_token": ""}, err)
}

func (s *Server) getVersion(w http.ResponseWriter, r *http.Request) {
	v, err := strconv.Atoi(r.PathValue("version"))
	if err != nil || v < 1 {
		s.writeError(w, r, huitong.NotFoundf("version_not_found", "版本 %s 不存在", "version %s not found", r.PathValue("version")))
		return
	}
	res, err := s.Catalog.GetVersion(r.Context(), r.PathValue("code"), v)
	answer(s, w, r, http.StatusOK, res, err)
}

func (s *Server) searchResources(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	size, err := intParam(r, "page_size")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	level, err := intParam(r, "level")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.Catalog.Search(r.Context(), catalog.Query{
		Text: q.Get("q"), Provider: q.Get("provider"), ShareType: catalog.ShareType(q.Get("share_type")),
		OpenType: catalog.OpenType(q.Get("open_type")), Category: catalog.Category(q.Get("category")),
		Level: level, PageSize: size, PageToken: q.Get("page_token"),
	})
	answer(s, w, r, http.StatusOK, res, err)
}
