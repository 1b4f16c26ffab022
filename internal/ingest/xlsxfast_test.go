package ingest

import (
	"archive/zip"
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

// readAll reads a workbook to its end, or to its first file error, and
// records what the table returned.
func readAll(t *testing.T, r io.Reader, opt Options) []string {
	t.Helper()
	tab, err := Open(r, FormatXLSX, opt)
	if err != nil {
		return []string{"open: " + err.Error()}
	}
	defer tab.Close()
	out := []string{fmt.Sprintf("header %q line %d", tab.Header(), tab.Line())}
	for {
		cells, err := tab.Next()
		if err == io.EOF {
			return out
		}
		line := fmt.Sprintf("%d %q", tab.Line(), cells)
		if err != nil {
			line += " " + err.Error()
		}
		out = append(out, line)
		if _, ok := err.(*FileError); ok {
			return out
		}
	}
}

// plainUsed reports whether Open picks the plain reader for a workbook.
func plainUsed(t *testing.T, b []byte, opt Options) bool {
	t.Helper()
	tab, err := Open(bytes.NewReader(b), FormatXLSX, opt)
	if err != nil {
		return false
	}
	defer tab.Close()
	return tab.(*xlsxTable).plain != nil
}

// TestXLSXPlainSameAsExcelize reads workbooks of many shapes with the
// plain reader and with excelize alone: the rows, line numbers and errors
// must be the same.
func TestXLSXPlainSameAsExcelize(t *testing.T) {
	header := []any{"公民身份号码", "姓名", "金额", "备注"}
	type build func(f *excelize.File) error
	setRows := func(rows ...[]any) build {
		return func(f *excelize.File) error {
			for i, r := range rows {
				cell, _ := excelize.CoordinatesToCellName(1, i+1)
				if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
					return err
				}
			}
			return nil
		}
	}
	stream := func(rows ...xlsxRow) build {
		return func(f *excelize.File) error {
			sw, err := f.NewStreamWriter("Sheet1")
			if err != nil {
				return err
			}
			for _, r := range rows {
				if err := sw.SetRow("A"+itoa(r.n), r.cells); err != nil {
					return err
				}
			}
			return sw.Flush()
		}
	}
	styled := func(style excelize.Style, cells ...string) func(build) build {
		return func(next build) build {
			return func(f *excelize.File) error {
				if err := next(f); err != nil {
					return err
				}
				id, err := f.NewStyle(&style)
				if err != nil {
					return err
				}
				for _, c := range cells {
					if err := f.SetCellStyle("Sheet1", c, c, id); err != nil {
						return err
					}
				}
				return nil
			}
		}
	}
	bold := excelize.Style{Font: &excelize.Font{Bold: true}}
	money := excelize.Style{NumFmt: 4}
	date := excelize.Style{NumFmt: 14}
	cases := []struct {
		name  string
		build build
		plain bool // whether the plain reader starts
	}{
		{"inline strings and numbers", stream(xlsxRow{1, header},
			xlsxRow{2, []any{"110101195001010009", "张三", 8134.43, nil}},
			xlsxRow{4, []any{"  11010519491231002X ", "李四", 0.1 + 0.2, "备注"}},
			xlsxRow{5, []any{"x", nil, 12345678901234567890.0, " "}},
			xlsxRow{6, []any{"y", "_x0008_", -0.0, 1e21}},
			xlsxRow{7, []any{"z", "后", 7, "a&b<c>"}}), true},
		{"shared strings", setRows(header, []any{"110101195001010009", "张三", 1234.5, "甲"},
			[]any{"110101195001010009", "张三", "001", "乙"}, []any{nil, nil, nil, nil}, []any{"k", "王五", 3, "  "}), true},
		{"bold header", styled(bold, "A1", "B1", "C1", "D1")(setRows(header, []any{"1", "张三", "12", "x"})), true},
		{"bold number", styled(bold, "C2")(setRows(header, []any{"1", "张三", 12.5, "x"}, []any{"2", "李四", 3, "y"})), true},
		{"formatted number", styled(money, "C2")(setRows(header, []any{"1", "张三", 1234.5, "x"}, []any{"2", "李四", 3, "y"})), true},
		{"date", styled(date, "C3")(setRows(header, []any{"1", "张三", 1, "x"}, []any{"2", "李四", time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC), "y"})), true},
		{"bool", setRows(header, []any{"1", "张三", true, "x"}), true},
		{"formula", func(f *excelize.File) error {
			if err := setRows(header, []any{"1", "张三", 2, "x"}, []any{"2", "李四", 3, "y"})(f); err != nil {
				return err
			}
			return f.SetCellFormula("Sheet1", "C3", "C2*2")
		}, true},
		{"rich text", func(f *excelize.File) error {
			if err := setRows(header, []any{"1", "张三", 2, "x"})(f); err != nil {
				return err
			}
			return f.SetCellRichText("Sheet1", "D2", []excelize.RichTextRun{{Text: "红"}, {Text: "字", Font: &excelize.Font{Bold: true}}})
		}, true},
		{"duplicate header", setRows([]any{"姓名", "姓名"}, []any{"a", "b"}), false}, // Open fails
		{"wide row", func(f *excelize.File) error {
			if err := setRows(header, []any{"1", "张三", 2, "x"})(f); err != nil {
				return err
			}
			return f.SetCellValue("Sheet1", "NTP3", "far")
		}, true},
		{"blank rows first", stream(xlsxRow{3, header}, xlsxRow{9, []any{"1", "张三", 2, "x"}}), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := excelize.NewFile()
			if err := tc.build(f); err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := f.Write(&buf); err != nil {
				t.Fatal(err)
			}
			f.Close()
			b := buf.Bytes()
			if got := plainUsed(t, b, Options{}.withDefaults()); got != tc.plain {
				t.Errorf("plain reader used = %v, want %v", got, tc.plain)
			}
			want := readAll(t, bytes.NewReader(b), Options{noPlain: true})
			got := readAll(t, bytes.NewReader(b), Options{})
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("plain reader differs from excelize (-excelize +plain):\n%s", d)
			}
		})
	}
}

// TestXLSXPlainFallbackFromFile switches to excelize in the middle of a
// spooled workbook: the rows are the same and no spool is left behind.
func TestXLSXPlainFallbackFromFile(t *testing.T) {
	f := excelize.NewFile()
	rows := [][]any{{"公民身份号码", "姓名", "健在"}, {"1", "张三", nil}, {"2", "李四", true}, {"3", "王五", false}}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	spoolDir := t.TempDir()
	t.Setenv("TMPDIR", spoolDir)
	name := filepath.Join(t.TempDir(), "in.xlsx")
	if err := os.WriteFile(name, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	read := func(opt Options) []string {
		in, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		return readAll(t, struct{ io.Reader }{in}, opt)
	}
	want, got := read(Options{noPlain: true}), read(Options{})
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("plain reader differs from excelize (-excelize +plain):\n%s", d)
	}
	if len(got) != 4 || !strings.Contains(got[2], "TRUE") {
		t.Errorf("rows = %q", got)
	}
	if left, _ := filepath.Glob(filepath.Join(spoolDir, "huitong-ingest-*")); len(left) > 0 {
		t.Errorf("spool left: %q", left)
	}
}

// TestXLSXPlainBroken: a workbook that lacks its parts keeps excelize's
// error.
func TestXLSXPlainBroken(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("xl/workbook.xml")
	w.Write([]byte(`<workbook><sheets><sheet name="S" r:id="rId1"/></sheets></workbook>`))
	zw.Close()
	want := readAll(t, bytes.NewReader(buf.Bytes()), Options{noPlain: true})
	got := readAll(t, bytes.NewReader(buf.Bytes()), Options{})
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("broken workbook (-excelize +plain):\n%s", d)
	}
}

func BenchmarkXLSXPlain(b *testing.B) {
	rows := []xlsxRow{{1, []any{"公民身份号码", "姓名", "性别", "出生日期", "金额"}}}
	for i := range 2000 {
		rows = append(rows, xlsxRow{i + 2, []any{"110101195001010009", "张三", "男", "1950-01-01", 8134.43}})
	}
	data := makeXLSX(b, map[string][]xlsxRow{"S": rows}, "S")
	for _, mode := range []struct {
		name string
		opt  Options
	}{{"plain", Options{}}, {"excelize", Options{noPlain: true}}} {
		b.Run(mode.name, func(b *testing.B) {
			for b.Loop() {
				tab, err := Open(bytes.NewReader(data), FormatXLSX, mode.opt)
				if err != nil {
					b.Fatal(err)
				}
				for {
					if _, err := tab.Next(); err != nil {
						break
					}
				}
				tab.Close()
			}
			b.ReportMetric(float64(len(rows))*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// FuzzXLSXPlainSheet feeds worksheet XML to the plain reader: it must
// return rows, io.EOF or errNotPlain, never panic or loop.
func FuzzXLSXPlainSheet(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0" encoding="UTF-8"?><worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>a&amp;b</t></is></c><c r="C1"><v>1.5</v></c></row><row r="3"/></sheetData></worksheet>`))
	f.Add([]byte(`<x:worksheet><x:sheetData><x:row><x:c t="s"><x:v>0</x:v></x:c><x:c t="str"><x:f>A1</x:f><x:v>&#x4e2d;</x:v></x:c></x:row></x:sheetData></x:worksheet>`))
	f.Add([]byte(`<worksheet><sheetData><row r="2"><c r="B2" s="1"><v>3</v></c><c t="b"><v>1</v></c></row></sheetData>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := &plainSheet{sc: newSheetScanner(bytes.NewReader(data)), sst: []string{"x"}, styled: []bool{false, true}}
		for range 10000 {
			cells, err := p.Next()
			if err != nil {
				if err != io.EOF && err != errNotPlain {
					t.Fatalf("Next = %v", err)
				}
				return
			}
			if len(cells) > xlsxMaxCols {
				t.Fatalf("%d cells", len(cells))
			}
		}
	})
}

// FuzzSheetScanner: the scanner's fast path, which copies runs of plain
// bytes from the read buffer, gives the tokens and errors that reading
// one byte at a time gives. A small read buffer puts token boundaries
// at every offset of it.
func FuzzSheetScanner(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0" encoding="UTF-8"?><worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>a&amp;b</t></is></c><c r="C1"><v>1.5</v></c></row><row r="3"/></sheetData></worksheet>`))
	f.Add([]byte("<x:c t='s' a = \"q&#x4e2d;\r\n\"><!-- c --><x:v>0\r\n\t&lt;&#65;</x:v></x:c>"))
	f.Add([]byte("<a b=\"<\">text\x01</a>"))
	f.Add([]byte("<row><c><v>\xff</v></c></row>"))
	type token struct {
		Kind      int
		Name      string
		Attrs     []string
		Text      string
		SelfClose bool
		Err       string
	}
	scan := func(data []byte, bytewise bool) []token {
		s := &sheetScanner{r: bufio.NewReaderSize(bytes.NewReader(data), 16), bytewise: bytewise}
		var out []token
		for range 1000 {
			err := s.next()
			if err != nil {
				return append(out, token{Err: err.Error()})
			}
			tok := token{Kind: s.kind, Name: string(s.name), Text: string(s.text), SelfClose: s.selfClose}
			if s.kind != scanText {
				tok.Text = ""
			}
			if s.kind == scanStart {
				for _, a := range s.attrs {
					tok.Attrs = append(tok.Attrs, string(a.name)+"="+string(a.value))
				}
			}
			out = append(out, tok)
		}
		return out
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if d := cmp.Diff(scan(data, true), scan(data, false)); d != "" {
			t.Fatalf("tokens of %q (-bytewise +fast):\n%s", data, d)
		}
	})
}
