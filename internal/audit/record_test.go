package audit

import (
	"strings"
	"testing"
	"time"
)

func TestRecordCanonical(t *testing.T) {
	r := Record{Index: 7, Time: time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC), Actor: "user:张伟", Action: "org.create",
		Object: "org:X", Outcome: Allowed, Detail: map[string]string{"b": "<2>", "a": "1"}, Subjects: []string{"ab"}}
	data, err := r.Encode()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"index":7,"time":"2026-01-02T03:04:05.000006Z","actor":"user:张伟","action":"org.create","object":"org:X","outcome":"allowed","subjects":["ab"],"detail":{"a":"1","b":"<2>"}}`
	if string(data) != want {
		t.Errorf("Encode =\n%s\nwant\n%s", data, want)
	}
	back, err := Decode(data)
	if err != nil || back.Index != 7 || back.Detail["b"] != "<2>" {
		t.Fatalf("Decode = %+v, %v", back, err)
	}
	for _, bad := range []string{
		strings.Replace(want, `"index":7,`, `"index": 7,`, 1),                  // not canonical
		strings.Replace(want, `"actor"`, `"extra":1,"actor"`, 1),               // unknown field
		strings.Replace(want, `{"a":"1","b":"<2>"}`, `{"b":"<2>","a":"1"}`, 1), // key order
		`{"index":7`,
	} {
		if _, err := Decode([]byte(bad)); err == nil {
			t.Errorf("Decode accepted %s", bad)
		}
	}
	big := Record{Action: "x", Purpose: strings.Repeat("长", MaxRecordBytes)}
	if _, err := big.Encode(); err == nil {
		t.Error("oversized record encoded")
	}
}

func TestSubjects(t *testing.T) {
	k1 := make([]byte, 32)
	k2 := append(make([]byte, 31), 1)
	s1, _ := NewSubjects(k1)
	s2, _ := NewSubjects(k2)
	a := s1.Of("11010519491231002X")
	if a != s1.Of(" 11010519491231002x ") || len(a) != 32 {
		t.Errorf("subject not normalised: %s", a)
	}
	if a == s2.Of("11010519491231002X") || a == s1.Of("440524188001010014") {
		t.Error("subjects collide")
	}
	if strings.Contains(a, "110105") {
		t.Error("subject shows the ID")
	}
	if _, err := NewSubjects(make([]byte, 16)); err == nil {
		t.Error("short key accepted")
	}
}

func TestTilePaths(t *testing.T) {
	for _, tc := range []struct {
		level int
		n     int64
		w     int
		path  string
	}{
		{0, 0, 256, "tile/0/000"},
		{0, 1, 3, "tile/0/001.p/3"},
		{2, 1234067, 256, "tile/2/x001/x234/067"},
		{-1, 5, 256, "tile/entries/005"},
		{-1, 1000, 17, "tile/entries/x001/000.p/17"},
	} {
		if got := TilePath(tc.level, tc.n, tc.w); got != tc.path {
			t.Errorf("TilePath(%d,%d,%d) = %s, want %s", tc.level, tc.n, tc.w, got, tc.path)
		}
		l, n, w, err := ParseTilePath(strings.TrimPrefix(tc.path, "tile/"))
		if err != nil || l != tc.level || n != tc.n || w != tc.w {
			t.Errorf("ParseTilePath(%s) = %d %d %d %v", tc.path, l, n, w, err)
		}
	}
	for _, bad := range []string{"", "0", "0/1", "0/0001", "x/000", "0/x000/001", "0/001.p/0", "0/001.p/256", "0/001.p/07",
		"-1/000", "01/000", "0/001/", "entries/1", "64/000", "0/x1234/000"} {
		if _, _, _, err := ParseTilePath(bad); err == nil {
			t.Errorf("ParseTilePath(%q) accepted", bad)
		}
	}
}

func FuzzParseTilePath(f *testing.F) {
	for _, s := range []string{"0/000", "1/x001/234.p/5", "entries/x999/999", "0/000.p/255"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		l, n, w, err := ParseTilePath(p)
		if err != nil {
			return
		}
		if back := TilePath(l, n, w); back != "tile/"+p {
			t.Errorf("ParseTilePath(%q) = %d %d %d, which formats as %q", p, l, n, w, back)
		}
	})
}

func TestCheckpointFormat(t *testing.T) {
	c := Checkpoint{Origin: "huitong/n/audit", Size: 12}
	c.Root[0] = 1
	text := c.Format()
	back, err := ParseCheckpoint(text)
	if err != nil || back != c {
		t.Fatalf("ParseCheckpoint(%q) = %+v, %v", text, back, err)
	}
	for _, bad := range []string{"", "o\n12\n", "o\n-1\nAA==\n", "o\n012\n" + strings.Repeat("A", 44) + "\n", "o\n1\nnot-base64\n"} {
		if _, err := ParseCheckpoint(bad); err == nil {
			t.Errorf("ParseCheckpoint(%q) accepted", bad)
		}
	}
}
