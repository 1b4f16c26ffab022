package store

import (
	"context"
	"encoding/json"
	"fmt"

	"huitong/internal/catalog"
)

var _ catalog.Store = (*DB)(nil)

const catalogRevCounter = "catalog_rev"

// NextResourceCode takes the next code under prefix.
func (db *DB) NextResourceCode(ctx context.Context, prefix string) (string, error) {
	var code string
	err := db.Write(ctx, func(tx *Tx) error {
		seq, err := tx.nextCounter(ctx, "code:"+prefix)
		code = fmt.Sprintf("%s-%04d", prefix, seq)
		return err
	})
	return code, err
}

// CreateResource stores version 1 of a resource, taking the next code under
// prefix when r has none.
func (db *DB) CreateResource(ctx context.Context, r catalog.Resource, prefix string) (catalog.Resource, error) {
	err := db.Write(ctx, func(tx *Tx) error {
		var err error
		if r.Code == "" {
			seq, err := tx.nextCounter(ctx, "code:"+prefix)
			if err != nil {
				return err
			}
			r.Code = fmt.Sprintf("%s-%04d", prefix, seq)
		}
		r.Version = 1
		if r.Rev, err = tx.nextCounter(ctx, catalogRevCounter); err != nil {
			return err
		}
		doc, err := json.Marshal(r)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO resources(code, provider_uscc, version, rev, doc, created_at, updated_at)
			VALUES(?, ?, ?, ?, ?, ?, ?)`, r.Code, r.ProviderUSCC, r.Version, r.Rev, string(doc), micros(r.CreatedAt), micros(r.UpdatedAt)); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO resource_versions(code, version, doc, created_at, created_by) VALUES(?, ?, ?, ?, ?)`,
			r.Code, r.Version, string(doc), micros(r.UpdatedAt), r.UpdatedBy)
		return err
	})
	return r, err
}

// UpdateResource stores the next version of a resource.
func (db *DB) UpdateResource(ctx context.Context, r catalog.Resource, expectedVersion int) (catalog.Resource, error) {
	err := db.Write(ctx, func(tx *Tx) error {
		// Take the rev first: its row lock orders all catalog writers, so a
		// version read below cannot be overtaken before commit.
		rev, err := tx.nextCounter(ctx, catalogRevCounter)
		if err != nil {
			return err
		}
		var cur int
		if err := tx.QueryRow(ctx, `SELECT version FROM resources WHERE code = ?`, r.Code).Scan(&cur); err != nil {
			return db.translate(err)
		}
		if expectedVersion != 0 && expectedVersion != cur {
			return catalog.ErrStaleVersion
		}
		r.Version, r.Rev = cur+1, rev
		doc, err := json.Marshal(r)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE resources SET version = ?, rev = ?, doc = ?, updated_at = ? WHERE code = ?`,
			r.Version, r.Rev, string(doc), micros(r.UpdatedAt), r.Code); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO resource_versions(code, version, doc, created_at, created_by) VALUES(?, ?, ?, ?, ?)`,
			r.Code, r.Version, string(doc), micros(r.UpdatedAt), r.UpdatedBy)
		return err
	})
	return r, err
}

func decodeResource(doc string, rev int64) (catalog.Resource, error) {
	var r catalog.Resource
	if err := json.Unmarshal([]byte(doc), &r); err != nil {
		return r, fmt.Errorf("decode resource: %w", err)
	}
	r.Rev = rev
	return r, nil
}

// GetResource returns the current version of a resource.
func (db *DB) GetResource(ctx context.Context, code string) (catalog.Resource, error) {
	var doc string
	var rev int64
	if err := db.queryRow(ctx, `SELECT doc, rev FROM resources WHERE code = ?`, code).Scan(&doc, &rev); err != nil {
		return catalog.Resource{}, db.translate(err)
	}
	return decodeResource(doc, rev)
}

// GetResourceVersion returns one version of a resource.
func (db *DB) GetResourceVersion(ctx context.Context, code string, version int) (catalog.Resource, error) {
	var doc string
	if err := db.queryRow(ctx, `SELECT doc FROM resource_versions WHERE code = ? AND version = ?`, code, version).Scan(&doc); err != nil {
		return catalog.Resource{}, db.translate(err)
	}
	return decodeResource(doc, 0)
}

// ListResourceVersions returns every version of a resource, oldest first.
func (db *DB) ListResourceVersions(ctx context.Context, code string) ([]catalog.Resource, error) {
	return db.resources(ctx, `SELECT doc, 0 FROM resource_versions WHERE code = ? ORDER BY version`, code)
}

// ResourcesChangedSince returns current resources with rev above rev.
func (db *DB) ResourcesChangedSince(ctx context.Context, rev int64, limit int) ([]catalog.Resource, error) {
	return db.resources(ctx, `SELECT doc, rev FROM resources WHERE rev > ? ORDER BY rev LIMIT ?`, rev, limit)
}

func (db *DB) resources(ctx context.Context, q string, args ...any) ([]catalog.Resource, error) {
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []catalog.Resource
	for rows.Next() {
		var doc string
		var rev int64
		if err := rows.Scan(&doc, &rev); err != nil {
			return nil, err
		}
		r, err := decodeResource(doc, rev)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// CatalogRev returns the rev of the latest catalog change.
func (db *DB) CatalogRev(ctx context.Context) (int64, error) {
	var v int64
	err := db.queryRow(ctx, `SELECT value FROM counters WHERE name = ?`, catalogRevCounter).Scan(&v)
	if err != nil {
		if db.translate(err) == ErrNotFound {
			return 0, nil
		}
		return 0, err
	}
	return v, nil
}
