package catalog

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func res(code, name, summary string, fields ...string) Resource {
	r := Resource{Code: code, Version: 1, Name: name, Summary: summary, ProviderUSCC: "P1", ProviderName: "湖州市公安局",
		Category: CategoryBase, ShareType: ShareConditional, OpenType: OpenNone, Level: 2}
	for i, f := range fields {
		r.Fields = append(r.Fields, Field{Name: fmt.Sprintf("f%d", i), Title: f, Type: "string", Level: 2})
	}
	return r
}

func codes(t *testing.T, ix *Index, q Query) []string {
	t.Helper()
	r, err := ix.Search(q)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, it := range r.Items {
		out = append(out, it.Code)
	}
	return out
}

func TestIndexSearch(t *testing.T) {
	ix := NewIndex()
	ix.PutBatch([]Resource{
		res("A", "人口基础信息", "全市人口", "公民身份号码", "姓名"),
		res("B", "户籍人口信息", "户籍登记", "户号"),
		res("C", "营业执照信息", "企业登记", "统一社会信用代码", "法定代表人"),
		res("D", "人口 基础", "分开的词"), // the bigram 口基 does not occur across the space
		res("E", "社会保险参保信息", "参保登记", "参保状态"),
		res("F", "API 接口目录", "Open Data", "接口名称"),
	})
	tests := []struct {
		q    string
		want []string
	}{
		{"人口基础", []string{"A"}},                        // D has both bigrams' neighbours but not the phrase
		{"人口", []string{"A", "D", "B"}},                // prefix of name beats inside of name; then code order
		{"基础信息", []string{"A"}},                        // inside the name
		{"姓名", []string{"A"}},                          // field title
		{"法定代表人", []string{"C"}},                       // field title
		{"公安", []string{"A", "B", "C", "D", "E", "F"}}, // provider name, all equal: by code
		{"社保", []string{"E"}},                          // synonym
		{"api", []string{"F"}},                         // case folded
		{"ＡＰＩ", []string{"F"}},                         // full width folded
		{"open data", []string{"F"}},                   // both words
		{"人口 户籍", []string{"B"}},                       // every term
		{"营业执照 人口", nil},
		{"不存在", nil},
		{"人", []string{"A", "D", "B", "C"}}, // one rune: name prefix, then inside name, then field titles
	}
	for _, tc := range tests {
		t.Run(tc.q, func(t *testing.T) {
			if d := cmp.Diff(tc.want, codes(t, ix, Query{Text: tc.q})); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestIndexUpdate(t *testing.T) {
	ix := NewIndex()
	r := res("A", "人口基础信息", "")
	r.Rev = 1
	ix.PutBatch([]Resource{r})
	r2 := r
	r2.Name, r2.Version, r2.Rev = "法人基础信息", 2, 2
	ix.Put(r2)
	if got := codes(t, ix, Query{Text: "人口"}); got != nil {
		t.Errorf("old name still found: %v", got)
	}
	if got := codes(t, ix, Query{Text: "法人"}); len(got) != 1 {
		t.Errorf("new name not found: %v", got)
	}
	// An older copy arriving late does not overwrite the newer one.
	ix.PutBatch([]Resource{r})
	if got := codes(t, ix, Query{Text: "法人"}); len(got) != 1 {
		t.Errorf("stale copy replaced the new version")
	}
	if ix.Rev() != 1 || ix.Len() != 1 {
		t.Errorf("rev %d len %d; a local Put must not advance the rev", ix.Rev(), ix.Len())
	}
}

func TestIndexFiltersAndPages(t *testing.T) {
	ix := NewIndex()
	var all []Resource
	for i := range 45 {
		r := res(fmt.Sprintf("R%03d", i), fmt.Sprintf("人口资源%d", i), "")
		r.Level = i%4 + 1
		if i%3 == 0 {
			r.ShareType = ShareUnconditional
		}
		if i%5 == 0 {
			r.ProviderUSCC = "P2"
		}
		all = append(all, r)
	}
	ix.PutBatch(all)
	for _, q := range []Query{{}, {Text: "人口"}, {Level: 2}, {ShareType: ShareUnconditional, Text: "资源"}, {Provider: "P2"}} {
		var want []string
		for _, r := range all {
			if (q.Level == 0 || r.Level == q.Level) && (q.ShareType == "" || r.ShareType == q.ShareType) && (q.Provider == "" || r.ProviderUSCC == q.Provider) {
				want = append(want, r.Code)
			}
		}
		var got []string
		q.PageSize = 7
		for pages := 0; ; pages++ {
			r, err := ix.Search(q)
			if err != nil {
				t.Fatal(err)
			}
			if r.Total != len(want) {
				t.Fatalf("%+v: total %d, want %d", q, r.Total, len(want))
			}
			for _, it := range r.Items {
				got = append(got, it.Code)
			}
			if q.PageToken = r.NextPageToken; q.PageToken == "" || pages > 20 {
				break
			}
		}
		sort.Strings(got)
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%+v paged (-want +got):\n%s", q, d)
		}
	}
	if _, err := ix.Search(Query{PageToken: "bad"}); err == nil {
		t.Error("bad page token accepted")
	}
}

// FuzzIndexMatchesScan checks the index against a plain scan: for any texts
// and query, it returns exactly the resources whose texts contain every term
// (or, for the synonym table, one of its alternatives).
func FuzzIndexMatchesScan(f *testing.F) {
	f.Add("人口基础信息", "户籍人口", "营业执照", "人口")
	f.Add("社会保险", "API 目录", "人口 基础", "口基")
	f.Add("a", "ab", "abc", "b")
	f.Add("ＡＢ", "ab", "", "ａｂ")
	f.Fuzz(func(t *testing.T, a, b, c, q string) {
		if !utf8.ValidString(a+b+c+q) || len(q) > 40 {
			return
		}
		ix := NewIndex()
		docs := []Resource{res("A", a, ""), res("B", b, ""), res("C", "x", c)}
		ix.PutBatch(docs)
		got := codes(t, ix, Query{Text: q, PageSize: 10})
		var want []string
		for _, r := range docs {
			d := newDoc(&r)
			ok := true
			for _, term := range terms(q) {
				found := false
				for _, alt := range alternatives(term) {
					found = found || strings.Contains(d.name, alt) || strings.Contains(d.summary, alt) ||
						strings.Contains(d.fields, alt) || strings.Contains(d.provider, alt) || strings.Contains(d.code, alt)
				}
				ok = ok && found
			}
			if ok {
				want = append(want, r.Code)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("query %q over %q %q %q: index %v, scan %v", q, a, b, c, got, want)
		}
	})
}

// TestIndexDeepPages pages past what the ranking cache holds, and sees a
// change at once.
func TestIndexDeepPages(t *testing.T) {
	ix := NewIndex()
	var all []Resource
	for i := range 450 {
		all = append(all, res(fmt.Sprintf("R%04d", i), fmt.Sprintf("人口资源%d", i), ""))
	}
	ix.PutBatch(all)
	for _, text := range []string{"", "人口"} {
		seen := map[string]bool{}
		q := Query{Text: text, PageSize: 100}
		for range 10 {
			r, err := ix.Search(q)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range r.Items {
				if seen[it.Code] {
					t.Fatalf("%q: %s twice", text, it.Code)
				}
				seen[it.Code] = true
			}
			if q.PageToken = r.NextPageToken; q.PageToken == "" {
				break
			}
		}
		if len(seen) != 450 {
			t.Errorf("%q: paged %d of 450", text, len(seen))
		}
	}
	r := res("R0001", "法人资源", "")
	r.Version = 2
	ix.Put(r)
	got, _ := ix.Search(Query{Text: "人口", PageSize: 1})
	if got.Total != 449 {
		t.Errorf("after an edit, total %d, want 449 (stale cache?)", got.Total)
	}
}

// TestIndexDeepPageNotCached shows that a deep page token does not pin its
// ranking in the cache.
func TestIndexDeepPageNotCached(t *testing.T) {
	ix := NewIndex()
	var all []Resource
	for i := range 300 {
		all = append(all, res(fmt.Sprintf("R%04d", i), fmt.Sprintf("人口资源%d", i), ""))
	}
	ix.PutBatch(all)
	r, err := ix.Search(Query{Text: "人口", PageSize: 20, PageToken: encodeOffset(280)})
	if err != nil || len(r.Items) != 20 {
		t.Fatalf("deep page = %d items, %v", len(r.Items), err)
	}
	for el := ix.cache.order.Front(); el != nil; el = el.Next() {
		if n := len(el.Value.(*cacheEntry).r.hits); n > cachedHits {
			t.Errorf("cache holds %d hits for one query, more than %d", n, cachedHits)
		}
	}
}
