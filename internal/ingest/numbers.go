package ingest

import (
	"strconv"
	"strings"
)

// Numbers and booleans: parsing, normalising and comparing without loss.

// ruleNumErr says why a number was rejected.
type ruleNumErr uint8

const (
	numOK       ruleNumErr = iota
	numFormat              // not a number
	numGrouping            // thousands separators in the wrong places
	numTooLong             // more than ruleMaxDecimalLen characters
	numFraction            // not a whole number (int)
	numOverflow            // outside int64 (int)
)

// numProblem describes a rejected int or decimal.
func (c *Checker) numProblem(e ruleNumErr, v string) Problem {
	rule := "type_" + c.f.Type
	p := Problem{Rule: rule, Severity: SeverityError}
	switch {
	case e == numGrouping:
		p.Message = "千位分隔符位置不对，应每 3 位一个逗号（如 1,234,567）"
		p.MessageEN = "misplaced thousands separator: put one comma every 3 digits (e.g. 1,234,567)"
	case e == numFraction:
		p.Message, p.MessageEN = "应为整数，不能有小数部分", "must be a whole number, without a fractional part"
	case e == numOverflow:
		p.Message = "超出整数范围（绝对值不能超过 9223372036854775807）"
		p.MessageEN = "is outside the integer range (at most 9223372036854775807 in absolute value)"
	case e == numTooLong:
		p.Message = "数值位数过多（写成普通小数不能超过 100 个字符）"
		p.MessageEN = "has too many digits (at most 100 characters in plain notation)"
	case rule == "type_int":
		p.Message, p.MessageEN = "应为整数（如 123、-5、1,234）", "must be an integer (e.g. 123, -5, 1,234)"
	default:
		p.Message, p.MessageEN = "应为数值（如 1234.5、-0.5、1,234.50）", "must be a number (e.g. 1234.5, -0.5, 1,234.50)"
	}
	return c.withValue(p, v)
}

// ruleInt returns the canonical form of an integer written in any way
// ruleDecimal accepts.
func ruleInt(s string) (string, ruleNumErr) {
	n, e := ruleDecimal(s)
	switch {
	case e == numTooLong:
		return "", numOverflow
	case e != numOK:
		return "", e
	case strings.IndexByte(n, '.') >= 0:
		return "", numFraction
	}
	if _, err := strconv.ParseInt(n, 10, 64); err != nil {
		return "", numOverflow
	}
	return n, numOK
}

// ruleDecimal returns the canonical form of a decimal number: an optional
// sign, digits with optional thousands separators, an optional fraction,
// an optional exponent. NaN, infinities, hexadecimal and underscores are
// not numbers here.
func ruleDecimal(s string) (string, ruleNumErr) {
	i := 0
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	intStart, commas := i, 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == ',') {
		if s[i] == ',' {
			commas++
		}
		i++
	}
	intEnd := i
	fracStart, fracEnd := i, i
	if i < len(s) && s[i] == '.' {
		i++
		fracStart = i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		fracEnd = i
	}
	if intEnd-intStart-commas+fracEnd-fracStart == 0 {
		return "", numFormat
	}
	exp := 0
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		eneg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			eneg = s[i] == '-'
			i++
		}
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			if exp < 1e7 {
				exp = exp*10 + int(s[i]-'0')
			}
			i++
		}
		if i == start {
			return "", numFormat
		}
		if eneg {
			exp = -exp
		}
	}
	if i != len(s) {
		return "", numFormat
	}
	if commas > 0 && !ruleGroupingOK(s[intStart:intEnd]) {
		return "", numGrouping
	}
	// The significant digits d, so that the value is d × 10^e.
	var dbuf [64]byte
	d := dbuf[:0]
	for _, part := range [2]string{s[intStart:intEnd], s[fracStart:fracEnd]} {
		for j := 0; j < len(part); j++ {
			if c := part[j]; c != ',' && (c != '0' || len(d) > 0) {
				d = append(d, c)
			}
		}
	}
	e := exp - (fracEnd - fracStart)
	for len(d) > 0 && d[len(d)-1] == '0' {
		d = d[:len(d)-1]
		e++
	}
	if len(d) == 0 {
		return "0", numOK
	}
	size := 2 - e // 0.000ddd
	switch {
	case e >= 0:
		size = len(d) + e
	case len(d)+e > 0:
		size = len(d) + 1
	}
	if neg {
		size++
	}
	if size > ruleMaxDecimalLen {
		return "", numTooLong
	}
	var obuf [ruleMaxDecimalLen]byte
	o := obuf[:0]
	if neg {
		o = append(o, '-')
	}
	switch p := len(d) + e; {
	case e >= 0:
		o = append(o, d...)
		for range e {
			o = append(o, '0')
		}
	case p > 0:
		o = append(o, d[:p]...)
		o = append(o, '.')
		o = append(o, d[p:]...)
	default:
		o = append(o, '0', '.')
		for range -p {
			o = append(o, '0')
		}
		o = append(o, d...)
	}
	if string(o) == s {
		return s, numOK
	}
	return string(o), numOK
}

// ruleGroupingOK reports whether digits with commas are grouped by
// thousands: 1-3 digits, then groups of exactly 3.
func ruleGroupingOK(s string) bool {
	first, rest, _ := strings.Cut(s, ",")
	if len(first) < 1 || len(first) > 3 {
		return false
	}
	for {
		g, more, found := strings.Cut(rest, ",")
		if len(g) != 3 {
			return false
		}
		if !found {
			return true
		}
		rest = more
	}
}

// ruleCmpDecimal compares two canonical decimals exactly.
func ruleCmpDecimal(a, b string) int {
	an, bn := strings.HasPrefix(a, "-"), strings.HasPrefix(b, "-")
	switch {
	case an && !bn:
		return -1
	case bn && !an:
		return 1
	case an:
		return ruleCmpMagnitude(b[1:], a[1:])
	}
	return ruleCmpMagnitude(a, b)
}

// ruleCmpMagnitude compares two canonical non-negative decimals: integer
// parts have no leading zeros, so the longer is larger; fractions have no
// trailing zeros, so they order as strings.
func ruleCmpMagnitude(a, b string) int {
	ai, af, _ := strings.Cut(a, ".")
	bi, bf, _ := strings.Cut(b, ".")
	if len(ai) != len(bi) {
		if len(ai) < len(bi) {
			return -1
		}
		return 1
	}
	if c := strings.Compare(ai, bi); c != 0 {
		return c
	}
	return strings.Compare(af, bf)
}

// ruleBool reads the accepted spellings of true and false.
func ruleBool(s string) (string, bool) {
	switch {
	case s == "是", s == "1", strings.EqualFold(s, "true"), strings.EqualFold(s, "y"), strings.EqualFold(s, "yes"):
		return "true", true
	case s == "否", s == "0", strings.EqualFold(s, "false"), strings.EqualFold(s, "n"), strings.EqualFold(s, "no"):
		return "false", true
	}
	return "", false
}
