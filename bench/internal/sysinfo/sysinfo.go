// Package sysinfo describes the machine a benchmark runs on, from /proc, so
// that every report in docs/PERFORMANCE.md names the same facts.
package sysinfo

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
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
func SelfKB(key string) uint64 { return statusKB("/proc/self/status", key) }

// PidKB returns a size field of /proc/<pid>/status ("VmRSS", "VmHWM") in
// bytes, or 0.
func PidKB(pid int, key string) uint64 {
	return statusKB(fmt.Sprintf("/proc/%d/status", pid), key)
}

func statusKB(path, key string) uint64 {
	v := ProcField(path, key)
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

// CPUTimes is the CPU time used so far: by the whole machine (all CPUs,
// from /proc/stat), by the running processes named postgres (a local
// server's backends; ones that ended drop out, so it is a lower bound), by
// this process, and by the children it waited for.
type CPUTimes struct {
	Machine, Server, Self, Children time.Duration
}

// userHZ is the unit of /proc's CPU times.
const userHZ = time.Second / 100

// ReadCPUTimes reads the CPU times now.
func ReadCPUTimes() CPUTimes {
	var t CPUTimes
	if f, err := os.ReadFile("/proc/stat"); err == nil {
		line, _, _ := strings.Cut(string(f), "\n")
		// cpu user nice system idle iowait irq softirq steal ...
		for i, f := range strings.Fields(line) {
			if i == 0 || i == 4 || i == 5 || i > 8 {
				continue
			}
			v, _ := strconv.ParseInt(f, 10, 64)
			t.Machine += time.Duration(v) * userHZ
		}
	}
	t.Server = serverCPU()
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		t.Self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	if syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru) == nil {
		t.Children = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	return t
}

func serverCPU() time.Duration {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	var total time.Duration
	for _, e := range ents {
		if e.Name()[0] < '0' || e.Name()[0] > '9' {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(b)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < open || s[open+1:end] != "postgres" {
			continue
		}
		total += statCPU(s[end+1:])
	}
	return total
}

// ProcCPU returns the user and system CPU time process pid has used, or 0
// when it is gone.
func ProcCPU(pid int) time.Duration {
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
	return statCPU(s[end+1:])
}

// statCPU returns utime + stime from what follows the comm in a
// /proc/<pid>/stat line (fields 14 and 15 of stat), or 0.
func statCPU(rest string) time.Duration {
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+st) * userHZ
}

// CodeVersion names the commit the benchmark runs on and whether the
// measured packages (paths relative to the module) differ from it.
func CodeVersion(paths ...string) string {
	rev, err := exec.Command("git", "rev-parse", "--short=12", "HEAD").Output()
	if err != nil {
		return "unknown commit"
	}
	s := "commit " + strings.TrimSpace(string(rev))
	st, err := exec.Command("git", append([]string{"status", "--porcelain", "--"}, paths...)...).Output()
	switch {
	case err != nil:
	case len(strings.TrimSpace(string(st))) == 0:
		s += ", " + strings.Join(paths, " and ") + " as committed"
	default:
		s += ", with uncommitted changes in " + strings.Join(paths, " or ") + " (the working tree at build time)"
	}
	return s
}
