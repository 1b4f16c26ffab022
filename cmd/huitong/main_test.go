package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"huitong/internal/org"
	"huitong/internal/store/storetest"
)

const adminPassword = "Admin@2026"

// testMain starts a real Main on port 0 over a fresh SQLite database, or over
// a fresh PostgreSQL schema when pg is set.
func testMain(t *testing.T, demoCity bool, pgDSN string) *Main {
	t.Helper()
	m := NewMain()
	m.Demo = demoCity
	m.Config = Config{
		Addr: "127.0.0.1:0", PublicAddr: "127.0.0.1:0", DataDir: filepath.Join(t.TempDir(), "data"),
		AdminPassword: adminPassword, OperatorUSCC: defaultOperatorUSCC, OperatorName: defaultOperatorName,
		OperatorRegion: defaultOperatorRegion, SessionTTL: time.Hour, LogLevel: "error", LogFormat: "text",
		ShutdownWait: 5 * time.Second,
	}
	if pgDSN != "" {
		m.Config.DB = storetest.PostgresSchema(t, pgDSN)
	}
	if demoCity {
		m.Config.applyDemo()
	}
	if err := m.Config.Validate(); err != nil {
		t.Fatal(err)
	}
	m.Argon2 = &org.Argon2Params{Time: 1, Memory: 1024, Threads: 1}
	m.LogOutput = io.Discard
	if err := m.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// client calls the API as one caller.
type client struct {
	t     *testing.T
	base  string
	token string
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// errCode returns the error code of an error response.
func (r response) errCode() string {
	var e struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	json.Unmarshal(r.body, &e)
	return e.Error.Code
}

func (c *client) do(method, path string, body any) response {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(c.t.Context(), method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// want asserts the status and returns the response.
func (c *client) want(status int, method, path string, body any) response {
	c.t.Helper()
	r := c.do(method, path, body)
	if r.status != status {
		c.t.Fatalf("%s %s = %d %s, want %d", method, path, r.status, r.body, status)
	}
	return r
}

// wantErr asserts an error status and code.
func (c *client) wantErr(status int, code, method, path string, body any) response {
	c.t.Helper()
	r := c.do(method, path, body)
	if r.status != status || r.errCode() != code {
		c.t.Fatalf("%s %s = %d %s, want %d %s", method, path, r.status, r.body, status, code)
	}
	var e map[string]map[string]any
	json.Unmarshal(r.body, &e)
	if e["error"]["message"] == "" || e["error"]["message_en"] == "" {
		c.t.Errorf("%s %s: error without messages: %s", method, path, r.body)
	}
	return r
}

func login(t *testing.T, m *Main, username, password string) *client {
	t.Helper()
	c := &client{t: t, base: m.InternalURL()}
	var res struct {
		Token     string    `json:"token"`
		ExpiresAt time.Time `json:"expires_at"`
		User      org.User  `json:"user"`
	}
	c.want(200, "POST", "/api/v1/auth/login", map[string]string{"username": username, "password": password}).decode(t, &res)
	if !strings.HasPrefix(res.Token, "hts_") || res.User.Username != username || !res.ExpiresAt.After(time.Now()) {
		t.Fatalf("login answer: %+v", res)
	}
	c.token = res.Token
	return c
}

func pgDSN(t *testing.T) string {
	dsn := os.Getenv("HUITONG_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("HUITONG_TEST_POSTGRES is not set")
	}
	return dsn
}
