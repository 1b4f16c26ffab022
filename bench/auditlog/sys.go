package main

import (
	"huitong/bench/internal/sysinfo"
)

// machine describes the computer the benchmark runs on.
type machine = sysinfo.Info

func describeMachine() machine { return sysinfo.Describe() }

// loadAvg returns the one-minute load average, which tells whether other
// work shared the machine during a run.
func loadAvg() string { return sysinfo.LoadAvg()[0] }
