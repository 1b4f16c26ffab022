package console

import (
	"strconv"
	"strings"
)

// sparkline is a small inline SVG line of values 0-100, oldest first.
type sparkline struct {
	W, H   int
	Points string
	Dots   []sparkDot
}

type sparkDot struct {
	X, Y  string
	V     float64
	Label string
}

// newSparkline lays out values (percentages) left to right; nil for fewer
// than two.
func newSparkline(vals []float64, labels []string) *sparkline {
	if len(vals) < 2 {
		return nil
	}
	const w, h, pad = 240, 48, 4
	s := &sparkline{W: w, H: h}
	var pts []string
	step := float64(w-2*pad) / float64(len(vals)-1)
	for i, v := range vals {
		v = min(100, max(0, v))
		x := strconv.FormatFloat(pad+step*float64(i), 'f', 1, 64)
		y := strconv.FormatFloat(pad+(100-v)/100*float64(h-2*pad), 'f', 1, 64)
		pts = append(pts, x+","+y)
		s.Dots = append(s.Dots, sparkDot{X: x, Y: y, V: vals[i], Label: labels[i]})
	}
	s.Points = strings.Join(pts, " ")
	return s
}
