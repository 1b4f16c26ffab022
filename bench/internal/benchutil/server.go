package benchutil

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

	"huitong/bench/internal/sysinfo"
)

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

// SourceTree returns the directory the server is built from and a
// description of that code for the report. With src "worktree" that is
// the working tree, described by the state of the measured packages;
// otherwise src is a git revision, extracted with `git archive` into
// dir/src/<rev> (once).
func SourceTree(src, dir string, measured ...string) (tree, code string, err error) {
	root, err := moduleRoot()
	if err != nil {
		return "", "", err
	}
	if src == "worktree" {
		return root, sysinfo.CodeVersion(measured...), nil
	}
	out, err := exec.Command("git", "-C", root, "rev-parse", "--short=12", src+"^{commit}").Output()
	if err != nil {
		return "", "", fmt.Errorf("-src %s: git rev-parse: %w", src, err)
	}
	rev := strings.TrimSpace(string(out))
	tree = filepath.Join(dir, "src", rev)
	code = "commit " + rev + " (the server built from `git archive` of it; uncommitted edits in the tree not included)"
	if _, err := os.Stat(filepath.Join(tree, "go.mod")); err == nil {
		return tree, code, nil
	}
	tmp := tree + ".tmp"
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
	if err := os.Rename(tmp, tree); err != nil {
		return "", "", err
	}
	Logf("extracted %s into %s", rev, tree)
	return tree, code, nil
}

// pprofFile is added to package main of cmd/huitong for a profiled build
// only, through `go build -overlay`: the tree is not changed. The server
// it is built into serves net/http/pprof on HUITONG_BENCH_PPROF.
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

// PprofOverlay writes into dir a file that adds net/http/pprof to
// ./cmd/huitong of the source tree src, and the overlay that adds it, and
// returns the overlay's path for GoBuild.
func PprofOverlay(dir, src string) (string, error) {
	file := filepath.Join(dir, "zz_bench_pprof.go")
	if err := os.WriteFile(file, []byte(pprofFile), 0o644); err != nil {
		return "", err
	}
	overlay, _ := json.Marshal(map[string]any{"Replace": map[string]string{filepath.Join(src, "cmd", "huitong", "zz_bench_pprof.go"): file}})
	ov := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(ov, overlay, 0o644); err != nil {
		return "", err
	}
	return ov, nil
}

// GoBuild builds ./cmd/huitong of the source tree src to bin, with an
// overlay file when given.
func GoBuild(src, bin, overlay string) error {
	args := []string{"build", "-o", bin}
	if overlay != "" {
		args = append(args, "-overlay", overlay)
	}
	cmd := exec.Command("go", append(args, "./cmd/huitong")...)
	cmd.Dir = src
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	t0 := time.Now()
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go %s: %w", strings.Join(cmd.Args[1:], " "), err)
	}
	Logf("built %s in %s", bin, time.Since(t0).Round(time.Millisecond))
	return nil
}

// Server is a running huitong process.
type Server struct {
	Cmd      *exec.Cmd
	PID      int
	Internal string // base URL of the internal listener
	Public   string // base URL of the public listener
	exited   chan struct{}
	waitErr  error
}

var (
	internalRE = regexp.MustCompile(`internal API: (http://\S+)/api/v1`)
	publicRE   = regexp.MustCompile(`public: (http://\S+?)/?$`)
)

// StartServer runs bin with args, which must have it listen on ports
// chosen by the kernel, and returns once both listeners accept
// connections, or fails when they do not within wait. The process gets
// this one's environment without any HUITONG_* variable, and env. Its
// output goes to logPath.
func StartServer(bin string, args, env []string, logPath string, wait time.Duration) (*Server, error) {
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
	cmd.Env = append(cmd.Env, env...)
	cmd.Stderr = lf
	urls := make(chan [2]string, 1)
	cmd.Stdout = &announceWriter{w: lf, urls: urls}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		lf.Close()
		return nil, err
	}
	s := &Server{Cmd: cmd, PID: cmd.Process.Pid, exited: make(chan struct{})}
	go func() {
		s.waitErr = cmd.Wait()
		lf.Close()
		close(s.exited)
	}()
	select {
	case u := <-urls:
		s.Internal, s.Public = u[0], u[1]
	case <-s.exited:
		return nil, fmt.Errorf("huitong exited before listening (%v); see %s", s.waitErr, logPath)
	case <-time.After(wait):
		s.Stop()
		return nil, fmt.Errorf("huitong did not listen within %d minutes; see %s", int(wait.Minutes()), logPath)
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

// Stop sends SIGTERM and waits for the process to end (SIGKILL after a
// minute).
func (s *Server) Stop() {
	s.Cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(time.Minute):
		Logf("huitong (pid %d) did not stop within a minute; killing it", s.PID)
		s.Cmd.Process.Kill()
		<-s.exited
	}
}

// CPUProfile takes a CPU profile of seconds from the net/http/pprof
// listener at addr (host:port) into file.
func CPUProfile(addr string, seconds int, file string) error {
	return FetchPprof(addr, fmt.Sprintf("/debug/pprof/profile?seconds=%d", seconds), file)
}

// FetchPprof writes what the net/http/pprof listener at addr (host:port)
// answers for path into file.
func FetchPprof(addr, path, file string) error {
	resp, err := http.Get("http://" + addr + path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, resp.Body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// API calls the server's JSON API as one user.
type API struct {
	Base  string
	Token string // bearer token; "" before logging in
	hc    *http.Client
}

// NewAPI returns a client of the API at base that has not logged in.
func NewAPI(base string) *API { return &API{Base: base, hc: &http.Client{Timeout: 15 * time.Minute}} }

// As returns a client logged in as user.
func (a *API) As(user, password string) (*API, error) {
	var res struct {
		Token string `json:"token"`
	}
	if err := a.Call("POST", "/api/v1/auth/login", map[string]string{"username": user, "password": password}, &res); err != nil {
		return nil, fmt.Errorf("log in as %s: %w", user, err)
	}
	return &API{Base: a.Base, Token: res.Token, hc: a.hc}, nil
}

// Call sends in as JSON (nil: no body) and decodes a 2xx answer into out.
func (a *API) Call(method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	return a.Send(method, path, "application/json", body, out)
}

// Send sends body of type ctype and decodes a 2xx answer into out (nil:
// the answer is read and dropped).
func (a *API) Send(method, path, ctype string, body io.Reader, out any) error {
	req, err := http.NewRequest(method, a.Base+path, body)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", ctype)
	}
	if a.Token != "" {
		req.Header.Set("Authorization", "Bearer "+a.Token)
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

// Do sends req with the client's HTTP client, as it is: for requests
// Call and Send do not make.
func (a *API) Do(req *http.Request) (*http.Response, error) { return a.hc.Do(req) }
