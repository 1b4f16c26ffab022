package sharing

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"huitong"
	"huitong/internal/catalog"
)

// Limits and defaults of requests and terms.
const (
	DefaultRate       = 50          // requests per second
	MaxRate           = 10_000      // requests per second
	DefaultDailyQuota = 100_000     // records per day
	MaxDailyQuota     = 100_000_000 // records per day
	// DefaultTerm is how long a request asks for when it names no expiry.
	DefaultTerm = 365 * 24 * time.Hour
	// MaxTermYears bounds how far ahead a request may ask.
	MaxTermYears = 5
	// MaxPurpose bounds a purpose and a legal basis, in characters.
	MaxPurpose = 500
	// MaxText bounds a comment or a reason, in characters.
	MaxText = 1000
)

// SystemApprover is the approver of requests for unconditional resources,
// approved at once by the platform.
const SystemApprover = "system:unconditional"

// China Standard Time, for expiry dates given without a time. China has no
// daylight saving time, so a fixed zone is exact and needs no tzdata.
var cst = time.FixedZone("CST", 8*3600)

// ParseExpiry reads an expiry as an RFC 3339 time, or as a date
// (YYYY-MM-DD) meaning the whole of that day in China Standard Time: the
// expiry is the next midnight there. The empty string is the zero time.
func ParseExpiry(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, true
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC().Truncate(time.Microsecond), true
	}
	if d, err := time.ParseInLocation(time.DateOnly, s, cst); err == nil {
		return d.AddDate(0, 0, 1).UTC(), true
	}
	return time.Time{}, false
}

// DefaultTerms are the terms of an automatic approval: the requested fields
// until the requested expiry, none unmasked, at the default rate and quota.
func DefaultTerms(fields []string, expiresAt time.Time) Terms {
	return Terms{Fields: slices.Clone(fields), UnmaskedFields: []string{}, ExpiresAt: expiresAt,
		Rate: DefaultRate, DailyQuota: DefaultDailyQuota}
}

// Restricted returns the level-4 fields of res among names, which need an
// admin's countersignature before they are granted.
func Restricted(res catalog.Resource, names []string) []string {
	var out []string
	for _, f := range res.Fields {
		if f.Level >= 4 && slices.Contains(names, f.Name) {
			out = append(out, f.Name)
		}
	}
	return out
}

func hasField(res catalog.Resource, name string) bool {
	return slices.ContainsFunc(res.Fields, func(f catalog.Field) bool { return f.Name == name })
}

// textProblem reports what is wrong with a free text of at most max
// characters, "" when nothing.
func textProblem(s string, required bool, max int) string {
	switch n := utf8.RuneCountInString(s); {
	case n == 0 && required:
		return "required"
	case n > max:
		return "too_long"
	}
	return ""
}

func addText(v *huitong.Validation, field, problem, zhName, enName string, max int) {
	switch problem {
	case "required":
		v.Add(field, "required", zhName+"不能为空", enName+" is required")
	case "too_long":
		v.Add(field, "too_long", fmt.Sprintf("%s不能超过 %d 字", zhName, max), fmt.Sprintf("%s must be at most %d characters", enName, max))
	}
}

// checkFieldList checks a list of field names: distinct, and each in allowed
// (when allowed is not nil) with code notIn, else a field of res. It
// returns the names trimmed.
func checkFieldList(v *huitong.Validation, key string, names []string, res catalog.Resource, allowed []string, notIn string) []string {
	if len(names) > catalog.MaxFields {
		// No resource has more fields; refusing at once keeps a huge list
		// from costing a detail per name.
		v.Add(key, "too_many", fmt.Sprintf("信息项最多 %d 个", catalog.MaxFields), fmt.Sprintf("at most %d fields", catalog.MaxFields))
		return nil
	}
	out := make([]string, 0, len(names))
	seen := make(map[string]bool, len(names))
	for i, n := range names {
		n = strings.TrimSpace(n)
		at := fmt.Sprintf("%s[%d]", key, i)
		switch {
		case n == "":
			v.Add(at, "required", "信息项名称不能为空", "a field name is required")
		case seen[n]:
			v.Add(at, "duplicate_field", "信息项 "+n+" 重复", "field "+n+" is listed twice")
		case allowed != nil && !slices.Contains(allowed, n):
			switch notIn {
			case "fields_not_requested":
				v.Add(at, notIn, "信息项 "+n+" 不在申请的信息项中，审批只能缩小范围", "field "+n+" was not requested; an approval may only narrow the fields")
			default:
				v.Add(at, notIn, "信息项 "+n+" 不在批准的信息项中", "field "+n+" is not among the approved fields")
			}
		case !hasField(res, n):
			v.Add(at, "unknown_field", "信息资源 "+res.Code+" 没有信息项 "+n, "resource "+res.Code+" has no field "+n)
		}
		seen[n] = true
		out = append(out, n)
	}
	return out
}

// checkRequest validates a request's fields, purpose, legal basis and
// expiry against the current version of res at now, recording problems in
// v. It returns the input normalised: names and texts trimmed, the default
// expiry filled in.
func checkRequest(v *huitong.Validation, res catalog.Resource, in RequestInput, now time.Time) RequestInput {
	out := in
	out.ResourceCode = res.Code
	if len(in.Fields) == 0 {
		v.Add("fields", "required", "请至少申请一个信息项", "request at least one field")
	}
	out.Fields = checkFieldList(v, "fields", in.Fields, res, nil, "")
	out.Purpose = strings.TrimSpace(in.Purpose)
	addText(v, "purpose", textProblem(out.Purpose, true, MaxPurpose), "用途", "purpose", MaxPurpose)
	out.LegalBasis = strings.TrimSpace(in.LegalBasis)
	addText(v, "legal_basis", textProblem(out.LegalBasis, false, MaxPurpose), "依据", "legal_basis", MaxPurpose)
	out.ExpiresAt = in.ExpiresAt.UTC().Truncate(time.Microsecond)
	if in.ExpiresAt.IsZero() {
		out.ExpiresAt = now.Add(DefaultTerm)
	}
	switch {
	case !out.ExpiresAt.After(now):
		v.Add("expires_at", "in_past", "到期时间须晚于当前时间", "expires_at must be in the future")
	case out.ExpiresAt.After(now.AddDate(MaxTermYears, 0, 0)):
		v.Add("expires_at", "too_far", fmt.Sprintf("到期时间不能超过 %d 年之后", MaxTermYears), fmt.Sprintf("expires_at must be at most %d years ahead", MaxTermYears))
	}
	if in.AppID < 0 {
		v.Add("app_id", "unknown_app", "应用编号无效", "invalid app id")
	}
	return out
}

// narrow turns an approval of r into terms at now, against the current
// version of the resource: fields default to the requested ones and may only
// narrow; the expiry defaults to the requested one and may only shorten;
// unmasked fields must be approved fields; rate and quota default and stay
// within their bounds. Errors: Invalid (validation_failed, with the details
// fields_not_requested, duplicate_field, unknown_field,
// expiry_extended, in_past, unmasked_not_approved, out_of_range,
// too_long).
func narrow(r Request, a Approval, res catalog.Resource, now time.Time) (Terms, error) {
	var v huitong.Validation
	t := Terms{Fields: slices.Clone(r.Fields), Rate: a.Rate, DailyQuota: a.DailyQuota}
	if len(a.Fields) > 0 {
		t.Fields = checkFieldList(&v, "fields", a.Fields, res, r.Fields, "fields_not_requested")
	} else {
		// The resource may have lost a requested field since.
		checkFieldList(&v, "fields", t.Fields, res, nil, "")
	}
	t.UnmaskedFields = checkFieldList(&v, "unmasked_fields", a.UnmaskedFields, res, t.Fields, "unmasked_not_approved")
	t.ExpiresAt = a.ExpiresAt.UTC().Truncate(time.Microsecond)
	switch {
	case a.ExpiresAt.IsZero():
		t.ExpiresAt = r.ExpiresAt
		if !t.ExpiresAt.After(now) {
			v.Add("expires_at", "in_past", "申请的到期时间已过，只能驳回", "the requested expiry has passed; the request can only be rejected")
		}
	case t.ExpiresAt.After(r.ExpiresAt):
		v.Add("expires_at", "expiry_extended", "审批只能缩短到期时间，不能晚于申请的 "+r.ExpiresAt.In(cst).Format(time.DateTime),
			"an approval may only shorten the expiry, to no later than the requested "+r.ExpiresAt.Format(time.RFC3339))
	case !t.ExpiresAt.After(now):
		v.Add("expires_at", "in_past", "到期时间须晚于当前时间", "expires_at must be in the future")
	}
	switch {
	case t.Rate == 0:
		t.Rate = DefaultRate
	case !(t.Rate > 0 && t.Rate <= MaxRate):
		v.Add("rate", "out_of_range", fmt.Sprintf("调用频率须大于 0 且不超过每秒 %d 次", MaxRate), fmt.Sprintf("rate must be above 0 and at most %d requests per second", MaxRate))
	}
	switch {
	case t.DailyQuota == 0:
		t.DailyQuota = DefaultDailyQuota
	case t.DailyQuota < 1 || t.DailyQuota > MaxDailyQuota:
		v.Add("daily_quota", "out_of_range", fmt.Sprintf("每日配额须为 1 至 %d 条", MaxDailyQuota), fmt.Sprintf("daily_quota must be 1 to %d records", MaxDailyQuota))
	}
	addText(&v, "comment", textProblem(strings.TrimSpace(a.Comment), false, MaxText), "审批意见", "comment", MaxText)
	return t, v.Err()
}
