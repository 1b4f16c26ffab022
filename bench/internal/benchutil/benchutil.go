// Package benchutil holds what the benchmark programs under bench/ share
// beyond the machine facts of sysinfo: the program's entry, progress
// lines, waiting for a quiet machine, report formatting, the bench
// databases, latency summaries and CPU snapshots, and building, running,
// profiling and calling the huitong server.
package benchutil

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"huitong/bench/internal/sysinfo"
)

// Main runs run and, when it fails, prints "name: error" to stderr and
// exits with status 1.
func Main(name string, run func() error) {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, name+":", err)
		os.Exit(1)
	}
}

// Logf writes a progress line, prefixed with the time of day, to stderr.
func Logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

// LoadAvg returns the 1-, 5- and 15-minute load averages in one string.
func LoadAvg() string { return strings.Join(sysinfo.LoadAvg(), " ") }

// quietWindow is how long each look at the machine's load lasts.
const quietWindow = 3 * time.Second

// WaitQuiet waits until other processes use less than limit CPUs, for at
// most maxWait, and returns what they used over the last window. others
// measures that over the window it is given (it sleeps through it) and
// returns the CPUs used (1.0 = one CPU busy all the time).
func WaitQuiet(limit float64, maxWait time.Duration, others func(window time.Duration) float64) float64 {
	deadline := time.Now().Add(maxWait)
	for said := false; ; said = true {
		o := others(quietWindow)
		if limit <= 0 || o < limit {
			return o
		}
		if time.Now().After(deadline) {
			Logf("other processes still use %.2f CPUs; measuring anyway", o)
			return o
		}
		if !said {
			Logf("other processes use %.2f CPUs (load %s); waiting up to %s for the machine to be quieter (-quiet %.2f)",
				o, LoadAvg(), maxWait, limit)
		}
	}
}

// Count writes n with thousands separators: 1,000,000.
func Count(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Rate writes a rate rounded to a whole number, with thousands separators.
func Rate(r float64) string { return Count(int64(r + 0.5)) }

// First returns the first of the load averages load holds, or "?".
func First(load string) string { return strings.Fields(load + " ?")[0] }

// Met says whether a target was met, marking a miss in bold.
func Met(ok bool) string {
	if ok {
		return "met"
	}
	return "**not met**"
}

// MiB writes a byte count in whole MiB.
func MiB(b uint64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }

// WriteReport writes the report to stdout and, when path is not "", to
// the file path too.
func WriteReport(path string, write func(io.Writer)) error {
	var w io.Writer = os.Stdout
	if path != "" {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		defer f.Close()
		w = io.MultiWriter(os.Stdout, f)
	}
	write(w)
	return nil
}

// PositiveInts parses the comma-separated whole numbers of at least 1 that
// the flag name was given as value.
func PositiveInts(name, value string) ([]int, error) {
	var vs []int
	for _, s := range strings.Split(value, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || v < 1 {
			return nil, fmt.Errorf("bad -%s %q", name, value)
		}
		vs = append(vs, v)
	}
	return vs, nil
}
