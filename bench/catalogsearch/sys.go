package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// machine describes the computer the benchmark runs on.
type machine struct {
	CPUs       int
	GOMAXPROCS int
	CPUModel   string
	MemTotal   string
	Go         string
	OS         string
	Code       string
}

func describeMachine() machine {
	m := machine{CPUs: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0), Go: runtime.Version(),
		OS: runtime.GOOS + "/" + runtime.GOARCH, CPUModel: "unknown", MemTotal: "unknown", Code: codeVersion()}
	if v := procField("/proc/cpuinfo", "model name"); v != "" {
		m.CPUModel = v
	}
	if v := procField("/proc/meminfo", "MemTotal"); v != "" {
		if kb, err := strconv.ParseFloat(strings.TrimSuffix(v, " kB"), 64); err == nil {
			m.MemTotal = fmt.Sprintf("%.1f GiB", kb/(1<<20))
		}
	}
	return m
}

// procField returns the value of the first "key: value" line of a /proc
// file whose key is key.
func procField(path, key string) string {
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
	return memory{HeapInuse: ms.HeapInuse, RSS: procKB("VmRSS"), HWM: procKB("VmHWM")}
}

func procKB(key string) uint64 {
	v := procField("/proc/self/status", key)
	kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(v, "kB")), 10, 64)
	if err != nil {
		return 0
	}
	return kb << 10
}

func mib(b uint64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }

// cpuTimes is the CPU time used so far by the whole machine (from
// /proc/stat, all CPUs), by PostgreSQL server processes and by this process.
type cpuTimes struct {
	machine, postgres, self time.Duration
}

const userHZ = time.Second / 100

func readCPUTimes() cpuTimes {
	var t cpuTimes
	if f, err := os.ReadFile("/proc/stat"); err == nil {
		line, _, _ := strings.Cut(string(f), "\n")
		fs := strings.Fields(line)
		// cpu user nice system idle iowait irq softirq steal ...
		for i, f := range fs {
			if i == 0 || i == 4 || i == 5 || i > 8 {
				continue
			}
			v, _ := strconv.ParseInt(f, 10, 64)
			t.machine += time.Duration(v) * userHZ
		}
	}
	if ents, err := os.ReadDir("/proc"); err == nil {
		for _, e := range ents {
			if e.Name()[0] < '0' || e.Name()[0] > '9' {
				continue
			}
			b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
			if err != nil {
				continue
			}
			// pid (comm) state ppid ... utime(14) stime(15)
			open, close := strings.IndexByte(string(b), '('), strings.LastIndexByte(string(b), ')')
			if open < 0 || close < open || string(b[open+1:close]) != "postgres" {
				continue
			}
			fs := strings.Fields(string(b[close+1:]))
			if len(fs) > 12 {
				u, _ := strconv.ParseInt(fs[11], 10, 64)
				s, _ := strconv.ParseInt(fs[12], 10, 64)
				t.postgres += time.Duration(u+s) * userHZ
			}
		}
	}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		t.self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	return t
}

// othersCPU returns the CPU time processes other than this one and the
// PostgreSQL server used between a and b, in CPUs (1.0 = one CPU busy all
// the time), and the PostgreSQL server's.
func othersCPU(a, b cpuTimes, wall time.Duration) (others, postgres float64) {
	pg := b.postgres - a.postgres
	other := (b.machine - a.machine) - (b.self - a.self) - pg
	return max(0, float64(other)/float64(wall)), max(0, float64(pg)/float64(wall))
}

// codeVersion names the commit the benchmark runs on and whether the
// search and store code differ from it.
func codeVersion() string {
	rev, err := exec.Command("git", "rev-parse", "--short=12", "HEAD").Output()
	if err != nil {
		return "unknown commit"
	}
	s := "commit " + strings.TrimSpace(string(rev))
	st, err := exec.Command("git", "status", "--porcelain", "--", "internal/catalog", "internal/store").Output()
	switch {
	case err != nil:
	case len(strings.TrimSpace(string(st))) == 0:
		s += ", internal/catalog and internal/store as committed"
	default:
		s += ", with uncommitted changes in internal/catalog or internal/store"
	}
	return s
}
