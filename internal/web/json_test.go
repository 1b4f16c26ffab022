package web

import (
	"errors"
	"strings"
	"testing"

	"huitong"
	"huitong/internal/catalog"
	"huitong/internal/org"
)

func TestDecodeBody(t *testing.T) {
	for _, tc := range []struct {
		body, code string
	}{
		{`{"name":"人口基础信息","fields":[]}`, ""},
		{``, "invalid_json"},
		{`{`, "invalid_json"},
		{`{"name":1}`, "invalid_json"},
		{`{"fields":[{"level":"high"}]}`, "invalid_json"},
		{`{"extra":true}`, "unknown_field"},
		{`{}{}`, "invalid_json"},
		{`null`, ""},
		{`"text"`, "invalid_json"},
	} {
		var in catalog.Input
		err := decodeBody(strings.NewReader(tc.body), &in)
		if got := codeOf(err); got != tc.code {
			t.Errorf("decode %q: code %q (%v), want %q", tc.body, got, err, tc.code)
		}
	}
}

func codeOf(err error) string {
	if err == nil {
		return ""
	}
	var he *huitong.Error
	if !errors.As(err, &he) {
		return "not-a-huitong-error"
	}
	return he.Code
}

// FuzzDecodeResource feeds arbitrary bodies through decoding and catalog
// validation: nothing panics, and every failure is a client error with
// messages in both languages.
func FuzzDecodeResource(f *testing.F) {
	f.Add(`{"name":"人口基础信息","category":"base","format":"table","update_cycle":"daily","share_type":"conditional","share_condition":"x","share_method":"api","open_type":"none","fields":[{"name":"id_card","title":"公民身份号码","type":"string","level":3,"pii":"id_card","key":true,"required":true}]}`)
	f.Add(`{"fields":[{"name":"A","level":9,"enum":["",""]}],"related_codes":[""]}`)
	f.Add(`{"name":"\u0000","publish_date":"2026-13-45"}`)
	f.Add(`[`)
	f.Fuzz(func(t *testing.T, body string) {
		var in catalog.Input
		err := decodeBody(strings.NewReader(body), &in)
		if err == nil {
			err = in.Validate()
		}
		checkClientError(t, err)
		var o org.OrgInput
		checkClientError(t, decodeBody(strings.NewReader(body), &o))
	})
}

func checkClientError(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var he *huitong.Error
	if !errors.As(err, &he) {
		t.Fatalf("not a huitong error: %v", err)
	}
	if he.Kind != huitong.Invalid && he.Kind != huitong.TooLarge {
		t.Fatalf("kind %v for a client's body: %v", he.Kind, err)
	}
	if he.Message == "" || he.MessageEN == "" || he.Code == "" {
		t.Fatalf("error without code or messages: %+v", he)
	}
}
