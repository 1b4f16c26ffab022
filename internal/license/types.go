package license

import (
	"regexp"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"huitong"
	"huitong/internal/catalog"
	"huitong/internal/ids"
)

// Holder kinds of a license type and the GB/T 36903 code types of holders.
const (
	HolderCitizen = "citizen"
	HolderOrg     = "org"
	// CodeTypeIDCard is the code type of a citizen ID number (GB 11643).
	CodeTypeIDCard = "111"
	// CodeTypeUSCC is the code type of a unified social credit code.
	CodeTypeUSCC = "001"
)

// Type is a license type (证照类型): what a license of it holds and who may
// issue it.
type Type struct {
	// Code is the defining authority's USCC followed by 3 digits.
	Code string `json:"code"`
	Name string `json:"name"`
	// IssuerUSCCs are the orgs allowed to issue licenses of this type.
	IssuerUSCCs []string `json:"issuer_usccs"`
	// HolderKind is citizen (holder code type 111) or org (001).
	HolderKind string `json:"holder_kind"`
	// Fields use the catalog's field model and quality rules.
	Fields []catalog.Field `json:"fields"`
	// ValidityDays is the fixed term of a license; 0 is open-ended.
	ValidityDays int       `json:"validity_days"`
	CreatedAt    time.Time `json:"created_at"`
	CreatedBy    string    `json:"created_by"`
}

// Limits of a license type.
const (
	MaxTypeNameLen  = 100
	MaxTypeIssuers  = 1000
	MaxTypeFields   = 100
	MaxValidityDays = 100 * 366
)

var typeCodeRE = regexp.MustCompile(`^[0-9A-Z]{18}[0-9]{3}$`)

// CodeTypeOf returns the holder code type of a holder kind.
func CodeTypeOf(kind string) string {
	if kind == HolderOrg {
		return CodeTypeUSCC
	}
	return CodeTypeIDCard
}

// Validate checks a type and returns an Invalid error naming every problem.
func (t *Type) Validate() error {
	var v huitong.Validation
	switch {
	case !typeCodeRE.MatchString(t.Code):
		v.Add("code", "invalid_type_code", "证照类型代码须为定义机构的统一社会信用代码加 3 位数字（共 21 位）", "a type code is the defining authority's USCC followed by 3 digits (21 characters)")
	default:
		if err := ids.ValidateUSCC(t.Code[:18]); err != nil {
			v.Add("code", "invalid_type_code", "证照类型代码的前 18 位不是有效的统一社会信用代码："+err.Error(), "the first 18 characters of the type code are not a valid USCC: "+err.Error())
		}
	}
	if n := utf8.RuneCountInString(t.Name); n == 0 || n > MaxTypeNameLen {
		v.Add("name", "required", "证照名称不能为空（不超过 100 字）", "name is required (at most 100 characters)")
	}
	switch {
	case len(t.IssuerUSCCs) == 0:
		v.Add("issuer_usccs", "required", "至少指定一个发证机构", "at least one issuing org is required")
	case len(t.IssuerUSCCs) > MaxTypeIssuers:
		v.Add("issuer_usccs", "too_many", "发证机构过多", "too many issuing orgs")
	}
	seen := map[string]bool{}
	for i, u := range t.IssuerUSCCs {
		p := "issuer_usccs[" + strconv.Itoa(i) + "]"
		if err := ids.ValidateUSCC(u); err != nil {
			v.Add(p, "invalid_uscc", "发证机构统一社会信用代码无效", "invalid issuing org USCC: "+err.Error())
		} else if seen[u] {
			v.Add(p, "duplicate", "发证机构重复", "duplicate issuing org")
		}
		seen[u] = true
	}
	if t.HolderKind != HolderCitizen && t.HolderKind != HolderOrg {
		v.Add("holder_kind", "invalid_enum", "持证主体类型须为 citizen（自然人）或 org（法人和其他组织）", "holder_kind must be citizen or org")
	}
	if t.ValidityDays < 0 || t.ValidityDays > MaxValidityDays {
		v.Add("validity_days", "out_of_range", "有效期天数须在 0（长期有效）到 36600 之间", "validity_days must be 0 (open-ended) to 36600")
	}
	if len(t.Fields) > MaxTypeFields {
		v.Add("fields", "too_many", "证照信息项过多（最多 100 个）", "too many fields (at most 100)")
	} else {
		catalog.ValidateFields(&v, t.Fields)
	}
	for i, f := range t.Fields {
		p := "fields[" + strconv.Itoa(i) + "]."
		if f.Level == 4 {
			v.Add(p+"level", "restricted_field", "证照信息项不能为 4 级（证照内容会印在证照和凭证上）", "a license field cannot be level 4: its value is printed on the license and in the credential")
		}
		if f.Key || f.Unique || f.Indexed || f.Ref != "" {
			v.Add(p+"key", "not_for_licenses", "证照信息项不使用 key、unique、indexed 和 ref 规则", "license fields do not take key, unique, indexed or ref rules")
		}
		if slices.Contains(reservedFields, f.Name) {
			v.Add(p+"name", "reserved", "信息项名称与证照核心元数据重名："+f.Name, "the field name is reserved for core metadata: "+f.Name)
		}
	}
	return v.Err()
}

// reservedFields are the core metadata columns of an import file.
var reservedFields = []string{"holder_name", "holder_code", "valid_from", "valid_until", "number"}

// CanIssue reports whether the org may issue licenses of the type.
func (t *Type) CanIssue(uscc string) bool { return slices.Contains(t.IssuerUSCCs, uscc) }

// Field returns the named field.
func (t *Type) Field(name string) (catalog.Field, bool) {
	for _, f := range t.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return catalog.Field{}, false
}
