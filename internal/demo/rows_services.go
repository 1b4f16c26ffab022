package demo

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Rows of the resources about people's schooling, housing, taxes, health
// insurance, transport work, real estate and dealings with the government.

// servicePlans generate the rows of these resources.
var servicePlans = map[string]plan{
	"学籍信息": func(g *gen) []rec {
		var out []rec
		for _, p := range g.w.people {
			if p.school == nil {
				continue
			}
			gName, gPhone := guardianOf(p)
			out = append(out, pr(p, "student_no", "G"+p.id, "school_name", p.school.name, "grade", gradeName(p),
				"class_name", fmt.Sprintf("%d班", p.class), "enrollment_date", ymd(p.enrolled),
				"student_status", weighted(g.r, []string{"在读", "休学", "转出"}, []int{97, 1, 2}),
				"guardian_name", gName, "guardian_phone", gPhone))
		}
		return out
	},
	"学历学位信息": func(g *gen) []rec {
		type school struct{ name, code string }
		var vocational []string
		for _, s := range g.w.schools {
			if s.kind == "中等职业学校" {
				vocational = append(vocational, s.name)
			}
		}
		majors := map[string][]string{
			"本科":    {"汉语言文学", "数学与应用数学", "计算机科学与技术", "英语", "学前教育", "护理学", "会计学", "机械设计制造及其自动化", "临床医学", "法学"},
			"专科":    {"机电一体化技术", "会计", "护理", "电子商务", "建筑工程技术", "软件技术", "旅游管理"},
			"中等职业":  {"服装设计与工艺", "汽车运用与维修", "会计事务", "数控技术应用", "计算机应用"},
			"硕士研究生": {"课程与教学论", "基础数学", "生态学", "学科教学（语文）", "护理"},
			"博士研究生": {"生态学", "基础数学"},
		}
		var out []rec
		for _, p := range g.w.people {
			level, age := "", 0
			switch p.education {
			case "中等专科":
				level, age = "中等职业", 18
			case "大学专科":
				level, age = "专科", 21
			case "大学本科":
				level, age = "本科", 22
			case "研究生":
				level, age = weighted(g.r, []string{"硕士研究生", "博士研究生"}, []int{90, 10}), 25
				if level == "博士研究生" {
					age = 28
				}
			}
			if level == "" || p.dead || !p.local || p.id != CitizenIDCard && !chance(g.r, 45) {
				continue
			}
			grad := time.Date(p.birth.Year()+age, 6, 20+g.r.IntN(11), 0, 0, 0, 0, time.UTC)
			if !grad.Before(g.w.asOf) || grad.Year() < 1985 {
				continue
			}
			s := school{"湖州师范学院", "10347"}
			switch {
			case level == "本科" && chance(g.r, 40):
				s = school{"湖州学院", "13287"}
			case level == "专科":
				s = school{"湖州职业技术学院", "12861"}
			case level == "中等职业":
				s = school{pick(g.r, vocational), "33050"}
			}
			major := pick(g.r, majors[level])
			if p.id == CitizenIDCard {
				major = "计算机科学与技术"
			}
			code := map[string]string{"博士研究生": "1", "硕士研究生": "2", "本科": "5", "专科": "6", "中等职业": "7"}[level]
			cert := g.uniq(func(n int) string { return fmt.Sprintf("%s%d%s%07d", s.code, grad.Year(), code, n) })
			degree := map[string]string{"本科": "学士", "硕士研究生": "硕士", "博士研究生": "博士"}[level]
			if degree == "" || level == "本科" && chance(g.r, 5) {
				degree = "无"
			}
			out = append(out, pr(p, "cert_no", cert, "school_name", s.name, "major", major, "education_level", level,
				"degree", degree, "study_form", weighted(g.r, []string{"全日制", "非全日制"}, []int{88, 12}), "graduation_date", ymd(grad)))
		}
		return out
	},
	"教师资格信息": func(g *gen) []rec {
		types := map[string]string{"幼儿园": "幼儿园", "小学": "小学", "初级中学": "初级中学", "九年一贯制学校": "小学",
			"高级中学": "高级中学", "中等职业学校": "中等职业学校"}
		digits := map[string]int{"幼儿园": 1, "小学": 2, "初级中学": 3, "高级中学": 4, "中等职业学校": 5, "中等职业学校实习指导": 6}
		subjects := []string{"语文", "数学", "英语", "物理", "化学", "生物", "历史", "地理", "道德与法治", "音乐", "体育", "美术", "信息技术", "科学"}
		var out []rec
		for _, p := range g.w.people {
			j := p.job
			teacher := j != nil && j.title == "教师"
			if !p.alive() || !teacher && !(j != nil && chance(g.r, 4) && strings.HasPrefix(p.education, "大学")) {
				continue
			}
			var kind string
			var issued time.Time
			if teacher {
				for _, s := range g.w.schools {
					if s.uscc == j.at.uscc {
						kind = types[s.kind]
					}
				}
				if kind == "中等职业学校" && chance(g.r, 10) {
					kind = "中等职业学校实习指导"
				}
				issued = g.day(maxTime(j.since.AddDate(-1, 0, 0), p.birth.AddDate(21, 0, 0)), j.since)
			} else {
				kind = pick(g.r, []string{"幼儿园", "小学", "初级中学", "高级中学"})
				issued = g.day(p.birth.AddDate(22, 0, 0), g.w.asOf.AddDate(0, 0, -5))
			}
			subject := pick(g.r, subjects)
			if kind == "幼儿园" {
				subject = ""
			}
			authority := p.home.d.cityName() + "教育局"
			if digits[kind] >= 4 {
				authority = "湖州市教育局"
			}
			cert := g.uniq(func(n int) string {
				return fmt.Sprintf("%d33%d%s%06d", issued.Year(), digits[kind], p.home.d.code[2:], n)
			})
			out = append(out, pr(p, "cert_no", cert, "qualification_type", kind, "subject", subject, "issue_date", ymd(issued),
				"issuing_authority", authority))
		}
		return out
	},
	"学生资助信息": func(g *gen) []rec {
		sy := g.w.schoolYear().Year()
		var out []rec
		for _, p := range g.w.people {
			if p.school == nil || !chance(g.r, map[bool]int{true: 12, false: 6}[p.home.rural]) {
				continue
			}
			level := weighted(g.r, []string{"一般困难", "困难", "特别困难"}, []int{50, 35, 15})
			for _, y := range []int{sy - 1, sy} {
				grade := p.grade - (sy - y)
				if grade < 1 || stage(grade) != stage(p.grade) {
					continue // at another school then
				}
				type aid struct {
					kind   string
					amount int
				}
				var aids []aid
				switch {
				case p.school.kind == "中等职业学校":
					aids = []aid{{"免学费", 2000}}
					if grade < 12 {
						aids = append(aids, aid{"国家助学金", 2000})
					}
				case grade >= 10:
					aids = []aid{{"国家助学金", 2000}, {"免学费", 1200}}
				case grade >= 7:
					aids = []aid{{"生活补助", 1250}}
				default:
					aids = []aid{{"生活补助", 1000}}
				}
				if chance(g.r, 10) {
					aids = append(aids, aid{"其他", 500 + 500*g.r.IntN(4)})
				}
				for _, a := range aids {
					out = append(out, pr(p, "school_name", p.school.name, "aid_type", a.kind, "aid_year", strconv.Itoa(y),
						"amount", strconv.Itoa(a.amount), "difficulty_level", level))
				}
			}
		}
		return out
	},

	"住房公积金缴存信息": func(g *gen) []rec {
		borrowers := map[*person]bool{}
		for _, u := range g.w.units {
			if u.loan != nil {
				borrowers[u.owner] = true
			}
		}
		var out []rec
		for _, p := range g.w.people {
			j := p.job
			if j == nil || j.self || p.dead || !(j.at.public || borrowers[p] || chance(g.r, 70)) {
				continue
			}
			base := min(max(j.wage, 2490), 31000)
			ratio := "0.12"
			if !j.at.public {
				ratio = pick(g.r, []string{"0.05", "0.08", "0.1", "0.12"})
			}
			r, _ := strconv.ParseFloat(ratio, 64)
			monthly := int(float64(base)*r+0.5) * 2
			opened := g.day(j.since, j.since.AddDate(0, 2, 0))
			months := max(1, (g.w.asOf.Year()-opened.Year())*12+int(g.w.asOf.Month()-opened.Month()))
			balance := int64(float64(monthly*min(months, 60)) * (0.2 + 0.7*g.r.Float64()) * 100)
			status := weighted(g.r, []string{"正常", "封存", "冻结", "销户"}, []int{88, 10, 1, 1})
			if borrowers[p] || p.id == CitizenIDCard || !p.alive() {
				status = map[bool]string{true: "正常", false: "封存"}[p.alive()]
			}
			no := g.uniq(func(n int) string { return fmt.Sprintf("3305%08d", n*100+g.r.IntN(100)) })
			out = append(out, pr(p, "account_no", no, "employer_uscc", j.at.uscc, "employer_name", j.at.name,
				"deposit_base", strconv.Itoa(base), "deposit_ratio", ratio, "monthly_deposit", strconv.Itoa(monthly),
				"balance", yuan(balance), "account_status", status, "open_date", ymd(opened)))
		}
		return out
	},
	"住房公积金贷款信息": func(g *gen) []rec {
		var out []rec
		for _, u := range g.w.units {
			l := u.loan
			if l == nil {
				continue
			}
			out = append(out, pr(u.owner, "loan_contract_no", l.contract, "loan_amount", strconv.Itoa(l.amount),
				"loan_term_months", strconv.Itoa(l.months), "loan_date", ymd(l.on), "location", u.location, "repay_status", l.status))
		}
		return out
	},

	"个人所得税纳税明细信息": func(g *gen) []rec {
		months := []string{ym(g.w.asOf.AddDate(0, -2, 0)), ym(g.w.asOf.AddDate(0, -1, 0))}
		var out []rec
		for _, p := range g.w.people {
			j := p.job
			if j == nil || !p.alive() {
				continue
			}
			if j.self {
				income := j.wage * 3
				out = append(out, pr(p, "tax_period", months[1], "income_item", "经营所得", "income_amount", strconv.Itoa(income),
					"tax_amount", yuan(int64(income)*100*5/100/10), "withholding_agent", "", "withholding_uscc", ""))
				continue
			}
			special := 1000 * g.r.IntN(4) // 专项附加扣除
			for _, m := range months {
				out = append(out, pr(p, "tax_period", m, "income_item", "工资薪金所得", "income_amount", strconv.Itoa(j.wage),
					"tax_amount", yuan(wageTax(j.wage, special)), "withholding_agent", j.at.name, "withholding_uscc", j.at.uscc))
			}
			if chance(g.r, 6) {
				c := pick(g.r, g.w.companies)
				income := 800 + g.r.IntN(19200)
				taxable := int64(income-800) * 100
				if income > 4000 {
					taxable = int64(income) * 80
				}
				out = append(out, pr(p, "tax_period", months[1], "income_item", "劳务报酬所得", "income_amount", strconv.Itoa(income),
					"tax_amount", yuan(taxable/5), "withholding_agent", c.name, "withholding_uscc", c.uscc))
			}
		}
		return capRows(out, 2200)
	},

	"医保参保信息": func(g *gen) []rec {
		var out []rec
		for _, p := range g.w.people {
			if !p.alive() {
				continue
			}
			j := p.job
			if j != nil && !j.self {
				out = append(out, pr(p, "insurance_type", "职工基本医疗保险", "insured_status", weighted(g.r, []string{"参保缴费", "暂停缴费"}, []int{97, 3}),
					"insured_region", j.at.d.cityName(), "start_date", ymd(j.since), "employer_name", j.at.name))
				continue
			}
			if !p.local {
				continue // insured where their hukou is
			}
			start := g.day(maxTime(p.birth.AddDate(0, 1, 0), time.Date(2008, 1, 1, 0, 0, 0, 0, time.UTC)), g.w.asOf.AddDate(0, 0, -1))
			if p.birth.After(time.Date(2008, 1, 1, 0, 0, 0, 0, time.UTC)) {
				start = g.day(p.birth.AddDate(0, 0, 10), p.birth.AddDate(0, 2, 0))
			}
			out = append(out, pr(p, "insurance_type", "城乡居民基本医疗保险",
				"insured_status", weighted(g.r, []string{"参保缴费", "暂停缴费", "终止参保"}, []int{96, 3, 1}),
				"insured_region", p.home.d.cityName(), "start_date", ymd(start), "employer_name", ""))
		}
		return out
	},
	"医疗费用结算信息": func(g *gen) []rec {
		inpatient := []string{"社区获得性肺炎", "2型糖尿病", "高血压病3级", "腰椎间盘突出症", "急性阑尾炎", "冠状动脉粥样硬化性心脏病",
			"脑梗死", "胆囊结石伴慢性胆囊炎", "老年性白内障", "膝关节骨性关节炎", "子宫平滑肌瘤", "慢性阻塞性肺疾病急性加重"}
		outpatient := []string{"高血压病", "2型糖尿病", "慢性胃炎", "急性上呼吸道感染", "慢性阻塞性肺疾病", "冠状动脉粥样硬化性心脏病"}
		var out []rec
		for _, p := range g.w.people {
			a := g.w.age(p)
			if !p.alive() || !chance(g.r, 10+a/3) {
				continue
			}
			for range 1 + g.r.IntN(2) {
				var adm, dis, diag string
				var total int64
				var settled time.Time
				fund := 0.3 + 0.4*g.r.Float64()
				if chance(g.r, 55) {
					in := g.recent(24)
					left := g.day(in.AddDate(0, 0, 2), in.AddDate(0, 0, 20))
					adm, dis, diag, settled = ymd(in), ymd(left), pick(g.r, inpatient), left
					total = int64(300_000 + g.r.IntN(7_700_000))
					fund = 0.5 + 0.35*g.r.Float64()
				} else {
					settled = g.recent(24)
					diag = pick(g.r, outpatient)
					total = int64(5_000 + g.r.IntN(295_000))
				}
				h := g.w.clinicNear(g.r, p.home)
				if adm != "" {
					h = g.w.hospitalIn(g.r, p.home.d)
				}
				paid := int64(float64(total) * fund)
				no := g.uniq(func(n int) string { return fmt.Sprintf("JS%s%08d", settled.Format("20060102"), n*100+g.r.IntN(100)) })
				out = append(out, pr(p, "settlement_no", no, "institution_name", h.name, "admission_date", adm, "discharge_date", dis,
					"diagnosis", diag, "total_cost", yuan(total), "fund_paid", yuan(paid), "self_paid", yuan(total-paid),
					"settlement_date", ymd(settled)))
			}
		}
		return capRows(out, 1200)
	},

	"道路运输从业人员资格信息": func(g *gen) []rec {
		var out []rec
		for _, p := range g.w.people {
			a := g.w.age(p)
			if !p.alive() || p.driving == "" || a > 60 {
				continue
			}
			var kind string
			switch p.driving {
			case "A1", "B1":
				kind = "道路旅客运输驾驶员"
			case "A2", "B2":
				kind = weighted(g.r, []string{"道路货物运输驾驶员", "危险货物道路运输驾驶员", "危险货物道路运输押运人员"}, []int{80, 15, 5})
			case "C1":
				if a < 25 || !chance(g.r, 5) {
					continue
				}
				kind = "出租汽车驾驶员"
			default:
				continue
			}
			issued := g.day(p.licensed.AddDate(1, 0, 0), p.licensed.AddDate(5, 0, 0))
			until := issued.AddDate(6, 0, 0)
			for until.Before(g.w.asOf.AddDate(0, -3, 0)) { // renewed every six years
				issued, until = until, until.AddDate(6, 0, 0)
			}
			out = append(out, pr(p, "cert_no", p.id, "qualification_category", kind, "issue_date", ymd(issued),
				"valid_until", ymd(until), "credit_rating", weighted(g.r, []string{"AAA", "AA", "A", "B"}, []int{20, 40, 35, 5})))
		}
		return out
	},

	"不动产登记信息": func(g *gen) []rec {
		var out []rec
		for _, u := range g.w.units {
			right := "国有建设用地使用权/房屋所有权"
			if u.rural {
				right = "宅基地使用权/房屋所有权"
			}
			co := "单独所有"
			if u.shared {
				co = "共同共有"
			}
			mortgaged := u.loan != nil && u.loan.status != "结清" || chance(g.r, 15)
			out = append(out, pr(u.owner, "unit_no", u.no, "location", u.location, "right_holder", u.owner.name, "holder_id_no", u.owner.id,
				"right_type", right, "right_nature", u.nature, "usage", u.usage, "building_area", wan(u.area), "land_area", wan(u.land),
				"co_ownership", co, "reg_date", ymd(u.reg), "mortgaged", strconv.FormatBool(mortgaged), "sealed", strconv.FormatBool(chance(g.r, 1))))
			if u.rural && chance(g.r, 12) { // contracted farm land or forest, without a building
				right := "土地承包经营权"
				if u.place.d.code == RegionAnji || chance(g.r, 30) {
					right = "林地使用权"
				}
				no := g.uniq(func(n int) string {
					return fmt.Sprintf("%s%03d%03dJC%05dW00000000", u.place.d.code, 1+g.r.IntN(12), 1+g.r.IntN(30), n%100_000)
				})
				out = append(out, pr(u.owner, "unit_no", no, "location", strings.SplitN(u.location, "村", 2)[0]+"村",
					"right_holder", u.owner.name, "holder_id_no", u.owner.id, "right_type", right, "right_nature", "其他", "usage", "其他",
					"building_area", "", "land_area", wan(float64(1000+g.r.IntN(19000))), "co_ownership", "单独所有",
					"reg_date", ymd(g.day(time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC), g.w.asOf)), "mortgaged", "false", "sealed", "false"))
			}
		}
		return out
	},
	"不动产权证书信息": func(g *gen) []rec {
		var out []rec
		for _, u := range g.w.units {
			authority := u.place.d.cityName() + "自然资源和规划局"
			if !u.place.d.county {
				authority = "湖州市自然资源和规划局"
			}
			out = append(out, pr(u.owner, "cert_no", u.certNo, "unit_no", u.no, "right_holder", u.owner.name, "holder_id_no", u.owner.id,
				"location", u.location, "usage", u.usage, "building_area", wan(u.area),
				"issue_date", ymd(g.day(u.reg, u.reg.AddDate(0, 0, 7))), "reg_authority", authority))
		}
		return out
	},
}

// guardianOf returns the name and phone of a child's parent.
func guardianOf(p *person) (string, string) {
	for _, q := range []*person{p.father, p.mother} {
		if q != nil && q.alive() && q.phone != "" {
			return q.name, q.phone
		}
	}
	return "", ""
}

// stage is 0 for primary school, 1 for middle school, 2 for high school.
func stage(grade int) int {
	switch {
	case grade <= 6:
		return 0
	case grade <= 9:
		return 1
	}
	return 2
}

var gradeNames = []string{"一年级", "二年级", "三年级", "四年级", "五年级", "六年级", "七年级", "八年级", "九年级", "高一", "高二", "高三"}

func gradeName(p *person) string {
	if p.school.kind == "中等职业学校" {
		return gradeNames[p.grade-10]
	}
	return gradeNames[p.grade-1]
}

// wageTax is the monthly individual income tax on a wage, in cents: the
// wage less 5,000 yuan, social insurance (10.5%) and special deductions,
// taxed at the comprehensive income rates.
func wageTax(wage, special int) int64 {
	taxable := int64(wage-5000-special)*100 - int64(wage)*105/10
	if taxable <= 0 {
		return 0
	}
	brackets := []struct{ upto, rate, quick int64 }{
		{300_000, 3, 0}, {1_200_000, 10, 21_000}, {2_500_000, 20, 141_000}, {3_500_000, 25, 266_000},
		{5_500_000, 30, 441_000}, {8_000_000, 35, 716_000}, {1 << 62, 45, 1_516_000},
	}
	for _, b := range brackets {
		if taxable <= b.upto {
			return taxable*b.rate/100 - b.quick
		}
	}
	return 0
}
