package web

import (
	"net/http"
	"strconv"
	"strings"

	"huitong"
	"huitong/internal/exchange"
)

func (s *Server) exchangeRoutes() []Route {
	return []Route{
		{Method: "POST", Pattern: "/api/v1/exchange/{code}/query", handler: s.exchangeQuery},
		{Method: "POST", Pattern: "/api/v1/exchange/{code}/verify", handler: s.exchangeVerify},
		{Method: "GET", Pattern: "/api/v1/exchange/{code}/changes", handler: s.exchangeChanges},
	}
}

// auditIndex names the audit record of an answer.
func auditIndex(w http.ResponseWriter, idx int64) {
	w.Header().Set("X-Huitong-Audit-Index", strconv.FormatInt(idx, 10))
}

func (s *Server) exchangeQuery(w http.ResponseWriter, r *http.Request) {
	var q exchange.Query
	if err := decodeJSON(w, r, &q); err != nil {
		s.writeError(w, r, err)
		return
	}
	a, err := s.Exchange.Query(r.Context(), r.PathValue("code"), q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	auditIndex(w, a.AuditIndex)
	writeJSON(w, http.StatusOK, a)
}

func (s *Server) exchangeVerify(w http.ResponseWriter, r *http.Request) {
	var v exchange.Verification
	if err := decodeJSON(w, r, &v); err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.Exchange.Verify(r.Context(), r.PathValue("code"), v)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	auditIndex(w, res.AuditIndex)
	writeJSON(w, http.StatusOK, res)
}

func (s *Server) exchangeChanges(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Query()
	q := exchange.ChangesQuery{Cursor: p.Get("cursor"), Purpose: p.Get("purpose")}
	var err error
	if q.Limit, err = intParam(r, "limit"); err != nil {
		s.writeError(w, r, err)
		return
	}
	if g := p.Get("grant_id"); g != "" {
		if q.GrantID, err = strconv.ParseInt(g, 10, 64); err != nil || q.GrantID <= 0 {
			s.writeError(w, r, huitong.Invalidf("invalid_parameter", "参数 grant_id 须为正整数", "parameter grant_id must be a positive integer"))
			return
		}
	}
	if f := p.Get("fields"); f != "" {
		q.Fields = strings.Split(f, ",")
	}
	if f := p.Get("pseudonymize"); f != "" {
		q.Pseudonymize = strings.Split(f, ",")
	}
	a, err := s.Exchange.Changes(r.Context(), r.PathValue("code"), q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	auditIndex(w, a.AuditIndex)
	writeJSON(w, http.StatusOK, a)
}
