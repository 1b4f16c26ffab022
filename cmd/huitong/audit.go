package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"huitong/internal/audit"
	"huitong/internal/store"
)

const auditUsage = `Usage: huitong audit verify [flags]

Checks the audit log: recomputes every record's leaf hash and the Merkle tree,
checks the latest signed checkpoint with the verifier key and, with --since,
that the log extends a checkpoint saved earlier. Offline (--data-dir or --db)
it also compares the stored hashes and older checkpoints; online (--url) it
reads the server's checkpoint and C2SP entry bundles.

Exit status: 0 when the log is intact, 1 when it is not (naming the first
problem) or cannot be read, 2 for bad flags.

Flags:
`

// progressMin is the log size from which verify shows a progress line.
const progressMin = 10_000

func auditCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "verify":
			return auditVerify(ctx, args[1:], stdout, stderr)
		case "help", "-h", "--help", "-help":
			fmt.Fprint(stdout, auditUsage)
			return 0
		}
		fmt.Fprintf(stderr, "huitong audit: unknown command %q\n\n", args[0])
	}
	fmt.Fprint(stderr, auditUsage)
	return 2
}

func auditVerify(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("huitong audit verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("url", "", "verify a running server at `url` (http://host:port)")
	token := fs.String("token", os.Getenv("HUITONG_TOKEN"), "auditor or admin bearer `token` for --url [HUITONG_TOKEN]")
	dataDir := fs.String("data-dir", env("DATA_DIR", "./data"), "verify the SQLite database in `dir` [HUITONG_DATA_DIR]")
	db := fs.String("db", env("DB", ""), "verify the PostgreSQL database at `url` [HUITONG_DB]")
	keyArg := fs.String("key", "", "verifier `key` (name+hash+key), or a file holding it; by default derived from\nthe data dir's signing key, which proves less")
	sinceFile := fs.String("since", "", "`file` of a signed checkpoint saved earlier, which the log must extend")
	quiet := fs.Bool("quiet", false, "print nothing when the log is intact, and no progress")
	fs.Usage = func() { fmt.Fprint(stderr, auditUsage); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	usageErr := func(format string, args ...any) int {
		fmt.Fprintf(stderr, "huitong audit verify: "+format+"\n", args...)
		return 2
	}
	switch {
	case fs.NArg() > 0:
		return usageErr("unexpected argument %q", fs.Arg(0))
	case *base != "" && (set["data-dir"] || set["db"]):
		return usageErr("--url verifies a server; --data-dir and --db a database: give one")
	case *base != "" && *token == "":
		return usageErr("--url needs --token or HUITONG_TOKEN: the log's tiles are for auditors and admins")
	}
	warn := func(format string, args ...any) {
		fmt.Fprintf(stderr, "warning: "+format+"\n", args...)
	}

	v := &audit.Verifier{}
	var keyText, keyFrom string
	if *keyArg != "" {
		keyText, keyFrom = *keyArg, "--key"
		if _, err := audit.ParseVerifierKey(*keyArg); err != nil {
			b, ferr := os.ReadFile(*keyArg)
			if ferr != nil {
				return usageErr("--key is neither a verifier key (%v) nor a readable file (%v)", err, ferr)
			}
			keyText, keyFrom = string(b), *keyArg
		}
	}
	if *sinceFile != "" {
		b, err := os.ReadFile(*sinceFile)
		if err != nil {
			return usageErr("--since: %v", err)
		}
		v.Since = b
	}

	if *base != "" {
		src := &httpSource{base: strings.TrimSuffix(strings.TrimSuffix(*base, "/"), "/api/v1"), token: *token,
			client: &http.Client{Timeout: 2 * time.Minute}}
		if u, err := url.Parse(src.base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usageErr("--url: want http:// or https://host:port, have %q", *base)
		}
		if keyText == "" {
			b, err := src.get(ctx, "/api/v1/audit/key")
			if err != nil {
				fmt.Fprintln(stderr, "huitong audit verify:", err)
				return 1
			}
			keyText, keyFrom = string(b), src.base
			warn("no --key: using the key the server itself serves, which proves less; pass the key you saved")
		}
		v.Source = src
	} else {
		if keyText == "" {
			if keyFrom = os.Getenv("HUITONG_AUDIT_KEY"); keyFrom == "" {
				keyFrom = filepath.Join(*dataDir, "audit-signer.key")
			}
			b, err := os.ReadFile(keyFrom)
			if err != nil {
				return usageErr("no --key given, and no signing key to derive it from: %v", err)
			}
			keyText = string(b)
			warn("no --key: using the key derived from %s, on the same disk as the log; whoever can\nrewrite the log there can re-sign it too. Pass the verifier key you saved elsewhere.", keyFrom)
		}
		dsn := *db
		if set["data-dir"] && !set["db"] {
			dsn = "" // an explicit --data-dir wins over HUITONG_DB
		}
		if dsn == "" {
			dsn = filepath.Join(*dataDir, "huitong.db")
			if _, err := os.Stat(dsn); err != nil {
				return usageErr("no database in --data-dir %s: %v", *dataDir, err)
			}
		}
		st, err := store.OpenReadOnly(ctx, dsn)
		if err != nil {
			fmt.Fprintln(stderr, "huitong audit verify: open database:", err)
			return 1
		}
		defer st.Close()
		v.Source = audit.StoreSource{Store: st}
	}
	key, err := audit.ParseVerifierKey(keyText)
	if err != nil {
		return usageErr("key from %s: %v", keyFrom, err)
	}
	v.Key = key
	if !*quiet {
		v.Progress = (&progressBar{w: stderr, min: progressMin}).update
	}

	res, err := v.Verify(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "huitong audit verify:", err)
		return 1
	}
	return report(res, *quiet, stdout)
}

// report prints the outcome and returns the exit code.
func report(res *audit.Result, quiet bool, stdout io.Writer) int {
	if !res.OK() {
		fmt.Fprintln(stdout, "audit log tampered:", res.Problems[0])
		for _, p := range res.Problems[1:min(len(res.Problems), 10)] {
			fmt.Fprintln(stdout, "  also:", p)
		}
		if more := len(res.Problems) - 10 + res.Omitted; more > 0 {
			fmt.Fprintf(stdout, "  and %d more problems\n", more)
		}
		return 1
	}
	if quiet {
		return 0
	}
	fmt.Fprintf(stdout, "audit log intact: %d records, root %s, checkpoint verified with key %s\n",
		res.Size, base64.StdEncoding.EncodeToString(res.Root[:]), res.Key)
	if res.Since >= 0 {
		fmt.Fprintf(stdout, "  it extends the saved checkpoint of %d records\n", res.Since)
	}
	if res.Checkpoints > 0 {
		fmt.Fprintf(stdout, "  %d older signed checkpoints match\n", res.Checkpoints)
	}
	if n := res.Records - res.Size; n > 0 {
		fmt.Fprintf(stdout, "  %d newer records are sound but not yet covered by a checkpoint\n", n)
	}
	return 0
}

// progressBar shows verification progress as one line that rewrites itself,
// for logs of at least min records.
type progressBar struct {
	w    io.Writer
	min  int64
	last int64 // last percentage shown, plus one
}

func (p *progressBar) update(done, total int64) {
	if total < p.min || total == 0 {
		return
	}
	pct := done * 100 / total
	if pct+1 == p.last {
		return
	}
	p.last = pct + 1
	fmt.Fprintf(p.w, "\rverifying audit log: %d/%d records (%d%%)", done, total, pct)
	if done >= total {
		fmt.Fprintln(p.w)
	}
}

// httpSource reads the log of a running server: its checkpoint, the C2SP
// entry bundles and the stored checkpoints.
type httpSource struct {
	base, token string
	client      *http.Client
	size        int64 // of the checkpoint last read
}

type httpError struct {
	path   string
	status int
	msg    string
}

func (e *httpError) Error() string {
	hint := ""
	if e.status == http.StatusUnauthorized || e.status == http.StatusForbidden {
		hint = " (the log needs an auditor's or admin's token)"
	}
	return fmt.Sprintf("GET %s: %d %s%s", e.path, e.status, e.msg, hint)
}

func (s *httpSource) get(ctx context.Context, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", s.base+path, nil)
	if err != nil {
		return nil, err
	}
	if s.token != "" {
		req.Header.Set("Authorization", "Bearer "+s.token)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error struct {
				MessageEN string `json:"message_en"`
			} `json:"error"`
		}
		json.Unmarshal(b, &e)
		return nil, &httpError{path: path, status: resp.StatusCode, msg: e.Error.MessageEN}
	}
	return b, nil
}

func (s *httpSource) Checkpoint(ctx context.Context) ([]byte, error) {
	b, err := s.get(ctx, "/api/v1/audit/checkpoint")
	if err != nil {
		return nil, err
	}
	// The size says which tiles exist; the verifier checks the signature.
	if text, _, ok := strings.Cut(string(b), "\n\n"); ok {
		if c, err := audit.ParseCheckpoint(text + "\n"); err == nil {
			s.size = c.Size
		}
	}
	return b, nil
}

// Records reads the entry bundles holding [start, end), within the size
// of the checkpoint.
func (s *httpSource) Records(ctx context.Context, start, end int64) ([][]byte, error) {
	const width = 1 << audit.TileHeight
	var out [][]byte
	for n := start / width; n*width < min(end, s.size); n++ {
		w := int(min(width, s.size-n*width))
		data, err := s.get(ctx, "/api/v1/audit/log/"+audit.TilePath(-1, n, w))
		var he *httpError
		if errors.As(err, &he) && he.status == http.StatusNotFound && w < width {
			// The log grew past a partial tile: read the full one.
			data, err = s.get(ctx, "/api/v1/audit/log/"+audit.TilePath(-1, n, width))
		}
		if err != nil {
			return nil, err
		}
		recs, err := splitBundle(data)
		if err != nil || len(recs) < w {
			return nil, fmt.Errorf("entry bundle %d: %d records, want %d (%v)", n, len(recs), w, err)
		}
		for i, r := range recs[:w] {
			if idx := n*width + int64(i); idx >= start && idx < end {
				out = append(out, r)
			}
		}
	}
	return out, nil
}

// splitBundle splits an entry bundle into its records.
func splitBundle(b []byte) ([][]byte, error) {
	var out [][]byte
	for len(b) > 0 {
		if len(b) < 2 {
			return out, errors.New("truncated entry")
		}
		n := int(b[0])<<8 | int(b[1])
		if len(b) < 2+n {
			return out, errors.New("truncated entry")
		}
		out, b = append(out, b[2:2+n]), b[2+n:]
	}
	return out, nil
}

func (s *httpSource) Checkpoints(ctx context.Context) ([][]byte, error) {
	b, err := s.get(ctx, "/api/v1/audit/checkpoints?page_size=500")
	if err != nil {
		return nil, err
	}
	var page struct {
		Items []audit.CheckpointInfo `json:"items"`
	}
	if err := json.Unmarshal(b, &page); err != nil {
		return nil, fmt.Errorf("checkpoint list: %w", err)
	}
	out := make([][]byte, len(page.Items))
	for i, c := range page.Items {
		out[i] = []byte(c.Note)
	}
	return out, nil
}

var _ audit.CheckpointSource = (*httpSource)(nil)
