package ingest

import (
	"regexp"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want string
		kind dtErrKind
	}{
		{"2024-01-02", "2024-01-02", dtOK},
		{"2024-1-2", "2024-01-02", dtOK},
		{"2024/1/2", "2024-01-02", dtOK},
		{"2024/01/02", "2024-01-02", dtOK},
		{"2024.1.2", "2024-01-02", dtOK},
		{"2024年1月2日", "2024-01-02", dtOK},
		{"2024年01月02日", "2024-01-02", dtOK},
		{"20240102", "2024-01-02", dtOK},
		{"0001-01-01", "0001-01-01", dtOK},
		{"9999-12-31", "9999-12-31", dtOK},
		{"2024-02-29", "2024-02-29", dtOK},
		{"2000-02-29", "2000-02-29", dtOK},
		// Excel serials: 1899-12-30 plus the serial, because Excel counts
		// a 1900-02-29 that never was.
		{"45292", "2024-01-01", dtOK},
		{"43831", "2020-01-01", dtOK},
		{"36526", "2000-01-01", dtOK},
		{"10000", "1927-05-18", dtOK},
		{"80000", "2119-01-11", dtOK},
		{"45292.0", "2024-01-01", dtOK},
		{"09999", "", dtErrSerial},
		{"80001", "", dtErrSerial},
		{"45292.", "", dtErrFormat},
		{"45292.25", "", dtErrHasTime},
		{"2024-01-02 00:00", "2024-01-02", dtOK},
		{"2024-01-02T00:00:00.000", "2024-01-02", dtOK},
		{"2024-01-01T16:00:00Z", "2024-01-02", dtOK},
		{"2024-01-02 00:00:01", "", dtErrHasTime},
		{"2023-02-29", "", dtErrDay},
		{"1900-02-29", "", dtErrDay},
		{"2024-02-30", "", dtErrDay},
		{"2024-06-31", "", dtErrDay},
		{"2024-01-32", "", dtErrDay},
		{"2024-00-10", "", dtErrMonth},
		{"20241301", "", dtErrMonth},
		{"0000-01-01", "", dtErrYear},
		{"", "", dtErrFormat},
		{"2024", "", dtErrFormat},
		{"2024-01", "", dtErrFormat},
		{"2024-01-", "", dtErrFormat},
		{"2024-01-02-", "", dtErrFormat},
		{"2024-01/02", "", dtErrFormat},
		{"2024年1-2", "", dtErrFormat},
		{"24-01-02", "", dtErrFormat},
		{"12024-01-02", "", dtErrFormat},
		{"2024-123-1", "", dtErrFormat},
		{"2024-01-02x", "", dtErrFormat},
		{"2024-01-02 ", "", dtErrFormat},
		{"202401021", "", dtErrFormat},
		{"2024-01-02T", "", dtErrFormat},
	}
	for _, tt := range tests {
		got, e := dtParseDate(tt.in)
		if got != tt.want || e.kind != tt.kind {
			t.Errorf("dtParseDate(%q) = %q, %v; want %q, %v", tt.in, got, e.kind, tt.want, tt.kind)
		}
	}
}

func TestParseDateTime(t *testing.T) {
	tests := []struct {
		in   string
		want string
		kind dtErrKind
	}{
		{"2024-01-02 03:04:05", "2024-01-02T03:04:05+08:00", dtOK},
		{"2024-01-02T03:04:05", "2024-01-02T03:04:05+08:00", dtOK},
		{"2024-01-02t03:04:05z", "2024-01-02T11:04:05+08:00", dtOK},
		{"2024-01-02  03:04", "2024-01-02T03:04:00+08:00", dtOK},
		{"2024-01-02 3:04", "2024-01-02T03:04:00+08:00", dtOK},
		{"2024/1/2 3:04", "2024-01-02T03:04:00+08:00", dtOK},
		{"2024.1.2 23:59:59", "2024-01-02T23:59:59+08:00", dtOK},
		{"2024-01-02T03:04:05.5", "2024-01-02T03:04:05.5+08:00", dtOK},
		{"2024-01-02T03:04:05.123456789", "2024-01-02T03:04:05.123456789+08:00", dtOK},
		{"2024-01-02T03:04:05.100000000", "2024-01-02T03:04:05.1+08:00", dtOK},
		{"2024-01-02T03:04:05Z", "2024-01-02T11:04:05+08:00", dtOK},
		{"2024-01-02T03:04:05+08:00", "2024-01-02T03:04:05+08:00", dtOK},
		{"2024-01-02T03:04:05+0800", "2024-01-02T03:04:05+08:00", dtOK},
		{"2024-01-02T03:04:05+08", "2024-01-02T03:04:05+08:00", dtOK},
		{"2024-01-02T03:04:05-03:30", "2024-01-02T14:34:05+08:00", dtOK},
		{"2024-01-02T03:04:05+14:00", "2024-01-01T21:04:05+08:00", dtOK},
		{"2024-01-02T03:04:05 Z", "2024-01-02T11:04:05+08:00", dtOK},
		{"2024-01-02 03:04:05 +08:00", "2024-01-02T03:04:05+08:00", dtOK},
		{"2024年1月2日 3时4分5秒", "2024-01-02T03:04:05+08:00", dtOK},
		{"2024年1月2日3时4分5秒", "2024-01-02T03:04:05+08:00", dtOK},
		{"2024年1月2日 3时4分", "2024-01-02T03:04:00+08:00", dtOK},
		{"2024年1月2日 3时", "2024-01-02T03:00:00+08:00", dtOK},
		{"2024年1月2日 15点30分", "2024-01-02T15:30:00+08:00", dtOK},
		{"2024年1月2日 03:04:05", "2024-01-02T03:04:05+08:00", dtOK},
		{"2024-01-02", "2024-01-02T00:00:00+08:00", dtOK},
		{"20240102", "2024-01-02T00:00:00+08:00", dtOK},
		{"20240102T030405", "", dtErrFormat},
		{"20240102 03:04:05", "2024-01-02T03:04:05+08:00", dtOK},
		{"20240102030405", "2024-01-02T03:04:05+08:00", dtOK},
		{"20240102240000", "", dtErrHour},
		{"45292", "2024-01-01T00:00:00+08:00", dtOK},
		{"45292.5", "2024-01-01T12:00:00+08:00", dtOK},
		{"45292.9999", "2024-01-01T23:59:51+08:00", dtOK},
		{"45292.999999", "2024-01-02T00:00:00+08:00", dtOK},
		{"45292.12783564814814815", "2024-01-01T03:04:05+08:00", dtOK},
		{"9999-12-31T23:59:59.999999999", "9999-12-31T23:59:59.999999999+08:00", dtOK},
		{"0001-01-01T00:00:00", "0001-01-01T00:00:00+08:00", dtOK},
		{"0001-01-01T00:00:00+08:00", "0001-01-01T00:00:00+08:00", dtOK},
		{"9999-12-31T15:59:59Z", "9999-12-31T23:59:59+08:00", dtOK},
		{"9999-12-31T16:00:00Z", "", dtErrRange},
		{"0001-01-01T00:00:00+09:00", "", dtErrRange},
		{"2024-01-02 24:00", "", dtErrHour},
		{"2024-01-02 23:60", "", dtErrMinute},
		{"2024-01-02 23:59:60", "", dtErrSecond},
		{"2024年1月2日 3时60分", "", dtErrMinute},
		{"2024-01-02T03:04:05+14:30", "", dtErrZone},
		{"2024-01-02T03:04:05+08:61", "", dtErrZone},
		{"2024-02-30 10:00", "", dtErrDay},
		{"2024-01-02 03", "", dtErrFormat},
		{"2024-01-02 03:4", "", dtErrFormat},
		{"2024-01-02 03:04:5", "", dtErrFormat},
		{"2024-01-02 03:04:05.", "", dtErrFormat},
		{"2024-01-02 003:04", "", dtErrFormat},
		{"2024-01-02T03:04:05+8", "", dtErrFormat},
		{"2024-01-02T03:04:05+08:0", "", dtErrFormat},
		{"2024-01-02T03:04:05Z+08", "", dtErrFormat},
		{"2024-01-02T03:04:05 ", "", dtErrFormat},
		{"2024-01-0203:04", "", dtErrFormat},
		{"2024年1月2日 3时4", "", dtErrFormat},
		{"2024-01-02 3时4分", "2024-01-02T03:04:00+08:00", dtOK},
	}
	for _, tt := range tests {
		got, _, e := dtParseDateTime(tt.in)
		if got != tt.want || e.kind != tt.kind {
			t.Errorf("dtParseDateTime(%q) = %q, %v; want %q, %v", tt.in, got, e.kind, tt.want, tt.kind)
		}
	}
}

// TestExcelSerials checks the serial conversion against day counts from
// 1899-12-30 over the whole accepted range.
func TestExcelSerials(t *testing.T) {
	epoch := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	for n := 10000; n <= 80000; n += 997 {
		s := string(dtAppendInt(nil, n, 5))
		got, e := dtParseDate(s)
		if want := epoch.AddDate(0, 0, n).Format(time.DateOnly); got != want || e.kind != dtOK {
			t.Errorf("dtParseDate(%q) = %q, %v; want %q", s, got, e.kind, want)
		}
	}
}

var (
	canonicalDate     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	canonicalDateTime = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d*[1-9])?\+08:00$`)
)

// FuzzParseDate checks that the parsers never panic and that what they
// accept is canonical (parsing it again gives it back), agrees with the
// time package, and that a date is also a datetime at midnight.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{
		"2024-01-02", "2024/1/2", "2024.1.2", "2024年1月2日", "20240102", "45292", "45292.5",
		"2023-02-29", "0000-01-01", "2024-01-02 03:04:05", "2024-01-02T03:04:05.123Z",
		"2024-01-02T03:04:05+0930", "2024年1月2日 3时4分5秒", "20240102030405", "9999-12-31T23:59:59-14:00",
		"2024-01-02 00:00:00", "2024-01-01T16:00:00Z",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, de := dtParseDate(s)
		if de.kind == dtOK {
			if !canonicalDate.MatchString(d) {
				t.Fatalf("dtParseDate(%q) = %q, not YYYY-MM-DD", s, d)
			}
			if _, err := time.Parse(time.DateOnly, d); err != nil {
				t.Fatalf("dtParseDate(%q) = %q: %v", s, d, err)
			}
			if d2, e := dtParseDate(d); d2 != d || e.kind != dtOK {
				t.Fatalf("dtParseDate(%q) = %q; again: %q, %v", s, d, d2, e.kind)
			}
		}
		dt, tm, e := dtParseDateTime(s)
		if e.kind != dtOK {
			if de.kind == dtOK {
				t.Fatalf("dtParseDate(%q) = %q but dtParseDateTime fails: %v", s, d, e.kind)
			}
			return
		}
		if !canonicalDateTime.MatchString(dt) {
			t.Fatalf("dtParseDateTime(%q) = %q, not canonical", s, dt)
		}
		pt, err := time.Parse(time.RFC3339Nano, dt)
		if err != nil || !pt.Equal(tm) {
			t.Fatalf("dtParseDateTime(%q) = %q, %v; time.Parse: %v, %v", s, dt, tm, pt, err)
		}
		if dt2, _, e := dtParseDateTime(dt); dt2 != dt || e.kind != dtOK {
			t.Fatalf("dtParseDateTime(%q) = %q; again: %q, %v", s, dt, dt2, e.kind)
		}
		if de.kind == dtOK && dt != d+"T00:00:00+08:00" {
			t.Fatalf("dtParseDate(%q) = %q but dtParseDateTime = %q", s, d, dt)
		}
	})
}
