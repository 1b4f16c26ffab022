package ingest

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

// xlsxRow is one row to write: its Excel row number and cells (nil
// leaves a cell out).
type xlsxRow struct {
	n     int
	cells []any
}

// makeXLSX writes a workbook with excelize's StreamWriter. Each sheet is
// written in order; the first is renamed from "Sheet1".
func makeXLSX(tb testing.TB, sheets map[string][]xlsxRow, order ...string) []byte {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, name := range order {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				tb.Fatal(err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			tb.Fatal(err)
		}
		sw, err := f.NewStreamWriter(name)
		if err != nil {
			tb.Fatal(err)
		}
		for _, r := range sheets[name] {
			if err := sw.SetRow("A"+itoa(r.n), r.cells); err != nil {
				tb.Fatal(err)
			}
		}
		if err := sw.Flush(); err != nil {
			tb.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func itoa(n int) string {
	_, en := colLabel(n)
	return strings.TrimPrefix(en, "column ")
}

// dataWorkbook is a small workbook with dates, numbers, Chinese text, a
// formula, leading and trailing empty rows, and a second sheet.
func dataWorkbook(tb testing.TB) []byte {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	must := func(err error) {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
	}
	must(f.SetSheetName("Sheet1", "企业名录"))
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	must(err)
	fmtMoney := "#,##0.00"
	moneyStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &fmtMoney})
	must(err)
	fmtCN := "yyyy\"年\"m\"月\"d\"日\""
	cnStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &fmtCN})
	must(err)
	textStyle, err := f.NewStyle(&excelize.Style{NumFmt: 49})
	must(err)
	sw, err := f.NewStreamWriter("企业名录")
	must(err)
	day := time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC)
	must(sw.SetRow("A3", []any{" 企业名称 ", "成立日期", "注册资本", "编号", "合计", "登记日期"}))
	must(sw.SetRow("A4", []any{
		"湖州某某科技有限公司 ",
		excelize.Cell{StyleID: dateStyle, Value: day},
		excelize.Cell{StyleID: moneyStyle, Value: 1234.5},
		excelize.Cell{StyleID: textStyle, Value: "00123"},
		excelize.Cell{Formula: "C4*2", Value: 2469},
		excelize.Cell{StyleID: cnStyle, Value: day},
	}))
	must(sw.SetRow("A6", []any{"长兴县某某合作社", nil, 42, nil, excelize.Cell{Formula: "C6*2", Value: 84}}))
	must(sw.SetRow("A7", []any{nil, nil, nil, "", nil}))
	must(sw.SetRow("A8", []any{excelize.Cell{StyleID: dateStyle}}))
	must(sw.Flush())
	_, err = f.NewSheet("说明")
	must(err)
	must(f.SetSheetRow("说明", "A1", &[]any{"项目", "内容"}))
	must(f.SetSheetRow("说明", "A2", &[]any{"来源", "市场监管局"}))
	var buf bytes.Buffer
	must(f.Write(&buf))
	return buf.Bytes()
}

// onlyReader hides every method but Read, so Open must spool.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

func TestXLSX(t *testing.T) {
	book := dataWorkbook(t)
	header := strs{"企业名称", "成立日期", "注册资本", "编号", "合计", "登记日期"}
	dataRows := wantRows(
		4, strs{"湖州某某科技有限公司", "2024-03-05", "1,234.50", "00123", "2469", "2024年3月5日"},
		6, strs{"长兴县某某合作社", "", "42", "", "84", ""},
	)
	var notXLSXZip bytes.Buffer
	zw := zip.NewWriter(&notXLSXZip)
	w, _ := zw.Create("a.txt")
	_, _ = w.Write([]byte("hello"))
	_ = zw.Close()

	dupBook := makeXLSX(t, map[string][]xlsxRow{"S": {{1, []any{"a", "b", "a"}}, {2, []any{1, 2, 3}}}}, "S")
	gapBook := makeXLSX(t, map[string][]xlsxRow{"S": {{2, []any{"a", nil, "c"}}, {5, []any{nil, nil, "x"}}}}, "S")
	wideRow := make([]any, 30)
	for i := range wideRow {
		wideRow[i] = i
	}
	wideBook := makeXLSX(t, map[string][]xlsxRow{"S": {{1, []any{"a"}}, {2, wideRow}}}, "S")
	extraBook := makeXLSX(t, map[string][]xlsxRow{"S": {{1, []any{"a"}}, {2, []any{1, 2}}, {3, []any{3}}}}, "S")
	longBook := makeXLSX(t, map[string][]xlsxRow{"S": {{1, []any{"a"}}, {2, []any{strings.Repeat("长", 400)}}, {3, []any{"ok"}}}}, "S")
	emptyBook := makeXLSX(t, map[string][]xlsxRow{"S": nil}, "S")

	tests := []struct {
		name   string
		in     []byte
		opt    Options
		spool  bool
		header []string
		rows   []readRow
		fatal  string
	}{
		{name: "dates numbers chinese formula", in: book, header: header, rows: dataRows},
		{name: "spooled", in: book, spool: true, header: header, rows: dataRows},
		{name: "sheet by name", in: book, opt: Options{Sheet: "说明"}, header: strs{"项目", "内容"},
			rows: wantRows(2, strs{"来源", "市场监管局"})},
		{name: "unknown sheet", in: book, opt: Options{Sheet: "Sheet9"}, fatal: CodeNoSheet},
		{name: "not a zip", in: []byte("姓名,年龄\n张三,30\n"), fatal: CodeNotXLSX},
		{name: "not a zip spooled", in: []byte("姓名,年龄\n张三,30\n"), spool: true, fatal: CodeNotXLSX},
		{name: "zip but not xlsx", in: notXLSXZip.Bytes(), fatal: CodeNotXLSX},
		{name: "truncated zip", in: book[:len(book)/2], fatal: CodeNotXLSX},
		{name: "old xls", in: []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + strings.Repeat("\x00", 600)), fatal: CodeNotXLSX},
		{name: "empty", in: nil, fatal: CodeEmptyFile},
		{name: "empty spooled", in: nil, spool: true, fatal: CodeEmptyFile},
		{name: "empty sheet", in: emptyBook, fatal: CodeEmptyFile},
		{name: "duplicate header", in: dupBook, fatal: CodeDuplicateHeader},
		{name: "empty header cell", in: gapBook, fatal: CodeNoHeader},
		{name: "too many columns", in: wideBook, opt: Options{MaxColumns: 10}, header: strs{"a"}, fatal: CodeTooManyColumns},
		{name: "extra cells", in: extraBook, header: strs{"a"},
			rows: wantRows(2, "too_many_cells|column 2", 3, strs{"3"})},
		{name: "long cell", in: longBook, opt: Options{MaxCellBytes: 1000}, header: strs{"a"},
			rows: wantRows(2, "cell_too_long|a", 3, strs{"ok"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmp := t.TempDir()
			t.Setenv("TMPDIR", tmp)
			var r io.Reader = bytes.NewReader(tt.in)
			if tt.spool {
				r = onlyReader{r}
			}
			got := readTable(t, r, FormatXLSX, tt.opt)
			want := readResult{Header: tt.header, Rows: tt.rows, Fatal: tt.fatal}
			got.Line = 0
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("-want +got:\n%s", d)
			}
			left, _ := filepath.Glob(filepath.Join(tmp, "*"))
			if len(left) > 0 {
				t.Errorf("temporary files left behind: %q", left)
			}
		})
	}
}

func TestXLSXNoSheetNamesSheets(t *testing.T) {
	_, err := Open(bytes.NewReader(dataWorkbook(t)), FormatXLSX, Options{Sheet: "Sheet9"})
	fe, ok := err.(*FileError)
	if !ok || fe.Code != CodeNoSheet || !strings.Contains(fe.Message, "企业名录、说明") || !strings.Contains(fe.MessageEN, "企业名录, 说明") {
		t.Fatalf("got %v", err)
	}
}

func TestXLSXGapsAndLines(t *testing.T) {
	book := makeXLSX(t, map[string][]xlsxRow{"S": {
		{2, []any{"a", "b", "c"}},
		{5, []any{nil, nil, "x"}},
		{9, []any{1}},
	}}, "S")
	got := readTable(t, bytes.NewReader(book), FormatXLSX, Options{})
	want := readResult{Header: strs{"a", "b", "c"}, Rows: wantRows(5, strs{"", "", "x"}, 9, strs{"1", "", ""})}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("-want +got:\n%s", d)
	}
}

// TestXLSXFile opens a workbook from an *os.File (no Size method): it is
// spooled, and the spool is gone once Open returns.
func TestXLSXFile(t *testing.T) {
	tmp := t.TempDir()
	name := filepath.Join(tmp, "in.xlsx")
	if err := os.WriteFile(name, dataWorkbook(t), 0o600); err != nil {
		t.Fatal(err)
	}
	spoolDir := t.TempDir()
	t.Setenv("TMPDIR", spoolDir)
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tab, err := Open(f, FormatXLSX, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if left, _ := filepath.Glob(filepath.Join(spoolDir, "huitong-ingest-*")); len(left) > 0 {
		t.Errorf("spool left after Open: %q", left)
	}
	if _, err := tab.Next(); err != nil {
		t.Fatal(err)
	}
	if tab.Line() != 4 {
		t.Errorf("Line() = %d, want 4", tab.Line())
	}
	if err := tab.Close(); err != nil {
		t.Fatal(err)
	}
}
