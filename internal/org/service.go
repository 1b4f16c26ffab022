package org

import (
	"context"
	"huitong/internal/readcache"
	"sync"
	"time"

	"huitong"
	"huitong/internal/audit"
)

// Store is the persistence the org service needs. Implementations return
// errors matching huitong.ErrNoRecord and huitong.ErrDuplicate.
type Store interface {
	CreateOrg(ctx context.Context, o Org) error
	GetOrg(ctx context.Context, uscc string) (Org, error)
	// ListOrgs returns orgs ordered by USCC after the given one.
	ListOrgs(ctx context.Context, parent, after string, limit int) ([]Org, error)
	CountOrgs(ctx context.Context) (int, error)

	CountUsers(ctx context.Context) (int, error)
	CreateUser(ctx context.Context, u User) (int64, error)
	GetUser(ctx context.Context, id int64) (User, error)
	GetUserByName(ctx context.Context, username string) (User, error)
	// ListUsers returns users ordered by id after the given one, of one org
	// when org is not empty.
	ListUsers(ctx context.Context, org string, afterID int64, limit int) ([]User, error)
	// RecordLoginFailure stores a failed login at time at, and when the
	// failures since window reach threshold, locks the user until lockUntil.
	// It reports whether the user is now locked.
	RecordLoginFailure(ctx context.Context, userID int64, at, window time.Time, threshold int, lockUntil time.Time) (bool, error)
	ClearLoginFailures(ctx context.Context, userID int64) error

	CreateToken(ctx context.Context, t Token) (int64, error)
	// LookupToken returns the token with the given hash and the principal it
	// stands for, or huitong.ErrNoRecord.
	LookupToken(ctx context.Context, hash []byte) (Token, huitong.Principal, error)
	RevokeToken(ctx context.Context, id int64, at time.Time) error

	// CreateApp stores the app and its token in one transaction.
	CreateApp(ctx context.Context, a App, tok Token) (int64, error)
	GetApp(ctx context.Context, id int64) (App, error)
	ListApps(ctx context.Context, org string, afterID int64, limit int) ([]App, error)
	// RevokeApp marks the app and all its tokens revoked.
	RevokeApp(ctx context.Context, id int64, at time.Time) error
}

// Recorder appends to the audit log. Append must return only once the
// record is durable; an error means the action must not be reported done.
type Recorder interface {
	Append(ctx context.Context, e audit.Entry) (int64, error)
	// SubjectOf returns the keyed HMAC that stands for an ID number or USCC.
	SubjectOf(id string) string
}

// Service manages orgs, users, apps and their tokens.
type Service struct {
	Store Store
	Audit Recorder
	Now   func() time.Time
	// Argon2 is the password hashing cost.
	Argon2 Argon2Params
	// SessionTTL is how long a login token lives.
	SessionTTL time.Duration
	// CheckRegion reports whether a 6-digit region code is known; nil accepts
	// any six digits.
	CheckRegion func(code string) bool
	// RegionName names a region code for display; may be nil.
	RegionName func(code string) (string, bool)

	// AuthCacheTTL is how long Authenticate trusts a token read from the
	// store: the longest time another instance sharing the database may
	// still accept a token this one revoked. Revocations made through this
	// Service take effect at once. Zero means DefaultAuthCacheTTL; a
	// negative value reads the store on every call.
	AuthCacheTTL time.Duration

	dummyOnce sync.Once
	dummyHash string
	auth      readcache.Cache[[32]byte, authEntry]
}

// Login lock policy: ten failures within fifteen minutes lock the account for
// fifteen minutes.
const (
	LockThreshold = 10
	LockWindow    = 15 * time.Minute
	LockDuration  = 15 * time.Minute
)

// NewService returns a Service with defaults filled in.
func NewService(st Store, rec Recorder) *Service {
	return &Service{Store: st, Audit: rec, Now: time.Now, Argon2: DefaultArgon2, SessionTTL: 12 * time.Hour}
}

// record appends an allowed action to the audit log.
func (s *Service) record(ctx context.Context, e audit.Entry) error {
	_, err := s.Audit.Append(ctx, e)
	return err
}

// change records e, then makes the change with do. The record comes first,
// so that no change is ever made unrecorded: if the log cannot take it, do
// is not run. If do then fails, a second record says so (best effort).
func (s *Service) change(ctx context.Context, e audit.Entry, do func() error) error {
	if err := s.record(ctx, e); err != nil {
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

// deny records a refused action and returns the refusal (or the audit
// failure, which then wins).
func (s *Service) deny(ctx context.Context, action, object string, refusal error) error {
	if huitong.ErrorKind(refusal) != huitong.Forbidden {
		return refusal
	}
	if _, err := s.Audit.Append(ctx, audit.Entry{Action: action, Object: object, Outcome: audit.Denied,
		Reason: huitong.ErrorCode(refusal)}); err != nil {
		return err
	}
	return refusal
}

func (s *Service) now() time.Time { return s.Now().UTC() }

// Page is one page of a listing.
type Page[T any] struct {
	Items         []T    `json:"items"`
	NextPageToken string `json:"next_page_token"`
	Total         *int   `json:"total,omitempty"`
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
