package demo

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strings"
	"time"

	"huitong"
	"huitong/internal/catalog"
	"huitong/internal/ingest"
)

// SeedRecords gives every demo resource generated data records, uploaded
// as CSV through the ingest service, so that every value passes the same
// quality rules as a user's upload. The records describe one population of
// about 2,000 people and 300 companies (see world.go), so the same person
// or company appears in the records of every department that knows them;
// the demo citizen citizen_li ([CitizenIDCard], [CitizenName]) is one of
// them.
//
// The generator has a fixed seed: every run produces the same rows. A
// resource that already has records is skipped, so calling SeedRecords on
// every start adds nothing after the first. It expects the demo catalog to
// be registered ([Seed]); demo resources it cannot find are skipped. Every
// batch must be accepted whole: a rejected row is a bug of the generator and
// comes back as an error naming the resource and the first finding. Other
// errors are those of catalog.Service.Search and Get, and of
// ingest.Service.Quality and Ingest.
// progress, if not nil, hears the number of records added.
func SeedRecords(ctx context.Context, cat *catalog.Service, ing *ingest.Service, progress func(string)) error {
	ctx = huitong.WithPrincipal(ctx, &huitong.Principal{Kind: huitong.PrincipalUser, Name: "demo-seed",
		OrgUSCC: Operator().USCC, Roles: []string{huitong.RoleAdmin}})
	resources, err := demoResources(ctx, cat)
	if err != nil {
		return err
	}
	empty := map[string]bool{}
	for _, r := range resources {
		q, err := ing.Quality(ctx, r.Code)
		if err != nil {
			return fmt.Errorf("demo records %s: %w", r.Name, err)
		}
		if q.Records == 0 {
			empty[r.Code] = true
		}
	}
	if len(empty) == 0 {
		if progress != nil && len(resources) > 0 {
			progress("数据记录已存在，跳过 / records already seeded")
		}
		return nil
	}
	added := 0
	for _, s := range generateRecords(newWorld(worldAsOf(time.Now())), resources) {
		if !empty[s.res.Code] {
			continue
		}
		b, err := ing.Ingest(ctx, s.res.Code, ingest.Upload{Body: bytes.NewReader(s.csv()), ContentType: "text/csv",
			Filename: s.res.Code + "-demo.csv", Mode: ingest.ModeUpsert})
		if err != nil {
			return fmt.Errorf("demo records %s (%s): %w", s.res.Name, s.res.Code, err)
		}
		if err := checkBatch(s, b); err != nil {
			return err
		}
		added += int(b.Inserted)
	}
	if progress != nil {
		progress(fmt.Sprintf("%d 条示范数据记录 / records", added))
	}
	return nil
}

// checkBatch returns an error unless every row of the batch was stored.
func checkBatch(s *recordSet, b ingest.Batch) error {
	var first *ingest.Finding
	for i := range b.Errors {
		if b.Errors[i].Severity == ingest.SeverityError {
			first = &b.Errors[i]
			break
		}
	}
	if b.Status == ingest.StatusCommitted && b.Rejected == 0 && first == nil && b.Inserted == int64(len(s.rows)) {
		return nil
	}
	msg := fmt.Sprintf("demo records %s (%s): batch %d %s, %d of %d rows rejected, %d inserted",
		s.res.Name, s.res.Code, b.ID, b.Status, b.Rejected, len(s.rows), b.Inserted)
	if first != nil {
		msg += fmt.Sprintf("; first: row %d field %s: %s (%s)", first.Row, first.Field, first.MessageEN, first.Rule)
	}
	return errors.New(msg)
}

// demoResources returns the current versions of the demo resources found
// in the catalog, in the order of [Resources].
func demoResources(ctx context.Context, cat *catalog.Service) ([]catalog.Resource, error) {
	codes := map[string]string{} // provider + name -> code
	q := catalog.Query{PageSize: 200}
	for {
		page, err := cat.Search(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, it := range page.Items {
			codes[it.ProviderUSCC+"/"+it.Name] = it.Code
		}
		if page.NextPageToken == "" {
			break
		}
		q.PageToken = page.NextPageToken
	}
	var out []catalog.Resource
	for _, in := range Resources {
		code, ok := codes[in.ProviderUSCC+"/"+in.Name]
		if !ok {
			continue
		}
		r, err := cat.Get(ctx, code)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// recordSet is the generated rows of one resource, values in field order.
type recordSet struct {
	res  catalog.Resource
	rows [][]string
}

func (s *recordSet) csv() []byte {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	header := make([]string, len(s.res.Fields))
	for i, f := range s.res.Fields {
		header[i] = f.Name
	}
	cw.Write(header)
	cw.WriteAll(s.rows) // flushes; a bytes.Buffer does not fail
	return buf.Bytes()
}

// generateRecords generates the rows of every resource. Resources whose
// fields refer to others (Field.Ref) come after those, so that their values
// can be drawn from the keys generated there. Every resource is generated
// even when it will be skipped, which keeps the rows of each one the same
// whichever others already have records.
func generateRecords(w *world, resources []catalog.Resource) []*recordSet {
	keys := map[string][]string{} // resource code -> generated keys
	var out []*recordSet
	done := map[string]bool{}
	for len(done) < len(resources) {
		progressed := false
		for _, r := range resources {
			if done[r.Code] || !refsReady(r, resources, done) {
				continue
			}
			s := generate(w, r, keys)
			done[r.Code], progressed = true, true
			out = append(out, s)
		}
		if !progressed { // a cycle of refs: generate the rest as they come
			for _, r := range resources {
				if !done[r.Code] {
					done[r.Code] = true
					out = append(out, generate(w, r, keys))
				}
			}
		}
	}
	return out
}

func refsReady(r catalog.Resource, all []catalog.Resource, done map[string]bool) bool {
	for _, f := range r.Fields {
		if f.Ref == "" || f.Ref == r.Code || done[f.Ref] {
			continue
		}
		for _, o := range all {
			if o.Code == f.Ref {
				return false
			}
		}
	}
	return true
}

// rec is one generated row before its missing values are filled in: the
// person or company it is about, and the values a plan chose by field name.
// A value set to "" stays empty (unless the field is required).
type rec struct {
	p *person
	c *company
	v map[string]string
}

// pr starts a row about person p with name, value pairs.
func pr(p *person, kv ...string) rec { return rec{p: p, v: pairs(kv)} }

// cr starts a row about company c.
func cr(c *company, kv ...string) rec { return rec{c: c, v: pairs(kv)} }

// vr starts a row about no one in particular.
func vr(kv ...string) rec { return rec{v: pairs(kv)} }

func pairs(kv []string) map[string]string {
	m := make(map[string]string, len(kv)/2+4)
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// gen is what a resource's plan generates with.
type gen struct {
	w    *world
	r    *rand.Rand
	res  catalog.Resource
	keys map[string][]string
	seq  int
}

// plan generates the rows of one demo resource.
type plan func(g *gen) []rec

// planOf returns the row generator of a demo resource, or nil.
func planOf(name string) plan {
	for _, ps := range []map[string]plan{peoplePlans, servicePlans, orgPlans} {
		if p, ok := ps[name]; ok {
			return p
		}
	}
	return nil
}

// generate makes the rows of r: its plan's rows (or generic ones), with
// values filled in and kept within the field's rules. A row repeating a key,
// or the value of a required unique field, is dropped; an optional unique
// value that repeats is left empty, and so is a reference to a key that the
// referenced resource does not have.
func generate(w *world, r catalog.Resource, keys map[string][]string) *recordSet {
	h := fnv.New64a()
	h.Write([]byte(r.Name))
	g := &gen{w: w, r: rand.New(rand.NewPCG(recordsSeed, h.Sum64())), res: r, keys: keys}
	var recs []rec
	if p := planOf(r.Name); p != nil {
		recs = p(g)
	} else {
		recs = genericRows(g, 200)
	}
	var keyIdx []int
	seen := make([]map[string]bool, len(r.Fields)) // values of unique fields
	refs := make([]map[string]bool, len(r.Fields)) // keys of referenced resources
	for i, f := range r.Fields {
		if f.Key {
			keyIdx = append(keyIdx, i)
		}
		if f.Unique && !f.Key {
			seen[i] = map[string]bool{}
		}
		if ks, ok := keys[f.Ref]; ok && f.Ref != "" {
			refs[i] = make(map[string]bool, len(ks))
			for _, k := range ks {
				refs[i][k] = true
			}
		}
	}
	s := &recordSet{res: r}
	rowKeys := map[string]bool{}
rows:
	for _, rc := range recs {
		row := make([]string, len(r.Fields))
		for i, f := range r.Fields {
			v := g.conform(f, g.value(f, rc))
			if refs[i] != nil && v != "" && !refs[i][v] {
				v = g.conform(f, "")
			}
			if seen[i] != nil && v != "" {
				if seen[i][v] {
					if f.Required {
						continue rows
					}
					v = ""
				}
				seen[i][v] = v != ""
			}
			row[i] = v
		}
		if len(keyIdx) > 0 {
			parts := make([]string, len(keyIdx))
			for j, i := range keyIdx {
				parts[j] = row[i]
			}
			k := strings.Join(parts, "\x1f")
			if rowKeys[k] {
				continue
			}
			rowKeys[k] = true
			keys[r.Code] = append(keys[r.Code], k)
		}
		s.rows = append(s.rows, row)
	}
	return s
}

// genericRows makes rows for a resource without a plan: about a person
// when it has ID numbers, about a company when it has credit codes.
func genericRows(g *gen, n int) []rec {
	var byPerson, byCompany bool
	for _, f := range g.res.Fields {
		byPerson = byPerson || f.PII == "id_card"
		byCompany = byCompany || f.PII == "uscc"
	}
	out := make([]rec, 0, n)
	for range n {
		switch {
		case byPerson:
			out = append(out, pr(g.w.people[g.r.IntN(localPeople)]))
		case byCompany:
			out = append(out, cr(pick(g.r, g.w.companies)))
		default:
			out = append(out, vr())
		}
	}
	return out
}

// Date helpers.

func ymd(t time.Time) string { return t.Format(time.DateOnly) }

func ym(t time.Time) string { return t.Format("2006-01") }

func ymdhms(t time.Time) string { return t.Format(time.DateTime) }

// day returns a date between from and to with the plan's generator,
// clamped to the demo's today.
func (g *gen) day(from, to time.Time) time.Time {
	if to.After(g.w.asOf) {
		to = g.w.asOf
	}
	if from.After(to) {
		return to
	}
	return day(g.r, from, to)
}

// recent returns a date within the last n months.
func (g *gen) recent(months int) time.Time {
	return g.day(g.w.asOf.AddDate(0, -months, 0), g.w.asOf.AddDate(0, 0, -1))
}

// clock adds a time of day between from and to o'clock to a date.
func (g *gen) clock(d time.Time, from, to int) time.Time {
	return d.Add(time.Duration(from)*time.Hour + time.Duration(g.r.IntN((to-from)*3600))*time.Second)
}

// uniq returns s(n) for random numbers n until that is a code not used
// before anywhere in the demo population (see world.unique).
func (g *gen) uniq(s func(n int) string) string {
	for {
		if v := s(g.r.IntN(1_000_000)); g.w.unique(v) {
			return v
		}
	}
}

// next counts up from 1 within one resource.
func (g *gen) next() int {
	g.seq++
	return g.seq
}

// capRows keeps at most n rows.
func capRows(rs []rec, n int) []rec {
	if len(rs) > n {
		return rs[:n]
	}
	return rs
}
