package ingest

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// csvTable reads CSV (or tab-separated) text with encoding/csv, one record
// at a time: memory is bounded by the largest record, never by the file.
type csvTable struct {
	text   *textReader
	cnt    *countingReader
	cr     *csv.Reader
	opt    Options
	comma  rune
	header []string
	line   int
	err    error // sticky: io.EOF or a *FileError
}

// errRecordTooLong is what countingReader returns when one record grows
// beyond Options.maxRecordBytes; the table turns it into a FileError.
var errRecordTooLong = errors.New("ingest: record too long")

// openCSV sniffs the encoding and the separator and reads the header: the
// first record that is not blank.
func openCSV(r io.Reader, opt Options) (Table, error) {
	declared, err := normalizeCharset(opt.Encoding)
	if err != nil {
		return nil, err
	}
	text, err := newTextReader(r, declared)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(text, sniffLen)
	t := &csvTable{text: text, opt: opt, comma: sniffComma(br)}
	t.cnt = &countingReader{r: br, limit: opt.maxRecordBytes()}
	t.cr = csv.NewReader(t.cnt)
	t.cr.Comma = t.comma
	t.cr.FieldsPerRecord = -1
	t.cr.ReuseRecord = true
	for {
		rec, err := t.read()
		switch e := err.(type) {
		case nil:
		case *RowError:
			// A header that cannot be read is a file that cannot be read.
			return nil, &FileError{Code: e.Code, Line: e.Line, Message: e.Message, MessageEN: e.MessageEN}
		default:
			if err == io.EOF {
				return nil, errEmptyFile()
			}
			return nil, err
		}
		if len(rec) > opt.MaxColumns {
			return nil, tooManyColumns(t.line, len(rec), opt.MaxColumns)
		}
		if blankRow(rec) {
			continue
		}
		if i := t.badText(rec); i >= 0 {
			zh, en := colLabel(i + 1)
			return nil, fileErrorf(CodeBadEncoding, t.line,
				fmt.Sprintf("表头%s含有无法按 %s 解码的字节：请确认文件编码", zh, t.text.charset),
				fmt.Sprintf("header %s holds bytes that are not valid %s: check the file's encoding", en, t.text.charset))
		}
		if t.header, err = makeHeader(rec, t.line, opt); err != nil {
			return nil, err
		}
		return t, nil
	}
}

// sniffComma returns '\t' when the first non-blank line has tabs and no
// commas, else ','.
func sniffComma(br *bufio.Reader) rune {
	head, _ := br.Peek(sniffLen)
	for len(head) > 0 {
		line := head
		if i := bytes.IndexByte(head, '\n'); i >= 0 {
			line, head = head[:i], head[i+1:]
		} else {
			head = nil
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if bytes.IndexByte(line, '\t') >= 0 && bytes.IndexByte(line, ',') < 0 {
			return '\t'
		}
		break
	}
	return ','
}

func (t *csvTable) Header() []string { return t.header }
func (t *csvTable) Line() int        { return t.line }
func (t *csvTable) Close() error     { return nil }

// Encoding returns the character encoding the file was read in: "utf-8",
// "gbk", "gb18030" or "utf-16". Callers may record it with the batch.
func (t *csvTable) Encoding() string { return t.text.charset }

// Comma returns the field separator: ',' or '\t'.
func (t *csvTable) Comma() rune { return t.comma }

// Next returns the next record that is not blank, aligned to the header.
func (t *csvTable) Next() ([]string, error) {
	if t.err != nil {
		return nil, t.err
	}
	for {
		rec, err := t.read()
		if err != nil {
			if _, ok := err.(*RowError); !ok {
				t.err = err
				rec = nil
			}
			return rec, err
		}
		if len(rec) > t.opt.MaxColumns {
			t.err = tooManyColumns(t.line, len(rec), t.opt.MaxColumns)
			return nil, t.err
		}
		if blankRow(rec) {
			continue
		}
		if i := t.badText(rec); i >= 0 {
			f := cellField(t.header, i)
			return slices.Clone(rec), rowErrorf(t.line, CodeBadEncoding, f,
				fmt.Sprintf("第 %d 行“%s”列含有无法按 %s 解码的字节", t.line, f, t.text.charset),
				fmt.Sprintf("row %d: %q holds bytes that are not valid %s", t.line, f, t.text.charset))
		}
		return alignRow(rec, t.header, t.line, t.opt)
	}
}

// read reads one record and sets t.line to the line it starts on. Quote
// errors confined to the record are RowErrors; one that swallowed the lines
// after it, or ran to the end of the file, is a FileError: the records it
// ate cannot be told apart any more, and reporting one bad row would hide
// that many more are missing.
func (t *csvTable) read() ([]string, error) {
	rec, err := t.cr.Read()
	t.cnt.base = t.cr.InputOffset()
	if err == nil {
		t.line, _ = t.cr.FieldPos(0)
		return rec, nil
	}
	if err == io.EOF {
		return nil, io.EOF
	}
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		if err == errRecordTooLong {
			return nil, fileErrorf(CodeRowTooLong, t.line+1,
				fmt.Sprintf("第 %d 行之后的一条记录超过 %d 字节：可能是引号不配对或列过多", t.line, t.opt.maxRecordBytes()),
				fmt.Sprintf("a record after line %d is larger than %d bytes: an unbalanced quote or too many columns", t.line, t.opt.maxRecordBytes()))
		}
		return nil, uploadReadError(err)
	}
	t.line = pe.StartLine
	atEOF := t.cnt.eof && t.cr.InputOffset() == t.cnt.n
	switch {
	case pe.Err == csv.ErrQuote && atEOF:
		return nil, fileErrorf(CodeTruncated, pe.StartLine,
			fmt.Sprintf("第 %d 行开始的引号直到文件末尾都没有闭合：文件可能被截断，或引号不配对", pe.StartLine),
			fmt.Sprintf("the quote opened on line %d is never closed before the end of the file: the file is truncated or a quote is unbalanced", pe.StartLine))
	case pe.Err == csv.ErrQuote && pe.Line != pe.StartLine:
		return nil, fileErrorf(CodeBadQuote, pe.StartLine,
			fmt.Sprintf("第 %d 行开始的引号字段到第 %d 行才结束且格式错误：很可能是引号不配对，之间的行无法可靠读取", pe.StartLine, pe.Line),
			fmt.Sprintf("a quoted field opened on line %d ends badly on line %d: probably an unbalanced quote; the lines between cannot be read reliably", pe.StartLine, pe.Line))
	case pe.Err == csv.ErrQuote || pe.Err == csv.ErrBareQuote:
		return slices.Clone(rec), rowErrorf(pe.StartLine, CodeBadQuote, "",
			fmt.Sprintf("第 %d 行第 %d 个字符处引号用法错误：含引号、逗号或换行的值须整体用双引号括起，值中的引号写作两个双引号", pe.Line, pe.Column),
			fmt.Sprintf("line %d, character %d: misplaced quote; a value holding quotes, commas or line breaks must be quoted as a whole, with inner quotes doubled", pe.Line, pe.Column))
	}
	return nil, fileErrorf(CodeNotCSV, pe.StartLine,
		fmt.Sprintf("第 %d 行无法按 CSV 读取", pe.StartLine),
		fmt.Sprintf("line %d cannot be read as CSV: %v", pe.StartLine, pe.Err))
}

// badText returns the index of the first cell that holds bytes the file's
// encoding could not decode, or -1.
func (t *csvTable) badText(rec []string) int {
	for i, c := range rec {
		if t.text.decoded {
			if strings.ContainsRune(c, utf8.RuneError) {
				return i
			}
		} else if !utf8.ValidString(c) {
			return i
		}
	}
	return -1
}

// countingReader counts the bytes the csv.Reader takes and fails once a
// single record has taken more than limit: encoding/csv has no limit of
// its own and would grow its buffers for a file without line breaks, or
// with one unbalanced quote, until memory runs out.
type countingReader struct {
	r     io.Reader
	n     int64 // bytes read
	base  int64 // input offset where the current record starts
	limit int64
	eof   bool
	err   error
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	if c.n-c.base > c.limit {
		c.err = errRecordTooLong
		return 0, c.err
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	switch {
	case err == io.EOF:
		c.eof = true
	case err != nil:
		c.err = err
	}
	return n, err
}
