package audit

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Outcomes of a recorded action.
const (
	Allowed = "allowed"
	Denied  = "denied"
	Failed  = "failed"
)

// Entry is what a service asks to record. The log adds the index, time,
// actor and request from the context.
type Entry struct {
	// Action names what was done, as "area.verb": "auth.login",
	// "org.create", "catalog.update", "exchange.query".
	Action string
	// Object names what it was done to: "org:<uscc>", "resource:<code>".
	Object string
	// Outcome is Allowed, Denied or Failed; empty means Allowed.
	Outcome string
	// Reason is the error code of a denial or failure.
	Reason  string
	Purpose string
	// Rule names what allowed the action: "role:admin", "grant:42".
	Rule string
	// Subjects are the citizen ID numbers and USCCs the action touched, in
	// clear; only their keyed HMACs are recorded.
	Subjects []string
	// Detail holds counts and other non-personal facts.
	Detail map[string]string
	// Actor overrides the caller in the context, for calls made before
	// anyone is authenticated (a login names the username tried).
	Actor    string
	ActorOrg string
}

// Record is one entry of the log as stored and served. Its canonical JSON is
// what the leaf hash covers.
type Record struct {
	Index     int64             `json:"index"`
	Time      time.Time         `json:"time"`
	Actor     string            `json:"actor"`
	ActorOrg  string            `json:"actor_org,omitempty"`
	Action    string            `json:"action"`
	Object    string            `json:"object,omitempty"`
	Outcome   string            `json:"outcome"`
	Reason    string            `json:"reason,omitempty"`
	Purpose   string            `json:"purpose,omitempty"`
	Rule      string            `json:"rule,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
	ClientIP  string            `json:"client_ip,omitempty"`
	Subjects  []string          `json:"subjects,omitempty"`
	Detail    map[string]string `json:"detail,omitempty"`
}

// MaxRecordBytes bounds one record, so that a tile's length prefix (two
// bytes) always fits.
const MaxRecordBytes = 60 << 10

// Encode returns the canonical bytes of r.
func (r *Record) Encode() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return nil, err
	}
	out := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
	if len(out) > MaxRecordBytes {
		return nil, fmt.Errorf("audit record of %d bytes is over the %d-byte limit", len(out), MaxRecordBytes)
	}
	return out, nil
}

// Decode parses canonical record bytes. It reports an error when the bytes
// are not exactly the canonical encoding of what they decode to, so that an
// edit that keeps the JSON valid is still caught.
func Decode(data []byte) (Record, error) {
	var r Record
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return r, fmt.Errorf("malformed record: %w", err)
	}
	again, err := r.Encode()
	if err != nil {
		return r, err
	}
	if !bytes.Equal(again, data) {
		return r, fmt.Errorf("record is not in canonical form")
	}
	return r, nil
}

// Subjects turns identifiers into their keyed HMACs.
type Subjects struct {
	key []byte
}

// NewSubjects returns the HMAC keyed by key (at least 32 bytes).
func NewSubjects(key []byte) (*Subjects, error) {
	if len(key) < 32 {
		return nil, fmt.Errorf("subject key must be at least 32 bytes, have %d", len(key))
	}
	return &Subjects{key: bytes.Clone(key)}, nil
}

// Of returns the subject of an identifier: the first 16 bytes of
// HMAC-SHA256 over its normalised form (trimmed, upper case), in hex.
func (s *Subjects) Of(id string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(strings.ToUpper(strings.TrimSpace(id))))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// subjectBytes decodes a subject's hex form for the subject index.
func subjectBytes(h string) []byte {
	b, _ := hex.DecodeString(h)
	return b
}
