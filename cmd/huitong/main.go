// Command huitong runs the huitong government data sharing and exchange
// platform: one binary with the department API, the public citizen services
// and their database.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = ""

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

const usage = `huitong (汇通) — government data sharing and exchange platform

Usage:
  huitong serve [flags]     run the platform
  huitong demo [flags]      run the platform with the demo city (湖州市) seeded
  huitong audit verify      check the audit log against its signed checkpoints
  huitong import            upload a data file into a resource, with progress
  huitong license verify    check an e-license credential offline (JWKS, status list)
  huitong license import    import existing licenses from a file, with progress
  huitong version           print the version

Run "huitong <command> --help" for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one command and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve", "demo":
		return serve(ctx, args[0], args[1:], stdout, stderr)
	case "audit":
		return auditCmd(ctx, args[1:], stdout, stderr)
	case "import":
		return importCmd(ctx, args[1:], stdout, stderr)
	case "license":
		return licenseCmd(ctx, args[1:], stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "huitong", buildVersion())
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "huitong: unknown command %q\n\n%s", args[0], usage)
	return 2
}

func serve(ctx context.Context, cmd string, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("huitong "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	m := NewMain()
	dataDir := "./data"
	if cmd == "demo" {
		dataDir = "./data-demo"
		m.Demo = true
	}
	m.Config.bind(fs, dataDir)
	reset := false
	if cmd == "demo" {
		fs.BoolVar(&reset, "reset", false, "delete the demo data dir first and seed it anew")
	}
	fs.Usage = func() {
		if cmd == "demo" {
			fmt.Fprint(stderr, "Usage: huitong demo [flags]\n\nRuns the platform with the demo city (湖州市) seeded into its data dir on first start.\n\nFlags:\n")
		} else {
			fmt.Fprint(stderr, "Usage: huitong serve [flags]\n\nRuns the platform. The first start on an empty database creates the user \"admin\"\nwith the password in HUITONG_ADMIN_PASSWORD, or prints a generated one once.\n\nFlags:\n")
		}
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "huitong %s: unexpected argument %q\n", cmd, fs.Arg(0))
		return 2
	}
	if cmd == "demo" {
		m.Config.applyDemo()
		if reset && m.Config.DB == "" {
			if err := os.RemoveAll(m.Config.DataDir); err != nil {
				fmt.Fprintln(stderr, "huitong demo: reset:", err)
				return 1
			}
		}
	}
	if err := m.Config.Validate(); err != nil {
		fmt.Fprintln(stderr, "huitong: bad configuration:\n"+err.Error())
		return 2
	}
	m.Stdout = stdout
	m.LogOutput = stderr
	if err := m.Run(ctx); err != nil {
		fmt.Fprintln(stderr, "huitong:", err)
		m.Close()
		return 1
	}
	<-ctx.Done()
	fmt.Fprintln(stdout, "正在停止，等待进行中的请求完成 / shutting down, letting in-flight requests finish")
	if err := m.Close(); err != nil {
		fmt.Fprintln(stderr, "huitong: shutdown:", err)
		return 1
	}
	return 0
}
