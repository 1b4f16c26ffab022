package ingest

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"path"
	"strconv"
	"strings"
)

// A plain worksheet is read straight from its XML part in the zip, token
// by token, instead of through excelize, whose row iterator decodes each
// cell into a struct and costs several times as much per row. The plain
// reader returns exactly what excelize's Rows.Columns returns, for the
// cells it understands: shared and inline strings, formula string results
// and numbers without a number format. Anything else (a number format, a
// boolean, error or date cell, an escaped character, a cell reference out
// of order, markup that does not parse) makes it hand over to excelize,
// at the start or in the middle of the sheet, so that such files read as
// they always did.

// errNotPlain says the workbook or a cell needs excelize.
var errNotPlain = errors.New("ingest: not a plain worksheet")

const (
	xlsxMaxRows = 1048576 // excelize.TotalRows
	xlsxMaxCols = 16384   // excelize.MaxColumns
)

// plainSheet streams the rows of one worksheet part.
type plainSheet struct {
	part   io.ReadCloser
	sc     *sheetScanner
	v, is  []byte // a cell's value and inline text, reused
	empty  bool   // the row element read ahead closes itself
	sst    []string
	styled []bool // by cell style index: has a number format
	row    int    // number of the last row returned
	next   int    // number of the row element read ahead, 0 if none
	done   bool
}

// openPlainSheet opens the named sheet (or the first) of the workbook in
// zr for plain reading. It returns errNotPlain when the workbook needs
// excelize, including every case in which excelize reports an error.
func openPlainSheet(zr *zip.Reader, sheet string) (*plainSheet, string, error) {
	files := map[string]*zip.File{}
	var total uint64
	for _, f := range zr.File {
		files[f.Name] = f
		total += f.UncompressedSize64
	}
	if total > xlsxUnzipSizeLimit {
		return nil, "", errNotPlain
	}
	type rel struct {
		ID     string `xml:"Id,attr"`
		Target string `xml:"Target,attr"`
	}
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	var rels struct {
		Rels []rel `xml:"Relationship"`
	}
	if err := decodePart(files, "xl/workbook.xml", 1<<20, &wb); err != nil {
		return nil, "", errNotPlain
	}
	if err := decodePart(files, "xl/_rels/workbook.xml.rels", 1<<20, &rels); err != nil {
		return nil, "", errNotPlain
	}
	if len(wb.Sheets) == 0 {
		return nil, "", errNotPlain
	}
	pick := wb.Sheets[0]
	if sheet != "" {
		found := false
		for _, s := range wb.Sheets {
			if strings.EqualFold(strings.TrimSpace(s.Name), strings.TrimSpace(sheet)) {
				pick, found = s, true
				break
			}
		}
		if !found {
			return nil, "", errNotPlain
		}
	}
	var target string
	for _, r := range rels.Rels {
		if r.ID == pick.RID {
			target = r.Target
		}
	}
	if target == "" {
		return nil, "", errNotPlain
	}
	if strings.HasPrefix(target, "/") {
		target = strings.TrimPrefix(target, "/")
	} else {
		target = path.Join("xl", target)
	}
	sf, ok := files[target]
	if !ok {
		return nil, "", errNotPlain
	}
	p := &plainSheet{}
	// Number formats: cells with a style that has one are excelize's.
	var styles struct {
		NumFmts []struct {
			ID int `xml:"numFmtId,attr"`
		} `xml:"numFmts>numFmt"`
		Xfs []struct {
			NumFmtID *int `xml:"numFmtId,attr"`
		} `xml:"cellXfs>xf"`
	}
	if _, ok := files["xl/styles.xml"]; ok {
		if err := decodePart(files, "xl/styles.xml", xlsxUnzipXMLSizeLimit, &styles); err != nil {
			return nil, "", errNotPlain
		}
	}
	for _, nf := range styles.NumFmts {
		if nf.ID == 0 {
			return nil, "", errNotPlain // General redefined
		}
	}
	for _, xf := range styles.Xfs {
		p.styled = append(p.styled, xf.NumFmtID != nil && *xf.NumFmtID != 0)
	}
	if f, ok := files["xl/sharedStrings.xml"]; ok {
		if f.UncompressedSize64 > xlsxUnzipXMLSizeLimit {
			return nil, "", errNotPlain // excelize keeps large tables in temporary files
		}
		var err error
		if p.sst, err = readSharedStrings(f); err != nil {
			return nil, "", errNotPlain
		}
	}
	rc, err := sf.Open()
	if err != nil {
		return nil, "", errNotPlain
	}
	p.part = rc
	p.sc = newSheetScanner(rc)
	return p, pick.Name, nil
}

// decodePart unmarshals a small part of the package.
func decodePart(files map[string]*zip.File, name string, limit uint64, v any) error {
	f, ok := files[name]
	if !ok {
		return errNotPlain
	}
	if f.UncompressedSize64 > limit {
		return errNotPlain
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	return xml.NewDecoder(rc).Decode(v)
}

// readSharedStrings reads the shared string table: each item's text, the
// runs of rich text joined, phonetic hints left out (as excelize does).
func readSharedStrings(f *zip.File) ([]string, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	dec := xml.NewDecoder(rc)
	var out []string
	var b strings.Builder
	depthRPh, inT, inSI := 0, false, false
	for {
		tok, err := dec.RawToken()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "si":
				inSI = true
				b.Reset()
			case "rPh":
				depthRPh++
			case "t":
				inT = inSI && depthRPh == 0
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "si":
				s := b.String()
				if strings.Contains(s, "_x") {
					return nil, errNotPlain // escaped characters: excelize's
				}
				out = append(out, s)
				inSI = false
			case "rPh":
				depthRPh--
			case "t":
				inT = false
			}
		case xml.CharData:
			if inT {
				b.Write(t)
			}
		}
	}
}

// Close closes the worksheet part.
func (p *plainSheet) Close() error { return p.part.Close() }

// Next returns the cells of the next row, numbered as excelize numbers
// them (rows missing from the XML come back empty), or io.EOF, or
// errNotPlain when the row needs excelize: the caller then rereads from
// row p.row+1 with excelize.
func (p *plainSheet) Next() ([]string, error) {
	if p.next == 0 && !p.done {
		if err := p.seekRow(); err != nil {
			return nil, err
		}
	}
	if p.next == 0 {
		return nil, io.EOF
	}
	if p.row+1 < p.next {
		p.row++
		return nil, nil // a row left out of the XML
	}
	cells, err := p.readCells()
	if err != nil {
		return nil, err
	}
	p.row, p.next = p.next, 0
	return cells, nil
}

// seekRow reads up to the next row element and sets p.next to its number.
func (p *plainSheet) seekRow() error {
	for {
		err := p.sc.next()
		if err == io.EOF {
			p.done = true
			return nil
		}
		if err != nil {
			return errNotPlain
		}
		switch p.sc.kind {
		case scanStart:
			if string(p.sc.name) != "row" {
				continue
			}
			n := p.row + 1
			if r, ok := p.sc.attr("r"); ok {
				v, err := strconv.Atoi(string(r))
				if err != nil || v <= p.row || v > xlsxMaxRows {
					return errNotPlain
				}
				n = v
			}
			p.next = n
			if p.sc.selfClose {
				p.sc.pendEnd = false
				p.empty = true
			}
			return nil
		case scanEnd:
			if string(p.sc.name) == "sheetData" {
				p.done = true
				return nil
			}
		}
	}
}

// readCells reads the cells of the row element just opened.
func (p *plainSheet) readCells() ([]string, error) {
	if p.empty {
		p.empty = false
		return nil, nil
	}
	var cells []string
	col := 0
	for {
		if err := p.sc.next(); err != nil {
			return nil, errNotPlain
		}
		switch p.sc.kind {
		case scanStart:
			if string(p.sc.name) != "c" {
				return nil, errNotPlain
			}
			c, err := p.readCell(col)
			if err != nil {
				return nil, err
			}
			col = c.col
			if c.value != "" || c.formula {
				for len(cells) < col-1 {
					cells = append(cells, "")
				}
				cells = append(cells, c.value)
			}
		case scanEnd:
			if string(p.sc.name) == "row" {
				return cells, nil
			}
			return nil, errNotPlain
		}
	}
}

type plainCell struct {
	col     int
	value   string
	formula bool
}

// readCell reads the c element just opened: its column (after prev when
// it names none), its value as excelize shows it, and whether it has a
// formula.
func (p *plainSheet) readCell(prev int) (plainCell, error) {
	c := plainCell{col: prev + 1}
	var typ string
	style := 0
	if r, ok := p.sc.attr("r"); ok {
		col, ok := refColumn(string(r), p.next)
		if !ok || col <= prev {
			return c, errNotPlain
		}
		c.col = col
	}
	if s, ok := p.sc.attr("s"); ok {
		v, err := strconv.Atoi(string(s))
		if err != nil || v < 0 {
			return c, errNotPlain
		}
		style = v
	}
	if t, ok := p.sc.attr("t"); ok {
		typ = string(t)
	}
	p.v, p.is = p.v[:0], p.is[:0]
	hasV := false
	inV, inT := false, false
	for depth := 1; depth > 0; {
		if err := p.sc.next(); err != nil {
			return c, errNotPlain
		}
		switch p.sc.kind {
		case scanStart:
			depth++
			switch string(p.sc.name) {
			case "v":
				inV, hasV = true, true
			case "t":
				inT = true
			case "f":
				c.formula = true
			case "rPh":
				return c, errNotPlain
			}
		case scanEnd:
			depth--
			switch string(p.sc.name) {
			case "v":
				inV = false
			case "t":
				inT = false
			}
		case scanText:
			if inV {
				p.v = append(p.v, p.sc.text...)
			} else if inT {
				p.is = append(p.is, p.sc.text...)
			}
		}
	}
	formatted := style > 0 && style < len(p.styled) && p.styled[style]
	switch typ {
	case "s":
		if !hasV {
			return c, errNotPlain
		}
		i, err := strconv.Atoi(string(bytes.TrimSpace(p.v)))
		if err != nil || i < 0 || i >= len(p.sst) || formatted {
			return c, errNotPlain
		}
		c.value = p.sst[i]
	case "inlineStr":
		if bytes.Contains(p.is, []byte("_x")) || formatted {
			return c, errNotPlain
		}
		c.value = string(p.is)
	case "str":
		c.value = string(p.v)
	case "", "n":
		if style != 0 {
			return c, errNotPlain // excelize formats it, even as General
		}
		c.value = plainNumber(string(p.v))
	default:
		return c, errNotPlain // b, e, d: excelize's
	}
	return c, nil
}

// plainNumber shows a number cell's value as excelize does without a
// number format: in decimal notation, at most 15 significant digits.
func plainNumber(s string) string {
	if strings.Contains(s, "_") {
		return s
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	full := strconv.FormatFloat(f, 'f', -1, 64)
	prec := len(full) - strings.Count(full, ".")
	if prec > 15 && !withinPrecision(s) {
		return strconv.FormatFloat(f, 'G', 15, 64)
	}
	return full
}

// withinPrecision reports whether s is an integer whose digits after the
// 15th significant one are all zeros.
func withinPrecision(s string) bool {
	if strings.ContainsAny(s, ".Ee") {
		return false
	}
	s = strings.TrimLeft(s, "+-0")
	return len(strings.TrimRight(s, "0")) <= 15
}

// refColumn returns the column of a cell reference such as "C12", which
// must be on row.
func refColumn(ref string, row int) (int, bool) {
	i, col := 0, 0
	for i < len(ref) && ref[i] >= 'A' && ref[i] <= 'Z' {
		col = col*26 + int(ref[i]-'A'+1)
		if col > xlsxMaxCols {
			return 0, false
		}
		i++
	}
	if i == 0 || i == len(ref) || ref[i] == '0' {
		return 0, false
	}
	n, err := strconv.Atoi(ref[i:])
	if err != nil || n != row || n > math.MaxInt32 {
		return 0, false
	}
	return col, true
}
