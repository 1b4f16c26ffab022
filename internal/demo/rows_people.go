package demo

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"huitong/internal/ids"
)

// Rows of the resources about people: police, human resources and social
// security, health, civil affairs, education, housing fund, tax, medical
// insurance and transport.

// peoplePlans generate the rows of the demo resources about people.
var peoplePlans = map[string]plan{
	"人口基础信息": func(g *gen) []rec {
		var out []rec
		for _, p := range g.w.people {
			status := "正常"
			switch {
			case p.dead:
				status = "死亡注销"
			case p.movedOut:
				status = "迁出"
			}
			born, _ := ids.RegionName(p.born)
			out = append(out, pr(p, "former_name", p.former, "birth_place", born, "domicile_region_code", p.hukou,
				"education", p.education, "marital_status", p.marital, "hukou_status", status))
		}
		return out
	},
	"户籍人口信息": func(g *gen) []rec {
		var out []rec
		for _, p := range g.w.people {
			if !p.local || !p.alive() {
				continue
			}
			var moved time.Time
			switch p.relation {
			case "配偶", "其他":
				moved = g.day(p.married, p.married.AddDate(0, 3, 0))
			case "户主":
				moved = g.day(p.birth.AddDate(18, 0, 0), p.birth.AddDate(35, 0, 0))
			default:
				moved = g.day(p.birth.AddDate(0, 0, 15), p.birth.AddDate(0, 2, 0))
			}
			if moved.Before(p.birth) {
				moved = p.birth
			}
			hh := p.hh
			out = append(out, pr(p, "household_no", hh.no, "relation_to_head", p.relation, "household_type", hh.kind,
				"police_station", hh.place.d.policeStation(hh.place.town), "move_in_date", ymd(moved)))
		}
		return out
	},
	"居民身份证信息": func(g *gen) []rec {
		var out []rec
		for _, p := range g.w.people {
			a := g.w.age(p)
			if !p.local || !p.alive() || a < 16 && !chance(g.r, 25) {
				continue
			}
			from, until := idCardValidity(g, p)
			fp := ""
			if from.Year() >= 2013 || chance(g.r, 30) { // fingerprints on cards from 2013
				fp = fmt.Sprintf("%016x%016x", g.r.Uint64(), g.r.Uint64())
			}
			out = append(out, pr(p, "issuing_authority", p.hh.place.d.policeBureau(), "valid_from", ymd(from), "valid_until", until,
				"photo", fmt.Sprintf("zjzp/%d/%016x.jpg", from.Year(), g.r.Uint64()), "fingerprint_feature", fp))
		}
		return out
	},
	"流动人口居住登记信息": func(g *gen) []rec {
		var out []rec
		for _, p := range g.w.people {
			if p.local {
				continue
			}
			reg := g.day(g.w.asOf.AddDate(-4, 0, 0), g.w.asOf.AddDate(0, 0, -10))
			until := reg.AddDate(1, 0, 0)
			for until.Before(g.w.asOf) && chance(g.r, 85) { // renewed every year
				until = until.AddDate(1, 0, 0)
			}
			permit := g.uniq(func(n int) string { return fmt.Sprintf("%s%d%06d", p.home.d.code, reg.Year(), n) })
			out = append(out, pr(p, "domicile_address", p.hukouAddr, "address", p.homeAddr,
				"residence_reason", weighted(g.r, []string{"务工", "经商", "投靠亲友", "就学", "其他"}, []int{75, 10, 8, 3, 4}),
				"reg_date", ymd(reg), "residence_permit_no", permit, "valid_until", ymd(until)))
		}
		return out
	},
	"机动车驾驶证信息": func(g *gen) []rec {
		var out []rec
		for _, p := range g.w.people {
			if p.driving == "" || p.dead {
				continue
			}
			// 6 years, then 10, then for good.
			from, until := p.licensed, p.licensed.AddDate(6, 0, 0)
			if !until.After(g.w.asOf) {
				from, until = until, until.AddDate(10, 0, 0)
			}
			validUntil := ymd(until)
			if !until.After(g.w.asOf) {
				from, validUntil = until, ""
			}
			status := weighted(g.r, []string{"正常", "超分", "暂扣", "吊销", "注销", "逾期未审验"}, []int{940, 10, 10, 10, 15, 15})
			if p.id == CitizenIDCard {
				status = "正常"
			}
			if status == "逾期未审验" && p.driving[0] == 'C' {
				status = "正常"
			}
			points := 0
			switch {
			case status == "超分":
				points = 12 + g.r.IntN(6)
			case chance(g.r, 30):
				points = 1 + g.r.IntN(9)
			}
			out = append(out, pr(p, "driving_class", p.driving, "first_issue_date", ymd(p.licensed), "valid_from", ymd(from),
				"valid_until", validUntil, "license_status", status, "penalty_points", strconv.Itoa(points),
				"issuing_authority", "浙江省湖州市公安局交通警察支队"))
		}
		return out
	},
	"机动车登记信息": func(g *gen) []rec {
		var out []rec
		for _, v := range g.w.vehicles {
			out = append(out, vr("plate_no", v.plate, "plate_type", v.plateType, "vin", v.vin, "owner_name", v.owner.name,
				"owner_id_no", v.owner.id, "vehicle_type", v.kind, "brand_model", v.model, "first_reg_date", ymd(v.reg),
				"vehicle_status", v.status))
		}
		return out
	},
	"违法犯罪记录信息": func(g *gen) []rec {
		offences := []struct{ what, penalty string }{
			{"危险驾驶罪", "拘役二个月，并处罚金人民币五千元"},
			{"盗窃罪", "有期徒刑八个月，并处罚金人民币三千元"},
			{"诈骗罪", "有期徒刑一年六个月，并处罚金人民币一万元"},
			{"帮助信息网络犯罪活动罪", "有期徒刑七个月，并处罚金人民币四千元"},
			{"交通肇事罪", "有期徒刑一年，缓刑一年六个月"},
			{"故意伤害罪", "有期徒刑二年"},
			{"寻衅滋事罪", "有期徒刑十个月"},
			{"开设赌场罪", "有期徒刑一年，并处罚金人民币二万元"},
			{"殴打他人", "行政拘留五日"},
			{"赌博", "行政拘留十日，并处罚款五百元"},
			{"饮酒后驾驶机动车", "罚款一千元，暂扣机动车驾驶证六个月"},
		}
		var out []rec
		for _, p := range g.w.people {
			a := g.w.age(p)
			if p.dead || a < 20 || a > 65 || p.id == CitizenIDCard || !chance(g.r, map[bool]int{true: 4, false: 1}[p.male]) {
				continue
			}
			n := 1
			if chance(g.r, 10) {
				n = 2
			}
			for range n {
				o := pick(g.r, offences)
				on := g.day(g.w.asOf.AddDate(-10, 0, 0), g.w.asOf.AddDate(0, -1, 0))
				org := p.home.d.court()
				if o.what == "殴打他人" || o.what == "赌博" || o.what == "饮酒后驾驶机动车" {
					org = p.home.d.policeBureau()
				}
				caseNo := g.uniq(func(n int) string { return fmt.Sprintf("A%s%d%06d", p.home.d.code, on.Year(), n) })
				out = append(out, pr(p, "case_no", caseNo, "offence", o.what, "judgment_org", org, "judgment_date", ymd(on),
					"penalty", o.penalty, "sealed", strconv.FormatBool(chance(g.r, 8))))
			}
		}
		return out
	},

	"社会保险参保信息": func(g *gen) []rec {
		var out []rec
		for _, p := range g.w.people {
			a := g.w.age(p)
			if !p.alive() || a < 18 {
				continue
			}
			first := g.day(p.birth.AddDate(18+g.r.IntN(5), 0, 0), p.birth.AddDate(30, 0, 0))
			if y := time.Date(1995, 1, 1, 0, 0, 0, 0, time.UTC); first.Before(y) {
				first = g.day(y, y.AddDate(5, 0, 0))
			}
			months := func(since time.Time) string {
				n := (g.w.asOf.Year()-since.Year())*12 + int(g.w.asOf.Month()-since.Month())
				return strconv.Itoa(max(1, n-g.r.IntN(1+n/10)))
			}
			j := p.job
			switch {
			case j != nil && !j.self:
				base := min(max(j.wage, 4462), 24930)
				pension := "企业职工基本养老保险"
				if j.at.public {
					pension = "机关事业单位养老保险"
				}
				if j.since.Before(first) {
					first = j.since
				}
				status := weighted(g.r, []string{"参保缴费", "暂停缴费"}, []int{96, 4})
				for _, t := range []string{pension, "失业保险", "工伤保险"} {
					f := first
					if t == "工伤保险" {
						f = j.since
					}
					out = append(out, pr(p, "insurance_type", t, "insured_status", status, "first_insured_date", ymd(f),
						"employer_uscc", j.at.uscc, "employer_name", j.at.name, "contribution_base", strconv.Itoa(base),
						"paid_months", months(f)))
				}
			case j != nil: // the self-employed pay as flexible workers
				out = append(out, pr(p, "insurance_type", "企业职工基本养老保险", "insured_status", "参保缴费",
					"first_insured_date", ymd(first), "employer_uscc", "", "employer_name", "", "contribution_base", "4462",
					"paid_months", months(first)))
			case a >= 60 && p.local:
				t := "城乡居民基本养老保险"
				if !p.home.rural && chance(g.r, 60) {
					t = "企业职工基本养老保险"
				}
				out = append(out, pr(p, "insurance_type", t, "insured_status", "暂停缴费", "first_insured_date", ymd(first),
					"employer_uscc", "", "employer_name", "", "contribution_base", "", "paid_months", strconv.Itoa(180+g.r.IntN(300))))
			case p.local && chance(g.r, 60):
				out = append(out, pr(p, "insurance_type", "城乡居民基本养老保险", "insured_status", "参保缴费",
					"first_insured_date", ymd(first), "employer_uscc", "", "employer_name", "", "contribution_base", "",
					"paid_months", months(first)))
			}
		}
		return capRows(out, 2200)
	},
	"养老保险待遇发放信息": func(g *gen) []rec {
		banks := [][3]string{{"中国工商银行湖州分行", "622202", "19"}, {"中国农业银行湖州分行", "622848", "19"},
			{"中国建设银行湖州分行", "621700", "19"}, {"湖州银行", "623179", "16"}, {"湖州吴兴农村商业银行", "621058", "19"}}
		var out []rec
		months := []time.Time{g.w.asOf.AddDate(0, -3, 0), g.w.asOf.AddDate(0, -2, 0), g.w.asOf.AddDate(0, -1, 0)}
		for _, p := range g.w.people {
			a := g.w.age(p)
			if !p.local || p.movedOut || a < 60 && (p.male || a < 55) {
				continue
			}
			if p.dead && p.died.Before(months[0]) {
				continue
			}
			b := pick(g.r, banks)
			n, _ := strconv.Atoi(b[2])
			card := bankCard(g.r, b[1], n)
			benefit, amount := "城乡居民基础养老金", 380+g.r.IntN(220)
			if !p.home.rural && chance(g.r, 65) || p.home.rural && chance(g.r, 25) {
				benefit, amount = "基本养老金", 2600+g.r.IntN(4000)
			}
			for _, m := range months {
				month := time.Date(m.Year(), m.Month(), 1, 0, 0, 0, 0, time.UTC)
				if p.dead && !p.died.After(month) {
					out = append(out, pr(p, "pay_month", ym(month), "benefit_type", "丧葬补助金",
						"amount", strconv.Itoa(12000+g.r.IntN(8000)), "bank_name", b[0], "bank_card", card,
						"pay_date", ymd(month.AddDate(0, 0, 14)), "pay_status", "已发放"))
					break
				}
				out = append(out, pr(p, "pay_month", ym(month), "benefit_type", benefit, "amount", strconv.Itoa(amount),
					"bank_name", b[0], "bank_card", card, "pay_date", ymd(month.AddDate(0, 0, 14)),
					"pay_status", weighted(g.r, []string{"已发放", "暂停发放"}, []int{99, 1})))
			}
		}
		return out
	},
	"失业登记信息": func(g *gen) []rec {
		var out []rec
		for _, p := range g.w.people {
			a := g.w.age(p)
			if !p.alive() || a < 20 || a > 58 || p.job != nil && (p.job.at.public || p.job.self) || !chance(g.r, 7) {
				continue
			}
			on := g.day(g.w.asOf.AddDate(-3, 0, 0), g.w.asOf.AddDate(0, 0, -10))
			status := "失业"
			switch {
			case p.job != nil && p.job.since.After(on):
				status = "已就业"
			case p.job != nil:
				status = "注销"
			}
			reason := weighted(g.r, []string{"劳动合同期满", "用人单位解除", "本人辞职", "其他"}, []int{35, 30, 25, 10})
			out = append(out, pr(p, "unemployment_reg_date", ymd(on), "unemployment_reason", reason,
				"receiving_benefit", strconv.FormatBool(reason != "本人辞职" && chance(g.r, 60)),
				"reg_authority", p.home.d.cityName()+"就业管理服务中心", "status", status))
		}
		return out
	},
	"就业登记信息": func(g *gen) []rec {
		var out []rec
		for _, p := range g.w.people {
			if !p.alive() {
				continue
			}
			switch j := p.job; {
			case j != nil && j.self:
				out = append(out, pr(p, "employer_uscc", j.at.uscc, "employer_name", j.at.name, "employment_form", "自主创业",
					"employment_date", ymd(j.since), "job_title", j.title))
			case j != nil:
				form := "单位就业"
				if !j.at.public && chance(g.r, 2) {
					form = "公益性岗位"
				}
				out = append(out, pr(p, "employer_uscc", j.at.uscc, "employer_name", j.at.name, "employment_form", form,
					"employment_date", ymd(j.since), "job_title", j.title))
			case g.w.age(p) >= 20 && g.w.age(p) < 55 && chance(g.r, 12):
				out = append(out, pr(p, "employer_uscc", "", "employer_name", "", "employment_form", "灵活就业",
					"employment_date", ymd(g.recent(48)), "job_title", pick(g.r, []string{"网约车驾驶员", "外卖骑手", "家政服务员", "电商主播"})))
			}
		}
		return out
	},
	"职业技能等级证书信息": func(g *gen) []rec {
		occupations := []string{"电工", "焊工", "车工", "养老护理员", "保育师", "中式烹调师", "美容师", "茶艺师", "评茶员",
			"电梯安装维修工", "互联网营销师", "家具制作工", "育婴员", "汽车维修工", "服装制版师"}
		orgs := []string{"湖州市技师学院", "湖州职业技术学院", "湖州市太湖职业技能培训学校", "湖州市博远职业技能培训学校"}
		var out []rec
		for _, p := range g.w.people {
			j := p.job
			if j == nil || j.at.public || !p.alive() || !chance(g.r, 28) {
				continue
			}
			occ := pick(g.r, occupations)
			for _, o := range occupations {
				if o == j.title {
					occ = o
				}
			}
			issued := g.day(maxTime(j.since, time.Date(2019, 6, 1, 0, 0, 0, 0, time.UTC)), g.w.asOf.AddDate(0, 0, -5))
			org := pick(g.r, orgs)
			if chance(g.r, 30) {
				org = j.at.name // employers certify their own staff
			}
			cert := g.uniq(func(n int) string { return fmt.Sprintf("S0000%s%d%07d", p.home.d.code, issued.Year()%100, n) })
			out = append(out, pr(p, "cert_no", cert, "occupation", occ,
				"skill_level", weighted(g.r, []string{"五级/初级工", "四级/中级工", "三级/高级工", "二级/技师", "一级/高级技师"}, []int{30, 35, 25, 8, 2}),
				"issue_date", ymd(issued), "issuing_org", org))
		}
		return out
	},

	"出生医学证明信息": func(g *gen) []rec {
		var out []rec
		for _, p := range g.w.people {
			if !p.local || p.mother == nil || g.w.age(p) >= 6 {
				continue
			}
			h := g.w.maternity(districtOf(p.born))
			born := g.clock(p.birth, 0, 24)
			cert := g.uniq(func(n int) string { return fmt.Sprintf("%c%09d", "PQRST"[p.birth.Year()%5], n*1000+g.r.IntN(1000)) })
			father, fatherID := "", ""
			if p.father != nil {
				father, fatherID = p.father.name, p.father.id
			}
			born2, _ := ids.RegionName(p.born)
			out = append(out, pr(p, "cert_no", cert, "newborn_name", p.name, "birth_time", ymdhms(born),
				"birth_weight", strconv.Itoa(2600+g.r.IntN(1600)), "birth_place", born2,
				"mother_name", p.mother.name, "mother_id_card", p.mother.id, "father_name", father, "father_id_card", fatherID,
				"institution_name", h.name, "issue_date", ymd(g.day(p.birth.AddDate(0, 0, 1), p.birth.AddDate(0, 0, 6)))))
		}
		return out
	},
	"死亡医学证明信息": func(g *gen) []rec {
		causes := []string{"脑梗死", "肺恶性肿瘤", "慢性阻塞性肺疾病", "急性心肌梗死", "脑出血", "胃恶性肿瘤", "肝恶性肿瘤",
			"高血压性心脏病", "肺炎", "2型糖尿病并发症", "阿尔茨海默病"}
		var out []rec
		for _, p := range g.w.people {
			if !p.dead {
				continue
			}
			place := weighted(g.r, []string{"医疗卫生机构", "家中", "养老服务机构", "来院途中", "其他场所", "不详"}, []int{55, 30, 8, 3, 2, 2})
			h := g.w.clinicNear(g.r, p.home)
			cert := g.uniq(func(n int) string { return fmt.Sprintf("SW%s%d%05d", p.home.d.code, p.died.Year(), n%100_000) })
			out = append(out, pr(p, "cert_no", cert, "death_time", ymdhms(g.clock(p.died, 0, 24)), "death_place", place,
				"death_cause", pick(g.r, causes), "institution_name", h.name, "issue_date", ymd(g.day(p.died, p.died.AddDate(0, 0, 1)))))
		}
		return out
	},
	"执业医师注册信息": func(g *gen) []rec {
		var out []rec
		for _, p := range g.w.people {
			if p.job == nil || p.job.title != "医师" {
				continue
			}
			at := p.job.at
			kind := weighted(g.r, []string{"临床", "中医", "口腔", "公共卫生"}, []int{75, 12, 6, 7})
			scope := map[string]string{"中医": pick(g.r, []string{"中医专业", "中西医结合专业"}), "口腔": "口腔专业", "公共卫生": "公共卫生类别专业",
				"临床": pick(g.r, []string{"内科专业", "外科专业", "妇产科专业", "儿科专业", "眼耳鼻咽喉科专业", "医学影像和放射治疗专业", "全科医学专业", "精神卫生专业", "急救医学专业"})}[kind]
			reg := g.day(p.job.since, p.job.since.AddDate(0, 2, 0))
			no := g.uniq(func(n int) string { return fmt.Sprintf("1%02d%s%06d", 10+g.r.IntN(4), at.d.code, n) })
			qual := g.uniq(func(n int) string {
				return fmt.Sprintf("%d%d%d%s%010d", reg.Year()-1, 1+g.r.IntN(4), 1, at.d.code, n*1000+g.r.IntN(1000))
			})
			out = append(out, pr(p, "practice_cert_no", no, "practice_type", kind, "practice_scope", scope,
				"institution_name", at.name, "reg_date", ymd(reg), "qualification_cert_no", qual))
		}
		return out
	},
	"预防接种信息": func(g *gen) []rec {
		schedule := []struct {
			vaccine string
			dose    int
			months  int
		}{
			{"乙肝疫苗", 1, 0}, {"卡介苗", 1, 0}, {"乙肝疫苗", 2, 1}, {"脊灰灭活疫苗", 1, 2}, {"脊灰灭活疫苗", 2, 3},
			{"百白破疫苗", 1, 3}, {"脊灰减毒活疫苗", 1, 4}, {"百白破疫苗", 2, 4}, {"百白破疫苗", 3, 5}, {"乙肝疫苗", 3, 6},
			{"A群流脑多糖疫苗", 1, 6}, {"麻腮风疫苗", 1, 8}, {"乙脑减毒活疫苗", 1, 8}, {"A群流脑多糖疫苗", 2, 9},
			{"麻腮风疫苗", 2, 18}, {"百白破疫苗", 4, 18}, {"甲肝减毒活疫苗", 1, 18}, {"乙脑减毒活疫苗", 2, 24},
			{"A群C群流脑多糖疫苗", 1, 36}, {"脊灰减毒活疫苗", 2, 48}, {"A群C群流脑多糖疫苗", 2, 72}, {"白破疫苗", 1, 72},
		}
		var out []rec
		for _, p := range g.w.people {
			if !p.local || p.dead || g.w.age(p) > 7 {
				continue
			}
			site := g.w.clinicNear(g.r, p.home).name + "预防接种门诊"
			for _, s := range schedule {
				on := p.birth.AddDate(0, s.months, g.r.IntN(10))
				if s.months == 0 {
					on = p.birth
				}
				if !on.Before(g.w.asOf) || chance(g.r, 2) {
					continue
				}
				where := site
				if s.months == 0 {
					where = g.w.maternity(districtOf(p.born)).name
				}
				out = append(out, pr(p, "vaccine_name", s.vaccine, "dose_no", strconv.Itoa(s.dose), "vaccination_date", ymd(on),
					"vaccine_batch", fmt.Sprintf("%d%02d%03d", on.Year()-1, 1+g.r.IntN(12), g.r.IntN(1000)), "vaccination_site", where))
			}
		}
		return out
	},
	"严重精神障碍患者信息": func(g *gen) []rec {
		var out []rec
		for _, p := range g.w.people {
			a := g.w.age(p)
			if !p.local || p.movedOut || a < 18 || a > 75 || p.id == CitizenIDCard || !chance(g.r, 1) {
				continue
			}
			var guardian *person
			for _, q := range []*person{p.spouse, p.father, p.mother} {
				if q != nil && q.alive() {
					guardian = q
					break
				}
			}
			gName, gPhone := "", ""
			if guardian != nil {
				gName, gPhone = guardian.name, guardian.phone
			}
			status := weighted(g.r, []string{"在管", "失访", "迁出"}, []int{90, 6, 4})
			if p.dead {
				status = "死亡"
			}
			out = append(out, pr(p, "diagnosis", pick(g.r, []string{"精神分裂症", "双相情感障碍", "偏执性精神病", "分裂情感性障碍", "癫痫所致精神障碍", "精神发育迟滞伴发精神障碍"}),
				"risk_level", weighted(g.r, []string{"0级", "1级", "2级", "3级", "4级", "5级"}, []int{40, 35, 15, 7, 2, 1}),
				"management_status", status, "guardian_name", gName, "guardian_phone", gPhone))
		}
		return out
	},

	"婚姻登记信息": func(g *gen) []rec {
		var out []rec
		cert := func(prefix string, p *person, on time.Time) string {
			return g.uniq(func(n int) string { return fmt.Sprintf("%s%s-%d-%06d", prefix, p.hukou, on.Year(), n) })
		}
		add := func(kind, prefix string, h, wf *person, on time.Time) {
			d := districtOf(h.hukou)
			out = append(out, vr("cert_no", cert(prefix, h, on), "reg_type", kind, "male_name", h.name, "male_id_card", h.id,
				"female_name", wf.name, "female_id_card", wf.id, "reg_date", ymd(on), "reg_authority", d.civilBureau()))
		}
		for _, h := range g.w.people {
			if !h.male || !h.local {
				continue
			}
			switch {
			case h.spouse != nil && !h.married.IsZero():
				add("结婚登记", "J", h, h.spouse, h.married)
				if chance(g.r, 3) {
					add("补领结婚证", "BJ", h, h.spouse, g.day(h.married.AddDate(2, 0, 0), g.w.asOf))
				}
			case h.exSpouse != nil:
				add("结婚登记", "J", h, h.exSpouse, h.married)
				add("离婚登记", "L", h, h.exSpouse, h.divorced)
			}
		}
		return out
	},
	"收养登记信息": func(g *gen) []rec {
		var out []rec
		for _, c := range g.w.people {
			if c.father == nil || c.mother == nil || c.id == CitizenIDCard || c.father.id == CitizenIDCard || !chance(g.r, 1) {
				continue
			}
			on := g.day(c.birth.AddDate(1, 0, 0), c.birth.AddDate(6, 0, 0))
			if !on.Before(g.w.asOf) {
				continue
			}
			d := districtOf(c.father.hukou)
			kind := "收养登记"
			if len(out) == 3 {
				kind = "解除收养关系登记"
			}
			cert := g.uniq(func(n int) string { return fmt.Sprintf("SY%s-%d-%04d", d.code, on.Year(), n%10_000) })
			out = append(out, vr("cert_no", cert, "reg_type", kind, "adopter_name", c.father.name, "adopter_id_card", c.father.id,
				"adoptee_name", c.name, "adoptee_gender", sex(c), "adoptee_birth_date", ymd(c.birth), "reg_date", ymd(on),
				"reg_authority", d.civilBureau()))
		}
		return out
	},
	"低保对象信息": func(g *gen) []rec {
		const standard = 1245 // 元/人/月, 湖州 2025
		var out []rec
		for _, p := range g.w.people {
			if !p.local || !p.alive() || p.relation != "户主" || p.job != nil || g.w.age(p) < 30 || p.id == CitizenIDCard || !chance(g.r, 25) {
				continue
			}
			size := 0
			phone := p.phone
			for _, m := range p.hh.members {
				if m.alive() {
					size++
					if phone == "" {
						phone = m.phone
					}
				}
			}
			if size < 2 && g.w.age(p) >= 60 {
				continue // single elders are supported as 特困人员
			}
			kind := "城市低保"
			if p.home.rural {
				kind = "农村低保"
			}
			out = append(out, pr(p, "phone", phone, "address", p.homeAddr, "assistance_category", kind,
				"household_size", strconv.Itoa(size), "monthly_amount", strconv.Itoa(standard*size*(40+g.r.IntN(61))/100),
				"approval_date", ymd(g.recent(60)), "region_code", p.hh.place.d.code,
				"status", weighted(g.r, []string{"在保", "停保", "退保"}, []int{85, 10, 5})))
		}
		return out
	},
	"特困人员信息": func(g *gen) []rec {
		var out []rec
		for _, p := range g.w.people {
			if !p.local || !p.alive() || g.w.age(p) < 60 || len(p.hh.members) > 1 || !chance(g.r, 30) {
				continue
			}
			mode := weighted(g.r, []string{"分散供养", "集中供养"}, []int{70, 30})
			out = append(out, pr(p, "address", p.homeAddr, "support_mode", mode,
				"self_care_ability", weighted(g.r, []string{"完全自理", "部分失能", "完全失能"}, []int{60, 30, 10}),
				"basic_support_amount", "1620", "approval_date", ymd(g.recent(84)),
				"status", weighted(g.r, []string{"在册", "终止供养"}, []int{92, 8})))
		}
		return out
	},
	"临时救助信息": func(g *gen) []rec {
		var out []rec
		for _, p := range g.w.people {
			if !p.local || !p.alive() || g.w.age(p) < 18 || p.id == CitizenIDCard || !chance(g.r, 4) {
				continue
			}
			reason := weighted(g.r, []string{"急难型", "支出型"}, []int{40, 60})
			amount := 500 + g.r.IntN(4500)
			if reason == "支出型" {
				amount = 2000 + g.r.IntN(28000)
			}
			on := g.recent(36)
			unit := p.home.d.name + p.home.town + "人民政府"
			if !p.home.rural {
				unit = p.home.d.name + p.home.town + "办事处"
			}
			no := g.uniq(func(n int) string { return fmt.Sprintf("LS%s%d%05d", p.home.d.code, on.Year(), n%100_000) })
			out = append(out, pr(p, "assistance_no", no, "assistance_reason", reason, "amount", strconv.Itoa(amount/10*10),
				"approval_date", ymd(on), "handling_unit", unit))
		}
		return out
	},
	"殡葬火化信息": func(g *gen) []rec {
		homes := map[string]string{RegionWuxing: "湖州市殡仪馆", RegionNanxun: "湖州市南浔区殡仪馆", RegionDeqing: "德清县殡仪馆",
			RegionChangxing: "长兴县殡仪馆", RegionAnji: "安吉县殡仪馆"}
		var out []rec
		for _, p := range g.w.people {
			if !p.dead {
				continue
			}
			no := g.uniq(func(n int) string { return fmt.Sprintf("HH%s%d%05d", p.home.d.code, p.died.Year(), n%100_000) })
			out = append(out, pr(p, "cremation_cert_no", no, "death_date", ymd(p.died),
				"cremation_date", ymd(g.day(p.died.AddDate(0, 0, 1), p.died.AddDate(0, 0, 3))),
				"funeral_home", homes[p.home.d.code], "address", p.hukouAddr))
		}
		return out
	},
}

// idCardValidity is the validity of a person's current identity card:
// 5 years when issued under 16, 10 years from 16 to 25, 20 years from 26
// to 45, and for good from 46 (valid_until empty).
func idCardValidity(g *gen, p *person) (time.Time, string) {
	issued := p.birth.AddDate(16, 0, g.r.IntN(200))
	if g.w.age(p) < 16 {
		issued = g.day(p.birth.AddDate(0, 3, 0), g.w.asOf.AddDate(0, 0, -5))
	}
	if y := time.Date(2004, 1, 1, 0, 0, 0, 0, time.UTC); issued.Before(y) {
		issued = g.day(y, y.AddDate(4, 0, 0)) // second-generation cards from 2004
	}
	for {
		age := yearsBetween(p.birth, issued)
		var years int
		switch {
		case age < 16:
			years = 5
		case age <= 25:
			years = 10
		case age <= 45:
			years = 20
		default:
			return issued, ""
		}
		until := issued.AddDate(years, 0, 0)
		if until.After(g.w.asOf) {
			return issued, ymd(until)
		}
		issued = until.AddDate(0, 0, -g.r.IntN(60))
	}
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// maternity returns the hospital of district d where babies are born.
func (w *world) maternity(d *district) *institution {
	for _, h := range w.hospitals[:len(hospitalList)] {
		if h.place.d == d && h.kind == "综合医院" {
			return h
		}
	}
	return w.hospitals[4] // 湖州市妇幼保健院
}

// hospitalIn returns one of the hospitals of district d.
func (w *world) hospitalIn(r *rand.Rand, d *district) *institution {
	var hs []*institution
	for _, h := range w.hospitals[:len(hospitalList)] {
		if h.place.d == d {
			hs = append(hs, h)
		}
	}
	if len(hs) == 0 {
		return w.hospitals[0]
	}
	return hs[r.IntN(len(hs))]
}

// clinicNear returns the community health centre or township hospital of
// pl's town, or else a hospital of its district.
func (w *world) clinicNear(r *rand.Rand, pl place) *institution {
	var inDistrict []*institution
	for _, h := range w.hospitals {
		if h.place.d != pl.d || h.kind == "诊所" || h.kind == "门诊部" {
			continue
		}
		if h.place.town == pl.town && (h.kind == "社区卫生服务中心" || h.kind == "乡镇卫生院") {
			return h
		}
		inDistrict = append(inDistrict, h)
	}
	if len(inDistrict) == 0 {
		return w.hospitals[0]
	}
	return inDistrict[r.IntN(len(inDistrict))]
}
