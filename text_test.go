package huitong

import "testing"

func TestClip(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"  营业执照  ", 10, "营业执照"},
		{"营业执照", 2, "营业"},
		{"abc", 0, ""},
		{"a\xffb", 5, "a\uFFFDb"},
		{"", 3, ""},
	} {
		if got := Clip(c.in, c.n); got != c.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}
