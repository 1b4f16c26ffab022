package demo

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"time"

	"huitong"
	"huitong/internal/license"
	"huitong/internal/org"
)

// Electronic licenses (电子证照) of the demo city: five license types, each
// defined by the department that is its defining authority, and licenses of
// them held by the companies and people of the demo population (see
// license_plan.go), issued through the license library by the issuing
// officers, so that each is signed and audited like a real one.

// Codes of the demo license types: the defining authority's USCC and a
// 3-digit number.
const (
	TypeBusinessLicense = USCCMarket + "001"     // 营业执照
	TypeMarriage        = USCCCivil + "001"      // 结婚证
	TypeBirth           = USCCHealth + "001"     // 出生医学证明
	TypeRealEstate      = USCCNaturalRes + "001" // 不动产权证书
	TypeSocialSecurity  = USCCHRSS + "001"       // 社会保障卡
)

// socialSecurityTerm is the validity of a social security card: ten years.
const socialSecurityTerm = 3653

// licenseType is a demo license type and the officer who defines it.
type licenseType struct {
	by string // username of an issuing officer of the defining authority
	t  license.Type
}

// LicenseTypes are the demo license types. Field names are those of the
// same facts in the catalog, so that a license and the record it comes
// from read alike.
var LicenseTypes = []license.Type{
	{Code: TypeBusinessLicense, Name: "营业执照", HolderKind: license.HolderOrg,
		IssuerUSCCs: []string{USCCMarket, USCCChangxingMarket},
		Fields: fields(
			req(str("enterprise_type", "类型", 1)),
			req(legalRep()),
			decimal("reg_capital", "注册资本（万元）", 1),
			req(date("establish_date", "成立日期", 1)),
			date("business_term_until", "营业期限至", 1),
			orgAddress("住所"),
			str("business_scope", "经营范围", 1),
			regAuthority("登记机关"),
		)},
	{Code: TypeMarriage, Name: "结婚证", HolderKind: license.HolderCitizen, IssuerUSCCs: []string{USCCCivil},
		Fields: fields(
			req(pii("name", str("spouse_name", "配偶姓名", 3))),
			req(pii("id_card", str("spouse_id_card", "配偶身份证件号", 3))),
			req(date("reg_date", "登记日期", 2)),
			regAuthority("登记机关"),
		)},
	{Code: TypeBirth, Name: "出生医学证明", HolderKind: license.HolderCitizen, IssuerUSCCs: []string{USCCHealth},
		Fields: fields(
			req(gender()),
			req(pii("birth_date", datetime("birth_time", "出生时间", 3))),
			integer("birth_weight", "出生体重（克）", 3),
			str("birth_place", "出生地点", 2),
			pii("name", str("mother_name", "母亲姓名", 3)),
			pii("id_card", str("mother_id_card", "母亲身份证件号", 3)),
			pii("name", str("father_name", "父亲姓名", 3)),
			pii("id_card", str("father_id_card", "父亲身份证件号", 3)),
			str("institution_name", "签发机构", 1),
		)},
	{Code: TypeRealEstate, Name: "不动产权证书", HolderKind: license.HolderCitizen, IssuerUSCCs: []string{USCCNaturalRes},
		Fields: fields(
			req(str("unit_no", "不动产单元号", 2)),
			str("location", "坐落", 2),
			enum("usage", "用途", 2, "住宅", "商业", "办公", "工业", "其他"),
			decimal("building_area", "建筑面积（平方米）", 2),
			regAuthority("登记机构"),
		)},
	{Code: TypeSocialSecurity, Name: "社会保障卡", HolderKind: license.HolderCitizen, IssuerUSCCs: []string{USCCHRSS},
		ValidityDays: socialSecurityTerm,
		Fields: fields(
			req(pii("id_card", str("social_security_no", "社会保障号码", 3))),
			enum("card_kind", "卡类别", 1, "第二代社会保障卡", "第三代社会保障卡"),
			str("bank", "合作银行", 1),
			str("issuing_region", "发卡地", 1),
		)},
}

// definers are the officers who define the demo license types, by type.
var definers = map[string]string{
	TypeBusinessLicense: "zz_issuer",
	TypeMarriage:        "mz_issuer",
	TypeBirth:           "wj_issuer",
	TypeRealEstate:      "zrzy_issuer",
	TypeSocialSecurity:  "rs_issuer",
}

// The consents citizen_li gives: a one-time one for his 结婚证, used at
// once by the housing fund centre's loan officer, and a standing one for
// his 不动产权证书.
const (
	consentMarriagePurpose    = "住房公积金贷款申请：核验申请人婚姻状况"
	consentRealEstatePurpose  = "住房公积金贷款申请：核验申请人名下住房"
	consentRealEstateDuration = 30 * 24 * time.Hour
)

// SeedLicenses defines the demo license types and issues the demo's
// licenses through the license library, as the issuing officers named in
// [Users] would: business licenses of the demo companies (those struck off
// revoked, two changed since in a second version), marriage certificates,
// birth certificates, real estate certificates and social security cards of
// demo people, among them the demo citizen's. citizen_li then consents to
// the housing fund centre's use of his 结婚证 once, which its loan officer
// uses, and of his 不动产权证书 for a month. citizen_li's licenses and those
// revoked or changed since are issued one at a time; the others come in one
// import per type and issuing org, signed and audited by the same service.
//
// It expects the demo orgs and users to exist ([Seed]). Types already
// defined are kept; when any license exists it issues nothing, so calling it
// on every start adds nothing after the first. Errors are those of the
// license service and of org.Service.ListUsers. progress, if not nil, hears
// what was issued.
func SeedLicenses(ctx context.Context, licenses *license.Service, orgs *org.Service, progress func(string)) error {
	admin := huitong.WithPrincipal(ctx, &huitong.Principal{Kind: huitong.PrincipalUser, Name: "demo-seed",
		OrgUSCC: Operator().USCC, Roles: []string{huitong.RoleAdmin}})
	for _, t := range LicenseTypes {
		if _, err := licenses.Type(ctx, t.Code); err == nil {
			continue
		} else if huitong.ErrorCode(err) != "license_type_not_found" {
			return err
		}
		if _, err := licenses.DefineType(asUser(ctx, definers[t.Code]), t); err != nil && huitong.ErrorCode(err) != "license_type_exists" {
			return fmt.Errorf("demo license type %s: %w", t.Name, err)
		}
	}
	existing, err := licenses.List(admin, license.Query{Limit: 1})
	if err != nil {
		return err
	}
	if len(existing.Items) > 0 {
		if progress != nil {
			progress("电子证照已存在，跳过 / licenses already issued")
		}
		return nil
	}

	plan := planLicenses(newWorld(worldAsOf(time.Now())))
	// citizen_li's licenses, and those revoked or changed since, are issued
	// one at a time; the others come in one import per type and issuing
	// org, as a department brings in the licenses it issued before the
	// library (an issue is three commits, an import of hundreds three).
	var revoked, reissued int
	mine := map[string]string{} // type code -> identifier of citizen_li's license
	var bulk []demoLicense
	for _, d := range plan {
		if d.in.Holder.Code != CitizenIDCard && d.revoke == "" && d.reissue == nil {
			bulk = append(bulk, d)
			continue
		}
		by := asUser(ctx, d.by)
		l, err := licenses.Issue(by, d.in)
		if err != nil {
			return fmt.Errorf("demo license %s of %s: %w", d.in.TypeCode, d.in.Holder.Name, err)
		}
		if d.revoke != "" {
			if _, err := licenses.Revoke(by, l.Identifier, license.RevokeInput{Reason: d.revoke}); err != nil {
				return fmt.Errorf("demo revocation of %s: %w", l.Identifier, err)
			}
			revoked++
		}
		if d.reissue != nil {
			if l, err = licenses.Reissue(by, l.Identifier, *d.reissue); err != nil {
				return fmt.Errorf("demo re-issue of %s: %w", l.Identifier, err)
			}
			reissued++
		}
		if d.in.Holder.Code == CitizenIDCard {
			mine[d.in.TypeCode] = l.Identifier
		}
	}
	for _, b := range importBatches(bulk) {
		rep, err := licenses.Import(asUser(ctx, b.by), b.t.Code, license.ImportInput{Body: bytes.NewReader(b.csv()),
			ContentType: "text/csv", Filename: b.t.Name + "-存量证照.csv"})
		if err != nil {
			return fmt.Errorf("demo import of %s: %w", b.t.Name, err)
		}
		if rep.Rejected > 0 || rep.Imported != len(b.ls) {
			p := rep.Errors[0]
			return fmt.Errorf("demo import of %s: %d of %d rows rejected; first: row %d field %s: %s (%s)",
				b.t.Name, rep.Rejected, rep.Rows, p.Row, p.Field, p.MessageEN, p.Rule)
		}
	}

	// citizen_li's consents; the one-time one is used at once.
	li, err := demoUser(admin, orgs, "citizen_li")
	if err != nil {
		return err
	}
	citizen := huitong.WithPrincipal(ctx, &huitong.Principal{Kind: huitong.PrincipalUser, ID: li.ID, Name: li.Username,
		OrgUSCC: li.OrgUSCC, Roles: li.Roles})
	consents := 0
	if id := mine[TypeMarriage]; id != "" {
		if _, err := licenses.Consent(citizen, id, license.ConsentInput{GranteeUSCC: USCCHousingFund,
			Purpose: consentMarriagePurpose, OneTime: true}); err != nil {
			return fmt.Errorf("demo consent: %w", err)
		}
		if _, err := licenses.Get(asUser(ctx, "gjj_consumer"), id); err != nil {
			return fmt.Errorf("demo use of a consent: %w", err)
		}
		consents++
	}
	if id := mine[TypeRealEstate]; id != "" {
		if _, err := licenses.Consent(citizen, id, license.ConsentInput{GranteeUSCC: USCCHousingFund, Purpose: consentRealEstatePurpose,
			ExpiresAt: time.Now().Add(consentRealEstateDuration).Format(time.RFC3339)}); err != nil {
			return fmt.Errorf("demo consent: %w", err)
		}
		consents++
	}
	if progress != nil {
		progress(fmt.Sprintf("%d 类电子证照，%d 张（%d 张已吊销，%d 张已换发），%d 项用证授权 / license types, licenses (revoked, re-issued), consents",
			len(LicenseTypes), len(plan)+reissued, revoked, reissued, consents))
	}
	return nil
}

// importBatch is licenses of one type and issuing officer to import.
type importBatch struct {
	t  license.Type
	by string
	ls []demoLicense
}

// importBatches groups licenses by type and issuing officer, in the order
// they come.
func importBatches(ls []demoLicense) []*importBatch {
	var out []*importBatch
	for _, d := range ls {
		i := slices.IndexFunc(out, func(b *importBatch) bool { return b.t.Code == d.in.TypeCode && b.by == d.by })
		if i < 0 {
			j := slices.IndexFunc(LicenseTypes, func(t license.Type) bool { return t.Code == d.in.TypeCode })
			out = append(out, &importBatch{t: LicenseTypes[j], by: d.by})
			i = len(out) - 1
		}
		out[i].ls = append(out[i].ls, d)
	}
	return out
}

// csv is the import file of a batch: the core columns and the type's
// fields by name.
func (b *importBatch) csv() []byte {
	header := []string{"holder_name", "holder_code", "number", "valid_from", "valid_until"}
	for _, f := range b.t.Fields {
		header = append(header, f.Name)
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(header)
	for _, d := range b.ls {
		in := d.in
		row := []string{in.Holder.Name, in.Holder.Code, in.Number, in.ValidFrom, in.ValidUntil}
		for _, f := range b.t.Fields {
			v := ""
			if x, ok := in.Data[f.Name]; ok {
				v = fmt.Sprint(x)
			}
			row = append(row, v)
		}
		w.Write(row)
	}
	w.Flush() // a bytes.Buffer does not fail
	return buf.Bytes()
}

// asUser returns ctx acting as the demo user username.
func asUser(ctx context.Context, username string) context.Context {
	for _, u := range Users {
		if u.Username == username {
			return huitong.WithPrincipal(ctx, &huitong.Principal{Kind: huitong.PrincipalUser, Name: u.Username, OrgUSCC: u.OrgUSCC, Roles: u.Roles})
		}
	}
	panic("demo: no user " + username)
}

// demoUser returns the stored demo user username.
func demoUser(ctx context.Context, orgs *org.Service, username string) (org.User, error) {
	var orgUSCC string
	for _, u := range Users {
		if u.Username == username {
			orgUSCC = u.OrgUSCC
		}
	}
	token := ""
	for {
		page, err := orgs.ListUsers(ctx, orgUSCC, token, 100)
		if err != nil {
			return org.User{}, err
		}
		for _, u := range page.Items {
			if u.Username == username {
				return u, nil
			}
		}
		if page.NextPageToken == "" {
			return org.User{}, fmt.Errorf("demo: user %s not found", username)
		}
		token = page.NextPageToken
	}
}
