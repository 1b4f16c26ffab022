package demo

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Places and names of 湖州 for the generated records: districts with their
// streets, towns and roads, surnames and given names by generation.

// district is a county-level division of 湖州 with its sub-districts
// (街道, urban) and towns (镇 and 乡, with villages).
type district struct {
	code    string // GB/T 2260
	name    string // 吴兴区
	short   string // 吴兴, for authority names and abbreviations
	county  bool   // a county (县) rather than a city district (区)
	weight  int    // share of the population, in percent
	streets []string
	towns   []string
	roads   []string
	estates []string // residential estates (小区)
}

var districts = []district{
	{code: RegionWuxing, name: "吴兴区", short: "吴兴", weight: 26,
		streets: []string{"爱山街道", "飞英街道", "月河街道", "朝阳街道", "龙泉街道", "凤凰街道", "康山街道", "滨湖街道"},
		towns:   []string{"织里镇", "八里店镇", "妙西镇", "埭溪镇", "东林镇", "道场乡"},
		roads:   []string{"人民路", "红旗路", "劳动路", "衣裳街", "环城西路", "凤凰路", "青铜路", "二环东路", "吉山南路", "龙溪北路", "苕溪东路", "莲花庄路", "仁皇山路", "市陌路", "北街", "东街"},
		estates: []string{"凤凰新村", "白鱼潭小区", "吉山新村", "龙溪苑", "鹿山花园", "清河嘉园", "东白鱼潭小区", "太湖家园", "金色地中海", "西山漾花园"}},
	{code: RegionNanxun, name: "南浔区", short: "南浔", weight: 18,
		streets: []string{"南浔镇", "旧馆街道", "东迁街道"},
		towns:   []string{"练市镇", "双林镇", "菱湖镇", "和孚镇", "善琏镇", "千金镇", "石淙镇"},
		roads:   []string{"人瑞路", "适园路", "南林路", "泰安路", "向阳路", "嘉业路", "强园路", "朝阳路", "南浔大道", "东大街"},
		estates: []string{"浔东小区", "颖园小区", "适园新村", "泰安花园", "锦绣南浔", "嘉业苑"}},
	{code: RegionDeqing, name: "德清县", short: "德清", county: true, weight: 18,
		streets: []string{"武康街道", "舞阳街道", "阜溪街道", "下渚湖街道"},
		towns:   []string{"乾元镇", "新市镇", "洛舍镇", "钟管镇", "禹越镇", "雷甸镇", "新安镇", "莫干山镇"},
		roads:   []string{"英溪北路", "永安街", "千秋街", "群安路", "志远北路", "北湖街", "塔山街", "长虹中街", "武源街", "丰庆街"},
		estates: []string{"千秋苑", "英溪花园", "金色家园", "北湖小区", "永安公寓", "城北花园"}},
	{code: RegionChangxing, name: "长兴县", short: "长兴", county: true, weight: 21,
		streets: []string{"雉城街道", "太湖街道", "画溪街道", "龙山街道"},
		towns:   []string{"李家巷镇", "洪桥镇", "林城镇", "泗安镇", "煤山镇", "和平镇", "虹星桥镇", "夹浦镇", "小浦镇", "吕山乡", "水口乡"},
		roads:   []string{"金陵北路", "明珠路", "长海路", "县前街", "中央大道", "龙山大道", "长兴大道", "画溪大道", "人民中路", "解放东路"},
		estates: []string{"明珠花园", "金陵小区", "龙山新村", "太湖花园", "画溪家园", "长海苑"}},
	{code: RegionAnji, name: "安吉县", short: "安吉", county: true, weight: 17,
		streets: []string{"递铺街道", "昌硕街道", "灵峰街道", "孝源街道"},
		towns:   []string{"孝丰镇", "天荒坪镇", "梅溪镇", "鄣吴镇", "杭垓镇", "报福镇", "天子湖镇", "章村镇", "溪龙乡", "上墅乡", "山川乡"},
		roads:   []string{"天目路", "胜利西路", "浦源大道", "昌硕东路", "玉磬路", "阳光大道", "塘浦路", "递铺北路", "胜利东路", "天荒坪路"},
		estates: []string{"天目花园", "昌硕新村", "浦源小区", "阳光家园", "竹海苑", "递铺新村"}},
}

// villageNames make up village names (the place, then 村).
var villageNames = []string{"荻港", "横山", "联合", "东风", "长田", "新桥", "红星", "永丰", "双桥", "南湖", "鲁家", "白鹤", "花林", "金村", "城山", "光明", "东升", "民主", "新塘", "溪口", "大溪", "西亩", "上舍", "潘村"}

// townRoads are roads that many towns have.
var townRoads = []string{"人民路", "新华路", "解放路", "中山路", "工业大道", "文化路", "振兴路", "府前路", "商贸路"}

// districtOf returns the district with a region code.
func districtOf(code string) *district {
	for i := range districts {
		if districts[i].code == code {
			return &districts[i]
		}
	}
	return &districts[0]
}

// pickDistrict picks a district by population share.
func pickDistrict(r *rand.Rand) *district {
	n := r.IntN(100)
	for i := range districts {
		if n < districts[i].weight {
			return &districts[i]
		}
		n -= districts[i].weight
	}
	return &districts[len(districts)-1]
}

// prefixName is "浙江省湖州市吴兴区", the start of every full address.
func (d *district) prefixName() string { return "浙江省湖州市" + d.name }

// cityName is the name as authorities of the district are called:
// 湖州市吴兴区 for a city district, 德清县 for a county.
func (d *district) cityName() string {
	if d.county {
		return d.name
	}
	return "湖州市" + d.name
}

// place is where a household or an organisation is: the district and the
// sub-district or town.
type place struct {
	d     *district
	town  string
	rural bool // a town rather than an urban sub-district
}

func pickPlace(r *rand.Rand, d *district, ruralShare int) place {
	if r.IntN(100) < ruralShare {
		return place{d: d, town: d.towns[r.IntN(len(d.towns))], rural: true}
	}
	return place{d: d, town: d.streets[r.IntN(len(d.streets))]}
}

// homeAddress is a residential address at p: a flat in an estate or a
// house on a road in town, or a house in a village.
func homeAddress(r *rand.Rand, p place) string {
	switch {
	case p.rural && r.IntN(100) < 60:
		return fmt.Sprintf("%s%s%s村%d号", p.d.prefixName(), p.town, pick(r, villageNames), 1+r.IntN(180))
	case p.rural:
		return fmt.Sprintf("%s%s%s%d号", p.d.prefixName(), p.town, pick(r, townRoads), 1+r.IntN(300))
	case r.IntN(100) < 55:
		return fmt.Sprintf("%s%s%s%d幢%d单元%d%02d室", p.d.prefixName(), p.town, pick(r, p.d.estates),
			1+r.IntN(40), 1+r.IntN(3), 1+r.IntN(18), 1+r.IntN(4))
	}
	return fmt.Sprintf("%s%s%s%d号", p.d.prefixName(), p.town, pick(r, p.d.roads), 1+r.IntN(400))
}

// siteAddress is the address of a business or an institution at p.
func siteAddress(r *rand.Rand, p place) string {
	if p.rural {
		return fmt.Sprintf("%s%s%s%d号", p.d.prefixName(), p.town, pick(r, townRoads), 1+r.IntN(600))
	}
	return fmt.Sprintf("%s%s%s%d号", p.d.prefixName(), p.town, pick(r, p.d.roads), 1+r.IntN(600))
}

// townShort drops the 街道, 镇 or 乡 of a sub-district or town name.
func townShort(town string) string {
	for _, s := range []string{"街道", "镇", "乡"} {
		if t, ok := strings.CutSuffix(town, s); ok {
			return t
		}
	}
	return town
}

// Authorities of a district.

func (d *district) policeBureau() string {
	if d.county {
		return d.name + "公安局"
	}
	return "湖州市公安局" + d.short + "分局"
}

func (d *district) policeStation(town string) string {
	return d.policeBureau() + townShort(town) + "派出所"
}

func (d *district) marketBureau() string { return d.cityName() + "市场监督管理局" }
func (d *district) civilBureau() string  { return d.cityName() + "民政局" }
func (d *district) taxBureau() string    { return "国家税务总局" + d.cityName() + "税务局" }
func (d *district) court() string        { return d.cityName() + "人民法院" }

// Names.

// surnames in rough order of frequency in 湖州; pickSurname favours the
// front of the list.
var surnames = []string{
	"王", "陈", "沈", "张", "李", "徐", "吴", "朱", "周", "杨", "钱", "陆", "金", "姚", "孙", "潘", "胡", "俞",
	"施", "黄", "刘", "蒋", "顾", "费", "许", "高", "马", "郑", "何", "赵", "叶", "方", "钟", "邱", "冯", "严",
	"唐", "凌", "闵", "姜", "毛", "邵", "程", "章", "卢", "汪", "宋", "戴", "丁", "夏", "谢", "董", "倪", "钮",
	"韩", "袁", "范", "汤", "褚", "郁", "臧", "茅", "宣", "嵇",
}

var compoundSurnames = []string{"欧阳", "司马", "上官", "诸葛", "司徒"}

func pickSurname(r *rand.Rand) string {
	if r.IntN(200) == 0 {
		return pick(r, compoundSurnames)
	}
	f := r.Float64()
	return surnames[int(f*f*float64(len(surnames)))]
}

// givenNames by generation: born before 1960, 1960-1979, 1980-1999, and
// from 2000.
var givenNames = [4][2][]string{
	{ // before 1960: male, female
		{"建国", "国强", "国平", "建华", "志刚", "德明", "福林", "金根", "荣华", "根宝", "水根", "伟民", "林根", "炳荣", "阿毛", "永福", "长生", "明华"},
		{"秀英", "桂英", "玉兰", "凤英", "月娥", "秀珍", "彩娥", "金凤", "桂芳", "美娟", "菊英", "阿妹", "杏娣", "雪英", "宝珍", "梅芳", "素珍"},
	},
	{ // 1960-1979
		{"伟", "强", "军", "勇", "斌", "华", "平", "刚", "建平", "卫东", "海波", "建军", "永强", "晓东", "志明", "林峰", "雪峰", "国庆", "红兵"},
		{"芳", "丽", "静", "敏", "红", "燕", "霞", "娟", "丽萍", "红霞", "海燕", "雪芳", "美华", "晓燕", "秀芳", "建英", "卫红", "丽娟"},
	},
	{ // 1980-1999
		{"磊", "杰", "涛", "超", "鹏", "浩", "俊", "帅", "宇", "晨", "佳伟", "俊杰", "文杰", "晓峰", "振宇", "建峰", "立新", "一鸣", "明", "伟"},
		{"婷", "静", "佳", "琳", "倩", "颖", "丹", "璐", "莉", "晓婷", "佳丽", "梦婷", "雅琴", "思佳", "丽娜", "晓雪", "燕萍", "芸"},
	},
	{ // from 2000
		{"子轩", "浩然", "宇航", "梓豪", "俊熙", "一诺", "睿", "奕辰", "皓轩", "宇泽", "铭", "昊", "沐阳", "子墨", "梓睿", "嘉乐", "锦程", "天佑"},
		{"梓涵", "雨桐", "欣怡", "可馨", "诗涵", "子萱", "语嫣", "一诺", "思琪", "若曦", "梦琪", "雨萱", "芷若", "佳怡", "安然", "沐晴", "悦"},
	},
}

func pickGiven(r *rand.Rand, birthYear int, male bool) string {
	gen := 3
	switch {
	case birthYear < 1960:
		gen = 0
	case birthYear < 1980:
		gen = 1
	case birthYear < 2000:
		gen = 2
	}
	sex := 1
	if male {
		sex = 0
	}
	return pick(r, givenNames[gen][sex])
}

// ethnicities other than 汉族 seen in 湖州, the 畲族 first.
var minorities = []string{"畲族", "回族", "土家族", "苗族", "满族", "壮族", "布依族"}

func pickEthnicity(r *rand.Rand) string {
	if r.IntN(100) < 98 {
		return "汉族"
	}
	return pick(r, minorities)
}

// Home regions of people who live in 湖州 without a 湖州 hukou: current
// county codes (so that ingest finds them in its region table) in
// provinces many of them come from.
var migrantRegions = []string{
	"341221", // 安徽省阜阳市临泉县
	"341222", // 安徽省阜阳市太和县
	"341321", // 安徽省宿州市砀山县
	"340826", // 安徽省安庆市宿松县
	"411527", // 河南省信阳市淮滨县
	"411628", // 河南省周口市鹿邑县
	"341623", // 安徽省亳州市利辛县
	"360723", // 江西省赣州市大余县
	"511321", // 四川省南充市南部县
	"520526", // 贵州省毕节市威宁彝族回族苗族自治县
	"530627", // 云南省昭通市镇雄县
	"321323", // 江苏省宿迁市泗阳县
}

// mobile returns a mobile number with a 13x prefix.
func mobile(r *rand.Rand) string {
	return fmt.Sprintf("13%d%08d", r.IntN(10), r.IntN(100_000_000))
}

// landline returns a 湖州 (area code 0572) landline number.
func landline(r *rand.Rand) string {
	return fmt.Sprintf("0572-%d%07d", 2+r.IntN(2)*3, r.IntN(10_000_000))
}

func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

// chance reports true pct times in a hundred.
func chance(r *rand.Rand, pct int) bool { return r.IntN(100) < pct }
