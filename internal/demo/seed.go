package demo

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"huitong"
	"huitong/internal/catalog"
	"huitong/internal/org"
)

// Operator is the org that runs the demo platform: the data bureau.
func Operator() org.OrgInput { return Orgs[0] }

// Seed registers the demo city through the same services the API uses, so
// that every demo value passes the same checks as a user's. It expects the
// operator org and the admin user to exist (org.Service.Bootstrap) and skips
// orgs and users that are already there. progress, if not nil, hears about
// each step.
func Seed(ctx context.Context, orgs *org.Service, cat *catalog.Service, progress func(string)) error {
	say := func(format string, args ...any) {
		if progress != nil {
			progress(fmt.Sprintf(format, args...))
		}
	}
	ctx = huitong.WithPrincipal(ctx, &huitong.Principal{Kind: huitong.PrincipalUser, Name: "demo-seed",
		OrgUSCC: Operator().USCC, Roles: []string{huitong.RoleAdmin}})
	for _, o := range Orgs {
		if _, err := orgs.CreateOrg(ctx, o); err != nil && huitong.ErrorCode(err) != "org_exists" {
			return fmt.Errorf("demo org %s: %w", o.Name, err)
		}
	}
	say("%d 个部门 / departments", len(Orgs))
	for _, u := range Users {
		if _, err := orgs.CreateUser(ctx, u); err != nil && huitong.ErrorCode(err) != "username_taken" {
			return fmt.Errorf("demo user %s: %w", u.Username, err)
		}
	}
	say("%d 个用户 / users", len(Users))
	existing, err := cat.Search(ctx, catalog.Query{PageSize: 1})
	if err != nil {
		return err
	}
	if existing.Total > 0 {
		say("目录已有 %d 个资源，跳过 / catalog already seeded", existing.Total)
		return nil
	}
	var first catalog.Resource
	for i, in := range Resources {
		r, err := cat.Create(ctx, in)
		if err != nil {
			return fmt.Errorf("demo resource %s: %w", in.Name, err)
		}
		if i == 0 {
			first = r
		}
	}
	// A second version, so that the version history has something to show.
	if first.Code != "" {
		in := Resources[0]
		in.Summary += "（2026 年起按日更新。）"
		in.UpdateCycle = "daily"
		in.Version = first.Version
		in.ChangeNote = "更新周期调整为每日 / update cycle changed to daily"
		if _, err := cat.Update(ctx, first.Code, in); err != nil {
			return errors.Join(errors.New("demo resource edit"), err)
		}
	}
	say("%d 个信息资源 / resources", len(Resources))
	return nil
}

// AdminPassword is the password of the demo's "admin" user unless
// HUITONG_ADMIN_PASSWORD says otherwise.
const AdminPassword = "Admin@2026"

// AccountList names the demo users for the start-up banner.
func AccountList() string {
	names := make([]string, 0, len(Users))
	for _, u := range Users {
		names = append(names, u.Username)
	}
	return strings.Join(names, ", ")
}
