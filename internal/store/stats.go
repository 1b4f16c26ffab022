package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"huitong/internal/audit"
	"huitong/internal/ingest"
	"huitong/internal/sharing"
	"huitong/internal/stats"
)

var _ stats.Store = (*DB)(nil)

// dayExpr is the UTC+8 day number of a micros column: days since
// 1970-01-01 in China Standard Time. The constants are written into the
// query rather than bound, so that GROUP BY 1 and the SELECT list are one
// expression on PostgreSQL too.
func dayExpr(col string) string {
	return fmt.Sprintf("((%s + %d) / %d)", col, stats.DayOffset.Microseconds(), (24 * time.Hour).Microseconds())
}

// dayString formats a day number of dayExpr.
func dayString(n int64) string {
	return time.Unix(n*86400, 0).UTC().Format(stats.DayLayout)
}

// jsonText is the dialect's expression for the top-level string member key
// of the JSON text in col; NULL when it is missing.
func (db *DB) jsonText(col, key string) string {
	if db.Dialect == Postgres {
		return "(" + col + "::jsonb ->> '" + key + "')"
	}
	return "json_extract(" + col + ", '$." + key + "')"
}

// jsonBlobText is jsonText for JSON held as bytes (audit records).
func (db *DB) jsonBlobText(col, key string) string {
	if db.Dialect == Postgres {
		return "(convert_from(" + col + ", 'UTF8')::jsonb ->> '" + key + "')"
	}
	return "json_extract(CAST(" + col + " AS TEXT), '$." + key + "')"
}

// placeholders returns n comma-separated placeholders.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func exchangeArgs() []any {
	args := make([]any, len(stats.ExchangeActions))
	for i, a := range stats.ExchangeActions {
		args[i] = a
	}
	return args
}

// ExchangesByDay counts allowed gateway reads per UTC+8 day and actor org.
func (db *DB) ExchangesByDay(ctx context.Context, w stats.Window) ([]stats.DayCount, error) {
	args := append(exchangeArgs(), audit.Allowed, micros(w.From), micros(w.To))
	return db.dayCounts(ctx, `SELECT `+dayExpr("a.at")+`, a.actor_org, COALESCE(o.name, ''), COUNT(*)
		FROM audit_records a LEFT JOIN orgs o ON o.uscc = a.actor_org
		WHERE a.action IN (`+placeholders(len(stats.ExchangeActions))+`) AND a.outcome = ? AND a.at >= ? AND a.at < ?
		GROUP BY 1, 2, 3 ORDER BY 1, 2`, args...)
}

// RefusalsByDay counts denied and failed audit records per UTC+8 day and
// outcome.
func (db *DB) RefusalsByDay(ctx context.Context, w stats.Window) ([]stats.DayCount, error) {
	return db.dayCounts(ctx, `SELECT `+dayExpr("at")+`, outcome, '', COUNT(*) FROM audit_records
		WHERE outcome IN (?, ?) AND at >= ? AND at < ? GROUP BY 1, 2 ORDER BY 1, 2`,
		audit.Denied, audit.Failed, micros(w.From), micros(w.To))
}

func (db *DB) dayCounts(ctx context.Context, q string, args ...any) ([]stats.DayCount, error) {
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []stats.DayCount
	for rows.Next() {
		var c stats.DayCount
		var day int64
		if err := rows.Scan(&day, &c.Key, &c.Name, &c.Count); err != nil {
			return nil, err
		}
		c.Day = dayString(day)
		out = append(out, c)
	}
	return out, rows.Err()
}

// TopReadResources counts allowed gateway reads per resource.
func (db *DB) TopReadResources(ctx context.Context, w stats.Window, limit int) ([]stats.ReadResource, error) {
	args := append(exchangeArgs(), audit.Allowed, micros(w.From), micros(w.To), limit)
	// Objects are "resource:<code>"; the code starts at the tenth character.
	rows, err := db.query(ctx, `SELECT x.object, COALESCE(`+db.jsonText("r.doc", "name")+`, ''),
		COALESCE(r.provider_uscc, ''), COALESCE(o.name, ''), x.n
		FROM (SELECT object, COUNT(*) AS n FROM audit_records
			WHERE action IN (`+placeholders(len(stats.ExchangeActions))+`) AND outcome = ? AND at >= ? AND at < ?
			GROUP BY object ORDER BY n DESC, object LIMIT ?) x
		LEFT JOIN resources r ON r.code = SUBSTR(x.object, 10)
		LEFT JOIN orgs o ON o.uscc = r.provider_uscc
		ORDER BY x.n DESC, x.object`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []stats.ReadResource
	for rows.Next() {
		var r stats.ReadResource
		if err := rows.Scan(&r.Code, &r.Name, &r.ProviderUSCC, &r.ProviderName, &r.Reads); err != nil {
			return nil, err
		}
		r.Code = strings.TrimPrefix(r.Code, "resource:")
		out = append(out, r)
	}
	return out, rows.Err()
}

// TopRequestedResources counts share requests created in the window per
// resource, with how many of them were approved and rejected.
func (db *DB) TopRequestedResources(ctx context.Context, w stats.Window, limit int) ([]stats.RequestedResource, error) {
	rows, err := db.query(ctx, `SELECT x.resource_code, COALESCE(`+db.jsonText("r.doc", "name")+`, ''),
		COALESCE(r.provider_uscc, ''), COALESCE(o.name, ''), x.n, x.approved, x.rejected
		FROM (SELECT resource_code, COUNT(*) AS n,
				SUM(CASE WHEN status = ? THEN 1 ELSE 0 END) AS approved,
				SUM(CASE WHEN status = ? THEN 1 ELSE 0 END) AS rejected
			FROM share_requests WHERE created_at >= ? AND created_at < ?
			GROUP BY resource_code ORDER BY n DESC, resource_code LIMIT ?) x
		LEFT JOIN resources r ON r.code = x.resource_code
		LEFT JOIN orgs o ON o.uscc = r.provider_uscc
		ORDER BY x.n DESC, x.resource_code`,
		sharing.StatusApproved, sharing.StatusRejected, micros(w.From), micros(w.To), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []stats.RequestedResource
	for rows.Next() {
		var r stats.RequestedResource
		if err := rows.Scan(&r.Code, &r.Name, &r.ProviderUSCC, &r.ProviderName, &r.Requests, &r.Approved, &r.Rejected); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ApprovalTimes counts the requests a provider decided in the window
// (approved or rejected; decided_at is the provider's decision, not an
// admin's countersignature) in buckets of decided_at - created_at, and the
// automatic grants of unconditional resources apart.
func (db *DB) ApprovalTimes(ctx context.Context, w stats.Window, bounds []time.Duration) (stats.ApprovalCounts, error) {
	var when strings.Builder
	for i, b := range bounds {
		fmt.Fprintf(&when, " WHEN decided_at - created_at < %d THEN %d", b.Microseconds(), i)
	}
	c := stats.ApprovalCounts{Buckets: make([]int64, len(bounds)+1)}
	rows, err := db.query(ctx, `SELECT CASE WHEN decided_by = ? THEN -1`+when.String()+` ELSE `+fmt.Sprint(len(bounds))+` END, COUNT(*)
		FROM share_requests WHERE decided_at >= ? AND decided_at < ? AND decided_at > 0 GROUP BY 1`,
		sharing.SystemApprover, micros(w.From), micros(w.To))
	if err != nil {
		return c, err
	}
	defer rows.Close()
	for rows.Next() {
		var bucket int
		var n int64
		if err := rows.Scan(&bucket, &n); err != nil {
			return c, err
		}
		if bucket < 0 {
			c.Automatic += n
		} else if bucket < len(c.Buckets) {
			c.Buckets[bucket] += n
		}
	}
	return c, rows.Err()
}

// PendingRequests counts the requests waiting for a provider or an admin.
func (db *DB) PendingRequests(ctx context.Context) (stats.Pending, error) {
	var p stats.Pending
	var oldest sql.NullInt64
	err := db.queryRow(ctx, `SELECT COALESCE(SUM(CASE WHEN status = ? THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = ? THEN 1 ELSE 0 END), 0), MIN(created_at)
		FROM share_requests WHERE status IN (?, ?)`,
		sharing.StatusPending, sharing.StatusCountersign, sharing.StatusPending, sharing.StatusCountersign).
		Scan(&p.Pending, &p.AwaitingCountersign, &oldest)
	if err != nil {
		return p, db.translate(err)
	}
	if oldest.Valid {
		p.Oldest = fromMicros(oldest.Int64)
	}
	return p, nil
}

// GrantsByShareType counts grants live, expired and revoked at now per
// share type of their resource's current version.
func (db *DB) GrantsByShareType(ctx context.Context, now time.Time) ([]stats.ShareTypeGrants, error) {
	at := micros(now)
	rows, err := db.query(ctx, `SELECT COALESCE(`+db.jsonText("r.doc", "share_type")+`, ''),
		SUM(CASE WHEN g.status = ? AND g.expires_at > ? THEN 1 ELSE 0 END),
		SUM(CASE WHEN g.status = ? AND g.expires_at <= ? THEN 1 ELSE 0 END),
		SUM(CASE WHEN g.status = ? THEN 1 ELSE 0 END)
		FROM grants g JOIN resources r ON r.code = g.resource_code
		GROUP BY 1 ORDER BY 1`,
		sharing.GrantActive, at, sharing.GrantActive, at, sharing.GrantRevoked)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []stats.ShareTypeGrants
	for rows.Next() {
		var g stats.ShareTypeGrants
		if err := rows.Scan(&g.ShareType, &g.Live, &g.Expired, &g.Revoked); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// QualityByOrg sums, per provider org, the committed and rejected batches
// of its resources created in the window, and averages each resource's
// share of accepted rows.
func (db *DB) QualityByOrg(ctx context.Context, w stats.Window) ([]stats.OrgQuality, error) {
	rows, err := db.query(ctx, `SELECT r.provider_uscc, COALESCE(o.name, ''), COUNT(*), COUNT(q.code),
		CAST(COALESCE(SUM(q.n), 0) AS BIGINT), CAST(COALESCE(SUM(q.row_count), 0) AS BIGINT),
		CAST(COALESCE(SUM(q.accepted), 0) AS BIGINT), CAST(COALESCE(SUM(q.rejected), 0) AS BIGINT), AVG(q.validity)
		FROM resources r
		LEFT JOIN orgs o ON o.uscc = r.provider_uscc
		LEFT JOIN (SELECT resource_code AS code, COUNT(*) AS n, SUM(row_count) AS row_count,
				SUM(accepted) AS accepted, SUM(rejected) AS rejected,
				100 * CAST(SUM(accepted) AS DOUBLE PRECISION) / NULLIF(CAST(SUM(row_count) AS DOUBLE PRECISION), 0) AS validity
			FROM batches WHERE status IN (?, ?) AND created_at >= ? AND created_at < ?
			GROUP BY resource_code) q ON q.code = r.code
		GROUP BY r.provider_uscc, o.name ORDER BY r.provider_uscc`,
		ingest.StatusCommitted, ingest.StatusRejected, micros(w.From), micros(w.To))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []stats.OrgQuality
	for rows.Next() {
		var q stats.OrgQuality
		var validity sql.NullFloat64
		if err := rows.Scan(&q.USCC, &q.Name, &q.Resources, &q.Checked, &q.Batches, &q.Rows, &q.Accepted, &q.Rejected, &validity); err != nil {
			return nil, err
		}
		if validity.Valid {
			v := validity.Float64
			q.Validity = &v
		}
		out = append(out, q)
	}
	return out, rows.Err()
}

// RefusalReasons counts denied and failed audit records per reason.
func (db *DB) RefusalReasons(ctx context.Context, w stats.Window, limit int) ([]stats.KeyCount, error) {
	return db.keyCounts(ctx, `SELECT COALESCE(`+db.jsonBlobText("data", "reason")+`, '') AS k, COUNT(*) AS n FROM audit_records
		WHERE outcome IN (?, ?) AND at >= ? AND at < ? GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?`,
		audit.Denied, audit.Failed, micros(w.From), micros(w.To), limit)
}

// RefusalActions counts denied and failed audit records per action.
func (db *DB) RefusalActions(ctx context.Context, w stats.Window, limit int) ([]stats.KeyCount, error) {
	return db.keyCounts(ctx, `SELECT action, COUNT(*) FROM audit_records
		WHERE outcome IN (?, ?) AND at >= ? AND at < ? GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?`,
		audit.Denied, audit.Failed, micros(w.From), micros(w.To), limit)
}

func (db *DB) keyCounts(ctx context.Context, q string, args ...any) ([]stats.KeyCount, error) {
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []stats.KeyCount
	for rows.Next() {
		var c stats.KeyCount
		if err := rows.Scan(&c.Key, &c.Count); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
