package license

import (
	"context"
	"errors"
	"io"
	"strconv"
	"strings"

	"huitong"
	"huitong/internal/audit"
	"huitong/internal/ingest"
)

// ImportInput is a file of existing licenses to import.
type ImportInput struct {
	Body        io.Reader
	ContentType string
	Filename    string
	Encoding    string
	Sheet       string
	// Progress, when set, is called with the rows read so far.
	Progress func(rows int)
}

// RowProblem is one problem of one row of an import file.
type RowProblem struct {
	Row       int    `json:"row"`
	Field     string `json:"field"`
	Rule      string `json:"rule"`
	Message   string `json:"message"`
	MessageEN string `json:"message_en"`
}

// ImportReport is the outcome of an import.
type ImportReport struct {
	ImportID int64  `json:"import_id"`
	TypeCode string `json:"type_code"`
	Rows     int    `json:"rows"`
	Imported int    `json:"imported"`
	Rejected int    `json:"rejected"`
	// Errors lists the problems of rejected rows, the first MaxImportErrors.
	Errors []RowProblem `json:"errors"`
	// First lists the identifiers of the first licenses imported.
	First []string `json:"first_identifiers"`
}

// Import limits.
const (
	MaxImportErrors = 1000
	importChunk     = 500
)

// importColumns maps the accepted headers of core metadata columns to
// their IssueInput part.
var importColumns = map[string]string{
	"holder_name": "holder_name", "持证者名称": "holder_name", "持证主体名称": "holder_name", "姓名": "holder_name", "名称": "holder_name",
	"holder_code": "holder_code", "持证主体代码": "holder_code", "持证者代码": "holder_code", "公民身份号码": "holder_code", "身份证号": "holder_code", "统一社会信用代码": "holder_code",
	"valid_from": "valid_from", "有效期起始日期": "valid_from", "有效期起": "valid_from",
	"valid_until": "valid_until", "有效期截止日期": "valid_until", "有效期至": "valid_until",
	"number": "number", "证照编号": "number",
}

// Import issues licenses of a type from a CSV, XLSX, JSON or NDJSON file
// of existing ones: one row a license, columns by field name or title
// plus holder_name, holder_code, valid_from, valid_until and number (or
// their Chinese titles). Rows that fail a check are reported, the others
// signed and stored like issued ones. A failure of the file or the store
// removes what the import had stored, so that an import is whole or absent.
func (s *Service) Import(ctx context.Context, typeCode string, in ImportInput) (ImportReport, error) {
	if _, err := huitong.Require(ctx); err != nil {
		return ImportReport{}, err
	}
	t, err := s.Type(ctx, strings.TrimSpace(typeCode))
	if err != nil {
		return ImportReport{}, err
	}
	p, err := s.issuerOf(ctx, t, "license_type:"+t.Code)
	if err != nil {
		return ImportReport{}, err
	}
	format, _, err := ingest.FormatOf(in.ContentType, in.Filename)
	if err != nil {
		return ImportReport{}, fileError(err)
	}
	tbl, err := ingest.Open(in.Body, format, ingest.Options{Encoding: in.Encoding, Sheet: in.Sheet})
	if err != nil {
		return ImportReport{}, fileError(err)
	}
	defer tbl.Close()

	// Map the header.
	cols := make([]string, len(tbl.Header())) // "core:<part>", "data:<field>" or ""
	var unknown []string
	seen := map[string]bool{}
	for i, h := range tbl.Header() {
		var col string
		if part, ok := importColumns[h]; ok {
			col = "core:" + part
		} else {
			for _, f := range t.Fields {
				if h == f.Name || h == f.Title {
					col = "data:" + f.Name
				}
			}
		}
		switch {
		case col == "":
			unknown = append(unknown, h)
		case seen[col]:
			return ImportReport{}, huitong.Invalidf("duplicate_column", "文件中有两列对应同一信息：%s", "two columns map to the same item: %s", h)
		}
		seen[col] = true
		cols[i] = col
	}
	if len(unknown) > 0 {
		return ImportReport{}, huitong.Invalidf("unknown_columns", "文件中有证照类型没有的列：%s", "the file has columns the license type lacks: %s",
			huitong.Clip(strings.Join(unknown, "、"), 200))
	}
	for _, need := range []string{"core:holder_name", "core:holder_code"} {
		if !seen[need] {
			return ImportReport{}, huitong.Invalidf("missing_column", "文件缺少列 %s", "the file lacks the column %s", strings.TrimPrefix(need, "core:"))
		}
	}

	now := s.now()
	c, err := newChecker(t, now)
	if err != nil {
		return ImportReport{}, err
	}
	ids, err := s.Store.NextLicenseSeq(ctx, 1, "license_import_id")
	if err != nil {
		return ImportReport{}, err
	}
	importID := ids[0]
	rep := ImportReport{ImportID: importID, TypeCode: t.Code, Errors: []RowProblem{}, First: []string{}}
	if _, err := s.Audit.Append(ctx, audit.Entry{Action: ActionImport, Object: "license_type:" + t.Code, Rule: "role:issuer",
		Detail: map[string]string{"import": strconv.FormatInt(importID, 10), "phase": "start"}}); err != nil {
		return ImportReport{}, err
	}
	stored := false
	fail := func(err error) (ImportReport, error) {
		if stored {
			if derr := s.Store.DeleteImportedLicenses(context.WithoutCancel(ctx), importID); derr != nil {
				err = errors.Join(err, derr)
			}
		}
		s.Audit.Append(context.WithoutCancel(ctx), audit.Entry{Action: ActionImport, Object: "license_type:" + t.Code, Outcome: audit.Failed,
			Reason: huitong.ErrorCode(err), Detail: map[string]string{"import": strconv.FormatInt(importID, 10)}})
		return ImportReport{}, err
	}
	var chunk []*License
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		if err := s.assign(ctx, chunk); err != nil {
			return err
		}
		if err := s.sign(ctx, chunk); err != nil {
			return err
		}
		ls := make([]License, len(chunk))
		holders := make([]string, 0, len(chunk))
		seen := map[string]bool{}
		for i, l := range chunk {
			ls[i] = *l
			if len(rep.First) < 100 {
				rep.First = append(rep.First, l.Identifier)
			}
			if !seen[l.Holder.Code] {
				seen[l.Holder.Code] = true
				holders = append(holders, l.Holder.Code)
			}
		}
		// One record a chunk names every holder, so that an imported
		// license shows in its holder's history like an issued one.
		if _, err := s.Audit.Append(ctx, audit.Entry{Action: ActionIssue, Object: "license_import:" + strconv.FormatInt(importID, 10),
			Rule: "role:issuer", Subjects: holders, Detail: map[string]string{"type": t.Code, "count": strconv.Itoa(len(ls)),
				"first": ls[0].Identifier, "last": ls[len(ls)-1].Identifier}}); err != nil {
			return err
		}
		stored = true
		if err := s.Store.InsertLicenses(ctx, ls); err != nil {
			return err
		}
		rep.Imported += len(ls)
		chunk = chunk[:0]
		return nil
	}
	for {
		if err := ctx.Err(); err != nil {
			return fail(err)
		}
		row, err := tbl.Next()
		if err == io.EOF {
			break
		}
		var re *ingest.RowError
		if errors.As(err, &re) {
			rep.Rows++
			rep.Rejected++
			rep.add(RowProblem{Row: re.Line, Field: re.Field, Rule: re.Code, Message: re.Message, MessageEN: re.MessageEN})
			continue
		}
		if err != nil {
			return fail(fileError(err))
		}
		rep.Rows++
		if in.Progress != nil && rep.Rows%1000 == 0 {
			in.Progress(rep.Rows)
		}
		ii := IssueInput{TypeCode: t.Code, Data: map[string]any{}}
		for i, cell := range row {
			if i >= len(cols) {
				break
			}
			kind, name, _ := strings.Cut(cols[i], ":")
			if kind == "data" {
				ii.Data[name] = cell
				continue
			}
			switch name {
			case "holder_name":
				ii.Holder.Name = cell
			case "holder_code":
				ii.Holder.Code = cell
			case "valid_from":
				ii.ValidFrom = cell
			case "valid_until":
				ii.ValidUntil = cell
			case "number":
				ii.Number = cell
			}
		}
		l := &License{TypeCode: t.Code, TypeName: t.Name, IssuerUSCC: p.OrgUSCC, IssuedAt: now, IssuedBy: p.Actor(),
			Version: 1, Status: Active, ImportID: importID}
		var v huitong.Validation
		c.content(&v, l, ii)
		if err := v.Err(); err != nil {
			rep.Rejected++
			var he *huitong.Error
			if errors.As(err, &he) {
				for _, d := range he.Details {
					rep.add(RowProblem{Row: tbl.Line(), Field: d.Field, Rule: d.Code, Message: d.Message, MessageEN: d.MessageEN})
				}
			}
			continue
		}
		chunk = append(chunk, l)
		if len(chunk) == importChunk {
			if err := flush(); err != nil {
				return fail(err)
			}
		}
	}
	if err := flush(); err != nil {
		return fail(err)
	}
	if in.Progress != nil {
		in.Progress(rep.Rows)
	}
	if _, err := s.Audit.Append(ctx, audit.Entry{Action: ActionImport, Object: "license_type:" + t.Code, Rule: "role:issuer",
		Detail: map[string]string{"import": strconv.FormatInt(importID, 10), "phase": "done", "rows": strconv.Itoa(rep.Rows),
			"imported": strconv.Itoa(rep.Imported), "rejected": strconv.Itoa(rep.Rejected)}}); err != nil {
		return fail(err)
	}
	return rep, nil
}

func (r *ImportReport) add(p RowProblem) {
	if len(r.Errors) < MaxImportErrors {
		r.Errors = append(r.Errors, p)
	}
}

// fileError turns an ingest file error into an API error.
func fileError(err error) error {
	var he *huitong.Error
	if errors.As(err, &he) {
		return he
	}
	var fe *ingest.FileError
	if errors.As(err, &fe) {
		e := huitong.Invalidf(fe.Code, fe.Message, fe.MessageEN)
		if fe.Code == ingest.CodeTooLarge {
			e.Kind = huitong.TooLarge
		}
		return e
	}
	return err
}
