package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"huitong/internal/ids"
)

// The demo population: people in households, companies, shops and public
// institutions of 湖州, generated once from a fixed seed, so that the same
// person shows up in the records of every department that knows them (the
// point of sharing data across departments).

// recordsSeed seeds every generator of the demo records; the same seed
// gives the same people, organisations and rows on every start.
const recordsSeed uint64 = 0x48555A484F55 // "HUZHOU"

// recordsAsOf is the demo's today: generated dates lie before it. A fixed
// date keeps the records the same from one start to the next.
var recordsAsOf = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// Population sizes.
const (
	localPeople   = 1850 // with a 湖州 hukou
	migrantPeople = 150  // living in 湖州 with a hukou elsewhere
	companyCount  = 300
	shopCount     = 200 // 个体工商户
)

// CitizenName is the name of the demo citizen (the user citizen_li), whose
// ID number is [CitizenIDCard].
const CitizenName = "李明"

type person struct {
	id        string
	name      string
	former    string // 曾用名
	male      bool
	birth     time.Time
	born      string // region code in the ID number
	local     bool   // has a 湖州 hukou
	hukou     string // region code of the hukou
	hukouAddr string
	home      place // where the person lives in 湖州
	homeAddr  string
	phone     string
	ethnicity string
	education string
	marital   string
	hh        *household
	relation  string // to the head of the household
	spouse    *person
	exSpouse  *person
	married   time.Time // marriage registration, for the married and the divorced
	divorced  time.Time
	father    *person
	mother    *person
	dead      bool
	died      time.Time
	movedOut  bool
	job       *job
	school    *institution // for pupils and students
	grade     int          // 1-12
	class     int
	enrolled  time.Time
	driving   string // driving class, "" without a licence
	licensed  time.Time
}

type household struct {
	no      string
	place   place
	addr    string
	kind    string // 家庭户 or 集体户
	members []*person
}

// employer is whoever pays a person: a company or a public institution.
type employer struct {
	uscc   string
	name   string
	d      *district
	public bool // 机关事业单位
}

type job struct {
	at    *employer
	since time.Time
	title string
	wage  int // monthly, yuan
	self  bool
}

type world struct {
	r          *rand.Rand
	asOf       time.Time
	people     []*person
	byID       map[string]*person
	taken      map[string]bool // ID numbers, USCCs, phone numbers and other unique codes
	companies  []*company
	shops      []*shop
	hospitals  []*institution
	schools    []*institution
	pharmacies []*institution
	homes      []*institution // elderly care
	socialOrgs []*institution
	units      []*unit
	vehicles   []*vehicle
}

// newWorld builds the demo population as of asOf.
func newWorld(asOf time.Time) *world {
	w := &world{r: rand.New(rand.NewPCG(recordsSeed, 1)), asOf: asOf, byID: map[string]*person{}, taken: map[string]bool{}}
	w.citizenHousehold()
	for len(w.people) < localPeople {
		w.household()
	}
	w.pairDivorced()
	for len(w.people) < localPeople+migrantPeople {
		w.migrant()
	}
	w.deaths()
	w.buildCompanies()
	w.buildShops()
	w.buildInstitutions()
	w.enroll()
	w.employ()
	w.drive()
	w.property()
	return w
}

// age is how old p is in whole years on the demo's today.
func (w *world) age(p *person) int { return yearsBetween(p.birth, w.asOf) }

func yearsBetween(from, to time.Time) int {
	y := to.Year() - from.Year()
	if to.YearDay() < from.YearDay() {
		y--
	}
	return y
}

// day returns a date between from and to, both included.
func day(r *rand.Rand, from, to time.Time) time.Time {
	n := int(to.Sub(from).Hours() / 24)
	if n <= 0 {
		return from
	}
	return from.AddDate(0, 0, r.IntN(n+1))
}

func (w *world) unique(s string) bool {
	if w.taken[s] {
		return false
	}
	w.taken[s] = true
	return true
}

// idNumber returns an unused GB 11643 number for a person born on birth
// in region.
func (w *world) idNumber(region string, birth time.Time, male bool) string {
	for {
		seq := w.r.IntN(500) * 2
		if male {
			seq++
		}
		id, err := ids.MakeIDCard(region, birth, seq)
		if err != nil {
			panic(err) // the regions and dates here are all valid
		}
		if w.unique(id) {
			return id
		}
	}
}

func (w *world) mobile() string {
	for {
		if m := mobile(w.r); w.unique(m) {
			return m
		}
	}
}

// newPerson adds a person of household hh to the population.
func (w *world) newPerson(hh *household, surname string, male bool, birth time.Time, relation string) *person {
	born := hh.place.d.code
	if chance(w.r, 25) {
		born = pickDistrict(w.r).code // born elsewhere in 湖州
	}
	p := &person{male: male, birth: birth, born: born, local: true, hukou: hh.place.d.code, hukouAddr: hh.addr,
		home: hh.place, homeAddr: hh.addr, ethnicity: pickEthnicity(w.r), hh: hh, relation: relation, marital: "未婚"}
	p.name = surname + pickGiven(w.r, birth.Year(), male)
	p.id = w.idNumber(born, birth, male)
	if w.age(p) >= 10 {
		p.phone = w.mobile()
	}
	if chance(w.r, 3) && w.age(p) >= 30 {
		p.former = surname + pickGiven(w.r, birth.Year()-20, male)
	}
	p.education = w.education(p)
	hh.members = append(hh.members, p)
	w.people = append(w.people, p)
	w.byID[p.id] = p
	return p
}

func (w *world) newHousehold(ruralShare int) *household {
	d := pickDistrict(w.r)
	pl := pickPlace(w.r, d, ruralShare)
	hh := &household{place: pl, addr: homeAddress(w.r, pl), kind: "家庭户"}
	hh.no = fmt.Sprintf("%s%06d", d.code[2:], 1+len(w.people))
	return hh
}

// birthAged returns a birth date of someone aged between lo and hi.
func (w *world) birthAged(lo, hi int) time.Time {
	return day(w.r, w.asOf.AddDate(-hi-1, 0, 1), w.asOf.AddDate(-lo, 0, -1))
}

// citizenHousehold is the household of the demo citizen, 李明, with a wife,
// a son in middle school and a daughter who has just started school.
func (w *world) citizenHousehold() {
	d := districtOf(RegionWuxing)
	pl := place{d: d, town: "爱山街道"}
	hh := &household{no: "0502000001", place: pl, addr: "浙江省湖州市吴兴区爱山街道人民路12号", kind: "家庭户"}
	li := &person{id: CitizenIDCard, name: CitizenName, male: true, birth: time.Date(1985, 6, 15, 0, 0, 0, 0, time.UTC),
		born: RegionWuxing, local: true, hukou: RegionWuxing, hukouAddr: hh.addr, home: pl, homeAddr: hh.addr,
		phone: "13857212345", ethnicity: "汉族", education: "大学本科", marital: "已婚", hh: hh, relation: "户主"}
	w.taken[li.id], w.taken[li.phone] = true, true
	hh.members = append(hh.members, li)
	w.people = append(w.people, li)
	w.byID[li.id] = li
	wife := w.newPerson(hh, "周", false, time.Date(1987, 3, 8, 0, 0, 0, 0, time.UTC), "配偶")
	wife.name, wife.education = "周晓婷", "大学本科"
	w.marry(li, wife, time.Date(2012, 5, 20, 0, 0, 0, 0, time.UTC))
	son := w.newPerson(hh, "李", true, time.Date(2013, 9, 2, 0, 0, 0, 0, time.UTC), "子")
	son.name = "李子轩"
	daughter := w.newPerson(hh, "李", false, time.Date(2020, 4, 18, 0, 0, 0, 0, time.UTC), "女")
	daughter.name = "李一诺"
	for _, c := range []*person{son, daughter} {
		c.father, c.mother = li, wife
	}
}

func (w *world) marry(h, wf *person, on time.Time) {
	h.spouse, wf.spouse = wf, h
	h.marital, wf.marital = "已婚", "已婚"
	h.married, wf.married = on, on
}

// marriageDate is when a couple married: after both reached the legal age
// (22 for men, 20 for women) and before their first child.
func (w *world) marriageDate(h, wf *person, firstChild time.Time) time.Time {
	legal := h.birth.AddDate(22, 0, 0)
	if l := wf.birth.AddDate(20, 0, 0); l.After(legal) {
		legal = l
	}
	to := legal.AddDate(6, 0, 0)
	if !firstChild.IsZero() && firstChild.AddDate(0, -10, 0).Before(to) {
		to = firstChild.AddDate(0, -10, 0)
	}
	if to.After(w.asOf) {
		to = w.asOf.AddDate(0, 0, -30)
	}
	if to.Before(legal) {
		to = legal
	}
	return day(w.r, legal, to)
}

// household adds one household of a random kind.
func (w *world) household() {
	hh := w.newHousehold(45)
	sur := pickSurname(w.r)
	r := w.r
	switch k := r.IntN(100); {
	case k < 40: // a couple with children
		h := w.newPerson(hh, sur, true, w.birthAged(27, 62), "户主")
		wf := w.newPerson(hh, pickSurname(r), false, h.birth.AddDate(r.IntN(5), r.IntN(12), 0), "配偶")
		kids := 1 + r.IntN(2)
		if chance(r, 5) {
			kids = 3
		}
		var first time.Time
		for range kids {
			b := wf.birth.AddDate(23+r.IntN(13), r.IntN(12), r.IntN(28))
			if !b.Before(w.asOf) {
				continue
			}
			if first.IsZero() || b.Before(first) {
				first = b
			}
			male := chance(r, 52)
			rel := "女"
			if male {
				rel = "子"
			}
			c := w.newPerson(hh, sur, male, b, rel)
			c.father, c.mother = h, wf
		}
		w.marry(h, wf, w.marriageDate(h, wf, first))
	case k < 56: // an elderly couple
		h := w.newPerson(hh, sur, true, w.birthAged(60, 88), "户主")
		wf := w.newPerson(hh, pickSurname(r), false, h.birth.AddDate(r.IntN(6), r.IntN(12), 0), "配偶")
		w.marry(h, wf, w.marriageDate(h, wf, time.Time{}))
	case k < 68: // three generations
		g := w.newPerson(hh, sur, true, w.birthAged(56, 76), "户主")
		gm := w.newPerson(hh, pickSurname(r), false, g.birth.AddDate(r.IntN(5), r.IntN(12), 0), "配偶")
		son := w.newPerson(hh, sur, true, gm.birth.AddDate(23+r.IntN(9), r.IntN(12), r.IntN(28)), "子")
		son.father, son.mother = g, gm
		dil := w.newPerson(hh, pickSurname(r), false, son.birth.AddDate(r.IntN(4), r.IntN(12), 0), "其他")
		w.marry(g, gm, w.marriageDate(g, gm, son.birth))
		var first time.Time
		for range 1 + r.IntN(2) {
			b := dil.birth.AddDate(24+r.IntN(10), r.IntN(12), r.IntN(28))
			if !b.Before(w.asOf) {
				continue
			}
			if first.IsZero() || b.Before(first) {
				first = b
			}
			c := w.newPerson(hh, sur, chance(r, 52), b, "孙子女")
			c.father, c.mother = son, dil
		}
		w.marry(son, dil, w.marriageDate(son, dil, first))
	case k < 82: // a single adult
		male := chance(r, 55)
		p := w.newPerson(hh, sur, male, w.birthAged(20, 48), "户主")
		if w.age(p) >= 28 && chance(r, 20) {
			p.marital = "离婚"
		}
		if chance(r, 10) {
			hh.kind = "集体户"
		}
	case k < 90: // a widowed elder
		male := chance(r, 30)
		p := w.newPerson(hh, sur, male, w.birthAged(66, 95), "户主")
		p.marital = "丧偶"
	default: // a young couple
		h := w.newPerson(hh, sur, true, w.birthAged(24, 38), "户主")
		wf := w.newPerson(hh, pickSurname(r), false, h.birth.AddDate(r.IntN(4), r.IntN(12), 0), "配偶")
		w.marry(h, wf, w.marriageDate(h, wf, time.Time{}))
	}
}

// pairDivorced gives divorced people former spouses among each other, so
// that marriage records hold both the marriage and the divorce.
func (w *world) pairDivorced() {
	var men, women []*person
	for _, p := range w.people {
		if p.marital == "离婚" && p.exSpouse == nil {
			if p.male {
				men = append(men, p)
			} else {
				women = append(women, p)
			}
		}
	}
	for i := 0; i < len(men) && i < len(women); i++ {
		h, wf := men[i], women[i]
		h.exSpouse, wf.exSpouse = wf, h
		m := w.marriageDate(h, wf, time.Time{})
		h.married, wf.married = m, m
		d := day(w.r, m.AddDate(1, 0, 0), w.asOf.AddDate(0, -2, 0))
		h.divorced, wf.divorced = d, d
	}
}

// migrant adds a person living in 湖州 with a hukou elsewhere, mostly
// workers of 织里's children's clothing workshops and of factories.
func (w *world) migrant() {
	r := w.r
	region := pick(r, migrantRegions)
	home, _ := ids.RegionName(region)
	male := chance(r, 58)
	birth := w.birthAged(18, 55)
	d := pickDistrict(r)
	if chance(r, 60) {
		d = districtOf(RegionWuxing)
	}
	pl := pickPlace(r, d, 50)
	if d.code == RegionWuxing && chance(r, 70) {
		pl = place{d: d, town: "织里镇", rural: true}
	}
	hh := &household{place: pl, addr: homeAddress(r, pl), kind: "家庭户"}
	p := &person{male: male, birth: birth, born: region, hukou: region,
		hukouAddr: fmt.Sprintf("%s%s村%d号", home, pick(r, villageNames), 1+r.IntN(120)),
		home:      pl, homeAddr: hh.addr, ethnicity: pickEthnicity(r), hh: hh, marital: "未婚"}
	p.name = pickSurname(r) + pickGiven(r, birth.Year(), male)
	p.id = w.idNumber(region, birth, male)
	p.phone = w.mobile()
	p.education = w.education(p)
	if w.age(p) >= 25 && chance(r, 60) {
		p.marital = "已婚" // a spouse back home
	}
	w.people = append(w.people, p)
	w.byID[p.id] = p
}

// education is the level of schooling reached, by generation; children
// under 6 have none yet.
func (w *world) education(p *person) string {
	age := w.age(p)
	switch {
	case age < 6:
		return ""
	case age < 12:
		return "小学"
	case age < 15:
		return "初中"
	case age < 18:
		return weighted(w.r, []string{"高中", "中等专科"}, []int{70, 30})
	}
	levels := []string{"文盲或半文盲", "小学", "初中", "高中", "中等专科", "大学专科", "大学本科", "研究生"}
	y := p.birth.Year()
	switch {
	case y < 1950:
		return weighted(w.r, levels, []int{25, 45, 20, 8, 2, 0, 0, 0})
	case y < 1970:
		return weighted(w.r, levels, []int{2, 25, 40, 18, 8, 4, 3, 0})
	case y < 1985:
		return weighted(w.r, levels, []int{0, 5, 32, 20, 12, 14, 15, 2})
	case age < 22:
		return weighted(w.r, levels, []int{0, 0, 5, 45, 15, 20, 15, 0})
	}
	return weighted(w.r, levels, []int{0, 1, 14, 15, 12, 25, 28, 5})
}

// weighted picks one of values by weight.
func weighted[T any](r *rand.Rand, values []T, weights []int) T {
	total := 0
	for _, wt := range weights {
		total += wt
	}
	n := r.IntN(total)
	for i, wt := range weights {
		if n < wt {
			return values[i]
		}
		n -= wt
	}
	return values[len(values)-1]
}

// deaths marks some of the elderly as deceased in the last two years;
// their spouses are widowed.
func (w *world) deaths() {
	for _, p := range w.people[1:] {
		a := w.age(p)
		if !p.local || a < 68 || !chance(w.r, min(40, (a-66)/2)) {
			continue
		}
		p.dead = true
		p.died = day(w.r, w.asOf.AddDate(-2, 0, 0), w.asOf.AddDate(0, 0, -5))
		if s := p.spouse; s != nil && !s.dead {
			s.marital = "丧偶"
		}
	}
	// A few young adults have moved their hukou away.
	for _, p := range w.people[1:] {
		if a := w.age(p); p.local && !p.dead && a >= 20 && a <= 40 && p.spouse == nil && chance(w.r, 3) {
			p.movedOut = true
		}
	}
}

// alive reports whether p lives in 湖州 today: not dead, hukou not moved
// away.
func (p *person) alive() bool { return !p.dead && !p.movedOut }

// peopleWhere returns the people for whom keep is true, in population
// order.
func (w *world) peopleWhere(keep func(p *person) bool) []*person {
	var out []*person
	for _, p := range w.people {
		if keep(p) {
			out = append(out, p)
		}
	}
	return out
}

// employ gives jobs: doctors at hospitals, teachers at schools, shop
// owners in their shops, and most other adults of working age at
// companies.
func (w *world) employ() {
	r := w.r
	workers := w.peopleWhere(func(p *person) bool {
		a := w.age(p)
		return p.alive() && a >= 18 && a < 60 && p.job == nil
	})
	educated := func(p *person) bool {
		return slices.Contains([]string{"大学专科", "大学本科", "研究生"}, p.education) && w.age(p) >= 24
	}
	hire := func(p *person, e *employer, title string, from time.Time) {
		first := 18 // age at the first job
		switch title {
		case "医师":
			first = 24
		case "教师":
			first = 22
		}
		start := p.birth.AddDate(first+r.IntN(6), r.IntN(12), 0)
		if start.Before(from) {
			start = from
		}
		start = day(r, start, start.AddDate(3, 0, 0))
		if !start.Before(w.asOf) {
			start = w.asOf.AddDate(0, -1-r.IntN(6), 0)
		}
		wage := 4200 + r.IntN(5000)
		switch p.education {
		case "大学专科":
			wage += 1500 + r.IntN(3000)
		case "大学本科":
			wage += 3000 + r.IntN(6000)
		case "研究生":
			wage += 6000 + r.IntN(12000)
		}
		p.job = &job{at: e, since: start, title: title, wage: wage / 10 * 10}
	}
	for _, s := range w.shops {
		p := s.operator
		p.job = &job{at: &employer{uscc: s.uscc, name: s.name, d: s.place.d}, since: s.reg, title: "经营者", wage: 5000 + r.IntN(8000), self: true}
	}
	nDoctors, nTeachers := 0, 0
	for _, p := range workers {
		if p.job != nil {
			continue
		}
		switch {
		case p.id == CitizenIDCard:
			c := w.companies[0]
			hire(p, c.employer(), "软件工程师", c.established)
		case educated(p) && nDoctors < 150 && chance(r, 25):
			h := pick(r, w.hospitals[:20])
			hire(p, h.employer(), "医师", h.established)
			nDoctors++
		case educated(p) && nTeachers < 110 && chance(r, 22):
			s := pick(r, w.schools)
			hire(p, s.employer(), "教师", s.established)
			nTeachers++
		case chance(r, 82):
			c := w.companyNear(p.home.d)
			hire(p, c.employer(), pick(r, c.industry.jobs), c.established)
		}
	}
}

// companyNear picks a company in business, mostly in district d.
func (w *world) companyNear(d *district) *company {
	for {
		c := pick(w.r, w.companies)
		if !c.active() {
			continue
		}
		if c.place.d == d || chance(w.r, 30) {
			return c
		}
	}
}

// drive gives driving licences and cars.
func (w *world) drive() {
	r := w.r
	for _, p := range w.people {
		a := w.age(p)
		if p.dead || a < 18 || a > 78 {
			continue
		}
		pct := 40
		switch {
		case p.id == CitizenIDCard:
			pct = 100
		case a > 65:
			pct = 15
		case p.male:
			pct = 68
		}
		if !chance(r, pct) {
			continue
		}
		p.driving = weighted(r, []string{"C1", "C2", "B2", "A2", "A1", "B1", "D", "E"}, []int{80, 8, 4, 2, 1, 1, 2, 2})
		if !p.male && p.driving[0] != 'C' {
			p.driving = "C1"
		}
		from := p.birth.AddDate(18, 1, 0)
		if y := time.Date(1996, 1, 1, 0, 0, 0, 0, time.UTC); from.Before(y) {
			from = day(r, y, y.AddDate(20, 0, 0))
		}
		to := from.AddDate(12, 0, 0)
		if to.After(w.asOf) {
			to = w.asOf.AddDate(0, 0, -20)
		}
		if from.After(to) {
			from = to
		}
		p.licensed = day(r, from, to)
		if p.id == CitizenIDCard {
			p.licensed = time.Date(2006, 8, 10, 0, 0, 0, 0, time.UTC)
		}
		n := 0
		switch {
		case p.id == CitizenIDCard || chance(r, 5):
			n = 2
		case chance(r, 58):
			n = 1
		}
		for range n {
			w.vehicles = append(w.vehicles, w.newVehicle(p))
		}
	}
}

// property gives most households the home they live in, some a second
// one, and some home buyers a housing fund loan.
func (w *world) property() {
	r := w.r
	seen := map[*household]bool{}
	for _, p := range w.people {
		hh := p.hh
		if !p.local || seen[hh] || p.dead {
			continue
		}
		seen[hh] = true
		owner := p
		if owner.relation != "户主" {
			continue
		}
		if owner.id != CitizenIDCard && !chance(r, 80) {
			continue
		}
		w.units = append(w.units, w.newUnit(owner, hh.place, hh.addr))
		if chance(r, 10) {
			pl := pickPlace(r, pickDistrict(r), 0)
			w.units = append(w.units, w.newUnit(owner, pl, homeAddress(r, pl)))
		}
	}
}

// schoolYear is the first day of the current school year.
func (w *world) schoolYear() time.Time {
	y := w.asOf.Year()
	if w.asOf.Month() < time.September {
		y--
	}
	return time.Date(y, time.September, 1, 0, 0, 0, 0, time.UTC)
}

// enroll puts children of school age into the grade their age gives (six
// by 31 August starts the first grade), at a school of their district,
// mostly of their town.
func (w *world) enroll() {
	r := w.r
	sy := w.schoolYear()
	for _, p := range w.people {
		if p.dead || !p.local {
			continue
		}
		grade := yearsBetween(p.birth, sy.AddDate(0, 0, -1)) - 5
		if grade < 1 || grade > 12 {
			continue
		}
		kind, start := "小学", 1
		switch {
		case grade >= 10 && p.education == "中等专科":
			kind, start = "中等职业学校", 10
		case grade >= 10:
			kind, start = "高级中学", 10
		case grade >= 7:
			kind, start = "初级中学", 7
		}
		var near, inDistrict []*institution
		for _, s := range w.schools {
			ok := s.kind == kind || s.kind == "九年一贯制学校" && grade <= 9 && chance(r, 20)
			if !ok || s.place.d != p.home.d {
				continue
			}
			inDistrict = append(inDistrict, s)
			if s.place.town == p.home.town {
				near = append(near, s)
			}
		}
		switch {
		case len(near) > 0 && chance(r, 80):
			p.school = pick(r, near)
		case len(inDistrict) > 0:
			p.school = pick(r, inDistrict)
		default:
			continue
		}
		p.grade, p.class = grade, 1+r.IntN(8)
		p.enrolled = sy.AddDate(start-grade, 0, 0)
	}
}

// carriers are the companies that hold road transport permits: the
// logistics companies and the larger makers of building materials and
// batteries, which run their own lorries.
func (w *world) carriers() []*company {
	var out []*company
	for _, c := range w.companies {
		switch c.industry.code {
		case "G5431":
			out = append(out, c)
		case "C3021", "C3843":
			if c.employees >= 40 {
				out = append(out, c)
			}
		}
	}
	return out
}
