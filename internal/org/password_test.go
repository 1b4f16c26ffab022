package org

import (
	"strings"
	"sync"
	"testing"
)

var cheap = Argon2Params{Time: 1, Memory: 1024, Threads: 1}

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("Correct horse 1", cheap)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Errorf("hash = %q", h)
	}
	h2, _ := HashPassword("Correct horse 1", cheap)
	if h == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
	for _, tc := range []struct {
		pw   string
		want bool
	}{{"Correct horse 1", true}, {"correct horse 1", false}, {"", false}, {"Correct horse 1 ", false}} {
		ok, err := CheckPassword(tc.pw, h)
		if err != nil || ok != tc.want {
			t.Errorf("CheckPassword(%q) = %v, %v; want %v", tc.pw, ok, err, tc.want)
		}
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=1024,t=1,p=1$AAAA$AAAA", "$argon2id$v=18$m=1024,t=1,p=1$AAAA$AAAA",
		"$argon2id$v=19$m=x,t=1,p=1$AAAA$AAAA", "$argon2id$v=19$m=1024,t=1,p=1$!!$AAAA", "$argon2id$v=19$m=1024,t=1,p=1$AAAA$"} {
		if _, err := CheckPassword("x", bad); err == nil {
			t.Errorf("CheckPassword accepted malformed hash %q", bad)
		}
	}
}

func TestValidatePassword(t *testing.T) {
	for pw, ok := range map[string]bool{
		"Huzhou@2026": true, "abcdefg1": true, "密码密码密码密码1": true,
		"short1": false, "abcdefgh": false, "12345678": false, strings.Repeat("a1", 65): false,
	} {
		if err := ValidatePassword(pw); (err == nil) != ok {
			t.Errorf("ValidatePassword(%q) = %v, want ok=%v", pw, err, ok)
		}
	}
	for range 20 {
		if err := ValidatePassword(RandomPassword()); err != nil {
			t.Fatalf("RandomPassword does not meet the policy: %v", err)
		}
	}
}

func TestTokenShape(t *testing.T) {
	tok, hash := newToken(sessionPrefix)
	if !looksLikeToken(tok) || len(hash) != 32 || string(HashToken(tok)) != string(hash) {
		t.Errorf("token %q hash %x", tok, hash)
	}
	app, _ := newToken(appPrefix)
	if !looksLikeToken(app) || looksLikeToken("hts_short") || looksLikeToken(strings.Repeat("x", 47)) {
		t.Error("looksLikeToken misjudges")
	}
}

// TestDummyHashConcurrent logs in with unknown names from many goroutines:
// the timing-equaliser hash is made once, without a data race.
func TestDummyHashConcurrent(t *testing.T) {
	s := &Service{Argon2: cheap}
	var wg sync.WaitGroup
	hashes := make([]string, 8)
	for i := range hashes {
		wg.Go(func() { hashes[i] = s.dummy() })
	}
	wg.Wait()
	for _, h := range hashes {
		if h == "" || h != hashes[0] {
			t.Fatalf("dummy hashes differ: %q", hashes)
		}
	}
}
