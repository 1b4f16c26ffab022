package ingest

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"huitong/internal/catalog"
	"huitong/internal/ids"
)

// ruleTestNow is the "current time" of the tests: 2025-06-15 12:00 in China.
var ruleTestNow = time.Date(2025, 6, 15, 12, 0, 0, 0, dtChina)

// fld builds a level-1 field of a type and PII kind.
func fld(typ, pii string) catalog.Field {
	return catalog.Field{Name: "f", Title: "字段", Type: typ, PII: pii, Level: 1}
}

// mustChecker builds a checker or fails the test.
func mustChecker(t testing.TB, f catalog.Field) *Checker {
	t.Helper()
	c, err := NewChecker(f, ruleTestNow)
	if err != nil {
		t.Fatalf("NewChecker(%+v): %v", f, err)
	}
	return c
}

// problemCodes lists problems as "rule:E" or "rule:W".
func problemCodes(ps []Problem) []string {
	var out []string
	for _, p := range ps {
		s := "?"
		switch p.Severity {
		case SeverityError:
			s = "E"
		case SeverityWarning:
			s = "W"
		}
		out = append(out, p.Rule+":"+s)
	}
	return out
}

func mustMakeID(t *testing.T, region string, y, m, d, seq int) string {
	t.Helper()
	s, err := ids.MakeIDCard(region, time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC), seq)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestCheck covers every type, format, PII kind and declared rule: the
// canonical value and the codes of the problems found.
func TestCheck(t *testing.T) {
	idToday := mustMakeID(t, "110105", 2025, 6, 15, 21)    // born on the test day
	idTomorrow := mustMakeID(t, "110105", 2025, 6, 16, 21) // born after it
	idOld := "11010518491231002" + "0"                     // before 1850, check char 0
	uscc440524, _ := ids.MakeUSCC("91", "440524", "MA0000001")
	usccNat, _ := ids.MakeUSCC("11", "100000", "000000001")
	req := fld("string", "")
	req.Required = true
	enum := fld("string", "")
	enum.Enum = []string{"男", "女"}
	enumInt := fld("int", "")
	enumInt.Enum = []string{"01", "2"}
	re := fld("string", "")
	re.Regex = `[A-Z]{2}\d{4}|N/A`
	age := fld("int", "")
	age.Min, age.Max = "0", "150"
	ratio := fld("decimal", "")
	ratio.Min, ratio.Max = "0.1", "0.25"
	neg := fld("decimal", "")
	neg.Max = "-0.5"
	since := fld("date", "")
	since.Min = "2020-01-01"
	until := fld("datetime", "")
	until.Max = "2024-12-31 23:59:59"
	length := fld("string", "")
	length.MinLength, length.MaxLength = 2, 4
	atMost := fld("string", "")
	atMost.MaxLength = 3

	tests := []struct {
		name  string
		f     catalog.Field
		in    string
		want  string
		codes []string
	}{
		// Empty values and trimming.
		{"empty optional", fld("int", ""), "", "", nil},
		{"blank optional", fld("date", ""), " \t\u3000", "", nil},
		{"empty required", req, "", "", []string{"required:E"}},
		{"blank required", req, "\u3000 \u00a0\ufeff", "", []string{"required:E"}},
		{"string trimmed", fld("string", ""), "  北京市\u3000", "北京市", nil},
		{"string BOM and zero-width", fld("string", ""), "\ufeff\u200babc\u200b", "abc", nil},
		{"string inner spaces kept", fld("string", ""), " a  b ", "a  b", nil},
		{"string newline inside", fld("string", ""), "第一行\n第二行", "第一行\n第二行", nil},
		{"string full-width kept", fld("string", ""), "ＡＢＣ１２３", "ＡＢＣ１２３", nil},
		{"string NUL", fld("string", ""), "a\x00b", "a\x00b", []string{"control_char:E"}},
		{"string DEL", fld("string", ""), "a\x7fb", "a\x7fb", []string{"control_char:E"}},
		{"string invalid UTF-8", fld("string", ""), "a\xffb", "a\xffb", []string{"encoding:E"}},
		{"string replacement char", fld("string", ""), "a\ufffdb", "a\ufffdb", []string{"encoding:W"}},

		// int
		{"int plain", fld("int", ""), "123", "123", nil},
		{"int spaces", fld("int", ""), " 42 ", "42", nil},
		{"int thousands", fld("int", ""), "1,234,567", "1234567", nil},
		{"int plus", fld("int", ""), "+5", "5", nil},
		{"int negative", fld("int", ""), "-17", "-17", nil},
		{"int minus zero", fld("int", ""), "-0", "0", nil},
		{"int leading zeros", fld("int", ""), "007", "7", nil},
		{"int full-width", fld("int", ""), "１２３", "123", nil},
		{"int full-width comma", fld("int", ""), "１，２３４", "1234", nil},
		{"int minus sign", fld("int", ""), "\u22125", "-5", nil},
		{"int zero fraction", fld("int", ""), "12.00", "12", nil},
		{"int exponent", fld("int", ""), "1e3", "1000", nil},
		{"int max", fld("int", ""), "9223372036854775807", "9223372036854775807", nil},
		{"int min", fld("int", ""), "-9223372036854775808", "-9223372036854775808", nil},
		{"int overflow", fld("int", ""), "9223372036854775808", "9223372036854775808", []string{"type_int:E"}},
		{"int huge exponent", fld("int", ""), "1e400", "1e400", []string{"type_int:E"}},
		{"int fraction", fld("int", ""), "1.5", "1.5", []string{"type_int:E"}},
		{"int bad grouping", fld("int", ""), "1,23", "1,23", []string{"type_int:E"}},
		{"int comma only", fld("int", ""), ",", ",", []string{"type_int:E"}},
		{"int inner space", fld("int", ""), "1 234", "1 234", []string{"type_int:E"}},
		{"int hex", fld("int", ""), "0x10", "0x10", []string{"type_int:E"}},
		{"int underscore", fld("int", ""), "1_000", "1_000", []string{"type_int:E"}},
		{"int words", fld("int", ""), "十二", "十二", []string{"type_int:E"}},

		// decimal
		{"decimal thousands", fld("decimal", ""), "1,234.50", "1234.5", nil},
		{"decimal negative", fld("decimal", ""), "-0.5", "-0.5", nil},
		{"decimal exponent", fld("decimal", ""), "1e3", "1000", nil},
		{"decimal small exponent", fld("decimal", ""), "1.5E-3", "0.0015", nil},
		{"decimal exponent plus", fld("decimal", ""), "2.5e+2", "250", nil},
		{"decimal leading dot", fld("decimal", ""), ".5", "0.5", nil},
		{"decimal trailing dot", fld("decimal", ""), "5.", "5", nil},
		{"decimal zeros", fld("decimal", ""), "00012.3400", "12.34", nil},
		{"decimal negative zero", fld("decimal", ""), "-0.000", "0", nil},
		{"decimal precise", fld("decimal", ""), "123456789012345678901234567890.123456789", "123456789012345678901234567890.123456789", nil},
		{"decimal full-width", fld("decimal", ""), "３．１４", "3.14", nil},
		{"decimal NaN", fld("decimal", ""), "NaN", "NaN", []string{"type_decimal:E"}},
		{"decimal Inf", fld("decimal", ""), "Inf", "Inf", []string{"type_decimal:E"}},
		{"decimal infinity", fld("decimal", ""), "-Infinity", "-Infinity", []string{"type_decimal:E"}},
		{"decimal hex float", fld("decimal", ""), "0x1p3", "0x1p3", []string{"type_decimal:E"}},
		{"decimal two dots", fld("decimal", ""), "1.2.3", "1.2.3", []string{"type_decimal:E"}},
		{"decimal lone dot", fld("decimal", ""), ".", ".", []string{"type_decimal:E"}},
		{"decimal exponent only", fld("decimal", ""), "e5", "e5", []string{"type_decimal:E"}},
		{"decimal empty exponent", fld("decimal", ""), "1e", "1e", []string{"type_decimal:E"}},
		{"decimal too long", fld("decimal", ""), "1e200", "1e200", []string{"type_decimal:E"}},
		{"decimal too small", fld("decimal", ""), "1e-200", "1e-200", []string{"type_decimal:E"}},
		{"decimal comma decimal", fld("decimal", ""), "1,5", "1,5", []string{"type_decimal:E"}},
		{"decimal percent", fld("decimal", ""), "12%", "12%", []string{"type_decimal:E"}},

		// bool
		{"bool true", fld("bool", ""), "true", "true", nil},
		{"bool TRUE", fld("bool", ""), "TRUE", "true", nil},
		{"bool 1", fld("bool", ""), "1", "true", nil},
		{"bool 是", fld("bool", ""), "是", "true", nil},
		{"bool Y", fld("bool", ""), "Y", "true", nil},
		{"bool y", fld("bool", ""), "y", "true", nil},
		{"bool Yes", fld("bool", ""), "Yes", "true", nil},
		{"bool false", fld("bool", ""), "False", "false", nil},
		{"bool 0", fld("bool", ""), "0", "false", nil},
		{"bool 否", fld("bool", ""), "否", "false", nil},
		{"bool N", fld("bool", ""), "n", "false", nil},
		{"bool NO", fld("bool", ""), "NO", "false", nil},
		{"bool full-width", fld("bool", ""), "Ｙ", "true", nil},
		{"bool 对", fld("bool", ""), "对", "对", []string{"type_bool:E"}},
		{"bool 是的", fld("bool", ""), "是的", "是的", []string{"type_bool:E"}},
		{"bool 2", fld("bool", ""), "2", "2", []string{"type_bool:E"}},
		{"bool t", fld("bool", ""), "t", "t", []string{"type_bool:E"}},

		// date
		{"date ISO", fld("date", ""), "2024-01-02", "2024-01-02", nil},
		{"date slashes", fld("date", ""), "2024/1/2", "2024-01-02", nil},
		{"date dots", fld("date", ""), "2024.1.2", "2024-01-02", nil},
		{"date dashes short", fld("date", ""), "2024-1-2", "2024-01-02", nil},
		{"date Chinese", fld("date", ""), "2024年1月2日", "2024-01-02", nil},
		{"date Chinese padded", fld("date", ""), "2024年01月02日", "2024-01-02", nil},
		{"date Chinese 号", fld("date", ""), "2024年1月2号", "2024-01-02", nil},
		{"date Chinese no 日", fld("date", ""), "2024年1月2", "2024-01-02", nil},
		{"date compact", fld("date", ""), "20240102", "2024-01-02", nil},
		{"date full-width", fld("date", ""), "２０２４／１／２", "2024-01-02", nil},
		{"date Excel serial", fld("date", ""), "45292", "2024-01-01", nil},
		{"date Excel serial 10000", fld("date", ""), "10000", "1927-05-18", nil},
		{"date Excel serial 80000", fld("date", ""), "80000", "2119-01-11", nil},
		{"date Excel serial zero fraction", fld("date", ""), "45292.0", "2024-01-01", nil},
		{"date leap day", fld("date", ""), "2024-02-29", "2024-02-29", nil},
		{"date 2000 leap", fld("date", ""), "2000-02-29", "2000-02-29", nil},
		{"date midnight", fld("date", ""), "2024-01-02 00:00:00", "2024-01-02", nil},
		{"date midnight China", fld("date", ""), "2024-01-01T16:00:00Z", "2024-01-02", nil},
		{"date midnight +08", fld("date", ""), "2024-01-02T00:00:00+08:00", "2024-01-02", nil},
		{"date with time", fld("date", ""), "2024-01-02 08:00:00", "2024-01-02 08:00:00", []string{"type_date:E"}},
		{"date midnight UTC", fld("date", ""), "2024-01-02T00:00:00Z", "2024-01-02T00:00:00Z", []string{"type_date:E"}},
		{"date serial with time", fld("date", ""), "45292.5", "45292.5", []string{"type_date:E"}},
		{"date not leap", fld("date", ""), "2023-02-29", "2023-02-29", []string{"type_date:E"}},
		{"date 1900 not leap", fld("date", ""), "1900-02-29", "1900-02-29", []string{"type_date:E"}},
		{"date April 31", fld("date", ""), "2024-04-31", "2024-04-31", []string{"type_date:E"}},
		{"date month 13", fld("date", ""), "2024-13-01", "2024-13-01", []string{"type_date:E"}},
		{"date month 0", fld("date", ""), "20240001", "20240001", []string{"type_date:E"}},
		{"date day 0", fld("date", ""), "2024-01-00", "2024-01-00", []string{"type_date:E"}},
		{"date year 0", fld("date", ""), "0000-01-01", "0000-01-01", []string{"type_date:E"}},
		{"date mixed separators", fld("date", ""), "2024/01-02", "2024/01-02", []string{"type_date:E"}},
		{"date two-digit year", fld("date", ""), "24-01-02", "24-01-02", []string{"type_date:E"}},
		{"date year only", fld("date", ""), "2024", "2024", []string{"type_date:E"}},
		{"date small serial", fld("date", ""), "9999", "9999", []string{"type_date:E"}},
		{"date serial too big", fld("date", ""), "99999", "99999", []string{"type_date:E"}},
		{"date day first", fld("date", ""), "02/01/2024", "02/01/2024", []string{"type_date:E"}},
		{"date three-digit month", fld("date", ""), "2024-001-02", "2024-001-02", []string{"type_date:E"}},
		{"date text", fld("date", ""), "明天", "明天", []string{"type_date:E"}},

		// datetime
		{"datetime space", fld("datetime", ""), "2024-01-02 03:04:05", "2024-01-02T03:04:05+08:00", nil},
		{"datetime T", fld("datetime", ""), "2024-01-02T03:04:05", "2024-01-02T03:04:05+08:00", nil},
		{"datetime no seconds", fld("datetime", ""), "2024-01-02 03:04", "2024-01-02T03:04:00+08:00", nil},
		{"datetime fraction", fld("datetime", ""), "2024-01-02T03:04:05.120", "2024-01-02T03:04:05.12+08:00", nil},
		{"datetime nanoseconds", fld("datetime", ""), "2024-01-02T03:04:05.000000001", "2024-01-02T03:04:05.000000001+08:00", nil},
		{"datetime zero fraction", fld("datetime", ""), "2024-01-02T03:04:05.000", "2024-01-02T03:04:05+08:00", nil},
		{"datetime Z", fld("datetime", ""), "2024-01-02T03:04:05Z", "2024-01-02T11:04:05+08:00", nil},
		{"datetime +09:00", fld("datetime", ""), "2024-01-02T03:04:05+09:00", "2024-01-02T02:04:05+08:00", nil},
		{"datetime -0500", fld("datetime", ""), "2024-01-02T03:04:05-0500", "2024-01-02T16:04:05+08:00", nil},
		{"datetime +08", fld("datetime", ""), "2024-01-02 03:04:05+08", "2024-01-02T03:04:05+08:00", nil},
		{"datetime space before zone", fld("datetime", ""), "2024-01-02 03:04:05 +0800", "2024-01-02T03:04:05+08:00", nil},
		{"datetime across midnight", fld("datetime", ""), "2023-12-31T20:00:00Z", "2024-01-01T04:00:00+08:00", nil},
		{"datetime slashes one-digit hour", fld("datetime", ""), "2024/1/2 3:04", "2024-01-02T03:04:00+08:00", nil},
		{"datetime Chinese", fld("datetime", ""), "2024年1月2日 3时4分5秒", "2024-01-02T03:04:05+08:00", nil},
		{"datetime Chinese no space", fld("datetime", ""), "2024年1月2日3时4分", "2024-01-02T03:04:00+08:00", nil},
		{"datetime Chinese 点", fld("datetime", ""), "2024年1月2日 15点", "2024-01-02T15:00:00+08:00", nil},
		{"datetime date only", fld("datetime", ""), "2024-01-02", "2024-01-02T00:00:00+08:00", nil},
		{"datetime compact date", fld("datetime", ""), "20240102", "2024-01-02T00:00:00+08:00", nil},
		{"datetime compact date and time", fld("datetime", ""), "20240102 03:04:05", "2024-01-02T03:04:05+08:00", nil},
		{"datetime 14 digits", fld("datetime", ""), "20240102030405", "2024-01-02T03:04:05+08:00", nil},
		{"datetime Excel serial", fld("datetime", ""), "45292.5", "2024-01-01T12:00:00+08:00", nil},
		{"datetime Excel serial seconds", fld("datetime", ""), "45292.12783564814814815", "2024-01-01T03:04:05+08:00", nil},
		{"datetime full-width", fld("datetime", ""), "２０２４－０１－０２　０３：０４", "2024-01-02T03:04:00+08:00", nil},
		{"datetime canonical", fld("datetime", ""), "2024-01-02T03:04:05.5+08:00", "2024-01-02T03:04:05.5+08:00", nil},
		{"datetime hour 24", fld("datetime", ""), "2024-01-02 24:00", "2024-01-02 24:00", []string{"type_datetime:E"}},
		{"datetime minute 60", fld("datetime", ""), "2024-01-02 23:60", "2024-01-02 23:60", []string{"type_datetime:E"}},
		{"datetime leap second", fld("datetime", ""), "2024-01-02 23:59:60", "2024-01-02 23:59:60", []string{"type_datetime:E"}},
		{"datetime one-digit minute", fld("datetime", ""), "2024-01-02 3:4", "2024-01-02 3:4", []string{"type_datetime:E"}},
		{"datetime zone too far", fld("datetime", ""), "2024-01-02T03:04:05+15:00", "2024-01-02T03:04:05+15:00", []string{"type_datetime:E"}},
		{"datetime zone minutes", fld("datetime", ""), "2024-01-02T03:04:05+08:60", "2024-01-02T03:04:05+08:60", []string{"type_datetime:E"}},
		{"datetime past 9999", fld("datetime", ""), "9999-12-31T23:00:00Z", "9999-12-31T23:00:00Z", []string{"type_datetime:E"}},
		{"datetime before 0001", fld("datetime", ""), "0001-01-01T00:00:00+09:00", "0001-01-01T00:00:00+09:00", []string{"type_datetime:E"}},
		{"datetime bad date", fld("datetime", ""), "2023-02-29 10:00", "2023-02-29 10:00", []string{"type_datetime:E"}},
		{"datetime am/pm", fld("datetime", ""), "2024-01-02 3:04 PM", "2024-01-02 3:04 PM", []string{"type_datetime:E"}},
		{"datetime fraction without seconds", fld("datetime", ""), "2024-01-02 03:04.5", "2024-01-02 03:04.5", []string{"type_datetime:E"}},
		{"datetime ten-digit fraction", fld("datetime", ""), "2024-01-02 03:04:05.1234567890", "2024-01-02 03:04:05.1234567890", []string{"type_datetime:E"}},

		// id_card
		{"id valid", fld("string", "id_card"), "11010519491231002X", "11010519491231002X", nil},
		{"id lowercase x", fld("string", "id_card"), "11010519491231002x", "11010519491231002X", nil},
		{"id full-width", fld("string", "id_card"), "１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X", nil},
		{"id unknown region", fld("string", "id_card"), "440524188001010014", "440524188001010014", []string{"id_card_region:W"}},
		{"id born today", fld("string", "id_card"), idToday, idToday, nil},
		{"id made", fld("string", "id_card"), "110101199003071233", "110101199003071233", nil},
		{"id 17 digits", fld("string", "id_card"), "11010519491231002", "11010519491231002", []string{"id_card:E"}},
		{"id 15 digits", fld("string", "id_card"), "110105491231002", "110105491231002", []string{"id_card:E"}},
		{"id scientific", fld("string", "id_card"), "1.10105E+17", "1.10105E+17", []string{"id_card:E"}},
		{"id bad check", fld("string", "id_card"), "110105194912310021", "110105194912310021", []string{"id_card:E"}},
		{"id bad last char", fld("string", "id_card"), "11010519491231002Y", "11010519491231002Y", []string{"id_card:E"}},
		{"id letter inside", fld("string", "id_card"), "1101051949A231002X", "1101051949A231002X", []string{"id_card:E"}},
		{"id not a date", fld("string", "id_card"), "110105194902300020", "110105194902300020", []string{"id_card_birth:E"}},
		{"id born tomorrow", fld("string", "id_card"), idTomorrow, idTomorrow, []string{"id_card_birth:E"}},
		{"id before 1850", fld("string", "id_card"), idOld, idOld, []string{"id_card_birth:E"}},
		{"id bad check unknown region", fld("string", "id_card"), "440524188001010015", "440524188001010015", []string{"id_card:E", "id_card_region:W"}},

		// uscc
		{"uscc valid", fld("string", "uscc"), "91350100M000100Y43", "91350100M000100Y43", nil},
		{"uscc valid province", fld("string", "uscc"), "91110000600037341L", "91110000600037341L", nil},
		{"uscc lower case", fld("string", "uscc"), "91350100m000100y43", "91350100M000100Y43", nil},
		{"uscc national", fld("string", "uscc"), usccNat, usccNat, nil},
		{"uscc unknown region", fld("string", "uscc"), uscc440524, uscc440524, []string{"uscc_region:W"}},
		{"uscc bad check", fld("string", "uscc"), "91350100M000100Y44", "91350100M000100Y44", []string{"uscc_check:E"}},
		{"uscc short", fld("string", "uscc"), "91350100M000100Y4", "91350100M000100Y4", []string{"uscc:E"}},
		{"uscc letter O", fld("string", "uscc"), "91350100M0O0100Y43", "91350100M0O0100Y43", []string{"uscc:E"}},
		{"uscc letter in region", fld("string", "uscc"), "9135A100M000100Y43", "9135A100M000100Y43", []string{"uscc:E"}},

		// phone
		{"phone mobile", fld("string", "phone"), "13812345678", "13812345678", nil},
		{"phone mobile +86", fld("string", "phone"), "+86 138 1234 5678", "13812345678", nil},
		{"phone mobile 0086", fld("string", "phone"), "0086-13812345678", "13812345678", nil},
		{"phone mobile dashes", fld("string", "phone"), "138-1234-5678", "13812345678", nil},
		{"phone mobile full-width", fld("string", "phone"), "１３８１２３４５６７８", "13812345678", nil},
		{"phone landline", fld("string", "phone"), "010-62345678", "010-62345678", nil},
		{"phone landline no dash", fld("string", "phone"), "01062345678", "010-62345678", nil},
		{"phone landline parens", fld("string", "phone"), "(010) 6234 5678", "010-62345678", nil},
		{"phone landline 4-digit area", fld("string", "phone"), "0755-8234567", "0755-8234567", nil},
		{"phone landline 02x", fld("string", "phone"), "021 52345678", "021-52345678", nil},
		{"phone landline extension", fld("string", "phone"), "0755-8234567-123", "0755-8234567-123", nil},
		{"phone landline 8 and extension", fld("string", "phone"), "010-62345678-8001", "010-62345678-8001", nil},
		{"phone landline +86", fld("string", "phone"), "+86 10 6234 5678", "010-62345678", nil},
		{"phone landline +86 parens", fld("string", "phone"), "+86 (10) 6234-5678", "010-62345678", nil},
		{"phone 7 digits and extension", fld("string", "phone"), "010-6234567-8", "010-6234567-8", nil},
		{"phone extension by last separator", fld("string", "phone"), "0106234567-8", "010-6234567-8", nil},
		{"phone mobile 10 digits", fld("string", "phone"), "1381234567", "1381234567", []string{"phone:E"}},
		{"phone mobile bad prefix", fld("string", "phone"), "12345678901", "12345678901", []string{"phone:E"}},
		{"phone no area code", fld("string", "phone"), "62345678", "62345678", []string{"phone:E"}},
		{"phone local starts with 1", fld("string", "phone"), "010-12345678", "010-12345678", []string{"phone:E"}},
		{"phone area 013", fld("string", "phone"), "013-62345678", "013-62345678", []string{"phone:E"}},
		{"phone local too long", fld("string", "phone"), "010-623456789", "010-623456789", []string{"phone:E"}},
		{"phone letters", fld("string", "phone"), "138abc45678", "138abc45678", []string{"phone:E"}},
		{"phone service", fld("string", "phone"), "400-123-4567", "400-123-4567", []string{"phone:E"}},
		{"phone scientific", fld("string", "phone"), "1.38123E+10", "1.38123E+10", []string{"phone:E"}},

		// email
		{"email", fld("string", "email"), "zhang.san@example.gov.cn", "zhang.san@example.gov.cn", nil},
		{"email domain case", fld("string", "email"), "Zhang@Example.GOV.cn", "Zhang@example.gov.cn", nil},
		{"email full-width", fld("string", "email"), "ａ＠ｂ．ｃｎ", "a@b.cn", nil},
		{"email plus", fld("string", "email"), "a+tag@mail.example.com", "a+tag@mail.example.com", nil},
		{"email no tld", fld("string", "email"), "a@localhost", "a@localhost", []string{"email:E"}},
		{"email no at", fld("string", "email"), "example.com", "example.com", []string{"email:E"}},
		{"email double dot local", fld("string", "email"), "a..b@x.cn", "a..b@x.cn", []string{"email:E"}},
		{"email double dot domain", fld("string", "email"), "a@x..cn", "a@x..cn", []string{"email:E"}},
		{"email trailing dot", fld("string", "email"), "a@x.cn.", "a@x.cn.", []string{"email:E"}},
		{"email hyphen label", fld("string", "email"), "a@-x.cn", "a@-x.cn", []string{"email:E"}},
		{"email numeric tld", fld("string", "email"), "a@1.2", "a@1.2", []string{"email:E"}},
		{"email Chinese", fld("string", "email"), "张三@x.cn", "张三@x.cn", []string{"email:E"}},
		{"email space", fld("string", "email"), "a b@x.cn", "a b@x.cn", []string{"email:E"}},

		// bank_card
		{"bank card Luhn", fld("string", "bank_card"), "4111111111111111", "4111111111111111", nil},
		{"bank card groups", fld("string", "bank_card"), "4111 1111 1111 1111", "4111111111111111", nil},
		{"bank card dashes", fld("string", "bank_card"), "4111-1111-1111-1111", "4111111111111111", nil},
		{"bank card not Luhn", fld("string", "bank_card"), "6222021234567890", "6222021234567890", []string{"bank_card_luhn:W"}},
		{"bank card short", fld("string", "bank_card"), "41111111111", "41111111111", []string{"bank_card:E"}},
		{"bank card long", fld("string", "bank_card"), "41111111111111111111", "41111111111111111111", []string{"bank_card:E"}},
		{"bank card letters", fld("string", "bank_card"), "4111a11111111111", "4111a11111111111", []string{"bank_card:E"}},

		// birth_date
		{"birth date", fld("date", "birth_date"), "1990-01-02", "1990-01-02", nil},
		{"birth today", fld("date", "birth_date"), "2025-06-15", "2025-06-15", nil},
		{"birth tomorrow", fld("date", "birth_date"), "2025-06-16", "2025-06-16", []string{"birth_date:E"}},
		{"birth before 1850", fld("date", "birth_date"), "1849-12-31", "1849-12-31", []string{"birth_date:W"}},
		{"birth string field", fld("string", "birth_date"), "1990/1/2", "1990-01-02", nil},
		{"birth string field bad", fld("string", "birth_date"), "1990-02-30", "1990-02-30", []string{"type_date:E"}},
		{"birth datetime", fld("datetime", "birth_date"), "2025-06-15 11:00", "2025-06-15T11:00:00+08:00", nil},
		{"birth datetime future", fld("datetime", "birth_date"), "2025-06-15 13:00", "2025-06-15T13:00:00+08:00", []string{"birth_date:E"}},

		// name
		{"name", fld("string", "name"), "张三", "张三", nil},
		{"name minority", fld("string", "name"), "阿卜杜拉·买买提", "阿卜杜拉·买买提", nil},
		{"name latin", fld("string", "name"), "Jean-Pierre O'Neil", "Jean-Pierre O'Neil", nil},
		{"name wrong dot", fld("string", "name"), "阿卜杜拉.买买提", "阿卜杜拉.买买提", []string{"name:W"}},
		{"name digit", fld("string", "name"), "张3", "张3", []string{"name:E"}},
		{"name full-width digit", fld("string", "name"), "张３", "张３", []string{"name:E"}},
		{"name 50", fld("string", "name"), strings.Repeat("名", 50), strings.Repeat("名", 50), nil},
		{"name 51", fld("string", "name"), strings.Repeat("名", 51), strings.Repeat("名", 51), []string{"name:E"}},
		{"name control", fld("string", "name"), "张\x01三", "张\x01三", []string{"control_char:E"}},

		// address
		{"address", fld("string", "address"), " 北京市朝阳区建国路1号 ", "北京市朝阳区建国路1号", nil},

		// Declared rules.
		{"enum ok", enum, "女", "女", nil},
		{"enum trimmed", enum, " 男 ", "男", nil},
		{"enum other", enum, "未知", "未知", []string{"enum:E"}},
		{"enum int canonical", enumInt, "1", "1", nil},
		{"enum int written differently", enumInt, "+01", "1", nil},
		{"enum int other", enumInt, "3", "3", []string{"enum:E"}},
		{"regex ok", re, "AB1234", "AB1234", nil},
		{"regex alternative", re, "N/A", "N/A", nil},
		{"regex anchored", re, "xAB1234", "xAB1234", []string{"regex:E"}},
		{"regex anchored alternative", re, "AB1234N/A", "AB1234N/A", []string{"regex:E"}},
		{"range in", age, "150", "150", nil},
		{"range zero", age, "-0", "0", nil},
		{"range above", age, "151", "151", []string{"range:E"}},
		{"range below", age, "-1", "-1", []string{"range:E"}},
		{"range type first", age, "abc", "abc", []string{"type_int:E"}},
		{"decimal range upper", ratio, "0.250", "0.25", nil},
		{"decimal range lower", ratio, "1e-1", "0.1", nil},
		{"decimal range just above", ratio, "0.2500001", "0.2500001", []string{"range:E"}},
		{"decimal range just below", ratio, "0.0999999", "0.0999999", []string{"range:E"}},
		{"decimal range big", ratio, "10", "10", []string{"range:E"}},
		{"decimal negative max ok", neg, "-0.51", "-0.51", nil},
		{"decimal negative max", neg, "-0.49", "-0.49", []string{"range:E"}},
		{"decimal negative max positive", neg, "1", "1", []string{"range:E"}},
		{"date min ok", since, "2020年1月1日", "2020-01-01", nil},
		{"date min", since, "2019-12-31", "2019-12-31", []string{"range:E"}},
		{"datetime max ok", until, "2024-12-31 23:59:59", "2024-12-31T23:59:59+08:00", nil},
		{"datetime max fraction", until, "2024-12-31 23:59:59.5", "2024-12-31T23:59:59.5+08:00", []string{"range:E"}},
		{"datetime max UTC", until, "2024-12-31T16:00:00Z", "2025-01-01T00:00:00+08:00", []string{"range:E"}},
		{"length ok", length, "中文字符", "中文字符", nil},
		{"length short", length, "中", "中", []string{"length:E"}},
		{"length long", length, "中文字符串", "中文字符串", []string{"length:E"}},
		{"max length", atMost, "abcd", "abcd", []string{"length:E"}},
		{"rules together", func() catalog.Field {
			f := fld("string", "")
			f.Enum, f.Regex, f.MaxLength = []string{"a", "bb"}, "[a-z]", 1
			return f
		}(), "cc", "cc", []string{"enum:E", "regex:E", "length:E"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustChecker(t, tt.f)
			got, ps := c.Check(tt.in)
			if got != tt.want {
				t.Errorf("Check(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if diff := cmp.Diff(tt.codes, problemCodes(ps)); diff != "" {
				t.Errorf("Check(%q) problems (-want +got):\n%s\n%+v", tt.in, diff, ps)
			}
			for _, p := range ps {
				if p.Message == "" || p.MessageEN == "" {
					t.Errorf("problem without message: %+v", p)
				}
			}
			if ruleHasError(ps) {
				return
			}
			// Accepted values are canonical: checking them again changes
			// nothing and they convert for storage.
			again, ps2 := c.Check(got)
			if again != got || ruleHasError(ps2) {
				t.Errorf("Check(%q) = %q, %v; not idempotent", got, again, ps2)
			}
			if _, err := Typed(tt.f, got); err != nil {
				t.Errorf("Typed(%q): %v", got, err)
			}
		})
	}
}

// TestCheckMessages pins the wording of the messages people read.
func TestCheckMessages(t *testing.T) {
	lvl3 := func(f catalog.Field) catalog.Field { f.Level = 3; return f }
	gender := lvl3(fld("string", ""))
	gender.Enum = []string{"男", "女"}
	age := fld("int", "")
	age.Min, age.Max = "0", "150"
	minOnly := fld("int", "")
	minOnly.Min = "18"
	dateMax := fld("date", "")
	dateMax.Max = "2024-12-31"
	many := fld("string", "")
	for i := range 12 {
		many.Enum = append(many.Enum, string(rune('a'+i)))
	}
	idRegex := lvl3(fld("string", "id_card"))
	idRegex.Regex = `44.*`
	phoneRegex := lvl3(fld("string", "phone"))
	phoneRegex.Regex = `139\d+`
	secret := lvl3(fld("string", ""))
	secret.Regex = `[a-z]+`
	length := fld("string", "")
	length.MinLength, length.MaxLength = 2, 4

	tests := []struct {
		name   string
		f      catalog.Field
		in     string
		zh, en string
	}{
		{"required", func() catalog.Field { f := fld("string", ""); f.Required = true; return f }(), " ",
			"必填项为空，请填写", "a required value is missing"},
		{"int", fld("int", ""), "1.5",
			"应为整数，不能有小数部分（值：“1.5”）", "must be a whole number, without a fractional part (value: “1.5”)"},
		{"int words", fld("int", ""), "abc",
			"应为整数（如 123、-5、1,234）（值：“abc”）", "must be an integer (e.g. 123, -5, 1,234) (value: “abc”)"},
		{"int overflow", fld("int", ""), "99999999999999999999",
			"超出整数范围（绝对值不能超过 9223372036854775807）（值：“99999999999999999999”）",
			"is outside the integer range (at most 9223372036854775807 in absolute value) (value: “99999999999999999999”)"},
		{"grouping", fld("decimal", ""), "1,5",
			"千位分隔符位置不对，应每 3 位一个逗号（如 1,234,567）（值：“1,5”）",
			"misplaced thousands separator: put one comma every 3 digits (e.g. 1,234,567) (value: “1,5”)"},
		{"decimal", fld("decimal", ""), "NaN",
			"应为数值（如 1234.5、-0.5、1,234.50）（值：“NaN”）", "must be a number (e.g. 1234.5, -0.5, 1,234.50) (value: “NaN”)"},
		{"long value clipped", fld("decimal", ""), "一二三四五六七八九十一二三四五六七八九十一二三",
			"应为数值（如 1234.5、-0.5、1,234.50）（值：“一二三四五六七八九十一二三四五六七八九十…”）",
			"must be a number (e.g. 1234.5, -0.5, 1,234.50) (value: “一二三四五六七八九十一二三四五六七八九十…”)"},
		{"bool", fld("bool", ""), "对",
			"应为是或否（可填：是、否、true、false、1、0、Y、N、yes、no）（值：“对”）",
			"must be yes or no (one of 是, 否, true, false, 1, 0, Y, N, yes, no) (value: “对”)"},
		{"date format", fld("date", ""), "2024/01-02",
			"无法识别的日期，请写成 YYYY-MM-DD（如 2024-01-02）（值：“2024/01-02”）",
			"unrecognised date: write it as YYYY-MM-DD (e.g. 2024-01-02) (value: “2024/01-02”)"},
		{"date not leap", fld("date", ""), "2023-02-29",
			"日期不存在：2 月只有 28 天，没有 29 日（该年不是闰年）（值：“2023-02-29”）",
			"no such date: February has 28 days, not 29 (not a leap year) (value: “2023-02-29”)"},
		{"date April 31", fld("date", ""), "2024-04-31",
			"日期不存在：4 月只有 30 天，没有 31 日（值：“2024-04-31”）",
			"no such date: April has 30 days, not 31 (value: “2024-04-31”)"},
		{"date month", fld("date", ""), "2024-13-01",
			"月份应为 1-12，实为 13（值：“2024-13-01”）", "the month must be 1-12, got 13 (value: “2024-13-01”)"},
		{"date day 0", fld("date", ""), "2024-01-00",
			"日应为 1-31，实为 0（值：“2024-01-00”）", "the day must be 1-31, got 0 (value: “2024-01-00”)"},
		{"date has time", fld("date", ""), "2024-01-02 08:00",
			"日期不能带有时间（只接受 00:00:00），请只填日期，如 2024-01-02（值：“2024-01-02 08:00”）",
			"a date cannot carry a time of day (only 00:00:00 is accepted): write the date only, e.g. 2024-01-02 (value: “2024-01-02 08:00”)"},
		{"date serial", fld("date", ""), "99999",
			"纯数字的日期应为 8 位的 YYYYMMDD，或 10000-80000 之间的 Excel 日期序号（值：“99999”）",
			"a date written as a number must be YYYYMMDD or an Excel serial day number between 10000 and 80000 (value: “99999”)"},
		{"datetime format", fld("datetime", ""), "yesterday",
			"无法识别的日期时间，请写成 YYYY-MM-DD HH:MM:SS（如 2024-01-02 15:04:05）（值：“yesterday”）",
			"unrecognised datetime: write it as YYYY-MM-DD HH:MM:SS (e.g. 2024-01-02 15:04:05) (value: “yesterday”)"},
		{"datetime hour", fld("datetime", ""), "2024-01-02 25:00",
			"小时应为 0-23，实为 25（值：“2024-01-02 25:00”）", "the hour must be 0-23, got 25 (value: “2024-01-02 25:00”)"},
		{"level 3 date hides value", lvl3(fld("date", "birth_date")), "1990-02-30",
			"日期不存在：2 月只有 28 天，没有 30 日", "no such date: February has 28 days, not 30"},
		{"enum", func() catalog.Field { f := fld("string", ""); f.Enum = []string{"a"}; return f }(), "x", "只能取：a（值：“x”）", "must be one of: a (value: “x”)"},
		{"enum level 3", gender, "未知", "只能取：男、女", "must be one of: 男, 女"},
		{"enum many", many, "z",
			"只能取：a、b、c、d、e、f、g、h、i、j等（共 12 个值）（值：“z”）",
			"must be one of: a, b, c, d, e, f, g, h, i, j, … (12 values) (value: “z”)"},
		{"range", age, "200", "不在取值范围 [0, 150] 内（值：“200”）", "is outside the range [0, 150] (value: “200”)"},
		{"range min", minOnly, "17", "应不小于 18（值：“17”）", "must be at least 18 (value: “17”)"},
		{"range date", dateMax, "2025-01-01", "应不晚于 2024-12-31（值：“2025-01-01”）", "must not be after 2024-12-31 (value: “2025-01-01”)"},
		{"length", length, "abcde", "长度应为 2-4 个字符，实为 5 个", "must be 2 to 4 characters long, got 5"},
		{"regex level 3", secret, "ABC", "不符合规定的格式（正则表达式 [a-z]+）", "does not match the required pattern [a-z]+"},
		{"id masked", idRegex, "11010519491231002X",
			"不符合规定的格式（正则表达式 44.*）（值：“110105********002X”）",
			"does not match the required pattern 44.* (value: “110105********002X”)"},
		{"phone masked", phoneRegex, "13812345678",
			"不符合规定的格式（正则表达式 139\\d+）（值：“138****5678”）",
			"does not match the required pattern 139\\d+ (value: “138****5678”)"},
		{"phone masked raw", lvl3(fld("string", "phone")), "138-1234-567",
			"手机号码应为 11 位，实为 10 位（值：“138*****-567”）", "a mobile number has 11 digits, got 10 (value: “138*****-567”)"},
		{"phone", fld("string", "phone"), "400-123-4567",
			"电话号码格式不正确：手机号为 11 位数字（如 13812345678），固定电话为区号加 7-8 位号码（如 010-62345678）（值：“400*****4567”）",
			"not a valid phone number: a mobile number has 11 digits (e.g. 13812345678), a landline an area code and 7-8 digits (e.g. 010-62345678) (value: “400*****4567”)"},
		{"landline local", fld("string", "phone"), "010-12345678",
			"固定电话号码（区号之后的部分）应为 7-8 位，且不以 0 或 1 开头（值：“010*****5678”）",
			"a landline number (after the area code) has 7 or 8 digits and does not start with 0 or 1 (value: “010*****5678”)"},
		{"landline area", fld("string", "phone"), "013-62345678",
			"区号无效：区号为 010、020-029，或 0 加上以 3-9 开头的 3 位数字（如 0755）（值：“013*****5678”）",
			"invalid area code: area codes are 010, 020-029, or 0 and 3 digits starting with 3-9 (e.g. 0755) (value: “013*****5678”)"},
		{"mobile length", fld("string", "phone"), "1381234567",
			"手机号码应为 11 位，实为 10 位（值：“138***4567”）", "a mobile number has 11 digits, got 10 (value: “138***4567”)"},
		{"id length", fld("string", "id_card"), "11010519491231002",
			"身份证号码应为 18 位，实为 17 位", "an ID number has 18 characters, got 17"},
		{"id 15", fld("string", "id_card"), "110105491231002",
			"这是 15 位的旧身份证号码，请改填 18 位号码", "this is an old 15-digit ID number: enter the 18-digit number"},
		{"id scientific", fld("string", "id_card"), "1.10105E+17",
			"号码疑似被 Excel 转成了科学计数法（如 1.10105E+17），后几位已丢失；请把该列设为文本格式后重新填写",
			"the number looks like Excel scientific notation (e.g. 1.10105E+17) and has lost digits: format the column as text and enter it again"},
		{"id char", fld("string", "id_card"), "1101051949A231002X",
			"身份证号码第 11 位字符“A”无效：前 17 位应为数字，第 18 位应为数字或 X",
			"invalid character “A” at position 11: positions 1-17 are digits, position 18 a digit or X"},
		{"id check", fld("string", "id_card"), "110105194912310021",
			"身份证号码校验位错误，按前 17 位计算应为 X，请核对号码", "wrong check character: the first 17 digits give X; check the number"},
		{"id birth", fld("string", "id_card"), "110105194902300020",
			"身份证号码中的出生日期（第 7-14 位）不是有效日期，请核对", "the birth date in the ID number (positions 7-14) is not a calendar date: check the number"},
		{"id birth future", fld("string", "id_card"), "110105202506160211",
			"身份证号码中的出生日期（第 7-14 位）晚于今天，请核对", "the birth date in the ID number (positions 7-14) is after today: check the number"},
		{"id birth old", fld("string", "id_card"), "110105184912310020",
			"身份证号码中的出生日期（第 7-14 位）早于 1850-01-01，请核对", "the birth date in the ID number (positions 7-14) is before 1850-01-01: check the number"},
		{"id region", fld("string", "id_card"), "440524188001010014",
			"身份证号码前 6 位地区码 440524 不在现行行政区划代码表中（可能是已撤销的旧代码），请核对",
			"region code 440524 (positions 1-6) is not in the current region table (it may be a withdrawn code): check the number"},
		{"uscc length", fld("string", "uscc"), "9135",
			"统一社会信用代码应为 18 位，实为 4 位", "a unified social credit code has 18 characters, got 4"},
		{"uscc char", fld("string", "uscc"), "91350100M0O0100Y43",
			"统一社会信用代码第 11 位字符“O”无效（只用数字和 I、O、S、V、Z 以外的大写字母）",
			"invalid character “O” at position 11 of the code (only digits and capital letters other than I, O, S, V, Z)"},
		{"uscc region letter", fld("string", "uscc"), "9135A100M000100Y43",
			"统一社会信用代码第 5 位应为数字（第 3-8 位是行政区划码）", "position 5 of the code must be a digit (positions 3-8 are the region code)"},
		{"uscc check", fld("string", "uscc"), "91350100M000100Y44",
			"统一社会信用代码校验码错误，按前 17 位计算应为 3，请核对", "wrong check character: the first 17 characters give 3; check the code"},
		{"uscc region", fld("string", "uscc"), "91440524MA0000001P",
			"统一社会信用代码第 3-8 位行政区划码 440524 不在现行代码表中（可能是已撤销的旧代码），请核对",
			"region code 440524 (positions 3-8) is not in the current region table (it may be a withdrawn code): check the code"},
		{"email", fld("string", "email"), "a@b",
			"电子邮箱格式不正确（应如 name@example.gov.cn）（值：“a@b”）", "not a valid email address (e.g. name@example.gov.cn) (value: “a@b”)"},
		{"email level 3", lvl3(fld("string", "email")), "a@b",
			"电子邮箱格式不正确（应如 name@example.gov.cn）", "not a valid email address (e.g. name@example.gov.cn)"},
		{"bank card", fld("string", "bank_card"), "4111 1111",
			"银行卡号应为 12-19 位数字，实为 8 位", "a bank card number has 12 to 19 digits, got 8"},
		{"bank card Luhn", fld("string", "bank_card"), "6222021234567890",
			"银行卡号未通过 Luhn 校验，请核对（少数银行卡不使用该校验）", "the bank card number fails the Luhn check: check it (a few cards do not use it)"},
		{"name digits", fld("string", "name"), "张3", "姓名不能包含数字", "a name cannot contain digits"},
		{"name dot", fld("string", "name"), "阿卜杜拉.买买提",
			"姓名含有不常见的字符“.”，请核对；少数民族姓名的间隔号应写作“·”",
			"the name contains the unusual character “.”: check it; the separator in minority names is “·”"},
		{"name long", fld("string", "name"), strings.Repeat("名", 51),
			"姓名过长：最多 50 个字符，实为 51 个", "the name is too long: at most 50 characters, got 51"},
		{"birth future", fld("date", "birth_date"), "2030-01-01", "出生日期晚于今天，请核对", "the birth date is after today: check it"},
		{"control", fld("string", ""), "ab\x00", "第 3 个字符是控制字符 U+0000，请删除", "character 3 is the control character U+0000: remove it"},
		{"invalid UTF-8", fld("string", ""), "ab\xc3",
			"第 3 个字符处含有无效的 UTF-8 字节，文件编码可能不对，请另存为 UTF-8 或注明 GB18030 编码",
			"invalid UTF-8 at character 3: the file's encoding may be wrong; save it as UTF-8 or declare GB18030"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ps := mustChecker(t, tt.f).Check(tt.in)
			if len(ps) == 0 {
				t.Fatalf("Check(%q): no problem", tt.in)
			}
			if ps[0].Message != tt.zh || ps[0].MessageEN != tt.en {
				t.Errorf("Check(%q) message\n got %q\n     %q\nwant %q\n     %q", tt.in, ps[0].Message, ps[0].MessageEN, tt.zh, tt.en)
			}
		})
	}
}

// TestCheckPrivacy checks that messages about restricted values never show
// them whole.
func TestCheckPrivacy(t *testing.T) {
	values := map[string][]string{
		"id_card":   {"11010519491231002X", "440524188001010014", "110105194912310021", "1101051949123100", "110105194902300020"},
		"phone":     {"13812345678", "010-62345678", "1381234567", "138-1234-56789"},
		"bank_card": {"6222021234567890", "4111111111111111", "4111111111a"},
		"name":      {"张三丰", "张3丰"},
		"address":   {"北京市朝阳区建国路1号"},
		"email":     {"zhang@example.cn", "zhang@example"},
		"":          {"机密内容123"},
	}
	for pii, vs := range values {
		for _, level := range []int{1, 3, 4} {
			if level == 1 && pii != "id_card" && pii != "phone" && pii != "bank_card" {
				continue
			}
			f := fld("string", pii)
			f.Level = level
			// Every value breaks these rules, so messages quote it if they
			// may.
			f.Enum = []string{"-"}
			f.Regex = `-`
			f.MaxLength = 1
			c := mustChecker(t, f)
			for _, v := range vs {
				_, ps := c.Check(v)
				if len(ps) == 0 {
					t.Fatalf("%s level %d: Check(%q): no problem", pii, level, v)
				}
				for _, p := range ps {
					if strings.Contains(p.Message, v) || strings.Contains(p.MessageEN, v) {
						t.Errorf("%s level %d: message shows %q: %q / %q", pii, level, v, p.Message, p.MessageEN)
					}
				}
			}
		}
	}
}

func TestNewCheckerErrors(t *testing.T) {
	with := func(edit func(*catalog.Field)) catalog.Field {
		f := fld("int", "")
		edit(&f)
		return f
	}
	tests := []struct {
		name string
		f    catalog.Field
	}{
		{"unknown type", with(func(f *catalog.Field) { f.Type = "float" })},
		{"unknown pii", with(func(f *catalog.Field) { f.PII = "passport" })},
		{"bad regex", with(func(f *catalog.Field) { f.Type, f.Regex = "string", "(" })},
		{"bad min", with(func(f *catalog.Field) { f.Min = "1.5" })},
		{"bad max", with(func(f *catalog.Field) { f.Max = "x" })},
		{"min above max", with(func(f *catalog.Field) { f.Min, f.Max = "10", "9" })},
		{"decimal min above max", with(func(f *catalog.Field) { f.Type, f.Min, f.Max = "decimal", "0.3", "0.25" })},
		{"date min above max", with(func(f *catalog.Field) { f.Type, f.Min, f.Max = "date", "2024-01-02", "2024-01-01" })},
		{"range on string", with(func(f *catalog.Field) { f.Type, f.Min = "string", "a" })},
		{"range on bool", with(func(f *catalog.Field) { f.Type, f.Max = "bool", "1" })},
		{"negative length", with(func(f *catalog.Field) { f.Type, f.MinLength = "string", -1 })},
		{"crossed length", with(func(f *catalog.Field) { f.Type, f.MinLength, f.MaxLength = "string", 5, 4 })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewChecker(tt.f, ruleTestNow); !errors.Is(err, ErrInvalidRule) {
				t.Errorf("NewChecker(%+v) = %v, want ErrInvalidRule", tt.f, err)
			}
		})
	}
	// Bounds are read like values: written in any accepted form.
	f := fld("datetime", "")
	f.Min, f.Max = "2024-01-01", "2024-12-31T23:59:59Z"
	if _, err := NewChecker(f, ruleTestNow); err != nil {
		t.Errorf("NewChecker(%+v): %v", f, err)
	}
}

func TestTyped(t *testing.T) {
	tests := []struct {
		typ, in string
		want    any
		err     error
	}{
		{"int", "", nil, nil},
		{"int", "-42", int64(-42), nil},
		{"int", "9223372036854775807", int64(9223372036854775807), nil},
		{"int", "+42", nil, ErrNotNormalized},
		{"int", "042", nil, ErrNotNormalized},
		{"int", "1,000", nil, ErrNotNormalized},
		{"int", "-0", nil, ErrNotNormalized},
		{"int", "-07", nil, ErrNotNormalized},
		{"int", "0", int64(0), nil},
		{"decimal", "1234.5", "1234.5", nil},
		{"decimal", "123456789012345678901234567890.000000000000000000001", "123456789012345678901234567890.000000000000000000001", nil},
		{"decimal", "1234.50", nil, ErrNotNormalized},
		{"decimal", "1e3", nil, ErrNotNormalized},
		{"bool", "true", true, nil},
		{"bool", "false", false, nil},
		{"bool", "是", nil, ErrNotNormalized},
		{"date", "2024-01-02", "2024-01-02", nil},
		{"date", "2024/1/2", nil, ErrNotNormalized},
		{"datetime", "2024-01-02T03:04:05+08:00", "2024-01-02T03:04:05+08:00", nil},
		{"datetime", "2024-01-02T03:04:05Z", nil, ErrNotNormalized},
		{"string", " anything ", " anything ", nil},
		{"string", "", nil, nil},
		{"float", "1", nil, ErrInvalidRule},
	}
	for _, tt := range tests {
		got, err := Typed(fld(tt.typ, ""), tt.in)
		if !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
			t.Errorf("Typed(%s, %q) error = %v, want %v", tt.typ, tt.in, err, tt.err)
		}
		if got != tt.want {
			t.Errorf("Typed(%s, %q) = %#v, want %#v", tt.typ, tt.in, got, tt.want)
		}
	}
}

// TestCheckConcurrent runs one checker from several goroutines (run with
// -race).
func TestCheckConcurrent(t *testing.T) {
	f := fld("string", "id_card")
	f.Enum = []string{"11010519491231002X"}
	c := mustChecker(t, f)
	done := make(chan bool)
	for range 4 {
		go func() {
			for range 100 {
				if v, ps := c.Check("11010519491231002x"); v != "11010519491231002X" || len(ps) != 0 {
					t.Errorf("Check = %q, %v", v, ps)
				}
			}
			done <- true
		}()
	}
	for range 4 {
		<-done
	}
}

// fuzzPII lists the PII kinds FuzzCheck picks from.
var fuzzPII = append([]string{""}, catalog.PIIKinds...)

// FuzzCheck checks that Check never panics, that its findings are well
// formed, and that accepted values are canonical: checking them again
// gives the same value with no error, and Typed converts them.
func FuzzCheck(f *testing.F) {
	seeds := []string{
		"", " 1,234 ", "+5", "１２３", "1.5", "1e3", "-0.000", "NaN", "0x1p3", "9223372036854775808",
		"true", "是", "N", "2024-01-02", "2024/1/2", "2024年1月2日", "20240102", "45292", "45292.5",
		"2023-02-29", "2024-01-02 03:04:05", "2024-01-02T03:04:05.5Z", "2024年1月2日 3时4分5秒",
		"11010519491231002X", "440524188001010014", "11010519491231002x", "110105491231002", "1.10105E+17",
		"91350100M000100Y43", "91110000600037341L", "91350100m000100y44",
		"+86 138 1234 5678", "010-62345678", "0755-8234567-123", "(010) 6234 5678",
		"a@Example.CN", "4111 1111 1111 1111", "阿卜杜拉·买买提", "张3", "a\x00b", "\xff",
	}
	for i, s := range seeds {
		f.Add(uint8(i), uint8(i/3), uint8(i/7), s)
	}
	f.Fuzz(func(t *testing.T, typ, pii, flags uint8, raw string) {
		fd := catalog.Field{Name: "f", Type: catalog.FieldTypes[int(typ)%len(catalog.FieldTypes)],
			PII: fuzzPII[int(pii)%len(fuzzPII)], Level: 1 + int(flags>>1)%4, Required: flags&1 == 1}
		if flags&8 != 0 {
			switch fd.Type {
			case "int":
				fd.Min, fd.Max = "-1000", "100000"
			case "decimal":
				fd.Min, fd.Max = "-0.5", "1e6"
			case "date":
				fd.Min, fd.Max = "1900-01-01", "2030-12-31"
			case "datetime":
				fd.Min, fd.Max = "1900-01-01", "2030-12-31 23:59:59"
			case "string":
				fd.MinLength, fd.MaxLength = 1, 20
			}
		}
		if flags&16 != 0 && fd.Type == "string" {
			fd.Regex = `[^x]*`
		}
		c, err := NewChecker(fd, ruleTestNow)
		if err != nil {
			t.Fatalf("NewChecker(%+v): %v", fd, err)
		}
		v, ps := c.Check(raw)
		for _, p := range ps {
			if p.Rule == "" || p.Message == "" || p.MessageEN == "" ||
				(p.Severity != SeverityError && p.Severity != SeverityWarning) {
				t.Fatalf("Check(%q) malformed problem %+v", raw, p)
			}
		}
		if ruleHasError(ps) {
			return
		}
		if ruleTrim(v) != v {
			t.Fatalf("Check(%q) = %q, not trimmed", raw, v)
		}
		v2, ps2 := c.Check(v)
		if v2 != v || ruleHasError(ps2) {
			t.Fatalf("%s/%s: Check(%q) = %q; Check(%q) = %q, %+v", fd.Type, fd.PII, raw, v, v, v2, ps2)
		}
		typed, err := Typed(fd, v)
		if err != nil {
			t.Fatalf("%s/%s: Check(%q) = %q; Typed: %v", fd.Type, fd.PII, raw, v, err)
		}
		// Staging trusts Check and converts without checking again.
		if stored, err := storedValue(fd, v); v != "" && (err != nil || stored != typed) {
			t.Fatalf("%s/%s: Check(%q) = %q; storedValue = %#v, %v; Typed = %#v", fd.Type, fd.PII, raw, v, stored, err, typed)
		}
	})
}

// benchFields and benchRows are a typical 10-field resource and two rows
// of it, one canonical and one written loosely.
var benchFields = []catalog.Field{
	{Name: "id_card", Type: "string", PII: "id_card", Level: 3, Key: true, Required: true},
	{Name: "name", Type: "string", PII: "name", Level: 3, Required: true},
	{Name: "phone", Type: "string", PII: "phone", Level: 3},
	{Name: "birth", Type: "date", Level: 2},
	{Name: "gender", Type: "string", Level: 1, Enum: []string{"男", "女"}},
	{Name: "age", Type: "int", Level: 1, Min: "0", Max: "150"},
	{Name: "income", Type: "decimal", Level: 2},
	{Name: "employer", Type: "string", PII: "uscc", Level: 1},
	{Name: "address", Type: "string", PII: "address", Level: 3, MaxLength: 200},
	{Name: "married", Type: "bool", Level: 2},
}

var benchRows = [][]string{
	{"11010519491231002X", "张三", "13812345678", "1949-12-31", "男", "75", "12345.67", "91350100M000100Y43", "北京市朝阳区建国路1号", "是"},
	{"440524188001010014", "阿卜杜拉·买买提", "010-62345678", "1980/1/1", "女", "45", "1,234.50", "91110000600037341L", "广东省汕头市", "false"},
}

// BenchmarkCheckRow checks 10-field rows; ns/op is per row.
func BenchmarkCheckRow(b *testing.B) {
	cs := make([]*Checker, len(benchFields))
	for i, f := range benchFields {
		cs[i] = mustChecker(b, f)
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		row := benchRows[n%len(benchRows)]
		n++
		for i, c := range cs {
			if _, ps := c.Check(row[i]); ruleHasError(ps) {
				b.Fatalf("%s: %q: %v", benchFields[i].Name, row[i], ps)
			}
		}
	}
}

// BenchmarkCheckField checks each field of benchRows on its own.
func BenchmarkCheckField(b *testing.B) {
	for i, f := range benchFields {
		c := mustChecker(b, f)
		b.Run(f.Name, func(b *testing.B) {
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				c.Check(benchRows[n%len(benchRows)][i])
				n++
			}
		})
	}
}
