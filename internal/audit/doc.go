// Package audit is huitong's tamper-evident audit log (行车记录仪): every
// login, change, grant decision and data access becomes a record, appended
// durably before the caller is answered.
//
// # Records and the tree
//
// A record is canonical JSON (fields in a fixed order, map keys sorted, no
// HTML escaping). Its leaf hash is tlog.RecordHash of those bytes, and the
// records form an RFC 6962 Merkle tree whose hashes are kept with
// tlog.StoredHashes in the same database as the records. Personal and
// organisation identifiers never enter a record in clear: they are keyed
// HMACs ("subjects") under a secret of the installation, which also index the
// citizen access history.
//
// # Appends
//
// Log.Append hands a record to one writer goroutine that group-commits
// whatever is waiting: one transaction for the batch, durable before any
// caller in it is answered. If the batch fails, every caller in it fails.
//
// # Checkpoints and proofs
//
// A checkpoint is a C2SP tlog-checkpoint (origin, size, base64 root) signed
// as a note with an Ed25519 key; one is made at most every second while
// records arrive, and all are kept. Inclusion and consistency proofs, and
// C2SP tlog-tiles, let anyone with the verifier key check the log.
package audit
