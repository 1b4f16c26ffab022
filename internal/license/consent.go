package license

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"huitong"
	"huitong/internal/audit"
	"huitong/internal/ids"
)

// ConsentInput is a holder's consent for a department to use a license.
type ConsentInput struct {
	GranteeUSCC string `json:"grantee_uscc"`
	Purpose     string `json:"purpose"`
	// ExpiresAt is RFC 3339 or a date (the end of that day, UTC+8); empty
	// gives DefaultTerm.
	ExpiresAt string `json:"expires_at"`
	OneTime   bool   `json:"one_time"`
}

// holderOf returns the license if the caller holds it: a citizen whose
// verified ID number is the holder code, or an officer of the holder org.
func (s *Service) holderOf(ctx context.Context, action, identifier string) (License, *huitong.Principal, error) {
	p, err := huitong.Require(ctx)
	if err != nil {
		return License{}, nil, err
	}
	if _, err := ids.ParseLicenseID(identifier); err != nil {
		return License{}, nil, errInvalidIdentifier(identifier, err)
	}
	l, err := s.Store.GetLicense(ctx, identifier)
	if errors.Is(err, huitong.ErrNoRecord) {
		return License{}, nil, errLicenseNotFound(identifier)
	}
	if err != nil {
		return License{}, nil, err
	}
	holder := false
	if l.Holder.CodeType == CodeTypeIDCard {
		if p.HasRole(huitong.RoleCitizen) {
			subject, err := s.CitizenSubject(ctx)
			holder = err == nil && subject == l.HolderSubject
		}
	} else {
		holder = p.InOrg(l.Holder.Code) && p.Kind == huitong.PrincipalUser && !p.HasRole(huitong.RoleCitizen)
	}
	if !holder {
		return License{}, nil, s.deny(ctx, audit.Entry{Action: action, Object: "license:" + identifier, Subjects: []string{l.Holder.Code}},
			huitong.Forbiddenf("not_holder", "只有持证人可以授权或撤回授权", "only the holder may give or withdraw consent"))
	}
	return l, p, nil
}

// parseExpiry reads an expiry: RFC 3339, or a date meaning the end of that
// day in UTC+8.
func parseExpiry(s string) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), true
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, china); err == nil {
		return t.AddDate(0, 0, 1).UTC(), true
	}
	return time.Time{}, false
}

// Consent lets a department use a license for a purpose until a time,
// optionally once.
func (s *Service) Consent(ctx context.Context, identifier string, in ConsentInput) (Consent, error) {
	l, p, err := s.holderOf(ctx, ActionConsent, identifier)
	if err != nil {
		return Consent{}, err
	}
	now := s.now()
	if st := effective(l, now); st != Active {
		return Consent{}, errNotActive(identifier, st)
	}
	var v huitong.Validation
	grantee := strings.ToUpper(strings.TrimSpace(in.GranteeUSCC))
	granteeName := ""
	if err := ids.ValidateUSCC(grantee); err != nil {
		v.Add("grantee_uscc", "invalid_uscc", "被授权单位统一社会信用代码无效", "invalid grantee USCC: "+err.Error())
	} else if granteeName, err = s.OrgName(ctx, grantee); errors.Is(err, huitong.ErrNoRecord) {
		v.Add("grantee_uscc", "org_not_found", "被授权单位未在平台登记", "the grantee org is not registered")
	} else if err != nil {
		return Consent{}, err
	} else if grantee == l.Holder.Code {
		v.Add("grantee_uscc", "invalid", "不能授权给持证单位本身", "a holder org cannot consent to itself")
	}
	purpose := strings.TrimSpace(in.Purpose)
	if n := utf8.RuneCountInString(purpose); n == 0 || n > MaxPurpose {
		v.Add("purpose", "required", "须写明用证事由（不超过 500 字）", "a purpose is required (at most 500 characters)")
	}
	expires := now.Add(DefaultTerm)
	if e := strings.TrimSpace(in.ExpiresAt); e != "" {
		t, ok := parseExpiry(e)
		switch {
		case !ok:
			v.Add("expires_at", "invalid_time", "授权截止时间须为 RFC 3339 时间或 YYYY-MM-DD", "expires_at must be an RFC 3339 time or YYYY-MM-DD")
		case !t.After(now):
			v.Add("expires_at", "in_past", "授权截止时间须晚于现在", "expires_at must be in the future")
		case t.Sub(now) > MaxConsent:
			v.Add("expires_at", "too_long", "授权期限不能超过一年", "a consent lasts at most one year")
		default:
			expires = t
		}
	}
	if err := v.Err(); err != nil {
		return Consent{}, err
	}
	c := Consent{Identifier: identifier, TypeName: l.TypeName, HolderSubject: l.HolderSubject, GranteeUSCC: grantee,
		GranteeName: granteeName, Purpose: purpose, ExpiresAt: expires.Truncate(time.Microsecond), OneTime: in.OneTime,
		CreatedAt: now, CreatedBy: p.Actor()}
	if _, err := s.Audit.Append(ctx, audit.Entry{Action: ActionConsent, Object: "license:" + identifier, Rule: "holder",
		Purpose: purpose, Subjects: []string{l.Holder.Code},
		Detail: map[string]string{"grantee": grantee, "expires_at": c.ExpiresAt.Format(time.RFC3339), "one_time": strconv.FormatBool(c.OneTime)}}); err != nil {
		return Consent{}, err
	}
	if c.ID, err = s.Store.CreateConsent(ctx, c); err != nil {
		return Consent{}, err
	}
	c.Status = c.status(now)
	return c, nil
}

// WithdrawConsent ends a consent at once; only the holder may.
func (s *Service) WithdrawConsent(ctx context.Context, id int64) (Consent, error) {
	if _, err := huitong.Require(ctx); err != nil {
		return Consent{}, err
	}
	c, err := s.Store.GetConsent(ctx, id)
	if errors.Is(err, huitong.ErrNoRecord) {
		return Consent{}, huitong.NotFoundf("consent_not_found", "授权 %d 不存在", "consent %d not found", id)
	}
	if err != nil {
		return Consent{}, err
	}
	l, _, err := s.holderOf(ctx, ActionWithdraw, c.Identifier)
	if err != nil {
		return Consent{}, err
	}
	now := s.now()
	if !c.WithdrawnAt.IsZero() {
		return Consent{}, huitong.Conflictf("consent_withdrawn", "授权 %d 已撤回", "consent %d was already withdrawn", id)
	}
	if err := s.change(ctx, audit.Entry{Action: ActionWithdraw, Object: "license:" + c.Identifier, Rule: "holder",
		Subjects: []string{l.Holder.Code}, Detail: map[string]string{"consent": strconv.FormatInt(id, 10), "grantee": c.GranteeUSCC}}, func() error {
		err := s.Store.WithdrawConsent(ctx, id, now)
		if errors.Is(err, ErrStatusChanged) {
			return huitong.Conflictf("consent_withdrawn", "授权 %d 已撤回", "consent %d was already withdrawn", id)
		}
		return err
	}); err != nil {
		return Consent{}, err
	}
	c.WithdrawnAt = now
	c.Status = c.status(now)
	return c, nil
}

// Consents lists consents: of one license to its holder, of the calling
// citizen's licenses (identifier empty), or those given to the caller's
// org (grantee true).
func (s *Service) Consents(ctx context.Context, identifier string, grantee bool) ([]Consent, error) {
	p, err := huitong.Require(ctx)
	if err != nil {
		return nil, err
	}
	var f ConsentFilter
	switch {
	case grantee:
		if p.OrgUSCC == "" || p.HasRole(huitong.RoleCitizen) {
			return nil, huitong.ErrForbidden
		}
		f.GranteeUSCC = p.OrgUSCC
	case identifier != "":
		if _, _, err := s.holderOf(ctx, ActionConsent, identifier); err != nil {
			return nil, err
		}
		f.Identifier = identifier
	default:
		if f.HolderSubject, err = s.CitizenSubject(ctx); err != nil {
			return nil, err
		}
	}
	f.Limit = 500
	cs, err := s.Store.ListConsents(ctx, f)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := make([]Consent, 0, len(cs))
	for _, c := range cs {
		c.Status = c.status(now)
		out = append(out, c)
	}
	return out, nil
}
