package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/mod/sumdb/note"

	"huitong"
	"huitong/bench/internal/benchutil"
	"huitong/internal/audit"
	"huitong/internal/catalog"
	"huitong/internal/ids"
	"huitong/internal/ingest"
	"huitong/internal/org"
	"huitong/internal/store"
)

// The PostgreSQL databases the benchmark may work in (and empty). The
// second is used when another client is connected to the first.
const (
	benchDB    = "huitong_bench_ingest"
	benchDBAlt = "huitong_bench_ingest2"
)

// backend is where the store lives.
type backend struct {
	kind  string // "sqlite" or "postgres"
	label string // for the report
	dsn   string // what store.Open takes
	dir   string // SQLite: the directory of the store file (removed at the end unless kept)
	// PostgreSQL: the bench database's URL, for the COPY baseline.
	pgURL string
}

func newSQLiteBackend(ctx context.Context, baseDir string) (*backend, error) {
	version := benchutil.SQLiteVersion(ctx)
	dir, err := os.MkdirTemp(baseDir, "store-")
	if err != nil {
		return nil, err
	}
	return &backend{kind: "sqlite", dir: dir, dsn: filepath.Join(dir, "huitong.db"),
		label: fmt.Sprintf("SQLite %s (modernc.org/sqlite, the store's settings: WAL, synchronous=FULL), new file under %s", version, baseDir)}, nil
}

// newPostgresBackend picks the bench database (huitong_bench_ingest, or
// huitong_bench_ingest2 when another client is connected to it), creates it
// when missing and empties its public schema. It never touches the
// database adminDSN names.
func newPostgresBackend(ctx context.Context, adminDSN string) (*backend, error) {
	u, admin, err := benchutil.OpenAdmin(adminDSN)
	if err != nil {
		return nil, err
	}
	defer admin.Close()
	srv, err := benchutil.ReadPGServer(ctx, admin)
	if err != nil {
		return nil, err
	}
	name, err := benchutil.PickDatabase(ctx, admin, []string{benchDB, benchDBAlt}, false)
	if err != nil {
		return nil, err
	}
	if name == "" {
		return nil, fmt.Errorf("other clients are connected to both %s and %s", benchDB, benchDBAlt)
	}
	u.Path = "/" + name
	dsn := u.String()
	if err := benchutil.EmptyDatabase(ctx, dsn, benchDB, benchDBAlt); err != nil {
		return nil, err
	}
	return &backend{kind: "postgres", dsn: dsn, pgURL: dsn,
		label: srv.Label(u.Host, name)}, nil
}

func (b *backend) cleanup(keep bool) {
	if b.dir != "" && !keep {
		os.RemoveAll(b.dir)
	}
}

// services is the part of Main that ingest needs, wired as cmd/huitong
// wires it.
type services struct {
	db      *store.DB
	audit   *audit.Log
	orgs    *org.Service
	catalog *catalog.Service
	ingest  *ingest.Service
	phases  *phases
	admin   context.Context // carries the admin principal
	org     string          // the provider org's USCC
	n       int             // resources created
}

func openServices(ctx context.Context, dsn string) (*services, error) {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	skey, vkey, err := note.GenerateKey(rand.Reader, "huitong/bench/ingest")
	if err != nil {
		return nil, err
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		return nil, err
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, err
	}
	secret := make([]byte, 32)
	rand.Read(secret)
	subjects, err := audit.NewSubjects(secret)
	if err != nil {
		return nil, err
	}
	l, err := audit.Open(ctx, audit.Config{Store: db, Signer: signer, Verifier: verifier, Subjects: subjects,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		db.Close()
		return nil, err
	}
	s := &services{db: db, audit: l}
	s.orgs = org.NewService(db, l)
	s.orgs.CheckRegion = ids.KnownRegion
	s.orgs.RegionName = ids.RegionName
	s.catalog = catalog.NewService(db, l, s.orgs.OrgName)
	dataKey := make([]byte, 32)
	rand.Read(dataKey)
	sealer, err := ingest.NewSealer(dataKey)
	if err != nil {
		return nil, err
	}
	s.phases = newPhases()
	s.ingest = &ingest.Service{Store: timedStore{db, s.phases}, Resource: s.catalog.Get, Audit: timedRecorder{l, s.phases},
		Sealer: sealer, Now: time.Now}

	// The provider: a municipal human resources and social security bureau.
	if s.org, err = ids.MakeUSCC("11", "330500", "MB1958620"); err != nil {
		return nil, err
	}
	s.admin = huitong.WithPrincipal(ctx, &huitong.Principal{Kind: huitong.PrincipalUser, ID: 1, Name: "bench",
		OrgUSCC: s.org, Roles: []string{huitong.RoleAdmin}})
	if _, err := s.orgs.CreateOrg(s.admin, org.OrgInput{USCC: s.org, Name: "湖州市人力资源和社会保障局（基准测试）",
		RegionCode: "330500", Kind: org.KindAgency}); err != nil && huitong.ErrorCode(err) != "org_exists" {
		return nil, fmt.Errorf("create org: %w", err)
	}
	return s, nil
}

func (s *services) close() {
	s.audit.Close()
	s.db.Close()
}

// newResource registers a fresh resource for one run through the catalog
// service.
func (s *services) newResource(label string) (catalog.Resource, error) {
	s.n++
	in := catalog.Input{
		Name:           fmt.Sprintf("社会保险参保信息（导入基准 %d：%s）", s.n, label),
		Summary:        "个人参保状态和缴费基数，用于数据导入性能测试。",
		Category:       catalog.CategoryDepartment,
		ProviderUSCC:   s.org,
		Format:         "table",
		UpdateCycle:    "daily",
		ShareType:      catalog.ShareConditional,
		ShareCondition: "用于就业补贴审核、社会救助家庭经济状况核对等法定职责",
		ShareMethod:    catalog.ShareMethodAPI,
		OpenType:       catalog.OpenNone,
		PublishDate:    "2024-04-22",
		Fields:         benchFields(),
	}
	return s.catalog.Create(s.admin, in)
}
