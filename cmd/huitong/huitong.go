package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"huitong"
	"huitong/docs"
	"huitong/internal/audit"
	"huitong/internal/catalog"
	"huitong/internal/console"
	"huitong/internal/demo"
	"huitong/internal/exchange"
	"huitong/internal/ids"
	"huitong/internal/ingest"
	"huitong/internal/license"
	"huitong/internal/org"
	"huitong/internal/sharing"
	"huitong/internal/stats"
	"huitong/internal/store"
	"huitong/internal/web"
)

// Main is the running program: its config, database, services and
// listeners. Tests start a real Main on port 0.
type Main struct {
	Config Config
	// Demo seeds the demo city on first start.
	Demo bool
	// Argon2 overrides the password hashing cost (tests lower it).
	Argon2 *org.Argon2Params

	Stdout    io.Writer
	LogOutput io.Writer

	DB       *store.DB
	Audit    *audit.Log
	Orgs     *org.Service
	Catalog  *catalog.Service
	Ingest   *ingest.Service
	Sharing  *sharing.Service
	Exchange *exchange.Gateway
	Stats    *stats.Service
	Licenses *license.Service
	Logger   *slog.Logger

	internalLn, publicLn net.Listener
	internalSrv          *http.Server
	publicSrv            *http.Server
	served               chan error
}

// NewMain returns a Main with default config values and no listeners.
func NewMain() *Main {
	return &Main{Stdout: io.Discard, LogOutput: os.Stderr}
}

// applyDemo makes the demo's data bureau the operator org.
func (c *Config) applyDemo() {
	op := demo.Operator()
	c.OperatorUSCC, c.OperatorName, c.OperatorRegion = op.USCC, op.Name, op.RegionCode
	if c.AdminPassword == "" {
		c.AdminPassword = demo.AdminPassword
	}
}

// Run opens the database, prepares it on first start, and starts both
// listeners. It returns once they accept connections.
func (m *Main) Run(ctx context.Context) error {
	err := m.run(ctx)
	if err != nil {
		for _, ln := range []net.Listener{m.internalLn, m.publicLn} {
			if ln != nil {
				ln.Close()
			}
		}
	}
	return err
}

func (m *Main) run(ctx context.Context) error {
	c := &m.Config
	level := map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError}[c.LogLevel]
	opts := &slog.HandlerOptions{Level: level}
	if c.LogFormat == "json" {
		m.Logger = slog.New(slog.NewJSONHandler(m.LogOutput, opts))
	} else {
		m.Logger = slog.New(slog.NewTextHandler(m.LogOutput, opts))
	}

	c.fill()
	// Listen first, so that the public URL that licenses name is known
	// (port 0 picks one); connections wait until serving starts.
	var err error
	if m.internalLn, err = net.Listen("tcp", c.Addr); err != nil {
		return fmt.Errorf("internal listener: %w", err)
	}
	if m.publicLn, err = net.Listen("tcp", c.PublicAddr); err != nil {
		return fmt.Errorf("public listener: %w", err)
	}
	if c.PublicURL == "" {
		c.PublicURL = "http://" + m.publicLn.Addr().String()
	}
	if c.DB != "" {
		m.DB, err = store.Open(ctx, c.DB)
	} else {
		m.DB, err = store.OpenDataDir(ctx, c.DataDir)
	}
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}

	signer, verifier, err := audit.LoadOrCreateKey(c.AuditKey, "huitong/"+c.Node+"/audit")
	if err != nil {
		return fmt.Errorf("audit key: %w", err)
	}
	secret, err := audit.LoadOrCreateSecret(c.SubjectKey)
	if err != nil {
		return fmt.Errorf("subject key: %w", err)
	}
	subjects, err := audit.NewSubjects(secret)
	if err != nil {
		return err
	}
	m.Audit, err = audit.Open(ctx, audit.Config{Store: m.DB, Signer: signer, Verifier: verifier, Subjects: subjects, Logger: m.Logger})
	if err != nil {
		return err
	}

	m.Orgs = org.NewService(m.DB, m.Audit)
	m.Orgs.SessionTTL = c.SessionTTL
	m.Orgs.CheckRegion = ids.KnownRegion
	m.Orgs.RegionName = ids.RegionName
	if m.Argon2 != nil {
		m.Orgs.Argon2 = *m.Argon2
	}
	m.Catalog = catalog.NewService(m.DB, m.Audit, m.Orgs.OrgName)
	dataKey, err := audit.LoadOrCreateSecret(c.DataKey)
	if err != nil {
		return fmt.Errorf("data key: %w", err)
	}
	sealer, err := ingest.NewSealer(dataKey)
	if err != nil {
		return err
	}
	m.Ingest = &ingest.Service{Store: m.DB, Resource: m.Catalog.Get, Audit: m.Audit, Sealer: sealer, Now: time.Now}
	m.Sharing = &sharing.Service{Store: m.DB, Resource: m.Catalog.Get, OrgName: m.Orgs.OrgName, AppOrg: m.appOrg,
		Audit: m.Audit, Now: time.Now}
	m.Exchange = &exchange.Gateway{Grants: m.Sharing, Resource: m.Catalog.GetShared, Records: m.DB, Audit: m.Audit, Sealer: sealer,
		PseudonymSecret: derive(dataKey, "huitong/exchange/pseudonyms"), Now: time.Now}
	m.Licenses = &license.Service{Store: m.DB, Keys: &license.Ring{Dir: c.LicenseKeys, Store: m.DB, Now: time.Now},
		Audit: m.Audit, OrgName: m.Orgs.OrgName, Subject: m.Audit.SubjectOf, CitizenSubject: m.Orgs.CitizenSubject,
		PublicURL: c.PublicURL, Now: time.Now, IdentifierRate: c.LookupRate, IdentifierBurst: 60}

	operator := org.OrgInput{USCC: c.OperatorUSCC, Name: c.OperatorName, RegionCode: c.OperatorRegion, Kind: org.KindAgency}
	generated, created, err := m.Orgs.Bootstrap(ctx, operator, c.AdminPassword)
	if err != nil {
		return fmt.Errorf("prepare first start: %w", err)
	}
	if created {
		fmt.Fprintf(m.Stdout, "已创建管理员账号 / created the admin account: admin (%s)\n", c.OperatorName)
		if generated != "" {
			fmt.Fprintf(m.Stdout, "管理员初始密码（仅显示一次）/ admin password, shown once: %s\n", generated)
		}
	}
	if m.Demo {
		say := func(s string) { fmt.Fprintln(m.Stdout, "示范数据 / demo:", s) }
		if err := demo.Seed(ctx, m.Orgs, m.Catalog, say); err != nil {
			return fmt.Errorf("seed demo city: %w", err)
		}
		if err := demo.SeedRecords(ctx, m.Catalog, m.Ingest, say); err != nil {
			return fmt.Errorf("seed demo records: %w", err)
		}
		if err := demo.SeedGrants(ctx, m.Catalog, m.Sharing, say); err != nil {
			return fmt.Errorf("seed demo grants: %w", err)
		}
		if err := demo.SeedLicenses(ctx, m.Licenses, m.Orgs, say); err != nil {
			return fmt.Errorf("seed demo licenses: %w", err)
		}
	}
	if err := m.Catalog.Refresh(ctx); err != nil {
		return fmt.Errorf("load catalog index: %w", err)
	}

	m.Stats = &stats.Service{Store: m.DB, Now: time.Now}
	cons := &console.Console{Orgs: m.Orgs, Catalog: m.Catalog, Ingest: m.Ingest, Sharing: m.Sharing, Audit: m.Audit,
		Licenses: m.Licenses, CSRFKey: derive(dataKey, "huitong/console/csrf/v1"), Logger: m.Logger, Version: buildVersion()}
	srv := &web.Server{Orgs: m.Orgs, Catalog: m.Catalog, Audit: m.Audit, Ingest: m.Ingest, Sharing: m.Sharing, Exchange: m.Exchange, Stats: m.Stats, Licenses: m.Licenses, Ready: m.DB.Ping, Logger: m.Logger,
		Version: buildVersion(), OpenAPI: docs.OpenAPI, Console: cons, LicensePage: cons.LicensePage()}
	cons.API = srv.Handler() // the console's pages' scripts fetch through it, as the session's caller
	m.internalSrv = newHTTPServer(srv.Handler(), m.Logger)
	m.publicSrv = newHTTPServer(srv.PublicHandler(), m.Logger)
	m.served = make(chan error, 2)
	go func() { m.served <- m.internalSrv.Serve(m.internalLn) }()
	go func() { m.served <- m.publicSrv.Serve(m.publicLn) }()

	fmt.Fprintf(m.Stdout, "汇通已启动 / huitong %s is up\n  内部服务（政务外网）/ internal API: %s/api/v1\n  公众服务（互联网）/ public: %s/\n",
		buildVersion(), m.InternalURL(), m.PublicURL())
	fmt.Fprintf(m.Stdout, "  控制台 / console: %s/console/\n  我的数据 / citizens: %s/my/\n", m.InternalURL(), m.PublicURL())
	if c.DB != "" {
		fmt.Fprintln(m.Stdout, "  数据库 / database: PostgreSQL")
	} else {
		fmt.Fprintf(m.Stdout, "  数据库 / database: SQLite in %s\n", c.DataDir)
	}
	if m.Demo {
		fmt.Fprintf(m.Stdout, "  示范账号 / demo accounts: admin / %s; %s (all with password %s)\n",
			c.AdminPassword, demo.AccountList(), demo.Password)
	}
	return nil
}

// appOrg returns the org of a live app, for sharing to check that a
// request names an app of the consumer org.
func (m *Main) appOrg(ctx context.Context, id int64) (string, error) {
	a, err := m.DB.GetApp(ctx, id)
	if err != nil {
		return "", err
	}
	if a.RevokedAt != nil {
		return "", huitong.ErrNoRecord
	}
	return a.OrgUSCC, nil
}

func newHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // uploads of large files
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// InternalURL is the base URL of the internal listener.
func (m *Main) InternalURL() string { return "http://" + m.internalLn.Addr().String() }

// PublicURL is the base URL of the public listener.
func (m *Main) PublicURL() string { return "http://" + m.publicLn.Addr().String() }

// Close stops accepting connections, lets in-flight requests finish (up to
// the configured wait) and closes the database.
func (m *Main) Close() error {
	wait := m.Config.ShutdownWait
	if wait <= 0 {
		wait = 15 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	var errs []error
	for _, s := range []*http.Server{m.internalSrv, m.publicSrv} {
		if s != nil {
			if err := s.Shutdown(ctx); err != nil {
				errs = append(errs, err)
			}
		}
	}
	for _, ln := range []net.Listener{m.internalLn, m.publicLn} {
		if ln != nil {
			ln.Close()
		}
	}
	if m.Audit != nil {
		errs = append(errs, m.Audit.Close())
		m.Audit = nil
	}
	if m.DB != nil {
		errs = append(errs, m.DB.Close())
	}
	return errors.Join(errs...)
}

// derive makes a key for one purpose from a secret, so that one secret file
// serves several uses without one key doing two jobs.
func derive(secret []byte, label string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(label))
	return m.Sum(nil)
}
