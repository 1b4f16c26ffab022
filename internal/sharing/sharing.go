package sharing

import (
	"slices"
	"time"
)

// Request statuses.
const (
	StatusPending     = "pending"              // waits for the provider
	StatusCountersign = "awaiting_countersign" // approved by the provider; level-4 fields wait for an admin
	StatusApproved    = "approved"             // a grant exists
	StatusRejected    = "rejected"
)

// Grant statuses. A grant's stored status is active or revoked; expired is
// derived from its expiry at the time of the call, so that no job has to
// run for a grant to stop working.
const (
	GrantActive  = "active"
	GrantRevoked = "revoked"
	GrantExpired = "expired"
)

// Request is a consumer org's request for named fields of a resource.
type Request struct {
	ID           int64     `json:"id"`
	ResourceCode string    `json:"resource_code"`
	ResourceName string    `json:"resource_name"`
	ProviderUSCC string    `json:"provider_uscc"`
	ConsumerUSCC string    `json:"consumer_uscc"`
	ConsumerName string    `json:"consumer_name,omitempty"`
	AppID        int64     `json:"app_id,omitempty"` // the consumer app (business system) that will call, if named
	Fields       []string  `json:"fields"`
	Purpose      string    `json:"purpose"`
	LegalBasis   string    `json:"legal_basis,omitempty"`
	ExpiresAt    time.Time `json:"expires_at"`
	Status       string    `json:"status"`
	RequestedBy  string    `json:"requested_by"`
	CreatedAt    time.Time `json:"created_at"`

	// The provider's decision.
	DecidedBy string    `json:"decided_by,omitempty"`
	DecidedAt time.Time `json:"decided_at,omitzero"`
	Comment   string    `json:"comment,omitempty"`
	Reason    string    `json:"reason,omitempty"` // of a rejection
	// The terms approved (narrowed from the request), kept while an admin's
	// countersignature is pending and afterwards.
	Terms *Terms `json:"terms,omitempty"`

	// CountersignedBy names the admin who took the countersignature
	// decision on level-4 fields: approved (countersigned) or, when the
	// status is rejected, refused with Reason.
	CountersignedBy    string    `json:"countersigned_by,omitempty"`
	CountersignedAt    time.Time `json:"countersigned_at,omitzero"`
	CountersignComment string    `json:"countersign_comment,omitempty"`
	GrantID            int64     `json:"grant_id,omitempty"`
}

// Terms are what an approval grants.
type Terms struct {
	Fields         []string  `json:"fields"`
	UnmaskedFields []string  `json:"unmasked_fields"`
	ExpiresAt      time.Time `json:"expires_at"`
	Rate           float64   `json:"rate"`        // requests per second
	DailyQuota     int64     `json:"daily_quota"` // records per day (Asia/Shanghai days)
}

// Grant is a consumer org's live right to read fields of a resource.
type Grant struct {
	ID             int64     `json:"id"`
	RequestID      int64     `json:"request_id"`
	ResourceCode   string    `json:"resource_code"`
	ProviderUSCC   string    `json:"provider_uscc"`
	ConsumerUSCC   string    `json:"consumer_uscc"`
	AppID          int64     `json:"app_id,omitempty"`
	Fields         []string  `json:"fields"`
	UnmaskedFields []string  `json:"unmasked_fields"`
	Purpose        string    `json:"purpose"`
	LegalBasis     string    `json:"legal_basis,omitempty"`
	ExpiresAt      time.Time `json:"expires_at"`
	Status         string    `json:"status"` // active, revoked or (derived) expired
	Rate           float64   `json:"rate"`
	DailyQuota     int64     `json:"daily_quota"`
	CreatedAt      time.Time `json:"created_at"`
	ApprovedBy     string    `json:"approved_by"`
	// CountersignedBy names the admin who countersigned level-4 fields.
	CountersignedBy string    `json:"countersigned_by,omitempty"`
	RevokedAt       time.Time `json:"revoked_at,omitzero"`
	RevokedBy       string    `json:"revoked_by,omitempty"`
	RevokeReason    string    `json:"revoke_reason,omitempty"`
}

// StatusAt is the grant's status at a time: an active grant past its expiry
// is expired.
func (g Grant) StatusAt(now time.Time) string {
	if g.Status == GrantActive && !now.Before(g.ExpiresAt) {
		return GrantExpired
	}
	return g.Status
}

// Has reports whether the grant covers a field.
func (g Grant) Has(field string) bool { return slices.Contains(g.Fields, field) }

// Unmasked reports whether the grant lifts masking for a field.
func (g Grant) Unmasked(field string) bool { return slices.Contains(g.UnmaskedFields, field) }
