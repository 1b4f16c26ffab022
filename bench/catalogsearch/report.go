package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"huitong/bench/internal/benchutil"
)

// report is everything measured, written as markdown.
type report struct {
	cfg        config
	mach       machine
	storeLabel string
	started    time.Time

	orgs, resources int
	loaded          bool
	loadTime        time.Duration

	coldRefresh, readAll, buildIndex time.Duration
	coldOthers, coldPostgres         float64
	coldAttempts                     int
	reindex                          []time.Duration
	memBefore, memAfter              memory

	mix        []variant // the repeat mix
	cold       []variant // the first-run mix
	mismatches []string
	runs       []*result
}

// The first runs of the texts of the repeat mix only, taken from the
// first-run measurements: the same texts as the repeat mix, in the same
// proportions.
const (
	pathServiceCold33 = "Service.Search, first run, repeat-mix texts only"
	pathIndexCold33   = "Index.Search alone, first run, repeat-mix texts only"
	pathNaiveCold33   = "baseline, first-run mix, repeat-mix texts only"
)

// addSubsets derives the repeat-mix-texts-only rows from the first-run
// measurements.
func (rep *report) addSubsets() {
	inRepeat := map[string]bool{}
	for _, qt := range queryTexts {
		inRepeat[qt.text] = true
	}
	for _, pair := range [][2]string{{pathServiceCold, pathServiceCold33}, {pathIndexCold, pathIndexCold33}, {pathNaiveCold, pathNaiveCold33}} {
		for _, c := range rep.cfg.concurrency {
			r := rep.find(pair[0], c)
			if r == nil {
				continue
			}
			sub := &result{path: pair[1], conc: c, mix: r.mix, others: r.others, postgres: r.postgres}
			for i, v := range r.variant {
				if inRepeat[r.mix[v].text] {
					sub.lat = append(sub.lat, r.lat[i])
					sub.variant = append(sub.variant, v)
				}
			}
			if len(sub.lat) == 0 {
				continue
			}
			// Its throughput is that of the whole run.
			sub.wall = time.Duration(float64(r.wall) * float64(len(sub.lat)) / float64(len(r.lat)))
			sub.sorted = slices.Clone(sub.lat)
			slices.Sort(sub.sorted)
			rep.runs = append(rep.runs, sub)
		}
	}
}

func (rep *report) find(path string, conc int) *result {
	for _, r := range rep.runs {
		if r.path == path && r.conc == conc {
			return r
		}
	}
	return nil
}

func ratio(a, b time.Duration) string {
	if b == 0 {
		return "-"
	}
	r := float64(a) / float64(b)
	switch {
	case r < 0.995:
		return fmt.Sprintf("%.3f (%.0f× faster)", r, 1/r)
	case r > 1.005:
		return fmt.Sprintf("%.2f (slower)", r)
	}
	return fmt.Sprintf("%.2f", r)
}

func (rep *report) pgNote(v float64) string {
	if rep.cfg.db != "postgres" {
		return ""
	}
	return fmt.Sprintf(", PostgreSQL server %.2f", v)
}

func (rep *report) command() string {
	var b strings.Builder
	fmt.Fprintf(&b, "go run ./bench/catalogsearch -n %d -db %s", rep.cfg.n, rep.cfg.db)
	if rep.cfg.db == "postgres" {
		fmt.Fprintf(&b, " -dsn '%s'", rep.cfg.dsn)
	}
	fmt.Fprintf(&b, " -queries %d -concurrency %s", rep.cfg.queries, joinInts(rep.cfg.concurrency))
	if rep.cfg.quiet != 0.25 {
		fmt.Fprintf(&b, " -quiet %g", rep.cfg.quiet)
	}
	if rep.cfg.seed != 1 {
		fmt.Fprintf(&b, " -seed %d", rep.cfg.seed)
	}
	return b.String()
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ",")
}

func (rep *report) write(w io.Writer) {
	rep.addSubsets()
	m := rep.mach
	storeName := "SQLite"
	if rep.cfg.db == "postgres" {
		storeName = "PostgreSQL"
	}
	p := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }

	p("### %s", storeName)
	p("")
	p("Measured %s on %d CPUs (GOMAXPROCS %d), %s, %s RAM, %s %s; %s. Store: %s.",
		rep.started.UTC().Format("2006-01-02 15:04 UTC"), m.CPUs, m.GOMAXPROCS, m.CPUModel, m.MemTotal, m.Go, m.OS, m.Code, rep.storeLabel)
	p("")
	p("```")
	p("%s", rep.command())
	p("```")
	p("")
	if rep.loaded {
		p("Data: %s resources of %d provider orgs, written through `Store.CreateResource` (one transaction each, %d goroutine(s)) in %s (%.0f resources/s).",
			benchutil.Count(int64(rep.resources)), rep.orgs, rep.cfg.loadWorkers, rep.loadTime.Round(time.Second), float64(rep.cfg.n)/rep.loadTime.Seconds())
	} else {
		p("Data: %s resources already in the store (-reuse).", benchutil.Count(int64(rep.resources)))
	}
	p("")
	variants := len(rep.mix) + len(rep.cold)
	p("Query mixes: Chinese texts × 6 filters (none, provider, share_type=conditional, category=base, level=3, open_type=open), page size 20. "+
		"`Service.Search` caches the rankings of its %d most recent queries until the catalog changes, so a query's first run and its repeats are measured apart. "+
		"*First-run mix*: %d queries, %d texts × 6 filters, first pages, cycled in a fixed shuffled order, so that a query comes back only after %d others and is no longer cached. "+
		"*Repeat mix*: %d variants, the first %d of those texts × 6 filters × page 1 and, where there is one, page 2 through its page token; they fit in the cache, so after the warm-up pass every call is answered from it. "+
		"Each run makes %d calls after one unrecorded warm-up pass over its mix; the baseline runs each query of a mix %d time(s) per concurrency level.",
		rankCacheEntries, len(rep.cold), len(rep.cold)/6, len(rep.cold)-1, len(rep.mix), len(queryTexts), rep.cfg.queries, rep.cfg.naiveRepeats)
	p("")
	if len(rep.mismatches) == 0 {
		p("Result check: `Service.Search`, `Index.Search` and the baseline returned identical pages (codes, scores, totals, page tokens) for all %d variants.", variants)
	} else {
		p("Result check: **%d of %d variants differ** between `Service.Search`, `Index.Search` and the baseline:", len(rep.mismatches), variants)
		p("")
		for i, s := range rep.mismatches {
			if i == 10 {
				p("- … %d more", len(rep.mismatches)-10)
				break
			}
			p("- %s", s)
		}
	}
	p("")

	p("Cold start and memory:")
	p("")
	p("| measure | value |")
	p("|---|---|")
	p("| first `Refresh` of a new `catalog.Service` (reads and indexes all %s resources) | %s (attempt %d; other processes used %.2f CPUs meanwhile%s) |",
		benchutil.Count(int64(rep.resources)), rep.coldRefresh.Round(time.Millisecond), rep.coldAttempts, rep.coldOthers, rep.pgNote(rep.coldPostgres))
	p("| of which reading: `ResourcesChangedSince` in batches of 2000 and JSON decoding, measured alone | %s |", rep.readAll.Round(time.Millisecond))
	p("| of which indexing: `Index.PutBatch` of the same resources, measured alone | %s |", rep.buildIndex.Round(time.Millisecond))
	heapDelta := int64(rep.memAfter.HeapInuse) - int64(rep.memBefore.HeapInuse)
	p("| Go heap in use (after GC) before → after the first `Refresh` | %s → %s (+%s, %.1f KiB per resource) |",
		benchutil.MiB(rep.memBefore.HeapInuse), benchutil.MiB(rep.memAfter.HeapInuse), benchutil.MiB(uint64(max(heapDelta, 0))), float64(heapDelta)/1024/float64(max(rep.resources, 1)))
	p("| process RSS before → after the first `Refresh` (peak RSS so far) | %s → %s (%s) |", benchutil.MiB(rep.memBefore.RSS), benchutil.MiB(rep.memAfter.RSS), benchutil.MiB(rep.memAfter.HWM))
	if len(rep.reindex) > 0 {
		p("| re-indexing one edited resource (`Index.Put` of a new version, %d edits; holds the index write lock) | p50 %s, max %s |",
			len(rep.reindex), ms(percentile(rep.reindex, 50)), ms(rep.reindex[len(rep.reindex)-1]))
	}
	p("")

	p("Latency. `Service.Search` and `CatalogRev` ran first, with only the service's index in memory, as in a server; " +
		"then, with that index released, `Index.Search` on a separate index built from the same resources and the baseline, " +
		"a linear scan over the same resources in memory with the same matching and ranking (and no cache). " +
		"Ratio = this path ÷ the baseline on the same mix at the same concurrency; below 1 is faster. " +
		"The rows \"repeat-mix texts only\" are the calls of the first-run measurements whose text is one of the repeat mix's, for comparison with runs of that mix; their calls/s is the whole run's. " +
		"With more goroutines than CPUs, latency includes waiting for a CPU. " +
		"\"Other processes' CPU\" is the CPU time processes other than this one and the PostgreSQL server used during the run, in CPUs (from /proc): a disturbance on a shared machine; " +
		"\"PostgreSQL server CPU\" is the server's own work, mostly answering the freshness query.")
	if rep.cfg.quiet > 0 {
		p("")
		p("Each run (and the cold start) began once other processes had used less than %.2f CPUs for 3 seconds.", rep.cfg.quiet)
	}
	p("")
	if rep.cfg.db == "postgres" {
		p("| path | goroutines | calls | p50 | p95 | p99 | max | calls/s | p50 ratio | p95 ratio | other processes' CPU | PostgreSQL server CPU |")
		p("|---|---:|---:|---:|---:|---:|---:|---:|---|---|---:|---:|")
	} else {
		p("| path | goroutines | calls | p50 | p95 | p99 | max | calls/s | p50 ratio | p95 ratio | other processes' CPU |")
		p("|---|---:|---:|---:|---:|---:|---:|---:|---|---|---:|")
	}
	baseOf := map[string]string{pathServiceCold: pathNaiveCold, pathIndexCold: pathNaiveCold, pathNaiveCold: pathNaiveCold,
		pathServiceCold33: pathNaiveCold33, pathIndexCold33: pathNaiveCold33, pathNaiveCold33: pathNaiveCold33,
		pathServiceWarm: pathNaiveWarm, pathNaiveWarm: pathNaiveWarm}
	for _, c := range rep.cfg.concurrency {
		for _, path := range []string{pathServiceCold, pathIndexCold, pathNaiveCold, pathServiceCold33, pathIndexCold33, pathNaiveCold33, pathServiceWarm, pathNaiveWarm, pathRev} {
			r := rep.find(path, c)
			if r == nil {
				continue
			}
			r50, r95 := "-", "-"
			if base := rep.find(baseOf[path], c); base != nil {
				r50, r95 = ratio(r.pct(50), base.pct(50)), ratio(r.pct(95), base.pct(95))
			}
			pg := ""
			if rep.cfg.db == "postgres" {
				pg = fmt.Sprintf(" %.2f |", r.postgres)
			}
			p("| %s | %d | %d | %s | %s | %s | %s | %.0f | %s | %s | %.2f |%s", path, c, len(r.lat),
				ms(r.pct(50)), ms(r.pct(95)), ms(r.pct(99)), ms(r.max()), r.throughput(), r50, r95, r.others, pg)
		}
	}
	p("")
	for _, path := range []string{pathServiceCold, pathServiceCold33, pathServiceWarm} {
		var verdict []string
		for _, c := range rep.cfg.concurrency {
			if r := rep.find(path, c); r != nil {
				v := "met"
				if r.pct(95) >= 20*time.Millisecond {
					v = "**missed**"
				}
				verdict = append(verdict, fmt.Sprintf("%s at %d goroutine(s) (%s)", ms(r.pct(95)), c, v))
			}
		}
		p("Target p95 < 20 ms, %s: %s.", path, strings.Join(verdict, "; "))
		p("")
	}
	p("")

	rep.writePerText(w, p)
}

func (rep *report) writePerText(w io.Writer, p func(string, ...any)) {
	c1 := rep.cfg.concurrency[0]
	svc, ix, base, warm := rep.find(pathServiceCold, c1), rep.find(pathIndexCold, c1), rep.find(pathNaiveCold, c1), rep.find(pathServiceWarm, c1)
	if svc == nil || ix == nil || base == nil || warm == nil {
		return
	}
	sv, iv, bv := svc.byVariant(), ix.byVariant(), base.byVariant()
	wv := warm.byVariant()
	type row struct {
		text, note         string
		hits               int
		s50, s95, smax     time.Duration
		i50, b50, w50      time.Duration
		slowVariant        string
		slowVariantLatency time.Duration
	}
	var rows []row
	for _, qt := range slices.Concat(queryTexts, moreTexts) {
		var s, i, b, w []time.Duration
		r := row{text: qt.text, note: qt.note}
		for v, vr := range rep.mix {
			if vr.text == qt.text && v < len(wv) {
				w = append(w, wv[v]...)
			}
		}
		for v, vr := range rep.cold {
			if vr.text != qt.text {
				continue
			}
			if vr.filter == "none" {
				r.hits = vr.total
			}
			if v < len(sv) {
				s = append(s, sv[v]...)
				if len(sv[v]) > 0 {
					if med := percentile(sv[v], 50); med > r.slowVariantLatency {
						r.slowVariantLatency, r.slowVariant = med, vr.filter
					}
				}
			}
			if v < len(iv) {
				i = append(i, iv[v]...)
			}
			if v < len(bv) {
				b = append(b, bv[v]...)
			}
		}
		slices.Sort(s)
		slices.Sort(i)
		slices.Sort(b)
		slices.Sort(w)
		r.s50, r.s95, r.i50, r.b50, r.w50 = percentile(s, 50), percentile(s, 95), percentile(i, 50), percentile(b, 50), percentile(w, 50)
		if len(s) > 0 {
			r.smax = s[len(s)-1]
		}
		rows = append(rows, r)
	}
	slices.SortStableFunc(rows, func(a, b row) int { return int(b.s95 - a.s95) })
	p("Per query text, first runs, slowest first (%d goroutine(s); the 6 filters of a text pooled; hits = total with no filter; "+
		"the last column is `Service.Search` on the repeat mix, answered from the cache, for the texts in it):", c1)
	p("")
	p("| text | kind | hits | Service p50 | Service p95 | Service max | slowest filter (median) | Index p50 | baseline p50 | Service p50 ratio | repeated: Service p50 |")
	p("|---|---|---:|---:|---:|---:|---|---:|---:|---|---:|")
	for _, r := range rows {
		t := r.text
		if t == "" {
			t = "(empty)"
		}
		w50 := "-"
		if r.w50 > 0 {
			w50 = ms(r.w50)
		}
		p("| %s | %s | %s | %s | %s | %s | %s (%s) | %s | %s | %s | %s |", t, r.note, benchutil.Count(int64(r.hits)), ms(r.s50), ms(r.s95), ms(r.smax),
			r.slowVariant, ms(r.slowVariantLatency), ms(r.i50), ms(r.b50), ratio(r.s50, r.b50), w50)
	}
	p("")
}
