package license

import (
	"bytes"
	"compress/gzip"
	"crypto"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"huitong/internal/ids"
)

// Media and credential type names (W3C VC 2.0, VC-JOSE-COSE, Bitstring
// Status List).
const (
	// TypeHeader is the JWS typ of a credential secured with JOSE.
	TypeHeader = "vc+jwt"
	// ContextV2 is the base JSON-LD context of a VC 2.0 credential.
	ContextV2 = "https://www.w3.org/ns/credentials/v2"
	// CredentialType is huitong's credential type next to
	// VerifiableCredential.
	CredentialType = "ElectronicLicense"
	// StatusPurpose is the purpose of huitong's status lists: a set bit
	// means the license was revoked or superseded by a newer version.
	StatusPurpose = "revocation"
	// StatusListBits is the length of one status list. The W3C
	// recommendation's minimum (131,072 bits, 16 KiB) keeps a verifier's
	// fetch of a list from telling which license is being checked.
	StatusListBits = 131072
)

// Verification statuses, as API and command line report them.
const (
	StatusActive        = "active"
	StatusRevoked       = "revoked"
	StatusExpired       = "expired"
	StatusNotYetValid   = "not_yet_valid"
	StatusSuperseded    = "superseded"
	StatusUnknownIssuer = "unknown_issuer"
	StatusBadSignature  = "bad_signature"
	StatusMalformed     = "malformed"
	StatusNotFound      = "not_found"
	// StatusUnchecked is the offline answer for a genuine, current
	// credential whose revocation could not be checked (no status list).
	StatusUnchecked = "revocation_unchecked"
)

// Credential is the payload of a license credential: a VC 2.0 credential
// with the JWT claims iss, jti, iat, nbf and exp repeating its issuer,
// identifier and validity, so that plain JWT libraries check them too.
type Credential struct {
	Context           []string     `json:"@context"`
	ID                string       `json:"id"`
	Type              []string     `json:"type"`
	Issuer            Issuer       `json:"issuer"`
	Name              string       `json:"name,omitempty"`
	ValidFrom         string       `json:"validFrom,omitempty"`
	ValidUntil        string       `json:"validUntil,omitempty"`
	CredentialSubject Subject      `json:"credentialSubject"`
	CredentialStatus  *StatusEntry `json:"credentialStatus,omitempty"`
	JWTIssuer         string       `json:"iss,omitempty"`
	JWTID             string       `json:"jti,omitempty"`
	IssuedAt          int64        `json:"iat,omitempty"`
	NotBefore         int64        `json:"nbf,omitempty"`
	Expires           int64        `json:"exp,omitempty"`
}

// Issuer names the issuing org: id is urn:uscc:<USCC>.
type Issuer struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// Subject is the credentialSubject: the holder and the license's content,
// with the core metadata of GB/T 36903.
type Subject struct {
	Type           string            `json:"type"`
	Identifier     string            `json:"identifier"`
	Number         string            `json:"number"`
	LicenseName    string            `json:"licenseName"`
	TypeCode       string            `json:"typeCode"`
	HolderName     string            `json:"holderName"`
	HolderCode     string            `json:"holderCode"`
	HolderCodeType string            `json:"holderCodeType"`
	IssuerName     string            `json:"issuerName"`
	IssuerCode     string            `json:"issuerCode"`
	IssueDate      string            `json:"issueDate"`
	Jurisdiction   string            `json:"jurisdiction"`
	Data           map[string]string `json:"data"`
}

// StatusEntry is a BitstringStatusListEntry.
type StatusEntry struct {
	ID                   string `json:"id"`
	Type                 string `json:"type"`
	StatusPurpose        string `json:"statusPurpose"`
	StatusListIndex      string `json:"statusListIndex"`
	StatusListCredential string `json:"statusListCredential"`
}

// Index returns the entry's position in its list.
func (e *StatusEntry) Index() (int, error) {
	n, err := strconv.Atoi(e.StatusListIndex)
	if err != nil || n < 0 || n >= StatusListBits {
		return 0, fmt.Errorf("status list index %q out of range", e.StatusListIndex)
	}
	return n, nil
}

// IssuerID returns the issuer id of an org: urn:uscc:<USCC>.
func IssuerID(uscc string) string { return "urn:uscc:" + uscc }

// CredentialID returns the credential id of a license identifier.
func CredentialID(identifier string) string { return "urn:gbt36904:" + identifier }

// Key is one issuer signing key as published: the private half stays with
// the key ring.
type Key struct {
	ID         string // kid: <issuer USCC>-<thumbprint prefix>
	IssuerUSCC string
	Public     ed25519.PublicKey
	CreatedAt  time.Time
	RetiredAt  time.Time // zero while the key signs
}

// KeyID returns the kid of an issuer's public key: the issuer's USCC, a
// dash, and the first 16 characters of the RFC 7638 thumbprint, so that a
// verifier can check that a key belongs to the issuer a credential names.
func KeyID(issuer string, pub ed25519.PublicKey) (string, error) {
	jwk := jose.JSONWebKey{Key: pub}
	tp, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", err
	}
	return issuer + "-" + base64.RawURLEncoding.EncodeToString(tp)[:16], nil
}

// kidIssuer returns the issuer USCC part of a kid: its first 18
// characters, before the dash (the thumbprint part may hold dashes too).
func kidIssuer(kid string) string {
	if len(kid) < 20 || kid[18] != '-' {
		return ""
	}
	return kid[:18]
}

// JWKS returns the JSON Web Key Set publishing keys.
func JWKS(keys []Key) jose.JSONWebKeySet {
	set := jose.JSONWebKeySet{Keys: make([]jose.JSONWebKey, 0, len(keys))}
	for _, k := range keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: k.Public, KeyID: k.ID, Algorithm: string(jose.EdDSA), Use: "sig"})
	}
	return set
}

// KeysFromJWKS reads the Ed25519 keys of a JWKS document, for the offline
// verifier. Keys of other types are skipped.
func KeysFromJWKS(doc []byte) (map[string]Key, error) {
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(doc, &set); err != nil {
		return nil, fmt.Errorf("read JWKS: %w", err)
	}
	out := map[string]Key{}
	for _, k := range set.Keys {
		pub, ok := k.Key.(ed25519.PublicKey)
		if !ok || k.KeyID == "" {
			continue
		}
		out[k.KeyID] = Key{ID: k.KeyID, IssuerUSCC: kidIssuer(k.KeyID), Public: pub}
	}
	if len(out) == 0 {
		return nil, errors.New("read JWKS: no Ed25519 key with a kid")
	}
	return out, nil
}

// Signer signs credentials with one issuer key.
type Signer struct {
	Key    Key
	signer jose.Signer
}

// NewSigner returns a signer for the private key priv of key k.
func NewSigner(k Key, priv ed25519.PrivateKey) (*Signer, error) {
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: jose.JSONWebKey{Key: priv, KeyID: k.ID}},
		(&jose.SignerOptions{}).WithType(TypeHeader))
	if err != nil {
		return nil, err
	}
	return &Signer{Key: k, signer: s}, nil
}

// Sign returns the compact JWS of payload.
func (s *Signer) Sign(payload any) (string, error) {
	b, err := json.Marshal(payload)
	if err != nil {
		return "", err
	}
	obj, err := s.signer.Sign(b)
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}

// Checked is the outcome of checking a credential's signature: the status
// (empty when the signature holds), the key that signed it, and the payload.
type Checked struct {
	Status     string
	Reason     string
	Key        Key
	Credential Credential
	// Payload is the verified payload as signed.
	Payload []byte
}

// KeyLookup finds a published key by kid.
type KeyLookup func(kid string) (Key, bool)

// MaxCredentialBytes bounds a credential accepted for verification.
const MaxCredentialBytes = 64 << 10

// CheckSignature parses the compact JWS token, finds its key by kid and
// verifies the signature. Only EdDSA with typ vc+jwt is accepted: alg none,
// any other algorithm, a key of another issuer or a changed payload is
// bad_signature; text that is not a JWS is malformed; a kid nobody published
// is unknown_issuer.
func CheckSignature(token string, keys KeyLookup) Checked {
	token = strings.TrimSpace(token)
	if token == "" || len(token) > MaxCredentialBytes {
		return Checked{Status: StatusMalformed, Reason: "empty or oversized credential"}
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return Checked{Status: StatusMalformed, Reason: "not a compact JWS"}
	}
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return Checked{Status: StatusMalformed, Reason: "header is not base64url"}
	}
	var h struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
		Typ string `json:"typ"`
	}
	if err := json.Unmarshal(hb, &h); err != nil {
		return Checked{Status: StatusMalformed, Reason: "header is not JSON"}
	}
	if h.Alg != string(jose.EdDSA) {
		return Checked{Status: StatusBadSignature, Reason: "algorithm " + strconv.Quote(h.Alg) + " is not accepted"}
	}
	if h.Typ != TypeHeader {
		return Checked{Status: StatusMalformed, Reason: "typ is not " + TypeHeader}
	}
	key, ok := keys(h.Kid)
	if !ok {
		return Checked{Status: StatusUnknownIssuer, Reason: "no published key " + strconv.Quote(h.Kid)}
	}
	obj, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		return Checked{Status: StatusMalformed, Reason: "not a well-formed compact JWS", Key: key}
	}
	payload, err := obj.Verify(key.Public)
	if err != nil {
		return Checked{Status: StatusBadSignature, Reason: "signature does not verify", Key: key}
	}
	var c Credential
	if err := json.Unmarshal(payload, &c); err != nil {
		return Checked{Status: StatusMalformed, Reason: "payload is not a credential", Key: key}
	}
	if err := c.wellFormed(); err != nil {
		return Checked{Status: StatusMalformed, Reason: err.Error(), Key: key, Credential: c}
	}
	if c.Issuer.ID != IssuerID(key.IssuerUSCC) {
		return Checked{Status: StatusBadSignature, Reason: "signed with a key of another issuer", Key: key, Credential: c}
	}
	// The identifier binds the license to its issuer and type: a key may
	// sign only its own issuer's identifiers.
	sub := c.CredentialSubject
	lid, err := ids.ParseLicenseID(sub.Identifier)
	if err != nil {
		return Checked{Status: StatusMalformed, Reason: "the identifier is not a GB/T 36904 identifier", Key: key, Credential: c}
	}
	if lid.IssuerCode != key.IssuerUSCC || sub.IssuerCode != key.IssuerUSCC || lid.TypeCode != sub.TypeCode {
		return Checked{Status: StatusBadSignature, Reason: "the identifier names another issuer or type than the signer", Key: key, Credential: c}
	}
	if !key.RetiredAt.IsZero() && c.IssuedAt > key.RetiredAt.Unix()+retiredSkew {
		return Checked{Status: StatusBadSignature, Reason: "signed after the key was retired", Key: key, Credential: c}
	}
	return Checked{Key: key, Credential: c, Payload: payload}
}

// retiredSkew is how long after its retirement, in seconds, a credential
// signed with a key is still taken as signed before it (clocks of instances
// differ).
const retiredSkew = 60

func (c *Credential) wellFormed() error {
	if len(c.Context) == 0 || c.Context[0] != ContextV2 {
		return errors.New("@context does not start with the VC 2.0 context")
	}
	hasVC := false
	for _, t := range c.Type {
		hasVC = hasVC || t == "VerifiableCredential"
	}
	if !hasVC {
		return errors.New("type lacks VerifiableCredential")
	}
	if c.Issuer.ID == "" || c.CredentialSubject.Identifier == "" || c.ID != CredentialID(c.CredentialSubject.Identifier) {
		return errors.New("issuer or identifier missing")
	}
	for _, s := range []string{c.ValidFrom, c.ValidUntil} {
		if s == "" {
			continue
		}
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			return fmt.Errorf("validity %q is not an RFC 3339 time", s)
		}
	}
	return nil
}

// Period returns the status a credential's validity period gives at now:
// expired, not_yet_valid or active.
func (c *Credential) Period(now time.Time) string {
	if c.ValidUntil != "" {
		if t, err := time.Parse(time.RFC3339, c.ValidUntil); err == nil && !now.Before(t) {
			return StatusExpired
		}
	}
	if c.ValidFrom != "" {
		if t, err := time.Parse(time.RFC3339, c.ValidFrom); err == nil && now.Before(t) {
			return StatusNotYetValid
		}
	}
	return StatusActive
}

// StatusListCredential is the payload of a status list credential.
type StatusListCredential struct {
	Context           []string          `json:"@context"`
	ID                string            `json:"id"`
	Type              []string          `json:"type"`
	Issuer            Issuer            `json:"issuer"`
	ValidFrom         string            `json:"validFrom"`
	CredentialSubject StatusListSubject `json:"credentialSubject"`
	JWTIssuer         string            `json:"iss,omitempty"`
	IssuedAt          int64             `json:"iat,omitempty"`
}

// StatusListSubject is a BitstringStatusList.
type StatusListSubject struct {
	ID            string `json:"id"`
	Type          string `json:"type"`
	StatusPurpose string `json:"statusPurpose"`
	EncodedList   string `json:"encodedList"`
}

// EncodeList returns the encodedList of a status list with the given bits
// set: the bitstring (index 0 is the leftmost, most significant bit of the
// first byte) GZIP-compressed, base64url-encoded without padding, with the
// multibase prefix "u".
func EncodeList(set []int) (string, error) {
	bits := make([]byte, StatusListBits/8)
	for _, i := range set {
		if i < 0 || i >= StatusListBits {
			return "", fmt.Errorf("status index %d out of range", i)
		}
		bits[i/8] |= 0x80 >> (i % 8)
	}
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	zw.Write(bits)
	if err := zw.Close(); err != nil {
		return "", err
	}
	return "u" + base64.RawURLEncoding.EncodeToString(b.Bytes()), nil
}

// DecodeList returns the bitstring of an encodedList.
func DecodeList(encoded string) ([]byte, error) {
	rest, ok := strings.CutPrefix(encoded, "u")
	if !ok {
		return nil, errors.New("encodedList lacks the multibase prefix u")
	}
	z, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil {
		return nil, fmt.Errorf("encodedList is not base64url: %w", err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(z))
	if err != nil {
		return nil, fmt.Errorf("encodedList is not GZIP: %w", err)
	}
	bits, err := io.ReadAll(io.LimitReader(zr, 16<<20))
	if err != nil {
		return nil, fmt.Errorf("encodedList is not GZIP: %w", err)
	}
	if len(bits) < StatusListBits/8 {
		return nil, fmt.Errorf("status list of %d bits is shorter than %d", len(bits)*8, StatusListBits)
	}
	return bits, nil
}

// BitSet reports whether bit i of a bitstring is set.
func BitSet(bits []byte, i int) bool {
	return i >= 0 && i/8 < len(bits) && bits[i/8]&(0x80>>(i%8)) != 0
}

// CheckStatusList verifies a status list credential token with keys and
// returns its bitstring. The list must be signed by a key of issuer (the
// credential's issuer), name that issuer, and have the id url when url is
// not empty.
func CheckStatusList(token string, keys KeyLookup, url, issuer string) ([]byte, *StatusListCredential, error) {
	parts := strings.Split(strings.TrimSpace(token), ".")
	if len(parts) != 3 {
		return nil, nil, errors.New("status list is not a compact JWS")
	}
	obj, err := jose.ParseSignedCompact(strings.TrimSpace(token), []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		return nil, nil, fmt.Errorf("status list: %w", err)
	}
	kid := obj.Signatures[0].Header.KeyID
	key, ok := keys(kid)
	if !ok {
		return nil, nil, fmt.Errorf("status list signed by unknown key %q", kid)
	}
	payload, err := obj.Verify(key.Public)
	if err != nil {
		return nil, nil, errors.New("status list signature does not verify")
	}
	var sl StatusListCredential
	if err := json.Unmarshal(payload, &sl); err != nil {
		return nil, nil, fmt.Errorf("status list payload: %w", err)
	}
	if key.IssuerUSCC != issuer || sl.Issuer.ID != IssuerID(key.IssuerUSCC) {
		return nil, nil, errors.New("status list signed with a key of another issuer")
	}
	if url != "" && sl.ID != url {
		return nil, nil, fmt.Errorf("status list is %q, want %q", sl.ID, url)
	}
	if sl.CredentialSubject.StatusPurpose != StatusPurpose {
		return nil, nil, fmt.Errorf("status list purpose %q, want %q", sl.CredentialSubject.StatusPurpose, StatusPurpose)
	}
	bits, err := DecodeList(sl.CredentialSubject.EncodedList)
	if err != nil {
		return nil, nil, err
	}
	return bits, &sl, nil
}
