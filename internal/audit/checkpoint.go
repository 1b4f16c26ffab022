package audit

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"huitong"
)

// Checkpoint is the parsed body of a C2SP tlog-checkpoint.
type Checkpoint struct {
	Origin string
	Size   int64
	Root   tlog.Hash
}

// Format returns the checkpoint body: origin, size and base64 root, each on
// its own line.
func (c Checkpoint) Format() string {
	return fmt.Sprintf("%s\n%d\n%s\n", c.Origin, c.Size, base64.StdEncoding.EncodeToString(c.Root[:]))
}

// ParseCheckpoint parses a checkpoint body (the note text).
func ParseCheckpoint(text string) (Checkpoint, error) {
	lines := strings.SplitN(text, "\n", 4)
	if len(lines) < 4 || lines[0] == "" {
		return Checkpoint{}, errors.New("checkpoint: want origin, size and root lines")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return Checkpoint{}, errors.New("checkpoint: bad size line")
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		return Checkpoint{}, errors.New("checkpoint: bad root hash line")
	}
	c := Checkpoint{Origin: lines[0], Size: size}
	copy(c.Root[:], root)
	return c, nil
}

// OpenCheckpoint verifies a signed checkpoint with v and parses it.
func OpenCheckpoint(signed []byte, v note.Verifier) (Checkpoint, error) {
	n, err := note.Open(signed, note.VerifierList(v))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint signature: %w", err)
	}
	c, err := ParseCheckpoint(n.Text)
	if err != nil {
		return c, err
	}
	if c.Origin != v.Name() {
		return c, fmt.Errorf("checkpoint origin %q is not the key's %q", c.Origin, v.Name())
	}
	return c, nil
}

// Checkpoint returns the latest signed checkpoint, first signing one for the
// current size if the latest is behind it.
func (l *Log) Checkpoint(ctx context.Context) ([]byte, error) {
	l.ckMu.Lock()
	defer l.ckMu.Unlock()
	size, err := l.store.AuditSize(ctx)
	if err != nil {
		return nil, err
	}
	if l.ckSigned == nil || l.ckSize < size {
		latestSize, latest, err := l.store.AuditLatestCheckpoint(ctx)
		switch {
		case errors.Is(err, huitong.ErrNoRecord):
		case err != nil:
			return nil, err
		default:
			l.ckSize, l.ckSigned = latestSize, latest
		}
	}
	if l.ckSigned != nil && l.ckSize >= size {
		return l.ckSigned, nil
	}
	root, err := tlog.TreeHash(size, l.storeReader(ctx))
	if err != nil {
		return nil, fmt.Errorf("tree hash at %d: %w", size, err)
	}
	body := Checkpoint{Origin: l.origin, Size: size, Root: root}.Format()
	signed, err := note.Sign(&note.Note{Text: body}, l.signer)
	if err != nil {
		return nil, err
	}
	if err := l.store.AuditPutCheckpoint(ctx, size, signed, l.now().UTC()); err != nil && !errors.Is(err, huitong.ErrDuplicate) {
		return nil, err
	}
	l.ckSize, l.ckSigned = size, signed
	return signed, nil
}

// Latest returns the latest signed checkpoint, as the checkpointer (or
// another instance sharing the database) signed it: at most a second behind
// the log while records arrive. Readers use it, so that reading never signs.
func (l *Log) Latest(ctx context.Context) ([]byte, error) {
	signed, _, err := l.latest(ctx)
	return signed, err
}

// latest returns the latest stored checkpoint and its size, verifying a
// checkpoint only the first time it is seen.
func (l *Log) latest(ctx context.Context) ([]byte, int64, error) {
	size, signed, err := l.store.AuditLatestCheckpoint(ctx)
	if errors.Is(err, huitong.ErrNoRecord) {
		signed, err = l.Checkpoint(ctx)
		if err != nil {
			return nil, 0, err
		}
		c, err := OpenCheckpoint(signed, l.verifier)
		return signed, c.Size, err
	}
	if err != nil {
		return nil, 0, err
	}
	l.ckMu.Lock()
	defer l.ckMu.Unlock()
	if l.seenSize == size && l.seenSigned != nil {
		return l.seenSigned, size, nil
	}
	c, err := OpenCheckpoint(signed, l.verifier)
	if err != nil {
		return nil, 0, fmt.Errorf("stored checkpoint of %d: %w", size, err)
	}
	if c.Size != size {
		return nil, 0, fmt.Errorf("stored checkpoint of %d signs %d records", size, c.Size)
	}
	l.seenSize, l.seenSigned = size, signed
	return signed, size, nil
}

// checkpointer signs a checkpoint at most every interval while records
// arrive.
func (l *Log) checkpointer(every time.Duration) {
	defer l.done.Done()
	for {
		select {
		case <-l.stop:
			return
		case <-l.dirty:
		}
		if _, err := l.Checkpoint(context.Background()); err != nil {
			l.logger.Error("audit checkpoint failed", "err", err)
		}
		select {
		case <-l.stop:
			return
		case <-time.After(every):
		}
	}
}

// LoadOrCreateKey reads the note signer key from path, or generates one for
// name and writes it there with mode 0600. It returns the signer and the
// matching verifier.
func LoadOrCreateKey(path, name string) (note.Signer, note.Verifier, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		skey, _, err := note.GenerateKey(rand.Reader, name)
		if err != nil {
			return nil, nil, err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, nil, err
		}
		if err := writeNew(path, []byte(skey+"\n")); err != nil {
			return nil, nil, err
		}
		b = []byte(skey)
	} else if err != nil {
		return nil, nil, err
	}
	return signerFromKey(strings.TrimSpace(string(b)))
}

func signerFromKey(skey string) (note.Signer, note.Verifier, error) {
	s, err := note.NewSigner(skey)
	if err != nil {
		return nil, nil, fmt.Errorf("audit signing key: %w", err)
	}
	vkey, err := verifierFromSigner(skey)
	if err != nil {
		return nil, nil, err
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, nil, err
	}
	return s, keyedVerifier{v, vkey}, nil
}

// keyedVerifier is a verifier that remembers its key string, to publish.
type keyedVerifier struct {
	note.Verifier
	key string
}

func (k keyedVerifier) String() string { return k.key }

// verifierFromSigner derives the verifier key string from a signer key
// string: PRIVATE+KEY+<name>+<hash>+<key> becomes <name>+<hash>+<pubkey>.
func verifierFromSigner(skey string) (string, error) {
	priv, ok := strings.CutPrefix(skey, "PRIVATE+KEY+")
	if !ok {
		return "", errors.New("audit signing key: not a note private key")
	}
	// Key names cannot hold '+'; the base64 key may.
	name, rest, ok1 := strings.Cut(priv, "+")
	hash, keyB64, ok2 := strings.Cut(rest, "+")
	if !ok1 || !ok2 {
		return "", errors.New("audit signing key: malformed")
	}
	key, err := base64.StdEncoding.DecodeString(keyB64)
	if err != nil || len(key) != 1+32 || key[0] != 1 {
		return "", errors.New("audit signing key: only Ed25519 keys are supported")
	}
	pub, err := ed25519Public(key[1:])
	if err != nil {
		return "", err
	}
	vkey := name + "+" + hash + "+" + base64.StdEncoding.EncodeToString(append([]byte{1}, pub...))
	return vkey, nil
}

func verifierKeyString(v note.Verifier) string {
	if k, ok := v.(interface{ String() string }); ok {
		return k.String()
	}
	return ""
}

// LoadOrCreateSecret reads a secret of at least 32 bytes from path, or
// generates one and writes it there with mode 0600.
func LoadOrCreateSecret(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		b = make([]byte, 32)
		rand.Read(b)
		enc := []byte(base64.StdEncoding.EncodeToString(b) + "\n")
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, err
		}
		if err := writeNew(path, enc); err != nil {
			return nil, err
		}
		return b, nil
	}
	if err != nil {
		return nil, err
	}
	key, err := base64.StdEncoding.DecodeString(string(bytes.TrimSpace(b)))
	if err != nil || len(key) < 32 {
		return nil, fmt.Errorf("%s: want a base64 secret of at least 32 bytes", path)
	}
	return key, nil
}

// writeNew writes a file that must not exist yet, readable by the owner only.
func writeNew(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
