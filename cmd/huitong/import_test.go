package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportCommands runs "huitong import" and "huitong license import"
// against a running platform, as an officer would.
func TestImportCommands(t *testing.T) {
	m := testMain(t, false, "")
	w := licenseSetup(t, m)
	dir := t.TempDir()
	file := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cli := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := run(t.Context(), args, &out, &errb)
		return code, out.String(), errb.String()
	}

	r := peopleResource(t, w.police)
	people := file("people.csv", peopleCSV)
	code, out, errs := cli("import", "--resource", r.Code, "--url", m.InternalURL(), "--token", w.police.token, "--quiet", people)
	if code != 0 || !strings.Contains(out, "2 接收 accepted") || !strings.Contains(out, "3 拒绝 rejected") {
		t.Errorf("import = %d\n%s\n%s", code, out, errs)
	}
	if code, _, errs := cli("import", "--resource", r.Code, "--url", m.InternalURL(), "--token", w.issuer.token, "--quiet", people); code != 1 || !strings.Contains(errs, "403") {
		t.Errorf("import by a non-provider = %d %s", code, errs)
	}
	if code, _, errs := cli("import", "--resource", r.Code, "--token", "x", file("people.txt", "x")); code != 2 || !strings.Contains(errs, "want a .csv") {
		t.Errorf("import of a .txt = %d %s", code, errs)
	}

	licenses := file("licenses.csv", "持证主体名称,持证主体代码,法定代表人\n甲公司,"+usccPolice+",孙八\n乙公司,"+usccBadCheck+",周九\n")
	report := filepath.Join(dir, "report.json")
	code, out, errs = cli("license", "import", "--type", w.bizType, "--url", m.InternalURL(), "--token", w.issuer.token, "--quiet", "--report", report, licenses)
	if code != 0 || !strings.Contains(out, "1 已签发 imported") || !strings.Contains(out, "1 拒绝 rejected") || !strings.Contains(out, "holder.code") {
		t.Errorf("license import = %d\n%s\n%s", code, out, errs)
	}
	if b, err := os.ReadFile(report); err != nil || !bytes.Contains(b, []byte(`"imported":1`)) {
		t.Errorf("report %s: %v", b, err)
	}
	if code, _, errs := cli("license", "import", "--type", w.bizType, "--url", m.InternalURL(), "--token", w.civil.token, "--quiet", licenses); code != 1 || !strings.Contains(errs, "not_issuer") {
		t.Errorf("license import by another issuer = %d %s", code, errs)
	}
	if code, _, _ := cli("license", "import", licenses); code != 2 {
		t.Errorf("license import without --type = %d", code)
	}
	if code, _, _ := cli("license", "frobnicate"); code != 2 {
		t.Errorf("unknown license command = %d", code)
	}
}
