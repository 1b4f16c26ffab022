package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"huitong/internal/license"
)

// The interop test verifies credentials and status lists that huitong
// issues with panva/jose, a JOSE implementation independent of the
// go-jose that huitong signs with, through the Node script in
// tools/interop. It skips where node or tools/interop/node_modules (npm ci
// there) is missing, unless HUITONG_INTEROP_REQUIRED is set (.ci/run sets
// it), which turns the skip into a failure.

// interopDir is tools/interop, seen from this package's directory.
var interopDir = filepath.Join("..", "..", "tools", "interop")

// joseOutput is what tools/interop/verify.mjs prints.
type joseOutput struct {
	Verifier         string `json:"verifier"`
	Verified         bool   `json:"verified"`
	Revoked          *bool  `json:"revoked"`
	StatusChecked    bool   `json:"statusChecked"`
	Kid              string `json:"kid"`
	Iss              string `json:"iss"`
	Jti              string `json:"jti"`
	Identifier       string `json:"identifier"`
	KidMatchesIssuer bool   `json:"kidMatchesIssuer"`
	StatusListIndex  int    `json:"statusListIndex"`
	StatusListBits   int    `json:"statusListBits"`
	Error            *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	StatusError *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"statusError"`
}

// joseVerifier returns the node binary, or skips (fails when required).
func joseVerifier(t *testing.T) string {
	t.Helper()
	missing := func(why string) {
		t.Helper()
		if os.Getenv("HUITONG_INTEROP_REQUIRED") != "" {
			t.Fatal("HUITONG_INTEROP_REQUIRED is set but " + why)
		}
		t.Skip(why + ": skipping the jose interop test")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node is not installed (apt-get install nodejs npm)")
	}
	if _, err := os.Stat(filepath.Join(interopDir, "node_modules", "jose", "package.json")); err != nil {
		missing("tools/interop/node_modules/jose is missing (run npm ci in tools/interop)")
	}
	return node
}

// joseBatch runs verify.mjs once over inputs, given as a JSON array on
// standard input, and returns its outputs in order.
func joseBatch(t *testing.T, node string, inputs []map[string]any) []joseOutput {
	t.Helper()
	b, err := json.Marshal(inputs)
	if err != nil {
		t.Fatal(err)
	}
	var outs []joseOutput
	runJose(t, node, bytes.NewReader(b), &outs)
	if len(outs) != len(inputs) {
		t.Fatalf("verify.mjs answered %d results for %d inputs", len(outs), len(inputs))
	}
	return outs
}

// runJose runs verify.mjs with args and stdin and decodes its output into
// v.
func runJose(t *testing.T, node string, stdin *bytes.Reader, v any, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, append([]string{"verify.mjs"}, args...)...)
	cmd.Dir = interopDir
	if stdin != nil {
		cmd.Stdin = stdin
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("node verify.mjs: %v\nstdout: %s\nstderr: %s", err, out.String(), errb.String())
	}
	if err := json.Unmarshal(out.Bytes(), v); err != nil {
		t.Fatalf("verify.mjs output %q: %v", out.String(), err)
	}
}

func (o joseOutput) String() string {
	b, _ := json.Marshal(o)
	return string(b)
}

func TestJoseInterop(t *testing.T) {
	node := joseVerifier(t)
	m := testMain(t, false, "")
	w := licenseSetup(t, m)

	// Two business licenses of one issuer, so that they share a status
	// list, and a marriage certificate of another, so that the JWKS holds
	// more than one key.
	issue := func(c *client, in license.IssueInput) license.License {
		t.Helper()
		var l license.License
		c.want(201, "POST", "/api/v1/licenses", in).decode(t, &l)
		return l
	}
	kept := issue(w.issuer, license.IssueInput{TypeCode: w.bizType, Holder: license.Holder{Name: "湖州市公安局服务中心", Code: usccPolice},
		Data: map[string]any{"legal_rep": "王小明", "capital": 500, "kind": "有限责任公司"}})
	revoked := issue(w.issuer, license.IssueInput{TypeCode: w.bizType, Holder: license.Holder{Name: "湖州市住房公积金管理中心", Code: usccCounty},
		Data: map[string]any{"legal_rep": "赵六"}})
	mar := issue(w.civil, license.IssueInput{TypeCode: w.marriageType, Holder: license.Holder{Name: "张三", Code: citizenID},
		Data: map[string]any{"spouse_name": "李四", "spouse_id": "440524188001010014", "registered_on": "2024-05-20"}})
	w.issuer.want(200, "POST", "/api/v1/licenses/"+revoked.Identifier+"/revoke", license.RevokeInput{Reason: "吊销营业执照"})

	jwks := w.anonPub.want(200, "GET", "/.well-known/jwks.json", nil).body
	statusOf := func(l license.License) (string, license.StatusEntry) {
		t.Helper()
		var c license.Credential
		p := strings.Split(l.Credential, ".")[1]
		b, _ := base64.RawURLEncoding.DecodeString(p)
		if err := json.Unmarshal(b, &c); err != nil || c.CredentialStatus == nil {
			t.Fatalf("credential payload %s: %v", b, err)
		}
		path := strings.TrimPrefix(c.CredentialStatus.StatusListCredential, m.PublicURL())
		r := w.anonPub.want(200, "GET", path, nil)
		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/vc+jwt") {
			t.Errorf("status list content type %q", ct)
		}
		return string(r.body), *c.CredentialStatus
	}
	bizList, keptEntry := statusOf(kept)
	_, revokedEntry := statusOf(revoked)
	marList, _ := statusOf(mar)
	if keptEntry.StatusListCredential != revokedEntry.StatusListCredential || keptEntry.StatusListIndex == revokedEntry.StatusListIndex {
		t.Fatalf("status entries %+v and %+v: want one list, two indexes", keptEntry, revokedEntry)
	}

	// huitong's own verifier says the revoked one is revoked.
	var own license.Result
	w.anonPub.want(200, "POST", "/api/v1/licenses/verify", license.VerifyInput{Credential: revoked.Credential}).decode(t, &own)
	if own.Valid || own.Status != license.StatusRevoked {
		t.Errorf("huitong verify of the revoked license = %+v", own)
	}

	// The kept license, with files as input.
	dir := t.TempDir()
	write := func(name, s string) string {
		p, _ := filepath.Abs(filepath.Join(dir, name))
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var fromFiles joseOutput
	runJose(t, node, nil, &fromFiles, "--jwks", write("jwks.json", string(jwks)), "--credential", write("kept.jwt", kept.Credential),
		"--status", write("status.jwt", bizList))
	if !strings.HasPrefix(fromFiles.Verifier, "jose ") {
		t.Errorf("verifier %q", fromFiles.Verifier)
	}
	t.Logf("verifier: %s", fromFiles.Verifier)

	// Everything else in one run of node, as a JSON array on stdin.
	parts := strings.Split(kept.Credential, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	enc := base64.RawURLEncoding.EncodeToString
	forged := bytes.Replace(payload, []byte("王小明"), []byte("王大明"), 1)
	if bytes.Equal(forged, payload) {
		t.Fatal("nothing to tamper with in the payload")
	}
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	sig[0] ^= 1
	none := enc([]byte(`{"alg":"none","typ":"vc+jwt","kid":"` + kept.KeyID + `"}`))

	// A status list with the revoked license's bit cleared in the payload:
	// its signature no longer holds.
	lparts := strings.Split(bizList, ".")
	lpayload, _ := base64.RawURLEncoding.DecodeString(lparts[1])
	var sl license.StatusListCredential
	if err := json.Unmarshal(lpayload, &sl); err != nil {
		t.Fatal(err)
	}
	clean, err := license.EncodeList(nil)
	if err != nil {
		t.Fatal(err)
	}
	sl.CredentialSubject.EncodedList = clean
	lforged, _ := json.Marshal(sl)
	forgedList := lparts[0] + "." + enc(lforged) + "." + lparts[2]

	// Tokens signed here with the issuer's own key (from the key
	// directory): jose must check more than the signature.
	pemBytes, err := os.ReadFile(filepath.Join(m.Config.LicenseKeys, kept.KeyID+".pem"))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		t.Fatal("no PEM block in the issuer's key file")
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	priv, ok := parsed.(ed25519.PrivateKey)
	if !ok {
		t.Fatalf("issuer key is %T", parsed)
	}
	signed := func(header string, payload []byte) string {
		in := enc([]byte(header)) + "." + enc(payload)
		return in + "." + enc(ed25519.Sign(priv, []byte(in)))
	}
	header := `{"alg":"EdDSA","kid":"` + kept.KeyID + `","typ":"vc+jwt"}`
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	claims["exp"] = time.Now().Add(-time.Hour).Unix()
	expired, _ := json.Marshal(claims)
	claims["exp"], claims["nbf"] = time.Now().AddDate(1, 0, 0).Unix(), time.Now().Add(time.Hour).Unix()
	early, _ := json.Marshal(claims)

	type tc struct {
		name, cred, list string
		// want: "kept" or "revoked" for a credential jose must accept with
		// that status; otherwise the jose error code it must reject it
		// with ("*" for any).
		want string
		// wantStatusErr: the status list must not be trusted, with this
		// code.
		wantStatusErr string
		l             license.License
	}
	cases := []tc{
		{name: "kept (stdin)", cred: kept.Credential, list: bizList, want: "kept", l: kept},
		{name: "revoked", cred: revoked.Credential, list: bizList, want: "revoked", l: revoked},
		// Another issuer's key from the same JWKS.
		{name: "marriage", cred: mar.Credential, list: marList, want: "kept", l: mar},
		{name: "tampered payload", cred: parts[0] + "." + enc(forged) + "." + parts[2], list: bizList, want: "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"},
		{name: "tampered signature", cred: parts[0] + "." + parts[1] + "." + enc(sig), list: bizList, want: "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"},
		{name: "alg none", cred: none + "." + parts[1] + ".", list: bizList, want: "ERR_JOSE_ALG_NOT_ALLOWED"},
		{name: "alg none with signature", cred: none + "." + parts[1] + "." + parts[2], list: bizList, want: "ERR_JOSE_ALG_NOT_ALLOWED"},
		{name: "typ JWT", cred: enc([]byte(`{"alg":"EdDSA","kid":"`+kept.KeyID+`","typ":"JWT"}`)) + "." + parts[1] + "." + parts[2], list: bizList, want: "*"},
		{name: "other issuer's kid", cred: enc([]byte(`{"alg":"EdDSA","kid":"`+mar.KeyID+`","typ":"vc+jwt"}`)) + "." + parts[1] + "." + parts[2], list: bizList,
			want: "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"},
		// Signed with the issuer's key: the same content verifies (the
		// signing here is right), another typ, no typ, a past exp and a
		// future nbf do not.
		{name: "re-signed", cred: signed(header, payload), list: bizList, want: "kept", l: kept},
		{name: "signed, typ JWT", cred: signed(`{"alg":"EdDSA","kid":"`+kept.KeyID+`","typ":"JWT"}`, payload), list: bizList, want: "ERR_JWT_CLAIM_VALIDATION_FAILED"},
		{name: "signed, no typ", cred: signed(`{"alg":"EdDSA","kid":"`+kept.KeyID+`"}`, payload), list: bizList, want: "ERR_JWT_CLAIM_VALIDATION_FAILED"},
		{name: "signed, expired", cred: signed(header, expired), list: bizList, want: "ERR_JWT_EXPIRED"},
		{name: "signed, not yet valid", cred: signed(header, early), list: bizList, want: "ERR_JWT_CLAIM_VALIDATION_FAILED"},
		{name: "tampered status list", cred: revoked.Credential, list: forgedList, wantStatusErr: "ERR_JWS_SIGNATURE_VERIFICATION_FAILED", l: revoked},
		// Another issuer's genuine list is not this credential's list.
		{name: "other issuer's status list", cred: revoked.Credential, list: marList, wantStatusErr: "STATUS_LIST_MISMATCH", l: revoked},
	}
	inputs := make([]map[string]any, len(cases))
	for i, c := range cases {
		inputs[i] = map[string]any{"jwks": json.RawMessage(jwks), "credential": c.cred, "statusList": c.list}
	}
	inputs[2]["jwks"] = string(jwks) // JWKS as text works too
	outs := joseBatch(t, node, inputs)

	checkClaims := func(name string, l license.License, res joseOutput) {
		t.Helper()
		if !res.Verified || res.Error != nil {
			t.Errorf("%s: jose rejected huitong's credential: %s", name, res)
			return
		}
		if res.Identifier != l.Identifier || res.Jti != license.CredentialID(l.Identifier) || res.Iss != license.IssuerID(l.IssuerUSCC) ||
			res.Kid != l.KeyID || !res.KidMatchesIssuer {
			t.Errorf("%s: claims %s, license %s by %s with %s", name, res, l.Identifier, l.IssuerUSCC, l.KeyID)
		}
	}
	checkValid := func(name string, l license.License, res joseOutput, wantRevoked bool) {
		t.Helper()
		checkClaims(name, l, res)
		if !res.StatusChecked || res.StatusError != nil || res.Revoked == nil || *res.Revoked != wantRevoked || res.StatusListBits != license.StatusListBits {
			t.Errorf("%s: status %s, want revoked=%v", name, res, wantRevoked)
		}
	}
	checkValid("kept (files)", kept, fromFiles, false)
	for i, c := range cases {
		res := outs[i]
		switch {
		case c.want == "kept" || c.want == "revoked":
			checkValid(c.name, c.l, res, c.want == "revoked")
		case c.wantStatusErr != "":
			checkClaims(c.name, c.l, res)
			if res.StatusChecked || res.Revoked != nil || res.StatusError == nil || res.StatusError.Code != c.wantStatusErr {
				t.Errorf("%s: status %s, want error %s", c.name, res, c.wantStatusErr)
			}
		default:
			if res.Verified || res.Error == nil || res.Revoked != nil || res.StatusChecked {
				t.Errorf("%s: jose accepted it: %s", c.name, res)
			} else if c.want != "*" && res.Error.Code != c.want {
				t.Errorf("%s: jose error %s (%s), want %s", c.name, res.Error.Code, res.Error.Message, c.want)
			} else {
				t.Logf("%s: rejected by jose: %s", c.name, res.Error.Code)
			}
		}
	}
}
