package license

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"huitong"
)

// KeyStore keeps the public halves of issuer keys, so that every instance
// sharing a database publishes every key ever used.
type KeyStore interface {
	// LicenseKeys returns every key, oldest first.
	LicenseKeys(ctx context.Context) ([]Key, error)
	// InsertLicenseKey adds a key and retires the issuer's other keys at
	// k.CreatedAt, in one transaction.
	InsertLicenseKey(ctx context.Context, k Key) error
}

// Ring holds issuer signing keys: private keys as PKCS #8 PEM files of mode
// 0600 in Dir, one per key, named <kid>.pem; public keys in the KeyStore. An
// issuer's first key is the file <issuer USCC>.pem an operator placed in Dir
// (an Ed25519 key from a key ceremony or an older system), or else made on
// its first signature. Keys stay published after rotation, so that
// licenses signed with them still verify.
type Ring struct {
	Dir   string
	Store KeyStore
	Now   func() time.Time

	mu      sync.Mutex
	keys    map[string]Key     // by kid
	signers map[string]*Signer // current signer by issuer
	loaded  time.Time
}

// reloadEvery bounds how often an unknown kid makes the ring reread the
// store, for keys made by another instance.
const reloadEvery = time.Second

func (r *Ring) load(ctx context.Context) error {
	keys, err := r.Store.LicenseKeys(ctx)
	if err != nil {
		return err
	}
	m := make(map[string]Key, len(keys))
	for _, k := range keys {
		m[k.ID] = k
	}
	r.keys, r.loaded = m, r.Now()
	return nil
}

// Lookup returns the published key kid.
func (r *Ring) Lookup(ctx context.Context, kid string) (Key, bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if k, ok := r.keys[kid]; ok {
		return k, true, nil
	}
	if r.keys != nil && r.Now().Sub(r.loaded) < reloadEvery {
		return Key{}, false, nil
	}
	if err := r.load(ctx); err != nil {
		return Key{}, false, err
	}
	k, ok := r.keys[kid]
	return k, ok, nil
}

// Keys returns every published key, oldest first.
func (r *Ring) Keys(ctx context.Context) ([]Key, error) {
	return r.Store.LicenseKeys(ctx)
}

// Signer returns the current signer of an issuer, making its first key when
// it has none.
func (r *Ring) Signer(ctx context.Context, issuer string) (*Signer, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.signers[issuer]
	if s != nil && r.Now().Sub(r.loaded) < reloadEvery {
		return s, nil
	}
	// At most once a second, see whether another instance rotated the
	// key meanwhile.
	if err := r.load(ctx); err != nil {
		return nil, err
	}
	if s != nil && r.keys[s.Key.ID].RetiredAt.IsZero() {
		return s, nil
	}
	delete(r.signers, issuer)
	var cur *Key
	for _, k := range r.keys {
		if k.IssuerUSCC == issuer && k.RetiredAt.IsZero() && (cur == nil || k.CreatedAt.After(cur.CreatedAt)) {
			k := k
			cur = &k
		}
	}
	if cur == nil {
		return r.first(ctx, issuer)
	}
	priv, err := r.readPrivate(cur.ID)
	if err != nil {
		return nil, err
	}
	if !priv.Public().(ed25519.PublicKey).Equal(cur.Public) {
		return nil, fmt.Errorf("license key %s: the private key file does not match the published key", cur.ID)
	}
	if s, err = NewSigner(*cur, priv); err != nil {
		return nil, err
	}
	r.setSigner(issuer, s)
	return s, nil
}

// Rotate makes a new key for issuer and retires its current one, which
// stays published.
func (r *Ring) Rotate(ctx context.Context, issuer string) (Key, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, err := r.generate(ctx, issuer)
	if err != nil {
		return Key{}, err
	}
	return s.Key, nil
}

func (r *Ring) setSigner(issuer string, s *Signer) {
	if r.signers == nil {
		r.signers = map[string]*Signer{}
	}
	r.signers[issuer] = s
}

// first publishes an issuer's first key: the operator's key file
// <issuer>.pem when there is one, else a new key; r.mu is held.
func (r *Ring) first(ctx context.Context, issuer string) (*Signer, error) {
	priv, err := r.readPrivate(issuer)
	if huitong.ErrorCode(err) == "license_key_unavailable" {
		return r.generate(ctx, issuer)
	}
	if err != nil {
		return nil, err
	}
	return r.publish(ctx, issuer, priv)
}

// generate makes, saves and publishes a key; r.mu is held.
func (r *Ring) generate(ctx context.Context, issuer string) (*Signer, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	return r.publish(ctx, issuer, priv)
}

// publish saves priv as <kid>.pem and publishes its public key as the
// issuer's current key; r.mu is held.
func (r *Ring) publish(ctx context.Context, issuer string, priv ed25519.PrivateKey) (*Signer, error) {
	pub := priv.Public().(ed25519.PublicKey)
	kid, err := KeyID(issuer, pub)
	if err != nil {
		return nil, err
	}
	if err := r.writePrivate(kid, priv); err != nil {
		return nil, err
	}
	k := Key{ID: kid, IssuerUSCC: issuer, Public: pub, CreatedAt: r.Now().UTC().Truncate(time.Microsecond)}
	if err := r.Store.InsertLicenseKey(ctx, k); err != nil {
		os.Remove(r.path(kid))
		return nil, err
	}
	s, err := NewSigner(k, priv)
	if err != nil {
		return nil, err
	}
	r.setSigner(issuer, s)
	if err := r.load(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

func (r *Ring) path(kid string) string { return filepath.Join(r.Dir, kid+".pem") }

func (r *Ring) writePrivate(kid string, priv ed25519.PrivateKey) error {
	if r.Dir == "" {
		return errors.New("license keys: no key directory configured")
	}
	if err := os.MkdirAll(r.Dir, 0o700); err != nil {
		return fmt.Errorf("license keys: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(r.path(kid), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("license keys: %w", err)
	}
	if err := pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func (r *Ring) readPrivate(kid string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(r.path(kid))
	if errors.Is(err, fs.ErrNotExist) {
		// The message names the key, not the path: it may reach anonymous
		// callers of the status lists.
		return nil, huitong.E(huitong.Unavailable, "license_key_unavailable",
			"本节点没有签名密钥 "+kid+" 的私钥文件；多实例部署须共享证照密钥目录",
			"this node lacks the private key file of signing key "+kid+"; instances sharing a database must share the license key directory").Wrap(err)
	}
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("license key %s: not a PKCS #8 PEM file", kid)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("license key %s: %w", kid, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("license key %s: not an Ed25519 key", kid)
	}
	return priv, nil
}
