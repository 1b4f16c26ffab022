package main

import (
	"context"
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
	"sync/atomic"
	"time"
)

const importUsage = `Usage: huitong import --resource CODE [flags] FILE

Uploads a data file (CSV, XLSX, JSON or NDJSON) into a resource through the
running platform's API, with every check the API makes. Progress shows on
stderr; the batch report prints when it is done.

Flags:
`

// importCmd runs "huitong import".
func importCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("huitong import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	code := fs.String("resource", "", "code of the resource to feed (required)")
	base := fs.String("url", env("URL", "http://127.0.0.1:8080"), "base `URL` of the internal listener [HUITONG_URL]")
	token := fs.String("token", os.Getenv("HUITONG_TOKEN"), "bearer token of a provider officer or app [HUITONG_TOKEN]")
	mode := fs.String("mode", "upsert", "upsert (insert and update by key) or replace (the file becomes the whole dataset)")
	strict := fs.Bool("strict", false, "reject the whole batch if any row fails a check")
	encoding := fs.String("encoding", "", "CSV encoding: utf-8, gbk or gb18030 (default: detect)")
	sheet := fs.String("sheet", "", "XLSX sheet (default: the first)")
	errorsOut := fs.String("errors", "", "write the rejected rows and problems to this `file` (.xlsx, .csv or .json)")
	quiet := fs.Bool("quiet", false, "no progress")
	fs.Usage = func() { fmt.Fprint(stderr, importUsage); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *code == "" || fs.NArg() != 1 || *token == "" {
		fmt.Fprintln(stderr, "huitong import: need --resource, --token (or HUITONG_TOKEN) and one FILE")
		fs.Usage()
		return 2
	}
	path := fs.Arg(0)
	q := url.Values{"mode": {*mode}}
	if *strict {
		q.Set("strict", "true")
	}
	if *encoding != "" {
		q.Set("encoding", *encoding)
	}
	if *sheet != "" {
		q.Set("sheet", *sheet)
	}
	body, rc := uploadFile(ctx, upload{cmd: "huitong import", path: path, token: *token, quiet: *quiet, query: q,
		endpoint: strings.TrimRight(*base, "/") + "/api/v1/resources/" + url.PathEscape(*code) + "/batches"}, stderr)
	if rc != 0 {
		return rc
	}
	var b struct {
		ID        int64    `json:"batch_id"`
		Status    string   `json:"status"`
		Rows      int64    `json:"rows"`
		Accepted  int64    `json:"accepted"`
		Rejected  int64    `json:"rejected"`
		Inserted  int64    `json:"inserted"`
		Updated   int64    `json:"updated"`
		Unchanged int64    `json:"unchanged"`
		Deleted   int64    `json:"deleted"`
		Warnings  int64    `json:"warnings"`
		Unknown   []string `json:"unknown_columns"`
		Errors    []struct {
			Row                  int
			Field, Rule, Message string
		} `json:"errors"`
	}
	if err := json.Unmarshal(body, &b); err != nil {
		fmt.Fprintln(stderr, "huitong import: bad answer:", err)
		return 1
	}
	fmt.Fprintf(stdout, "批次 / batch %d: %s — %d 行 rows, %d 接收 accepted, %d 拒绝 rejected; %d 新增 inserted, %d 更新 updated, %d 未变 unchanged, %d 删除 deleted, %d 警告 warnings\n",
		b.ID, b.Status, b.Rows, b.Accepted, b.Rejected, b.Inserted, b.Updated, b.Unchanged, b.Deleted, b.Warnings)
	if len(b.Unknown) > 0 {
		fmt.Fprintf(stdout, "未识别的列（未导入）/ unknown columns, not imported: %s\n", strings.Join(b.Unknown, ", "))
	}
	for i, e := range b.Errors {
		if i == 10 {
			fmt.Fprintf(stdout, "  ... (%d problems listed in the report)\n", len(b.Errors))
			break
		}
		fmt.Fprintf(stdout, "  第 %d 行 row %d %s [%s]: %s\n", e.Row, e.Row, e.Field, e.Rule, e.Message)
	}
	if *errorsOut != "" && (b.Rejected > 0 || len(b.Errors) > 0) {
		if err := downloadReport(ctx, *base, *token, b.ID, *errorsOut); err != nil {
			fmt.Fprintln(stderr, "huitong import: report:", err)
			return 1
		}
		fmt.Fprintln(stdout, "问题报告 / report written to", *errorsOut)
	}
	if b.Status != "committed" {
		return 1
	}
	return 0
}

// contentType names a data file's format by its extension.
func contentType(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return "text/csv"
	case ".tsv":
		return "text/tab-separated-values"
	case ".xlsx":
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case ".json":
		return "application/json"
	case ".ndjson", ".jsonl":
		return "application/x-ndjson"
	}
	return ""
}

func downloadReport(ctx context.Context, base, token string, id int64, path string) error {
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	if format != "xlsx" && format != "csv" && format != "json" {
		return fmt.Errorf("%s: want .xlsx, .csv or .json", path)
	}
	req, err := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s/api/v1/batches/%d/errors?format=%s", strings.TrimRight(base, "/"), id, format), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, resp.Body); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// showUpload draws an upload progress line until done.
func showUpload(c *countingReader, total int64, w io.Writer, done chan struct{}) {
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	start := time.Now()
	draw := func(final bool) {
		n := c.n.Load()
		pct := 100.0
		if total > 0 {
			pct = 100 * float64(n) / float64(total)
		}
		bar := strings.Repeat("█", int(pct/5)) + strings.Repeat("░", 20-int(pct/5))
		rate := float64(n) / max(time.Since(start).Seconds(), 0.001) / (1 << 20)
		fmt.Fprintf(w, "\r上传 uploading %s %5.1f%% %.1f/%.1f MiB %.1f MiB/s", bar, pct, float64(n)/(1<<20), float64(total)/(1<<20), rate)
		if final {
			fmt.Fprint(w, "\n检查与写入中 checking and storing...\n")
		}
	}
	for {
		select {
		case <-done:
			return
		case <-t.C:
			draw(c.n.Load() >= total)
			if c.n.Load() >= total {
				<-done
				return
			}
		}
	}
}

// upload is a data file to post to an upload route.
type upload struct {
	cmd      string // the command, for messages
	path     string
	endpoint string     // the route, without the query
	query    url.Values // parameters besides filename
	token    string
	quiet    bool
}

// uploadFile posts a data file with its Content-Type from its extension,
// showing progress on stderr unless quiet, and returns the body of a 201
// answer, or the exit code after reporting the problem: 2 for a file of an
// unknown kind or a bad request, 1 for anything else.
func uploadFile(ctx context.Context, u upload, stderr io.Writer) ([]byte, int) {
	ct := contentType(u.path)
	if ct == "" {
		fmt.Fprintf(stderr, "%s: %s: want a .csv, .tsv, .xlsx, .json, .ndjson or .jsonl file\n", u.cmd, u.path)
		return nil, 2
	}
	f, err := os.Open(u.path)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", u.cmd, err)
		return nil, 1
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", u.cmd, err)
		return nil, 1
	}
	q := url.Values{}
	for k, v := range u.query {
		q[k] = v
	}
	q.Set("filename", filepath.Base(u.path))
	counter := &countingReader{r: f}
	req, err := http.NewRequestWithContext(ctx, "POST", u.endpoint+"?"+q.Encode(), counter)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", u.cmd, err)
		return nil, 2
	}
	req.ContentLength = info.Size()
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Bearer "+u.token)
	done := make(chan struct{})
	if !u.quiet {
		go showUpload(counter, info.Size(), stderr, done)
	}
	resp, err := http.DefaultClient.Do(req)
	close(done)
	if err != nil {
		fmt.Fprintf(stderr, "\n%s: %v\n", u.cmd, err)
		return nil, 1
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if resp.StatusCode != http.StatusCreated {
		var e struct {
			Error struct {
				Code      string `json:"code"`
				Message   string `json:"message"`
				MessageEN string `json:"message_en"`
			} `json:"error"`
		}
		json.Unmarshal(body, &e)
		fmt.Fprintf(stderr, "%s: %d %s: %s (%s)\n", u.cmd, resp.StatusCode, e.Error.Code, e.Error.Message, e.Error.MessageEN)
		return nil, 1
	}
	return body, 0
}
