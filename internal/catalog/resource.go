package catalog

import (
	"regexp"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"huitong"
)

// Category is a catalog category (资源分类).
type Category string

// The categories of the government information resource catalog.
const (
	CategoryBase       Category = "base"       // 基础信息资源
	CategoryTheme      Category = "theme"      // 主题信息资源
	CategoryDepartment Category = "department" // 部门信息资源
)

// ShareType says whether and how a resource is shared (共享类型).
type ShareType string

// The share types.
const (
	ShareUnconditional ShareType = "unconditional" // 无条件共享
	ShareConditional   ShareType = "conditional"   // 有条件共享
	ShareNone          ShareType = "none"          // 不予共享
)

// OpenType says whether a resource is opened to society (开放类型).
type OpenType string

// The open types.
const (
	OpenOpen        OpenType = "open"
	OpenConditional OpenType = "conditional"
	OpenNone        OpenType = "none"
)

// The share methods (共享方式).
const (
	ShareMethodAPI  = "api"
	ShareMethodFile = "file"
)

// UpdateCycles lists the allowed update cycles (更新周期).
var UpdateCycles = []string{"realtime", "daily", "weekly", "monthly", "quarterly", "yearly", "irregular"}

// FieldTypes lists the allowed field types.
var FieldTypes = []string{"string", "int", "decimal", "date", "datetime", "bool"}

// PIIKinds lists the personal or organisational identifier kinds a field may
// carry (个人信息类别); empty means none.
var PIIKinds = []string{"id_card", "uscc", "name", "phone", "address", "bank_card", "birth_date", "email"}

// Formats lists the allowed resource formats.
var Formats = []string{"table", "api", "file", "document", "image", "other"}

// Field is one information item (信息项) of a resource.
type Field struct {
	Name     string   `json:"name"`
	Title    string   `json:"title"`
	Type     string   `json:"type"`
	Level    int      `json:"level"`
	PII      string   `json:"pii"`
	Key      bool     `json:"key"`
	Required bool     `json:"required"`
	Enum     []string `json:"enum,omitempty"`

	// Quality rules checked at ingest, part of the catalog version.

	// Indexed fields can be filtered on (exact and range) by consumers.
	Indexed bool `json:"indexed,omitempty"`
	// Unique values may occur once among the resource's records.
	Unique bool `json:"unique,omitempty"`
	// Regex is an RE2 pattern the whole value must match.
	Regex string `json:"regex,omitempty"`
	// Min and Max bound int, decimal, date and datetime values, written in
	// the field's type ("0", "2020-01-01").
	Min string `json:"min,omitempty"`
	Max string `json:"max,omitempty"`
	// MinLength and MaxLength bound string values, in characters.
	MinLength int `json:"min_length,omitempty"`
	MaxLength int `json:"max_length,omitempty"`
	// Ref names a resource whose key the value must be.
	Ref string `json:"ref,omitempty"`
}

// Resource is one catalog entry (政务信息资源目录) in one version.
type Resource struct {
	Code           string    `json:"code"`
	Version        int       `json:"version"`
	Name           string    `json:"name"`
	Summary        string    `json:"summary"`
	Category       Category  `json:"category"`
	ProviderUSCC   string    `json:"provider_uscc"`
	ProviderName   string    `json:"provider_name"`
	Format         string    `json:"format"`
	UpdateCycle    string    `json:"update_cycle"`
	ShareType      ShareType `json:"share_type"`
	ShareCondition string    `json:"share_condition"`
	ShareMethod    string    `json:"share_method"`
	LegalBasis     string    `json:"legal_basis"`
	OpenType       OpenType  `json:"open_type"`
	OpenCondition  string    `json:"open_condition"`
	RelatedCodes   []string  `json:"related_codes"`
	PublishDate    string    `json:"publish_date"`
	Fields         []Field   `json:"fields"`
	Level          int       `json:"level"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	UpdatedBy      string    `json:"updated_by"`
	ChangeNote     string    `json:"change_note,omitempty"`
	// Rev orders catalog changes across all resources; the search index
	// reads changes since the last rev it saw.
	Rev int64 `json:"-"`
}

// Input is what a provider sends to register or edit a resource. The code,
// version, provider name, level and timestamps are set by the service.
type Input struct {
	Name           string    `json:"name"`
	Summary        string    `json:"summary"`
	Category       Category  `json:"category"`
	ProviderUSCC   string    `json:"provider_uscc"`
	Format         string    `json:"format"`
	UpdateCycle    string    `json:"update_cycle"`
	ShareType      ShareType `json:"share_type"`
	ShareCondition string    `json:"share_condition"`
	ShareMethod    string    `json:"share_method"`
	LegalBasis     string    `json:"legal_basis"`
	OpenType       OpenType  `json:"open_type"`
	OpenCondition  string    `json:"open_condition"`
	RelatedCodes   []string  `json:"related_codes"`
	PublishDate    string    `json:"publish_date"`
	Fields         []Field   `json:"fields"`
	// Version, on edit, is the version the editor started from; a stale
	// version is a conflict. Zero skips the check.
	Version    int    `json:"version"`
	ChangeNote string `json:"change_note"`
}

var fieldNameRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// CategoryPrefix returns the code prefix of a category: JC 基础, ZT 主题, BM 部门.
func CategoryPrefix(c Category) string {
	switch c {
	case CategoryBase:
		return "JC"
	case CategoryTheme:
		return "ZT"
	case CategoryDepartment:
		return "BM"
	}
	return ""
}

// Limits on sizes, so that a catalog entry stays a catalog entry.
const (
	MaxFields      = 500
	MaxNameLen     = 200
	MaxSummaryLen  = 4000
	MaxTextLen     = 2000
	MaxEnumValues  = 1000
	MaxRelated     = 100
	maxFieldName   = 64
	maxFieldTitle  = 100
	maxEnumLen     = 200
	maxRelatedCode = 64
)

// Validate checks an input against the catalog rules of DESIGN 6a and returns
// an Invalid error listing every problem, or nil.
func (in *Input) Validate() error {
	var v huitong.Validation
	runes := utf8.RuneCountInString
	switch n := runes(in.Name); {
	case n == 0:
		v.Add("name", "required", "资源名称不能为空", "name is required")
	case n > MaxNameLen:
		v.Add("name", "too_long", "资源名称过长", "name is too long")
	}
	if runes(in.Summary) > MaxSummaryLen {
		v.Add("summary", "too_long", "摘要过长", "summary is too long")
	}
	if CategoryPrefix(in.Category) == "" {
		v.Add("category", "invalid_enum", "资源分类须为 base（基础）、theme（主题）或 department（部门）", "category must be base, theme or department")
	}
	if in.ProviderUSCC == "" {
		v.Add("provider_uscc", "required", "须指定提供方", "provider_uscc is required")
	}
	if !slices.Contains(Formats, in.Format) {
		v.Add("format", "invalid_enum", "格式须为 table、api、file、document、image 或 other", "format must be one of table, api, file, document, image, other")
	}
	if !slices.Contains(UpdateCycles, in.UpdateCycle) {
		v.Add("update_cycle", "invalid_enum", "更新周期无效", "update_cycle must be one of realtime, daily, weekly, monthly, quarterly, yearly, irregular")
	}
	switch in.ShareType {
	case ShareUnconditional:
	case ShareConditional:
		if in.ShareCondition == "" {
			v.Add("share_condition", "required", "有条件共享的资源须写明共享条件", "a conditional resource needs a share_condition")
		}
	case ShareNone:
		if in.LegalBasis == "" {
			v.Add("legal_basis", "required", "不予共享的资源须写明法律依据", "a resource that is not shared needs a legal_basis")
		}
	default:
		v.Add("share_type", "invalid_enum", "共享类型须为 unconditional、conditional 或 none", "share_type must be unconditional, conditional or none")
	}
	if in.ShareType != ShareNone && in.ShareMethod != ShareMethodAPI && in.ShareMethod != ShareMethodFile {
		v.Add("share_method", "invalid_enum", "共享方式须为 api 或 file", "share_method must be api or file")
	}
	if in.ShareType == ShareNone && in.ShareMethod != "" && in.ShareMethod != ShareMethodAPI && in.ShareMethod != ShareMethodFile {
		v.Add("share_method", "invalid_enum", "共享方式须为 api 或 file", "share_method must be api or file")
	}
	switch in.OpenType {
	case OpenOpen, OpenNone:
	case OpenConditional:
		if in.OpenCondition == "" {
			v.Add("open_condition", "required", "有条件开放的资源须写明开放条件", "a conditionally open resource needs an open_condition")
		}
	default:
		v.Add("open_type", "invalid_enum", "开放类型须为 open、conditional 或 none", "open_type must be open, conditional or none")
	}
	if in.OpenType != OpenNone && in.ShareType == ShareNone {
		v.Add("open_type", "inconsistent", "不予共享的资源不能向社会开放", "a resource that is not shared cannot be open")
	}
	for i, s := range []string{in.ShareCondition, in.LegalBasis, in.OpenCondition, in.ChangeNote} {
		if runes(s) > MaxTextLen {
			v.Add([]string{"share_condition", "legal_basis", "open_condition", "change_note"}[i], "too_long", "内容过长", "text is too long")
		}
	}
	if in.PublishDate != "" {
		if _, err := time.Parse(time.DateOnly, in.PublishDate); err != nil {
			v.Add("publish_date", "invalid_date", "发布日期须为 YYYY-MM-DD", "publish_date must be YYYY-MM-DD")
		}
	}
	if len(in.RelatedCodes) > MaxRelated {
		v.Add("related_codes", "too_many", "关联资源过多", "too many related codes")
	}
	for i, c := range in.RelatedCodes {
		if c == "" || len(c) > maxRelatedCode {
			v.Add("related_codes["+strconv.Itoa(i)+"]", "invalid", "关联资源代码无效", "invalid related resource code")
		}
	}
	validateFields(&v, in.Fields, in.ShareType)
	return v.Err()
}

func validateFields(v *huitong.Validation, fields []Field, st ShareType) {
	if len(fields) == 0 {
		v.Add("fields", "required", "至少需要一个信息项", "at least one field is required")
		return
	}
	if len(fields) > MaxFields {
		v.Add("fields", "too_many", "信息项过多（最多 500 个）", "too many fields (at most 500)")
		return
	}
	seen := make(map[string]bool, len(fields))
	for i, f := range fields {
		p := "fields[" + strconv.Itoa(i) + "]."
		switch {
		case len(f.Name) > maxFieldName || !fieldNameRE.MatchString(f.Name):
			v.Add(p+"name", "invalid_name", "信息项名称须以小写字母开头，只含小写字母、数字和下划线", "field name must match [a-z][a-z0-9_]* (at most 64 chars)")
		case seen[f.Name]:
			v.Add(p+"name", "duplicate", "信息项名称重复："+f.Name, "duplicate field name: "+f.Name)
		}
		seen[f.Name] = true
		if n := utf8.RuneCountInString(f.Title); n == 0 || n > maxFieldTitle {
			v.Add(p+"title", "required", "信息项须有中文名称（不超过 100 字）", "field title is required (at most 100 chars)")
		}
		if !slices.Contains(FieldTypes, f.Type) {
			v.Add(p+"type", "invalid_enum", "信息项类型须为 string、int、decimal、date、datetime 或 bool", "field type must be one of string, int, decimal, date, datetime, bool")
		}
		if f.Level < 1 || f.Level > 4 {
			v.Add(p+"level", "invalid_level", "数据分级须为 1 至 4", "field level must be 1 to 4")
		}
		if f.PII != "" && !slices.Contains(PIIKinds, f.PII) {
			v.Add(p+"pii", "invalid_enum", "个人信息类别无效", "unknown pii kind")
		}
		if len(f.Enum) > MaxEnumValues {
			v.Add(p+"enum", "too_many", "枚举值过多", "too many enum values")
		}
		enumSeen := make(map[string]bool, len(f.Enum))
		for _, e := range f.Enum {
			if e == "" || utf8.RuneCountInString(e) > maxEnumLen || enumSeen[e] {
				v.Add(p+"enum", "invalid", "枚举值不能为空或重复", "enum values must be non-empty and distinct")
				break
			}
			enumSeen[e] = true
		}
		if f.Type == "bool" && len(f.Enum) > 0 {
			v.Add(p+"enum", "invalid", "布尔类型不能设置枚举值", "a bool field cannot have enum values")
		}
		validateRules(v, p, f)
	}
}

// Level returns the highest field level, the resource's grade.
func Level(fields []Field) int {
	l := 0
	for _, f := range fields {
		l = max(l, f.Level)
	}
	return l
}

// Encrypted reports whether the field's stored values are encrypted at rest:
// restricted (level 4) fields, except keys, which lookups need in clear.
func (f Field) Encrypted() bool { return f.Level == 4 && !f.Key }

// Field returns the field with the given name.
func (r *Resource) Field(name string) (Field, bool) {
	for _, f := range r.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// validateRules checks a field's declared quality rules.
func validateRules(v *huitong.Validation, p string, f Field) {
	if f.Encrypted() && (f.Unique || f.Indexed || f.Ref != "") {
		// Restricted values are stored encrypted with a random nonce: the
		// store cannot compare them.
		v.Add(p+"level", "encrypted_rule", "四级（受限）信息项加密存储，不能设置唯一、索引或引用规则",
			"level-4 fields are stored encrypted and cannot be unique, indexed or ref")
	}
	if f.Regex != "" {
		if len(f.Regex) > 500 {
			v.Add(p+"regex", "too_long", "正则表达式过长", "regex too long")
		} else if _, err := regexp.Compile(f.Regex); err != nil {
			v.Add(p+"regex", "invalid_regex", "正则表达式无效："+err.Error(), "invalid regex: "+err.Error())
		} else if f.Type != "string" {
			v.Add(p+"regex", "type_mismatch", "只有字符串类型可以设置正则规则", "only string fields take a regex")
		}
	}
	if f.Min != "" || f.Max != "" {
		lo, okLo := rangeValue(f.Type, f.Min)
		hi, okHi := rangeValue(f.Type, f.Max)
		switch {
		case f.Type != "int" && f.Type != "decimal" && f.Type != "date" && f.Type != "datetime":
			v.Add(p+"min", "type_mismatch", "只有数值和日期类型可以设置取值范围", "only int, decimal, date and datetime fields take a range")
		case !okLo:
			v.Add(p+"min", "invalid_range", "最小值与字段类型不符", "min does not fit the field type")
		case !okHi:
			v.Add(p+"max", "invalid_range", "最大值与字段类型不符", "max does not fit the field type")
		case f.Min != "" && f.Max != "" && lo > hi:
			v.Add(p+"max", "invalid_range", "最大值小于最小值", "max is below min")
		}
	}
	if f.MinLength < 0 || f.MaxLength < 0 || (f.MaxLength > 0 && f.MinLength > f.MaxLength) {
		v.Add(p+"max_length", "invalid_length", "长度范围无效", "invalid length bounds")
	}
	if (f.MinLength > 0 || f.MaxLength > 0) && f.Type != "string" {
		v.Add(p+"max_length", "type_mismatch", "只有字符串类型可以设置长度规则", "only string fields take length bounds")
	}
	if f.Ref != "" && len(f.Ref) > maxRelatedCode {
		v.Add(p+"ref", "invalid", "引用的资源代码无效", "invalid referenced resource code")
	}
}

// rangeValue parses a range bound of a field type into a comparable number
// (dates as Unix seconds). An empty bound is ok.
func rangeValue(typ, s string) (float64, bool) {
	if s == "" {
		return 0, true
	}
	switch typ {
	case "int":
		n, err := strconv.ParseInt(s, 10, 64)
		return float64(n), err == nil
	case "decimal":
		f, err := strconv.ParseFloat(s, 64)
		return f, err == nil
	case "date":
		t, err := time.Parse(time.DateOnly, s)
		return float64(t.Unix()), err == nil
	case "datetime":
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t, err = time.Parse("2006-01-02 15:04:05", s)
		}
		return float64(t.Unix()), err == nil
	}
	return 0, false
}

// clone returns a copy of r that shares no slices with it.
func (r Resource) clone() Resource {
	r.RelatedCodes = slices.Clone(r.RelatedCodes)
	r.Fields = slices.Clone(r.Fields)
	for i := range r.Fields {
		r.Fields[i].Enum = slices.Clone(r.Fields[i].Enum)
	}
	return r
}

// ValidateFields checks a list of fields as the catalog does (names, titles,
// types, levels, PII kinds, enums and quality rules) and adds every problem
// to v. Other field models that reuse the catalog's, such as license types,
// call it.
func ValidateFields(v *huitong.Validation, fields []Field) {
	validateFields(v, fields, ShareUnconditional)
}
