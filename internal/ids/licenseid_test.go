package ids

import (
	"errors"
	"strings"
	"testing"
)

// Real identifiers; their check characters were also reproduced with an
// independent implementation.
var validLicenseIDs = []struct {
	s    string
	want LicenseID
}{
	{
		"1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.002.S",
		LicenseID{"11100000000013338W011", "11430000006122244L", "20230000403", "002", 'S'},
	},
	{
		"1.2.156.3005.2.11100000000013338W087.11370800MB28559184.37080001202411010001.001.3",
		LicenseID{"11100000000013338W087", "11370800MB28559184", "37080001202411010001", "001", '3'},
	},
	{
		"1.2.156.3005.2.11100000MB03271699022.340100.000000016.001.9",
		LicenseID{"11100000MB03271699022", "340100", "000000016", "001", '9'},
	},
}

func TestParseLicenseID(t *testing.T) {
	for _, tt := range validLicenseIDs {
		got, err := ParseLicenseID(tt.s)
		if err != nil || got != tt.want {
			t.Errorf("ParseLicenseID(%q) = %+v, %v, want %+v, nil", tt.s, got, err, tt.want)
		}
		if s := got.String(); s != tt.s {
			t.Errorf("String() = %q, want %q", s, tt.s)
		}
	}

	const good = "1.2.156.3005.2.11100000MB03271699022.340100.000000016.001.9"
	tests := []struct {
		name    string
		in      string
		want    error
		wantMsg string
	}{
		{"empty", "", ErrLicenseID, "missing prefix"},
		{"prefix only", "1.2.156.3005.2.", ErrLicenseID, "got 1 parts"},
		{"wrong prefix", "1.2.156.3005.1.11100000MB03271699022.340100.000000016.001.9", ErrLicenseID, "missing prefix"},
		{"leading space", " " + good, ErrLicenseID, "missing prefix"},
		{"4 parts", "1.2.156.3005.2.11100000MB03271699022.340100.001.9", ErrLicenseID, "got 4 parts"},
		{"6 parts", "1.2.156.3005.2.11100000MB03271699022.340100.000.000016.001.9", ErrLicenseID, "got 6 parts"},
		{"trailing dot", good + ".", ErrLicenseID, "got 6 parts"},
		{"empty type", "1.2.156.3005.2..340100.000000016.001.9", ErrLicenseID, "empty type code"},
		{"empty issuer", "1.2.156.3005.2.11100000MB03271699022..000000016.001.9", ErrLicenseID, "empty issuer code"},
		{"empty serial", "1.2.156.3005.2.11100000MB03271699022.340100..001.9", ErrLicenseID, "empty serial"},
		{"empty check", "1.2.156.3005.2.11100000MB03271699022.340100.000000016.001.", ErrLicenseID, "single character"},
		{"two check chars", good + "9", ErrLicenseID, "single character"},
		{"2-digit version", "1.2.156.3005.2.11100000MB03271699022.340100.000000016.01.9", ErrLicenseID, "version"},
		{"4-digit version", "1.2.156.3005.2.11100000MB03271699022.340100.000000016.0001.9", ErrLicenseID, "version"},
		{"letter in version", "1.2.156.3005.2.11100000MB03271699022.340100.000000016.00A.9", ErrLicenseID, "version"},
		{"lowercase issuer", "1.2.156.3005.2.11100000000013338W011.11430000006122244l.20230000403.002.S", ErrLicenseID, "issuer code has 'l' at position 18"},
		{"hyphen in serial", "1.2.156.3005.2.11100000MB03271699022.340100.0000-0016.001.9", ErrLicenseID, "serial has '-'"},
		{"non-ASCII type", "1.2.156.3005.2.１1100000MB03271699022.340100.000000016.001.9", ErrLicenseID, "type code"},
		{"lowercase check", "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.002.s", ErrLicenseID, "check 's'"},
		{"wrong check", "1.2.156.3005.2.11100000MB03271699022.340100.000000016.001.8", ErrLicenseCheck, "got '8', want '9'"},
		{"wrong check letter", "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.002.T", ErrLicenseCheck, "want 'S'"},
		{"changed version", "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.S", ErrLicenseCheck, ""},
		{"changed serial", "1.2.156.3005.2.11100000MB03271699022.340100.000000061.001.9", ErrLicenseCheck, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseLicenseID(tt.in)
			if !errors.Is(err, tt.want) {
				t.Fatalf("ParseLicenseID(%q) = %v, want %v", tt.in, err, tt.want)
			}
			if got != (LicenseID{}) {
				t.Errorf("ParseLicenseID(%q) returned %+v with an error", tt.in, got)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("ParseLicenseID(%q) = %q, want it to contain %q", tt.in, err, tt.wantMsg)
			}
		})
	}
}

func TestLicenseCheckChar(t *testing.T) {
	tests := []struct {
		in   string
		want byte
	}{
		// Hand check for "0": p = 36; t = (36+0) mod 36 = 0 -> 36;
		// p = 72 mod 37 = 35; check = (37-35) mod 36 = 2.
		{"0", '2'},
		{"ABC", 'Z'},
		{"ZZZZZZZZZZ", '0'},
		{"11100000000013338W0111143000000612224" + "4L20230000403002", 'S'},
		{"11100000MB03271699022340100000000016001", '9'},
		{"111000000000133380010000000000000001001", 'C'},
	}
	for _, tt := range tests {
		got, err := LicenseCheckChar(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("LicenseCheckChar(%q) = %q, %v, want %q, nil", tt.in, got, err, tt.want)
		}
		if !iso7064Holds(tt.in, got) {
			t.Errorf("LicenseCheckChar(%q) = %q does not satisfy ISO 7064", tt.in, got)
		}
	}
	for _, in := range []string{"", "A.B", "abc", "A B", "Ä"} {
		if got, err := LicenseCheckChar(in); !errors.Is(err, ErrLicenseID) || got != 0 {
			t.Errorf("LicenseCheckChar(%q) = %q, %v, want 0, ErrLicenseID", in, got, err)
		}
	}
}

// TestLicenseDetectsSubstitutions checks that changing any one character
// of a valid identifier's type code, issuer code or serial to another
// character of the alphabet is caught.
func TestLicenseDetectsSubstitutions(t *testing.T) {
	for _, tt := range validLicenseIDs {
		s := tt.s
		for i := len(LicenseIDPrefix); i < len(s)-6; i++ {
			if s[i] == '.' {
				continue
			}
			for j := 0; j < len(licenseAlphabet); j++ {
				c := licenseAlphabet[j]
				if c == s[i] {
					continue
				}
				mut := s[:i] + string(c) + s[i+1:]
				if _, err := ParseLicenseID(mut); !errors.Is(err, ErrLicenseCheck) {
					t.Fatalf("ParseLicenseID(%q) = %v, want ErrLicenseCheck", mut, err)
				}
			}
		}
	}
}

func TestMakeLicenseID(t *testing.T) {
	for _, tt := range validLicenseIDs {
		w := tt.want
		got, err := MakeLicenseID(w.TypeCode, w.IssuerCode, w.Serial, w.Version)
		if err != nil || got != w {
			t.Errorf("MakeLicenseID(%q, %q, %q, %q) = %+v, %v, want %+v", w.TypeCode, w.IssuerCode, w.Serial, w.Version, got, err, w)
		}
	}
	bad := [][4]string{
		{"", "340100", "000000016", "001"},
		{"11100000MB03271699022", "", "000000016", "001"},
		{"11100000MB03271699022", "340100", "", "001"},
		{"11100000MB03271699022", "340100", "000000016", ""},
		{"11100000MB03271699022", "340100", "000000016", "01"},
		{"11100000MB03271699022", "340100", "000000016", "0A1"},
		{"111.00000", "340100", "000000016", "001"},
		{"11100000MB03271699022", "340.100", "000000016", "001"},
		{"11100000MB03271699022", "340100", "0000.00016", "001"},
		{"11100000mb03271699022", "340100", "000000016", "001"},
	}
	for _, p := range bad {
		if got, err := MakeLicenseID(p[0], p[1], p[2], p[3]); !errors.Is(err, ErrLicenseID) || got != (LicenseID{}) {
			t.Errorf("MakeLicenseID(%q) = %+v, %v, want ErrLicenseID", p, got, err)
		}
	}
}

func TestLicenseIDString(t *testing.T) {
	l := LicenseID{"T", "I", "S", "001", 'C'}
	if got, want := l.String(), "1.2.156.3005.2.T.I.S.001.C"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

// iso7064Holds reports whether check is a valid ISO 7064 MOD 37,36 check
// character for s: running the recurrence over s and then adding the
// check character's value must leave 1 (mod 36).
func iso7064Holds(s string, check byte) bool {
	v := licenseValue(check)
	return v >= 0 && (licenseStep(36, s)+v)%36 == 1
}

func FuzzParseLicenseID(f *testing.F) {
	for _, tt := range validLicenseIDs {
		f.Add(tt.s)
	}
	f.Add("1.2.156.3005.2.11100000MB03271699022.340100.000000016.001.8")
	f.Add("1.2.156.3005.2....001.0")
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ParseLicenseID(s)
		if err != nil {
			if !errors.Is(err, ErrLicenseID) && !errors.Is(err, ErrLicenseCheck) {
				t.Fatalf("ParseLicenseID(%q) = %v, want a sentinel error", s, err)
			}
			if l != (LicenseID{}) {
				t.Fatalf("ParseLicenseID(%q) returned %+v with an error", s, l)
			}
			return
		}
		if got := l.String(); got != s {
			t.Fatalf("ParseLicenseID(%q).String() = %q", s, got)
		}
		c, err := LicenseCheckChar(l.TypeCode + l.IssuerCode + l.Serial + l.Version)
		if err != nil || c != l.Check {
			t.Fatalf("LicenseCheckChar for %q = %q, %v, want %q", s, c, err, l.Check)
		}
		m, err := MakeLicenseID(l.TypeCode, l.IssuerCode, l.Serial, l.Version)
		if err != nil || m != l {
			t.Fatalf("MakeLicenseID of parts of %q = %+v, %v", s, m, err)
		}
	})
}

func FuzzLicenseCheckChar(f *testing.F) {
	f.Add("0")
	f.Add("ABC")
	f.Add("11100000MB03271699022340100000000016001")
	f.Add("a.b")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := LicenseCheckChar(s)
		if err != nil {
			if !errors.Is(err, ErrLicenseID) || c != 0 {
				t.Fatalf("LicenseCheckChar(%q) = %q, %v", s, c, err)
			}
			return
		}
		if !iso7064Holds(s, c) {
			t.Fatalf("LicenseCheckChar(%q) = %q does not satisfy ISO 7064", s, c)
		}
		if n := len(s) - 3; n >= 3 && allDigits(s[n:]) {
			// Any split into type code, issuer code, serial and version
			// gives the same check character.
			l, err := MakeLicenseID(s[:1], s[1:n-1], s[n-1:n], s[n:])
			if err != nil || l.Check != c {
				t.Fatalf("MakeLicenseID split of %q = %+v, %v, want check %q", s, l, err, c)
			}
		}
	})
}
