package web

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"huitong/docs"
)

// The tests here hold docs/openapi.yaml to the routes the server registers.
// There is no YAML library in the module, so the paths section is read line
// by line; the document keeps to the layout written at its top (two-space
// indentation, "  /path:", "    get:", "      operationId:",
// "      responses:", "        '200':", "    x-listener:"). A line in the
// paths section that breaks the layout is reported, so that a document the
// parser does not understand fails instead of passing unread.

// openAPIOp is one documented operation.
type openAPIOp struct {
	line        int
	operationID string
	responses   bool
	statuses    []string
}

// openAPIDoc is what the tests need from the paths section.
type openAPIDoc struct {
	ops       map[string]*openAPIOp // "GET /api/v1/me"
	listeners map[string]string     // path -> x-listener value
	problems  []string
}

var (
	openAPIPathRE     = regexp.MustCompile(`^  (/[^\s:'"]*):$`)
	openAPIMethodRE   = regexp.MustCompile(`^    (get|put|post|delete|patch|head|options|trace):$`)
	openAPIPathKeyRE  = regexp.MustCompile(`^    (summary|description|servers|parameters|x-[a-z-]+):`)
	openAPIListenerRE = regexp.MustCompile(`^    x-listener: *(internal|public|both)$`)
	openAPIOpKeyRE    = regexp.MustCompile(`^      ([A-Za-z$][A-Za-z0-9_-]*):`)
	openAPIOpIDRE     = regexp.MustCompile(`^      operationId: *([A-Za-z][A-Za-z0-9_]*)$`)
	openAPIStatusRE   = regexp.MustCompile(`^        '([1-5][0-9][0-9]|default)':$`)
)

// indentOf returns the number of leading spaces of line.
func indentOf(line string) int {
	return len(line) - len(strings.TrimLeft(line, " "))
}

// parseOpenAPIPaths reads the paths section of an OpenAPI document written
// in the layout above.
func parseOpenAPIPaths(src []byte) openAPIDoc {
	d := openAPIDoc{ops: map[string]*openAPIOp{}, listeners: map[string]string{}}
	bad := func(n int, format string, args ...any) {
		d.problems = append(d.problems, fmt.Sprintf("docs/openapi.yaml:%d: ", n)+fmt.Sprintf(format, args...))
	}
	lines := strings.Split(strings.ReplaceAll(string(src), "\r\n", "\n"), "\n")
	inPaths, seenPaths := false, false
	path, opKey := "", ""
	var op *openAPIOp
	for i, line := range lines {
		n := i + 1
		if strings.Contains(line, "\t") {
			bad(n, "tab character; indent with spaces")
			continue
		}
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		ind := indentOf(line)
		if ind == 0 {
			if line == "paths:" {
				if seenPaths {
					bad(n, "a second paths section")
				}
				inPaths, seenPaths = true, true
			} else {
				inPaths = false
			}
			continue
		}
		if !inPaths {
			continue
		}
		switch {
		case ind == 2:
			m := openAPIPathRE.FindStringSubmatch(line)
			if m == nil {
				bad(n, "want a path line like \"  /api/v1/x:\", got %q", line)
				path, op = "", nil
				continue
			}
			path, op, opKey = m[1], nil, ""
			if _, dup := d.listeners[path]; dup {
				bad(n, "path %s documented twice", path)
			}
			d.listeners[path] = ""
		case ind != 4 && ind < 6:
			bad(n, "unexpected indentation %d (paths use 2, operations 4): %q", ind, line)
		case path == "":
			// Under a path line that was already reported.
		case ind == 4:
			op, opKey = nil, ""
			if m := openAPIMethodRE.FindStringSubmatch(line); m != nil {
				key := strings.ToUpper(m[1]) + " " + path
				if _, dup := d.ops[key]; dup {
					bad(n, "%s documented twice", key)
				}
				op = &openAPIOp{line: n}
				d.ops[key] = op
				continue
			}
			if m := openAPIListenerRE.FindStringSubmatch(line); m != nil {
				d.listeners[path] = m[1]
				continue
			}
			if strings.HasPrefix(trimmed, "x-listener:") {
				bad(n, "x-listener must be internal, public or both, got %q", trimmed)
				continue
			}
			if !openAPIPathKeyRE.MatchString(line) {
				bad(n, "want an operation like \"    get:\" or a path item key, got %q", line)
			}
		case op == nil:
			// Inside a path-level key such as parameters or servers.
		case ind == 6:
			m := openAPIOpKeyRE.FindStringSubmatch(line)
			if m == nil {
				bad(n, "want an operation key like \"      operationId: x\", got %q", line)
				opKey = ""
				continue
			}
			opKey = m[1]
			switch opKey {
			case "operationId":
				id := openAPIOpIDRE.FindStringSubmatch(line)
				if id == nil {
					bad(n, "malformed operationId line %q", line)
					continue
				}
				op.operationID = id[1]
			case "responses":
				if trimmed != "responses:" {
					bad(n, "responses must be a block mapping, got %q", line)
				}
				op.responses = true
			}
		case ind == 8 && opKey == "responses":
			m := openAPIStatusRE.FindStringSubmatch(line)
			if m == nil {
				bad(n, "want a quoted status like \"        '200':\", got %q", line)
				continue
			}
			op.statuses = append(op.statuses, m[1])
		}
	}
	if !seenPaths {
		d.problems = append(d.problems, "docs/openapi.yaml: no top-level paths: section")
	}
	return d
}

// routeWildcardRE matches a ServeMux wildcard that spans the rest of the
// path, "{name...}".
var routeWildcardRE = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)\.\.\.\}$`)

// routeDocPath turns a Go ServeMux pattern into its OpenAPI path: the
// "{$}" that anchors a pattern at its end is dropped, so "/{$}" is "/", and
// a trailing "{name...}" wildcard is documented as the parameter "{name}"
// (OpenAPI has no multi-segment parameter; its description says it spans
// slashes).
func routeDocPath(pattern string) string {
	if p, ok := strings.CutSuffix(pattern, "{$}"); ok {
		return p
	}
	return routeWildcardRE.ReplaceAllString(pattern, "{$1}")
}

func TestRouteDocPath(t *testing.T) {
	for pattern, want := range map[string]string{
		"/{$}":                             "/",
		"/api/v1/orgs/{uscc}":              "/api/v1/orgs/{uscc}",
		"/api/v1/audit/log/tile/{path...}": "/api/v1/audit/log/tile/{path}",
	} {
		if got := routeDocPath(pattern); got != want {
			t.Errorf("routeDocPath(%q) = %q, want %q", pattern, got, want)
		}
	}
}

func TestOpenAPIVersion(t *testing.T) {
	if !bytes.HasPrefix(docs.OpenAPI, []byte("openapi: 3.1")) {
		first, _, _ := strings.Cut(string(docs.OpenAPI), "\n")
		t.Fatalf("docs/openapi.yaml must start with \"openapi: 3.1\", starts with %q", first)
	}
}

func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	d := parseOpenAPIPaths(docs.OpenAPI)
	for _, p := range d.problems {
		t.Error(p)
	}
	if len(d.ops) == 0 {
		t.Fatal("docs/openapi.yaml documents no operation")
	}

	// Every registered route is documented, on the listener it lives on.
	routes := map[string]bool{}
	sides := map[string]map[string]bool{} // path -> {"internal", "public"}
	for _, rt := range (&Server{}).Routes() {
		path := routeDocPath(rt.Pattern)
		key := rt.Method + " " + path
		routes[key] = true
		side := "internal"
		if rt.Public {
			side = "public"
		}
		if sides[path] == nil {
			sides[path] = map[string]bool{}
		}
		sides[path][side] = true
		if _, ok := d.ops[key]; !ok {
			t.Errorf("route %s %s (listener %s) is not documented in docs/openapi.yaml: add %q under %q",
				rt.Method, rt.Pattern, side, "    "+strings.ToLower(rt.Method)+":", "  "+path+":")
		}
	}
	for path, s := range sides {
		want := "internal"
		switch {
		case s["internal"] && s["public"]:
			want = "both"
		case s["public"]:
			want = "public"
		}
		got, ok := d.listeners[path]
		if ok && got != want {
			t.Errorf("path %s: x-listener is %q, want %q", path, got, want)
		}
	}

	// Every documented operation exists and is complete.
	keys := make([]string, 0, len(d.ops))
	for k := range d.ops {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	ids := map[string]string{}
	for _, key := range keys {
		op := d.ops[key]
		where := fmt.Sprintf("docs/openapi.yaml:%d: %s", op.line, key)
		if !routes[key] {
			t.Errorf("%s is documented but no route serves it (stale documentation)", where)
		}
		if op.operationID == "" {
			t.Errorf("%s has no operationId", where)
		} else if other, dup := ids[op.operationID]; dup {
			t.Errorf("%s: operationId %q is also used by %s", where, op.operationID, other)
		} else {
			ids[op.operationID] = key
		}
		if !op.responses {
			t.Errorf("%s has no responses block", where)
		}
		if !slices.ContainsFunc(op.statuses, func(s string) bool { return s[0] == '2' }) {
			t.Errorf("%s documents no 2xx response (has %v)", where, op.statuses)
		}
	}
	for path, l := range d.listeners {
		if l == "" {
			t.Errorf("path %s has no x-listener (internal, public or both)", path)
		}
		if !slices.ContainsFunc(keys, func(k string) bool { _, p, _ := strings.Cut(k, " "); return p == path }) {
			t.Errorf("path %s documents no operation", path)
		}
	}
}

// TestOpenAPIParser checks that the line parser notices what it must: a
// missing operation, a missing operationId or responses block, and lines
// that break the layout.
func TestOpenAPIParser(t *testing.T) {
	src := `openapi: 3.1.0
info:
  title: x
paths:
  /a:
    x-listener: internal
    parameters:
      - name: a
    get:
      operationId: getA
      description: |
        '200':
        operationId: notThis
      responses:
        '200':
          description: ok
        '404':
          $ref: '#/components/responses/NotFound'
    post:
      summary: no id
  /b/{id}:
    x-listener: both
    delete:
      operationId: deleteB
      responses:
        '204':
          description: gone
components:
  schemas: {}
`
	d := parseOpenAPIPaths([]byte(src))
	if len(d.problems) != 0 {
		t.Fatalf("problems in a well-formed document: %v", d.problems)
	}
	get := d.ops["GET /a"]
	if get == nil || get.operationID != "getA" || !get.responses || !slices.Equal(get.statuses, []string{"200", "404"}) {
		t.Errorf("GET /a = %+v, want operationId getA with responses 200 and 404", get)
	}
	if post := d.ops["POST /a"]; post == nil || post.operationID != "" || post.responses {
		t.Errorf("POST /a = %+v, want an operation without id or responses", post)
	}
	if del := d.ops["DELETE /b/{id}"]; del == nil || del.operationID != "deleteB" {
		t.Errorf("DELETE /b/{id} = %+v", del)
	}
	if len(d.ops) != 3 {
		t.Errorf("got %d operations, want 3", len(d.ops))
	}
	if d.listeners["/a"] != "internal" || d.listeners["/b/{id}"] != "both" {
		t.Errorf("listeners = %v", d.listeners)
	}

	for _, bad := range []string{
		"paths:\n  api/v1/x:\n    get:\n",                           // path without a slash
		"paths:\n  /x:\n    GET:\n",                                 // upper-case method
		"paths:\n  /x:\n    gett:\n",                                // typo
		"paths:\n  /x:\n   get:\n      operationId: x\n",            // three-space indent
		"paths:\n  /x:\n    get:\n      responses:\n        200:\n", // unquoted status
		"paths:\n  /x:\n  /x:\n",                                    // duplicate path
		"paths:\n  /x:\n    x-listener: outside\n",                  // unknown listener
		"paths:\n\t/x:\n",                                           // tab
		"openapi: 3.1.0\n",                                          // no paths at all
	} {
		if d := parseOpenAPIPaths([]byte(bad)); len(d.problems) == 0 {
			t.Errorf("no problem reported for %q", bad)
		}
	}
}

// TestOpenAPIServed checks that the internal listener serves the embedded
// document and the public one does not.
func TestOpenAPIServed(t *testing.T) {
	s := &Server{OpenAPI: docs.OpenAPI, Logger: slog.New(slog.DiscardHandler), Version: "test"}
	for _, tc := range []struct {
		name    string
		handler http.Handler
		status  int
	}{
		{"internal", s.Handler(), http.StatusOK},
		{"public", s.PublicHandler(), http.StatusNotFound},
	} {
		rec := httptest.NewRecorder()
		tc.handler.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/openapi.yaml", nil))
		res := rec.Result()
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != tc.status {
			t.Errorf("%s: GET /api/v1/openapi.yaml = %d, want %d", tc.name, res.StatusCode, tc.status)
			continue
		}
		if tc.status != http.StatusOK {
			continue
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/yaml") {
			t.Errorf("%s: Content-Type = %q, want application/yaml", tc.name, ct)
		}
		if !bytes.Equal(body, docs.OpenAPI) {
			t.Errorf("%s: served %d bytes, not the embedded document (%d bytes)", tc.name, len(body), len(docs.OpenAPI))
		}
	}
}
