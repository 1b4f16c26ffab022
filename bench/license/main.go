// Command license measures the electronic license library through the
// real huitong binary, started as a subprocess over a fresh SQLite store:
// licenses issued per second (POST /api/v1/licenses as an issuing officer:
// checks, serial and status entry, Ed25519 signature, a durable audit
// record and the stored license) and verified per second (POST
// /api/v1/licenses/verify with a credential on the public listener:
// signature, then the license's status in the store), each with 1 and 16
// concurrent clients; side by side with bare crypto/ed25519 signing and
// verification of the same JWS signing input, and with huitong's
// credential layer (license.Signer.Sign, license.CheckSignature) in this
// process; and the import of 100,000 licenses from a CSV file through
// POST /api/v1/license-types/{code}/imports. It prints markdown for
// docs/PERFORMANCE.md. It reports; it does not assert.
//
//	go run ./bench/license
//	go run ./bench/license -pprof /tmp/license-prof   # CPU profiles of the server
//
// The server is built from `git archive` of -src (HEAD by default) into
// -dir, so that uncommitted edits in the tree do not change what is
// measured. Progress goes to stderr, the report to stdout.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"huitong/bench/internal/benchutil"
	"huitong/bench/internal/sysinfo"
)

func main() { benchutil.Main("license bench", run) }

type config struct {
	dir        string
	clients    []int
	duration   time.Duration
	warmup     time.Duration
	importRows int
	seed       uint64
	revokeEach int
	quiet      float64
	quietWait  time.Duration
	logLevel   string
	pprofDir   string
	src        string
	code       string
	out        string
}

func parseFlags() (config, error) {
	var c config
	var clients string
	flag.StringVar(&c.dir, "dir", "/tmp/huitong-license-bench", "directory for the source, the binary, the server's data dir, the import file and logs")
	flag.StringVar(&clients, "clients", "1,16", "comma-separated numbers of concurrent clients")
	flag.DurationVar(&c.duration, "duration", 10*time.Second, "measured time of each run")
	flag.DurationVar(&c.warmup, "warmup", 2*time.Second, "unmeasured time at the start of each run")
	flag.IntVar(&c.importRows, "import-rows", 100000, "rows of the import file (0: no import)")
	flag.Uint64Var(&c.seed, "seed", 1, "generator seed")
	flag.IntVar(&c.revokeEach, "revoke-every", 50, "before the verify runs, revoke every n-th issued license, so that verification meets revoked ones too")
	flag.Float64Var(&c.quiet, "quiet", 0.5, "before each run, wait until other processes use less than this many CPUs (0: do not wait)")
	flag.DurationVar(&c.quietWait, "quiet-wait", 30*time.Second, "longest wait for -quiet before measuring anyway")
	flag.StringVar(&c.logLevel, "server-log-level", "info", "the server's --log-level (info logs a line per request, as in production)")
	flag.StringVar(&c.pprofDir, "pprof", "", "build the server with net/http/pprof (go build -overlay; the tree is not changed) and write CPU profiles of the largest issue and verify runs and of the import to this directory; the figures then include the profiler's cost")
	flag.StringVar(&c.src, "src", "HEAD", "the server's source: a git revision, built from `git archive` of it, or \"worktree\" for the working tree")
	flag.StringVar(&c.code, "code", "", "describes the code measured in the report (default: from git)")
	flag.StringVar(&c.out, "o", "", "also write the report to this file")
	flag.Parse()
	var err error
	if c.clients, err = benchutil.PositiveInts("clients", clients); err != nil {
		return c, err
	}
	if c.duration <= 0 || c.warmup < 0 || c.importRows < 0 || c.revokeEach < 0 {
		return c, fmt.Errorf("-duration must be positive, -warmup, -import-rows and -revoke-every not negative")
	}
	return c, nil
}

// report is everything measured.
type report struct {
	cfg               config
	mach              sysinfo.Info
	code              string
	sqlite            string
	started           time.Time
	took              time.Duration
	loadStart         string
	loadEnd           string
	issue, verify     []*loadRun
	pool, revoked     int
	credBytes         int
	imp               *importRun
	base              *baseline
	profiles          []string
	startRSS, endRSS  uint64
	serverHWM         uint64
	verifyChecked     int64
	verifyRevokedSeen int64
}

func run() error {
	cfg, err := parseFlags()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(cfg.dir, 0o755); err != nil {
		return err
	}
	src, code, err := benchutil.SourceTree(cfg.src, cfg.dir, measuredPaths...)
	if err != nil {
		return err
	}
	if cfg.code != "" {
		code = cfg.code
	}
	rep := &report{cfg: cfg, mach: sysinfo.Describe(), code: code, started: time.Now(), loadStart: benchutil.LoadAvg(),
		sqlite: benchutil.SQLiteVersion(context.Background())}
	benchutil.Logf("machine: %d CPUs (GOMAXPROCS %d), %s, %s RAM, %s; load %s", rep.mach.CPUs, rep.mach.GOMAXPROCS, rep.mach.CPUModel,
		rep.mach.MemTotal, rep.mach.Go, rep.loadStart)

	bin := filepath.Join(cfg.dir, "bin", "huitong")
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		return err
	}
	if err := goBuild(src, bin, cfg.pprofDir != ""); err != nil {
		return err
	}
	pprofAddr := ""
	if cfg.pprofDir != "" {
		if err := os.MkdirAll(cfg.pprofDir, 0o755); err != nil {
			return err
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		pprofAddr = ln.Addr().String()
		ln.Close()
	}

	dataDir := filepath.Join(cfg.dir, "data")
	if err := os.RemoveAll(dataDir); err != nil {
		return err
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return err
	}
	defer os.RemoveAll(dataDir)
	srv, err := startServer(bin, dataDir, cfg.logLevel, filepath.Join(cfg.dir, "server.log"), pprofAddr)
	if err != nil {
		return err
	}
	defer srv.Stop()
	issuer, err := setup(srv)
	if err != nil {
		return err
	}
	time.Sleep(time.Second)
	rep.startRSS = sysinfo.PidKB(srv.PID, "VmRSS")
	benchutil.Logf("huitong (pid %d) at %s and %s; RSS %s", srv.PID, srv.Internal, srv.Public, benchutil.MiB(rep.startRSS))

	creds, err := measureIssue(cfg, rep, srv, issuer)
	if err != nil {
		return err
	}
	if err := measureVerify(cfg, rep, srv, issuer, creds); err != nil {
		return err
	}
	if cfg.importRows > 0 {
		if rep.imp, err = measureImport(cfg, rep, srv, issuer); err != nil {
			return err
		}
	}
	rep.endRSS = sysinfo.PidKB(srv.PID, "VmRSS")
	rep.serverHWM = sysinfo.PidKB(srv.PID, "VmHWM")
	srv.Stop()

	// Without the server running.
	if rep.base, err = measureBaseline(cfg, creds[0].Credential); err != nil {
		return err
	}
	if cfg.pprofDir != "" {
		writeTops(bin, rep.profiles)
	}
	rep.took = time.Since(rep.started)
	rep.loadEnd = benchutil.LoadAvg()
	return benchutil.WriteReport(cfg.out, rep.write)
}

// setup registers the issuing org, its issuing officer and the business
// license type as the admin and the officer, through the HTTP API.
func setup(srv *server) (*benchutil.API, error) {
	admin, err := benchutil.NewAPI(srv.Internal).As("admin", adminPassword)
	if err != nil {
		return nil, err
	}
	if err := admin.Call("POST", "/api/v1/orgs", map[string]any{"uscc": issuerUSCC, "name": issuerName, "region_code": issuerRegion, "kind": "agency"}, nil); err != nil {
		return nil, err
	}
	if err := admin.Call("POST", "/api/v1/users", map[string]any{"username": issuerUser, "password": issuerPass, "org_uscc": issuerUSCC,
		"roles": []string{"issuer"}}, nil); err != nil {
		return nil, err
	}
	issuer, err := benchutil.NewAPI(srv.Internal).As(issuerUser, issuerPass)
	if err != nil {
		return nil, err
	}
	if err := issuer.Call("POST", "/api/v1/license-types", map[string]any{"code": typeCode, "name": "营业执照", "issuer_usccs": []string{issuerUSCC},
		"holder_kind": "org", "fields": licenseFields()}, nil); err != nil {
		return nil, err
	}
	benchutil.Logf("set up %s (%s), issuing officer %s and license type %s", issuerName, issuerUSCC, issuerUser, typeCode)
	return issuer, nil
}

// issued is what the benchmark keeps of an issued license.
type issued struct {
	Identifier string `json:"identifier"`
	Credential string `json:"credential"`
	Status     string `json:"status"`
}

// maxPool bounds the credentials kept for the verify runs.
const maxPool = 50000

// measureIssue issues licenses with each client count and returns the
// credentials issued (up to maxPool).
func measureIssue(cfg config, rep *report, srv *server, issuer *benchutil.API) ([]issued, error) {
	var mu sync.Mutex
	var pool []issued
	base := 0
	for i, n := range cfg.clients {
		// Pre-generated bodies: the clients spend no time on generating.
		bodies := make([][]byte, 0, 4096)
		r := rand.New(rand.NewPCG(cfg.seed, uint64(i)))
		for j := range cap(bodies) {
			b, _ := json.Marshal(genCompany(base+j, r).issueInput())
			bodies = append(bodies, b)
		}
		base += 1 << 20 // holders of the next run's bodies differ
		do := func(c *http.Client, _ int, seq int64) error {
			b, err := post(c, srv.Internal+"/api/v1/licenses", issuer.Token, bodies[seq%int64(len(bodies))], http.StatusCreated)
			if err != nil {
				return err
			}
			var l issued
			if err := json.Unmarshal(b, &l); err != nil {
				return err
			}
			if l.Status != "active" || strings.Count(l.Credential, ".") != 2 || l.Identifier == "" {
				return fmt.Errorf("issued %.200s", b)
			}
			mu.Lock()
			if len(pool) < maxPool {
				pool = append(pool, l)
			}
			mu.Unlock()
			return nil
		}
		res, err := measureLoad(cfg, rep, srv, "issue", do, n)
		if err != nil {
			return nil, err
		}
		rep.issue = append(rep.issue, res)
	}
	if len(pool) == 0 {
		return nil, fmt.Errorf("no license was issued")
	}
	rep.credBytes = len(pool[0].Credential)
	return pool, nil
}

// measureLoad runs the load name with n clients calling do once the
// machine is quiet, profiling the server as profileIf says, and logs it.
func measureLoad(cfg config, rep *report, srv *server, name string, do call, n int) (*loadRun, error) {
	waitQuiet(srv.PID, cfg.quiet, cfg.quietWait)
	prof := profileIf(cfg, rep, srv, n, fmt.Sprintf("%s-%d.prof", name, n))
	res := drive(name, do, n, cfg.warmup, cfg.duration, srv.PID)
	if err := <-prof; err != nil {
		return nil, fmt.Errorf("CPU profile: %w", err)
	}
	logRun(res)
	return res, nil
}

// profileIf starts a CPU profile of the server over the measured window of
// the run with n clients when -pprof is set and n is the largest count.
func profileIf(cfg config, rep *report, srv *server, n int, name string) <-chan error {
	largest := 0
	for _, c := range cfg.clients {
		largest = max(largest, c)
	}
	if cfg.pprofDir == "" || n != largest {
		done := make(chan error, 1)
		done <- nil
		return done
	}
	path := filepath.Join(cfg.pprofDir, name)
	rep.profiles = append(rep.profiles, path)
	done := make(chan error, 1)
	go func() {
		time.Sleep(cfg.warmup)
		prof := srv.profile(cfg.duration, path)
		// Where the server's goroutines are halfway through: waiting
		// for the writer, a commit, or the CPU.
		time.Sleep(cfg.duration / 2)
		gr := strings.TrimSuffix(path, ".prof") + ".goroutines.txt"
		if err := benchutil.FetchPprof(srv.pprof, "/debug/pprof/goroutine?debug=1", gr); err != nil {
			benchutil.Logf("goroutine profile: %v", err)
		}
		done <- <-prof
	}()
	return done
}

// measureVerify revokes every -revoke-every-th credential of pool and
// verifies the pool's credentials with each client count, checking every
// answer against what it must be.
func measureVerify(cfg config, rep *report, srv *server, issuer *benchutil.API, pool []issued) error {
	revoked := make([]bool, len(pool))
	if cfg.revokeEach > 0 {
		for i := 0; i < len(pool); i += cfg.revokeEach {
			if err := issuer.Call("POST", "/api/v1/licenses/"+pool[i].Identifier+"/revoke", map[string]string{"reason": "性能基准：吊销"}, nil); err != nil {
				return err
			}
			revoked[i] = true
			rep.revoked++
		}
	}
	rep.pool = len(pool)
	benchutil.Logf("verifying %d credentials, %d of them revoked", len(pool), rep.revoked)
	bodies := make([][]byte, len(pool))
	for i, l := range pool {
		bodies[i], _ = json.Marshal(map[string]string{"credential": l.Credential})
	}
	for _, n := range cfg.clients {
		var nChecked, nRevoked int64
		var mu sync.Mutex
		do := func(c *http.Client, _ int, seq int64) error {
			i := int(seq % int64(len(pool)))
			b, err := post(c, srv.Public+"/api/v1/licenses/verify", "", bodies[i], http.StatusOK)
			if err != nil {
				return err
			}
			var res struct {
				Valid   bool   `json:"valid"`
				Status  string `json:"status"`
				License *struct {
					Identifier string `json:"identifier"`
				} `json:"license"`
			}
			if err := json.Unmarshal(b, &res); err != nil {
				return err
			}
			want := "active"
			if revoked[i] {
				want = "revoked"
			}
			if res.Status != want || res.Valid != !revoked[i] || res.License == nil || res.License.Identifier != pool[i].Identifier {
				return fmt.Errorf("verify %s: %.300s, want %s", pool[i].Identifier, b, want)
			}
			mu.Lock()
			nChecked++
			if revoked[i] {
				nRevoked++
			}
			mu.Unlock()
			return nil
		}
		res, err := measureLoad(cfg, rep, srv, "verify", do, n)
		if err != nil {
			return err
		}
		rep.verify = append(rep.verify, res)
		rep.verifyChecked += nChecked
		rep.verifyRevokedSeen += nRevoked
	}
	return nil
}

// importRun is the import of one generated file.
type importRun struct {
	Rows, Imported, Rejected int
	FileBytes                int64
	Wall                     time.Duration
	CPU                      cpuUse
	PeakRSS                  uint64 // sampled during the import
	Load                     [2]string
	Verified                 int // first imported licenses verified afterwards
}

func (r *importRun) rate() float64 { return float64(r.Imported) / r.Wall.Seconds() }

// measureImport generates the import file and imports it in one request.
func measureImport(cfg config, rep *report, srv *server, issuer *benchutil.API) (*importRun, error) {
	path := filepath.Join(cfg.dir, fmt.Sprintf("import-%d.csv", cfg.importRows))
	size, err := writeImportCSV(path, 100<<20, cfg.importRows, cfg.seed)
	if err != nil {
		return nil, err
	}
	benchutil.Logf("import file %s: %d rows, %.1f MiB", path, cfg.importRows, float64(size)/(1<<20))
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	waitQuiet(srv.PID, cfg.quiet, cfg.quietWait)
	ir := &importRun{FileBytes: size}
	// Peak RSS during the import, sampled.
	stop := make(chan struct{})
	var peak uint64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				peak = max(peak, sysinfo.PidKB(srv.PID, "VmRSS"))
			case <-stop:
				return
			}
		}
	}()
	var profDone <-chan error
	if cfg.pprofDir != "" {
		// The import's length is not known ahead: profile its first
		// part, long enough to be representative.
		p := filepath.Join(cfg.pprofDir, "import.prof")
		rep.profiles = append(rep.profiles, p)
		profDone = srv.profile(3*cfg.duration, p)
	}
	var res struct {
		Rows     int `json:"rows"`
		Imported int `json:"imported"`
		Rejected int `json:"rejected"`
		Errors   []struct {
			Row       int    `json:"row"`
			MessageEN string `json:"message_en"`
		} `json:"errors"`
		First []string `json:"first_identifiers"`
	}
	ir.Load[0] = sysinfo.LoadAvg()[0]
	cpu0 := benchutil.ReadCPU(srv.PID)
	t0 := time.Now()
	err = issuer.Send("POST", "/api/v1/license-types/"+typeCode+"/imports", "text/csv; charset=utf-8", struct{ *os.File }{f}, &res)
	ir.Wall = time.Since(t0)
	ir.CPU = cpuBetween(cpu0, benchutil.ReadCPU(srv.PID), ir.Wall)
	ir.Load[1] = sysinfo.LoadAvg()[0]
	close(stop)
	wg.Wait()
	ir.PeakRSS = peak
	if profDone != nil {
		if perr := <-profDone; perr != nil {
			return nil, fmt.Errorf("CPU profile: %w", perr)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	ir.Rows, ir.Imported, ir.Rejected = res.Rows, res.Imported, res.Rejected
	benchutil.Logf("import: %d rows, %d imported, %d rejected in %s (%.0f rows/s); server CPU %.2f, peak RSS %s",
		res.Rows, res.Imported, res.Rejected, ir.Wall.Round(time.Millisecond), ir.rate(), ir.CPU.Huitong, benchutil.MiB(peak))
	if res.Imported != cfg.importRows {
		first := ""
		if len(res.Errors) > 0 {
			first = fmt.Sprintf(" (row %d: %s)", res.Errors[0].Row, res.Errors[0].MessageEN)
		}
		return nil, fmt.Errorf("import: %d of %d rows imported%s", res.Imported, cfg.importRows, first)
	}
	// The imported licenses verify like issued ones.
	pub := benchutil.NewAPI(srv.Public)
	for _, id := range res.First {
		var v struct {
			Valid bool `json:"valid"`
		}
		if err := pub.Call("POST", "/api/v1/licenses/verify", map[string]string{"identifier": id}, &v); err != nil {
			return nil, err
		}
		if !v.Valid {
			return nil, fmt.Errorf("imported license %s does not verify", id)
		}
		ir.Verified++
	}
	return ir, nil
}

// waitQuiet waits until processes other than this one and the server pid
// use less than limit CPUs, for at most maxWait.
func waitQuiet(pid int, limit float64, maxWait time.Duration) float64 {
	return benchutil.WaitQuiet(limit, maxWait, func(window time.Duration) float64 {
		a := benchutil.ReadCPU(pid)
		time.Sleep(window)
		return cpuBetween(a, benchutil.ReadCPU(pid), window).Others
	})
}

func logRun(r *loadRun) {
	benchutil.Logf("%-15s %2d clients: %8.0f/s, p50 %s, p99 %s, max %s; %d ok, %d errors%s; CPU huitong %.2f, bench %.2f, others %.2f; load %s -> %s",
		r.Name, r.Clients, r.rate(), fmtDur(r.Lat.P50), fmtDur(r.Lat.P99), fmtDur(r.Lat.Max), r.OK, r.Errors, firstErr(r),
		r.CPU.Huitong, r.CPU.Bench, r.CPU.Others, r.Load[0], r.Load[1])
}

func firstErr(r *loadRun) string {
	if r.FirstErr == "" {
		return ""
	}
	return " (first: " + r.FirstErr + ")"
}

// writeTops writes the top functions of each profile next to it.
func writeTops(bin string, profiles []string) {
	for _, p := range profiles {
		for _, v := range []struct{ suffix, flag string }{{".top.txt", ""}, {".cum.txt", "-cum"}} {
			args := []string{"tool", "pprof", "-top", "-nodecount=60"}
			if v.flag != "" {
				args = append(args, v.flag)
			}
			out, err := exec.Command("go", append(args, bin, p)...).CombinedOutput()
			if err == nil {
				err = os.WriteFile(strings.TrimSuffix(p, ".prof")+v.suffix, out, 0o644)
			}
			if err != nil {
				benchutil.Logf("go tool pprof %s: %v", p, err)
			}
		}
	}
	benchutil.Logf("CPU profiles and their top functions in %s", filepath.Dir(profiles[0]))
}
