package main

import (
	"bytes"
	"crypto/rand"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"huitong/internal/audit"
	"huitong/internal/org"
	"huitong/internal/store"
)

// fillAuditLog does enough to write 30-odd audit records, and returns an
// auditor's token and the verifier key the server serves.
func fillAuditLog(t *testing.T, m *Main) (auditorToken, vkey string) {
	admin, _, _ := setupOrgs(t, m)
	admin.want(201, "POST", "/api/v1/users", org.UserInput{Username: "sj", Password: "Audit2026x", OrgUSCC: defaultOperatorUSCC, Roles: []string{"auditor"}})
	for range 20 {
		login(t, m, "admin", adminPassword)
	}
	anon := &client{t: t, base: m.InternalURL()}
	vkey = strings.TrimSpace(string(anon.want(200, "GET", "/api/v1/audit/key", nil).body))
	return login(t, m, "sj", "Audit2026x").token, vkey
}

func runVerify(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb strings.Builder
	code = run(t.Context(), append([]string{"audit", "verify"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

// wantVerify runs verify and checks its exit code and that its output says
// what it must.
func wantVerify(t *testing.T, code int, says string, args ...string) string {
	t.Helper()
	got, out, errs := runVerify(t, args...)
	if got != code || !strings.Contains(out+errs, says) {
		t.Errorf("audit verify %q = %d\nstdout: %s\nstderr: %s\nwant %d saying %q", args, got, out, errs, code, says)
	}
	return out + errs
}

func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// sqlTamper opens the database of a data dir behind the store's back.
type sqlTamper struct {
	t  *testing.T
	db *sql.DB
}

func (s sqlTamper) exec(q string, args ...any) {
	s.t.Helper()
	if _, err := s.db.Exec(q, args...); err != nil {
		s.t.Fatalf("%s: %v", q, err)
	}
}

func (s sqlTamper) record(idx int64) []byte {
	s.t.Helper()
	var b []byte
	if err := s.db.QueryRow(`SELECT data FROM audit_records WHERE idx = ?`, idx).Scan(&b); err != nil {
		s.t.Fatal(err)
	}
	return b
}

func (s sqlTamper) size() int64 {
	s.t.Helper()
	var n int64
	if err := s.db.QueryRow(`SELECT value FROM counters WHERE name = 'audit_size'`).Scan(&n); err != nil {
		s.t.Fatal(err)
	}
	return n
}

// changeActor edits a record's actor, keeping it canonical.
func changeActor(data []byte) []byte {
	i := bytes.Index(data, []byte(`"actor":"`)) + len(`"actor":"`)
	out := bytes.Clone(data)
	out[i] = map[bool]byte{true: 'b', false: 'a'}[out[i] == 'a']
	return out
}

// hashReader reads stored hashes from overlay, then the database.
func (s sqlTamper) hashReader(overlay map[int64]tlog.Hash) tlog.HashReaderFunc {
	return func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			if h, ok := overlay[x]; ok {
				out[i] = h
				continue
			}
			var b []byte
			if err := s.db.QueryRow(`SELECT hash FROM audit_hashes WHERE idx = ?`, x).Scan(&b); err != nil {
				return nil, fmt.Errorf("hash %d: %w", x, err)
			}
			copy(out[i][:], b)
		}
		return out, nil
	}
}

// rewrite rewrites records [from, size) and their stored hashes as someone
// with database access would, and stores a checkpoint of size signed by
// signer in place of the one there.
func (s sqlTamper) rewrite(from, size int64, signer note.Signer) {
	s.t.Helper()
	overlay := map[int64]tlog.Hash{}
	for i := from; i < size; i++ {
		data := changeActor(s.record(i))
		s.exec(`UPDATE audit_records SET data = ? WHERE idx = ?`, data, i)
		hs, err := tlog.StoredHashes(i, data, s.hashReader(overlay))
		if err != nil {
			s.t.Fatal(err)
		}
		for j, h := range hs {
			overlay[tlog.StoredHashIndex(0, i)+int64(j)] = h
		}
	}
	for idx, h := range overlay {
		s.exec(`UPDATE audit_hashes SET hash = ? WHERE idx = ?`, h[:], idx)
	}
	s.resign(size, signer)
}

// resign stores a checkpoint of size signed by signer, over the tree as it
// now is, in place of any there.
func (s sqlTamper) resign(size int64, signer note.Signer) {
	s.t.Helper()
	root, err := tlog.TreeHash(size, s.hashReader(nil))
	if err != nil {
		s.t.Fatal(err)
	}
	signed, err := note.Sign(&note.Note{Text: audit.Checkpoint{Origin: signer.Name(), Size: size, Root: root}.Format()}, signer)
	if err != nil {
		s.t.Fatal(err)
	}
	s.exec(`DELETE FROM audit_checkpoints WHERE size >= ?`, size)
	s.exec(`INSERT INTO audit_checkpoints(size, note, at) VALUES (?, ?, 0)`, size, signed)
}

func TestAuditVerify(t *testing.T) {
	m := testMain(t, false, "")
	dir := m.Config.DataDir
	token, vkey := fillAuditLog(t, m)
	early, err := m.Audit.Checkpoint(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	since := filepath.Join(t.TempDir(), "checkpoint.txt")
	if err := os.WriteFile(since, early, 0o600); err != nil {
		t.Fatal(err)
	}
	login(t, m, "admin", adminPassword)

	// Online, against the running server.
	url := m.InternalURL()
	wantVerify(t, 0, "audit log intact: ", "--url", url, "--token", token, "--key", vkey, "--since", since)
	out := wantVerify(t, 0, "audit log intact: ", "--url", url+"/api/v1/", "--token", token)
	if !strings.Contains(out, "warning: no --key") {
		t.Errorf("no warning for a key from the server: %s", out)
	}
	wantVerify(t, 1, "401", "--url", url, "--token", "hts_nonsense", "--key", vkey)

	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "audit.pub")
	os.WriteFile(keyFile, []byte(vkey+"\n"), 0o600)
	out = wantVerify(t, 0, "audit log intact: ", "--data-dir", dir, "--key", keyFile, "--since", since)
	if !strings.Contains(out, "checkpoint verified with key huitong/"+defaultOperatorUSCC+"/audit+") ||
		!strings.Contains(out, "it extends the saved checkpoint") || strings.Contains(out, "warning") {
		t.Errorf("intact offline: %s", out)
	}
	if out = wantVerify(t, 0, "audit log intact: ", "--data-dir", dir); !strings.Contains(out, "warning: no --key") {
		t.Errorf("no warning for a key from the data dir: %s", out)
	}
	if _, out, _ := runVerify(t, "--data-dir", dir, "--quiet", "--key", vkey); out != "" {
		t.Errorf("--quiet printed %q", out)
	}

	signer, _, err := audit.LoadOrCreateKey(filepath.Join(dir, "audit-signer.key"), "unused")
	if err != nil {
		t.Fatal(err)
	}
	otherKey, _, err := note.GenerateKey(rand.Reader, signer.Name())
	if err != nil {
		t.Fatal(err)
	}
	other, err := note.NewSigner(otherKey)
	if err != nil {
		t.Fatal(err)
	}
	// The size and the final checkpoint, as a monitor would have saved it.
	raw, err := sql.Open("sqlite", store.AuditFile(filepath.Join(dir, "huitong.db")))
	if err != nil {
		t.Fatal(err)
	}
	n := sqlTamper{t: t, db: raw}.size()
	var ck []byte
	if err := raw.QueryRow(`SELECT note FROM audit_checkpoints WHERE size = ?`, n).Scan(&ck); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	if n < 30 {
		t.Fatalf("only %d records", n)
	}
	final := filepath.Join(t.TempDir(), "final.txt")
	os.WriteFile(final, ck, 0o600)
	tests := []struct {
		name   string
		tamper func(s sqlTamper, n int64)
		args   []string
		says   string
	}{
		{"edit", func(s sqlTamper, n int64) {
			s.exec(`UPDATE audit_records SET data = ? WHERE idx = 7`, changeActor(s.record(7)))
		}, nil, "audit log tampered: index 7: record does not match its stored leaf hash"},
		{"delete", func(s sqlTamper, n int64) { s.exec(`DELETE FROM audit_records WHERE idx = 4`) },
			nil, "audit log tampered: index 4: record says index 5"},
		{"swap", func(s sqlTamper, n int64) {
			a, b := s.record(3), s.record(5)
			s.exec(`UPDATE audit_records SET data = ? WHERE idx = 3`, b)
			s.exec(`UPDATE audit_records SET data = ? WHERE idx = 5`, a)
		}, nil, "audit log tampered: index 3: record says index 5"},
		{"truncate", func(s sqlTamper, n int64) {
			s.exec(`DELETE FROM audit_records WHERE idx >= ?`, n-2)
			s.exec(`DELETE FROM audit_hashes WHERE idx >= ?`, tlog.StoredHashIndex(0, n-2))
			s.exec(`UPDATE counters SET value = ? WHERE name = 'audit_size'`, n-2)
		}, nil, fmt.Sprintf("audit log tampered: log holds %d records but the checkpoint signs %d", n-2, n)},
		{"rewrite and re-sign", func(s sqlTamper, n int64) { s.rewrite(n-5, n, other) }, nil,
			"audit log tampered: checkpoint signature does not verify with key " + audit.KeyName(mustVerifier(t, vkey))},
		{"rewrite with the disk's key", func(s sqlTamper, n int64) { s.rewrite(n-5, n, signer) }, []string{"--since", final},
			"audit log tampered: log is not consistent with the saved checkpoint"},
		{"roll back with the disk's key", func(s sqlTamper, n int64) {
			s.exec(`DELETE FROM audit_records WHERE idx >= ?`, n-2)
			s.exec(`DELETE FROM audit_hashes WHERE idx >= ?`, tlog.StoredHashIndex(0, n-2))
			s.exec(`UPDATE counters SET value = ? WHERE name = 'audit_size'`, n-2)
			s.resign(n-2, signer)
		}, []string{"--since", final}, fmt.Sprintf("audit log tampered: saved checkpoint signs %d records but the log holds %d and its checkpoint signs %d", n, n-2, n-2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cp := copyDir(t, dir)
			db, err := sql.Open("sqlite", store.AuditFile(filepath.Join(cp, "huitong.db")))
			if err != nil {
				t.Fatal(err)
			}
			s := sqlTamper{t: t, db: db}
			tt.tamper(s, n)
			db.Close()
			wantVerify(t, 1, tt.says, append([]string{"--data-dir", cp, "--key", vkey}, tt.args...)...)
		})
	}
}

func mustVerifier(t *testing.T, vkey string) note.Verifier {
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestAuditVerifyPostgres verifies a log kept in PostgreSQL, intact and with
// a record deleted.
func TestAuditVerifyPostgres(t *testing.T) {
	m := testMain(t, false, pgDSN(t))
	_, vkey := fillAuditLog(t, m)
	dsn := m.Config.DB
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	wantVerify(t, 0, "audit log intact: ", "--db", dsn, "--key", vkey)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`DELETE FROM audit_records WHERE idx = 4`); err != nil {
		t.Fatal(err)
	}
	wantVerify(t, 1, "audit log tampered: index 4: record says index 5", "--db", dsn, "--key", vkey)
}

func TestAuditVerifyUsage(t *testing.T) {
	t.Setenv("HUITONG_TOKEN", "")
	t.Setenv("HUITONG_DB", "")
	t.Setenv("HUITONG_AUDIT_KEY", "")
	empty := t.TempDir()
	tests := []struct {
		args []string
		code int
		says string
	}{
		{[]string{"audit"}, 2, "Usage: huitong audit verify"},
		{[]string{"audit", "--help"}, 0, "Usage: huitong audit verify"},
		{[]string{"audit", "frob"}, 2, `unknown command "frob"`},
		{[]string{"audit", "verify", "--help"}, 0, "-since"},
		{[]string{"audit", "verify", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"audit", "verify", "--url", "http://x", "--data-dir", empty}, 2, "give one"},
		{[]string{"audit", "verify", "--url", "http://x"}, 2, "--url needs --token"},
		{[]string{"audit", "verify", "--url", "localhost:8080", "--token", "t"}, 2, "--url: want http:// or https://"},
		{[]string{"audit", "verify", "--data-dir", empty, "--key", "x+1+2"}, 2, "neither a verifier key"},
		{[]string{"audit", "verify", "--data-dir", empty}, 2, "no signing key"},
		{[]string{"audit", "verify", "--data-dir", empty, "--key", mustKey(t)}, 2, "no database in --data-dir"},
		{[]string{"audit", "verify", "--data-dir", empty, "--since", filepath.Join(empty, "none")}, 2, "--since"},
	}
	for _, tt := range tests {
		var out, errb strings.Builder
		code := run(t.Context(), tt.args, &out, &errb)
		if code != tt.code || !strings.Contains(out.String()+errb.String(), tt.says) {
			t.Errorf("%q = %d %q %q, want %d saying %q", tt.args, code, out.String(), errb.String(), tt.code, tt.says)
		}
	}
}

func mustKey(t *testing.T) string {
	_, vkey, err := note.GenerateKey(rand.Reader, "huitong/x/audit")
	if err != nil {
		t.Fatal(err)
	}
	return vkey
}

func TestProgressBar(t *testing.T) {
	var b strings.Builder
	p := &progressBar{w: &b, min: 100}
	p.update(10, 50) // too small a log
	for _, done := range []int64{0, 100, 101, 150, 200} {
		p.update(done, 200)
	}
	want := "\rverifying audit log: 0/200 records (0%)\rverifying audit log: 100/200 records (50%)" +
		"\rverifying audit log: 150/200 records (75%)\rverifying audit log: 200/200 records (100%)\n"
	if b.String() != want {
		t.Errorf("progress = %q, want %q", b.String(), want)
	}
}
