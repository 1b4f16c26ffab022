package org

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"huitong"
)

// Argon2Params are the argon2id cost parameters.
type Argon2Params struct {
	Time    uint32
	Memory  uint32 // KiB
	Threads uint8
}

// DefaultArgon2 follows RFC 9106's second recommended option (64 MiB, t=3),
// lightened to t=2 for two-core county machines; about 60 ms a login there.
var DefaultArgon2 = Argon2Params{Time: 2, Memory: 64 * 1024, Threads: 2}

const saltLen, keyLen = 16, 32

// HashPassword returns the PHC string of an argon2id hash of pw.
func HashPassword(pw string, p Argon2Params) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, keyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

var errBadHash = errors.New("malformed password hash")

// CheckPassword reports whether pw matches the PHC-encoded argon2id hash.
// It returns an error only for a malformed hash.
func CheckPassword(pw, encoded string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return false, errBadHash
	}
	var p Argon2Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return false, errBadHash
	}
	enc := base64.RawStdEncoding
	salt, err := enc.DecodeString(parts[4])
	if err != nil {
		return false, errBadHash
	}
	want, err := enc.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, errBadHash
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// ValidatePassword enforces the password policy: 8 to 128 characters with at
// least a letter and a digit.
func ValidatePassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	var letter, digit bool
	for _, r := range pw {
		switch {
		case unicode.IsLetter(r):
			letter = true
		case unicode.IsDigit(r):
			digit = true
		}
	}
	if n < 8 || n > 128 || !letter || !digit {
		return huitong.Invalidf("weak_password", "密码须为 8 至 128 位，且同时包含字母和数字",
			"the password must be 8 to 128 characters with at least one letter and one digit").
			WithDetails(huitong.FieldError{Field: "password", Code: "weak_password",
				Message: "密码须为 8 至 128 位，且同时包含字母和数字", MessageEN: "8 to 128 characters, letters and digits"})
	}
	return nil
}

// RandomPassword returns a fresh password that meets the policy.
func RandomPassword() string {
	const letters = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
	const digits = "23456789"
	b := make([]byte, 16)
	rand.Read(b)
	out := make([]byte, 16)
	for i, c := range b {
		if i%4 == 3 {
			out[i] = digits[int(c)%len(digits)]
		} else {
			out[i] = letters[int(c)%len(letters)]
		}
	}
	return string(out)
}
