-- Ingest: batches, their findings and quarantined rows, and the registry of
-- per-resource record tables (rec_<code>), which are made at run time.
CREATE TABLE batches (
    id            INTEGER PRIMARY KEY,
    resource_code TEXT NOT NULL REFERENCES resources(code),
    version       INTEGER NOT NULL,
    mode          TEXT NOT NULL,
    strict        INTEGER NOT NULL,
    format        TEXT NOT NULL,
    encoding      TEXT NOT NULL,
    filename      TEXT NOT NULL,
    status        TEXT NOT NULL,
    row_count     INTEGER NOT NULL DEFAULT 0,
    accepted      INTEGER NOT NULL DEFAULT 0,
    rejected      INTEGER NOT NULL DEFAULT 0,
    inserted      INTEGER NOT NULL DEFAULT 0,
    updated       INTEGER NOT NULL DEFAULT 0,
    unchanged     INTEGER NOT NULL DEFAULT 0,
    deleted       INTEGER NOT NULL DEFAULT 0,
    warnings      INTEGER NOT NULL DEFAULT 0,
    columns       TEXT NOT NULL,
    unknown       TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    finished_at   INTEGER NOT NULL DEFAULT 0,
    audit_index   INTEGER NOT NULL DEFAULT -1
);
CREATE INDEX batches_resource ON batches(resource_code, id);

CREATE TABLE batch_findings (
    batch_id   INTEGER NOT NULL REFERENCES batches(id),
    n          INTEGER NOT NULL,
    row_no     INTEGER NOT NULL,
    field      TEXT NOT NULL,
    rule       TEXT NOT NULL,
    severity   TEXT NOT NULL,
    message    TEXT NOT NULL,
    message_en TEXT NOT NULL,
    PRIMARY KEY (batch_id, n)
);

CREATE TABLE batch_rejected (
    batch_id INTEGER NOT NULL REFERENCES batches(id),
    row_no   INTEGER NOT NULL,
    data     BLOB NOT NULL,
    PRIMARY KEY (batch_id, row_no)
);

CREATE TABLE record_tables (
    code    TEXT PRIMARY KEY REFERENCES resources(code),
    version INTEGER NOT NULL,
    columns TEXT NOT NULL
);
