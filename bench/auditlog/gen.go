package main

import (
	"context"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"huitong"
	"huitong/internal/audit"
)

// What a data exchange records: a consuming department's system queries a
// providing department's resource about one or two citizens or companies.

var purposes = []string{
	"不动产登记办理核验户籍信息",
	"社会救助对象家庭经济状况核对",
	"企业开办一件事营业执照信息核验",
	"公积金提取核验婚姻登记信息",
	"新生儿出生一件事户口登记",
	"医保参保信息比对",
	"退役军人优待证办理资格核验",
	"个体工商户年报信息核验",
}

var fieldSets = []string{
	"name,id_card,address",
	"name,marital_status",
	"uscc,name,legal_person,status",
	"name,household_address,relation",
	"insured_status,insured_since",
}

// consumers are the calling apps: name and org USCC.
var consumers = [][2]string{
	{"bdc-window", "11330500002486211M"},
	{"mz-jiuzhu", "11330500MB1A354275"},
	{"gjj-tiqu", "11330500MB1B482507"},
	{"yb-bidui", "11330521004211396D"},
}

// citizenID returns a well-formed 18-character ID number for a seed.
func citizenID(r *rand.Rand) string {
	regions := []string{"330502", "330503", "330521", "330522", "330523"}
	birth := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(365*60))
	s := regions[r.IntN(len(regions))] + birth.Format("20060102") + fmt.Sprintf("%03d", r.IntN(1000))
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(s[i]-'0') * w
	}
	return s + string("10X98765432"[sum%11])
}

// entry returns a realistic exchange.query entry.
func entry(r *rand.Rand) audit.Entry {
	e := audit.Entry{
		Action:   "exchange.query",
		Object:   fmt.Sprintf("resource:JC-%09d-%04d", 2486211+r.IntN(40)*1013, 1+r.IntN(60)),
		Purpose:  purposes[r.IntN(len(purposes))],
		Rule:     "grant:" + strconv.Itoa(1+r.IntN(400)),
		Subjects: []string{citizenID(r)},
		Detail:   map[string]string{"rows": strconv.Itoa(1 + r.IntN(5)), "fields": fieldSets[r.IntN(len(fieldSets))], "format": "json"},
	}
	if r.IntN(3) == 0 {
		e.Subjects = append(e.Subjects, citizenID(r))
	}
	if r.IntN(50) == 0 {
		e.Outcome, e.Reason, e.Rule = audit.Denied, "no_grant", ""
	}
	return e
}

// caller returns the context of one calling app's request.
func caller(ctx context.Context, w int) context.Context {
	c := consumers[w%len(consumers)]
	p := &huitong.Principal{Kind: huitong.PrincipalApp, ID: int64(w%len(consumers) + 1), Name: c[0], OrgUSCC: c[1],
		Roles: []string{huitong.RoleConsumer}}
	return huitong.WithPrincipal(ctx, p)
}

func request(ctx context.Context, r *rand.Rand) context.Context {
	var id [8]byte
	for i := range id {
		id[i] = byte(r.Uint32())
	}
	return huitong.WithRequest(ctx, huitong.Request{ID: hex.EncodeToString(id[:]),
		ClientIP: fmt.Sprintf("10.%d.%d.%d", 12+r.IntN(4), r.IntN(256), 1+r.IntN(254))})
}

// record builds the record Log.Append would build for e in ctx, with index
// i and time at: the same canonical bytes the baseline stores and the
// populated log holds.
func record(ctx context.Context, subjects *audit.Subjects, e audit.Entry, i int64, at time.Time) audit.Record {
	rec := audit.Record{Index: i, Time: at.UTC(), Action: e.Action, Object: e.Object, Outcome: e.Outcome,
		Reason: e.Reason, Purpose: e.Purpose, Rule: e.Rule, Detail: e.Detail}
	if rec.Outcome == "" {
		rec.Outcome = audit.Allowed
	}
	p := huitong.PrincipalFrom(ctx)
	rec.Actor, rec.ActorOrg = p.Actor(), p.OrgUSCC
	req := huitong.RequestFrom(ctx)
	rec.RequestID, rec.ClientIP = req.ID, req.ClientIP
	for _, id := range e.Subjects {
		rec.Subjects = append(rec.Subjects, subjects.Of(id))
	}
	return rec
}

// recordSizes describes the canonical size of generated records, from a
// sample.
var recordSizes = func() (s struct{ mean, min, max int }) {
	subjects, err := audit.NewSubjects(make([]byte, 32))
	if err != nil {
		panic(err)
	}
	r := rand.New(rand.NewPCG(9, 9))
	const n = 2000
	total := 0
	s.min = 1 << 30
	for i := range n {
		rec := record(request(caller(context.Background(), i), r), subjects, entry(r), int64(1000000+i), time.Now())
		b, err := rec.Encode()
		if err != nil {
			panic(err)
		}
		total += len(b)
		s.min, s.max = min(s.min, len(b)), max(s.max, len(b))
	}
	s.mean = total / n
	return s
}()
