package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"huitong/internal/catalog"
	"huitong/internal/ids"
	"huitong/internal/license"
	"huitong/internal/org"
)

const citizenID = "11010519491231002X"

type licensePage struct {
	Items         []license.License `json:"items"`
	NextPageToken string            `json:"next_page_token"`
}

// licenseSetup registers the market regulator as issuer of 营业执照 and
// the civil affairs bureau (the operator here) of 结婚证, a citizen, and a
// housing fund org; it returns the clients.
type licenseWorld struct {
	m                          *Main
	admin, market, police      *client
	issuer, civil, fund, audit *client
	citizen, anonPub, anonInt  *client
	bizType, marriageType      string
}

func licenseSetup(t *testing.T, m *Main) *licenseWorld {
	w := &licenseWorld{m: m}
	w.admin, w.police, w.market = setupOrgs(t, m)
	admin := w.admin
	admin.want(201, "POST", "/api/v1/orgs", org.OrgInput{USCC: usccCounty, Name: "湖州市住房公积金管理中心", RegionCode: "330500", Kind: "agency"})
	admin.want(201, "POST", "/api/v1/users", org.UserInput{Username: "zz", Password: "Issuer2026", OrgUSCC: usccMarket, Roles: []string{"issuer"}})
	admin.want(201, "POST", "/api/v1/users", org.UserInput{Username: "mz", Password: "Issuer2026", OrgUSCC: defaultOperatorUSCC, Roles: []string{"issuer"}})
	admin.want(201, "POST", "/api/v1/users", org.UserInput{Username: "gjj", Password: "Fund2026x", OrgUSCC: usccCounty, Roles: []string{"consumer"}})
	admin.want(201, "POST", "/api/v1/users", org.UserInput{Username: "sj", Password: "Auditor2026", OrgUSCC: usccPolice, Roles: []string{"auditor"}})
	admin.want(201, "POST", "/api/v1/users", org.UserInput{Username: "citizen1", Password: "Citizen2026", OrgUSCC: defaultOperatorUSCC, Roles: []string{"citizen"}, IDCard: citizenID})
	w.issuer, w.civil = login(t, m, "zz", "Issuer2026"), login(t, m, "mz", "Issuer2026")
	w.fund, w.audit = login(t, m, "gjj", "Fund2026x"), login(t, m, "sj", "Auditor2026")
	w.anonPub, w.anonInt = &client{t: t, base: m.PublicURL()}, &client{t: t, base: m.InternalURL()}
	var res struct {
		Token string `json:"token"`
	}
	w.anonPub.want(200, "POST", "/api/v1/citizen/login", map[string]string{"username": "citizen1", "password": "Citizen2026"}).decode(t, &res)
	w.citizen = &client{t: t, base: m.PublicURL(), token: res.Token}

	w.bizType, w.marriageType = usccMarket+"001", defaultOperatorUSCC+"002"
	w.issuer.want(201, "POST", "/api/v1/license-types", license.Type{Code: w.bizType, Name: "营业执照", IssuerUSCCs: []string{usccMarket},
		HolderKind: "org", Fields: []catalog.Field{
			{Name: "legal_rep", Title: "法定代表人", Type: "string", Level: 2, PII: "name", Required: true},
			{Name: "capital", Title: "注册资本（万元）", Type: "decimal", Level: 1},
			{Name: "kind", Title: "类型", Type: "string", Level: 1, Enum: []string{"有限责任公司", "股份有限公司"}},
		}})
	admin.want(201, "POST", "/api/v1/license-types", license.Type{Code: w.marriageType, Name: "结婚证", IssuerUSCCs: []string{defaultOperatorUSCC},
		HolderKind: "citizen", ValidityDays: 0, Fields: []catalog.Field{
			{Name: "spouse_name", Title: "配偶姓名", Type: "string", Level: 3, PII: "name", Required: true},
			{Name: "spouse_id", Title: "配偶身份证号", Type: "string", Level: 3, PII: "id_card", Required: true},
			{Name: "registered_on", Title: "登记日期", Type: "date", Level: 2, Required: true},
		}})
	return w
}

func TestLicenses(t *testing.T) { licenseFlow(t, testMain(t, false, "")) }

func TestLicensesPostgres(t *testing.T) { licenseFlow(t, testMain(t, false, pgDSN(t))) }

func licenseFlow(t *testing.T, m *Main) {
	w := licenseSetup(t, m)

	// Types: bad input, wrong authority, duplicates.
	w.issuer.wantErr(400, "validation_failed", "POST", "/api/v1/license-types", license.Type{Code: "123", Name: "", HolderKind: "x"})
	w.issuer.wantErr(403, "not_defining_authority", "POST", "/api/v1/license-types", license.Type{Code: usccPolice + "001", Name: "x",
		IssuerUSCCs: []string{usccMarket}, HolderKind: "org", Fields: []catalog.Field{{Name: "a", Title: "甲", Type: "string", Level: 1}}})
	w.issuer.wantErr(409, "license_type_exists", "POST", "/api/v1/license-types", license.Type{Code: w.bizType, Name: "营业执照", IssuerUSCCs: []string{usccMarket},
		HolderKind: "org", Fields: []catalog.Field{{Name: "a", Title: "甲", Type: "string", Level: 1}}})
	w.issuer.wantErr(400, "validation_failed", "POST", "/api/v1/license-types", license.Type{Code: usccMarket + "009", Name: "x", IssuerUSCCs: []string{usccMarket},
		HolderKind: "org", Fields: []catalog.Field{{Name: "secret", Title: "机密", Type: "string", Level: 4}}})

	// Issue a business license to a company.
	var biz license.License
	w.issuer.want(201, "POST", "/api/v1/licenses", license.IssueInput{TypeCode: w.bizType,
		Holder: license.Holder{Name: "湖州市公安局服务中心", Code: usccPolice}, Data: map[string]any{"legal_rep": "王小明", "capital": 500, "kind": "有限责任公司"}}).decode(t, &biz)
	lid, err := ids.ParseLicenseID(biz.Identifier)
	if err != nil || lid.TypeCode != w.bizType || lid.IssuerCode != usccMarket || lid.Version != "001" || biz.Holder.CodeType != "001" {
		t.Fatalf("issued %+v: %v", biz, err)
	}
	if biz.Status != "active" || biz.Credential == "" || !strings.HasSuffix(biz.QRPNGURL, "/verify/"+biz.Identifier+"/qr.png") || biz.Data["capital"] != "500" {
		t.Errorf("issued %+v", biz)
	}
	// Bad holders and data.
	w.issuer.wantErr(400, "validation_failed", "POST", "/api/v1/licenses", license.IssueInput{TypeCode: w.bizType,
		Holder: license.Holder{Name: "x", Code: usccBadCheck}, Data: map[string]any{"legal_rep": "王"}})
	r := w.issuer.wantErr(400, "validation_failed", "POST", "/api/v1/licenses", license.IssueInput{TypeCode: w.bizType,
		Holder: license.Holder{Name: "x", Code: usccPolice}, Data: map[string]any{"kind": "合伙", "extra": 1}})
	for _, want := range []string{"data.legal_rep", "data.kind", "data.extra"} {
		if !bytes.Contains(r.body, []byte(`"`+want+`"`)) {
			t.Errorf("missing problem %s in %s", want, r.body)
		}
	}
	// Callers without a token learn nothing, not even whether a type exists.
	w.anonInt.wantErr(401, "unauthenticated", "POST", "/api/v1/licenses", license.IssueInput{TypeCode: "nope"})
	// Only issuers of allowed orgs issue.
	w.civil.wantErr(403, "not_issuer", "POST", "/api/v1/licenses", license.IssueInput{TypeCode: w.bizType,
		Holder: license.Holder{Name: "x", Code: usccPolice}, Data: map[string]any{"legal_rep": "王小明"}})
	w.market.wantErr(403, "not_issuer", "POST", "/api/v1/licenses", license.IssueInput{TypeCode: w.bizType,
		Holder: license.Holder{Name: "x", Code: usccPolice}, Data: map[string]any{"legal_rep": "王小明"}})

	// A marriage certificate for the citizen.
	var mar license.License
	w.civil.want(201, "POST", "/api/v1/licenses", license.IssueInput{TypeCode: w.marriageType,
		Holder: license.Holder{Name: "张三", Code: citizenID}, Data: map[string]any{"spouse_name": "李四", "spouse_id": "440524188001010014", "registered_on": "2024/5/20"}}).decode(t, &mar)
	if mar.Data["registered_on"] != "2024-05-20" || mar.ValidUntil != "" {
		t.Errorf("marriage %+v", mar)
	}

	// Verification by anyone, on both listeners.
	for _, c := range []*client{w.anonPub, w.anonInt} {
		var res license.Result
		c.want(200, "POST", "/api/v1/licenses/verify", license.VerifyInput{Credential: mar.Credential}).decode(t, &res)
		if !res.Valid || res.Status != "active" || res.Issuer == nil || res.Issuer.USCC != defaultOperatorUSCC || res.License == nil {
			t.Fatalf("verify = %+v", res)
		}
		if res.License.HolderCode != "110105********002X" || res.License.HolderName != "张*" || res.License.Data["spouse_id"] == "440524188001010014" ||
			res.License.Data["registered_on"] != "2024-05-20" {
			t.Errorf("verify view not masked per grade: %+v", res.License)
		}
	}
	verify := func(in license.VerifyInput) license.Result {
		t.Helper()
		var res license.Result
		w.anonPub.want(200, "POST", "/api/v1/licenses/verify", in).decode(t, &res)
		return res
	}
	// Tampering, alg none, unknown keys and garbage never verify.
	parts := strings.Split(mar.Credential, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	forged := bytes.Replace(payload, []byte("李四"), []byte("王五"), 1)
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"vc+jwt"}`)) + "." + parts[1] + "."
	otherKid := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"EdDSA","kid":"`+usccPolice+`-AAAAAAAAAAAAAAAA","typ":"vc+jwt"}`)) + "." + parts[1] + "." + parts[2]
	for _, c := range []struct{ cred, status string }{
		{parts[0] + "." + base64.RawURLEncoding.EncodeToString(forged) + "." + parts[2], "bad_signature"},
		{none, "bad_signature"},
		{otherKid, "unknown_issuer"},
		{"not a credential", "malformed"},
		{parts[0] + "." + parts[1], "malformed"},
	} {
		if res := verify(license.VerifyInput{Credential: c.cred}); res.Valid || res.Status != c.status {
			t.Errorf("verify %.40s... = %+v, want %s", c.cred, res, c.status)
		}
	}
	// A credential signed by one issuer's key cannot claim another issuer.
	if res := verify(license.VerifyInput{Identifier: mar.Identifier}); !res.Valid {
		t.Errorf("verify by identifier = %+v", res)
	}
	if res := verify(license.VerifyInput{Identifier: "1.2.156.3005.2.X"}); res.Valid || res.Status != "malformed" {
		t.Errorf("bad identifier = %+v", res)
	}
	w.anonPub.wantErr(400, "validation_failed", "POST", "/api/v1/licenses/verify", map[string]string{})

	// A published key of one issuer cannot vouch for another's licenses,
	// nor for content the issuer never issued.
	pemBytes, err := os.ReadFile(filepath.Join(m.Config.LicenseKeys, mar.KeyID+".pem"))
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(pemBytes)
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	civilKey := k.(ed25519.PrivateKey)
	civil, err := license.NewSigner(license.Key{ID: mar.KeyID, IssuerUSCC: defaultOperatorUSCC, Public: civilKey.Public().(ed25519.PublicKey)}, civilKey)
	if err != nil {
		t.Fatal(err)
	}
	decode := func(tok string) license.Credential {
		var c license.Credential
		b, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[1])
		if err := json.Unmarshal(b, &c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	bizCred := decode(biz.Credential)
	forgeries := map[string]license.Credential{}
	f1 := bizCred // names the market regulator, signed by civil affairs
	f1.CredentialSubject.HolderName = "伪造公司"
	forgeries["another issuer's license"] = f1
	f2 := f1 // claims civil affairs as issuer, keeps the market's identifier
	f2.Issuer = license.Issuer{ID: license.IssuerID(defaultOperatorUSCC)}
	f2.CredentialSubject.IssuerCode = defaultOperatorUSCC
	forgeries["identifier of another issuer"] = f2
	marCred := decode(mar.Credential) // civil affairs' own license, changed
	f3 := marCred
	f3.CredentialSubject.Data = map[string]string{"spouse_name": "王五"}
	forgeries["changed content"] = f3
	for name, c := range forgeries {
		tok, err := civil.Sign(c)
		if err != nil {
			t.Fatal(err)
		}
		if res := verify(license.VerifyInput{Credential: tok}); res.Valid || res.Status != "bad_signature" {
			t.Errorf("%s: %+v", name, res)
		}
	}
	f4 := marCred // an identifier the library never issued
	lid4, _ := ids.MakeLicenseID(w.marriageType, defaultOperatorUSCC, "209900000001", "001")
	f4.ID, f4.CredentialSubject.Identifier = license.CredentialID(lid4.String()), lid4.String()
	tok4, _ := civil.Sign(f4)
	if res := verify(license.VerifyInput{Credential: tok4}); res.Valid || res.Status != "not_found" {
		t.Errorf("never issued: %+v", res)
	}

	// Expired licenses are not valid.
	var old license.License
	w.issuer.want(201, "POST", "/api/v1/licenses", license.IssueInput{TypeCode: w.bizType, ValidFrom: "2019-01-01", ValidUntil: "2020-12-31",
		Holder: license.Holder{Name: "旧公司", Code: usccCounty}, Data: map[string]any{"legal_rep": "赵六"}}).decode(t, &old)
	if res := verify(license.VerifyInput{Credential: old.Credential}); res.Valid || res.Status != "expired" ||
		res.License.ValidFrom != "2019-01-01" || res.License.ValidUntil != "2020-12-31" {
		t.Errorf("expired = %+v", res)
	}

	// Keys and status lists are published on both listeners.
	jwks := w.anonPub.want(200, "GET", "/.well-known/jwks.json", nil).body
	w.anonInt.want(200, "GET", "/.well-known/jwks.json", nil)
	keys, err := license.KeysFromJWKS(jwks)
	if err != nil || len(keys) != 2 {
		t.Fatalf("jwks %s: %v", jwks, err)
	}
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	statusURL := func(l license.License) string {
		var c license.Credential
		p := strings.Split(l.Credential, ".")[1]
		b, _ := base64.RawURLEncoding.DecodeString(p)
		json.Unmarshal(b, &c)
		return strings.TrimPrefix(c.CredentialStatus.StatusListCredential, m.PublicURL())
	}
	offline := func(l license.License, withStatus bool) (int, license.Result) {
		t.Helper()
		args := []string{"license", "verify", write("cred.jwt", []byte(l.Credential)), "--jwks", write("jwks.json", jwks)}
		if withStatus {
			args = append(args, "--status", write("status.jwt", w.anonPub.want(200, "GET", statusURL(l), nil).body))
		}
		var out, errb bytes.Buffer
		code := run(t.Context(), args, &out, &errb)
		var res license.Result
		if err := json.Unmarshal(out.Bytes(), &res); err != nil && code != 2 {
			t.Fatalf("offline output %q %q: %v", out.String(), errb.String(), err)
		}
		return code, res
	}
	if code, res := offline(biz, true); code != 0 || !res.Valid || res.License.Data["legal_rep"] != "王小明" || res.StatusListFrom == "" {
		t.Errorf("offline verify = %d %+v", code, res)
	}

	// Revocation: at once online, in the status list, and offline.
	w.police.wantErr(403, "not_issuer", "POST", "/api/v1/licenses/"+biz.Identifier+"/revoke", license.RevokeInput{Reason: "x"})
	w.issuer.wantErr(400, "validation_failed", "POST", "/api/v1/licenses/"+biz.Identifier+"/revoke", license.RevokeInput{})
	w.issuer.want(200, "POST", "/api/v1/licenses/"+biz.Identifier+"/revoke", license.RevokeInput{Reason: "吊销营业执照"})
	w.issuer.wantErr(409, "license_not_active", "POST", "/api/v1/licenses/"+biz.Identifier+"/revoke", license.RevokeInput{Reason: "again"})
	if res := verify(license.VerifyInput{Credential: biz.Credential}); res.Valid || res.Status != "revoked" {
		t.Errorf("revoked = %+v", res)
	}
	if code, res := offline(biz, true); code != 1 || res.Valid || res.Status != "revoked" {
		t.Errorf("offline revoked = %d %+v", code, res)
	}
	if code, res := offline(biz, false); code != 1 || res.Valid || res.Status != "revocation_unchecked" || !strings.Contains(res.Reason, "not checked") {
		t.Errorf("offline without status list = %d %+v", code, res)
	}

	// Re-issue: the next version supersedes the old one.
	var v1, v2 license.License
	w.issuer.want(201, "POST", "/api/v1/licenses", license.IssueInput{TypeCode: w.bizType,
		Holder: license.Holder{Name: "湖州市公安局服务中心", Code: usccPolice}, Data: map[string]any{"legal_rep": "王小明"}}).decode(t, &v1)
	w.issuer.want(201, "POST", "/api/v1/licenses/"+v1.Identifier+"/reissue", license.ReissueInput{Data: map[string]any{"legal_rep": "钱七"}}).decode(t, &v2)
	if v2.Version != 2 || v2.Serial != v1.Serial || v2.Replaces != v1.Identifier || v2.Data["legal_rep"] != "钱七" || !strings.Contains(v2.Identifier, ".002.") {
		t.Errorf("reissued %+v", v2)
	}
	if res := verify(license.VerifyInput{Credential: v1.Credential}); res.Valid || res.Status != "superseded" || res.License.SupersededBy != v2.Identifier {
		t.Errorf("superseded = %+v", res)
	}
	if res := verify(license.VerifyInput{Credential: v2.Credential}); !res.Valid {
		t.Errorf("v2 = %+v", res)
	}

	// QR codes open the public verification page.
	r = w.anonPub.want(200, "GET", "/verify/"+mar.Identifier+"/qr.png", nil)
	if r.header.Get("Content-Type") != "image/png" || !bytes.HasPrefix(r.body, []byte("\x89PNG")) {
		t.Errorf("qr png: %s", r.header)
	}
	r = w.anonPub.want(200, "GET", "/verify/"+mar.Identifier+"/qr.svg", nil)
	if !bytes.HasPrefix(r.body, []byte("<svg")) {
		t.Errorf("qr svg: %.100s", r.body)
	}
	w.anonPub.wantErr(404, "license_not_found", "GET", "/verify/1.2.156.3005.2.X/qr.png", nil)

	// Consent (授权用证): without it the fund office gets nothing.
	w.fund.wantErr(403, "no_consent", "GET", "/api/v1/licenses/"+mar.Identifier, nil)
	w.fund.wantErr(403, "not_holder", "POST", "/api/v1/licenses/"+mar.Identifier+"/consents", license.ConsentInput{GranteeUSCC: usccCounty, Purpose: "x"})
	w.citizen.wantErr(400, "validation_failed", "POST", "/api/v1/licenses/"+mar.Identifier+"/consents", license.ConsentInput{GranteeUSCC: usccBadCheck})
	var c license.Consent
	w.citizen.want(201, "POST", "/api/v1/licenses/"+mar.Identifier+"/consents", license.ConsentInput{GranteeUSCC: usccCounty,
		Purpose: "住房公积金贷款申请", OneTime: true}).decode(t, &c)
	if c.Status != "live" || c.GranteeName != "湖州市住房公积金管理中心" {
		t.Errorf("consent %+v", c)
	}
	var got license.License
	w.fund.want(200, "GET", "/api/v1/licenses/"+mar.Identifier, nil).decode(t, &got)
	if got.Data["spouse_id"] != "440524188001010014" || got.Credential == "" {
		t.Errorf("used license %+v", got)
	}
	// One-time: used up.
	w.fund.wantErr(403, "no_consent", "GET", "/api/v1/licenses/"+mar.Identifier, nil)
	// A standing consent, then withdrawn.
	w.citizen.want(201, "POST", "/api/v1/licenses/"+mar.Identifier+"/consents", license.ConsentInput{GranteeUSCC: usccCounty,
		Purpose: "公积金提取", ExpiresAt: time.Now().AddDate(0, 6, 0).Format(time.DateOnly)}).decode(t, &c)
	if c.Status != "live" {
		t.Errorf("consent 2 %+v", c)
	}
	w.citizen.wantErr(400, "validation_failed", "POST", "/api/v1/licenses/"+mar.Identifier+"/consents", license.ConsentInput{GranteeUSCC: usccCounty, Purpose: "x", ExpiresAt: "2001-01-01"})
	w.fund.want(200, "GET", "/api/v1/licenses/"+mar.Identifier, nil)
	w.fund.want(200, "GET", "/api/v1/licenses/"+mar.Identifier, nil)
	var cs struct {
		Items []license.Consent `json:"items"`
	}
	w.citizen.want(200, "GET", "/api/v1/my/consents", nil).decode(t, &cs)
	if len(cs.Items) != 2 || cs.Items[0].Uses != 2 || cs.Items[1].Status != "used" {
		t.Errorf("my consents %+v", cs.Items)
	}
	w.fund.want(200, "GET", "/api/v1/consents", nil).decode(t, &cs)
	if len(cs.Items) != 2 {
		t.Errorf("granted consents %+v", cs.Items)
	}
	w.fund.wantErr(403, "not_holder", "DELETE", "/api/v1/consents/"+itoa(c.ID), nil)
	w.citizen.want(200, "DELETE", "/api/v1/consents/"+itoa(c.ID), nil)
	w.citizen.wantErr(409, "consent_withdrawn", "DELETE", "/api/v1/consents/"+itoa(c.ID), nil)
	w.fund.wantErr(403, "no_consent", "GET", "/api/v1/licenses/"+mar.Identifier, nil)

	// The citizen sees the uses and the refusals in their history.
	var tr struct {
		Items []struct {
			Action  string `json:"action"`
			Outcome string `json:"outcome"`
			Purpose string `json:"purpose"`
		} `json:"items"`
	}
	w.citizen.want(200, "GET", "/api/v1/tracker/me?limit=100", nil).decode(t, &tr)
	uses, denied := 0, 0
	for _, e := range tr.Items {
		if e.Action == "license.use" && e.Outcome == "allowed" {
			uses++
		}
		if e.Action == "license.use" && e.Outcome == "denied" {
			denied++
		}
	}
	if uses != 3 || denied != 3 {
		t.Errorf("history: %d uses, %d refusals: %+v", uses, denied, tr.Items)
	}

	// A re-issued license keeps the consents given for it.
	w.citizen.want(201, "POST", "/api/v1/licenses/"+mar.Identifier+"/consents", license.ConsentInput{GranteeUSCC: usccCounty,
		Purpose: "公积金贷款复核", ExpiresAt: time.Now().AddDate(0, 1, 0).Format(time.DateOnly)}).decode(t, &c)
	var mar2 license.License
	w.civil.want(201, "POST", "/api/v1/licenses/"+mar.Identifier+"/reissue", license.ReissueInput{Data: map[string]any{"registered_on": "2024-05-21"}}).decode(t, &mar2)
	w.fund.wantErr(403, "no_consent", "GET", "/api/v1/licenses/"+mar.Identifier, nil)
	w.fund.want(200, "GET", "/api/v1/licenses/"+mar2.Identifier, nil).decode(t, &got)
	if got.Version != 2 || got.Data["registered_on"] != "2024-05-21" {
		t.Errorf("re-issued license under the carried consent: %+v", got)
	}
	w.citizen.want(200, "GET", "/api/v1/my/consents", nil).decode(t, &cs)
	if cs.Items[0].ID != c.ID || cs.Items[0].Identifier != mar2.Identifier || cs.Items[0].Uses != 1 {
		t.Errorf("consent after re-issue: %+v", cs.Items[0])
	}
	mar = mar2

	// The citizen lists their licenses; issuers and auditors search.
	var page licensePage
	idsOf := func(p licensePage) []string {
		var out []string
		for _, l := range p.Items {
			out = append(out, l.Identifier+" "+l.Status)
		}
		return out
	}
	w.citizen.want(200, "GET", "/api/v1/my/licenses", nil).decode(t, &page)
	if len(page.Items) != 2 || page.Items[0].Identifier != mar.Identifier || page.Items[0].Credential == "" || page.Items[1].Status != "superseded" {
		t.Errorf("my licenses %v", idsOf(page))
	}
	w.issuer.want(200, "GET", "/api/v1/licenses?status=revoked", nil).decode(t, &page)
	if len(page.Items) != 1 || page.Items[0].Identifier != biz.Identifier {
		t.Errorf("revoked %+v", page.Items)
	}
	w.issuer.want(200, "GET", "/api/v1/licenses?status=expired", nil).decode(t, &page)
	if len(page.Items) != 1 || page.Items[0].Identifier != old.Identifier || page.Items[0].Status != "expired" {
		t.Errorf("expired %+v", page.Items)
	}
	w.issuer.want(200, "GET", "/api/v1/licenses?page_size=2", nil).decode(t, &page)
	if len(page.Items) != 2 || page.NextPageToken == "" {
		t.Fatalf("page 1 %+v", page)
	}
	next := page.NextPageToken
	w.issuer.want(200, "GET", "/api/v1/licenses?page_size=2&page_token="+next, nil).decode(t, &page)
	if len(page.Items) != 2 || page.Items[0].Identifier == v2.Identifier {
		t.Errorf("page 2 %+v", page)
	}
	page = licensePage{}
	w.audit.want(200, "GET", "/api/v1/licenses?holder_code="+citizenID, nil).decode(t, &page)
	if len(page.Items) != 2 {
		t.Errorf("auditor search %v", idsOf(page))
	}
	// The search read the citizen's licenses: it is in their history.
	tr.Items = nil
	w.citizen.want(200, "GET", "/api/v1/tracker/me", nil).decode(t, &tr)
	if len(tr.Items) == 0 || tr.Items[0].Action != "license.list" {
		t.Errorf("citizen's newest history entry after the search: %+v", tr.Items)
	}
	w.fund.wantErr(403, "forbidden", "GET", "/api/v1/licenses", nil)
	w.police.want(200, "GET", "/api/v1/licenses?holder_code="+usccPolice, nil).decode(t, &page)
	if len(page.Items) != 3 {
		t.Errorf("holder org's own %+v", page.Items)
	}
	w.issuer.wantErr(400, "validation_failed", "GET", "/api/v1/licenses?status=bogus", nil)

	// Import existing licenses with a row-level report.
	csv := "持证主体名称,持证主体代码,法定代表人,注册资本（万元）,证照编号\n" +
		"甲公司," + usccPolice + ",孙八,100,OLD-1\n" +
		"乙公司," + usccBadCheck + ",周九,200,OLD-2\n" +
		"丙公司," + usccCounty + ",,300,OLD-3\n" +
		"丁公司," + usccMarket + ",吴十,abc,OLD-4\n" +
		"戊公司," + usccCounty + ",郑一,50,OLD-5\n"
	var rep license.ImportReport
	r = w.issuer.importLicenses(w.bizType, "text/csv", csv)
	if r.status != 201 {
		t.Fatalf("import = %d %s", r.status, r.body)
	}
	r.decode(t, &rep)
	if rep.Rows != 5 || rep.Imported != 2 || rep.Rejected != 3 || len(rep.Errors) != 3 || rep.Errors[0].Row != 3 || len(rep.First) != 2 {
		t.Errorf("import %+v", rep)
	}
	var imp license.License
	w.issuer.want(200, "GET", "/api/v1/licenses/"+rep.First[0], nil).decode(t, &imp)
	if imp.Number != "OLD-1" || imp.Holder.Name != "甲公司" {
		t.Errorf("imported %+v", imp)
	}
	if res := verify(license.VerifyInput{Identifier: rep.First[1]}); !res.Valid {
		t.Errorf("imported verify %+v", res)
	}
	if r := w.issuer.importLicenses(w.bizType, "text/csv", "持证主体名称,持证主体代码,法定代表人,不存在\n甲,"+usccPolice+",孙,1\n"); r.status != 400 || r.errCode() != "unknown_columns" {
		t.Errorf("unknown columns = %d %s", r.status, r.body)
	}
	if r := w.civil.importLicenses(w.bizType, "text/csv", csv); r.status != 403 || r.errCode() != "not_issuer" {
		t.Errorf("import by another issuer = %d %s", r.status, r.body)
	}

	// Key rotation: new licenses use the new key, old ones still verify.
	var rot struct {
		Kid string `json:"kid"`
	}
	w.issuer.want(201, "POST", "/api/v1/license-keys/"+usccMarket+"/rotate", nil).decode(t, &rot)
	w.issuer.wantErr(403, "not_issuer", "POST", "/api/v1/license-keys/"+usccPolice+"/rotate", nil)
	var v3 license.License
	w.issuer.want(201, "POST", "/api/v1/licenses", license.IssueInput{TypeCode: w.bizType,
		Holder: license.Holder{Name: "新公司", Code: usccCounty}, Data: map[string]any{"legal_rep": "冯二"}}).decode(t, &v3)
	if v3.KeyID != rot.Kid || v3.KeyID == v2.KeyID {
		t.Errorf("after rotation key %s, want %s", v3.KeyID, rot.Kid)
	}
	if res := verify(license.VerifyInput{Credential: v2.Credential}); !res.Valid {
		t.Errorf("old-key license after rotation = %+v", res)
	}

	// Issuing routes do not answer on the public listener.
	w.anonPub.wantErr(404, "route_not_found", "POST", "/api/v1/licenses", license.IssueInput{})
	w.anonPub.wantErr(404, "route_not_found", "GET", "/api/v1/licenses/"+mar.Identifier, nil)
	w.anonInt.wantErr(405, "method_not_allowed", "GET", "/api/v1/licenses/verify", nil)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// importLicenses posts a file of licenses to import.
func (c *client) importLicenses(typeCode, contentType, body string) response {
	c.t.Helper()
	return c.postRaw("/api/v1/license-types/"+typeCode+"/imports", contentType, []byte(body))
}

// TestLicenseImportAbort cuts an import off after a stored chunk: nothing
// of it stays, and the failure is recorded.
func TestLicenseImportAbort(t *testing.T) {
	m := testMain(t, false, "")
	w := licenseSetup(t, m)
	pr, pw := io.Pipe()
	req, err := http.NewRequestWithContext(t.Context(), "POST", m.InternalURL()+"/api/v1/license-types/"+w.bizType+"/imports", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+w.issuer.token)
	req.Header.Set("Content-Type", "text/csv")
	done := make(chan struct{})
	go func() {
		defer close(done)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 201 {
				t.Errorf("a cut-off import was accepted: %s", body)
			}
		}
	}()
	var b strings.Builder
	b.WriteString("持证主体名称,持证主体代码,法定代表人\n")
	for i := 0; i < 2500; i++ {
		b.WriteString("公司" + strconv.Itoa(i) + "," + usccCounty + ",王" + string(rune('一'+i%500)) + "\n")
	}
	if _, err := io.WriteString(pw, b.String()); err != nil {
		t.Fatal(err)
	}
	count := func() int {
		var page licensePage
		w.issuer.want(200, "GET", "/api/v1/licenses?page_size=500&holder_code="+usccCounty, nil).decode(t, &page)
		return len(page.Items)
	}
	// The first chunk of 500 is stored while the rest is awaited.
	for deadline := time.Now().Add(20 * time.Second); count() < 500; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the first chunk was never stored")
		}
	}
	pw.CloseWithError(io.ErrUnexpectedEOF)
	<-done
	for deadline := time.Now().Add(20 * time.Second); count() > 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d licenses of the failed import remain", count())
		}
	}
	var tr struct {
		Items []struct {
			Outcome string `json:"outcome"`
		} `json:"items"`
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		w.admin.want(200, "GET", "/api/v1/audit/entries?action=license.import&outcome=failed", nil).decode(t, &tr)
		if len(tr.Items) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("failure records of the import: %+v", tr.Items)
		}
	}
}
