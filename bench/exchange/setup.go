package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"huitong/bench/internal/benchutil"
	"huitong/bench/internal/sysinfo"
	"huitong/internal/demo"
)

// The PostgreSQL databases the benchmark may work in (and empty). The
// second is used when another client is connected to the first.
const (
	benchDB    = "huitong_bench_exchange"
	benchDBAlt = "huitong_bench_exchange2"
)

// The demo accounts the benchmark acts as (internal/demo).
const (
	providerUser = "ga_provider" // 湖州市公安局: registers and feeds the resource, approves
	consumerUser = "mz_consumer" // 湖州市民政局: requests access, then queries and verifies
	adminUser    = "admin"       // countersigns the level-4 field
	demoPassword = "Huzhou@2026"
	adminPass    = "Admin@2026"
)

// Terms of the grant: the most the platform allows, so that neither limit
// is what the benchmark measures.
const (
	grantRate  = 10000     // requests per second (sharing.MaxRate)
	grantQuota = 100000000 // records per day (sharing.MaxDailyQuota)
)

// backend is where the server keeps its data.
type backend struct {
	kind    string // "sqlite" or "postgres"
	label   string // for the report
	dataDir string // --data-dir: the SQLite database (for sqlite) and the keys
	dbURL   string // --db: the bench database (postgres)
	dbName  string
	state   string // file recording what the store holds, for -reuse
}

func newSQLiteBackend(dir string) *backend {
	d := filepath.Join(dir, "sqlite")
	return &backend{kind: "sqlite", dataDir: d, state: filepath.Join(dir, "sqlite-state.json"),
		label: fmt.Sprintf("SQLite %s (modernc.org/sqlite; the store's settings: WAL, synchronous=FULL) in %s", benchutil.SQLiteVersion(context.Background()), d)}
}

// newPostgresBackend picks the bench database (huitong_bench_exchange, or
// huitong_bench_exchange2 when another client is connected to it; with
// reuse, the one the state names) and creates it when missing. It never
// touches the database adminDSN names.
func newPostgresBackend(ctx context.Context, dir, adminDSN string, reuse *setupState) (*backend, error) {
	u, admin, err := benchutil.OpenAdmin(adminDSN)
	if err != nil {
		return nil, err
	}
	defer admin.Close()
	srv, err := benchutil.ReadPGServer(ctx, admin)
	if err != nil {
		return nil, err
	}
	cands := []string{benchDB, benchDBAlt}
	if reuse != nil {
		cands = []string{reuse.DBName}
	}
	name, err := benchutil.PickDatabase(ctx, admin, cands, reuse != nil)
	if err != nil {
		return nil, err
	}
	if name == "" {
		return nil, fmt.Errorf("other clients are connected to %s", strings.Join(cands, " and "))
	}
	u.Path = "/" + name
	return &backend{kind: "postgres", dbURL: u.String(), dbName: name, dataDir: filepath.Join(dir, "postgres-keys"),
		state: filepath.Join(dir, "postgres-state.json"),
		label: srv.Label(u.Host, name)}, nil
}

// empty makes the store new: a new data dir, and for PostgreSQL the bench
// database's public schema dropped and recreated.
func (b *backend) empty(ctx context.Context) error {
	os.Remove(b.state)
	if err := os.RemoveAll(b.dataDir); err != nil {
		return err
	}
	if err := os.MkdirAll(b.dataDir, 0o700); err != nil {
		return err
	}
	if b.kind != "postgres" {
		return nil
	}
	return benchutil.EmptyDatabase(ctx, b.dbURL, benchDB, benchDBAlt)
}

// setupState is what the setup made, saved next to the store so that
// -reuse can measure again without loading a million records again.
type setupState struct {
	GenVersion int       `json:"gen_version"`
	Seed       uint64    `json:"seed"`
	Rows       int       `json:"rows"`
	DBName     string    `json:"db_name,omitempty"`
	Resource   string    `json:"resource"`
	RequestID  int64     `json:"request_id"`
	GrantID    int64     `json:"grant_id"`
	Upload     uploadRun `json:"upload"`
	At         time.Time `json:"at"`
}

// uploadRun is the 1,000,000-row upload, timed as a side fact.
type uploadRun struct {
	Rows     int64         `json:"rows"`
	Accepted int64         `json:"accepted"`
	Rejected int64         `json:"rejected"`
	Wall     time.Duration `json:"wall"`
	PeakRSS  uint64        `json:"peak_rss"` // the server's VmHWM after the upload
}

func loadState(path string, d dataset) (*setupState, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s setupState
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, err
	}
	if s.GenVersion != genVersion || s.Seed != d.Seed || s.Rows != d.Rows || s.Resource == "" || s.GrantID == 0 {
		return nil, errors.New("the stored data is of another generator, seed or size")
	}
	return &s, nil
}

func (s *setupState) save(path string) error {
	b, _ := json.MarshalIndent(s, "", "  ")
	return os.WriteFile(path, b, 0o644)
}

// startServer runs huitong on ports chosen by the kernel and returns once
// both listeners accept connections. With seed it runs `huitong demo`,
// which seeds the demo city into an empty store; otherwise `huitong serve`
// with the demo's operator org, as a production server over that store
// would run. Its output goes to logPath.
func startServer(bin string, b *backend, seed bool, logLevel, logPath string, extraEnv ...string) (*benchutil.Server, error) {
	args := []string{"serve"}
	if seed {
		args = []string{"demo"}
	} else {
		op := demo.Operator()
		args = append(args, "--operator-uscc", op.USCC, "--operator-name", op.Name, "--operator-region", op.RegionCode)
	}
	args = append(args, "--data-dir", b.dataDir, "--addr", "127.0.0.1:0", "--public-addr", "127.0.0.1:0", "--log-level", logLevel)
	if b.dbURL != "" {
		args = append(args, "--db", b.dbURL)
	}
	return benchutil.StartServer(bin, args, extraEnv, logPath, 15*time.Minute)
}

// auditSize reads the size of the latest signed audit checkpoint from the
// public listener.
func auditSize(public string) (int64, error) {
	resp, err := http.Get(public + "/api/v1/audit/checkpoint")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET /api/v1/audit/checkpoint: %s", resp.Status)
	}
	// origin, size, root hash, blank line, signatures.
	lines := strings.SplitN(string(b), "\n", 3)
	if len(lines) < 3 {
		return 0, fmt.Errorf("checkpoint %q: too short", b)
	}
	return strconv.ParseInt(lines[1], 10, 64)
}

// settledAuditSize waits until the signed checkpoint has stopped growing
// (the checkpointer signs at most a second behind the log) and returns its
// size.
func settledAuditSize(public string) (int64, error) {
	last, err := auditSize(public)
	if err != nil {
		return 0, err
	}
	stable := time.Now()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		time.Sleep(250 * time.Millisecond)
		n, err := auditSize(public)
		if err != nil {
			return 0, err
		}
		if n != last {
			last, stable = n, time.Now()
			continue
		}
		if time.Since(stable) >= 2500*time.Millisecond {
			return n, nil
		}
	}
	return last, errors.New("the audit checkpoint kept growing for 30 s")
}

// setup registers the resource as the police bureau's provider, uploads
// the generated file into it, and has the civil affairs bureau request
// every field, the provider approve at the highest rate and quota and an
// admin countersign the level-4 field: all through the HTTP API of a
// running server.
func setup(srv *benchutil.Server, d dataset) (*setupState, error) {
	base := benchutil.NewAPI(srv.Internal)
	provider, err := base.As(providerUser, demoPassword)
	if err != nil {
		return nil, err
	}
	var res struct {
		Code string `json:"code"`
	}
	in := map[string]any{
		"name":            fmt.Sprintf("人口基础信息（交换网关基准，%d 条）", d.Rows),
		"summary":         "户籍人口的身份基础信息，用于交换网关性能测试（生成数据）。",
		"category":        "base",
		"format":          "table",
		"update_cycle":    "daily",
		"share_type":      "conditional",
		"share_condition": "仅限政务部门在依法履行身份核验、资格审核等法定职责时使用",
		"share_method":    "api",
		"open_type":       "none",
		"publish_date":    "2024-03-15",
		"fields":          resourceFields(),
	}
	if err := provider.Call("POST", "/api/v1/resources", in, &res); err != nil {
		return nil, fmt.Errorf("register the resource: %w", err)
	}
	benchutil.Logf("registered %s; uploading %s (%d rows)", res.Code, d.CSV, d.Rows)

	f, err := os.Open(d.CSV)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var batch struct {
		Status   string `json:"status"`
		Rows     int64  `json:"rows"`
		Accepted int64  `json:"accepted"`
		Rejected int64  `json:"rejected"`
	}
	t0 := time.Now()
	if err := provider.Send("POST", "/api/v1/resources/"+res.Code+"/batches?filename=people.csv", "text/csv; charset=utf-8",
		struct{ io.Reader }{f}, &batch); err != nil {
		return nil, fmt.Errorf("upload: %w", err)
	}
	st := &setupState{GenVersion: genVersion, Seed: d.Seed, Rows: d.Rows, Resource: res.Code, At: time.Now().UTC(),
		Upload: uploadRun{Rows: batch.Rows, Accepted: batch.Accepted, Rejected: batch.Rejected, Wall: time.Since(t0),
			PeakRSS: sysinfo.PidKB(srv.PID, "VmHWM")}}
	benchutil.Logf("upload: %s, %d rows, %d accepted, %d rejected in %s (%.0f rows/s); server peak RSS %s", batch.Status, batch.Rows, batch.Accepted,
		batch.Rejected, st.Upload.Wall.Round(time.Millisecond), float64(batch.Rows)/st.Upload.Wall.Seconds(), benchutil.MiB(st.Upload.PeakRSS))
	if batch.Accepted != int64(d.Rows) {
		return nil, fmt.Errorf("upload accepted %d of %d rows", batch.Accepted, d.Rows)
	}

	consumer, err := base.As(consumerUser, demoPassword)
	if err != nil {
		return nil, err
	}
	var req struct {
		ID      int64  `json:"id"`
		Status  string `json:"status"`
		GrantID int64  `json:"grant_id"`
	}
	if err := consumer.Call("POST", "/api/v1/requests", map[string]any{
		"resource_code": res.Code, "fields": fieldNames,
		"purpose":     "最低生活保障资格审核：核对申请人及家庭成员身份信息（性能基准）",
		"legal_basis": "《社会救助暂行办法》第十一条",
	}, &req); err != nil {
		return nil, fmt.Errorf("request access: %w", err)
	}
	st.RequestID = req.ID
	if err := provider.Call("POST", "/api/v1/requests/"+strconv.FormatInt(req.ID, 10)+"/approve", map[string]any{
		"rate": grantRate, "daily_quota": grantQuota, "comment": "同意（性能基准）",
	}, &req); err != nil {
		return nil, fmt.Errorf("approve: %w", err)
	}
	if req.Status != "approved" {
		admin, err := base.As(adminUser, adminPass)
		if err != nil {
			return nil, err
		}
		if err := admin.Call("POST", "/api/v1/requests/"+strconv.FormatInt(req.ID, 10)+"/countersign",
			map[string]any{"comment": "宗教信仰仅用于精确核验（性能基准）"}, &req); err != nil {
			return nil, fmt.Errorf("countersign: %w", err)
		}
	}
	if req.Status != "approved" || req.GrantID == 0 {
		return nil, fmt.Errorf("request %d is %s, with grant %d", req.ID, req.Status, req.GrantID)
	}
	st.GrantID = req.GrantID
	benchutil.Logf("request %d approved at rate %d/s and %d records a day: grant %d", req.ID, grantRate, grantQuota, req.GrantID)
	return st, nil
}
