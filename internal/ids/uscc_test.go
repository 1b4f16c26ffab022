package ids

import (
	"errors"
	"strings"
	"testing"
)

// Worked example for 91350100M000100Y43, by hand:
//
//	chars   9  1  3  5   0  1  0  0  M   0  0  0  1  0  0  Y   4
//	values  9  1  3  5   0  1  0  0  21  0  0  0  1  0  0  30  4
//	weights 1  3  9  27 19 26 16 17  20 29 25 13  8 24 10  30  28
//	products 9+3+27+135+26+420+8+900+112 = 1640
//	1640 mod 31 = 28, 31 - 28 = 3 -> check '3'
//
// The other vectors were cross-checked with an independent implementation.
var validUSCCs = []string{
	"91350100M000100Y43", // real code
	"91110000600037341L", // real code
	"91110105MA01ABCDEB",
	"12100000400000624D",
	"114403051234567899",
	"Y1350100000000000U",
	"911101000000000040", // sum mod 31 == 0: check value 31 is written '0'
	"91110100000000023Y", // check value 30, the last alphabet character
}

func TestValidateUSCC(t *testing.T) {
	for _, s := range validUSCCs {
		if err := ValidateUSCC(s); err != nil {
			t.Errorf("ValidateUSCC(%q) = %v, want nil", s, err)
		}
	}

	tests := []struct {
		name    string
		in      string
		want    error
		wantMsg string // substring of the error message
	}{
		{"empty", "", ErrUSCCLength, "code has 0 characters"},
		{"17 chars", "91350100M000100Y4", ErrUSCCLength, "has 17 characters, want 18"},
		{"19 chars", "91350100M000100Y433", ErrUSCCLength, "has 19"},
		{"trailing space", "91350100M000100Y43 ", ErrUSCCLength, ""},
		{"leading space", " 91350100M000100Y43", ErrUSCCLength, ""},
		{"lowercase", "91350100m000100Y43", ErrUSCCChar, "position 9"},
		{"letter I", "91350100I000100Y43", ErrUSCCChar, "'I' (the letters I, O, S, V and Z are not used) at position 9 of code"},
		{"letter O", "91350100O000100Y43", ErrUSCCChar, "'O'"},
		{"letter S", "91350100S000100Y43", ErrUSCCChar, "'S'"},
		{"letter V", "91350100V000100Y43", ErrUSCCChar, "'V'"},
		{"letter Z", "91350100Z000100Y43", ErrUSCCChar, "'Z'"},
		{"forbidden check char", "91350100M000100Y4O", ErrUSCCChar, "position 18"},
		{"punctuation", "91350100-000100Y43", ErrUSCCChar, "'-' at position 9 of code"},
		{"space inside", "91350100 000100Y43", ErrUSCCChar, "position 9"},
		{"full-width digit", "９1350100M000100Y43", ErrUSCCChar, "'９' at position 1"},
		{"invalid UTF-8", "\xff1350100M000100Y43", ErrUSCCChar, "position 1"},
		{"wrong check", "91350100M000100Y44", ErrUSCCCheck, "got '4', want '3'"},
		{"wrong check 2", "91110000600037341K", ErrUSCCCheck, "want 'L'"},
		{"transposed", "91350100M000100Y34", ErrUSCCCheck, ""},
		{"wrong check zero", "911101000000000041", ErrUSCCCheck, "want '0'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateUSCC(tt.in)
			if !errors.Is(err, tt.want) {
				t.Fatalf("ValidateUSCC(%q) = %v, want %v", tt.in, err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("ValidateUSCC(%q) = %q, want it to contain %q", tt.in, err, tt.wantMsg)
			}
		})
	}
}

// TestUSCCDetectsSubstitutions checks that changing any one of the first
// 17 characters of a valid code to any other character of the alphabet is
// caught: the weights are non-zero modulo the prime 31.
func TestUSCCDetectsSubstitutions(t *testing.T) {
	for _, s := range validUSCCs {
		for i := 0; i < USCCLength-1; i++ {
			for j := 0; j < len(USCCAlphabet); j++ {
				c := USCCAlphabet[j]
				if c == s[i] {
					continue
				}
				mut := s[:i] + string(c) + s[i+1:]
				want := ErrUSCCCheck
				if i >= 2 && i < 8 && (c < '0' || c > '9') {
					want = ErrUSCCChar // a letter in the region code
				}
				if err := ValidateUSCC(mut); !errors.Is(err, want) {
					t.Fatalf("ValidateUSCC(%q) = %v, want %v", mut, err, want)
				}
			}
		}
	}
}

func TestUSCCCheckChar(t *testing.T) {
	for _, s := range validUSCCs {
		got, err := USCCCheckChar(s[:17])
		if err != nil || got != s[17] {
			t.Errorf("USCCCheckChar(%q) = %q, %v, want %q, nil", s[:17], got, err, s[17])
		}
	}
	tests := []struct {
		in   string
		want error
	}{
		{"", ErrUSCCLength},
		{"91350100M000100Y", ErrUSCCLength},
		{"91350100M000100Y43", ErrUSCCLength},
		{"91350100M000100V4", ErrUSCCChar},
		{"91350100m000100Y4", ErrUSCCChar},
	}
	for _, tt := range tests {
		if got, err := USCCCheckChar(tt.in); !errors.Is(err, tt.want) || got != 0 {
			t.Errorf("USCCCheckChar(%q) = %q, %v, want 0, %v", tt.in, got, err, tt.want)
		}
	}
}

func TestUSCCRegion(t *testing.T) {
	tests := []struct{ in, want string }{
		{"91350100M000100Y43", "350100"},
		{"91110000600037341L", "110000"},
		{"91440305", "440305"},
		{"9144030", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := USCCRegion(tt.in); got != tt.want {
			t.Errorf("USCCRegion(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNormalizeUSCC(t *testing.T) {
	tests := []struct{ in, want string }{
		{"91350100M000100Y43", "91350100M000100Y43"},
		{" 91350100m000100y43\t\n", "91350100M000100Y43"},
		{"\u300091110000600037341l", "91110000600037341L"}, // ideographic space
		{"", ""},
		{"9135 0100", "9135 0100"}, // inner spaces are kept
	}
	for _, tt := range tests {
		got := NormalizeUSCC(tt.in)
		if got != tt.want {
			t.Errorf("NormalizeUSCC(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if err := ValidateUSCC(NormalizeUSCC(" 91350100m000100y43 ")); err != nil {
		t.Errorf("normalised code does not validate: %v", err)
	}
}

func TestMakeUSCC(t *testing.T) {
	tests := []struct {
		prefix, region, org string
		want                string
		wantErr             error
	}{
		{"91", "350100", "M000100Y4", "91350100M000100Y43", nil},
		{"91", "110000", "600037341", "91110000600037341L", nil},
		{"Y1", "350100", "000000000", "Y1350100000000000U", nil},
		{"9", "350100", "M000100Y4", "", ErrUSCCLength},
		{"911", "350100", "M000100Y4", "", ErrUSCCLength},
		{"9I", "350100", "M000100Y4", "", ErrUSCCChar},
		{"91", "35010", "M000100Y4", "", ErrUSCCChar},
		{"91", "35010A", "M000100Y4", "", ErrUSCCChar},
		{"91", "350100", "M000100Y", "", ErrUSCCLength},
		{"91", "350100", "M000100YO", "", ErrUSCCChar},
		{"91", "350100", "m000100Y4", "", ErrUSCCChar},
	}
	for _, tt := range tests {
		got, err := MakeUSCC(tt.prefix, tt.region, tt.org)
		if got != tt.want || !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
			t.Errorf("MakeUSCC(%q, %q, %q) = %q, %v, want %q, %v", tt.prefix, tt.region, tt.org, got, err, tt.want, tt.wantErr)
		}
	}
}

func FuzzValidateUSCC(f *testing.F) {
	for _, s := range validUSCCs {
		f.Add(s)
	}
	f.Add("91350100M000100Y44")
	f.Add("91350100I000100Y43")
	f.Fuzz(func(t *testing.T, s string) {
		err := ValidateUSCC(s)
		if err != nil {
			if !errors.Is(err, ErrUSCCLength) && !errors.Is(err, ErrUSCCChar) && !errors.Is(err, ErrUSCCCheck) {
				t.Fatalf("ValidateUSCC(%q) = %v, want a sentinel error", s, err)
			}
			return
		}
		c, err := USCCCheckChar(s[:17])
		if err != nil || c != s[17] {
			t.Fatalf("USCCCheckChar(%q) = %q, %v for valid %q", s[:17], c, err, s)
		}
		if n := NormalizeUSCC(s); n != s {
			t.Fatalf("NormalizeUSCC(%q) = %q, want it unchanged", s, n)
		}
		if got, want := USCCRegion(s), s[2:8]; got != want {
			t.Fatalf("USCCRegion(%q) = %q, want %q", s, got, want)
		}
		if allDigits(s[2:8]) {
			m, err := MakeUSCC(s[:2], s[2:8], s[8:17])
			if err != nil || m != s {
				t.Fatalf("MakeUSCC of parts of %q = %q, %v", s, m, err)
			}
		}
	})
}

func FuzzMakeUSCC(f *testing.F) {
	f.Add("91", "350100", "M000100Y4")
	f.Add("Y1", "110105", "MA01ABCDE")
	f.Add("9I", "35010A", "M000100Y")
	f.Fuzz(func(t *testing.T, prefix2, region6, orgcode9 string) {
		s, err := MakeUSCC(prefix2, region6, orgcode9)
		if err != nil {
			if s != "" {
				t.Fatalf("MakeUSCC returned %q with error %v", s, err)
			}
			return
		}
		if err := ValidateUSCC(s); err != nil {
			t.Fatalf("ValidateUSCC(MakeUSCC(%q, %q, %q) = %q) = %v", prefix2, region6, orgcode9, s, err)
		}
		if s[:17] != prefix2+region6+orgcode9 || USCCRegion(s) != region6 {
			t.Fatalf("MakeUSCC(%q, %q, %q) = %q does not keep its parts", prefix2, region6, orgcode9, s)
		}
	})
}

func TestValidateUSCCRegionDigits(t *testing.T) {
	// A check character computed over letters in the region positions does
	// not make the code valid.
	first := "9135A100M000100Y4"
	c, err := USCCCheckChar(first)
	if err != nil {
		t.Fatal(err)
	}
	if err := ValidateUSCC(first + string(c)); !errors.Is(err, ErrUSCCChar) {
		t.Errorf("ValidateUSCC with a letter in the region = %v, want ErrUSCCChar", err)
	}
}
