package ingest

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestJSON(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		opt    Options
		header []string
		rows   []readRow
		fatal  string
		line   int
	}{
		{name: "array", in: `[
			{"姓名": "张三", "年龄": 30, "在职": true, "备注": null, "金额": 1.50},
			{"金额": 12345678901234567890, "姓名": "李四", "在职": false},
			{"年龄": -1e3, "备注": "含\"引号\"\n和换行"}
		]`,
			header: strs{"姓名", "年龄", "在职", "备注", "金额"},
			rows: wantRows(
				1, strs{"张三", "30", "true", "", "1.50"},
				2, strs{"李四", "", "false", "", "12345678901234567890"},
				3, strs{"", "-1e3", "", "含\"引号\"\n和换行", ""},
			)},
		{name: "bom", in: "\xef\xbb\xbf[{\"a\":\"1\"}]", header: strs{"a"}, rows: wantRows(1, strs{"1"})},
		{name: "keys trimmed", in: `[{" a ":1},{"a ":2}]`, header: strs{"a"}, rows: wantRows(1, strs{"1"}, 2, strs{"2"})},
		{name: "nested value", in: `[{"a":1,"b":2},{"a":{"x":[1,{"y":2}]},"b":3},{"a":[],"b":4},{"a":5,"b":6}]`,
			header: strs{"a", "b"}, rows: wantRows(1, strs{"1", "2"}, 2, "nested_value|a", 3, "nested_value|a", 4, strs{"5", "6"})},
		{name: "nested in first object", in: `[{"a":{"x":1},"b":2},{"a":1,"b":2}]`,
			header: strs{"a", "b"}, rows: wantRows(1, "nested_value|a", 2, strs{"1", "2"})},
		{name: "unknown key", in: `[{"a":1},{"a":2,"b":3},{"a":4}]`,
			header: strs{"a"}, rows: wantRows(1, strs{"1"}, 2, "unknown_key|b", 3, strs{"4"})},
		{name: "duplicate key", in: `[{"a":1},{"a":2,"a":3}]`,
			header: strs{"a"}, rows: wantRows(1, strs{"1"}, 2, "duplicate_key|a")},
		{name: "not an object", in: `[{"a":1},2,"x",null,[1,[2]],{"a":3}]`,
			header: strs{"a"}, rows: wantRows(1, strs{"1"}, 2, "not_object", 3, "not_object", 4, "not_object", 5, "not_object", 6, strs{"3"})},
		{name: "empty object is a row", in: `[{"a":1},{}]`, header: strs{"a"}, rows: wantRows(1, strs{"1"}, 2, strs{""})},
		{name: "long value", in: `[{"a":"x"},{"a":"` + strings.Repeat("长", 400) + `"},{"a":"y"}]`, opt: Options{MaxCellBytes: 1000},
			header: strs{"a"}, rows: wantRows(1, strs{"x"}, 2, "cell_too_long|a", 3, strs{"y"})},
		{name: "element too large", in: `[{"a":"x"},{"a":"` + strings.Repeat("x", 100<<10) + `"}]`, opt: Options{MaxColumns: 2, MaxCellBytes: 1000},
			header: strs{"a"}, rows: wantRows(1, strs{"x"}), fatal: CodeRowTooLong, line: 2},
		{name: "first element not an object", in: `[1,{"a":1}]`, fatal: CodeNoHeader, line: 1},
		{name: "first object empty", in: `[{}]`, fatal: CodeNoHeader, line: 1},
		{name: "duplicate header", in: `[{"a":1,"a":2}]`, fatal: CodeDuplicateHeader, line: 1},
		{name: "duplicate header after trim", in: `[{"a":1," a":2}]`, fatal: CodeDuplicateHeader, line: 1},
		{name: "duplicate header after a nested value", in: `[{"a":[1],"a":2}]`, fatal: CodeDuplicateHeader, line: 1},
		{name: "empty key", in: `[{"a":1,"":2}]`, fatal: CodeNoHeader, line: 1},
		{name: "too many keys", in: `[{"a":1,"b":2,"c":3}]`, opt: Options{MaxColumns: 2}, fatal: CodeTooManyColumns, line: 1},
		{name: "empty array", in: ` [ ] `},
		{name: "top-level object", in: `{"a":1}`, fatal: CodeBadJSON},
		{name: "malformed", in: `[{"a":1},{"a":2,}]`, header: strs{"a"}, rows: wantRows(1, strs{"1"}), fatal: CodeBadJSON, line: 2},
		{name: "missing comma", in: `[{"a":1} {"a":2}]`, header: strs{"a"}, rows: wantRows(1, strs{"1"}), fatal: CodeBadJSON, line: 2},
		{name: "truncated", in: `[{"a":1},{"a":`, header: strs{"a"}, rows: wantRows(1, strs{"1"}), fatal: CodeTruncated, line: 2},
		{name: "truncated after element", in: `[{"a":1},`, header: strs{"a"}, rows: wantRows(1, strs{"1"}), fatal: CodeTruncated, line: 2},
		{name: "no closing bracket", in: `[{"a":1}`, header: strs{"a"}, rows: wantRows(1, strs{"1"}), fatal: CodeTruncated, line: 1},
		{name: "data after array", in: `[{"a":1}] x`, header: strs{"a"}, rows: wantRows(1, strs{"1"}), fatal: CodeBadJSON, line: 1},
		{name: "second array", in: `[{"a":1}][]`, header: strs{"a"}, rows: wantRows(1, strs{"1"}), fatal: CodeBadJSON, line: 1},
		{name: "invalid utf-8", in: "[{\"a\":\"1\"},{\"a\":\"\xd5\xc5\"}]", header: strs{"a"}, rows: wantRows(1, strs{"1"}), fatal: CodeBadEncoding, line: 2},
		{name: "invalid utf-8 in first", in: "[{\"a\":\"\xff\"}]", fatal: CodeBadEncoding, line: 1},
		{name: "utf-16", in: "\xff\xfe[\x00]\x00", fatal: CodeBadEncoding},
		{name: "declared gbk", in: `[{"a":1}]`, opt: Options{Encoding: "gbk"}, fatal: CodeUnsupportedEncoding},
		{name: "declared utf-8", in: `[{"a":1}]`, opt: Options{Encoding: "UTF-8"}, header: strs{"a"}, rows: wantRows(1, strs{"1"})},
		{name: "empty", in: "", fatal: CodeEmptyFile},
		{name: "spaces", in: " \n\t ", fatal: CodeEmptyFile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readTable(t, strings.NewReader(tt.in), FormatJSON, tt.opt)
			want := readResult{Header: tt.header, Rows: tt.rows, Fatal: tt.fatal, Line: tt.line}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("-want +got:\n%s", d)
			}
		})
	}
}

func TestNDJSON(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		opt    Options
		header []string
		rows   []readRow
		fatal  string
		line   int
	}{
		{name: "lines", in: "{\"姓名\":\"张三\",\"年龄\":30}\n\n{\"年龄\":31.0,\"姓名\":null}\r\n  {\"姓名\":\"王五\"}",
			header: strs{"姓名", "年龄"}, rows: wantRows(1, strs{"张三", "30"}, 3, strs{"", "31.0"}, 4, strs{"王五", ""})},
		{name: "bom and leading blank lines", in: "\xef\xbb\xbf\n\n{\"a\":true}\n",
			header: strs{"a"}, rows: wantRows(3, strs{"true"})},
		{name: "bad line", in: "{\"a\":1}\n{\"a\":\n{\"a\":3}\n",
			header: strs{"a"}, rows: wantRows(1, strs{"1"}, 2, "bad_json", 3, strs{"3"})},
		{name: "two objects on a line", in: "{\"a\":1}\n{\"a\":2} {\"a\":3}\n",
			header: strs{"a"}, rows: wantRows(1, strs{"1"}, 2, "bad_json")},
		{name: "unknown, nested, not object", in: "{\"a\":1}\n{\"b\":1}\n{\"a\":[1]}\n[1]\n\"x\"\n{\"a\":2}\n",
			header: strs{"a"}, rows: wantRows(1, strs{"1"}, 2, "unknown_key|b", 3, "nested_value|a", 4, "not_object", 5, "not_object", 6, strs{"2"})},
		{name: "invalid utf-8 line", in: "{\"a\":1}\n{\"a\":\"\xd5\xc5\"}\n{\"a\":3}\n",
			header: strs{"a"}, rows: wantRows(1, strs{"1"}, 2, "bad_encoding", 3, strs{"3"})},
		{name: "first line malformed", in: "{\"a\":1,}\n{\"a\":1}\n", fatal: CodeBadJSON, line: 1},
		{name: "first line not object", in: "[{\"a\":1}]\n", fatal: CodeNoHeader, line: 1},
		{name: "line too long", in: "{\"a\":1}\n{\"a\":\"" + strings.Repeat("x", 5000) + "\"}\n{\"a\":2}\n",
			opt: Options{MaxColumns: 2, MaxCellBytes: 1000}, header: strs{"a"}, rows: wantRows(1, strs{"1"}), fatal: CodeRowTooLong, line: 2},
		{name: "header only", in: "{\"a\":1}", header: strs{"a"}, rows: wantRows(1, strs{"1"})},
		{name: "empty", in: "\n \n", fatal: CodeEmptyFile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readTable(t, strings.NewReader(tt.in), FormatNDJSON, tt.opt)
			want := readResult{Header: tt.header, Rows: tt.rows, Fatal: tt.fatal, Line: tt.line}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("-want +got:\n%s", d)
			}
		})
	}
}

func FuzzJSON(f *testing.F) {
	for _, seed := range []string{
		`[{"a":1,"b":"x"},{"b":null,"a":true}]`,
		`[{"a":{"b":[1,2]}},{"c":1},3,[],{}]`,
		`[{"a":1},{"a":`,
		`[{"a":1}] x`,
		`{"a":1}`,
		`[]`,
		"\xef\xbb\xbf[{\"\xd5\":1}]",
		`[{"a":1,"a":2}]`,
		`[{"":1}]`,
		`[{"a":1e999999},{"a":-0.0}]`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzTable(t, data, FormatJSON, Options{MaxColumns: 20, MaxCellBytes: 64})
	})
}

func FuzzNDJSON(f *testing.F) {
	for _, seed := range []string{
		"{\"a\":1,\"b\":\"x\"}\n{\"b\":null,\"a\":true}\n",
		"{\"a\":1}\n\n{\"a\":\n[1]\n{\"c\":{}}\n",
		"{\"a\":1} {\"a\":2}\n",
		"\xef\xbb\xbf{\"a\":\"\xd5\xc5\"}\n",
		"\n\n",
		"{}\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzTable(t, data, FormatNDJSON, Options{MaxColumns: 20, MaxCellBytes: 64})
	})
}

func TestUTF8Reader(t *testing.T) {
	// Every split of valid text passes; every split of broken text fails.
	text := []byte("ab中文𠀀é")
	for i := range len(text) + 1 {
		u := &utf8Reader{r: &chunks{[][]byte{text[:i], text[i:]}}}
		var out bytes.Buffer
		if _, err := out.ReadFrom(u); err != nil || !bytes.Equal(out.Bytes(), text) {
			t.Errorf("split at %d: %q, %v", i, out.Bytes(), err)
		}
	}
	bad := []byte("ab中\xe6\x96z")
	for i := range len(bad) + 1 {
		u := &utf8Reader{r: &chunks{[][]byte{bad[:i], bad[i:]}}}
		var out bytes.Buffer
		if _, err := out.ReadFrom(u); err == nil {
			t.Errorf("split at %d: no error", i)
		}
	}
	// A character cut at the very end is an error.
	u := &utf8Reader{r: &chunks{[][]byte{[]byte("ab\xe4\xb8")}}}
	var out bytes.Buffer
	if _, err := out.ReadFrom(u); err == nil {
		t.Error("cut character at EOF: no error")
	}
}

// chunks returns its slices one Read at a time.
type chunks struct{ parts [][]byte }

func (c *chunks) Read(p []byte) (int, error) {
	for len(c.parts) > 0 && len(c.parts[0]) == 0 {
		c.parts = c.parts[1:]
	}
	if len(c.parts) == 0 {
		return 0, io.EOF
	}
	n := copy(p, c.parts[0])
	c.parts[0] = c.parts[0][n:]
	return n, nil
}
