package license

import (
	"context"
	"errors"
	"time"
)

// Stored statuses of a license. Expiry is derived from valid_until at each
// read, never stored.
const (
	Active     = "active"
	Revoked    = "revoked"
	Superseded = "superseded"
)

// Holder is whom a license was issued to.
type Holder struct {
	Name string `json:"name"`
	Code string `json:"code"`
	// CodeType is 111 (citizen ID number) or 001 (USCC), per GB/T 36903.
	CodeType string `json:"code_type"`
}

// License is one version of an issued license.
type License struct {
	Identifier   string            `json:"identifier"`
	Version      int               `json:"version"`
	Serial       string            `json:"serial"`
	Number       string            `json:"number"`
	TypeCode     string            `json:"type_code"`
	TypeName     string            `json:"type_name"`
	IssuerUSCC   string            `json:"issuer_uscc"`
	IssuerName   string            `json:"issuer_name"`
	Holder       Holder            `json:"holder"`
	Data         map[string]string `json:"data"`
	IssueDate    string            `json:"issue_date"`
	ValidFrom    string            `json:"valid_from"`
	ValidUntil   string            `json:"valid_until,omitempty"`
	Jurisdiction string            `json:"jurisdiction"`
	// Status is the stored status (active, revoked or superseded), or
	// expired for an active license past its valid_until.
	Status       string    `json:"status"`
	StatusList   int       `json:"status_list"`
	StatusIndex  int       `json:"status_index"`
	KeyID        string    `json:"key_id"`
	Credential   string    `json:"credential,omitempty"`
	IssuedAt     time.Time `json:"issued_at"`
	IssuedBy     string    `json:"issued_by"`
	RevokedAt    time.Time `json:"revoked_at,omitzero"`
	RevokedBy    string    `json:"revoked_by,omitempty"`
	RevokeReason string    `json:"revoke_reason,omitempty"`
	SupersededBy string    `json:"superseded_by,omitempty"`
	Replaces     string    `json:"replaces,omitempty"`
	// HolderSubject is the audit subject HMAC of the holder code: a
	// citizen's licenses are found by it.
	HolderSubject string `json:"-"`
	// ImportID names the bulk import that created the license; 0 for one
	// issued alone.
	ImportID int64 `json:"import_id,omitempty"`

	QRPNGURL  string `json:"qr_png_url,omitempty"`
	QRSVGURL  string `json:"qr_svg_url,omitempty"`
	VerifyURL string `json:"verify_url,omitempty"`
}

// Consent is a holder's permission for one department to use one license
// (授权用证).
type Consent struct {
	ID            int64     `json:"id"`
	Identifier    string    `json:"identifier"`
	TypeName      string    `json:"type_name"`
	HolderSubject string    `json:"-"`
	GranteeUSCC   string    `json:"grantee_uscc"`
	GranteeName   string    `json:"grantee_name"`
	Purpose       string    `json:"purpose"`
	ExpiresAt     time.Time `json:"expires_at"`
	OneTime       bool      `json:"one_time"`
	CreatedAt     time.Time `json:"created_at"`
	CreatedBy     string    `json:"created_by"`
	UsedAt        time.Time `json:"used_at,omitzero"`
	Uses          int64     `json:"uses"`
	WithdrawnAt   time.Time `json:"withdrawn_at,omitzero"`
	// Status is live, used (a one-time consent used once), expired or
	// withdrawn at the time of reading.
	Status string `json:"status"`
}

// Consent statuses.
const (
	ConsentLive      = "live"
	ConsentUsed      = "used"
	ConsentExpired   = "expired"
	ConsentWithdrawn = "withdrawn"
)

func (c *Consent) status(now time.Time) string {
	switch {
	case !c.WithdrawnAt.IsZero():
		return ConsentWithdrawn
	case c.OneTime && !c.UsedAt.IsZero():
		return ConsentUsed
	case !now.Before(c.ExpiresAt):
		return ConsentExpired
	}
	return ConsentLive
}

// Filter selects licenses. Empty fields do not filter.
type Filter struct {
	TypeCode      string
	IssuerUSCC    string
	HolderCode    string
	HolderSubject string
	// Status is active, revoked, superseded or expired at Now.
	Status     string
	Now        time.Time
	IssuedFrom string // issue date, YYYY-MM-DD, inclusive
	IssuedTo   string
	// After is the keyset cursor: identifiers issued before it (by
	// issued_at, identifier) come next.
	BeforeSeq int64
	Limit     int
}

// ConsentFilter selects consents.
type ConsentFilter struct {
	Identifier    string
	HolderSubject string
	GranteeUSCC   string
	Limit         int
}

// Store errors.
var (
	// ErrStatusChanged is returned when a conditional change finds the
	// license or consent no longer in the state it started from.
	ErrStatusChanged = errors.New("license status changed")
)

// Store is what the library keeps. Errors match huitong.ErrNoRecord for
// a missing row and huitong.ErrDuplicate for a duplicate one.
type Store interface {
	KeyStore
	CreateLicenseType(ctx context.Context, t Type) error
	GetLicenseType(ctx context.Context, code string) (Type, error)
	ListLicenseTypes(ctx context.Context) ([]Type, error)
	// NextLicenseSeq takes the next n values of each named counter, in one
	// transaction, and returns the first value taken of each.
	NextLicenseSeq(ctx context.Context, n int64, counters ...string) (first []int64, err error)
	// InsertLicenses stores licenses in one transaction.
	InsertLicenses(ctx context.Context, ls []License) error
	// DeleteImportedLicenses removes what a failed import stored.
	DeleteImportedLicenses(ctx context.Context, importID int64) error
	GetLicense(ctx context.Context, identifier string) (License, error)
	// ListLicenses returns licenses matching f, newest first, with the
	// cursor of each (its sequence).
	ListLicenses(ctx context.Context, f Filter) ([]License, []int64, error)
	// RevokeLicense marks an active license revoked: ErrStatusChanged when
	// it is not active.
	RevokeLicense(ctx context.Context, identifier string, at time.Time, by, reason string) error
	// ReissueLicense marks the active license old superseded by next,
	// stores next and moves old's consents that were not withdrawn to next,
	// in one transaction: ErrStatusChanged when old is not active.
	ReissueLicense(ctx context.Context, old string, next License) error
	// SetStatusIndexes returns the status indexes of an issuer's list
	// whose bit is set: revoked and superseded licenses.
	SetStatusIndexes(ctx context.Context, issuer string, list int) ([]int, error)
	// LicenseRev returns a number that grows with every revocation and
	// re-issue, for caches of status lists.
	LicenseRev(ctx context.Context) (int64, error)

	CreateConsent(ctx context.Context, c Consent) (int64, error)
	GetConsent(ctx context.Context, id int64) (Consent, error)
	ListConsents(ctx context.Context, f ConsentFilter) ([]Consent, error)
	// LiveConsents returns the consents of a grantee for a license not
	// withdrawn and not expired at now, oldest expiry first.
	LiveConsents(ctx context.Context, identifier, grantee string, now time.Time) ([]Consent, error)
	// UseConsent counts one use; for a one-time consent only the first:
	// ErrStatusChanged when it was used or withdrawn meanwhile.
	UseConsent(ctx context.Context, id int64, at time.Time, oneTime bool) error
	// WithdrawConsent marks a consent withdrawn: ErrStatusChanged when it
	// was.
	WithdrawConsent(ctx context.Context, id int64, at time.Time) error
}
