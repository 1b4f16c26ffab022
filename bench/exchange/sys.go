package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

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

// loadAvg returns the 1-, 5- and 15-minute load averages.
func loadAvg() string { return strings.Join(sysinfo.LoadAvg(), " ") }

// userHZ is the unit of /proc's CPU times.
const userHZ = time.Second / 100

// procCPU returns the user and system CPU time process pid has used, or 0
// when it is gone.
func procCPU(pid int) time.Duration {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	end := strings.LastIndexByte(s, ')')
	if end < 0 {
		return 0
	}
	// After the comm: utime and stime are fields 14 and 15 of stat.
	f := strings.Fields(s[end+1:])
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+st) * userHZ
}

// procKB returns a size field of /proc/<pid>/status ("VmRSS", "VmHWM") in
// bytes, or 0.
func procKB(pid int, key string) uint64 {
	v := sysinfo.ProcField(fmt.Sprintf("/proc/%d/status", pid), key)
	kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(v, "kB")), 10, 64)
	if err != nil {
		return 0
	}
	return kb << 10
}

// cpuSnap is the CPU time used so far by the machine, this process, the
// huitong server (pid) and the PostgreSQL server's processes.
type cpuSnap struct {
	sysinfo.CPUTimes
	Huitong time.Duration
}

func readCPU(pid int) cpuSnap {
	return cpuSnap{CPUTimes: sysinfo.ReadCPUTimes(), Huitong: procCPU(pid)}
}

// cpuUse is the CPU a measured interval used: in CPU seconds, and the
// share of the interval (1.0 = one CPU busy all the time).
type cpuUse struct {
	Wall                                       time.Duration
	Bench, Huitong, Postgres, Others           time.Duration
	BenchCPUs, HuitongCPUs, PgCPUs, OthersCPUs float64
}

func cpuBetween(a, b cpuSnap, wall time.Duration) cpuUse {
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
	deadline := time.Now().Add(maxWait)
	for said := false; ; said = true {
		a := readCPU(pid)
		time.Sleep(3 * time.Second)
		c := cpuBetween(a, readCPU(pid), 3*time.Second)
		others := c.OthersCPUs + c.PgCPUs
		if limit <= 0 || others < limit {
			return others
		}
		if time.Now().After(deadline) {
			logf("other processes still use %.2f CPUs; measuring anyway", others)
			return others
		}
		if !said {
			logf("other processes use %.2f CPUs (load %s); waiting up to %s for the machine to be quieter (-quiet %.2f)",
				others, loadAvg(), maxWait, limit)
		}
	}
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
	s.Start = procKB(pid, "VmRSS")
	s.Peak = s.Start
	s.done.Add(1)
	go func() {
		defer s.done.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				s.Peak = max(s.Peak, procKB(pid, "VmRSS"))
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
	s.End = procKB(s.pid, "VmRSS")
	s.Peak = max(s.Peak, s.End)
	s.HWM = procKB(s.pid, "VmHWM")
}

func mib(b uint64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}
