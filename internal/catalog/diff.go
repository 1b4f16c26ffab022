package catalog

import (
	"fmt"
	"slices"
)

// Diff describes what changed from a to b: attribute names ("name",
// "share_type", ...) and fields added, removed or changed
// ("field added: phone").
func Diff(a, b Resource) []string {
	var out []string
	attr := func(name string, changed bool) {
		if changed {
			out = append(out, name)
		}
	}
	attr("name", a.Name != b.Name)
	attr("summary", a.Summary != b.Summary)
	attr("category", a.Category != b.Category)
	attr("format", a.Format != b.Format)
	attr("update_cycle", a.UpdateCycle != b.UpdateCycle)
	attr("share_type", a.ShareType != b.ShareType)
	attr("share_condition", a.ShareCondition != b.ShareCondition)
	attr("share_method", a.ShareMethod != b.ShareMethod)
	attr("legal_basis", a.LegalBasis != b.LegalBasis)
	attr("open_type", a.OpenType != b.OpenType)
	attr("open_condition", a.OpenCondition != b.OpenCondition)
	attr("related_codes", !slices.Equal(a.RelatedCodes, b.RelatedCodes))
	attr("publish_date", a.PublishDate != b.PublishDate)
	attr("level", a.Level != b.Level)
	old := make(map[string]Field, len(a.Fields))
	for _, f := range a.Fields {
		old[f.Name] = f
	}
	for _, f := range b.Fields {
		o, ok := old[f.Name]
		switch {
		case !ok:
			out = append(out, "field added: "+f.Name)
		case !fieldEqual(o, f):
			out = append(out, fmt.Sprintf("field changed: %s", f.Name))
		}
		delete(old, f.Name)
	}
	for _, f := range a.Fields {
		if _, ok := old[f.Name]; ok {
			out = append(out, "field removed: "+f.Name)
		}
	}
	if out == nil {
		out = []string{}
	}
	return out
}

func fieldEqual(a, b Field) bool {
	return a.Title == b.Title && a.Type == b.Type && a.Level == b.Level && a.PII == b.PII &&
		a.Key == b.Key && a.Required == b.Required && slices.Equal(a.Enum, b.Enum) &&
		a.Indexed == b.Indexed && a.Unique == b.Unique && a.Regex == b.Regex && a.Min == b.Min && a.Max == b.Max &&
		a.MinLength == b.MinLength && a.MaxLength == b.MaxLength && a.Ref == b.Ref
}
