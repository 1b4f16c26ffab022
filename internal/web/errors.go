package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"huitong"
)

// errorBody is the one shape of every API error.
type errorBody struct {
	Error errorJSON `json:"error"`
}

type errorJSON struct {
	Code      string               `json:"code"`
	Message   string               `json:"message"`
	MessageEN string               `json:"message_en"`
	Details   []huitong.FieldError `json:"details,omitempty"`
	RequestID string               `json:"request_id,omitempty"`
}

// writeError is the one place where errors become HTTP answers. Errors that
// are not *huitong.Error, and Internal ones, are logged with their detail and
// answered with a generic message.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var he *huitong.Error
	if !errors.As(err, &he) || he.Kind == huitong.Internal {
		if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
			// The client went away; nobody is listening for an answer.
			return
		}
		s.Logger.ErrorContext(r.Context(), "internal error", slog.String("request_id", requestID(r.Context())),
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("err", err))
		he = &huitong.Error{Kind: huitong.Internal, Code: "internal", Message: "服务器内部错误，请稍后重试或联系管理员",
			MessageEN: "internal error; try again later or contact the administrator"}
	}
	status := he.Kind.HTTPStatus()
	if he.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(he.RetryAfter))
	}
	if he.Kind == huitong.Unauthenticated {
		w.Header().Set("WWW-Authenticate", `Bearer realm="huitong"`)
	}
	writeJSON(w, status, errorBody{Error: errorJSON{Code: he.Code, Message: he.Message, MessageEN: he.MessageEN,
		Details: he.Details, RequestID: requestID(r.Context())}})
}
