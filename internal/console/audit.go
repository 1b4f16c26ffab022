package console

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"huitong"
	"huitong/internal/audit"
	"huitong/internal/org"
)

// auditActions are the actions the filter suggests.
var auditActions = []string{
	"auth.", "auth.login", "auth.login_citizen", "auth.logout", "org.create", "user.create", "app.create", "app.revoke",
	"catalog.", "catalog.create", "catalog.update", "ingest.", "ingest.batch", "ingest.report", "ingest.delete",
	"sharing.", "sharing.request", "sharing.approve", "sharing.reject", "sharing.countersign", "sharing.revoke",
	"exchange.", "exchange.query", "exchange.verify", "exchange.changes", "audit.tracker",
	"license.", "license.type", "license.issue", "license.revoke", "license.reissue", "license.read", "license.use",
	"license.consent", "license.consent_withdraw", "license.import", "license.key_rotate",
}

type auditFilter struct {
	Action, ActorOrg, Outcome, Since, Until, Start string
}

type auditData struct {
	F        auditFilter
	Size     int64
	Actions  []string
	Orgs     []org.Org
	OrgNames map[string]string
	Items    []audit.Listed
	Pager    pager
}

const auditPageSize = 50

// auditList browses the log, as GET /api/v1/audit/entries does: in index
// order from start; with no filter at all, the latest page.
func (c *Console) auditList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	d := &auditData{F: auditFilter{Action: strings.TrimSpace(q.Get("action")), ActorOrg: q.Get("actor_org"), Outcome: q.Get("outcome"),
		Since: q.Get("since"), Until: q.Get("until"), Start: q.Get("start")}, Size: c.Audit.Size(), Actions: auditActions,
		OrgNames: map[string]string{}}
	d.Orgs = c.orgs(ctx)
	for _, o := range d.Orgs {
		d.OrgNames[o.USCC] = o.Name
	}
	pg := c.newPage(r, "audit.title", d)
	f := audit.Filter{Action: d.F.Action, ActorOrg: d.F.ActorOrg, Outcome: d.F.Outcome, Limit: auditPageSize + 1}
	var v huitong.Validation
	if d.F.Start != "" {
		n, err := strconv.ParseInt(d.F.Start, 10, 64)
		if err != nil || n < 0 {
			v.Add("start", "not_integer", "起始序号须为非负整数", "start must be a non-negative integer")
		}
		f.Start = n
	} else if d.F == (auditFilter{}) {
		f.Start = max(0, d.Size-auditPageSize)
	}
	for _, t := range []struct {
		name, val string
		to        *time.Time
		add       int
	}{{"since", d.F.Since, &f.Since, 0}, {"until", d.F.Until, &f.Until, 1}} {
		if t.val == "" {
			continue
		}
		day, err := time.ParseInLocation(time.DateOnly, t.val, cst)
		if err != nil {
			v.Add(t.name, "invalid_date", "日期须为 YYYY-MM-DD", "the date must be YYYY-MM-DD")
			continue
		}
		*t.to = day.AddDate(0, 0, t.add)
	}
	err := v.Err()
	if err == nil {
		d.Items, err = c.Audit.Entries(ctx, f)
	}
	if err != nil {
		if k := huitong.ErrorKind(err); k != huitong.Invalid {
			c.fail(w, r, err)
			return
		}
		pg.Err = errorsOf(err, pg.Lang)
		c.render(w, r, http.StatusBadRequest, "audit", pg)
		return
	}
	next := ""
	if len(d.Items) > auditPageSize {
		next = strconv.FormatInt(d.Items[auditPageSize].Index, 10)
		d.Items = d.Items[:auditPageSize]
	}
	d.Pager = pagerOf(r, "start", next)
	c.render(w, r, http.StatusOK, "audit", pg)
}

type entryData struct {
	E              audit.Record
	OrgName        string
	JSON           string
	Leaf, Root     string
	Origin         string
	KeyName        string
	Checkpoint     string
	CheckpointSize int64
	SigOK          bool
	Pending        bool // the entry is newer than the latest checkpoint
	Verified       bool
	Problem        string
	Proof          []string
}

func b64(h tlog.Hash) string { return base64.StdEncoding.EncodeToString(h[:]) }

// latestCheckpoint returns the latest signed checkpoint, whether its
// signature checks against the log's key, and the key's name.
func (c *Console) latestCheckpoint(r *http.Request) (signed []byte, cp audit.Checkpoint, sigOK bool, key string, err error) {
	signed, err = c.Audit.Latest(r.Context())
	if err != nil {
		return nil, cp, false, "", err
	}
	v, err := audit.ParseVerifierKey(c.Audit.VerifierKey())
	if err != nil {
		return nil, cp, false, "", err
	}
	cp, sigOK, err = openCheckpoint(signed, v)
	return signed, cp, sigOK, audit.KeyName(v), err
}

// openCheckpoint checks a signed checkpoint; when the signature fails it
// still parses the body, to show what it claims.
func openCheckpoint(signed []byte, v note.Verifier) (audit.Checkpoint, bool, error) {
	cp, err := audit.OpenCheckpoint(signed, v)
	if err == nil {
		return cp, true, nil
	}
	body, _, _ := bytes.Cut(signed, []byte("\n\n"))
	cp, perr := audit.ParseCheckpoint(string(body) + "\n")
	return cp, false, perr
}

// auditEntry shows one record and checks its inclusion proof against the
// latest signed checkpoint, here on the server with the audit package.
func (c *Console) auditEntry(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	idx, err := strconv.ParseInt(r.PathValue("index"), 10, 64)
	if err != nil || idx < 0 {
		c.notFound(w, r)
		return
	}
	items, err := c.Audit.Entries(ctx, audit.Filter{Start: idx, End: idx + 1, Limit: 1})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if len(items) == 0 {
		c.notFound(w, r)
		return
	}
	e := items[0]
	d := &entryData{E: e.Record, Leaf: b64(e.LeafHash), OrgName: c.namer(ctx).name(e.ActorOrg)}
	js, _ := json.MarshalIndent(e.Record, "", "  ")
	d.JSON = string(js)
	signed, cp, sigOK, key, err := c.latestCheckpoint(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d.Checkpoint, d.CheckpointSize, d.Origin, d.Root, d.SigOK, d.KeyName = string(signed), cp.Size, cp.Origin, b64(cp.Root), sigOK, key
	if idx >= cp.Size {
		d.Pending = true
	} else {
		proof, err := c.Audit.ProveInclusion(ctx, idx, cp.Size)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		d.Proof = make([]string, len(proof))
		for i, h := range proof {
			d.Proof[i] = b64(h)
		}
		if err := tlog.CheckRecord(proof, cp.Size, cp.Root, idx, e.LeafHash); err != nil {
			d.Problem = err.Error()
		} else if !sigOK {
			d.Problem = msg(langOf(ctx), "audit.sig_bad")
		} else {
			d.Verified = true
		}
	}
	c.render(w, r, http.StatusOK, "audit_entry", c.newPage(r, "audit.entry_page", d))
}

type consistencyResult struct {
	OK               bool
	Old, New         int64
	OldRoot, NewRoot string
	OldSig, NewSig   bool
	Origin           string
	Problem          string
	Proof            []string
}

type consistencyData struct {
	Checkpoints []audit.CheckpointInfo
	Old, New    int64
	Result      *consistencyResult
}

// consistency checks that an older signed checkpoint's tree is a prefix of
// a newer one's, as GET /api/v1/audit/proof/consistency proves.
func (c *Console) consistency(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	list, err := c.Audit.Checkpoints(ctx, 500)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d := &consistencyData{Checkpoints: list}
	pg := c.newPage(r, "cons.title", d)
	if len(list) > 0 {
		d.New, d.Old = list[0].Size, list[min(1, len(list)-1)].Size
	}
	q := r.URL.Query()
	if q.Get("old") == "" || q.Get("new") == "" {
		c.render(w, r, http.StatusOK, "consistency", pg)
		return
	}
	d.Old, _ = strconv.ParseInt(q.Get("old"), 10, 64)
	d.New, _ = strconv.ParseInt(q.Get("new"), 10, 64)
	res, err := c.checkConsistency(r, list, d.Old, d.New)
	if err != nil {
		if huitong.ErrorKind(err) != huitong.Invalid {
			c.fail(w, r, err)
			return
		}
		pg.Err = errorsOf(err, pg.Lang)
		c.render(w, r, http.StatusBadRequest, "consistency", pg)
		return
	}
	d.Result = res
	c.render(w, r, http.StatusOK, "consistency", pg)
}

func (c *Console) checkConsistency(r *http.Request, list []audit.CheckpointInfo, old, nw int64) (*consistencyResult, error) {
	find := func(size int64) (string, bool) {
		for _, ci := range list {
			if ci.Size == size {
				return ci.Note, true
			}
		}
		return "", false
	}
	oldNote, ok1 := find(old)
	newNote, ok2 := find(nw)
	if !ok1 || !ok2 || old > nw || old < 1 {
		return nil, huitong.Invalidf("invalid_range", "请选择两个已签名的检查点，旧的不大于新的", "choose two signed checkpoints, the old one no larger than the new")
	}
	v, err := audit.ParseVerifierKey(c.Audit.VerifierKey())
	if err != nil {
		return nil, huitong.Fault("console verifier key", err)
	}
	oc, oldSig, err1 := openCheckpoint([]byte(oldNote), v)
	nc, newSig, err2 := openCheckpoint([]byte(newNote), v)
	if err1 != nil || err2 != nil {
		return &consistencyResult{Old: old, New: nw, Problem: msg(langOf(r.Context()), "cons.unreadable")}, nil
	}
	res := &consistencyResult{Old: old, New: nw, OldRoot: b64(oc.Root), NewRoot: b64(nc.Root), OldSig: oldSig, NewSig: newSig, Origin: nc.Origin}
	proof, err := c.Audit.ProveConsistency(r.Context(), old, nw)
	if err != nil {
		return nil, err
	}
	for _, h := range proof {
		res.Proof = append(res.Proof, b64(h))
	}
	switch err := tlog.CheckTree(proof, nw, nc.Root, old, oc.Root); {
	case err != nil:
		res.Problem = err.Error()
	case !oldSig || !newSig:
		res.Problem = msg(langOf(r.Context()), "audit.sig_bad")
	case oc.Origin != nc.Origin:
		res.Problem = "origin"
	default:
		res.OK = true
	}
	return res, nil
}

type trackerItem struct {
	audit.Record
	OrgName string
}

type trackerData struct {
	ID         string
	Looked     bool
	AuditIndex int64
	Items      []trackerItem
}

func (c *Console) trackerPage(w http.ResponseWriter, r *http.Request) {
	c.render(w, r, http.StatusOK, "tracker", c.newPage(r, "tracker.title", &trackerData{}))
}

// trackerLookup shows the access history of an ID number or USCC, as GET
// /api/v1/tracker does; the lookup is itself recorded. The number travels
// in a POST body, never in a URL.
func (c *Console) trackerLookup(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	d := &trackerData{ID: strings.TrimSpace(r.PostForm.Get("id_card"))}
	pg := c.newPage(r, "tracker.title", d)
	recs, idx, err := c.Audit.Tracker(ctx, d.ID, 0, 200)
	if err != nil {
		if k := huitong.ErrorKind(err); k != huitong.Invalid {
			c.fail(w, r, err)
			return
		}
		fe := errorsOf(err, pg.Lang)
		fe.Fields = map[string][]string{"id_card": {fe.Message}}
		pg.Err = fe
		c.render(w, r, http.StatusBadRequest, "tracker", pg)
		return
	}
	d.Looked, d.AuditIndex = true, idx
	names := c.namer(ctx)
	for _, rec := range recs {
		d.Items = append(d.Items, trackerItem{Record: rec, OrgName: names.name(rec.ActorOrg)})
	}
	c.render(w, r, http.StatusOK, "tracker", pg)
}
