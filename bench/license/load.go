package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

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
	Lat      latencies
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
	cpu0 := readCPU(pid)
	t0 := time.Now()
	measured.Store(true)
	time.Sleep(duration)
	measured.Store(false)
	elapsed := time.Since(t0)
	cpu1 := readCPU(pid)
	stop.Store(true)
	wg.Wait()
	return &loadRun{Name: name, Clients: n, OK: ok, Errors: bad, FirstErr: firstErr, Elapsed: elapsed, Lat: summarize(lats),
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

// latencies summarises a set of durations.
type latencies struct {
	N                   int
	Mean, P50, P99, Max time.Duration
}

func summarize(ds []time.Duration) latencies {
	if len(ds) == 0 {
		return latencies{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	pct := func(p float64) time.Duration {
		i := int(p*float64(len(s))+0.5) - 1
		return s[min(max(i, 0), len(s)-1)]
	}
	return latencies{N: len(s), Mean: sum / time.Duration(len(s)), P50: pct(0.50), P99: pct(0.99), Max: s[len(s)-1]}
}

// fmtDur prints a duration with three significant digits in a fitting unit.
func fmtDur(d time.Duration) string {
	switch {
	case d <= 0:
		return "-"
	case d < time.Microsecond:
		return fmt.Sprintf("%d ns", d.Nanoseconds())
	case d < time.Millisecond:
		return fmt.Sprintf("%.3g µs", float64(d)/float64(time.Microsecond))
	case d < time.Second:
		return fmt.Sprintf("%.3g ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.3g s", d.Seconds())
}

// cpuSnap is the CPU time used so far by the machine, this process and the
// huitong server (pid).
type cpuSnap struct {
	sysinfo.CPUTimes
	Huitong time.Duration
}

func readCPU(pid int) cpuSnap {
	return cpuSnap{CPUTimes: sysinfo.ReadCPUTimes(), Huitong: sysinfo.ProcCPU(pid)}
}

// cpuUse is the CPU a measured interval used, as a share of the interval
// (1.0 = one CPU busy all the time): by the benchmark's clients, the
// server, and everything else on the machine.
type cpuUse struct {
	Bench, Huitong, Others float64
}

func cpuBetween(a, b cpuSnap, wall time.Duration) cpuUse {
	bench, hui := b.Self-a.Self, max(0, b.Huitong-a.Huitong)
	others := max(0, (b.Machine-a.Machine)-bench-hui)
	f := func(d time.Duration) float64 { return float64(d) / float64(wall) }
	return cpuUse{Bench: f(bench), Huitong: f(hui), Others: f(others)}
}
