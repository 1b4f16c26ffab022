package ids

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// testNow is the fixed "current time" used with ValidateIDCardAt.
var testNow = time.Date(2025, 6, 15, 12, 0, 0, 0, time.UTC)

// Worked example for 11010519491231002X, by hand:
//
//	digits   1 1  0 1 0 5 1 9 4 9 1 2  3 1 0 0 2
//	weights  7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
//	products 7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4 = 167
//	167 mod 11 = 2 -> "10X98765432"[2] = 'X'
//
// The other vectors were cross-checked with an independent implementation.
var validIDCards = []string{
	"11010519491231002X", // standard example
	"440524188001010014", // standard example
	"110105200002291235", // leap day 2000-02-29
	"110105202402290011", // leap day 2024-02-29
	"440305199003070014",
	"110105194912310003",
	"110105185001011235", // earliest accepted date
	"110105202506151235", // born on the day of testNow
}

func TestValidateIDCardAt(t *testing.T) {
	for _, s := range validIDCards {
		if err := ValidateIDCardAt(s, testNow); err != nil {
			t.Errorf("ValidateIDCardAt(%q) = %v, want nil", s, err)
		}
	}

	tests := []struct {
		name    string
		in      string
		want    error
		wantMsg string
	}{
		{"empty", "", ErrIDLength, "got 0 characters, want 18"},
		{"17 digits", "11010519491231002", ErrIDLength, "got 17"},
		{"19 chars", "11010519491231002X0", ErrIDLength, "got 19"},
		{"old 15-digit", "110105491231002", ErrIDLength, "got 15"},
		{"trailing space", "11010519491231002X ", ErrIDLength, ""},
		{"lowercase x", "11010519491231002x", ErrIDChar, "uppercase X"},
		{"X inside", "1101051949123100X2", ErrIDChar, "position 17"},
		{"letter inside", "1101051949A231002X", ErrIDChar, "'A' at position 11"},
		{"bad last char", "11010519491231002Y", ErrIDChar, "position 18"},
		{"full-width digit", "１1010519491231002X", ErrIDChar, "position 1"},
		{"invalid UTF-8", "1101051949123100\xff2", ErrIDChar, "position 17"},
		{"1900 not leap", "110105190002291239", ErrIDBirthDate, "19000229 is not a calendar date"},
		{"2023 not leap", "110105202302290014", ErrIDBirthDate, "not a calendar date"},
		{"month 13", "110105194913310021", ErrIDBirthDate, "not a calendar date"},
		{"February 30", "110105194902300020", ErrIDBirthDate, "not a calendar date"},
		{"zero month and day", "110105194900000024", ErrIDBirthDate, "not a calendar date"},
		{"before 1850", "110105184912311234", ErrIDBirthDate, "before 1850-01-01"},
		{"tomorrow", "110105202506161230", ErrIDBirthDate, "after the current date 20250615"},
		{"wrong check", "110105194912310021", ErrIDCheck, "got '1', want 'X'"},
		{"wrong check X", "44052418800101001X", ErrIDCheck, "want '4'"},
		{"transposed", "440524188001010041", ErrIDCheck, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateIDCardAt(tt.in, testNow)
			if !errors.Is(err, tt.want) {
				t.Fatalf("ValidateIDCardAt(%q) = %v, want %v", tt.in, err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("ValidateIDCardAt(%q) = %q, want it to contain %q", tt.in, err, tt.wantMsg)
			}
		})
	}
}

// TestValidateIDCardAtLocation checks that "today" is the calendar date of
// now in now's own location.
func TestValidateIDCardAtLocation(t *testing.T) {
	beijing := time.FixedZone("CST", 8*3600)
	now := time.Date(2025, 6, 16, 0, 30, 0, 0, beijing) // 2025-06-15 16:30 UTC
	if err := ValidateIDCardAt("110105202506161230", now); err != nil {
		t.Errorf("born 2025-06-16 at %v: %v, want nil", now, err)
	}
	if err := ValidateIDCardAt("110105202506161230", now.UTC()); !errors.Is(err, ErrIDBirthDate) {
		t.Errorf("born 2025-06-16 at %v: %v, want ErrIDBirthDate", now.UTC(), err)
	}
}

func TestValidateIDCard(t *testing.T) {
	for _, s := range validIDCards[:4] {
		if err := ValidateIDCard(s); err != nil {
			t.Errorf("ValidateIDCard(%q) = %v, want nil", s, err)
		}
	}
	future, err := MakeIDCard("110105", time.Now().AddDate(0, 0, 2), 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := ValidateIDCard(future); !errors.Is(err, ErrIDBirthDate) {
		t.Errorf("ValidateIDCard(%q) = %v, want ErrIDBirthDate", future, err)
	}
	if err := ValidateIDCard("11010519491231002x"); !errors.Is(err, ErrIDChar) {
		t.Errorf("ValidateIDCard(lowercase x) = %v, want ErrIDChar", err)
	}
}

// TestIDCardDetectsSubstitutions checks that changing any one of the first
// 17 digits of a valid number to another digit is caught, provided the
// birth date stays valid.
func TestIDCardDetectsSubstitutions(t *testing.T) {
	for _, s := range validIDCards {
		for i := 0; i < IDCardLength-1; i++ {
			for c := byte('0'); c <= '9'; c++ {
				if c == s[i] {
					continue
				}
				mut := s[:i] + string(c) + s[i+1:]
				err := ValidateIDCardAt(mut, testNow)
				if err == nil || (!errors.Is(err, ErrIDCheck) && !errors.Is(err, ErrIDBirthDate)) {
					t.Fatalf("ValidateIDCardAt(%q) = %v, want ErrIDCheck or ErrIDBirthDate", mut, err)
				}
			}
		}
	}
}

func TestIDCardCheckChar(t *testing.T) {
	for _, s := range validIDCards {
		got, err := IDCardCheckChar(s[:17])
		if err != nil || got != s[17] {
			t.Errorf("IDCardCheckChar(%q) = %q, %v, want %q, nil", s[:17], got, err, s[17])
		}
	}
	tests := []struct {
		in   string
		want error
	}{
		{"", ErrIDLength},
		{"1101051949123100", ErrIDLength},
		{"11010519491231002X", ErrIDLength},
		{"1101051949123100X", ErrIDChar},
		{"1101051949123100 ", ErrIDChar},
	}
	for _, tt := range tests {
		if got, err := IDCardCheckChar(tt.in); !errors.Is(err, tt.want) || got != 0 {
			t.Errorf("IDCardCheckChar(%q) = %q, %v, want 0, %v", tt.in, got, err, tt.want)
		}
	}
}

func TestMakeIDCard(t *testing.T) {
	date := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	beijing := time.FixedZone("CST", 8*3600)
	tests := []struct {
		name    string
		region  string
		birth   time.Time
		seq     int
		want    string
		wantErr error
	}{
		{"example X", "110105", date(1949, 12, 31), 2, "11010519491231002X", nil},
		{"example 1880", "440524", date(1880, 1, 1), 1, "440524188001010014", nil},
		{"leap day", "110105", date(2000, 2, 29), 123, "110105200002291235", nil},
		{"earliest", "110105", date(1850, 1, 1), 123, "110105185001011235", nil},
		{"seq 0", "110105", date(1949, 12, 31), 0, "110105194912310003", nil},
		{"local date used", "110105", time.Date(2000, 2, 29, 23, 0, 0, 0, beijing), 123, "110105200002291235", nil},
		{"future allowed", "110105", date(2999, 1, 1), 1, "", nil}, // checked below
		{"short region", "11010", date(1949, 12, 31), 2, "", ErrIDChar},
		{"letter in region", "11010A", date(1949, 12, 31), 2, "", ErrIDChar},
		{"before 1850", "110105", date(1849, 12, 31), 2, "", ErrIDBirthDate},
		{"5-digit year", "110105", date(10000, 1, 1), 2, "", ErrIDBirthDate},
		{"zero time", "110105", time.Time{}, 2, "", ErrIDBirthDate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := MakeIDCard(tt.region, tt.birth, tt.seq)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || got != "" {
					t.Fatalf("MakeIDCard = %q, %v, want error %v", got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("MakeIDCard = %v", err)
			}
			if tt.want != "" && got != tt.want {
				t.Errorf("MakeIDCard = %q, want %q", got, tt.want)
			}
			y, m, d := tt.birth.Date()
			if err := ValidateIDCardAt(got, time.Date(y, m, d, 0, 0, 0, 0, time.UTC)); err != nil {
				t.Errorf("ValidateIDCardAt(%q) = %v", got, err)
			}
		})
	}
	for _, seq := range []int{-1, 1000} {
		if got, err := MakeIDCard("110105", date(1949, 12, 31), seq); err == nil {
			t.Errorf("MakeIDCard(seq %d) = %q, want an error", seq, got)
		}
	}
}

func TestIDCardBirthDate(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Time
		wantErr error
	}{
		{"11010519491231002X", time.Date(1949, 12, 31, 0, 0, 0, 0, time.UTC), nil},
		{"110105200002291235", time.Date(2000, 2, 29, 0, 0, 0, 0, time.UTC), nil},
		{"110105194912310021", time.Date(1949, 12, 31, 0, 0, 0, 0, time.UTC), nil}, // check not verified
		{"110105209901010000", time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC), nil},   // future not rejected
		{"", time.Time{}, ErrIDLength},
		{"11010519491231002", time.Time{}, ErrIDLength},
		{"1101051949A231002X", time.Time{}, ErrIDChar},
		{"110105190002291239", time.Time{}, ErrIDBirthDate},
		{"110105184912311234", time.Time{}, ErrIDBirthDate},
	}
	for _, tt := range tests {
		got, err := IDCardBirthDate(tt.in)
		if !got.Equal(tt.want) || got.Location() != time.UTC || !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
			t.Errorf("IDCardBirthDate(%q) = %v, %v, want %v, %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestIDCardMale(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"11010519491231002X", false}, // sequence 002
		{"440524188001010014", true},  // sequence 001
		{"110105200002291235", true},  // sequence 123
		{"110105194912310003", false}, // sequence 000
		{"1101051949123100AX", false},
		{"1101051949123100", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := IDCardMale(tt.in); got != tt.want {
			t.Errorf("IDCardMale(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func FuzzValidateIDCard(f *testing.F) {
	for _, s := range validIDCards {
		f.Add(s)
	}
	f.Add("11010519491231002x")
	f.Add("110105190002291239")
	f.Fuzz(func(t *testing.T, s string) {
		_ = ValidateIDCard(s)
		_ = IDCardMale(s)
		_, _ = IDCardBirthDate(s)
		err := ValidateIDCardAt(s, testNow)
		if err != nil {
			if !errors.Is(err, ErrIDLength) && !errors.Is(err, ErrIDChar) &&
				!errors.Is(err, ErrIDBirthDate) && !errors.Is(err, ErrIDCheck) {
				t.Fatalf("ValidateIDCardAt(%q) = %v, want a sentinel error", s, err)
			}
			return
		}
		c, err := IDCardCheckChar(s[:17])
		if err != nil || c != s[17] {
			t.Fatalf("IDCardCheckChar(%q) = %q, %v for valid %q", s[:17], c, err, s)
		}
		birth, err := IDCardBirthDate(s)
		if err != nil {
			t.Fatalf("IDCardBirthDate(%q) = %v for a valid number", s, err)
		}
		seq := atoi(s[14:17])
		if IDCardMale(s) != (seq%2 == 1) {
			t.Fatalf("IDCardMale(%q) = %v", s, IDCardMale(s))
		}
		m, err := MakeIDCard(s[:6], birth, seq)
		if err != nil || m != s {
			t.Fatalf("MakeIDCard of parts of %q = %q, %v", s, m, err)
		}
	})
}

func FuzzMakeIDCard(f *testing.F) {
	f.Add("110105", 1949, 12, 31, 2)
	f.Add("440524", 1880, 1, 1, 1)
	f.Add("11010A", 1900, 2, 29, 1000)
	f.Fuzz(func(t *testing.T, region6 string, year, month, day, seq int) {
		birth := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
		s, err := MakeIDCard(region6, birth, seq)
		if err != nil {
			if s != "" {
				t.Fatalf("MakeIDCard returned %q with error %v", s, err)
			}
			return
		}
		if err := ValidateIDCardAt(s, birth); err != nil {
			t.Fatalf("ValidateIDCardAt(MakeIDCard(%q, %v, %d) = %q) = %v", region6, birth, seq, s, err)
		}
		if got, err := IDCardBirthDate(s); err != nil || !got.Equal(birth) {
			t.Fatalf("IDCardBirthDate(%q) = %v, %v, want %v", s, got, err, birth)
		}
		if s[:6] != region6 || atoi(s[14:17]) != seq || IDCardMale(s) != (seq%2 == 1) {
			t.Fatalf("MakeIDCard(%q, %v, %d) = %q does not keep its parts", region6, birth, seq, s)
		}
	})
}
