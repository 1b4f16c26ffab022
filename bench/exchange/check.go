package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"huitong/bench/internal/benchutil"
	"huitong/internal/ids"
	"huitong/internal/masking"
)

// checkResult is what the field-by-field check of the gateway's answers
// found before the load.
type checkResult struct {
	records     int
	fields      int      // values compared
	verifyTrue  int      // verifications with the stored name that answered true
	verifyFalse int      // verifications with another name that answered false
	absentEmpty bool     // a valid ID number not in the data returned no record
	indexed     int      // answers whose X-Huitong-Audit-Index matched their audit_index
	problems    []string // what differed
}

func (c *checkResult) summary() string {
	s := fmt.Sprintf("%d values as masked for the grant, %d/%d verifications true with the stored name, %d/%d false with another, absent ID empty: %v, audit index header on %d/%d answers",
		c.fields, c.verifyTrue, c.records, c.verifyFalse, c.records, c.absentEmpty, c.indexed, 3*c.records+1)
	if len(c.problems) > 0 {
		s += fmt.Sprintf("; %d problems, first: %s", len(c.problems), c.problems[0])
	}
	return s
}

// checkAnswers queries n records spread over the table and compares every
// field with the stored value masked as the masking package masks it for a
// grant that lifts no masking; verifies each with its name and with
// another; and queries an ID number that is not in the data.
func checkAnswers(a *benchutil.API, code string, tbl *table, n int) (*checkResult, error) {
	levels := map[string][2]string{} // field -> pii kind, level
	for _, f := range resourceFields() {
		pii, _ := f["pii"].(string)
		levels[f["name"].(string)] = [2]string{pii, strconv.Itoa(f["level"].(int))}
	}
	m := masking.New(nil)
	res := &checkResult{}
	bad := func(format string, args ...any) { res.problems = append(res.problems, fmt.Sprintf(format, args...)) }
	cs := calls(tbl, true, code)
	n = min(n, tbl.rows())
	for k := range n {
		row := k * tbl.rows() / n
		res.records++
		var q struct {
			Records    []map[string]any `json:"records"`
			AuditIndex int64            `json:"audit_index"`
		}
		hdr, err := post(a, cs["query"].path, cs["query"].body(nil, row), &q)
		if err != nil {
			return nil, err
		}
		if hdr == strconv.FormatInt(q.AuditIndex, 10) {
			res.indexed++
		}
		if len(q.Records) != 1 {
			bad("row %d: %d records", row, len(q.Records))
			continue
		}
		for c, name := range fieldNames {
			kl := levels[name]
			level, _ := strconv.Atoi(kl[1])
			want := fmt.Sprint(m.Apply(masking.ForField(kl[0], level, false), tbl.cell(row, c)))
			got := fmt.Sprint(q.Records[0][name])
			res.fields++
			if got != want {
				bad("row %d, %s: got %q, want %q", row, name, got, want)
			}
		}
		var v struct {
			Match      bool  `json:"match"`
			AuditIndex int64 `json:"audit_index"`
		}
		if hdr, err = post(a, cs["verify"].path, cs["verify"].body(nil, row), &v); err != nil {
			return nil, err
		}
		if hdr == strconv.FormatInt(v.AuditIndex, 10) {
			res.indexed++
		}
		if v.Match {
			res.verifyTrue++
		} else {
			bad("row %d: verification with the stored name answered false", row)
		}
		wrong := fmt.Sprintf(`{"where":{"id_card":%q},"match":{"name":%q}}`, tbl.cell(row, colID), tbl.cell(row, colName)+"某")
		if hdr, err = post(a, cs["verify"].path, []byte(wrong), &v); err != nil {
			return nil, err
		}
		if hdr == strconv.FormatInt(v.AuditIndex, 10) {
			res.indexed++
		}
		if !v.Match {
			res.verifyFalse++
		} else {
			bad("row %d: verification with another name answered true", row)
		}
	}
	// Born before the generator's first day: valid, and not in the data.
	absent, err := ids.MakeIDCard(regions[0].code, time.Date(1939, 12, 31, 0, 0, 0, 0, time.UTC), 1)
	if err != nil {
		return nil, err
	}
	var q struct {
		Records    []map[string]any `json:"records"`
		AuditIndex int64            `json:"audit_index"`
	}
	hdr, err := post(a, cs["query"].path, []byte(`{"where":{"id_card":"`+absent+`"},"fields":`+queryFields+`}`), &q)
	if err != nil {
		return nil, err
	}
	if hdr == strconv.FormatInt(q.AuditIndex, 10) {
		res.indexed++
	}
	res.absentEmpty = q.Records != nil && len(q.Records) == 0
	if !res.absentEmpty {
		bad("absent ID number: %d records", len(q.Records))
	}
	return res, nil
}

// post sends body to path as the api's user, decodes a 200 answer into out
// and returns its X-Huitong-Audit-Index header.
func post(a *benchutil.API, path string, body []byte, out any) (string, error) {
	req, err := http.NewRequest(http.MethodPost, a.Base+path, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+a.Token)
	resp, err := a.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("POST %s: %s: %s", path, resp.Status, strings.TrimSpace(string(b)))
	}
	return resp.Header.Get("X-Huitong-Audit-Index"), json.Unmarshal(b, out)
}
