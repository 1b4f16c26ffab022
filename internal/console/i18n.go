package console

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// languages the console speaks; the first is the default.
var languages = []string{"zh", "en"}

type langKey struct{}

// withLang picks the page language: ?lang= (remembered in a cookie), else
// the cookie, else Chinese.
func (c *Console) withLang(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lang := ""
		if q := r.URL.Query().Get("lang"); q == "zh" || q == "en" {
			lang = q
			http.SetCookie(w, &http.Cookie{Name: langCookie, Value: q, Path: "/", MaxAge: 365 * 24 * 3600,
				HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
		} else if ck, err := r.Cookie(langCookie); err == nil && (ck.Value == "zh" || ck.Value == "en") {
			lang = ck.Value
		}
		if lang == "" {
			lang = languages[0]
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), langKey{}, lang)))
	})
}

func langOf(ctx context.Context) string {
	if l, ok := ctx.Value(langKey{}).(string); ok {
		return l
	}
	return languages[0]
}

// msg returns the message of key in lang, formatted with args; a missing
// key shows as ⟦key⟧, which the tests look for.
func msg(lang, key string, args ...any) string {
	m, ok := messages[key]
	if !ok {
		return "⟦" + key + "⟧"
	}
	s := m[0]
	if lang == "en" {
		s = m[1]
	}
	if len(args) > 0 {
		s = fmt.Sprintf(s, args...)
	}
	return s
}

func hasMsg(key string) bool {
	_, ok := messages[key]
	return ok
}

// msgOr returns the message of prefix.value, or value itself when there is
// none (an audit action the table does not name, say).
func msgOr(lang, prefix, value string) string {
	if value == "" {
		return ""
	}
	if _, ok := messages[prefix+"."+value]; ok {
		return msg(lang, prefix+"."+value)
	}
	return value
}

// funcs are the template functions of one area and language.
func funcs(a area, lang string) template.FuncMap {
	return template.FuncMap{
		"t":  func(key string, args ...any) string { return msg(lang, key, args...) },
		"tv": func(prefix string, v any) string { return msgOr(lang, prefix, fmt.Sprint(v)) },
		"roles": func(rs []string) string {
			out := make([]string, len(rs))
			for i, r := range rs {
				out[i] = msgOr(lang, "role", r)
			}
			return strings.Join(out, lang2sep(lang))
		},
		"change":   func(s string) string { return changeText(lang, s) },
		"asset":    func(p string) string { return assetURL(a.prefix, p) },
		"hasAsset": hasAsset,
		"time": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(cst).Format("2006-01-02 15:04:05")
		},
		"date": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(cst).Format(time.DateOnly)
		},
		"join":       func(ss []string) string { return strings.Join(ss, lang2sep(lang)) },
		"has":        contains,
		"field":      func(i int, name string) string { return "fields[" + strconv.Itoa(i) + "]." + name },
		"pct":        func(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) },
		"num":        func(n int64) string { return groupDigits(n) },
		"fieldsOf":   func(fs ...string) []string { return fs },
		"charts":     func() []string { return DashboardCharts },
		"hasPrefix":  strings.HasPrefix,
		"inlineCSS":  func() template.CSS { return inlineCSS },
		"pathEscape": url.PathEscape,
	}
}

func lang2sep(lang string) string { return msg(lang, "p.list") }

// changeText translates one line of catalog.Diff: an attribute name, or
// "field added: x" and the like.
func changeText(lang, s string) string {
	for _, k := range []string{"field added", "field changed", "field removed"} {
		if name, ok := strings.CutPrefix(s, k+": "); ok {
			return msg(lang, "change."+strings.ReplaceAll(k, " ", "_"), name)
		}
	}
	return msgOr(lang, "attr", s)
}

// groupDigits writes 1234567 as 1,234,567.
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, ch := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(ch)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
