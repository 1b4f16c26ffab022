package store

import "context"

// WithoutBulkLoad makes merges under ctx upsert into an empty record table
// instead of loading it with its indexes dropped.
func WithoutBulkLoad(ctx context.Context) context.Context {
	return context.WithValue(ctx, noBulkLoadKey{}, true)
}

// WithFailAfterBulkLoad makes a first load under ctx (direct or bulk) fail
// once its rows are in, before the indexes are built again.
func WithFailAfterBulkLoad(ctx context.Context) context.Context {
	return context.WithValue(ctx, failAfterLoadKey{}, true)
}

// WithoutDirectStage makes batches under ctx stage in the scratch
// database even for an empty record table.
func WithoutDirectStage(ctx context.Context) context.Context {
	return context.WithValue(ctx, noDirectStageKey{}, true)
}

// RecordTableName is the record table of a resource.
func RecordTableName(code string) string { return recordTable(code) }
