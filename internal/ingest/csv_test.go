package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

func encode(tb testing.TB, e encoding.Encoding, s string) []byte {
	tb.Helper()
	b, err := e.NewEncoder().Bytes([]byte(s))
	if err != nil {
		tb.Fatalf("encode %q: %v", s, err)
	}
	return b
}

func wantRows(lineCells ...any) []readRow {
	var rs []readRow
	for i := 0; i < len(lineCells); i += 2 {
		r := readRow{Line: lineCells[i].(int)}
		switch v := lineCells[i+1].(type) {
		case []string:
			r.Cells = v
		case string: // an error code, with an optional "|field"
			r.Err, r.Field, _ = strings.Cut(v, "|")
		}
		rs = append(rs, r)
	}
	return rs
}

type strs = []string

func TestCSV(t *testing.T) {
	gbk := func(s string) []byte { return encode(t, simplifiedchinese.GBK, s) }
	le := encode(t, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), "姓名,年龄\r\n张三,30\r\n")
	be := encode(t, unicode.UTF16(unicode.BigEndian, unicode.UseBOM), "姓名,年龄\n李四,40\n")
	leNoBOM := encode(t, unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), "a,b\n1,2\n")

	// More than 64 KiB of ASCII before the first Chinese character: the
	// decision waits for it.
	var asciiThenGBK bytes.Buffer
	asciiThenGBK.WriteString("id,name\n")
	for asciiThenGBK.Len() < 70<<10 {
		asciiThenGBK.WriteString("1,abc\n")
	}
	asciiLines := strings.Count(asciiThenGBK.String(), "\n")
	asciiThenGBK.Write(gbk("2,张三\n3,湖州\n"))

	// A UTF-8 character cut by the 64 KiB sniffing window is still UTF-8.
	var cut bytes.Buffer
	cut.WriteString("a\n")
	cut.WriteString(strings.Repeat("x", sniffLen-cut.Len()-1))
	cut.WriteString("中\n")

	pad := strings.Repeat("1,2\n", 20000) // 80 KB: past the sniffing window
	padLines := 20000

	var wide strings.Builder
	wide.WriteString("a\n1")
	for range 9999 {
		wide.WriteString(",")
	}
	wide.WriteString("x\n")

	tests := []struct {
		name   string
		in     []byte
		opt    Options
		header []string
		rows   []readRow
		fatal  string
		line   int
		enc    string
		skip   int // rows read but not compared
	}{
		{name: "utf-8", in: []byte("姓名,年龄\n张三,30\n李四,\n"),
			header: strs{"姓名", "年龄"}, rows: wantRows(2, strs{"张三", "30"}, 3, strs{"李四", ""}), enc: "utf-8"},
		{name: "utf-8 bom crlf", in: []byte("\xef\xbb\xbf姓名,年龄\r\n张三,30\r\n"),
			header: strs{"姓名", "年龄"}, rows: wantRows(2, strs{"张三", "30"}), enc: "utf-8"},
		{name: "ascii", in: []byte("a,b\n1,2"), header: strs{"a", "b"}, rows: wantRows(2, strs{"1", "2"}), enc: "utf-8"},
		{name: "gbk detected", in: gbk("姓名,城市\n张三,湖州\n"),
			header: strs{"姓名", "城市"}, rows: wantRows(2, strs{"张三", "湖州"}), enc: "gb18030"},
		{name: "gbk declared", in: gbk("姓名,城市\n张三,湖州\n"), opt: Options{Encoding: "GBK"},
			header: strs{"姓名", "城市"}, rows: wantRows(2, strs{"张三", "湖州"}), enc: "gbk"},
		{name: "gb2312 declared", in: gbk("名称\n长兴\n"), opt: Options{Encoding: "gb2312"},
			header: strs{"名称"}, rows: wantRows(2, strs{"长兴"}), enc: "gbk"},
		{name: "gb18030 chars", in: encode(t, simplifiedchinese.GB18030, "姓名,备注\n𠀀,䶮\n"),
			header: strs{"姓名", "备注"}, rows: wantRows(2, strs{"𠀀", "䶮"}), enc: "gb18030"},
		{name: "gb18030 declared gbk", in: encode(t, simplifiedchinese.GB18030, "姓名\n䶮\n"), opt: Options{Encoding: "gbk"},
			header: strs{"姓名"}, rows: wantRows(2, strs{"䶮"}), enc: "gbk"},
		{name: "utf-16le bom", in: le, header: strs{"姓名", "年龄"}, rows: wantRows(2, strs{"张三", "30"}), enc: "utf-16"},
		{name: "utf-16be bom", in: be, header: strs{"姓名", "年龄"}, rows: wantRows(2, strs{"李四", "40"}), enc: "utf-16"},
		{name: "utf-16le declared", in: leNoBOM, opt: Options{Encoding: "utf-16le"},
			header: strs{"a", "b"}, rows: wantRows(2, strs{"1", "2"}), enc: "utf-16"},
		{name: "utf-16 undeclared without bom", in: leNoBOM, fatal: CodeNotCSV},
		{name: "bom wins over declaration", in: []byte("\xef\xbb\xbf名\n值\n"), opt: Options{Encoding: "gbk"},
			header: strs{"名"}, rows: wantRows(2, strs{"值"}), enc: "utf-8"},
		{name: "ascii then gbk after 64k", in: asciiThenGBK.Bytes(),
			header: strs{"id", "name"}, enc: "gb18030"},
		{name: "utf-8 char cut at 64k", in: cut.Bytes(),
			header: strs{"a"}, rows: wantRows(2, strs{strings.Repeat("x", sniffLen-3) + "中"}), enc: "utf-8"},
		{name: "declared utf-8 but gbk", in: gbk("姓名\n张三\n"), opt: Options{Encoding: "utf-8"},
			fatal: CodeBadEncoding},
		{name: "bad utf-8 after 64k", in: append([]byte("a,b\n"+pad), append(gbk("3,张三\n"), "4,5\n"...)...),
			opt: Options{Encoding: "utf-8"}, header: strs{"a", "b"}, skip: padLines,
			rows: wantRows(padLines+2, "bad_encoding|b", padLines+3, strs{"4", "5"}), enc: "utf-8"},
		{name: "utf-8 after 64k ascii", in: []byte("a,b\n" + pad + "中,文\n"),
			header: strs{"a", "b"}, skip: padLines, rows: wantRows(padLines+2, strs{"中", "文"}), enc: "utf-8"},
		{name: "declared utf-8 bad in head", in: append([]byte("a,b\n"), gbk("3,张三\n")...),
			opt: Options{Encoding: "utf-8"}, fatal: CodeBadEncoding},
		{name: "neither utf-8 nor gbk", in: []byte("a\n\xff\xff\xff\n"), fatal: CodeBadEncoding},
		{name: "bad gbk bytes in a row", in: append(gbk("名,值\n张,1\n"), "\x81\x20,2\n"...),
			opt: Options{Encoding: "gbk"}, header: strs{"名", "值"},
			rows: wantRows(2, strs{"张", "1"}, 3, "bad_encoding|名"), enc: "gbk"},
		{name: "unsupported encoding", in: []byte("a\n"), opt: Options{Encoding: "big5"}, fatal: CodeUnsupportedEncoding},
		{name: "ragged", in: []byte("a,b,c\n1\n1,2\n1,2,3\n"), header: strs{"a", "b", "c"},
			rows: wantRows(2, strs{"1", "", ""}, 3, strs{"1", "2", ""}, 4, strs{"1", "2", "3"})},
		{name: "too many cells", in: []byte("a,b\n1,2,3\n4,5,,\n6,7, \n"), header: strs{"a", "b"},
			rows: wantRows(2, "too_many_cells|column 3", 3, strs{"4", "5"}, 4, strs{"6", "7"})},
		{name: "quoted newlines", in: []byte("a,b\n\"x\ny\",1\n2,3\n\"p\n\nq\",\"4\"\"\"\n5,6\n"), header: strs{"a", "b"},
			rows: wantRows(2, strs{"x\ny", "1"}, 4, strs{"2", "3"}, 5, strs{"p\n\nq", "4\""}, 8, strs{"5", "6"})},
		{name: "quoted newlines crlf", in: []byte("a,b\r\n\"x\r\ny\",1\r\n2,3\r\n"), header: strs{"a", "b"},
			rows: wantRows(2, strs{"x\ny", "1"}, 4, strs{"2", "3"})},
		{name: "bare quote", in: []byte("a,b\n1,x\"y\n3,4\n"), header: strs{"a", "b"},
			rows: wantRows(2, "bad_quote", 3, strs{"3", "4"})},
		{name: "text after closing quote", in: []byte("a,b\n\"x\"y,1\n3,4\n"), header: strs{"a", "b"},
			rows: wantRows(2, "bad_quote", 3, strs{"3", "4"})},
		{name: "quote swallowing lines", in: []byte("a,b\n\"x,1\n3,4\"z\n5,6\n"), header: strs{"a", "b"},
			fatal: CodeBadQuote, line: 2},
		{name: "truncated quote at eof", in: []byte("a,b\n1,2\n\"3,4\n5,6\n"), header: strs{"a", "b"},
			rows: wantRows(2, strs{"1", "2"}), fatal: CodeTruncated, line: 3},
		{name: "truncated quote no newline", in: []byte("a,b\n1,\"2"), header: strs{"a", "b"},
			fatal: CodeTruncated, line: 2},
		{name: "bad quote in header", in: []byte("a,b\"c\n1,2\n"), fatal: CodeBadQuote, line: 1},
		{name: "duplicate header", in: []byte("编号,姓名, 编号\n1,2,3\n"), fatal: CodeDuplicateHeader, line: 1},
		{name: "empty header cell", in: []byte("a,,b\n1,2,3\n"), fatal: CodeNoHeader, line: 1},
		{name: "trailing empty header cells", in: []byte("a,b,,\n1,2,,\n"), header: strs{"a", "b"},
			rows: wantRows(2, strs{"1", "2"})},
		{name: "empty file", in: nil, fatal: CodeEmptyFile},
		{name: "bom only", in: []byte("\xef\xbb\xbf"), fatal: CodeEmptyFile},
		{name: "blank lines only", in: []byte("\n\r\n  \n,,\n"), fatal: CodeEmptyFile},
		{name: "header only", in: []byte("a,b\n"), header: strs{"a", "b"}},
		{name: "header only no newline", in: []byte("a,b"), header: strs{"a", "b"}},
		{name: "blank rows skipped", in: []byte("\n\na,b\n\n,\n 1,2\n ,\n"), header: strs{"a", "b"},
			rows: wantRows(6, strs{" 1", "2"})},
		{name: "binary garbage", in: []byte("\x00\x01\x02\x03garbage\xff"), fatal: CodeNotCSV},
		{name: "zip", in: []byte("PK\x03\x04\x14\x00\x00\x00"), fatal: CodeNotCSV},
		{name: "old xls", in: []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00"), fatal: CodeNotCSV},
		{name: "10000-column row", in: []byte(wide.String()), header: strs{"a"}, fatal: CodeTooManyColumns, line: 2},
		{name: "10000-column header", in: []byte(wide.String()[2:]), fatal: CodeTooManyColumns, line: 1},
		{name: "huge cell", in: []byte("a,b\n1," + strings.Repeat("长", 30000) + "\n2,3\n"), header: strs{"a", "b"},
			rows: wantRows(2, "cell_too_long|b", 3, strs{"2", "3"})},
		{name: "record too long", in: []byte("a\n\"" + strings.Repeat("x", 200<<10)),
			opt: Options{MaxColumns: 4, MaxCellBytes: 1000}, header: strs{"a"}, fatal: CodeRowTooLong, line: 2},
		{name: "line without breaks too long", in: []byte("a\n" + strings.Repeat("x", 200<<10)),
			opt: Options{MaxColumns: 4, MaxCellBytes: 1000}, header: strs{"a"}, fatal: CodeRowTooLong, line: 2},
		{name: "tsv", in: []byte("姓名\t年龄\t备注\n张三\t30\t含,逗号\n"), header: strs{"姓名", "年龄", "备注"},
			rows: wantRows(2, strs{"张三", "30", "含,逗号"})},
		{name: "tsv gbk", in: gbk("姓名\t年龄\n张三\t30\n"), header: strs{"姓名", "年龄"},
			rows: wantRows(2, strs{"张三", "30"}), enc: "gb18030"},
		{name: "tab in a csv header is data", in: []byte("a\tb,c\n1,2\n"), header: strs{"a\tb", "c"},
			rows: wantRows(2, strs{"1", "2"})},
		{name: "cells not trimmed", in: []byte(" a , b \n 1 , 2 \n"), header: strs{"a", "b"},
			rows: wantRows(2, strs{" 1 ", " 2 "})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readTable(t, bytes.NewReader(tt.in), FormatCSV, tt.opt)
			want := readResult{Header: tt.header, Rows: tt.rows, Fatal: tt.fatal, Line: tt.line}
			if tt.name == "ascii then gbk after 64k" {
				// Check the tail only.
				if n := len(got.Rows); n != asciiLines+1 {
					t.Fatalf("%d rows, want %d", n, asciiLines+1)
				}
				got.Rows = got.Rows[len(got.Rows)-2:]
				want.Rows = wantRows(asciiLines+1, strs{"2", "张三"}, asciiLines+2, strs{"3", "湖州"})
			}
			if tt.skip > 0 {
				if len(got.Rows) < tt.skip {
					t.Fatalf("%d rows, want more than %d", len(got.Rows), tt.skip)
				}
				got.Rows = got.Rows[tt.skip:]
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("-want +got:\n%s", d)
			}
			if tt.enc != "" && tt.fatal == "" {
				tab, err := Open(bytes.NewReader(tt.in), FormatCSV, tt.opt)
				if err != nil {
					t.Fatal(err)
				}
				for {
					if _, err := tab.Next(); err == io.EOF {
						break
					}
				}
				if e := tab.(interface{ Encoding() string }).Encoding(); e != tt.enc {
					t.Errorf("Encoding() = %q, want %q", e, tt.enc)
				}
			}
		})
	}
}

// failingReader returns data, then an error.
type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

func TestCSVReadError(t *testing.T) {
	cause := errors.New("connection reset")
	for _, head := range []string{"", "a,b\n", "a,b\n" + strings.Repeat("1,2\n", 50000)} {
		tab, err := Open(&failingReader{data: []byte(head), err: cause}, FormatCSV, Options{})
		if err == nil {
			for {
				if _, err = tab.Next(); err != nil {
					if _, ok := err.(*RowError); !ok {
						break
					}
				}
			}
		}
		var fe *FileError
		if !errors.As(err, &fe) || fe.Code != CodeReadError || !errors.Is(err, cause) {
			t.Errorf("head of %d bytes: got %v, want read_error wrapping the cause", len(head), err)
		}
	}
}

// genCSV generates n rows of CSV text without holding them in memory.
type genCSV struct {
	n, i int
	buf  []byte
}

func (g *genCSV) Read(p []byte) (int, error) {
	for len(g.buf) == 0 {
		if g.i > g.n {
			return 0, io.EOF
		}
		if g.i == 0 {
			g.buf = append(g.buf, "编号,姓名,证件号码,电话,地址,日期,金额,状态,备注,部门\n"...)
		} else {
			g.buf = fmt.Appendf(g.buf, "%d,张三%d,330501199001011234,13800000000,浙江省湖州市吴兴区某某路%d号,2024-03-05,%d.50,正常,\"备注,含逗号\",市场监管局\n",
				g.i, g.i, g.i, g.i)
		}
		g.i++
	}
	n := copy(p, g.buf)
	g.buf = g.buf[n:]
	return n, nil
}

// TestCSVMemoryFlat streams a large generated file and checks that the
// heap does not grow with it.
func TestCSVMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("large input")
	}
	n := 400_000 // about 60 MB
	tab, err := Open(&genCSV{n: n}, FormatCSV, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var ms runtime.MemStats
	var peak uint64
	count := 0
	for {
		_, err := tab.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		count++
		if count%100_000 == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
	}
	if count != n {
		t.Fatalf("%d rows, want %d", count, n)
	}
	t.Logf("peak heap in use %.1f MiB", float64(peak)/(1<<20))
	if peak > 32<<20 {
		t.Errorf("heap in use reached %d MiB reading a streamed file", peak>>20)
	}
}

func BenchmarkCSV(b *testing.B) {
	var buf bytes.Buffer
	const n = 100_000
	if _, err := io.Copy(&buf, &genCSV{n: n}); err != nil {
		b.Fatal(err)
	}
	for _, enc := range []struct {
		name string
		data []byte
	}{
		{"utf-8", buf.Bytes()},
		{"gbk", encode(b, simplifiedchinese.GBK, buf.String())},
	} {
		b.Run(enc.name, func(b *testing.B) {
			b.SetBytes(int64(len(enc.data)))
			b.ReportAllocs()
			rowsRead := 0
			for b.Loop() {
				tab, err := Open(bytes.NewReader(enc.data), FormatCSV, Options{})
				if err != nil {
					b.Fatal(err)
				}
				for {
					_, err := tab.Next()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					rowsRead++
				}
			}
			b.ReportMetric(float64(rowsRead)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

func FuzzCSV(f *testing.F) {
	for _, seed := range []string{
		"a,b\n1,2\n",
		"\xef\xbb\xbf姓名,年龄\r\n张三,30\r\n",
		"a,b\n\"x\ny\",1\n\"3,4\n",
		"a,b\n1,x\"y\n\"z\"q,1\n",
		"a\tb\n1\t2\n",
		"a,,b\n",
		"a,a\n",
		"\xff\xfea\x00,\x00b\x00\n\x00",
		"\xd5\xc5\xc8\xfd,1\n\x81\x30\x81\x30,2\n",
		"\x00\x01",
		"a\n1,2,3\n,,\n\n",
	} {
		f.Add([]byte(seed), "")
	}
	f.Add([]byte("a,b\n1,2\n"), "gbk")
	f.Add([]byte("a,b\n1,2\n"), "utf-16")
	f.Add([]byte("a,b\n\xff,2\n"), "utf-8")
	f.Fuzz(func(t *testing.T, data []byte, enc string) {
		fuzzTable(t, data, FormatCSV, Options{Encoding: enc, MaxColumns: 20, MaxCellBytes: 64})
	})
}

// fuzzTable reads data to the end and checks what any input must satisfy:
// no panic, an end in bounded steps, only our error types, rows as wide as
// the header, lines that never go backwards.
func fuzzTable(t *testing.T, data []byte, f Format, opt Options) {
	// A reader that hangs inside one call is a failure too: crash with the
	// input rather than let the fuzzer stall.
	hang := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("reading %q (%+v) takes more than 10s", data, opt)) })
	defer hang.Stop()
	tab, err := Open(bytes.NewReader(data), f, opt)
	if err != nil {
		var fe *FileError
		if !errors.As(err, &fe) || fe.Code == "" || fe.Message == "" || fe.MessageEN == "" {
			t.Fatalf("Open: %T %v", err, err)
		}
		return
	}
	defer tab.Close()
	h := tab.Header()
	seen := map[string]bool{}
	for _, c := range h {
		if c == "" || seen[c] || c != trimCell(c) {
			t.Fatalf("bad header %q", h)
		}
		seen[c] = true
	}
	last := 0
	for range len(data) + 2 {
		cells, err := tab.Next()
		var re *RowError
		var fe *FileError
		switch {
		case err == io.EOF:
			return
		case err == nil:
			if len(cells) != len(h) {
				t.Fatalf("row of %d cells for a header of %d", len(cells), len(h))
			}
		case errors.As(err, &re):
			if re.Code == "" || re.Message == "" || re.MessageEN == "" || re.Line != tab.Line() {
				t.Fatalf("bad RowError %+v", re)
			}
		case errors.As(err, &fe):
			if fe.Code == "" || fe.Message == "" || fe.MessageEN == "" {
				t.Fatalf("bad FileError %+v", fe)
			}
			return
		default:
			t.Fatalf("Next: %T %v", err, err)
		}
		if tab.Line() <= last {
			t.Fatalf("line %d after line %d", tab.Line(), last)
		}
		last = tab.Line()
	}
	t.Fatalf("more than %d rows from %d bytes", len(data)+2, len(data))
}
