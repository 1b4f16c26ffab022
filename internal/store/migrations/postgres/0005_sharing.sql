-- Sharing: requests for fields of resources, their decisions and the grants
-- they create. Ids come from counters (share_request_id, grant_id), so that
-- the audit record written before a change can name them. Field lists and
-- terms are JSON text. A grant's expiry is checked at each read; no job
-- marks grants expired.
CREATE TABLE share_requests (
    id                  BIGINT PRIMARY KEY,
    resource_code       TEXT NOT NULL REFERENCES resources(code),
    resource_name       TEXT NOT NULL,
    provider_uscc       TEXT NOT NULL REFERENCES orgs(uscc),
    consumer_uscc       TEXT NOT NULL REFERENCES orgs(uscc),
    consumer_name       TEXT NOT NULL,
    app_id              BIGINT NOT NULL DEFAULT 0,
    fields              TEXT NOT NULL,
    purpose             TEXT NOT NULL,
    legal_basis         TEXT NOT NULL,
    expires_at          BIGINT NOT NULL,
    status              TEXT NOT NULL,
    requested_by        TEXT NOT NULL,
    created_at          BIGINT NOT NULL,
    decided_by          TEXT NOT NULL DEFAULT '',
    decided_at          BIGINT NOT NULL DEFAULT 0,
    comment             TEXT NOT NULL DEFAULT '',
    reason              TEXT NOT NULL DEFAULT '',
    terms               TEXT NOT NULL DEFAULT '',
    countersigned_by    TEXT NOT NULL DEFAULT '',
    countersigned_at    BIGINT NOT NULL DEFAULT 0,
    countersign_comment TEXT NOT NULL DEFAULT '',
    grant_id            BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX share_requests_consumer ON share_requests(consumer_uscc, resource_code, created_at);
CREATE INDEX share_requests_consumer_id ON share_requests(consumer_uscc, id);
CREATE INDEX share_requests_provider ON share_requests(provider_uscc, status, id);
CREATE INDEX share_requests_provider_id ON share_requests(provider_uscc, id);
CREATE INDEX share_requests_status ON share_requests(status, id);

CREATE TABLE grants (
    id               BIGINT PRIMARY KEY,
    request_id       BIGINT NOT NULL UNIQUE REFERENCES share_requests(id),
    resource_code    TEXT NOT NULL REFERENCES resources(code),
    provider_uscc    TEXT NOT NULL REFERENCES orgs(uscc),
    consumer_uscc    TEXT NOT NULL REFERENCES orgs(uscc),
    app_id           BIGINT NOT NULL DEFAULT 0,
    fields           TEXT NOT NULL,
    unmasked_fields  TEXT NOT NULL,
    purpose          TEXT NOT NULL,
    legal_basis      TEXT NOT NULL,
    expires_at       BIGINT NOT NULL,
    status           TEXT NOT NULL,
    rate             DOUBLE PRECISION NOT NULL,
    daily_quota      BIGINT NOT NULL,
    created_at       BIGINT NOT NULL,
    approved_by      TEXT NOT NULL,
    countersigned_by TEXT NOT NULL DEFAULT '',
    revoked_at       BIGINT NOT NULL DEFAULT 0,
    revoked_by       TEXT NOT NULL DEFAULT '',
    revoke_reason    TEXT NOT NULL DEFAULT ''
);
-- The gateway's lookup on every read: a consumer's grants for a resource,
-- newest first.
CREATE INDEX grants_live ON grants(consumer_uscc, resource_code, id);
CREATE INDEX grants_consumer ON grants(consumer_uscc, id);
CREATE INDEX grants_provider ON grants(provider_uscc, id);
CREATE INDEX grants_resource ON grants(resource_code, id);
