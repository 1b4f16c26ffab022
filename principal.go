package huitong

import (
	"context"
	"slices"
)

// Role names. A user may hold several; an app acts with the roles its org
// gave it (consumer by default).
const (
	RoleAdmin    = "admin"
	RoleProvider = "provider"
	RoleConsumer = "consumer"
	RoleAuditor  = "auditor"
	RoleIssuer   = "issuer"
	RoleCitizen  = "citizen"
)

// Roles lists every role name in a stable order.
var Roles = []string{RoleAdmin, RoleProvider, RoleConsumer, RoleAuditor, RoleIssuer, RoleCitizen}

// ValidRole reports whether r is a known role name.
func ValidRole(r string) bool { return slices.Contains(Roles, r) }

// Principal kinds.
const (
	PrincipalUser = "user"
	PrincipalApp  = "app"
)

// Principal is the authenticated caller: a person (user) or a business
// system (app) of one org.
type Principal struct {
	Kind     string // PrincipalUser or PrincipalApp
	ID       int64  // user id or app id
	Name     string // username or app name
	OrgUSCC  string
	Roles    []string
	TokenID  int64 // the token that authenticated this call
	ClientIP string
}

// HasRole reports whether p holds role r.
func (p *Principal) HasRole(r string) bool {
	return p != nil && slices.Contains(p.Roles, r)
}

// IsAdmin reports whether p holds the admin role.
func (p *Principal) IsAdmin() bool { return p.HasRole(RoleAdmin) }

// InOrg reports whether p acts for the org with the given USCC.
func (p *Principal) InOrg(uscc string) bool {
	return p != nil && p.OrgUSCC == uscc
}

// Actor returns a short label such as "user:admin" for logs and records.
func (p *Principal) Actor() string {
	if p == nil {
		return "anonymous"
	}
	return p.Kind + ":" + p.Name
}

type principalKey struct{}

// WithPrincipal returns a context carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the caller in ctx, or nil when the call is anonymous.
func PrincipalFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}

// ErrUnauthenticated is returned when a call needs a logged-in caller.
var ErrUnauthenticated = &Error{Kind: Unauthenticated, Code: "unauthenticated",
	Message: "请先登录或提供有效的访问令牌", MessageEN: "authentication required"}

// ErrForbidden is the generic refusal for a caller without the right role.
var ErrForbidden = &Error{Kind: Forbidden, Code: "forbidden",
	Message: "无权执行此操作", MessageEN: "you are not allowed to do this"}

// Require returns the caller in ctx if it holds at least one of roles (any
// caller when roles is empty), ErrUnauthenticated when there is none, and
// ErrForbidden otherwise.
func Require(ctx context.Context, roles ...string) (*Principal, error) {
	p := PrincipalFrom(ctx)
	if p == nil {
		return nil, ErrUnauthenticated
	}
	if len(roles) == 0 {
		return p, nil
	}
	for _, r := range roles {
		if p.HasRole(r) {
			return p, nil
		}
	}
	return nil, ErrForbidden
}

// Request describes the HTTP request a call serves, for audit records.
type Request struct {
	ID       string
	ClientIP string
}

type requestKey struct{}

// WithRequest returns a context carrying the request's id and client address.
func WithRequest(ctx context.Context, r Request) context.Context {
	return context.WithValue(ctx, requestKey{}, r)
}

// RequestFrom returns the request in ctx; the zero Request outside HTTP.
func RequestFrom(ctx context.Context) Request {
	r, _ := ctx.Value(requestKey{}).(Request)
	return r
}
