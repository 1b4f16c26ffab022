package web

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strconv"

	"huitong"
	"huitong/internal/sharing"
)

// Request bodies of the sharing routes. Times are strings so that a bad one
// is named in a validation error, and so that a bare date is accepted.

type shareRequestBody struct {
	ResourceCode string   `json:"resource_code"`
	Fields       []string `json:"fields"`
	Purpose      string   `json:"purpose"`
	LegalBasis   string   `json:"legal_basis"`
	ExpiresAt    string   `json:"expires_at"`
	AppID        int64    `json:"app_id"`
}

type approvalBody struct {
	Fields         []string `json:"fields"`
	ExpiresAt      string   `json:"expires_at"`
	UnmaskedFields []string `json:"unmasked_fields"`
	Comment        string   `json:"comment"`
	Rate           float64  `json:"rate"`
	DailyQuota     int64    `json:"daily_quota"`
}

type reasonBody struct {
	Reason string `json:"reason"`
}

type commentBody struct {
	Comment string `json:"comment"`
}

// decodeOptionalJSON is decodeJSON for bodies that may be left out: an
// empty body is an empty object.
func decodeOptionalJSON(w http.ResponseWriter, r *http.Request, v any) error {
	body := bufio.NewReader(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if _, err := body.Peek(1); err == io.EOF {
		return nil
	}
	return decodeBody(body, v)
}

// idParam reads a positive integer path value: 400 invalid_id otherwise.
func idParam(r *http.Request) (int64, error) {
	v := r.PathValue("id")
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, huitong.Invalidf("invalid_id", "编号须为正整数：%s", "the id must be a positive integer: %s", v).
			WithDetails(huitong.FieldError{Field: "id", Code: "invalid_id", Message: "须为正整数", MessageEN: "must be a positive integer"})
	}
	return id, nil
}

// limitParam reads page_size, or its alias limit.
func limitParam(r *http.Request) (int, error) {
	name := "page_size"
	if r.URL.Query().Get(name) == "" {
		name = "limit"
	}
	n, err := intParam(r, name)
	if err == nil && n < 0 {
		err = huitong.Invalidf("invalid_parameter", "参数 %s 不能为负数", "parameter %s must not be negative", name)
	}
	return n, err
}

func (s *Server) createShareRequest(w http.ResponseWriter, r *http.Request) {
	var in shareRequestBody
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	exp, ok := sharing.ParseExpiry(in.ExpiresAt)
	if !ok {
		s.writeError(w, r, errExpiry())
		return
	}
	req, err := s.Sharing.Request(r.Context(), sharing.RequestInput{ResourceCode: in.ResourceCode, Fields: in.Fields,
		Purpose: in.Purpose, LegalBasis: in.LegalBasis, ExpiresAt: exp, AppID: in.AppID})
	answer(s, w, r, http.StatusCreated, req, err)
}

func errExpiry() error {
	var v huitong.Validation
	v.Add("expires_at", "invalid_time", "到期时间须为 RFC 3339 时间（如 2027-01-01T00:00:00+08:00）或日期（YYYY-MM-DD，含当日）",
		"expires_at must be an RFC 3339 time (such as 2027-01-01T00:00:00+08:00) or a date (YYYY-MM-DD, through that day)")
	return v.Err()
}

func (s *Server) listShareRequests(w http.ResponseWriter, r *http.Request) {
	limit, err := limitParam(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	p, err := s.Sharing.List(r.Context(), sharing.ListQuery{Role: q.Get("role"), Status: q.Get("status"), Limit: limit,
		PageToken: q.Get("page_token")})
	answer(s, w, r, http.StatusOK, p, err)
}

// onID serves a route about one request or grant: the id from the path, a
// JSON body (optional ones may be left out), the service call, its answer.
func onID[B, R any](s *Server, optional bool, call func(ctx context.Context, id int64, in B) (R, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := idParam(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		var in B
		decode := decodeJSON
		if optional {
			decode = decodeOptionalJSON
		}
		if r.Method == http.MethodGet {
			decode = func(http.ResponseWriter, *http.Request, any) error { return nil } // a GET has no body to read
		}
		if err := decode(w, r, &in); err != nil {
			s.writeError(w, r, err)
			return
		}
		out, err := call(r.Context(), id, in)
		answer(s, w, r, http.StatusOK, out, err)
	}
}

type noBody struct{}

func (s *Server) getShareRequest(w http.ResponseWriter, r *http.Request) {
	onID(s, true, func(ctx context.Context, id int64, _ noBody) (sharing.Request, error) { return s.Sharing.Get(ctx, id) })(w, r)
}

func (s *Server) approveShareRequest(w http.ResponseWriter, r *http.Request) {
	onID(s, true, func(ctx context.Context, id int64, in approvalBody) (sharing.Request, error) {
		exp, ok := sharing.ParseExpiry(in.ExpiresAt)
		if !ok {
			return sharing.Request{}, errExpiry()
		}
		return s.Sharing.Approve(ctx, id, sharing.Approval{Fields: in.Fields, ExpiresAt: exp,
			UnmaskedFields: in.UnmaskedFields, Comment: in.Comment, Rate: in.Rate, DailyQuota: in.DailyQuota})
	})(w, r)
}

func (s *Server) rejectShareRequest(w http.ResponseWriter, r *http.Request) {
	onID(s, false, func(ctx context.Context, id int64, in reasonBody) (sharing.Request, error) {
		return s.Sharing.Reject(ctx, id, in.Reason)
	})(w, r)
}

func (s *Server) countersignShareRequest(w http.ResponseWriter, r *http.Request) {
	onID(s, true, func(ctx context.Context, id int64, in commentBody) (sharing.Request, error) {
		return s.Sharing.Countersign(ctx, id, in.Comment)
	})(w, r)
}

func (s *Server) listGrants(w http.ResponseWriter, r *http.Request) {
	limit, err := limitParam(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	p, err := s.Sharing.Grants(r.Context(), sharing.GrantQuery{Role: q.Get("role"), Status: q.Get("status"),
		ResourceCode: q.Get("resource_code"), Limit: limit, PageToken: q.Get("page_token")})
	answer(s, w, r, http.StatusOK, p, err)
}

func (s *Server) getGrant(w http.ResponseWriter, r *http.Request) {
	onID(s, true, func(ctx context.Context, id int64, _ noBody) (sharing.Grant, error) {
		return s.Sharing.GetGrant(ctx, id)
	})(w, r)
}

func (s *Server) revokeGrant(w http.ResponseWriter, r *http.Request) {
	onID(s, false, func(ctx context.Context, id int64, in reasonBody) (sharing.Grant, error) {
		return s.Sharing.Revoke(ctx, id, in.Reason)
	})(w, r)
}
