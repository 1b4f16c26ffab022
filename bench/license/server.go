package main

import (
	"path/filepath"
	"time"

	"huitong/bench/internal/benchutil"
)

// measuredPaths are the packages issuing and verifying run through.
var measuredPaths = []string{"cmd/huitong", "internal/web", "internal/license", "internal/audit", "internal/store", "internal/ingest"}

// goBuild builds ./cmd/huitong of the source tree src to bin, with
// net/http/pprof added when pprof is set.
func goBuild(src, bin string, pprof bool) error {
	overlay := ""
	if pprof {
		var err error
		if overlay, err = benchutil.PprofOverlay(filepath.Dir(bin), src); err != nil {
			return err
		}
	}
	return benchutil.GoBuild(src, bin, overlay)
}

// server is a running huitong process.
type server struct {
	*benchutil.Server
	pprof string // host:port of net/http/pprof, for a -pprof build
}

// adminPassword is the password of the server's admin account.
const adminPassword = "Admin@2026"

// startServer runs `huitong serve` over a fresh SQLite store in dataDir on
// ports chosen by the kernel and returns once both listeners accept
// connections. Its output goes to logPath.
func startServer(bin, dataDir, logLevel, logPath, pprofAddr string) (*server, error) {
	args := []string{"serve", "--data-dir", dataDir, "--addr", "127.0.0.1:0", "--public-addr", "127.0.0.1:0", "--log-level", logLevel}
	// The import check verifies by identifier from one address, faster
	// than the per-address limit of such lookups allows.
	env := []string{"HUITONG_ADMIN_PASSWORD=" + adminPassword, "HUITONG_LICENSE_LOOKUP_RATE=0"}
	if pprofAddr != "" {
		env = append(env, "HUITONG_BENCH_PPROF="+pprofAddr)
	}
	s, err := benchutil.StartServer(bin, args, env, logPath, 2*time.Minute)
	if err != nil {
		return nil, err
	}
	return &server{Server: s, pprof: pprofAddr}, nil
}

// profile takes a CPU profile of the server for d into path, from a -pprof
// build; it returns at once and sends the outcome on the channel.
func (s *server) profile(d time.Duration, path string) <-chan error {
	got := make(chan error, 1)
	if s.pprof == "" {
		got <- nil
		return got
	}
	go func() { got <- benchutil.CPUProfile(s.pprof, int(d.Seconds()+0.5), path) }()
	return got
}
