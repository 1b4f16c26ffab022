package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"huitong"
)

// MaxBodyBytes bounds every JSON request body.
const MaxBodyBytes = 1 << 20

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// decodeJSON reads one JSON object from r into v, refusing unknown fields,
// trailing data and bodies over MaxBodyBytes. The Content-Type is not
// checked: the body is JSON whatever a client such as curl -d labels it.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	return decodeBody(http.MaxBytesReader(w, r.Body, MaxBodyBytes), v)
}

// decodeBody is decodeJSON without the HTTP parts, so it can be fuzzed.
func decodeBody(body io.Reader, v any) error {
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return huitong.Invalidf("invalid_json", "请求体只能包含一个 JSON 对象", "the body must hold exactly one JSON object")
	}
	return nil
}

func jsonError(err error) error {
	var maxErr *http.MaxBytesError
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &maxErr):
		return &huitong.Error{Kind: huitong.TooLarge, Code: "body_too_large",
			Message:   fmt.Sprintf("请求体过大（上限 %d 字节）", maxErr.Limit),
			MessageEN: fmt.Sprintf("the body is too large (limit %d bytes)", maxErr.Limit)}
	case errors.Is(err, io.EOF):
		return huitong.Invalidf("invalid_json", "请求体为空，须为 JSON 对象", "the body is empty; a JSON object is required")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return huitong.Invalidf("invalid_json", "JSON 不完整", "the JSON is truncated")
	case errors.As(err, &syn):
		return huitong.Invalidf("invalid_json", "JSON 格式错误（第 %d 字节附近）", "malformed JSON near byte %d", syn.Offset)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "(body)"
		}
		return huitong.Invalidf("invalid_json", "字段 %s 的类型错误，应为 %s", "field %s has the wrong type; want %s", field, typ.Type.String()).
			WithDetails(huitong.FieldError{Field: field, Code: "wrong_type", Message: "类型错误，应为 " + typ.Type.String(), MessageEN: "want " + typ.Type.String()})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return huitong.Invalidf("unknown_field", "未知字段：%s", "unknown field: %s", field).
			WithDetails(huitong.FieldError{Field: field, Code: "unknown_field", Message: "未知字段", MessageEN: "unknown field"})
	}
	return huitong.Invalidf("invalid_json", "无法解析 JSON", "cannot parse the JSON")
}

// intParam reads an optional integer query parameter.
func intParam(r *http.Request, name string) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, huitong.Invalidf("invalid_parameter", "参数 %s 须为整数", "parameter %s must be an integer", name).
			WithDetails(huitong.FieldError{Field: name, Code: "not_integer", Message: "须为整数", MessageEN: "must be an integer"})
	}
	return n, nil
}
