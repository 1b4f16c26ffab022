package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"huitong"
	"huitong/internal/audit"
	"huitong/internal/catalog"
)

// canRead reports whether p may read a provider's batches and quality:
// the provider org, admins and auditors.
func canRead(p *huitong.Principal, provider string) bool {
	return p.IsAdmin() || p.HasRole(huitong.RoleAuditor) || p.InOrg(provider)
}

func errBatchNotFound(id int64) error {
	return huitong.NotFoundf("batch_not_found", "批次 %d 不存在", "batch %d not found", id)
}

// GetBatch returns a batch with its first findings.
// Errors: Unauthenticated, NotFound (batch_not_found).
func (s *Service) GetBatch(ctx context.Context, id int64) (Batch, error) {
	p, err := huitong.Require(ctx)
	if err != nil {
		return Batch{}, err
	}
	b, err := s.Store.GetBatch(ctx, id)
	if errors.Is(err, huitong.ErrNoRecord) {
		return Batch{}, errBatchNotFound(id)
	}
	if err != nil {
		return Batch{}, huitong.Fault("ingest get batch", err)
	}
	r, err := s.Resource(ctx, b.ResourceCode)
	if err != nil {
		return Batch{}, err
	}
	if !canRead(p, r.ProviderUSCC) {
		return Batch{}, errBatchNotFound(id) // do not tell others it exists
	}
	if b.Errors, err = s.Store.Findings(ctx, id, 0, reportErrors); err != nil {
		return Batch{}, huitong.Fault("ingest findings", err)
	}
	if b.Errors == nil {
		b.Errors = []Finding{}
	}
	return b, nil
}

// Report is everything known about a batch's problems: every finding and
// every quarantined row with its cells, for fixing and uploading again.
type Report struct {
	Batch    Batch
	Findings []Finding
	Rejected []Rejected
}

// BatchReport returns a batch's full report. The quarantined cells are the
// provider's own data, so only the provider org (and admins) may read it.
// Errors: Unauthenticated, NotFound.
func (s *Service) BatchReport(ctx context.Context, id int64) (Report, error) {
	p, err := huitong.Require(ctx)
	if err != nil {
		return Report{}, err
	}
	b, err := s.GetBatch(ctx, id)
	if err != nil {
		return Report{}, err
	}
	r, err := s.Resource(ctx, b.ResourceCode)
	if err != nil {
		return Report{}, err
	}
	if !canWrite(p, r.ProviderUSCC) {
		return Report{}, errBatchNotFound(id)
	}
	rep := Report{Batch: b}
	if rep.Findings, err = s.Store.Findings(ctx, id, 0, maxFindings); err != nil {
		return Report{}, huitong.Fault("ingest findings", err)
	}
	sealed, err := s.Store.RejectedRows(ctx, id)
	if err != nil {
		return Report{}, huitong.Fault("ingest rejected rows", err)
	}
	for _, sr := range sealed {
		plain, err := s.Sealer.Open(sr.Data)
		if err != nil {
			return Report{}, huitong.Fault("ingest open rejected row", err)
		}
		var cells []string
		if err := json.Unmarshal(plain, &cells); err != nil {
			return Report{}, huitong.Fault("ingest decode rejected row", err)
		}
		rep.Rejected = append(rep.Rejected, Rejected{Row: sr.Row, Cells: cells})
	}
	if _, err := s.Audit.Append(ctx, audit.Entry{Action: "ingest.report", Object: fmt.Sprintf("batch:%d", id),
		Detail: map[string]string{"resource": b.ResourceCode, "rejected_rows": fmt.Sprint(len(rep.Rejected))}}); err != nil {
		return Report{}, err
	}
	return rep, nil
}

// DeleteRecord removes one record by its key (audited; a change consumers
// see). Errors: Forbidden, NotFound (resource_not_found, record_not_found).
func (s *Service) DeleteRecord(ctx context.Context, code, key string) error {
	r, p, err := s.resourceFor(ctx, code, "ingest.delete")
	if err != nil {
		return err
	}
	key = s.normalizeKey(r, key)
	defer s.lock(r.Code)()
	if err := s.Store.PrepareRecords(ctx, r); err != nil {
		return huitong.Fault("ingest prepare records", err)
	}
	if _, err := s.Store.GetRecord(ctx, r, key); errors.Is(err, huitong.ErrNoRecord) {
		return huitong.NotFoundf("record_not_found", "记录不存在", "no record with that key")
	} else if err != nil {
		return huitong.Fault("ingest get record", err)
	}
	if _, err := s.Audit.Append(ctx, audit.Entry{Action: "ingest.delete", Object: "resource:" + r.Code, Rule: rule(p),
		Subjects: keySubjects(r, key), Detail: map[string]string{"count": "1"}}); err != nil {
		return err
	}
	err = s.Store.DeleteRecord(ctx, r, key, 0, s.Now().UTC())
	if errors.Is(err, huitong.ErrNoRecord) {
		return huitong.NotFoundf("record_not_found", "记录不存在", "no record with that key")
	}
	if err != nil {
		return huitong.Fault("ingest delete record", err)
	}
	return nil
}

// keySubjects returns the identifiers in a key, when the key fields are ID
// numbers or USCCs, so the citizen or company sees the deletion.
func keySubjects(r catalog.Resource, key string) []string {
	parts := strings.Split(key, "\x1f")
	var out []string
	i := 0
	for _, f := range r.Fields {
		if !f.Key {
			continue
		}
		if i < len(parts) && (f.PII == "id_card" || f.PII == "uscc") {
			out = append(out, parts[i])
		}
		i++
	}
	return out
}

// Quality is a resource's data quality report (数据质量报告).
type Quality struct {
	ResourceCode string         `json:"resource_code"`
	Score        float64        `json:"score"`
	Completeness float64        `json:"completeness"`
	Validity     float64        `json:"validity"`
	Uniqueness   float64        `json:"uniqueness"`
	Timeliness   float64        `json:"timeliness"`
	Records      int64          `json:"records"`
	LastUpdated  *time.Time     `json:"last_updated"`
	Overdue      bool           `json:"overdue"`
	UpdateCycle  string         `json:"update_cycle"`
	Fields       []FieldQuality `json:"fields"`
	Trend        []BatchQuality `json:"trend"`
}

// FieldQuality is one field's part of the report.
type FieldQuality struct {
	Name         string  `json:"name"`
	Title        string  `json:"title"`
	Completeness float64 `json:"completeness"`
	PassRate     float64 `json:"pass_rate"`
}

// BatchQuality is one batch in the trend.
type BatchQuality struct {
	BatchID  int64     `json:"batch_id"`
	At       time.Time `json:"at"`
	Rows     int64     `json:"rows"`
	Accepted int64     `json:"accepted"`
	Rejected int64     `json:"rejected"`
	Validity float64   `json:"validity"`
	Status   string    `json:"status"`
}

// cycleDays is how many days an update cycle allows before data is overdue.
var cycleDays = map[string]float64{"realtime": 1, "daily": 1, "weekly": 7, "monthly": 31, "quarterly": 92, "yearly": 366}

// Quality computes a resource's quality report: completeness (filled values),
// validity (accepted rows in the recent batches), uniqueness (of unique
// fields), timeliness (last update against the update cycle), each 0-100,
// and the score, their weighted mean. Errors: Unauthenticated, NotFound.
func (s *Service) Quality(ctx context.Context, code string) (Quality, error) {
	if _, err := huitong.Require(ctx); err != nil {
		return Quality{}, err
	}
	r, err := s.Resource(ctx, code)
	if err != nil {
		return Quality{}, err
	}
	if err := s.Store.PrepareRecords(ctx, r); err != nil {
		return Quality{}, huitong.Fault("ingest prepare records", err)
	}
	st, err := s.Store.Stats(ctx, r)
	if err != nil {
		return Quality{}, huitong.Fault("ingest stats", err)
	}
	batches, err := s.Store.ListBatches(ctx, r.Code, 0, 20)
	if err != nil {
		return Quality{}, huitong.Fault("ingest batches", err)
	}
	q := Quality{ResourceCode: r.Code, Records: st.Records, UpdateCycle: r.UpdateCycle, Fields: []FieldQuality{}, Trend: []BatchQuality{}}
	// Per-field failures in the latest committed batch.
	failures := map[string]int64{}
	var latest *Batch
	for i := range batches {
		if batches[i].Status == StatusCommitted || batches[i].Status == StatusRejected {
			latest = &batches[i]
			break
		}
	}
	if latest != nil {
		fs, err := s.Store.Findings(ctx, latest.ID, 0, maxFindings)
		if err != nil {
			return Quality{}, huitong.Fault("ingest findings", err)
		}
		seen := map[string]bool{}
		for _, f := range fs {
			k := fmt.Sprintf("%d/%s", f.Row, f.Field)
			if f.Severity == SeverityError && f.Field != "" && !seen[k] {
				seen[k] = true
				failures[f.Field]++
			}
		}
	}
	var filled float64
	for _, f := range r.Fields {
		fq := FieldQuality{Name: f.Name, Title: f.Title, Completeness: 100, PassRate: 100}
		if st.Records > 0 {
			fq.Completeness = pct(float64(st.Filled[f.Name]) / float64(st.Records))
		}
		if latest != nil && latest.Rows > 0 {
			fq.PassRate = pct(1 - float64(failures[f.Name])/float64(latest.Rows))
		}
		filled += fq.Completeness
		q.Fields = append(q.Fields, fq)
	}
	q.Completeness = round1(filled / float64(max(1, len(r.Fields))))
	if st.Records == 0 {
		q.Completeness = 0 // an empty dataset is not complete
	}
	var rows, accepted int64
	for i := len(batches) - 1; i >= 0; i-- {
		b := batches[i]
		if b.Status == StatusFailed || b.Status == "processing" {
			continue
		}
		bq := BatchQuality{BatchID: b.ID, At: b.CreatedAt, Rows: b.Rows, Accepted: b.Accepted, Rejected: b.Rejected, Validity: 100, Status: b.Status}
		if b.Rows > 0 {
			bq.Validity = pct(float64(b.Accepted) / float64(b.Rows))
		}
		rows += b.Rows
		accepted += b.Accepted
		q.Trend = append(q.Trend, bq)
	}
	q.Validity = 100
	if rows > 0 {
		q.Validity = pct(float64(accepted) / float64(rows))
	}
	q.Uniqueness = 100
	var dups int64
	for _, n := range st.Duplicates {
		dups += n
	}
	if st.Records > 0 && len(st.Duplicates) > 0 {
		q.Uniqueness = pct(1 - float64(dups)/float64(st.Records*int64(len(st.Duplicates))))
	}
	q.Timeliness = 100
	if !st.LastUpdated.IsZero() {
		t := st.LastUpdated
		q.LastUpdated = &t
		if days, ok := cycleDays[r.UpdateCycle]; ok {
			age := s.Now().Sub(t).Hours() / 24
			if age > days {
				q.Overdue = true
				// Falls to zero at three cycles late.
				q.Timeliness = pct(max(0, 1-(age-days)/(2*days)))
			}
		}
	} else if st.Records == 0 {
		q.Timeliness, q.Overdue = 0, r.UpdateCycle != "irregular"
		if r.UpdateCycle == "irregular" {
			q.Timeliness = 100
		}
	}
	q.Score = round1(0.3*q.Completeness + 0.3*q.Validity + 0.2*q.Uniqueness + 0.2*q.Timeliness)
	return q, nil
}

func pct(f float64) float64 { return round1(100 * f) }

func round1(f float64) float64 { return float64(int64(f*10+0.5)) / 10 }

// ListBatches lists a resource's batches, newest first, 50 a page; the page
// token is the id to continue below. Errors: Unauthenticated, NotFound.
func (s *Service) ListBatches(ctx context.Context, code string, before int64) ([]Batch, string, error) {
	p, err := huitong.Require(ctx)
	if err != nil {
		return nil, "", err
	}
	r, err := s.Resource(ctx, code)
	if err != nil {
		return nil, "", err
	}
	if !canRead(p, r.ProviderUSCC) {
		return nil, "", huitong.ErrForbidden
	}
	bs, err := s.Store.ListBatches(ctx, r.Code, before, 51)
	if err != nil {
		return nil, "", huitong.Fault("ingest list batches", err)
	}
	next := ""
	if len(bs) > 50 {
		bs = bs[:50]
		next = fmt.Sprint(bs[49].ID)
	}
	for i := range bs {
		bs[i].Errors = []Finding{}
	}
	if bs == nil {
		bs = []Batch{}
	}
	return bs, next, nil
}

// normalizeKey puts a key as a client writes it into the stored form: the
// key field's normalised value (an ID number's x upper-cased, ...). Keys of
// several fields are joined with the unit separator U+001F.
func (s *Service) normalizeKey(r catalog.Resource, key string) string {
	parts := strings.Split(key, "\x1f")
	i := 0
	for _, f := range r.Fields {
		if !f.Key || i >= len(parts) {
			continue
		}
		if c, err := NewChecker(f, s.Now()); err == nil {
			if v, _ := c.Check(parts[i]); v != "" {
				parts[i] = v
			}
		}
		i++
	}
	return strings.Join(parts, "\x1f")
}

// Normalize checks a value given to filter or verify a field and returns it
// in stored form (see Typed), with its normalised text. Only the field's
// type and PII kind apply: a value outside the field's declared range or
// enum is no error here, it simply matches nothing.
func Normalize(f catalog.Field, raw string, now time.Time) (any, string, error) {
	plain := catalog.Field{Name: f.Name, Title: f.Title, Type: f.Type, Level: f.Level, PII: f.PII}
	c, err := NewChecker(plain, now)
	if err != nil {
		return nil, "", err
	}
	v, problems := c.Check(raw)
	for _, p := range problems {
		if p.Severity == SeverityError {
			return nil, "", &RowError{Code: p.Rule, Message: p.Message, MessageEN: p.MessageEN}
		}
	}
	if v == "" {
		return nil, "", &RowError{Code: "required", Message: f.Title + " 的值不能为空", MessageEN: f.Name + ": empty value"}
	}
	typed, err := Typed(f, v)
	if err != nil {
		return nil, "", err
	}
	return typed, v, nil
}
