package license

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"huitong/internal/ids"
)

// Offline verifies a credential with nothing but the issuers' published
// JWKS and, when statusList is not empty, the status list credential the
// credential names: no database and no network. The view shows the
// credential's content as signed, unmasked: whoever holds the credential
// holds that content already. Without a status list, revocation is not
// checked: the status is revocation_unchecked, never valid, and Reason
// says where the list is.
func Offline(token string, jwks []byte, statusList string, now time.Time) (Result, error) {
	keys, err := KeysFromJWKS(jwks)
	if err != nil {
		return Result{}, err
	}
	lookup := func(kid string) (Key, bool) { k, ok := keys[kid]; return k, ok }
	ck := CheckSignature(token, lookup)
	r := Result{Status: ck.Status, Reason: ck.Reason, CheckedAt: now.UTC()}
	if ck.Status != "" {
		return r, nil
	}
	sub := ck.Credential.CredentialSubject
	r.Issuer = &IssuerView{USCC: ck.Key.IssuerUSCC, Name: ck.Credential.Issuer.Name, KeyID: ck.Key.ID}
	version := 0
	if lid, err := ids.ParseLicenseID(sub.Identifier); err == nil {
		version, _ = strconv.Atoi(lid.Version)
	}
	v := &View{Identifier: sub.Identifier, Version: version, TypeCode: sub.TypeCode, TypeName: sub.LicenseName, Number: sub.Number,
		HolderName: sub.HolderName, HolderCode: sub.HolderCode, HolderCodeType: sub.HolderCodeType, IssueDate: sub.IssueDate,
		Jurisdiction: sub.Jurisdiction, Data: sub.Data, Fields: []FieldView{}}
	if v.Data == nil {
		v.Data = map[string]string{}
	}
	names := make([]string, 0, len(v.Data))
	for k := range v.Data {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		v.Fields = append(v.Fields, FieldView{Name: k, Title: k, Value: v.Data[k]})
	}
	v.ValidFrom, v.ValidUntil = ck.Credential.days()
	r.License = v
	r.Status = StatusActive
	e := ck.Credential.CredentialStatus
	switch {
	case e == nil:
	case strings.TrimSpace(statusList) == "":
		r.Reason = "revocation not checked: no status list given (fetch " + e.StatusListCredential + ")"
		if r.Status = ck.Credential.Period(now); r.Status == StatusActive {
			r.Status = StatusUnchecked
		}
		return r, nil
	default:
		bits, sl, err := CheckStatusList(statusList, lookup, e.StatusListCredential, ck.Key.IssuerUSCC)
		if err != nil {
			return Result{}, fmt.Errorf("status list: %w", err)
		}
		r.StatusListFrom = sl.ValidFrom
		idx, err := e.Index()
		if err != nil {
			r.Status, r.Reason = StatusMalformed, err.Error()
			return r, nil
		}
		if BitSet(bits, idx) {
			r.Status, r.Reason = StatusRevoked, "the issuer's status list marks the license revoked or superseded"
		}
	}
	if r.Status == StatusActive {
		r.Status = ck.Credential.Period(now)
	}
	r.Valid = r.Status == StatusActive
	return r, nil
}

// days returns the first and last valid days of a credential in UTC+8,
// as the license states them; "" for an open end.
func (c *Credential) days() (from, until string) {
	if t, err := time.Parse(time.RFC3339, c.ValidFrom); err == nil {
		from = t.In(china).Format(time.DateOnly)
	}
	if t, err := time.Parse(time.RFC3339, c.ValidUntil); err == nil {
		until = t.Add(-time.Second).In(china).Format(time.DateOnly)
	}
	return from, until
}
