package license

import (
	"context"
	"math"
	"sync"
	"time"

	"huitong"
)

// idLimiter bounds how fast one client address may look licenses up by
// identifier alone. Serials are sequential, so without it anyone could walk
// the library; a verifier holding a credential is not limited.
type idLimiter struct {
	mu      sync.Mutex
	buckets map[string]*idBucket
}

type idBucket struct {
	tokens float64
	at     time.Time
}

// maxBuckets bounds the addresses tracked; past it the oldest state is
// dropped (all of it), which only ever lets callers through.
const maxBuckets = 100_000

// allow takes a token for addr at now from a bucket refilled at rate a
// second up to burst; when none is left it returns the seconds to wait.
func (l *idLimiter) allow(addr string, now time.Time, rate float64, burst int) (bool, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buckets == nil || len(l.buckets) >= maxBuckets {
		l.buckets = map[string]*idBucket{}
	}
	b := l.buckets[addr]
	if b == nil {
		b = &idBucket{tokens: float64(burst), at: now}
		l.buckets[addr] = b
	}
	b.tokens = math.Min(float64(burst), b.tokens+now.Sub(b.at).Seconds()*rate)
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, int(math.Ceil((1 - b.tokens) / rate))
}

// limitLookup refuses a lookup by identifier alone from a client address
// over IdentifierRate; calls without an address (inside the program) pass.
func (s *Service) limitLookup(ctx context.Context) error {
	addr := huitong.RequestFrom(ctx).ClientIP
	if s.IdentifierRate <= 0 || addr == "" {
		return nil
	}
	burst := s.IdentifierBurst
	if burst < 1 {
		burst = 1
	}
	ok, wait := s.lookups.allow(addr, s.Now(), s.IdentifierRate, burst)
	if ok {
		return nil
	}
	e := huitong.E(huitong.RateLimited, "rate_limited", "按证照标识查验过于频繁，请稍后再试，或提交证照凭证查验",
		"too many lookups by identifier from your address; wait, or verify with the credential")
	e.RetryAfter = wait
	return e
}
