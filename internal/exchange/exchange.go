// Package exchange is the gateway: the one place shared data leaves
// huitong. Every read goes through the same steps, in this order:
//
//  1. the caller holds the consumer role;
//  2. the resource exists and is shared (share type none is never served);
//  3. a live grant of the caller's org covers the resource (sharing.Live);
//  4. the grant's rate and daily record quota allow the call;
//  5. the request names only granted fields and filters only on key or
//     indexed fields; level-4 fields come back only from exact-key lookups
//     and verifications, never in bulk;
//  6. the records are read, projected onto the asked fields and masked by
//     field level unless the grant lifts masking for a field;
//  7. the read is appended to the audit log, with the subject HMACs of
//     every citizen ID number and USCC in the records, before the answer
//     goes out. If the audit append fails, the call fails.
//
// Refusals in steps 1-3 and 5 are audited too.
package exchange

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"huitong"
	"huitong/internal/audit"
	"huitong/internal/catalog"
	"huitong/internal/ingest"
	"huitong/internal/masking"
	"huitong/internal/sharing"
)

// Limits of one call.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
	maxInValues  = 1000
	maxPurpose   = 200
	// maxVerifyRecords bounds the records one verification compares.
	maxVerifyRecords = 100
)

// Grants finds the live grant behind a call.
type Grants interface {
	Live(ctx context.Context, p *huitong.Principal, resourceCode string, grantID int64) (sharing.Grant, error)
}

// Records reads stored records.
type Records interface {
	PrepareRecords(ctx context.Context, r catalog.Resource) error
	FindRecords(ctx context.Context, r catalog.Resource, conds []ingest.Cond, orderBy string, after *ingest.After, limit int) ([]ingest.Record, error)
	Changes(ctx context.Context, r catalog.Resource, afterSeq int64, limit int) ([]ingest.Record, error)
}

// Recorder appends to the audit log, durably, before Append returns.
type Recorder interface {
	Append(ctx context.Context, e audit.Entry) (int64, error)
}

// Gateway serves shared data under grants.
type Gateway struct {
	Grants Grants
	// Resource returns the current version of a resource, without access
	// checks: the gateway makes its own. The gateway never changes what it
	// returns, which may be shared with a cache (catalog.Service.GetShared).
	Resource func(ctx context.Context, code string) (catalog.Resource, error)
	Records  Records
	Audit    Recorder
	Sealer   *ingest.Sealer // opens level-4 values
	// PseudonymSecret keys the pseudonyms a caller may ask for instead of
	// values: each consumer org gets its own key derived from it, so that
	// two consumers cannot join their results. Without it, pseudonyms are
	// refused.
	PseudonymSecret []byte
	Now             func() time.Time

	// prepared maps "code@version" to the version's fields by name, once
	// its record table is known current. A version never changes, so the
	// map is shared by every call and never written after it is stored.
	prepared sync.Map
	limits   limiter
	quotas   quotas
	masker   *masking.Masker
	once     sync.Once
}

// Query is a read by key or indexed fields.
type Query struct {
	Where   map[string]json.RawMessage `json:"where"`
	Fields  []string                   `json:"fields"`
	Limit   int                        `json:"limit"`
	Cursor  string                     `json:"cursor"`
	Purpose string                     `json:"purpose"`
	GrantID int64                      `json:"grant_id"`
	// Pseudonymize names asked fields to return as keyed pseudonyms
	// ("ps_" and 32 hex digits) instead of their values: stable for one
	// consumer org, so records can be linked across reads without the
	// identifier being seen.
	Pseudonymize []string `json:"pseudonymize"`
}

// Verification asks whether the records a filter selects hold given
// values, and learns nothing else.
type Verification struct {
	Where   map[string]json.RawMessage `json:"where"`
	Match   map[string]json.RawMessage `json:"match"`
	Purpose string                     `json:"purpose"`
	GrantID int64                      `json:"grant_id"`
}

// ChangesQuery reads records changed since a cursor.
type ChangesQuery struct {
	Cursor       string
	Fields       []string
	Pseudonymize []string
	Limit        int
	Purpose      string
	GrantID      int64
}

// Answer is a page of records. Each record holds its id ("_id"), its last
// change ("_updated_at") and the asked fields; a change feed marks deleted
// records with "_deleted".
type Answer struct {
	Records    []map[string]any `json:"records"`
	NextCursor string           `json:"next_cursor"`
	AuditIndex int64            `json:"audit_index"`
}

// Verdict is a verification's answer.
type Verdict struct {
	Match      bool  `json:"match"`
	AuditIndex int64 `json:"audit_index"`
}

func (g *Gateway) init() {
	g.once.Do(func() { g.masker = masking.New(nil) })
}

// call is what every gateway call establishes before reading.
type call struct {
	p      *huitong.Principal
	r      catalog.Resource
	grant  sharing.Grant
	fields map[string]catalog.Field
	action string
}

// authorize runs steps 1-4, recording refusals.
func (g *Gateway) authorize(ctx context.Context, action, code string, grantID int64) (*call, error) {
	g.init()
	c := &call{action: action}
	deny := func(err error) (*call, error) {
		if huitong.ErrorKind(err) == huitong.Forbidden {
			e := audit.Entry{Action: action, Object: "resource:" + code, Outcome: audit.Denied, Reason: huitong.ErrorCode(err)}
			if c.grant.ID != 0 {
				e.Rule = "grant:" + strconv.FormatInt(c.grant.ID, 10)
			}
			if _, aerr := g.Audit.Append(ctx, e); aerr != nil {
				return nil, aerr
			}
		}
		return nil, err
	}
	var err error
	if c.p, err = huitong.Require(ctx, huitong.RoleConsumer); err != nil {
		return deny(err)
	}
	if grantID < 0 {
		return nil, huitong.Invalidf("invalid_parameter", "grant_id 须为正整数", "grant_id must be a positive integer")
	}
	if c.r, err = g.Resource(ctx, code); err != nil {
		return nil, err
	}
	if c.r.ShareType == catalog.ShareNone {
		return deny(huitong.Forbiddenf("share_type_none", "信息资源 %s 不予共享（依据：%s）", "resource %s is not shared (legal basis: %s)",
			c.r.Code, c.r.LegalBasis))
	}
	if c.grant, err = g.Grants.Live(ctx, c.p, code, grantID); err != nil {
		return deny(err)
	}
	now := g.Now()
	if wait, ok := g.limits.allow(c.grant, now); !ok {
		return nil, &huitong.Error{Kind: huitong.RateLimited, Code: "rate_limited",
			Message:    fmt.Sprintf("调用过于频繁：本授权每秒最多 %g 次，请稍后再试", c.grant.Rate),
			MessageEN:  fmt.Sprintf("too many calls: this grant allows %g per second", c.grant.Rate),
			RetryAfter: max(1, int((wait+time.Second-1)/time.Second))}
	}
	if g.quotas.remaining(c.grant, now) <= 0 {
		return nil, quotaError(c.grant, now)
	}
	key := c.r.Code + "@" + strconv.Itoa(c.r.Version)
	if v, ok := g.prepared.Load(key); ok {
		c.fields = v.(map[string]catalog.Field)
	} else {
		if err := g.Records.PrepareRecords(ctx, c.r); err != nil {
			return nil, huitong.Fault("exchange prepare records", err)
		}
		c.fields = make(map[string]catalog.Field, len(c.r.Fields))
		for _, f := range c.r.Fields {
			c.fields[f.Name] = f
		}
		g.prepared.Store(key, c.fields)
	}
	return c, nil
}

func quotaError(gr sharing.Grant, now time.Time) error {
	return &huitong.Error{Kind: huitong.RateLimited, Code: "quota_exceeded",
		Message:    fmt.Sprintf("本授权今日的 %d 条记录额度已用完，明日零时恢复", gr.DailyQuota),
		MessageEN:  fmt.Sprintf("this grant's daily quota of %d records is used up until midnight (UTC+8)", gr.DailyQuota),
		RetryAfter: int(nextDay(now).Sub(now).Seconds()) + 1}
}

// deny records a refusal found after authorization (step 5).
func (g *Gateway) deny(ctx context.Context, c *call, err error) error {
	if huitong.ErrorKind(err) == huitong.Forbidden {
		if _, aerr := g.Audit.Append(ctx, audit.Entry{Action: c.action, Object: "resource:" + c.r.Code, Outcome: audit.Denied,
			Reason: huitong.ErrorCode(err), Rule: "grant:" + strconv.FormatInt(c.grant.ID, 10), Purpose: c.grant.Purpose}); aerr != nil {
			return aerr
		}
	}
	return err
}

// granted checks that every named field exists and is granted.
func (c *call) granted(names []string) error {
	for _, n := range names {
		if _, ok := c.fields[n]; !ok {
			return huitong.Invalidf("unknown_field", "信息资源没有信息项 %s", "the resource has no field %s", clip(n))
		}
		if !c.grant.Has(n) {
			return huitong.Forbiddenf("field_not_granted", "信息项 %s 不在授权范围内", "field %s is not granted", n)
		}
	}
	return nil
}

// filter turns a where clause into conditions: on key or indexed fields,
// granted, with values normalised as stored.
func (g *Gateway) filter(c *call, where map[string]json.RawMessage) ([]ingest.Cond, string, error) {
	if len(where) == 0 {
		return nil, "", huitong.Invalidf("filter_required", "须提供查询条件（where），按主键或索引信息项查询", "a where clause on key or indexed fields is required")
	}
	names := make([]string, 0, len(where))
	for n := range where {
		names = append(names, n)
	}
	sort.Strings(names)
	if err := c.granted(names); err != nil {
		return nil, "", err
	}
	var conds []ingest.Cond
	orderBy := ""
	for _, n := range names {
		f := c.fields[n]
		if !f.Key && !f.Indexed {
			return nil, "", huitong.Invalidf("filter_not_indexed", "信息项 %s 不是主键或索引项，不能作为查询条件", "field %s is neither a key nor indexed and cannot filter", n)
		}
		ops, err := parseCond(where[n])
		if err != nil {
			return nil, "", err.WithDetails(huitong.FieldError{Field: "where." + n, Code: err.Code, Message: err.Message, MessageEN: err.MessageEN})
		}
		for _, op := range ops {
			cond := ingest.Cond{Field: n, Op: op.op}
			for _, raw := range op.values {
				v, key, err := ingest.Normalize(f, raw, g.Now())
				if err != nil {
					// The message names the field and the rule, never the value.
					return nil, "", huitong.Invalidf("invalid_filter", "查询条件中 %s 的值无效", "the value given for %s is not valid", n).
						WithDetails(huitong.FieldError{Field: "where." + n, Code: "invalid_value", Message: "值无效", MessageEN: "invalid value"})
				}
				cond.Values = append(cond.Values, v)
				cond.Keys = append(cond.Keys, key)
			}
			if op.op != ingest.OpEq && op.op != ingest.OpIn {
				if f.Type == "decimal" || f.Type == "bool" {
					return nil, "", huitong.Invalidf("range_not_supported", "信息项 %s 不支持范围查询", "field %s does not support range filters", n)
				}
				if orderBy != "" && orderBy != n {
					return nil, "", huitong.Invalidf("range_not_supported", "范围查询只能针对一个信息项", "range filters may name one field only")
				}
				orderBy = n
			}
			conds = append(conds, cond)
		}
	}
	return conds, orderBy, nil
}

// exactKey reports whether conditions pin every key field to one value:
// the lookup of one record, the only read that may return level-4 fields
// (an in list of many keys would hand them over in bulk).
func exactKey(r catalog.Resource, conds []ingest.Cond) bool {
	keys := 0
	for _, f := range r.Fields {
		if !f.Key {
			continue
		}
		keys++
		if !slices.ContainsFunc(conds, func(c ingest.Cond) bool {
			return c.Field == f.Name && (c.Op == ingest.OpEq || c.Op == ingest.OpIn) && len(c.Values) == 1
		}) {
			return false
		}
	}
	return keys > 0
}

type condOp struct {
	op     string
	values []string
}

// parseCond reads one field's filter: a value, {"in":[...]}, or a range
// {"gte","lte","gt","lt"}.
func parseCond(raw json.RawMessage) ([]condOp, *huitong.Error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '{' {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil || len(m) == 0 {
			return nil, badFilter()
		}
		if in, ok := m["in"]; ok {
			if len(m) != 1 {
				return nil, huitong.Invalidf("invalid_filter", "in 不能与其他条件组合", "in cannot be combined with other operators")
			}
			var list []json.RawMessage
			if err := json.Unmarshal(in, &list); err != nil || len(list) == 0 {
				return nil, huitong.Invalidf("invalid_filter", "in 须为非空数组", "in must be a non-empty array")
			}
			if len(list) > maxInValues {
				return nil, huitong.Invalidf("too_many_values", "in 最多 %d 个值", "in takes at most %d values", maxInValues)
			}
			op := condOp{op: ingest.OpIn}
			for _, item := range list {
				s, err := scalar(item)
				if err != nil {
					return nil, err
				}
				op.values = append(op.values, s)
			}
			return []condOp{op}, nil
		}
		var ops []condOp
		for _, name := range []string{ingest.OpGte, ingest.OpGt, ingest.OpLte, ingest.OpLt} {
			v, ok := m[name]
			if !ok {
				continue
			}
			s, err := scalar(v)
			if err != nil {
				return nil, err
			}
			ops = append(ops, condOp{op: name, values: []string{s}})
		}
		if len(ops) != len(m) {
			return nil, huitong.Invalidf("invalid_filter", "查询条件只支持 in、gte、gt、lte、lt", "filters support in, gte, gt, lte and lt only")
		}
		return ops, nil
	}
	s, err := scalar(raw)
	if err != nil {
		return nil, err
	}
	return []condOp{{op: ingest.OpEq, values: []string{s}}}, nil
}

func badFilter() *huitong.Error {
	return huitong.Invalidf("invalid_filter", "查询条件格式无效", "malformed filter")
}

// scalar reads a JSON string, number or bool as text.
func scalar(raw json.RawMessage) (string, *huitong.Error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", badFilter()
	}
	switch raw[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", badFilter()
		}
		return s, nil
	case 't', 'f':
		var b bool
		if err := json.Unmarshal(raw, &b); err != nil {
			return "", badFilter()
		}
		return strconv.FormatBool(b), nil
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		var n json.Number
		if err := json.Unmarshal(raw, &n); err != nil {
			return "", badFilter()
		}
		return n.String(), nil
	}
	return "", huitong.Invalidf("invalid_filter", "查询条件的值须为字符串、数字或布尔值", "filter values must be strings, numbers or booleans")
}

// Query serves a read by key or indexed fields: granted fields only, masked
// by level, audited before the answer. Errors: Unauthenticated; Forbidden
// (forbidden, share_type_none, no_grant, grant_expired, grant_revoked,
// field_not_granted, restricted_field); NotFound (resource_not_found);
// Invalid (filter_required, filter_not_indexed, invalid_filter,
// unknown_field, invalid_limit, invalid_cursor, range_not_supported);
// RateLimited (rate_limited, quota_exceeded); Unavailable (audit).
func (g *Gateway) Query(ctx context.Context, code string, q Query) (Answer, error) {
	c, limit, fields, err := g.begin(ctx, "exchange.query", code, q.GrantID, q.Limit, q.Fields, q.Pseudonymize)
	if err != nil {
		return Answer{}, err
	}
	conds, orderBy, err := g.filter(c, q.Where)
	if err != nil {
		return Answer{}, g.deny(ctx, c, err)
	}
	one := exactKey(c.r, conds)
	if len(q.Fields) == 0 && one {
		fields = c.grant.Fields
	}
	if !one {
		for _, n := range fields {
			if c.fields[n].Level >= 4 {
				return Answer{}, g.deny(ctx, c, huitong.Forbiddenf("restricted_field",
					"四级（受限）信息项 %s 只能按主键精确查询或核验，不能批量获取", "level-4 field %s is served only by exact-key lookups and verification, never in bulk", n))
			}
		}
	}
	after, err := decodeCursor(q.Cursor, orderBy, c.fields)
	if err != nil {
		return Answer{}, err
	}
	now := g.Now()
	limit = int(min(int64(limit), g.quotas.remaining(c.grant, now)))
	recs, err := g.Records.FindRecords(ctx, c.r, conds, orderBy, after, limit+1)
	if err != nil {
		return Answer{}, huitong.Fault("exchange find records", err)
	}
	var next string
	if len(recs) > limit {
		recs = recs[:limit]
		last := recs[len(recs)-1]
		next = encodeCursor(orderBy, last)
	}
	return g.answer(ctx, c, recs, fields, q.Pseudonymize, filterShape(conds), q.Purpose, next, now)
}

// checkPseudonyms checks that pseudonyms are asked for returned fields.
// With all set, the fields are the default projection, which an exact-key
// lookup may still widen: any granted field will do.
func (g *Gateway) checkPseudonyms(c *call, names, fields []string, all bool) error {
	if len(names) == 0 {
		return nil
	}
	if err := c.granted(names); err != nil {
		return err
	}
	if len(g.PseudonymSecret) == 0 {
		return huitong.Invalidf("pseudonyms_unavailable", "本平台未配置假名化密钥", "pseudonyms are not configured on this platform")
	}
	for _, n := range names {
		if !all && !slices.Contains(fields, n) {
			return huitong.Invalidf("invalid_pseudonymize", "假名化的信息项 %s 须在 fields 中", "pseudonymized field %s must be one of the asked fields", clip(n))
		}
	}
	return nil
}

// pseudonymKey is a consumer org's own pseudonym key.
func (g *Gateway) pseudonymKey(consumer string) []byte {
	m := hmac.New(sha256.New, g.PseudonymSecret)
	m.Write([]byte("huitong/exchange/pseudonym\x00" + consumer))
	return m.Sum(nil)
}

// begin runs what every read starts with: authorization, the page size,
// and the asked fields (by default the granted ones a bulk read may
// return), granted and with valid pseudonyms.
func (g *Gateway) begin(ctx context.Context, action, code string, grantID int64, size int, asked, pseudonyms []string) (*call, int, []string, error) {
	c, err := g.authorize(ctx, action, code, grantID)
	if err != nil {
		return nil, 0, nil, err
	}
	limit, err := pageLimit(size)
	if err != nil {
		return nil, 0, nil, err
	}
	fields := asked
	if len(fields) == 0 {
		fields = c.bulkFields()
	}
	if err := c.granted(fields); err != nil {
		return nil, 0, nil, g.deny(ctx, c, err)
	}
	// A query without fields may still widen to level 4 by exact key.
	widen := len(asked) == 0 && action == "exchange.query"
	if err := g.checkPseudonyms(c, pseudonyms, fields, widen); err != nil {
		return nil, 0, nil, g.deny(ctx, c, err)
	}
	return c, limit, fields, nil
}

// answer projects and masks the records read, appends the read to the
// audit log, counts them against the grant's quota, and only then answers.
func (g *Gateway) answer(ctx context.Context, c *call, recs []ingest.Record, fields, pseudonyms []string, filter, purpose, next string, now time.Time) (Answer, error) {
	out, subjects, err := g.project(c, recs, fields, pseudonyms)
	if err != nil {
		return Answer{}, err
	}
	d := detail(c, fields, filter, len(out), purpose)
	if len(pseudonyms) > 0 {
		d["pseudonymized"] = strings.Join(pseudonyms, ",")
	}
	idx, err := g.Audit.Append(ctx, audit.Entry{Action: c.action, Object: "resource:" + c.r.Code,
		Rule: "grant:" + strconv.FormatInt(c.grant.ID, 10), Purpose: c.grant.Purpose, Subjects: subjects, Detail: d})
	if err != nil {
		return Answer{}, err
	}
	g.quotas.add(c.grant, now, int64(len(out)))
	return Answer{Records: out, NextCursor: next, AuditIndex: idx}, nil
}

// bulkFields are the granted fields a read returns when none are named:
// all of them except level-4 fields, which only exact-key lookups return.
func (c *call) bulkFields() []string {
	var out []string
	for _, f := range c.r.Fields {
		if c.grant.Has(f.Name) && f.Level < 4 {
			out = append(out, f.Name)
		}
	}
	return out
}

func pageLimit(n int) (int, error) {
	switch {
	case n == 0:
		return DefaultLimit, nil
	case n < 0 || n > MaxLimit:
		return 0, huitong.Invalidf("invalid_limit", "limit 须在 1 至 %d 之间", "limit must be 1 to %d", MaxLimit)
	}
	return n, nil
}

// project turns records into answers: the asked fields, opened when
// encrypted, masked by level unless the grant lifts it. It also collects the
// citizen ID numbers and USCCs the records hold, asked for or not.
func (g *Gateway) project(c *call, recs []ingest.Record, fields, pseudonyms []string) ([]map[string]any, []string, error) {
	var key []byte
	if len(pseudonyms) > 0 {
		key = g.pseudonymKey(c.grant.ConsumerUSCC)
	}
	out := make([]map[string]any, 0, len(recs))
	var subjects []string
	for _, rec := range recs {
		m := make(map[string]any, len(fields)+3)
		m["_id"] = rec.ID
		m["_updated_at"] = rec.UpdatedAt
		if rec.Deleted {
			m["_deleted"] = true
		}
		for _, f := range c.r.Fields {
			if (f.PII == "id_card" || f.PII == "uscc") && !f.Encrypted() {
				if s, ok := rec.Values[f.Name].(string); ok && s != "" {
					subjects = append(subjects, s)
				}
			}
		}
		for _, n := range fields {
			f := c.fields[n]
			v := rec.Values[n]
			if rec.Deleted && !f.Key {
				continue // a deletion names its key only
			}
			if f.Encrypted() && v != nil {
				s, err := g.Sealer.OpenString(fmt.Sprint(v))
				if err != nil {
					return nil, nil, huitong.Fault("exchange open value of "+n, err)
				}
				if f.PII == "id_card" || f.PII == "uscc" {
					subjects = append(subjects, s)
				}
				v = s
			}
			if key != nil && slices.Contains(pseudonyms, n) {
				if v != nil {
					s, _ := g.stored(f, v)
					v = masking.Pseudonym(key, s)
				}
				m[n] = v
				continue
			}
			m[n] = g.masker.Apply(masking.ForField(f.PII, f.Level, c.grant.Unmasked(n)), v)
		}
		out = append(out, m)
	}
	return out, compact(subjects), nil
}

func compact(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}

func detail(c *call, fields []string, filter string, count int, purpose string) map[string]string {
	d := map[string]string{"grant_id": strconv.FormatInt(c.grant.ID, 10), "fields": strings.Join(fields, ","),
		"count": strconv.Itoa(count), "consumer": c.grant.ConsumerUSCC}
	if filter != "" {
		d["filter"] = filter
	}
	if purpose = strings.TrimSpace(purpose); purpose != "" {
		d["case"] = huitong.Clip(purpose, maxPurpose)
	}
	return d
}

// filterShape describes conditions without their values: "id_card:in(3)".
func filterShape(conds []ingest.Cond) string {
	parts := make([]string, 0, len(conds))
	for _, c := range conds {
		s := c.Field + ":" + c.Op
		if c.Op == ingest.OpIn {
			s += "(" + strconv.Itoa(len(c.Values)) + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ",")
}

// Verify answers whether any record the filter selects holds every value of
// match, and nothing else: no values, no counts. It compares all selected
// records without stopping early, in constant time per value. Level-4
// fields may be verified. Errors as Query.
func (g *Gateway) Verify(ctx context.Context, code string, v Verification) (Verdict, error) {
	c, err := g.authorize(ctx, "exchange.verify", code, v.GrantID)
	if err != nil {
		return Verdict{}, err
	}
	if len(v.Match) == 0 {
		return Verdict{}, huitong.Invalidf("match_required", "须提供待核验的值（match）", "match is required")
	}
	names := make([]string, 0, len(v.Match))
	for n := range v.Match {
		names = append(names, n)
	}
	sort.Strings(names)
	if err := c.granted(names); err != nil {
		return Verdict{}, g.deny(ctx, c, err)
	}
	conds, _, err := g.filter(c, v.Where)
	if err != nil {
		return Verdict{}, g.deny(ctx, c, err)
	}
	want := make(map[string]string, len(names))
	var subjects []string
	for _, n := range names {
		f := c.fields[n]
		s, bad := scalar(v.Match[n])
		if bad != nil {
			return Verdict{}, huitong.Invalidf("invalid_match", "待核验的 %s 的值须为字符串、数字或布尔值", "the value given for %s must be a string, a number or a boolean", n).
				WithDetails(huitong.FieldError{Field: "match." + n, Code: bad.Code, Message: bad.Message, MessageEN: bad.MessageEN})
		}
		_, norm, err := ingest.Normalize(f, s, g.Now())
		if err != nil {
			// A value of the wrong shape matches nothing; saying so reveals
			// nothing about the data.
			return Verdict{}, huitong.Invalidf("invalid_match", "待核验的 %s 的值格式无效", "the value given for %s is not valid", n).
				WithDetails(huitong.FieldError{Field: "match." + n, Code: "invalid_value", Message: "值无效", MessageEN: "invalid value"})
		}
		want[n] = norm
		if f.PII == "id_card" || f.PII == "uscc" {
			subjects = append(subjects, norm)
		}
	}
	for _, cond := range conds {
		if f := c.fields[cond.Field]; f.PII == "id_card" || f.PII == "uscc" {
			subjects = append(subjects, cond.Keys...)
		}
	}
	recs, err := g.Records.FindRecords(ctx, c.r, conds, "", nil, maxVerifyRecords)
	if err != nil {
		return Verdict{}, huitong.Fault("exchange find records", err)
	}
	match := 0
	for _, rec := range recs {
		all := 1
		for _, n := range names {
			f := c.fields[n]
			got, err := g.stored(f, rec.Values[n])
			if err != nil {
				return Verdict{}, err
			}
			all &= subtle.ConstantTimeCompare([]byte(got), []byte(want[n]))
		}
		match |= all
		for _, f := range c.r.Fields {
			if (f.PII == "id_card" || f.PII == "uscc") && !f.Encrypted() {
				if s, ok := rec.Values[f.Name].(string); ok && s != "" {
					subjects = append(subjects, s)
				}
			}
		}
	}
	d := detail(c, names, filterShape(conds), 1, v.Purpose)
	d["match_fields"] = d["fields"]
	delete(d, "fields")
	d["result"] = strconv.FormatBool(match == 1)
	idx, err := g.Audit.Append(ctx, audit.Entry{Action: c.action, Object: "resource:" + c.r.Code,
		Rule: "grant:" + strconv.FormatInt(c.grant.ID, 10), Purpose: c.grant.Purpose, Subjects: compact(subjects), Detail: d})
	if err != nil {
		return Verdict{}, err
	}
	g.quotas.add(c.grant, g.Now(), 1)
	return Verdict{Match: match == 1, AuditIndex: idx}, nil
}

// stored returns a stored value as normalised text, opened if encrypted.
func (g *Gateway) stored(f catalog.Field, v any) (string, error) {
	if v == nil {
		return "", nil
	}
	if f.Encrypted() {
		s, err := g.Sealer.OpenString(fmt.Sprint(v))
		if err != nil {
			return "", huitong.Fault("exchange open value of "+f.Name, err)
		}
		return s, nil
	}
	switch x := v.(type) {
	case string:
		return x, nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case bool:
		return strconv.FormatBool(x), nil
	}
	return fmt.Sprint(v), nil
}

// Changes serves the records changed after a cursor, deletions included, in
// change order: the granted fields (level 4 excepted), masked as Query
// masks them. Errors as Query.
func (g *Gateway) Changes(ctx context.Context, code string, q ChangesQuery) (Answer, error) {
	c, limit, fields, err := g.begin(ctx, "exchange.changes", code, q.GrantID, q.Limit, q.Fields, q.Pseudonymize)
	if err != nil {
		return Answer{}, err
	}
	for _, n := range fields {
		if c.fields[n].Level >= 4 {
			return Answer{}, g.deny(ctx, c, huitong.Forbiddenf("restricted_field",
				"四级（受限）信息项 %s 只能按主键精确查询或核验，不能批量获取", "level-4 field %s is served only by exact-key lookups and verification, never in bulk", n))
		}
	}
	var after int64
	if q.Cursor != "" {
		if after, err = strconv.ParseInt(strings.TrimPrefix(q.Cursor, "s"), 10, 64); err != nil || after < 0 || !strings.HasPrefix(q.Cursor, "s") {
			return Answer{}, errCursor()
		}
	}
	now := g.Now()
	limit = int(min(int64(limit), g.quotas.remaining(c.grant, now)))
	recs, err := g.Records.Changes(ctx, c.r, after, limit)
	if err != nil {
		return Answer{}, huitong.Fault("exchange changes", err)
	}
	next := q.Cursor
	if len(recs) > 0 {
		next = "s" + strconv.FormatInt(recs[len(recs)-1].Seq, 10)
	}
	return g.answer(ctx, c, recs, fields, q.Pseudonymize, "", q.Purpose, next, now)
}

func errCursor() error {
	return huitong.Invalidf("invalid_cursor", "分页游标无效", "invalid cursor")
}

// Cursors are opaque to callers: "i<id>" for reads in id order, and
// "v<base64 JSON [value, id]>" for reads ordered by a range field.
func encodeCursor(orderBy string, last ingest.Record) string {
	if orderBy == "" {
		return "i" + strconv.FormatInt(last.ID, 10)
	}
	b, _ := json.Marshal([]any{last.Values[orderBy], last.ID})
	return "v" + base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s, orderBy string, fields map[string]catalog.Field) (*ingest.After, error) {
	if s == "" {
		return nil, nil
	}
	if orderBy == "" {
		if !strings.HasPrefix(s, "i") {
			return nil, errCursor()
		}
		id, err := strconv.ParseInt(s[1:], 10, 64)
		if err != nil || id < 0 {
			return nil, errCursor()
		}
		return &ingest.After{ID: id}, nil
	}
	if !strings.HasPrefix(s, "v") {
		return nil, errCursor()
	}
	b, err := base64.RawURLEncoding.DecodeString(s[1:])
	if err != nil {
		return nil, errCursor()
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var pair []any
	if err := dec.Decode(&pair); err != nil || len(pair) != 2 {
		return nil, errCursor()
	}
	idn, ok := pair[1].(json.Number)
	if !ok {
		return nil, errCursor()
	}
	id, err := idn.Int64()
	if err != nil {
		return nil, errCursor()
	}
	var v any
	switch x := pair[0].(type) {
	case string:
		v = x
	case json.Number:
		n, err := x.Int64()
		if err != nil || fields[orderBy].Type != "int" {
			return nil, errCursor()
		}
		v = n
	default:
		return nil, errCursor()
	}
	return &ingest.After{Value: v, ID: id}, nil
}

func clip(s string) string { return huitong.Clip(s, 64) }
