package demo

import (
	"fmt"
	"strings"
	"time"
)

// Homes and vehicles of the demo population.

// unit is a piece of real estate (不动产单元).
type unit struct {
	no       string // 28-character 不动产单元号
	certNo   string // 不动产权证书号
	owner    *person
	place    place
	location string
	rural    bool // a house on a homestead (宅基地)
	nature   string
	usage    string
	area     float64 // building area, m²
	land     float64 // land area, m²
	shared   bool    // held with a spouse
	reg      time.Time
	loan     *loan
}

type loan struct {
	contract string
	amount   int
	months   int
	on       time.Time
	status   string
}

func (w *world) newUnit(owner *person, pl place, addr string) *unit {
	r := w.r
	u := &unit{owner: owner, place: pl, location: addr, rural: strings.Contains(addr, "村"), usage: "住宅"}
	zd := "GB"
	if u.rural {
		zd = "JC"
	}
	for {
		u.no = fmt.Sprintf("%s%03d%03d%s%05dF%04d%04d", pl.d.code, 1+r.IntN(12), 1+r.IntN(30), zd, 1+r.IntN(2000), 1+r.IntN(40), 101+r.IntN(1800))
		if w.unique(u.no) {
			break
		}
	}
	from := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	if b := owner.birth.AddDate(22, 0, 0); b.After(from) {
		from = b
	}
	if from.After(w.asOf) {
		from = w.asOf.AddDate(-1, 0, 0)
	}
	u.reg = day(r, from, w.asOf.AddDate(0, 0, -10))
	if owner.id == CitizenIDCard {
		u.reg = time.Date(2014, 3, 18, 0, 0, 0, 0, time.UTC)
	}
	if u.rural {
		u.nature = "自建房"
		u.area = float64(120 + r.IntN(180))
		u.land = float64(80 + r.IntN(120))
	} else {
		u.nature = weighted(r, []string{"市场化商品房", "房改房", "其他"}, []int{86, 10, 4})
		u.area = float64(55+r.IntN(110)) + float64(r.IntN(100))/100
		u.land = u.area * (0.15 + r.Float64()*0.2)
		if chance(r, 4) && owner.id != CitizenIDCard {
			u.usage = weighted(r, []string{"商业", "办公"}, []int{70, 30})
		}
	}
	u.shared = owner.spouse != nil && chance(r, 70)
	city := pl.d.name
	if !pl.d.county {
		city = "湖州市"
		if pl.d.code == RegionNanxun {
			city = "湖州市南浔区"
		}
	}
	for {
		u.certNo = fmt.Sprintf("浙（%d）%s不动产权第%07d号", u.reg.Year(), city, r.IntN(80_000))
		if w.unique(u.certNo) {
			break
		}
	}
	// Buyers of new homes under 50 with a job often borrow from the
	// housing provident fund.
	if !u.rural && u.nature == "市场化商品房" && owner.job != nil && yearsBetween(owner.birth, u.reg) < 50 &&
		(owner.id == CitizenIDCard || chance(r, 35)) {
		l := &loan{amount: (20 + r.IntN(81)) * 10_000, months: 12 * (10 + r.IntN(21)), on: u.reg.AddDate(0, 0, 10+r.IntN(40))}
		if l.on.After(w.asOf) {
			l.on = w.asOf.AddDate(0, 0, -3)
		}
		l.contract = fmt.Sprintf("GJJ%s%d%05d", pl.d.code, l.on.Year(), len(w.units)+1)
		l.status = "正常"
		switch {
		case l.on.AddDate(0, l.months, 0).Before(w.asOf) || chance(r, 8):
			l.status = "结清"
		case chance(r, 2):
			l.status = "逾期"
		}
		if owner.id == CitizenIDCard {
			l.amount, l.months, l.status = 600_000, 300, "正常"
		}
		u.loan = l
	}
	return u
}

// vehicle is a motor vehicle registered in 湖州 (plates 浙E).
type vehicle struct {
	plate     string
	plateType string
	vin       string
	owner     *person
	kind      string
	model     string
	reg       time.Time
	status    string
}

// makes are vehicle makes: brand as registered, model prefix, and the
// world manufacturer identifier that starts their VINs.
var makes = map[string][][3]string{
	"car": {{"大众汽车牌", "SVW7", "LSV"}, {"大众汽车牌", "FV7", "LFV"}, {"别克牌", "SGM7", "LSG"}, {"丰田牌", "GTM7", "LVG"},
		{"本田牌", "HG7", "LHG"}, {"日产牌", "DFL7", "LGB"}, {"吉利牌", "MR7", "L6T"}, {"长安牌", "SC7", "LS5"}},
	"nev":   {{"比亚迪牌", "BYD7", "LGX"}, {"特斯拉牌", "TSL7", "LRW"}, {"吉利牌", "MR7", "L6T"}, {"五菱牌", "LZW7", "LZW"}},
	"truck": {{"解放牌", "CA4", "LFW"}, {"东风牌", "DFH4", "LGA"}, {"重汽牌", "ZZ4", "LZZ"}},
	"moto":  {{"雅马哈牌", "JYM1", "LBP"}, {"新大洲本田牌", "SDH1", "LAL"}},
	"trail": {{"通华牌", "THT9", "LA9"}},
}

const plateLetters = "ABCDEFGHJKLMNPQRSTUVWXYZ"

func (w *world) newVehicle(owner *person) *vehicle {
	r := w.r
	v := &vehicle{owner: owner, status: "正常"}
	v.plateType = weighted(r, []string{"小型汽车", "小型新能源汽车", "大型汽车", "普通摩托车", "挂车", "大型新能源汽车"}, []int{68, 22, 3, 6, 1, 0})
	if owner.driving != "A2" && owner.driving != "B2" && (v.plateType == "大型汽车" || v.plateType == "挂车") {
		v.plateType = "小型汽车"
	}
	group := map[string]string{"小型汽车": "car", "小型新能源汽车": "nev", "大型汽车": "truck", "普通摩托车": "moto", "挂车": "trail"}[v.plateType]
	for {
		switch v.plateType {
		case "小型新能源汽车":
			v.plate = fmt.Sprintf("浙E%c%05d", "DF"[r.IntN(2)], r.IntN(100_000))
		case "普通摩托车":
			v.plate = fmt.Sprintf("浙E%05d", r.IntN(100_000))
		case "挂车":
			v.plate = fmt.Sprintf("浙E%c%04d挂", plateLetters[r.IntN(len(plateLetters))], r.IntN(10_000))
		default:
			v.plate = fmt.Sprintf("浙E%c%04d", plateLetters[r.IntN(len(plateLetters))], r.IntN(10_000))
			if chance(r, 30) {
				b := []byte(v.plate)
				b[len(b)-1-r.IntN(3)] = plateLetters[r.IntN(len(plateLetters))]
				v.plate = string(b)
			}
		}
		if w.unique(v.plate + v.plateType) {
			break
		}
	}
	m := pick(r, makes[group])
	v.model = fmt.Sprintf("%s%s%03d%c%c", m[0], m[1], r.IntN(1000), plateLetters[r.IntN(len(plateLetters))], plateLetters[r.IntN(len(plateLetters))])
	v.kind = map[string]string{"car": weighted(r, []string{"小型轿车", "小型普通客车", "小型越野客车"}, []int{60, 25, 15}),
		"truck": weighted(r, []string{"重型半挂牵引车", "重型仓栅式货车"}, []int{50, 50}), "moto": "普通二轮摩托车", "trail": "重型普通半挂车"}[group]
	if group == "nev" {
		v.kind = weighted(r, []string{"小型轿车", "小型普通客车", "小型越野客车"}, []int{65, 15, 20})
	}
	from := owner.licensed
	if y := time.Date(2008, 1, 1, 0, 0, 0, 0, time.UTC); from.Before(y) {
		from = y
	}
	if group == "nev" && from.Year() < 2016 {
		from = time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	v.reg = recentDay(r, from, w.asOf.AddDate(0, 0, -7))
	if v.reg.Before(from) {
		v.reg = from
	}
	v.vin = w.vin(m[2], v.reg.Year())
	v.status = weighted(r, []string{"正常", "抵押", "停驶", "转出", "注销", "被盗抢", "查封"}, []int{880, 60, 10, 10, 25, 5, 10})
	return v
}

// vinYears are the model year characters of a VIN from 2001.
const vinYears = "123456789ABCDEFGHJKLMNPRSTVWXY"

// vin returns an unused ISO 3779 vehicle identification number with a
// valid check digit (position 9).
func (w *world) vin(wmi string, year int) string {
	const chars = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
	for {
		b := []byte(wmi)
		for len(b) < 8 {
			b = append(b, chars[w.r.IntN(len(chars))])
		}
		b = append(b, '0', vinYears[min(max(year-2001, 0), len(vinYears)-1)], chars[w.r.IntN(23)])
		for len(b) < 17 {
			b = append(b, byte('0'+w.r.IntN(10)))
		}
		b[8] = vinCheck(b)
		if w.unique(string(b)) {
			return string(b)
		}
	}
}

// vinCheck computes the check digit of a VIN (0-9 or X).
func vinCheck(b []byte) byte {
	weights := [17]int{8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2}
	values := map[byte]int{'A': 1, 'B': 2, 'C': 3, 'D': 4, 'E': 5, 'F': 6, 'G': 7, 'H': 8, 'J': 1, 'K': 2, 'L': 3, 'M': 4,
		'N': 5, 'P': 7, 'R': 9, 'S': 2, 'T': 3, 'U': 4, 'V': 5, 'W': 6, 'X': 7, 'Y': 8, 'Z': 9}
	sum := 0
	for i, c := range b {
		v, ok := values[c]
		if !ok {
			v = int(c - '0')
		}
		sum += v * weights[i]
	}
	if c := sum % 11; c < 10 {
		return byte('0' + c)
	}
	return 'X'
}
