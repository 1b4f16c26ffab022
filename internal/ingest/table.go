package ingest

import (
	"fmt"
	"io"
	"mime"
	"path"
	"slices"
	"strconv"
	"strings"
)

// Format is the format of an uploaded file.
type Format string

// The formats a department may upload.
const (
	FormatCSV    Format = "csv" // also tab-separated, detected from the header line
	FormatXLSX   Format = "xlsx"
	FormatJSON   Format = "json"   // a top-level array of objects
	FormatNDJSON Format = "ndjson" // one object per line (JSON Lines)
)

// Codes of RowError and FileError. They are stable: the API and the batch
// reports carry them.
const (
	// Row problems: the row is reported and reading goes on.
	CodeBadQuote     = "bad_quote"      // a stray quote inside one CSV line
	CodeTooManyCells = "too_many_cells" // non-empty cells beyond the header
	CodeCellTooLong  = "cell_too_long"  // a cell longer than Options.MaxCellBytes
	CodeBadEncoding  = "bad_encoding"   // also a FileError when the whole file is wrong
	CodeNestedValue  = "nested_value"   // a JSON object or array as a value
	CodeUnknownKey   = "unknown_key"    // a JSON key not in the first object
	CodeDuplicateKey = "duplicate_key"  // a JSON key twice in one object
	CodeNotObject    = "not_object"     // a JSON element that is not an object
	CodeBadJSON      = "bad_json"       // also a FileError for the JSON format
	CodeBadCell      = "bad_cell"       // an XLSX cell that cannot be read

	// File problems: reading stops.
	CodeEmptyFile           = "empty_file"
	CodeNoHeader            = "no_header"
	CodeDuplicateHeader     = "duplicate_header"
	CodeTooManyColumns      = "too_many_columns"
	CodeRowTooLong          = "row_too_long" // one record larger than MaxColumns*MaxCellBytes
	CodeNotCSV              = "not_csv"
	CodeNotXLSX             = "not_xlsx"
	CodeNoSheet             = "no_sheet"
	CodeTooLarge            = "too_large" // an XLSX that unpacks beyond the limit
	CodeTruncated           = "truncated"
	CodeReadError           = "read_error" // the upload itself failed; Unwrap gives the cause
	CodeUnsupportedFormat   = "unsupported_format"
	CodeUnsupportedEncoding = "unsupported_encoding"
)

// Defaults of Options.
const (
	DefaultMaxColumns   = 1000
	DefaultMaxCellBytes = 64 << 10
)

// Options bound what a reader accepts. The zero value is usable.
type Options struct {
	// Encoding is the declared character encoding of a CSV file: "" to
	// detect, or "utf-8", "gbk" (also "gb2312"), "gb18030", "utf-16"
	// ("utf-16le", "utf-16be" without a BOM). A byte order mark at the start
	// of the file wins over the declaration. JSON must be UTF-8 and accepts
	// only "" or "utf-8"; XLSX ignores it.
	Encoding string
	// Sheet is the XLSX sheet to read; "" reads the first one.
	Sheet string
	// MaxColumns bounds the cells of the header and of any row (default
	// 1000); more is a FileError too_many_columns.
	MaxColumns int
	// MaxCellBytes bounds one cell (default 64 KiB); a longer cell is a
	// RowError cell_too_long. MaxColumns*MaxCellBytes bounds one record (a
	// CSV record, an NDJSON line, a JSON element): a larger one is a
	// FileError row_too_long, so memory stays bounded whatever the input.
	MaxCellBytes int

	noPlain bool // XLSX: read through excelize only (tests compare the two)
}

func (o Options) withDefaults() Options {
	if o.MaxColumns <= 0 {
		o.MaxColumns = DefaultMaxColumns
	}
	if o.MaxCellBytes <= 0 {
		o.MaxCellBytes = DefaultMaxCellBytes
	}
	return o
}

// maxRecordBytes bounds one record of any format.
func (o Options) maxRecordBytes() int64 {
	return int64(o.MaxColumns) * int64(o.MaxCellBytes)
}

// Table streams rows of cells from a file: a header row, then data rows.
//
// Rows whose cells are all empty (blank lines, ",,,", formatted but empty
// spreadsheet rows) carry no data and are skipped wherever they are; row
// numbers are those of the source, so skipping never shifts them.
type Table interface {
	// Header returns the header cells, trimmed of spaces and byte order
	// marks. Empty cells at the end of the header row are dropped.
	Header() []string
	// Next returns the next data row, its cells aligned to the header:
	// padded with "" when short; a row with non-empty cells beyond the
	// header is a RowError. The slice belongs to the caller. At the end
	// Next returns io.EOF. A *RowError means this row cannot be read: the
	// caller reports it and calls Next again. With a RowError Next still
	// returns what it could read of the row, for quarantine: the cells
	// unaligned (a CSV record cut by a bad quote only up to it), or for
	// JSON and NDJSON one cell holding the element's text; nil when
	// nothing could be read. Any other error is a *FileError and is fatal;
	// Next keeps returning it.
	Next() ([]string, error)
	// Line returns the source row number of the row last returned (or
	// reported in a RowError): the Excel row number, the line on which a
	// CSV record starts, the line of an NDJSON object, or the ordinal of a
	// JSON array element. The header is row 1 for CSV and XLSX (unless
	// blank rows precede it); the first JSON object is row 1.
	Line() int
	// Close releases the table's resources (for XLSX, its temporary
	// files). It does not close the reader given to Open.
	Close() error
}

// Open reads the header of a file of format f from r and returns a Table
// positioned before the first data row. The caller keeps ownership of r.
//
// XLSX needs random access. An io.ReaderAt with a Size method of up to
// 32 MiB (bytes.Reader, io.SectionReader, an in-memory multipart file) is
// read into memory; anything else is spooled to a temporary file
// (os.CreateTemp), which is removed as soon as the workbook is open, since
// excelize unpacks what it needs then. Worksheets larger than 16 MiB
// unpacked go to excelize's own temporary files, which Close removes.
//
// Errors are *FileError: empty_file, no_header, duplicate_header,
// too_many_columns, bad_encoding, not_csv, not_xlsx, no_sheet, bad_json,
// truncated, read_error (wrapping the reader's error),
// unsupported_format, unsupported_encoding.
func Open(r io.Reader, f Format, opt Options) (Table, error) {
	opt = opt.withDefaults()
	switch f {
	case FormatCSV:
		return openCSV(r, opt)
	case FormatXLSX:
		return openXLSX(r, opt)
	case FormatJSON:
		return openJSON(r, opt)
	case FormatNDJSON:
		return openNDJSON(r, opt)
	}
	return nil, fileErrorf(CodeUnsupportedFormat, 0,
		fmt.Sprintf("不支持的文件格式 %q", string(f)),
		fmt.Sprintf("unsupported file format %q", string(f)))
}

// FormatOf maps the Content-Type of an upload (with an optional charset
// parameter, as in "text/csv; charset=gbk") or, when the type is missing or
// generic (application/octet-stream, text/plain, application/vnd.ms-excel,
// which Windows browsers send for .csv), the extension of its file name to
// a format and the declared character encoding ("" when none; gb2312 is
// reported as gbk). A specific Content-Type wins over the extension.
//
// Errors are *FileError: unsupported_format, unsupported_encoding.
func FormatOf(contentType, filename string) (Format, string, error) {
	var charset string
	mediatype, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		mediatype = "" // unparseable: judge by the name alone
	}
	if cs, ok := params["charset"]; ok && err == nil {
		if charset, err = normalizeCharset(cs); err != nil {
			return "", "", err
		}
	}
	switch mediatype {
	case "text/csv", "application/csv", "text/x-csv", "application/x-csv",
		"text/comma-separated-values", "text/tab-separated-values":
		return FormatCSV, charset, nil
	case "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
		return FormatXLSX, charset, nil
	case "application/json", "text/json":
		return FormatJSON, charset, nil
	case "application/x-ndjson", "application/ndjson", "application/jsonl",
		"application/x-jsonlines", "application/jsonlines":
		return FormatNDJSON, charset, nil
	case "", "application/octet-stream", "binary/octet-stream", "text/plain",
		"application/vnd.ms-excel", "application/x-unknown", "application/unknown":
		// Judge by the name below.
	default:
		return "", "", unsupportedFormat(contentType, filename)
	}
	switch strings.ToLower(path.Ext(filename)) {
	case ".csv", ".tsv":
		return FormatCSV, charset, nil
	case ".xlsx":
		if mediatype == "text/plain" {
			break
		}
		return FormatXLSX, charset, nil
	case ".json":
		return FormatJSON, charset, nil
	case ".ndjson", ".jsonl":
		return FormatNDJSON, charset, nil
	case ".xls", ".et", ".wps":
		return "", "", fileErrorf(CodeUnsupportedFormat, 0,
			"不支持旧版 Excel（.xls）等二进制格式，请另存为 .xlsx 或 CSV 后上传",
			"old binary spreadsheet formats (.xls) are not supported: save the file as .xlsx or CSV")
	}
	return "", "", unsupportedFormat(contentType, filename)
}

func unsupportedFormat(contentType, filename string) *FileError {
	return fileErrorf(CodeUnsupportedFormat, 0,
		fmt.Sprintf("不支持的文件类型（Content-Type %q，文件名 %q）：请上传 CSV、XLSX、JSON 或 NDJSON 文件", contentType, filename),
		fmt.Sprintf("unsupported file type (Content-Type %q, file name %q): upload CSV, XLSX, JSON or NDJSON", contentType, filename))
}

// RowError says why one row cannot be read. The caller reports it and reads
// on.
type RowError struct {
	Line      int    // source row number, as Table.Line
	Code      string // stable snake_case code, one of the Code* constants
	Field     string // the header name (or "列 N"/"column N") concerned, if any
	Message   string // zh-CN
	MessageEN string
}

// Error returns the English message with its code and line.
func (e *RowError) Error() string {
	return fmt.Sprintf("%s: line %d: %s", e.Code, e.Line, e.MessageEN)
}

func rowErrorf(line int, code, field, zh, en string) *RowError {
	return &RowError{Line: line, Code: code, Field: field, Message: zh, MessageEN: en}
}

// FileError says why a file cannot be read at all. Reading stops.
type FileError struct {
	Code      string // stable snake_case code, one of the Code* constants
	Line      int    // the source row where reading stopped, or 0
	Message   string // zh-CN
	MessageEN string
	err       error // cause kept for logs (read_error): never shown
}

// Error returns the English message with its code.
func (e *FileError) Error() string {
	s := e.Code + ": " + e.MessageEN
	if e.err != nil {
		s += ": " + e.err.Error()
	}
	return s
}

// Unwrap returns the cause of a read_error (for example an
// *http.MaxBytesError), or nil.
func (e *FileError) Unwrap() error { return e.err }

func fileErrorf(code string, line int, zh, en string) *FileError {
	return &FileError{Code: code, Line: line, Message: zh, MessageEN: en}
}

// readError wraps a failure of the upload's reader.
func uploadReadError(err error) *FileError {
	if fe, ok := err.(*FileError); ok {
		return fe
	}
	return &FileError{Code: CodeReadError, Message: "读取上传文件失败", MessageEN: "reading the upload failed", err: err}
}

// columnName names a column by its 1-based position for messages.
func colLabel(i int) (zh, en string) {
	return "第 " + strconv.Itoa(i) + " 列", "column " + strconv.Itoa(i)
}

// fieldName names cell i of a row: its header, or its position beyond the
// header.
func cellField(header []string, i int) string {
	if i < len(header) {
		return header[i]
	}
	_, en := colLabel(i + 1)
	return en
}

// trimCell trims spaces and byte order marks (U+FEFF, which survives when a
// file has two or was decoded from an encoding with its own BOM).
func trimCell(s string) string {
	return strings.TrimSpace(strings.Trim(strings.TrimSpace(s), "\ufeff"))
}

// isBlank reports whether all cells are empty or only spaces.
func blankRow(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// makeHeader trims the header cells, drops empty ones at the end and
// checks the rest: an empty cell in between is no_header, a repeated name
// duplicate_header, too many cells too_many_columns.
func makeHeader(cells []string, line int, opt Options) ([]string, error) {
	if len(cells) > opt.MaxColumns {
		return nil, tooManyColumns(line, len(cells), opt.MaxColumns)
	}
	h := make([]string, len(cells))
	for i, c := range cells {
		h[i] = trimCell(c)
	}
	for len(h) > 0 && h[len(h)-1] == "" {
		h = h[:len(h)-1]
	}
	if len(h) == 0 {
		return nil, fileErrorf(CodeNoHeader, line, "文件没有表头行", "the file has no header row")
	}
	seen := make(map[string]int, len(h))
	for i, name := range h {
		if name == "" {
			zh, en := colLabel(i + 1)
			return nil, fileErrorf(CodeNoHeader, line,
				fmt.Sprintf("表头%s为空：每一列都需要列名", zh),
				fmt.Sprintf("header %s is empty: every column needs a name", en))
		}
		if len(name) > opt.MaxCellBytes {
			zh, en := colLabel(i + 1)
			return nil, fileErrorf(CodeNoHeader, line,
				fmt.Sprintf("表头%s超过 %d 字节，不像列名", zh, opt.MaxCellBytes),
				fmt.Sprintf("header %s is longer than %d bytes: not a column name", en, opt.MaxCellBytes))
		}
		if j, dup := seen[name]; dup {
			return nil, fileErrorf(CodeDuplicateHeader, line,
				fmt.Sprintf("表头列名 %q 重复（第 %d 列和第 %d 列）", name, j+1, i+1),
				fmt.Sprintf("header name %q appears twice (columns %d and %d)", name, j+1, i+1))
		}
		seen[name] = i
	}
	return h, nil
}

func tooManyColumns(line, n, max int) *FileError {
	return fileErrorf(CodeTooManyColumns, line,
		fmt.Sprintf("第 %d 行有 %d 列，超过上限 %d 列", line, n, max),
		fmt.Sprintf("row %d has %d columns, more than the limit of %d", line, n, max))
}

// alignRow fits the cells of a data row to the header: padded with "", or
// cut when the cells beyond the header are all empty. It checks the length
// of each cell. The returned slice is new; with a RowError it holds all the
// cells, unaligned.
func alignRow(cells, header []string, line int, opt Options) ([]string, error) {
	if len(cells) > len(header) {
		for i := len(header); i < len(cells); i++ {
			if strings.TrimSpace(cells[i]) != "" {
				zh, en := colLabel(i + 1)
				return slices.Clone(cells), rowErrorf(line, CodeTooManyCells, en,
					fmt.Sprintf("第 %d 行的单元格多于表头（%s有值，表头只有 %d 列）", line, zh, len(header)),
					fmt.Sprintf("row %d has more cells than the header (%s has a value; the header has %d columns)", line, en, len(header)))
			}
		}
		cells = cells[:len(header)]
	}
	for i, c := range cells {
		if len(c) > opt.MaxCellBytes {
			return slices.Clone(cells), cellTooLong(line, header[i], len(c), opt.MaxCellBytes)
		}
	}
	row := make([]string, len(header))
	copy(row, cells)
	return row, nil
}

func cellTooLong(line int, field string, n, max int) *RowError {
	return rowErrorf(line, CodeCellTooLong, field,
		fmt.Sprintf("第 %d 行“%s”列的值长 %d 字节，超过上限 %d 字节", line, field, n, max),
		fmt.Sprintf("row %d: the value of %q is %d bytes long, more than the limit of %d", line, field, n, max))
}
