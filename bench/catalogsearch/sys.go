package main

import (
	"runtime"
	"runtime/debug"
	"time"

	"huitong/bench/internal/sysinfo"
)

// machine describes the computer the benchmark runs on.
type machine struct {
	sysinfo.Info
	Code string
}

func describeMachine() machine {
	return machine{Info: sysinfo.Describe(), Code: sysinfo.CodeVersion("internal/catalog", "internal/store")}
}

// memory is the process's memory use at one moment.
type memory struct {
	HeapInuse uint64 // bytes
	RSS       uint64 // bytes (VmRSS)
	HWM       uint64 // bytes (VmHWM, peak RSS)
}

// measureMemory collects garbage, returns freed memory to the OS and reads
// the Go heap and the resident set.
func measureMemory() memory {
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return memory{HeapInuse: ms.HeapInuse, RSS: sysinfo.SelfKB("VmRSS"), HWM: sysinfo.SelfKB("VmHWM")}
}

type cpuTimes = sysinfo.CPUTimes

func readCPUTimes() cpuTimes { return sysinfo.ReadCPUTimes() }

// othersCPU returns the CPU time processes other than this one and the
// PostgreSQL server used between a and b, in CPUs (1.0 = one CPU busy all
// the time), and the PostgreSQL server's.
func othersCPU(a, b cpuTimes, wall time.Duration) (others, postgres float64) {
	pg := b.Server - a.Server
	other := (b.Machine - a.Machine) - (b.Self - a.Self) - pg
	return max(0, float64(other)/float64(wall)), max(0, float64(pg)/float64(wall))
}
