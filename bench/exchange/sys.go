package main

import (
	"sync"
	"time"

	"huitong/bench/internal/benchutil"
	"huitong/bench/internal/sysinfo"
)

// machine describes the computer the benchmark runs on.
type machine struct {
	sysinfo.Info
	Code string
}

// measuredPaths are the packages a gateway call runs through.
var measuredPaths = []string{"cmd/huitong", "internal/web", "internal/exchange", "internal/sharing", "internal/audit", "internal/store", "internal/masking"}

func describeMachine() machine { return machine{Info: sysinfo.Describe()} }

// cpuUse is the CPU a measured interval used: in CPU seconds, and the
// share of the interval (1.0 = one CPU busy all the time).
type cpuUse struct {
	Wall                                       time.Duration
	Bench, Huitong, Postgres, Others           time.Duration
	BenchCPUs, HuitongCPUs, PgCPUs, OthersCPUs float64
}

func cpuBetween(a, b benchutil.CPUSnap, wall time.Duration) cpuUse {
	u := cpuUse{Wall: wall, Bench: b.Self - a.Self, Huitong: max(0, b.Huitong-a.Huitong), Postgres: max(0, b.Server-a.Server)}
	u.Others = max(0, (b.Machine-a.Machine)-u.Bench-u.Huitong-u.Postgres)
	f := func(d time.Duration) float64 { return float64(d) / float64(wall) }
	u.BenchCPUs, u.HuitongCPUs, u.PgCPUs, u.OthersCPUs = f(u.Bench), f(u.Huitong), f(u.Postgres), f(u.Others)
	return u
}

// waitQuiet waits until processes other than this one, the huitong server
// pid and the PostgreSQL server use less than limit CPUs, for at most
// maxWait, and returns what they used over the last 3 seconds.
func waitQuiet(pid int, limit float64, maxWait time.Duration) float64 {
	return benchutil.WaitQuiet(limit, maxWait, func(window time.Duration) float64 {
		a := benchutil.ReadCPU(pid)
		time.Sleep(window)
		c := cpuBetween(a, benchutil.ReadCPU(pid), window)
		return c.OthersCPUs + c.PgCPUs
	})
}

// rssSampler samples a process's resident set every interval.
type rssSampler struct {
	pid   int
	Start uint64 // VmRSS at the start
	Peak  uint64 // highest sampled VmRSS
	End   uint64 // VmRSS at the end
	HWM   uint64 // VmHWM at the end: the peak since the process started
	stop  chan struct{}
	done  sync.WaitGroup
}

func sampleRSS(pid int, interval time.Duration) *rssSampler {
	s := &rssSampler{pid: pid, stop: make(chan struct{})}
	s.Start = sysinfo.PidKB(pid, "VmRSS")
	s.Peak = s.Start
	s.done.Add(1)
	go func() {
		defer s.done.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				s.Peak = max(s.Peak, sysinfo.PidKB(pid, "VmRSS"))
			case <-s.stop:
				return
			}
		}
	}()
	return s
}

func (s *rssSampler) finish() {
	close(s.stop)
	s.done.Wait()
	s.End = sysinfo.PidKB(s.pid, "VmRSS")
	s.Peak = max(s.Peak, s.End)
	s.HWM = sysinfo.PidKB(s.pid, "VmHWM")
}
