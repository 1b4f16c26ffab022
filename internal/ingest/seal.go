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
	"sync"
)

// Sealer encrypts restricted (level 4) values and quarantined rows at rest
// with AES-256-GCM, and keys the row hashes that tell changed records from
// unchanged ones, so that equal hashes reveal nothing without the key.
type Sealer struct {
	aead    cipher.AEAD
	hashKey []byte
	hashers sync.Pool // of keyed HMACs, reset between rows
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
	s.hashers.New = func() any { return hmac.New(sha256.New, s.hashKey) }
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
	return sealedPrefix + base64.RawStdEncoding.EncodeToString(s.Seal([]byte(v)))
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

// rowHash returns the keyed hash of a row's normalised values.
func (s *Sealer) rowHash(values []string) []byte {
	m := s.hashers.Get().(hash.Hash)
	defer s.hashers.Put(m)
	m.Reset()
	var n [binary.MaxVarintLen64]byte
	for _, v := range values {
		// Length-prefixed, so that no two rows share an encoding.
		m.Write(n[:binary.PutUvarint(n[:], uint64(len(v)))])
		m.Write([]byte(v))
	}
	return m.Sum(nil)[:16]
}
