package store

import "context"

// WithoutBulkLoad makes merges under ctx upsert into an empty record table
// instead of loading it with its indexes dropped.
func WithoutBulkLoad(ctx context.Context) context.Context {
	return context.WithValue(ctx, noBulkLoadKey{}, true)
}

// WithFailAfterBulkLoad makes a bulk load under ctx fail once its rows are
// in, before the indexes are built again.
func WithFailAfterBulkLoad(ctx context.Context) context.Context {
	return context.WithValue(ctx, failAfterLoadKey{}, true)
}
