package ingest

import (
	"strings"

	"github.com/xuri/excelize/v2"
)

// Workbook builds the XLSX form of a batch report: the rejected rows under
// the file's own header, with a column saying what is wrong, ready to fix
// and upload again; and every finding on a second sheet. The API's errors
// download and the console's both serve it.
func (rep Report) Workbook() (*excelize.File, error) {
	f := excelize.NewFile()
	const rowsSheet, findingsSheet = "被拒记录", "问题清单"
	f.SetSheetName("Sheet1", rowsSheet)
	if _, err := f.NewSheet(findingsSheet); err != nil {
		return nil, err
	}
	byRow := map[int][]string{}
	for _, fd := range rep.Findings {
		if fd.Severity == SeverityError {
			byRow[fd.Row] = append(byRow[fd.Row], strings.TrimSpace(fd.Field+" "+fd.Message))
		}
	}
	sw, err := f.NewStreamWriter(rowsSheet)
	if err != nil {
		return nil, err
	}
	header := []any{}
	for _, c := range rep.Batch.Columns {
		header = append(header, c.Header)
	}
	header = append(header, "错误说明（修改后删除此列再上传）", "原行号")
	if err := sw.SetRow("A1", header); err != nil {
		return nil, err
	}
	for i, rj := range rep.Rejected {
		row := make([]any, 0, len(rj.Cells)+2)
		for _, c := range rj.Cells {
			row = append(row, c)
		}
		for len(row) < len(rep.Batch.Columns) {
			row = append(row, "")
		}
		row = append(row, strings.Join(byRow[rj.Row], "；"), rj.Row)
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, row); err != nil {
			return nil, err
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, err
	}
	fw, err := f.NewStreamWriter(findingsSheet)
	if err != nil {
		return nil, err
	}
	fw.SetRow("A1", []any{"行号", "信息项", "规则", "级别", "问题说明", "message"})
	for i, fd := range rep.Findings {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := fw.SetRow(cell, []any{fd.Row, fd.Field, fd.Rule, fd.Severity, fd.Message, fd.MessageEN}); err != nil {
			return nil, err
		}
	}
	return f, fw.Flush()
}
