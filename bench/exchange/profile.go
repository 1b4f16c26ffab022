package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"

	"huitong/bench/internal/benchutil"
)

// pprofFile is added to package main of cmd/huitong, for the profiled build
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

// profileGateway builds the server with net/http/pprof, starts it on the
// same store and runs the largest query load once more while taking a CPU
// profile of the server over the measured window. The run is reported
// apart: the profiler costs some CPU.
func profileGateway(cfg config, rep *report, src string, be *backend, st *setupState, tbl *table) error {
	dir := filepath.Join(cfg.dir, "pprof")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	file := filepath.Join(dir, "zz_bench_pprof.go")
	if err := os.WriteFile(file, []byte(pprofFile), 0o644); err != nil {
		return err
	}
	overlay, _ := json.Marshal(map[string]any{"Replace": map[string]string{filepath.Join(src, "cmd", "huitong", "zz_bench_pprof.go"): file}})
	ov := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(ov, overlay, 0o644); err != nil {
		return err
	}
	bin := filepath.Join(cfg.dir, "bin", "huitong-pprof")
	if err := goBuild(src, bin, ov); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	addr := ln.Addr().String()
	ln.Close()
	srv, err := startServer(bin, be, false, cfg.logLevel, filepath.Join(cfg.dir, cfg.db+"-server-pprof.log"), "HUITONG_BENCH_PPROF="+addr)
	if err != nil {
		return err
	}
	defer srv.stop()
	consumer, err := newAPI(srv.internal).as(consumerUser, demoPassword)
	if err != nil {
		return err
	}
	n := slices.Max(cfg.clients)
	t := target{name: "gateway (profiled)", base: srv.internal, token: consumer.token, pid: srv.pid}
	waitQuiet(srv.pid, cfg.quiet, cfg.quietWait)
	got := make(chan error, 1)
	go func() {
		time.Sleep(cfg.warmup)
		resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, int(cfg.duration.Seconds())))
		if err != nil {
			got <- err
			return
		}
		defer resp.Body.Close()
		f, err := os.Create(cfg.cpuProfile)
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
	r := drive(t, calls(tbl, true, st.Resource)["query"], tbl, n, cfg.warmup, cfg.duration, cfg.seed+99, cfg.rssEvery)
	if err := <-got; err != nil {
		return fmt.Errorf("CPU profile: %w", err)
	}
	logRun(r)
	rep.profiled = r
	for _, v := range []struct{ file, flag string }{{"top.txt", "-top"}, {"top-cum.txt", "-cum"}} {
		args := []string{"tool", "pprof", "-top", "-nodecount=80"}
		if v.flag == "-cum" {
			args = append(args, "-cum")
		}
		out, err := exec.Command("go", append(args, bin, cfg.cpuProfile)...).CombinedOutput()
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, v.file), out, 0o644)
		}
		if err != nil {
			benchutil.Logf("go tool pprof: %v", err)
		}
	}
	benchutil.Logf("CPU profile of the server written to %s (top functions in %s)", cfg.cpuProfile, dir)
	return nil
}
