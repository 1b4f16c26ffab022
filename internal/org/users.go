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
	return s.createUser(ctx, in, audit.Entry{Rule: "role:admin"})
}

// createUser validates and stores a user, recording e (completed with the
// action, object, subject and detail) before the user is stored.
func (s *Service) createUser(ctx context.Context, in UserInput, e audit.Entry) (User, error) {
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
			v.Add("id_card", "invalid_id_card", idCardProblem(err), "invalid citizen ID number (GB 11643): "+err.Error())
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
		return User{}, huitong.Fault("org hash password", err)
	}
	u := User{Username: username, DisplayName: display, OrgUSCC: o.USCC, Roles: roles, PasswordHash: hash, CreatedAt: s.now()}
	if idCard != "" {
		u.Subject = s.Audit.SubjectOf(idCard)
		u.IDCardMasked = idCard[:6] + "********" + idCard[14:]
	}
	taken := huitong.Conflictf("username_taken", "用户名 %s 已被使用", "username %s is taken", username)
	if _, err := s.Store.GetUserByName(ctx, username); err == nil {
		return User{}, taken
	} else if !errors.Is(err, huitong.ErrNoRecord) {
		return User{}, huitong.Fault("org get user", err)
	}
	e.Action, e.Object = "user.create", "user:"+username
	e.Detail = map[string]string{"org_uscc": u.OrgUSCC, "roles": strings.Join(u.Roles, ",")}
	if idCard != "" {
		e.Subjects = []string{idCard}
	}
	err = s.change(ctx, e, func() error {
		var err error
		u.ID, err = s.Store.CreateUser(ctx, u)
		if errors.Is(err, huitong.ErrDuplicate) {
			return taken
		}
		if err != nil {
			return huitong.Fault("org create user", err)
		}
		return nil
	})
	if err != nil {
		return User{}, err
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
		return Page[User]{}, huitong.Fault("org list users", err)
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

// idCardProblem says in Chinese what is wrong with an ID number.
func idCardProblem(err error) string {
	switch {
	case errors.Is(err, ids.ErrIDLength):
		return "公民身份号码须为 18 位"
	case errors.Is(err, ids.ErrIDChar):
		return "公民身份号码只能包含数字，末位可为 X"
	case errors.Is(err, ids.ErrIDBirthDate):
		return "公民身份号码中的出生日期无效"
	case errors.Is(err, ids.ErrIDCheck):
		return "公民身份号码校验位错误（GB 11643）"
	}
	return "公民身份号码无效（GB 11643）"
}
