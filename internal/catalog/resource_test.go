package catalog

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"huitong"
)

func validInput() Input {
	return Input{
		Name: "人口基础信息", Summary: "摘要", Category: CategoryBase, ProviderUSCC: "11330500002486211M",
		Format: "table", UpdateCycle: "daily", ShareType: ShareConditional, ShareCondition: "法定职责",
		ShareMethod: "api", OpenType: OpenNone, PublishDate: "2026-01-02",
		Fields: []Field{
			{Name: "id_card", Title: "公民身份号码", Type: "string", Level: 3, PII: "id_card", Key: true, Required: true},
			{Name: "gender", Title: "性别", Type: "string", Level: 2, Enum: []string{"男", "女"}},
		},
	}
}

// fieldsOf returns the field names an Invalid error names.
func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var he *huitong.Error
	if !errors.As(err, &he) || he.Kind != huitong.Invalid || he.Code != "validation_failed" {
		t.Fatalf("error %v is not a validation error", err)
	}
	var out []string
	for _, d := range he.Details {
		if d.Message == "" || d.MessageEN == "" || d.Code == "" {
			t.Errorf("detail without message or code: %+v", d)
		}
		out = append(out, d.Field)
	}
	return out
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*Input)
		fields []string // the fields reported, in order; nil: valid
	}{
		{"valid", func(*Input) {}, nil},
		{"unconditional needs no condition", func(in *Input) { in.ShareType, in.ShareCondition = ShareUnconditional, "" }, nil},
		{"no name", func(in *Input) { in.Name = "" }, []string{"name"}},
		{"long name", func(in *Input) { in.Name = strings.Repeat("名", 201) }, []string{"name"}},
		{"bad category", func(in *Input) { in.Category = "misc" }, []string{"category"}},
		{"bad format", func(in *Input) { in.Format = "pdf" }, []string{"format"}},
		{"bad cycle", func(in *Input) { in.UpdateCycle = "hourly" }, []string{"update_cycle"}},
		{"conditional without condition", func(in *Input) { in.ShareCondition = "" }, []string{"share_condition"}},
		{"none without legal basis", func(in *Input) { in.ShareType = ShareNone }, []string{"legal_basis"}},
		{"none with legal basis", func(in *Input) { in.ShareType, in.LegalBasis, in.ShareMethod = ShareNone, "某法第六条", "" }, nil},
		{"bad share type", func(in *Input) { in.ShareType = "sometimes" }, []string{"share_type"}},
		{"bad share method", func(in *Input) { in.ShareMethod = "fax" }, []string{"share_method"}},
		{"bad open type", func(in *Input) { in.OpenType = "public" }, []string{"open_type"}},
		{"conditional open without condition", func(in *Input) { in.OpenType = OpenConditional }, []string{"open_condition"}},
		{"not shared but open", func(in *Input) { in.ShareType, in.LegalBasis, in.OpenType = ShareNone, "某法", OpenOpen }, []string{"open_type"}},
		{"bad date", func(in *Input) { in.PublishDate = "2026/01/02" }, []string{"publish_date"}},
		{"empty related code", func(in *Input) { in.RelatedCodes = []string{""} }, []string{"related_codes[0]"}},
		{"no fields", func(in *Input) { in.Fields = nil }, []string{"fields"}},
		{"bad field name", func(in *Input) { in.Fields[0].Name = "ID-Card" }, []string{"fields[0].name"}},
		{"field name digit first", func(in *Input) { in.Fields[0].Name = "1st" }, []string{"fields[0].name"}},
		{"duplicate field", func(in *Input) { in.Fields[1].Name = "id_card" }, []string{"fields[1].name"}},
		{"no title", func(in *Input) { in.Fields[1].Title = "" }, []string{"fields[1].title"}},
		{"bad type", func(in *Input) { in.Fields[1].Type = "text" }, []string{"fields[1].type"}},
		{"level 0", func(in *Input) { in.Fields[1].Level = 0 }, []string{"fields[1].level"}},
		{"level 5", func(in *Input) { in.Fields[1].Level = 5 }, []string{"fields[1].level"}},
		{"bad pii", func(in *Input) { in.Fields[1].PII = "dna" }, []string{"fields[1].pii"}},
		{"duplicate enum", func(in *Input) { in.Fields[1].Enum = []string{"男", "男"} }, []string{"fields[1].enum"}},
		{"bool enum", func(in *Input) { in.Fields[1].Type, in.Fields[1].Enum = "bool", []string{"是"} }, []string{"fields[1].enum"}},
		{"several at once", func(in *Input) { in.Name, in.Format = "", "x" }, []string{"name", "format"}},
		{"rules ok", func(in *Input) {
			in.Fields = append(in.Fields, Field{Name: "age", Title: "年龄", Type: "int", Level: 2, Min: "0", Max: "150", Indexed: true},
				Field{Name: "zip", Title: "邮编", Type: "string", Level: 1, Regex: `^\d{6}$`, MinLength: 6, MaxLength: 6, Unique: true},
				Field{Name: "born", Title: "出生日期", Type: "date", Level: 3, Min: "1900-01-01"})
		}, nil},
		{"bad regex", func(in *Input) { in.Fields[1].Regex = "(" }, []string{"fields[1].regex"}},
		{"regex on int", func(in *Input) { in.Fields[1].Type, in.Fields[1].Enum, in.Fields[1].Regex = "int", nil, "x" }, []string{"fields[1].regex"}},
		{"range on string", func(in *Input) { in.Fields[1].Min = "1" }, []string{"fields[1].min"}},
		{"range not a number", func(in *Input) { in.Fields[1].Type, in.Fields[1].Enum, in.Fields[1].Min = "int", nil, "ten" }, []string{"fields[1].min"}},
		{"range upside down", func(in *Input) {
			in.Fields[1].Type, in.Fields[1].Enum, in.Fields[1].Min, in.Fields[1].Max = "date", nil, "2020-01-02", "2020-01-01"
		}, []string{"fields[1].max"}},
		{"level 4 unique", func(in *Input) { in.Fields[1].Level, in.Fields[1].Unique = 4, true }, []string{"fields[1].level"}},
		{"level 4 indexed", func(in *Input) { in.Fields[1].Level, in.Fields[1].Indexed = 4, true }, []string{"fields[1].level"}},
		{"level 4 ref", func(in *Input) { in.Fields[1].Level, in.Fields[1].Ref = 4, "JC-123-0001" }, []string{"fields[1].level"}},
		{"level 4 key may be unique", func(in *Input) { in.Fields[0].Level, in.Fields[0].Unique = 4, true }, nil},
		{"lengths upside down", func(in *Input) { in.Fields[1].MinLength, in.Fields[1].MaxLength = 5, 2 }, []string{"fields[1].max_length"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := validInput()
			tc.edit(&in)
			got := fieldsOf(t, in.Validate())
			if d := cmp.Diff(tc.fields, got); d != "" {
				t.Errorf("reported fields (-want +got):\n%s", d)
			}
		})
	}
}

func TestLevel(t *testing.T) {
	in := validInput()
	if got := Level(in.Fields); got != 3 {
		t.Errorf("Level = %d, want 3", got)
	}
	in.Fields[1].Level = 4
	if got := Level(in.Fields); got != 4 {
		t.Errorf("Level = %d, want 4", got)
	}
}

func TestDiff(t *testing.T) {
	in := validInput()
	a := Resource{Name: in.Name, ShareType: in.ShareType, Fields: in.Fields, Level: 3}
	b := a
	b.Name = "新名称"
	b.Fields = slices.Clone(a.Fields)
	b.Fields[1].Level = 3
	b.Fields = append(b.Fields[1:], Field{Name: "phone", Title: "电话", Type: "string", Level: 3})
	want := []string{"name", "field changed: gender", "field added: phone", "field removed: id_card"}
	if d := cmp.Diff(want, Diff(a, b)); d != "" {
		t.Errorf("Diff (-want +got):\n%s", d)
	}
	if d := Diff(a, a); len(d) != 0 {
		t.Errorf("Diff of equal = %v", d)
	}
}
