package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"huitong/internal/license"
)

const licenseUsage = `Usage: huitong license <command> [flags]

Commands:
  verify FILE --jwks FILE [--status FILE]
        check a license credential (a compact JWS, typ vc+jwt) offline, with
        only the issuers' published keys (GET /.well-known/jwks.json) and,
        to check revocation, the issuer's status list (the credential's
        credentialStatus.statusListCredential); prints the result as JSON
        and exits 0 only for a valid license
  import --type CODE FILE
        import existing licenses of a type from CSV, XLSX, JSON or NDJSON
        through the running platform's API, with a progress bar and a
        row-level report

Run "huitong license <command> --help" for a command's flags.
`

func licenseCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, licenseUsage)
		return 2
	}
	switch args[0] {
	case "verify":
		return licenseVerifyCmd(args[1:], stdout, stderr)
	case "import":
		return licenseImportCmd(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, licenseUsage)
		return 0
	}
	fmt.Fprintf(stderr, "huitong license: unknown command %q\n\n%s", args[0], licenseUsage)
	return 2
}

// parseInterleaved parses flags that may come before or after the
// positional arguments.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func licenseVerifyCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("huitong license verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	jwksPath := fs.String("jwks", "", "`file` of the published keys (JWKS), required")
	statusPath := fs.String("status", "", "`file` of the issuer's status list credential, to check revocation")
	at := fs.String("at", "", "check as of this RFC 3339 `time` (default: now)")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: huitong license verify FILE --jwks FILE [--status FILE]\n\nFILE holds the credential (\"-\" reads standard input). Exit status: 0 valid, 1 not valid, 2 usage or unreadable input.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if len(pos) != 1 || *jwksPath == "" {
		fmt.Fprintln(stderr, "huitong license verify: need one credential FILE and --jwks FILE")
		fs.Usage()
		return 2
	}
	read := func(path string) ([]byte, error) {
		if path == "-" {
			return io.ReadAll(io.LimitReader(os.Stdin, 1<<20))
		}
		return os.ReadFile(path)
	}
	cred, err := read(pos[0])
	if err != nil {
		fmt.Fprintln(stderr, "huitong license verify:", err)
		return 2
	}
	jwks, err := read(*jwksPath)
	if err != nil {
		fmt.Fprintln(stderr, "huitong license verify:", err)
		return 2
	}
	var status []byte
	if *statusPath != "" {
		if status, err = read(*statusPath); err != nil {
			fmt.Fprintln(stderr, "huitong license verify:", err)
			return 2
		}
	}
	now := time.Now()
	if *at != "" {
		if now, err = time.Parse(time.RFC3339, *at); err != nil {
			fmt.Fprintln(stderr, "huitong license verify: --at:", err)
			return 2
		}
	}
	res, err := license.Offline(string(cred), jwks, string(status), now)
	if err != nil {
		fmt.Fprintln(stderr, "huitong license verify:", err)
		return 2
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	enc.Encode(res)
	if !res.Valid {
		return 1
	}
	return 0
}

func licenseImportCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("huitong license import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	typeCode := fs.String("type", "", "code of the license type (required)")
	base := fs.String("url", env("URL", "http://127.0.0.1:8080"), "base `URL` of the internal listener [HUITONG_URL]")
	token := fs.String("token", os.Getenv("HUITONG_TOKEN"), "bearer token of an issuing officer [HUITONG_TOKEN]")
	encoding := fs.String("encoding", "", "CSV encoding: utf-8, gbk or gb18030 (default: detect)")
	sheet := fs.String("sheet", "", "XLSX sheet (default: the first)")
	reportOut := fs.String("report", "", "write the row-level report (JSON) to this `file`")
	quiet := fs.Bool("quiet", false, "no progress")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: huitong license import --type CODE [flags] FILE\n\nColumns: holder_name, holder_code, valid_from, valid_until, number (or 持证主体名称, 持证主体代码, 有效期起始日期, 有效期截止日期, 证照编号) and the type's fields by name or title.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *typeCode == "" || len(pos) != 1 || *token == "" {
		fmt.Fprintln(stderr, "huitong license import: need --type, --token (or HUITONG_TOKEN) and one FILE")
		fs.Usage()
		return 2
	}
	q := url.Values{}
	if *encoding != "" {
		q.Set("encoding", *encoding)
	}
	if *sheet != "" {
		q.Set("sheet", *sheet)
	}
	body, rc := uploadFile(ctx, upload{cmd: "huitong license import", path: pos[0], token: *token, quiet: *quiet, query: q,
		endpoint: strings.TrimRight(*base, "/") + "/api/v1/license-types/" + url.PathEscape(*typeCode) + "/imports"}, stderr)
	if rc != 0 {
		return rc
	}
	var rep license.ImportReport
	if err := json.Unmarshal(body, &rep); err != nil {
		fmt.Fprintln(stderr, "huitong license import: bad answer:", err)
		return 1
	}
	fmt.Fprintf(stdout, "导入 / import %d: %d 行 rows, %d 已签发 imported, %d 拒绝 rejected\n", rep.ImportID, rep.Rows, rep.Imported, rep.Rejected)
	for i, e := range rep.Errors {
		if i == 10 {
			fmt.Fprintf(stdout, "  ... (%d problems listed in the report)\n", len(rep.Errors))
			break
		}
		fmt.Fprintf(stdout, "  第 %d 行 row %d %s [%s]: %s\n", e.Row, e.Row, e.Field, e.Rule, e.Message)
	}
	if *reportOut != "" {
		if err := os.WriteFile(*reportOut, body, 0o644); err != nil {
			fmt.Fprintln(stderr, "huitong license import: report:", err)
			return 1
		}
		fmt.Fprintln(stdout, "报告 / report written to", *reportOut)
	}
	return 0
}
