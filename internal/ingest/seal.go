package ingest

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"strings"
	"sync"
)

// Sealer encrypts restricted (level 4) values and quarantined rows at rest
// with AES-256-GCM, and keys the row hashes that tell changed records from
// unchanged ones, so that equal hashes reveal nothing without the key.
type Sealer struct {
	aead    cipher.AEAD
	hashKey []byte
	hashers sync.Pool // of *rowHasher, reset between rows
}

// NewSealer derives the encryption and hash keys from a secret of at least
// 32 bytes.
func NewSealer(secret []byte) (*Sealer, error) {
	if len(secret) < 32 {
		return nil, fmt.Errorf("data key must be at least 32 bytes, have %d", len(secret))
	}
	derive := func(label string) []byte {
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(label))
		return m.Sum(nil)
	}
	block, err := aes.NewCipher(derive("huitong data encryption"))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	s := &Sealer{aead: aead, hashKey: derive("huitong row hash")}
	s.hashers.New = func() any { return &rowHasher{mac: hmac.New(sha256.New, s.hashKey)} }
	return s, nil
}

// Seal encrypts b; the result starts with its random nonce.
func (s *Sealer) Seal(b []byte) []byte {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(b)+s.aead.Overhead())
	rand.Read(nonce)
	return s.aead.Seal(nonce, nonce, b, nil)
}

// Open decrypts what Seal made.
func (s *Sealer) Open(b []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(b) < n {
		return nil, errors.New("sealed value too short")
	}
	return s.aead.Open(nil, b[:n], b[n:], nil)
}

// sealedPrefix marks an encrypted column value.
const sealedPrefix = "enc:"

// SealString encrypts a value for a text column.
func (s *Sealer) SealString(v string) string {
	sealed := s.Seal([]byte(v))
	var b strings.Builder
	b.Grow(len(sealedPrefix) + base64.RawStdEncoding.EncodedLen(len(sealed)))
	b.WriteString(sealedPrefix)
	var enc [256]byte
	if n := base64.RawStdEncoding.EncodedLen(len(sealed)); n <= len(enc) {
		base64.RawStdEncoding.Encode(enc[:n], sealed)
		b.Write(enc[:n])
	} else {
		b.WriteString(base64.RawStdEncoding.EncodeToString(sealed))
	}
	return b.String()
}

// OpenString decrypts a value SealString made.
func (s *Sealer) OpenString(v string) (string, error) {
	if len(v) < len(sealedPrefix) || v[:len(sealedPrefix)] != sealedPrefix {
		return "", errors.New("value is not sealed")
	}
	b, err := base64.RawStdEncoding.DecodeString(v[len(sealedPrefix):])
	if err != nil {
		return "", err
	}
	p, err := s.Open(b)
	return string(p), err
}

// rowHasher is a keyed HMAC with a buffer for the row it hashes.
type rowHasher struct {
	mac hash.Hash
	buf []byte
	sum [sha256.Size]byte
}

// rowHash returns the keyed hash of a row's normalised values.
func (s *Sealer) rowHash(values []string) []byte {
	h := s.hashers.Get().(*rowHasher)
	defer s.hashers.Put(h)
	// Length-prefixed, so that no two rows share an encoding; written to
	// the HMAC in one piece.
	b := h.buf[:0]
	for _, v := range values {
		b = binary.AppendUvarint(b, uint64(len(v)))
		b = append(b, v...)
	}
	if cap(b) <= 64<<10 {
		h.buf = b // kept for the next row, unless a huge row grew it
	}
	h.mac.Reset()
	h.mac.Write(b)
	out := make([]byte, 16)
	copy(out, h.mac.Sum(h.sum[:0]))
	return out
}
