package sharing

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"time"

	"huitong"
	"huitong/internal/audit"
	"huitong/internal/catalog"
	"huitong/internal/readcache"
)

// Store errors for conditional changes.
var (
	// ErrStatusChanged is returned by Store.UpdateShareRequest when the
	// request is no longer in one of the statuses the change started from.
	ErrStatusChanged = errors.New("share request status changed")
	// ErrAlreadyRevoked is returned by Store.RevokeGrant for a revoked grant.
	ErrAlreadyRevoked = errors.New("grant already revoked")
)

// Store is the persistence sharing needs. Implementations return errors
// matching huitong.ErrNoRecord, ErrStatusChanged and ErrAlreadyRevoked.
type Store interface {
	// NextShareRequestID and NextGrantID take the next id, so that the
	// audit record written before a change can name it. An id taken and
	// not used is a gap, never given twice.
	NextShareRequestID(ctx context.Context) (int64, error)
	NextGrantID(ctx context.Context) (int64, error)
	// CreateShareRequest stores r with its id and, when g is not nil, the
	// grant g, in one transaction.
	CreateShareRequest(ctx context.Context, r Request, g *Grant) error
	GetShareRequest(ctx context.Context, id int64) (Request, error)
	// ListShareRequests returns requests matching f, newest (highest id)
	// first.
	ListShareRequests(ctx context.Context, f RequestFilter) ([]Request, error)
	// UpdateShareRequest stores r's status, decision, terms,
	// countersignature and grant id if the stored request's status is one
	// of from, and when g is not nil inserts the grant g, in one
	// transaction: ErrStatusChanged (nothing written) when the status is
	// not one of from, so that of two concurrent decisions one fails.
	UpdateShareRequest(ctx context.Context, r Request, from []string, g *Grant) error
	GetGrant(ctx context.Context, id int64) (Grant, error)
	// ListGrants returns grants matching f, newest first.
	ListGrants(ctx context.Context, f GrantFilter) ([]Grant, error)
	// RevokeGrant marks an active (or expired) grant revoked:
	// ErrAlreadyRevoked when it was.
	RevokeGrant(ctx context.Context, id int64, at time.Time, by, reason string) error
	// LiveGrant returns, in one indexed query, the consumer org's grant for
	// a resource usable by the app appID (0: a person, who may use only
	// org-wide grants): the newest grant live at now, else the newest
	// usable one of any status; huitong.ErrNoRecord when there is none.
	LiveGrant(ctx context.Context, consumer, resource string, appID int64, now time.Time) (Grant, error)
}

// RequestFilter selects requests. Empty fields do not filter.
type RequestFilter struct {
	ConsumerUSCC string
	ProviderUSCC string
	Status       string
	BeforeID     int64 // only ids below it; 0 from the newest
	Limit        int
}

// GrantFilter selects grants. Empty fields do not filter. Status is a
// status at Now: active (stored active, expiry after Now), expired (stored
// active, expiry at or before Now) or revoked.
type GrantFilter struct {
	ConsumerUSCC string
	ProviderUSCC string
	ResourceCode string
	Status       string
	Now          time.Time
	BeforeID     int64
	Limit        int
}

// Recorder appends to the audit log, durably, before Append returns.
type Recorder interface {
	Append(ctx context.Context, e audit.Entry) (int64, error)
}

// Service keeps share requests and grants.
type Service struct {
	Store Store
	// Resource returns the current version of a resource with no access
	// check beyond an authenticated caller; NotFound resource_not_found
	// for an unknown one.
	Resource func(ctx context.Context, code string) (catalog.Resource, error)
	// OrgName returns the name of an org.
	OrgName func(ctx context.Context, uscc string) (string, error)
	// AppOrg returns the USCC of the org an app belongs to, or an error
	// matching huitong.ErrNoRecord for an unknown or revoked app.
	AppOrg func(ctx context.Context, appID int64) (string, error)
	Audit  Recorder
	Now    func() time.Time
	// GrantCacheTTL is how long Live trusts a grant read from the store:
	// the longest time another instance sharing the database may still
	// serve under a grant this one revoked, or not yet see a grant this one
	// made. Changes made through this Service take effect at once. Zero
	// means DefaultGrantCacheTTL; a negative value reads the store on every
	// call.
	GrantCacheTTL time.Duration

	grants readcache.Cache[grantKey, grantEntry]
}

// Audit actions.
const (
	ActionRequest     = "sharing.request"
	ActionApprove     = "sharing.approve"
	ActionReject      = "sharing.reject"
	ActionCountersign = "sharing.countersign"
	ActionRevoke      = "sharing.revoke"
)

// RequestInput is what a consumer sends to request access.
type RequestInput struct {
	ResourceCode string
	Fields       []string
	Purpose      string
	LegalBasis   string
	// ExpiresAt is when the access should end; zero asks for DefaultTerm.
	ExpiresAt time.Time
	// AppID binds the grant to one app of the consumer org; 0 asks for an
	// org-wide grant.
	AppID int64
}

// Approval is a provider's decision to approve. Zero values take the
// request's fields and expiry, no unmasked field, DefaultRate and
// DefaultDailyQuota.
type Approval struct {
	Fields         []string
	ExpiresAt      time.Time
	UnmaskedFields []string
	Comment        string
	Rate           float64
	DailyQuota     int64
}

// ListQuery selects requests to list. Role is "consumer" (the caller's
// org's requests), "provider" (requests for the caller's org's resources),
// or empty: every request for admins and auditors, else as consumer when
// the caller holds that role, else as provider.
type ListQuery struct {
	Role      string
	Status    string
	Limit     int
	PageToken string
}

// GrantQuery selects grants to list, like ListQuery; Status is active,
// expired or revoked at the time of the call.
type GrantQuery struct {
	Role         string
	Status       string
	ResourceCode string
	Limit        int
	PageToken    string
}

// Page is one page of a listing.
type Page[T any] struct {
	Items         []T    `json:"items"`
	NextPageToken string `json:"next_page_token"`
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// change records e, then makes the change with do. The record comes first,
// so that no decision is ever made unrecorded; if do then fails, a second
// record says so (best effort).
func (s *Service) change(ctx context.Context, e audit.Entry, do func() error) error {
	if _, err := s.Audit.Append(ctx, e); err != nil {
		return err
	}
	if err := do(); err != nil {
		f := e
		f.Outcome, f.Reason = audit.Failed, huitong.ErrorCode(err)
		s.Audit.Append(ctx, f)
		return err
	}
	return nil
}

// deny records a refused attempt and returns the refusal (or the audit
// failure, which then wins). Only refusals (Forbidden) are recorded; other
// errors, such as Unauthenticated, pass through.
func (s *Service) deny(ctx context.Context, action, code, purpose string, detail map[string]string, refusal error) error {
	if huitong.ErrorKind(refusal) != huitong.Forbidden {
		return refusal
	}
	// The code and purpose may come unchecked from the caller: clipped, so
	// that a long one cannot make the record too large to append.
	if _, err := s.Audit.Append(ctx, audit.Entry{Action: action, Object: "resource:" + huitong.Clip(code, maxCode), Outcome: audit.Denied,
		Reason: huitong.ErrorCode(refusal), Purpose: huitong.Clip(purpose, MaxPurpose), Detail: detail}); err != nil {
		return err
	}
	return refusal
}

// maxCode bounds a resource code named in a record of a refusal.
const maxCode = 100

func detail(kv ...any) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		switch v := kv[i+1].(type) {
		case int64:
			if v != 0 {
				m[kv[i].(string)] = strconv.FormatInt(v, 10)
			}
		case string:
			if v != "" {
				m[kv[i].(string)] = v
			}
		}
	}
	return m
}

// Errors the service returns.

func errRequestNotFound(id int64) error {
	return huitong.NotFoundf("request_not_found", "共享申请 %d 不存在", "share request %d not found", id)
}

func errGrantNotFound(id int64) error {
	return huitong.NotFoundf("grant_not_found", "授权 %d 不存在", "grant %d not found", id)
}

func errNotProvider() error {
	return huitong.Forbiddenf("not_provider", "只有提供方单位的数据专员可以审批或撤销其信息资源的共享", "only the provider org's provider officers may decide on or revoke sharing of its resources")
}

func errNotPending(id int64, status string) error {
	return huitong.Conflictf("request_not_pending", "共享申请 %d 已处理（当前状态 %s），不能再审批", "share request %d was already decided (status %s)", id, status)
}

func errNotAwaiting(id int64, status string) error {
	return huitong.Conflictf("request_not_awaiting_countersign", "共享申请 %d 不在待会签状态（当前状态 %s）", "share request %d is not awaiting a countersignature (status %s)", id, status)
}

func errShareTypeNone(res catalog.Resource) error {
	zh, en := res.LegalBasis, res.LegalBasis
	if zh == "" {
		zh, en = "未载明", "not stated"
	}
	return huitong.E(huitong.Forbidden, "share_type_none",
		fmt.Sprintf("信息资源 %s（%s）为不予共享类，不能申请；依据：%s", res.Code, res.Name, zh),
		fmt.Sprintf("resource %s (%s) is not shared (share type none) and cannot be requested; legal basis: %s", res.Code, res.Name, en))
}

// canSee reports whether p may read a request or grant between consumer
// and provider.
func canSee(p *huitong.Principal, consumer, provider string) bool {
	return p.IsAdmin() || p.HasRole(huitong.RoleAuditor) || p.InOrg(consumer) || p.InOrg(provider)
}

func isProviderOf(p *huitong.Principal, provider string) bool {
	return p.HasRole(huitong.RoleProvider) && p.InOrg(provider)
}

// Page tokens are opaque: the base64 of the last id served.

func encodePageToken(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("k:" + strconv.FormatInt(id, 10)))
}

func decodePageToken(tok string) (int64, error) {
	if tok == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err == nil && len(b) > 2 && string(b[:2]) == "k:" {
		if id, err := strconv.ParseInt(string(b[2:]), 10, 64); err == nil && id > 0 {
			return id, nil
		}
	}
	return 0, huitong.Invalidf("invalid_page_token", "分页令牌无效", "invalid page token")
}

// pageSize clamps a requested page size.
func pageSize(n int) int {
	switch {
	case n <= 0:
		return 50
	case n > 500:
		return 500
	}
	return n
}

func page[T any](items []T, size int, id func(T) int64) Page[T] {
	p := Page[T]{Items: items}
	if len(items) > size {
		p.Items = items[:size]
		p.NextPageToken = encodePageToken(id(p.Items[size-1]))
	}
	if p.Items == nil {
		p.Items = []T{}
	}
	return p
}

func invalidParam(name, zh, en string) error {
	return huitong.Invalidf("invalid_parameter", zh, en).
		WithDetails(huitong.FieldError{Field: name, Code: "invalid_value", Message: zh, MessageEN: en})
}
