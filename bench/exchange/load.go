package main

import (
	"bytes"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"huitong/bench/internal/benchutil"
)

// call is one kind of request the clients send: its body for a row of the
// table, and how to tell a right answer for that row.
type call struct {
	name string // "query" or "verify"
	path string
	body func(buf []byte, row int) []byte
	ok   func(answer []byte, row int) bool
}

// target is what the clients call: the gateway or the bare handler.
type target struct {
	name  string // "gateway" or "bare handler"
	base  string // http://host:port
	token string // bearer token; "" for none
	pid   int    // the server process whose RSS and CPU are read; 0: this process
}

// loadRun is what one load measured.
type loadRun struct {
	Target   string
	Call     string
	Clients  int
	Window   time.Duration // the measured interval, after the warm-up
	Lat      []time.Duration
	OK       int         // 200 with the right answer, in the window
	Wrong    int         // 200 with a wrong answer, in the window
	Codes    map[int]int // every status but 200, in the window
	Limited  int         // 429s in the window
	NetErr   int         // transport errors in the window
	Total    int         // every answered or failed call, warm-up included
	TotalOK  int         // 200s, warm-up included: each must have its audit record
	CPU      cpuUse
	RSS      *rssSampler
	Load     string  // load average at the start
	Quiet    float64 // other processes' CPU just before
	Audit    int64   // records appended to the audit log during the run, warm-up included
	AuditErr string
}

func (r *loadRun) rate() float64 { return float64(r.OK) / r.Window.Seconds() }

func (r *loadRun) pct(p float64) time.Duration {
	if len(r.Lat) == 0 {
		return 0
	}
	i := int(p*float64(len(r.Lat))+0.5) - 1
	return r.Lat[min(max(i, 0), len(r.Lat)-1)]
}

func (r *loadRun) errors() int {
	n := r.Wrong + r.NetErr
	for code, c := range r.Codes {
		if code != http.StatusTooManyRequests {
			n += c
		}
	}
	return n
}

// worker's tallies, merged at the end.
type tally struct {
	lat            []time.Duration
	ok, wrong, net int
	codes          map[int]int
	total, totalOK int
	limited        int
}

// drive runs clients goroutines, each with its own keep-alive connection,
// sending c to t with random rows of tbl as fast as answers come back: for
// warmup, then for dur, which is measured. Latency is from sending the
// request to reading the whole answer; a call counts in the window it
// started in.
func drive(t target, c call, tbl *table, clients int, warmup, dur time.Duration, seed uint64, rssEvery time.Duration) *loadRun {
	url := t.base + c.path
	start := time.Now().Add(warmup)
	end := start.Add(dur)
	tallies := make([]tally, clients)
	var ready, done sync.WaitGroup
	ready.Add(clients)
	done.Add(clients)
	run := &loadRun{Target: t.name, Call: c.name, Clients: clients, Load: benchutil.LoadAvg(), Codes: map[int]int{}}
	for w := range clients {
		go func() {
			defer done.Done()
			tr := &http.Transport{
				DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
				MaxIdleConnsPerHost: 1, MaxConnsPerHost: 1, DisableCompression: true, IdleConnTimeout: time.Minute,
			}
			defer tr.CloseIdleConnections()
			hc := &http.Client{Transport: tr, Timeout: time.Minute}
			hdr := http.Header{"Content-Type": {"application/json"}}
			if t.token != "" {
				hdr.Set("Authorization", "Bearer "+t.token)
			}
			rng := rand.New(rand.NewPCG(seed, uint64(w)))
			tl := &tallies[w]
			tl.codes = map[int]int{}
			tl.lat = make([]time.Duration, 0, 1<<14)
			var body []byte
			var ans bytes.Buffer
			ready.Done()
			for {
				t0 := time.Now()
				if !t0.Before(end) {
					return
				}
				row := rng.IntN(tbl.rows())
				body = c.body(body[:0], row)
				req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
				req.Header = hdr
				resp, err := hc.Do(req)
				status, good := 0, false
				if err == nil {
					ans.Reset()
					_, err = ans.ReadFrom(resp.Body)
					resp.Body.Close()
					status = resp.StatusCode
					good = err == nil && status == http.StatusOK && c.ok(ans.Bytes(), row)
				}
				lat := time.Since(t0)
				tl.total++
				if status == http.StatusOK {
					tl.totalOK++
				}
				if t0.Before(start) {
					continue
				}
				switch {
				case err != nil:
					tl.net++
				case status != http.StatusOK:
					tl.codes[status]++
					if status == http.StatusTooManyRequests {
						tl.limited++
					}
				case !good:
					tl.wrong++
				default:
					tl.ok++
					tl.lat = append(tl.lat, lat)
				}
			}
		}()
	}
	ready.Wait()
	// The window's CPU and memory, read at its start and end.
	time.Sleep(time.Until(start))
	pid := t.pid
	if pid == 0 {
		pid = selfPID
	}
	cpu0 := benchutil.ReadCPU(t.pid)
	rss := sampleRSS(pid, rssEvery)
	time.Sleep(time.Until(end))
	cpu1 := benchutil.ReadCPU(t.pid)
	rss.finish()
	run.Window = time.Since(start)
	run.CPU = cpuBetween(cpu0, cpu1, run.Window)
	run.RSS = rss
	done.Wait()
	for _, tl := range tallies {
		run.Lat = append(run.Lat, tl.lat...)
		run.OK += tl.ok
		run.Wrong += tl.wrong
		run.NetErr += tl.net
		run.Limited += tl.limited
		run.Total += tl.total
		run.TotalOK += tl.totalOK
		for k, v := range tl.codes {
			run.Codes[k] += v
		}
	}
	slices.Sort(run.Lat)
	return run
}

// queryFields are the fields every query asks for: all seven, the level-4
// one included, which an exact-key lookup may return.
var queryFields = `["id_card","name","gender","birth_date","phone","address","religion"]`

// calls returns the query and the verification as the clients send them to
// t: the gateway's paths and answers, or the bare handler's. The
// gateway's ID numbers come back masked (first 6 and last 4 kept).
func calls(tbl *table, gateway bool, code string) map[string]call {
	prefix := ""
	if gateway {
		prefix = "/api/v1/exchange/" + code
	}
	where := func(buf []byte, row int) []byte {
		buf = append(buf, `{"where":{"id_card":"`...)
		buf = append(buf, tbl.cellBytes(row, colID)...)
		return append(buf, `"},`...)
	}
	return map[string]call{
		"query": {name: "query", path: prefix + "/query",
			body: func(buf []byte, row int) []byte {
				buf = where(buf, row)
				buf = append(buf, `"fields":`...)
				buf = append(buf, queryFields...)
				return append(buf, '}')
			},
			ok: func(ans []byte, row int) bool {
				id := tbl.cellBytes(row, colID)
				want := make([]byte, 0, 40)
				want = append(want, `"id_card":"`...)
				if gateway {
					want = append(want, id[:6]...)
					want = append(want, "********"...)
					want = append(want, id[14:]...)
				} else {
					want = append(want, id...)
				}
				return bytes.Contains(ans, append(want, '"'))
			}},
		"verify": {name: "verify", path: prefix + "/verify",
			body: func(buf []byte, row int) []byte {
				buf = where(buf, row)
				buf = append(buf, `"match":{"name":"`...)
				buf = append(buf, tbl.cellBytes(row, colName)...)
				return append(buf, `"}}`...)
			},
			ok: func(ans []byte, row int) bool { return bytes.Contains(ans, []byte(`"match":true`)) }},
	}
}
