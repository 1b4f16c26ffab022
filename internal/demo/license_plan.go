package demo

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strconv"
	"time"

	"huitong/internal/catalog"
	"huitong/internal/license"
)

// The licenses of the demo population. Each comes from the records the
// demo holds about the same company or person (营业执照信息, 婚姻登记信息,
// 出生医学证明信息, 不动产权证书信息), generated again here exactly as
// SeedRecords generates them, so that a license's number, dates and
// content are those of its record. Social security cards, which no demo
// resource lists, are made up for employed people of the population.

// demoLicense is one license to issue: by whom, with what, and what
// happens to it afterwards.
type demoLicense struct {
	by      string // username of the issuing officer
	in      license.IssueInput
	revoke  string                // revocation reason, for a license revoked after issue
	reissue *license.ReissueInput // the next version, for a license changed since
}

// How many licenses of the larger kinds the demo issues; every company in
// business and every child with a birth certificate record gets one.
const (
	marriedCouples  = 40 // two 结婚证 each
	realEstateCerts = 50
	cardHolders     = 40
)

// worldAsOf is the demo's today for a clock reading now: [recordsAsOf], or
// the day before now for a clock behind it.
func worldAsOf(now time.Time) time.Time {
	if today := now.UTC().Truncate(24 * time.Hour); today.Before(recordsAsOf) {
		return today.AddDate(0, 0, -1)
	}
	return recordsAsOf
}

// planLicenses returns the demo's licenses in the order they are issued,
// citizen_li's among the first of each type.
func planLicenses(w *world) []demoLicense {
	var out []demoLicense
	out = append(out, businessLicenses(w)...)
	out = append(out, marriageCertificates(w)...)
	out = append(out, birthCertificates(w)...)
	out = append(out, realEstateCertificates(w)...)
	out = append(out, socialSecurityCards(w)...)
	return out
}

// recordRows generates the records of the demo resource name as
// SeedRecords does, each row by field name.
func recordRows(w *world, name string) []map[string]string {
	for _, in := range Resources {
		if in.Name != name {
			continue
		}
		s := generate(w, catalog.Resource{Name: in.Name, ProviderUSCC: in.ProviderUSCC, Fields: in.Fields}, map[string][]string{})
		out := make([]map[string]string, len(s.rows))
		for i, row := range s.rows {
			m := make(map[string]string, len(row))
			for j, f := range s.res.Fields {
				m[f.Name] = row[j]
			}
			out[i] = m
		}
		return out
	}
	panic("demo: no resource " + name)
}

// values picks the non-empty values of the named fields of a row.
func values(row map[string]string, names ...string) map[string]any {
	m := make(map[string]any, len(names))
	for _, n := range names {
		if v := row[n]; v != "" {
			m[n] = v
		}
	}
	return m
}

// businessLicenses are the 营业执照 of the demo companies in business or
// struck off (吊销), issued by the market regulator of 长兴县 for companies
// there and by the city's for the others. A struck-off company's license is
// revoked; two companies changed their registration since, so their first
// version holds the old value and the second the record's current one.
func businessLicenses(w *world) []demoLicense {
	byUSCC := map[string]*company{}
	for _, c := range w.companies {
		byUSCC[c.uscc] = c
	}
	r := rand.New(rand.NewPCG(recordsSeed, seedOf("营业执照")))
	var out []demoLicense
	capitalChanged, moved := false, false
	for _, row := range recordRows(w, "营业执照信息") {
		c := byUSCC[row["uscc"]]
		if c == nil || c.status == "迁出" {
			continue // registered elsewhere now
		}
		by := "zz_issuer"
		if c.place.d.code == RegionChangxing {
			by = "cxscjg_issuer"
		}
		d := demoLicense{by: by, in: license.IssueInput{TypeCode: TypeBusinessLicense,
			Holder: license.Holder{Name: row["org_name"], Code: c.uscc},
			Data: values(row, "enterprise_type", "legal_rep", "reg_capital", "establish_date", "business_term_until", "org_address",
				"business_scope", "reg_authority"),
			ValidFrom: row["establish_date"], ValidUntil: row["business_term_until"]}}
		changeable := c.active() && by == "zz_issuer" && row["business_term_until"] == "" && c.established.Year() < 2024
		switch {
		case c.status == "吊销":
			d.revoke = "成立后无正当理由超过六个月未开业或者开业后自行停业连续六个月以上，依法吊销营业执照"
		case changeable && !capitalChanged && row["reg_capital"] != "":
			capital, err := strconv.ParseFloat(row["reg_capital"], 64)
			if err != nil || capital < 20 {
				break
			}
			capitalChanged = true
			d.in.Data["reg_capital"] = wan(capital / 2)
			d.reissue = &license.ReissueInput{Data: map[string]any{"reg_capital": row["reg_capital"]}, Reason: "变更登记（注册资本）"}
		case changeable && !moved && row["org_address"] != "":
			old := siteAddress(r, c.place)
			if old == row["org_address"] {
				break
			}
			moved = true
			d.in.Data["org_address"] = old
			d.reissue = &license.ReissueInput{Data: map[string]any{"org_address": row["org_address"]}, Reason: "变更登记（住所）"}
		}
		out = append(out, d)
	}
	return out
}

// marriageCertificates are the 结婚证 of married couples, both living,
// citizen_li's first: each spouse holds one, under the same number. A
// couple whose record shows a replacement (补领结婚证) holds it as the
// husband's second version.
func marriageCertificates(w *world) []demoLicense {
	rows := recordRows(w, "婚姻登记信息")
	replaced := map[string]map[string]string{} // husband's ID number -> replacement record
	for _, row := range rows {
		if row["reg_type"] == "补领结婚证" {
			replaced[row["male_id_card"]] = row
		}
	}
	var out []demoLicense
	couples := 0
	for _, row := range rows {
		if row["reg_type"] != "结婚登记" || couples == marriedCouples {
			continue
		}
		h := w.byID[row["male_id_card"]]
		if h == nil || h.spouse == nil || h.spouse.id != row["female_id_card"] || !h.alive() || !h.spouse.alive() {
			continue
		}
		couples++
		for _, holder := range []*person{h, h.spouse} {
			spouse := holder.spouse
			d := demoLicense{by: "mz_issuer", in: license.IssueInput{TypeCode: TypeMarriage,
				Holder: license.Holder{Name: holder.name, Code: holder.id},
				Data: map[string]any{"spouse_name": spouse.name, "spouse_id_card": spouse.id, "reg_date": row["reg_date"],
					"reg_authority": row["reg_authority"]},
				Number: row["cert_no"], ValidFrom: row["reg_date"]}}
			if bj, ok := replaced[h.id]; ok && holder == h {
				d.reissue = &license.ReissueInput{Number: bj["cert_no"], ValidFrom: bj["reg_date"], Reason: "补领结婚证"}
			}
			out = append(out, d)
		}
	}
	return out
}

// birthCertificates are the 出生医学证明 of the children born in the last
// six years, each held by the child.
func birthCertificates(w *world) []demoLicense {
	children := map[string]*person{} // mother's ID number and child's name
	for _, p := range w.people {
		if p.mother != nil {
			children[p.mother.id+"/"+p.name] = p
		}
	}
	var out []demoLicense
	for _, row := range recordRows(w, "出生医学证明信息") {
		c := children[row["mother_id_card"]+"/"+row["newborn_name"]]
		if c == nil {
			continue
		}
		out = append(out, demoLicense{by: "wj_issuer", in: license.IssueInput{TypeCode: TypeBirth,
			Holder: license.Holder{Name: c.name, Code: c.id},
			Data: values(row, "gender", "birth_time", "birth_weight", "birth_place", "mother_name", "mother_id_card",
				"father_name", "father_id_card", "institution_name"),
			Number: row["cert_no"], ValidFrom: row["issue_date"]}})
	}
	return out
}

// realEstateCertificates are the 不动产权证书 of the first home owners of
// the population, citizen_li's among them.
func realEstateCertificates(w *world) []demoLicense {
	var out []demoLicense
	for _, row := range recordRows(w, "不动产权证书信息") {
		p := w.byID[row["holder_id_no"]]
		if p == nil || p.dead || len(out) >= realEstateCerts && p.id != CitizenIDCard {
			continue
		}
		out = append(out, demoLicense{by: "zrzy_issuer", in: license.IssueInput{TypeCode: TypeRealEstate,
			Holder: license.Holder{Name: row["right_holder"], Code: p.id},
			Data:   values(row, "unit_no", "location", "usage", "building_area", "reg_authority"),
			Number: row["cert_no"], ValidFrom: row["issue_date"]}})
	}
	return out
}

var cardBanks = []string{"中国工商银行湖州分行", "中国农业银行湖州分行", "中国银行湖州市分行", "中国建设银行湖州分行", "湖州银行", "浙江农商联合银行"}

// socialSecurityCards are the 社会保障卡 of citizen_li, his wife and
// employed people of the population, each valid for ten years from its
// issue: cards issued before the last ten years have expired.
func socialSecurityCards(w *world) []demoLicense {
	r := rand.New(rand.NewPCG(recordsSeed, seedOf("社会保障卡")))
	li := w.byID[CitizenIDCard]
	holders := []*person{li, li.spouse}
	for _, p := range w.people {
		if len(holders) >= cardHolders {
			break
		}
		if p.local && p.alive() && p.job != nil && p != li && p != li.spouse {
			holders = append(holders, p)
		}
	}
	var out []demoLicense
	for _, p := range holders {
		issued := day(r, time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC), w.asOf.AddDate(0, 0, -7))
		if adult := p.birth.AddDate(16, 0, 0); issued.Before(adult) {
			issued = adult
		}
		if p == li {
			issued = time.Date(2021, 3, 15, 0, 0, 0, 0, time.UTC)
		}
		kind := "第二代社会保障卡"
		if issued.Year() >= 2023 {
			kind = "第三代社会保障卡"
		}
		var no string
		for {
			if no = fmt.Sprintf("A%08d", r.IntN(100_000_000)); w.unique(no) {
				break
			}
		}
		out = append(out, demoLicense{by: "rs_issuer", in: license.IssueInput{TypeCode: TypeSocialSecurity,
			Holder: license.Holder{Name: p.name, Code: p.id},
			Data: map[string]any{"social_security_no": p.id, "card_kind": kind, "bank": pick(r, cardBanks),
				"issuing_region": "浙江省湖州市"},
			Number: no, ValidFrom: ymd(issued), ValidUntil: ymd(issued.AddDate(10, 0, -1))}})
	}
	return out
}

// seedOf derives a generator stream from a name.
func seedOf(name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return h.Sum64()
}
