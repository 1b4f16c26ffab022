package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"huitong/internal/catalog"
	"huitong/internal/ingest"
)

// upload posts a file body to a resource's batches.
func (c *client) upload(code, contentType, query string, body []byte) response {
	c.t.Helper()
	return c.postRaw("/api/v1/resources/"+code+"/batches?"+query, contentType, body)
}

// postRaw posts a body with its own Content-Type, as a file upload.
func (c *client) postRaw(path, contentType string, body []byte) response {
	c.t.Helper()
	req, err := http.NewRequestWithContext(c.t.Context(), "POST", c.base+path, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

func (c *client) batch(code, contentType, query string, body []byte) ingest.Batch {
	c.t.Helper()
	r := c.upload(code, contentType, query, body)
	if r.status != 201 {
		c.t.Fatalf("upload = %d %s", r.status, r.body)
	}
	var b ingest.Batch
	r.decode(c.t, &b)
	return b
}

// peopleResource registers a resource for ingest tests.
func peopleResource(t *testing.T, police *client) catalog.Resource {
	in := catalog.Input{
		Name: "人口基础信息", Summary: "测试", Category: catalog.CategoryBase, Format: "table", UpdateCycle: "daily",
		ShareType: catalog.ShareConditional, ShareCondition: "法定职责", ShareMethod: "api", OpenType: catalog.OpenNone,
		Fields: []catalog.Field{
			{Name: "id_card", Title: "公民身份号码", Type: "string", Level: 3, PII: "id_card", Key: true, Required: true},
			{Name: "name", Title: "姓名", Type: "string", Level: 3, PII: "name", Required: true},
			{Name: "gender", Title: "性别", Type: "string", Level: 2, Enum: []string{"男", "女"}},
			{Name: "birth_date", Title: "出生日期", Type: "date", Level: 3, PII: "birth_date"},
			{Name: "phone", Title: "联系电话", Type: "string", Level: 3, PII: "phone", Unique: true},
			{Name: "children", Title: "子女数", Type: "int", Level: 2, Min: "0", Max: "20"},
			{Name: "diagnosis", Title: "诊断", Type: "string", Level: 4},
		},
	}
	var r catalog.Resource
	police.want(201, "POST", "/api/v1/resources", in).decode(t, &r)
	return r
}

const peopleCSV = `公民身份号码,姓名,性别,出生日期,联系电话,子女数,诊断,备注
11010519491231002X,张三,男,1949年12月31日,138 0013 8000,2,高血压,x
440524188001010014,李四,女,1880/1/1,13900139000,0,,y
110105194912310021,王五,男,1949-12-31,13700137000,1,,bad check char
11010519491231002X,赵六,女,2000-01-01,13600136000,1,,duplicate key
330502198506151230,钱七,未知,1985-06-15,13500135000,30,,bad enum and range
`

func TestIngestCSV(t *testing.T) {
	m := testMain(t, false, "")
	_, police, market := setupOrgs(t, m)
	r := peopleResource(t, police)

	b := police.batch(r.Code, "text/csv", "filename=people.csv", []byte(peopleCSV))
	if b.Status != "committed" || b.Rows != 5 || b.Accepted != 2 || b.Rejected != 3 || b.Inserted != 2 || b.Unchanged != 0 {
		t.Fatalf("first batch = %+v", b)
	}
	if len(b.Unknown) != 1 || b.Unknown[0] != "备注" {
		t.Errorf("unknown columns = %v", b.Unknown)
	}
	rules := map[string]bool{}
	for _, e := range b.Errors {
		rules[fmt.Sprintf("%d/%s/%s", e.Row, e.Field, e.Rule)] = true
		if e.Message == "" || e.MessageEN == "" {
			t.Errorf("finding without messages: %+v", e)
		}
	}
	for _, want := range []string{"4/id_card/id_card", "5/id_card/duplicate_key", "6/gender/enum", "6/children/range"} {
		if !rules[want] {
			t.Errorf("no finding %s in %v", want, rules)
		}
	}
	// Restricted values are encrypted at rest; keys are not.
	var raw string
	if err := m.DB.RawQueryRow(t.Context(), "SELECT f_diagnosis FROM rec_"+strings.ToLower(strings.ReplaceAll(r.Code, "-", "_"))+" WHERE _key = '11010519491231002X'").Scan(&raw); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(raw, "enc:") || strings.Contains(raw, "高血压") {
		t.Errorf("level-4 value stored as %q", raw)
	}
	// The same file again changes nothing.
	b2 := police.batch(r.Code, "text/csv", "", []byte(peopleCSV))
	if b2.Inserted != 0 || b2.Updated != 0 || b2.Unchanged != 2 {
		t.Errorf("second upload = %+v", b2)
	}
	// A changed row is an update.
	changed := strings.Replace(peopleCSV, "李四,女,1880/1/1,13900139000,0", "李四,女,1880/1/1,13900139001,0", 1)
	b3 := police.batch(r.Code, "text/csv", "", []byte(changed))
	if b3.Updated != 1 || b3.Unchanged != 1 {
		t.Errorf("changed upload = %+v", b3)
	}

	// A phone already used by a stored record breaks the unique rule: the row
	// is quarantined with its values, the rest stored.
	clash := police.batch(r.Code, "text/csv", "", []byte("公民身份号码,姓名,联系电话\n110101199003070011,孙八,13800138000\n"))
	if clash.Rejected != 1 || clash.Accepted != 0 || len(clash.Errors) != 1 || clash.Errors[0].Rule != "unique" {
		t.Errorf("unique clash = %+v", clash)
	}
	var clashRep struct {
		Rejected []ingest.Rejected `json:"rejected_rows"`
	}
	police.want(200, "GET", fmt.Sprintf("/api/v1/batches/%d/errors", clash.ID), nil).decode(t, &clashRep)
	if len(clashRep.Rejected) != 1 || clashRep.Rejected[0].Row != 2 || clashRep.Rejected[0].Cells[1] != "孙八" {
		t.Errorf("clash quarantine = %+v", clashRep.Rejected)
	}

	// The batch and its report.
	var got ingest.Batch
	police.want(200, "GET", fmt.Sprintf("/api/v1/batches/%d", b.ID), nil).decode(t, &got)
	if got.Accepted != 2 || got.Status != "committed" || len(got.Errors) == 0 {
		t.Errorf("GET batch = %+v", got)
	}
	market.wantErr(404, "batch_not_found", "GET", fmt.Sprintf("/api/v1/batches/%d", b.ID), nil)
	var rep struct {
		Errors   []ingest.Finding  `json:"errors"`
		Rejected []ingest.Rejected `json:"rejected_rows"`
	}
	police.want(200, "GET", fmt.Sprintf("/api/v1/batches/%d/errors?format=json", b.ID), nil).decode(t, &rep)
	if len(rep.Rejected) != 3 || rep.Rejected[0].Row != 4 || rep.Rejected[0].Cells[1] != "王五" {
		t.Errorf("rejected rows = %+v", rep.Rejected)
	}
	csvRep := police.want(200, "GET", fmt.Sprintf("/api/v1/batches/%d/errors?format=csv", b.ID), nil)
	if !strings.Contains(string(csvRep.body), "duplicate_key") {
		t.Errorf("CSV report: %s", csvRep.body)
	}
	x := police.want(200, "GET", fmt.Sprintf("/api/v1/batches/%d/errors?format=xlsx", b.ID), nil)
	f, err := excelize.OpenReader(bytes.NewReader(x.body))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("被拒记录")
	if len(rows) != 4 || rows[0][0] != "公民身份号码" || rows[1][1] != "王五" || !strings.Contains(rows[1][8], "校验") {
		t.Errorf("XLSX rejected sheet = %v", rows)
	}
	// The fixed rows uploaded again from the XLSX: the extra columns are
	// reported, the fixed rows accepted.
	f.SetCellValue("被拒记录", "A2", "11010519491231002X")
	f.SetCellValue("被拒记录", "A3", "110101199003070011")
	f.SetCellValue("被拒记录", "C4", "男")
	f.SetCellValue("被拒记录", "F4", "3")
	f.SetCellValue("被拒记录", "A4", "330502198506151230")
	var fixed bytes.Buffer
	f.Write(&fixed)
	fb := police.batch(r.Code, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "", fixed.Bytes())
	if fb.Rows != 3 || fb.Rejected != 1 || fb.Accepted != 2 {
		// Row 2 now repeats the key of a stored record with another phone: an update.
		t.Errorf("fixed upload = %+v errors %+v", fb, fb.Errors)
	}

	// Quality.
	var q ingest.Quality
	market.want(200, "GET", "/api/v1/resources/"+r.Code+"/quality", nil).decode(t, &q)
	if q.Records < 3 || q.Score <= 0 || q.Score > 100 || len(q.Fields) != 7 || len(q.Trend) < 4 || q.Overdue {
		t.Errorf("quality = %+v", q)
	}

	// Only the provider writes.
	market.wantErr(403, "not_provider", "POST", "/api/v1/resources/"+r.Code+"/batches", peopleCSV)
	// Delete one record.
	police.want(200, "DELETE", "/api/v1/resources/"+r.Code+"/records/440524188001010014", nil)
	police.wantErr(404, "record_not_found", "DELETE", "/api/v1/resources/"+r.Code+"/records/440524188001010014", nil)

	// Replace: the file becomes the dataset.
	rb := police.batch(r.Code, "text/csv", "mode=replace", []byte("公民身份号码,姓名\n11010519491231002X,张三\n"))
	if rb.Deleted < 1 || rb.Updated != 1 {
		t.Errorf("replace = %+v", rb)
	}
	market.want(200, "GET", "/api/v1/resources/"+r.Code+"/quality", nil).decode(t, &q)
	if q.Records != 1 {
		t.Errorf("after replace %d records", q.Records)
	}

	// Audited: batches and the delete, with counts not values.
	var page entriesAnswer
	admin := login(t, m, "admin", adminPassword)
	admin.want(200, "GET", "/api/v1/audit/entries?action=ingest.&page_size=1000", nil).decode(t, &page)
	actions := map[string]int{}
	for _, it := range page.Items {
		actions[it.Action+"/"+it.Outcome]++
		if b, _ := json.Marshal(it.Record); strings.Contains(string(b), "张三") || strings.Contains(string(b), "11010519491231002X") {
			t.Errorf("audit record holds a value: %s", b)
		}
	}
	if actions["ingest.batch/allowed"] < 5 || actions["ingest.delete/allowed"] != 1 || actions["ingest.batch/denied"] != 1 {
		t.Errorf("audited ingest actions = %v", actions)
	}
}

func TestIngestStrictAndFormats(t *testing.T) {
	m := testMain(t, false, "")
	_, police, _ := setupOrgs(t, m)
	r := peopleResource(t, police)
	quality := func() int64 {
		var q ingest.Quality
		police.want(200, "GET", "/api/v1/resources/"+r.Code+"/quality", nil).decode(t, &q)
		return q.Records
	}
	sb := police.batch(r.Code, "text/csv", "strict=true", []byte(peopleCSV))
	if sb.Status != "rejected" || sb.Inserted != 0 || quality() != 0 {
		t.Fatalf("strict batch = %+v, records %d", sb, quality())
	}

	// GBK CSV, detected.
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String("公民身份号码,姓名,性别\n11010519491231002X,张三,男\n")
	gb := police.batch(r.Code, "text/csv", "", []byte(gbk))
	if gb.Accepted != 1 || gb.Encoding == "utf-8" {
		t.Errorf("GBK batch = %+v", gb)
	}
	// JSON and NDJSON by field names.
	jb := police.batch(r.Code, "application/json", "", []byte(`[{"id_card":"440524188001010014","name":"李四","children":2},{"id_card":"x","name":"坏"}]`))
	if jb.Accepted != 1 || jb.Rejected != 1 {
		t.Errorf("JSON batch = %+v", jb)
	}
	nb := police.batch(r.Code, "application/x-ndjson", "", []byte("{\"id_card\":\"33050219850615123X\",\"name\":\"钱七\"}\n"))
	if nb.Accepted != 1 {
		t.Errorf("NDJSON batch = %+v", nb)
	}
	if n := quality(); n != 3 {
		t.Errorf("records = %d, want 3", n)
	}

	// Bad files: clear errors, nothing stored.
	for _, tc := range []struct {
		name, ct, body, code string
	}{
		{"empty", "text/csv", "", "empty_file"},
		{"duplicate header", "text/csv", "姓名,姓名,公民身份号码\n", "duplicate_header"},
		{"missing key", "text/csv", "姓名\n张三\n", "missing_columns"},
		{"no known column", "text/csv", "a,b\n1,2\n", "missing_columns"},
		{"binary", "text/csv", "\x00\x01\x02\x03garbage\xff\xfe", "not_csv"},
		{"bad gbk declared utf-8", "text/csv; charset=utf-8", "\xd0\xd5\xc3\xfb,id_card\n", "bad_encoding"},
		{"not xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "PK not a zip", "not_xlsx"},
		{"truncated json", "application/json", `[{"id_card":`, "truncated"},
		{"bad json", "application/json", `[{"id_card": nope}]`, "bad_json"},
		{"unknown type", "image/png", "x", "unsupported_format"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			police.t = t
			defer func() { police.t = t }()
			resp := police.upload(r.Code, tc.ct, "", []byte(tc.body))
			if resp.status != 400 || resp.errCode() != tc.code {
				t.Errorf("%s: %d %s, want 400 %s", tc.name, resp.status, resp.body, tc.code)
			}
		})
	}
	police.t = t
	if n := quality(); n != 3 {
		t.Errorf("records after bad files = %d, want 3", n)
	}
	police.wantErr(400, "invalid_mode", "POST", "/api/v1/resources/"+r.Code+"/batches?mode=merge", peopleCSV)
	police.wantErr(404, "resource_not_found", "POST", "/api/v1/resources/JC-000000000-0009/batches", peopleCSV)
}

// TestIngestNewVersion adds a field in a new catalog version: the stored
// data migrates and the new column is accepted.
func TestIngestNewVersion(t *testing.T) {
	m := testMain(t, false, "")
	_, police, _ := setupOrgs(t, m)
	r := peopleResource(t, police)
	police.batch(r.Code, "text/csv", "", []byte("公民身份号码,姓名\n11010519491231002X,张三\n"))
	in := catalog.Input{Name: r.Name, Summary: r.Summary, Category: r.Category, Format: r.Format, UpdateCycle: r.UpdateCycle,
		ShareType: r.ShareType, ShareCondition: r.ShareCondition, ShareMethod: r.ShareMethod, OpenType: r.OpenType,
		Fields: append(r.Fields, catalog.Field{Name: "hukou", Title: "户籍地", Type: "string", Level: 2, Indexed: true})}
	police.want(200, "PUT", "/api/v1/resources/"+r.Code, in)
	b := police.batch(r.Code, "text/csv", "", []byte("公民身份号码,姓名,户籍地\n11010519491231002X,张三,北京市朝阳区\n"))
	if b.Updated != 1 || b.Version != 2 || len(b.Unknown) != 0 {
		t.Errorf("batch after new version = %+v", b)
	}
}

func TestIngestPostgres(t *testing.T) {
	m := testMain(t, false, pgDSN(t))
	_, police, _ := setupOrgs(t, m)
	r := peopleResource(t, police)
	b := police.batch(r.Code, "text/csv", "", []byte(peopleCSV))
	if b.Accepted != 2 || b.Rejected != 3 || b.Inserted != 2 {
		t.Fatalf("postgres batch = %+v", b)
	}
	b2 := police.batch(r.Code, "text/csv", "", []byte(peopleCSV))
	if b2.Unchanged != 2 {
		t.Errorf("postgres second upload = %+v", b2)
	}
	rb := police.batch(r.Code, "text/csv", "mode=replace", []byte("公民身份号码,姓名\n11010519491231002X,张三\n"))
	if rb.Deleted != 1 || rb.Updated != 1 {
		t.Errorf("postgres replace = %+v", rb)
	}
}
