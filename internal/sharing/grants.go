package sharing

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"huitong"
	"huitong/internal/audit"
)

// Codes of the errors Live returns, all of kind huitong.Forbidden, for the
// gateway to tell apart with huitong.ErrorCode.
const (
	CodeNoGrant      = "no_grant"
	CodeGrantExpired = "grant_expired"
	CodeGrantRevoked = "grant_revoked"
)

// Sentinels for errors.Is: an error Live returns matches one of them by
// kind and code (see huitong.Error.Is). Live returns fresh errors naming
// the resource; these are never returned themselves, so never modify them.
var (
	ErrNoGrant      = &huitong.Error{Kind: huitong.Forbidden, Code: CodeNoGrant}
	ErrGrantExpired = &huitong.Error{Kind: huitong.Forbidden, Code: CodeGrantExpired}
	ErrGrantRevoked = &huitong.Error{Kind: huitong.Forbidden, Code: CodeGrantRevoked}
)

func errNoGrant(code string) error {
	return huitong.Forbiddenf(CodeNoGrant, "本单位没有信息资源 %s 的有效授权，请先提出共享申请", "your org holds no grant for resource %s; request access first", code)
}

// Live returns the grant under which p may read resourceCode now: the
// gateway calls it on every read, and it records nothing (the gateway
// records the read). It is at most one indexed query, and none when the
// grant was read within GrantCacheTTL and no grant has changed through
// this Service since; its status is always derived at the time of the call.
//
// The caller's org is the consumer, and p must hold the role consumer
// (else huitong.ErrForbidden). A person may use only org-wide grants (AppID
// 0); an app may use those and the grants bound to it. When grantID > 0 that
// grant must be such a grant of the caller's org for the resource (else
// no_grant); otherwise the newest live usable grant is taken.
//
// Errors: huitong.ErrUnauthenticated for a nil p; Forbidden with code
// no_grant (never a usable grant), grant_revoked or grant_expired (the
// newest usable grant, or the one named, is revoked or past its expiry).
// With grant_revoked and grant_expired the grant is returned too, with its
// status at the time of the call, so that the refusal can name it.
func (s *Service) Live(ctx context.Context, p *huitong.Principal, resourceCode string, grantID int64) (Grant, error) {
	if p == nil {
		return Grant{}, huitong.ErrUnauthenticated
	}
	if !p.HasRole(huitong.RoleConsumer) {
		return Grant{}, huitong.ErrForbidden
	}
	var appID int64
	if p.Kind == huitong.PrincipalApp {
		appID = p.ID
	}
	now := s.now()
	g, err := s.lookupGrant(ctx, grantKey{consumer: p.OrgUSCC, resource: resourceCode, appID: appID, grantID: max(grantID, 0)}, now)
	if err == nil && grantID > 0 && (g.ConsumerUSCC != p.OrgUSCC || g.ResourceCode != resourceCode || (g.AppID != 0 && g.AppID != appID)) {
		err = huitong.ErrNoRecord
	}
	if errors.Is(err, huitong.ErrNoRecord) {
		return Grant{}, errNoGrant(resourceCode)
	}
	if err != nil {
		return Grant{}, huitong.Fault("sharing live grant", err)
	}
	g.Status = g.StatusAt(now)
	switch g.Status {
	case GrantExpired:
		return g, huitong.E(huitong.Forbidden, CodeGrantExpired,
			fmt.Sprintf("信息资源 %s 的授权 %d 已于 %s 到期，请重新申请", resourceCode, g.ID, g.ExpiresAt.In(cst).Format("2006-01-02 15:04")),
			fmt.Sprintf("grant %d for resource %s expired at %s; request access again", g.ID, resourceCode, g.ExpiresAt.Format(timeFormat)))
	case GrantRevoked:
		return g, huitong.E(huitong.Forbidden, CodeGrantRevoked,
			fmt.Sprintf("信息资源 %s 的授权 %d 已被撤销", resourceCode, g.ID),
			fmt.Sprintf("grant %d for resource %s has been revoked", g.ID, resourceCode))
	}
	return g, nil
}

// loadGrant returns a grant the caller may see, with its status now; one
// it may not see is not found.
func (s *Service) loadGrant(ctx context.Context, p *huitong.Principal, id int64) (Grant, error) {
	g, err := s.Store.GetGrant(ctx, id)
	if errors.Is(err, huitong.ErrNoRecord) || (err == nil && !canSee(p, g.ConsumerUSCC, g.ProviderUSCC)) {
		return Grant{}, errGrantNotFound(id)
	}
	if err != nil {
		return Grant{}, huitong.Fault("sharing get grant", err)
	}
	g.Status = g.StatusAt(s.now())
	return g, nil
}

// GetGrant returns a grant with its status now. The consumer org, the
// provider org, admins and auditors may read it; to anyone else it does not
// exist. Errors: Unauthenticated, NotFound (grant_not_found).
func (s *Service) GetGrant(ctx context.Context, id int64) (Grant, error) {
	p, err := huitong.Require(ctx)
	if err != nil {
		return Grant{}, err
	}
	return s.loadGrant(ctx, p, id)
}

// Grants lists grants, newest first, each with its status now: the caller's
// org's as consumer or as provider (see ListQuery for Role), or all for
// admins and auditors.
// Errors: Unauthenticated, Forbidden, Invalid (invalid_parameter,
// invalid_page_token).
func (s *Service) Grants(ctx context.Context, q GrantQuery) (Page[Grant], error) {
	p, err := huitong.Require(ctx)
	if err != nil {
		return Page[Grant]{}, err
	}
	now := s.now()
	f := GrantFilter{Status: q.Status, ResourceCode: strings.TrimSpace(q.ResourceCode), Now: now, Limit: pageSize(q.Limit) + 1}
	if q.Status != "" && !slices.Contains([]string{GrantActive, GrantExpired, GrantRevoked}, q.Status) {
		return Page[Grant]{}, invalidParam("status", "status 须为 active、expired 或 revoked", "status must be active, expired or revoked")
	}
	if f.ConsumerUSCC, f.ProviderUSCC, err = side(p, q.Role); err != nil {
		return Page[Grant]{}, err
	}
	if f.BeforeID, err = decodePageToken(q.PageToken); err != nil {
		return Page[Grant]{}, err
	}
	items, err := s.Store.ListGrants(ctx, f)
	if err != nil {
		return Page[Grant]{}, huitong.Fault("sharing list grants", err)
	}
	for i := range items {
		items[i].Status = items[i].StatusAt(now)
	}
	return page(items, f.Limit-1, func(g Grant) int64 { return g.ID }), nil
}

// Revoke revokes a grant at once, with a reason: a provider officer of the
// provider org or an admin may. An expired grant may be revoked too.
// Errors: Unauthenticated, NotFound (grant_not_found), Forbidden
// (not_provider), Conflict (grant_revoked), Invalid (validation_failed:
// reason required or too long).
func (s *Service) Revoke(ctx context.Context, id int64, reason string) (Grant, error) {
	p, err := huitong.Require(ctx)
	if err != nil {
		return Grant{}, err
	}
	g, err := s.Store.GetGrant(ctx, id)
	object := "grant:" + strconv.FormatInt(id, 10)
	if err == nil && !canSee(p, g.ConsumerUSCC, g.ProviderUSCC) {
		object, err = "resource:"+g.ResourceCode, huitong.ErrNoRecord
	}
	if errors.Is(err, huitong.ErrNoRecord) {
		// Not found to the caller, recorded as denied.
		refusal := errGrantNotFound(id)
		if _, err := s.Audit.Append(ctx, audit.Entry{Action: ActionRevoke, Object: object, Outcome: audit.Denied,
			Reason: huitong.ErrorCode(refusal), Detail: detail("grant_id", id)}); err != nil {
			return Grant{}, err
		}
		return Grant{}, refusal
	}
	if err != nil {
		return Grant{}, huitong.Fault("sharing get grant", err)
	}
	g.Status = g.StatusAt(s.now())
	rule := "role:" + huitong.RoleAdmin
	switch {
	case isProviderOf(p, g.ProviderUSCC):
		rule = "role:" + huitong.RoleProvider
	case p.IsAdmin():
	default:
		return Grant{}, s.deny(ctx, ActionRevoke, g.ResourceCode, g.Purpose, detail("grant_id", g.ID, "request_id", g.RequestID), errNotProvider())
	}
	revoked := huitong.Conflictf(CodeGrantRevoked, "授权 %d 已被撤销", "grant %d was already revoked", g.ID)
	if g.Status == GrantRevoked {
		return Grant{}, revoked
	}
	var v huitong.Validation
	reason = strings.TrimSpace(reason)
	addText(&v, "reason", textProblem(reason, true, MaxText), "撤销理由", "reason", MaxText)
	if err := v.Err(); err != nil {
		return Grant{}, err
	}
	now := s.now()
	e := audit.Entry{Action: ActionRevoke, Object: "resource:" + g.ResourceCode, Outcome: audit.Allowed, Rule: rule, Purpose: g.Purpose,
		Detail: detail("grant_id", g.ID, "request_id", g.RequestID, "consumer_uscc", g.ConsumerUSCC, "status", g.Status,
			"fields", strings.Join(g.Fields, ","))}
	err = s.change(ctx, e, func() error {
		err := s.storeChange(func() error { return s.Store.RevokeGrant(ctx, g.ID, now, p.Actor(), reason) })
		switch {
		case errors.Is(err, ErrAlreadyRevoked):
			return revoked
		case errors.Is(err, huitong.ErrNoRecord):
			return errGrantNotFound(g.ID)
		case err != nil:
			return huitong.Fault("sharing revoke grant", err)
		}
		return nil
	})
	if err != nil {
		return Grant{}, err
	}
	g.Status, g.RevokedAt, g.RevokedBy, g.RevokeReason = GrantRevoked, now, p.Actor(), reason
	return g, nil
}
