package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"huitong"
	"huitong/internal/ingest"
)

func boolParam(r *http.Request, name string) (bool, error) {
	switch strings.ToLower(r.URL.Query().Get(name)) {
	case "", "false", "0", "no":
		return false, nil
	case "true", "1", "yes":
		return true, nil
	}
	return false, huitong.Invalidf("invalid_parameter", "参数 %s 须为 true 或 false", "parameter %s must be true or false", name)
}

func (s *Server) createBatch(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	strict, err := boolParam(r, "strict")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	body := ingest.SizeLimited(http.MaxBytesReader(w, r.Body, ingest.MaxUploadBytes))
	b, err := s.Ingest.Ingest(r.Context(), r.PathValue("code"), ingest.Upload{
		Body: body, ContentType: r.Header.Get("Content-Type"), Filename: q.Get("filename"),
		Encoding: q.Get("encoding"), Mode: q.Get("mode"), Strict: strict, Sheet: q.Get("sheet"),
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if b.AuditIndex >= 0 {
		w.Header().Set("X-Huitong-Audit-Index", strconv.FormatInt(b.AuditIndex, 10))
	}
	if b.Errors == nil {
		b.Errors = []ingest.Finding{}
	}
	writeJSON(w, http.StatusCreated, b)
}

func pathID(r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	return id, err == nil && id > 0
}

func (s *Server) getBatch(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.writeError(w, r, huitong.NotFoundf("batch_not_found", "批次不存在", "batch not found"))
		return
	}
	b, err := s.Ingest.GetBatch(r.Context(), id)
	answer(s, w, r, http.StatusOK, b, err)
}

func (s *Server) batchErrors(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.writeError(w, r, huitong.NotFoundf("batch_not_found", "批次不存在", "batch not found"))
		return
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "json"
	}
	if format != "json" && format != "csv" && format != "xlsx" {
		s.writeError(w, r, huitong.Invalidf("invalid_parameter", "format 须为 json、csv 或 xlsx", "format must be json, csv or xlsx"))
		return
	}
	rep, err := s.Ingest.BatchReport(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	name := fmt.Sprintf("batch-%d-errors", id)
	switch format {
	case "json":
		if rep.Findings == nil {
			rep.Findings = []ingest.Finding{}
		}
		if rep.Rejected == nil {
			rep.Rejected = []ingest.Rejected{}
		}
		writeJSON(w, http.StatusOK, map[string]any{"batch_id": id, "columns": rep.Batch.Columns, "errors": rep.Findings, "rejected_rows": rep.Rejected})
	case "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
		w.Write([]byte("\ufeff")) // so that Excel reads UTF-8
		cw := csv.NewWriter(w)
		cw.Write([]string{"行号", "信息项", "规则", "级别", "问题说明", "message"})
		for _, f := range rep.Findings {
			cw.Write([]string{strconv.Itoa(f.Row), f.Field, f.Rule, f.Severity, safeCell(f.Message), safeCell(f.MessageEN)})
		}
		cw.Flush()
	case "xlsx":
		f, err := rep.Workbook()
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		defer f.Close()
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.xlsx"`)
		f.Write(w)
	}
}

// safeCell keeps a spreadsheet from reading a text as a formula.
func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=@", rune(s[0])) {
		return "'" + s
	}
	return s
}

func (s *Server) listBatches(w http.ResponseWriter, r *http.Request) {
	before, _, err := int64Param(r, "page_token")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	bs, next, err := s.Ingest.ListBatches(r.Context(), r.PathValue("code"), before)
	answer(s, w, r, http.StatusOK, map[string]any{"items": bs, "next_page_token": next}, err)
}

func (s *Server) deleteRecord(w http.ResponseWriter, r *http.Request) {
	err := s.Ingest.DeleteRecord(r.Context(), r.PathValue("code"), r.PathValue("key"))
	answer(s, w, r, http.StatusOK, map[string]bool{"deleted": true}, err)
}

func (s *Server) quality(w http.ResponseWriter, r *http.Request) {
	q, err := s.Ingest.Quality(r.Context(), r.PathValue("code"))
	answer(s, w, r, http.StatusOK, q, err)
}
