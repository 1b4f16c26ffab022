package main

import (
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

// profileGateway builds the server with net/http/pprof, starts it on the
// same store and runs the largest query load once more while taking a CPU
// profile of the server over the measured window. The run is reported
// apart: the profiler costs some CPU.
func profileGateway(cfg config, rep *report, src string, be *backend, st *setupState, tbl *table) error {
	dir := filepath.Join(cfg.dir, "pprof")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	ov, err := benchutil.PprofOverlay(dir, src)
	if err != nil {
		return err
	}
	bin := filepath.Join(cfg.dir, "bin", "huitong-pprof")
	if err := benchutil.GoBuild(src, bin, ov); err != nil {
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
	defer srv.Stop()
	consumer, err := benchutil.NewAPI(srv.Internal).As(consumerUser, demoPassword)
	if err != nil {
		return err
	}
	n := slices.Max(cfg.clients)
	t := target{name: "gateway (profiled)", base: srv.Internal, token: consumer.Token, pid: srv.PID}
	waitQuiet(srv.PID, cfg.quiet, cfg.quietWait)
	got := make(chan error, 1)
	go func() {
		time.Sleep(cfg.warmup)
		got <- benchutil.CPUProfile(addr, int(cfg.duration.Seconds()), cfg.cpuProfile)
	}()
	r := drive(t, calls(tbl, true, st.Resource)["query"], tbl, n, cfg.warmup, cfg.duration, cfg.seed+99, cfg.rssEvery)
	if err := <-got; err != nil {
		return fmt.Errorf("CPU profile: %w", err)
	}
	// The heap as the load left it, with the runtime's memory statistics
	// (debug=1 text), to tell the Go heap from SQLite's own allocations in
	// the server's RSS.
	if err := saveURL("http://"+addr+"/debug/pprof/heap?debug=1", cfg.cpuProfile+".heap.txt"); err != nil {
		benchutil.Logf("heap profile: %v", err)
	}
	// Allocations since the start (mostly the load's), for `go tool pprof
	// -sample_index=alloc_space`.
	if err := saveURL("http://"+addr+"/debug/pprof/allocs", cfg.cpuProfile+".allocs"); err != nil {
		benchutil.Logf("allocation profile: %v", err)
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

// saveURL writes the body of a GET of url to file.
func saveURL(url, file string) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	return os.WriteFile(file, b, 0o644)
}
