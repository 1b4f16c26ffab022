package demo

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"huitong"
	"huitong/internal/audit"
	"huitong/internal/license"
	"huitong/internal/store"
)

// countingRecorder counts the audit entries by action and outcome.
type countingRecorder struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *countingRecorder) Append(_ context.Context, e audit.Entry) (int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	outcome := e.Outcome
	if outcome == "" {
		outcome = audit.Allowed
	}
	c.n[e.Action+"/"+outcome]++
	return int64(len(c.n)), nil
}

func (c *countingRecorder) count(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[key]
}

func licenseService(t *testing.T, db *store.DB, orgName func(context.Context, string) (string, error),
	citizen func(context.Context) (string, error), rec license.Recorder) *license.Service {
	subjects, err := audit.NewSubjects(make([]byte, 32)) // the key of services' audit log
	if err != nil {
		t.Fatal(err)
	}
	return &license.Service{Store: db, Keys: &license.Ring{Dir: t.TempDir(), Store: db, Now: time.Now}, Audit: rec,
		OrgName: orgName, Subject: subjects.Of, CitizenSubject: citizen, PublicURL: "http://127.0.0.1:8081", Now: time.Now}
}

// allLicenses lists every license an admin sees.
func allLicenses(t *testing.T, ctx context.Context, lic *license.Service) []license.License {
	t.Helper()
	var out []license.License
	q := license.Query{Limit: 500}
	for {
		page, err := lic.List(adminContext(ctx), q)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page.Items...)
		if page.NextPageToken == "" {
			return out
		}
		q.PageToken = page.NextPageToken
	}
}

func TestSeedLicenses(t *testing.T) {
	orgs, cat, _, db := services(t)
	ctx := t.Context()
	if err := Seed(ctx, orgs, cat, nil); err != nil {
		t.Fatal(err)
	}
	rec := &countingRecorder{}
	lic := licenseService(t, db, orgs.OrgName, orgs.CitizenSubject, rec)
	var said []string
	start := time.Now()
	if err := SeedLicenses(ctx, lic, orgs, func(s string) { said = append(said, s) }); err != nil {
		t.Fatal(err)
	}
	t.Logf("SeedLicenses took %v: %v", time.Since(start), said)

	types, err := lic.Types(adminContext(ctx))
	if err != nil || len(types) != len(LicenseTypes) {
		t.Fatalf("types = %d, %v", len(types), err)
	}
	all := allLicenses(t, ctx, lic)
	byType := map[string]int{}
	status := map[string]int{}
	holders := map[string]bool{}
	for _, l := range all {
		byType[l.TypeName]++
		status[l.Status]++
		holders[l.Holder.Code] = true
		if !strings.HasPrefix(l.Identifier, "1.2.156.3005.2."+l.TypeCode+"."+l.IssuerUSCC+".") || l.KeyID == "" {
			t.Errorf("license %+v", l)
		}
	}
	t.Logf("licenses by type %v, by status %v, %d holders", byType, status, len(holders))
	if len(all) < 300 || len(all) > 700 {
		t.Errorf("%d licenses, want a few hundred", len(all))
	}
	for _, name := range []string{"营业执照", "结婚证", "出生医学证明", "不动产权证书", "社会保障卡"} {
		if byType[name] < 20 {
			t.Errorf("%d licenses of %s", byType[name], name)
		}
	}
	if status[license.Revoked] == 0 || status[license.Superseded] < 2 || status[license.StatusExpired] == 0 || status[license.Active] < 250 {
		t.Errorf("statuses %v: want revoked, superseded, expired and active ones", status)
	}
	// Each license issued alone is audited, each import at its start and
	// end, and each stored chunk of an import (500 licenses at most) with
	// its holders.
	var alone, bulk []demoLicense
	for _, d := range planLicenses(newWorld(worldAsOf(time.Now()))) {
		if d.in.Holder.Code == CitizenIDCard || d.revoke != "" || d.reissue != nil {
			alone = append(alone, d)
		} else {
			bulk = append(bulk, d)
		}
	}
	chunks := 0
	for _, b := range importBatches(bulk) {
		chunks += (len(b.ls) + 499) / 500
	}
	if got := rec.count(license.ActionIssue + "/" + audit.Allowed); got != len(alone)+chunks || len(alone) < 20 {
		t.Errorf("%d issues audited, %d issued alone, %d import chunks", got, len(alone), chunks)
	}
	if got, want := rec.count(license.ActionImport+"/"+audit.Allowed), 2*len(importBatches(bulk)); got != want {
		t.Errorf("%d import records, want %d", got, want)
	}
	if n := len(alone) + len(bulk) + status[license.Superseded]; n != len(all) {
		t.Errorf("%d licenses planned (with second versions), %d stored", n, len(all))
	}

	// citizen_li's licenses and consents.
	li, err := demoUser(adminContext(ctx), orgs, "citizen_li")
	if err != nil {
		t.Fatal(err)
	}
	citizen := huitong.WithPrincipal(ctx, &huitong.Principal{Kind: huitong.PrincipalUser, ID: li.ID, Name: li.Username, OrgUSCC: li.OrgUSCC, Roles: li.Roles})
	mine, err := lic.Mine(citizen, license.Query{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	var marriage license.License
	for _, l := range mine.Items {
		names = append(names, l.TypeName)
		if l.TypeName == "结婚证" {
			marriage = l
		}
	}
	slices.Sort(names)
	if want := []string{"不动产权证书", "社会保障卡", "结婚证"}; len(names) < 3 || !slices.Equal(slices.Compact(names), want) {
		t.Errorf("citizen_li holds %q, want %q", names, want)
	}
	res, err := lic.Verify(ctx, license.VerifyInput{Credential: marriage.Credential})
	if err != nil || !res.Valid || res.License.Data["reg_date"] != "2012-05-20" || res.License.Data["spouse_name"] != "周*婷" && res.License.Data["spouse_name"] != "周**" {
		t.Errorf("verify citizen_li's 结婚证 = %+v, %v", res, err)
	}
	if marriage.Data["spouse_name"] != "周晓婷" || marriage.Number == "" || marriage.ValidFrom != "2012-05-20" {
		t.Errorf("citizen_li's 结婚证 %+v", marriage)
	}
	consents, err := lic.Consents(citizen, "", false)
	if err != nil {
		t.Fatal(err)
	}
	var cs []string
	for _, c := range consents {
		cs = append(cs, c.TypeName+"/"+c.GranteeName+"/"+c.Status)
	}
	slices.Sort(cs)
	if want := []string{"不动产权证书/湖州市住房公积金管理中心/live", "结婚证/湖州市住房公积金管理中心/used"}; !slices.Equal(cs, want) {
		t.Errorf("consents %q, want %q", cs, want)
	}
	if rec.count(license.ActionUse+"/"+audit.Allowed) != 1 {
		t.Errorf("consent uses audited: %v", rec.n)
	}

	// Seeding again issues nothing.
	said = nil
	if err := SeedLicenses(ctx, lic, orgs, func(s string) { said = append(said, s) }); err != nil {
		t.Fatal(err)
	}
	if again := allLicenses(t, ctx, lic); len(again) != len(all) {
		t.Errorf("a second run issued %d licenses", len(again)-len(all))
	}
	if len(said) != 1 || !strings.Contains(said[0], "跳过") {
		t.Errorf("second run said %q", said)
	}
}

// TestLicensesMatchRecords checks that the demo licenses say what the
// demo records about the same company or person say.
func TestLicensesMatchRecords(t *testing.T) {
	orgs, cat, _, _ := services(t)
	ctx := t.Context()
	if err := Seed(ctx, orgs, cat, nil); err != nil {
		t.Fatal(err)
	}
	resources, err := demoResources(adminContext(ctx), cat)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string][]map[string]string{} // resource name -> rows
	for _, s := range generateRecords(newWorld(recordsAsOf), resources) {
		for _, row := range s.rows {
			m := map[string]string{}
			for i, f := range s.res.Fields {
				m[f.Name] = row[i]
			}
			rows[s.res.Name] = append(rows[s.res.Name], m)
		}
	}
	find := func(resource, field, value string) map[string]string {
		for _, r := range rows[resource] {
			if r[field] == value {
				return r
			}
		}
		return nil
	}
	for _, d := range planLicenses(newWorld(recordsAsOf)) {
		in := d.in
		var r map[string]string
		var want map[string]string
		switch in.TypeCode {
		case TypeBusinessLicense:
			r = find("营业执照信息", "uscc", in.Holder.Code)
			if r != nil {
				want = map[string]string{"org_name": in.Holder.Name, "legal_rep": in.Data["legal_rep"].(string), "establish_date": in.ValidFrom}
			}
		case TypeMarriage:
			r = find("婚姻登记信息", "cert_no", in.Number)
			if r != nil {
				want = map[string]string{"reg_date": in.ValidFrom}
				if r["male_id_card"] != in.Holder.Code && r["female_id_card"] != in.Holder.Code {
					t.Errorf("结婚证 %s of %s: record %v", in.Number, in.Holder.Code, r)
				}
			}
		case TypeBirth:
			r = find("出生医学证明信息", "cert_no", in.Number)
			if r != nil {
				want = map[string]string{"newborn_name": in.Holder.Name, "issue_date": in.ValidFrom, "mother_id_card": in.Data["mother_id_card"].(string)}
			}
		case TypeRealEstate:
			r = find("不动产权证书信息", "cert_no", in.Number)
			if r != nil {
				want = map[string]string{"holder_id_no": in.Holder.Code, "unit_no": in.Data["unit_no"].(string), "issue_date": in.ValidFrom}
			}
		default:
			continue
		}
		if r == nil {
			t.Errorf("%s %s of %s: no record", in.TypeCode, in.Number, in.Holder.Name)
			continue
		}
		for k, v := range want {
			if r[k] != v {
				t.Errorf("%s %s of %s: record %s = %q, license %q", in.TypeCode, in.Number, in.Holder.Name, k, r[k], v)
			}
		}
	}
}
