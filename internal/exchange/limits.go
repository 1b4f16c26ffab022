package exchange

import (
	"sync"
	"time"

	"huitong/internal/sharing"
)

// limiter keeps a token bucket per grant: Rate tokens a second, up to a
// burst of one second's worth (at least one call). Buckets live in this
// process; instances sharing one PostgreSQL database each allow the rate.
type limiter struct {
	mu      sync.Mutex
	buckets map[int64]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// allow takes a token for the grant, or says how long until one is free.
func (l *limiter) allow(g sharing.Grant, now time.Time) (time.Duration, bool) {
	if g.Rate <= 0 {
		return time.Second, false
	}
	burst := max(1, g.Rate)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buckets == nil {
		l.buckets = map[int64]*bucket{}
	}
	b, ok := l.buckets[g.ID]
	if !ok {
		b = &bucket{tokens: burst, last: now}
		l.buckets[g.ID] = b
	}
	if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
		b.tokens = min(burst, b.tokens+elapsed*g.Rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return 0, true
	}
	return time.Duration((1 - b.tokens) / g.Rate * float64(time.Second)), false
}

// chinaTime is UTC+8, the day boundary of daily quotas.
var chinaTime = time.FixedZone("CST", 8*3600)

func day(t time.Time) string { return t.In(chinaTime).Format(time.DateOnly) }

func nextDay(t time.Time) time.Time {
	y, m, d := t.In(chinaTime).Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, chinaTime)
}

// quotas counts the records each grant received today (UTC+8), in this
// process.
type quotas struct {
	mu   sync.Mutex
	used map[int64]usage
}

type usage struct {
	day     string
	records int64
}

// remaining is how many records the grant may still receive today.
func (q *quotas) remaining(g sharing.Grant, now time.Time) int64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	u := q.used[g.ID]
	if u.day != day(now) {
		return g.DailyQuota
	}
	return max(0, g.DailyQuota-u.records)
}

func (q *quotas) add(g sharing.Grant, now time.Time, n int64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.used == nil {
		q.used = map[int64]usage{}
	}
	d := day(now)
	u := q.used[g.ID]
	if u.day != d {
		u = usage{day: d}
	}
	u.records += n
	q.used[g.ID] = u
}
