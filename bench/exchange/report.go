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
	cfg     config
	mach    machine
	backend string
	data    dataset
	setup   *setupState
	reused  bool
	server  struct {
		startup                           time.Duration
		idleRSS, startHWM, endRSS, endHWM uint64
		cpu                               time.Duration // over the gateway runs, warm-ups and audit waits included
	}
	check     *checkResult
	gateway   []*loadRun
	bare      []*loadRun
	profiled  *loadRun
	bareBuild time.Duration
	bareRSS   uint64
	started   time.Time
	took      time.Duration
	loadStart string
	loadEnd   string
}

// Targets from the issue.
const (
	targetRatio   = 0.5                   // of the bare handler's throughput, at the most clients
	targetP99     = 10 * time.Millisecond // every call
	targetRSS     = 300 << 20             // server RSS
	targetClients = 64
)

func (rep *report) write(w io.Writer) {
	cfg, m := rep.cfg, rep.mach
	db := map[string]string{"sqlite": "SQLite", "postgres": "PostgreSQL"}[cfg.db]
	fmt.Fprintf(w, "### Exchange gateway, %s: %s records\n\n", db, benchutil.Count(int64(rep.data.Rows)))
	fmt.Fprintf(w, "- Machine: %d vCPUs (GOMAXPROCS %d), %s, %s RAM, %s, %s. **The clients, the server", m.CPUs, m.GOMAXPROCS, m.CPUModel, m.MemTotal, m.OS, m.Go)
	if cfg.db == "postgres" {
		fmt.Fprintf(w, ", PostgreSQL")
	}
	fmt.Fprintf(w, " and the bare handler share these %d CPUs**: the CPU the load generator itself uses is in every row.\n", m.CPUs)
	wait := "the benchmark did not wait for a quiet machine (-quiet 0)"
	if cfg.quiet > 0 {
		wait = fmt.Sprintf("before each run the benchmark waited up to %s for other processes to use less than %.2f CPUs", cfg.quietWait, cfg.quiet)
	}
	fmt.Fprintf(w, "- Shared machine: load average (1/5/15 min) %s at the start, %s at the end; %s; each row gives the 1-minute load at its start and the CPU other processes used during it.\n",
		rep.loadStart, rep.loadEnd, wait)
	fmt.Fprintf(w, "- Code: %s.\n", m.Code)
	fmt.Fprintf(w, "- Server: `huitong serve` with the demo's operator org, built with `go build ./cmd/huitong` (see Code) and run as a subprocess, GOMAXPROCS default, `--log-level %s` (a line per request, written to a file); the setup ran `huitong demo` on the same store, so the demo city's orgs and users exist, and stopped it. Up in %s (catalog load), RSS %s after start and a login.\n",
		cfg.logLevel, rep.server.startup.Round(time.Millisecond), benchutil.MiB(rep.server.idleRSS))
	fmt.Fprintf(w, "- Store: %s.\n", rep.backend)
	fmt.Fprintf(w, "- Data: %s records generated with seed %d (CSV %s): 公民身份号码 (valid GB 11643, the key; level 3, pii id_card), 姓名 (level 3, name), 性别 (level 1), 出生日期 (level 2, date), 联系电话 (level 3, phone), 住址 (level 3, address), 宗教信仰 (level 4, stored encrypted). Resource %s (share type conditional) of 湖州市公安局, registered by `%s` through `POST /api/v1/resources`.\n",
		benchutil.Count(int64(rep.data.Rows)), rep.data.Seed, benchutil.MiB(uint64(rep.data.Size)), rep.setup.Resource, providerUser)
	u := rep.setup.Upload
	load := fmt.Sprintf("uploaded through `POST /api/v1/resources/%s/batches` (CSV) in %s: %s rows, %s accepted, %s rows/s; server peak RSS during setup and upload %s",
		rep.setup.Resource, fmtDur(u.Wall), benchutil.Count(u.Rows), benchutil.Count(u.Accepted), benchutil.Count(int64(float64(u.Rows)/u.Wall.Seconds())), benchutil.MiB(u.PeakRSS))
	if rep.reused {
		load = "reused from a run at " + rep.setup.At.Format("2006-01-02 15:04 UTC") + " (-reuse); it was " + load
	}
	fmt.Fprintf(w, "- Load: %s.\n", load)
	fmt.Fprintf(w, "- Grant %d: `%s` (湖州市民政局) requested all 7 fields (`POST /api/v1/requests`), `%s` approved at rate %s/s and %s records a day (the maxima), `%s` countersigned the level-4 field.\n",
		rep.setup.GrantID, consumerUser, providerUser, benchutil.Count(grantRate), benchutil.Count(grantQuota), adminUser)
	fmt.Fprintf(w, "- Calls, as `%s` with a bearer token: query `POST /api/v1/exchange/%s/query` `{\"where\":{\"id_card\":\"<ID>\"},\"fields\":%s}` (one record, ID number, name, phone and address masked, the level-4 value as the gateway gives it); verify `POST /api/v1/exchange/%s/verify` `{\"where\":{\"id_card\":\"<ID>\"},\"match\":{\"name\":\"<its name>\"}}` (answer true). The ID is drawn uniformly from all records for each call.\n",
		consumerUser, rep.setup.Resource, queryFields, rep.setup.Resource)
	fmt.Fprintf(w, "- Bare handler: a `net/http` server on its own listener in the benchmark process, serving the same calls from a `map[string]record` of the same %s records (built in %s, +%s RSS): decode the JSON body, look up the ID, encode the asked fields (`{\"records\":[...]}`) or compare the name (`{\"match\":...}`); no authentication, grant, masking, database or audit. It runs after the gateway runs, with the server stopped.\n",
		benchutil.Count(int64(rep.data.Rows)), rep.bareBuild.Round(time.Millisecond), benchutil.MiB(rep.bareRSS))
	fmt.Fprintf(w, "- Method: each of N client goroutines has its own `http.Transport` (one keep-alive connection) and sends its next call as soon as the previous answer is read (closed loop), for %s of warm-up and then %s measured. Latency: from sending the request to having read the whole answer. req/s: right answers (200 and the expected ID or `\"match\":true`) of calls started in the measured window ÷ the window. Errors: transport errors, statuses other than 200 and 429, and 200s with a wrong answer; 429s are counted apart. RSS: the server's VmRSS sampled every %s (for the bare handler: the benchmark process, clients included). CPU: from /proc, in CPUs over the window.\n",
		cfg.warmup, cfg.duration, cfg.rssEvery)
	fmt.Fprintf(w, "- Audit: the size of the signed audit checkpoint (`GET /api/v1/audit/checkpoint`) before and after each run, once it stopped growing; it must grow by exactly the number of 200 answers, warm-up included.\n")
	if c := rep.check; c != nil {
		fmt.Fprintf(w, "- Answers checked before the load, on %d records spread over the data: %s.\n", c.records, c.summary())
	}
	fmt.Fprintf(w, "- Command: `%s` (%s in all).\n\n", command(), rep.took.Round(time.Second))

	cpuHead := "CPU: huitong / bench / others"
	if cfg.db == "postgres" {
		cpuHead = "CPU: huitong / bench / PostgreSQL / others"
	}
	fmt.Fprintf(w, "| target | call | clients | req/s | ÷ bare | p50 | p99 | max | errors | 429 | audit records / 200s | RSS start → peak | %s | load |\n", cpuHead)
	fmt.Fprintf(w, "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, call := range cfg.calls {
		for _, n := range cfg.clients {
			g, b := rep.find(rep.gateway, call, n), rep.find(rep.bare, call, n)
			if g != nil {
				ratio := ""
				if b != nil && b.rate() > 0 {
					ratio = fmt.Sprintf("**%.2f**", g.rate()/b.rate())
				}
				rep.row(w, g, ratio)
			}
			if b != nil {
				rep.row(w, b, "1")
			}
		}
	}
	if p := rep.profiled; p != nil {
		fmt.Fprintf(w, "\nProfiled run (a build with net/http/pprof added through `go build -overlay`, CPU profile over the measured window; not in the table): %s %d clients, %s req/s, p50 %s, p99 %s.\n",
			p.Call, p.Clients, benchutil.Count(int64(p.rate()+0.5)), fmtDur(p.pct(0.5)), fmtDur(p.pct(0.99)))
	}
	if len(rep.gateway) > 0 {
		fmt.Fprintf(w, "\nServer over all gateway runs (warm-ups and audit waits included): %.1f CPU seconds; RSS %s at the end, peak since start (VmHWM) %s.\n",
			rep.server.cpu.Seconds(), benchutil.MiB(rep.server.endRSS), benchutil.MiB(rep.server.endHWM))
	}

	fmt.Fprintf(w, "\nTargets (from the issue), as measured here:\n\n")
	for _, call := range cfg.calls {
		g, b := rep.find(rep.gateway, call, targetClients), rep.find(rep.bare, call, targetClients)
		if g != nil && b != nil && b.rate() > 0 {
			r := g.rate() / b.rate()
			fmt.Fprintf(w, "- %s, >= %.0f%% of the bare handler's throughput at %d clients: %.0f%% (%s ÷ %s req/s), %s.\n", call, 100*targetRatio, targetClients,
				100*r, benchutil.Count(int64(g.rate()+0.5)), benchutil.Count(int64(b.rate()+0.5)), benchutil.Met(r >= targetRatio))
		}
	}
	for _, call := range cfg.calls {
		var cells []string
		all := true
		for _, n := range cfg.clients {
			if g := rep.find(rep.gateway, call, n); g != nil {
				cells = append(cells, fmt.Sprintf("%s at %d", fmtDur(g.pct(0.99)), n))
				all = all && g.pct(0.99) < targetP99
			}
		}
		if len(cells) > 0 {
			fmt.Fprintf(w, "- %s, p99 < %s: %s; %s.\n", call, fmtDur(targetP99), strings.Join(cells, ", "), benchutil.Met(all))
		}
	}
	if len(rep.gateway) > 0 {
		var peak uint64
		for _, g := range rep.gateway {
			peak = max(peak, g.RSS.Peak)
		}
		fmt.Fprintf(w, "- Server RSS < %s while serving: peak %s during the runs (VmHWM since start %s), %s.\n", benchutil.MiB(targetRSS), benchutil.MiB(peak), benchutil.MiB(rep.server.endHWM),
			benchutil.Met(max(peak, rep.server.endHWM) < targetRSS))
		var audited, oks int64
		for _, g := range rep.gateway {
			audited += g.Audit
			oks += int64(g.TotalOK)
		}
		fmt.Fprintf(w, "- Every answer audited: %s records appended for %s 200 answers, %s.\n", benchutil.Count(audited), benchutil.Count(oks),
			map[bool]string{true: "yes", false: "**no**"}[audited == oks])
	}
}

func (rep *report) find(runs []*loadRun, call string, clients int) *loadRun {
	for _, r := range runs {
		if r.Call == call && r.Clients == clients {
			return r
		}
	}
	return nil
}

func (rep *report) row(w io.Writer, r *loadRun, ratio string) {
	errs := fmt.Sprint(r.errors())
	if r.errors() > 0 {
		var parts []string
		keys := make([]int, 0, len(r.Codes))
		for k := range r.Codes {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if k != 429 {
				parts = append(parts, fmt.Sprintf("%d× %d", r.Codes[k], k))
			}
		}
		if r.NetErr > 0 {
			parts = append(parts, fmt.Sprintf("%d× transport", r.NetErr))
		}
		if r.Wrong > 0 {
			parts = append(parts, fmt.Sprintf("%d× wrong answer", r.Wrong))
		}
		errs = "**" + errs + "** (" + strings.Join(parts, ", ") + ")"
	}
	audit := "-"
	if r.Target == "gateway" {
		audit = fmt.Sprintf("%s / %s", benchutil.Count(r.Audit), benchutil.Count(int64(r.TotalOK)))
		if r.Audit != int64(r.TotalOK) {
			audit = "**" + audit + "**"
		}
		if r.AuditErr != "" {
			audit += " (" + r.AuditErr + ")"
		}
	}
	cpu := fmt.Sprintf("%.2f / %.2f / %.2f", r.CPU.HuitongCPUs, r.CPU.BenchCPUs, r.CPU.OthersCPUs)
	if rep.cfg.db == "postgres" {
		cpu = fmt.Sprintf("%.2f / %.2f / %.2f / %.2f", r.CPU.HuitongCPUs, r.CPU.BenchCPUs, r.CPU.PgCPUs, r.CPU.OthersCPUs)
	}
	fmt.Fprintf(w, "| %s | %s | %d | **%s** | %s | %s | %s | %s | %s | %d | %s | %s → %s | %s | %s |\n", r.Target, r.Call, r.Clients,
		benchutil.Count(int64(r.rate()+0.5)), ratio, fmtDur(r.pct(0.5)), fmtDur(r.pct(0.99)), fmtDur(r.pct(1)), errs, r.Limited, audit,
		benchutil.MiB(r.RSS.Start), benchutil.MiB(r.RSS.Peak), cpu, benchutil.First(r.Load))
}

// fmtDur writes a latency with three significant digits.
func fmtDur(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= 100*time.Millisecond:
		return fmt.Sprintf("%.0f ms", float64(d)/1e6)
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/1e6)
	case d >= time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/1e6)
	}
	return fmt.Sprintf("%.3f ms", float64(d)/1e6)
}

// command is how the benchmark was started, for the report.
func command() string {
	return "go run ./bench/exchange " + strings.Join(os.Args[1:], " ")
}
