package main

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"huitong/internal/audit"
	"huitong/internal/org"
)

type entriesAnswer struct {
	Items []struct {
		audit.Record
		LeafHash string `json:"leaf_hash"`
	} `json:"items"`
	NextPageToken string `json:"next_page_token"`
}

func decodeHashes(t *testing.T, in []string) []tlog.Hash {
	t.Helper()
	out := make([]tlog.Hash, len(in))
	for i, s := range in {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(b) != tlog.HashSize {
			t.Fatalf("bad hash %q", s)
		}
		copy(out[i][:], b)
	}
	return out
}

// openCheckpoint fetches and verifies the signed checkpoint with the
// published key.
func openCheckpoint(t *testing.T, c *client) audit.Checkpoint {
	t.Helper()
	key := strings.TrimSpace(string(c.want(200, "GET", "/api/v1/audit/key", nil).body))
	v, err := note.NewVerifier(key)
	if err != nil {
		t.Fatalf("published key %q: %v", key, err)
	}
	signed := c.want(200, "GET", "/api/v1/audit/checkpoint", nil).body
	cp, err := audit.OpenCheckpoint(signed, v)
	if err != nil {
		t.Fatalf("checkpoint %q: %v", signed, err)
	}
	return cp
}

func TestAuditRecordsActions(t *testing.T) {
	m := testMain(t, false, "")
	admin, police, market := setupOrgs(t, m)
	anon := &client{t: t, base: m.InternalURL()}
	anon.wantErr(401, "invalid_credentials", "POST", "/api/v1/auth/login", map[string]string{"username": "ga", "password": "Wrong-pass1"})
	anon.wantErr(401, "invalid_credentials", "POST", "/api/v1/auth/login", map[string]string{"username": "ghost", "password": "Wrong-pass1"})
	police.want(201, "POST", "/api/v1/resources", populationInput(""))
	market.wantErr(403, "not_provider", "PUT", "/api/v1/resources/JC-002486211-0001", populationInput(""))
	police.wantErr(403, "forbidden", "POST", "/api/v1/orgs", org.OrgInput{USCC: "11330500MB1B482507", Name: "x", RegionCode: "330500"})
	admin.want(201, "POST", "/api/v1/orgs", org.OrgInput{USCC: usccBadCheck, Name: "某局", RegionCode: "330500", OverrideChecksum: true})

	auditor := func() *client {
		admin.want(201, "POST", "/api/v1/users", org.UserInput{Username: "sj", Password: "Auditor2026", OrgUSCC: usccPolice, Roles: []string{"auditor"}})
		return login(t, m, "sj", "Auditor2026")
	}()
	police.wantErr(403, "forbidden", "GET", "/api/v1/audit/entries", nil)

	var page entriesAnswer
	auditor.want(200, "GET", "/api/v1/audit/entries?page_size=1000", nil).decode(t, &page)
	type seen struct{ actor, action, object, outcome, reason string }
	var got []seen
	for i, it := range page.Items {
		if it.Index != int64(i) {
			t.Fatalf("entry %d has index %d", i, it.Index)
		}
		data, _ := it.Record.Encode()
		if h := tlog.RecordHash(data); base64.StdEncoding.EncodeToString(h[:]) != it.LeafHash {
			t.Errorf("entry %d: leaf hash does not match its record", i)
		}
		got = append(got, seen{it.Actor, it.Action, it.Object, it.Outcome, it.Reason})
	}
	for _, want := range []seen{
		{"system", "org.create", "org:" + defaultOperatorUSCC, "allowed", ""},
		{"system", "user.create", "user:admin", "allowed", ""},
		{"user:admin", "auth.login", "user:admin", "allowed", ""},
		{"user:admin", "org.create", "org:" + usccPolice, "allowed", ""},
		{"user:admin", "user.create", "user:ga", "allowed", ""},
		{"user:ga", "auth.login", "user:ga", "denied", "invalid_credentials"},
		{"anonymous", "auth.login", "user:?", "denied", "invalid_credentials"},
		{"user:ga", "catalog.create", "resource:JC-002486211-0001", "allowed", ""},
		{"user:sc", "catalog.update", "resource:JC-002486211-0001", "denied", "not_provider"},
		{"user:ga", "org.create", "org:11330500MB1B482507", "denied", "forbidden"},
		{"user:admin", "org.create", "org:" + usccBadCheck, "allowed", ""},
	} {
		found := false
		for _, g := range got {
			found = found || g == want
		}
		if !found {
			t.Errorf("no audit record %+v", want)
		}
	}
	// No record holds an identifier in clear: org USCCs appear only in
	// objects, never in subjects.
	for _, it := range page.Items {
		for _, s := range it.Subjects {
			if len(s) != 32 || strings.ContainsAny(s, "GHJKLMNPQRTUWXY") {
				t.Errorf("subject %q is not a hex HMAC", s)
			}
		}
		if it.Action == "org.create" && it.Detail["checksum_overridden"] == "true" && it.Object != "org:"+usccBadCheck {
			t.Errorf("override recorded on the wrong org: %+v", it.Record)
		}
	}
	// Filters.
	auditor.want(200, "GET", "/api/v1/audit/entries?action=catalog.&outcome=denied", nil).decode(t, &page)
	if len(page.Items) != 1 || page.Items[0].Action != "catalog.update" {
		t.Errorf("catalog denials = %+v", page.Items)
	}
	auditor.want(200, "GET", "/api/v1/audit/entries?actor_org="+usccMarket, nil).decode(t, &page)
	for _, it := range page.Items {
		if it.ActorOrg != usccMarket {
			t.Errorf("actor_org filter let through %+v", it.Record)
		}
	}
	// Paging visits every record once.
	n, tok := 0, ""
	for {
		auditor.want(200, "GET", "/api/v1/audit/entries?page_size=5&page_token="+tok, nil).decode(t, &page)
		for _, it := range page.Items {
			if it.Index != int64(n) {
				t.Fatalf("paged entry %d has index %d", n, it.Index)
			}
			n++
		}
		if tok = page.NextPageToken; tok == "" {
			break
		}
	}
	if n < 15 {
		t.Errorf("paged through %d records", n)
	}
	auditor.wantErr(400, "invalid_parameter", "GET", "/api/v1/audit/entries?start=-1", nil)
	auditor.wantErr(400, "invalid_parameter", "GET", "/api/v1/audit/entries?since=yesterday", nil)
}

func TestAuditProofs(t *testing.T) {
	m := testMain(t, false, "")
	admin, _, _ := setupOrgs(t, m)
	if _, err := m.Audit.Checkpoint(t.Context()); err != nil {
		t.Fatal(err)
	}
	old := openCheckpoint(t, admin)
	for i := range 5 {
		admin.want(201, "POST", "/api/v1/users", org.UserInput{Username: fmt.Sprintf("u%d", i), Password: "Passw0rd1", OrgUSCC: usccPolice, Roles: []string{"consumer"}})
	}
	if _, err := m.Audit.Checkpoint(t.Context()); err != nil {
		t.Fatal(err)
	}
	cur := openCheckpoint(t, admin)
	if cur.Size <= old.Size {
		t.Fatalf("checkpoint did not grow: %d -> %d", old.Size, cur.Size)
	}
	// The public listener serves the same checkpoint and key.
	pub := &client{t: t, base: m.PublicURL()}
	if p := openCheckpoint(t, pub); p != cur {
		t.Errorf("public checkpoint %+v differs from internal %+v", p, cur)
	}

	var page entriesAnswer
	admin.want(200, "GET", "/api/v1/audit/entries?page_size=1000", nil).decode(t, &page)
	var proof struct {
		Hashes []string `json:"hashes"`
	}
	for _, it := range page.Items {
		if it.Index >= cur.Size {
			break
		}
		admin.want(200, "GET", fmt.Sprintf("/api/v1/audit/proof/inclusion?index=%d&size=%d", it.Index, cur.Size), nil).decode(t, &proof)
		data, _ := it.Record.Encode()
		if err := tlog.CheckRecord(decodeHashes(t, proof.Hashes), cur.Size, cur.Root, it.Index, tlog.RecordHash(data)); err != nil {
			t.Errorf("inclusion of %d: %v", it.Index, err)
		}
	}
	admin.want(200, "GET", fmt.Sprintf("/api/v1/audit/proof/consistency?old=%d&new=%d", old.Size, cur.Size), nil).decode(t, &proof)
	if err := tlog.CheckTree(decodeHashes(t, proof.Hashes), cur.Size, cur.Root, old.Size, old.Root); err != nil {
		t.Errorf("consistency %d -> %d: %v", old.Size, cur.Size, err)
	}
	// A tampered proof fails.
	bad := decodeHashes(t, proof.Hashes)
	bad[0][0] ^= 1
	if tlog.CheckTree(bad, cur.Size, cur.Root, old.Size, old.Root) == nil {
		t.Error("a flipped bit passed the consistency check")
	}
	admin.wantErr(400, "invalid_range", "GET", fmt.Sprintf("/api/v1/audit/proof/inclusion?index=%d&size=%d", cur.Size, cur.Size), nil)
	admin.wantErr(400, "invalid_range", "GET", fmt.Sprintf("/api/v1/audit/proof/inclusion?index=0&size=%d", cur.Size+100), nil)
	admin.wantErr(400, "invalid_range", "GET", "/api/v1/audit/proof/consistency?old=0&new=1", nil)
	admin.wantErr(400, "invalid_parameter", "GET", "/api/v1/audit/proof/inclusion?index=1", nil)
	var cps struct {
		Items []audit.CheckpointInfo `json:"items"`
	}
	admin.want(200, "GET", "/api/v1/audit/checkpoints", nil).decode(t, &cps)
	if len(cps.Items) < 2 || cps.Items[0].Size != cur.Size {
		t.Errorf("checkpoints = %+v", cps.Items)
	}
}

func TestCitizenHistory(t *testing.T) {
	m := testMain(t, false, "")
	admin, _, _ := setupOrgs(t, m)
	const idCard = "11010519491231002X"
	admin.wantErr(400, "validation_failed", "POST", "/api/v1/users", org.UserInput{Username: "citizen1", Password: "Citizen2026", OrgUSCC: defaultOperatorUSCC, Roles: []string{"citizen"}})
	admin.wantErr(400, "validation_failed", "POST", "/api/v1/users", org.UserInput{Username: "citizen1", Password: "Citizen2026", OrgUSCC: defaultOperatorUSCC, Roles: []string{"citizen"}, IDCard: "110105194912310021"})
	var u org.User
	admin.want(201, "POST", "/api/v1/users", org.UserInput{Username: "citizen1", Password: "Citizen2026", OrgUSCC: defaultOperatorUSCC, Roles: []string{"citizen"}, IDCard: idCard}).decode(t, &u)
	if u.IDCardMasked != "110105********002X" {
		t.Errorf("masked id = %q", u.IDCardMasked)
	}
	admin.want(201, "POST", "/api/v1/users", org.UserInput{Username: "sj", Password: "Auditor2026", OrgUSCC: usccPolice, Roles: []string{"auditor"}})
	auditor := login(t, m, "sj", "Auditor2026")

	// Citizens log in on the public listener only, and officers not there.
	(&client{t: t, base: m.InternalURL()}).wantErr(403, "citizen_account", "POST", "/api/v1/auth/login", map[string]string{"username": "citizen1", "password": "Citizen2026"})
	pubAnon := &client{t: t, base: m.PublicURL()}
	pubAnon.wantErr(403, "not_citizen", "POST", "/api/v1/citizen/login", map[string]string{"username": "sj", "password": "Auditor2026"})
	var res struct {
		Token string `json:"token"`
	}
	pubAnon.want(200, "POST", "/api/v1/citizen/login", map[string]string{"username": "citizen1", "password": "Citizen2026"}).decode(t, &res)
	citizen := &client{t: t, base: m.PublicURL(), token: res.Token}

	// An auditor looks the citizen up: the lookup itself shows in the
	// citizen's history, with the auditor's department.
	var tr struct {
		Items []struct {
			Action       string `json:"action"`
			ActorOrg     string `json:"actor_org"`
			ActorOrgName string `json:"actor_org_name"`
			Actor        string `json:"actor"`
		} `json:"items"`
		AuditIndex int64 `json:"audit_index"`
	}
	r := auditor.want(200, "GET", "/api/v1/tracker?id_card="+idCard, nil)
	r.decode(t, &tr)
	// Newest first: the lookup itself, then the account's creation.
	if len(tr.Items) != 2 || tr.Items[0].Action != "audit.tracker" || tr.Items[1].Action != "user.create" ||
		r.header.Get("X-Huitong-Audit-Index") != fmt.Sprint(tr.AuditIndex) {
		t.Errorf("tracker = %+v", tr)
	}
	tr.Items = nil
	citizen.want(200, "GET", "/api/v1/tracker/me", nil).decode(t, &tr)
	if len(tr.Items) != 2 || tr.Items[0].Action != "audit.tracker" || tr.Items[0].ActorOrgName != "湖州市公安局" || tr.Items[0].Actor != "" {
		t.Errorf("citizen history = %+v", tr.Items)
	}
	// Nobody else reads a citizen's history, and officers have none.
	// Tokens do not cross the wall: an officer's is refused on the public
	// listener, a citizen's on the internal one.
	(&client{t: t, base: m.PublicURL(), token: auditor.token}).wantErr(401, "wrong_listener", "GET", "/api/v1/tracker/me", nil)
	(&client{t: t, base: m.InternalURL(), token: res.Token}).wantErr(401, "wrong_listener", "GET", "/api/v1/users", nil)
	(&client{t: t, base: m.InternalURL(), token: res.Token}).wantErr(401, "wrong_listener", "GET", "/api/v1/tracker?id_card="+idCard, nil)
	// An admin may look up a history too; a provider may not, and the refusal is recorded.
	admin.want(200, "GET", "/api/v1/tracker?id_card="+idCard, nil)
	ga := login(t, m, "ga", "Police2026")
	ga.wantErr(403, "forbidden", "GET", "/api/v1/tracker?id_card="+idCard, nil)
	tr.Items = nil
	citizen.want(200, "GET", "/api/v1/tracker/me", nil).decode(t, &tr)
	if len(tr.Items) != 4 || tr.Items[0].Action != "audit.tracker" {
		t.Errorf("citizen history after more lookups = %+v", tr.Items)
	}
	pubAnon.wantErr(401, "unauthenticated", "GET", "/api/v1/tracker/me", nil)
	citizen.want(200, "POST", "/api/v1/citizen/logout", nil)
	citizen.wantErr(401, "invalid_token", "GET", "/api/v1/tracker/me", nil)
}

// TestAuditFailureFailsRequest shows rule 2: when the log cannot record an
// action, the action is not reported done.
func TestAuditFailureFailsRequest(t *testing.T) {
	m := testMain(t, false, "")
	admin := login(t, m, "admin", adminPassword)
	m.Audit.Close()
	admin.wantErr(503, "audit_unavailable", "POST", "/api/v1/orgs", org.OrgInput{USCC: usccPolice, Name: "湖州市公安局", RegionCode: "330500"})
	anon := &client{t: t, base: m.InternalURL()}
	anon.wantErr(503, "audit_unavailable", "POST", "/api/v1/auth/login", map[string]string{"username": "admin", "password": adminPassword})
}
