package store

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"huitong/internal/license"
)

var _ license.Store = (*DB)(nil)

// LicenseKeys returns every issuer key, oldest first.
func (db *DB) LicenseKeys(ctx context.Context) ([]license.Key, error) {
	rows, err := db.query(ctx, `SELECT kid, issuer_uscc, public_key, created_at, retired_at FROM license_keys ORDER BY created_at, kid`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []license.Key
	for rows.Next() {
		var k license.Key
		var pub string
		var created, retired int64
		if err := rows.Scan(&k.ID, &k.IssuerUSCC, &pub, &created, &retired); err != nil {
			return nil, err
		}
		b, err := base64.RawURLEncoding.DecodeString(pub)
		if err != nil || len(b) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("license key %s: bad public key", k.ID)
		}
		k.Public, k.CreatedAt, k.RetiredAt = ed25519.PublicKey(b), fromMicros(created), fromMicros(retired)
		out = append(out, k)
	}
	return out, rows.Err()
}

// InsertLicenseKey adds a key and retires the issuer's other keys.
func (db *DB) InsertLicenseKey(ctx context.Context, k license.Key) error {
	return db.Write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE license_keys SET retired_at = ? WHERE issuer_uscc = ? AND retired_at = 0`,
			micros(k.CreatedAt), k.IssuerUSCC); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO license_keys(kid, issuer_uscc, public_key, created_at) VALUES(?, ?, ?, ?)`,
			k.ID, k.IssuerUSCC, base64.RawURLEncoding.EncodeToString(k.Public), micros(k.CreatedAt))
		return err
	})
}

// CreateLicenseType stores a license type.
func (db *DB) CreateLicenseType(ctx context.Context, t license.Type) error {
	issuers, err := json.Marshal(nonNil(t.IssuerUSCCs))
	if err != nil {
		return err
	}
	fields, err := json.Marshal(t.Fields)
	if err != nil {
		return err
	}
	return db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO license_types(code, name, issuer_usccs, holder_kind, fields, validity_days, created_at, created_by)
			VALUES(?, ?, ?, ?, ?, ?, ?, ?)`, t.Code, t.Name, string(issuers), t.HolderKind, string(fields), t.ValidityDays,
			micros(t.CreatedAt), t.CreatedBy)
		return err
	})
}

const licenseTypeCols = `code, name, issuer_usccs, holder_kind, fields, validity_days, created_at, created_by`

func scanLicenseType(row interface{ Scan(...any) error }) (license.Type, error) {
	var t license.Type
	var issuers, fields string
	var created int64
	if err := row.Scan(&t.Code, &t.Name, &issuers, &t.HolderKind, &fields, &t.ValidityDays, &created, &t.CreatedBy); err != nil {
		return t, err
	}
	t.CreatedAt = fromMicros(created)
	if err := json.Unmarshal([]byte(issuers), &t.IssuerUSCCs); err != nil {
		return t, fmt.Errorf("license type %s issuers: %w", t.Code, err)
	}
	if err := json.Unmarshal([]byte(fields), &t.Fields); err != nil {
		return t, fmt.Errorf("license type %s fields: %w", t.Code, err)
	}
	return t, nil
}

// GetLicenseType returns one license type.
func (db *DB) GetLicenseType(ctx context.Context, code string) (license.Type, error) {
	t, err := scanLicenseType(db.queryRow(ctx, `SELECT `+licenseTypeCols+` FROM license_types WHERE code = ?`, code))
	return t, db.translate(err)
}

// ListLicenseTypes returns every license type by code.
func (db *DB) ListLicenseTypes(ctx context.Context) ([]license.Type, error) {
	rows, err := db.query(ctx, `SELECT `+licenseTypeCols+` FROM license_types ORDER BY code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []license.Type
	for rows.Next() {
		t, err := scanLicenseType(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// NextLicenseSeq takes n values of each counter, in one transaction, and
// returns the first of each.
func (db *DB) NextLicenseSeq(ctx context.Context, n int64, counters ...string) ([]int64, error) {
	first := make([]int64, len(counters))
	err := db.Write(ctx, func(tx *Tx) error {
		for i, c := range counters {
			var last int64
			if err := tx.QueryRow(ctx, `INSERT INTO counters(name, value) VALUES(?, ?)
				ON CONFLICT(name) DO UPDATE SET value = counters.value + ? RETURNING value`, c, n, n).Scan(&last); err != nil {
				return err
			}
			first[i] = last - n + 1
		}
		return nil
	})
	return first, db.translate(err)
}

// InsertLicenses stores licenses in one transaction.
func (db *DB) InsertLicenses(ctx context.Context, ls []license.License) error {
	return db.Write(ctx, func(tx *Tx) error {
		for i := range ls {
			if err := insertLicense(ctx, tx, &ls[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

func insertLicense(ctx context.Context, tx *Tx, l *license.License) error {
	data, err := json.Marshal(l.Data)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO licenses(identifier, type_code, type_name, version, serial, number, issuer_uscc,
		issuer_name, holder_name, holder_code, holder_code_type, holder_subject, data, issue_date, valid_from, valid_until,
		jurisdiction, status, status_list, status_index, key_id, credential, issued_at, issued_by, replaces, import_id)
		VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		l.Identifier, l.TypeCode, l.TypeName, l.Version, l.Serial, l.Number, l.IssuerUSCC, l.IssuerName, l.Holder.Name,
		l.Holder.Code, l.Holder.CodeType, l.HolderSubject, string(data), l.IssueDate, l.ValidFrom, l.ValidUntil,
		l.Jurisdiction, l.Status, l.StatusList, l.StatusIndex, l.KeyID, l.Credential, micros(l.IssuedAt), l.IssuedBy,
		l.Replaces, l.ImportID)
	return err
}

const licenseCols = `seq, identifier, type_code, type_name, version, serial, number, issuer_uscc, issuer_name, holder_name,
	holder_code, holder_code_type, holder_subject, data, issue_date, valid_from, valid_until, jurisdiction, status,
	status_list, status_index, key_id, credential, issued_at, issued_by, revoked_at, revoked_by, revoke_reason,
	superseded_by, replaces, import_id`

func scanLicense(row interface{ Scan(...any) error }) (license.License, int64, error) {
	var l license.License
	var seq, issued, revoked int64
	var data string
	err := row.Scan(&seq, &l.Identifier, &l.TypeCode, &l.TypeName, &l.Version, &l.Serial, &l.Number, &l.IssuerUSCC,
		&l.IssuerName, &l.Holder.Name, &l.Holder.Code, &l.Holder.CodeType, &l.HolderSubject, &data, &l.IssueDate,
		&l.ValidFrom, &l.ValidUntil, &l.Jurisdiction, &l.Status, &l.StatusList, &l.StatusIndex, &l.KeyID, &l.Credential,
		&issued, &l.IssuedBy, &revoked, &l.RevokedBy, &l.RevokeReason, &l.SupersededBy, &l.Replaces, &l.ImportID)
	if err != nil {
		return l, 0, err
	}
	l.IssuedAt, l.RevokedAt = fromMicros(issued), fromMicros(revoked)
	if err := json.Unmarshal([]byte(data), &l.Data); err != nil {
		return l, 0, fmt.Errorf("license %s data: %w", l.Identifier, err)
	}
	return l, seq, nil
}

// GetLicense returns one license version by identifier.
func (db *DB) GetLicense(ctx context.Context, identifier string) (license.License, error) {
	l, _, err := scanLicense(db.queryRow(ctx, `SELECT `+licenseCols+` FROM licenses WHERE identifier = ?`, identifier))
	return l, db.translate(err)
}

var chinaZone = time.FixedZone("CST", 8*3600)

// ListLicenses returns licenses matching f, newest first, with their
// sequence numbers for paging.
func (db *DB) ListLicenses(ctx context.Context, f license.Filter) ([]license.License, []int64, error) {
	var w shareConds
	w.addString("type_code", f.TypeCode)
	w.addString("issuer_uscc", f.IssuerUSCC)
	w.addString("holder_code", f.HolderCode)
	w.addString("holder_subject", f.HolderSubject)
	today := f.Now.In(chinaZone).Format(time.DateOnly)
	switch f.Status {
	case "":
	case license.StatusExpired:
		w.add("status = 'active' AND valid_until <> '' AND valid_until < ?", today)
	case license.Active:
		w.add("status = 'active' AND (valid_until = '' OR valid_until >= ?)", today)
	default:
		w.add("status = ?", f.Status)
	}
	if f.IssuedFrom != "" {
		w.add("issue_date >= ?", f.IssuedFrom)
	}
	if f.IssuedTo != "" {
		w.add("issue_date <= ?", f.IssuedTo)
	}
	if f.BeforeSeq > 0 {
		w.add("seq < ?", f.BeforeSeq)
	}
	rows, err := db.query(ctx, `SELECT `+licenseCols+` FROM licenses`+w.String()+` ORDER BY seq DESC LIMIT ?`, append(w.args, f.Limit)...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var out []license.License
	var seqs []int64
	for rows.Next() {
		l, seq, err := scanLicense(rows)
		if err != nil {
			return nil, nil, err
		}
		out, seqs = append(out, l), append(seqs, seq)
	}
	return out, seqs, rows.Err()
}

func (tx *Tx) bumpLicenseRev(ctx context.Context) error {
	_, err := tx.nextCounter(ctx, "license_rev")
	return err
}

// RevokeLicense marks an active license revoked.
func (db *DB) RevokeLicense(ctx context.Context, identifier string, at time.Time, by, reason string) error {
	return db.Write(ctx, func(tx *Tx) error {
		if err := changeOne(ctx, tx, `UPDATE licenses SET status = 'revoked', revoked_at = ?, revoked_by = ?, revoke_reason = ?
			WHERE identifier = ? AND status = 'active'`, micros(at), by, reason, identifier); err != nil {
			return err
		}
		return tx.bumpLicenseRev(ctx)
	})
}

// ReissueLicense supersedes the active license old by next and stores next.
func (db *DB) ReissueLicense(ctx context.Context, old string, next license.License) error {
	return db.Write(ctx, func(tx *Tx) error {
		if err := changeOne(ctx, tx, `UPDATE licenses SET status = 'superseded', superseded_by = ?
			WHERE identifier = ? AND status = 'active'`, next.Identifier, old); err != nil {
			return err
		}
		if err := insertLicense(ctx, tx, &next); err != nil {
			return err
		}
		// Consents not withdrawn go with the license to its new version.
		if _, err := tx.Exec(ctx, `UPDATE license_consents SET identifier = ? WHERE identifier = ? AND withdrawn_at = 0`,
			next.Identifier, old); err != nil {
			return err
		}
		return tx.bumpLicenseRev(ctx)
	})
}

// SetStatusIndexes returns the set bits of an issuer's status list.
func (db *DB) SetStatusIndexes(ctx context.Context, issuer string, list int) ([]int, error) {
	rows, err := db.query(ctx, `SELECT status_index FROM licenses WHERE issuer_uscc = ? AND status_list = ? AND status <> 'active'`, issuer, list)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var i int
		if err := rows.Scan(&i); err != nil {
			return nil, err
		}
		out = append(out, i)
	}
	return out, rows.Err()
}

// LicenseRev returns the revocation counter.
func (db *DB) LicenseRev(ctx context.Context) (int64, error) {
	var v int64
	err := db.queryRow(ctx, `SELECT value FROM counters WHERE name = 'license_rev'`).Scan(&v)
	if err = db.translate(err); err == ErrNotFound {
		return 0, nil
	}
	return v, err
}

// DeleteImportedLicenses removes the licenses of an import that failed, in
// one transaction.
func (db *DB) DeleteImportedLicenses(ctx context.Context, importID int64) error {
	return db.Write(ctx, func(tx *Tx) error {
		// A consent given meanwhile for an imported license goes with it.
		if _, err := tx.Exec(ctx, `DELETE FROM license_consents WHERE identifier IN
			(SELECT identifier FROM licenses WHERE import_id = ?)`, importID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM licenses WHERE import_id = ?`, importID)
		return err
	})
}

// CreateConsent stores a consent and returns its id.
func (db *DB) CreateConsent(ctx context.Context, c license.Consent) (int64, error) {
	var id int64
	err := db.Write(ctx, func(tx *Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO license_consents(identifier, type_name, holder_subject, grantee_uscc, grantee_name,
			purpose, expires_at, one_time, created_at, created_by) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			c.Identifier, c.TypeName, c.HolderSubject, c.GranteeUSCC, c.GranteeName, c.Purpose, micros(c.ExpiresAt),
			boolInt(c.OneTime), micros(c.CreatedAt), c.CreatedBy).Scan(&id)
	})
	return id, db.translate(err)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

const consentCols = `id, identifier, type_name, holder_subject, grantee_uscc, grantee_name, purpose, expires_at, one_time,
	created_at, created_by, used_at, uses, withdrawn_at`

func scanConsent(row interface{ Scan(...any) error }) (license.Consent, error) {
	var c license.Consent
	var expires, oneTime, created, used, withdrawn int64
	err := row.Scan(&c.ID, &c.Identifier, &c.TypeName, &c.HolderSubject, &c.GranteeUSCC, &c.GranteeName, &c.Purpose,
		&expires, &oneTime, &created, &c.CreatedBy, &used, &c.Uses, &withdrawn)
	c.ExpiresAt, c.CreatedAt, c.UsedAt, c.WithdrawnAt = fromMicros(expires), fromMicros(created), fromMicros(used), fromMicros(withdrawn)
	c.OneTime = oneTime != 0
	return c, err
}

// GetConsent returns one consent.
func (db *DB) GetConsent(ctx context.Context, id int64) (license.Consent, error) {
	c, err := scanConsent(db.queryRow(ctx, `SELECT `+consentCols+` FROM license_consents WHERE id = ?`, id))
	return c, db.translate(err)
}

func (db *DB) consents(ctx context.Context, query string, args ...any) ([]license.Consent, error) {
	rows, err := db.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []license.Consent
	for rows.Next() {
		c, err := scanConsent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ListConsents returns consents matching f, newest first.
func (db *DB) ListConsents(ctx context.Context, f license.ConsentFilter) ([]license.Consent, error) {
	var w shareConds
	w.addString("identifier", f.Identifier)
	w.addString("holder_subject", f.HolderSubject)
	w.addString("grantee_uscc", f.GranteeUSCC)
	if len(w.conds) == 0 {
		return nil, fmt.Errorf("list consents: no filter")
	}
	return db.consents(ctx, `SELECT `+consentCols+` FROM license_consents`+w.String()+` ORDER BY id DESC LIMIT ?`, append(w.args, f.Limit)...)
}

// LiveConsents returns a grantee's consents for a license that are not
// withdrawn or expired at now, soonest expiry first.
func (db *DB) LiveConsents(ctx context.Context, identifier, grantee string, now time.Time) ([]license.Consent, error) {
	return db.consents(ctx, `SELECT `+consentCols+` FROM license_consents
		WHERE identifier = ? AND grantee_uscc = ? AND expires_at > ? AND withdrawn_at = 0
		ORDER BY expires_at, id`, identifier, grantee, micros(now))
}

// UseConsent counts a use; a one-time consent only once.
func (db *DB) UseConsent(ctx context.Context, id int64, at time.Time, oneTime bool) error {
	cond := `withdrawn_at = 0`
	if oneTime {
		cond += ` AND used_at = 0`
	}
	return db.Write(ctx, func(tx *Tx) error {
		return changeOne(ctx, tx, `UPDATE license_consents SET used_at = ?, uses = uses + 1 WHERE id = ? AND `+cond, micros(at), id)
	})
}

// WithdrawConsent marks a consent withdrawn.
func (db *DB) WithdrawConsent(ctx context.Context, id int64, at time.Time) error {
	return db.Write(ctx, func(tx *Tx) error {
		return changeOne(ctx, tx, `UPDATE license_consents SET withdrawn_at = ? WHERE id = ? AND withdrawn_at = 0`, micros(at), id)
	})
}

// changeOne runs an UPDATE meant to change exactly one row in a given state:
// license.ErrStatusChanged when no row was in it any more.
func changeOne(ctx context.Context, tx *Tx, query string, args ...any) error {
	res, err := tx.Exec(ctx, query, args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return license.ErrStatusChanged
	}
	return nil
}
