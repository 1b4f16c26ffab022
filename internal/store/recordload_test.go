package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"huitong/internal/catalog"
	"huitong/internal/ingest"
	"huitong/internal/org"
	"huitong/internal/store"
	"huitong/internal/store/storetest"
)

// TestBulkLoad runs the bulk-load checks on SQLite, and on PostgreSQL when
// HUITONG_TEST_POSTGRES is set.
func TestBulkLoad(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		testBulkLoad(t, func(t *testing.T) *store.DB {
			db, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "test.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		})
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := os.Getenv("HUITONG_TEST_POSTGRES")
		if dsn == "" {
			t.Skip("HUITONG_TEST_POSTGRES is not set")
		}
		testBulkLoad(t, func(t *testing.T) *store.DB { return OpenPostgresSchema(t, dsn) })
	})
}

var loadT0 = time.Date(2026, 3, 1, 8, 30, 0, 0, time.UTC)

// loadResource creates a resource with a key, a unique, an indexed, a
// decimal, a bool and an encrypted field, and its record table.
func loadResource(t *testing.T, db *store.DB, name string) catalog.Resource {
	t.Helper()
	r := catalog.Resource{
		Name: name, Summary: "摘要", Category: catalog.CategoryBase, ProviderUSCC: "11330500002486211M", ProviderName: "湖州市公安局",
		Format: "table", UpdateCycle: "daily", ShareType: catalog.ShareConditional, ShareCondition: "用于法定职责",
		ShareMethod: "api", OpenType: catalog.OpenNone, RelatedCodes: []string{}, PublishDate: "2026-01-01",
		Fields: []catalog.Field{
			{Name: "id_card", Title: "公民身份号码", Type: "string", Level: 3, PII: "id_card", Key: true, Required: true},
			{Name: "phone", Title: "电话", Type: "string", Level: 3, Unique: true},
			{Name: "children", Title: "子女数", Type: "int", Level: 2, Indexed: true},
			{Name: "income", Title: "收入", Type: "decimal", Level: 2},
			{Name: "alive", Title: "健在", Type: "bool", Level: 1},
			{Name: "secret", Title: "病历", Type: "string", Level: 4},
		},
		Level: 3, CreatedAt: loadT0, UpdatedAt: loadT0, UpdatedBy: "user:zhang",
	}
	r, err := db.CreateResource(t.Context(), r, "JC-002486211")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.PrepareRecords(t.Context(), r); err != nil {
		t.Fatal(err)
	}
	return r
}

func loadRow(n int64, key, phone string, children int64, hash string) ingest.Staged {
	var ph any
	if phone != "" {
		ph = phone
	}
	return ingest.Staged{N: n, Row: int(n) + 1, Key: key, Hash: []byte(hash),
		Values: []any{key, ph, children, "12.50", n%2 == 0, "enc:xyz"}}
}

// loadBatch stages rows as one batch, plans it and merges it, returning
// the plan, the merge result and the batch as stored.
func loadBatch(ctx context.Context, db *store.DB, r catalog.Resource, mode string, rows []ingest.Staged) (ingest.MergeResult, ingest.MergeResult, ingest.Batch, error) {
	var plan, res ingest.MergeResult
	b := ingest.Batch{ResourceCode: r.Code, Version: r.Version, Mode: mode, Format: "csv", Status: "processing",
		Columns: []ingest.Column{{Header: "公民身份号码", Field: "id_card"}}, Unknown: []string{}, CreatedBy: "user:u",
		CreatedAt: loadT0, FinishedAt: loadT0.Add(time.Second), Rows: int64(len(rows)), Accepted: int64(len(rows))}
	var err error
	if b.ID, err = db.CreateBatch(ctx, b); err != nil {
		return plan, res, b, err
	}
	if err := db.Stage(ctx, r, b.ID, rows); err != nil {
		return plan, res, b, err
	}
	if plan, err = db.Plan(ctx, r, b); err != nil {
		return plan, res, b, err
	}
	res, err = db.Merge(ctx, r, &b)
	stored, gerr := db.GetBatch(context.WithoutCancel(ctx), b.ID)
	if err == nil {
		err = gerr
	}
	return plan, res, stored, err
}

// records returns every record of r, deleted ones included, in change
// order.
func allRecords(t *testing.T, db *store.DB, r catalog.Resource) []ingest.Record {
	t.Helper()
	recs, err := db.Changes(t.Context(), r, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// indexCount counts the indexes of r's record table.
func indexCount(t *testing.T, db *store.DB, r catalog.Resource) int {
	t.Helper()
	table := "rec_" + toTable(r.Code)
	q := `SELECT COUNT(*) FROM pragma_index_list(?)`
	if db.Dialect == store.Postgres {
		q = `SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ?`
	}
	var n int
	if err := db.RawQueryRow(t.Context(), q, table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// onBothStores runs test on SQLite, and on PostgreSQL when
// HUITONG_TEST_POSTGRES is set.
func onBothStores(t *testing.T, test func(t *testing.T, db *store.DB)) {
	t.Run("sqlite", func(t *testing.T) {
		db, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "test.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		test(t, db)
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := os.Getenv("HUITONG_TEST_POSTGRES")
		if dsn == "" {
			t.Skip("HUITONG_TEST_POSTGRES is not set")
		}
		test(t, OpenPostgresSchema(t, dsn))
	})
}

// postgresSchema is the DSN of a fresh schema on the test PostgreSQL, for
// tests that open it more than once; it skips without one.
func postgresSchema(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("HUITONG_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("HUITONG_TEST_POSTGRES is not set")
	}
	return storetest.PostgresSchema(t, dsn)
}

// addLoadProvider registers the provider org of the load tests' resources.
func addLoadProvider(t *testing.T, db *store.DB) {
	t.Helper()
	if err := db.CreateOrg(t.Context(), org.Org{USCC: "11330500002486211M", Name: "湖州市公安局", RegionCode: "330500", Kind: "agency", CreatedAt: loadT0}); err != nil {
		t.Fatal(err)
	}
}

// columnCount counts the columns named col of table (0 or 1).
func columnCount(t *testing.T, db *store.DB, table, col string) int {
	t.Helper()
	q := `SELECT COUNT(*) FROM pragma_table_info(?) WHERE name = ?`
	if db.Dialect == store.Postgres {
		q = `SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? AND column_name = ?`
	}
	var n int
	if err := db.RawQueryRow(t.Context(), q, table, col).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func toTable(code string) string {
	b := []byte(code)
	for i, c := range b {
		switch {
		case c >= 'A' && c <= 'Z':
			b[i] = c + 'a' - 'A'
		case (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'):
		default:
			b[i] = '_'
		}
	}
	return string(b)
}

func testBulkLoad(t *testing.T, open func(*testing.T) *store.DB) {
	db := open(t)
	ctx := t.Context()
	addLoadProvider(t, db)
	// The first file: in-file repeats of a key and of a unique value,
	// rows without a phone.
	first := []ingest.Staged{loadRow(1, "A", "138", 1, "h1"), loadRow(2, "B", "139", 2, "h2"), loadRow(3, "C", "", 3, "h3"),
		loadRow(4, "A", "140", 4, "h4"), loadRow(5, "D", "139", 5, "h5"), loadRow(6, "E", "", 6, "h6")}
	for i := range 300 {
		first = append(first, loadRow(int64(7+i), fmt.Sprintf("K%04d", 997-i), fmt.Sprintf("15%09d", i), int64(i%7), fmt.Sprintf("k%d", i)))
	}
	// The second file: unchanged, changed, new and repeated rows.
	second := []ingest.Staged{loadRow(1, "A", "138", 1, "h1"), loadRow(2, "B", "139", 9, "h2b"), loadRow(3, "F", "141", 0, "hf"),
		loadRow(4, "F", "142", 0, "hf2"), loadRow(5, "G", "138", 0, "hg")}
	type outcome struct {
		Plan, Res     ingest.MergeResult
		Batch         string
		Records       []ingest.Record
		Indexes       int
		Plan2, Res2   ingest.MergeResult
		Batch2        string
		Records2      []ingest.Record
		Plan3, Res3   ingest.MergeResult
		Records3      []ingest.Record
		Live, Missing int
	}
	run := func(ctx context.Context, r catalog.Resource) outcome {
		t.Helper()
		var o outcome
		var b ingest.Batch
		var err error
		batchOf := func(b ingest.Batch) string {
			return fmt.Sprintf("%s rows %d accepted %d rejected %d i%d u%d s%d d%d", b.Status, b.Rows, b.Accepted, b.Rejected,
				b.Inserted, b.Updated, b.Unchanged, b.Deleted)
		}
		// Records are compared without their batch ids, which differ, and
		// with their ids and sequence numbers as ranks: a first load written
		// directly keeps the ids of the rows of the file, with gaps where
		// rows were refused (and a replace numbers deletions by id), and
		// PostgreSQL does not take back the ids of a rolled-back insert.
		recs := func() []ingest.Record {
			out := allRecords(t, db, r)
			ids := make([]int64, len(out))
			for i := range out {
				out[i].BatchID = 0
				out[i].Seq = int64(i) // Changes come in sequence order
				ids[i] = out[i].ID
			}
			slices.Sort(ids)
			for i := range out {
				out[i].ID = int64(slices.Index(ids, out[i].ID))
			}
			return out
		}
		if o.Plan, o.Res, b, err = loadBatch(ctx, db, r, ingest.ModeUpsert, first); err != nil {
			t.Fatal(err)
		}
		o.Batch, o.Records, o.Indexes = batchOf(b), recs(), indexCount(t, db, r)
		if o.Plan2, o.Res2, b, err = loadBatch(ctx, db, r, ingest.ModeUpsert, second); err != nil {
			t.Fatal(err)
		}
		o.Batch2, o.Records2 = batchOf(b), recs()
		if o.Plan3, o.Res3, _, err = loadBatch(ctx, db, r, ingest.ModeReplace, second[:3]); err != nil {
			t.Fatal(err)
		}
		o.Records3 = recs()
		st, err := db.Stats(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		o.Live = int(st.Records)
		return o
	}
	direct := loadResource(t, db, "直接写入")
	bulk := run(ctx, direct)
	// Written directly: the record table is the stage, source row numbers
	// included.
	if n := columnCount(t, db, "rec_"+toTable(direct.Code), "_row"); n != 1 {
		t.Errorf("the first load was not written directly")
	}
	upsert := run(store.WithoutBulkLoad(ctx), loadResource(t, db, "逐行合并"))
	if d := cmp.Diff(upsert, bulk); d != "" {
		t.Errorf("first load differs from the upsert (-upsert +first load):\n%s", d)
	}
	// Without repeats, the key's unique index is built with the stage's.
	clean := func(ctx context.Context, r catalog.Resource) []ingest.Record {
		var rows []ingest.Staged
		for i := range 50 {
			rows = append(rows, loadRow(int64(i+1), fmt.Sprintf("U%03d", 99-i), fmt.Sprintf("13%09d", i), int64(i%3), fmt.Sprintf("u%d", i)))
		}
		if _, _, _, err := loadBatch(ctx, db, r, ingest.ModeUpsert, rows); err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := loadBatch(ctx, db, r, ingest.ModeUpsert, rows[:10]); err != nil {
			t.Fatal(err) // upserts into the loaded table: its unique key index works
		}
		out := allRecords(t, db, r)
		for i := range out {
			out[i].BatchID = 0
		}
		return out
	}
	cleanDirect := loadResource(t, db, "无重复直接")
	if d := cmp.Diff(clean(store.WithoutBulkLoad(ctx), loadResource(t, db, "无重复逐行")), clean(ctx, cleanDirect)); d != "" {
		t.Errorf("first load without repeats differs from the upsert (-upsert +first load):\n%s", d)
	}
	if db.Dialect == store.SQLite {
		var n int
		if err := db.RawQueryRow(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name LIKE 'stg%ukey' AND tbl_name = ?`,
			"rec_"+toTable(cleanDirect.Code)).Scan(&n); err != nil || n != 1 {
			t.Errorf("key index of the stage kept: %d, %v", n, err)
		}
	}
	staged := run(store.WithoutDirectStage(ctx), loadResource(t, db, "暂存后载入"))
	if d := cmp.Diff(upsert, staged); d != "" {
		t.Errorf("bulk load from the stage differs from the upsert (-upsert +bulk):\n%s", d)
	}
	if bulk.Res.Inserted != 304 || bulk.Res.Refused != 2 || len(bulk.Records) != 304 || bulk.Res2.Updated != 1 || bulk.Res2.Inserted != 1 {
		t.Errorf("bulk load = %+v / %+v, %d records", bulk.Res, bulk.Res2, len(bulk.Records))
	}

	// A load that fails once its rows are in leaves the table as it was:
	// empty, with its indexes, its sequence untouched and the batch open.
	for _, direct := range []bool{true, false} {
		ctx := ctx
		if !direct {
			ctx = store.WithoutDirectStage(ctx)
		}
		r := loadResource(t, db, fmt.Sprintf("失败的载入 %v", direct))
		indexes := indexCount(t, db, r)
		_, _, b, err := loadBatch(store.WithFailAfterBulkLoad(ctx), db, r, ingest.ModeUpsert, first)
		if err == nil {
			t.Fatal("the injected failure did not fail the merge")
		}
		if b.Status != "processing" || b.Inserted != 0 {
			t.Errorf("batch after the failed load = %+v", b)
		}
		if recs := allRecords(t, db, r); len(recs) != 0 {
			t.Errorf("%d records after the failed load", len(recs))
		}
		if n := indexCount(t, db, r); n != indexes {
			t.Errorf("%d indexes after the failed load, want %d", n, indexes)
		}
		if err := db.DropStage(ctx, b.ID); err != nil {
			t.Fatal(err)
		}
		again := run(ctx, r)
		if d := cmp.Diff(upsert, again); d != "" {
			t.Errorf("load after a failed one differs (-upsert +again):\n%s", d)
		}
	}
}

// TestStaleStages: stages left in the main database by a run that ended
// mid-batch are dropped at the next start.
func TestStaleStages(t *testing.T) {
	path := filepath.Join(t.TempDir(), "test.db")
	db, err := store.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	addLoadProvider(t, db)
	r := loadResource(t, db, "中断的载入")
	b := ingest.Batch{ResourceCode: r.Code, Version: r.Version, Mode: ingest.ModeUpsert, Format: "csv", Status: "processing",
		Columns: []ingest.Column{}, Unknown: []string{}, CreatedBy: "user:u", CreatedAt: loadT0}
	if b.ID, err = db.CreateBatch(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := db.Stage(ctx, r, b.ID, []ingest.Staged{loadRow(1, "A", "138", 1, "h1")}); err != nil {
		t.Fatal(err)
	}
	count := func(db *store.DB) int {
		var n int
		if err := db.RawQueryRow(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE name LIKE 'stg%'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(db); n != 1 {
		t.Fatalf("%d stages in the main database, want 1", n)
	}
	db.Close()
	if db, err = store.Open(ctx, path); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n := count(db); n != 0 {
		t.Errorf("%d stages left after a restart", n)
	}
}

// TestStaleStagesPostgres: at start an instance drops the stages of
// finished batches and of batches processing for more than a day, and keeps
// those of batches that may still run in another instance.
func TestStaleStagesPostgres(t *testing.T) {
	ctx := t.Context()
	schema := postgresSchema(t)
	db, err := store.Open(ctx, schema)
	if err != nil {
		t.Fatal(err)
	}
	addLoadProvider(t, db)
	r := loadResource(t, db, "中断的载入")
	stage := func(status string, created time.Time) int64 {
		b := ingest.Batch{ResourceCode: r.Code, Version: r.Version, Mode: ingest.ModeUpsert, Format: "csv", Status: status,
			Columns: []ingest.Column{}, Unknown: []string{}, CreatedBy: "user:u", CreatedAt: created}
		id, err := db.CreateBatch(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Stage(ctx, r, id, []ingest.Staged{loadRow(1, "A", "138", 1, "h1")}); err != nil {
			t.Fatal(err)
		}
		return id
	}
	finished := stage(ingest.StatusFailed, time.Now().Add(-time.Hour))
	running := stage("processing", time.Now().Add(-time.Hour))
	abandoned := stage("processing", time.Now().Add(-25*time.Hour))
	db.Close()

	db, err = store.Open(ctx, schema)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for id, want := range map[int64]int{finished: 0, running: 1, abandoned: 0} {
		var n int
		err := db.RawQueryRow(ctx, `SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = ?`, fmt.Sprintf("stg_%d", id)).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Errorf("stage of batch %d: %d tables after a restart, want %d", id, n, want)
		}
	}
}

// TestFirstLoadEmptyBatches: batches that accept no row leave the record
// table as it was, with one unique index on the key, before a real one.
func TestFirstLoadEmptyBatches(t *testing.T) {
	db, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := t.Context()
	addLoadProvider(t, db)
	r := loadResource(t, db, "空批次")
	for i := 0; i < 3; i++ {
		if _, _, _, err := loadBatch(ctx, db, r, ingest.ModeUpsert, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, _, err := loadBatch(ctx, db, r, ingest.ModeUpsert, []ingest.Staged{loadRow(1, "A", "138", 1, "h1")}); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.RawQueryRow(ctx, `SELECT COUNT(*) FROM sqlite_master m WHERE type = 'index' AND tbl_name = ?
		AND (SELECT COUNT(*) = 1 AND MAX(name) = '_key' FROM pragma_index_info(m.name))`, "rec_"+toTable(r.Code)).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d indexes on the key alone, want 1", n)
	}
}

// TestFirstLoadColumnAdded: a field added to the resource while its first
// batch is staged keeps its column when the batch is merged.
func TestFirstLoadColumnAdded(t *testing.T) { onBothStores(t, testFirstLoadColumnAdded) }

func testFirstLoadColumnAdded(t *testing.T, db *store.DB) {
	var err error
	ctx := t.Context()
	addLoadProvider(t, db)
	r := loadResource(t, db, "并发改版")
	b := ingest.Batch{ResourceCode: r.Code, Version: r.Version, Mode: ingest.ModeUpsert, Format: "csv", Status: "processing",
		Columns: []ingest.Column{}, Unknown: []string{}, CreatedBy: "user:u", CreatedAt: loadT0, FinishedAt: loadT0, Rows: 1, Accepted: 1}
	if b.ID, err = db.CreateBatch(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := db.Stage(ctx, r, b.ID, []ingest.Staged{loadRow(1, "A", "138", 1, "h1")}); err != nil {
		t.Fatal(err)
	}
	// Meanwhile the resource gains a field and a reader prepares its table.
	r2 := r
	r2.Version++
	r2.Fields = append(append([]catalog.Field{}, r.Fields...), catalog.Field{Name: "extra", Title: "新增", Type: "string", Level: 1})
	if err := db.PrepareRecords(ctx, r2); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Merge(ctx, r, &b); err != nil {
		t.Fatal(err)
	}
	if columnCount(t, db, "rec_"+toTable(r.Code), "f_extra") != 1 {
		t.Errorf("column f_extra lost in the merge")
	}
	var n int
	if err := db.RawQueryRow(ctx, `SELECT COUNT(*) FROM rec_`+toTable(r.Code)).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d records after the merge (%v), want 1", n, err)
	}
}

// TestFirstLoadSequenceMoved: when the resource's sequence moves while a
// first load is staged (here by an empty batch committed in between), the
// direct stage is not published as it is: the rows get the sequence
// numbers and ids the staged path gives them.
func TestFirstLoadSequenceMoved(t *testing.T) { onBothStores(t, testFirstLoadSequenceMoved) }

func testFirstLoadSequenceMoved(t *testing.T, db *store.DB) {
	var err error
	ctx := t.Context()
	addLoadProvider(t, db)
	run := func(ctx context.Context, name string) ([]ingest.Record, int) {
		r := loadResource(t, db, name)
		b := ingest.Batch{ResourceCode: r.Code, Version: r.Version, Mode: ingest.ModeUpsert, Format: "csv", Status: "processing",
			Columns: []ingest.Column{}, Unknown: []string{}, CreatedBy: "user:u", CreatedAt: loadT0, FinishedAt: loadT0, Rows: 4, Accepted: 4}
		if b.ID, err = db.CreateBatch(ctx, b); err != nil {
			t.Fatal(err)
		}
		chunks := [][]ingest.Staged{
			{loadRow(1, "A", "138", 1, "h1"), loadRow(2, "B", "139", 2, "h2")},
			{loadRow(3, "C", "140", 3, "h3")},
			{loadRow(4, "D", "141", 4, "h4")},
		}
		for i, c := range chunks {
			if i == 1 {
				// Between the first chunks, an empty batch moves the sequence.
				if _, _, _, err := loadBatch(ctx, db, r, ingest.ModeUpsert, nil); err != nil {
					t.Fatal(err)
				}
			}
			if err := db.Stage(ctx, r, b.ID, c); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.Plan(ctx, r, b); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Merge(ctx, r, &b); err != nil {
			t.Fatal(err)
		}
		recs := allRecords(t, db, r)
		for i := range recs {
			recs[i].BatchID = 0
		}
		return recs, columnCount(t, db, "rec_"+toTable(r.Code), "_row")
	}
	staged, _ := run(store.WithoutDirectStage(ctx), "序号变动暂存")
	direct, published := run(ctx, "序号变动直接")
	if published != 0 {
		t.Error("the direct stage was published although the sequence moved")
	}
	if d := cmp.Diff(staged, direct); d != "" {
		t.Errorf("records differ (-staged +direct):\n%s", d)
	}
	if len(direct) != 4 || direct[0].Seq != 2 || direct[3].Seq != 5 {
		t.Errorf("records = %+v", direct)
	}
}

// TestFirstLoadUniqueRepeat: a first load whose keys are all distinct (so
// its stage gets a unique key index and skips the key repeat check) still
// refuses a repeated unique value, as the upsert does.
func TestFirstLoadUniqueRepeat(t *testing.T) {
	db, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := t.Context()
	addLoadProvider(t, db)
	rows := []ingest.Staged{loadRow(1, "A", "138", 1, "h1"), loadRow(2, "B", "139", 2, "h2"), loadRow(3, "C", "138", 3, "h3")}
	type outcome struct {
		Plan, Res ingest.MergeResult
		Records   []ingest.Record
	}
	run := func(ctx context.Context, name string) outcome {
		var o outcome
		r := loadResource(t, db, name)
		if o.Plan, o.Res, _, err = loadBatch(ctx, db, r, ingest.ModeUpsert, rows); err != nil {
			t.Fatal(err)
		}
		o.Records = allRecords(t, db, r)
		for i := range o.Records {
			o.Records[i].BatchID = 0
		}
		return o
	}
	upsert := run(store.WithoutBulkLoad(store.WithoutDirectStage(ctx)), "唯一值重复逐行")
	direct := run(ctx, "唯一值重复直接")
	if d := cmp.Diff(upsert, direct); d != "" {
		t.Errorf("first load differs from the upsert (-upsert +first load):\n%s", d)
	}
	if direct.Res.Refused != 1 || direct.Res.Inserted != 2 || len(direct.Res.Conflicts) != 1 || direct.Res.Conflicts[0].Rule != "unique" {
		t.Errorf("first load = %+v", direct.Res)
	}
}

// TestStageWideResource: a resource of 300 fields stages and loads; its
// rows take more parameters than one SQLite statement may have at 200
// rows a statement.
func TestStageWideResource(t *testing.T) {
	db, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := t.Context()
	addLoadProvider(t, db)
	fields := []catalog.Field{{Name: "k", Title: "主键", Type: "string", Level: 1, Key: true, Required: true}}
	for i := 1; i < 300; i++ {
		fields = append(fields, catalog.Field{Name: fmt.Sprintf("f%03d", i), Title: fmt.Sprintf("项%03d", i), Type: "int", Level: 1})
	}
	r := catalog.Resource{
		Name: "宽表", Summary: "摘要", Category: catalog.CategoryBase, ProviderUSCC: "11330500002486211M", ProviderName: "湖州市公安局",
		Format: "table", UpdateCycle: "daily", ShareType: catalog.ShareConditional, ShareCondition: "用于法定职责",
		ShareMethod: "api", OpenType: catalog.OpenNone, RelatedCodes: []string{}, PublishDate: "2026-01-01",
		Fields: fields, Level: 1, CreatedAt: loadT0, UpdatedAt: loadT0, UpdatedBy: "user:zhang",
	}
	if r, err = db.CreateResource(ctx, r, "JC-002486211"); err != nil {
		t.Fatal(err)
	}
	if err := db.PrepareRecords(ctx, r); err != nil {
		t.Fatal(err)
	}
	var rows []ingest.Staged
	for n := int64(1); n <= 250; n++ {
		vals := []any{fmt.Sprintf("K%03d", n)}
		for i := 1; i < 300; i++ {
			vals = append(vals, n*1000+int64(i))
		}
		rows = append(rows, ingest.Staged{N: n, Row: int(n) + 1, Key: fmt.Sprintf("K%03d", n), Hash: []byte{byte(n)}, Values: vals})
	}
	_, res, b, err := loadBatch(ctx, db, r, ingest.ModeUpsert, rows)
	if err != nil {
		t.Fatal(err)
	}
	if res.Inserted != 250 || b.Status != ingest.StatusCommitted {
		t.Errorf("merge = %+v, batch %s", res, b.Status)
	}
	rec, err := db.GetRecord(ctx, r, "K250")
	if err != nil || rec.Values["f299"] != int64(250299) {
		t.Errorf("GetRecord(K250) = %v, %v", rec.Values["f299"], err)
	}
}

// TestStageAwkwardValues: values with the characters COPY's text format
// and SQL treat specially are stored as they came, on SQLite and on
// PostgreSQL, and so are the row hashes (the same rows again are all
// unchanged).
func TestStageAwkwardValues(t *testing.T) { onBothStores(t, testStageAwkwardValues) }

func testStageAwkwardValues(t *testing.T, db *store.DB) {
	ctx := t.Context()
	addLoadProvider(t, db)
	r := loadResource(t, db, "特殊字符")
	awkward := []string{`a\b`, "tab\there", "line\nbreak", "cr\rlf\r\n", `\N`, `\.`, "\\.\n", `\\x41`, "", " ", "汉字，全角　空格", "'quote\"", "end\\"}
	var rows []ingest.Staged
	for i, v := range awkward {
		n := int64(i + 1)
		rows = append(rows, ingest.Staged{N: n, Row: int(n) + 1, Key: fmt.Sprintf("K\t%d\\%s", i, v),
			Hash: []byte{0, '\\', '\t', '\n', byte(i), 0xff}, Values: []any{fmt.Sprintf("K\t%d\\%s", i, v), "p" + v, -n, "-0.50", i%2 == 0, v}})
	}
	rows = append(rows, ingest.Staged{N: int64(len(rows) + 1), Row: len(rows) + 2, Key: "nulls", Hash: []byte("h"),
		Values: []any{"nulls", nil, nil, nil, nil, nil}})
	_, res, _, err := loadBatch(ctx, db, r, ingest.ModeUpsert, rows)
	if err != nil {
		t.Fatal(err)
	}
	if res.Inserted != int64(len(rows)) {
		t.Fatalf("inserted %d of %d rows: %+v", res.Inserted, len(rows), res)
	}
	for _, s := range rows {
		rec, err := db.GetRecord(ctx, r, s.Key)
		if err != nil {
			t.Fatalf("GetRecord(%q): %v", s.Key, err)
		}
		want := map[string]any{"id_card": s.Values[0], "phone": s.Values[1], "children": s.Values[2], "income": s.Values[3],
			"alive": s.Values[4], "secret": s.Values[5]}
		if d := cmp.Diff(want, rec.Values); d != "" {
			t.Errorf("record %q (-staged +stored):\n%s", s.Key, d)
		}
	}
	if _, res, _, err = loadBatch(ctx, db, r, ingest.ModeUpsert, rows); err != nil {
		t.Fatal(err)
	}
	if res.Unchanged != int64(len(rows)) {
		t.Errorf("the same rows again: %+v, want all %d unchanged", res, len(rows))
	}
}

// TestMergeCounts: a merge counts what its statements did and a plan
// what they would do; both agree on a batch that mixes every outcome, on
// the upsert and the replace.
func TestMergeCounts(t *testing.T) { onBothStores(t, testMergeCounts) }

func testMergeCounts(t *testing.T, db *store.DB) {
	ctx := t.Context()
	addLoadProvider(t, db)
	r := loadResource(t, db, "计数")
	first := []ingest.Staged{loadRow(1, "A", "1", 1, "a"), loadRow(2, "B", "2", 2, "b"), loadRow(3, "C", "3", 3, "c"), loadRow(4, "D", "4", 4, "d")}
	if _, _, _, err := loadBatch(ctx, db, r, ingest.ModeUpsert, first); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteRecord(ctx, r, "C", 0, loadT0); err != nil {
		t.Fatal(err)
	}
	counts := func(res ingest.MergeResult) string {
		return fmt.Sprintf("i%d u%d s%d d%d c%d", res.Inserted, res.Updated, res.Unchanged, res.Deleted, res.Refused)
	}
	for _, tc := range []struct {
		mode string
		rows []ingest.Staged
		want string
	}{
		// A unchanged, B changed, C deleted and back unchanged (an
		// update), E new, F takes A's phone (refused).
		{ingest.ModeUpsert, []ingest.Staged{loadRow(1, "A", "1", 1, "a"), loadRow(2, "B", "2", 2, "b2"), loadRow(3, "C", "3", 3, "c"),
			loadRow(4, "E", "5", 5, "e"), loadRow(5, "F", "1", 6, "f")}, "i1 u2 s1 d0 c1"},
		// Replace: A unchanged, G new; B, C, D and E go.
		{ingest.ModeReplace, []ingest.Staged{loadRow(1, "A", "1", 1, "a"), loadRow(2, "G", "7", 7, "g")}, "i1 u0 s1 d4 c0"},
	} {
		plan, res, b, err := loadBatch(ctx, db, r, tc.mode, tc.rows)
		if err != nil {
			t.Fatal(err)
		}
		if counts(plan) != tc.want || counts(res) != tc.want {
			t.Errorf("%s: plan %s, merge %s, want %s", tc.mode, counts(plan), counts(res), tc.want)
		}
		if b.Inserted != res.Inserted || b.Updated != res.Updated || b.Unchanged != res.Unchanged || b.Deleted != res.Deleted {
			t.Errorf("%s: batch %+v, merge %+v", tc.mode, b, res)
		}
	}
}

// TestFirstLoadTypeChanged: a field whose type a new version changes
// while a first load is staged keeps its new column type when the batch
// is merged (PostgreSQL converts the column; SQLite stores values as
// they come).
func TestFirstLoadTypeChanged(t *testing.T) { onBothStores(t, testFirstLoadTypeChanged) }

func testFirstLoadTypeChanged(t *testing.T, db *store.DB) {
	ctx := t.Context()
	addLoadProvider(t, db)
	r := loadResource(t, db, "并发改类型")
	b := ingest.Batch{ResourceCode: r.Code, Version: r.Version, Mode: ingest.ModeUpsert, Format: "csv", Status: "processing",
		Columns: []ingest.Column{}, Unknown: []string{}, CreatedBy: "user:u", CreatedAt: loadT0, FinishedAt: loadT0, Rows: 1, Accepted: 1}
	var err error
	if b.ID, err = db.CreateBatch(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := db.Stage(ctx, r, b.ID, []ingest.Staged{loadRow(1, "A", "138", 1, "h1")}); err != nil {
		t.Fatal(err)
	}
	r2 := r
	r2.Version++
	r2.Fields = slices.Clone(r.Fields)
	r2.Fields[3].Type = "string" // income: decimal -> string
	if err := db.PrepareRecords(ctx, r2); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Merge(ctx, r, &b); err != nil {
		t.Fatal(err)
	}
	if db.Dialect == store.Postgres {
		var typ string
		if err := db.RawQueryRow(ctx, `SELECT data_type FROM information_schema.columns WHERE table_schema = current_schema()
			AND table_name = ? AND column_name = 'f_income'`, "rec_"+toTable(r.Code)).Scan(&typ); err != nil || typ != "text" {
			t.Errorf("f_income is %q after the merge (%v), want text", typ, err)
		}
	}
	rec, err := db.GetRecord(ctx, r2, "A")
	if err != nil || rec.Values["income"] != "12.50" {
		t.Errorf("GetRecord(A) = %v, %v", rec.Values, err)
	}
}

// TestConcurrentMergesPostgres: two instances sharing one PostgreSQL
// database merge batches into the same resource at once; every record gets
// a sequence number of its own and the counter ends above them all, so the
// change feed misses nothing.
func TestConcurrentMergesPostgres(t *testing.T) {
	ctx := t.Context()
	schema := postgresSchema(t)
	a, err := store.Open(ctx, schema)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := store.Open(ctx, schema)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	addLoadProvider(t, a)
	r := loadResource(t, a, "并发载入")
	if _, _, _, err := loadBatch(ctx, a, r, ingest.ModeUpsert, []ingest.Staged{loadRow(1, "seed", "", 0, "s")}); err != nil {
		t.Fatal(err)
	}
	const rows = 2000
	batch := func(prefix string) []ingest.Staged {
		out := make([]ingest.Staged, rows)
		for i := range out {
			out[i] = loadRow(int64(i+1), fmt.Sprintf("%s%05d", prefix, i), "", int64(i), prefix)
		}
		return out
	}
	errs := make(chan error, 2)
	for _, w := range []struct {
		db     *store.DB
		prefix string
	}{{a, "A"}, {b, "B"}} {
		go func() {
			_, _, _, err := loadBatch(ctx, w.db, r, ingest.ModeUpsert, batch(w.prefix))
			errs <- err
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	var n, distinct, maxSeq, counter int64
	err = a.RawQueryRow(ctx, `SELECT COUNT(*), COUNT(DISTINCT _seq), MAX(_seq) FROM `+store.RecordTableName(r.Code)).Scan(&n, &distinct, &maxSeq)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.RawQueryRow(ctx, `SELECT value FROM counters WHERE name = ?`, "seq:"+r.Code).Scan(&counter); err != nil {
		t.Fatal(err)
	}
	if n != 2*rows+1 || distinct != n || counter < maxSeq {
		t.Errorf("%d records, %d distinct sequence numbers, highest %d, counter %d", n, distinct, maxSeq, counter)
	}
}
