package ingest

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"huitong/internal/ids"
)

// Checks by personal-information kind: GB 11643 ID numbers, GB 32100 USCCs,
// phone numbers, e-mail, bank cards and names.

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
