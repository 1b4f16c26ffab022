package ingest

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Limits of an XLSX upload. A workbook is a zip; its parts are unpacked
// before reading, the worksheets and shared strings above the XML limit to
// temporary files rather than memory.
const (
	xlsxUnzipSizeLimit    = 2 << 30  // all parts unpacked: beyond this the file is too_large
	xlsxUnzipXMLSizeLimit = 16 << 20 // larger parts go to temporary files
	xlsxInMemory          = 32 << 20 // an io.ReaderAt upload up to this is read without a spool file
)

// xlsxTable reads one worksheet with excelize's streaming row iterator.
//
// Cells are read as Excel shows them (their number format applied) and
// trimmed, so "00123" stays "00123" and 1234.5 formatted "#,##0.00" reads
// "1,234.50". Dates in the built-in short date format (14, shown by
// Chinese Excel as 2024/3/5) read "2024-03-05"; locale-dependent formats
// follow zh-CN. A formula cell reads its cached value: what Excel or WPS
// computed when the file was last saved. The formula is not evaluated, so
// a workbook written by a program that stored formulas without values
// reads those cells as empty.
type xlsxTable struct {
	f      *excelize.File
	rows   *excelize.Rows
	plain  *plainSheet // while the sheet is read without excelize
	src    io.ReaderAt // the workbook
	size   int64
	file   *os.File // the spool file, if any (already unlinked)
	opt    Options
	sheet  string
	header []string
	rowNum int // Excel row number of the row last read
	line   int
	err    error // sticky: io.EOF or a *FileError
}

// openXLSX opens the workbook, picks the sheet and reads the header: the
// first row that is not blank. A plain worksheet is read straight from
// the zip (see xlsxfast.go); anything else through excelize.
func openXLSX(r io.Reader, opt Options) (t Table, err error) {
	x := &xlsxTable{opt: opt}
	defer func() {
		// excelize parses untrusted XML; a panic in it must not take the
		// server down.
		if p := recover(); p != nil {
			_ = x.Close()
			t, err = nil, notXLSX(fmt.Sprint(p))
		}
	}()
	if ra, ok := r.(interface {
		io.ReaderAt
		Size() int64
	}); ok && ra.Size() <= xlsxInMemory {
		if ra.Size() == 0 {
			return nil, errEmptyFile()
		}
		x.src, x.size = ra, ra.Size()
	} else {
		var name string
		if name, err = spoolXLSX(r); err != nil {
			return nil, err
		}
		f, err := os.Open(name)
		// The open file stays readable: the spool can go now.
		_ = os.Remove(name)
		if err != nil {
			_ = x.Close()
			return nil, uploadReadError(err)
		}
		st, err := f.Stat()
		if err != nil {
			f.Close()
			_ = x.Close()
			return nil, uploadReadError(err)
		}
		x.file, x.src, x.size = f, f, st.Size()
	}
	if zr, zerr := zip.NewReader(x.src, x.size); zerr == nil && !x.opt.noPlain {
		if ps, name, perr := openPlainSheet(zr, opt.Sheet); perr == nil {
			x.plain, x.sheet = ps, name
		}
	}
	if x.plain == nil {
		if err := x.openExcelize(); err != nil {
			_ = x.Close()
			return nil, err
		}
	}
	for {
		cells, err := x.read()
		switch e := err.(type) {
		case nil:
		case *RowError:
			_ = x.Close()
			return nil, &FileError{Code: e.Code, Line: e.Line, Message: e.Message, MessageEN: e.MessageEN}
		default:
			_ = x.Close()
			if err == io.EOF {
				return nil, fileErrorf(CodeEmptyFile, 0,
					fmt.Sprintf("工作表 %q 是空的", x.sheet),
					fmt.Sprintf("sheet %q is empty", x.sheet))
			}
			return nil, err
		}
		if blankRow(cells) {
			continue
		}
		if x.header, err = makeHeader(cells, x.line, opt); err != nil {
			_ = x.Close()
			return nil, err
		}
		return x, nil
	}
}

// openExcelize opens the workbook with excelize, picks the sheet (when no
// plain reading picked it) and positions the row iterator after the rows
// already read.
func (x *xlsxTable) openExcelize() (err error) {
	xo := excelize.Options{
		UnzipSizeLimit:    xlsxUnzipSizeLimit,
		UnzipXMLSizeLimit: xlsxUnzipXMLSizeLimit,
		ShortDatePattern:  "yyyy-mm-dd",
		CultureInfo:       excelize.CultureNameZhCN,
	}
	if x.file != nil {
		// excelize opens a file by name: a copy of the spool, removed as
		// soon as excelize has unpacked what it needs and closed it.
		var name string
		if name, err = spoolXLSX(io.NewSectionReader(x.src, 0, x.size)); err != nil {
			return err
		}
		x.f, err = excelize.OpenFile(name, xo)
		_ = os.Remove(name)
	} else {
		x.f, err = excelize.OpenReader(io.NewSectionReader(x.src, 0, x.size), xo)
	}
	if err != nil {
		return xlsxOpenError(err)
	}
	if x.sheet == "" {
		sheets := x.f.GetSheetList()
		if len(sheets) == 0 {
			return notXLSX("no worksheets")
		}
		x.sheet = sheets[0]
		if x.opt.Sheet != "" {
			x.sheet = ""
			for _, s := range sheets {
				if strings.EqualFold(strings.TrimSpace(s), strings.TrimSpace(x.opt.Sheet)) {
					x.sheet = s
					break
				}
			}
			if x.sheet == "" {
				return fileErrorf(CodeNoSheet, 0,
					fmt.Sprintf("工作簿中没有名为 %q 的工作表；现有工作表：%s", x.opt.Sheet, strings.Join(sheets, "、")),
					fmt.Sprintf("the workbook has no sheet named %q; its sheets are: %s", x.opt.Sheet, strings.Join(sheets, ", ")))
			}
		}
	}
	if x.rows, err = x.f.Rows(x.sheet); err != nil {
		return notXLSX(err.Error())
	}
	for range x.rowNum {
		if !x.rows.Next() {
			break
		}
	}
	return nil
}

// spoolXLSX copies r to a temporary file and returns its name.
func spoolXLSX(r io.Reader) (string, error) {
	f, err := os.CreateTemp("", "huitong-ingest-*.xlsx")
	if err != nil {
		return "", &FileError{Code: CodeReadError, Message: "无法创建临时文件", MessageEN: "cannot create a temporary file", err: err}
	}
	n, err := io.Copy(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n == 0 {
		err = errEmptyFile()
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return "", uploadReadError(err)
	}
	return f.Name(), nil
}

func xlsxOpenError(err error) *FileError {
	if strings.Contains(err.Error(), "unzip size exceeds") {
		return fileErrorf(CodeTooLarge, 0,
			fmt.Sprintf("工作簿解压后超过 %d MiB：请拆分文件或改用 CSV", xlsxUnzipSizeLimit>>20),
			fmt.Sprintf("the workbook unpacks to more than %d MiB: split it or upload CSV", xlsxUnzipSizeLimit>>20))
	}
	if errors.Is(err, excelize.ErrWorkbookFileFormat) || errors.Is(err, excelize.ErrWorkbookPassword) {
		return fileErrorf(CodeNotXLSX, 0,
			"这是旧版 Excel（.xls）或加密的工作簿：请去掉密码并另存为 .xlsx 后上传",
			"this is an old Excel (.xls) or a password-protected workbook: remove the password and save it as .xlsx")
	}
	if errors.Is(err, zip.ErrFormat) || errors.Is(err, zip.ErrAlgorithm) || errors.Is(err, zip.ErrChecksum) {
		return notXLSX("")
	}
	return notXLSX(err.Error())
}

func notXLSX(detail string) *FileError {
	e := fileErrorf(CodeNotXLSX, 0,
		"文件不是有效的 Excel 工作簿（.xlsx）",
		"the file is not a valid Excel workbook (.xlsx)")
	if detail != "" {
		e.err = errors.New(detail)
	}
	return e
}

func (x *xlsxTable) Header() []string { return x.header }
func (x *xlsxTable) Line() int        { return x.line }

// Sheet returns the name of the sheet being read.
func (x *xlsxTable) Sheet() string { return x.sheet }

// Close removes the temporary files of the workbook.
func (x *xlsxTable) Close() error {
	var err error
	if x.plain != nil {
		_ = x.plain.Close()
		x.plain = nil
	}
	if x.rows != nil {
		_ = x.rows.Close()
		x.rows = nil
	}
	if x.f != nil {
		err = x.f.Close()
		x.f = nil
	}
	if x.file != nil {
		_ = x.file.Close()
		x.file = nil
	}
	if x.err == nil {
		x.err = fileErrorf(CodeReadError, x.line, "表格已关闭", "the table is closed")
	}
	return err
}

// Next returns the next row that is not blank, aligned to the header.
func (x *xlsxTable) Next() (row []string, err error) {
	if x.err != nil {
		return nil, x.err
	}
	defer func() {
		if p := recover(); p != nil {
			x.err = notXLSX(fmt.Sprint(p))
			row, err = nil, x.err
		}
	}()
	for {
		cells, err := x.read()
		if err != nil {
			if _, ok := err.(*RowError); !ok {
				x.err = err
				cells = nil
			}
			return cells, err
		}
		if blankRow(cells) {
			continue
		}
		return alignRow(cells, x.header, x.line, x.opt)
	}
}

// read reads the next row of the sheet, blank or not, with its cells
// trimmed. Rows missing from the sheet's XML come back as blank rows.
func (x *xlsxTable) read() ([]string, error) {
	var cells []string
	var err error
	if x.plain != nil {
		cells, err = x.plain.Next()
		if err == errNotPlain {
			// From here on excelize reads, from the row that needs it.
			_ = x.plain.Close()
			x.plain = nil
			if err := x.openExcelize(); err != nil {
				return nil, err
			}
			return x.read()
		}
		if err != nil {
			return nil, err // io.EOF
		}
		x.rowNum = x.plain.row
		x.line = x.rowNum
	} else {
		if !x.rows.Next() {
			if err := x.rows.Error(); err != nil {
				return nil, notXLSX(err.Error())
			}
			return nil, io.EOF
		}
		x.rowNum++
		x.line = x.rowNum
		cells, err = x.rows.Columns()
	}
	if err != nil {
		return cells, rowErrorf(x.line, CodeBadCell, "",
			fmt.Sprintf("第 %d 行有无法读取的单元格", x.line),
			fmt.Sprintf("row %d has a cell that cannot be read: %v", x.line, err))
	}
	if len(cells) > x.opt.MaxColumns {
		return nil, tooManyColumns(x.line, len(cells), x.opt.MaxColumns)
	}
	for i, c := range cells {
		cells[i] = strings.TrimSpace(c)
	}
	return cells, nil
}
