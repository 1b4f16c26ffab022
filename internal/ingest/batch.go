package ingest

import (
	"context"
	"time"

	"huitong/internal/catalog"
)

// Modes of a batch.
const (
	// ModeUpsert inserts new records and updates changed ones by key; the
	// same file uploaded twice changes nothing.
	ModeUpsert = "upsert"
	// ModeReplace makes the resource's data exactly the file's: records not
	// in it are deleted, all in one transaction.
	ModeReplace = "replace"
)

// Batch statuses.
const (
	StatusCommitted = "committed" // accepted rows stored
	StatusRejected  = "rejected"  // strict batch with bad rows: nothing stored
	StatusFailed    = "failed"    // the file could not be read: nothing stored
)

// Batch is one upload of data into a resource.
type Batch struct {
	ID           int64     `json:"batch_id"`
	ResourceCode string    `json:"resource_code"`
	Version      int       `json:"resource_version"`
	Mode         string    `json:"mode"`
	Strict       bool      `json:"strict"`
	Format       string    `json:"format"`
	Encoding     string    `json:"encoding,omitempty"`
	Filename     string    `json:"filename,omitempty"`
	Status       string    `json:"status"`
	Rows         int64     `json:"rows"`
	Accepted     int64     `json:"accepted"`
	Rejected     int64     `json:"rejected"`
	Inserted     int64     `json:"inserted"`
	Updated      int64     `json:"updated"`
	Unchanged    int64     `json:"unchanged"`
	Deleted      int64     `json:"deleted"`
	Warnings     int64     `json:"warnings"`
	Columns      []Column  `json:"columns"`
	Unknown      []string  `json:"unknown_columns"`
	CreatedBy    string    `json:"created_by"`
	CreatedAt    time.Time `json:"created_at"`
	FinishedAt   time.Time `json:"finished_at"`
	AuditIndex   int64     `json:"audit_index"`
	// Errors holds the first findings (at most 100); all are kept with the
	// batch and can be downloaded.
	Errors []Finding `json:"errors"`
}

// Column says which field a file column was mapped to; Field is empty for a
// column that matches none (it is reported, and its values not stored).
type Column struct {
	Header string `json:"header"`
	Field  string `json:"field"`
}

// Finding is one problem found in one cell or row.
type Finding struct {
	Row       int    `json:"row"`
	Field     string `json:"field"`
	Rule      string `json:"rule"`
	Severity  string `json:"severity"`
	Message   string `json:"message"`
	MessageEN string `json:"message_en"`
}

// Rejected is a quarantined row: its number and the cells as read.
type Rejected struct {
	Row   int      `json:"row"`
	Cells []string `json:"cells"`
}

// Sealed is a quarantined row as stored: its cells encrypted, since they
// may hold restricted values.
type Sealed struct {
	Row  int
	Data []byte
}

// Record is one stored record of a resource: typed values by field name.
type Record struct {
	ID        int64          `json:"id"`
	Key       string         `json:"key"`
	Seq       int64          `json:"seq"`
	BatchID   int64          `json:"batch_id"`
	UpdatedAt time.Time      `json:"updated_at"`
	Deleted   bool           `json:"deleted,omitempty"`
	Values    map[string]any `json:"values"`
}

// Filter ops.
const (
	OpEq  = "eq"
	OpIn  = "in"
	OpGte = "gte"
	OpLte = "lte"
	OpGt  = "gt"
	OpLt  = "lt"
)

// Cond filters live records on one key or indexed field.
type Cond struct {
	Field string
	Op    string // OpEq, OpIn, OpGte, OpLte, OpGt or OpLt
	// Values are the normalised values (one, or several for OpIn), typed
	// as stored (see Typed); Keys are the same values as normalised text,
	// as they appear in record keys.
	Values []any
	Keys   []string
}

// After is where a paged read resumes: after the record with this id, or
// for a read ordered by a field, after (Value, ID).
type After struct {
	Value any
	ID    int64
}

// Staged is one accepted row on its way into the record table.
type Staged struct {
	N      int64 // order in the file, from 1
	Row    int   // source row number
	Key    string
	Hash   []byte
	Values []any // by field, in the resource's field order; nil for NULL
}

// MergeResult counts what a merge changed.
type MergeResult struct {
	Inserted, Updated, Unchanged, Deleted int64
	// Conflicts are staged rows refused at merge time, with the rule they
	// broke: repeats of an earlier row's key or unique value in the same
	// file, and unique or ref rules against stored data. At most 100,000
	// are listed; Refused counts every refused row.
	Conflicts []Finding
	Refused   int64
}

// Store keeps records, batches and their findings. Implementations return
// errors matching huitong.ErrNoRecord for missing rows.
type Store interface {
	// PrepareRecords creates or migrates the record table of a resource
	// version: a column per field, indexes for key, indexed and unique
	// fields.
	PrepareRecords(ctx context.Context, r catalog.Resource) error
	// CreateBatch stores a new batch and returns its id.
	CreateBatch(ctx context.Context, b Batch) (int64, error)
	// Stage adds accepted rows to the batch's staging area, in its own
	// short transaction.
	Stage(ctx context.Context, r catalog.Resource, batchID int64, rows []Staged) error
	// SaveFindings stores findings and quarantined rows of a batch.
	SaveFindings(ctx context.Context, batchID int64, fs []Finding, rej []Sealed) error
	// Plan computes, without changing anything, what merging the staged
	// rows would do: the counts, and the staged rows that break unique or
	// ref rules against stored data.
	Plan(ctx context.Context, r catalog.Resource, b Batch) (MergeResult, error)
	// Merge moves the staged rows into the record table in one
	// transaction: staged rows breaking unique or ref rules against stored
	// data are dropped (and reported), the rest upserted by key; for
	// replace, records not staged are deleted. The batch row is finished
	// (status committed, counts) in the same transaction.
	Merge(ctx context.Context, r catalog.Resource, b *Batch) (MergeResult, error)
	// StagedRows reads back staged rows by their source row numbers, with
	// values by field (typed, or sealed text for encrypted fields).
	StagedRows(ctx context.Context, r catalog.Resource, batchID int64, rows []int) ([]Staged, error)
	// DropStage discards a batch's staging area.
	DropStage(ctx context.Context, batchID int64) error
	// FinishBatch stores a batch's final status and counts.
	FinishBatch(ctx context.Context, b Batch) error
	GetBatch(ctx context.Context, id int64) (Batch, error)
	ListBatches(ctx context.Context, code string, beforeID int64, limit int) ([]Batch, error)
	Findings(ctx context.Context, batchID int64, afterRow, limit int) ([]Finding, error)
	RejectedRows(ctx context.Context, batchID int64) ([]Sealed, error)
	// GetRecord returns a live record by key.
	GetRecord(ctx context.Context, r catalog.Resource, key string) (Record, error)
	// DeleteRecord marks a record deleted (a change with a new seq).
	DeleteRecord(ctx context.Context, r catalog.Resource, key string, batchID int64, at time.Time) error
	// Changes returns records changed after seq, in seq order.
	Changes(ctx context.Context, r catalog.Resource, afterSeq int64, limit int) ([]Record, error)
	// Stats returns counts for the quality report.
	Stats(ctx context.Context, r catalog.Resource) (Stats, error)
}

// Stats are the raw counts behind a quality report.
type Stats struct {
	Records     int64            // live records
	Filled      map[string]int64 // live records with a value, by field
	Duplicates  map[string]int64 // live records sharing a value with another, by unique or key field
	LastUpdated time.Time        // of the latest change
}
