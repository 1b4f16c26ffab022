-- Orgs, accounts, tokens and the resource catalog.
CREATE TABLE orgs (
    uscc                TEXT PRIMARY KEY,
    name                TEXT NOT NULL,
    parent_uscc         TEXT REFERENCES orgs(uscc),
    region_code         TEXT NOT NULL,
    kind                TEXT NOT NULL,
    checksum_overridden INTEGER NOT NULL DEFAULT 0,
    created_at          INTEGER NOT NULL
);
CREATE INDEX orgs_parent ON orgs(parent_uscc);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    org_uscc      TEXT NOT NULL REFERENCES orgs(uscc),
    roles         TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0,
    locked_until  INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);
CREATE INDEX users_org ON users(org_uscc);

CREATE TABLE login_failures (
    user_id INTEGER NOT NULL REFERENCES users(id),
    at      INTEGER NOT NULL
);
CREATE INDEX login_failures_user ON login_failures(user_id, at);

CREATE TABLE apps (
    id         INTEGER PRIMARY KEY,
    org_uscc   TEXT NOT NULL REFERENCES orgs(uscc),
    name       TEXT NOT NULL,
    roles      TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX apps_org ON apps(org_uscc);

CREATE TABLE tokens (
    id         INTEGER PRIMARY KEY,
    hash       BLOB NOT NULL UNIQUE,
    kind       TEXT NOT NULL,
    user_id    INTEGER REFERENCES users(id),
    app_id     INTEGER REFERENCES apps(id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tokens_user ON tokens(user_id);
CREATE INDEX tokens_app ON tokens(app_id);

CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);

CREATE TABLE resources (
    code          TEXT PRIMARY KEY,
    provider_uscc TEXT NOT NULL REFERENCES orgs(uscc),
    version       INTEGER NOT NULL,
    rev           INTEGER NOT NULL,
    doc           TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX resources_rev ON resources(rev);
CREATE INDEX resources_provider ON resources(provider_uscc);

CREATE TABLE resource_versions (
    code       TEXT NOT NULL REFERENCES resources(code),
    version    INTEGER NOT NULL,
    doc        TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (code, version)
);
