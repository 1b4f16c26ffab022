package main

import (
	"fmt"
	"slices"
	"time"

	"huitong/bench/internal/sysinfo"
)

// machine describes the computer the benchmark runs on.
type machine = sysinfo.Info

func describeMachine() machine { return sysinfo.Describe() }

// loadAvg returns the one-minute load average, which tells whether other
// work shared the machine during a run.
func loadAvg() string { return sysinfo.LoadAvg()[0] }

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
	case d < time.Microsecond:
		return fmt.Sprintf("%d ns", d.Nanoseconds())
	case d < time.Millisecond:
		return fmt.Sprintf("%.3g µs", float64(d)/float64(time.Microsecond))
	case d < time.Second:
		return fmt.Sprintf("%.3g ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.3g s", d.Seconds())
}
