package exchange_test

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"huitong"
	"huitong/internal/catalog"
	"huitong/internal/exchange"
	"huitong/internal/ingest"
	"huitong/internal/org"
	"huitong/internal/sharing"
	"huitong/internal/store"
)

// The authorization matrix: every caller role and org, share type, field
// level and grant state, against query, verify and changes, asserting
// exactly which fields and values come back. The expected answers come
// from a small oracle written from the rules, not from the gateway.

const (
	operatorOrg = "11330500MB1D69512A"
	otherOrg    = "11330500002486270F"
)

// The resource every case uses: a key and one field of each level.
var matrixFields = []catalog.Field{
	{Name: "id_card", Title: "公民身份号码", Type: "string", Level: 3, PII: "id_card", Key: true, Required: true},
	{Name: "gender", Title: "性别", Type: "string", Level: 1},
	{Name: "birth_date", Title: "出生日期", Type: "date", Level: 2, Indexed: true},
	{Name: "name", Title: "姓名", Type: "string", Level: 3, PII: "name"},
	{Name: "phone", Title: "联系电话", Type: "string", Level: 4, PII: "phone"},
}

const matrixCSV = "id_card,gender,birth_date,name,phone\n33050219850615123X,男,1985-06-15,欧阳建国,13900001111\n"

// The values a granted consumer sees of that record, by field: clear at
// levels 1-2, masked at 3-4 unless unmasked.
var (
	clearValues  = map[string]any{"id_card": "33050219850615123X", "gender": "男", "birth_date": "1985-06-15", "name": "欧阳建国", "phone": "13900001111"}
	maskedValues = map[string]any{"id_card": "330502********123X", "gender": "男", "birth_date": "1985-06-15", "name": "欧阳**", "phone": "139****1111"}
)

// Grant states.
const (
	stNone     = "none"     // never requested
	stPending  = "pending"  // requested, not decided (or awaiting a countersignature)
	stApproved = "approved" // every field, name unmasked, level 4 countersigned
	stExpired  = "expired"
	stRevoked  = "revoked"
	stNarrowed = "narrowed" // approved for id_card and gender only
)

var states = []string{stNone, stPending, stApproved, stExpired, stRevoked, stNarrowed}

// Callers.
type caller struct {
	name  string
	p     *huitong.Principal
	isCon bool // holds the consumer role in the granted org
}

func callers() []caller {
	user := func(name, uscc string, roles ...string) *huitong.Principal {
		return &huitong.Principal{Kind: huitong.PrincipalUser, ID: 1, Name: name, OrgUSCC: uscc, Roles: roles}
	}
	return []caller{
		{"granted consumer", user("c1", consumer, huitong.RoleConsumer), true},
		{"granted consumer app", &huitong.Principal{Kind: huitong.PrincipalApp, ID: 9, Name: "app", OrgUSCC: consumer, Roles: []string{huitong.RoleConsumer}}, true},
		{"other consumer", user("c2", otherOrg, huitong.RoleConsumer), false},
		{"provider officer", user("p1", provider, huitong.RoleProvider), false},
		{"provider org consumer", user("p2", provider, huitong.RoleConsumer), false},
		{"granted org provider role", user("c3", consumer, huitong.RoleProvider), false},
		{"admin", user("a1", operatorOrg, huitong.RoleAdmin), false},
		{"auditor", user("au", operatorOrg, huitong.RoleAuditor), false},
		{"citizen", user("li", "", huitong.RoleCitizen), false},
	}
}

type matrixEnv struct {
	db     *store.DB
	shr    *sharing.Service
	gw     *exchange.Gateway
	ing    *ingest.Service
	now    time.Time
	shares map[catalog.ShareType]bool
}

func (m *matrixEnv) clock() time.Time { return m.now }

func newMatrix(t *testing.T) *matrixEnv {
	t.Helper()
	ctx := t.Context()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	m := &matrixEnv{db: db, now: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
	for _, o := range []org.Org{
		{USCC: operatorOrg, Name: "湖州市大数据发展管理局", RegionCode: "330500", Kind: "agency", CreatedAt: m.now},
		{USCC: provider, Name: "湖州市公安局", RegionCode: "330500", Kind: "agency", CreatedAt: m.now},
		{USCC: consumer, Name: "湖州市民政局", RegionCode: "330500", Kind: "agency", CreatedAt: m.now},
		{USCC: otherOrg, Name: "湖州市人力资源和社会保障局", RegionCode: "330500", Kind: "agency", CreatedAt: m.now},
	} {
		if err := db.CreateOrg(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	sealer, err := ingest.NewSealer([]byte(strings.Repeat("m", 32)))
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	m.ing = &ingest.Service{Store: db, Resource: db.GetResource, Audit: rec, Sealer: sealer, Now: m.clock}
	m.shr = &sharing.Service{Store: db, Resource: db.GetResource, Audit: rec, Now: m.clock,
		OrgName: func(ctx context.Context, uscc string) (string, error) {
			o, err := db.GetOrg(ctx, uscc)
			return o.Name, err
		},
		AppOrg: func(context.Context, int64) (string, error) { return "", huitong.ErrNoRecord }}
	m.gw = &exchange.Gateway{Grants: m.shr, Resource: db.GetResource, Records: db, Audit: rec, Sealer: sealer, Now: m.clock}
	return m
}

func as(ctx context.Context, p *huitong.Principal) context.Context {
	return huitong.WithPrincipal(ctx, p)
}

var (
	providerOfficer = &huitong.Principal{Kind: huitong.PrincipalUser, Name: "p1", OrgUSCC: provider, Roles: []string{huitong.RoleProvider}}
	consumerOfficer = &huitong.Principal{Kind: huitong.PrincipalUser, Name: "c1", OrgUSCC: consumer, Roles: []string{huitong.RoleConsumer}}
	adminOfficer    = &huitong.Principal{Kind: huitong.PrincipalUser, Name: "a1", OrgUSCC: operatorOrg, Roles: []string{huitong.RoleAdmin}}
)

// resourceIn registers a resource of a share type, feeds its record and
// brings the granted consumer's access to a state.
func (m *matrixEnv) resourceIn(t *testing.T, st catalog.ShareType, state string, n int) catalog.Resource {
	t.Helper()
	ctx := t.Context()
	r := catalog.Resource{Name: fmt.Sprintf("人口信息 %d", n), Summary: "摘要", Category: catalog.CategoryBase, ProviderUSCC: provider,
		ProviderName: "湖州市公安局", Format: "table", UpdateCycle: "daily", ShareType: st, ShareMethod: "api",
		OpenType: catalog.OpenNone, RelatedCodes: []string{}, PublishDate: "2026-01-01", Fields: matrixFields, Level: 4,
		CreatedAt: m.now, UpdatedAt: m.now, UpdatedBy: "user:p1"}
	switch st {
	case catalog.ShareConditional:
		r.ShareCondition = "用于法定职责"
	case catalog.ShareNone:
		r.ShareMethod, r.LegalBasis = "", "《居民身份证法》第十九条"
	}
	r, err := m.db.CreateResource(ctx, r, "JC-002486211")
	if err != nil {
		t.Fatal(err)
	}
	if b, err := m.ing.Ingest(as(ctx, providerOfficer), r.Code, ingest.Upload{Body: strings.NewReader(matrixCSV), ContentType: "text/csv"}); err != nil || b.Accepted != 1 {
		t.Fatalf("ingest = %+v, %v", b, err)
	}
	if state == stNone {
		return r
	}
	all := []string{"id_card", "gender", "birth_date", "name", "phone"}
	expires := m.now.Add(30 * 24 * time.Hour)
	if state == stExpired {
		expires = m.now.Add(time.Hour)
	}
	req, err := m.shr.Request(as(ctx, consumerOfficer), sharing.RequestInput{ResourceCode: r.Code, Fields: all, Purpose: "低保资格审核",
		ExpiresAt: expires})
	if err != nil {
		t.Fatalf("request: %v", err)
	}
	if state == stPending {
		return r
	}
	if req.Status == sharing.StatusPending {
		a := sharing.Approval{UnmaskedFields: []string{"name"}, Rate: 1000}
		switch state {
		case stNarrowed:
			a = sharing.Approval{Fields: []string{"id_card", "gender"}, Rate: 1000}
		}
		if req, err = m.shr.Approve(as(ctx, providerOfficer), req.ID, a); err != nil {
			t.Fatalf("approve: %v", err)
		}
	}
	if req.Status == sharing.StatusCountersign {
		if req, err = m.shr.Countersign(as(ctx, adminOfficer), req.ID, "同意"); err != nil {
			t.Fatalf("countersign: %v", err)
		}
	}
	if req.Status != sharing.StatusApproved || req.GrantID == 0 {
		t.Fatalf("request after approval = %+v", req)
	}
	if state == stRevoked {
		if _, err := m.shr.Revoke(as(ctx, providerOfficer), req.GrantID, "业务已办结"); err != nil {
			t.Fatalf("revoke: %v", err)
		}
	}
	return r
}

// oracle says what a caller gets: an error code, or the fields and values.
func oracle(c caller, st catalog.ShareType, state string) (string, map[string]any) {
	switch {
	case !c.p.HasRole(huitong.RoleConsumer):
		return "forbidden", nil
	case st == catalog.ShareNone:
		return "share_type_none", nil
	case !c.isCon:
		return "no_grant", nil
	}
	switch state {
	case stNone, stPending:
		return "no_grant", nil
	case stExpired:
		return "grant_expired", nil
	case stRevoked:
		return "grant_revoked", nil
	case stNarrowed:
		return "", pick(maskedValues, "id_card", "gender")
	}
	// Approved for every field. Unconditional resources are granted on
	// request with default terms: nothing unmasked.
	v := maps.Clone(maskedValues)
	if st == catalog.ShareConditional {
		v["name"] = clearValues["name"]
	}
	return "", v
}

func pick(m map[string]any, keys ...string) map[string]any {
	out := map[string]any{}
	for _, k := range keys {
		out[k] = m[k]
	}
	return out
}

func TestAuthorizationMatrix(t *testing.T) {
	m := newMatrix(t)
	ctx := t.Context()
	type cell struct {
		st    catalog.ShareType
		state string
		res   catalog.Resource
	}
	var cells []cell
	n := 0
	for _, st := range []catalog.ShareType{catalog.ShareUnconditional, catalog.ShareConditional, catalog.ShareNone} {
		for _, state := range states {
			if st == catalog.ShareNone && state != stNone {
				continue // nothing can be requested
			}
			if st == catalog.ShareUnconditional && state == stNarrowed {
				continue // granted as requested, with no one to narrow it
			}
			n++
			cells = append(cells, cell{st, state, m.resourceIn(t, st, state, n)})
		}
	}
	// Time passes: grants with a short expiry lapse, with no job run.
	m.now = m.now.Add(2 * time.Hour)
	for _, cl := range cells {
		for _, c := range callers() {
			name := fmt.Sprintf("%s/%s/%s", cl.st, cl.state, c.name)
			wantErr, want := oracle(c, cl.st, cl.state)
			cctx := as(ctx, c.p)
			t.Run(name, func(t *testing.T) {
				// Query by exact key, asking for no fields: every granted field.
				a, err := m.gw.Query(cctx, cl.res.Code, exchange.Query{Where: where(t, `{"id_card":"33050219850615123X"}`)})
				if got := code(err); got != wantErr {
					t.Fatalf("query error = %v, want %q", err, wantErr)
				}
				if wantErr != "" {
					if a.Records != nil {
						t.Errorf("refused query returned records %v", a.Records)
					}
				} else {
					if len(a.Records) != 1 {
						t.Fatalf("query records = %v", a.Records)
					}
					if d := cmp.Diff(want, fieldsOnly(a.Records[0])); d != "" {
						t.Errorf("query record (-want +got):\n%s", d)
					}
					// Each field alone: granted ones come back, others are refused.
					for _, f := range matrixFields {
						a, err := m.gw.Query(cctx, cl.res.Code, exchange.Query{Where: where(t, `{"id_card":"33050219850615123X"}`), Fields: []string{f.Name}})
						if _, granted := want[f.Name]; granted {
							if err != nil || len(a.Records) != 1 || !cmp.Equal(fieldsOnly(a.Records[0]), pick(want, f.Name)) {
								t.Errorf("query %s = %v, %v", f.Name, a.Records, err)
							}
						} else if code(err) != "field_not_granted" {
							t.Errorf("query of ungranted %s = %v", f.Name, err)
						}
					}
					// Bulk reads never return level 4.
					_, err = m.gw.Query(cctx, cl.res.Code, exchange.Query{Where: where(t, `{"birth_date":{"gte":"1900-01-01"}}`), Fields: []string{"phone"}})
					if _, granted := want["phone"]; granted && code(err) != "restricted_field" {
						t.Errorf("bulk read of level 4 = %v", err)
					}
				}
				// Verify: the right value matches, a wrong one does not; only
				// granted fields may be verified.
				for _, f := range []string{"name", "phone", "gender"} {
					right := fmt.Sprintf(`{%q:%q}`, f, clearValues[f])
					v, err := m.gw.Verify(cctx, cl.res.Code, exchange.Verification{Where: where(t, `{"id_card":"33050219850615123X"}`), Match: where(t, right)})
					_, granted := want[f]
					switch {
					case wantErr != "":
						if code(err) != wantErr {
							t.Errorf("verify %s error = %v, want %s", f, err, wantErr)
						}
					case !granted:
						if code(err) != "field_not_granted" {
							t.Errorf("verify of ungranted %s = %v", f, err)
						}
					default:
						if err != nil || !v.Match {
							t.Errorf("verify %s right = %+v, %v", f, v, err)
						}
						wrong := fmt.Sprintf(`{%q:%q}`, f, "x"+fmt.Sprint(clearValues[f]))
						if f == "phone" {
							wrong = `{"phone":"13900001112"}`
						}
						if v, err := m.gw.Verify(cctx, cl.res.Code, exchange.Verification{Where: where(t, `{"id_card":"33050219850615123X"}`), Match: where(t, wrong)}); err != nil || v.Match {
							t.Errorf("verify %s wrong = %+v, %v", f, v, err)
						}
					}
				}
				// Changes: the granted fields, level 4 excepted.
				ch, err := m.gw.Changes(cctx, cl.res.Code, exchange.ChangesQuery{})
				if code(err) != wantErr {
					t.Fatalf("changes error = %v, want %q", err, wantErr)
				}
				if wantErr == "" {
					wantCh := maps.Clone(want)
					delete(wantCh, "phone")
					if len(ch.Records) != 1 || !cmp.Equal(fieldsOnly(ch.Records[0]), wantCh) {
						t.Errorf("changes = %v, want %v", ch.Records, wantCh)
					}
				}
			})
		}
	}
}

// fieldsOnly drops the record's own columns (_id, _updated_at, _deleted).
func fieldsOnly(rec map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range rec {
		if !strings.HasPrefix(k, "_") {
			out[k] = v
		}
	}
	return out
}
