package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"huitong/bench/internal/benchutil"
	"huitong/bench/internal/sysinfo"
	"huitong/internal/license"
)

// baseline is what signing and verifying one credential costs without the
// server: bare Ed25519 over the credential's JWS signing input, and
// huitong's credential layer (go-jose, JSON) in this process.
type baseline struct {
	// Message is the JWS signing input (header.payload) of a credential the
	// server issued; its payload's size is PayloadBytes.
	Message      []byte
	PayloadBytes int
	TokenBytes   int
	Sign, Verify []*loadRun // bare crypto/ed25519, per client count
	// LibSign and LibVerify are license.Signer.Sign of the decoded
	// credential (JSON encoding, JWS) and license.CheckSignature of the
	// token (parsing, JSON decoding, checks).
	LibSign, LibVerify []*loadRun
}

// spin runs op in n goroutines for warmup and then duration, and returns
// what the measured part did, as a loadRun.
func spin(name string, n int, warmup, duration time.Duration, op func() error) *loadRun {
	var (
		measured, stop atomic.Bool
		ok, bad        atomic.Int64
		errOnce        sync.Once
		firstErr       string
		wg             sync.WaitGroup
	)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var myOK int64
			for !stop.Load() {
				err := op()
				if !measured.Load() {
					continue
				}
				if err != nil {
					bad.Add(1)
					errOnce.Do(func() { firstErr = err.Error() })
					continue
				}
				myOK++
				if myOK&63 == 0 {
					ok.Add(64)
					myOK = 0
				}
			}
			ok.Add(myOK)
		}()
	}
	time.Sleep(warmup)
	load0 := sysinfo.LoadAvg()[0]
	cpu0 := benchutil.ReadCPU(0)
	t0 := time.Now()
	measured.Store(true)
	time.Sleep(duration)
	elapsed := time.Since(t0)
	cpu1 := benchutil.ReadCPU(0)
	measured.Store(false)
	stop.Store(true)
	wg.Wait()
	// Calls that finished just after the window closed may have counted:
	// at most one per goroutine, negligible against the totals.
	r := &loadRun{Name: name, Clients: n, OK: ok.Load(), Errors: bad.Load(), FirstErr: firstErr, Elapsed: elapsed,
		CPU: cpuBetween(cpu0, cpu1, elapsed), Load: [2]string{load0, sysinfo.LoadAvg()[0]}}
	if r.OK > 0 {
		r.Lat.Mean = time.Duration(float64(elapsed) * float64(n) / float64(r.OK))
	}
	return r
}

// measureBaseline signs and verifies credential token (one the server
// issued) without the server, with each client count.
func measureBaseline(cfg config, token string) (*baseline, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, errors.New("baseline: the credential is not a compact JWS")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, err
	}
	var cred license.Credential
	if err := json.Unmarshal(payload, &cred); err != nil {
		return nil, err
	}
	b := &baseline{Message: []byte(parts[0] + "." + parts[1]), PayloadBytes: len(payload), TokenBytes: len(token)}

	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	sig := ed25519.Sign(priv, b.Message)
	kid, err := license.KeyID(issuerUSCC, pub)
	if err != nil {
		return nil, err
	}
	key := license.Key{ID: kid, IssuerUSCC: issuerUSCC, Public: pub}
	signer, err := license.NewSigner(key, priv)
	if err != nil {
		return nil, err
	}
	// The same credential signed with the baseline's key, so that
	// CheckSignature finds that key.
	libToken, err := signer.Sign(cred)
	if err != nil {
		return nil, err
	}
	lookup := func(k string) (license.Key, bool) { return key, k == kid }
	if ck := license.CheckSignature(libToken, lookup); ck.Status != "" {
		return nil, fmt.Errorf("baseline: CheckSignature of its own token: %s %s", ck.Status, ck.Reason)
	}

	for _, n := range cfg.clients {
		waitQuiet(0, cfg.quiet, cfg.quietWait)
		r := spin("ed25519.Sign", n, cfg.warmup/2, cfg.duration, func() error {
			ed25519.Sign(priv, b.Message)
			return nil
		})
		logRun(r)
		b.Sign = append(b.Sign, r)
		r = spin("ed25519.Verify", n, cfg.warmup/2, cfg.duration, func() error {
			if !ed25519.Verify(pub, b.Message, sig) {
				return errors.New("signature does not verify")
			}
			return nil
		})
		logRun(r)
		b.Verify = append(b.Verify, r)
		r = spin("Signer.Sign", n, cfg.warmup/2, cfg.duration, func() error {
			_, err := signer.Sign(cred)
			return err
		})
		logRun(r)
		b.LibSign = append(b.LibSign, r)
		r = spin("CheckSignature", n, cfg.warmup/2, cfg.duration, func() error {
			if ck := license.CheckSignature(libToken, lookup); ck.Status != "" {
				return errors.New(ck.Status)
			}
			return nil
		})
		logRun(r)
		b.LibVerify = append(b.LibVerify, r)
	}
	return b, nil
}
