package huitong

import (
	"errors"
	"fmt"
	"net/http"
)

// Kind classifies an error for the caller. Every kind maps to one HTTP status.
type Kind int

// The kinds of error. Internal is the zero value on purpose: an error that was
// not classified is our fault, never the client's.
const (
	Internal Kind = iota
	Invalid
	Unauthenticated
	Forbidden
	NotFound
	Conflict
	TooLarge
	RateLimited
	Unavailable
	MethodNotAllowed
)

var kindNames = map[Kind]string{
	Internal:         "internal",
	Invalid:          "invalid",
	Unauthenticated:  "unauthenticated",
	Forbidden:        "forbidden",
	NotFound:         "not_found",
	Conflict:         "conflict",
	TooLarge:         "too_large",
	RateLimited:      "rate_limited",
	Unavailable:      "unavailable",
	MethodNotAllowed: "method_not_allowed",
}

// String returns the kind's snake_case name.
func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return "internal"
}

// FieldError says what is wrong with one input field.
type FieldError struct {
	Field     string `json:"field"`
	Code      string `json:"code"`
	Message   string `json:"message"`
	MessageEN string `json:"message_en"`
}

// Error is an error a caller may see: a kind, a stable machine code, and a
// human message in Chinese (Message) and English (MessageEN).
type Error struct {
	Kind      Kind
	Code      string
	Message   string
	MessageEN string
	Details   []FieldError
	// RetryAfter, in seconds, tells a rate-limited caller when to come back.
	RetryAfter int
	// Err is an underlying cause kept for logs; it is never shown to callers.
	Err error
}

// Error returns the English message with its code.
func (e *Error) Error() string {
	s := e.Code + ": " + e.MessageEN
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error with the same code, so that
// errors.Is(err, huitong.ErrNotFound) style sentinels work by code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && t.Kind == e.Kind
}

// E builds an *Error.
func E(kind Kind, code, zh, en string) *Error {
	return &Error{Kind: kind, Code: code, Message: zh, MessageEN: en}
}

// Invalidf builds an Invalid error; the English message is formatted with args.
func Invalidf(code, zh, en string, args ...any) *Error {
	return &Error{Kind: Invalid, Code: code, Message: sprintf(zh, args), MessageEN: sprintf(en, args)}
}

// NotFoundf builds a NotFound error.
func NotFoundf(code, zh, en string, args ...any) *Error {
	return &Error{Kind: NotFound, Code: code, Message: sprintf(zh, args), MessageEN: sprintf(en, args)}
}

// Conflictf builds a Conflict error.
func Conflictf(code, zh, en string, args ...any) *Error {
	return &Error{Kind: Conflict, Code: code, Message: sprintf(zh, args), MessageEN: sprintf(en, args)}
}

// Forbiddenf builds a Forbidden error.
func Forbiddenf(code, zh, en string, args ...any) *Error {
	return &Error{Kind: Forbidden, Code: code, Message: sprintf(zh, args), MessageEN: sprintf(en, args)}
}

func sprintf(format string, args []any) string {
	if len(args) == 0 {
		return format
	}
	return fmt.Sprintf(format, args...)
}

// WithDetails returns e with field details appended.
func (e *Error) WithDetails(d ...FieldError) *Error {
	e.Details = append(e.Details, d...)
	return e
}

// Wrap returns e with cause recorded for logs.
func (e *Error) Wrap(cause error) *Error {
	e.Err = cause
	return e
}

// ErrorKind returns the kind of err: that of the first *Error in its chain, or
// Internal.
func ErrorKind(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// ErrorCode returns the code of the first *Error in err's chain, or "internal".
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return "internal"
}

// Validation collects field errors and turns them into one Invalid error.
type Validation struct {
	details []FieldError
}

// Add records that field is wrong.
func (v *Validation) Add(field, code, zh, en string) {
	v.details = append(v.details, FieldError{Field: field, Code: code, Message: zh, MessageEN: en})
}

// OK reports whether nothing was recorded.
func (v *Validation) OK() bool { return len(v.details) == 0 }

// Err returns nil when nothing was recorded, else an Invalid error with code
// "validation_failed" carrying every field error.
func (v *Validation) Err() error {
	if v.OK() {
		return nil
	}
	first := v.details[0]
	e := &Error{
		Kind:      Invalid,
		Code:      "validation_failed",
		Message:   "输入校验未通过：" + first.Field + " " + first.Message,
		MessageEN: "validation failed: " + first.Field + " " + first.MessageEN,
		Details:   v.details,
	}
	return e
}

// Storage sentinels. Every store translates its driver's errors into these,
// so that services can tell a missing row or a uniqueness clash from a fault.
var (
	ErrNoRecord  = errors.New("record not found")
	ErrDuplicate = errors.New("record conflicts with an existing one")
)

// Fault wraps one of our own failures (a database error, say) as an Internal
// error: the caller sees a generic message, the log sees op and the cause.
func Fault(op string, err error) error {
	return &Error{Kind: Internal, Code: "internal", Message: "服务器内部错误",
		MessageEN: "internal error", Err: fmt.Errorf("%s: %w", op, err)}
}

// HTTPStatus is the HTTP status of an error kind, for the API and the
// console alike.
func (k Kind) HTTPStatus() int {
	switch k {
	case Invalid:
		return http.StatusBadRequest
	case Unauthenticated:
		return http.StatusUnauthorized
	case Forbidden:
		return http.StatusForbidden
	case NotFound:
		return http.StatusNotFound
	case Conflict:
		return http.StatusConflict
	case TooLarge:
		return http.StatusRequestEntityTooLarge
	case RateLimited:
		return http.StatusTooManyRequests
	case Unavailable:
		return http.StatusServiceUnavailable
	case MethodNotAllowed:
		return http.StatusMethodNotAllowed
	}
	return http.StatusInternalServerError
}
