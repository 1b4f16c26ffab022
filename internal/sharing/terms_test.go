package sharing

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"huitong"
	"huitong/internal/catalog"
)

var now = time.Date(2026, 3, 1, 8, 30, 0, 0, time.UTC)

func testResource() catalog.Resource {
	return catalog.Resource{Code: "JC-002486211-0001", Name: "人口基础信息", ShareType: catalog.ShareConditional,
		Fields: []catalog.Field{
			{Name: "id_card", Level: 3, Key: true},
			{Name: "name", Level: 3},
			{Name: "gender", Level: 2},
			{Name: "address", Level: 3},
			{Name: "diagnosis", Level: 4},
		}}
}

// problems returns "field:code" for each detail of a validation error.
func problems(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var he *huitong.Error
	if !errors.As(err, &he) || he.Kind != huitong.Invalid || he.Code != "validation_failed" {
		t.Fatalf("error %v is not a validation error", err)
	}
	var out []string
	for _, d := range he.Details {
		if d.Message == "" || d.MessageEN == "" {
			t.Errorf("detail without messages: %+v", d)
		}
		out = append(out, d.Field+":"+d.Code)
	}
	return out
}

func TestParseExpiry(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"", time.Time{}, true},
		{"2027-01-01T00:00:00Z", time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{"2027-01-01T08:00:00+08:00", time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{"2027-01-01T00:00:00.1234567Z", time.Date(2027, 1, 1, 0, 0, 0, 123456000, time.UTC), true},
		// A date is the whole day in China: until midnight after it, CST.
		{"2027-01-01", time.Date(2027, 1, 1, 16, 0, 0, 0, time.UTC), true},
		{" 2027-06-30 ", time.Date(2027, 6, 30, 16, 0, 0, 0, time.UTC), true},
		{"2027/01/01", time.Time{}, false},
		{"2027-02-30", time.Time{}, false},
		{"tomorrow", time.Time{}, false},
	} {
		got, ok := ParseExpiry(tc.in)
		if ok != tc.ok || !got.Equal(tc.want) || (ok && !got.IsZero() && got.Location() != time.UTC) {
			t.Errorf("ParseExpiry(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestCheckRequest(t *testing.T) {
	valid := RequestInput{ResourceCode: "JC-002486211-0001", Fields: []string{"id_card", "name"}, Purpose: "低保资格审核",
		ExpiresAt: now.Add(30 * 24 * time.Hour)}
	for _, tc := range []struct {
		name string
		edit func(*RequestInput)
		want []string
	}{
		{"valid", func(*RequestInput) {}, nil},
		{"no fields", func(in *RequestInput) { in.Fields = nil }, []string{"fields:required"}},
		{"empty name", func(in *RequestInput) { in.Fields = []string{"id_card", " "} }, []string{"fields[1]:required"}},
		{"duplicate", func(in *RequestInput) { in.Fields = []string{"id_card", "name", "id_card"} }, []string{"fields[2]:duplicate_field"}},
		{"duplicate after trimming", func(in *RequestInput) { in.Fields = []string{"id_card", " id_card"} }, []string{"fields[1]:duplicate_field"}},
		{"unknown", func(in *RequestInput) { in.Fields = []string{"id_card", "income"} }, []string{"fields[1]:unknown_field"}},
		{"more names than fields", func(in *RequestInput) {
			in.Fields = make([]string, 100_000)
			for i := range in.Fields {
				in.Fields[i] = fmt.Sprintf("f%d", i)
			}
		}, []string{"fields:too_many"}},
		{"no purpose", func(in *RequestInput) { in.Purpose = "  " }, []string{"purpose:required"}},
		{"purpose of 500", func(in *RequestInput) { in.Purpose = strings.Repeat("审", 500) }, nil},
		{"purpose of 501", func(in *RequestInput) { in.Purpose = strings.Repeat("审", 501) }, []string{"purpose:too_long"}},
		{"legal basis too long", func(in *RequestInput) { in.LegalBasis = strings.Repeat("法", 501) }, []string{"legal_basis:too_long"}},
		{"default expiry", func(in *RequestInput) { in.ExpiresAt = time.Time{} }, nil},
		{"expiry now", func(in *RequestInput) { in.ExpiresAt = now }, []string{"expires_at:in_past"}},
		{"expiry past", func(in *RequestInput) { in.ExpiresAt = now.Add(-time.Hour) }, []string{"expires_at:in_past"}},
		{"expiry 5 years", func(in *RequestInput) { in.ExpiresAt = now.AddDate(5, 0, 0) }, nil},
		{"expiry too far", func(in *RequestInput) { in.ExpiresAt = now.AddDate(5, 0, 0).Add(time.Microsecond) }, []string{"expires_at:too_far"}},
		{"negative app", func(in *RequestInput) { in.AppID = -1 }, []string{"app_id:unknown_app"}},
		{"several", func(in *RequestInput) { in.Fields, in.Purpose = []string{"x"}, "" }, []string{"fields[0]:unknown_field", "purpose:required"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := valid
			in.Fields = append([]string(nil), valid.Fields...)
			tc.edit(&in)
			var v huitong.Validation
			out := checkRequest(&v, testResource(), in, now)
			if d := cmp.Diff(tc.want, problems(t, v.Err())); d != "" {
				t.Errorf("problems (-want +got):\n%s", d)
			}
			if tc.want == nil && in.ExpiresAt.IsZero() && !out.ExpiresAt.Equal(now.Add(DefaultTerm)) {
				t.Errorf("default expiry = %v, want a year on", out.ExpiresAt)
			}
		})
	}
}

func TestNarrow(t *testing.T) {
	req := Request{ID: 1, Fields: []string{"id_card", "name", "address", "diagnosis"}, ExpiresAt: now.AddDate(1, 0, 0)}
	shorter := now.AddDate(0, 6, 0)
	for _, tc := range []struct {
		name  string
		a     Approval
		want  Terms
		probs []string
	}{
		{"defaults", Approval{}, Terms{Fields: req.Fields, UnmaskedFields: []string{}, ExpiresAt: req.ExpiresAt, Rate: 50, DailyQuota: 100000}, nil},
		{"narrowed", Approval{Fields: []string{"name", "id_card"}, ExpiresAt: shorter, UnmaskedFields: []string{"name"}, Rate: 5.5, DailyQuota: 1000},
			Terms{Fields: []string{"name", "id_card"}, UnmaskedFields: []string{"name"}, ExpiresAt: shorter, Rate: 5.5, DailyQuota: 1000}, nil},
		{"same expiry", Approval{ExpiresAt: req.ExpiresAt}, Terms{Fields: req.Fields, UnmaskedFields: []string{}, ExpiresAt: req.ExpiresAt, Rate: 50, DailyQuota: 100000}, nil},
		{"bounds", Approval{Rate: MaxRate, DailyQuota: MaxDailyQuota}, Terms{Fields: req.Fields, UnmaskedFields: []string{}, ExpiresAt: req.ExpiresAt, Rate: MaxRate, DailyQuota: MaxDailyQuota}, nil},
		{"widened", Approval{Fields: []string{"id_card", "gender"}}, Terms{}, []string{"fields[1]:fields_not_requested"}},
		{"unknown", Approval{Fields: []string{"income"}}, Terms{}, []string{"fields[0]:fields_not_requested"}},
		{"duplicate", Approval{Fields: []string{"name", "name"}}, Terms{}, []string{"fields[1]:duplicate_field"}},
		{"extended", Approval{ExpiresAt: req.ExpiresAt.Add(time.Second)}, Terms{}, []string{"expires_at:expiry_extended"}},
		{"past", Approval{ExpiresAt: now.Add(-time.Second)}, Terms{}, []string{"expires_at:in_past"}},
		{"unmasked not approved", Approval{Fields: []string{"id_card"}, UnmaskedFields: []string{"name"}}, Terms{}, []string{"unmasked_fields[0]:unmasked_not_approved"}},
		{"unmasked twice", Approval{UnmaskedFields: []string{"name", "name"}}, Terms{}, []string{"unmasked_fields[1]:duplicate_field"}},
		{"rate negative", Approval{Rate: -1}, Terms{}, []string{"rate:out_of_range"}},
		{"rate too high", Approval{Rate: MaxRate + 0.5}, Terms{}, []string{"rate:out_of_range"}},
		{"quota negative", Approval{DailyQuota: -5}, Terms{}, []string{"daily_quota:out_of_range"}},
		{"quota too high", Approval{DailyQuota: MaxDailyQuota + 1}, Terms{}, []string{"daily_quota:out_of_range"}},
		{"comment too long", Approval{Comment: strings.Repeat("意", MaxText+1)}, Terms{}, []string{"comment:too_long"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := narrow(req, tc.a, testResource(), now)
			if d := cmp.Diff(tc.probs, problems(t, err)); d != "" {
				t.Fatalf("problems (-want +got):\n%s", d)
			}
			if err == nil {
				if d := cmp.Diff(tc.want, got); d != "" {
					t.Errorf("terms (-want +got):\n%s", d)
				}
			}
		})
	}
	// A request whose expiry passed while pending can only be rejected.
	old := req
	old.ExpiresAt = now.Add(-time.Minute)
	if _, err := narrow(old, Approval{}, testResource(), now); !cmp.Equal(problems(t, err), []string{"expires_at:in_past"}) {
		t.Errorf("approving a lapsed request: %v", err)
	}
	// A field the resource has dropped since the request cannot be granted.
	res := testResource()
	res.Fields = res.Fields[:3]
	if _, err := narrow(req, Approval{}, res, now); !cmp.Equal(problems(t, err), []string{"fields[2]:unknown_field", "fields[3]:unknown_field"}) {
		t.Errorf("approving dropped fields: %v", err)
	}
}

func TestRestricted(t *testing.T) {
	if got := Restricted(testResource(), []string{"name", "diagnosis"}); !cmp.Equal(got, []string{"diagnosis"}) {
		t.Errorf("Restricted = %v", got)
	}
	if got := Restricted(testResource(), []string{"name", "gender"}); got != nil {
		t.Errorf("Restricted = %v, want none", got)
	}
}

func TestStatusAt(t *testing.T) {
	g := Grant{Status: GrantActive, ExpiresAt: now}
	for _, tc := range []struct {
		g    Grant
		at   time.Time
		want string
	}{
		{g, now.Add(-time.Microsecond), GrantActive},
		{g, now, GrantExpired},
		{Grant{Status: GrantRevoked, ExpiresAt: now}, now.Add(-time.Hour), GrantRevoked},
		{Grant{Status: GrantRevoked, ExpiresAt: now}, now.Add(time.Hour), GrantRevoked},
	} {
		if got := tc.g.StatusAt(tc.at); got != tc.want {
			t.Errorf("%+v.StatusAt(%v) = %s, want %s", tc.g, tc.at, got, tc.want)
		}
	}
}

func TestPageToken(t *testing.T) {
	if id, err := decodePageToken(encodePageToken(42)); err != nil || id != 42 {
		t.Errorf("round trip = %d, %v", id, err)
	}
	for _, bad := range []string{"x", "azo", encodePageToken(0), "a:1"} {
		if _, err := decodePageToken(bad); huitong.ErrorCode(err) != "invalid_page_token" {
			t.Errorf("decodePageToken(%q) = %v", bad, err)
		}
	}
}

func FuzzParseExpiry(f *testing.F) {
	for _, s := range []string{"", "2027-01-01", "2027-01-01T08:00:00+08:00", "2027-13-01", "0000-01-01", "9999-12-31T23:59:59.999999999Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := ParseExpiry(s)
		if !ok {
			if !got.IsZero() {
				t.Errorf("ParseExpiry(%q) failed with %v", s, got)
			}
			return
		}
		if !got.IsZero() && (got.Location() != time.UTC || got.Nanosecond()%1000 != 0) {
			t.Errorf("ParseExpiry(%q) = %v, want UTC in whole microseconds", s, got)
		}
	})
}
