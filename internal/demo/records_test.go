package demo

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"huitong"
	"huitong/internal/audit"
	"huitong/internal/catalog"
	"huitong/internal/ids"
	"huitong/internal/ingest"
	"huitong/internal/org"
	"huitong/internal/store"
)

// services opens a fresh SQLite database and the services over it, as
// cmd/huitong does, with the demo operator bootstrapped.
func services(t *testing.T) (*org.Service, *catalog.Service, *ingest.Service, *store.DB) {
	t.Helper()
	ctx := t.Context()
	dir := t.TempDir()
	db, err := store.Open(ctx, filepath.Join(dir, "huitong.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	signer, verifier, err := audit.LoadOrCreateKey(filepath.Join(dir, "audit.key"), "huitong/test/audit")
	if err != nil {
		t.Fatal(err)
	}
	subjects, err := audit.NewSubjects(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	log, err := audit.Open(ctx, audit.Config{Store: db, Signer: signer, Verifier: verifier, Subjects: subjects})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close() })
	orgs := org.NewService(db, log)
	orgs.Argon2 = org.Argon2Params{Time: 1, Memory: 1024, Threads: 1}
	orgs.CheckRegion, orgs.RegionName = ids.KnownRegion, ids.RegionName
	if _, _, err := orgs.Bootstrap(ctx, Operator(), AdminPassword); err != nil {
		t.Fatal(err)
	}
	cat := catalog.NewService(db, log, orgs.OrgName)
	key := make([]byte, 32)
	crand.Read(key)
	sealer, err := ingest.NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	ing := &ingest.Service{Store: db, Resource: cat.Get, Audit: log, Sealer: sealer, Now: time.Now}
	return orgs, cat, ing, db
}

func adminContext(ctx context.Context) context.Context {
	return huitong.WithPrincipal(ctx, &huitong.Principal{Kind: huitong.PrincipalUser, Name: "test",
		OrgUSCC: Operator().USCC, Roles: []string{huitong.RoleAdmin}})
}

func TestSeedRecords(t *testing.T) {
	orgs, cat, ing, db := services(t)
	ctx := t.Context()
	if err := Seed(ctx, orgs, cat, nil); err != nil {
		t.Fatal(err)
	}
	var said []string
	start := time.Now()
	if err := SeedRecords(ctx, cat, ing, func(s string) { said = append(said, s) }); err != nil {
		t.Fatal(err)
	}
	t.Logf("SeedRecords took %v: %v", time.Since(start), said)
	if len(said) != 1 || !strings.HasSuffix(said[0], "条示范数据记录 / records") {
		t.Errorf("progress = %q, want one count of records", said)
	}

	actx := adminContext(ctx)
	resources, err := demoResources(actx, cat)
	if err != nil {
		t.Fatal(err)
	}
	if len(resources) != len(Resources) {
		t.Fatalf("found %d demo resources, want %d", len(resources), len(Resources))
	}
	batches := map[string]int{}
	total := int64(0)
	for _, r := range resources {
		q, err := ing.Quality(actx, r.Code)
		if err != nil {
			t.Fatal(err)
		}
		total += q.Records
		bs, _, err := ing.ListBatches(actx, r.Code, 0)
		if err != nil {
			t.Fatal(err)
		}
		batches[r.Code] = len(bs)
		if q.Records == 0 || len(bs) != 1 {
			t.Errorf("%s (%s): %d records in %d batches, want some in one", r.Name, r.Code, q.Records, len(bs))
			continue
		}
		if b := bs[0]; b.Status != ingest.StatusCommitted || b.Rejected != 0 || b.Warnings != 0 || b.Accepted != q.Records {
			t.Errorf("%s: batch %s, %d rows, %d accepted, %d rejected, %d warnings; %d records",
				r.Name, b.Status, b.Rows, b.Accepted, b.Rejected, b.Warnings, q.Records)
		}
		// Every field is filled in some record.
		for _, f := range q.Fields {
			if f.Completeness == 0 {
				t.Errorf("%s: field %s is never filled", r.Name, f.Name)
			}
		}
		t.Logf("%-24s %5d records", r.Name, q.Records)
	}
	t.Logf("%d records in %d resources", total, len(resources))

	// The demo citizen is in the population register, under their name.
	pop := resources[0]
	if pop.Name != "人口基础信息" {
		t.Fatalf("first resource is %s", pop.Name)
	}
	rec, err := db.GetRecord(ctx, pop, CitizenIDCard)
	if err != nil {
		t.Fatalf("citizen's record: %v", err)
	}
	if got := rec.Values["name"]; got != CitizenName {
		t.Errorf("citizen's name = %v, want %s", got, CitizenName)
	}
	if got := rec.Values["gender"]; got != "男" {
		t.Errorf("citizen's gender = %v", got)
	}

	// A second run adds nothing.
	said = nil
	start = time.Now()
	if err := SeedRecords(ctx, cat, ing, func(s string) { said = append(said, s) }); err != nil {
		t.Fatal(err)
	}
	t.Logf("second SeedRecords took %v: %v", time.Since(start), said)
	for _, r := range resources {
		bs, _, err := ing.ListBatches(actx, r.Code, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(bs) != batches[r.Code] {
			t.Errorf("%s: %d batches after the second run, want %d", r.Name, len(bs), batches[r.Code])
		}
	}
}

// TestCitizenInUserList checks that the citizen of the population is the
// demo user citizen_li.
func TestCitizenInUserList(t *testing.T) {
	for _, u := range Users {
		if u.Username == "citizen_li" {
			if u.IDCard != CitizenIDCard || !strings.HasPrefix(u.DisplayName, CitizenName) {
				t.Errorf("citizen_li is %s %s, the population has %s %s", u.DisplayName, u.IDCard, CitizenName, CitizenIDCard)
			}
			return
		}
	}
	t.Error("no user citizen_li")
}

func TestWorldIdentifiers(t *testing.T) {
	w := newWorld(recordsAsOf)
	if n := len(w.people); n != localPeople+migrantPeople {
		t.Errorf("%d people, want %d", n, localPeople+migrantPeople)
	}
	huzhou := map[string]bool{RegionWuxing: true, RegionNanxun: true, RegionDeqing: true, RegionChangxing: true, RegionAnji: true}
	for _, p := range w.people {
		if err := ids.ValidateIDCardAt(p.id, recordsAsOf); err != nil {
			t.Fatalf("%s %s: %v", p.name, p.id, err)
		}
		if !ids.KnownRegion(p.id[:6]) {
			t.Errorf("%s: region %s unknown", p.id, p.id[:6])
		}
		if p.local && !huzhou[p.id[:6]] {
			t.Errorf("%s: a 湖州 hukou with region %s", p.id, p.id[:6])
		}
		if ids.IDCardMale(p.id) != p.male {
			t.Errorf("%s: male %v disagrees with the ID number", p.id, p.male)
		}
		if b, _ := ids.IDCardBirthDate(p.id); !b.Equal(p.birth) {
			t.Errorf("%s: birth %s disagrees with the ID number", p.id, ymd(p.birth))
		}
		if p.spouse != nil && (p.spouse.spouse != p || p.spouse.male == p.male) {
			t.Errorf("%s: inconsistent spouse", p.id)
		}
	}
	if li := w.byID[CitizenIDCard]; li == nil || li.name != CitizenName {
		t.Errorf("citizen %s missing", CitizenIDCard)
	}
	var codes []string
	for _, c := range w.companies {
		codes = append(codes, c.uscc)
	}
	for _, s := range w.shops {
		codes = append(codes, s.uscc)
	}
	for _, list := range [][]*institution{w.hospitals, w.schools, w.pharmacies, w.homes, w.socialOrgs} {
		for _, in := range list {
			codes = append(codes, in.uscc)
		}
	}
	for _, c := range codes {
		if err := ids.ValidateUSCC(c); err != nil {
			t.Errorf("USCC %s: %v", c, err)
		}
		if !huzhou[ids.USCCRegion(c)] {
			t.Errorf("USCC %s: region %s is not a district of 湖州", c, ids.USCCRegion(c))
		}
	}
	for _, v := range w.vehicles {
		if vinCheck([]byte(v.vin)) != v.vin[8] {
			t.Errorf("VIN %s: bad check digit", v.vin)
		}
	}
	// The same seed gives the same population.
	again := newWorld(recordsAsOf)
	for i, p := range w.people {
		if q := again.people[i]; q.id != p.id || q.name != p.name || q.homeAddr != p.homeAddr {
			t.Fatalf("person %d differs between runs: %s %s / %s %s", i, p.id, p.name, q.id, q.name)
		}
	}
}

func TestFromRegex(t *testing.T) {
	for _, pat := range []string{`[A-Z]{2}\d{6}`, `(HZ|DQ)-[0-9]{4}`, `浙[A-HJ-NP-Z][0-9]{5}`, `\d{3,5}`, `a+b?c*`} {
		r := rand.New(rand.NewPCG(1, 2))
		re := regexp.MustCompile(`^(?:` + pat + `)$`)
		for range 20 {
			s, ok := fromRegex(r, pat)
			if !ok {
				t.Fatalf("%s: not followed", pat)
			}
			if !re.MatchString(s) {
				t.Errorf("%s: generated %q does not match", pat, s)
			}
		}
	}
}

// fakeResources are the demo resources with made-up codes, as generate
// sees them, and one more with every kind of quality rule, referring to
// the second (户籍人口信息, keyed by ID number).
func fakeResources() []catalog.Resource {
	var rs []catalog.Resource
	for i, in := range Resources {
		rs = append(rs, catalog.Resource{Code: fmt.Sprintf("T-%04d", i+1), Name: in.Name, Fields: in.Fields})
	}
	rs = append(rs, catalog.Resource{Code: "T-9999", Name: "带规则的资源", Fields: []catalog.Field{
		{Name: "doc_no", Title: "文书号", Type: "string", Level: 1, Key: true, Required: true, Regex: `HZ-\d{6}`},
		{Name: "id_card", Title: "身份证号", Type: "string", Level: 3, PII: "id_card", Ref: "T-0002"},
		{Name: "phone", Title: "电话", Type: "string", Level: 3, PII: "phone", Unique: true},
		{Name: "score", Title: "得分", Type: "int", Level: 1, Min: "10", Max: "20"},
		{Name: "rate", Title: "比率", Type: "decimal", Level: 1, Min: "0.5", Max: "0.9", Required: true},
		{Name: "checked_on", Title: "检查日期", Type: "date", Level: 1, Min: "2020-01-01", Max: "2020-12-31"},
		{Name: "grade", Title: "等级", Type: "string", Level: 1, Enum: []string{"甲", "乙"}, Required: true},
		{Name: "memo", Title: "备注", Type: "string", Level: 1, MaxLength: 4},
	}})
	return rs
}

// TestGeneratedValues checks every generated value with the ingest rules,
// without a database: the fast way to find a generator bug.
func TestGeneratedValues(t *testing.T) {
	rs := fakeResources()
	sets := generateRecords(newWorld(recordsAsOf), rs)
	now := time.Now()
	for _, s := range sets {
		if len(s.rows) == 0 {
			t.Errorf("%s: no rows", s.res.Name)
			continue
		}
		for i, f := range s.res.Fields {
			c, err := ingest.NewChecker(f, now)
			if err != nil {
				t.Fatal(err)
			}
			values := map[string]bool{}
			for n, row := range s.rows {
				v, problems := c.Check(row[i])
				for _, p := range problems {
					t.Errorf("%s row %d %s %q: %s %s", s.res.Name, n+1, f.Name, row[i], p.Severity, p.MessageEN)
				}
				if f.Unique && v != "" && values[v] {
					t.Errorf("%s row %d %s: %q repeats", s.res.Name, n+1, f.Name, v)
				}
				values[v] = true
			}
		}
	}
	ruled := sets[len(sets)-1]
	keys := map[string]bool{}
	for _, row := range sets[1].rows {
		keys[row[0]] = true
	}
	for _, row := range ruled.rows {
		if row[1] != "" && !keys[row[1]] {
			t.Errorf("%s refers to no record of %s", row[1], sets[1].res.Name)
		}
	}

	// The same seed gives the same rows.
	again := generateRecords(newWorld(recordsAsOf), rs)
	for i, s := range sets {
		if !bytes.Equal(s.csv(), again[i].csv()) {
			t.Errorf("%s: rows differ between runs", s.res.Name)
		}
	}
}
