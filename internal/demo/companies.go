package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"huitong/internal/ids"
)

// Organisations of the demo population: companies, individual businesses
// (个体工商户) and public institutions, each with a well-formed unified
// social credit code.

// industry is a line of business (GB/T 4754-2017 class) that gives
// companies their names, scopes and jobs.
type industry struct {
	code  string
	word  string // in company names: 湖州恒达服饰有限公司
	scope string
	where []string // districts where it clusters; nil: anywhere
	jobs  []string
}

var industries = []industry{
	{"C1819", "服饰", "童装、服装的设计、制造、销售", []string{RegionWuxing}, []string{"缝纫工", "裁剪工", "服装设计师", "质检员", "销售代表"}},
	{"C3843", "电源", "铅蓄电池的制造、销售；新能源技术开发", []string{RegionChangxing}, []string{"操作工", "技术员", "质检员", "设备维修工", "销售代表"}},
	{"C3841", "新能源科技", "锂离子电池的研发、制造、销售", []string{RegionChangxing}, []string{"研发工程师", "操作工", "技术员", "质检员"}},
	{"C2034", "木业", "木地板、木制品的加工、销售", []string{RegionNanxun}, []string{"木工", "操作工", "仓库管理员", "销售代表"}},
	{"C3436", "电梯", "电梯、自动扶梯的制造、安装、维修", []string{RegionNanxun}, []string{"电梯安装维修工", "机械工程师", "焊工", "销售代表"}},
	{"C2120", "竹业", "竹制品、竹家具的生产、销售", []string{RegionAnji}, []string{"操作工", "家具制作工", "设计师", "销售代表"}},
	{"C2190", "家具", "办公椅、家具的生产、销售", []string{RegionAnji}, []string{"操作工", "家具制作工", "外贸业务员", "质检员"}},
	{"A0164", "茶业", "白茶种植、加工、销售", []string{RegionAnji}, []string{"茶叶加工工", "评茶员", "销售代表"}},
	{"C1751", "纺织", "化纤织物的织造、加工、销售", []string{RegionChangxing, RegionWuxing}, []string{"挡车工", "操作工", "机修工", "质检员"}},
	{"M7449", "地理信息科技", "地理信息系统开发、测绘服务", []string{RegionDeqing}, []string{"测绘工程师", "软件工程师", "数据处理员"}},
	{"C2761", "生物科技", "生物制品的研发、生产、销售", []string{RegionDeqing}, []string{"研发工程师", "化验员", "操作工", "质检员"}},
	{"C3021", "建材", "水泥制品、新型建材的生产、销售", []string{RegionChangxing, RegionDeqing}, []string{"操作工", "驾驶员", "质检员"}},
	{"G5431", "物流", "普通货物道路运输、仓储服务", nil, []string{"驾驶员", "仓库管理员", "调度员", "装卸工"}},
	{"I6513", "信息科技", "应用软件开发、信息技术咨询服务", nil, []string{"软件工程师", "测试工程师", "产品经理", "运维工程师"}},
	{"E4710", "建设", "房屋建筑工程施工", nil, []string{"施工员", "安全员", "造价员", "钢筋工"}},
	{"H6210", "餐饮管理", "餐饮服务", nil, []string{"厨师", "服务员", "店长"}},
	{"F5212", "超市", "日用百货、预包装食品零售", nil, []string{"收银员", "理货员", "店长"}},
	{"K7010", "置业", "房地产开发经营", nil, []string{"置业顾问", "会计", "工程管理员"}},
	{"N7869", "旅游开发", "旅游景区开发、管理服务", []string{RegionAnji, RegionDeqing}, []string{"导游", "服务员", "行政专员"}},
}

var brands = []string{"恒达", "华盛", "金龙", "鼎盛", "永祥", "宏远", "锦鸿", "瑞丰", "嘉禾", "润泽", "聚源", "德润", "天成", "昌隆",
	"振兴", "博远", "新盛", "佳美", "卓越", "丰源", "立信", "东升", "百川", "同创", "协力", "锐进", "星辰", "太湖", "苕溪", "碧浪",
	"竹乡", "溇港", "新湖", "安澜", "长运", "莫干", "英溪", "天目", "凯旋", "宏达", "盛泰", "万隆", "兴业", "荣昌",
	"金桥", "华越", "中弘", "泰和", "明德", "银河", "绿源", "蓝海", "高新", "信达", "正泰", "弘毅", "骏驰", "创新"}

// usccCode returns an unused unified social credit code: prefix (登记管理部门
// and 机构类别), the region, and an organisation code of which the first
// characters are org and the last is its GB 11714 check character.
func (w *world) usccCode(prefix, region, org string) string {
	for {
		b := []byte(org)
		for len(b) < 8 {
			if org == "MA" {
				b = append(b, ids.USCCAlphabet[w.r.IntN(len(ids.USCCAlphabet))])
			} else {
				b = append(b, byte('0'+w.r.IntN(10)))
			}
		}
		b = append(b, orgCodeCheck(string(b)))
		code, err := ids.MakeUSCC(prefix, region, string(b))
		if err != nil {
			panic(err) // the parts here are all well-formed
		}
		if w.unique(code) {
			return code
		}
	}
}

// orgCodeCheck is the GB 11714-1997 check character of the first 8
// characters of an organisation code.
func orgCodeCheck(s string) byte {
	weights := [8]int{3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, c := range []byte(s[:8]) {
		v := int(c - '0')
		if c >= 'A' {
			v = int(c-'A') + 10
		}
		sum += v * weights[i]
	}
	switch c := 11 - sum%11; c {
	case 10:
		return 'X'
	case 11:
		return '0'
	default:
		return byte('0' + c)
	}
}

type company struct {
	uscc        string
	name        string
	kind        string // 主体类型
	etype       string // 营业执照上的类型
	place       place
	addr        string
	rep         *person
	capital     float64 // 万元
	established time.Time
	status      string
	industry    *industry
	employees   int
	phone       string
	email       string
	general     bool // 增值税一般纳税人
}

func (c *company) active() bool { return c.status == "存续" || c.status == "在业" }

func (c *company) employer() *employer {
	return &employer{uscc: c.uscc, name: c.name, d: c.place.d}
}

// wan formats an amount in 万元 (or any decimal) with up to two decimals.
func wan(v float64) string {
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}

// logUniform returns a value between lo and hi, small values as likely as
// large ones by order of magnitude.
func logUniform(r *rand.Rand, lo, hi float64) float64 {
	return math.Exp(math.Log(lo) + r.Float64()*(math.Log(hi)-math.Log(lo)))
}

// recentDay returns a date between from and to, more likely recent.
func recentDay(r *rand.Rand, from, to time.Time) time.Time {
	u := math.Sqrt(r.Float64())
	return from.Add(time.Duration(u * float64(to.Sub(from)))).Truncate(24 * time.Hour)
}

// adult picks a living local person aged lo to hi.
func (w *world) adult(lo, hi int) *person {
	for {
		p := w.people[w.r.IntN(localPeople)]
		if a := w.age(p); p.alive() && a >= lo && a <= hi && p.id != CitizenIDCard {
			return p
		}
	}
}

func (w *world) buildCompanies() {
	r := w.r
	names := map[string]bool{}
	for i := range companyCount {
		ind := &industries[r.IntN(len(industries))]
		d := pickDistrict(r)
		if ind.where != nil && chance(r, 80) {
			d = districtOf(pick(r, ind.where))
		}
		if i == 0 { // the demo citizen's employer
			ind, d = &industries[13], districtOf(RegionWuxing)
		}
		c := &company{industry: ind, place: pickPlace(r, d, 40), rep: w.adult(28, 68), status: "存续"}
		c.addr = siteAddress(r, c.place)
		c.kind = weighted(r, []string{"有限责任公司", "股份有限公司", "个人独资企业", "合伙企业", "农民专业合作社", "外商投资企业", "其他"},
			[]int{72, 6, 6, 3, 6, 4, 3})
		if i == 0 || c.kind == "个人独资企业" && ind.code[0] != 'C' {
			c.kind = "有限责任公司" // sole proprietorships here are workshops
		}
		prefix := weighted(r, []string{"湖州", "浙江", d.name, "湖州" + d.short}, []int{40, 15, 30, 15})
		if !d.county && prefix == d.name {
			prefix = "湖州" + d.short
		}
		for {
			brand := pick(r, brands)
			switch c.kind {
			case "有限责任公司":
				c.name = prefix + brand + ind.word + "有限公司"
				c.etype = weighted(r, []string{"有限责任公司（自然人投资或控股）", "有限责任公司（自然人独资）", "有限责任公司（非自然人投资或控股的法人独资）"}, []int{70, 20, 10})
				c.capital = logUniform(r, 10, 5000)
			case "股份有限公司":
				c.name = "浙江" + brand + ind.word + "股份有限公司"
				c.etype = "股份有限公司（非上市、自然人投资或控股）"
				c.capital = logUniform(r, 1000, 50000)
			case "个人独资企业":
				c.name = d.name + townShort(c.place.town) + brand + ind.word + "厂"
				c.etype = "个人独资企业"
				c.capital = logUniform(r, 1, 100)
			case "合伙企业":
				ind = &industry{code: "L7212", word: "投资", scope: "股权投资、投资管理、投资咨询", jobs: []string{"投资经理", "会计"}}
				c.industry = ind
				c.name = "湖州" + brand + "投资合伙企业（有限合伙）"
				c.etype = "有限合伙企业"
				c.capital = logUniform(r, 100, 10000)
			case "农民专业合作社":
				crop := pick(r, []industry{
					{code: "A0164", word: "白茶", scope: "组织成员种植、加工、销售白茶"},
					{code: "A0141", word: "蔬菜", scope: "组织成员种植、销售蔬菜"},
					{code: "A0412", word: "水产养殖", scope: "组织成员开展淡水鱼、虾养殖及销售"},
					{code: "A0314", word: "湖羊养殖", scope: "组织成员开展湖羊养殖及销售"},
					{code: "A0111", word: "粮食", scope: "组织成员种植水稻、小麦，提供农机服务"},
				})
				crop.jobs = []string{"农业技术员", "会计"}
				c.industry = &crop
				c.name = d.name + townShort(c.place.town) + brand + crop.word + "专业合作社"
				c.etype = "农民专业合作社"
				c.capital = logUniform(r, 10, 500)
			case "外商投资企业":
				c.name = "湖州" + brand + ind.word + "有限公司"
				c.etype = weighted(r, []string{"有限责任公司（外国法人独资）", "有限责任公司（港澳台法人独资）", "有限责任公司（中外合资）"}, []int{40, 40, 20})
				c.capital = logUniform(r, 100, 10000)
			default:
				c.name = "浙江" + brand + ind.word + "有限公司" + d.short + "分公司"
				c.etype = "有限责任公司分公司（自然人投资或控股）"
			}
			if !names[c.name] {
				names[c.name] = true
				break
			}
		}
		region := d.code
		prefix2 := "91"
		if c.kind == "农民专业合作社" {
			prefix2 = "93"
		}
		org := "MA"
		if chance(r, 30) {
			org = string(byte('5' + r.IntN(4)))
		}
		c.uscc = w.usccCode(prefix2, region, org)
		c.established = recentDay(r, time.Date(1995, 1, 1, 0, 0, 0, 0, time.UTC), w.asOf.AddDate(0, -2, 0))
		if org == "MA" && c.established.Year() < 2015 {
			c.established = c.established.AddDate(2015-c.established.Year(), 0, 0) // MA codes date from 2015
		}
		if i > 0 {
			c.status = weighted(r, []string{"存续", "在业", "吊销", "注销", "迁出"}, []int{82, 6, 4, 6, 2})
		}
		c.employees = int(math.Min(2000, 3+c.capital/8*(0.5+r.Float64())))
		c.phone = landline(r)
		if chance(r, 50) {
			c.email = fmt.Sprintf("%d@qq.com", 10_000_000+r.IntN(2_000_000_000))
		} else {
			c.email = fmt.Sprintf("hz%s%03d@163.com", strings.ToLower(c.uscc[10:13]), r.IntN(1000))
		}
		c.general = c.capital >= 200 || chance(r, 20)
		w.companies = append(w.companies, c)
	}
}

// shop is an individual business (个体工商户).
type shop struct {
	uscc     string
	name     string
	operator *person
	family   bool // 家庭经营
	place    place
	addr     string
	kind     *shopKind
	reg      time.Time
	status   string
}

type shopKind struct {
	word  string
	scope string
	food  bool
}

var shopKinds = []shopKind{
	{"便利店", "预包装食品、散装食品、日用百货零售", true},
	{"面馆", "餐饮服务（小型餐馆）", true},
	{"小吃店", "餐饮服务（小餐饮）", true},
	{"水果店", "水果、食用农产品零售", true},
	{"烟酒店", "卷烟零售；预包装食品零售", true},
	{"农家乐", "餐饮服务；住宿服务", true},
	{"茶叶店", "茶叶、预包装食品零售", true},
	{"理发店", "理发服务", false},
	{"服装店", "服装、鞋帽零售", false},
	{"童装加工厂", "童装加工、销售", false},
	{"五金店", "五金交电、建筑材料零售", false},
	{"手机维修部", "手机维修；通讯器材零售", false},
}

func (w *world) buildShops() {
	r := w.r
	operators := map[*person]bool{}
	for range shopCount {
		p := w.adult(22, 65)
		if operators[p] {
			continue // one shop each
		}
		operators[p] = true
		k := &shopKinds[r.IntN(len(shopKinds))]
		pl := pickPlace(r, p.home.d, 45)
		s := &shop{operator: p, family: chance(r, 15), place: pl, addr: siteAddress(r, pl), kind: k,
			reg:    recentDay(r, time.Date(2005, 1, 1, 0, 0, 0, 0, time.UTC), w.asOf.AddDate(0, -1, 0)),
			status: weighted(r, []string{"存续", "注销", "吊销"}, []int{85, 12, 3})}
		owner := []rune(p.name)
		s.name = pl.d.name + townShort(pl.town) + weighted(r, []string{"老" + string(owner[0]), string(owner[0]) + "记", pick(r, brands)}, []int{30, 30, 40}) + k.word
		s.uscc = w.usccCode("92", pl.d.code, "MA")
		if s.reg.Year() < 2016 {
			s.reg = s.reg.AddDate(2016-s.reg.Year(), 0, 0) // codes for 个体工商户 date from 2016
		}
		w.shops = append(w.shops, s)
	}
}

// institution is a public or private non-profit body: a hospital, clinic,
// school, pharmacy, care home or social organisation.
type institution struct {
	uscc        string
	name        string
	kind        string // institution_type, school_type, org_type ...
	place       place
	addr        string
	public      bool
	level       string // hospital grade
	beds        int
	students    int
	code        string // school code, registration number ...
	rep         *person
	head        *person
	established time.Time
	phone       string
	topic       string // scope or subjects
	supervisor  string
}

func (in *institution) employer() *employer {
	return &employer{uscc: in.uscc, name: in.name, d: in.place.d, public: in.public}
}

func (w *world) newInstitution(name, kind string, d *district, town string, public bool) *institution {
	r := w.r
	pl := place{d: d, town: town}
	if town == "" {
		pl = pickPlace(r, d, 0)
	} else if strings.HasSuffix(town, "镇") || strings.HasSuffix(town, "乡") {
		pl.rural = true
	}
	in := &institution{name: name, kind: kind, place: pl, addr: siteAddress(r, pl), public: public, rep: w.adult(35, 62),
		established: recentDay(r, time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC), w.asOf.AddDate(-1, 0, 0)), phone: landline(r)}
	in.head = in.rep
	if chance(r, 40) {
		in.head = w.adult(35, 62)
	}
	if public {
		in.uscc = w.usccCode("12", d.code, "47")
	} else {
		in.uscc = w.usccCode("52", d.code, "50")
	}
	return in
}

var hospitalList = []struct {
	name, kind, level string
	region            string
	beds              int
}{
	{"湖州市中心医院", "综合医院", "三级", RegionWuxing, 1800},
	{"湖州市第一人民医院", "综合医院", "三级", RegionWuxing, 1200},
	{"湖州市中医院", "中医医院", "三级", RegionWuxing, 900},
	{"湖州市第三人民医院", "专科医院", "三级", RegionWuxing, 1000},
	{"湖州市妇幼保健院", "专科医院", "三级", RegionWuxing, 600},
	{"湖州市吴兴区人民医院", "综合医院", "二级", RegionWuxing, 300},
	{"湖州市南浔区人民医院", "综合医院", "二级", RegionNanxun, 500},
	{"德清县人民医院", "综合医院", "二级", RegionDeqing, 800},
	{"德清县中医院", "中医医院", "二级", RegionDeqing, 500},
	{"长兴县人民医院", "综合医院", "三级", RegionChangxing, 1200},
	{"长兴县中医院", "中医医院", "二级", RegionChangxing, 600},
	{"安吉县人民医院", "综合医院", "三级", RegionAnji, 900},
	{"安吉县中医医院", "中医医院", "二级", RegionAnji, 400},
}

var schoolList = []struct{ name, kind, region string }{
	{"湖州中学", "高级中学", RegionWuxing},
	{"湖州市第二中学", "高级中学", RegionWuxing},
	{"湖州市南浔区南浔中学", "高级中学", RegionNanxun},
	{"德清县第一中学", "高级中学", RegionDeqing},
	{"长兴中学", "高级中学", RegionChangxing},
	{"安吉县高级中学", "高级中学", RegionAnji},
	{"湖州交通学校", "中等职业学校", RegionWuxing},
	{"德清县职业中等专业学校", "中等职业学校", RegionDeqing},
	{"长兴县职业技术教育中心学校", "中等职业学校", RegionChangxing},
	{"安吉县职业教育中心学校", "中等职业学校", RegionAnji},
}

func (w *world) buildInstitutions() {
	r := w.r
	for _, h := range hospitalList {
		in := w.newInstitution(h.name, h.kind, districtOf(h.region), "", true)
		in.level, in.beds = h.level, h.beds
		w.hospitals = append(w.hospitals, in)
	}
	for _, s := range schoolList {
		in := w.newInstitution(s.name, s.kind, districtOf(s.region), "", true)
		w.schools = append(w.schools, in)
	}
	for i := range districts {
		d := &districts[i]
		for _, t := range append(append([]string(nil), d.streets...), d.towns...) {
			if strings.HasSuffix(t, "街道") {
				if chance(r, 60) {
					in := w.newInstitution(d.cityName()+t+"社区卫生服务中心", "社区卫生服务中心", d, t, true)
					in.level, in.beds = "一级", r.IntN(6)*10
					w.hospitals = append(w.hospitals, in)
				}
			} else if chance(r, 50) {
				in := w.newInstitution(d.cityName()+t+"卫生院", "乡镇卫生院", d, t, true)
				in.level, in.beds = "一级", 20+r.IntN(5)*10
				w.hospitals = append(w.hospitals, in)
			}
			w.schools = append(w.schools, w.newInstitution(d.cityName()+townShort(t)+"小学", "小学", d, t, true))
			if chance(r, 60) {
				w.schools = append(w.schools, w.newInstitution(d.cityName()+townShort(t)+"中学", "初级中学", d, t, true))
			}
			if chance(r, 50) {
				w.schools = append(w.schools, w.newInstitution(d.cityName()+t+"中心幼儿园", "幼儿园", d, t, true))
			}
		}
		if chance(r, 70) {
			w.schools = append(w.schools, w.newInstitution("湖州"+pick(r, brands)+"外国语学校", "九年一贯制学校", d, "", false))
		}
		w.schools = append(w.schools, w.newInstitution(d.cityName()+pick(r, brands)+"幼儿园", "幼儿园", d, "", false))
		home := w.newInstitution(d.cityName()+"社会福利中心", "公办公营", d, "", true)
		home.beds = 200 + r.IntN(4)*100
		w.homes = append(w.homes, home)
		for _, t := range d.towns {
			if chance(r, 35) {
				h := w.newInstitution(d.cityName()+t+"敬老院", weighted(r, []string{"公办公营", "公建民营"}, []int{60, 40}), d, t, true)
				h.beds = 30 + r.IntN(10)*10
				w.homes = append(w.homes, h)
			}
		}
		for range 2 {
			h := w.newInstitution(d.name+pick(r, brands)+pick(r, []string{"颐养院", "养老院", "康养中心"}), "民办", d, "", false)
			h.beds = 50 + r.IntN(20)*10
			w.homes = append(w.homes, h)
		}
	}
	for range 18 {
		d := pickDistrict(r)
		kind := weighted(r, []string{"诊所", "门诊部"}, []int{70, 30})
		name := "湖州" + pick(r, brands) + pick(r, []string{"口腔诊所", "中医诊所", "内科诊所"})
		if kind == "门诊部" {
			name = "湖州" + pick(r, brands) + pick(r, []string{"医疗门诊部", "中医门诊部", "口腔门诊部"})
		}
		in := w.newInstitution(name, kind, d, "", false)
		in.uscc = w.usccCode("91", d.code, "MA")
		w.hospitals = append(w.hospitals, in)
	}
	for range 40 {
		d := pickDistrict(r)
		in := w.newInstitution("", "定点零售药店", d, "", false)
		in.name = "湖州" + pick(r, brands) + "大药房连锁有限公司" + strings.TrimSuffix(strings.TrimSuffix(pick(r, d.roads), "路"), "街") + "店"
		in.uscc = w.usccCode("91", d.code, "MA")
		w.pharmacies = append(w.pharmacies, in)
	}
	for _, s := range socialOrgList {
		d := districtOf(s.region)
		prefix := map[string]string{"社会团体": "51", "民办非企业单位": "52", "基金会": "53"}[s.kind]
		in := w.newInstitution(s.name, s.kind, d, "", false)
		in.uscc = w.usccCode(prefix, d.code, "50")
		in.topic, in.supervisor = s.scope, s.supervisor
		w.socialOrgs = append(w.socialOrgs, in)
	}
}

var socialOrgList = []struct{ name, kind, region, scope, supervisor string }{
	{"湖州市软件行业协会", "社会团体", RegionWuxing, "行业自律、技术交流、人才培训、咨询服务", "湖州市经济和信息化局"},
	{"湖州市物流行业协会", "社会团体", RegionWuxing, "行业自律、信息交流、业务培训", "湖州市交通运输局"},
	{"湖州市餐饮行业协会", "社会团体", RegionWuxing, "行业自律、食品安全宣传、技能培训", "湖州市商务局"},
	{"湖州市摄影家协会", "社会团体", RegionWuxing, "摄影创作、展览交流、艺术培训", "湖州市文学艺术界联合会"},
	{"湖州市书法家协会", "社会团体", RegionWuxing, "书法创作、展览交流、艺术培训", "湖州市文学艺术界联合会"},
	{"湖州市湖笔文化研究会", "社会团体", RegionNanxun, "湖笔文化研究、制笔技艺传承", "湖州市社会科学界联合会"},
	{"湖州市茶文化研究会", "社会团体", RegionWuxing, "茶文化研究、交流与推广", "湖州市社会科学界联合会"},
	{"湖州市围棋协会", "社会团体", RegionWuxing, "围棋普及、比赛组织、培训", "湖州市体育局"},
	{"湖州市老年人体育协会", "社会团体", RegionWuxing, "组织老年人体育健身活动", "湖州市体育局"},
	{"湖州市志愿者协会", "社会团体", RegionWuxing, "志愿服务组织、培训与交流", "共青团湖州市委员会"},
	{"湖州市吴兴区童装商会", "社会团体", RegionWuxing, "童装行业自律、市场开拓、信息服务", "湖州市吴兴区工商业联合会"},
	{"湖州市南浔区木业协会", "社会团体", RegionNanxun, "木业行业自律、技术交流、展会组织", "湖州市南浔区经济和信息化局"},
	{"德清县地理信息产业协会", "社会团体", RegionDeqing, "地理信息产业交流、标准推广、人才培训", "德清县科学技术局"},
	{"长兴县新能源产业商会", "社会团体", RegionChangxing, "新能源企业交流、政策咨询、市场开拓", "长兴县工商业联合会"},
	{"安吉县竹产业协会", "社会团体", RegionAnji, "竹产业技术推广、行业自律、品牌建设", "安吉县林业局"},
	{"安吉县白茶产业协会", "社会团体", RegionAnji, "白茶品牌保护、技术推广、市场服务", "安吉县农业农村局"},
	{"湖州市慈善总会", "社会团体", RegionWuxing, "募集善款、慈善救助、公益活动", "湖州市民政局"},
	{"湖州市红十字志愿服务总队", "社会团体", RegionWuxing, "应急救护培训、无偿献血宣传", "湖州市红十字会"},
	{"湖州市太湖职业技能培训学校", "民办非企业单位", RegionWuxing, "电工、焊工、养老护理员等职业技能培训", "湖州市人力资源和社会保障局"},
	{"湖州市吴兴区阳光社会工作服务中心", "民办非企业单位", RegionWuxing, "社区社会工作服务、困难群体帮扶", "湖州市吴兴区民政局"},
	{"湖州市南浔区善琏湖笔技艺传习所", "民办非企业单位", RegionNanxun, "湖笔制作技艺传习与展示", "湖州市南浔区文化和广电旅游体育局"},
	{"德清县向阳花康复中心", "民办非企业单位", RegionDeqing, "残疾儿童康复训练", "德清县残疾人联合会"},
	{"长兴县启明艺术培训学校", "民办非企业单位", RegionChangxing, "美术、音乐、舞蹈非学历培训", "长兴县教育局"},
	{"安吉县竹乡社会工作服务中心", "民办非企业单位", RegionAnji, "农村留守老人和儿童关爱服务", "安吉县民政局"},
	{"湖州市博远职业技能培训学校", "民办非企业单位", RegionWuxing, "中式烹调师、美容师、保育师培训", "湖州市人力资源和社会保障局"},
	{"湖州市教育基金会", "基金会", RegionWuxing, "资助家庭经济困难学生、奖励优秀教师", "湖州市教育局"},
	{"湖州市见义勇为基金会", "基金会", RegionWuxing, "奖励和救助见义勇为人员", "湖州市公安局"},
	{"德清县慈善基金会", "基金会", RegionDeqing, "扶贫济困、助学助医", "德清县民政局"},
	{"安吉县生态文化基金会", "基金会", RegionAnji, "生态文化研究与宣传、生态保护公益项目", "安吉县民政局"},
}
