package demo

import (
	"context"
	"slices"
	"testing"
	"time"

	"huitong"
	"huitong/internal/audit"
	"huitong/internal/sharing"
)

type nopRecorder struct{}

func (nopRecorder) Append(context.Context, audit.Entry) (int64, error) { return 0, nil }

func TestSeedGrants(t *testing.T) {
	orgs, cat, _, db := services(t)
	ctx := t.Context()
	if err := Seed(ctx, orgs, cat, nil); err != nil {
		t.Fatal(err)
	}
	shr := &sharing.Service{Store: db, Resource: cat.Get, OrgName: orgs.OrgName, Audit: nopRecorder{}, Now: time.Now,
		AppOrg: func(context.Context, int64) (string, error) { return "", huitong.ErrNoRecord }}
	if err := SeedGrants(ctx, cat, shr, nil); err != nil {
		t.Fatal(err)
	}
	page, err := shr.List(adminContext(ctx), sharing.ListQuery{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range page.Items {
		got = append(got, r.ResourceName+"/"+r.Status)
	}
	slices.Sort(got)
	want := []string{"人口基础信息/approved", "人口基础信息/rejected", "养老保险待遇发放信息/awaiting_countersign", "婚姻登记信息/approved",
		"死亡医学证明信息/approved", "社会保险参保信息/pending", "营业执照信息/approved"}
	if !slices.Equal(got, want) {
		t.Errorf("requests = %q, want %q", got, want)
	}
	grants, err := shr.Grants(adminContext(ctx), sharing.GrantQuery{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]int{}
	for _, g := range grants.Items {
		states[g.Status]++
		// The civil affairs bureau's grant on 人口基础信息 is narrowed, with names unmasked.
		if g.ConsumerUSCC == USCCCivil && g.ProviderUSCC == USCCPolice {
			if slices.Contains(g.Fields, "education") || !slices.Contains(g.Fields, "address") || !slices.Equal(g.UnmaskedFields, []string{"name"}) {
				t.Errorf("narrowed grant = %+v", g)
			}
		}
		if g.ResourceCode == "" || len(g.Fields) == 0 {
			t.Errorf("grant = %+v", g)
		}
	}
	if states[sharing.GrantActive] != 3 || states[sharing.GrantRevoked] != 1 {
		t.Errorf("grant states = %v", states)
	}
	// Seeding again adds nothing.
	if err := SeedGrants(ctx, cat, shr, nil); err != nil {
		t.Fatal(err)
	}
	if again, _ := shr.List(adminContext(ctx), sharing.ListQuery{Limit: 100}); len(again.Items) != len(page.Items) {
		t.Errorf("a second run filed %d requests", len(again.Items)-len(page.Items))
	}
}
