package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"huitong"
	"huitong/internal/org"
)

var _ org.Store = (*DB)(nil)

const orgCols = `uscc, name, COALESCE(parent_uscc, ''), region_code, kind, checksum_overridden, created_at`

func scanOrg(row interface{ Scan(...any) error }) (org.Org, error) {
	var o org.Org
	var created int64
	err := row.Scan(&o.USCC, &o.Name, &o.ParentUSCC, &o.RegionCode, &o.Kind, &o.ChecksumOverridden, &created)
	o.CreatedAt = fromMicros(created)
	return o, err
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// CreateOrg stores a new org.
func (db *DB) CreateOrg(ctx context.Context, o org.Org) error {
	return db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO orgs(uscc, name, parent_uscc, region_code, kind, checksum_overridden, created_at)
			VALUES(?, ?, ?, ?, ?, ?, ?)`, o.USCC, o.Name, nullString(o.ParentUSCC), o.RegionCode, o.Kind, o.ChecksumOverridden, micros(o.CreatedAt))
		return err
	})
}

// GetOrg returns one org.
func (db *DB) GetOrg(ctx context.Context, uscc string) (org.Org, error) {
	o, err := scanOrg(db.queryRow(ctx, `SELECT `+orgCols+` FROM orgs WHERE uscc = ?`, uscc))
	return o, db.translate(err)
}

// ListOrgs returns orgs ordered by USCC after the given one.
func (db *DB) ListOrgs(ctx context.Context, parent, after string, limit int) ([]org.Org, error) {
	q := `SELECT ` + orgCols + ` FROM orgs WHERE uscc > ?`
	args := []any{after}
	if parent != "" {
		q += ` AND parent_uscc = ?`
		args = append(args, parent)
	}
	q += ` ORDER BY uscc LIMIT ?`
	args = append(args, limit)
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []org.Org
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// CountOrgs counts orgs.
func (db *DB) CountOrgs(ctx context.Context) (int, error) {
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM orgs`).Scan(&n)
	return n, err
}

// CountUsers counts users.
func (db *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, err
}

// CreateUser stores a new user and returns its id.
func (db *DB) CreateUser(ctx context.Context, u org.User) (int64, error) {
	var id int64
	err := db.Write(ctx, func(tx *Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO users(username, display_name, org_uscc, roles, password_hash, disabled, created_at, subject, id_card_masked)
			VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			u.Username, u.DisplayName, u.OrgUSCC, strings.Join(u.Roles, ","), u.PasswordHash, u.Disabled, micros(u.CreatedAt),
			u.Subject, u.IDCardMasked).Scan(&id)
	})
	return id, err
}

const userCols = `id, username, display_name, org_uscc, roles, password_hash, disabled, locked_until, created_at, subject, id_card_masked`

func scanUser(row interface{ Scan(...any) error }) (org.User, error) {
	var u org.User
	var roles string
	var locked, created int64
	err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &u.OrgUSCC, &roles, &u.PasswordHash, &u.Disabled, &locked, &created,
		&u.Subject, &u.IDCardMasked)
	u.Roles = splitRoles(roles)
	if locked != 0 {
		t := fromMicros(locked)
		u.LockedUntil = &t
	}
	u.CreatedAt = fromMicros(created)
	return u, err
}

func splitRoles(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

// GetUser returns one user by id.
func (db *DB) GetUser(ctx context.Context, id int64) (org.User, error) {
	u, err := scanUser(db.queryRow(ctx, `SELECT `+userCols+` FROM users WHERE id = ?`, id))
	return u, db.translate(err)
}

// GetUserByName returns one user by username.
func (db *DB) GetUserByName(ctx context.Context, username string) (org.User, error) {
	u, err := scanUser(db.queryRow(ctx, `SELECT `+userCols+` FROM users WHERE username = ?`, username))
	return u, db.translate(err)
}

// ListUsers returns users ordered by id.
func (db *DB) ListUsers(ctx context.Context, orgUSCC string, afterID int64, limit int) ([]org.User, error) {
	q := `SELECT ` + userCols + ` FROM users WHERE id > ?`
	args := []any{afterID}
	if orgUSCC != "" {
		q += ` AND org_uscc = ?`
		args = append(args, orgUSCC)
	}
	q += ` ORDER BY id LIMIT ?`
	args = append(args, limit)
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []org.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// RecordLoginFailure stores a failed login and locks the user when the
// failures in the window reach the threshold.
func (db *DB) RecordLoginFailure(ctx context.Context, userID int64, at, window time.Time, threshold int, lockUntil time.Time) (bool, error) {
	locked := false
	err := db.Write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM login_failures WHERE user_id = ? AND at < ?`, userID, micros(window)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO login_failures(user_id, at) VALUES(?, ?)`, userID, micros(at)); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM login_failures WHERE user_id = ? AND at >= ?`, userID, micros(window)).Scan(&n); err != nil {
			return err
		}
		if n < threshold {
			return nil
		}
		locked = true
		if _, err := tx.Exec(ctx, `UPDATE users SET locked_until = ? WHERE id = ?`, micros(lockUntil), userID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM login_failures WHERE user_id = ?`, userID)
		return err
	})
	return locked, err
}

// ClearLoginFailures forgets a user's failed logins and lock.
func (db *DB) ClearLoginFailures(ctx context.Context, userID int64) error {
	return db.Write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM login_failures WHERE user_id = ?`, userID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE users SET locked_until = 0 WHERE id = ? AND locked_until <> 0`, userID)
		return err
	})
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func insertToken(ctx context.Context, tx *Tx, t org.Token) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO tokens(hash, kind, user_id, app_id, created_at, expires_at) VALUES(?, ?, ?, ?, ?, ?) RETURNING id`,
		t.Hash, t.Kind, nullID(t.UserID), nullID(t.AppID), micros(t.CreatedAt), micros(t.ExpiresAt)).Scan(&id)
	return id, err
}

// CreateToken stores a token hash.
func (db *DB) CreateToken(ctx context.Context, t org.Token) (int64, error) {
	var id int64
	err := db.Write(ctx, func(tx *Tx) error {
		var err error
		id, err = insertToken(ctx, tx, t)
		return err
	})
	return id, err
}

// LookupToken finds a token by hash with the principal it stands for.
func (db *DB) LookupToken(ctx context.Context, hash []byte) (org.Token, huitong.Principal, error) {
	var t org.Token
	var p huitong.Principal
	var userID, appID sql.NullInt64
	var created, expires, revoked int64
	var uname, uorg, uroles, aname, aorg, aroles sql.NullString
	var udisabled sql.NullBool
	var arevoked sql.NullInt64
	err := db.queryRow(ctx, `SELECT t.id, t.kind, t.user_id, t.app_id, t.created_at, t.expires_at, t.revoked_at,
			u.username, u.org_uscc, u.roles, u.disabled, a.name, a.org_uscc, a.roles, a.revoked_at
		FROM tokens t LEFT JOIN users u ON u.id = t.user_id LEFT JOIN apps a ON a.id = t.app_id
		WHERE t.hash = ?`, hash).Scan(&t.ID, &t.Kind, &userID, &appID, &created, &expires, &revoked,
		&uname, &uorg, &uroles, &udisabled, &aname, &aorg, &aroles, &arevoked)
	if err != nil {
		return t, p, db.translate(err)
	}
	t.Hash = hash
	t.UserID, t.AppID = userID.Int64, appID.Int64
	t.CreatedAt, t.ExpiresAt, t.RevokedAt = fromMicros(created), fromMicros(expires), fromMicros(revoked)
	switch {
	case userID.Valid:
		p = huitong.Principal{Kind: huitong.PrincipalUser, ID: userID.Int64, Name: uname.String, OrgUSCC: uorg.String, Roles: splitRoles(uroles.String)}
		if udisabled.Bool && t.RevokedAt.IsZero() {
			t.RevokedAt = t.CreatedAt
		}
	case appID.Valid:
		p = huitong.Principal{Kind: huitong.PrincipalApp, ID: appID.Int64, Name: aname.String, OrgUSCC: aorg.String, Roles: splitRoles(aroles.String)}
		if arevoked.Int64 != 0 && t.RevokedAt.IsZero() {
			t.RevokedAt = fromMicros(arevoked.Int64)
		}
	default:
		return t, p, errors.New("token without owner")
	}
	return t, p, nil
}

// RevokeToken marks a token revoked.
func (db *DB) RevokeToken(ctx context.Context, id int64, at time.Time) error {
	return db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at = 0`, micros(at), id)
		return err
	})
}

// CreateApp stores an app and its token in one transaction.
func (db *DB) CreateApp(ctx context.Context, a org.App, tok org.Token) (int64, error) {
	var id int64
	err := db.Write(ctx, func(tx *Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO apps(org_uscc, name, roles, created_by, created_at) VALUES(?, ?, ?, ?, ?) RETURNING id`,
			a.OrgUSCC, a.Name, strings.Join(a.Roles, ","), a.CreatedBy, micros(a.CreatedAt)).Scan(&id); err != nil {
			return err
		}
		tok.AppID = id
		_, err := insertToken(ctx, tx, tok)
		return err
	})
	return id, err
}

const appCols = `id, org_uscc, name, roles, created_by, created_at, revoked_at`

func scanApp(row interface{ Scan(...any) error }) (org.App, error) {
	var a org.App
	var roles string
	var created, revoked int64
	err := row.Scan(&a.ID, &a.OrgUSCC, &a.Name, &roles, &a.CreatedBy, &created, &revoked)
	a.Roles = splitRoles(roles)
	a.CreatedAt = fromMicros(created)
	if revoked != 0 {
		t := fromMicros(revoked)
		a.RevokedAt = &t
	}
	return a, err
}

// GetApp returns one app.
func (db *DB) GetApp(ctx context.Context, id int64) (org.App, error) {
	a, err := scanApp(db.queryRow(ctx, `SELECT `+appCols+` FROM apps WHERE id = ?`, id))
	return a, db.translate(err)
}

// ListApps returns an org's apps ordered by id.
func (db *DB) ListApps(ctx context.Context, orgUSCC string, afterID int64, limit int) ([]org.App, error) {
	rows, err := db.query(ctx, `SELECT `+appCols+` FROM apps WHERE org_uscc = ? AND id > ? ORDER BY id LIMIT ?`, orgUSCC, afterID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []org.App
	for rows.Next() {
		a, err := scanApp(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// RevokeApp revokes an app and all its tokens.
func (db *DB) RevokeApp(ctx context.Context, id int64, at time.Time) error {
	return db.Write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, `UPDATE apps SET revoked_at = ? WHERE id = ? AND revoked_at = 0`, micros(at), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		_, err = tx.Exec(ctx, `UPDATE tokens SET revoked_at = ? WHERE app_id = ? AND revoked_at = 0`, micros(at), id)
		return err
	})
}
