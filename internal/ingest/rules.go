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
