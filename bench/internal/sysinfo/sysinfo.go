// Package sysinfo describes the machine a benchmark runs on, from /proc, so
// that every report in docs/PERFORMANCE.md names the same facts.
package sysinfo

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// Info describes the computer and the Go build.
type Info struct {
	CPUs       int
	GOMAXPROCS int
	CPUModel   string
	MemTotal   string
	Go         string
	OS         string
}

// Describe returns the machine's Info; what /proc does not tell is "unknown".
func Describe() Info {
	m := Info{CPUs: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0), Go: runtime.Version(),
		OS: runtime.GOOS + "/" + runtime.GOARCH, CPUModel: "unknown", MemTotal: "unknown"}
	if v := ProcField("/proc/cpuinfo", "model name"); v != "" {
		m.CPUModel = v
	}
	if v := ProcField("/proc/meminfo", "MemTotal"); v != "" {
		if kb, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(v, "kB")), 64); err == nil {
			m.MemTotal = fmt.Sprintf("%.1f GiB", kb/(1<<20))
		}
	}
	return m
}

// ProcField returns the value of the first "key: value" line of a /proc
// file whose key is key, or "".
func ProcField(path, key string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// SelfKB returns a size field of /proc/self/status ("VmRSS", "VmHWM") in
// bytes, or 0.
func SelfKB(key string) uint64 {
	v := ProcField("/proc/self/status", key)
	kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(v, "kB")), 10, 64)
	if err != nil {
		return 0
	}
	return kb << 10
}

// LoadAvg returns the 1-, 5- and 15-minute load averages as /proc/loadavg
// writes them, or "?".
func LoadAvg() []string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return []string{"?", "?", "?"}
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return []string{"?", "?", "?"}
	}
	return f[:3]
}
