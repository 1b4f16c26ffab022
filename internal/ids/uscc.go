package ids

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// USCCLength is the number of characters in a unified social credit code.
const USCCLength = 18

// USCCAlphabet lists the characters allowed in a unified social credit
// code; the index of a character is its numeric value (0-30).
const USCCAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// ErrUSCCLength reports a unified social credit code that does not have
// exactly 18 characters.
var ErrUSCCLength = errors.New("uscc: wrong length")

// ErrUSCCChar reports a character outside [USCCAlphabet] in a unified
// social credit code, including lowercase letters.
var ErrUSCCChar = errors.New("uscc: invalid character")

// ErrUSCCCheck reports a unified social credit code whose last character
// does not match the check character computed from the first 17.
var ErrUSCCCheck = errors.New("uscc: check character mismatch")

// usccWeights are the GB 32100-2015 weights for positions 1-17
// (3^(i-1) mod 31).
var usccWeights = [USCCLength - 1]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// usccValues maps a byte to its value in USCCAlphabet, or -1.
var usccValues = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(USCCAlphabet); i++ {
		t[USCCAlphabet[i]] = int8(i)
	}
	return t
}()

// ValidateUSCC reports whether s is a well-formed unified social credit
// code: exactly 18 characters from [USCCAlphabet] (uppercase only) whose
// last character is the check character of the first 17, with a six-digit
// region code in positions 3-8.
//
// The input is not trimmed or case-folded; use [NormalizeUSCC] first for
// user input. The region code in positions 3-8 is not looked up; use
// [KnownRegion] on [USCCRegion] for that.
//
// The returned error wraps [ErrUSCCLength], [ErrUSCCChar] or
// [ErrUSCCCheck].
func ValidateUSCC(s string) error {
	if err := usccChars(s, USCCLength, "code"); err != nil {
		return err
	}
	for i := 2; i < 8; i++ {
		if s[i] < '0' || s[i] > '9' {
			return fmt.Errorf("%w: %q at position %d: the region code (positions 3-8) is six digits", ErrUSCCChar, s[i], i+1)
		}
	}
	want := usccCheck(s[:USCCLength-1])
	if s[USCCLength-1] != want {
		return fmt.Errorf("%w: got %q, want %q", ErrUSCCCheck, s[USCCLength-1], want)
	}
	return nil
}

// USCCCheckChar returns the check character for the first 17 characters
// of a unified social credit code. The check value is 31 - (sum mod 31),
// where the sum weighs each character's value with the GB 32100-2015
// weights 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28; a check value of
// 31 is written as "0".
//
// The returned error wraps [ErrUSCCLength] or [ErrUSCCChar].
func USCCCheckChar(first17 string) (byte, error) {
	if err := usccChars(first17, USCCLength-1, "input"); err != nil {
		return 0, err
	}
	return usccCheck(first17), nil
}

// USCCRegion returns the 6-character region code (positions 3-8) of a
// unified social credit code, or "" if s is shorter than 8 bytes. It does
// not validate s.
func USCCRegion(s string) string {
	if len(s) < 8 {
		return ""
	}
	return s[2:8]
}

// NormalizeUSCC trims leading and trailing white space from s and converts
// it to upper case. It does not validate the result.
func NormalizeUSCC(s string) string {
	return strings.ToUpper(strings.TrimSpace(s))
}

// MakeUSCC builds a unified social credit code from its parts and appends
// the check character. prefix2 holds the registration authority and
// organisation type characters, region6 the 6-digit region code and
// orgcode9 the 9-character organisation code; prefix2 and orgcode9 must
// use [USCCAlphabet] and region6 must be ASCII digits. The region code is
// not looked up in the region table.
func MakeUSCC(prefix2, region6, orgcode9 string) (string, error) {
	if err := usccChars(prefix2, 2, "prefix"); err != nil {
		return "", err
	}
	if len(region6) != 6 || !allDigits(region6) {
		return "", fmt.Errorf("%w: region code %q is not 6 digits", ErrUSCCChar, region6)
	}
	if err := usccChars(orgcode9, 9, "organisation code"); err != nil {
		return "", err
	}
	first17 := prefix2 + region6 + orgcode9
	return first17 + string(usccCheck(first17)), nil
}

// usccChars checks that s, described by what in messages, has exactly n
// characters, all from USCCAlphabet.
// Length and positions count runes, so a string of n characters that
// contains non-ASCII characters is reported as having an invalid character
// rather than a wrong length.
func usccChars(s string, n int, what string) error {
	if count := utf8.RuneCountInString(s); count != n {
		return fmt.Errorf("%w: %s has %d characters, want %d", ErrUSCCLength, what, count, n)
	}
	pos := 0
	for _, r := range s {
		pos++
		if r >= utf8.RuneSelf || usccValues[r] < 0 {
			return fmt.Errorf("%w %s at position %d of %s", ErrUSCCChar, describeRune(r), pos, what)
		}
	}
	return nil
}

// usccCheck computes the check character of a string of 17 characters
// already known to be from USCCAlphabet.
func usccCheck(first17 string) byte {
	sum := 0
	for i, w := range usccWeights {
		sum += int(usccValues[first17[i]]) * w
	}
	c := 31 - sum%31
	if c == 31 {
		c = 0
	}
	return USCCAlphabet[c]
}

// describeRune formats a rune for an error message, with a hint for the
// letters that USCCAlphabet leaves out and for lowercase letters.
func describeRune(r rune) string {
	switch {
	case r == 'I' || r == 'O' || r == 'S' || r == 'V' || r == 'Z':
		return fmt.Sprintf("%q (the letters I, O, S, V and Z are not used)", r)
	case r >= 'a' && r <= 'z':
		return fmt.Sprintf("%q (lowercase; letters must be uppercase)", r)
	default:
		return fmt.Sprintf("%q", r)
	}
}

// allDigits reports whether s consists of ASCII digits only.
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
