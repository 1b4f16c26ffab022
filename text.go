package huitong

import (
	"strings"
	"unicode/utf8"
)

// Clip shortens s, trimmed of surrounding space and with invalid UTF-8
// replaced, to at most n characters: for caller input named in messages and
// audit records, which must stay short and printable whatever was sent.
func Clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
