package demo

import (
	"huitong"
	"slices"
	"strings"
	"testing"

	"huitong/internal/catalog"
	"huitong/internal/ids"
	"huitong/internal/org"
)

// usccCheckChar computes the GB 32100-2015 check character of the first 17
// characters of a unified social credit code, independently of package ids.
func usccCheckChar(t *testing.T, first17 string) byte {
	t.Helper()
	const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	weights := []int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	sum := 0
	for i, w := range weights {
		v := strings.IndexByte(alphabet, first17[i])
		if v < 0 {
			t.Fatalf("%q: character %q not in the USCC alphabet", first17, first17[i])
		}
		sum += v * w
	}
	c := 31 - sum%31
	if c == 31 {
		c = 0
	}
	return alphabet[c]
}

func TestUSCCCheckCharKnownCode(t *testing.T) {
	// A real code, to make sure the in-test implementation is right.
	const known = "91350100M000100Y43"
	if got := usccCheckChar(t, known[:17]); got != known[17] {
		t.Fatalf("check char of %s = %c, want %c", known, got, known[17])
	}
}

// huzhouRegions are the GB/T 2260 codes of 湖州市 (cities.csv 3305 + "00",
// and the county-level codes in areas.csv).
var huzhouRegions = map[string]string{
	"330500": "浙江省湖州市",
	"330502": "浙江省湖州市吴兴区",
	"330503": "浙江省湖州市南浔区",
	"330521": "浙江省湖州市德清县",
	"330522": "浙江省湖州市长兴县",
	"330523": "浙江省湖州市安吉县",
}

func TestRegionConstants(t *testing.T) {
	for _, code := range []string{RegionHuzhou, RegionWuxing, RegionNanxun, RegionDeqing, RegionChangxing, RegionAnji} {
		want, ok := huzhouRegions[code]
		if !ok {
			t.Errorf("region %s is not a code of 湖州市", code)
			continue
		}
		if got, ok := ids.RegionName(code); !ok || got != want {
			t.Errorf("ids.RegionName(%s) = %q, %v; want %q", code, got, ok, want)
		}
	}
}

func TestOrgs(t *testing.T) {
	if len(Orgs) < 12 {
		t.Errorf("got %d orgs, want at least 12", len(Orgs))
	}
	byUSCC := map[string]org.OrgInput{}
	names := map[string]bool{}
	for _, o := range Orgs {
		if len(o.USCC) != 18 {
			t.Errorf("%s: USCC %q is not 18 characters", o.Name, o.USCC)
			continue
		}
		if got := usccCheckChar(t, o.USCC[:17]); got != o.USCC[17] {
			t.Errorf("%s: USCC %s has check character %c, want %c", o.Name, o.USCC, o.USCC[17], got)
		}
		if err := ids.ValidateUSCC(o.USCC); err != nil {
			t.Errorf("%s: ids.ValidateUSCC(%s): %v", o.Name, o.USCC, err)
		}
		if _, dup := byUSCC[o.USCC]; dup {
			t.Errorf("duplicate USCC %s", o.USCC)
		}
		byUSCC[o.USCC] = o
		if names[o.Name] {
			t.Errorf("duplicate org name %s", o.Name)
		}
		names[o.Name] = true
		if _, ok := huzhouRegions[o.RegionCode]; !ok {
			t.Errorf("%s: region code %q is not a code of 湖州市", o.Name, o.RegionCode)
		}
		if !ids.KnownRegion(o.RegionCode) {
			t.Errorf("%s: ids.KnownRegion(%q) = false", o.Name, o.RegionCode)
		}
		if ids.USCCRegion(o.USCC) != o.RegionCode {
			t.Errorf("%s: USCC region %s differs from region code %s", o.Name, ids.USCCRegion(o.USCC), o.RegionCode)
		}
		if !slices.Contains(org.Kinds, o.Kind) {
			t.Errorf("%s: unknown kind %q", o.Name, o.Kind)
		}
		if want := map[string]string{org.KindAgency: "11", org.KindInstitution: "12"}[o.Kind]; want != "" && !strings.HasPrefix(o.USCC, want) {
			t.Errorf("%s: a %s USCC should start with %s, got %s", o.Name, o.Kind, want, o.USCC)
		}
	}
	parents := 0
	for _, o := range Orgs {
		if o.ParentUSCC == "" {
			continue
		}
		parents++
		p, ok := byUSCC[o.ParentUSCC]
		switch {
		case !ok:
			t.Errorf("%s: parent %s is not a demo org", o.Name, o.ParentUSCC)
		case p.USCC == o.USCC:
			t.Errorf("%s is its own parent", o.Name)
		case p.ParentUSCC != "":
			t.Errorf("%s: parent %s should be a top-level city department", o.Name, p.Name)
		}
	}
	if parents == 0 {
		t.Error("no org has a parent; the demo should show the hierarchy")
	}
	for _, name := range []string{"湖州市大数据发展管理局", "湖州市公安局", "湖州市市场监督管理局", "湖州市人力资源和社会保障局", "湖州市卫生健康委员会", "湖州市民政局", "湖州市自然资源和规划局", "湖州市教育局"} {
		if !names[name] {
			t.Errorf("missing org %s", name)
		}
	}
}

func TestUsers(t *testing.T) {
	orgs := map[string]bool{}
	for _, o := range Orgs {
		orgs[o.USCC] = true
	}
	seen := map[string]bool{}
	roles := map[string]bool{}
	multi := false
	for _, u := range Users {
		if u.Username == "" || u.Username == "admin" {
			t.Errorf("bad demo username %q", u.Username)
		}
		if seen[u.Username] {
			t.Errorf("duplicate username %s", u.Username)
		}
		seen[u.Username] = true
		if !orgs[u.OrgUSCC] {
			t.Errorf("%s: org %s is not a demo org", u.Username, u.OrgUSCC)
		}
		if u.DisplayName == "" {
			t.Errorf("%s: no display name", u.Username)
		}
		if len(u.Password) < 8 || !strings.ContainsAny(u.Password, "0123456789") || !strings.ContainsAny(strings.ToLower(u.Password), "abcdefghijklmnopqrstuvwxyz") {
			t.Errorf("%s: weak password", u.Username)
		}
		if len(u.Roles) == 0 {
			t.Errorf("%s: no roles", u.Username)
		}
		if len(u.Roles) > 1 {
			multi = true
		}
		for _, r := range u.Roles {
			if !huitong.ValidRole(r) {
				t.Errorf("%s: unknown role %q", u.Username, r)
			}
			roles[r] = true
		}
	}
	for _, r := range huitong.Roles {
		if !roles[r] {
			t.Errorf("no demo user has role %s", r)
		}
	}
	if !multi {
		t.Error("no demo user has several roles")
	}
}

func TestResourcesValidate(t *testing.T) {
	for i := range Resources {
		r := Resources[i]
		if err := (&r).Validate(); err != nil {
			t.Errorf("%s: %v", r.Name, err)
		}
	}
}

func TestResources(t *testing.T) {
	if len(Resources) < 45 {
		t.Errorf("got %d resources, want at least 45", len(Resources))
	}
	orgs := map[string]bool{}
	for _, o := range Orgs {
		orgs[o.USCC] = true
	}
	names := map[string]bool{}
	shareTypes := map[catalog.ShareType]int{}
	categories := map[catalog.Category]int{}
	openTypes := map[catalog.OpenType]int{}
	formats := map[string]int{}
	for _, r := range Resources {
		if names[r.Name] {
			t.Errorf("duplicate resource name %s", r.Name)
		}
		names[r.Name] = true
		if !orgs[r.ProviderUSCC] {
			t.Errorf("%s: provider %s is not a demo org", r.Name, r.ProviderUSCC)
		}
		shareTypes[r.ShareType]++
		categories[r.Category]++
		openTypes[r.OpenType]++
		formats[r.Format]++
		if r.Summary == "" {
			t.Errorf("%s: no summary", r.Name)
		}
		if len(r.RelatedCodes) != 0 {
			t.Errorf("%s: related codes are assigned at runtime, got %v", r.Name, r.RelatedCodes)
		}
		if r.PublishDate < "2024-01-01" || r.PublishDate > "2026-12-31" {
			t.Errorf("%s: publish date %q outside 2024-2026", r.Name, r.PublishDate)
		}
		if n := len(r.Fields); n < 5 || n > 15 {
			t.Errorf("%s: %d fields, want 5 to 15", r.Name, n)
		}
		keys := 0
		for _, f := range r.Fields {
			if f.Key {
				keys++
				if !f.Required {
					t.Errorf("%s.%s: a key field should be required", r.Name, f.Name)
				}
			}
			if f.PII == "id_card" && f.Level < 3 {
				t.Errorf("%s.%s: an ID number should be level 3 or above", r.Name, f.Name)
			}
			if f.PII == "bank_card" && f.Level < 4 {
				t.Errorf("%s.%s: a bank card should be level 4", r.Name, f.Name)
			}
		}
		if keys == 0 {
			t.Errorf("%s: no key field", r.Name)
		}
	}
	for _, st := range []catalog.ShareType{catalog.ShareUnconditional, catalog.ShareConditional, catalog.ShareNone} {
		if shareTypes[st] == 0 {
			t.Errorf("no resource with share type %s", st)
		}
	}
	if shareTypes[catalog.ShareConditional] <= shareTypes[catalog.ShareUnconditional] {
		t.Errorf("most resources should be conditional: %v", shareTypes)
	}
	for _, c := range []catalog.Category{catalog.CategoryBase, catalog.CategoryTheme, catalog.CategoryDepartment} {
		if categories[c] == 0 {
			t.Errorf("no resource in category %s", c)
		}
	}
	for _, o := range []catalog.OpenType{catalog.OpenOpen, catalog.OpenConditional, catalog.OpenNone} {
		if openTypes[o] == 0 {
			t.Errorf("no resource with open type %s", o)
		}
	}
	if formats["table"] <= len(Resources)/2 || formats["api"] == 0 {
		t.Errorf("want mostly table resources and some api ones: %v", formats)
	}
	t.Logf("%d resources; share types %v; categories %v; open types %v; formats %v", len(Resources), shareTypes, categories, openTypes, formats)
}

// TestFieldNamesConsistent checks that a field name means the same thing in
// every resource: same title-independent type and PII kind.
func TestFieldNamesConsistent(t *testing.T) {
	type sig struct{ typ, pii string }
	first := map[string]sig{}
	where := map[string]string{}
	for _, r := range Resources {
		for _, f := range r.Fields {
			s := sig{f.Type, f.PII}
			if prev, ok := first[f.Name]; ok && prev != s {
				t.Errorf("field %s is %v in %s but %v in %s", f.Name, prev, where[f.Name], s, r.Name)
				continue
			}
			first[f.Name] = s
			where[f.Name] = r.Name
		}
	}
	for name, want := range map[string]sig{
		"id_card": {"string", "id_card"}, "name": {"string", "name"}, "uscc": {"string", "uscc"},
		"birth_date": {"date", "birth_date"}, "phone": {"string", "phone"},
	} {
		if got, ok := first[name]; ok && got != want {
			t.Errorf("field %s is %v, want %v", name, got, want)
		}
	}
}
