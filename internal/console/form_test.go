package console_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// resourceForm is a valid registration form with two fields.
func resourceForm() url.Values {
	return url.Values{
		"name": {"控制台测试资源"}, "summary": {"测试"}, "category": {"department"}, "format": {"table"},
		"update_cycle": {"monthly"}, "share_type": {"conditional"}, "share_condition": {"仅限测试"}, "share_method": {"api"},
		"open_type": {"none"}, "publish_date": {"2026-01-01"},
		"fields[0].name": {"id_card"}, "fields[0].title": {"公民身份号码"}, "fields[0].type": {"string"}, "fields[0].level": {"3"},
		"fields[0].pii": {"id_card"}, "fields[0].key": {"1"},
		"fields[2].name": {"grade"}, "fields[2].title": {"等级"}, "fields[2].type": {"string"}, "fields[2].level": {"1"},
		"fields[2].enum": {"甲, 乙、丙"},
	}
}

// TestResourceForm: register with field rows, see each validation error
// next to its input, edit into a new version with what changed.
func TestResourceForm(t *testing.T) {
	prov := as(t, "ga_provider")
	bad := resourceForm()
	bad.Set("fields[2].name", "Bad Name")
	bad.Set("share_condition", "")
	p := prov.submit("/console/resources/new", "/console/resources/new", bad)
	if p.status != 400 {
		t.Fatalf("bad form = %d %s", p.status, excerpt(p.body))
	}
	checkPage(t, "bad form", p)
	// The gap closed: the second row is fields[1], its error right after it.
	if !regexp.MustCompile(`name="fields\[1\]\.name" value="Bad Name"[^>]*aria-invalid="true">\s*<p class="field-error">信息项名称须以小写字母开头`).MatchString(p.body) {
		t.Errorf("no error next to fields[1].name: %s", excerpt(p.body))
	}
	if !regexp.MustCompile(`name="share_condition"[^>]*>[^<]*</textarea>\s*<p class="field-error">有条件共享的资源须写明共享条件`).MatchString(p.body) {
		t.Errorf("no error next to share_condition")
	}
	// Without script, the form's own buttons add and remove rows.
	add := resourceForm()
	add.Set("_add_field", "1")
	p = prov.submit("/console/resources/new", "/console/resources/new", add)
	if p.status != 200 || !strings.Contains(p.body, `name="fields[2].name" value=""`) {
		t.Errorf("add a row: %d", p.status)
	}
	rm := resourceForm()
	rm.Set("_remove_field", "0")
	p = prov.submit("/console/resources/new", "/console/resources/new", rm)
	if p.status != 200 || strings.Contains(p.body, `name="fields[1].name"`) || !strings.Contains(p.body, `name="fields[0].name" value="grade"`) {
		t.Errorf("remove a row: %d", p.status)
	}

	p = prov.submit("/console/resources/new", "/console/resources/new", resourceForm())
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/console/resources/BM-") {
		t.Fatalf("register = %d %s %s", p.status, p.location, excerpt(p.body))
	}
	code := strings.TrimPrefix(strings.Split(p.location, "?")[0], "/console/resources/")
	view := prov.get(p.location)
	checkPage(t, "new resource", view)
	if !strings.Contains(view.body, "信息资源已登记") || !strings.Contains(view.body, "甲、乙、丙") {
		t.Errorf("new resource page: %s", excerpt(view.body))
	}

	edit := prov.get("/console/resources/" + code + "/edit")
	checkPage(t, "edit", edit)
	f := resourceForm()
	f.Del("fields[2].name")
	f.Set("fields[1].name", "phone")
	f.Set("fields[1].title", "联系电话")
	f.Set("fields[1].type", "string")
	f.Set("fields[1].level", "3")
	f.Set("fields[1].pii", "phone")
	f.Set("version", "1")
	f.Set("change_note", "加电话")
	f.Set("_csrf", edit.csrf(t))
	for k := range f {
		if strings.HasPrefix(k, "fields[2].") {
			f.Del(k)
		}
	}
	p = prov.post("/console/resources/"+code+"/edit", f)
	if p.status != http.StatusSeeOther {
		t.Fatalf("edit = %d %s", p.status, excerpt(p.body))
	}
	view = prov.follow(p)
	for _, s := range []string{"新增信息项 phone", "删除信息项 grade", "加电话", "v2"} {
		if !strings.Contains(view.body, s) {
			t.Errorf("after edit, no %q", s)
		}
	}
	// The same stale version again is a conflict, shown on the form.
	p = prov.post("/console/resources/"+code+"/edit", f)
	if p.status != 409 || !strings.Contains(p.body, `role="alert"`) {
		t.Errorf("stale edit = %d %s", p.status, excerpt(p.body))
	}
	if p := prov.get("/console/resources/" + code + "/versions/1"); !strings.Contains(p.body, "grade") {
		t.Errorf("version 1 view lacks its field")
	}
	// Another org's provider may not edit it.
	if p := as(t, "mz_provider").get("/console/resources/" + code + "/edit"); p.status != 403 {
		t.Errorf("other provider's edit page = %d", p.status)
	}
}
