package license

import (
	"context"
	"testing"
	"time"

	"huitong"
)

func TestLimitLookup(t *testing.T) {
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := &Service{Now: func() time.Time { return clock }, IdentifierRate: 2, IdentifierBurst: 3}
	from := func(addr string) context.Context {
		return huitong.WithRequest(context.Background(), huitong.Request{ClientIP: addr})
	}
	for i := 0; i < 3; i++ {
		if err := s.limitLookup(from("10.0.0.1")); err != nil {
			t.Fatalf("lookup %d within the burst: %v", i, err)
		}
	}
	err := s.limitLookup(from("10.0.0.1"))
	var he *huitong.Error
	if huitong.ErrorKind(err) != huitong.RateLimited || !asError(err, &he) || he.RetryAfter != 1 {
		t.Fatalf("over the burst: %v", err)
	}
	// Other addresses and calls from inside the program are not limited.
	if err := s.limitLookup(from("10.0.0.2")); err != nil {
		t.Errorf("another address: %v", err)
	}
	if err := s.limitLookup(context.Background()); err != nil {
		t.Errorf("no address: %v", err)
	}
	// Tokens come back at the rate.
	clock = clock.Add(500 * time.Millisecond)
	if err := s.limitLookup(from("10.0.0.1")); err != nil {
		t.Errorf("after refill: %v", err)
	}
	if err := s.limitLookup(from("10.0.0.1")); err == nil {
		t.Error("second lookup after one token came back")
	}
	// A zero rate does not limit.
	s.IdentifierRate = 0
	for i := 0; i < 10; i++ {
		if err := s.limitLookup(from("10.0.0.1")); err != nil {
			t.Fatal(err)
		}
	}
}

func asError(err error, target **huitong.Error) bool {
	e, ok := err.(*huitong.Error)
	*target = e
	return ok
}
