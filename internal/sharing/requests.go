package sharing

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"huitong"
	"huitong/internal/audit"
	"huitong/internal/catalog"
)

// Request files a consumer org's request for fields of a resource. The
// caller must hold the role consumer; the request is the caller's org's.
// A request for an unconditional resource is approved at once, with
// DefaultTerms and a grant created in the same transaction, unless it
// includes a level-4 field: then it awaits an admin's countersignature. A
// request for a conditional resource is pending until its provider decides.
// Errors: Unauthenticated, Forbidden (forbidden, own_resource,
// share_type_none), Invalid (validation_failed with details required,
// duplicate_field, unknown_field, too_long, in_past, too_far,
// unknown_app), NotFound (resource_not_found).
func (s *Service) Request(ctx context.Context, in RequestInput) (Request, error) {
	code := strings.TrimSpace(in.ResourceCode)
	p, err := huitong.Require(ctx, huitong.RoleConsumer)
	if err != nil {
		return Request{}, s.deny(ctx, ActionRequest, code, in.Purpose, nil, err)
	}
	if code == "" {
		var v huitong.Validation
		v.Add("resource_code", "required", "请指定信息资源代码", "resource_code is required")
		return Request{}, v.Err()
	}
	res, err := s.Resource(ctx, code)
	if err != nil {
		return Request{}, err
	}
	if res.ProviderUSCC == p.OrgUSCC {
		return Request{}, s.deny(ctx, ActionRequest, res.Code, in.Purpose, nil,
			huitong.Forbiddenf("own_resource", "不能申请本单位提供的信息资源 %s", "resource %s is your own org's; it needs no request", res.Code))
	}
	if res.ShareType == catalog.ShareNone {
		return Request{}, s.deny(ctx, ActionRequest, res.Code, in.Purpose, nil, errShareTypeNone(res))
	}
	now := s.now()
	var v huitong.Validation
	in = checkRequest(&v, res, in, now)
	if in.AppID > 0 {
		org, err := s.AppOrg(ctx, in.AppID)
		switch {
		case errors.Is(err, huitong.ErrNoRecord) || (err == nil && org != p.OrgUSCC):
			v.Add("app_id", "unknown_app", "本单位没有编号为 "+strconv.FormatInt(in.AppID, 10)+" 的有效应用",
				"your org has no live app "+strconv.FormatInt(in.AppID, 10))
		case err != nil:
			return Request{}, huitong.Fault("sharing app org", err)
		}
	}
	if err := v.Err(); err != nil {
		return Request{}, err
	}
	consumerName, err := s.OrgName(ctx, p.OrgUSCC)
	if err != nil {
		return Request{}, huitong.Fault("sharing consumer name", err)
	}
	r := Request{ResourceCode: res.Code, ResourceName: res.Name, ProviderUSCC: res.ProviderUSCC,
		ConsumerUSCC: p.OrgUSCC, ConsumerName: consumerName, AppID: in.AppID, Fields: in.Fields,
		Purpose: in.Purpose, LegalBasis: in.LegalBasis, ExpiresAt: in.ExpiresAt, Status: StatusPending,
		RequestedBy: p.Actor(), CreatedAt: now}
	if r.ID, err = s.Store.NextShareRequestID(ctx); err != nil {
		return Request{}, huitong.Fault("sharing next request id", err)
	}
	var g *Grant
	if res.ShareType == catalog.ShareUnconditional {
		t := DefaultTerms(r.Fields, r.ExpiresAt)
		r.Terms, r.DecidedBy, r.DecidedAt = &t, SystemApprover, now
		r.Status = StatusCountersign
		if len(Restricted(res, t.Fields)) == 0 {
			if g, err = s.newGrant(ctx, r, t, SystemApprover, ""); err != nil {
				return Request{}, err
			}
			r.Status, r.GrantID = StatusApproved, g.ID
		}
	}
	e := audit.Entry{Action: ActionRequest, Object: "resource:" + r.ResourceCode, Outcome: audit.Allowed, Rule: "role:" + huitong.RoleConsumer,
		Purpose: r.Purpose, Detail: detail("request_id", r.ID, "grant_id", r.GrantID, "status", r.Status,
			"share_type", string(res.ShareType), "fields", strings.Join(r.Fields, ","), "app_id", r.AppID,
			"expires_at", r.ExpiresAt.Format(timeFormat), "approved_by", r.DecidedBy)}
	err = s.change(ctx, e, func() error {
		if err := s.storeChange(func() error { return s.Store.CreateShareRequest(ctx, r, g) }); err != nil {
			return huitong.Fault("sharing create request", err)
		}
		return nil
	})
	if err != nil {
		return Request{}, err
	}
	return r, nil
}

// timeFormat is how times appear in audit details.
const timeFormat = "2006-01-02T15:04:05Z07:00"

// newGrant builds the grant of an approved request under terms t, taking
// its id.
func (s *Service) newGrant(ctx context.Context, r Request, t Terms, approvedBy, countersignedBy string) (*Grant, error) {
	id, err := s.Store.NextGrantID(ctx)
	if err != nil {
		return nil, huitong.Fault("sharing next grant id", err)
	}
	unmasked := slices.Clone(t.UnmaskedFields)
	if unmasked == nil {
		unmasked = []string{}
	}
	return &Grant{ID: id, RequestID: r.ID, ResourceCode: r.ResourceCode, ProviderUSCC: r.ProviderUSCC,
		ConsumerUSCC: r.ConsumerUSCC, AppID: r.AppID, Fields: slices.Clone(t.Fields), UnmaskedFields: unmasked,
		Purpose: r.Purpose, LegalBasis: r.LegalBasis, ExpiresAt: t.ExpiresAt, Status: GrantActive,
		Rate: t.Rate, DailyQuota: t.DailyQuota, CreatedAt: s.now(), ApprovedBy: approvedBy,
		CountersignedBy: countersignedBy}, nil
}

// load returns a request the caller may see; one it may not see is not
// found, so that its existence is not revealed.
func (s *Service) load(ctx context.Context, p *huitong.Principal, id int64) (Request, error) {
	r, err := s.Store.GetShareRequest(ctx, id)
	if errors.Is(err, huitong.ErrNoRecord) || (err == nil && !canSee(p, r.ConsumerUSCC, r.ProviderUSCC)) {
		return Request{}, errRequestNotFound(id)
	}
	if err != nil {
		return Request{}, huitong.Fault("sharing get request", err)
	}
	return r, nil
}

// decided loads a request for a decision. An attempt on a request the
// caller may not see is not found, and recorded as denied: on the
// resource when the request exists, else on the request id.
func (s *Service) decided(ctx context.Context, action string, id int64) (*huitong.Principal, Request, error) {
	p, err := huitong.Require(ctx)
	if err != nil {
		return nil, Request{}, err
	}
	r, err := s.Store.GetShareRequest(ctx, id)
	object := "request:" + strconv.FormatInt(id, 10)
	if err == nil {
		if canSee(p, r.ConsumerUSCC, r.ProviderUSCC) {
			return p, r, nil
		}
		object, err = "resource:"+r.ResourceCode, huitong.ErrNoRecord
	}
	if !errors.Is(err, huitong.ErrNoRecord) {
		return nil, Request{}, huitong.Fault("sharing get request", err)
	}
	refusal := errRequestNotFound(id)
	if _, err := s.Audit.Append(ctx, audit.Entry{Action: action, Object: object, Outcome: audit.Denied,
		Reason: huitong.ErrorCode(refusal), Detail: detail("request_id", id)}); err != nil {
		return nil, Request{}, err
	}
	return nil, Request{}, refusal
}

// Get returns a request. The consumer org, the provider org, admins and
// auditors may read it; to anyone else it does not exist.
// Errors: Unauthenticated, NotFound (request_not_found).
func (s *Service) Get(ctx context.Context, id int64) (Request, error) {
	p, err := huitong.Require(ctx)
	if err != nil {
		return Request{}, err
	}
	return s.load(ctx, p, id)
}

// List lists requests, newest first, one page at a time.
// Errors: Unauthenticated, Forbidden (forbidden: no role for the list
// asked), Invalid (invalid_parameter, invalid_page_token).
func (s *Service) List(ctx context.Context, q ListQuery) (Page[Request], error) {
	p, err := huitong.Require(ctx)
	if err != nil {
		return Page[Request]{}, err
	}
	f := RequestFilter{Status: q.Status, Limit: pageSize(q.Limit) + 1}
	if q.Status != "" && !slices.Contains([]string{StatusPending, StatusCountersign, StatusApproved, StatusRejected}, q.Status) {
		return Page[Request]{}, invalidParam("status", "status 须为 pending、awaiting_countersign、approved 或 rejected",
			"status must be pending, awaiting_countersign, approved or rejected")
	}
	if f.ConsumerUSCC, f.ProviderUSCC, err = side(p, q.Role); err != nil {
		return Page[Request]{}, err
	}
	if f.BeforeID, err = decodePageToken(q.PageToken); err != nil {
		return Page[Request]{}, err
	}
	items, err := s.Store.ListShareRequests(ctx, f)
	if err != nil {
		return Page[Request]{}, huitong.Fault("sharing list requests", err)
	}
	return page(items, f.Limit-1, func(r Request) int64 { return r.ID }), nil
}

// side turns a listing role into the consumer or provider org to list,
// both empty for all.
func side(p *huitong.Principal, role string) (consumer, provider string, err error) {
	if role == "" {
		switch {
		case p.IsAdmin() || p.HasRole(huitong.RoleAuditor):
			return "", "", nil
		case p.HasRole(huitong.RoleConsumer):
			role = huitong.RoleConsumer
		default:
			role = huitong.RoleProvider
		}
	}
	switch role {
	case huitong.RoleConsumer, huitong.RoleProvider:
		if !p.HasRole(role) {
			return "", "", huitong.ErrForbidden
		}
		if role == huitong.RoleConsumer {
			return p.OrgUSCC, "", nil
		}
		return "", p.OrgUSCC, nil
	}
	return "", "", invalidParam("role", "role 须为 consumer 或 provider", "role must be consumer or provider")
}

// Approve approves a pending request, on the terms of a: a provider
// officer (or provider app) of the resource's provider org decides. When
// the approved fields include a level-4 field the request awaits an admin's
// countersignature, with the terms stored and no grant yet; otherwise it is
// approved and its grant created in the same transaction. Of two
// concurrent decisions, one wins and the other gets request_not_pending.
// Errors: Unauthenticated, NotFound (request_not_found), Forbidden
// (not_provider, share_type_none), Conflict (request_not_pending), Invalid
// (validation_failed; see narrow for the details).
func (s *Service) Approve(ctx context.Context, id int64, a Approval) (Request, error) {
	p, r, err := s.decided(ctx, ActionApprove, id)
	if err != nil {
		return Request{}, err
	}
	deny := func(refusal error) error {
		return s.deny(ctx, ActionApprove, r.ResourceCode, r.Purpose, detail("request_id", r.ID), refusal)
	}
	if !isProviderOf(p, r.ProviderUSCC) {
		return Request{}, deny(errNotProvider())
	}
	if r.Status != StatusPending {
		return Request{}, errNotPending(r.ID, r.Status)
	}
	res, err := s.Resource(ctx, r.ResourceCode)
	if err != nil {
		return Request{}, err
	}
	if res.ShareType == catalog.ShareNone {
		return Request{}, deny(errShareTypeNone(res))
	}
	now := s.now()
	t, err := narrow(r, a, res, now)
	if err != nil {
		return Request{}, err
	}
	r.Terms, r.DecidedBy, r.DecidedAt, r.Comment = &t, p.Actor(), now, strings.TrimSpace(a.Comment)
	r.Status = StatusCountersign
	var g *Grant
	restricted := Restricted(res, t.Fields)
	if len(restricted) == 0 {
		if g, err = s.newGrant(ctx, r, t, p.Actor(), ""); err != nil {
			return Request{}, err
		}
		r.Status, r.GrantID = StatusApproved, g.ID
	}
	e := audit.Entry{Action: ActionApprove, Object: "resource:" + r.ResourceCode, Outcome: audit.Allowed, Rule: "role:" + huitong.RoleProvider,
		Purpose: r.Purpose, Detail: termsDetail(r, t, "restricted_fields", strings.Join(restricted, ","))}
	err = s.change(ctx, e, func() error {
		return s.update(ctx, r, g, []string{StatusPending}, errNotPending)
	})
	if err != nil {
		return Request{}, err
	}
	return r, nil
}

func termsDetail(r Request, t Terms, kv ...any) map[string]string {
	d := detail(append([]any{"request_id", r.ID, "grant_id", r.GrantID, "status", r.Status,
		"consumer_uscc", r.ConsumerUSCC, "fields", strings.Join(t.Fields, ","),
		"unmasked_fields", strings.Join(t.UnmaskedFields, ","), "expires_at", t.ExpiresAt.Format(timeFormat),
		"rate", strconv.FormatFloat(t.Rate, 'g', -1, 64), "daily_quota", strconv.FormatInt(t.DailyQuota, 10)}, kv...)...)
	return d
}

// update stores a decision, turning a lost race into the refusal conflict
// builds from the status found then.
func (s *Service) update(ctx context.Context, r Request, g *Grant, from []string, conflict func(int64, string) error) error {
	err := s.storeChange(func() error { return s.Store.UpdateShareRequest(ctx, r, from, g) })
	switch {
	case errors.Is(err, ErrStatusChanged):
		status := "?"
		if cur, err := s.Store.GetShareRequest(ctx, r.ID); err == nil {
			status = cur.Status
		}
		return conflict(r.ID, status)
	case errors.Is(err, huitong.ErrNoRecord):
		return errRequestNotFound(r.ID)
	case err != nil:
		return huitong.Fault("sharing update request", err)
	}
	return nil
}

// Reject refuses a request with a reason. A provider officer of the
// provider org may reject a pending request, or withdraw an approval that
// awaits countersignature; an admin may refuse the countersignature of a
// request awaiting it (recorded as countersigned_by with status rejected).
// Errors: Unauthenticated, NotFound (request_not_found), Forbidden
// (not_provider), Conflict (request_not_pending,
// request_not_awaiting_countersign), Invalid (validation_failed: reason
// required or too long).
func (s *Service) Reject(ctx context.Context, id int64, reason string) (Request, error) {
	p, r, err := s.decided(ctx, ActionReject, id)
	if err != nil {
		return Request{}, err
	}
	now := s.now()
	var from []string
	var rule string
	conflict := errNotPending
	switch {
	case isProviderOf(p, r.ProviderUSCC):
		from, rule = []string{StatusPending, StatusCountersign}, "role:"+huitong.RoleProvider
		r.DecidedBy, r.DecidedAt = p.Actor(), now
	case p.IsAdmin() && r.Status == StatusCountersign:
		from, rule, conflict = []string{StatusCountersign}, "role:"+huitong.RoleAdmin, errNotAwaiting
		r.CountersignedBy, r.CountersignedAt = p.Actor(), now
	default:
		return Request{}, s.deny(ctx, ActionReject, r.ResourceCode, r.Purpose, detail("request_id", r.ID), errNotProvider())
	}
	if !slices.Contains(from, r.Status) {
		return Request{}, conflict(r.ID, r.Status)
	}
	var v huitong.Validation
	r.Reason = strings.TrimSpace(reason)
	addText(&v, "reason", textProblem(r.Reason, true, MaxText), "驳回理由", "reason", MaxText)
	if err := v.Err(); err != nil {
		return Request{}, err
	}
	prev := r.Status
	r.Status = StatusRejected
	e := audit.Entry{Action: ActionReject, Object: "resource:" + r.ResourceCode, Outcome: audit.Allowed, Rule: rule, Purpose: r.Purpose,
		Detail: detail("request_id", r.ID, "consumer_uscc", r.ConsumerUSCC, "from_status", prev, "fields", strings.Join(r.Fields, ","))}
	err = s.change(ctx, e, func() error { return s.update(ctx, r, nil, from, conflict) })
	if err != nil {
		return Request{}, err
	}
	return r, nil
}

// Countersign is an admin's countersignature of a request whose approved
// fields include level-4 fields: the grant is created on the stored terms.
// Errors: Unauthenticated, Forbidden (forbidden, share_type_none),
// NotFound (request_not_found), Conflict (request_not_awaiting_countersign,
// terms_expired: the approved expiry passed while waiting), Invalid
// (validation_failed: comment too long).
func (s *Service) Countersign(ctx context.Context, id int64, comment string) (Request, error) {
	p, r, err := s.decided(ctx, ActionCountersign, id)
	if err != nil {
		return Request{}, err
	}
	deny := func(refusal error) error {
		return s.deny(ctx, ActionCountersign, r.ResourceCode, r.Purpose, detail("request_id", r.ID), refusal)
	}
	if !p.IsAdmin() {
		return Request{}, deny(huitong.ErrForbidden)
	}
	if r.Status != StatusCountersign || r.Terms == nil {
		return Request{}, errNotAwaiting(r.ID, r.Status)
	}
	var v huitong.Validation
	comment = strings.TrimSpace(comment)
	addText(&v, "comment", textProblem(comment, false, MaxText), "会签意见", "comment", MaxText)
	if err := v.Err(); err != nil {
		return Request{}, err
	}
	now := s.now()
	t := *r.Terms
	if !t.ExpiresAt.After(now) {
		return Request{}, huitong.Conflictf("terms_expired", "共享申请 %d 批准的到期时间已过，不能会签，请驳回", "the approved expiry of share request %d has passed; reject it instead", r.ID)
	}
	res, err := s.Resource(ctx, r.ResourceCode)
	if err != nil {
		return Request{}, err
	}
	if res.ShareType == catalog.ShareNone {
		return Request{}, deny(errShareTypeNone(res))
	}
	// The resource may have changed since the approval: a field dropped
	// cannot be granted; the provider must decide again.
	checkFieldList(&v, "fields", t.Fields, res, nil, "")
	if err := v.Err(); err != nil {
		return Request{}, err
	}
	g, err := s.newGrant(ctx, r, t, r.DecidedBy, p.Actor())
	if err != nil {
		return Request{}, err
	}
	r.Status, r.GrantID = StatusApproved, g.ID
	r.CountersignedBy, r.CountersignedAt, r.CountersignComment = p.Actor(), now, comment
	e := audit.Entry{Action: ActionCountersign, Object: "resource:" + r.ResourceCode, Outcome: audit.Allowed, Rule: "role:" + huitong.RoleAdmin,
		Purpose: r.Purpose, Detail: termsDetail(r, t, "restricted_fields", strings.Join(Restricted(res, t.Fields), ","))}
	err = s.change(ctx, e, func() error {
		return s.update(ctx, r, g, []string{StatusCountersign}, errNotAwaiting)
	})
	if err != nil {
		return Request{}, err
	}
	return r, nil
}
