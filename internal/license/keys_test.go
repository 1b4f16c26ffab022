package license

import (
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// memKeys is a KeyStore in memory.
type memKeys struct {
	mu   sync.Mutex
	keys []Key
}

func (m *memKeys) LicenseKeys(context.Context) ([]Key, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Key(nil), m.keys...), nil
}

func (m *memKeys) InsertLicenseKey(_ context.Context, k Key) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.keys {
		if m.keys[i].IssuerUSCC == k.IssuerUSCC && m.keys[i].RetiredAt.IsZero() {
			m.keys[i].RetiredAt = k.CreatedAt
		}
	}
	m.keys = append(m.keys, k)
	return nil
}

func TestRing(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "keys")
	store := &memKeys{}
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := func() time.Time { clock = clock.Add(time.Second); return clock }
	r := &Ring{Dir: dir, Store: store, Now: now}

	// An operator's key file is the issuer's first key.
	_, given, _ := ed25519.GenerateKey(nil)
	der, _ := x509.MarshalPKCS8PrivateKey(given)
	os.MkdirAll(dir, 0o700)
	if err := os.WriteFile(filepath.Join(dir, usccB+".pem"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	sb, err := r.Signer(ctx, usccB)
	if err != nil || !sb.Key.Public.Equal(given.Public()) {
		t.Fatalf("given key not used: %v", err)
	}

	// Otherwise a key is made on first use, saved with mode 0600.
	sa, err := r.Signer(ctx, usccA)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, sa.Key.ID+".pem"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	// Another ring over the same store and directory (another instance)
	// signs with the same key.
	r2 := &Ring{Dir: dir, Store: store, Now: now}
	if s2, err := r2.Signer(ctx, usccA); err != nil || s2.Key.ID != sa.Key.ID {
		t.Fatalf("second instance: %v %v", s2, err)
	}
	// Rotation: a new current key; the old one stays published.
	k, err := r.Rotate(ctx, usccA)
	if err != nil || k.ID == sa.Key.ID {
		t.Fatalf("rotate: %v", err)
	}
	if s, _ := r.Signer(ctx, usccA); s.Key.ID != k.ID {
		t.Errorf("signer after rotation %s, want %s", s.Key.ID, k.ID)
	}
	if old, ok, _ := r.Lookup(ctx, sa.Key.ID); !ok || old.RetiredAt.IsZero() {
		t.Errorf("old key after rotation: %+v %v", old, ok)
	}
	// An instance without the private key file refuses to sign.
	r3 := &Ring{Dir: t.TempDir(), Store: store, Now: now}
	if _, err := r3.Signer(ctx, usccA); err == nil {
		t.Error("signed without the private key file")
	}
	// A key file that does not match the published key is refused.
	os.WriteFile(filepath.Join(r3.Dir, k.ID+".pem"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
	if _, err := r3.Signer(ctx, usccA); err == nil {
		t.Error("signed with a key file that does not match")
	}
}
