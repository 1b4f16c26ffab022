package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"huitong/bench/internal/benchutil"
)

// write prints the report as markdown for docs/PERFORMANCE.md.
func (rep *report) write(w io.Writer) {
	cfg, m := rep.cfg, rep.mach
	fmt.Fprintf(w, "## Electronic licenses\n\n")
	fmt.Fprintf(w, "Measured with `%s` on %s; %s. The whole run took %s.\n\n", command(cfg), rep.started.Format("2006-01-02"), rep.code,
		rep.took.Round(time.Second))
	fmt.Fprintf(w, "Machine: %d CPUs (%s), %s RAM, %s, %s, shared with other work: load average (1, 5, 15 min, /proc/loadavg) %s at the start, %s at the end; "+
		"each row gives the 1-minute figure around its run and the CPU other processes used during it.\n\n",
		m.CPUs, m.CPUModel, m.MemTotal, m.OS, m.Go, rep.loadStart, rep.loadEnd)
	fmt.Fprintf(w, "Store: SQLite %s (modernc.org/sqlite; the store's settings: WAL, synchronous=FULL), fresh. "+
		"The server is the real binary (`huitong serve`, log level %s: a log line per request), started as a subprocess; "+
		"the benchmark sets up the issuing org, an issuing officer and a business license type (营业执照, six fields) through the API. "+
		"Each client has its own keep-alive connection and calls as fast as it can for %s after %s of warm-up; every answer is checked.\n\n",
		rep.sqlite, cfg.logLevel, cfg.duration, cfg.warmup)
	if rep.pprofNote() != "" {
		fmt.Fprintf(w, "%s\n\n", rep.pprofNote())
	}

	fmt.Fprintf(w, "### Issuing and verifying through the server\n\n")
	fmt.Fprintf(w, "*Issue*: `POST /api/v1/licenses` as the issuing officer on the internal listener, a generated company each "+
		"(checks of holder and fields, serial and status list entry, Ed25519 signature of the VC 2.0 credential as `vc+jwt`, a durable audit record, the stored license). "+
		"A credential is %d bytes. *Verify*: `POST /api/v1/licenses/verify` with a credential, anonymous, on the public listener "+
		"(signature against the published key, then the license's status in the store); the pool is the %s credentials the issue runs made, "+
		"%d of them revoked first (every %dth), and each answer is checked to be valid, or revoked for those (%s answers checked).\n\n",
		rep.credBytes, benchutil.Count(int64(rep.pool)), rep.revoked, cfg.revokeEach, benchutil.Count(rep.verifyChecked))
	fmt.Fprintf(w, "*CPU* is the share of the run each used (1.00 = one CPU all the time): the server, the benchmark's clients, every other process on the machine; "+
		"*server CPU a call* is the server's CPU time divided by the calls it answered.\n\n")
	fmt.Fprintf(w, "| call | clients | per second | p50 | p99 | max | errors | CPU: server / clients / others | server CPU a call | load (1 min) before → after |\n")
	fmt.Fprintf(w, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, runs := range [][]*loadRun{rep.issue, rep.verify} {
		for _, r := range runs {
			fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %s | %d | %.2f / %.2f / %.2f | %s | %s → %s |\n", r.Name, r.Clients, benchutil.Rate(r.rate()),
				fmtDur(r.Lat.P50), fmtDur(r.Lat.P99), fmtDur(r.Lat.Max), r.Errors, r.CPU.Huitong, r.CPU.Bench, r.CPU.Others, fmtDur(cpuPerCall(r, r.CPU.Huitong)), r.Load[0], r.Load[1])
		}
	}
	fmt.Fprintln(w)

	if b := rep.base; b != nil {
		fmt.Fprintf(w, "### Against bare Ed25519\n\n")
		fmt.Fprintf(w, "With the server stopped, in one process: `ed25519.Sign` and `ed25519.Verify` (crypto/ed25519) of the same JWS signing input "+
			"(header.payload of a credential the server issued: %d bytes, payload %d bytes), and huitong's credential layer: "+
			"`license.Signer.Sign` of the same credential (JSON encoding and go-jose JWS) and `license.CheckSignature` of its token "+
			"(parsing, header checks, go-jose verification, JSON decoding, credential checks), with as many goroutines as clients. "+
			"*bare ÷ server* is how many times more signatures (verifications) per second bare Ed25519 makes than the server issues (verifies) licenses.\n\n",
			len(b.Message), b.PayloadBytes)
		fmt.Fprintf(w, "| clients | issued/s (server) | `ed25519.Sign`/s | bare ÷ server | `Signer.Sign`/s | layer ÷ server | verified/s (server) | `ed25519.Verify`/s | bare ÷ server | `CheckSignature`/s | layer ÷ server |\n")
		fmt.Fprintf(w, "|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
		for i, n := range cfg.clients {
			is, vs := rateAt(rep.issue, i), rateAt(rep.verify, i)
			fmt.Fprintf(w, "| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", n,
				benchutil.Rate(is), benchutil.Rate(rateAt(b.Sign, i)), ratio(rateAt(b.Sign, i), is), benchutil.Rate(rateAt(b.LibSign, i)), ratio(rateAt(b.LibSign, i), is),
				benchutil.Rate(vs), benchutil.Rate(rateAt(b.Verify, i)), ratio(rateAt(b.Verify, i), vs), benchutil.Rate(rateAt(b.LibVerify, i)), ratio(rateAt(b.LibVerify, i), vs))
		}
		fmt.Fprintf(w, "\nCPU time a call, which depends less on what else the machine ran: the server's for the server, this process's for the others "+
			"(so the bare figures include the benchmark's loop, which is negligible).\n\n")
		fmt.Fprintf(w, "| clients | issue (server) | `ed25519.Sign` | `Signer.Sign` | verify (server) | `ed25519.Verify` | `CheckSignature` |\n")
		fmt.Fprintf(w, "|--:|--:|--:|--:|--:|--:|--:|\n")
		for i, n := range cfg.clients {
			fmt.Fprintf(w, "| %d | %s | %s | %s | %s | %s | %s |\n", n, cpuAt(rep.issue, i, true), cpuAt(b.Sign, i, false), cpuAt(b.LibSign, i, false),
				cpuAt(rep.verify, i, true), cpuAt(b.Verify, i, false), cpuAt(b.LibVerify, i, false))
		}
		fmt.Fprintf(w, "\nLoad (1 min) around the bare runs: %s.\n\n", bareLoads(b))
	}

	if r := rep.imp; r != nil {
		fmt.Fprintf(w, "### Import\n\n")
		fmt.Fprintf(w, "A generated CSV file of %s licenses (%.1f MiB; Chinese headers: holder name and USCC, six fields, license number) "+
			"posted in one request to `POST /api/v1/license-types/{code}/imports` as the issuing officer, into the store that already holds the issued licenses; "+
			"the server checks each row, assigns serials and status entries, signs each credential and stores them %d a transaction. "+
			"Afterwards the first %d imported licenses were verified by identifier.\n\n",
			benchutil.Count(int64(r.Rows)), float64(r.FileBytes)/(1<<20), 500, r.Verified)
		fmt.Fprintf(w, "| rows | imported | rejected | wall | rows/s | CPU: server / others | server CPU a row | server RSS peak | load (1 min) before → after |\n")
		fmt.Fprintf(w, "|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
		perRow := time.Duration(0)
		if r.Imported > 0 {
			perRow = time.Duration(r.CPU.Huitong * float64(r.Wall) / float64(r.Imported))
		}
		fmt.Fprintf(w, "| %s | %s | %d | %s | %s | %.2f / %.2f | %s | %s | %s → %s |\n\n", benchutil.Count(int64(r.Rows)), benchutil.Count(int64(r.Imported)), r.Rejected,
			r.Wall.Round(10*time.Millisecond), benchutil.Rate(r.rate()), r.CPU.Huitong, r.CPU.Others, fmtDur(perRow), benchutil.MiB(r.PeakRSS), r.Load[0], r.Load[1])
		if b := rep.base; b != nil && len(b.Sign) > 0 {
			best := 0.0
			for _, s := range b.Sign {
				best = max(best, s.rate())
			}
			fmt.Fprintf(w, "Bare `ed25519.Sign` alone would take %s for %s rows at its best rate above (%s/s).\n\n",
				fmtDur(time.Duration(float64(r.Imported)/best*float64(time.Second))), benchutil.Count(int64(r.Imported)), benchutil.Rate(best))
		}
	}
	fmt.Fprintf(w, "Server RSS: %s after set-up, %s at the end, %s peak.\n", benchutil.MiB(rep.startRSS), benchutil.MiB(rep.endRSS), benchutil.MiB(rep.serverHWM))
}

func (rep *report) pprofNote() string {
	if len(rep.profiles) == 0 {
		return ""
	}
	return "This run's server was built with net/http/pprof and CPU-profiled during the largest issue and verify runs and the import: its figures include the profiler's cost."
}

// cpuPerCall is the CPU time a call of r took, from the share cpu of the
// run's wall time.
func cpuPerCall(r *loadRun, cpu float64) time.Duration {
	if r.OK == 0 {
		return 0
	}
	return time.Duration(cpu * float64(r.Elapsed) / float64(r.OK))
}

func cpuAt(runs []*loadRun, i int, server bool) string {
	if i >= len(runs) {
		return "-"
	}
	r := runs[i]
	if server {
		return fmtDur(cpuPerCall(r, r.CPU.Huitong))
	}
	return fmtDur(cpuPerCall(r, r.CPU.Bench))
}

func rateAt(runs []*loadRun, i int) float64 {
	if i >= len(runs) {
		return 0
	}
	return runs[i].rate()
}

func ratio(a, b float64) string {
	if a <= 0 || b <= 0 {
		return "-"
	}
	if a/b >= 10 {
		return fmt.Sprintf("%.0f×", a/b)
	}
	return fmt.Sprintf("%.1f×", a/b)
}

func bareLoads(b *baseline) string {
	var ls []string
	for _, runs := range [][]*loadRun{b.Sign, b.Verify, b.LibSign, b.LibVerify} {
		for _, r := range runs {
			ls = append(ls, r.Load[0])
		}
	}
	return strings.Join(ls, ", ")
}

func command(cfg config) string {
	var b strings.Builder
	b.WriteString("go run ./bench/license")
	cs := make([]string, len(cfg.clients))
	for i, v := range cfg.clients {
		cs[i] = fmt.Sprint(v)
	}
	if j := strings.Join(cs, ","); j != "1,16" {
		fmt.Fprintf(&b, " -clients %s", j)
	}
	if cfg.duration != 10*time.Second {
		fmt.Fprintf(&b, " -duration %s", cfg.duration)
	}
	if cfg.warmup != 2*time.Second {
		fmt.Fprintf(&b, " -warmup %s", cfg.warmup)
	}
	if cfg.importRows != 100000 {
		fmt.Fprintf(&b, " -import-rows %d", cfg.importRows)
	}
	if cfg.pprofDir != "" {
		fmt.Fprintf(&b, " -pprof %s", cfg.pprofDir)
	}
	if cfg.src != "HEAD" {
		fmt.Fprintf(&b, " -src %s", cfg.src)
	}
	return b.String()
}
