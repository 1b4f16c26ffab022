package ingest

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// readResult is everything a Table yields, in a form easy to compare.
type readResult struct {
	Header []string
	Rows   []readRow
	Fatal  string // code of the FileError that ended reading ("" for io.EOF)
	Line   int    // its Line
}

// readRow is one row or one RowError.
type readRow struct {
	Line  int
	Cells []string
	Err   string // RowError code
	Field string // RowError field
}

// readTable opens r and reads it to the end. An error from Open is
// returned as Fatal with no header. It fails the test on any error that is
// not a *RowError, *FileError or io.EOF, and on a reader that does not stop.
func readTable(tb testing.TB, r io.Reader, f Format, opt Options) readResult {
	tb.Helper()
	var res readResult
	t, err := Open(r, f, opt)
	if err != nil {
		var fe *FileError
		if !errors.As(err, &fe) {
			tb.Fatalf("Open: %T %v, want *FileError", err, err)
		}
		checkMessages(tb, fe.Code, fe.Message, fe.MessageEN)
		res.Fatal, res.Line = fe.Code, fe.Line
		return res
	}
	defer func() {
		if err := t.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	}()
	res.Header = t.Header()
	for range 1_000_000 {
		cells, err := t.Next()
		if err == io.EOF {
			if _, again := t.Next(); again != io.EOF {
				tb.Errorf("Next after io.EOF = %v, want io.EOF", again)
			}
			return res
		}
		var re *RowError
		var fe *FileError
		switch {
		case err == nil:
			if len(cells) != len(res.Header) {
				tb.Fatalf("line %d: %d cells for %d header cells", t.Line(), len(cells), len(res.Header))
			}
			res.Rows = append(res.Rows, readRow{Line: t.Line(), Cells: cells})
		case errors.As(err, &re):
			checkMessages(tb, re.Code, re.Message, re.MessageEN)
			if re.Line != t.Line() {
				tb.Errorf("RowError.Line %d, Table.Line %d", re.Line, t.Line())
			}
			res.Rows = append(res.Rows, readRow{Line: re.Line, Err: re.Code, Field: re.Field})
		case errors.As(err, &fe):
			checkMessages(tb, fe.Code, fe.Message, fe.MessageEN)
			if _, again := t.Next(); again != err {
				tb.Errorf("Next after FileError = %v, want the same error", again)
			}
			res.Fatal, res.Line = fe.Code, fe.Line
			return res
		default:
			tb.Fatalf("Next: %T %v, want *RowError, *FileError or io.EOF", err, err)
		}
	}
	tb.Fatal("Next did not stop")
	return res
}

func checkMessages(tb testing.TB, code, zh, en string) {
	tb.Helper()
	if code == "" || zh == "" || en == "" {
		tb.Errorf("error %q without code or messages: %q / %q", code, zh, en)
	}
}

func TestFormatOf(t *testing.T) {
	tests := []struct {
		name, contentType, filename string
		want                        Format
		charset                     string
		err                         string
	}{
		{"csv", "text/csv", "", FormatCSV, "", ""},
		{"csv gbk", "text/csv; charset=GBK", "a.csv", FormatCSV, "gbk", ""},
		{"csv gb2312", "text/csv; charset=gb2312", "", FormatCSV, "gbk", ""},
		{"csv gb18030", "text/csv;charset=\"GB18030\"", "", FormatCSV, "gb18030", ""},
		{"csv utf8", "text/csv; charset=utf8", "", FormatCSV, "utf-8", ""},
		{"application/csv", "application/csv", "x", FormatCSV, "", ""},
		{"tsv", "text/tab-separated-values", "", FormatCSV, "", ""},
		{"text/plain csv", "text/plain", "数据.CSV", FormatCSV, "", ""},
		{"text/plain txt", "text/plain", "a.txt", "", "", CodeUnsupportedFormat},
		{"windows excel csv", "application/vnd.ms-excel", "a.csv", FormatCSV, "", ""},
		{"xls", "application/vnd.ms-excel", "a.xls", "", "", CodeUnsupportedFormat},
		{"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "", FormatXLSX, "", ""},
		{"xlsx by name", "", "报表.xlsx", FormatXLSX, "", ""},
		{"xlsx octet", "application/octet-stream", "a.xlsx", FormatXLSX, "", ""},
		{"json", "application/json", "", FormatJSON, "", ""},
		{"json charset", "application/json; charset=utf-8", "", FormatJSON, "utf-8", ""},
		{"json by name", "", "a.json", FormatJSON, "", ""},
		{"ndjson", "application/x-ndjson", "", FormatNDJSON, "", ""},
		{"jsonl", "application/jsonl", "", FormatNDJSON, "", ""},
		{"jsonl by name", "", "a.jsonl", FormatNDJSON, "", ""},
		{"ndjson by name", "application/octet-stream", "a.ndjson", FormatNDJSON, "", ""},
		{"type wins", "application/json", "a.csv", FormatJSON, "", ""},
		{"unknown type", "image/png", "a.csv", "", "", CodeUnsupportedFormat},
		{"unknown", "", "a.pdf", "", "", CodeUnsupportedFormat},
		{"nothing", "", "", "", "", CodeUnsupportedFormat},
		{"bad charset", "text/csv; charset=big5", "", "", "", CodeUnsupportedEncoding},
		{"malformed type", "text/csv; charset", "a.csv", FormatCSV, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, cs, err := FormatOf(tt.contentType, tt.filename)
			if tt.err != "" {
				var fe *FileError
				if !errors.As(err, &fe) || fe.Code != tt.err {
					t.Fatalf("FormatOf = %q, %q, %v; want FileError %s", f, cs, err, tt.err)
				}
				checkMessages(t, fe.Code, fe.Message, fe.MessageEN)
				return
			}
			if err != nil || f != tt.want || cs != tt.charset {
				t.Fatalf("FormatOf = %q, %q, %v; want %q, %q", f, cs, err, tt.want, tt.charset)
			}
		})
	}
}

func TestOpenUnknownFormat(t *testing.T) {
	got := readTable(t, strings.NewReader("a\n"), Format("xml"), Options{})
	if got.Fatal != CodeUnsupportedFormat {
		t.Fatalf("got %+v", got)
	}
}

func TestMakeHeader(t *testing.T) {
	tests := []struct {
		name  string
		cells []string
		want  []string
		err   string
	}{
		{"trimmed", []string{" 姓名 ", "\ufeff编号", "年龄\t"}, []string{"姓名", "编号", "年龄"}, ""},
		{"trailing empty dropped", []string{"a", "b", "", " "}, []string{"a", "b"}, ""},
		{"empty in between", []string{"a", "", "b"}, nil, CodeNoHeader},
		{"duplicate after trim", []string{"a", "b", " a"}, nil, CodeDuplicateHeader},
		{"all empty", []string{"", ""}, nil, CodeNoHeader},
		{"too many", make([]string, 3), nil, CodeTooManyColumns},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := makeHeader(tt.cells, 1, Options{MaxColumns: 2, MaxCellBytes: 100}.withDefaults())
			if tt.name != "too many" {
				h, err = makeHeader(tt.cells, 1, Options{}.withDefaults())
			}
			if tt.err != "" {
				var fe *FileError
				if !errors.As(err, &fe) || fe.Code != tt.err {
					t.Fatalf("makeHeader = %q, %v; want %s", h, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, h); d != "" {
				t.Error(d)
			}
		})
	}
}

// TestRowErrorCells checks that a row that cannot be read still comes back
// as far as it was read, so that it can be quarantined, never dropped.
func TestRowErrorCells(t *testing.T) {
	xlsx := makeXLSX(t, map[string][]xlsxRow{"S": {{1, []any{"a"}}, {2, []any{"x", "y"}}}}, "S")
	tests := []struct {
		name string
		in   string
		f    Format
		opt  Options
		code string
		want []string
	}{
		{"csv too many cells", "a,b\n1,2,3,\n", FormatCSV, Options{}, CodeTooManyCells, []string{"1", "2", "3", ""}},
		{"csv cell too long", "a,b\n1,123456\n", FormatCSV, Options{MaxCellBytes: 4}, CodeCellTooLong, []string{"1", "123456"}},
		{"csv bad quote", "a,b,c\n1,x\"y,3\n", FormatCSV, Options{}, CodeBadQuote, []string{"1"}},
		{"csv bad utf-8", "a,b\n" + strings.Repeat("1,2\n", 20000) + "1,\xff\n", FormatCSV, Options{Encoding: "utf-8"}, CodeBadEncoding, []string{"1", "\xff"}},
		{"xlsx too many cells", string(xlsx), FormatXLSX, Options{}, CodeTooManyCells, []string{"x", "y"}},
		{"json nested", `[{"a":1},{"a" : {"b":[1]}}]`, FormatJSON, Options{}, CodeNestedValue, []string{`{"a" : {"b":[1]}}`}},
		{"json unknown key", `[{"a":1},{"z":2}]`, FormatJSON, Options{}, CodeUnknownKey, []string{`{"z":2}`}},
		{"json not object", `[{"a":1}, [1, 2]]`, FormatJSON, Options{}, CodeNotObject, []string{`[1, 2]`}},
		{"json first object", `[{"a":[1]}]`, FormatJSON, Options{}, CodeNestedValue, []string{`{"a":[1]}`}},
		{"ndjson bad line", "{\"a\":1}\n{\"a\":1,}\n", FormatNDJSON, Options{}, CodeBadJSON, []string{`{"a":1,}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab, err := Open(strings.NewReader(tt.in), tt.f, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			defer tab.Close()
			for {
				cells, err := tab.Next()
				if err == io.EOF {
					t.Fatal("no RowError")
				}
				var re *RowError
				if errors.As(err, &re) {
					if re.Code != tt.code {
						t.Fatalf("code %s, want %s", re.Code, tt.code)
					}
					if d := cmp.Diff(tt.want, cells); d != "" {
						t.Errorf("cells -want +got:\n%s", d)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
