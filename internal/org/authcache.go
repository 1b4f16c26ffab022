package org

import (
	"time"

	"huitong"
)

// DefaultAuthCacheTTL is how long Authenticate trusts a token it has read
// from the store. Within one process a revocation (logout, app revoked)
// empties the cache at once; another instance sharing the database sees
// it within this time.
const DefaultAuthCacheTTL = time.Second

// authEntry is what the token cache keeps by token hash, so that a busy
// caller's every request does not join tokens, users and apps. Every
// change that can end a token's validity invalidates the cache after it
// is stored.
type authEntry struct {
	tok Token
	p   huitong.Principal
}
