package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"huitong"
	"huitong/internal/catalog"
	"huitong/internal/ingest"
	"huitong/internal/store"
)

func recordResource(t *testing.T, db *store.DB) catalog.Resource {
	t.Helper()
	mustOrgs(t, db)
	r := resource(usccA, "人口基础信息")
	r.Fields = []catalog.Field{
		{Name: "id_card", Title: "公民身份号码", Type: "string", Level: 3, PII: "id_card", Key: true, Required: true},
		{Name: "phone", Title: "电话", Type: "string", Level: 3, Unique: true},
		{Name: "children", Title: "子女数", Type: "int", Level: 2, Indexed: true},
		{Name: "income", Title: "收入", Type: "decimal", Level: 2},
		{Name: "alive", Title: "健在", Type: "bool", Level: 1},
		{Name: "secret", Title: "病历", Type: "string", Level: 4},
	}
	r, err := db.CreateResource(t.Context(), r, "JC-002486211")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.PrepareRecords(t.Context(), r); err != nil {
		t.Fatal(err)
	}
	if err := db.PrepareRecords(t.Context(), r); err != nil {
		t.Fatalf("PrepareRecords twice: %v", err)
	}
	return r
}

func staged(n int64, key, phone string, children int64, hash string) ingest.Staged {
	var ph any
	if phone != "" {
		ph = phone
	}
	return ingest.Staged{N: n, Row: int(n) + 1, Key: key, Hash: []byte(hash),
		Values: []any{key, ph, children, "12.50", true, "enc:xyz"}}
}

func newBatch(t *testing.T, db *store.DB, r catalog.Resource, mode string) ingest.Batch {
	t.Helper()
	b := ingest.Batch{ResourceCode: r.Code, Version: r.Version, Mode: mode, Format: "csv", Status: "processing",
		Columns: []ingest.Column{{Header: "公民身份号码", Field: "id_card"}}, Unknown: []string{}, CreatedBy: "user:u",
		CreatedAt: t0, FinishedAt: t0.Add(time.Second), AuditIndex: 3}
	var err error
	if b.ID, err = db.CreateBatch(t.Context(), b); err != nil {
		t.Fatal(err)
	}
	return b
}

func merge(t *testing.T, db *store.DB, r catalog.Resource, mode string, rows ...ingest.Staged) (ingest.Batch, ingest.MergeResult) {
	t.Helper()
	ctx := t.Context()
	b := newBatch(t, db, r, mode)
	if len(rows) > 0 {
		if err := db.Stage(ctx, r, b.ID, rows); err != nil {
			t.Fatal(err)
		}
	}
	b.Accepted = int64(len(rows))
	plan, err := db.Plan(ctx, r, b)
	if err != nil {
		t.Fatal(err)
	}
	res, err := db.Merge(ctx, r, &b)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Inserted != res.Inserted || plan.Updated != res.Updated || plan.Unchanged != res.Unchanged || plan.Deleted != res.Deleted || len(plan.Conflicts) != len(res.Conflicts) {
		t.Errorf("plan %+v differs from merge %+v", plan, res)
	}
	got, err := db.GetBatch(ctx, b.ID)
	if err != nil || got.Status != ingest.StatusCommitted || got.Inserted != res.Inserted || got.Deleted != res.Deleted {
		t.Errorf("batch after merge = %+v, %v", got, err)
	}
	return b, res
}

func counts(res ingest.MergeResult) string {
	return fmt.Sprintf("i%d u%d s%d d%d c%d", res.Inserted, res.Updated, res.Unchanged, res.Deleted, len(res.Conflicts))
}

func testRecords(t *testing.T, db *store.DB) {
	ctx := t.Context()
	r := recordResource(t, db)
	_, res := merge(t, db, r, ingest.ModeUpsert,
		staged(1, "A", "138", 1, "h1"), staged(2, "B", "139", 2, "h2"), staged(3, "C", "", 3, "h3"))
	if counts(res) != "i3 u0 s0 d0 c0" {
		t.Errorf("first merge = %s", counts(res))
	}
	rec, err := db.GetRecord(ctx, r, "A")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"id_card": "A", "phone": "138", "children": int64(1), "income": "12.5", "alive": true, "secret": "enc:xyz"}
	if rec.Values["income"] == "12.50" {
		want["income"] = "12.50" // SQLite keeps the text as given
	}
	for k, v := range want {
		if rec.Values[k] != v {
			t.Errorf("record A %s = %#v, want %#v", k, rec.Values[k], v)
		}
	}
	if _, err := db.GetRecord(ctx, r, "Z"); !errors.Is(err, huitong.ErrNoRecord) {
		t.Errorf("GetRecord(missing) = %v", err)
	}
	// Same content again: unchanged; a new hash: updated; a new key: inserted.
	_, res = merge(t, db, r, ingest.ModeUpsert, staged(1, "A", "138", 1, "h1"), staged(2, "B", "139", 5, "h2b"), staged(3, "D", "", 4, "h4"))
	if counts(res) != "i1 u1 s1 d0 c0" {
		t.Errorf("second merge = %s", counts(res))
	}
	// Staged rows read back by source row, before a merge.
	sb := newBatch(t, db, r, ingest.ModeUpsert)
	if err := db.Stage(ctx, r, sb.ID, []ingest.Staged{staged(1, "Q", "177", 7, "hq"), staged(2, "R", "", 8, "hr")}); err != nil {
		t.Fatal(err)
	}
	back, err := db.StagedRows(ctx, r, sb.ID, []int{3, 2})
	if err != nil || len(back) != 2 || back[0].Row != 2 || back[0].Key != "Q" || back[0].Values[1] != "177" || back[1].Values[2] != int64(8) {
		t.Errorf("StagedRows = %+v, %v", back, err)
	}
	if err := db.DropStage(ctx, sb.ID); err != nil {
		t.Fatal(err)
	}
	// Unique against stored data: D takes B's phone.
	_, res = merge(t, db, r, ingest.ModeUpsert, staged(1, "D", "139", 4, "h4b"), staged(2, "E", "150", 0, "h5"))
	if counts(res) != "i1 u0 s0 d0 c1" || res.Conflicts[0].Rule != "unique" || res.Conflicts[0].Row != 2 {
		t.Errorf("unique conflict merge = %s %+v", counts(res), res.Conflicts)
	}
	// Replace: only A and B stay.
	rb, res := merge(t, db, r, ingest.ModeReplace, staged(1, "A", "138", 1, "h1"), staged(2, "B", "139", 5, "h2b"))
	if counts(res) != "i0 u0 s2 d3 c0" {
		t.Errorf("replace merge = %s", counts(res))
	}
	if _, err := db.GetRecord(ctx, r, "C"); !errors.Is(err, huitong.ErrNoRecord) {
		t.Errorf("C survived the replace: %v", err)
	}
	// A deleted record comes back as an update.
	_, res = merge(t, db, r, ingest.ModeUpsert, staged(1, "C", "", 3, "h3"))
	if counts(res) != "i0 u1 s0 d0 c0" {
		t.Errorf("undelete merge = %s", counts(res))
	}
	if err := db.DeleteRecord(ctx, r, "B", rb.ID, t0); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteRecord(ctx, r, "B", rb.ID, t0); !errors.Is(err, huitong.ErrNoRecord) {
		t.Errorf("second delete = %v", err)
	}
	// Changes come in seq order, each change once, deletions included.
	ch, err := db.Changes(ctx, r, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for i, c := range ch {
		if i > 0 && c.Seq <= ch[i-1].Seq {
			t.Errorf("changes out of order: %d after %d", c.Seq, ch[i-1].Seq)
		}
		state := c.Key
		if c.Deleted {
			state += "-"
		}
		order = append(order, state)
	}
	if !slices.Equal(order, []string{"A", "D-", "E-", "C", "B-"}) {
		t.Errorf("changes = %v", order)
	}
	after, _ := db.Changes(ctx, r, ch[2].Seq, 100)
	if len(after) != 2 {
		t.Errorf("changes after a cursor = %d", len(after))
	}
	st, err := db.Stats(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if st.Records != 2 || st.Filled["phone"] != 1 || st.Filled["id_card"] != 2 || st.LastUpdated.IsZero() {
		t.Errorf("stats = %+v", st)
	}
	// Repeats within one file: the later rows are refused, naming the
	// earlier row; the first of each stays.
	_, res = merge(t, db, r, ingest.ModeUpsert, staged(1, "F", "160", 0, "hf"), staged(2, "G", "161", 0, "hg"),
		staged(3, "F", "162", 0, "hf2"), staged(4, "H", "161", 0, "hh"), staged(5, "F", "163", 0, "hf3"))
	var got []string
	for _, c := range res.Conflicts {
		got = append(got, fmt.Sprintf("%d/%s/%s/%s", c.Row, c.Field, c.Rule, c.MessageEN))
	}
	wantRepeats := []string{"4/id_card/duplicate_key/the key repeats row 2", "5/phone/unique/phone repeats the value of row 3 and must be unique",
		"6/id_card/duplicate_key/the key repeats row 2"}
	if counts(res) != "i2 u0 s0 d0 c3" || res.Refused != 3 || !slices.Equal(got, wantRepeats) {
		t.Errorf("in-file repeats = %s refused %d %q", counts(res), res.Refused, got)
	}
	if rec, err := db.GetRecord(ctx, r, "F"); err != nil || rec.Values["phone"] != "160" {
		t.Errorf("first F kept = %+v, %v", rec.Values, err)
	}
	// Findings and quarantined rows.
	fb := newBatch(t, db, r, ingest.ModeUpsert)
	fs := []ingest.Finding{{Row: 3, Field: "phone", Rule: "phone", Severity: "error", Message: "错", MessageEN: "bad"},
		{Row: 2, Field: "id_card", Rule: "id_card", Severity: "error", Message: "错", MessageEN: "bad"}}
	if err := db.SaveFindings(ctx, fb.ID, fs, []ingest.Sealed{{Row: 3, Data: []byte{1, 2}}, {Row: 2, Data: []byte{3}}}); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveFindings(ctx, fb.ID, fs[:1], nil); err != nil {
		t.Fatalf("findings in two calls: %v", err)
	}
	gotF, err := db.Findings(ctx, fb.ID, 0, 10)
	if err != nil || len(gotF) != 3 || gotF[0].Row != 2 {
		t.Errorf("Findings = %+v, %v", gotF, err)
	}
	rej, err := db.RejectedRows(ctx, fb.ID)
	if err != nil || len(rej) != 2 || rej[0].Row != 2 || string(rej[1].Data) != "\x01\x02" {
		t.Errorf("RejectedRows = %+v, %v", rej, err)
	}
	fb.Status, fb.Rejected = ingest.StatusRejected, 2
	if err := db.DropStage(ctx, fb.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishBatch(ctx, fb); err != nil {
		t.Fatal(err)
	}
	list, err := db.ListBatches(ctx, r.Code, 0, 3)
	if err != nil || len(list) != 3 || list[0].ID != fb.ID || list[0].Status != ingest.StatusRejected {
		t.Errorf("ListBatches = %d, %v", len(list), err)
	}
	if _, err := db.GetBatch(ctx, 1<<40); !errors.Is(err, huitong.ErrNoRecord) {
		t.Errorf("GetBatch(missing) = %v", err)
	}

	// A new version adds a column; old records keep their values.
	r2 := r
	r2.Version = 2
	r2.Fields = append(slices.Clone(r.Fields), catalog.Field{Name: "hukou", Title: "户籍地", Type: "string", Level: 2, Indexed: true})
	if err := db.PrepareRecords(ctx, r2); err != nil {
		t.Fatal(err)
	}
	rec, err = db.GetRecord(ctx, r2, "A")
	if err != nil || rec.Values["hukou"] != nil || rec.Values["phone"] != "138" {
		t.Errorf("record after migration = %+v, %v", rec, err)
	}
}

// testRefs checks the ref rule across two resources.
func testRefs(t *testing.T, db *store.DB) {
	ctx := t.Context()
	people := recordResource(t, db)
	merge(t, db, people, ingest.ModeUpsert, staged(1, "A", "", 1, "h1"))
	r := resource(usccA, "低保对象信息")
	r.Fields = []catalog.Field{
		{Name: "case_no", Title: "案卷号", Type: "string", Level: 2, Key: true},
		{Name: "id_card", Title: "身份证", Type: "string", Level: 3, Ref: people.Code},
	}
	r, err := db.CreateResource(ctx, r, "ZT-002486211")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.PrepareRecords(ctx, r); err != nil {
		t.Fatal(err)
	}
	row := func(n int64, key, ref string) ingest.Staged {
		return ingest.Staged{N: n, Row: int(n) + 1, Key: key, Hash: []byte(key), Values: []any{key, ref}}
	}
	_, res := merge(t, db, r, ingest.ModeUpsert, row(1, "K1", "A"), row(2, "K2", "NOPE"))
	if counts(res) != "i1 u0 s0 d0 c1" || res.Conflicts[0].Rule != "ref" {
		t.Errorf("ref merge = %s %+v", counts(res), res.Conflicts)
	}
}

func testFindRecords(t *testing.T, db *store.DB) {
	ctx := t.Context()
	r := recordResource(t, db)
	keys := func(recs []ingest.Record) []string {
		var out []string
		for _, rec := range recs {
			out = append(out, rec.Key)
		}
		return out
	}
	// Before the first batch the record table may not exist: nothing found.
	empty := r
	empty.Code = "JC-002486211-0777"
	if recs, err := db.FindRecords(ctx, empty, []ingest.Cond{{Field: "id_card", Op: ingest.OpEq, Values: []any{"A"}, Keys: []string{"A"}}}, "", nil, 10); err != nil || len(recs) != 0 {
		t.Errorf("FindRecords before any batch = %v, %v", recs, err)
	}
	merge(t, db, r, ingest.ModeUpsert, staged(1, "A", "130", 3, "ha"), staged(2, "B", "131", 1, "hb"), staged(3, "C", "132", 2, "hc"),
		staged(4, "D", "133", 2, "hd"), staged(5, "E", "134", 5, "he"))
	if err := db.DeleteRecord(ctx, r, "E", 0, t0); err != nil {
		t.Fatal(err)
	}
	find := func(conds []ingest.Cond, orderBy string, after *ingest.After, limit int) []ingest.Record {
		t.Helper()
		recs, err := db.FindRecords(ctx, r, conds, orderBy, after, limit)
		if err != nil {
			t.Fatal(err)
		}
		return recs
	}
	eq := func(field string, v any, key string) ingest.Cond {
		return ingest.Cond{Field: field, Op: ingest.OpEq, Values: []any{v}, Keys: []string{key}}
	}
	if got := keys(find([]ingest.Cond{eq("id_card", "C", "C")}, "", nil, 10)); !slices.Equal(got, []string{"C"}) {
		t.Errorf("by key = %v", got)
	}
	if got := find([]ingest.Cond{eq("id_card", "C", "C")}, "", nil, 10); got[0].Values["phone"] != "132" || got[0].Values["children"] != int64(2) {
		t.Errorf("record values = %+v", got[0].Values)
	}
	if got := keys(find([]ingest.Cond{eq("id_card", "E", "E")}, "", nil, 10)); len(got) != 0 {
		t.Errorf("a deleted record was found: %v", got)
	}
	in := ingest.Cond{Field: "id_card", Op: ingest.OpIn, Values: []any{"D", "A", "Z", "E"}, Keys: []string{"D", "A", "Z", "E"}}
	if got := keys(find([]ingest.Cond{in}, "", nil, 10)); !slices.Equal(got, []string{"A", "D"}) {
		t.Errorf("by keys = %v", got)
	}
	// Paging in id order.
	page := find([]ingest.Cond{in}, "", nil, 1)
	if got := keys(find([]ingest.Cond{in}, "", &ingest.After{ID: page[0].ID}, 10)); !slices.Equal(got, []string{"D"}) {
		t.Errorf("second page by id = %v", got)
	}
	// A range on an indexed int field, in field order, paged over (value, id).
	rng := []ingest.Cond{{Field: "children", Op: ingest.OpGte, Values: []any{int64(2)}, Keys: []string{"2"}},
		{Field: "children", Op: ingest.OpLte, Values: []any{int64(5)}, Keys: []string{"5"}}}
	all := find(rng, "children", nil, 10)
	if got := keys(all); !slices.Equal(got, []string{"C", "D", "A"}) {
		t.Errorf("range = %v", got)
	}
	var paged []string
	var after *ingest.After
	for range 5 {
		p := find(rng, "children", after, 2)
		paged = append(paged, keys(p)...)
		if len(p) < 2 {
			break
		}
		last := p[len(p)-1]
		after = &ingest.After{Value: last.Values["children"], ID: last.ID}
	}
	if !slices.Equal(paged, []string{"C", "D", "A"}) {
		t.Errorf("range paged by 2 = %v", paged)
	}
	if got := keys(find([]ingest.Cond{eq("children", int64(2), "2"), in}, "", nil, 10)); !slices.Equal(got, []string{"D"}) {
		t.Errorf("two conditions = %v", got)
	}
}
