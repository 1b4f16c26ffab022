package demo

import (
	"context"
	"fmt"
	"slices"
	"time"

	"huitong"
	"huitong/internal/catalog"
	"huitong/internal/sharing"
)

// demoRequest is one request between demo departments and how it ends.
type demoRequest struct {
	consumer   string // username of the requesting officer
	provider   string // resource provider
	resource   string // resource name
	fields     []string
	purpose    string
	legalBasis string
	outcome    string   // "approved", "pending", "countersign" (approved, waiting for an admin), "rejected", "revoked"
	narrowTo   []string // approval narrows to these fields
	unmasked   []string
	note       string // approval comment, rejection or revocation reason
}

var demoRequests = []demoRequest{
	{consumer: "mz_consumer", provider: USCCPolice, resource: "人口基础信息",
		fields:  []string{"id_card", "name", "gender", "birth_date", "address", "marital_status", "hukou_status", "education"},
		purpose: "最低生活保障资格审核：核验申请人及家庭成员身份、户籍和婚姻状况", legalBasis: "《社会救助暂行办法》第十一条",
		outcome: "approved", narrowTo: []string{"id_card", "name", "gender", "birth_date", "address", "marital_status", "hukou_status"},
		unmasked: []string{"name"}, note: "同意，文化程度与审核无关，不予提供"},
	{consumer: "gjj_consumer", provider: USCCCivil, resource: "婚姻登记信息",
		fields:  []string{"cert_no", "reg_type", "male_name", "male_id_card", "female_name", "female_id_card", "reg_date"},
		purpose: "住房公积金贷款申请人婚姻状况核验", legalBasis: "《住房公积金管理条例》第二十六条",
		outcome: "approved", note: "同意"},
	{consumer: "gjj_consumer", provider: USCCHRSS, resource: "社会保险参保信息",
		fields:  []string{"id_card", "name", "insurance_type", "insured_status", "employer_name", "paid_months"},
		purpose: "住房公积金贷款申请人连续缴纳社会保险情况核验", legalBasis: "《住房公积金管理条例》第二十六条",
		outcome: "pending"},
	{consumer: "mz_consumer", provider: USCCHRSS, resource: "养老保险待遇发放信息",
		fields:  []string{"id_card", "name", "pay_month", "benefit_type", "amount", "bank_card"},
		purpose: "最低生活保障家庭收入核算：核对养老金收入及发放账户", legalBasis: "《社会救助暂行办法》第十一条",
		outcome: "countersign", note: "同意，银行账号为四级数据，报平台管理员会签"},
	{consumer: "yb_provider", provider: USCCPolice, resource: "人口基础信息",
		fields:  []string{"id_card", "name", "address", "marital_status", "education"},
		purpose: "城乡居民基本医疗保险参保登记身份核验", outcome: "rejected",
		note: "参保登记只需核验身份，婚姻状况、文化程度超出必要范围，请仅申请公民身份号码、姓名后重新提交"},
	{consumer: "dqga_consumer", provider: USCCMarket, resource: "营业执照信息",
		fields:  []string{"uscc", "org_name", "legal_rep", "establish_date", "org_address"},
		purpose: "娱乐场所治安管理备案核查", outcome: "approved"},
	{consumer: "mz_consumer", provider: USCCHealth, resource: "死亡医学证明信息",
		fields:  []string{"cert_no", "name", "id_card", "death_time"},
		purpose: "殡葬惠民补贴发放核验", legalBasis: "《殡葬管理条例》", outcome: "revoked", note: "补贴发放工作已结束，授权收回"},
}

// SeedGrants files the demo's share requests through the sharing service,
// as the officers named in them would: some approved (one narrowed, one of
// an unconditional resource granted at once), one pending in a provider's
// inbox, one with a level-4 field waiting for an admin's countersignature,
// one rejected and one revoked. It skips when any request exists.
func SeedGrants(ctx context.Context, cat *catalog.Service, shr *sharing.Service, progress func(string)) error {
	admin := huitong.WithPrincipal(ctx, &huitong.Principal{Kind: huitong.PrincipalUser, Name: "demo-seed",
		OrgUSCC: Operator().USCC, Roles: []string{huitong.RoleAdmin}})
	existing, err := shr.List(admin, sharing.ListQuery{Limit: 1})
	if err != nil {
		return err
	}
	if len(existing.Items) > 0 {
		return nil
	}
	resources, err := demoResources(admin, cat)
	if err != nil {
		return err
	}
	as := func(username string) context.Context {
		for _, u := range Users {
			if u.Username == username {
				return huitong.WithPrincipal(ctx, &huitong.Principal{Kind: huitong.PrincipalUser, Name: u.Username, OrgUSCC: u.OrgUSCC, Roles: u.Roles})
			}
		}
		panic("demo: no user " + username)
	}
	provider := func(uscc string) context.Context {
		for _, u := range Users {
			if u.OrgUSCC == uscc && slices.Contains(u.Roles, huitong.RoleProvider) {
				return as(u.Username)
			}
		}
		panic("demo: no provider officer in " + uscc)
	}
	n := 0
	for _, d := range demoRequests {
		i := slices.IndexFunc(resources, func(r catalog.Resource) bool { return r.ProviderUSCC == d.provider && r.Name == d.resource })
		if i < 0 {
			continue // the resource was edited away
		}
		res := resources[i]
		req, err := shr.Request(as(d.consumer), sharing.RequestInput{ResourceCode: res.Code, Fields: d.fields, Purpose: d.purpose,
			LegalBasis: d.legalBasis, ExpiresAt: time.Now().AddDate(1, 0, 0)})
		if err != nil {
			return fmt.Errorf("demo request %s → %s: %w", d.consumer, d.resource, err)
		}
		switch {
		case d.outcome == "rejected":
			_, err = shr.Reject(provider(d.provider), req.ID, d.note)
		case req.Status == sharing.StatusPending && d.outcome != "pending":
			req, err = shr.Approve(provider(d.provider), req.ID, sharing.Approval{Fields: d.narrowTo, UnmaskedFields: d.unmasked, Comment: d.note})
		}
		if err != nil {
			return fmt.Errorf("demo decision on %s → %s: %w", d.consumer, d.resource, err)
		}
		if d.outcome == "revoked" {
			if _, err := shr.Revoke(provider(d.provider), req.GrantID, d.note); err != nil {
				return fmt.Errorf("demo revocation of %s → %s: %w", d.consumer, d.resource, err)
			}
		}
		n++
	}
	if progress != nil {
		progress(fmt.Sprintf("%d 个共享申请与授权 / share requests and grants", n))
	}
	return nil
}
