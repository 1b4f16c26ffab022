package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"huitong/internal/sharing"
)

var _ sharing.Store = (*DB)(nil)

// NextShareRequestID takes the next share request id.
func (db *DB) NextShareRequestID(ctx context.Context) (int64, error) {
	return db.nextShareID(ctx, "share_request_id")
}

// NextGrantID takes the next grant id.
func (db *DB) NextGrantID(ctx context.Context) (int64, error) {
	return db.nextShareID(ctx, "grant_id")
}

func (db *DB) nextShareID(ctx context.Context, counter string) (int64, error) {
	var id int64
	err := db.Write(ctx, func(tx *Tx) error {
		var err error
		id, err = tx.nextCounter(ctx, counter)
		return err
	})
	return id, err
}

func shareJSON(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// CreateShareRequest stores a request and, when g is not nil, its grant, in
// one transaction.
func (db *DB) CreateShareRequest(ctx context.Context, r sharing.Request, g *sharing.Grant) error {
	fields, err := shareJSON(nonNil(r.Fields))
	if err != nil {
		return err
	}
	terms := ""
	if r.Terms != nil {
		if terms, err = shareJSON(r.Terms); err != nil {
			return err
		}
	}
	return db.Write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO share_requests(id, resource_code, resource_name, provider_uscc,
			consumer_uscc, consumer_name, app_id, fields, purpose, legal_basis, expires_at, status, requested_by,
			created_at, decided_by, decided_at, comment, reason, terms, countersigned_by, countersigned_at,
			countersign_comment, grant_id)
			VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ID, r.ResourceCode, r.ResourceName, r.ProviderUSCC, r.ConsumerUSCC, r.ConsumerName, r.AppID, fields,
			r.Purpose, r.LegalBasis, micros(r.ExpiresAt), r.Status, r.RequestedBy, micros(r.CreatedAt), r.DecidedBy,
			micros(r.DecidedAt), r.Comment, r.Reason, terms, r.CountersignedBy, micros(r.CountersignedAt),
			r.CountersignComment, r.GrantID); err != nil {
			return err
		}
		return insertGrant(ctx, tx, g)
	})
}

func insertGrant(ctx context.Context, tx *Tx, g *sharing.Grant) error {
	if g == nil {
		return nil
	}
	fields, err := shareJSON(nonNil(g.Fields))
	if err != nil {
		return err
	}
	unmasked, err := shareJSON(nonNil(g.UnmaskedFields))
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO grants(id, request_id, resource_code, provider_uscc, consumer_uscc, app_id,
		fields, unmasked_fields, purpose, legal_basis, expires_at, status, rate, daily_quota, created_at,
		approved_by, countersigned_by, revoked_at, revoked_by, revoke_reason)
		VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		g.ID, g.RequestID, g.ResourceCode, g.ProviderUSCC, g.ConsumerUSCC, g.AppID, fields, unmasked, g.Purpose,
		g.LegalBasis, micros(g.ExpiresAt), g.Status, g.Rate, g.DailyQuota, micros(g.CreatedAt), g.ApprovedBy,
		g.CountersignedBy, micros(g.RevokedAt), g.RevokedBy, g.RevokeReason)
	return err
}

const shareRequestCols = `id, resource_code, resource_name, provider_uscc, consumer_uscc, consumer_name, app_id,
	fields, purpose, legal_basis, expires_at, status, requested_by, created_at, decided_by, decided_at, comment,
	reason, terms, countersigned_by, countersigned_at, countersign_comment, grant_id`

func scanShareRequest(row interface{ Scan(...any) error }) (sharing.Request, error) {
	var r sharing.Request
	var fields, terms string
	var expires, created, decided, countersigned int64
	err := row.Scan(&r.ID, &r.ResourceCode, &r.ResourceName, &r.ProviderUSCC, &r.ConsumerUSCC, &r.ConsumerName,
		&r.AppID, &fields, &r.Purpose, &r.LegalBasis, &expires, &r.Status, &r.RequestedBy, &created, &r.DecidedBy,
		&decided, &r.Comment, &r.Reason, &terms, &r.CountersignedBy, &countersigned, &r.CountersignComment, &r.GrantID)
	if err != nil {
		return r, err
	}
	r.ExpiresAt, r.CreatedAt, r.DecidedAt, r.CountersignedAt = fromMicros(expires), fromMicros(created), fromMicros(decided), fromMicros(countersigned)
	if err := json.Unmarshal([]byte(fields), &r.Fields); err != nil {
		return r, fmt.Errorf("decode share request %d fields: %w", r.ID, err)
	}
	if terms != "" {
		r.Terms = new(sharing.Terms)
		if err := json.Unmarshal([]byte(terms), r.Terms); err != nil {
			return r, fmt.Errorf("decode share request %d terms: %w", r.ID, err)
		}
		r.Terms.ExpiresAt = r.Terms.ExpiresAt.UTC()
	}
	return r, nil
}

// GetShareRequest returns one request.
func (db *DB) GetShareRequest(ctx context.Context, id int64) (sharing.Request, error) {
	r, err := scanShareRequest(db.queryRow(ctx, `SELECT `+shareRequestCols+` FROM share_requests WHERE id = ?`, id))
	return r, db.translate(err)
}

// shareConds builds a WHERE clause from the conditions whose value is set.
type shareConds struct {
	conds []string
	args  []any
}

func (w *shareConds) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func (w *shareConds) addString(col, v string) {
	if v != "" {
		w.add(col+" = ?", v)
	}
}

func (w *shareConds) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// ListShareRequests returns requests matching f, newest first.
func (db *DB) ListShareRequests(ctx context.Context, f sharing.RequestFilter) ([]sharing.Request, error) {
	var w shareConds
	w.addString("consumer_uscc", f.ConsumerUSCC)
	w.addString("provider_uscc", f.ProviderUSCC)
	w.addString("status", f.Status)
	if f.BeforeID > 0 {
		w.add("id < ?", f.BeforeID)
	}
	rows, err := db.query(ctx, `SELECT `+shareRequestCols+` FROM share_requests`+w.String()+` ORDER BY id DESC LIMIT ?`,
		append(w.args, f.Limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []sharing.Request
	for rows.Next() {
		r, err := scanShareRequest(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// UpdateShareRequest stores a decision on a request still in one of the
// statuses from and, when g is not nil, inserts its grant, in one
// transaction. The status condition is part of the UPDATE, so that of two
// concurrent decisions the second finds no row to change.
func (db *DB) UpdateShareRequest(ctx context.Context, r sharing.Request, from []string, g *sharing.Grant) error {
	if len(from) == 0 {
		return errors.New("update share request: no status to change from")
	}
	terms := ""
	if r.Terms != nil {
		var err error
		if terms, err = shareJSON(r.Terms); err != nil {
			return err
		}
	}
	return db.Write(ctx, func(tx *Tx) error {
		args := []any{r.Status, r.DecidedBy, micros(r.DecidedAt), r.Comment, r.Reason, terms, r.CountersignedBy,
			micros(r.CountersignedAt), r.CountersignComment, r.GrantID, r.ID}
		for _, s := range from {
			args = append(args, s)
		}
		res, err := tx.Exec(ctx, `UPDATE share_requests SET status = ?, decided_by = ?, decided_at = ?, comment = ?,
			reason = ?, terms = ?, countersigned_by = ?, countersigned_at = ?, countersign_comment = ?, grant_id = ?
			WHERE id = ? AND status IN (?`+strings.Repeat(", ?", len(from)-1)+`)`, args...)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			var one int
			if err := tx.QueryRow(ctx, `SELECT 1 FROM share_requests WHERE id = ?`, r.ID).Scan(&one); err != nil {
				return db.translate(err)
			}
			return sharing.ErrStatusChanged
		}
		return insertGrant(ctx, tx, g)
	})
}

const grantCols = `id, request_id, resource_code, provider_uscc, consumer_uscc, app_id, fields, unmasked_fields,
	purpose, legal_basis, expires_at, status, rate, daily_quota, created_at, approved_by, countersigned_by,
	revoked_at, revoked_by, revoke_reason`

func scanGrant(row interface{ Scan(...any) error }) (sharing.Grant, error) {
	var g sharing.Grant
	var fields, unmasked string
	var expires, created, revoked int64
	err := row.Scan(&g.ID, &g.RequestID, &g.ResourceCode, &g.ProviderUSCC, &g.ConsumerUSCC, &g.AppID, &fields,
		&unmasked, &g.Purpose, &g.LegalBasis, &expires, &g.Status, &g.Rate, &g.DailyQuota, &created, &g.ApprovedBy,
		&g.CountersignedBy, &revoked, &g.RevokedBy, &g.RevokeReason)
	if err != nil {
		return g, err
	}
	g.ExpiresAt, g.CreatedAt, g.RevokedAt = fromMicros(expires), fromMicros(created), fromMicros(revoked)
	if err := json.Unmarshal([]byte(fields), &g.Fields); err != nil {
		return g, fmt.Errorf("decode grant %d fields: %w", g.ID, err)
	}
	if err := json.Unmarshal([]byte(unmasked), &g.UnmaskedFields); err != nil {
		return g, fmt.Errorf("decode grant %d unmasked fields: %w", g.ID, err)
	}
	return g, nil
}

// GetGrant returns one grant as stored (active or revoked).
func (db *DB) GetGrant(ctx context.Context, id int64) (sharing.Grant, error) {
	g, err := scanGrant(db.queryRow(ctx, `SELECT `+grantCols+` FROM grants WHERE id = ?`, id))
	return g, db.translate(err)
}

// ListGrants returns grants matching f, newest first; a status filter is
// the status at f.Now.
func (db *DB) ListGrants(ctx context.Context, f sharing.GrantFilter) ([]sharing.Grant, error) {
	var w shareConds
	w.addString("consumer_uscc", f.ConsumerUSCC)
	w.addString("provider_uscc", f.ProviderUSCC)
	w.addString("resource_code", f.ResourceCode)
	switch f.Status {
	case "":
	case sharing.GrantActive:
		w.add("status = ? AND expires_at > ?", sharing.GrantActive, micros(f.Now))
	case sharing.GrantExpired:
		w.add("status = ? AND expires_at <= ?", sharing.GrantActive, micros(f.Now))
	default:
		w.add("status = ?", f.Status)
	}
	if f.BeforeID > 0 {
		w.add("id < ?", f.BeforeID)
	}
	rows, err := db.query(ctx, `SELECT `+grantCols+` FROM grants`+w.String()+` ORDER BY id DESC LIMIT ?`, append(w.args, f.Limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []sharing.Grant
	for rows.Next() {
		g, err := scanGrant(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// RevokeGrant marks a grant revoked unless it already is.
func (db *DB) RevokeGrant(ctx context.Context, id int64, at time.Time, by, reason string) error {
	return db.Write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, `UPDATE grants SET status = ?, revoked_at = ?, revoked_by = ?, revoke_reason = ?
			WHERE id = ? AND status = ?`, sharing.GrantRevoked, micros(at), by, reason, id, sharing.GrantActive)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n > 0 {
			return err
		}
		var one int
		if err := tx.QueryRow(ctx, `SELECT 1 FROM grants WHERE id = ?`, id).Scan(&one); err != nil {
			return db.translate(err)
		}
		return sharing.ErrAlreadyRevoked
	})
}

// LiveGrant returns the consumer's grant for a resource usable by appID
// (org-wide grants have app_id 0): the newest live at now, else the newest.
// Both reads walk the grants_live index (consumer, resource, id) from its
// newest end and stop at the first grant that fits; the second runs only
// when no grant is live.
func (db *DB) LiveGrant(ctx context.Context, consumer, resource string, appID int64, now time.Time) (sharing.Grant, error) {
	g, err := scanGrant(db.queryRow(ctx, `SELECT `+grantCols+` FROM grants
		WHERE consumer_uscc = ? AND resource_code = ? AND app_id IN (0, ?) AND status = ? AND expires_at > ?
		ORDER BY id DESC LIMIT 1`, consumer, resource, appID, sharing.GrantActive, micros(now)))
	if err = db.translate(err); !errors.Is(err, ErrNotFound) {
		return g, err
	}
	g, err = scanGrant(db.queryRow(ctx, `SELECT `+grantCols+` FROM grants
		WHERE consumer_uscc = ? AND resource_code = ? AND app_id IN (0, ?)
		ORDER BY id DESC LIMIT 1`, consumer, resource, appID))
	return g, db.translate(err)
}
