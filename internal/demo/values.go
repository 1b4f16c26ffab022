package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"huitong/internal/catalog"
)

// Values of fields that a plan left out: taken from the row's person or
// company when the field says what it is (by name or personal-information
// kind), otherwise made up from the field's type and rules. conform then
// keeps every value within the field's enum, pattern, range and length.

// value returns the value of field f in row rc.
func (g *gen) value(f catalog.Field, rc rec) string {
	if v, ok := rc.v[f.Name]; ok {
		return v
	}
	if rc.p != nil {
		if v, ok := personValue(g, f, rc.p); ok {
			return v
		}
	}
	if rc.c != nil {
		if v, ok := companyValue(f, rc.c); ok {
			return v
		}
	}
	return g.generic(f)
}

func personValue(g *gen, f catalog.Field, p *person) (string, bool) {
	switch {
	case f.PII == "id_card":
		return p.id, true
	case f.PII == "name":
		return p.name, true
	case f.Name == "gender":
		return sex(p), true
	case f.PII == "birth_date" && f.Type == "datetime":
		return ymdhms(g.clock(p.birth, 0, 24)), true
	case f.PII == "birth_date":
		return ymd(p.birth), true
	case f.Name == "ethnicity":
		return p.ethnicity, true
	case f.PII == "phone":
		return p.phone, true
	case f.PII == "address" && (strings.Contains(f.Title, "居住") || strings.Contains(f.Title, "现住")):
		return p.homeAddr, true
	case f.PII == "address":
		return p.hukouAddr, true
	}
	return "", false
}

func sex(p *person) string {
	if p.male {
		return "男"
	}
	return "女"
}

func companyValue(f catalog.Field, c *company) (string, bool) {
	switch f.Name {
	case "uscc":
		return c.uscc, true
	case "org_name", "taxpayer_name", "operator_name", "party_name", "employer_name":
		return c.name, true
	case "legal_rep":
		return c.rep.name, true
	case "reg_capital":
		if c.capital == 0 {
			return "", true
		}
		return wan(c.capital), true
	case "establish_date":
		return ymd(c.established), true
	case "reg_authority":
		return c.place.d.marketBureau(), true
	case "org_address":
		return c.addr, true
	case "industry_code":
		return c.industry.code, true
	case "business_scope":
		return c.industry.scope, true
	case "enterprise_type":
		return c.etype, true
	case "org_type":
		return c.kind, true
	case "reg_status":
		return c.status, true
	case "tax_authority":
		return c.place.d.taxBureau(), true
	case "phone":
		return c.phone, true
	case "email":
		return c.email, true
	}
	return "", false
}

// generic makes up a value for f from its type, rules and name.
func (g *gen) generic(f catalog.Field) string {
	r := g.r
	if len(f.Enum) > 0 {
		return g.enumValue(f)
	}
	if f.Ref != "" {
		if ks := g.keys[f.Ref]; len(ks) > 0 {
			return pick(r, ks)
		}
	}
	switch f.PII {
	case "id_card", "name", "birth_date":
		p := g.w.people[r.IntN(localPeople)]
		v, _ := personValue(g, f, p)
		return v
	case "uscc":
		return pick(r, g.w.companies).uscc
	case "phone":
		return mobile(r)
	case "address":
		return homeAddress(r, pickPlace(r, pickDistrict(r), 40))
	case "email":
		return fmt.Sprintf("%d@qq.com", 10_000_000+r.IntN(900_000_000))
	case "bank_card":
		return bankCard(r, "622848", 19)
	}
	switch f.Type {
	case "int":
		return strconv.Itoa(r.IntN(100))
	case "decimal":
		return wan(float64(r.IntN(1_000_000)) / 100)
	case "bool":
		return strconv.FormatBool(chance(r, 20))
	case "date":
		return ymd(g.recent(36))
	case "datetime":
		return ymdhms(g.clock(g.recent(12), 8, 18))
	}
	if f.Required || f.Key || chance(r, 80) {
		return fmt.Sprintf("%s%04d", f.Title, g.next())
	}
	return ""
}

// enumValue picks an allowed value; a status-like field mostly has its
// first (normal) value.
func (g *gen) enumValue(f catalog.Field) string {
	if strings.Contains(f.Name, "status") && chance(g.r, 85) {
		return f.Enum[0]
	}
	return pick(g.r, f.Enum)
}

// conform keeps v within the rules of f: a required field gets a value, an
// enum field an allowed one, a pattern field a matching one, a ranged or
// length-bounded field one within its bounds. Plans produce conforming
// values for the demo catalog; this matters when a resource was edited.
func (g *gen) conform(f catalog.Field, v string) string {
	if v == "" {
		if !f.Required && !f.Key {
			return ""
		}
		if v = g.generic(f); v == "" {
			v = f.Title
		}
	}
	if len(f.Enum) > 0 && !slices.Contains(f.Enum, v) {
		v = g.enumValue(f)
	}
	if f.Regex != "" {
		if re, err := regexp.Compile(`^(?:` + f.Regex + `)$`); err == nil && !re.MatchString(v) {
			if m, ok := fromRegex(g.r, f.Regex); ok && re.MatchString(m) {
				v = m
			}
		}
	}
	if f.Min != "" || f.Max != "" {
		v = g.inRange(f, v)
	}
	if n := utf8.RuneCountInString(v); f.MaxLength > 0 && n > f.MaxLength {
		v = string([]rune(v)[:f.MaxLength])
	} else if n < f.MinLength {
		v += strings.Repeat("0", f.MinLength-n)
	}
	return v
}

// inRange replaces a value outside the field's Min and Max by one inside.
func (g *gen) inRange(f catalog.Field, v string) string {
	switch f.Type {
	case "int", "decimal":
		lo, hi := -1e9, 1e9
		if x, err := strconv.ParseFloat(f.Min, 64); err == nil {
			lo = x
		}
		if x, err := strconv.ParseFloat(f.Max, 64); err == nil {
			hi = x
		}
		if x, err := strconv.ParseFloat(v, 64); err == nil && x >= lo && x <= hi {
			return v
		}
		if lo == -1e9 {
			lo = min(0, hi)
		}
		if hi == 1e9 {
			hi = lo + 100
		}
		x := lo + g.r.Float64()*(hi-lo)
		if f.Type == "int" {
			lo, hi := int64(math.Ceil(lo)), int64(hi)
			return strconv.FormatInt(lo+g.r.Int64N(max(1, hi-lo+1)), 10)
		}
		return strconv.FormatFloat(x, 'f', 2, 64)
	case "date", "datetime":
		lo, hi := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), g.w.asOf
		if t, err := time.Parse(time.DateOnly, f.Min[:min(10, len(f.Min))]); err == nil {
			lo = t
		}
		if t, err := time.Parse(time.DateOnly, f.Max[:min(10, len(f.Max))]); err == nil {
			hi = t
		}
		if t, err := time.Parse(time.DateOnly, v[:min(10, len(v))]); err == nil && !t.Before(lo.AddDate(0, 0, 1)) && t.Before(hi) {
			return v
		}
		t := day(g.r, lo.AddDate(0, 0, 1), hi.AddDate(0, 0, -1))
		if f.Type == "date" {
			return ymd(t)
		}
		return ymdhms(t.Add(12 * time.Hour))
	}
	return v
}

// fromRegex makes a string that an RE2 pattern matches: literals as they
// are, a random member of each class, repeats between their bounds (at
// most a few beyond the minimum). ok is false for a pattern it cannot
// follow, such as one with anchors inside.
func fromRegex(r *rand.Rand, pattern string) (string, bool) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return "", false
	}
	var b strings.Builder
	ok := regexWalk(r, re.Simplify(), &b)
	return b.String(), ok
}

func regexWalk(r *rand.Rand, re *syntax.Regexp, b *strings.Builder) bool {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginText, syntax.OpEndText, syntax.OpBeginLine, syntax.OpEndLine:
		return true
	case syntax.OpLiteral:
		for _, c := range re.Rune {
			b.WriteRune(c)
		}
		return true
	case syntax.OpCharClass:
		// A random range of the class, then a character near its start
		// (so that a negated class does not give odd code points).
		var ranges [][2]rune
		for i := 0; i+1 < len(re.Rune); i += 2 {
			ranges = append(ranges, [2]rune{re.Rune[i], re.Rune[i+1]})
		}
		if len(ranges) == 0 {
			return false
		}
		rg := pick(r, ranges)
		lo, hi := rg[0], min(rg[1], rg[0]+0x7F)
		b.WriteRune(lo + rune(r.IntN(int(hi-lo)+1)))
		return true
	case syntax.OpAnyCharNotNL, syntax.OpAnyChar:
		b.WriteByte('0' + byte(r.IntN(10)))
		return true
	case syntax.OpCapture:
		return regexWalk(r, re.Sub[0], b)
	case syntax.OpConcat:
		for _, s := range re.Sub {
			if !regexWalk(r, s, b) {
				return false
			}
		}
		return true
	case syntax.OpAlternate:
		return regexWalk(r, pick(r, re.Sub), b)
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		lo, hi := 0, 3
		switch re.Op {
		case syntax.OpPlus:
			lo = 1
		case syntax.OpQuest:
			hi = 1
		case syntax.OpRepeat:
			lo, hi = re.Min, re.Max
			if hi < 0 {
				hi = lo + 3
			}
		}
		for range lo + r.IntN(hi-lo+1) {
			if !regexWalk(r, re.Sub[0], b) {
				return false
			}
		}
		return true
	}
	return false
}

// bankCard returns a card number of n digits starting with bin, with a
// Luhn check digit.
func bankCard(r *rand.Rand, bin string, n int) string {
	b := []byte(bin)
	for len(b) < n-1 {
		b = append(b, byte('0'+r.IntN(10)))
	}
	sum := 0
	for i := len(b) - 1; i >= 0; i-- {
		d := int(b[i] - '0')
		if (len(b)-1-i)%2 == 0 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return string(append(b, byte('0'+(10-sum%10)%10)))
}

// yuan formats an amount of cents as yuan with two decimals.
func yuan(cents int64) string {
	return strconv.FormatFloat(float64(cents)/100, 'f', -1, 64)
}
