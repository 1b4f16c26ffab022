package benchutil

import (
	"fmt"
	"slices"
	"time"

	"huitong/bench/internal/sysinfo"
)

// Latencies summarises a set of durations.
type Latencies struct {
	N                   int
	Mean, P50, P99, Max time.Duration
}

// Summarize returns the count, mean, median, 99th percentile and maximum
// of ds, which it leaves as they are.
func Summarize(ds []time.Duration) Latencies {
	if len(ds) == 0 {
		return Latencies{}
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
	return Latencies{N: len(s), Mean: sum / time.Duration(len(s)), P50: pct(0.50), P99: pct(0.99), Max: s[len(s)-1]}
}

// FmtDur prints a duration with three significant digits in a fitting
// unit.
func FmtDur(d time.Duration) string {
	switch {
	case d < time.Microsecond:
		return fmt.Sprintf("%d ns", d.Nanoseconds())
	case d < time.Millisecond:
		return fmt.Sprintf("%.3g µs", float64(d)/float64(time.Microsecond))
	case d < time.Second:
		return fmt.Sprintf("%.3g ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.3g s", d.Seconds())
}

// CPUSnap is the CPU time used so far by the machine, this process and
// the huitong server's process.
type CPUSnap struct {
	sysinfo.CPUTimes
	Huitong time.Duration
}

// ReadCPU reads the CPU times now, with the huitong server's pid (0: no
// server).
func ReadCPU(pid int) CPUSnap {
	return CPUSnap{CPUTimes: sysinfo.ReadCPUTimes(), Huitong: sysinfo.ProcCPU(pid)}
}
