package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"

	"huitong/bench/internal/benchutil"
	"huitong/bench/internal/sysinfo"
)

// measuredPaths are the packages issuing and verifying run through.
var measuredPaths = []string{"cmd/huitong", "internal/web", "internal/license", "internal/audit", "internal/store", "internal/ingest"}

// moduleRoot is the directory of the go.mod the benchmark runs in.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("not inside the huitong module")
	}
	return filepath.Dir(mod), nil
}

// sourceTree returns the directory the server is built from and a
// description of that code for the report: the working tree, or a
// revision extracted with `git archive` into -dir (once).
func sourceTree(cfg config) (dir, code string, err error) {
	root, err := moduleRoot()
	if err != nil {
		return "", "", err
	}
	if cfg.src == "worktree" {
		return root, sysinfo.CodeVersion(measuredPaths...), nil
	}
	out, err := exec.Command("git", "-C", root, "rev-parse", "--short=12", cfg.src+"^{commit}").Output()
	if err != nil {
		return "", "", fmt.Errorf("-src %s: git rev-parse: %w", cfg.src, err)
	}
	rev := strings.TrimSpace(string(out))
	dir = filepath.Join(cfg.dir, "src", rev)
	code = "commit " + rev + " (the server built from `git archive` of it; uncommitted edits in the tree not included)"
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
		return dir, code, nil
	}
	tmp := dir + ".tmp"
	os.RemoveAll(tmp)
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return "", "", err
	}
	archive := exec.Command("git", "-C", root, "archive", "--format=tar", rev)
	untar := exec.Command("tar", "-x", "-C", tmp)
	pipe, err := archive.StdoutPipe()
	if err != nil {
		return "", "", err
	}
	untar.Stdin = pipe
	untar.Stderr, archive.Stderr = os.Stderr, os.Stderr
	if err := untar.Start(); err != nil {
		return "", "", err
	}
	if err := archive.Run(); err != nil {
		return "", "", fmt.Errorf("git archive %s: %w", rev, err)
	}
	if err := untar.Wait(); err != nil {
		return "", "", fmt.Errorf("tar: %w", err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return "", "", err
	}
	benchutil.Logf("extracted %s into %s", rev, dir)
	return dir, code, nil
}

// pprofFile is added to package main of cmd/huitong for a -pprof build
// only, through `go build -overlay`: the tree is not changed.
const pprofFile = `package main

import (
	"net/http"
	_ "net/http/pprof"
	"os"
)

func init() {
	if addr := os.Getenv("HUITONG_BENCH_PPROF"); addr != "" {
		go http.ListenAndServe(addr, nil)
	}
}
`

// goBuild builds ./cmd/huitong of the source tree src to bin, with
// net/http/pprof added when pprof is set.
func goBuild(src, bin string, pprof bool) error {
	args := []string{"build", "-o", bin}
	if pprof {
		dir := filepath.Dir(bin)
		file := filepath.Join(dir, "zz_bench_pprof.go")
		if err := os.WriteFile(file, []byte(pprofFile), 0o644); err != nil {
			return err
		}
		overlay, _ := json.Marshal(map[string]any{"Replace": map[string]string{filepath.Join(src, "cmd", "huitong", "zz_bench_pprof.go"): file}})
		ov := filepath.Join(dir, "overlay.json")
		if err := os.WriteFile(ov, overlay, 0o644); err != nil {
			return err
		}
		args = append(args, "-overlay", ov)
	}
	cmd := exec.Command("go", append(args, "./cmd/huitong")...)
	cmd.Dir = src
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	t0 := time.Now()
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go %s: %w", strings.Join(cmd.Args[1:], " "), err)
	}
	benchutil.Logf("built %s in %s", bin, time.Since(t0).Round(time.Millisecond))
	return nil
}

// server is a running huitong process.
type server struct {
	cmd      *exec.Cmd
	pid      int
	internal string // base URL of the internal listener
	public   string // base URL of the public listener
	pprof    string // host:port of net/http/pprof, for a -pprof build
	exited   chan struct{}
	waitErr  error
}

var (
	internalRE = regexp.MustCompile(`internal API: (http://\S+)/api/v1`)
	publicRE   = regexp.MustCompile(`public: (http://\S+?)/?$`)
)

// adminPassword is the password of the server's admin account.
const adminPassword = "Admin@2026"

// startServer runs `huitong serve` over a fresh SQLite store in dataDir on
// ports chosen by the kernel and returns once both listeners accept
// connections. Its output goes to logPath.
func startServer(bin, dataDir, logLevel, logPath, pprofAddr string) (*server, error) {
	args := []string{"serve", "--data-dir", dataDir, "--addr", "127.0.0.1:0", "--public-addr", "127.0.0.1:0", "--log-level", logLevel}
	lf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	// Only this benchmark's settings: none of the caller's HUITONG_*.
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "HUITONG_") {
			cmd.Env = append(cmd.Env, e)
		}
	}
	cmd.Env = append(cmd.Env, "HUITONG_ADMIN_PASSWORD="+adminPassword)
	if pprofAddr != "" {
		cmd.Env = append(cmd.Env, "HUITONG_BENCH_PPROF="+pprofAddr)
	}
	cmd.Stderr = lf
	urls := make(chan [2]string, 1)
	cmd.Stdout = &announceWriter{w: lf, urls: urls}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		lf.Close()
		return nil, err
	}
	s := &server{cmd: cmd, pid: cmd.Process.Pid, pprof: pprofAddr, exited: make(chan struct{})}
	go func() {
		s.waitErr = cmd.Wait()
		lf.Close()
		close(s.exited)
	}()
	select {
	case u := <-urls:
		s.internal, s.public = u[0], u[1]
	case <-s.exited:
		return nil, fmt.Errorf("huitong exited before listening (%v); see %s", s.waitErr, logPath)
	case <-time.After(2 * time.Minute):
		s.stop()
		return nil, fmt.Errorf("huitong did not listen within 2 minutes; see %s", logPath)
	}
	return s, nil
}

// announceWriter copies the server's standard output to w and sends the
// listeners' URLs on urls once the start-up message has named both.
type announceWriter struct {
	w         io.Writer
	urls      chan<- [2]string
	line      []byte
	in, pub   string
	announced bool
}

func (a *announceWriter) Write(p []byte) (int, error) {
	for _, c := range p {
		if c != '\n' {
			a.line = append(a.line, c)
			continue
		}
		line := string(a.line)
		a.line = a.line[:0]
		if m := internalRE.FindStringSubmatch(line); m != nil {
			a.in = m[1]
		}
		if m := publicRE.FindStringSubmatch(line); m != nil && strings.Contains(line, "公众服务") {
			a.pub = m[1]
		}
		if !a.announced && a.in != "" && a.pub != "" {
			a.announced = true
			a.urls <- [2]string{a.in, a.pub}
		}
	}
	return a.w.Write(p)
}

// stop sends SIGTERM and waits for the process to end (SIGKILL after a
// minute).
func (s *server) stop() {
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(time.Minute):
		benchutil.Logf("huitong (pid %d) did not stop within a minute; killing it", s.pid)
		s.cmd.Process.Kill()
		<-s.exited
	}
}

// profile takes a CPU profile of the server for d into path, from a -pprof
// build; it returns at once and sends the outcome on the channel.
func (s *server) profile(d time.Duration, path string) <-chan error {
	got := make(chan error, 1)
	if s.pprof == "" {
		got <- nil
		return got
	}
	go func() {
		resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", s.pprof, int(d.Seconds()+0.5)))
		if err != nil {
			got <- err
			return
		}
		defer resp.Body.Close()
		f, err := os.Create(path)
		if err != nil {
			got <- err
			return
		}
		_, err = io.Copy(f, resp.Body)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		got <- err
	}()
	return got
}

// fetch writes what a -pprof build's pprof listener answers for path into
// file.
func (s *server) fetch(path, file string) error {
	resp, err := http.Get("http://" + s.pprof + path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	return os.WriteFile(file, b, 0o644)
}

// api calls the server's JSON API as one caller.
type api struct {
	base  string
	token string
	hc    *http.Client
}

func newAPI(base string) *api { return &api{base: base, hc: &http.Client{Timeout: 15 * time.Minute}} }

// as returns a client logged in as user.
func (a *api) as(user, password string) (*api, error) {
	var res struct {
		Token string `json:"token"`
	}
	if err := a.call("POST", "/api/v1/auth/login", map[string]string{"username": user, "password": password}, &res); err != nil {
		return nil, fmt.Errorf("log in as %s: %w", user, err)
	}
	return &api{base: a.base, token: res.Token, hc: a.hc}, nil
}

// call sends in as JSON (nil: no body) and decodes a 2xx answer into out.
func (a *api) call(method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	return a.send(method, path, "application/json", body, out)
}

func (a *api) send(method, path, ctype string, body io.Reader, out any) error {
	req, err := http.NewRequest(method, a.base+path, body)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", ctype)
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	resp, err := a.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(b))
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("%s %s: decode answer: %w", method, path, err)
		}
	}
	return nil
}
