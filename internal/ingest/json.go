package ingest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// JSON and NDJSON files hold objects whose keys are the columns: the keys
// of the first object, in document order, are the header. Values read as
// text: a string as is, a number as its literal ("1.50", "1e3", never
// rounded through float64), true/false as "true"/"false", null as "".
// Nested objects and arrays are RowError nested_value; a key the first
// object lacks is RowError unknown_key; a missing key reads "".
//
// Both must be UTF-8 (a UTF-8 byte order mark is allowed).

// jsonTable streams the elements of a top-level array with json.Decoder:
// it holds one element at a time (its text, bounded by the record limit,
// kept to quarantine the element if it cannot be read) and walks that
// element's tokens to keep the keys in document order. The array is never
// decoded as a whole.
type jsonTable struct {
	dec    *json.Decoder
	cnt    *countingReader
	opt    Options
	header []string
	index  map[string]int
	first  *jsonRow // the first element, read with the header
	line   int
	err    error // sticky: io.EOF or a *FileError
}

// jsonRow is one object as read: values by header position, and the first
// problem found in it.
type jsonRow struct {
	keys  []string // in document order (only kept for the first object)
	nkeys int      // keys of the first object, counting those beyond MaxColumns
	dup   string   // a key the first object has twice
	vals  []string
	prob  *RowError
	raw   string // the element's JSON text
}

// openJSON reads up to and including the first element, which gives the
// header. An empty array is a table with no columns and no rows.
func openJSON(r io.Reader, opt Options) (Table, error) {
	br, err := openJSONText(r, opt)
	if err != nil {
		return nil, err
	}
	t := &jsonTable{opt: opt}
	t.cnt = &countingReader{r: &utf8Reader{r: br}, limit: opt.maxRecordBytes()}
	t.dec = json.NewDecoder(t.cnt)
	t.dec.UseNumber()
	tok, err := t.dec.Token()
	if err != nil {
		return nil, t.jsonError(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, fileErrorf(CodeBadJSON, 0,
			"JSON 文件的顶层必须是对象数组 [{...}, {...}]；每行一个对象的文件请按 NDJSON 上传",
			"a JSON file must hold an array of objects [{...}, {...}] at the top; upload one object per line as NDJSON")
	}
	if !t.dec.More() {
		if err := t.end(); err != nil {
			return nil, err
		}
		t.err = io.EOF
		return t, nil
	}
	t.line = 1
	first, err := t.element(nil)
	if err != nil {
		return nil, err
	}
	if t.header, t.index, err = objectHeader(first, 1, opt); err != nil {
		return nil, err
	}
	if first.prob != nil {
		first.prob.Line = 1
	}
	t.first = first
	t.cnt.base = t.dec.InputOffset()
	return t, nil
}

// openJSONText checks the declared encoding, drops a UTF-8 BOM and refuses
// an empty or UTF-16 file.
func openJSONText(r io.Reader, opt Options) (*bufio.Reader, error) {
	cs, err := normalizeCharset(opt.Encoding)
	if err != nil {
		return nil, err
	}
	if cs != "" && cs != "utf-8" {
		return nil, fileErrorf(CodeUnsupportedEncoding, 0,
			fmt.Sprintf("JSON 文件必须是 UTF-8 编码，不能是 %s", cs),
			fmt.Sprintf("a JSON file must be UTF-8, not %s", cs))
	}
	br := bufio.NewReaderSize(r, sniffLen)
	head, err := br.Peek(sniffLen)
	if err != nil && err != io.EOF {
		return nil, uploadReadError(err)
	}
	switch {
	case bytes.HasPrefix(head, []byte("\xef\xbb\xbf")):
		_, _ = br.Discard(3)
		head = head[3:]
	case bytes.HasPrefix(head, []byte("\xff\xfe")), bytes.HasPrefix(head, []byte("\xfe\xff")):
		return nil, fileErrorf(CodeBadEncoding, 0,
			"JSON 文件必须是 UTF-8 编码，这个文件是 UTF-16",
			"a JSON file must be UTF-8; this one is UTF-16")
	}
	if len(bytes.TrimSpace(head)) == 0 && err == io.EOF {
		return nil, errEmptyFile()
	}
	return br, nil
}

func (t *jsonTable) Header() []string { return t.header }
func (t *jsonTable) Line() int        { return t.line }
func (t *jsonTable) Close() error     { return nil }

// Next returns the next element of the array as a row.
func (t *jsonTable) Next() ([]string, error) {
	if t.err != nil {
		return nil, t.err
	}
	if t.first != nil {
		row := t.first
		t.first = nil
		return row.result()
	}
	if !t.dec.More() {
		if t.err = t.end(); t.err == nil {
			t.err = io.EOF
		}
		return nil, t.err
	}
	t.line++
	row, err := t.element(t.index)
	t.cnt.base = t.dec.InputOffset()
	if err != nil {
		t.err = err
		return nil, t.err
	}
	if row.prob != nil {
		row.prob.Line = t.line
	}
	return row.result()
}

// end reads the closing bracket and checks nothing follows it.
func (t *jsonTable) end() error {
	if _, err := t.dec.Token(); err != nil {
		return t.jsonError(err)
	}
	if _, err := t.dec.Token(); err != io.EOF {
		if err != nil {
			return t.jsonError(err)
		}
		off := t.dec.InputOffset()
		return fileErrorf(CodeBadJSON, t.line,
			fmt.Sprintf("JSON 数组结束后（第 %d 字节）还有内容", off),
			fmt.Sprintf("data follows the end of the JSON array (byte %d)", off))
	}
	return nil
}

// element reads the next element of the array whole (it is bounded by
// the record limit), then walks its tokens.
func (t *jsonTable) element(index map[string]int) (*jsonRow, error) {
	var raw json.RawMessage
	if err := t.dec.Decode(&raw); err != nil {
		return nil, t.jsonError(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	row, err := readJSONObject(dec, index, t.opt)
	if err != nil { // cannot happen: Decode checked the syntax
		row = &jsonRow{prob: rowErrorf(0, CodeBadJSON, "", "元素无法读取", "the element cannot be read: "+err.Error())}
	}
	row.raw = string(raw)
	return row, nil
}

// result returns the row's cells, or its problem with the element's text
// as the one cell to quarantine.
func (r *jsonRow) result() ([]string, error) {
	if r.prob != nil {
		return []string{r.raw}, r.prob
	}
	return r.vals, nil
}

// jsonError turns a decoding error into a FileError that says where.
func (t *jsonTable) jsonError(err error) *FileError {
	var se *json.SyntaxError
	var fe *FileError
	switch {
	case errors.As(err, &fe):
		fe.Line = t.line
		return fe
	case err == errRecordTooLong:
		return fileErrorf(CodeRowTooLong, t.line,
			fmt.Sprintf("第 %d 个元素超过 %d 字节", t.line, t.opt.maxRecordBytes()),
			fmt.Sprintf("element %d is larger than %d bytes", t.line, t.opt.maxRecordBytes()))
	case errors.As(err, &se):
		return fileErrorf(CodeBadJSON, t.line,
			fmt.Sprintf("JSON 语法错误（第 %d 字节，第 %d 个元素）：%s", se.Offset, t.line, se.Error()),
			fmt.Sprintf("JSON syntax error at byte %d (element %d): %s", se.Offset, t.line, se.Error()))
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		return fileErrorf(CodeTruncated, t.line,
			fmt.Sprintf("JSON 在第 %d 字节处意外结束：文件可能被截断", t.dec.InputOffset()),
			fmt.Sprintf("the JSON ends unexpectedly at byte %d: the file may be truncated", t.dec.InputOffset()))
	}
	return uploadReadError(err)
}

// objectHeader makes the header from the first object's keys.
func objectHeader(first *jsonRow, line int, opt Options) ([]string, map[string]int, error) {
	if first.prob != nil && first.prob.Code == CodeNotObject {
		return nil, nil, fileErrorf(CodeNoHeader, line,
			"第一个元素不是对象，无法确定列名：每个元素都应是 {\"列名\": 值, ...}",
			"the first element is not an object, so there are no column names: every element must be {\"column\": value, ...}")
	}
	if first.nkeys > opt.MaxColumns {
		return nil, nil, tooManyColumns(line, first.nkeys, opt.MaxColumns)
	}
	if len(first.keys) == 0 {
		return nil, nil, fileErrorf(CodeNoHeader, line,
			"第一个对象没有任何键，无法确定列名",
			"the first object has no keys, so there are no column names")
	}
	if first.dup != "" {
		return nil, nil, fileErrorf(CodeDuplicateHeader, line,
			fmt.Sprintf("第一个对象中键 %q 重复", first.dup),
			fmt.Sprintf("the first object has the key %q twice", first.dup))
	}
	h, err := makeHeader(first.keys, line, opt)
	if err != nil {
		return nil, nil, err
	}
	if len(h) != len(first.keys) { // an empty key at the end, dropped by makeHeader
		zh, en := colLabel(len(h) + 1)
		return nil, nil, fileErrorf(CodeNoHeader, line,
			fmt.Sprintf("表头%s（第一个对象的键）为空", zh),
			fmt.Sprintf("header %s (a key of the first object) is empty", en))
	}
	index := make(map[string]int, len(h))
	for i, k := range h {
		index[k] = i
	}
	return h, index, nil
}

// readJSONObject reads one element. With index nil it is the first object:
// its keys are kept in order and become the header. A problem with the
// element is returned in the row, after the element has been read to its
// end so that reading can go on; a syntax or read error is returned as err.
func readJSONObject(dec *json.Decoder, index map[string]int, opt Options) (*jsonRow, error) {
	row := &jsonRow{}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	problem := func(code, field, zh, en string) {
		if row.prob == nil {
			row.prob = rowErrorf(0, code, field, zh, en)
		}
	}
	d, ok := tok.(json.Delim)
	if !ok || d != '{' {
		if ok {
			if err := skipJSONValue(dec); err != nil {
				return nil, err
			}
		}
		problem(CodeNotObject, "", "这个元素不是对象", "the element is not an object")
		return row, nil
	}
	if index != nil {
		row.vals = make([]string, len(index))
	}
	seen := make(map[string]bool)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		key = trimCell(key)
		tok, err = dec.Token()
		if err != nil {
			return nil, err
		}
		var val string
		nested := false
		switch v := tok.(type) {
		case json.Delim:
			if err := skipJSONValue(dec); err != nil {
				return nil, err
			}
			nested = true
		case string:
			val = v
		case json.Number:
			val = v.String()
		case bool:
			val = "false"
			if v {
				val = "true"
			}
		case nil:
		}
		if index == nil {
			// The first object: its keys become the header.
			row.nkeys++
			switch {
			case seen[key]:
				if row.dup == "" {
					row.dup = key
				}
				continue
			case len(row.keys) >= opt.MaxColumns:
				continue // objectHeader refuses the file
			}
			seen[key] = true
			row.keys = append(row.keys, key)
			row.vals = append(row.vals, val)
		} else {
			i, ok := index[key]
			switch {
			case !ok:
				problem(CodeUnknownKey, key,
					fmt.Sprintf("键 %q 不在表头（第一个对象的键）中", key),
					fmt.Sprintf("the key %q is not in the header (the keys of the first object)", key))
				continue
			case seen[key]:
				problem(CodeDuplicateKey, key,
					fmt.Sprintf("键 %q 在同一对象中出现了两次", key),
					fmt.Sprintf("the key %q appears twice in the object", key))
				continue
			}
			seen[key] = true
			row.vals[i] = val
		}
		if nested {
			problem(CodeNestedValue, key,
				fmt.Sprintf("“%s”的值是嵌套的对象或数组：只接受字符串、数字、布尔值或 null", key),
				fmt.Sprintf("the value of %q is a nested object or array: only strings, numbers, booleans and null are accepted", key))
		}
		if len(val) > opt.MaxCellBytes {
			problem(CodeCellTooLong, key,
				fmt.Sprintf("“%s”的值长 %d 字节，超过上限 %d 字节", key, len(val), opt.MaxCellBytes),
				fmt.Sprintf("the value of %q is %d bytes long, more than the limit of %d", key, len(val), opt.MaxCellBytes))
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, err
	}
	return row, nil
}

// skipJSONValue reads to the end of an object or array whose opening delimiter
// has been read, token by token.
func skipJSONValue(dec *json.Decoder) error {
	for depth := 1; depth > 0; {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		if d, ok := tok.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
	}
	return nil
}

// ndjsonTable reads one object per line.
type ndjsonTable struct {
	sc     *bufio.Scanner
	opt    Options
	header []string
	index  map[string]int
	first  *jsonRow
	line   int // physical line of the object last read
	err    error
}

// openNDJSON reads up to the first line that is not blank, whose object
// gives the header. A malformed first line is a FileError; a malformed
// later line is a RowError (lines are independent).
func openNDJSON(r io.Reader, opt Options) (Table, error) {
	br, err := openJSONText(r, opt)
	if err != nil {
		return nil, err
	}
	t := &ndjsonTable{opt: opt, sc: bufio.NewScanner(br)}
	maxLine := int(min(opt.maxRecordBytes(), 1<<31-1))
	t.sc.Buffer(make([]byte, 0, min(64<<10, maxLine)), maxLine)
	line, err := t.scan()
	if err != nil {
		if err == io.EOF {
			return nil, errEmptyFile()
		}
		return nil, err
	}
	first, err := t.parse(line, nil)
	if err != nil {
		return nil, err
	}
	if first.prob != nil && (first.prob.Code == CodeBadJSON || first.prob.Code == CodeBadEncoding) {
		return nil, &FileError{Code: CodeBadJSON, Line: t.line, Message: first.prob.Message, MessageEN: first.prob.MessageEN}
	}
	if t.header, t.index, err = objectHeader(first, t.line, opt); err != nil {
		return nil, err
	}
	t.first = first
	return t, nil
}

func (t *ndjsonTable) Header() []string { return t.header }
func (t *ndjsonTable) Line() int        { return t.line }
func (t *ndjsonTable) Close() error     { return nil }

// Next returns the object on the next line that is not blank.
func (t *ndjsonTable) Next() ([]string, error) {
	if t.err != nil {
		return nil, t.err
	}
	if t.first != nil {
		row := t.first
		t.first = nil
		return row.result()
	}
	line, err := t.scan()
	if err != nil {
		t.err = err
		return nil, err
	}
	row, err := t.parse(line, t.index)
	if err != nil {
		t.err = err
		return nil, err
	}
	return row.result()
}

// scan returns the next line that is not blank, trimmed.
func (t *ndjsonTable) scan() ([]byte, error) {
	for t.sc.Scan() {
		t.line++
		line := bytes.TrimSpace(t.sc.Bytes())
		if t.line == 1 {
			line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))
		}
		if len(line) > 0 {
			return line, nil
		}
	}
	switch err := t.sc.Err(); {
	case err == nil:
		return nil, io.EOF
	case errors.Is(err, bufio.ErrTooLong):
		return nil, fileErrorf(CodeRowTooLong, t.line+1,
			fmt.Sprintf("第 %d 行超过 %d 字节", t.line+1, t.opt.maxRecordBytes()),
			fmt.Sprintf("line %d is longer than %d bytes", t.line+1, t.opt.maxRecordBytes()))
	default:
		return nil, uploadReadError(err)
	}
}

// parse reads the object on one line. Problems with the line, including
// malformed JSON, come back in the row.
func (t *ndjsonTable) parse(line []byte, index map[string]int) (*jsonRow, error) {
	bad := func(code, zh, en string) *jsonRow {
		return &jsonRow{prob: rowErrorf(t.line, code, "", zh, en), raw: string(line)}
	}
	if !utf8.Valid(line) {
		return bad(CodeBadEncoding,
			fmt.Sprintf("第 %d 行含有无效的 UTF-8 字节：NDJSON 文件必须是 UTF-8 编码", t.line),
			fmt.Sprintf("line %d holds invalid UTF-8: an NDJSON file must be UTF-8", t.line)), nil
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	row, err := readJSONObject(dec, index, t.opt)
	if err == nil {
		if _, err = dec.Token(); err == io.EOF {
			if row.prob != nil {
				row.prob.Line = t.line
				row.raw = string(line)
			}
			return row, nil
		}
		if err == nil {
			err = fmt.Errorf("more than one value on the line")
		}
	}
	var se *json.SyntaxError
	col := dec.InputOffset() + 1
	if errors.As(err, &se) {
		col = se.Offset
	}
	return bad(CodeBadJSON,
		fmt.Sprintf("第 %d 行不是一个完整的 JSON 对象（第 %d 个字节附近）：%v", t.line, col, err),
		fmt.Sprintf("line %d is not one well-formed JSON object (near byte %d): %v", t.line, col, err)), nil
}
