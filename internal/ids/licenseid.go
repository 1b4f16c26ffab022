package ids

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// LicenseIDPrefix is the fixed object identifier prefix of every
// electronic license identifier, including the trailing dot.
const LicenseIDPrefix = "1.2.156.3005.2."

// licenseAlphabet lists the characters allowed in the parts of an
// electronic license identifier; the index of a character is its value in
// the ISO 7064 MOD 37,36 computation.
const licenseAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

// ErrLicenseID reports a malformed electronic license identifier or part:
// a wrong prefix, a wrong number of parts, an empty part, a character
// outside 0-9 and A-Z, or a version that is not 3 digits.
var ErrLicenseID = errors.New("licenseid: malformed identifier")

// ErrLicenseCheck reports an electronic license identifier whose check
// character does not match its other parts.
var ErrLicenseCheck = errors.New("licenseid: check character mismatch")

// LicenseID is a parsed electronic license identifier (GB/T 36904-2018):
// LicenseIDPrefix followed by the dot-separated type code, issuer code,
// serial, version and check character.
type LicenseID struct {
	TypeCode   string // license type code
	IssuerCode string // code of the issuing authority
	Serial     string // serial number assigned by the issuer
	Version    string // 3-digit version
	Check      byte   // ISO 7064 MOD 37,36 check character
}

// ParseLicenseID parses and validates an electronic license identifier of
// the form 1.2.156.3005.2.{type code}.{issuer code}.{serial}.{version}.{check}.
// Every part must be non-empty and consist of digits and uppercase letters,
// the version must be 3 digits, the check a single character, and the
// check must equal [LicenseCheckChar] of the other four parts concatenated.
//
// The returned error wraps [ErrLicenseID] or [ErrLicenseCheck].
func ParseLicenseID(s string) (LicenseID, error) {
	rest, ok := strings.CutPrefix(s, LicenseIDPrefix)
	if !ok {
		return LicenseID{}, fmt.Errorf("%w: missing prefix %q", ErrLicenseID, LicenseIDPrefix)
	}
	parts := strings.Split(rest, ".")
	if len(parts) != 5 {
		return LicenseID{}, fmt.Errorf("%w: got %d parts after the prefix, want 5", ErrLicenseID, len(parts))
	}
	if len(parts[4]) != 1 {
		return LicenseID{}, fmt.Errorf("%w: check %q is not a single character", ErrLicenseID, parts[4])
	}
	l, err := MakeLicenseID(parts[0], parts[1], parts[2], parts[3])
	if err != nil {
		return LicenseID{}, err
	}
	got := parts[4][0]
	if strings.IndexByte(licenseAlphabet, got) < 0 {
		return LicenseID{}, fmt.Errorf("%w: check %q is not a digit or uppercase letter", ErrLicenseID, got)
	}
	if got != l.Check {
		return LicenseID{}, fmt.Errorf("%w: got %q, want %q", ErrLicenseCheck, got, l.Check)
	}
	return l, nil
}

// String returns the identifier in its dotted form, starting with
// LicenseIDPrefix.
func (l LicenseID) String() string {
	var b strings.Builder
	b.Grow(len(LicenseIDPrefix) + len(l.TypeCode) + len(l.IssuerCode) + len(l.Serial) + len(l.Version) + 5)
	b.WriteString(LicenseIDPrefix)
	b.WriteString(l.TypeCode)
	b.WriteByte('.')
	b.WriteString(l.IssuerCode)
	b.WriteByte('.')
	b.WriteString(l.Serial)
	b.WriteByte('.')
	b.WriteString(l.Version)
	b.WriteByte('.')
	b.WriteByte(l.Check)
	return b.String()
}

// MakeLicenseID builds an electronic license identifier from its parts
// and computes its check character. The parts must be non-empty and consist
// of digits and uppercase letters (so they contain no dots), and version
// must be 3 digits.
//
// The returned error wraps [ErrLicenseID].
func MakeLicenseID(typeCode, issuerCode, serial, version string) (LicenseID, error) {
	if err := licenseChars("type code", typeCode); err != nil {
		return LicenseID{}, err
	}
	if err := licenseChars("issuer code", issuerCode); err != nil {
		return LicenseID{}, err
	}
	if err := licenseChars("serial", serial); err != nil {
		return LicenseID{}, err
	}
	if len(version) != 3 || !allDigits(version) {
		return LicenseID{}, fmt.Errorf("%w: version %q is not 3 digits", ErrLicenseID, version)
	}
	p := licenseStep(licenseStep(licenseStep(licenseStep(36, typeCode), issuerCode), serial), version)
	return LicenseID{
		TypeCode:   typeCode,
		IssuerCode: issuerCode,
		Serial:     serial,
		Version:    version,
		Check:      licenseAlphabet[(37-p)%36],
	}, nil
}

// LicenseCheckChar returns the ISO 7064 MOD 37,36 check character of s,
// the type code, issuer code, serial and version of an electronic license
// identifier concatenated without dots. s must be non-empty and consist of
// digits and uppercase letters, whose values are 0-9 and 10-35.
//
// Starting with p = 36, each character with value v gives
// t = (p + v) mod 36, with 0 replaced by 36, and then p = 2t mod 37; the
// check character is the one whose value is (37 - p) mod 36.
//
// The returned error wraps [ErrLicenseID].
func LicenseCheckChar(s string) (byte, error) {
	if err := licenseChars("input", s); err != nil {
		return 0, err
	}
	return licenseCheck(s), nil
}

// licenseChars checks that the named part s is non-empty and uses only
// licenseAlphabet.
func licenseChars(what, s string) error {
	if s == "" {
		return fmt.Errorf("%w: empty %s", ErrLicenseID, what)
	}
	pos := 0
	for _, r := range s {
		pos++
		if r >= utf8.RuneSelf || licenseValue(byte(r)) < 0 {
			return fmt.Errorf("%w: %s has %q at position %d (want a digit or uppercase letter)", ErrLicenseID, what, r, pos)
		}
	}
	return nil
}

// licenseCheck computes the check character of a string known to use only
// licenseAlphabet.
func licenseCheck(s string) byte {
	return licenseAlphabet[(37-licenseStep(36, s))%36]
}

// licenseStep runs the ISO 7064 MOD 37,36 recurrence over s starting from
// the intermediate value p and returns the new intermediate value.
func licenseStep(p int, s string) int {
	for i := 0; i < len(s); i++ {
		t := (p + licenseValue(s[i])) % 36
		if t == 0 {
			t = 36
		}
		p = 2 * t % 37
	}
	return p
}

// licenseValue returns the value of c in licenseAlphabet, or -1.
func licenseValue(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	default:
		return -1
	}
}
