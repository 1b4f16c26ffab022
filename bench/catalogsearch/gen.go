package main

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"huitong/internal/catalog"
	"huitong/internal/demo"
	"huitong/internal/ids"
	"huitong/internal/org"
)

// regionCodes are real county-level (and a few city-level) GB/T 2260 codes
// of Zhejiang. Codes the embedded region table does not know are skipped.
var regionCodes = []string{
	"330500", "330502", "330503", "330521", "330522", "330523", // 湖州
	"330100", "330102", "330105", "330106", "330108", "330109", "330110", "330111", "330112", "330122", "330127", "330182", // 杭州
	"330400", "330402", "330411", "330421", "330424", "330481", "330482", "330483", // 嘉兴
	"330600", "330602", "330603", "330604", "330624", "330681", "330683", // 绍兴
}

// benchOrg is one generated provider org.
type benchOrg struct {
	in     org.OrgInput
	dept   string // USCC of the demo org whose resources are its templates
	county string // 吴兴区, or the city name for a city-level org
}

// genOrgs makes up to n provider orgs: every demo department that publishes
// resources, once per region, named after the region.
func genOrgs(n int) ([]benchOrg, error) {
	depts := map[string]string{} // demo USCC -> demo org name
	var order []string
	for _, r := range demo.Resources {
		if _, ok := depts[r.ProviderUSCC]; ok {
			continue
		}
		for _, o := range demo.Orgs {
			if o.USCC == r.ProviderUSCC {
				depts[o.USCC] = o.Name
				order = append(order, o.USCC)
			}
		}
	}
	var out []benchOrg
	seq := 0
	for _, code := range regionCodes {
		if !ids.KnownRegion(code) {
			continue
		}
		full, _ := ids.RegionName(code)
		region := strings.TrimPrefix(full, "浙江省")
		for _, d := range order {
			if len(out) >= n {
				return out, nil
			}
			seq++
			prefix, kind := "11", org.KindAgency
			if d == demo.USCCHousingFund {
				prefix, kind = "12", org.KindInstitution
			}
			uscc, err := ids.MakeUSCC(prefix, code, fmt.Sprintf("MB%07d", seq))
			if err != nil {
				return nil, err
			}
			name := strings.Replace(depts[d], "湖州市", region, 1)
			county := region
			if k := strings.Index(region, "市"); k >= 0 && k+len("市") < len(region) {
				county = region[k+len("市"):]
			}
			out = append(out, benchOrg{in: org.OrgInput{USCC: uscc, Name: name, RegionCode: code, Kind: kind}, dept: d, county: county})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no known region codes")
	}
	return out, nil
}

// Vocabulary the generated names are composed from.
var (
	qualifiers = []string{"历年", "2023年度", "2024年度", "2025年度", "全市", "城乡", "农村", "城镇", "重点人群",
		"跨省", "历史", "存量", "新增", "市级", "县级", "乡镇（街道）", "村（社区）", "长三角", "省内", "季度"}
	subjects = []string{"老年人", "残疾人", "退役军人", "困难家庭", "新就业形态劳动者", "外来务工人员", "小微企业",
		"个体工商户", "农民专业合作社", "高校毕业生", "儿童", "妇女", "低收入农户", "特殊群体", "规上企业", "重点企业"}
	suffixes = []string{"信息", "信息", "信息", "信息", "数据", "台账", "名录", "明细", "汇总", "统计", "清单",
		"档案", "库", "变更信息", "核验信息", "查询接口"}
	themes = []string{"新生儿出生一件事", "企业开办一件事", "退休一件事", "身后一件事", "义务教育入学一件事",
		"不动产交易登记一件事", "残疾人服务一件事", "军人退役一件事", "企业注销一件事", "公民婚育一件事", "就业创业一件事"}
	themeSuffixes = []string{"主题数据", "联办信息", "办件信息", "共享数据"}
	rareNames     = []string{"湖羊养殖场备案信息", "湖羊良种补贴发放信息", "湖羊疫病防控台账"}
	extraSentence = []string{
		"数据按月更新，历史数据可追溯至2015年。",
		"已完成数据治理和质量核查。",
		"接口支持按统一社会信用代码或公民身份号码查询。",
		"涵盖所辖各乡镇（街道）。",
		"数据经省一体化智能化公共数据平台回流。",
		"用于基层治理“一张表”减负。",
		"仅提供核验结果，不返回原始数据。",
		"与省级部门数据每日比对更新。",
	}
	conditions = []string{
		"仅限政务部门依法履行法定职责时使用，申请时须写明具体办理事项和法律依据",
		"用于本辖区社会救助、资格审核等法定职责，区县部门仅可获取本辖区数据",
		"须经数据提供部门审核同意，按最小必要原则使用",
	}
	legalBases = []string{
		"《中华人民共和国个人信息保护法》第二十八条",
		"《中华人民共和国档案法》第二十七条；《中华人民共和国保守国家秘密法》",
		"《中华人民共和国数据安全法》第三十八条",
	}
	openConditions = []string{"经申请审核后向科研机构开放脱敏统计数据", "仅开放统计汇总数据，不开放个人明细"}
	extraFields    = []catalog.Field{
		{Name: "update_time", Title: "数据更新时间", Type: "datetime", Level: 1},
		{Name: "data_source", Title: "数据来源", Type: "string", Level: 1},
		{Name: "remark", Title: "备注", Type: "string", Level: 1},
		{Name: "county", Title: "所属区县", Type: "string", Level: 1},
		{Name: "town", Title: "所属乡镇（街道）", Type: "string", Level: 1},
		{Name: "stat_year", Title: "统计年度", Type: "int", Level: 1},
		{Name: "handling_org", Title: "经办机构", Type: "string", Level: 1},
		{Name: "handler", Title: "经办人", Type: "string", Level: 2},
		{Name: "record_status", Title: "记录状态", Type: "string", Level: 1, Enum: []string{"有效", "无效", "注销"}},
		{Name: "grid_code", Title: "网格编码", Type: "string", Level: 2},
		{Name: "contact_phone", Title: "联系电话", Type: "string", Level: 3, PII: "phone"},
		{Name: "amount", Title: "金额（元）", Type: "decimal", Level: 2},
		{Name: "approve_date", Title: "审批日期", Type: "date", Level: 1},
		{Name: "batch_no", Title: "批次号", Type: "string", Level: 1},
		{Name: "sync_time", Title: "同步时间", Type: "datetime", Level: 1},
	}
)

// generator makes realistic catalog resources from the demo templates.
type generator struct {
	rng    *rand.Rand
	orgs   []benchOrg
	byDept map[string][]*catalog.Input
	all    []*catalog.Input
	base   time.Time
}

func newGenerator(seed uint64, orgs []benchOrg) *generator {
	g := &generator{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), orgs: orgs,
		byDept: map[string][]*catalog.Input{}, base: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	for i := range demo.Resources {
		in := &demo.Resources[i]
		g.byDept[in.ProviderUSCC] = append(g.byDept[in.ProviderUSCC], in)
		g.all = append(g.all, in)
	}
	return g
}

func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

// next returns the i-th generated resource, ready for Store.CreateResource,
// and the code prefix to create it under.
func (g *generator) next(i int) (catalog.Resource, string) {
	r := g.rng
	o := pick(r, g.orgs)
	t := pick(r, g.byDept[o.dept])
	county := o.county

	category := t.Category
	var name string
	switch p := r.Float64(); {
	case p < 0.0003:
		name = pick(r, rareNames)
	case p < 0.05:
		name = county + pick(r, themes) + pick(r, themeSuffixes)
		category = catalog.CategoryTheme
		t = pick(r, g.all) // a theme combines items of several departments
	default:
		base := strings.TrimSuffix(t.Name, "信息")
		switch q := r.Float64(); {
		case q < 0.4:
		case q < 0.6:
			base = county + base
		case q < 0.8:
			base = pick(r, qualifiers) + base
		default:
			base = pick(r, subjects) + base
		}
		name = base + pick(r, suffixes)
	}
	if r.Float64() < 0.15 {
		category = pick(r, []catalog.Category{catalog.CategoryBase, catalog.CategoryTheme, catalog.CategoryDepartment})
	}

	summary := t.Summary
	if r.Float64() < 0.5 {
		summary = county + summary
	}
	if r.Float64() < 0.6 {
		summary += pick(r, extraSentence)
	}

	// 5 to 15 fields: a subset of the template's, then generic ones.
	k := 5 + r.IntN(11)
	src := slices.Clone(t.Fields)
	r.Shuffle(len(src), func(a, b int) { src[a], src[b] = src[b], src[a] })
	fields := src[:min(k, len(src))]
	seen := map[string]bool{}
	for _, f := range fields {
		seen[f.Name] = true
	}
	for _, j := range r.Perm(len(extraFields)) {
		if len(fields) >= k {
			break
		}
		if f := extraFields[j]; !seen[f.Name] {
			fields = append(fields, f)
			seen[f.Name] = true
		}
	}

	res := catalog.Resource{
		Name: name, Summary: summary, Category: category,
		ProviderUSCC: o.in.USCC, ProviderName: o.in.Name,
		Format: t.Format, UpdateCycle: t.UpdateCycle,
		ShareType: t.ShareType, ShareCondition: t.ShareCondition, ShareMethod: t.ShareMethod, LegalBasis: t.LegalBasis,
		OpenType: t.OpenType, OpenCondition: t.OpenCondition,
		RelatedCodes: []string{}, Fields: fields, Level: catalog.Level(fields),
		UpdatedBy: "user:bench",
	}
	if r.Float64() < 0.2 {
		res.Format = pick(r, catalog.Formats)
	}
	if r.Float64() < 0.2 {
		res.UpdateCycle = pick(r, catalog.UpdateCycles)
	}
	if r.Float64() < 0.3 {
		switch q := r.Float64(); {
		case q < 0.35:
			res.ShareType = catalog.ShareUnconditional
		case q < 0.9:
			res.ShareType = catalog.ShareConditional
		default:
			res.ShareType = catalog.ShareNone
		}
		res.OpenType = pick(r, []catalog.OpenType{catalog.OpenNone, catalog.OpenNone, catalog.OpenOpen, catalog.OpenConditional})
	}
	switch res.ShareType {
	case catalog.ShareNone:
		res.OpenType, res.ShareCondition, res.OpenCondition = catalog.OpenNone, "", ""
		if res.LegalBasis == "" {
			res.LegalBasis = pick(r, legalBases)
		}
	case catalog.ShareConditional:
		if res.ShareCondition == "" {
			res.ShareCondition = pick(r, conditions)
		}
	}
	if res.ShareType != catalog.ShareNone && res.ShareMethod == "" {
		res.ShareMethod = catalog.ShareMethodAPI
	}
	if res.OpenType == catalog.OpenConditional && res.OpenCondition == "" {
		res.OpenCondition = pick(r, openConditions)
	}
	res.PublishDate = time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(7*365)).Format(time.DateOnly)
	res.CreatedAt = g.base.Add(time.Duration(i) * time.Second)
	res.UpdatedAt = res.CreatedAt
	return res, catalog.CategoryPrefix(res.Category) + "-" + res.ProviderUSCC[8:17]
}

// asInput turns a generated resource back into the input a provider would
// send, so that the generator can be checked against the catalog rules.
func asInput(r catalog.Resource) catalog.Input {
	return catalog.Input{Name: r.Name, Summary: r.Summary, Category: r.Category, ProviderUSCC: r.ProviderUSCC,
		Format: r.Format, UpdateCycle: r.UpdateCycle, ShareType: r.ShareType, ShareCondition: r.ShareCondition,
		ShareMethod: r.ShareMethod, LegalBasis: r.LegalBasis, OpenType: r.OpenType, OpenCondition: r.OpenCondition,
		RelatedCodes: r.RelatedCodes, PublishDate: r.PublishDate, Fields: r.Fields}
}
