package org

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"huitong"
	"huitong/internal/audit"
	"huitong/internal/ids"
)

var usernameRE = regexp.MustCompile(`^[a-z][a-z0-9_.-]{1,63}$`)

// CreateUser creates a user in an existing org. Only admins may.
// Errors: Invalid (validation_failed, weak_password), Forbidden, NotFound
// (org_not_found), Conflict (username_taken).
func (s *Service) CreateUser(ctx context.Context, in UserInput) (User, error) {
	if _, err := huitong.Require(ctx, huitong.RoleAdmin); err != nil {
		return User{}, s.deny(ctx, "user.create", "user:"+in.Username, err)
	}
	u, err := s.createUser(ctx, in)
	if err != nil {
		return User{}, err
	}
	var subjects []string
	if in.IDCard != "" {
		subjects = []string{in.IDCard}
	}
	if err := s.record(ctx, audit.Entry{Action: "user.create", Object: "user:" + u.Username, Rule: "role:admin",
		Subjects: subjects, Detail: map[string]string{"org_uscc": u.OrgUSCC, "roles": strings.Join(u.Roles, ",")}}); err != nil {
		return User{}, err
	}
	return u, nil
}

func (s *Service) createUser(ctx context.Context, in UserInput) (User, error) {
	var v huitong.Validation
	username := strings.TrimSpace(in.Username)
	if !usernameRE.MatchString(username) {
		v.Add("username", "invalid_username", "用户名须以小写字母开头，2 至 64 位小写字母、数字、点、下划线或连字符", "username must be 2-64 chars of a-z, 0-9, . _ - starting with a letter")
	}
	display := strings.TrimSpace(in.DisplayName)
	if display == "" {
		display = username
	}
	if utf8.RuneCountInString(display) > 100 {
		v.Add("display_name", "too_long", "显示名称过长", "display_name is too long")
	}
	roles, ok := normalizeRoles(in.Roles)
	if !ok {
		v.Add("roles", "invalid_role", "角色须为 "+strings.Join(huitong.Roles, "、")+" 中的一个或多个", "roles must be one or more of "+strings.Join(huitong.Roles, ", "))
	}
	if in.OrgUSCC == "" {
		v.Add("org_uscc", "required", "须指定所属机构", "org_uscc is required")
	}
	idCard := strings.ToUpper(strings.TrimSpace(in.IDCard))
	if idCard != "" {
		if err := ids.ValidateIDCard(idCard); err != nil {
			v.Add("id_card", "invalid_id_card", "公民身份号码无效（GB 11643）："+err.Error(), "invalid citizen ID number (GB 11643): "+err.Error())
		}
	} else if slices.Contains(roles, huitong.RoleCitizen) {
		v.Add("id_card", "required", "公众用户须登记经核验的公民身份号码", "a citizen user needs a verified ID number")
	}
	if err := ValidatePassword(in.Password); err != nil {
		v.Add("password", "weak_password", "密码须为 8 至 128 位，且同时包含字母和数字", "the password must be 8 to 128 characters with letters and digits")
	}
	if err := v.Err(); err != nil {
		return User{}, err
	}
	o, err := s.lookupOrg(ctx, in.OrgUSCC)
	if err != nil {
		return User{}, err
	}
	hash, err := HashPassword(in.Password, s.Argon2)
	if err != nil {
		return User{}, internal("hash password", err)
	}
	u := User{Username: username, DisplayName: display, OrgUSCC: o.USCC, Roles: roles, PasswordHash: hash, CreatedAt: s.now()}
	if idCard != "" {
		u.Subject = s.Audit.SubjectOf(idCard)
		u.IDCardMasked = idCard[:6] + "********" + idCard[14:]
	}
	u.ID, err = s.Store.CreateUser(ctx, u)
	if errors.Is(err, huitong.ErrDuplicate) {
		return User{}, huitong.Conflictf("username_taken", "用户名 %s 已被使用", "username %s is taken", username)
	}
	if err != nil {
		return User{}, internal("create user", err)
	}
	return u, nil
}

// normalizeRoles sorts and de-duplicates roles, reporting false for an empty
// list or an unknown role.
func normalizeRoles(in []string) ([]string, bool) {
	if len(in) == 0 || len(in) > len(huitong.Roles) {
		return nil, false
	}
	out := make([]string, 0, len(in))
	for _, r := range huitong.Roles {
		if slices.Contains(in, r) {
			out = append(out, r)
		}
	}
	for _, r := range in {
		if !huitong.ValidRole(r) {
			return nil, false
		}
	}
	return out, true
}

// ListUsers lists users. Admins and auditors see everyone; others see the
// users of their own org. Errors: Unauthenticated, Forbidden, Invalid.
func (s *Service) ListUsers(ctx context.Context, orgUSCC, pageToken string, size int) (Page[User], error) {
	p, err := huitong.Require(ctx)
	if err != nil {
		return Page[User]{}, err
	}
	orgUSCC = strings.ToUpper(strings.TrimSpace(orgUSCC))
	if !p.IsAdmin() && !p.HasRole(huitong.RoleAuditor) {
		if orgUSCC != "" && orgUSCC != p.OrgUSCC {
			return Page[User]{}, huitong.ErrForbidden
		}
		orgUSCC = p.OrgUSCC
	}
	after, err := decodeIDPageToken(pageToken)
	if err != nil {
		return Page[User]{}, err
	}
	size = pageSize(size)
	items, err := s.Store.ListUsers(ctx, orgUSCC, after, size+1)
	if err != nil {
		return Page[User]{}, internal("list users", err)
	}
	page := Page[User]{Items: items}
	if len(items) > size {
		page.Items = items[:size]
		page.NextPageToken = encodePageToken(strconv.FormatInt(page.Items[size-1].ID, 10))
	}
	if page.Items == nil {
		page.Items = []User{}
	}
	return page, nil
}
