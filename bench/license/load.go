package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"huitong/bench/internal/benchutil"
	"huitong/bench/internal/sysinfo"
)

// call sends one request of a load and checks its answer: worker is the
// client's number, seq the call's number across all clients.
type call func(c *http.Client, worker int, seq int64) error

// loadRun is one measured run: n clients calling as fast as they can.
type loadRun struct {
	Name     string
	Clients  int
	OK       int64
	Errors   int64
	FirstErr string
	Elapsed  time.Duration
	Lat      benchutil.Latencies
	CPU      cpuUse
	Load     [2]string // 1-minute load average at the start and the end
}

func (r *loadRun) rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.OK) / r.Elapsed.Seconds()
}

// drive runs n clients, each with its own keep-alive connection, calling
// do in a loop for warmup (not measured) and then duration, and returns
// what the measured part did. pid is the server's, for its CPU time.
func drive(name string, do call, n int, warmup, duration time.Duration, pid int) *loadRun {
	var (
		seq      atomic.Int64
		measured atomic.Bool
		stop     atomic.Bool
		mu       sync.Mutex
		lats     []time.Duration
		ok, bad  int64
		firstErr string
		wg       sync.WaitGroup
	)
	for w := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tr := &http.Transport{MaxIdleConnsPerHost: 1, DisableCompression: true}
			defer tr.CloseIdleConnections()
			c := &http.Client{Transport: tr, Timeout: time.Minute}
			var my []time.Duration
			var myOK, myBad int64
			var myErr string
			for !stop.Load() {
				t0 := time.Now()
				err := do(c, w, seq.Add(1)-1)
				d := time.Since(t0)
				if !measured.Load() {
					continue
				}
				if err != nil {
					myBad++
					if myErr == "" {
						myErr = err.Error()
					}
					continue
				}
				myOK++
				my = append(my, d)
			}
			mu.Lock()
			lats = append(lats, my...)
			ok, bad = ok+myOK, bad+myBad
			if firstErr == "" {
				firstErr = myErr
			}
			mu.Unlock()
		}()
	}
	time.Sleep(warmup)
	load0 := sysinfo.LoadAvg()[0]
	cpu0 := benchutil.ReadCPU(pid)
	t0 := time.Now()
	measured.Store(true)
	time.Sleep(duration)
	measured.Store(false)
	elapsed := time.Since(t0)
	cpu1 := benchutil.ReadCPU(pid)
	stop.Store(true)
	wg.Wait()
	return &loadRun{Name: name, Clients: n, OK: ok, Errors: bad, FirstErr: firstErr, Elapsed: elapsed, Lat: benchutil.Summarize(lats),
		CPU: cpuBetween(cpu0, cpu1, elapsed), Load: [2]string{load0, sysinfo.LoadAvg()[0]}}
}

// post sends body as JSON and returns the answer's body when its status is
// want.
func post(c *http.Client, url, token string, body []byte, want int) ([]byte, error) {
	req, err := http.NewRequest("POST", url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != want {
		return nil, fmt.Errorf("%s: %s: %.300s", url, resp.Status, b)
	}
	return b, nil
}

// fmtDur prints a duration with three significant digits in a fitting
// unit, or "-" for none.
func fmtDur(d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return benchutil.FmtDur(d)
}

// cpuUse is the CPU a measured interval used, as a share of the interval
// (1.0 = one CPU busy all the time): by the benchmark's clients, the
// server, and everything else on the machine.
type cpuUse struct {
	Bench, Huitong, Others float64
}

func cpuBetween(a, b benchutil.CPUSnap, wall time.Duration) cpuUse {
	bench, hui := b.Self-a.Self, max(0, b.Huitong-a.Huitong)
	others := max(0, (b.Machine-a.Machine)-bench-hui)
	f := func(d time.Duration) float64 { return float64(d) / float64(wall) }
	return cpuUse{Bench: f(bench), Huitong: f(hui), Others: f(others)}
}
