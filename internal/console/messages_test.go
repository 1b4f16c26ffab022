package console

import (
	"io/fs"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestMessages: every message has both languages with the same format
// verbs, and every key a template names exists.
func TestMessages(t *testing.T) {
	verbs := regexp.MustCompile(`%[a-z]`)
	for k, m := range messages {
		if m[0] == "" || m[1] == "" {
			t.Errorf("%s: a language is empty: %q", k, m)
		}
		if a, b := verbs.FindAllString(m[0], -1), verbs.FindAllString(m[1], -1); strings.Join(a, "") != strings.Join(b, "") {
			t.Errorf("%s: verbs %v in Chinese, %v in English", k, a, b)
		}
	}
	keyRE := regexp.MustCompile(`\bt "([a-z0-9_.-]+)"`)
	prefixRE := regexp.MustCompile(`\btv "([a-z_]+)"`)
	err := fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := templateFS.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range keyRE.FindAllStringSubmatch(string(b), -1) {
			if !hasMsg(m[1]) {
				t.Errorf("%s: no message %q", p, m[1])
			}
		}
		for _, m := range prefixRE.FindAllStringSubmatch(string(b), -1) {
			found := false
			for k := range messages {
				found = found || strings.HasPrefix(k, m[1]+".")
			}
			if !found {
				t.Errorf("%s: no message under %q", p, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range DashboardCharts {
		if !hasMsg("dash." + id) {
			t.Errorf("no title for chart %s", id)
		}
	}
}

func TestSafeNext(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "/console/"},
		{"/console/catalog?q=x", "/console/catalog?q=x"},
		{"//evil.example/console/", "/console/"},
		{"https://evil.example/", "/console/"},
		{"/console/login", "/console/"},
		{"/console/\\evil", "/console/"},
		{"/my/", "/console/"},
		{"/console/a\r\nSet-Cookie: x", "/console/"},
	} {
		if got := safeNext(tc.in, "/console/"); got != tc.want {
			t.Errorf("safeNext(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestChangeText(t *testing.T) {
	for _, tc := range []struct{ lang, in, want string }{
		{"zh", "field added: phone", "新增信息项 phone"},
		{"en", "field removed: x", "field removed: x"},
		{"zh", "share_type", "共享类型"},
		{"zh", "something_new", "something_new"},
	} {
		if got := changeText(tc.lang, tc.in); got != tc.want {
			t.Errorf("changeText(%s, %q) = %q, want %q", tc.lang, tc.in, got, tc.want)
		}
	}
}

// FuzzParseResourceForm: any form parses without panic into at most as
// many fields as it names distinct row indexes.
func FuzzParseResourceForm(f *testing.F) {
	f.Add("name=x&fields[0].name=a&fields[2].name=b&fields[2].level=9&fields[0].enum=甲,乙", 0)
	f.Add("fields[9999].min_length=abc&fields[1].key=1", -1)
	f.Add("fields[].name=x&fields[01].name=y&related_codes=A,+B，C", 1)
	f.Fuzz(func(t *testing.T, body string, remove int) {
		v, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		rows := map[string]bool{}
		for k := range v {
			if m := fieldKeyRE.FindStringSubmatch(k); m != nil {
				rows[strings.TrimLeft(m[1], "0")] = true
			}
		}
		in := parseResourceForm(v, remove)
		if len(in.Fields) > len(rows) {
			t.Errorf("%d fields from %d rows", len(in.Fields), len(rows))
		}
	})
}
