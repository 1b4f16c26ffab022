package console

import (
	"net/http"
	"slices"

	"huitong"
)

// dashboard is the leaders' page: chart containers for the dashboard
// script, which fetches its figures through the bridge below.
func (c *Console) dashboard(w http.ResponseWriter, r *http.Request) {
	c.render(w, r, http.StatusOK, "dashboard", c.newPage(r, "dash.title", nil))
}

// bridge answers GET /console/api/v1/<path> for a logged-in page's script
// by calling the JSON API handler for /api/v1/<path> with the session's
// caller in the context: the same handler, services and checks as a bearer
// token would meet. Only the paths in BridgedAPI pass.
func (c *Console) bridge(w http.ResponseWriter, r *http.Request) {
	target := "/api/v1/" + r.PathValue("path")
	if c.API == nil || !slices.Contains(BridgedAPI, target) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"error":{"code":"route_not_found","message":"接口不存在","message_en":"no such route"}}` + "\n"))
		return
	}
	r2 := r.Clone(r.Context())
	r2.URL.Path, r2.URL.RawPath = target, ""
	r2.RequestURI = ""
	r2.Header.Del("Authorization") // the cookie's caller, no other
	r2.Header.Del("Cookie")
	if id := huitong.RequestFrom(r.Context()).ID; id != "" {
		r2.Header.Set("X-Request-Id", id)
	}
	c.API.ServeHTTP(w, r2)
}
