-- Electronic license library: license types, issuer keys (public halves;
-- private keys are files of the key directory), licenses (one row per
-- version) and holders' consents. A license's expiry is derived from
-- valid_until at each read. Revoked and superseded licenses set their bit
-- in the issuer's status list (status_list, status_index); the counter
-- license_rev grows with each such change, for caches of signed lists.
CREATE TABLE license_types (
    code          TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    issuer_usccs  TEXT NOT NULL,
    holder_kind   TEXT NOT NULL,
    fields        TEXT NOT NULL,
    validity_days INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    created_by    TEXT NOT NULL
);

CREATE TABLE license_keys (
    kid         TEXT PRIMARY KEY,
    issuer_uscc TEXT NOT NULL REFERENCES orgs(uscc),
    public_key  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    retired_at  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX license_keys_issuer ON license_keys(issuer_uscc, created_at);

CREATE TABLE licenses (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,
    identifier       TEXT NOT NULL UNIQUE,
    type_code        TEXT NOT NULL REFERENCES license_types(code),
    type_name        TEXT NOT NULL,
    version          INTEGER NOT NULL,
    serial           TEXT NOT NULL,
    number           TEXT NOT NULL,
    issuer_uscc      TEXT NOT NULL REFERENCES orgs(uscc),
    issuer_name      TEXT NOT NULL,
    holder_name      TEXT NOT NULL,
    holder_code      TEXT NOT NULL,
    holder_code_type TEXT NOT NULL,
    holder_subject   TEXT NOT NULL,
    data             TEXT NOT NULL,
    issue_date       TEXT NOT NULL,
    valid_from       TEXT NOT NULL,
    valid_until      TEXT NOT NULL DEFAULT '',
    jurisdiction     TEXT NOT NULL,
    status           TEXT NOT NULL,
    status_list      INTEGER NOT NULL,
    status_index     INTEGER NOT NULL,
    key_id           TEXT NOT NULL,
    credential       TEXT NOT NULL,
    issued_at        INTEGER NOT NULL,
    issued_by        TEXT NOT NULL,
    revoked_at       INTEGER NOT NULL DEFAULT 0,
    revoked_by       TEXT NOT NULL DEFAULT '',
    revoke_reason    TEXT NOT NULL DEFAULT '',
    superseded_by    TEXT NOT NULL DEFAULT '',
    replaces         TEXT NOT NULL DEFAULT '',
    import_id        INTEGER NOT NULL DEFAULT 0,
    UNIQUE (issuer_uscc, status_list, status_index)
);
CREATE INDEX licenses_issuer ON licenses(issuer_uscc, seq);
CREATE INDEX licenses_type ON licenses(type_code, seq);
CREATE INDEX licenses_holder ON licenses(holder_code, seq);
CREATE INDEX licenses_holder_subject ON licenses(holder_subject, seq);
CREATE INDEX licenses_status ON licenses(status, seq);
CREATE INDEX licenses_import ON licenses(import_id) WHERE import_id <> 0;
CREATE INDEX licenses_set_bits ON licenses(issuer_uscc, status_list, status_index) WHERE status <> 'active';

CREATE TABLE license_consents (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    identifier     TEXT NOT NULL REFERENCES licenses(identifier),
    type_name      TEXT NOT NULL,
    holder_subject TEXT NOT NULL,
    grantee_uscc   TEXT NOT NULL REFERENCES orgs(uscc),
    grantee_name   TEXT NOT NULL,
    purpose        TEXT NOT NULL,
    expires_at     INTEGER NOT NULL,
    one_time       INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    created_by     TEXT NOT NULL,
    used_at        INTEGER NOT NULL DEFAULT 0,
    uses           INTEGER NOT NULL DEFAULT 0,
    withdrawn_at   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX license_consents_use ON license_consents(identifier, grantee_uscc, expires_at);
CREATE INDEX license_consents_holder ON license_consents(holder_subject, id);
CREATE INDEX license_consents_grantee ON license_consents(grantee_uscc, id);
