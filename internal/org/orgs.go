package org

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"huitong"
	"huitong/internal/audit"
	"huitong/internal/ids"
)

var regionRE = regexp.MustCompile(`^[0-9]{6}$`)

// CreateOrg registers an org. Only admins may. The USCC must pass the GB 32100
// check unless in.OverrideChecksum is set. Errors: Invalid (validation_failed,
// uscc_checksum), Forbidden, NotFound (parent_not_found), Conflict
// (org_exists).
func (s *Service) CreateOrg(ctx context.Context, in OrgInput) (Org, error) {
	if _, err := huitong.Require(ctx, huitong.RoleAdmin); err != nil {
		return Org{}, s.deny(ctx, "org.create", "org:"+in.USCC, err)
	}
	o, err := s.validateOrg(ctx, in)
	if err != nil {
		return Org{}, err
	}
	exists := huitong.Conflictf("org_exists", "统一社会信用代码 %s 已登记", "an org with USCC %s already exists", o.USCC)
	if _, err := s.Store.GetOrg(ctx, o.USCC); err == nil {
		return Org{}, exists
	} else if !errors.Is(err, huitong.ErrNoRecord) {
		return Org{}, huitong.Fault("org get org", err)
	}
	detail := map[string]string{"name": o.Name, "region_code": o.RegionCode, "parent_uscc": o.ParentUSCC}
	if o.ChecksumOverridden {
		detail["checksum_overridden"] = "true"
	}
	err = s.change(ctx, audit.Entry{Action: "org.create", Object: "org:" + o.USCC, Subjects: []string{o.USCC},
		Rule: "role:admin", Detail: detail}, func() error {
		err := s.Store.CreateOrg(ctx, o)
		if errors.Is(err, huitong.ErrDuplicate) {
			return exists
		}
		if err != nil {
			return huitong.Fault("org create org", err)
		}
		return nil
	})
	if err != nil {
		return Org{}, err
	}
	s.nameRegion(&o)
	return o, nil
}

func (s *Service) validateOrg(ctx context.Context, in OrgInput) (Org, error) {
	var v huitong.Validation
	uscc := ids.NormalizeUSCC(in.USCC)
	overridden := false
	if err := ids.ValidateUSCC(uscc); err != nil {
		switch {
		case errors.Is(err, ids.ErrUSCCCheck) && in.OverrideChecksum:
			overridden = true
		case errors.Is(err, ids.ErrUSCCCheck):
			return Org{}, huitong.Invalidf("uscc_checksum",
				"统一社会信用代码校验位错误（GB 32100）：%s；如确为合法登记的代码，管理员可设置 override_checksum 强制登记",
				"the USCC check character is wrong (GB 32100): %s; an admin may register a legally issued code with override_checksum", err.Error()).
				WithDetails(huitong.FieldError{Field: "uscc", Code: "uscc_checksum", Message: "校验位错误", MessageEN: "wrong check character"})
		default:
			v.Add("uscc", "invalid_uscc", "统一社会信用代码格式无效："+err.Error(), "invalid USCC: "+err.Error())
		}
	}
	name := strings.TrimSpace(in.Name)
	if n := utf8.RuneCountInString(name); n == 0 || n > 200 {
		v.Add("name", "required", "机构名称不能为空（不超过 200 字）", "name is required (at most 200 chars)")
	}
	if !regionRE.MatchString(in.RegionCode) {
		v.Add("region_code", "invalid_region", "行政区划代码须为 6 位数字（GB/T 2260）", "region_code must be 6 digits (GB/T 2260)")
	} else if s.CheckRegion != nil && !s.CheckRegion(in.RegionCode) {
		v.Add("region_code", "unknown_region", "未知的行政区划代码："+in.RegionCode, "unknown region code: "+in.RegionCode)
	}
	kind := in.Kind
	if kind == "" {
		kind = KindAgency
	}
	if !slices.Contains(Kinds, kind) {
		v.Add("kind", "invalid_enum", "机构类型须为 agency、institution、enterprise、social 或 other", "kind must be agency, institution, enterprise, social or other")
	}
	parent := ids.NormalizeUSCC(in.ParentUSCC)
	if parent != "" && parent == uscc {
		v.Add("parent_uscc", "self_parent", "上级机构不能是其本身", "an org cannot be its own parent")
	}
	if err := v.Err(); err != nil {
		return Org{}, err
	}
	if parent != "" {
		if _, err := s.Store.GetOrg(ctx, parent); err != nil {
			if errors.Is(err, huitong.ErrNoRecord) {
				return Org{}, huitong.NotFoundf("parent_not_found", "上级机构 %s 不存在", "parent org %s not found", parent)
			}
			return Org{}, huitong.Fault("org get parent", err)
		}
	}
	return Org{USCC: uscc, Name: name, ParentUSCC: parent, RegionCode: in.RegionCode, Kind: kind,
		ChecksumOverridden: overridden, CreatedAt: s.now()}, nil
}

func (s *Service) nameRegion(o *Org) {
	if s.RegionName != nil {
		o.RegionName, _ = s.RegionName(o.RegionCode)
	}
}

// ErrOrgNotFound is returned for an unknown org.
func errOrgNotFound(uscc string) error {
	return huitong.NotFoundf("org_not_found", "机构 %s 不存在", "org %s not found", uscc)
}

// GetOrg returns one org. Any authenticated caller may read orgs.
// Errors: Unauthenticated, NotFound (org_not_found).
func (s *Service) GetOrg(ctx context.Context, uscc string) (Org, error) {
	if _, err := huitong.Require(ctx); err != nil {
		return Org{}, err
	}
	return s.lookupOrg(ctx, uscc)
}

func (s *Service) lookupOrg(ctx context.Context, uscc string) (Org, error) {
	o, err := s.Store.GetOrg(ctx, ids.NormalizeUSCC(uscc))
	if errors.Is(err, huitong.ErrNoRecord) {
		return Org{}, errOrgNotFound(uscc)
	}
	if err != nil {
		return Org{}, huitong.Fault("org get org", err)
	}
	s.nameRegion(&o)
	return o, nil
}

// OrgName returns the name of the org with the given USCC, for services
// that show providers by name. It does no access check.
func (s *Service) OrgName(ctx context.Context, uscc string) (string, error) {
	o, err := s.lookupOrg(ctx, uscc)
	return o.Name, err
}

// ListOrgs lists orgs ordered by USCC, optionally the children of parent.
// Errors: Unauthenticated, Invalid (invalid_page_token).
func (s *Service) ListOrgs(ctx context.Context, parent, pageToken string, size int) (Page[Org], error) {
	if _, err := huitong.Require(ctx); err != nil {
		return Page[Org]{}, err
	}
	after, err := decodePageToken(pageToken)
	if err != nil {
		return Page[Org]{}, err
	}
	size = pageSize(size)
	items, err := s.Store.ListOrgs(ctx, ids.NormalizeUSCC(parent), after, size+1)
	if err != nil {
		return Page[Org]{}, huitong.Fault("org list orgs", err)
	}
	p := Page[Org]{Items: items}
	if len(items) > size {
		p.Items = items[:size]
		p.NextPageToken = encodePageToken(p.Items[size-1].USCC)
	}
	for i := range p.Items {
		s.nameRegion(&p.Items[i])
	}
	if p.Items == nil {
		p.Items = []Org{}
	}
	return p, nil
}
