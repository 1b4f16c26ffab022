package ingest

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"strings"
	"testing"
)

func testSealer(t testing.TB) *Sealer {
	t.Helper()
	s, err := NewSealer([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestRowHashStable: the row hash is the keyed HMAC-SHA256 of the
// length-prefixed values, cut to 16 bytes. Stored records keep it, so a
// change of the encoding would make every record of an unchanged file
// look updated.
func TestRowHashStable(t *testing.T) {
	s := testSealer(t)
	want := func(values []string) []byte {
		m := hmac.New(sha256.New, s.hashKey)
		var n [binary.MaxVarintLen64]byte
		for _, v := range values {
			m.Write(n[:binary.PutUvarint(n[:], uint64(len(v)))])
			m.Write([]byte(v))
		}
		return m.Sum(nil)[:16]
	}
	rows := [][]string{
		nil,
		{""},
		{"a", "bc"},
		{"ab", "c"},
		{"11010519491231002X", "张三", "", "2024-01-02", strings.Repeat("长", 300)},
		{strings.Repeat("x", 100_000)}, // grows the buffer past what is kept
		{"after", "a", "huge", "row"},
	}
	seen := map[string]bool{}
	for _, row := range rows {
		got := s.rowHash(row)
		if !bytes.Equal(got, want(row)) {
			t.Errorf("rowHash(%.40q) = %x, want %x", row, got, want(row))
		}
		if seen[string(got)] {
			t.Errorf("rowHash(%.40q) repeats an earlier row's hash", row)
		}
		seen[string(got)] = true
	}
	// The result is the caller's: hashing again does not change it.
	a := s.rowHash([]string{"a"})
	keep := bytes.Clone(a)
	s.rowHash([]string{"b"})
	if !bytes.Equal(a, keep) {
		t.Error("a later rowHash changed an earlier result")
	}
}

func TestSealString(t *testing.T) {
	s := testSealer(t)
	for _, v := range []string{"", "13812345678", strings.Repeat("病", 60), strings.Repeat("x", 5000)} {
		sealed := s.SealString(v)
		if !strings.HasPrefix(sealed, sealedPrefix) || strings.Contains(sealed, v[:min(len(v), 8)]) && v != "" {
			t.Errorf("SealString(%.20q) = %.40q", v, sealed)
		}
		got, err := s.OpenString(sealed)
		if err != nil || got != v {
			t.Errorf("OpenString(SealString(%.20q)) = %.20q, %v", v, got, err)
		}
		if again := s.SealString(v); again == sealed {
			t.Errorf("SealString(%.20q) twice gave the same text", v)
		}
	}
}

func BenchmarkRowHash(b *testing.B) {
	s := testSealer(b)
	row := []string{"11010519491231002X", "张三", "男", "1949-12-31", "13812345678", "91350100M000100Y43", "参保缴费", "4500.00", "2020-03-04", ""}
	b.ReportAllocs()
	for b.Loop() {
		s.rowHash(row)
	}
}
