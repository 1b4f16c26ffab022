package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"sync"
	"time"

	"huitong/bench/internal/benchutil"
	"huitong/bench/internal/sysinfo"
)

// machine describes the computer the benchmark runs on.
type machine struct {
	sysinfo.Info
	Code string
	Disk string
}

func describeMachine(dir string) machine {
	m := machine{Info: sysinfo.Describe(), Code: codeVersion()}
	if out, err := exec.Command("df", "-hT", dir).Output(); err == nil {
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if f := strings.Fields(lines[len(lines)-1]); len(f) >= 3 {
			m.Disk = f[0] + " (" + f[1] + ", " + f[2] + ")"
		}
	}
	return m
}

// String formats the use as "self / others", or "self / server / others"
// when a PostgreSQL server worked.
func (c cpuUse) String() string {
	if c.Server >= 0.005 {
		return fmt.Sprintf("%.2f / %.2f / %.2f", c.Self, c.Server, c.Others)
	}
	return fmt.Sprintf("%.2f / %.2f", c.Self, c.Others)
}

type cpuTimes = sysinfo.CPUTimes

func readCPUTimes() cpuTimes { return sysinfo.ReadCPUTimes() }

// cpuUse is the CPU a measured interval used, in CPUs (1.0 = one CPU busy
// all the time): by this process (and the children it ran), by the
// PostgreSQL server's processes, and by every other process on the machine.
type cpuUse struct {
	Self, Server, Others float64
}

func cpuBetween(a, b cpuTimes, wall time.Duration) cpuUse {
	self := (b.Self - a.Self) + (b.Children - a.Children)
	server := max(0, b.Server-a.Server)
	other := (b.Machine - a.Machine) - self - server
	return cpuUse{Self: float64(self) / float64(wall), Server: float64(server) / float64(wall), Others: max(0, float64(other)/float64(wall))}
}

// waitQuiet waits until other processes use less than limit CPUs, for at
// most maxWait, and returns what they used over the last 3 seconds.
func waitQuiet(limit float64, maxWait time.Duration) float64 {
	return benchutil.WaitQuiet(limit, maxWait, func(window time.Duration) float64 {
		a := readCPUTimes()
		time.Sleep(window)
		c := cpuBetween(a, readCPUTimes(), window)
		return c.Others + c.Server
	})
}

// memPeak samples the Go heap and the resident set every interval.
type memPeak struct {
	StartHeap uint64 // HeapInuse after the collection at the start
	StartRSS  uint64 // VmRSS after the collection at the start
	HeapInuse uint64 // highest sampled runtime.MemStats.HeapInuse
	RSS       uint64 // highest sampled VmRSS
	HWM       uint64 // VmHWM at the end (peak RSS since the reset at start)
	HWMReset  bool   // whether VmHWM could be reset at the start
	Samples   int
	GCs       uint32 // collections during the run
	Alloc     uint64 // bytes allocated during the run

	stop chan struct{}
	done sync.WaitGroup
	ms0  runtime.MemStats

	// With profile set, a heap profile is taken whenever the sampled heap
	// passes its previous peak by 10% (at most every 2 s), and the last one
	// is written to profile at the end: what was live near the peak.
	profile     string
	profHeap    uint64
	profAt      time.Time
	profBuf     bytes.Buffer
	profTakenAt uint64
}

// startMem collects garbage, returns freed memory to the OS, resets the
// kernel's peak RSS counter and starts sampling.
func startMem(interval time.Duration, profile string) *memPeak {
	runtime.GC()
	debug.FreeOSMemory()
	p := &memPeak{stop: make(chan struct{}), profile: profile}
	// Writing 5 to clear_refs resets VmHWM to the current RSS (Linux 4.0+).
	p.HWMReset = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
	runtime.ReadMemStats(&p.ms0)
	p.StartHeap, p.StartRSS = p.ms0.HeapInuse, sysinfo.SelfKB("VmRSS")
	p.sample()
	p.done.Add(1)
	go func() {
		defer p.done.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				p.sample()
			case <-p.stop:
				return
			}
		}
	}()
	return p
}

func (p *memPeak) sample() {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	p.HeapInuse = max(p.HeapInuse, ms.HeapInuse)
	p.RSS = max(p.RSS, sysinfo.SelfKB("VmRSS"))
	p.Samples++
	if p.profile != "" && ms.HeapInuse > p.profHeap+p.profHeap/10 && time.Since(p.profAt) > 2*time.Second {
		p.profBuf.Reset()
		if pprof.Lookup("heap").WriteTo(&p.profBuf, 0) == nil {
			p.profHeap, p.profAt, p.profTakenAt = ms.HeapInuse, time.Now(), ms.HeapInuse
		}
	}
}

func (p *memPeak) finish() {
	close(p.stop)
	p.done.Wait()
	p.sample()
	p.HWM = sysinfo.SelfKB("VmHWM")
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	p.GCs = ms.NumGC - p.ms0.NumGC
	p.Alloc = ms.TotalAlloc - p.ms0.TotalAlloc
	if p.profile != "" && p.profBuf.Len() > 0 {
		if err := os.WriteFile(p.profile, p.profBuf.Bytes(), 0o644); err != nil {
			benchutil.Logf("heap profile: %v", err)
		} else {
			benchutil.Logf("heap profile taken at heap in use %s written to %s", benchutil.MiB(p.profTakenAt), p.profile)
		}
	}
}

func codeVersion() string { return sysinfo.CodeVersion("internal/ingest", "internal/store") }
