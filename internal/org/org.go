package org

import "time"

// Org kinds.
const (
	KindAgency      = "agency"      // 党政机关
	KindInstitution = "institution" // 事业单位
	KindEnterprise  = "enterprise"  // 企业
	KindSocial      = "social"      // 社会组织
	KindOther       = "other"
)

// Kinds lists the allowed org kinds.
var Kinds = []string{KindAgency, KindInstitution, KindEnterprise, KindSocial, KindOther}

// Org is a department or other organisation, identified by its unified
// social credit code (统一社会信用代码).
type Org struct {
	USCC string `json:"uscc"`
	Name string `json:"name"`
	// ParentUSCC is the org above this one in the hierarchy, or empty.
	ParentUSCC string `json:"parent_uscc"`
	// RegionCode is the 6-digit GB/T 2260 code of the org's jurisdiction.
	RegionCode string `json:"region_code"`
	RegionName string `json:"region_name,omitempty"`
	Kind       string `json:"kind"`
	// ChecksumOverridden records that an admin registered a code whose check
	// character fails GB 32100.
	ChecksumOverridden bool      `json:"checksum_overridden"`
	CreatedAt          time.Time `json:"created_at"`
}

// OrgInput is what an admin sends to register an org.
type OrgInput struct {
	USCC             string `json:"uscc"`
	Name             string `json:"name"`
	ParentUSCC       string `json:"parent_uscc"`
	RegionCode       string `json:"region_code"`
	Kind             string `json:"kind"`
	OverrideChecksum bool   `json:"override_checksum"`
}

// User is a person who logs in.
type User struct {
	ID          int64      `json:"id"`
	Username    string     `json:"username"`
	DisplayName string     `json:"display_name"`
	OrgUSCC     string     `json:"org_uscc"`
	Roles       []string   `json:"roles"`
	Disabled    bool       `json:"disabled"`
	LockedUntil *time.Time `json:"locked_until,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	// IDCardMasked shows a citizen's verified ID number masked
	// (110105********002X); the number itself is not stored.
	IDCardMasked string `json:"id_card_masked,omitempty"`
	// Subject is the audit subject (keyed HMAC) of the ID number.
	Subject string `json:"-"`
	// PasswordHash is the PHC-encoded argon2id hash; never serialised.
	PasswordHash string `json:"-"`
}

// UserInput is what an admin sends to create a user.
type UserInput struct {
	Username    string   `json:"username"`
	Password    string   `json:"password"`
	DisplayName string   `json:"display_name"`
	OrgUSCC     string   `json:"org_uscc"`
	Roles       []string `json:"roles"`
	// IDCard is the verified citizen ID number of a user with role
	// citizen; only its audit subject and a masked form are kept.
	IDCard string `json:"id_card,omitempty"`
}

// App is a business system of an org that calls the API with a token.
type App struct {
	ID        int64      `json:"id"`
	OrgUSCC   string     `json:"org_uscc"`
	Name      string     `json:"name"`
	Roles     []string   `json:"roles"`
	CreatedBy string     `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	// Token is set only in the answer to the create call.
	Token string `json:"token,omitempty"`
}

// AppInput is what a caller sends to create an app.
type AppInput struct {
	Name  string   `json:"name"`
	Roles []string `json:"roles"`
}
