package demo

import (
	"fmt"
	"strings"
	"time"
)

// Rows of the data bureau's resources: government service cases and 12345
// hotline tickets.

// serviceItem is a government service (政务服务事项) and who applies for it.
type serviceItem struct {
	code, name, dept string
	company          bool
}

var serviceItems = []serviceItem{
	{"330217003000", "居民身份证换领", "湖州市公安局", false},
	{"330217019000", "户口迁移", "湖州市公安局", false},
	{"330217044000", "机动车驾驶证换证", "湖州市公安局交通警察支队", false},
	{"330220001000", "结婚登记", "湖州市民政局", false},
	{"330220012000", "最低生活保障对象认定", "湖州市民政局", false},
	{"330222005000", "出生医学证明首次签发", "湖州市卫生健康委员会", false},
	{"330213003000", "住房公积金提取", "湖州市住房公积金管理中心", false},
	{"330219002000", "社会保障卡申领", "湖州市人力资源和社会保障局", false},
	{"330219045000", "失业保险金申领", "湖州市人力资源和社会保障局", false},
	{"330224013000", "城乡居民基本医疗保险参保登记", "湖州市医疗保障局", false},
	{"330229008000", "不动产转移登记", "湖州市自然资源和规划局", false},
	{"330221011000", "义务教育阶段学生转学", "湖州市教育局", false},
	{"330218027000", "个体工商户设立登记", "湖州市市场监督管理局", false},
	{"330218001000", "公司设立登记", "湖州市市场监督管理局", true},
	{"330218041000", "食品经营许可", "湖州市市场监督管理局", true},
	{"330215018000", "道路货物运输经营许可", "湖州市交通运输局", true},
	{"330230002000", "纳税信用等级证明开具", "国家税务总局湖州市税务局", true},
}

// servicesCases are cases of the one-stop government service platform:
// who applied for what, by which channel, and how it ended. The demo
// citizen has three of them.
func servicesCases(g *gen) []rec {
	var out []rec
	add := func(it serviceItem, name, id string, d *district, at time.Time) {
		channel := weighted(g.r, []string{"浙里办", "窗口", "自助终端", "浙政钉"}, []int{45, 40, 10, 5})
		accepted := g.clock(at, 8, 17)
		if channel == "浙里办" {
			accepted = g.clock(at, 7, 23)
		}
		finished, result := "", ""
		if done := accepted.Add(time.Duration(1+g.r.IntN(15*24)) * time.Hour); done.Before(g.w.asOf) && chance(g.r, 95) {
			finished = ymdhms(done)
			result = weighted(g.r, []string{"办结", "退回", "不予受理", "不予许可"}, []int{88, 6, 4, 2})
		}
		no := g.uniq(func(n int) string { return fmt.Sprintf("%s%s%06d", d.code, at.Format("20060102"), n) })
		out = append(out, vr("case_no", no, "item_code", it.code, "item_name", it.name, "applicant_name", name, "applicant_id_no", id,
			"handling_dept", it.dept, "channel", channel, "accept_time", ymdhms(accepted), "finish_time", finished, "result", result))
	}
	li := g.w.byID[CitizenIDCard]
	for _, i := range []int{6, 7, 9} { // housing fund, social security card, the children's health insurance
		add(serviceItems[i], li.name, li.id, li.home.d, g.recent(6))
	}
	for range 800 {
		it := pick(g.r, serviceItems)
		if it.company {
			c := pick(g.r, g.w.companies)
			if strings.ContainsRune(c.name, '（') {
				continue // the applicant field takes names without brackets
			}
			add(it, c.name, "", c.place.d, g.recent(6))
			continue
		}
		p := g.w.people[g.r.IntN(len(g.w.people))]
		if !p.alive() || g.w.age(p) < 18 {
			continue
		}
		add(it, p.name, p.id, p.home.d, g.recent(6))
	}
	return out
}

// hotlineTickets are calls to the 12345 hotline.
func hotlineTickets(g *gen) []rec {
	type topic struct {
		kind, text, dept string
		place            bool // text has a %s for a place
	}
	topics := []topic{
		{"投诉", "反映%s附近夜间施工噪音扰民，影响休息，希望相关部门尽快处理。", "综合行政执法局", true},
		{"投诉", "反映%s有商户占道经营，影响通行。", "综合行政执法局", true},
		{"投诉", "反映所住小区电梯经常故障，物业维修不及时。", "住房和城乡建设局", false},
		{"投诉", "反映%s路段路灯损坏多日未修。", "综合行政执法局", true},
		{"投诉", "反映%s周边餐饮店油烟扰民。", "生态环境局", true},
		{"咨询", "咨询新生儿医保参保办理流程和所需材料。", "医疗保障局", false},
		{"咨询", "咨询住房公积金提取条件及办理渠道。", "住房公积金管理中心", false},
		{"咨询", "咨询灵活就业人员社保缴费标准。", "人力资源和社会保障局", false},
		{"咨询", "咨询居住证办理条件和所需材料。", "公安局", false},
		{"咨询", "咨询义务教育阶段转学手续。", "教育局", false},
		{"求助", "所住楼道下水管堵塞外溢，请求协调处理。", "住房和城乡建设局", false},
		{"求助", "%s附近有井盖缺失，存在安全隐患，请求尽快处置。", "综合行政执法局", true},
		{"举报", "举报%s有无证经营的食品小作坊。", "市场监督管理局", true},
		{"举报", "举报%s附近有人向河道倾倒垃圾。", "生态环境局", true},
		{"建议", "建议在%s增设公交站点，方便居民出行。", "交通运输局", true},
		{"建议", "建议在%s附近增加公共停车位。", "综合行政执法局", true},
		{"表扬", "表扬政务服务中心窗口工作人员服务热情、办事高效。", "大数据发展管理局", false},
	}
	var out []rec
	for range 500 {
		t := pick(g.r, topics)
		d := pickDistrict(g.r)
		pl := pickPlace(g.r, d, 35)
		road := pick(g.r, d.roads)
		if pl.rural {
			road = pick(g.r, townRoads)
		}
		addr := fmt.Sprintf("%s%s%s%d号", d.prefixName(), pl.town, road, 1+g.r.IntN(600))
		content := t.text
		if t.place {
			content = fmt.Sprintf(t.text, pl.town+road)
		}
		phone := mobile(g.r)
		if p := g.w.people[g.r.IntN(len(g.w.people))]; p.alive() && p.phone != "" {
			phone = p.phone
		}
		dept := d.cityName() + t.dept
		if t.dept == "住房公积金管理中心" || t.dept == "大数据发展管理局" || t.dept == "生态环境局" || t.dept == "医疗保障局" {
			dept = "湖州市" + t.dept
		}
		at := g.clock(g.recent(6), 0, 24)
		status := weighted(g.r, []string{"已回访", "已办结", "办理中", "已受理"}, []int{55, 35, 7, 3})
		if g.w.asOf.Sub(at) < 10*24*time.Hour {
			status = weighted(g.r, []string{"已办结", "办理中", "已受理"}, []int{40, 40, 20})
		}
		satisfaction := ""
		if status == "已回访" {
			satisfaction = weighted(g.r, []string{"满意", "基本满意", "不满意"}, []int{75, 18, 7})
		}
		no := g.uniq(func(n int) string { return fmt.Sprintf("GD%s%05d", at.Format("20060102"), n%100_000) })
		out = append(out, vr("ticket_no", no, "caller_phone", phone, "appeal_type", t.kind, "content", content, "address", addr,
			"accept_time", ymdhms(at), "handling_dept", dept, "status", status, "satisfaction", satisfaction))
	}
	return out
}
