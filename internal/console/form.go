package console

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"huitong/internal/org"
)

func itoa(n int) string { return strconv.Itoa(n) }

// pager holds the links of a paginated table: back to the first page, and
// on to the next (services page forwards with opaque tokens).
type pager struct {
	First, Next string
}

// pagerOf builds the links of a listing at r whose next page starts at
// token (empty: none) under the query parameter param.
func pagerOf(r *http.Request, param, token string) pager {
	var p pager
	q := r.URL.Query()
	q.Del("ok")
	q.Del("lang")
	if token != "" {
		q.Set(param, token)
		p.Next = r.URL.Path + "?" + q.Encode()
	}
	if r.URL.Query().Get(param) != "" {
		q.Del(param)
		p.First = r.URL.Path
		if len(q) > 0 {
			p.First += "?" + q.Encode()
		}
	}
	return p
}

// list splits a free-text list on commas (ASCII or Chinese), 、, semicolons,
// spaces and newlines, dropping empty items.
func list(s string) []string {
	f := strings.FieldsFunc(s, func(r rune) bool {
		return strings.ContainsRune(",，、;；\n\r\t ", r)
	})
	if len(f) == 0 {
		return nil
	}
	return f
}

// enumList splits an enum on commas and 、 only: a value may hold spaces.
func enumList(s string) []string {
	var out []string
	for _, v := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(",，、\n", r) }) {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// orgs lists every org (up to a thousand) for filters and choices.
func (c *Console) orgs(ctx context.Context) []org.Org {
	var out []org.Org
	tok := ""
	for range 2 {
		page, err := c.Orgs.ListOrgs(ctx, "", tok, 500)
		if err != nil {
			return out
		}
		out = append(out, page.Items...)
		if tok = page.NextPageToken; tok == "" {
			break
		}
	}
	return out
}

// orgNames names orgs by USCC, each looked up once.
type orgNames struct {
	c     *Console
	ctx   context.Context
	names map[string]string
}

func (c *Console) namer(ctx context.Context) *orgNames {
	return &orgNames{c: c, ctx: ctx, names: map[string]string{}}
}

func (n *orgNames) name(uscc string) string {
	if uscc == "" {
		return ""
	}
	if v, ok := n.names[uscc]; ok {
		return v
	}
	v, err := n.c.Orgs.OrgName(n.ctx, uscc)
	if err != nil || v == "" {
		v = uscc
	}
	n.names[uscc] = v
	return v
}

// withQuery adds ok=<flash> to a path.
func withFlash(path, flash string) string {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + "ok=" + url.QueryEscape(flash)
}
