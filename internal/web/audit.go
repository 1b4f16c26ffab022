package web

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"huitong"
	"huitong/internal/audit"
)

func (s *Server) auditCheckpoint(w http.ResponseWriter, r *http.Request) {
	signed, err := s.Audit.Latest(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(signed)
}

func (s *Server) auditKey(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte(s.Audit.VerifierKey() + "\n"))
}

// int64Param reads an optional non-negative integer query parameter.
func int64Param(r *http.Request, name string) (int64, bool, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, false, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, false, huitong.Invalidf("invalid_parameter", "参数 %s 须为非负整数", "parameter %s must be a non-negative integer", name).
			WithDetails(huitong.FieldError{Field: name, Code: "not_integer", Message: "须为非负整数", MessageEN: "must be a non-negative integer"})
	}
	return n, true, nil
}

func timeParam(r *http.Request, name string) (time.Time, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		if d, err2 := time.ParseInLocation(time.DateOnly, v, time.Local); err2 == nil {
			return d, nil
		}
		return time.Time{}, huitong.Invalidf("invalid_parameter", "参数 %s 须为 RFC 3339 时间或 YYYY-MM-DD 日期", "parameter %s must be an RFC 3339 time or a YYYY-MM-DD date", name)
	}
	return t, nil
}

type entriesPage struct {
	Items         []audit.Listed `json:"items"`
	NextPageToken string         `json:"next_page_token"`
}

func (s *Server) auditEntries(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var f audit.Filter
	var err error
	if f.Start, _, err = int64Param(r, "start"); err != nil {
		s.writeError(w, r, err)
		return
	}
	if f.End, _, err = int64Param(r, "end"); err != nil {
		s.writeError(w, r, err)
		return
	}
	if tok := q.Get("page_token"); tok != "" {
		b, err := base64.RawURLEncoding.DecodeString(tok)
		n, err2 := strconv.ParseInt(string(b), 10, 64)
		if err != nil || err2 != nil || n < 0 {
			s.writeError(w, r, huitong.Invalidf("invalid_page_token", "分页令牌无效", "invalid page token"))
			return
		}
		f.Start = max(f.Start, n)
	}
	size, err := intParam(r, "page_size")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if size < 0 || size > 1000 {
		s.writeError(w, r, huitong.Invalidf("invalid_parameter", "page_size 须为 1 至 1000", "page_size must be 1 to 1000"))
		return
	}
	if size == 0 {
		size = 100
	}
	f.Limit = size + 1
	f.ActorOrg, f.Action, f.Object, f.Outcome = q.Get("actor_org"), q.Get("action"), q.Get("object"), q.Get("outcome")
	if f.Since, err = timeParam(r, "since"); err != nil {
		s.writeError(w, r, err)
		return
	}
	if f.Until, err = timeParam(r, "until"); err != nil {
		s.writeError(w, r, err)
		return
	}
	items, err := s.Audit.Entries(r.Context(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	page := entriesPage{Items: items}
	if len(items) > size {
		page.Items = items[:size]
		page.NextPageToken = base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(items[size].Index, 10)))
	}
	if page.Items == nil {
		page.Items = []audit.Listed{}
	}
	writeJSON(w, http.StatusOK, page)
}

type proofJSON struct {
	Index  *int64   `json:"index,omitempty"`
	Size   int64    `json:"size,omitempty"`
	Old    int64    `json:"old,omitempty"`
	New    int64    `json:"new,omitempty"`
	Hashes []string `json:"hashes"`
}

func hashStrings(hs []tlog.Hash) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = base64.StdEncoding.EncodeToString(h[:])
	}
	return out
}

func requireInt(r *http.Request, name string) (int64, error) {
	n, ok, err := int64Param(r, name)
	if err == nil && !ok {
		err = huitong.Invalidf("invalid_parameter", "缺少参数 %s", "parameter %s is required", name).
			WithDetails(huitong.FieldError{Field: name, Code: "required", Message: "必填", MessageEN: "required"})
	}
	return n, err
}

func (s *Server) auditInclusion(w http.ResponseWriter, r *http.Request) {
	index, err := requireInt(r, "index")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	size, err := requireInt(r, "size")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.Audit.ProveInclusion(r.Context(), index, size)
	answer(s, w, r, http.StatusOK, proofJSON{Index: &index, Size: size, Hashes: hashStrings(p)}, err)
}

func (s *Server) auditConsistency(w http.ResponseWriter, r *http.Request) {
	old, err := requireInt(r, "old")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	nw, err := requireInt(r, "new")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.Audit.ProveConsistency(r.Context(), old, nw)
	answer(s, w, r, http.StatusOK, proofJSON{Old: old, New: nw, Hashes: hashStrings(p)}, err)
}

func (s *Server) auditCheckpoints(w http.ResponseWriter, r *http.Request) {
	size, err := intParam(r, "page_size")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, err := s.Audit.Checkpoints(r.Context(), size)
	answer(s, w, r, http.StatusOK, map[string]any{"items": list, "next_page_token": ""}, err)
}

func (s *Server) auditTile(w http.ResponseWriter, r *http.Request) {
	level, n, width, err := audit.ParseTilePath(r.PathValue("path"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data, err := s.Audit.Tile(r.Context(), level, n, width)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	if width == 256 {
		// A full tile never changes.
		w.Header().Set("Cache-Control", "private, max-age=31536000, immutable")
	}
	w.Write(data)
}

// historyItem is one access in a person's history.
type historyItem struct {
	Index        int64     `json:"index"`
	Time         time.Time `json:"time"`
	ActorOrg     string    `json:"actor_org"`
	ActorOrgName string    `json:"actor_org_name"`
	Actor        string    `json:"actor,omitempty"`
	Action       string    `json:"action"`
	Object       string    `json:"object"`
	Purpose      string    `json:"purpose"`
	Outcome      string    `json:"outcome"`
	Rule         string    `json:"rule,omitempty"`
}

func (s *Server) history(r *http.Request, recs []audit.Record, withActor bool) []historyItem {
	out := make([]historyItem, 0, len(recs))
	names := map[string]string{}
	for _, rec := range recs {
		name, ok := names[rec.ActorOrg]
		if !ok && rec.ActorOrg != "" {
			name, _ = s.Orgs.OrgName(r.Context(), rec.ActorOrg)
			names[rec.ActorOrg] = name
		}
		it := historyItem{Index: rec.Index, Time: rec.Time, ActorOrg: rec.ActorOrg, ActorOrgName: name, Action: rec.Action,
			Object: rec.Object, Purpose: rec.Purpose, Outcome: rec.Outcome, Rule: rec.Rule}
		if withActor {
			it.Actor = rec.Actor
		}
		out = append(out, it)
	}
	return out
}

func (s *Server) tracker(w http.ResponseWriter, r *http.Request) {
	before, _, err := int64Param(r, "before")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	recs, idx, err := s.Audit.Tracker(r.Context(), r.URL.Query().Get("id_card"), before, 200)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("X-Huitong-Audit-Index", strconv.FormatInt(idx, 10))
	writeJSON(w, http.StatusOK, map[string]any{"items": s.history(r, recs, true), "audit_index": idx})
}

func (s *Server) trackerMe(w http.ResponseWriter, r *http.Request) {
	subject, err := s.Orgs.CitizenSubject(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	before, _, err := int64Param(r, "before")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	recs, err := s.Audit.History(r.Context(), subject, before, 200)
	answer(s, w, r, http.StatusOK, map[string]any{"items": s.history(r, recs, false)}, err)
}

func (s *Server) citizenLogin(w http.ResponseWriter, r *http.Request) {
	in, err := decodeLogin(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.Orgs.LoginCitizen(r.Context(), in.Username, in.Password)
	answer(s, w, r, http.StatusOK, res, err)
}
