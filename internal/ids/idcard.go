package ids

import (
	"errors"
	"fmt"
	"time"
	"unicode/utf8"
)

// IDCardLength is the number of characters in a citizen identity number.
const IDCardLength = 18

// ErrIDLength reports a citizen identity number that does not have exactly
// 18 characters.
var ErrIDLength = errors.New("idcard: wrong length")

// ErrIDChar reports a citizen identity number with a character other than
// a digit in positions 1-17, or other than a digit or uppercase "X" in
// position 18.
var ErrIDChar = errors.New("idcard: invalid character")

// ErrIDBirthDate reports a citizen identity number whose birth date
// (positions 7-14) is not a calendar date, is before 1850-01-01 or is after
// the current date.
var ErrIDBirthDate = errors.New("idcard: invalid birth date")

// ErrIDCheck reports a citizen identity number whose last character does
// not match the check character computed from the first 17.
var ErrIDCheck = errors.New("idcard: check character mismatch")

// idWeights are the GB 11643-1999 weights for positions 1-17
// (2^(18-i) mod 11).
var idWeights = [IDCardLength - 1]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// idCheckChars maps the weighted sum mod 11 to the check character.
const idCheckChars = "10X98765432"

// earliestBirthYear is the first year accepted in a birth date; birth
// dates before January 1 of that year are rejected.
const earliestBirthYear = 1850

// ValidateIDCard is [ValidateIDCardAt] with the current time.
func ValidateIDCard(s string) error {
	return ValidateIDCardAt(s, time.Now())
}

// ValidateIDCardAt reports whether s is a well-formed citizen identity
// number as of now: 17 ASCII digits followed by a digit or an uppercase
// "X", a birth date in positions 7-14 that is a real calendar date between
// 1850-01-01 and the calendar date of now (in now's location), and a
// matching check character.
//
// The input is not trimmed or case-folded, so a lowercase "x" is rejected.
// The region code in positions 1-6 is not looked up; use [KnownRegion] for
// that, bearing in mind that identity numbers keep the region code that was
// current when they were issued.
//
// The returned error wraps [ErrIDLength], [ErrIDChar], [ErrIDBirthDate] or
// [ErrIDCheck], checked in that order.
func ValidateIDCardAt(s string, now time.Time) error {
	if count := utf8.RuneCountInString(s); count != IDCardLength {
		return fmt.Errorf("%w: got %d characters, want %d", ErrIDLength, count, IDCardLength)
	}
	pos := 0
	for _, r := range s {
		pos++
		switch {
		case r >= '0' && r <= '9':
		case r == 'X' && pos == IDCardLength:
		case r == 'x' && pos == IDCardLength:
			return fmt.Errorf("%w 'x' at position %d (the check character must be an uppercase X)", ErrIDChar, pos)
		case pos == IDCardLength:
			return fmt.Errorf("%w %q at position %d (want a digit or X)", ErrIDChar, r, pos)
		default:
			return fmt.Errorf("%w %q at position %d (want a digit)", ErrIDChar, r, pos)
		}
	}
	// All 18 runes are ASCII, so byte offsets equal positions from here on.
	birth, err := parseBirthDate(s[6:14])
	if err != nil {
		return err
	}
	y, m, d := now.Date()
	if today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC); birth.After(today) {
		return fmt.Errorf("%w: %s is after the current date %s", ErrIDBirthDate, s[6:14], today.Format("20060102"))
	}
	want := idCheck(s[:IDCardLength-1])
	if s[IDCardLength-1] != want {
		return fmt.Errorf("%w: got %q, want %q", ErrIDCheck, s[IDCardLength-1], want)
	}
	return nil
}

// IDCardCheckChar returns the check character, a digit or "X", for the
// first 17 digits of a citizen identity number: the digits are weighted
// with 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 and the sum mod 11, 0 to 10,
// selects the character from "10X98765432".
//
// The returned error wraps [ErrIDLength] or [ErrIDChar].
func IDCardCheckChar(first17 string) (byte, error) {
	if len(first17) != IDCardLength-1 {
		return 0, fmt.Errorf("%w: got %d bytes, want %d digits", ErrIDLength, len(first17), IDCardLength-1)
	}
	if !allDigits(first17) {
		return 0, fmt.Errorf("%w: %q is not all digits", ErrIDChar, first17)
	}
	return idCheck(first17), nil
}

// MakeIDCard builds a citizen identity number from a 6-digit region code,
// a birth date (its calendar date in its own location is used) and a
// sequence number from 0 to 999, whose parity gives the sex: odd for male,
// even for female. The check character is appended.
//
// The birth date must be on or after 1850-01-01 and have a 4-digit year;
// unlike [ValidateIDCardAt], MakeIDCard does not reject future dates. The
// region code is not looked up in the region table.
func MakeIDCard(region6 string, birth time.Time, seq int) (string, error) {
	if len(region6) != 6 || !allDigits(region6) {
		return "", fmt.Errorf("%w: region code %q is not 6 digits", ErrIDChar, region6)
	}
	y, m, d := birth.Date()
	if y < earliestBirthYear || y > 9999 {
		return "", fmt.Errorf("%w: year %d is outside %d-9999", ErrIDBirthDate, y, earliestBirthYear)
	}
	if seq < 0 || seq > 999 {
		return "", fmt.Errorf("idcard: sequence number %d is outside 0-999", seq)
	}
	first17 := fmt.Sprintf("%s%04d%02d%02d%03d", region6, y, int(m), d, seq)
	return first17 + string(idCheck(first17)), nil
}

// IDCardBirthDate returns the birth date in positions 7-14 of a citizen
// identity number as midnight UTC. It checks only that s has 18 bytes and
// that the date is a calendar date on or after 1850-01-01; it does not
// validate the rest of s.
//
// The returned error wraps [ErrIDLength], [ErrIDChar] or [ErrIDBirthDate].
func IDCardBirthDate(s string) (time.Time, error) {
	if len(s) != IDCardLength {
		return time.Time{}, fmt.Errorf("%w: got %d bytes, want %d", ErrIDLength, len(s), IDCardLength)
	}
	return parseBirthDate(s[6:14])
}

// IDCardMale reports whether the sequence number of a citizen identity
// number is odd, which marks a man. It returns false for a woman and for
// any s that does not have 18 bytes with a digit in position 17; it does
// not otherwise validate s.
func IDCardMale(s string) bool {
	if len(s) != IDCardLength {
		return false
	}
	c := s[16]
	return c >= '0' && c <= '9' && (c-'0')%2 == 1
}

// parseBirthDate parses an 8-byte YYYYMMDD string into midnight UTC,
// rejecting non-digits, impossible dates and dates before
// earliestBirthYear.
func parseBirthDate(ymd string) (time.Time, error) {
	if !allDigits(ymd) {
		return time.Time{}, fmt.Errorf("%w: birth date %q is not all digits", ErrIDChar, ymd)
	}
	y := atoi(ymd[0:4])
	m := atoi(ymd[4:6])
	d := atoi(ymd[6:8])
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if ty, tm, td := t.Date(); ty != y || int(tm) != m || td != d {
		return time.Time{}, fmt.Errorf("%w: %s is not a calendar date", ErrIDBirthDate, ymd)
	}
	if y < earliestBirthYear {
		return time.Time{}, fmt.Errorf("%w: %s is before %d-01-01", ErrIDBirthDate, ymd, earliestBirthYear)
	}
	return t, nil
}

// idCheck computes the check character of 17 bytes known to be digits.
func idCheck(first17 string) byte {
	sum := 0
	for i, w := range idWeights {
		sum += int(first17[i]-'0') * w
	}
	return idCheckChars[sum%11]
}

// atoi converts a short string of ASCII digits to an int.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
