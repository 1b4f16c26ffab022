// Package masking de-identifies single field values for the exchange
// gateway, following the de-identification techniques of GB/T 37964-2019
// (suppression, partial masking, generalisation, keyed pseudonyms) and the
// masking types of Apache Ranger.
//
// Every function is pure: no I/O, and the only package-level state is a
// read-only table of compound surnames. A [Masker] is immutable and safe for
// concurrent use.
//
// # Values
//
// [Masker.Apply] takes a value as decoded from storage: string, int64,
// float64, bool or nil (other types are formatted with fmt). nil stays nil
// under every strategy. Under any strategy that masks, a number or bool is
// first formatted with strconv (3.0 becomes "3", so an int64 and a float64 of
// the same number mask and hash alike) and the result is always a string:
// a masked number is no longer a number. [StrategyClear] returns the value
// itself, untouched, and [StrategyNullify] returns nil.
//
// All functions work on runes, so Chinese text is never split inside a UTF-8
// sequence. Invalid UTF-8 is read as one U+FFFD per bad byte, so a masked
// result is always valid UTF-8. The empty string masks to the empty string.
//
// # Strategies
//
//   - clear: the value unchanged.
//   - redact ([Redact]): Ranger's MASK: lowercase letters become "x",
//     uppercase "X", decimal digits "n", and every other letter or number
//     (Han characters) "*"; punctuation, symbols and spaces are kept.
//   - show_first, show_last ([ShowFirst], [ShowLast]): keep N runes, star
//     the rest, one "*" per rune; at least one rune is always starred.
//   - nullify: nil.
//   - hash ([Pseudonym]): "ps_" and 32 hex digits of HMAC-SHA256 under the
//     Masker's key. A Masker without a key withholds the value (nil).
//   - date_year ([Year]): a date or datetime generalised to its year.
//   - partial ([ByKind]): the default mask of a personal-information kind.
//
// # Kinds
//
// The kinds are the catalog's PII kinds: "id_card" ([IDCard]), "uscc"
// ([USCC]), "name" ([Name]), "phone" ([Phone]), "address" ([Address]),
// "bank_card" ([BankCard]), "birth_date" ([Year]) and "email" ([Email]).
// The per-kind functions trim surrounding white space first. A value that
// does not have the kind's shape is masked more, never less: an id_card of 5
// characters becomes "*****". A masked kind never returns a value of two or
// more runes unchanged, except where nothing is left to hide: a value that
// already is a mask ("***", or a non-date birth_date such as "--" whose
// redaction is itself), and a value that already is at the level a
// generalisation keeps: an address that names nothing below the county
// ("浙江省湖州市长兴县") and a birth date that is only a year ("1985").
package masking

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Strategy names a way of masking a value.
type Strategy string

// The strategies. The zero Strategy, and any name not listed here, withholds
// the value: [Masker.Apply] returns nil.
const (
	StrategyClear     Strategy = "clear"
	StrategyRedact    Strategy = "redact"
	StrategyShowFirst Strategy = "show_first"
	StrategyShowLast  Strategy = "show_last"
	StrategyNullify   Strategy = "nullify"
	StrategyHash      Strategy = "hash"
	StrategyDateYear  Strategy = "date_year"
	StrategyPartial   Strategy = "partial"
)

// Rule says how to mask one field.
type Rule struct {
	Strategy Strategy `json:"strategy"`
	// N is the number of runes that show_first and show_last keep.
	N int `json:"n,omitempty"`
	// PII is the personal-information kind that partial masks by; an
	// unknown or empty kind is redacted.
	PII string `json:"pii,omitempty"`
}

// ForField returns the default rule of a catalog field of the given PII kind
// (empty for none) and level (1-4):
//
//   - levels 1 and 2, and any field the caller may see unmasked: clear;
//   - a field with a PII kind at level 3 or 4: partial by that kind;
//   - a field without one at level 3 or 4: redact.
//
// A level outside 1-4 is masked like level 3. Level 4 masks exactly like
// level 3: that level-4 fields are only served through exact-key lookups and
// verification is for the caller to enforce.
func ForField(pii string, level int, unmasked bool) Rule {
	switch {
	case unmasked || level == 1 || level == 2:
		return Rule{Strategy: StrategyClear}
	case pii == "":
		return Rule{Strategy: StrategyRedact}
	}
	return Rule{Strategy: StrategyPartial, PII: pii}
}

// A Masker applies rules. Its key makes the pseudonyms of [StrategyHash];
// give each consumer organisation its own key, so that two consumers cannot
// join their results on pseudonyms. The zero Masker has no key.
type Masker struct {
	key []byte
}

// New returns a Masker with a copy of key.
func New(key []byte) *Masker {
	return &Masker{key: append([]byte(nil), key...)}
}

// Apply masks v by r; see the package documentation for how values of each
// type come back. A nil Masker behaves as one without a key.
func (m *Masker) Apply(r Rule, v any) any {
	if v == nil {
		return nil
	}
	switch r.Strategy {
	case StrategyClear:
		return v
	case StrategyNullify:
		return nil
	}
	s := text(v)
	switch r.Strategy {
	case StrategyRedact:
		return Redact(s)
	case StrategyShowFirst:
		return ShowFirst(s, r.N)
	case StrategyShowLast:
		return ShowLast(s, r.N)
	case StrategyDateYear:
		return Year(s)
	case StrategyPartial:
		return ByKind(r.PII, s)
	case StrategyHash:
		if s == "" {
			return ""
		}
		if m == nil || len(m.key) == 0 {
			return nil
		}
		return Pseudonym(m.key, s)
	}
	return nil
}

// text formats a value for a strategy that works on strings.
func text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case []byte:
		return string(x)
	case time.Time:
		return x.Format(time.RFC3339Nano)
	}
	return fmt.Sprint(v)
}

// Pseudonym returns "ps_" and the first 32 hex digits of HMAC-SHA256(key, v).
// It is the same for the same key and value, so one consumer can still join
// on it, and unrelated under another key. An empty key gives "": without a
// key the hash of an identity number is reversed by trying every number.
func Pseudonym(key []byte, v string) string {
	if len(key) == 0 {
		return ""
	}
	h := hmac.New(sha256.New, key)
	h.Write([]byte(v))
	return "ps_" + hex.EncodeToString(h.Sum(nil)[:16])
}

// ByKind masks s by the default of a personal-information kind; see the
// package documentation for the kinds. An unknown kind is redacted.
func ByKind(pii, s string) string {
	switch pii {
	case "id_card":
		return IDCard(s)
	case "uscc":
		return USCC(s)
	case "name":
		return Name(s)
	case "phone":
		return Phone(s)
	case "address":
		return Address(s)
	case "bank_card":
		return BankCard(s)
	case "birth_date":
		return Year(s)
	case "email":
		return Email(s)
	}
	return Redact(s)
}

// Redact replaces lowercase letters with "x", uppercase letters with "X",
// decimal digits with "n" and other letters, numbers and marks, such as Han
// characters, with "*". Punctuation, symbols and white space are kept, so
// the shape of the value shows but none of its content.
func Redact(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, c := range s {
		switch {
		case unicode.IsLower(c):
			b.WriteByte('x')
		case unicode.IsUpper(c) || unicode.IsTitle(c):
			b.WriteByte('X')
		case unicode.IsDigit(c):
			b.WriteByte('n')
		case unicode.IsLetter(c) || unicode.IsNumber(c) || unicode.IsMark(c):
			b.WriteByte('*')
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// ShowFirst keeps the first n runes of s and replaces each other rune with
// "*". It keeps at most all but one rune, so a value no longer than n is not
// shown whole; n < 0 counts as 0.
func ShowFirst(s string, n int) string {
	r := []rune(s)
	return keep(r, max(0, min(n, len(r)-1)), 0)
}

// ShowLast keeps the last n runes of s and replaces each other rune with
// "*". It keeps at most all but one rune; n < 0 counts as 0.
func ShowLast(s string, n int) string {
	r := []rune(s)
	return keep(r, 0, max(0, min(n, len(r)-1)))
}

// IDCard masks a citizen identity number (GB 11643): the region code (the
// first 6 characters) and the last 4 stay, and the birth date is starred,
// "11010519491231002X" → "110105********002X". A 15-digit number of the old
// format keeps its last 3, as its birth date runs to the 12th character. A
// value shorter than 15 runes is not an identity number and is starred whole.
func IDCard(s string) string {
	r := []rune(strings.TrimSpace(s))
	switch n := len(r); {
	case n == 15:
		return keep(r, 6, 3)
	case n > 15:
		return keep(r, 6, 4)
	}
	return stars(len(r))
}

// USCC masks a unified social credit code (GB 32100): the first 8
// characters (registration authority, organisation type and region code)
// and the check character stay, and the 9-character organisation code is
// starred, "91330500MA2B3C4D5E" → "91330500*********E". A value that does not
// have 18 runes is starred whole.
func USCC(s string) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) == 18 {
		return keep(r, 8, 1)
	}
	return stars(len(r))
}

// BankCard keeps the last 4 digits of a bank card number and stars the
// others, after removing spaces and hyphens:
// "6222 0212 3456 7890 123" → "***************0123". A value that is not
// 12 or more digits is starred whole.
func BankCard(s string) string {
	t := strings.Map(func(c rune) rune {
		if c == '-' || unicode.IsSpace(c) {
			return -1
		}
		return c
	}, s)
	if len(t) >= 12 && digits(t) {
		return stars(len(t)-4) + t[len(t)-4:]
	}
	return stars(utf8.RuneCountInString(t))
}

// Phone masks a phone number. Spaces, hyphens and parentheses may separate
// digit groups.
//
//   - A mainland mobile number, 11 digits starting with 1, possibly after
//     +86, 0086 or 86, keeps its first 3 and last 4 digits and loses the
//     prefix and separators: "+86 138-1234-5678" → "138****5678".
//   - A landline number, starting with a 0 area code (or an area code
//     without the 0 after +86), keeps the area code, 010, 02X or 4 digits,
//     and the last 2 digits of a local number of 7 or more digits:
//     "0572-2123456" → "0572-*****56". An extension counts as part of the
//     local number; a shorter local number is starred whole.
//   - Anything else keeps its last 2 runes when it has 7 or more, and is
//     starred whole otherwise.
func Phone(s string) string {
	t := strings.TrimSpace(s)
	if d, ok := phoneDigits(t); ok {
		switch {
		case len(d) == 11 && d[0] == '1':
			return d[:3] + "****" + d[7:]
		case len(d) >= 4 && d[0] == '0':
			area := 4
			if d[1] == '1' || d[1] == '2' {
				area = 3
			}
			local := d[area:]
			if len(local) >= 7 {
				return d[:area] + "-" + stars(len(local)-2) + local[len(local)-2:]
			}
			if local != "" {
				return d[:area] + "-" + stars(len(local))
			}
		}
	}
	r := []rune(t)
	if len(r) >= 7 {
		return keep(r, 0, 2)
	}
	return stars(len(r))
}

// phoneDigits returns the digits of s without a country prefix, with a
// landline's trunk 0 restored after +86, or false when s has characters
// other than digits and separators.
func phoneDigits(s string) (string, bool) {
	intl := false
	switch {
	case strings.HasPrefix(s, "+86"):
		s, intl = s[3:], true
	case strings.HasPrefix(s, "0086"):
		s, intl = s[4:], true
	}
	d := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			d = append(d, c)
		case c == ' ' || c == '-' || c == '(' || c == ')':
		default:
			return "", false
		}
	}
	switch {
	case !intl && len(d) == 13 && d[0] == '8' && d[1] == '6' && d[2] == '1':
		d = d[2:]
	case intl && len(d) > 0 && d[0] >= '2' && d[0] <= '9':
		d = append([]byte{'0'}, d...)
	}
	return string(d), true
}

// Name keeps the surname of a personal name and stars each other
// character: "张三丰" → "张**". The surname is the first character, or the
// first two when they are a compound surname and the name is longer:
// "欧阳娜娜" → "欧阳**", but "欧阳" → "欧*". A name in another script keeps
// its first rune: "John Smith" → "J*** *****". Spaces and the middle dots
// between the parts of a transliterated name (·) are kept; a name of one
// rune is starred.
func Name(s string) string {
	r := []rune(strings.TrimSpace(s))
	head := 1
	switch {
	case len(r) <= 1:
		head = 0
	case len(r) >= 3 && compoundSurnames[string(r[:2])]:
		head = 2
	}
	var b strings.Builder
	starred := 0
	for i, c := range r {
		switch {
		case i < head || unicode.IsSpace(c) || strings.ContainsRune("·•・‧", c):
			b.WriteRune(c)
		default:
			b.WriteByte('*')
			starred++
		}
	}
	if starred == 0 {
		return stars(len(r))
	}
	return b.String()
}

// compoundSurnames are the two-character surnames that [Name] keeps whole.
// Only surnames are listed whose two characters are rarely a one-character
// surname and the start of a given name: a wrong entry shows one character
// of the given name, while a missing one only shows one character less.
// That is why 吴铭 (吴 and a given name such as 铭轩) and 单于 are left out.
var compoundSurnames = func() map[string]bool {
	const list = "欧阳 太史 端木 上官 司马 东方 独孤 南宫 万俟 闻人 夏侯 诸葛 尉迟 公羊 " +
		"赫连 澹台 皇甫 宗政 濮阳 公冶 太叔 申屠 公孙 慕容 仲孙 钟离 长孙 宇文 " +
		"司徒 鲜于 司空 闾丘 子车 亓官 司寇 巫马 公西 颛孙 壤驷 公良 漆雕 乐正 " +
		"宰父 谷梁 拓跋 夹谷 轩辕 令狐 段干 百里 呼延 东郭 南门 羊舌 微生 公户 " +
		"公玉 公仪 梁丘 公仲 公上 公门 公山 公坚 左丘 公伯 西门 公祖 第五 公乘 " +
		"贯丘 公皙 南荣 东里 东宫 仲长 子书 子桑 即墨 达奚 褚师 淳于 东门 公输"
	m := make(map[string]bool)
	for _, s := range strings.Fields(list) {
		m[s] = true
	}
	return m
}()

// addressMaxUnits is how many leading runes [Address] reads for
// administrative units: enough for the longest province, prefecture and
// county names together (新疆维吾尔自治区伊犁哈萨克自治州察布查尔锡伯自治县,
// 24 runes) after a leading 中国 or 中华人民共和国.
const addressMaxUnits = 32

// Address generalises an address to its county-level unit and appends a
// fixed "****" that hides the length of the rest:
// "浙江省湖州市吴兴区爱山街道人民路1号" → "浙江省湖州市吴兴区****",
// "北京市朝阳区建国路88号" → "北京市朝阳区****".
//
// It keeps the text up to the first 区, 县 or 旗 (a district, county or
// banner; 自治县, 自治旗, 林区 and 新区 included). The 区 of 自治区, 地区 and
// 特别行政区 ends a higher unit, as do 省, 市, 盟 and 自治州. When no county
// unit comes first, it keeps the text up to the last higher unit, which
// makes a county-level city such as 海宁市 in "浙江省嘉兴市海宁市硖石街道" the
// end. Reading stops at the first sign of a lower level, one of 街 路 镇 乡
// 村 号 巷 弄, 市场, or a 社区, 小区, 园区, 景区, 校区, 厂区 or 片区, and
// after 32 runes. A unit whose own name has such a sign (镇江市, 路桥区)
// therefore hides more than it needs to. With no unit at all, the first 3
// runes are kept (fewer for a value under 6 runes). An address that ends
// with the unit it is cut at is returned as is: "浙江省湖州市长兴县".
func Address(s string) string {
	r := []rune(strings.TrimSpace(s))
	n := len(r)
	if n == 0 {
		return ""
	}
	cut, end := 0, 0
scan:
	for i := 0; i < n && i < addressMaxUnits; i++ {
		switch r[i] {
		case '区':
			switch {
			case endsWith(r, i, "自治区") || endsWith(r, i, "行政区") || endsWith(r, i, "地区"):
				cut = i + 1
			case i > 0 && strings.ContainsRune("社小园景校厂片", r[i-1]):
				break scan
			default:
				end = i + 1
				break scan
			}
		case '县', '旗':
			end = i + 1
			break scan
		case '市':
			if i+1 < n && r[i+1] == '场' {
				break scan
			}
			cut = i + 1
		case '省', '盟':
			cut = i + 1
		case '州':
			if endsWith(r, i, "自治州") {
				cut = i + 1
			}
		case '街', '路', '镇', '乡', '村', '号', '巷', '弄':
			break scan
		}
	}
	if end == 0 {
		end = cut
	}
	if end == 0 {
		end = min(3, n/2)
	}
	if end == n {
		return string(r)
	}
	return string(r[:end]) + "****"
}

// endsWith reports whether the runes of r that end at index i spell w.
func endsWith(r []rune, i int, w string) bool {
	for j := i; w != ""; j-- {
		c, size := utf8.DecodeLastRuneInString(w)
		if j < 0 || r[j] != c {
			return false
		}
		w = w[:len(w)-size]
	}
	return true
}

// Email keeps the first character of the local part and the domain, with
// a fixed "***" for the rest of the local part: "zhangsan@hz.gov.cn" →
// "z***@hz.gov.cn". A one-character local part is not shown: "a@hz.gov.cn"
// → "***@hz.gov.cn". A value without "@" and a dotted domain of letters,
// digits and hyphens becomes "***".
func Email(s string) string {
	t := strings.TrimSpace(s)
	if t == "" {
		return ""
	}
	at := strings.LastIndexByte(t, '@')
	if at <= 0 || !domain(t[at+1:]) {
		return "***"
	}
	local := []rune(t[:at])
	if len(local) == 1 {
		return "***@" + t[at+1:]
	}
	return string(local[0]) + "***@" + t[at+1:]
}

// domain reports whether s looks like a domain name: dot-separated labels
// of letters, digits and hyphens, the last with a letter. It keeps [Email]
// from showing whatever text follows an "@".
func domain(s string) bool {
	labels := strings.Split(s, ".")
	if len(s) > 253 || len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || strings.ContainsFunc(l, func(c rune) bool {
			return c != '-' && !unicode.IsLetter(c) && !unicode.IsDigit(c)
		}) {
			return false
		}
	}
	return strings.ContainsFunc(labels[len(labels)-1], unicode.IsLetter)
}

// Year generalises a date or datetime to its 4-digit year: "1985-06-15" →
// "1985". It accepts a year, a month or a date written 1985-06-15,
// 1985-6-15, 1985/6/15, 1985.6.15, 19850615 or 1985年6月15日 (日 or 号
// optional), and a date followed by a time after "T" or a space
// ("1985-06-15T08:30:00+08:00"). The year is the one written, not converted
// to another zone. Anything else is not a date and is redacted ([Redact]).
func Year(s string) string {
	t := strings.TrimSpace(s)
	if y, ok := year(t); ok {
		return y
	}
	return Redact(t)
}

// year returns the year of a date or datetime written in one of the forms
// [Year] accepts.
func year(s string) (string, bool) {
	if len(s) < 4 || !digits(s[:4]) {
		return "", false
	}
	y, rest := s[:4], s[4:]
	yn, _ := strconv.Atoi(y)
	if yn == 0 {
		return "", false
	}
	if rest == "" || rest == "年" {
		return y, true
	}
	if len(rest) == 4 && digits(rest) {
		m, _ := strconv.Atoi(rest[:2])
		d, _ := strconv.Atoi(rest[2:])
		return y, validDate(yn, m, d)
	}
	// The separator after the year is the one after the month, except that
	// 年 is followed by 月.
	sep, sep2 := "", ""
	for _, p := range [][2]string{{"-", "-"}, {"/", "/"}, {".", "."}, {"年", "月"}} {
		if strings.HasPrefix(rest, p[0]) {
			sep, sep2 = p[0], p[1]
			break
		}
	}
	if sep == "" {
		return "", false
	}
	m, rest, ok := number(rest[len(sep):])
	if !ok || m < 1 || m > 12 {
		return "", false
	}
	if sep == "年" {
		if !strings.HasPrefix(rest, sep2) {
			return "", false
		}
		rest = rest[len(sep2):]
		if rest == "" {
			return y, true
		}
	} else if rest == "" {
		return y, true
	} else if !strings.HasPrefix(rest, sep2) {
		return "", false
	} else {
		rest = rest[len(sep2):]
	}
	d, rest, ok := number(rest)
	if !ok || !validDate(yn, m, d) {
		return "", false
	}
	if sep == "年" {
		rest = strings.TrimPrefix(strings.TrimPrefix(rest, "日"), "号")
	}
	return y, rest == "" || clock(rest)
}

// number reads the one or two digits at the start of s.
func number(s string) (int, string, bool) {
	i := 0
	for i < len(s) && i < 2 && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 || i < len(s) && s[i] >= '0' && s[i] <= '9' {
		return 0, s, false
	}
	n, _ := strconv.Atoi(s[:i])
	return n, s[i:], true
}

// validDate reports whether month m of year y has a day d.
func validDate(y, m, d int) bool {
	return m >= 1 && m <= 12 && d >= 1 &&
		d <= time.Date(y, time.Month(m+1), 0, 0, 0, 0, 0, time.UTC).Day()
}

// clock reports whether s is a plausible time of day after a date: "T" or
// spaces, a digit, then only digits, time separators and zone signs.
func clock(s string) bool {
	switch s[0] {
	case 'T', 't':
		s = s[1:]
	case ' ':
		s = strings.TrimLeft(s, " ")
	default:
		return false
	}
	if s == "" || s[0] < '0' || s[0] > '9' {
		return false
	}
	return !strings.ContainsFunc(s, func(c rune) bool {
		return (c < '0' || c > '9') && !strings.ContainsRune(":.+-Zz 时点分秒", c)
	})
}

// digits reports whether s is all ASCII digits.
func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// keep returns r with the runes outside the first head and last tail
// replaced by "*"; head+tail must not exceed len(r).
func keep(r []rune, head, tail int) string {
	var b strings.Builder
	b.Grow(len(r))
	for i, c := range r {
		if i < head || i >= len(r)-tail {
			b.WriteRune(c)
		} else {
			b.WriteByte('*')
		}
	}
	return b.String()
}

// stars returns n stars.
func stars(n int) string { return strings.Repeat("*", n) }
