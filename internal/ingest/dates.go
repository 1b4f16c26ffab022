package ingest

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Dates and times as providers write them.
//
// Canonical forms:
//
//   - date: "2006-01-02".
//   - datetime: "2006-01-02T15:04:05+08:00", with a fraction of a second
//     (".5", ".123456789", trailing zeros trimmed) only when it is not zero.
//     Every datetime is stored in China Standard Time: a value written
//     without a zone is taken to be UTC+8 wall time (the fixed offset, not
//     Asia/Shanghai, so the summer time of 1986-1991 plays no part and no
//     tzdata is needed), and a value with a zone ("Z", "+09:00") is
//     converted to the same instant at +08:00. One offset means canonical
//     datetimes sort chronologically as strings, and people in China still
//     read their own wall time.
//
// Accepted input, after full-width characters are folded to ASCII:
//
//   - 2024-01-02, 2024-1-2, 2024/1/2, 2024.1.2, 2024年1月2日 (日 or 号
//     optional), 20240102;
//   - Excel serial day numbers of 5 digits from 10000 (1927-05-18) to 80000
//     (2119-01-11), as an xlsx cell formatted as a number shows a date; day
//     1 is 1900-01-01 and Excel counts a 29 February 1900 that never was,
//     so from day 61 on the date is 1899-12-30 plus the serial. A fraction
//     (45292.5) is the time of day, rounded to the second;
//   - a date followed by a time: "T" or spaces, then 15:04, 15:04:05 or
//     15:04:05.999999999 (hours may have one digit), or 15时4分5秒 (时 or
//     点; minutes and seconds optional), then optionally a zone: Z, +08:00,
//     +0800 or +08, possibly after one space;
//   - 14 digits, 20240102150405.
//
// A date field also takes a datetime that is exactly midnight in China
// ("2024-01-02 00:00:00", as database exports write dates); a datetime field
// takes a date as its midnight. Years run from 0001 to 9999 and must be
// written with four digits; 2023-02-29, 24:00 and 23:59:60 are rejected.

// dtChina is China Standard Time, the zone of canonical datetimes.
var dtChina = time.FixedZone("CST", 8*60*60)

// dtErrKind says why a date or datetime was rejected.
type dtErrKind uint8

const (
	dtOK         dtErrKind = iota
	dtErrFormat            // not a recognised layout
	dtErrYear              // year 0000
	dtErrMonth             // month outside 1-12
	dtErrDay               // day outside the month
	dtErrHour              // hour outside 0-23
	dtErrMinute            // minute outside 0-59
	dtErrSecond            // second outside 0-59
	dtErrZone              // offset beyond ±14:00 or minutes ≥ 60
	dtErrRange             // outside 0001-9999 once converted to China time
	dtErrSerial            // 5-digit serial outside 10000-80000
	dtErrHasTime           // a time other than midnight for a date field
)

// dtErr is a rejection with the numbers a message needs: for dtErrDay the
// year, month and day; for dtErrMonth, dtErrHour, dtErrMinute, dtErrSecond
// the bad value in a.
type dtErr struct {
	kind    dtErrKind
	a, b, c int
}

// dtValue is a parsed date or datetime before canonicalisation.
type dtValue struct {
	year, month, day int
	hour, min, sec   int
	nsec             int
	hasTime          bool
	hasZone          bool
	offset           int // seconds east of UTC, when hasZone
}

// dtParseDate returns the canonical date of s (already trimmed and folded
// to ASCII where possible).
func dtParseDate(s string) (string, dtErr) {
	v, e := dtScan(s)
	if e.kind != dtOK {
		return "", e
	}
	if v.hasTime {
		t, e := v.instant()
		if e.kind != dtOK {
			return "", e
		}
		h, m, sec := t.Clock()
		if h != 0 || m != 0 || sec != 0 || t.Nanosecond() != 0 {
			return "", dtErr{kind: dtErrHasTime}
		}
		v.year, v.month, v.day = t.Year(), int(t.Month()), t.Day()
	}
	var buf [10]byte
	b := dtAppendDate(buf[:0], v.year, v.month, v.day)
	if string(b) == s {
		return s, dtErr{}
	}
	return string(b), dtErr{}
}

// dtParseDateTime returns the canonical datetime of s and its instant.
func dtParseDateTime(s string) (string, time.Time, dtErr) {
	v, e := dtScan(s)
	if e.kind != dtOK {
		return "", time.Time{}, e
	}
	t, e := v.instant()
	if e.kind != dtOK {
		return "", time.Time{}, e
	}
	var buf [40]byte
	b := dtAppendDateTime(buf[:0], t)
	if string(b) == s {
		return s, t, dtErr{}
	}
	return string(b), t, dtErr{}
}

// instant returns v as a time in dtChina.
func (v dtValue) instant() (time.Time, dtErr) {
	if !v.hasZone {
		return time.Date(v.year, time.Month(v.month), v.day, v.hour, v.min, v.sec, v.nsec, dtChina), dtErr{}
	}
	zone := dtChina
	if v.offset != 8*60*60 {
		zone = time.FixedZone("", v.offset)
	}
	t := time.Date(v.year, time.Month(v.month), v.day, v.hour, v.min, v.sec, v.nsec, zone).In(dtChina)
	if y := t.Year(); y < 1 || y > 9999 {
		return time.Time{}, dtErr{kind: dtErrRange}
	}
	return t, dtErr{}
}

// dateProblem describes a rejected date or datetime.
func (c *Checker) dateProblem(rule string, e dtErr, v string) Problem {
	p := Problem{Rule: rule, Severity: SeverityError}
	switch e.kind {
	case dtErrYear:
		p.Message, p.MessageEN = "年份不能为 0000", "the year cannot be 0000"
	case dtErrMonth:
		p.Message = fmt.Sprintf("月份应为 1-12，实为 %d", e.a)
		p.MessageEN = fmt.Sprintf("the month must be 1-12, got %d", e.a)
	case dtErrDay:
		days := dtDaysIn(e.a, e.b)
		if e.c < 1 || e.c > 31 {
			p.Message = fmt.Sprintf("日应为 1-%d，实为 %d", days, e.c)
			p.MessageEN = fmt.Sprintf("the day must be 1-%d, got %d", days, e.c)
			break
		}
		p.Message = fmt.Sprintf("日期不存在：%d 月只有 %d 天，没有 %d 日", e.b, days, e.c)
		p.MessageEN = fmt.Sprintf("no such date: %s has %d days, not %d", time.Month(e.b), days, e.c)
		if e.b == 2 && e.c == 29 {
			p.Message += "（该年不是闰年）"
			p.MessageEN += " (not a leap year)"
		}
	case dtErrHour:
		p.Message = fmt.Sprintf("小时应为 0-23，实为 %d", e.a)
		p.MessageEN = fmt.Sprintf("the hour must be 0-23, got %d", e.a)
	case dtErrMinute:
		p.Message = fmt.Sprintf("分钟应为 0-59，实为 %d", e.a)
		p.MessageEN = fmt.Sprintf("the minute must be 0-59, got %d", e.a)
	case dtErrSecond:
		p.Message = fmt.Sprintf("秒应为 0-59，实为 %d", e.a)
		p.MessageEN = fmt.Sprintf("the second must be 0-59, got %d", e.a)
	case dtErrZone:
		p.Message = "时区偏移无效，应在 -14:00 至 +14:00 之间"
		p.MessageEN = "invalid zone offset: it must lie between -14:00 and +14:00"
	case dtErrRange:
		p.Message = "换算为北京时间后超出 0001-9999 年"
		p.MessageEN = "falls outside the years 0001-9999 in China time"
	case dtErrSerial:
		p.Message = "纯数字的日期应为 8 位的 YYYYMMDD，或 10000-80000 之间的 Excel 日期序号"
		p.MessageEN = "a date written as a number must be YYYYMMDD or an Excel serial day number between 10000 and 80000"
	case dtErrHasTime:
		p.Message = "日期不能带有时间（只接受 00:00:00），请只填日期，如 2024-01-02"
		p.MessageEN = "a date cannot carry a time of day (only 00:00:00 is accepted): write the date only, e.g. 2024-01-02"
	default:
		if rule == "type_datetime" {
			p.Message = "无法识别的日期时间，请写成 YYYY-MM-DD HH:MM:SS（如 2024-01-02 15:04:05）"
			p.MessageEN = "unrecognised datetime: write it as YYYY-MM-DD HH:MM:SS (e.g. 2024-01-02 15:04:05)"
		} else {
			p.Message = "无法识别的日期，请写成 YYYY-MM-DD（如 2024-01-02）"
			p.MessageEN = "unrecognised date: write it as YYYY-MM-DD (e.g. 2024-01-02)"
		}
	}
	return c.withValue(p, v)
}

// checkBirth rejects a birth date after today and questions one before
// 1850, the earliest year identity numbers accept.
func (c *Checker) checkBirth(year int, future bool, ps []Problem) []Problem {
	switch {
	case future:
		return append(ps, Problem{Rule: "birth_date", Severity: SeverityError,
			Message: "出生日期晚于今天，请核对", MessageEN: "the birth date is after today: check it"})
	case year < 1850:
		return append(ps, Problem{Rule: "birth_date", Severity: SeverityWarning,
			Message: "出生日期早于 1850-01-01，请核对", MessageEN: "the birth date is before 1850-01-01: check it"})
	}
	return ps
}

// dtScan parses every accepted layout.
func dtScan(s string) (dtValue, dtErr) {
	var v dtValue
	n := dtDigits(s, 0)
	switch {
	case n == len(s) && n == 8:
		v.year, v.month, v.day = dtAtoi(s[0:4]), dtAtoi(s[4:6]), dtAtoi(s[6:8])
		return v, v.checkDate()
	case n == len(s) && n == 14:
		v.year, v.month, v.day = dtAtoi(s[0:4]), dtAtoi(s[4:6]), dtAtoi(s[6:8])
		v.hour, v.min, v.sec = dtAtoi(s[8:10]), dtAtoi(s[10:12]), dtAtoi(s[12:14])
		v.hasTime = true
		if e := v.checkDate(); e.kind != dtOK {
			return v, e
		}
		return v, v.checkTime()
	case n == 5 && (n == len(s) || s[n] == '.'):
		return dtSerial(s)
	case n == 8 && (s[n] == ' ' || s[n] == 'T' || s[n] == 't'):
		v.year, v.month, v.day = dtAtoi(s[0:4]), dtAtoi(s[4:6]), dtAtoi(s[6:8])
		if e := v.checkDate(); e.kind != dtOK {
			return v, e
		}
		return dtScanTime(v, s, n, false)
	case n != 4:
		return v, dtErr{kind: dtErrFormat}
	}
	v.year = dtAtoi(s[:4])
	i := 4
	var sep1, sep2 string
	switch {
	case i < len(s) && (s[i] == '-' || s[i] == '/' || s[i] == '.'):
		sep1 = s[i : i+1]
		sep2 = sep1
	case strings.HasPrefix(s[i:], "年"):
		sep1, sep2 = "年", "月"
	default:
		return v, dtErr{kind: dtErrFormat}
	}
	i += len(sep1)
	if n = dtDigits(s, i); n < 1 || n > 2 {
		return v, dtErr{kind: dtErrFormat}
	}
	v.month = dtAtoi(s[i : i+n])
	i += n
	if !strings.HasPrefix(s[i:], sep2) {
		return v, dtErr{kind: dtErrFormat}
	}
	i += len(sep2)
	if n = dtDigits(s, i); n < 1 || n > 2 {
		return v, dtErr{kind: dtErrFormat}
	}
	v.day = dtAtoi(s[i : i+n])
	i += n
	chinese := false
	if sep1 == "年" {
		if strings.HasPrefix(s[i:], "日") || strings.HasPrefix(s[i:], "号") {
			i += len("日")
			chinese = true
		}
	}
	if e := v.checkDate(); e.kind != dtOK {
		return v, e
	}
	if i == len(s) {
		return v, dtErr{}
	}
	return dtScanTime(v, s, i, chinese)
}

// dtScanTime parses the time and zone that follow a date ending at s[i]. A
// date written as 2024年1月2日 may be followed by the time directly.
func dtScanTime(v dtValue, s string, i int, noSepOK bool) (dtValue, dtErr) {
	fail := dtErr{kind: dtErrFormat}
	switch {
	case s[i] == 'T' || s[i] == 't':
		i++
	case s[i] == ' ':
		for i < len(s) && s[i] == ' ' {
			i++
		}
	case !noSepOK:
		return v, fail
	}
	v.hasTime = true
	n := dtDigits(s, i)
	if n < 1 || n > 2 {
		return v, fail
	}
	v.hour = dtAtoi(s[i : i+n])
	i += n
	switch {
	case i < len(s) && s[i] == ':':
		i++
		if dtDigits(s, i) != 2 {
			return v, fail
		}
		v.min = dtAtoi(s[i : i+2])
		i += 2
		if i < len(s) && s[i] == ':' {
			i++
			if dtDigits(s, i) != 2 {
				return v, fail
			}
			v.sec = dtAtoi(s[i : i+2])
			i += 2
			if i < len(s) && s[i] == '.' {
				i++
				n = dtDigits(s, i)
				if n < 1 || n > 9 {
					return v, fail
				}
				v.nsec = dtAtoi(s[i : i+n])
				for k := n; k < 9; k++ {
					v.nsec *= 10
				}
				i += n
			}
		}
	case strings.HasPrefix(s[i:], "时") || strings.HasPrefix(s[i:], "点"):
		i += len("时")
		if n = dtDigits(s, i); n >= 1 && n <= 2 && strings.HasPrefix(s[i+n:], "分") {
			v.min = dtAtoi(s[i : i+n])
			i += n + len("分")
			if n = dtDigits(s, i); n >= 1 && n <= 2 && strings.HasPrefix(s[i+n:], "秒") {
				v.sec = dtAtoi(s[i : i+n])
				i += n + len("秒")
			}
		}
	default:
		return v, fail
	}
	if e := v.checkTime(); e.kind != dtOK {
		return v, e
	}
	if i == len(s) {
		return v, dtErr{}
	}
	if s[i] == ' ' && i+1 < len(s) {
		i++
	}
	switch s[i] {
	case 'Z', 'z':
		if i+1 != len(s) {
			return v, fail
		}
		v.hasZone = true
		return v, dtErr{}
	case '+', '-':
	default:
		return v, fail
	}
	sign := 1
	if s[i] == '-' {
		sign = -1
	}
	i++
	if dtDigits(s, i) < 2 {
		return v, fail
	}
	oh, om := dtAtoi(s[i:i+2]), 0
	i += 2
	switch rest := s[i:]; {
	case rest == "":
	case len(rest) == 3 && rest[0] == ':' && dtDigits(rest, 1) == 2:
		om = dtAtoi(rest[1:])
	case len(rest) == 2 && dtDigits(rest, 0) == 2:
		om = dtAtoi(rest)
	default:
		return v, fail
	}
	if oh > 14 || om > 59 || oh == 14 && om > 0 {
		return v, dtErr{kind: dtErrZone}
	}
	v.hasZone = true
	v.offset = sign * (oh*3600 + om*60)
	return v, dtErr{}
}

// dtSerial parses an Excel serial day number with an optional fraction.
func dtSerial(s string) (dtValue, dtErr) {
	var v dtValue
	days := dtAtoi(s[:5])
	if days < 10000 || days > 80000 {
		return v, dtErr{kind: dtErrSerial}
	}
	secs := 0
	if len(s) > 5 {
		frac := s[6:]
		if frac == "" || dtDigits(frac, 0) != len(frac) {
			return v, dtErr{kind: dtErrFormat}
		}
		f, err := strconv.ParseFloat("0."+frac, 64)
		if err != nil {
			return v, dtErr{kind: dtErrFormat}
		}
		secs = int(math.Round(f * 86400))
		v.hasTime = true
	}
	t := time.Date(1899, 12, 30+days, 0, 0, secs, 0, time.UTC)
	v.year, v.month, v.day = t.Year(), int(t.Month()), t.Day()
	v.hour, v.min, v.sec = t.Clock()
	return v, dtErr{}
}

// checkDate rejects dates that are not on the calendar.
func (v dtValue) checkDate() dtErr {
	switch {
	case v.year < 1:
		return dtErr{kind: dtErrYear}
	case v.month < 1 || v.month > 12:
		return dtErr{kind: dtErrMonth, a: v.month}
	case v.day < 1 || v.day > dtDaysIn(v.year, v.month):
		return dtErr{kind: dtErrDay, a: v.year, b: v.month, c: v.day}
	}
	return dtErr{}
}

// checkTime rejects times off the clock.
func (v dtValue) checkTime() dtErr {
	switch {
	case v.hour > 23:
		return dtErr{kind: dtErrHour, a: v.hour}
	case v.min > 59:
		return dtErr{kind: dtErrMinute, a: v.min}
	case v.sec > 59:
		return dtErr{kind: dtErrSecond, a: v.sec}
	}
	return dtErr{}
}

// dtDaysIn returns the number of days in a month of the proleptic
// Gregorian calendar.
func dtDaysIn(year, month int) int {
	switch month {
	case 2:
		if dtLeap(year) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func dtLeap(year int) bool {
	return year%4 == 0 && (year%100 != 0 || year%400 == 0)
}

// dtDigits counts the ASCII digits in s from i on.
func dtDigits(s string, i int) int {
	n := 0
	for i+n < len(s) && s[i+n] >= '0' && s[i+n] <= '9' {
		n++
	}
	return n
}

// dtAtoi converts a short run of ASCII digits.
func dtAtoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// dtAppendDate appends YYYY-MM-DD.
func dtAppendDate(b []byte, y, m, d int) []byte {
	b = dtAppendInt(b, y, 4)
	b = append(b, '-')
	b = dtAppendInt(b, m, 2)
	b = append(b, '-')
	return dtAppendInt(b, d, 2)
}

// dtAppendDateTime appends the canonical form of t, a time in dtChina.
func dtAppendDateTime(b []byte, t time.Time) []byte {
	y, m, d := t.Date()
	b = dtAppendDate(b, y, int(m), d)
	h, mi, s := t.Clock()
	b = append(b, 'T')
	b = dtAppendInt(b, h, 2)
	b = append(b, ':')
	b = dtAppendInt(b, mi, 2)
	b = append(b, ':')
	b = dtAppendInt(b, s, 2)
	if ns := t.Nanosecond(); ns != 0 {
		b = append(b, '.')
		w := 9
		for ns%10 == 0 {
			ns /= 10
			w--
		}
		b = dtAppendInt(b, ns, w)
	}
	return append(b, "+08:00"...)
}

// dtAppendInt appends n zero-padded to width digits.
func dtAppendInt(b []byte, n, width int) []byte {
	var tmp [20]byte
	i := len(tmp)
	for n > 0 || i > len(tmp)-width {
		i--
		tmp[i] = byte('0' + n%10)
		n /= 10
	}
	return append(b, tmp[i:]...)
}
