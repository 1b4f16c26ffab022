package main

import (
	"encoding/base64"
	"errors"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"huitong/internal/catalog"
)

// The baseline: a linear scan over the same in-memory resources with the
// same matching and ranking rules as catalog.Index, but no inverted index.
// Texts are folded once when loaded, as the index does, so that the
// comparison measures the index and not string preparation. Because the
// rules are the same, its results must equal the index's; the benchmark
// compares them.

type naiveDoc struct {
	item                                  catalog.Item
	name, fields, provider, summary, code string
}

func newNaiveDoc(r *catalog.Resource) naiveDoc {
	var ft strings.Builder
	for _, f := range r.Fields {
		ft.WriteString(f.Title)
		ft.WriteByte(0)
		ft.WriteString(f.Name)
		ft.WriteByte(0)
	}
	return naiveDoc{
		item: catalog.Item{Code: r.Code, Version: r.Version, Name: r.Name, Summary: r.Summary, Category: r.Category,
			ProviderUSCC: r.ProviderUSCC, ProviderName: r.ProviderName, Format: r.Format, UpdateCycle: r.UpdateCycle,
			ShareType: r.ShareType, OpenType: r.OpenType, Level: r.Level, FieldCount: len(r.Fields),
			PublishDate: r.PublishDate, UpdatedAt: r.UpdatedAt},
		name: fold(r.Name), fields: fold(ft.String()), provider: fold(r.ProviderName),
		summary: fold(r.Summary), code: fold(r.Code),
	}
}

// fold is catalog's: lower case, full-width ASCII to half-width.
func fold(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 0xFF01 && r <= 0xFF5E {
			r -= 0xFEE0
		}
		if r == 0x3000 {
			return ' '
		}
		return unicode.ToLower(r)
	}, s)
}

// naiveSynonyms is a copy of catalog's synonym table (internal/catalog/synonyms.go).
var naiveSynonyms = map[string][]string{
	"社保": {"社会保险", "社会保障"}, "社会保险": {"社保"}, "医保": {"医疗保险", "医疗保障"}, "医疗保险": {"医保"},
	"医疗保障": {"医保"}, "养老金": {"养老保险"}, "公积金": {"住房公积金"}, "低保": {"最低生活保障"},
	"最低生活保障": {"低保"}, "身份证": {"居民身份证", "公民身份号码"}, "户口": {"户籍"}, "户籍": {"户口"},
	"驾照": {"驾驶证"}, "行驶证": {"机动车登记"}, "出生证": {"出生医学证明"}, "死亡证": {"死亡医学证明"},
	"结婚证": {"婚姻登记"}, "离婚证": {"婚姻登记"}, "房产证": {"不动产权证书", "不动产登记"}, "房产": {"不动产"},
	"工商": {"市场监督", "营业执照"}, "执照": {"营业执照"}, "企业": {"法人"}, "法人": {"企业"},
	"双公示": {"行政许可", "行政处罚"}, "纳税": {"税务"}, "税务": {"纳税"}, "学历": {"学位"},
	"残疾证": {"残疾人证"}, "信用代码": {"统一社会信用代码"}, "疫苗": {"预防接种"}, "接种": {"疫苗"},
	"火化": {"殡葬"},
}

func naiveGroups(text string) [][]string {
	var terms []string
	for _, t := range strings.Fields(fold(text)) {
		if !slices.Contains(terms, t) {
			terms = append(terms, t)
		}
	}
	groups := make([][]string, len(terms))
	for i, t := range terms {
		groups[i] = append([]string{t}, naiveSynonyms[t]...)
	}
	return groups
}

func (d *naiveDoc) termScore(t string) int {
	s := 0
	switch {
	case d.name == t:
		s = 40
	case strings.HasPrefix(d.name, t):
		s = 20
	case strings.Contains(d.name, t):
		s = 16
	}
	if strings.Contains(d.code, t) {
		s += 12
	}
	if strings.Contains(d.fields, t) {
		s += 6
	}
	if strings.Contains(d.provider, t) {
		s += 3
	}
	if strings.Contains(d.summary, t) {
		s += 1
	}
	return s
}

func keep(q *catalog.Query, it *catalog.Item) bool {
	return (q.Provider == "" || it.ProviderUSCC == q.Provider) &&
		(q.ShareType == "" || it.ShareType == q.ShareType) &&
		(q.OpenType == "" || it.OpenType == q.OpenType) &&
		(q.Category == "" || it.Category == q.Category) &&
		(q.Level == 0 || it.Level == q.Level)
}

func decodeOffset(tok string) (int, error) {
	if tok == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err == nil && len(b) > 2 && string(b[:2]) == "o:" {
		if n, err := strconv.Atoi(string(b[2:])); err == nil && n >= 0 {
			return n, nil
		}
	}
	return 0, errors.New("invalid page token")
}

// naiveSearch scans every document, scores the ones that match, sorts all
// hits and cuts out the page.
func naiveSearch(docs []naiveDoc, q catalog.Query) (catalog.Results, error) {
	offset, err := decodeOffset(q.PageToken)
	if err != nil {
		return catalog.Results{}, err
	}
	size := q.PageSize
	if size == 0 {
		size = 20
	}
	groups := naiveGroups(q.Text)
	type hit struct {
		d     *naiveDoc
		score int
	}
	var hits []hit
	for i := range docs {
		d := &docs[i]
		if !keep(&q, &d.item) {
			continue
		}
		total := 0
		for _, g := range groups {
			best := 0
			for _, t := range g {
				best = max(best, d.termScore(t))
			}
			if best == 0 {
				total = 0
				break
			}
			total += best
		}
		if len(groups) > 0 && total == 0 {
			continue
		}
		hits = append(hits, hit{d, total})
	}
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].score != hits[j].score {
			return hits[i].score > hits[j].score
		}
		return hits[i].d.item.Code < hits[j].d.item.Code
	})
	res := catalog.Results{Items: []catalog.Item{}, Total: len(hits)}
	for i := offset; i < len(hits) && i < offset+size; i++ {
		it := hits[i].d.item
		it.Score = hits[i].score
		res.Items = append(res.Items, it)
	}
	if offset+len(res.Items) < res.Total {
		res.NextPageToken = base64.RawURLEncoding.EncodeToString([]byte("o:" + strconv.Itoa(offset+len(res.Items))))
	}
	return res, nil
}
