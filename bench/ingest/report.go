package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"huitong/bench/internal/benchutil"
)

// report collects what a run measured.
type report struct {
	cfg           config
	mach          machine
	backend       string
	baselineLabel string
	big, small    dataset
	baselines     []baselineRun
	floors        []baselineRun // SQLite: modernc.org/sqlite plain inserts
	csv           []ingestRun
	again         *ingestRun
	xlsx          *ingestRun
	smallRuns     []ingestRun
	started       time.Time
	took          time.Duration
	loadStart     string
	loadEnd       string
}

// Targets from the issue.
const (
	targetCSV      = 100000 // rows/s
	targetCSVRatio = 0.5    // of the baseline
	targetXLSX     = 30000  // rows/s
	flatLimit      = 1.25   // peak at the big file / peak at the small one
)

func (rep *report) write(w io.Writer) {
	cfg, m := rep.cfg, rep.mach
	db := map[string]string{"sqlite": "SQLite", "postgres": "PostgreSQL"}[cfg.db]
	fmt.Fprintf(w, "### Ingest, %s: %s rows x 10 columns\n\n", db, benchutil.Count(int64(rep.big.Rows)))
	fmt.Fprintf(w, "- Machine: %d vCPUs (nproc; GOMAXPROCS %d), %s, %s RAM, %s, %s; disk %s.\n", m.CPUs, m.GOMAXPROCS, m.CPUModel, m.MemTotal, m.OS, m.Go, m.Disk)
	fmt.Fprintf(w, "- Shared machine: load average (1/5/15 min) %s at the start, %s at the end; each row below gives the 1-minute load at its start and the CPU used during it, in CPUs, by the benchmark process (with the sqlite3 shell it ran)", rep.loadStart, rep.loadEnd)
	if cfg.db == "postgres" {
		fmt.Fprintf(w, ", by the PostgreSQL server's processes (the work COPY and the store's statements do there; other clients' queries too)")
	}
	fmt.Fprintf(w, " and by all other processes; before each run the benchmark waited up to %s for the others to use less than %.2f CPUs.\n", cfg.quietWait, cfg.quiet)
	fmt.Fprintf(w, "- Code: %s.\n", m.Code)
	fmt.Fprintf(w, "- Store: %s.\n", rep.backend)
	fmt.Fprintf(w, "- Baseline: %s.\n", rep.baselineLabel)
	if len(rep.floors) > 0 {
		fmt.Fprintf(w, "- Floor: the same CSV read with `encoding/csv` and inserted through modernc.org/sqlite and `database/sql`, as the store writes, into a new plain table of ten TEXT columns (no index, no checks, no typing; one transaction of prepared 100-row INSERTs; WAL, synchronous=FULL): the part of the distance to `.import` that is the engine's own.\n")
	}
	fmt.Fprintf(w, "- Command: `%s` (%s in all).\n", command(), rep.took.Round(time.Second))
	fmt.Fprintf(w, "- Data: %s.\n", rep.describeData())
	fmt.Fprintf(w, "- Each run goes through `(*ingest.Service).Ingest` (mode upsert, not strict) as the API calls it, with the file as a plain `io.Reader`, into a resource registered through the catalog service (fresh for each new-resource run). rows/s = rows read / wall time of the call; peak heap = highest `runtime.MemStats.HeapInuse` sampled every %s; peak RSS = `VmHWM` of the process (reset before each run).\n\n", cfg.sample)

	// Throughput.
	cpuHead := "CPU (self / others)"
	if cfg.db == "postgres" {
		cpuHead = "CPU (self / server / others)"
	}
	fmt.Fprintf(w, "| run | rows read | accepted | wall | rows/s (read) | accepted rows/s | vs baseline | %s | load at start |\n", cpuHead)
	fmt.Fprintf(w, "|---|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for i, b := range rep.baselines {
		fmt.Fprintf(w, "| baseline: %s%s | %s | %s | %s | **%s** | | 1.00 | %s | %s |\n", b.What, nth(i, len(rep.baselines)),
			benchutil.Count(b.Rows), benchutil.Count(b.Rows), fmtDur(b.Wall), benchutil.Rate(b.rate()), b.CPU.cell(cfg.db), benchutil.First(b.Load))
	}
	base := rep.baselineRate()
	for i, b := range rep.floors {
		ratio := ""
		if base > 0 {
			ratio = fmt.Sprintf("%.2f", b.rate()/base)
		}
		fmt.Fprintf(w, "| floor: %s%s | %s | %s | %s | **%s** | | %s | %s | %s |\n", b.What, nth(i, len(rep.floors)),
			benchutil.Count(b.Rows), benchutil.Count(b.Rows), fmtDur(b.Wall), benchutil.Rate(b.rate()), ratio, b.CPU.cell(cfg.db), benchutil.First(b.Load))
	}
	row := func(r *ingestRun, suffix string) {
		ratio := ""
		if base > 0 && r.Format == "csv" {
			ratio = fmt.Sprintf("%.2f", r.rowsRate()/base)
		}
		fmt.Fprintf(w, "| huitong: %s%s | %s | %s | %s | **%s** | %s | %s | %s | %s |\n", r.What, suffix, benchutil.Count(r.Batch.Rows), benchutil.Count(r.Batch.Accepted),
			fmtDur(r.Wall), benchutil.Rate(r.rowsRate()), benchutil.Rate(r.acceptedRate()), ratio, r.CPU.cell(cfg.db), benchutil.First(r.Load))
	}
	for i := range rep.csv {
		row(&rep.csv[i], nth(i, len(rep.csv)))
	}
	if rep.again != nil {
		row(rep.again, "")
	}
	if rep.xlsx != nil {
		row(rep.xlsx, "")
	}
	if len(rep.csv) > 1 {
		fmt.Fprintf(w, "\nMedians over %d repetitions: huitong CSV %s rows/s, baseline %s rows/s, ratio %.2f.\n", len(rep.csv),
			benchutil.Rate(rep.csvRate()), benchutil.Rate(base), rep.csvRate()/base)
	}

	// Batch counts.
	fmt.Fprintf(w, "\nBatches (what `Ingest` returned):\n\n")
	fmt.Fprintf(w, "| run | status | rows | accepted | rejected | inserted | updated | unchanged | warnings |\n")
	fmt.Fprintf(w, "|---|---|--:|--:|--:|--:|--:|--:|--:|\n")
	all := append([]*ingestRun{}, ptrs(rep.csv)...)
	if rep.again != nil {
		all = append(all, rep.again)
	}
	if rep.xlsx != nil {
		all = append(all, rep.xlsx)
	}
	all = append(all, ptrs(rep.smallRuns)...)
	for _, r := range all {
		b := r.Batch
		fmt.Fprintf(w, "| %s, %s rows | %s | %s | %s | %s | %s | %s | %s | %s |\n", r.What, benchutil.Count(int64(r.File.Rows)), b.Status, benchutil.Count(b.Rows), benchutil.Count(b.Accepted),
			benchutil.Count(b.Rejected), benchutil.Count(b.Inserted), benchutil.Count(b.Updated), benchutil.Count(b.Unchanged), benchutil.Count(b.Warnings))
	}
	for _, r := range all {
		if want := int64(r.File.bad()); r.Batch.Rejected != want {
			fmt.Fprintf(w, "\nNote: %s rejected %d rows; the generator broke %d (%d check characters, %d enums, %d dates).\n",
				r.What, r.Batch.Rejected, want, r.File.BadCheck, r.File.BadEnum, r.File.BadDate)
		}
	}

	// Where the time goes.
	fmt.Fprintf(w, "\nWhere the wall time goes (store and audit calls timed around the `ingest.Store` and recorder interfaces; \"read + check\" is the rest: reading, mapping, rules, hashing, sealing):\n\n")
	fmt.Fprintf(w, "| run | read + check | %s |\n", strings.Join(phaseOrder, " | "))
	fmt.Fprintf(w, "|---|--:|%s\n", strings.Repeat("--:|", len(phaseOrder)))
	for _, r := range all {
		if r.File.Rows != rep.big.Rows {
			continue
		}
		var inCalls time.Duration
		cells := make([]string, len(phaseOrder))
		for i, name := range phaseOrder {
			d := r.Phases[name]
			inCalls += d
			if r.Calls[name] == 0 {
				cells[i] = "-"
				continue
			}
			cells[i] = fmt.Sprintf("%s (%.0f%%)", fmtDur(d), 100*d.Seconds()/r.Wall.Seconds())
			if r.Calls[name] > 1 {
				cells[i] += fmt.Sprintf(", %d calls", r.Calls[name])
			}
		}
		rest := r.Wall - inCalls
		fmt.Fprintf(w, "| %s | %s (%.0f%%) | %s |\n", r.What, fmtDur(rest), 100*rest.Seconds()/r.Wall.Seconds(), strings.Join(cells, " | "))
	}

	// Memory.
	fmt.Fprintf(w, "\nMemory (flat means the peak does not grow with the file):\n\n")
	fmt.Fprintf(w, "| run | rows | heap at start | peak heap | RSS at start | peak RSS | allocated per row | GCs |\n")
	fmt.Fprintf(w, "|---|--:|--:|--:|--:|--:|--:|--:|\n")
	memRows := append([]*ingestRun{}, ptrs(rep.smallRuns)...)
	if len(rep.csv) > 0 {
		memRows = append(memRows, &rep.csv[0])
	}
	if rep.again != nil {
		memRows = append(memRows, rep.again)
	}
	if rep.xlsx != nil {
		memRows = append(memRows, rep.xlsx)
	}
	for _, r := range memRows {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %d |\n", r.What, benchutil.Count(int64(r.File.Rows)), benchutil.MiB(r.Mem.StartHeap), benchutil.MiB(r.Mem.HeapInuse),
			benchutil.MiB(r.Mem.StartRSS), benchutil.MiB(r.Mem.peakRSS()),
			bytesPer(r.Mem.Alloc, r.Batch.Rows), r.Mem.GCs)
	}

	// Targets.
	fmt.Fprintf(w, "\nTargets (from the issue), as measured here:\n\n")
	if len(rep.csv) > 0 {
		v := rep.csvRate()
		fmt.Fprintf(w, "- CSV >= %s rows/s: %s rows/s, %s.\n", benchutil.Rate(targetCSV), benchutil.Rate(v), benchutil.Met(v >= targetCSV))
		if base > 0 {
			fmt.Fprintf(w, "- CSV >= %.0f%% of the baseline: %.0f%% (%s ÷ %s rows/s), %s.\n", targetCSVRatio*100, 100*v/base, benchutil.Rate(v), benchutil.Rate(base), benchutil.Met(v/base >= targetCSVRatio))
		}
	}
	if rep.xlsx != nil {
		v := rep.xlsx.rowsRate()
		fmt.Fprintf(w, "- XLSX >= %s rows/s: %s rows/s, %s.\n", benchutil.Rate(targetXLSX), benchutil.Rate(v), benchutil.Met(v >= targetXLSX))
	}
	for _, s := range rep.smallRuns {
		var b *ingestRun
		if s.Format == "csv" && len(rep.csv) > 0 {
			b = &rep.csv[0]
		} else if s.Format == "xlsx" {
			b = rep.xlsx
		}
		if b == nil {
			continue
		}
		hr := float64(b.Mem.HeapInuse) / float64(s.Mem.HeapInuse)
		rr := float64(b.Mem.peakRSS()) / float64(s.Mem.peakRSS())
		fmt.Fprintf(w, "- Memory flat, %s: peak heap %s at %s rows vs %s at %s rows (x%.2f), peak RSS %s vs %s (x%.2f) for %.0fx the rows: %s.\n",
			strings.ToUpper(s.Format), benchutil.MiB(b.Mem.HeapInuse), benchutil.Count(int64(b.File.Rows)), benchutil.MiB(s.Mem.HeapInuse), benchutil.Count(int64(s.File.Rows)), hr,
			benchutil.MiB(b.Mem.peakRSS()), benchutil.MiB(s.Mem.peakRSS()), rr, float64(b.File.Rows)/float64(s.File.Rows),
			map[bool]string{true: "flat (within x" + fmt.Sprint(flatLimit) + ")", false: "**grows with the file**"}[hr <= flatLimit && rr <= flatLimit])
	}
}

// cell formats CPU use for the table: "self / others", with the server's
// share in between for PostgreSQL.
func (c cpuUse) cell(db string) string {
	if db == "postgres" {
		return fmt.Sprintf("%.2f / %.2f / %.2f", c.Self, c.Server, c.Others)
	}
	return fmt.Sprintf("%.2f / %.2f", c.Self, c.Others)
}

func (p *memPeak) peakRSS() uint64 {
	if p.HWMReset {
		return max(p.HWM, p.RSS)
	}
	return p.RSS
}

func (rep *report) describeData() string {
	d := rep.big
	s := fmt.Sprintf("%s data rows, CSV %s", benchutil.Count(int64(d.Rows)), benchutil.MiB(uint64(d.CSVSize)))
	if d.XLSXSize > 0 {
		s += fmt.Sprintf(", XLSX %s (excelize StreamWriter, inline strings, 月缴费基数 as numbers)", benchutil.MiB(uint64(d.XLSXSize)))
	}
	s += fmt.Sprintf("; columns 公民身份号码 (GB 11643, key), 姓名, 性别 (enum), 出生日期 (a third each 2024-01-02, 2024/1/2, 2024年1月2日), 联系电话 (mobile; level 4, stored encrypted), "+
		"统一社会信用代码 (GB 32100, indexed), 参保状态 (enum), 月缴费基数 (decimal), 参保日期 (date), 备注 (string, 15%% filled); "+
		"%s bad rows (%.2f%%: %d wrong ID check characters, %d values outside an enum, %d impossible dates); seed %d",
		benchutil.Count(int64(d.bad())), 100*float64(d.bad())/float64(d.Rows), d.BadCheck, d.BadEnum, d.BadDate, d.Seed)
	if rep.small.Rows > 0 {
		s += fmt.Sprintf("; the memory comparison also uses a %s-row file (CSV %s) from the same generator", benchutil.Count(int64(rep.small.Rows)), benchutil.MiB(uint64(rep.small.CSVSize)))
	}
	return s
}

func (rep *report) baselineRate() float64 {
	var v []float64
	for _, b := range rep.baselines {
		v = append(v, b.rate())
	}
	return median(v)
}

func (rep *report) csvRate() float64 {
	var v []float64
	for _, r := range rep.csv {
		v = append(v, r.rowsRate())
	}
	return median(v)
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	v = slices.Clone(v)
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func ptrs(rs []ingestRun) []*ingestRun {
	out := make([]*ingestRun, len(rs))
	for i := range rs {
		out[i] = &rs[i]
	}
	return out
}

func nth(i, n int) string {
	if n < 2 {
		return ""
	}
	return fmt.Sprintf(" (%d/%d)", i+1, n)
}

func bytesPer(total uint64, rows int64) string {
	if rows == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f KiB", float64(total)/float64(rows)/1024)
}

func fmtDur(d time.Duration) string {
	if d >= 10*time.Second {
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}

// command is how the benchmark was started, for the report.
func command() string {
	args := os.Args[1:]
	return "go run ./bench/ingest " + strings.Join(args, " ")
}
