package org

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"time"
)

// Token kinds and the prefixes that make a leaked token recognisable to
// secret scanners.
const (
	TokenSession = "session"
	TokenApp     = "app"

	sessionPrefix = "hts_"
	appPrefix     = "hta_"
)

// Token is the stored form of a bearer token: only its SHA-256 hash is kept.
type Token struct {
	ID        int64
	Hash      []byte
	Kind      string
	UserID    int64
	AppID     int64
	CreatedAt time.Time
	ExpiresAt time.Time // zero: never
	RevokedAt time.Time // zero: live
}

// newToken returns a fresh bearer token with the given prefix and its hash.
func newToken(prefix string) (string, []byte) {
	b := make([]byte, 32)
	rand.Read(b)
	s := prefix + base64.RawURLEncoding.EncodeToString(b)
	return s, HashToken(s)
}

// HashToken returns the stored form of a bearer token.
func HashToken(tok string) []byte {
	h := sha256.Sum256([]byte(tok))
	return h[:]
}

// looksLikeToken is a cheap shape check before any database work.
func looksLikeToken(tok string) bool {
	return len(tok) == 47 && (strings.HasPrefix(tok, sessionPrefix) || strings.HasPrefix(tok, appPrefix))
}
