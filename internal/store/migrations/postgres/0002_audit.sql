-- The audit log: records, their RFC 6962 stored hashes, the subject index
-- and signed checkpoints.
CREATE TABLE audit_records (
    idx       BIGINT PRIMARY KEY,
    data      BYTEA NOT NULL,
    at        BIGINT NOT NULL,
    actor_org TEXT NOT NULL,
    action    TEXT NOT NULL,
    object    TEXT NOT NULL,
    outcome   TEXT NOT NULL
);
CREATE INDEX audit_records_action ON audit_records(action, idx);
CREATE INDEX audit_records_org ON audit_records(actor_org, idx);
CREATE INDEX audit_records_object ON audit_records(object, idx);
CREATE INDEX audit_records_at ON audit_records(at);

CREATE TABLE audit_hashes (
    idx  BIGINT PRIMARY KEY,
    hash BYTEA NOT NULL
);

CREATE TABLE audit_subjects (
    subject BYTEA NOT NULL,
    idx     BIGINT NOT NULL,
    PRIMARY KEY (subject, idx)
);

CREATE TABLE audit_checkpoints (
    size BIGINT PRIMARY KEY,
    note BYTEA NOT NULL,
    at   BIGINT NOT NULL
);

INSERT INTO counters(name, value) VALUES ('audit_size', 0);
