package org

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"huitong"
	"huitong/internal/audit"
)

// canManageApps reports whether p may manage the apps of org: admins for any
// org, and an org's own providers and consumers for theirs.
func canManageApps(p *huitong.Principal, org string) bool {
	if p.IsAdmin() {
		return true
	}
	return p.Kind == huitong.PrincipalUser && p.InOrg(org) &&
		(p.HasRole(huitong.RoleProvider) || p.HasRole(huitong.RoleConsumer))
}

// appRoles are the roles an app may be given; people hold the others.
var appRoles = []string{huitong.RoleProvider, huitong.RoleConsumer}

// CreateApp registers a business system of an org and returns it with its
// token, which is shown only this once. Errors: Invalid, Forbidden, NotFound
// (org_not_found).
func (s *Service) CreateApp(ctx context.Context, orgUSCC string, in AppInput) (App, error) {
	p, err := huitong.Require(ctx)
	if err != nil {
		return App{}, err
	}
	o, err := s.lookupOrg(ctx, orgUSCC)
	if err != nil {
		return App{}, err
	}
	if !canManageApps(p, o.USCC) {
		return App{}, s.deny(ctx, "app.create", "org:"+o.USCC, huitong.ErrForbidden)
	}
	var v huitong.Validation
	name := strings.TrimSpace(in.Name)
	if n := utf8.RuneCountInString(name); n == 0 || n > 100 {
		v.Add("name", "required", "应用名称不能为空（不超过 100 字）", "name is required (at most 100 chars)")
	}
	roles := in.Roles
	if len(roles) == 0 {
		roles = []string{huitong.RoleConsumer}
	}
	roles, ok := normalizeRoles(roles)
	for _, r := range roles {
		if !ok || (r != appRoles[0] && r != appRoles[1]) {
			ok = false
		}
	}
	if !ok {
		v.Add("roles", "invalid_role", "应用角色只能是 provider 或 consumer", "an app's roles may only be provider and consumer")
	}
	if err := v.Err(); err != nil {
		return App{}, err
	}
	now := s.now()
	tok, hash := newToken(appPrefix)
	a := App{OrgUSCC: o.USCC, Name: name, Roles: roles, CreatedBy: p.Actor(), CreatedAt: now}
	a.ID, err = s.Store.CreateApp(ctx, a, Token{Hash: hash, Kind: TokenApp, CreatedAt: now})
	if err != nil {
		return App{}, huitong.Fault("org create app", err)
	}
	if err := s.record(ctx, audit.Entry{Action: "app.create", Object: "app:" + strconv.FormatInt(a.ID, 10),
		Detail: map[string]string{"org_uscc": a.OrgUSCC, "name": a.Name, "roles": strings.Join(a.Roles, ",")}}); err != nil {
		s.revokeApp(ctx, a.ID, now)
		return App{}, err
	}
	a.Token = tok
	return a, nil
}

// ListApps lists an org's apps (never their tokens).
// Errors: Forbidden, NotFound, Invalid.
func (s *Service) ListApps(ctx context.Context, orgUSCC, pageToken string, size int) (Page[App], error) {
	p, err := huitong.Require(ctx)
	if err != nil {
		return Page[App]{}, err
	}
	o, err := s.lookupOrg(ctx, orgUSCC)
	if err != nil {
		return Page[App]{}, err
	}
	if !canManageApps(p, o.USCC) && !p.HasRole(huitong.RoleAuditor) {
		return Page[App]{}, huitong.ErrForbidden
	}
	after, err := decodeIDPageToken(pageToken)
	if err != nil {
		return Page[App]{}, err
	}
	size = pageSize(size)
	items, err := s.Store.ListApps(ctx, o.USCC, after, size+1)
	if err != nil {
		return Page[App]{}, huitong.Fault("org list apps", err)
	}
	page := Page[App]{Items: items}
	if len(items) > size {
		page.Items = items[:size]
		page.NextPageToken = encodePageToken(strconv.FormatInt(page.Items[size-1].ID, 10))
	}
	if page.Items == nil {
		page.Items = []App{}
	}
	return page, nil
}

// RevokeApp revokes an app and every token it holds, at once.
// Errors: Forbidden, NotFound (app_not_found).
func (s *Service) RevokeApp(ctx context.Context, orgUSCC string, id int64) (App, error) {
	p, err := huitong.Require(ctx)
	if err != nil {
		return App{}, err
	}
	orgUSCC = strings.ToUpper(strings.TrimSpace(orgUSCC))
	if !canManageApps(p, orgUSCC) {
		return App{}, s.deny(ctx, "app.revoke", "app:"+strconv.FormatInt(id, 10), huitong.ErrForbidden)
	}
	a, err := s.Store.GetApp(ctx, id)
	if errors.Is(err, huitong.ErrNoRecord) || (err == nil && a.OrgUSCC != orgUSCC) {
		return App{}, huitong.NotFoundf("app_not_found", "应用 %d 不存在", "app %d not found", id)
	}
	if err != nil {
		return App{}, huitong.Fault("org get app", err)
	}
	e := audit.Entry{Action: "app.revoke", Object: "app:" + strconv.FormatInt(id, 10),
		Detail: map[string]string{"org_uscc": a.OrgUSCC, "name": a.Name}}
	if a.RevokedAt != nil {
		e.Detail["already_revoked"] = "true"
		return a, s.record(ctx, e)
	}
	now := s.now()
	err = s.change(ctx, e, func() error {
		if err := s.revokeApp(ctx, id, now); err != nil {
			return huitong.Fault("org revoke app", err)
		}
		return nil
	})
	if err != nil {
		return App{}, err
	}
	a.RevokedAt = &now
	return a, nil
}
