package ingest

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"huitong/internal/catalog"
	"huitong/internal/ids"
)

// Per-value quality rules (DESIGN 4, rule 4; 6a).
//
// Canonical forms stored for each type:
//
//   - string: the value trimmed of surrounding white space (Unicode spaces,
//     the full-width space U+3000, NBSP, BOM and zero-width space);
//     nothing inside is changed.
//   - int: optional "-", digits without leading zeros; "0" for zero. Input
//     may have a "+", thousands separators in groups of three, full-width
//     digits, a zero fraction ("12.00") or an exponent ("1e3"), as long as
//     the value is a whole number within int64.
//   - decimal: plain notation, no exponent, no leading zeros before the
//     units digit, no trailing fractional zeros, no "." without a fraction,
//     no "-0": "1234.5", "-0.5", "1000", "0". At most 100 characters.
//   - bool: "true" or "false".
//   - date, datetime: see dates.go.
//   - id_card: 18 characters with an uppercase check "X".
//   - uscc: upper case.
//   - phone: a mobile number as 11 digits ("13812345678"); a landline as
//     area code, "-", local number and optionally "-" and an extension of
//     1-6 digits ("010-12345678", "0755-1234567-123"). "+86" and "0086" are
//     dropped.
//   - email: the domain in lower case.
//   - bank_card: digits only.
//
// Full-width forms of ASCII characters (１２３，－／：) are folded to ASCII
// for every type but string, and for PII kinds other than name and address.

// Severities of a finding.
const (
	SeverityError   = "error"   // the row is rejected and quarantined
	SeverityWarning = "warning" // the value is kept; the uploader should look
)

// ErrInvalidRule is returned by [NewChecker] for a field whose type, PII
// kind or quality rules cannot be applied. Catalog validation should have
// refused such a field.
var ErrInvalidRule = errors.New("ingest: invalid field rule")

// ErrNotNormalized is returned by [Typed] for a value that is not in the
// canonical form [Checker.Check] produces for the field's type.
var ErrNotNormalized = errors.New("ingest: value not normalized")

// Problem is one finding about one value. Messages go into reports and
// logs, so they quote at most 20 characters of a value, and none of a level
// 3 or 4 field's value; identity and bank card numbers are shown as their
// first 6 and last 4 characters, phone numbers as their first 3 and last 4,
// at any level. A message may still name a part of a value that is not
// personal on its own, such as a region code or an impossible month.
type Problem struct {
	// Rule is a stable code: required; type_int, type_decimal, type_bool,
	// type_date, type_datetime; encoding, control_char (string values);
	// enum, regex, range, length; id_card, id_card_birth, id_card_region;
	// uscc, uscc_check, uscc_region; phone; email; bank_card,
	// bank_card_luhn; name; birth_date.
	Rule      string
	Severity  string // SeverityError or SeverityWarning
	Message   string // zh-CN: what is wrong and how to fix it
	MessageEN string
}

// Checker checks and normalises the values of one field. Build one per field
// per batch; it is safe for concurrent use.
type Checker struct {
	f      catalog.Field
	now    time.Time // in dtChina
	today  string    // canonical date of now in China
	reveal ruleReveal
	re     *regexp.Regexp
	// min and max are canonical bounds, "" when unset. Canonical dates and
	// datetimes (all at +08:00) order as strings; numbers use
	// ruleCmpDecimal.
	min, max       string
	enum           map[string]struct{} // canonical values
	enumZH, enumEN string              // the allowed values for messages
}

// ruleReveal says how much of a value a message may show.
type ruleReveal uint8

const (
	revealText  ruleReveal = iota // up to ruleQuoteMax characters
	revealNone                    // nothing (level 3 and 4)
	revealID                      // first 6 and last 4 (ID, bank card)
	revealPhone                   // first 3 and last 4
)

const (
	ruleQuoteMax      = 20  // characters of a value a message may quote
	ruleEnumShown     = 10  // allowed values listed in an enum message
	ruleMaxDecimalLen = 100 // characters of a canonical decimal
	ruleNameMax       = 50  // characters of a person's name
)

// NewChecker builds the checker of a field as of now, the time against
// which birth dates in identity numbers and birth_date fields must not lie
// in the future. It returns an error wrapping [ErrInvalidRule] when the
// field's type or PII kind is unknown, its regex does not compile, its
// Min or Max does not parse as its type (or is set on a type without
// order), Min exceeds Max, or its length bounds are negative or crossed.
func NewChecker(f catalog.Field, now time.Time) (*Checker, error) {
	if !slices.Contains(catalog.FieldTypes, f.Type) {
		return nil, fmt.Errorf("%w: field %s: unknown type %q", ErrInvalidRule, f.Name, f.Type)
	}
	if f.PII != "" && !slices.Contains(catalog.PIIKinds, f.PII) {
		return nil, fmt.Errorf("%w: field %s: unknown pii kind %q", ErrInvalidRule, f.Name, f.PII)
	}
	c := &Checker{f: f, now: now.In(dtChina)}
	y, m, d := c.now.Date()
	c.today = string(dtAppendDate(nil, y, int(m), d))
	switch {
	case f.PII == "id_card" || f.PII == "bank_card":
		c.reveal = revealID
	case f.PII == "phone":
		c.reveal = revealPhone
	case f.Level >= 3:
		c.reveal = revealNone
	}
	if f.Regex != "" {
		re, err := regexp.Compile(`^(?:` + f.Regex + `)$`)
		if err != nil {
			return nil, fmt.Errorf("%w: field %s: regex: %w", ErrInvalidRule, f.Name, err)
		}
		c.re = re
	}
	if f.Min != "" || f.Max != "" {
		switch f.Type {
		case "int", "decimal", "date", "datetime":
		default:
			return nil, fmt.Errorf("%w: field %s: min/max on a %s field", ErrInvalidRule, f.Name, f.Type)
		}
		var ok bool
		if c.min, ok = c.bound(f.Min); !ok {
			return nil, fmt.Errorf("%w: field %s: min %q is not a %s", ErrInvalidRule, f.Name, f.Min, f.Type)
		}
		if c.max, ok = c.bound(f.Max); !ok {
			return nil, fmt.Errorf("%w: field %s: max %q is not a %s", ErrInvalidRule, f.Name, f.Max, f.Type)
		}
		if c.min != "" && c.max != "" && c.compare(c.min, c.max) > 0 {
			return nil, fmt.Errorf("%w: field %s: min %s is above max %s", ErrInvalidRule, f.Name, f.Min, f.Max)
		}
	}
	if f.MinLength < 0 || f.MaxLength < 0 || f.MaxLength > 0 && f.MinLength > f.MaxLength {
		return nil, fmt.Errorf("%w: field %s: length bounds %d-%d", ErrInvalidRule, f.Name, f.MinLength, f.MaxLength)
	}
	if len(f.Enum) > 0 {
		c.enum = make(map[string]struct{}, len(f.Enum))
		for _, e := range f.Enum {
			e = ruleTrim(e)
			// Enum values are compared in canonical form, so that "01"
			// allows "1" in an int field and Check stays idempotent.
			if n, ps, ok := c.normalize(e); ok && !ruleHasError(ps) {
				e = n
			}
			c.enum[e] = struct{}{}
		}
		c.enumZH, c.enumEN = ruleEnumList(f.Enum)
	}
	return c, nil
}

// bound parses a Min or Max into canonical form; "" stays "".
func (c *Checker) bound(s string) (string, bool) {
	s = ruleFold(ruleTrim(s))
	if s == "" {
		return "", true
	}
	switch c.f.Type {
	case "int":
		n, e := ruleInt(s)
		return n, e == numOK
	case "decimal":
		n, e := ruleDecimal(s)
		return n, e == numOK
	case "date":
		d, e := dtParseDate(s)
		return d, e.kind == dtOK
	case "datetime":
		d, _, e := dtParseDateTime(s)
		return d, e.kind == dtOK
	}
	return "", false
}

// compare orders two canonical values of the field's type.
func (c *Checker) compare(a, b string) int {
	if c.f.Type == "int" || c.f.Type == "decimal" {
		return ruleCmpDecimal(a, b)
	}
	return strings.Compare(a, b)
}

// Check returns the canonical form of raw (see the package's canonical
// forms above) and the problems found. A value with an error-severity
// problem must be rejected; warnings keep it. An empty value (after
// trimming) gives ("", nil) for an optional field and a required error
// otherwise. When the value cannot be read as the field's type, the
// trimmed input is returned with the type problem and no other rule is
// checked; otherwise every rule is checked. With an error, the returned
// value is only a best effort and must not be stored.
//
// Check is idempotent: for an accepted value v, Check(v) returns v again
// with no error.
func (c *Checker) Check(raw string) (string, []Problem) {
	v := ruleTrim(raw)
	if v == "" {
		if c.f.Required {
			return "", []Problem{{Rule: "required", Severity: SeverityError,
				Message: "必填项为空，请填写", MessageEN: "a required value is missing"}}
		}
		return "", nil
	}
	v, ps, ok := c.normalize(v)
	if !ok {
		return v, ps
	}
	return v, c.declared(v, ps)
}

// normalize applies the type and the PII kind to a trimmed, non-empty
// value. ok is false when the value is not of the field's type.
func (c *Checker) normalize(v string) (_ string, ps []Problem, ok bool) {
	switch c.f.Type {
	case "int", "decimal":
		var n string
		var e ruleNumErr
		if c.f.Type == "int" {
			n, e = ruleInt(ruleFold(v))
		} else {
			n, e = ruleDecimal(ruleFold(v))
		}
		if e != numOK {
			return v, append(ps, c.numProblem(e, v)), false
		}
		v = n
	case "bool":
		b, good := ruleBool(ruleFold(v))
		if !good {
			return v, append(ps, c.withValue(Problem{Rule: "type_bool", Severity: SeverityError,
				Message:   "应为是或否（可填：是、否、true、false、1、0、Y、N、yes、no）",
				MessageEN: "must be yes or no (one of 是, 否, true, false, 1, 0, Y, N, yes, no)"}, v)), false
		}
		v = b
	case "datetime":
		d, t, e := dtParseDateTime(ruleFold(v))
		if e.kind != dtOK {
			return v, append(ps, c.dateProblem("type_datetime", e, v)), false
		}
		v = d
		if c.f.PII == "birth_date" {
			ps = c.checkBirth(t.Year(), t.After(c.now), ps)
		}
	case "date":
		d, e := dtParseDate(ruleFold(v))
		if e.kind != dtOK {
			return v, append(ps, c.dateProblem("type_date", e, v)), false
		}
		v = d
		if c.f.PII == "birth_date" {
			ps = c.checkBirth(dtAtoi(d[:4]), d > c.today, ps)
		}
	default: // string
		if c.f.PII == "birth_date" {
			d, e := dtParseDate(ruleFold(v))
			if e.kind != dtOK {
				return v, append(ps, c.dateProblem("type_date", e, v)), false
			}
			v = d
			ps = c.checkBirth(dtAtoi(d[:4]), d > c.today, ps)
			break
		}
		if c.f.PII != "" && c.f.PII != "name" && c.f.PII != "address" {
			break // the PII check below accepts only printable ASCII
		}
		if p, bad := ruleTextProblem(v); p.Rule != "" {
			if bad {
				return v, append(ps, p), false
			}
			ps = append(ps, p)
		}
	}
	switch c.f.PII {
	case "id_card":
		v, ps = c.checkIDCard(v, ps)
	case "uscc":
		v, ps = c.checkUSCC(v, ps)
	case "phone":
		v, ps = c.checkPhone(v, ps)
	case "email":
		v, ps = c.checkEmail(v, ps)
	case "bank_card":
		v, ps = c.checkBankCard(v, ps)
	case "name":
		ps = c.checkName(v, ps)
	}
	return v, ps, true
}

// declared applies the field's declared rules to a canonical value.
func (c *Checker) declared(v string, ps []Problem) []Problem {
	f := &c.f
	if c.enum != nil {
		if _, ok := c.enum[v]; !ok {
			ps = append(ps, c.withValue(Problem{Rule: "enum", Severity: SeverityError,
				Message: "只能取：" + c.enumZH, MessageEN: "must be one of: " + c.enumEN}, v))
		}
	}
	if c.re != nil && !c.re.MatchString(v) {
		pat := ruleClip(f.Regex, 60)
		ps = append(ps, c.withValue(Problem{Rule: "regex", Severity: SeverityError,
			Message:   "不符合规定的格式（正则表达式 " + pat + "）",
			MessageEN: "does not match the required pattern " + pat}, v))
	}
	if (c.min != "" && c.compare(v, c.min) < 0) || (c.max != "" && c.compare(v, c.max) > 0) {
		ps = append(ps, c.withValue(c.rangeProblem(), v))
	}
	if f.MinLength > 0 || f.MaxLength > 0 {
		n := utf8.RuneCountInString(v)
		if n < f.MinLength || f.MaxLength > 0 && n > f.MaxLength {
			var zh, en string
			switch {
			case f.MinLength > 0 && f.MaxLength > 0:
				zh = fmt.Sprintf("长度应为 %d-%d 个字符，实为 %d 个", f.MinLength, f.MaxLength, n)
				en = fmt.Sprintf("must be %d to %d characters long, got %d", f.MinLength, f.MaxLength, n)
			case f.MinLength > 0:
				zh = fmt.Sprintf("长度应至少 %d 个字符，实为 %d 个", f.MinLength, n)
				en = fmt.Sprintf("must be at least %d characters long, got %d", f.MinLength, n)
			default:
				zh = fmt.Sprintf("长度应至多 %d 个字符，实为 %d 个", f.MaxLength, n)
				en = fmt.Sprintf("must be at most %d characters long, got %d", f.MaxLength, n)
			}
			ps = append(ps, Problem{Rule: "length", Severity: SeverityError, Message: zh, MessageEN: en})
		}
	}
	return ps
}

// rangeProblem describes the field's Min and Max.
func (c *Checker) rangeProblem() Problem {
	lo, hi := ruleTrim(c.f.Min), ruleTrim(c.f.Max)
	p := Problem{Rule: "range", Severity: SeverityError}
	dated := c.f.Type == "date" || c.f.Type == "datetime"
	switch {
	case lo != "" && hi != "" && dated:
		p.Message = "不在日期范围 [" + lo + ", " + hi + "] 内"
		p.MessageEN = "is outside the date range [" + lo + ", " + hi + "]"
	case lo != "" && hi != "":
		p.Message = "不在取值范围 [" + lo + ", " + hi + "] 内"
		p.MessageEN = "is outside the range [" + lo + ", " + hi + "]"
	case lo != "" && dated:
		p.Message, p.MessageEN = "应不早于 "+lo, "must not be before "+lo
	case lo != "":
		p.Message, p.MessageEN = "应不小于 "+lo, "must be at least "+lo
	case dated:
		p.Message, p.MessageEN = "应不晚于 "+hi, "must not be after "+hi
	default:
		p.Message, p.MessageEN = "应不大于 "+hi, "must be at most "+hi
	}
	return p
}

// withValue appends to a problem's messages as much of v as the field
// allows to be shown.
func (c *Checker) withValue(p Problem, v string) Problem {
	var s string
	n := utf8.RuneCountInString(v)
	switch c.reveal {
	case revealNone:
	case revealID:
		if n >= 10 {
			s = ruleMask(v, 6, 4, n)
		}
	case revealPhone:
		if n >= 7 {
			s = ruleMask(v, 3, 4, n)
		}
	default:
		s = ruleClip(v, ruleQuoteMax)
	}
	if s != "" {
		p.Message += "（值：“" + s + "”）"
		p.MessageEN += " (value: “" + s + "”)"
	}
	return p
}

// ruleMask keeps the first head and last tail of the n characters of v
// and stars the rest.
func ruleMask(v string, head, tail, n int) string {
	var b strings.Builder
	i := 0
	for _, r := range v {
		switch {
		case i < head || i >= n-tail:
			b.WriteRune(ruleGraphic(r))
		default:
			b.WriteByte('*')
		}
		i++
	}
	return b.String()
}

// ruleClip returns at most max characters of s, with "…" when cut, and
// control characters replaced so messages stay printable.
func ruleClip(s string, max int) string {
	var b strings.Builder
	i := 0
	for _, r := range s {
		if i == max {
			b.WriteString("…")
			break
		}
		b.WriteRune(ruleGraphic(r))
		i++
	}
	return b.String()
}

func ruleGraphic(r rune) rune {
	if unicode.IsGraphic(r) {
		return r
	}
	return '\uFFFD'
}

// ruleEnumList lists allowed values for messages, cut after ruleEnumShown.
func ruleEnumList(values []string) (zh, en string) {
	shown := values
	if len(shown) > ruleEnumShown {
		shown = shown[:ruleEnumShown]
	}
	var bz, be strings.Builder
	for i, v := range shown {
		if i > 0 {
			bz.WriteString("、")
			be.WriteString(", ")
		}
		v = ruleClip(v, ruleQuoteMax)
		bz.WriteString(v)
		be.WriteString(v)
	}
	if len(shown) < len(values) {
		fmt.Fprintf(&bz, "等（共 %d 个值）", len(values))
		fmt.Fprintf(&be, ", … (%d values)", len(values))
	}
	return bz.String(), be.String()
}

func ruleHasError(ps []Problem) bool {
	for _, p := range ps {
		if p.Severity == SeverityError {
			return true
		}
	}
	return false
}

// ruleTrim trims white space, the BOM and zero-width spaces from both
// ends of s.
func ruleTrim(s string) string {
	if s == "" {
		return s
	}
	if a, z := s[0], s[len(s)-1]; a > ' ' && a < utf8.RuneSelf && z > ' ' && z < utf8.RuneSelf {
		return s
	}
	// Most Chinese text starts and ends with a character above U+3000,
	// beyond every space but the BOM.
	a, _ := utf8.DecodeRuneInString(s)
	z, _ := utf8.DecodeLastRuneInString(s)
	if ruleNotSpace(a) && ruleNotSpace(z) {
		return s
	}
	return strings.TrimFunc(s, ruleIsSpace)
}

func ruleNotSpace(r rune) bool {
	return r > ' ' && r < 0x7F || r > '\u3000' && r != '\uFEFF' && r != utf8.RuneError
}

func ruleIsSpace(r rune) bool {
	return unicode.IsSpace(r) || r == '\uFEFF' || r == '\u200B'
}

// ruleFold maps full-width ASCII forms, the ideographic space, NBSP and
// dash-like characters to ASCII. It allocates only when something changes.
func ruleFold(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return strings.Map(ruleFoldRune, s)
		}
	}
	return s
}

func ruleFoldRune(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		return r - 0xFEE0
	case r == '\u3000' || r == '\u00A0':
		return ' '
	case r >= '\u2010' && r <= '\u2013' || r == '\u2212':
		return '-'
	}
	return r
}

// ruleTextProblem checks a string value for invalid UTF-8 and control
// characters other than tab and line breaks (errors: databases and
// reports cannot hold them) and for U+FFFD (a warning: a sign that the
// file's encoding was misread).
func ruleTextProblem(v string) (p Problem, isError bool) {
	// Fast path: no ASCII control character, no byte that may start a C1
	// control (0xC2) or U+FFFD (0xEF), and valid UTF-8.
	clean := true
	for i := 0; i < len(v) && clean; i++ {
		b := v[i]
		clean = b >= ' ' && b != 0x7F && b != 0xC2 && b != 0xEF || b == '\t' || b == '\n' || b == '\r'
	}
	if clean && utf8.ValidString(v) {
		return p, false
	}
	pos := 0
	for i, r := range v {
		pos++
		switch {
		case r == utf8.RuneError:
			if _, size := utf8.DecodeRuneInString(v[i:]); size == 1 {
				return Problem{Rule: "encoding", Severity: SeverityError,
					Message:   fmt.Sprintf("第 %d 个字符处含有无效的 UTF-8 字节，文件编码可能不对，请另存为 UTF-8 或注明 GB18030 编码", pos),
					MessageEN: fmt.Sprintf("invalid UTF-8 at character %d: the file's encoding may be wrong; save it as UTF-8 or declare GB18030", pos)}, true
			}
			if p.Rule == "" {
				p = Problem{Rule: "encoding", Severity: SeverityWarning,
					Message:   fmt.Sprintf("第 %d 个字符是替换字符“\uFFFD”，文件编码可能识别错误，请核对", pos),
					MessageEN: fmt.Sprintf("character %d is the replacement character U+FFFD: the file's encoding may have been misread", pos)}
			}
		case r < ' ' && r != '\t' && r != '\n' && r != '\r', r >= 0x7F && r < 0xA0:
			return Problem{Rule: "control_char", Severity: SeverityError,
				Message:   fmt.Sprintf("第 %d 个字符是控制字符 U+%04X，请删除", pos, r),
				MessageEN: fmt.Sprintf("character %d is the control character U+%04X: remove it", pos, r)}, true
		}
	}
	return p, false
}

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

// checkIDCard applies GB 11643-1999 and looks up the region code.
func (c *Checker) checkIDCard(v string, ps []Problem) (string, []Problem) {
	v = ruleFold(v)
	if len(v) == ids.IDCardLength && v[len(v)-1] == 'x' {
		v = v[:len(v)-1] + "X"
	}
	bad := func(rule, zh, en string) []Problem {
		return append(ps, Problem{Rule: rule, Severity: SeverityError, Message: zh, MessageEN: en})
	}
	err := ids.ValidateIDCardAt(v, c.now)
	switch {
	case err == nil:
	case errors.Is(err, ids.ErrIDLength):
		n := utf8.RuneCountInString(v)
		switch {
		case n == 15 && ruleAllDigits(v):
			return v, bad("id_card", "这是 15 位的旧身份证号码，请改填 18 位号码",
				"this is an old 15-digit ID number: enter the 18-digit number")
		case ruleScientific(v):
			return v, bad("id_card", ruleScientificZH, ruleScientificEN)
		}
		return v, bad("id_card", fmt.Sprintf("身份证号码应为 18 位，实为 %d 位", n),
			fmt.Sprintf("an ID number has 18 characters, got %d", n))
	case errors.Is(err, ids.ErrIDChar):
		pos, r := 0, rune(0)
		for _, r = range v {
			pos++
			if !(r >= '0' && r <= '9' || r == 'X' && pos == ids.IDCardLength) {
				break
			}
		}
		return v, bad("id_card",
			fmt.Sprintf("身份证号码第 %d 位字符“%c”无效：前 17 位应为数字，第 18 位应为数字或 X", pos, ruleGraphic(r)),
			fmt.Sprintf("invalid character “%c” at position %d: positions 1-17 are digits, position 18 a digit or X", ruleGraphic(r), pos))
	case errors.Is(err, ids.ErrIDBirthDate):
		// ValidateIDCardAt has checked that all 18 characters are ASCII.
		b := dtValue{year: dtAtoi(v[6:10]), month: dtAtoi(v[10:12]), day: dtAtoi(v[12:14])}
		zh, en := "晚于今天", "is after today"
		switch {
		case b.checkDate().kind != dtOK:
			zh, en = "不是有效日期", "is not a calendar date"
		case b.year < 1850:
			zh, en = "早于 1850-01-01", "is before 1850-01-01"
		}
		ps = bad("id_card_birth", "身份证号码中的出生日期（第 7-14 位）"+zh+"，请核对",
			"the birth date in the ID number (positions 7-14) "+en+": check the number")
	case errors.Is(err, ids.ErrIDCheck):
		want, _ := ids.IDCardCheckChar(v[:ids.IDCardLength-1])
		ps = bad("id_card", fmt.Sprintf("身份证号码校验位错误，按前 17 位计算应为 %c，请核对号码", want),
			fmt.Sprintf("wrong check character: the first 17 digits give %c; check the number", want))
	default:
		return v, bad("id_card", "身份证号码无效", "invalid ID number")
	}
	if !ids.KnownRegion(v[:6]) {
		ps = append(ps, Problem{Rule: "id_card_region", Severity: SeverityWarning,
			Message:   "身份证号码前 6 位地区码 " + v[:6] + " 不在现行行政区划代码表中（可能是已撤销的旧代码），请核对",
			MessageEN: "region code " + v[:6] + " (positions 1-6) is not in the current region table (it may be a withdrawn code): check the number"})
	}
	return v, ps
}

const (
	ruleScientificZH = "号码疑似被 Excel 转成了科学计数法（如 1.10105E+17），后几位已丢失；请把该列设为文本格式后重新填写"
	ruleScientificEN = "the number looks like Excel scientific notation (e.g. 1.10105E+17) and has lost digits: format the column as text and enter it again"
)

// ruleScientific reports whether s looks like a long number that a
// spreadsheet displayed in scientific notation: 1.10105E+17.
func ruleScientific(s string) bool {
	m, e, ok := strings.Cut(strings.ToUpper(s), "E+")
	if !ok || len(e) == 0 || !ruleAllDigits(e) {
		return false
	}
	whole, frac, _ := strings.Cut(m, ".")
	return len(whole) >= 1 && ruleAllDigits(whole) && ruleAllDigits(frac)
}

func ruleAllDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// usccNational is the region code of codes issued by national authorities.
const usccNational = "100000"

// checkUSCC applies GB 32100-2015 and looks up the region code. A check
// character mismatch has its own rule, uscc_check, because some legally
// issued codes fail it and an admin may override it (DESIGN 6a).
func (c *Checker) checkUSCC(v string, ps []Problem) (string, []Problem) {
	v = strings.ToUpper(ruleFold(v))
	bad := func(rule, zh, en string) []Problem {
		return append(ps, Problem{Rule: rule, Severity: SeverityError, Message: zh, MessageEN: en})
	}
	err := ids.ValidateUSCC(v)
	switch {
	case err == nil:
	case errors.Is(err, ids.ErrUSCCLength):
		n := utf8.RuneCountInString(v)
		return v, bad("uscc", fmt.Sprintf("统一社会信用代码应为 18 位，实为 %d 位", n),
			fmt.Sprintf("a unified social credit code has 18 characters, got %d", n))
	case errors.Is(err, ids.ErrUSCCChar):
		pos := 0
		for _, r := range v {
			pos++
			switch {
			case pos >= 3 && pos <= 8 && (r < '0' || r > '9') && strings.ContainsRune(ids.USCCAlphabet, r):
				return v, bad("uscc", fmt.Sprintf("统一社会信用代码第 %d 位应为数字（第 3-8 位是行政区划码）", pos),
					fmt.Sprintf("position %d of the code must be a digit (positions 3-8 are the region code)", pos))
			case !strings.ContainsRune(ids.USCCAlphabet, r):
				return v, bad("uscc",
					fmt.Sprintf("统一社会信用代码第 %d 位字符“%c”无效（只用数字和 I、O、S、V、Z 以外的大写字母）", pos, ruleGraphic(r)),
					fmt.Sprintf("invalid character “%c” at position %d of the code (only digits and capital letters other than I, O, S, V, Z)", ruleGraphic(r), pos))
			}
		}
		return v, bad("uscc", "统一社会信用代码含有无效字符", "the code has an invalid character")
	case errors.Is(err, ids.ErrUSCCCheck):
		want, _ := ids.USCCCheckChar(v[:ids.USCCLength-1])
		ps = bad("uscc_check", fmt.Sprintf("统一社会信用代码校验码错误，按前 17 位计算应为 %c，请核对", want),
			fmt.Sprintf("wrong check character: the first 17 characters give %c; check the code", want))
	default:
		return v, bad("uscc", "统一社会信用代码无效", "invalid unified social credit code")
	}
	if r := ids.USCCRegion(v); r != usccNational && !ids.KnownRegion(r) {
		ps = append(ps, Problem{Rule: "uscc_region", Severity: SeverityWarning,
			Message:   "统一社会信用代码第 3-8 位行政区划码 " + r + " 不在现行代码表中（可能是已撤销的旧代码），请核对",
			MessageEN: "region code " + r + " (positions 3-8) is not in the current region table (it may be a withdrawn code): check the code"})
	}
	return v, ps
}

// checkPhone accepts a mainland mobile or landline number.
func (c *Checker) checkPhone(v string, ps []Problem) (string, []Problem) {
	f := ruleFold(v)
	n, why, digits := rulePhone(f)
	if why == phoneOK {
		return n, ps
	}
	p := Problem{Rule: "phone", Severity: SeverityError,
		Message:   "电话号码格式不正确：手机号为 11 位数字（如 13812345678），固定电话为区号加 7-8 位号码（如 010-62345678）",
		MessageEN: "not a valid phone number: a mobile number has 11 digits (e.g. 13812345678), a landline an area code and 7-8 digits (e.g. 010-62345678)"}
	switch {
	case ruleScientific(f):
		p.Message, p.MessageEN = ruleScientificZH, ruleScientificEN
	case why == phoneMobileLength:
		p.Message = fmt.Sprintf("手机号码应为 11 位，实为 %d 位", digits)
		p.MessageEN = fmt.Sprintf("a mobile number has 11 digits, got %d", digits)
	case why == phoneArea:
		p.Message = "区号无效：区号为 010、020-029，或 0 加上以 3-9 开头的 3 位数字（如 0755）"
		p.MessageEN = "invalid area code: area codes are 010, 020-029, or 0 and 3 digits starting with 3-9 (e.g. 0755)"
	case why == phoneLocal:
		p.Message = "固定电话号码（区号之后的部分）应为 7-8 位，且不以 0 或 1 开头"
		p.MessageEN = "a landline number (after the area code) has 7 or 8 digits and does not start with 0 or 1"
	}
	return v, append(ps, c.withValue(p, v))
}

// rulePhoneErr says why a phone number was rejected.
type rulePhoneErr uint8

const (
	phoneOK           rulePhoneErr = iota
	phoneFormat                    // characters or shape of neither kind
	phoneMobileLength              // digits starting with 1, not 11 of them
	phoneArea                      // no such area code
	phoneLocal                     // the local number's length or first digit
)

// rulePhone returns the canonical form of a phone number, or why it is
// not one and how many digits it has. Spaces, "-" and parentheses may
// separate digit groups; a landline's extension is the last group, after
// a local number of 7 or 8 digits. Area codes are 010, 02X or 0 and three
// digits starting with 3-9; local numbers start with 2-9 (0 is the trunk
// prefix, 1 starts service numbers).
func rulePhone(s string) (string, rulePhoneErr, int) {
	intl := false
	switch {
	case strings.HasPrefix(s, "+86"):
		s, intl = s[3:], true
	case strings.HasPrefix(s, "0086"):
		s, intl = s[4:], true
	}
	var dbuf [24]byte
	d := dbuf[:1] // dbuf[0] is room for a leading 0
	last := -1    // digit count at the last group boundary
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			if len(d) == len(dbuf) {
				return "", phoneFormat, len(d)
			}
			d = append(d, c)
		case c == ' ' || c == '-' || c == '(' || c == ')':
			if len(d) > 1 {
				last = len(d) - 1
			}
		default:
			return "", phoneFormat, 0
		}
	}
	d = d[1:]
	switch {
	case len(d) == 0:
		return "", phoneFormat, 0
	case d[0] == '1' && len(d) == 11:
		if d[1] < '3' {
			return "", phoneFormat, 11
		}
		if string(d) == s {
			return s, phoneOK, 11
		}
		return string(d), phoneOK, 11
	case d[0] == '1' && !intl:
		return "", phoneMobileLength, len(d)
	case d[0] != '0' && !intl:
		return "", phoneFormat, len(d)
	case d[0] != '0':
		d = dbuf[:len(d)+1] // +86 drops the trunk prefix: put it back
		d[0] = '0'
		if last >= 0 {
			last++
		}
	}
	var area int
	switch {
	case len(d) < 3:
		return "", phoneFormat, len(d)
	case d[1] == '1' && d[2] == '0', d[1] == '2':
		area = 3
	case d[1] >= '3':
		area = 4
	default:
		return "", phoneArea, len(d)
	}
	local, ext := len(d)-area, 0
	if p := last - area; (p == 7 || p == 8) && len(d)-last >= 1 && len(d)-last <= 6 {
		local, ext = p, len(d)-last
	}
	if local != 7 && local != 8 || d[area] < '2' {
		return "", phoneLocal, len(d)
	}
	var obuf [32]byte
	o := append(obuf[:0], d[:area]...)
	o = append(o, '-')
	o = append(o, d[area:area+local]...)
	if ext > 0 {
		o = append(o, '-')
		o = append(o, d[area+local:]...)
	}
	if string(o) == s {
		return s, phoneOK, len(d)
	}
	return string(o), phoneOK, len(d)
}

// checkEmail accepts addresses of the form local@domain.tld with ASCII
// characters, and lower-cases the domain.
func (c *Checker) checkEmail(v string, ps []Problem) (string, []Problem) {
	f := ruleFold(v)
	at := strings.LastIndexByte(f, '@')
	if at > 0 && ruleEmailLocal(f[:at]) && ruleEmailDomain(f[at+1:]) {
		if d := f[at+1:]; strings.ToLower(d) != d {
			f = f[:at+1] + strings.ToLower(d)
		}
		return f, ps
	}
	return v, append(ps, c.withValue(Problem{Rule: "email", Severity: SeverityError,
		Message: "电子邮箱格式不正确（应如 name@example.gov.cn）", MessageEN: "not a valid email address (e.g. name@example.gov.cn)"}, v))
}

func ruleEmailLocal(s string) bool {
	if len(s) == 0 || len(s) > 64 || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(".!#$%&'*+/=?^_`{|}~-", c) >= 0) {
			return false
		}
	}
	return true
}

func ruleEmailDomain(s string) bool {
	if len(s) == 0 || len(s) > 253 {
		return false
	}
	labels := 0
	tldLetter := false
	for s != "" {
		label, rest, _ := strings.Cut(s, ".")
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		tldLetter = false
		for i := 0; i < len(label); i++ {
			c := label[i] | 0x20
			switch {
			case c >= 'a' && c <= 'z':
				tldLetter = true
			case label[i] >= '0' && label[i] <= '9', label[i] == '-':
			default:
				return false
			}
		}
		labels++
		if rest == "" && strings.HasSuffix(s, ".") {
			return false
		}
		s = rest
	}
	return labels >= 2 && tldLetter
}

// checkBankCard accepts 12-19 digits, spaces and dashes between groups
// dropped; a failed Luhn check is only a warning, since some cards issued
// in China do not use it.
func (c *Checker) checkBankCard(v string, ps []Problem) (string, []Problem) {
	f := ruleFold(v)
	if strings.ContainsAny(f, " -") {
		f = strings.NewReplacer(" ", "", "-", "").Replace(f)
	}
	if !ruleAllDigits(f) || len(f) < 12 || len(f) > 19 {
		p := Problem{Rule: "bank_card", Severity: SeverityError,
			Message: "银行卡号应为 12-19 位数字", MessageEN: "a bank card number has 12 to 19 digits"}
		if ruleScientific(f) {
			p.Message, p.MessageEN = ruleScientificZH, ruleScientificEN
		} else if ruleAllDigits(f) {
			p.Message += fmt.Sprintf("，实为 %d 位", len(f))
			p.MessageEN += fmt.Sprintf(", got %d", len(f))
		}
		return v, append(ps, p)
	}
	sum := 0
	for i := 0; i < len(f); i++ {
		d := int(f[len(f)-1-i] - '0')
		if i%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	if sum%10 != 0 {
		ps = append(ps, Problem{Rule: "bank_card_luhn", Severity: SeverityWarning,
			Message:   "银行卡号未通过 Luhn 校验，请核对（少数银行卡不使用该校验）",
			MessageEN: "the bank card number fails the Luhn check: check it (a few cards do not use it)"})
	}
	return f, ps
}

// checkName rejects digits and overlong names and questions characters
// other than letters, "·" (minority names), spaces, hyphens and
// apostrophes.
func (c *Checker) checkName(v string, ps []Problem) []Problem {
	n := 0
	var odd rune
	for _, r := range v {
		n++
		switch {
		case r >= 0x4E00 && r <= 0x9FFF: // CJK unified ideographs
		case unicode.IsDigit(r):
			return append(ps, Problem{Rule: "name", Severity: SeverityError,
				Message: "姓名不能包含数字", MessageEN: "a name cannot contain digits"})
		case unicode.IsLetter(r), unicode.IsMark(r), r == '·', r == ' ', r == '-', r == '\'':
		case odd == 0:
			odd = r
		}
	}
	if n > ruleNameMax {
		return append(ps, Problem{Rule: "name", Severity: SeverityError,
			Message:   fmt.Sprintf("姓名过长：最多 %d 个字符，实为 %d 个", ruleNameMax, n),
			MessageEN: fmt.Sprintf("the name is too long: at most %d characters, got %d", ruleNameMax, n)})
	}
	if odd != 0 {
		ps = append(ps, Problem{Rule: "name", Severity: SeverityWarning,
			Message:   fmt.Sprintf("姓名含有不常见的字符“%c”，请核对；少数民族姓名的间隔号应写作“·”", ruleGraphic(odd)),
			MessageEN: fmt.Sprintf("the name contains the unusual character “%c”: check it; the separator in minority names is “·”", ruleGraphic(odd))})
	}
	return ps
}

// Typed returns a canonical value (from [Checker.Check]) as the Go value
// to store: int64 for int, bool for bool, and the canonical string for
// decimal (so no precision is lost), date, datetime and string. The empty
// string, a missing optional value, gives nil (SQL NULL). An error wrapping
// [ErrNotNormalized] means the value is not canonical for the field's
// type; one wrapping [ErrInvalidRule], that the type is unknown.
func Typed(f catalog.Field, normalized string) (any, error) {
	if normalized == "" {
		return nil, nil
	}
	notNorm := func() (any, error) {
		return nil, fmt.Errorf("%w: field %s (%s): %q", ErrNotNormalized, f.Name, f.Type, ruleClip(normalized, ruleQuoteMax))
	}
	switch f.Type {
	case "string":
		return normalized, nil
	case "int":
		n, err := strconv.ParseInt(normalized, 10, 64)
		digits := strings.TrimPrefix(normalized, "-")
		if err != nil || normalized[0] == '+' || len(digits) > 1 && digits[0] == '0' || normalized == "-0" {
			return notNorm()
		}
		return n, nil
	case "decimal":
		if d, e := ruleDecimal(normalized); e != numOK || d != normalized {
			return notNorm()
		}
		return normalized, nil
	case "bool":
		switch normalized {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return notNorm()
	case "date":
		if d, e := dtParseDate(normalized); e.kind != dtOK || d != normalized {
			return notNorm()
		}
		return normalized, nil
	case "datetime":
		if d, _, e := dtParseDateTime(normalized); e.kind != dtOK || d != normalized {
			return notNorm()
		}
		return normalized, nil
	}
	return nil, fmt.Errorf("%w: field %s: unknown type %q", ErrInvalidRule, f.Name, f.Type)
}
