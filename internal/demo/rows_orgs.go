package demo

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Rows of the resources about companies, individual businesses and
// institutions, and of the data bureau's service records.

// party is whoever a licence or a penalty is about.
type party struct {
	name, uscc, rep string
	d               *district
	addr            string
	food            bool
}

func companyParty(c *company) party {
	return party{c.name, c.uscc, c.rep.name, c.place.d, c.addr, c.industry.code == "H6210" || c.industry.code == "F5212"}
}

func shopParty(s *shop) party {
	return party{s.name, s.uscc, s.operator.name, s.place.d, s.addr, s.kind.food}
}

// docAbbr is how the market regulators of a district abbreviate their
// name in document numbers: 湖市监处罚〔2025〕12号.
var docAbbr = map[string]string{RegionWuxing: "吴", RegionNanxun: "浔", RegionDeqing: "德", RegionChangxing: "长", RegionAnji: "安"}

// docNo returns an unused document number of a regulator: the city's or
// the district's.
func (g *gen) docNo(d *district, kind string, on time.Time) (string, string) {
	abbr, authority := "湖", "湖州市市场监督管理局"
	if chance(g.r, 70) {
		abbr, authority = docAbbr[d.code], d.marketBureau()
	}
	return g.uniq(func(n int) string { return fmt.Sprintf("%s市监%s〔%d〕%d号", abbr, kind, on.Year(), 1+n%900) }), authority
}

// civilAuthority is the civil affairs bureau that registered a social
// organisation: the city's for city-wide ones, else the district's.
func civilAuthority(s *institution) string {
	if strings.HasPrefix(s.name, s.place.d.cityName()) || strings.HasPrefix(s.name, s.place.d.name) {
		return s.place.d.civilBureau()
	}
	return "湖州市民政局"
}

// orgPlans generate the rows of the demo resources about organisations.
var orgPlans = map[string]plan{
	"法人基础信息": func(g *gen) []rec {
		var out []rec
		for _, c := range g.w.companies {
			out = append(out, cr(c))
		}
		return out
	},
	"营业执照信息": func(g *gen) []rec {
		var out []rec
		for _, c := range g.w.companies {
			if c.status == "注销" {
				continue
			}
			term := ""
			if chance(g.r, 45) {
				term = ymd(c.established.AddDate(pick(g.r, []int{20, 30, 50}), 0, -1))
			}
			out = append(out, cr(c, "business_term_until", term, "issue_date", ymd(g.day(c.established, g.w.asOf.AddDate(0, 0, -7)))))
		}
		return out
	},
	"企业年度报告信息": func(g *gen) []rec {
		var out []rec
		for _, c := range g.w.companies {
			if !c.active() || c.kind == "其他" {
				continue
			}
			for y := g.w.asOf.Year() - 3; y < g.w.asOf.Year(); y++ {
				if c.established.Year() >= y || chance(g.r, 4) {
					continue // not yet in business, or no report filed
				}
				assets := c.capital * (0.8 + 2*g.r.Float64())
				revenue := assets * (0.3 + 1.5*g.r.Float64())
				out = append(out, cr(c, "report_year", strconv.Itoa(y), "employee_count", strconv.Itoa(max(1, c.employees*(90+g.r.IntN(21))/100)),
					"total_assets", wan(assets), "total_revenue", wan(revenue), "total_tax", wan(revenue*(0.01+0.05*g.r.Float64())),
					"submit_date", ymd(g.day(time.Date(y+1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(y+1, 6, 30, 0, 0, 0, 0, time.UTC)))))
			}
		}
		return out
	},
	"个体工商户登记信息": func(g *gen) []rec {
		var out []rec
		for _, s := range g.w.shops {
			form := "个人经营"
			if s.family {
				form = "家庭经营"
			}
			out = append(out, pr(s.operator, "uscc", s.uscc, "trade_name", s.name, "composition_form", form, "org_address", s.addr,
				"business_scope", s.kind.scope, "reg_date", ymd(s.reg), "reg_status", s.status))
		}
		return out
	},
	"行政处罚信息": func(g *gen) []rec {
		violations := []struct {
			what, basis string
			food        bool
		}{
			{"销售不符合食品安全标准的食品", "《中华人民共和国食品安全法》第一百二十四条第一款", true},
			{"经营超过保质期的食品", "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项", true},
			{"未取得食品经营许可从事食品经营活动", "《中华人民共和国食品安全法》第一百二十二条第一款", true},
			{"发布虚假广告", "《中华人民共和国广告法》第五十五条第一款", false},
			{"虚假宣传", "《中华人民共和国反不正当竞争法》第二十条第一款", false},
			{"使用未经检定的计量器具", "《中华人民共和国计量法实施细则》第四十三条", false},
			{"生产销售不合格产品", "《中华人民共和国产品质量法》第四十九条", false},
			{"使用未经定期检验的特种设备", "《中华人民共和国特种设备安全法》第八十四条第一项", false},
			{"不按规定明码标价", "《中华人民共和国价格法》第四十二条", false},
			{"销售侵犯注册商标专用权的商品", "《中华人民共和国商标法》第六十条第二款", false},
		}
		var out []rec
		for range 160 {
			var p party
			if chance(g.r, 70) {
				p = companyParty(pick(g.r, g.w.companies))
			} else {
				p = shopParty(pick(g.r, g.w.shops))
			}
			v := pick(g.r, violations)
			if v.food && !p.food {
				v = violations[3+g.r.IntN(len(violations)-3)]
			}
			kind := weighted(g.r, []string{"罚款", "警告", "没收违法所得", "通报批评", "没收非法财物", "责令停产停业", "暂扣许可证件", "吊销许可证件"},
				[]int{55, 15, 12, 5, 5, 4, 2, 2})
			on := g.recent(36)
			fine := ""
			if kind == "罚款" || kind == "没收违法所得" {
				fine = wan(logUniform(g.r, 0.2, 20))
			}
			until := on.AddDate(1, 0, 0)
			switch kind {
			case "警告", "通报批评":
				until = on.AddDate(0, 3, 0)
			case "吊销许可证件", "责令停产停业":
				until = on.AddDate(3, 0, 0)
			}
			no, authority := g.docNo(p.d, "处罚", on)
			out = append(out, vr("decision_no", no, "party_name", p.name, "uscc", p.uscc, "legal_rep", p.rep, "violation_type", v.what,
				"penalty_basis", v.basis, "penalty_type", kind, "fine_amount", fine, "decision_date", ymd(on),
				"authority_name", authority, "publicity_until", ymd(until)))
		}
		return out
	},
	"行政许可信息": func(g *gen) []rec {
		licences := []struct {
			name, kind string
			contents   []string
			years      int
			food, make bool
		}{
			{"食品经营许可证", "普通", []string{"预包装食品（含冷藏冷冻食品）销售", "热食类食品制售", "散装食品销售"}, 5, true, false},
			{"工业产品生产许可证", "普通", []string{"电线电缆", "危险化学品包装物、容器", "建筑用钢筋", "人造板"}, 5, false, true},
			{"特种设备使用登记证", "登记", []string{"乘客电梯使用登记", "叉车使用登记", "压力容器使用登记"}, 0, false, false},
			{"营业执照", "登记", []string{"设立登记", "变更登记（住所）", "变更登记（经营范围）"}, 0, false, false},
			{"检验检测机构资质认定证书", "认可", []string{"建筑材料检验检测", "食品检验检测"}, 6, false, false},
			{"计量标准考核证书", "核准", []string{"衡器检定装置", "压力表检定装置"}, 4, false, false},
		}
		var out []rec
		for range 300 {
			l := pick(g.r, licences)
			var p party
			maker := false
			if chance(g.r, 75) {
				c := pick(g.r, g.w.companies)
				p, maker = companyParty(c), c.industry.code[0] == 'C'
			} else {
				p = shopParty(pick(g.r, g.w.shops))
			}
			if l.food && !p.food || l.make && !maker {
				l = licences[2+g.r.IntN(len(licences)-2)]
			}
			on := g.recent(48)
			until := ""
			if l.years > 0 {
				until = ymd(on.AddDate(l.years, 0, -1))
			}
			no, authority := g.docNo(p.d, "许", on)
			out = append(out, vr("decision_no", no, "license_name", l.name, "license_type", l.kind, "party_name", p.name, "uscc", p.uscc,
				"legal_rep", p.rep, "license_content", pick(g.r, l.contents), "decision_date", ymd(on), "valid_from", ymd(on),
				"valid_until", until, "authority_name", authority))
		}
		return out
	},
	"经营异常名录信息": func(g *gen) []rec {
		var out []rec
		for _, c := range g.w.companies {
			if c.status == "注销" || !chance(g.r, 12) {
				continue
			}
			reason := weighted(g.r, []string{"未按规定报送年度报告", "通过登记的住所或经营场所无法联系", "公示信息隐瞒真实情况弄虚作假", "未按规定公示即时信息"}, []int{70, 22, 4, 4})
			y := g.w.asOf.Year() - 1 - g.r.IntN(3)
			listed := g.day(time.Date(y, 7, 1, 0, 0, 0, 0, time.UTC), time.Date(y, 7, 31, 0, 0, 0, 0, time.UTC))
			if reason != "未按规定报送年度报告" {
				listed = g.recent(40)
			}
			if !listed.After(c.established) {
				continue
			}
			removed, why := "", ""
			if chance(g.r, 45) {
				removed = ymd(g.day(listed.AddDate(0, 1, 0), listed.AddDate(2, 0, 0)))
				why = map[string]string{"未按规定报送年度报告": "补报未报年份的年度报告并公示", "通过登记的住所或经营场所无法联系": "依法办理住所变更登记，恢复正常记载状态",
					"公示信息隐瞒真实情况弄虚作假": "更正其公示的信息", "未按规定公示即时信息": "补报未按规定公示的即时信息"}[reason]
			}
			out = append(out, cr(c, "listed_date", ymd(listed), "listed_reason", reason, "listed_authority", c.place.d.marketBureau(),
				"removed_date", removed, "removed_reason", why))
		}
		return out
	},
	"食品经营许可信息": func(g *gen) []rec {
		type holder struct {
			p      party
			format string
		}
		var hs []holder
		for _, c := range g.w.companies {
			if c.active() && (c.industry.code == "H6210" || c.industry.code == "F5212") {
				hs = append(hs, holder{companyParty(c), map[bool]string{true: "餐饮服务经营者", false: "食品销售经营者"}[c.industry.code == "H6210"]})
			}
		}
		for _, s := range g.w.shops {
			if s.kind.food && s.status == "存续" {
				format := "食品销售经营者"
				if strings.Contains(s.kind.scope, "餐饮") {
					format = "餐饮服务经营者"
				}
				hs = append(hs, holder{shopParty(s), format})
			}
		}
		for _, s := range g.w.schools {
			if s.kind != "幼儿园" && chance(g.r, 50) {
				hs = append(hs, holder{party{s.name, s.uscc, s.rep.name, s.place.d, s.addr, true}, "单位食堂"})
			}
		}
		items := map[string]string{"食品销售经营者": "预包装食品（含冷藏冷冻食品）销售；散装食品（不含冷藏冷冻食品）销售",
			"餐饮服务经营者": "热食类食品制售；冷食类食品制售", "单位食堂": "热食类食品制售"}
		digit := map[string]int{"食品销售经营者": 1, "餐饮服务经营者": 2, "单位食堂": 3}
		var out []rec
		for _, h := range hs {
			issued := g.recent(58)
			no := g.uniq(func(n int) string { return fmt.Sprintf("JY%d%s%06d%d", digit[h.format], h.p.d.code, n, g.r.IntN(10)) })
			out = append(out, vr("license_no", no, "operator_name", h.p.name, "uscc", h.p.uscc, "legal_rep", h.p.rep,
				"org_address", h.p.addr, "main_format", h.format, "business_items", items[h.format], "issue_date", ymd(issued),
				"valid_until", ymd(issued.AddDate(5, 0, -1)), "issuing_authority", h.p.d.marketBureau()))
		}
		return out
	},
	"单位参保缴费信息": func(g *gen) []rec {
		var out []rec
		for _, c := range g.w.companies {
			if !c.active() || c.kind == "合伙企业" {
				continue
			}
			arrears := chance(g.r, 4)
			base := 4462 + g.r.IntN(4000)
			for _, m := range []int{-3, -2, -1} {
				n := max(1, c.employees*(95+g.r.IntN(6))/100)
				out = append(out, cr(c, "contribution_month", ym(g.w.asOf.AddDate(0, m, 0)), "insured_headcount", strconv.Itoa(n),
					"total_contribution", yuan(int64(n*base)*100*255/1000), "in_arrears", strconv.FormatBool(arrears && m == -1)))
			}
		}
		return out
	},

	"医疗机构执业许可信息": func(g *gen) []rec {
		classes := map[string]string{"综合医院": "A1", "中医医院": "A2", "专科医院": "A5", "社区卫生服务中心": "B1", "乡镇卫生院": "C1", "门诊部": "D1", "诊所": "E1"}
		var out []rec
		for _, h := range g.w.hospitals {
			subjects := "预防保健科；全科医疗科；中医科；口腔科；医学检验科；医学影像科"
			switch {
			case h.kind == "综合医院":
				subjects = "预防保健科；内科；外科；妇产科；儿科；眼科；耳鼻咽喉科；口腔科；皮肤科；急诊医学科；康复医学科；麻醉科；医学检验科；医学影像科；中医科"
			case h.kind == "中医医院":
				subjects = "内科；外科；妇产科；儿科；针灸科；推拿科；康复医学科；中医科；医学检验科；医学影像科"
			case strings.Contains(h.name, "妇幼"):
				subjects = "妇产科；儿科；妇女保健科；儿童保健科；医学检验科；医学影像科"
			case h.kind == "专科医院":
				subjects = "精神科；内科；医学检验科；医学影像科"
			case strings.Contains(h.name, "口腔"):
				subjects = "口腔科"
			case strings.Contains(h.name, "中医"):
				subjects = "中医科"
			case h.kind == "诊所" || h.kind == "门诊部":
				subjects = "内科；医学检验科"
			}
			years := 5
			if h.beds >= 100 {
				years = 15
			}
			renewed := g.day(g.w.asOf.AddDate(-years, 0, 1), g.w.asOf.AddDate(0, -1, 0))
			owner := "私人"
			if h.public {
				owner = "全民"
			}
			beds := ""
			if h.beds > 0 {
				beds = strconv.Itoa(h.beds)
			}
			out = append(out, vr("reg_no", h.uscc[8:17]+h.place.d.code+"1"+classes[h.kind]+"1001", "institution_name", h.name, "uscc", h.uscc,
				"legal_rep", h.rep.name, "principal", h.head.name, "institution_type", h.kind, "ownership", owner, "org_address", h.addr,
				"beds", beds, "clinical_subjects", subjects, "valid_until", ymd(renewed.AddDate(years, 0, -1))))
		}
		return out
	},
	"医保定点医药机构信息": func(g *gen) []rec {
		var out []rec
		add := func(in *institution, prefix, kind, level string) {
			code := g.uniq(func(n int) string { return fmt.Sprintf("%s%s%05d", prefix, in.place.d.code, n%100_000) })
			out = append(out, vr("institution_code", code, "institution_name", in.name, "uscc", in.uscc, "institution_type", kind,
				"hospital_level", level, "org_address", in.addr, "agreement_start", ymd(g.day(time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC), g.w.asOf.AddDate(0, -1, 0)))))
		}
		for _, h := range g.w.hospitals {
			level := h.level
			if level == "" {
				if !chance(g.r, 50) {
					continue
				}
				level = "未定级"
			}
			add(h, "H", "定点医疗机构", level)
		}
		for _, p := range g.w.pharmacies {
			add(p, "P", "定点零售药店", "")
		}
		return out
	},
	"社会组织登记信息": func(g *gen) []rec {
		var out []rec
		for _, s := range g.w.socialOrgs {
			capital := map[string][2]float64{"社会团体": {3, 50}, "民办非企业单位": {3, 100}, "基金会": {200, 2000}}[s.kind]
			out = append(out, vr("uscc", s.uscc, "org_name", s.name, "org_type", s.kind, "legal_rep", s.rep.name, "supervisor", s.supervisor,
				"reg_capital", wan(float64(int(logUniform(g.r, capital[0], capital[1])))), "org_address", s.addr, "business_scope", s.topic,
				"establish_date", ymd(s.established), "reg_status", weighted(g.r, []string{"正常", "撤销", "注销"}, []int{92, 3, 5}),
				"reg_authority", civilAuthority(s)))
		}
		return out
	},
	"养老机构备案信息": func(g *gen) []rec {
		var out []rec
		for _, h := range g.w.homes {
			on := g.day(time.Date(2019, 3, 1, 0, 0, 0, 0, time.UTC), g.w.asOf.AddDate(0, 0, -5))
			no := g.uniq(func(n int) string { return fmt.Sprintf("YL%s%d%03d", h.place.d.code, on.Year(), n%1000) })
			out = append(out, vr("record_no", no, "institution_name", h.name, "uscc", h.uscc, "legal_rep", h.rep.name, "org_address", h.addr,
				"beds", strconv.Itoa(h.beds), "operation_mode", h.kind, "phone", h.phone, "record_date", ymd(on)))
		}
		return out
	},
	"学校基本信息": func(g *gen) []rec {
		var out []rec
		for _, s := range g.w.schools {
			n := map[string][2]int{"幼儿园": {150, 600}, "小学": {600, 2500}, "初级中学": {500, 1800}, "九年一贯制学校": {1000, 2500},
				"高级中学": {1500, 3000}, "中等职业学校": {1500, 4000}}[s.kind]
			nature := "公办"
			if !s.public {
				nature = "民办"
			}
			code := g.uniq(func(n int) string { return fmt.Sprintf("2133%06d", n) })
			out = append(out, vr("school_code", code, "school_name", s.name, "uscc", s.uscc, "school_type", s.kind, "school_nature", nature,
				"org_address", s.addr, "principal", s.head.name, "phone", s.phone, "student_count", strconv.Itoa(n[0]+g.r.IntN(n[1]-n[0]))))
		}
		return out
	},

	"国有土地使用权出让信息": func(g *gen) []rec {
		var developers []*company
		for _, c := range g.w.companies {
			if c.industry.code == "K7010" && c.active() && strings.HasSuffix(c.name, "公司") {
				developers = append(developers, c)
			}
		}
		var out []rec
		for range 80 {
			use := weighted(g.r, []string{"住宅用地", "商服用地", "工矿仓储用地", "公共管理与公共服务用地", "其他用地"}, []int{30, 15, 45, 5, 5})
			c := pick(g.r, g.w.companies)
			if (use == "住宅用地" || use == "商服用地") && len(developers) > 0 {
				c = pick(g.r, developers)
			}
			d := c.place.d
			var area, ratio, price float64
			method, years := "挂牌出让", 50
			switch use {
			case "住宅用地":
				area, ratio, years = 20_000+g.r.Float64()*100_000, 1.6+g.r.Float64()*0.9, 70
				price = area * ratio * (0.5 + g.r.Float64()*0.7) / 10 // 万元
				method = weighted(g.r, []string{"挂牌出让", "拍卖出让", "招标出让"}, []int{70, 25, 5})
			case "商服用地":
				area, ratio, years = 3000+g.r.Float64()*37_000, 2+g.r.Float64()*2, 40
				price = area * ratio * (0.3 + g.r.Float64()*0.4) / 10
			default:
				area, ratio = 10_000+g.r.Float64()*140_000, 1.2+g.r.Float64()*0.8
				price = area * (0.03 + g.r.Float64()*0.03)
				if chance(g.r, 15) {
					method = "协议出让"
				}
			}
			on := g.recent(48)
			no := g.uniq(func(n int) string { return fmt.Sprintf("%s%d%c%05d", d.code, on.Year(), "AB"[g.r.IntN(2)], n%100_000) })
			parcel := g.uniq(func(n int) string { return fmt.Sprintf("%s%d-%03d号地块", d.short, on.Year(), 1+n%300) })
			town := pick(g.r, append(append([]string(nil), d.streets...), d.towns...))
			out = append(out, vr("contract_no", no, "parcel_no", parcel,
				"location", fmt.Sprintf("%s%s%s以东、%s以北", d.name, town, pick(g.r, d.roads), pick(g.r, townRoads)),
				"land_area", wan(area), "land_use", use, "supply_method", method, "transaction_price", wan(price),
				"use_term_years", strconv.Itoa(years), "assignee", c.name, "assignee_uscc", c.uscc, "plot_ratio", wan(ratio),
				"contract_date", ymd(on)))
		}
		return out
	},
	"建设工程规划许可信息": func(g *gen) []rec {
		var out []rec
		for range 100 {
			c := pick(g.r, g.w.companies)
			d := c.place.d
			project := strings.TrimSuffix(strings.TrimSuffix(c.name, "有限公司"), "股份") + pick(g.r, []string{"新建厂房项目", "年产扩能技改项目", "研发楼项目", "仓储用房项目"})
			if c.industry.code == "K7010" {
				project = pick(g.r, d.roads) + pick(g.r, brands) + pick(g.r, []string{"府", "苑", "花园"}) + "项目（" + pick(g.r, []string{"一期", "二期"}) + "）"
			}
			on := g.recent(36)
			no := g.uniq(func(n int) string { return fmt.Sprintf("建字第%s%d%05d号", d.code, on.Year(), n%100_000) })
			out = append(out, vr("permit_no", no, "project_name", project, "builder", c.name, "builder_uscc", c.uscc,
				"location", d.name+c.place.town+pick(g.r, d.roads)+"以南", "building_area", wan(logUniform(g.r, 2000, 150_000)),
				"issue_date", ymd(on)))
		}
		return out
	},

	"纳税信用等级信息": func(g *gen) []rec {
		var out []rec
		for _, c := range g.w.companies {
			if c.status == "注销" || c.status == "迁出" {
				continue
			}
			for y := g.w.asOf.Year() - 3; y < g.w.asOf.Year(); y++ {
				if c.established.Year() >= y {
					continue
				}
				level := weighted(g.r, []string{"A", "B", "M", "C", "D"}, []int{20, 55, 15, 7, 3})
				if c.status == "吊销" {
					level = "D"
				}
				out = append(out, cr(c, "eval_year", strconv.Itoa(y), "credit_level", level,
					"eval_date", ymd(g.day(time.Date(y+1, 4, 1, 0, 0, 0, 0, time.UTC), time.Date(y+1, 4, 30, 0, 0, 0, 0, time.UTC)))))
			}
		}
		return out
	},
	"税务登记信息": func(g *gen) []rec {
		var out []rec
		for _, c := range g.w.companies {
			status := map[string]string{"吊销": "非正常", "注销": "注销", "迁出": "注销"}[c.status]
			if status == "" {
				status = weighted(g.r, []string{"正常", "非正常", "停业", "清算"}, []int{94, 3, 2, 1})
			}
			kind := "小规模纳税人"
			if c.general {
				kind = "增值税一般纳税人"
			}
			out = append(out, cr(c, "taxpayer_status", status, "taxpayer_type", kind,
				"reg_date", ymd(g.day(c.established, c.established.AddDate(0, 1, 0))), "finance_phone", g.w.mobile()))
		}
		for _, s := range g.w.shops {
			status := map[string]string{"存续": "正常", "注销": "注销", "吊销": "非正常"}[s.status]
			out = append(out, vr("uscc", s.uscc, "taxpayer_name", s.name, "legal_rep", s.operator.name, "taxpayer_status", status,
				"taxpayer_type", "小规模纳税人", "tax_authority", s.place.d.taxBureau(),
				"reg_date", ymd(g.day(s.reg, s.reg.AddDate(0, 1, 0))), "finance_phone", s.operator.phone))
		}
		return out
	},

	"道路运输经营许可信息": func(g *gen) []rec {
		var out []rec
		for _, c := range g.w.carriers() {
			issued := g.recent(96)
			until := issued.AddDate(pick(g.r, []int{4, 8}), 0, -1)
			status := weighted(g.r, []string{"有效", "注销", "吊销"}, []int{92, 6, 2})
			if !c.active() {
				status = "注销"
			}
			if status == "有效" && until.Before(g.w.asOf) {
				status = "过期"
			}
			scope := "道路普通货物运输"
			if c.industry.code == "G5431" && chance(g.r, 30) {
				scope = pick(g.r, []string{"道路普通货物运输；货物专用运输（集装箱）", "道路危险货物运输（2类1项、3类）", "道路普通货物运输；大型物件运输"})
			}
			no := g.uniq(func(n int) string { return fmt.Sprintf("浙交运管许可湖字%s%06d号", c.place.d.code, n) })
			out = append(out, cr(c, "permit_no", no, "business_scope", scope, "issue_date", ymd(issued), "valid_until", ymd(until),
				"permit_status", status))
		}
		return out
	},
	"营运车辆道路运输证信息": func(g *gen) []rec {
		carriers := g.w.carriers()
		kinds := [][2]string{{"重型半挂牵引车", "40吨"}, {"重型仓栅式货车", "18吨"}, {"重型厢式货车", "15吨"}, {"轻型厢式货车", "1.5吨"},
			{"中型普通客车", "19座"}, {"大型普通客车", "49座"}}
		var out []rec
		for range 160 {
			c := pick(g.r, carriers)
			k := pick(g.r, kinds[:4])
			if chance(g.r, 8) {
				k = pick(g.r, kinds[4:])
			}
			plate := g.uniq(func(n int) string { return fmt.Sprintf("浙E%c%04d", plateLetters[n%len(plateLetters)], n%10_000) })
			issued := g.recent(36)
			no := g.uniq(func(n int) string { return fmt.Sprintf("浙交运管湖字%s%06d号", c.place.d.code, n) })
			out = append(out, cr(c, "transport_cert_no", no, "plate_no", plate, "operator_name", c.name,
				"vehicle_type", k[0], "tonnage_seats", k[1], "issue_date", ymd(issued), "valid_until", ymd(issued.AddDate(3, 0, -1))))
		}
		return out
	},

	"政务服务办件信息":          servicesCases,
	"12345政务服务便民热线工单信息": hotlineTickets,
}
