package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"huitong/internal/ids"
)

// Config is everything the server needs to start, from flags and HUITONG_*
// environment variables (a flag wins over its variable).
type Config struct {
	Addr          string
	PublicAddr    string
	DataDir       string
	DB            string
	AdminPassword string
	// The operator org: the data bureau that runs this installation. The
	// first admin belongs to it.
	OperatorUSCC   string
	OperatorName   string
	OperatorRegion string
	SessionTTL     time.Duration
	// Node names this installation in the audit origin line
	// "huitong/<node>/audit"; the operator's USCC by default.
	Node string
	// AuditKey and SubjectKey are files: the note key that signs audit
	// checkpoints, and the secret that keys subject HMACs. Both are made on
	// first start, mode 0600; instances sharing a database share them.
	AuditKey   string
	SubjectKey string
	// DataKey is the file of the secret that encrypts restricted (level 4)
	// values and quarantined rows at rest.
	DataKey string
	// PublicURL is the base URL of the public listener as citizens and
	// verifiers reach it; license QR codes and credentials name it.
	PublicURL string
	// LicenseKeys is the directory of the license signing keys (one PEM
	// file of mode 0600 per key); instances sharing a database share it.
	LicenseKeys string
	// LookupRate bounds license lookups by identifier alone per client
	// address, a second (bursts of 60); 0 does not limit.
	LookupRate   float64
	LogLevel     string
	LogFormat    string
	ShutdownWait time.Duration
}

var nodeRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.-]{0,63}$`)

// fill sets the defaults that depend on other settings.
func (c *Config) fill() {
	if c.Node == "" {
		c.Node = c.OperatorUSCC
	}
	if c.DataDir == "" {
		c.DataDir = "./data"
	}
	if c.AuditKey == "" {
		c.AuditKey = filepath.Join(c.DataDir, "audit-signer.key")
	}
	if c.SubjectKey == "" {
		c.SubjectKey = filepath.Join(c.DataDir, "audit-subject.key")
	}
	if c.DataKey == "" {
		c.DataKey = filepath.Join(c.DataDir, "data.key")
	}
	if c.LicenseKeys == "" {
		c.LicenseKeys = filepath.Join(c.DataDir, "license-keys")
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
}

// Default operator: a placeholder national-level org; real installations set
// their own with --operator-uscc and --operator-name.
const (
	defaultOperatorUSCC   = "11110000000000001R"
	defaultOperatorName   = "数据主管部门"
	defaultOperatorRegion = "110000"
)

func env(name, def string) string {
	if v, ok := os.LookupEnv("HUITONG_" + name); ok {
		return v
	}
	return def
}

func envFloat(name string, def float64) float64 {
	if v, ok := os.LookupEnv("HUITONG_" + name); ok {
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return f
		}
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if v, ok := os.LookupEnv("HUITONG_" + name); ok {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
	}
	return def
}

// bind registers the config's flags on fs, with environment defaults.
func (c *Config) bind(fs *flag.FlagSet, dataDirDefault string) {
	fs.StringVar(&c.Addr, "addr", env("ADDR", "127.0.0.1:8080"), "internal listener (政务外网): department API and console `host:port` [HUITONG_ADDR]")
	fs.StringVar(&c.PublicAddr, "public-addr", env("PUBLIC_ADDR", "127.0.0.1:8081"), "public listener (互联网): citizen routes only `host:port` [HUITONG_PUBLIC_ADDR]")
	fs.StringVar(&c.DataDir, "data-dir", env("DATA_DIR", dataDirDefault), "`dir` of the embedded SQLite database and keys [HUITONG_DATA_DIR]")
	fs.StringVar(&c.DB, "db", env("DB", ""), "PostgreSQL `url` (postgres://...); empty uses SQLite in --data-dir [HUITONG_DB]")
	fs.StringVar(&c.OperatorUSCC, "operator-uscc", env("OPERATOR_USCC", defaultOperatorUSCC), "USCC of the org running this platform, created on first start [HUITONG_OPERATOR_USCC]")
	fs.StringVar(&c.OperatorName, "operator-name", env("OPERATOR_NAME", defaultOperatorName), "name of the operator org [HUITONG_OPERATOR_NAME]")
	fs.StringVar(&c.OperatorRegion, "operator-region", env("OPERATOR_REGION", defaultOperatorRegion), "6-digit region code of the operator org [HUITONG_OPERATOR_REGION]")
	fs.DurationVar(&c.SessionTTL, "session-ttl", envDuration("SESSION_TTL", 12*time.Hour), "lifetime of a login token [HUITONG_SESSION_TTL]")
	fs.StringVar(&c.Node, "node", env("NODE", ""), "node name in the audit log origin (default: the operator's USCC) [HUITONG_NODE]")
	fs.StringVar(&c.AuditKey, "audit-key", env("AUDIT_KEY", ""), "`file` of the audit checkpoint signing key (default: <data-dir>/audit-signer.key) [HUITONG_AUDIT_KEY]")
	fs.StringVar(&c.SubjectKey, "subject-key", env("SUBJECT_KEY", ""), "`file` of the secret keying subject HMACs (default: <data-dir>/audit-subject.key) [HUITONG_SUBJECT_KEY]")
	fs.StringVar(&c.DataKey, "data-key", env("DATA_KEY", ""), "`file` of the secret encrypting restricted values at rest (default: <data-dir>/data.key) [HUITONG_DATA_KEY]")
	fs.StringVar(&c.PublicURL, "public-url", env("PUBLIC_URL", ""), "base `URL` of the public listener as citizens reach it, named by license QR codes and credentials (default: http://<public-addr>) [HUITONG_PUBLIC_URL]")
	fs.StringVar(&c.LicenseKeys, "license-keys", env("LICENSE_KEYS", ""), "`dir` of the license signing keys (default: <data-dir>/license-keys) [HUITONG_LICENSE_KEYS]")
	fs.Float64Var(&c.LookupRate, "license-lookup-rate", envFloat("LICENSE_LOOKUP_RATE", 5), "license lookups by identifier alone (verify pages, QR codes, verification without the credential) one client address may make, `per second`, in bursts of 60; 0 for no limit [HUITONG_LICENSE_LOOKUP_RATE]")
	fs.StringVar(&c.LogLevel, "log-level", env("LOG_LEVEL", "info"), "debug, info, warn or error [HUITONG_LOG_LEVEL]")
	fs.StringVar(&c.LogFormat, "log-format", env("LOG_FORMAT", "text"), "text or json [HUITONG_LOG_FORMAT]")
	fs.DurationVar(&c.ShutdownWait, "shutdown-wait", envDuration("SHUTDOWN_WAIT", 15*time.Second), "how long in-flight requests may take to finish on SIGTERM [HUITONG_SHUTDOWN_WAIT]")
	c.AdminPassword = os.Getenv("HUITONG_ADMIN_PASSWORD")
}

// Validate reports every problem with the config at once.
func (c *Config) Validate() error {
	var errs []error
	for name, addr := range map[string]string{"--addr": c.Addr, "--public-addr": c.PublicAddr} {
		if _, _, err := net.SplitHostPort(addr); err != nil {
			errs = append(errs, fmt.Errorf("%s %q: want host:port", name, addr))
		}
	}
	if c.Addr == c.PublicAddr && !strings.HasSuffix(c.Addr, ":0") {
		errs = append(errs, errors.New("--addr and --public-addr must differ: the public listener is a separate wall"))
	}
	if c.DB == "" && c.DataDir == "" {
		errs = append(errs, errors.New("either --db or --data-dir is required"))
	}
	if c.DB != "" && !strings.HasPrefix(c.DB, "postgres://") && !strings.HasPrefix(c.DB, "postgresql://") {
		errs = append(errs, errors.New("--db must be a postgres:// URL"))
	}
	if err := ids.ValidateUSCC(c.OperatorUSCC); err != nil {
		errs = append(errs, fmt.Errorf("--operator-uscc: %w", err))
	}
	if c.OperatorName == "" {
		errs = append(errs, errors.New("--operator-name is required"))
	}
	if !ids.ValidRegionCodeFormat(c.OperatorRegion) {
		errs = append(errs, fmt.Errorf("--operator-region %q: want a 6-digit GB/T 2260 code", c.OperatorRegion))
	}
	if c.Node != "" && !nodeRE.MatchString(c.Node) {
		errs = append(errs, fmt.Errorf("--node %q: want letters, digits, dots and dashes", c.Node))
	}
	if c.SessionTTL < time.Minute {
		errs = append(errs, errors.New("--session-ttl must be at least 1m"))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("--log-level %q: want debug, info, warn or error", c.LogLevel))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("--log-format %q: want text or json", c.LogFormat))
	}
	if c.AdminPassword != "" && len(c.AdminPassword) < 8 {
		errs = append(errs, errors.New("HUITONG_ADMIN_PASSWORD must be at least 8 characters with letters and digits"))
	}
	return errors.Join(errs...)
}
