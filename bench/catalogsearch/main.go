// Command catalogsearch measures catalog search over a large generated
// catalog on SQLite or PostgreSQL, side by side with a baseline (a linear
// scan over the same resources in memory) and the bare per-search freshness
// query, and prints markdown tables for docs/PERFORMANCE.md. It reports; it
// does not assert.
//
//	go run ./bench/catalogsearch -n 100000 -db sqlite
//	go run ./bench/catalogsearch -n 100000 -db postgres -dsn 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable'
//
// For PostgreSQL it works in the database huitong_bench_catalog (created when
// missing, its public schema dropped and recreated before each run), never
// in the database -dsn names. Progress goes to stderr, the report to stdout.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"huitong"
	"huitong/bench/internal/benchutil"
	"huitong/internal/catalog"
	"huitong/internal/store"
)

func main() { benchutil.Main("catalogsearch", run) }

type config struct {
	n            int
	orgs         int
	db           string
	dsn          string
	dir          string
	queries      int
	concurrency  []int
	loadWorkers  int
	seed         uint64
	reuse        bool
	cpuProfile   string
	memProfile   string
	out          string
	naiveRepeats int
	quiet        float64
	quietWait    time.Duration
	code         string
}

func parseFlags() (config, error) {
	var c config
	var conc string
	flag.IntVar(&c.n, "n", 100000, "number of resources to generate")
	flag.IntVar(&c.orgs, "orgs", 300, "number of provider orgs")
	flag.StringVar(&c.db, "db", "sqlite", "store: sqlite or postgres")
	flag.StringVar(&c.dsn, "dsn", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable",
		"PostgreSQL server to use (the benchmark works in the database "+benchDB+" on it, never in this one)")
	flag.StringVar(&c.dir, "dir", "", "SQLite data directory (default: a new temporary directory, removed afterwards)")
	flag.IntVar(&c.queries, "queries", 2000, "searches per measured run")
	flag.StringVar(&conc, "concurrency", "1,8", "comma-separated numbers of concurrent searching goroutines")
	flag.IntVar(&c.loadWorkers, "load-workers", 0, "goroutines inserting resources (default 1 for sqlite, 4 for postgres)")
	flag.Uint64Var(&c.seed, "seed", 1, "generator seed")
	flag.BoolVar(&c.reuse, "reuse", false, "search the resources already in the store instead of generating them (needs at least -n)")
	flag.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile of everything after loading (cold start, checks, measurements) to this file")
	flag.StringVar(&c.memProfile, "memprofile", "", "write a heap profile taken right after the cold start to this file")
	flag.StringVar(&c.out, "o", "", "also write the report to this file")
	flag.IntVar(&c.naiveRepeats, "naive-repeats", 1, "times the baseline runs each query of the mix (it is slow)")
	flag.Float64Var(&c.quiet, "quiet", 0.25, "before each measurement, wait until other processes use less than this many CPUs (0: do not wait)")
	flag.DurationVar(&c.quietWait, "quiet-wait", 15*time.Minute, "longest wait for -quiet before measuring anyway")
	flag.StringVar(&c.code, "code", "", "describes the code measured in the report (default: from git in the current directory)")
	flag.Parse()
	var err error
	if c.concurrency, err = benchutil.PositiveInts("concurrency", conc); err != nil {
		return c, err
	}
	if c.db != "sqlite" && c.db != "postgres" {
		return c, fmt.Errorf("-db must be sqlite or postgres")
	}
	if c.loadWorkers == 0 {
		c.loadWorkers = 1
		if c.db == "postgres" {
			c.loadWorkers = 4
		}
	}
	return c, nil
}

func run() error {
	cfg, err := parseFlags()
	if err != nil {
		return err
	}
	ctx := context.Background()
	mach := describeMachine()
	if cfg.code != "" {
		mach.Code = cfg.code
	}
	benchutil.Logf("machine: %d CPUs (GOMAXPROCS %d), %s, %s RAM, %s", mach.CPUs, mach.GOMAXPROCS, mach.CPUModel, mach.MemTotal, mach.Go)

	var prep prepared
	if cfg.db == "sqlite" {
		prep, err = prepareSQLite(ctx, cfg.dir, cfg.reuse)
	} else {
		prep, err = preparePostgres(ctx, cfg.dsn, cfg.reuse, cfg.quietWait)
	}
	if err != nil {
		return err
	}
	defer prep.cleanup()
	benchutil.Logf("store: %s", prep.label)

	rep := report{cfg: cfg, mach: mach, storeLabel: prep.label, started: time.Now()}

	// 1. Generate and load.
	orgs, err := genOrgs(cfg.orgs)
	if err != nil {
		return err
	}
	rep.orgs = len(orgs)
	db, err := store.Open(ctx, prep.dsn)
	if err != nil {
		return err
	}
	rev, err := db.CatalogRev(ctx)
	if err != nil {
		return err
	}
	switch {
	case rev == 0:
		if err := createOrgs(ctx, db, orgs); err != nil {
			return err
		}
		benchutil.Logf("created %d orgs; loading %d resources with %d goroutine(s)", len(orgs), cfg.n, cfg.loadWorkers)
		rep.loadTime, err = loadResources(ctx, db, newGenerator(cfg.seed, orgs), cfg.n, cfg.loadWorkers, benchutil.Logf)
		if err != nil {
			return err
		}
		rep.loaded = true
	case cfg.reuse && rev >= int64(cfg.n):
		benchutil.Logf("reusing the %d catalog changes already in the store", rev)
	default:
		return fmt.Errorf("the store already holds %d catalog changes; start from an empty store", rev)
	}
	db.Close()

	// 2. Cold start: a fresh process-side view of the store loads the index.
	if cfg.cpuProfile != "" {
		f, err := os.Create(cfg.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}

	if db, err = store.Open(ctx, prep.dsn); err != nil {
		return err
	}
	defer db.Close()
	// The audit recorder and OrgName are only used by Create and Update,
	// which the benchmark does not call.
	// On a shared machine, a cold start disturbed by other processes is
	// repeated (at most three attempts).
	var svc *catalog.Service
	for attempt := 1; ; attempt++ {
		waitQuiet(cfg.quiet, cfg.quietWait)
		rep.memBefore = measureMemory()
		svc = catalog.NewService(db, nil, func(context.Context, string) (string, error) { return "", errors.New("not used") })
		cpu0, t0 := readCPUTimes(), time.Now()
		if err := svc.Refresh(ctx); err != nil {
			return fmt.Errorf("refresh: %w", err)
		}
		rep.coldRefresh = time.Since(t0)
		rep.coldOthers, rep.coldPostgres = othersCPU(cpu0, readCPUTimes(), rep.coldRefresh)
		rep.coldAttempts = attempt
		rep.memAfter = measureMemory()
		if cfg.quiet <= 0 || rep.coldOthers < cfg.quiet || attempt == 3 {
			break
		}
		benchutil.Logf("other processes used %.2f CPUs during the cold start (%s); repeating it", rep.coldOthers, rep.coldRefresh.Round(time.Millisecond))
		svc = nil
	}
	if cfg.memProfile != "" {
		if err := writeHeapProfile(cfg.memProfile); err != nil {
			return err
		}
	}
	userCtx := huitong.WithPrincipal(ctx, &huitong.Principal{Kind: huitong.PrincipalUser, Name: "bench",
		OrgUSCC: orgs[0].in.USCC, Roles: []string{huitong.RoleConsumer}})
	first, err := svc.Search(userCtx, catalog.Query{PageSize: 1})
	if err != nil {
		return err
	}
	rep.resources = first.Total
	benchutil.Logf("cold start: Refresh loaded %d resources in %s; heap in use %s -> %s, RSS %s -> %s",
		first.Total, rep.coldRefresh.Round(time.Millisecond), benchutil.MiB(rep.memBefore.HeapInuse), benchutil.MiB(rep.memAfter.HeapInuse),
		benchutil.MiB(rep.memBefore.RSS), benchutil.MiB(rep.memAfter.RSS))

	rng := rand.New(rand.NewPCG(cfg.seed, 7))
	measureAll := func(paths []measured) error {
		for _, c := range cfg.concurrency {
			for _, p := range paths {
				waitQuiet(cfg.quiet, cfg.quietWait)
				benchutil.Logf("measuring %s at concurrency %d (%d calls)", p.name, c, p.n)
				r, err := measure(p.name, c, p.n, p.mix, p.order, p.fn)
				if err != nil {
					return fmt.Errorf("%s: %w", p.name, err)
				}
				benchutil.Logf("  p50 %s p95 %s p99 %s max %s, %.0f/s; other processes used %.2f CPUs meanwhile, PostgreSQL %.2f",
					ms(r.pct(50)), ms(r.pct(95)), ms(r.pct(99)), ms(r.max()), r.throughput(), r.others, r.postgres)
				rep.runs = append(rep.runs, r)
			}
		}
		return nil
	}

	// 3. Phase A, as a server runs: only the service's index in memory.
	// The repeat mix takes its page-2 tokens from the service's answers.
	// The service caches the rankings of recent queries (256 of them), so
	// the first run of a query and a repeated one are measured apart: the
	// first-run mix has more distinct queries than the cache holds and
	// cycles through them in a fixed order, so that every call misses; the
	// repeat mix fits in the cache and, after its warm-up pass, every call
	// hits.
	svcSearch := func(q catalog.Query) (catalog.Results, error) { return svc.Search(userCtx, q) }
	mix, err := buildMix(orgs, svcSearch)
	if err != nil {
		return err
	}
	cold := buildColdMix(orgs)
	if len(cold) <= rankCacheEntries {
		return fmt.Errorf("the first-run mix has %d queries, not more than the %d the cache holds", len(cold), rankCacheEntries)
	}
	rep.mix, rep.cold = mix, cold
	order, coldOrder := rng.Perm(len(mix)), rng.Perm(len(cold))
	svcPages := make([]string, len(mix))
	for i, v := range mix {
		res, err := svc.Search(userCtx, v.q)
		if err != nil {
			return err
		}
		svcPages[i] = pageString(res)
	}
	svcColdPages := make([]string, len(cold))
	for i, v := range cold {
		res, err := svc.Search(userCtx, v.q)
		if err != nil {
			return err
		}
		svcColdPages[i] = pageString(res)
		cold[i].total = res.Total
	}
	benchutil.Logf("query mixes: first runs %d queries over %d texts, repeats %d variants over %d texts", len(cold), len(cold)/6, len(mix), len(queryTexts))
	err = measureAll([]measured{
		{pathServiceCold, cfg.queries, cold, coldOrder, func(v int) error { _, err := svc.Search(userCtx, cold[v].q); return err }},
		{pathServiceWarm, cfg.queries, mix, order, func(v int) error { _, err := svc.Search(userCtx, mix[v].q); return err }},
		{pathRev, cfg.queries, mix, order, func(int) error { _, err := db.CatalogRev(ctx); return err }},
	})
	if err != nil {
		return err
	}
	svc = nil

	// 4. Phase B: the same resources in a separate Index and in the
	// baseline's list.
	runtime.GC()
	waitQuiet(cfg.quiet, cfg.quietWait)
	t0 := time.Now()
	all, err := loadAll(ctx, db)
	if err != nil {
		return err
	}
	rep.readAll = time.Since(t0)
	runtime.GC()
	ix := catalog.NewIndex()
	t0 = time.Now()
	for i := 0; i < len(all); i += 2000 {
		ix.PutBatch(all[i:min(i+2000, len(all))])
	}
	rep.buildIndex = time.Since(t0)
	naive := make([]naiveDoc, len(all))
	for i := range all {
		naive[i] = newNaiveDoc(&all[i])
	}
	// Some resources to edit at the end, to time re-indexing one resource.
	var edits []catalog.Resource
	for i := 0; i < len(all) && len(edits) < 200; i += max(1, len(all)/200) {
		edits = append(edits, all[i])
	}
	all = nil
	benchutil.Logf("read all resources in %s; Index.PutBatch of all took %s", rep.readAll.Round(time.Millisecond), rep.buildIndex.Round(time.Millisecond))

	// The service, the index and the baseline must give the same pages.
	rep.mismatches = append(crossCheck(cold, svcColdPages, ix, naive), crossCheck(mix, svcPages, ix, naive)...)
	benchutil.Logf("result check: %d mismatches", len(rep.mismatches))

	err = measureAll([]measured{
		{pathIndexCold, cfg.queries, cold, coldOrder, func(v int) error { _, err := ix.Search(cold[v].q); return err }},
		{pathNaiveCold, len(cold) * cfg.naiveRepeats, cold, coldOrder, func(v int) error { _, err := naiveSearch(naive, cold[v].q); return err }},
		{pathNaiveWarm, len(mix) * cfg.naiveRepeats, mix, order, func(v int) error { _, err := naiveSearch(naive, mix[v].q); return err }},
	})
	if err != nil {
		return err
	}

	// 5. Re-indexing an edited resource: Index.Put of a new version of an
	// indexed one, as Create, Update and Refresh after an edit do.
	for _, r := range edits {
		r.Version++
		t := time.Now()
		ix.Put(r)
		rep.reindex = append(rep.reindex, time.Since(t))
	}
	slices.Sort(rep.reindex)

	return benchutil.WriteReport(cfg.out, rep.write)
}

// waitQuiet waits until other processes use less than limit CPUs over a
// 3-second window, or for at most maxWait.
func waitQuiet(limit float64, maxWait time.Duration) {
	if limit <= 0 {
		return
	}
	deadline := time.Now().Add(maxWait)
	for said := false; ; said = true {
		a := readCPUTimes()
		time.Sleep(3 * time.Second)
		others, pg := othersCPU(a, readCPUTimes(), 3*time.Second)
		others += pg // this process is idle meanwhile: the server works for others
		if others < limit {
			return
		}
		if time.Now().After(deadline) {
			benchutil.Logf("other processes still use %.2f CPUs; measuring anyway", others)
			return
		}
		if !said {
			benchutil.Logf("other processes use %.2f CPUs; waiting for the machine to be quiet (-quiet %.2f)", others, limit)
		}
	}
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return pprof.Lookup("heap").WriteTo(f, 0)
}

// The measured paths.
const (
	pathServiceCold = "Service.Search, first run of a query"
	pathServiceWarm = "Service.Search, repeated query or next page"
	pathIndexCold   = "Index.Search alone, first run of a query"
	pathNaiveCold   = "baseline: linear scan, first-run mix"
	pathNaiveWarm   = "baseline: linear scan, repeat mix"
	pathRev         = "CatalogRev (freshness query alone)"
)

// queryTexts are the search texts of the mix, from very common to nothing.
var queryTexts = []struct{ text, note string }{
	{"人口", "common"},
	{"营业执照", ""},
	{"社保", "synonym: 社会保险, 社会保障"},
	{"不动产", ""},
	{"婚姻登记", ""},
	{"低保对象", ""},
	{"医疗", ""},
	{"学籍", ""},
	{"公积金 缴存", "two terms, synonym: 住房公积金"},
	{"个人所得税", ""},
	{"湖羊", "rare"},
	{"航天发射", "matches nothing"},
	{"人", "single character"},
	{"户籍", "synonym: 户口"},
	{"驾驶证", ""},
	{"行政处罚", ""},
	{"许可", ""},
	{"身份证", "synonym: 居民身份证, 公民身份号码 (a field title)"},
	{"医保 结算", "two terms, synonym: 医疗保险, 医疗保障"},
	{"企业", "synonym: 法人"},
	{"登记", "broad"},
	{"信息", "nearly everything"},
	{"养老", ""},
	{"出生医学证明", ""},
	{"吴兴区", "region, in provider names"},
	{"统一社会信用代码", "field title"},
	{"纳税", "synonym: 税务"},
	{"疫苗", "synonym: 预防接种"},
	{"房产证", "synonym: 不动产权证书, 不动产登记"},
	{"社会救助 家庭", "two terms"},
	{"德清县 人口", "two terms"},
	{"12345", "digits"},
	{"", "no text: browse by code"},
}

// moreTexts are further texts of the first-run mix, so that it has more
// distinct queries than the rank cache holds.
var moreTexts = []struct{ text, note string }{
	{"食品经营许可", ""},
	{"残疾人", ""},
	{"退役军人", ""},
	{"养老机构", ""},
	{"教师资格", ""},
	{"执业医师", ""},
	{"道路运输", ""},
	{"殡葬", ""},
	{"收养登记", ""},
	{"失业登记", ""},
	{"就业", ""},
	{"预防接种", ""},
	{"建设工程规划许可", ""},
	{"国有土地", ""},
	{"经营异常", ""},
	{"个体工商户", ""},
	{"特困人员", ""},
	{"临时救助", ""},
	{"学生资助", ""},
	{"工单 12345", "two terms"},
	{"安吉县", "region, in provider names"},
	{"税", "single character"},
}

type variant struct {
	text, filter string
	page         int
	q            catalog.Query
	total        int
}

func (v variant) label() string {
	t := v.text
	if t == "" {
		t = "(browse)"
	}
	return fmt.Sprintf("%s / %s / p%d", t, v.filter, v.page)
}

// buildMix crosses the texts with the filters; where a first page has a
// next page, the second page (through its page token) is a variant too.
// filter is one of the filters a text is crossed with.
type filter struct {
	name string
	set  func(*catalog.Query)
}

// filtersFor returns the six filters of the i-th text: none, a provider,
// a share type, a category, a level and an open type.
func filtersFor(i int, orgs []benchOrg) []filter {
	provider := orgs[(i*37+11)%len(orgs)].in.USCC
	return []filter{
		{"none", func(*catalog.Query) {}},
		{"provider", func(q *catalog.Query) { q.Provider = provider }},
		{"share_type=conditional", func(q *catalog.Query) { q.ShareType = catalog.ShareConditional }},
		{"category=base", func(q *catalog.Query) { q.Category = catalog.CategoryBase }},
		{"level=3", func(q *catalog.Query) { q.Level = 3 }},
		{"open_type=open", func(q *catalog.Query) { q.OpenType = catalog.OpenOpen }},
	}
}

// buildMix is the repeat mix: queryTexts crossed with their filters; where
// a first page has a next page, the second page (through its page token)
// is a variant too. Its distinct queries fit in the service's cache.
func buildMix(orgs []benchOrg, search func(catalog.Query) (catalog.Results, error)) ([]variant, error) {
	var mix []variant
	for i, qt := range queryTexts {
		for _, f := range filtersFor(i, orgs) {
			q := catalog.Query{Text: qt.text, PageSize: 20}
			f.set(&q)
			res, err := search(q)
			if err != nil {
				return nil, fmt.Errorf("%q: %w", qt.text, err)
			}
			mix = append(mix, variant{text: qt.text, filter: f.name, page: 1, q: q, total: res.Total})
			if res.NextPageToken != "" {
				q.PageToken = res.NextPageToken
				mix = append(mix, variant{text: qt.text, filter: f.name, page: 2, q: q, total: res.Total})
			}
		}
	}
	return mix, nil
}

// rankCacheEntries is how many query rankings catalog.Index caches
// (cacheEntries in internal/catalog/search.go).
const rankCacheEntries = 256

// buildColdMix is the first-run mix: queryTexts and moreTexts crossed with
// their filters, first pages only. It has more distinct queries than the
// rank cache holds, so that, cycled in a fixed order, no query is still
// cached when it comes back.
func buildColdMix(orgs []benchOrg) []variant {
	var mix []variant
	for i, qt := range slices.Concat(queryTexts, moreTexts) {
		for _, f := range filtersFor(i, orgs) {
			q := catalog.Query{Text: qt.text, PageSize: 20}
			f.set(&q)
			mix = append(mix, variant{text: qt.text, filter: f.name, page: 1, q: q})
		}
	}
	return mix
}

// measured is a path to measure: n calls of fn, call i with variant
// order[i % len(order)] of mix.
type measured struct {
	name  string
	n     int
	mix   []variant
	order []int
	fn    func(int) error
}

func pageString(r catalog.Results) string {
	var b strings.Builder
	fmt.Fprintf(&b, "total %d next %q:", r.Total, r.NextPageToken)
	for _, it := range r.Items {
		fmt.Fprintf(&b, " %s(%d)", it.Code, it.Score)
	}
	return b.String()
}

// crossCheck compares, for every variant, the service's page (recorded in
// phase A) with the index's and the baseline's, and lists differences.
func crossCheck(mix []variant, svcPages []string, ix *catalog.Index, naive []naiveDoc) []string {
	var out []string
	for i, v := range mix {
		b, err2 := ix.Search(v.q)
		c, err3 := naiveSearch(naive, v.q)
		if err := errorsJoin(err2, err3); err != nil {
			out = append(out, fmt.Sprintf("%s: error %v", v.label(), err))
			continue
		}
		pa, pb, pc := svcPages[i], pageString(b), pageString(c)
		if pa != pb || pb != pc {
			out = append(out, fmt.Sprintf("%s: service %.200s | index %.200s | baseline %.200s", v.label(), pa, pb, pc))
		}
	}
	return out
}

func errorsJoin(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// result is one measured run: every call's latency and which variant it ran.
type result struct {
	path     string
	mix      []variant
	conc     int
	lat      []time.Duration // in call order
	variant  []int
	sorted   []time.Duration
	wall     time.Duration
	others   float64 // CPUs used by other processes meanwhile
	postgres float64 // CPUs used by PostgreSQL server processes meanwhile
}

// measure makes n calls of fn from conc goroutines; call i runs variant
// order[i % len(order)].
func measure(path string, conc, n int, mix []variant, order []int, fn func(int) error) (*result, error) {
	r := &result{path: path, conc: conc, mix: mix, lat: make([]time.Duration, n), variant: make([]int, n)}
	// Warm up: one pass over the mix (at most n calls), not recorded.
	for i := range min(n, len(order)) {
		if err := fn(order[i]); err != nil {
			return nil, err
		}
	}
	next := make(chan int, n)
	for i := range n {
		next <- i
	}
	close(next)
	errc := make(chan error, conc)
	cpu0 := readCPUTimes()
	start := time.Now()
	for range conc {
		go func() {
			for i := range next {
				v := order[i%len(order)]
				t := time.Now()
				err := fn(v)
				r.lat[i] = time.Since(t)
				r.variant[i] = v
				if err != nil {
					errc <- err
					return
				}
			}
			errc <- nil
		}()
	}
	var err error
	for range conc {
		if e := <-errc; e != nil && err == nil {
			err = e
		}
	}
	r.wall = time.Since(start)
	r.others, r.postgres = othersCPU(cpu0, readCPUTimes(), r.wall)
	r.sorted = slices.Clone(r.lat)
	slices.Sort(r.sorted)
	return r, err
}

// pct returns the p-th percentile (nearest rank).
func (r *result) pct(p float64) time.Duration { return percentile(r.sorted, p) }

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	k := int(float64(len(sorted))*p/100+0.999999) - 1
	return sorted[max(0, min(k, len(sorted)-1))]
}

func (r *result) max() time.Duration  { return r.sorted[len(r.sorted)-1] }
func (r *result) throughput() float64 { return float64(len(r.lat)) / r.wall.Seconds() }
func (r *result) byVariant() [][]time.Duration {
	out := map[int][]time.Duration{}
	n := 0
	for i, v := range r.variant {
		out[v] = append(out[v], r.lat[i])
		n = max(n, v+1)
	}
	s := make([][]time.Duration, n)
	for v, l := range out {
		slices.Sort(l)
		s[v] = l
	}
	return s
}

func ms(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f ms", v)
	case v >= 10:
		return fmt.Sprintf("%.1f ms", v)
	case v >= 1:
		return fmt.Sprintf("%.2f ms", v)
	}
	return fmt.Sprintf("%.3f ms", v)
}
