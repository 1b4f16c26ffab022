package ingest

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"huitong"
	"huitong/internal/audit"
	"huitong/internal/catalog"
)

// Recorder appends to the audit log, durably, before Append returns.
type Recorder interface {
	Append(ctx context.Context, e audit.Entry) (int64, error)
}

// Service feeds data into resources under their quality rules.
type Service struct {
	Store Store
	// Resource returns the current version of a resource (with the
	// caller's read access checked).
	Resource func(ctx context.Context, code string) (catalog.Resource, error)
	Audit    Recorder
	Sealer   *Sealer
	Now      func() time.Time

	locks sync.Map // resource code -> *sync.Mutex: one batch at a time per resource
}

// Upload describes an uploaded file.
type Upload struct {
	Body        io.Reader
	ContentType string
	Filename    string
	Encoding    string // declared; "" detects
	Mode        string // ModeUpsert (default) or ModeReplace
	Strict      bool
	Sheet       string
}

// Limits on what one batch keeps.
const (
	maxFindings   = 100_000 // findings stored per batch; more are counted only
	reportErrors  = 100     // findings returned in the answer
	stageChunk    = 4000
	findingsChunk = 1000
)

// canWrite reports whether p may feed data into a provider's resources: its
// provider officers and provider apps, and admins.
func canWrite(p *huitong.Principal, provider string) bool {
	return p.IsAdmin() || (p.HasRole(huitong.RoleProvider) && p.InOrg(provider))
}

func (s *Service) lock(code string) func() {
	m, _ := s.locks.LoadOrStore(code, &sync.Mutex{})
	mu := m.(*sync.Mutex)
	mu.Lock()
	return mu.Unlock
}

// resourceFor returns the resource a caller may write to, recording a
// refusal.
func (s *Service) resourceFor(ctx context.Context, code, action string) (catalog.Resource, *huitong.Principal, error) {
	p, err := huitong.Require(ctx, huitong.RoleProvider, huitong.RoleAdmin)
	if err == nil {
		var r catalog.Resource
		r, err = s.Resource(ctx, code)
		if err != nil {
			return catalog.Resource{}, nil, err
		}
		if canWrite(p, r.ProviderUSCC) {
			return r, p, nil
		}
		err = huitong.Forbiddenf("not_provider", "只有提供方单位可以向其信息资源报送数据", "only the provider org may feed data into its resources")
	}
	if huitong.ErrorKind(err) == huitong.Forbidden {
		if _, aerr := s.Audit.Append(ctx, audit.Entry{Action: action, Object: "resource:" + code, Outcome: audit.Denied,
			Reason: huitong.ErrorCode(err)}); aerr != nil {
			return catalog.Resource{}, nil, aerr
		}
	}
	return catalog.Resource{}, nil, err
}

// fileError turns a reader's file-level error into a client error.
func fileError(err error) error {
	var he *huitong.Error
	if errors.As(err, &he) {
		return he // such as the listener's size limit, wrapped by the reader
	}
	var fe *FileError
	if errors.As(err, &fe) {
		return huitong.Invalidf(fe.Code, fe.Message, fe.MessageEN)
	}
	return nil
}

// mapping is how file columns map onto fields.
type mapping struct {
	fieldOf []int // per column: field index, or -1
	colOf   []int // per field: column index, or -1
	columns []Column
	unknown []string
}

func mapColumns(r catalog.Resource, header []string) (mapping, error) {
	m := mapping{fieldOf: make([]int, len(header)), colOf: make([]int, len(r.Fields)), unknown: []string{}}
	for i := range m.colOf {
		m.colOf[i] = -1
	}
	for c, h := range header {
		m.fieldOf[c] = -1
		col := Column{Header: h}
		for i, f := range r.Fields {
			if strings.EqualFold(h, f.Name) || h == f.Title {
				if m.colOf[i] >= 0 {
					return m, huitong.Invalidf("duplicate_column", "列“%s”与列“%s”对应同一信息项 %s", "columns %q and %q both map to field %s",
						header[m.colOf[i]], h, f.Name)
				}
				m.fieldOf[c], m.colOf[i] = i, c
				col.Field = f.Name
				break
			}
		}
		// Every column, in file order; unknown ones have no field.
		m.columns = append(m.columns, col)
		if m.fieldOf[c] < 0 {
			m.unknown = append(m.unknown, h)
		}
	}
	var missing []string
	for i, f := range r.Fields {
		if m.colOf[i] < 0 && (f.Key || f.Required) {
			missing = append(missing, f.Title+"（"+f.Name+"）")
		}
	}
	if len(missing) > 0 {
		return m, huitong.Invalidf("missing_columns", "文件缺少必需的列：%s", "the file lacks required columns: %s", strings.Join(missing, "、"))
	}
	if len(m.unknown) == len(header) {
		return m, huitong.Invalidf("no_known_columns", "文件的列与信息项均不对应，请使用信息项名称或中文名称作为表头",
			"no column matches a field; use field names or titles as the header")
	}
	return m, nil
}

// Ingest reads a file into a resource as one batch. Good rows are stored
// in one transaction; bad rows are quarantined with a finding per problem.
// With Strict, any bad row rejects the whole batch. Errors: Unauthenticated,
// Forbidden (not_provider), NotFound (resource_not_found), Invalid (a file
// that cannot be read: unsupported_format, bad_encoding, empty_file,
// duplicate_header, missing_columns, ...), Unavailable (audit_unavailable).
func (s *Service) Ingest(ctx context.Context, code string, up Upload) (Batch, error) {
	r, p, err := s.resourceFor(ctx, code, "ingest.batch")
	if err != nil {
		return Batch{}, err
	}
	mode := up.Mode
	if mode == "" {
		mode = ModeUpsert
	}
	if mode != ModeUpsert && mode != ModeReplace {
		return Batch{}, huitong.Invalidf("invalid_mode", "mode 须为 upsert 或 replace", "mode must be upsert or replace")
	}
	format, charset, err := FormatOf(up.ContentType, up.Filename)
	if err != nil {
		if e := fileError(err); e != nil {
			return Batch{}, e
		}
		return Batch{}, huitong.Invalidf("unsupported_format", "不支持的文件格式", "unsupported file format")
	}
	if up.Encoding != "" {
		charset = up.Encoding
	}
	tbl, err := Open(up.Body, format, Options{Encoding: charset, Sheet: up.Sheet})
	if err != nil {
		if e := fileError(err); e != nil {
			return Batch{}, e
		}
		return Batch{}, huitong.Fault("ingest open", err)
	}
	defer tbl.Close()
	if e, ok := tbl.(interface{ Encoding() string }); ok && e.Encoding() != "" {
		charset = e.Encoding() // what was detected, or the declared name normalised
	}
	m, err := mapColumns(r, tbl.Header())
	if err != nil {
		return Batch{}, err
	}
	checkers := make([]*Checker, len(r.Fields))
	for i, f := range r.Fields {
		if checkers[i], err = NewChecker(f, s.Now()); err != nil {
			return Batch{}, huitong.Fault("ingest rules of "+f.Name, err)
		}
	}
	defer s.lock(r.Code)()
	if err := s.Store.PrepareRecords(ctx, r); err != nil {
		return Batch{}, huitong.Fault("ingest prepare records", err)
	}
	b := Batch{ResourceCode: r.Code, Version: r.Version, Mode: mode, Strict: up.Strict, Format: string(format),
		Encoding: charset, Filename: up.Filename, Status: "processing", Columns: m.columns, Unknown: m.unknown,
		CreatedBy: p.Actor(), CreatedAt: s.Now().UTC(), AuditIndex: -1}
	if b.ID, err = s.Store.CreateBatch(ctx, b); err != nil {
		return Batch{}, huitong.Fault("ingest create batch", err)
	}
	fail := func(status string, cause error) (Batch, error) {
		s.Store.DropStage(context.WithoutCancel(ctx), b.ID)
		b.Status, b.FinishedAt = status, s.Now().UTC()
		b.Inserted, b.Updated, b.Unchanged, b.Deleted = 0, 0, 0, 0
		if err := s.Store.FinishBatch(context.WithoutCancel(ctx), b); err != nil {
			return b, huitong.Fault("ingest finish batch", err)
		}
		return b, cause
	}
	if err := s.read(ctx, r, tbl, m, checkers, &b); err != nil {
		if e := fileError(err); e != nil {
			return fail(StatusFailed, e)
		}
		var rowErr *RowError
		if errors.As(err, &rowErr) {
			return fail(StatusFailed, huitong.Invalidf(rowErr.Code, rowErr.Message, rowErr.MessageEN))
		}
		if ctx.Err() != nil {
			return fail(StatusFailed, huitong.Invalidf("upload_aborted", "上传中断，本批次未写入任何数据", "the upload was cut off; nothing was stored"))
		}
		return fail(StatusFailed, err)
	}
	plan, err := s.Store.Plan(ctx, r, b)
	if err != nil {
		return fail(StatusFailed, huitong.Fault("ingest plan", err))
	}
	if len(plan.Conflicts) > 0 {
		quarantine, err := s.conflictRows(ctx, r, b, plan.Conflicts)
		if err != nil {
			return fail(StatusFailed, err)
		}
		if err := s.Store.SaveFindings(ctx, b.ID, plan.Conflicts, quarantine); err != nil {
			return fail(StatusFailed, huitong.Fault("ingest save findings", err))
		}
		b.Errors = appendReport(b.Errors, plan.Conflicts)
	}
	if b.Strict && (b.Rejected > 0 || plan.Refused > 0) {
		b.Rejected += plan.Refused
		b.Accepted -= plan.Refused
		idx, err := s.Audit.Append(ctx, audit.Entry{Action: "ingest.batch", Object: "resource:" + r.Code, Outcome: audit.Denied,
			Reason: "strict_rejected", Rule: rule(p), Detail: b.auditDetail()})
		if err != nil {
			return fail(StatusFailed, err)
		}
		b.AuditIndex = idx
		return fail(StatusRejected, nil)
	}
	// Audit before the change: what the batch is about to do.
	detail := b.auditDetail()
	for k, v := range map[string]int64{"insert": plan.Inserted, "update": plan.Updated, "unchanged": plan.Unchanged,
		"delete": plan.Deleted, "conflicts": plan.Refused} {
		detail[k] = strconv.FormatInt(v, 10)
	}
	if b.AuditIndex, err = s.Audit.Append(ctx, audit.Entry{Action: "ingest.batch", Object: "resource:" + r.Code,
		Rule: rule(p), Detail: detail}); err != nil {
		return fail(StatusFailed, err)
	}
	b.FinishedAt = s.Now().UTC()
	if _, err := s.Store.Merge(ctx, r, &b); err != nil {
		s.Audit.Append(context.WithoutCancel(ctx), audit.Entry{Action: "ingest.batch", Object: "resource:" + r.Code,
			Outcome: audit.Failed, Reason: "internal", Detail: map[string]string{"batch_id": strconv.FormatInt(b.ID, 10)}})
		return fail(StatusFailed, huitong.Fault("ingest merge", err))
	}
	return b, nil
}

func rule(p *huitong.Principal) string {
	if p.IsAdmin() {
		return "role:admin"
	}
	return "role:provider"
}

func (b *Batch) auditDetail() map[string]string {
	return map[string]string{"batch_id": strconv.FormatInt(b.ID, 10), "mode": b.Mode, "format": b.Format,
		"rows": strconv.FormatInt(b.Rows, 10), "accepted": strconv.FormatInt(b.Accepted, 10),
		"rejected": strconv.FormatInt(b.Rejected, 10), "version": strconv.Itoa(b.Version)}
}

func appendReport(report, fs []Finding) []Finding {
	for _, f := range fs {
		if len(report) >= reportErrors {
			break
		}
		report = append(report, f)
	}
	return report
}

// read checks every row, stages the good ones and quarantines the bad.
func (s *Service) read(ctx context.Context, r catalog.Resource, tbl Table, m mapping, checkers []*Checker, b *Batch) (err error) {
	// Reading and checking run here; the store writes run on a second
	// goroutine, so that both cores work. A chunk handed over is the
	// writer's: the loop starts new slices after each handover.
	var staged []Staged
	var findings []Finding
	var rejected []Sealed
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type chunk struct {
		staged   []Staged
		findings []Finding
		rejected []Sealed
		last     bool
	}
	work := make(chan chunk, 2)
	written := make(chan error, 1)
	go func() {
		var werr error
		stored := 0
		// Findings and rejected rows are saved a thousand at a time, not
		// with every chunk of staged rows: each save is a durable commit.
		var findings []Finding
		var rejected []Sealed
		for c := range work {
			if werr != nil {
				continue // drain after a failure
			}
			if len(c.staged) > 0 {
				if e := s.Store.Stage(ctx, r, b.ID, c.staged); e != nil {
					werr = huitong.Fault("ingest stage", e)
				}
			}
			if room := maxFindings - stored - len(findings); room > 0 {
				findings = append(findings, c.findings[:min(room, len(c.findings))]...)
			}
			rejected = append(rejected, c.rejected...)
			full := len(findings) >= findingsChunk || len(rejected) >= findingsChunk
			if werr == nil && (full || c.last) && (len(findings) > 0 || len(rejected) > 0) {
				if e := s.Store.SaveFindings(ctx, b.ID, findings, rejected); e != nil {
					werr = huitong.Fault("ingest save findings", e)
				}
				stored += len(findings)
				findings, rejected = nil, nil
			}
			if werr != nil {
				cancel() // stop the reader
			}
		}
		// A read that stopped early (a file error) sends no last chunk:
		// what it found is saved all the same, for the batch's report.
		if werr == nil && (len(findings) > 0 || len(rejected) > 0) {
			if e := s.Store.SaveFindings(ctx, b.ID, findings, rejected); e != nil {
				werr = huitong.Fault("ingest save findings", e)
			}
		}
		written <- werr
	}()
	defer func() {
		close(work)
		if werr := <-written; werr != nil {
			err = werr // the writer's failure is the cause of the reader's cancellation
		}
	}()
	// Repeated keys and unique values within the file are found in the
	// stage at plan time (Store.Plan), so that memory stays flat however
	// long the file.
	var keyFields []int
	for i, f := range r.Fields {
		if f.Key {
			keyFields = append(keyFields, i)
		}
	}
	flush := func(force bool) error {
		full := len(staged) >= stageChunk || len(findings) >= findingsChunk || len(rejected) >= findingsChunk
		if !full && !force {
			return nil
		}
		select {
		case work <- chunk{staged, findings, rejected, force}:
		case <-ctx.Done():
			return ctx.Err()
		}
		staged, findings, rejected = make([]Staged, 0, stageChunk), nil, nil
		return nil
	}
	norm := make([]string, len(r.Fields))
	// The values of staged rows are cut from one allocation per chunk's
	// worth of rows instead of one per row.
	var slab []any
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		cells, err := tbl.Next()
		if err == io.EOF {
			break
		}
		var rowErr *RowError
		if errors.As(err, &rowErr) {
			b.Rows++
			b.Rejected++
			f := Finding{Row: rowErr.Line, Rule: rowErr.Code, Severity: SeverityError, Message: rowErr.Message, MessageEN: rowErr.MessageEN}
			findings = append(findings, f)
			b.Errors = appendReport(b.Errors, []Finding{f})
			rejected = append(rejected, s.seal(rowErr.Line, cells))
			if err := flush(false); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			// The file broke off: what was found up to here still goes
			// to the batch's report; nothing more is staged.
			staged = staged[:0]
			flush(true)
			return err
		}
		b.Rows++
		row := tbl.Line()
		bad := false
		var rowFindings []Finding
		for i, f := range r.Fields {
			c := m.colOf[i]
			raw := ""
			if c >= 0 && c < len(cells) {
				raw = cells[c]
			}
			v, problems := checkers[i].Check(raw)
			norm[i] = v
			for _, pr := range problems {
				rowFindings = append(rowFindings, Finding{Row: row, Field: f.Name, Rule: pr.Rule, Severity: pr.Severity, Message: pr.Message, MessageEN: pr.MessageEN})
				if pr.Severity == SeverityError {
					bad = true
				}
			}
		}
		key := rowKey(r, keyFields, norm)
		for _, f := range rowFindings {
			if f.Severity == SeverityWarning {
				b.Warnings++
			}
		}
		findings = append(findings, rowFindings...)
		b.Errors = appendReport(b.Errors, rowFindings)
		if bad {
			b.Rejected++
			rejected = append(rejected, s.seal(row, cells))
		} else {
			b.Accepted++
			if len(slab) < len(r.Fields) {
				slab = make([]any, stageChunk*len(r.Fields))
			}
			vals := slab[:len(r.Fields):len(r.Fields)]
			slab = slab[len(r.Fields):]
			st, err := s.stage(r, b.Accepted, row, key, norm, vals)
			if err != nil {
				return err
			}
			staged = append(staged, st)
		}
		if err := flush(false); err != nil {
			return err
		}
	}
	return flush(true)
}

// rowKey is the record key: the key fields' values joined with a unit
// separator, or, without key fields, the row's content.
func rowKey(r catalog.Resource, keyFields []int, norm []string) string {
	if len(keyFields) == 1 {
		return norm[keyFields[0]]
	}
	parts := make([]string, 0, len(r.Fields))
	if len(keyFields) == 0 {
		parts = append(parts, norm...)
	} else {
		for _, i := range keyFields {
			parts = append(parts, norm[i])
		}
	}
	return strings.Join(parts, "\x1f")
}

// stage turns a checked row into typed, sealed values, in vals (as many
// as r has fields).
func (s *Service) stage(r catalog.Resource, n int64, row int, key string, norm []string, vals []any) (Staged, error) {
	st := Staged{N: n, Row: row, Key: key, Hash: s.Sealer.rowHash(norm), Values: vals}
	if len(st.Key) > 512 || (len(r.Fields) > 0 && !hasKey(r)) {
		// Long or content-derived keys are stored as their hash.
		st.Key = "h:" + hex.EncodeToString(s.Sealer.rowHash([]string{key}))
	}
	for i, f := range r.Fields {
		if norm[i] == "" {
			continue
		}
		if f.Encrypted() {
			st.Values[i] = s.Sealer.SealString(norm[i])
			continue
		}
		v, err := storedValue(f, norm[i])
		if err != nil {
			return st, huitong.Fault("ingest typed value of "+f.Name, err)
		}
		st.Values[i] = v
	}
	return st, nil
}

// storedValue is Typed for a value Check accepted: such a value is in its
// canonical form already (FuzzCheck holds Check to that), so only ints and
// bools are converted, and nothing is parsed twice.
func storedValue(f catalog.Field, checked string) (any, error) {
	switch f.Type {
	case "string", "decimal", "date", "datetime":
		return checked, nil
	}
	return Typed(f, checked)
}

func hasKey(r catalog.Resource) bool {
	for _, f := range r.Fields {
		if f.Key {
			return true
		}
	}
	return false
}

func (s *Service) seal(row int, cells []string) Sealed {
	b, _ := json.Marshal(cells)
	return Sealed{Row: row, Data: s.Sealer.Seal(b)}
}

// conflictRows quarantines the staged rows that break unique or ref rules
// against stored data, so that they are kept aside like any rejected row:
// their checked values under the file's columns (unknown columns empty).
func (s *Service) conflictRows(ctx context.Context, r catalog.Resource, b Batch, conflicts []Finding) ([]Sealed, error) {
	var rows []int
	seen := map[int]bool{}
	for _, c := range conflicts {
		if !seen[c.Row] {
			seen[c.Row] = true
			rows = append(rows, c.Row)
		}
	}
	staged, err := s.Store.StagedRows(ctx, r, b.ID, rows)
	if err != nil {
		return nil, huitong.Fault("ingest staged rows", err)
	}
	byField := map[string]int{}
	for i, f := range r.Fields {
		byField[f.Name] = i
	}
	out := make([]Sealed, 0, len(staged))
	for _, st := range staged {
		cells := make([]string, len(b.Columns))
		for c, col := range b.Columns {
			i, ok := byField[col.Field]
			if !ok || st.Values[i] == nil {
				continue
			}
			v := fmt.Sprint(st.Values[i])
			if r.Fields[i].Encrypted() {
				if v, err = s.Sealer.OpenString(v); err != nil {
					return nil, huitong.Fault("ingest open staged value", err)
				}
			}
			cells[c] = v
		}
		out = append(out, s.seal(st.Row, cells))
	}
	return out, nil
}
