-- The audit log's own file (SQLite): records, their RFC 6962 stored
-- hashes, the subject index, signed checkpoints and the log's size. The
-- tables are those of the main file's migrations 0002 and 0006, which a
-- database made before this file existed has its log moved from.
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO counters(name, value) VALUES ('audit_size', 0);

CREATE TABLE audit_records (
    idx       INTEGER PRIMARY KEY,
    data      BLOB NOT NULL,
    at        INTEGER NOT NULL,
    actor_org TEXT NOT NULL,
    action    TEXT NOT NULL,
    object    TEXT NOT NULL,
    outcome   TEXT NOT NULL
);
CREATE INDEX audit_records_action ON audit_records(action, idx);
CREATE INDEX audit_records_org ON audit_records(actor_org, idx);
CREATE INDEX audit_records_object ON audit_records(object, idx);
CREATE INDEX audit_records_at ON audit_records(at);
CREATE INDEX audit_records_action_at ON audit_records(action, at);
CREATE INDEX audit_records_outcome_at ON audit_records(outcome, at);

CREATE TABLE audit_hashes (
    idx  INTEGER PRIMARY KEY,
    hash BLOB NOT NULL
);

CREATE TABLE audit_subjects (
    subject BLOB NOT NULL,
    idx     INTEGER NOT NULL,
    PRIMARY KEY (subject, idx)
) WITHOUT ROWID;

CREATE TABLE audit_checkpoints (
    size INTEGER PRIMARY KEY,
    note BLOB NOT NULL,
    at   INTEGER NOT NULL
);
