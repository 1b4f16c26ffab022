package license

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"huitong/internal/catalog"
	"huitong/internal/ids"
)

const (
	usccA = "11330500MB1A354275"
	usccB = "11330500002486211M"
)

func testSigner(t testing.TB, issuer string) *Signer {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	kid, err := KeyID(issuer, pub)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSigner(Key{ID: kid, IssuerUSCC: issuer, Public: pub}, priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func testCredential(issuer string) Credential {
	return credentialFor(issuer, issuer)
}

// credentialFor is a credential naming issuer whose identifier names
// idIssuer.
func credentialFor(issuer, idIssuer string) Credential {
	lid, err := ids.MakeLicenseID(idIssuer+"001", idIssuer, "202600000001", "001")
	if err != nil {
		panic(err)
	}
	id := lid.String()
	return Credential{Context: []string{ContextV2}, ID: CredentialID(id), Type: []string{"VerifiableCredential", CredentialType},
		Issuer: Issuer{ID: IssuerID(issuer)}, ValidFrom: "2026-01-01T00:00:00+08:00", ValidUntil: "2027-01-01T00:00:00+08:00",
		IssuedAt:          1767196800, // 2026-01-01
		CredentialSubject: Subject{Identifier: id, TypeCode: idIssuer + "001", IssuerCode: issuer, HolderName: "张三", Data: map[string]string{"a": "1"}},
		CredentialStatus: &StatusEntry{Type: "BitstringStatusListEntry", StatusPurpose: StatusPurpose, StatusListIndex: "7",
			StatusListCredential: "http://pub/status/" + issuer + "/1"}}
}

func lookupOf(ss ...*Signer) KeyLookup {
	return func(kid string) (Key, bool) {
		for _, s := range ss {
			if s.Key.ID == kid {
				return s.Key, true
			}
		}
		return Key{}, false
	}
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func TestCheckSignature(t *testing.T) {
	a, b := testSigner(t, usccA), testSigner(t, usccB)
	good, err := a.Sign(testCredential(usccA))
	if err != nil {
		t.Fatal(err)
	}
	if ck := CheckSignature(good, lookupOf(a, b)); ck.Status != "" || ck.Key.IssuerUSCC != usccA || ck.Credential.CredentialSubject.HolderName != "张三" {
		t.Fatalf("good credential: %+v", ck)
	}
	parts := strings.Split(good, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	// B's key signing a credential that names A as issuer, or that names B
	// but carries A's identifier.
	impostor, _ := b.Sign(testCredential(usccA))
	foreignID, _ := b.Sign(credentialFor(usccB, usccA))
	// A key retired before it signed.
	retired := testSigner(t, usccA)
	retired.Key.RetiredAt = time.Unix(1767196800-3600, 0)
	late, _ := retired.Sign(testCredential(usccA))
	early := testCredential(usccA)
	early.IssuedAt = 1767196800 - 7200
	before, _ := retired.Sign(early)
	hs := b64(`{"alg":"HS256","typ":"vc+jwt","kid":"` + a.Key.ID + `"}`)
	for name, c := range map[string]struct{ token, status string }{
		"tampered":        {parts[0] + "." + b64(strings.Replace(string(payload), "张三", "李四", 1)) + "." + parts[2], StatusBadSignature},
		"alg none":        {b64(`{"alg":"none","typ":"vc+jwt"}`) + "." + parts[1] + ".", StatusBadSignature},
		"HS256":           {hs + "." + parts[1] + "." + parts[2], StatusBadSignature},
		"wrong typ":       {b64(`{"alg":"EdDSA","typ":"JWT","kid":"`+a.Key.ID+`"}`) + "." + parts[1] + "." + parts[2], StatusMalformed},
		"unknown kid":     {b64(`{"alg":"EdDSA","typ":"vc+jwt","kid":"x-1"}`) + "." + parts[1] + "." + parts[2], StatusUnknownIssuer},
		"other issuer":    {impostor, StatusBadSignature},
		"foreign id":      {foreignID, StatusBadSignature},
		"after retiring":  {late, StatusBadSignature},
		"before retiring": {before, ""},
		"two parts":       {parts[0] + "." + parts[1], StatusMalformed},
		"garbage":         {"%%%.%%%.%%%", StatusMalformed},
		"empty":           {"", StatusMalformed},
		"signature swap":  {parts[0] + "." + parts[1] + "." + strings.Split(impostor, ".")[2], StatusBadSignature},
	} {
		if ck := CheckSignature(c.token, lookupOf(a, b, retired)); ck.Status != c.status {
			t.Errorf("%s: status %q (%s), want %q", name, ck.Status, ck.Reason, c.status)
		}
	}
}

func TestPeriod(t *testing.T) {
	c := testCredential(usccA)
	for at, want := range map[string]string{
		"2025-12-31T15:59:59Z": StatusNotYetValid, // 23:59:59 in China
		"2025-12-31T16:00:00Z": StatusActive,
		"2026-12-31T15:59:59Z": StatusActive,
		"2026-12-31T16:00:00Z": StatusExpired,
	} {
		now, _ := time.Parse(time.RFC3339, at)
		if got := c.Period(now); got != want {
			t.Errorf("Period(%s) = %s, want %s", at, got, want)
		}
	}
}

func TestStatusList(t *testing.T) {
	enc, err := EncodeList([]int{0, 7, 8, StatusListBits - 1})
	if err != nil || !strings.HasPrefix(enc, "u") {
		t.Fatalf("EncodeList = %q, %v", enc, err)
	}
	bits, err := DecodeList(enc)
	if err != nil || len(bits) != StatusListBits/8 {
		t.Fatalf("DecodeList: %d bytes, %v", len(bits), err)
	}
	// Index 0 is the most significant bit of the first byte.
	if bits[0] != 0x81 || bits[1] != 0x80 || bits[len(bits)-1] != 0x01 {
		t.Errorf("bytes %x %x ... %x", bits[0], bits[1], bits[len(bits)-1])
	}
	for i := 0; i < 20; i++ {
		if want := i == 0 || i == 7 || i == 8; BitSet(bits, i) != want {
			t.Errorf("bit %d = %v", i, !want)
		}
	}
	if _, err := EncodeList([]int{StatusListBits}); err == nil {
		t.Error("index out of range encoded")
	}
	for _, bad := range []string{"", "zabc", "u!!!", "u" + b64("not gzip")} {
		if _, err := DecodeList(bad); err == nil {
			t.Errorf("DecodeList(%q) succeeded", bad)
		}
	}
}

func TestOffline(t *testing.T) {
	a := testSigner(t, usccA)
	cred := testCredential(usccA)
	token, _ := a.Sign(cred)
	jwks, _ := json.Marshal(JWKS([]Key{a.Key}))
	list := func(set ...int) string {
		enc, _ := EncodeList(set)
		s, _ := a.Sign(StatusListCredential{Context: []string{ContextV2}, ID: cred.CredentialStatus.StatusListCredential,
			Type: []string{"VerifiableCredential", "BitstringStatusListCredential"}, Issuer: Issuer{ID: IssuerID(usccA)},
			CredentialSubject: StatusListSubject{Type: "BitstringStatusList", StatusPurpose: StatusPurpose, EncodedList: enc}})
		return s
	}
	now, _ := time.Parse(time.RFC3339, "2026-06-01T00:00:00Z")
	for name, c := range map[string]struct {
		status string
		want   string
		valid  bool
	}{
		"not revoked":    {list(1, 6, 8), StatusActive, true},
		"revoked":        {list(7), StatusRevoked, false},
		"no status list": {"", StatusUnchecked, false},
	} {
		r, err := Offline(token, jwks, c.status, now)
		if err != nil || r.Status != c.want || r.Valid != c.valid || r.License.HolderName != "张三" {
			t.Errorf("%s: %+v, %v", name, r, err)
		}
	}
	// A status list of another issuer's key is refused.
	b := testSigner(t, usccB)
	forged, _ := b.Sign(StatusListCredential{ID: cred.CredentialStatus.StatusListCredential, Issuer: Issuer{ID: IssuerID(usccA)},
		CredentialSubject: StatusListSubject{StatusPurpose: StatusPurpose}})
	both, _ := json.Marshal(JWKS([]Key{a.Key, b.Key}))
	if _, err := Offline(token, both, forged, now); err == nil {
		t.Error("status list signed by another issuer accepted")
	}
	if r, _ := Offline(token, jwks, "", now.AddDate(2, 0, 0)); r.Valid || r.Status != StatusExpired {
		t.Errorf("expired offline: %+v", r)
	}
	if _, err := Offline(token, []byte(`{"keys":[]}`), "", now); err == nil {
		t.Error("empty JWKS accepted")
	}
}

func TestKeyID(t *testing.T) {
	for i := 0; i < 200; i++ { // thumbprints with dashes come up
		a := testSigner(t, usccA)
		if !strings.HasPrefix(a.Key.ID, usccA+"-") || len(a.Key.ID) != 18+1+16 || kidIssuer(a.Key.ID) != usccA {
			t.Fatalf("kid %q", a.Key.ID)
		}
	}
	if got := kidIssuer(usccA + "-AB-CD_EF"); got != usccA {
		t.Errorf("kidIssuer = %q", got)
	}
	for _, bad := range []string{"", "x-1", usccA, usccA + "_x"} {
		if got := kidIssuer(bad); got != "" {
			t.Errorf("kidIssuer(%q) = %q", bad, got)
		}
	}
}

func TestTypeValidate(t *testing.T) {
	ok := Type{Code: usccA + "001", Name: "营业执照", IssuerUSCCs: []string{usccA}, HolderKind: HolderOrg,
		Fields: []catalog.Field{{Name: "legal_rep", Title: "法定代表人", Type: "string", Level: 2}}}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid type: %v", err)
	}
	for name, mut := range map[string]func(*Type){
		"short code":      func(t *Type) { t.Code = usccA + "01" },
		"bad uscc":        func(t *Type) { t.Code = "11330500MB1A354276001" },
		"no issuers":      func(t *Type) { t.IssuerUSCCs = nil },
		"dup issuers":     func(t *Type) { t.IssuerUSCCs = []string{usccA, usccA} },
		"holder kind":     func(t *Type) { t.HolderKind = "person" },
		"level 4":         func(t *Type) { t.Fields[0].Level = 4 },
		"unique":          func(t *Type) { t.Fields[0].Unique = true },
		"reserved":        func(t *Type) { t.Fields[0].Name = "holder_code" },
		"negative days":   func(t *Type) { t.ValidityDays = -1 },
		"bad field type":  func(t *Type) { t.Fields[0].Type = "blob" },
		"empty name":      func(t *Type) { t.Name = "" },
		"no fields":       func(t *Type) { t.Fields = nil },
		"bad issuer uscc": func(t *Type) { t.IssuerUSCCs = []string{"X"} },
	} {
		c := ok
		c.Fields = append([]catalog.Field(nil), ok.Fields...)
		c.IssuerUSCCs = append([]string(nil), ok.IssuerUSCCs...)
		mut(&c)
		if err := c.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// FuzzCheckSignature feeds arbitrary text as a credential: it must never
// panic, and never pass unless it is the signed credential itself.
func FuzzCheckSignature(f *testing.F) {
	a := testSigner(f, usccA)
	good, _ := a.Sign(testCredential(usccA))
	parts := strings.Split(good, ".")
	f.Add(good)
	f.Add(parts[0] + "." + parts[1] + ".")
	f.Add(b64(`{"alg":"none"}`) + "." + parts[1] + ".")
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, token string) {
		ck := CheckSignature(token, lookupOf(a))
		if ck.Status == "" && strings.TrimSpace(token) != good {
			t.Fatalf("accepted %q", token)
		}
	})
}
