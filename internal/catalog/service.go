package catalog

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"huitong"
	"huitong/internal/audit"
	"huitong/internal/readcache"
)

// ErrStaleVersion is returned by a Store when an edit started from a version
// that is no longer current.
var ErrStaleVersion = errors.New("stale resource version")

// Store is the persistence the catalog needs. Implementations return errors
// matching huitong.ErrNoRecord, huitong.ErrDuplicate and ErrStaleVersion.
type Store interface {
	// NextResourceCode takes the next code under prefix (prefix-0001, ...).
	// A code taken and not used is a gap, never given twice.
	NextResourceCode(ctx context.Context, prefix string) (string, error)
	// CreateResource stores r as version 1 with a new rev. When r.Code is
	// empty it takes the next code under prefix.
	CreateResource(ctx context.Context, r Resource, prefix string) (Resource, error)
	// UpdateResource stores r as the next version of r.Code. When
	// expectedVersion is not zero and not the current version it returns
	// ErrStaleVersion.
	UpdateResource(ctx context.Context, r Resource, expectedVersion int) (Resource, error)
	GetResource(ctx context.Context, code string) (Resource, error)
	GetResourceVersion(ctx context.Context, code string, version int) (Resource, error)
	// ListResourceVersions returns every version of a resource, oldest first.
	ListResourceVersions(ctx context.Context, code string) ([]Resource, error)
	// ResourcesChangedSince returns current resources whose rev is above
	// rev, in rev order, at most limit of them.
	ResourcesChangedSince(ctx context.Context, rev int64, limit int) ([]Resource, error)
	// CatalogRev returns the rev of the latest catalog change.
	CatalogRev(ctx context.Context) (int64, error)
}

// Recorder appends to the audit log, durably, before Append returns.
type Recorder interface {
	Append(ctx context.Context, e audit.Entry) (int64, error)
}

// Service registers, edits, reads and searches the catalog.
type Service struct {
	Store Store
	Audit Recorder
	Now   func() time.Time
	// OrgName returns the name of an org, or an error for an unknown one.
	OrgName func(ctx context.Context, uscc string) (string, error)

	// CacheTTL is how long Get trusts a resource read from the store: the
	// longest time another instance sharing the database may still serve a
	// resource as it was before an edit made through that instance (its
	// share type, fields and levels). Changes made through this Service
	// take effect at once. Zero means DefaultCacheTTL; a negative value
	// reads the store on every call.
	CacheTTL time.Duration

	index *Index

	// resources holds current resources read by Get: the gateway reads one
	// on every call.
	resources readcache.Cache[string, Resource]
}

// DefaultCacheTTL is the CacheTTL used when none is set.
const DefaultCacheTTL = time.Second

func (s *Service) cacheTTL() time.Duration {
	if s.CacheTTL == 0 {
		return DefaultCacheTTL
	}
	return max(s.CacheTTL, 0)
}

// NewService returns a catalog service over st.
func NewService(st Store, rec Recorder, orgName func(context.Context, string) (string, error)) *Service {
	return &Service{Store: st, Audit: rec, Now: time.Now, OrgName: orgName, index: NewIndex()}
}

// change records a catalog change, then makes it with do; a change the log
// cannot take is not made, and one that fails after its record gets a
// second record saying so.
func (s *Service) change(ctx context.Context, action string, r Resource, do func() error) error {
	if err := s.record(ctx, action, r, audit.Allowed, ""); err != nil {
		return err
	}
	// Whatever its outcome, the change may have reached the store.
	defer s.resources.Invalidate()
	if err := do(); err != nil {
		s.record(ctx, action, r, audit.Failed, huitong.ErrorCode(err))
		return err
	}
	return nil
}

// record appends a catalog change to the audit log.
func (s *Service) record(ctx context.Context, action string, r Resource, outcome, reason string) error {
	p := huitong.PrincipalFrom(ctx)
	rule := "role:provider"
	if p.IsAdmin() {
		rule = "role:admin"
	}
	_, err := s.Audit.Append(ctx, audit.Entry{Action: action, Object: "resource:" + r.Code, Rule: rule,
		Outcome: outcome, Reason: reason,
		Detail: map[string]string{"version": strconv.Itoa(r.Version), "provider_uscc": r.ProviderUSCC,
			"share_type": string(r.ShareType), "level": strconv.Itoa(r.Level)}})
	return err
}

// deny records a refused change and returns the refusal.
func (s *Service) deny(ctx context.Context, action, object string, refusal error) error {
	if _, err := s.Audit.Append(ctx, audit.Entry{Action: action, Object: object, Outcome: audit.Denied,
		Reason: huitong.ErrorCode(refusal)}); err != nil {
		return err
	}
	return refusal
}

func errResourceNotFound(code string) error {
	return huitong.NotFoundf("resource_not_found", "信息资源 %s 不存在", "resource %s not found", code)
}

// canWrite reports whether p may create or edit resources of provider.
func canWrite(p *huitong.Principal, provider string) bool {
	return p.IsAdmin() || (p.HasRole(huitong.RoleProvider) && p.InOrg(provider))
}

// Create registers a resource. Providers register for their own org; admins
// for any. Errors: Unauthenticated, Forbidden, Invalid (validation_failed),
// NotFound (org_not_found, related_not_found).
func (s *Service) Create(ctx context.Context, in Input) (Resource, error) {
	p, err := huitong.Require(ctx, huitong.RoleProvider, huitong.RoleAdmin)
	if err != nil {
		if huitong.ErrorKind(err) == huitong.Forbidden {
			return Resource{}, s.deny(ctx, "catalog.create", "resource:", err)
		}
		return Resource{}, err
	}
	in.ProviderUSCC = strings.ToUpper(strings.TrimSpace(in.ProviderUSCC))
	if in.ProviderUSCC == "" && !p.IsAdmin() {
		in.ProviderUSCC = p.OrgUSCC
	}
	if err := in.Validate(); err != nil {
		return Resource{}, err
	}
	if !canWrite(p, in.ProviderUSCC) {
		return Resource{}, s.deny(ctx, "catalog.create", "resource:", huitong.Forbiddenf("not_provider", "只有提供方单位的数据专员可以登记其信息资源", "only the provider org's provider officers may register its resources"))
	}
	r, err := s.build(ctx, p, in)
	if err != nil {
		return Resource{}, err
	}
	r.CreatedAt = r.UpdatedAt
	// The code names the provider by its organisation code (USCC positions
	// 9-17), unique nationwide; an org registered with an odd code keeps it
	// whole.
	prefix := CategoryPrefix(r.Category) + "-" + r.ProviderUSCC
	if len(r.ProviderUSCC) == 18 {
		prefix = CategoryPrefix(r.Category) + "-" + r.ProviderUSCC[8:17]
	}
	// The code is taken first so that the audit record, written before the
	// resource, can name it.
	if r.Code, err = s.Store.NextResourceCode(ctx, prefix); err != nil {
		return Resource{}, huitong.Fault("catalog next code", err)
	}
	r.Version = 1
	err = s.change(ctx, "catalog.create", r, func() error {
		var err error
		if r, err = s.Store.CreateResource(ctx, r, prefix); err != nil {
			return huitong.Fault("catalog create resource", err)
		}
		return nil
	})
	if err != nil {
		return Resource{}, err
	}
	s.index.Put(r)
	return r, nil
}

// build turns validated input into a resource, checking references.
func (s *Service) build(ctx context.Context, p *huitong.Principal, in Input) (Resource, error) {
	name, err := s.OrgName(ctx, in.ProviderUSCC)
	if err != nil {
		return Resource{}, err
	}
	related := slices.Compact(slices.Sorted(slices.Values(in.RelatedCodes)))
	for _, c := range related {
		if _, err := s.Store.GetResource(ctx, c); errors.Is(err, huitong.ErrNoRecord) {
			return Resource{}, huitong.NotFoundf("related_not_found", "关联资源 %s 不存在", "related resource %s not found", c)
		} else if err != nil {
			return Resource{}, huitong.Fault("catalog get related", err)
		}
	}
	if related == nil {
		related = []string{}
	}
	for i, f := range in.Fields {
		if f.Ref == "" {
			continue
		}
		target, err := s.Store.GetResource(ctx, f.Ref)
		if errors.Is(err, huitong.ErrNoRecord) {
			return Resource{}, huitong.Invalidf("validation_failed", "信息项 %s 引用的资源 %s 不存在", "field %s refers to resource %s, which does not exist", f.Name, f.Ref).
				WithDetails(huitong.FieldError{Field: fmt.Sprintf("fields[%d].ref", i), Code: "ref_not_found", Message: "引用的资源不存在", MessageEN: "no such resource"})
		} else if err != nil {
			return Resource{}, huitong.Fault("catalog get ref", err)
		}
		keys := 0
		for _, tf := range target.Fields {
			if tf.Key {
				keys++
			}
		}
		if keys != 1 {
			return Resource{}, huitong.Invalidf("validation_failed", "信息项 %s 引用的资源 %s 须恰有一个主键信息项", "field %s refers to resource %s, which must have exactly one key field", f.Name, f.Ref).
				WithDetails(huitong.FieldError{Field: fmt.Sprintf("fields[%d].ref", i), Code: "ref_no_single_key", Message: "引用的资源须恰有一个主键", MessageEN: "the resource must have exactly one key field"})
		}
	}
	fields := slices.Clone(in.Fields)
	for i := range fields {
		if fields[i].Enum != nil && len(fields[i].Enum) == 0 {
			fields[i].Enum = nil
		}
	}
	return Resource{
		Name: strings.TrimSpace(in.Name), Summary: strings.TrimSpace(in.Summary), Category: in.Category,
		ProviderUSCC: in.ProviderUSCC, ProviderName: name, Format: in.Format, UpdateCycle: in.UpdateCycle,
		ShareType: in.ShareType, ShareCondition: in.ShareCondition, ShareMethod: in.ShareMethod,
		LegalBasis: in.LegalBasis, OpenType: in.OpenType, OpenCondition: in.OpenCondition,
		RelatedCodes: related, PublishDate: in.PublishDate, Fields: fields, Level: Level(fields),
		UpdatedAt: s.Now().UTC(), UpdatedBy: p.Actor(), ChangeNote: in.ChangeNote,
	}, nil
}

// Update stores an edit as a new version; older versions stay readable. The
// provider cannot be changed. Errors: Unauthenticated, Forbidden, Invalid,
// NotFound (resource_not_found), Conflict (version_conflict).
func (s *Service) Update(ctx context.Context, code string, in Input) (Resource, error) {
	p, err := huitong.Require(ctx, huitong.RoleProvider, huitong.RoleAdmin)
	if err != nil {
		if huitong.ErrorKind(err) == huitong.Forbidden {
			return Resource{}, s.deny(ctx, "catalog.update", "resource:"+code, err)
		}
		return Resource{}, err
	}
	cur, err := s.get(ctx, code)
	if err != nil {
		return Resource{}, err
	}
	if !canWrite(p, cur.ProviderUSCC) {
		return Resource{}, s.deny(ctx, "catalog.update", "resource:"+code, huitong.Forbiddenf("not_provider", "只有提供方单位的数据专员可以修改其信息资源", "only the provider org's provider officers may edit its resources"))
	}
	in.ProviderUSCC = strings.ToUpper(strings.TrimSpace(in.ProviderUSCC))
	if in.ProviderUSCC == "" {
		in.ProviderUSCC = cur.ProviderUSCC
	}
	if in.ProviderUSCC != cur.ProviderUSCC {
		return Resource{}, huitong.Invalidf("provider_immutable", "信息资源的提供方不能变更", "a resource's provider cannot change").
			WithDetails(huitong.FieldError{Field: "provider_uscc", Code: "provider_immutable", Message: "提供方不能变更", MessageEN: "cannot change"})
	}
	if err := in.Validate(); err != nil {
		return Resource{}, err
	}
	if slices.Contains(in.RelatedCodes, cur.Code) {
		return Resource{}, huitong.Invalidf("validation_failed", "资源不能关联其本身", "a resource cannot relate to itself").
			WithDetails(huitong.FieldError{Field: "related_codes", Code: "self_reference", Message: "不能关联其本身", MessageEN: "self reference"})
	}
	r, err := s.build(ctx, p, in)
	if err != nil {
		return Resource{}, err
	}
	r.Code, r.CreatedAt = cur.Code, cur.CreatedAt
	stale := huitong.Conflictf("version_conflict", "资源已被他人修改（当前版本高于 %d），请刷新后重试", "the resource was changed since version %d; reload and retry", in.Version)
	if in.Version != 0 && in.Version != cur.Version {
		return Resource{}, stale
	}
	r.Version = cur.Version + 1
	err = s.change(ctx, "catalog.update", r, func() error {
		var err error
		r, err = s.Store.UpdateResource(ctx, r, cur.Version)
		switch {
		case errors.Is(err, ErrStaleVersion):
			return stale
		case errors.Is(err, huitong.ErrNoRecord):
			return errResourceNotFound(code)
		case err != nil:
			return huitong.Fault("catalog update resource", err)
		}
		return nil
	})
	if err != nil {
		return Resource{}, err
	}
	s.index.Put(r)
	return r, nil
}

func (s *Service) get(ctx context.Context, code string) (Resource, error) {
	r, err := s.shared(ctx, code)
	return r.clone(), err
}

// shared is get without the copy: the resource's slices and maps are the
// cache's.
func (s *Service) shared(ctx context.Context, code string) (Resource, error) {
	ttl := s.cacheTTL()
	if r, ok := s.resources.Get(code, ttl); ok {
		return r, nil
	}
	gen, read := s.resources.Generation(), time.Now()
	r, err := s.Store.GetResource(ctx, code)
	if err == nil && ttl > 0 {
		s.resources.Put(code, r.clone(), gen, read)
	}
	if errors.Is(err, huitong.ErrNoRecord) {
		return Resource{}, errResourceNotFound(code)
	}
	if err != nil {
		return Resource{}, huitong.Fault("catalog get resource", err)
	}
	return r, nil
}

// Get returns the current version of a resource. Any authenticated caller
// may read the catalog. Errors: Unauthenticated, NotFound.
func (s *Service) Get(ctx context.Context, code string) (Resource, error) {
	if _, err := huitong.Require(ctx); err != nil {
		return Resource{}, err
	}
	return s.get(ctx, code)
}

// GetShared is Get for callers that only read the resource, such as the
// gateway on every call: its slices are shared with the cache and must not
// be changed.
func (s *Service) GetShared(ctx context.Context, code string) (Resource, error) {
	if _, err := huitong.Require(ctx); err != nil {
		return Resource{}, err
	}
	return s.shared(ctx, code)
}

// GetVersion returns one version of a resource. Errors: Unauthenticated,
// NotFound (resource_not_found, version_not_found).
func (s *Service) GetVersion(ctx context.Context, code string, version int) (Resource, error) {
	if _, err := huitong.Require(ctx); err != nil {
		return Resource{}, err
	}
	if _, err := s.get(ctx, code); err != nil {
		return Resource{}, err
	}
	r, err := s.Store.GetResourceVersion(ctx, code, version)
	if errors.Is(err, huitong.ErrNoRecord) {
		return Resource{}, huitong.NotFoundf("version_not_found", "信息资源 %s 没有版本 %d", "resource %s has no version %d", code, version)
	}
	if err != nil {
		return Resource{}, huitong.Fault("catalog get version", err)
	}
	return r, nil
}

// Version summarises one version of a resource and what changed in it.
type Version struct {
	Version    int       `json:"version"`
	UpdatedAt  time.Time `json:"updated_at"`
	UpdatedBy  string    `json:"updated_by"`
	ChangeNote string    `json:"change_note,omitempty"`
	Changes    []string  `json:"changes"`
}

// Versions lists the versions of a resource, newest first, with what each
// changed. Errors: Unauthenticated, NotFound.
func (s *Service) Versions(ctx context.Context, code string) ([]Version, error) {
	if _, err := huitong.Require(ctx); err != nil {
		return nil, err
	}
	all, err := s.Store.ListResourceVersions(ctx, code)
	if err != nil {
		return nil, huitong.Fault("catalog list versions", err)
	}
	if len(all) == 0 {
		return nil, errResourceNotFound(code)
	}
	out := make([]Version, 0, len(all))
	for i := len(all) - 1; i >= 0; i-- {
		v := Version{Version: all[i].Version, UpdatedAt: all[i].UpdatedAt, UpdatedBy: all[i].UpdatedBy, ChangeNote: all[i].ChangeNote}
		if i == 0 {
			v.Changes = []string{"created"}
		} else {
			v.Changes = Diff(all[i-1], all[i])
		}
		out = append(out, v)
	}
	return out, nil
}
