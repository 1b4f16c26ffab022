package console

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"huitong"
)

// Cookie names. Each lives on one side of the wall, under its own path.
const (
	sessionCookie = "huitong_session" // officers, Path=/console/
	citizenCookie = "huitong_citizen" // citizens, Path=/my/
	preCookie     = "huitong_pre"     // the login form's CSRF binding
	langCookie    = "lang"
)

// maxFormBytes bounds a form body (the upload is streamed, not a form).
const maxFormBytes = 1 << 20

// session is the caller of one request, as the middleware found it.
type session struct {
	P     *huitong.Principal
	Token string
	// CSRF is the token the request's forms carry.
	CSRF string
	// CSRFOK reports that the middleware checked a POST's CSRF token; an
	// upload's comes in its multipart body and is checked by the handler.
	CSRFOK bool
}

type sessionKey struct{}

func sessionFrom(ctx context.Context) *session {
	s, _ := ctx.Value(sessionKey{}).(*session)
	if s == nil {
		return &session{}
	}
	return s
}

// csrfToken is HMAC(key, purpose, secret) in base64url: the session token
// for a logged-in form, the pre-session cookie for a login form.
func (c *Console) csrfToken(purpose, secret string) string {
	m := hmac.New(sha256.New, c.csrfKey())
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(secret))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// csrfValid compares a sent token with the expected one in constant time.
func (c *Console) csrfValid(sent, purpose, secret string) bool {
	if sent == "" || secret == "" {
		return false
	}
	return hmac.Equal([]byte(sent), []byte(c.csrfToken(purpose, secret)))
}

func isMultipart(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "multipart/form-data"
}

// sentCSRF reads a POST's form (urlencoded bodies only: an upload is
// streamed) and returns its CSRF token: the X-CSRF-Token header (sent by
// scripts) or the form's _csrf field. A form over maxFormBytes is a
// TooLarge error.
func sentCSRF(w http.ResponseWriter, r *http.Request) (string, error) {
	if !isMultipart(r) {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		if err := r.ParseForm(); err != nil {
			var mb *http.MaxBytesError
			if errors.As(err, &mb) {
				return "", huitong.E(huitong.TooLarge, "body_too_large", "表单内容过多（上限 1 MiB）", "the form is too large (limit 1 MiB)")
			}
			return "", nil
		}
	}
	if h := r.Header.Get("X-CSRF-Token"); h != "" {
		return h, nil
	}
	return r.PostForm.Get("_csrf"), nil
}

func (c *Console) setCookie(w http.ResponseWriter, r *http.Request, name, value, path string, expires time.Time) {
	ck := &http.Cookie{Name: name, Value: value, Path: path, HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: r.TLS != nil}
	if value == "" {
		ck.MaxAge = -1
	} else if !expires.IsZero() {
		ck.Expires = expires
	}
	http.SetCookie(w, ck)
}

// officer resolves the console session and requires one of roles (any
// officer when none are given). No session: to the login page. A session
// that is expired or revoked, or a citizen's: to the login page with a
// message. A role missing: the 403 page. A POST without a valid CSRF
// token: the 403 page.
func (c *Console) officer(h http.HandlerFunc, roles ...string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ck, err := r.Cookie(sessionCookie)
		if err != nil || ck.Value == "" {
			c.toLogin(w, r, "/console/login", "")
			return
		}
		p, err := c.Orgs.Authenticate(r.Context(), ck.Value)
		if err == nil && p.HasRole(huitong.RoleCitizen) && len(p.Roles) == 1 {
			// A citizen's token is for the public side; here it is nothing.
			err = huitong.ErrUnauthenticated
		}
		if err != nil {
			if huitong.ErrorKind(err) != huitong.Unauthenticated {
				c.serverError(w, r, err)
				return
			}
			c.setCookie(w, r, sessionCookie, "", "/console/", time.Time{})
			c.toLogin(w, r, "/console/login", "expired")
			return
		}
		s := c.begin(w, r, p, ck.Value)
		r = r.WithContext(context.WithValue(huitong.WithPrincipal(r.Context(), p), sessionKey{}, s))
		if len(roles) > 0 {
			if _, err := huitong.Require(r.Context(), roles...); err != nil {
				c.forbidden(w, r)
				return
			}
		}
		if r.Method == http.MethodPost && !c.checkPost(w, r, s, "/upload") {
			return
		}
		h(w, r)
	})
}

// citizen is officer for the public side: the citizen cookie, citizens
// only.
func (c *Console) citizen(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ck, err := r.Cookie(citizenCookie)
		if err != nil || ck.Value == "" {
			c.toLogin(w, r, "/my/login", "")
			return
		}
		p, err := c.Orgs.Authenticate(r.Context(), ck.Value)
		if err == nil && !(p.HasRole(huitong.RoleCitizen) && len(p.Roles) == 1) {
			err = huitong.ErrUnauthenticated
		}
		if err != nil {
			if huitong.ErrorKind(err) != huitong.Unauthenticated {
				c.serverError(w, r, err)
				return
			}
			c.setCookie(w, r, citizenCookie, "", "/my/", time.Time{})
			c.toLogin(w, r, "/my/login", "expired")
			return
		}
		s := c.begin(w, r, p, ck.Value)
		r = r.WithContext(context.WithValue(huitong.WithPrincipal(r.Context(), p), sessionKey{}, s))
		if r.Method == http.MethodPost && !c.checkPost(w, r, s, "") {
			return
		}
		h(w, r)
	})
}

func (c *Console) begin(w http.ResponseWriter, r *http.Request, p *huitong.Principal, token string) *session {
	if ip := huitong.RequestFrom(r.Context()).ClientIP; ip != "" {
		p.ClientIP = ip
	}
	return &session{P: p, Token: token, CSRF: c.csrfToken("session", token)}
}

// checkPost checks a POST's CSRF token. A multipart POST to a path ending
// in streamSuffix may carry it in its body instead, for the handler to
// check.
func (c *Console) checkPost(w http.ResponseWriter, r *http.Request, s *session, streamSuffix string) bool {
	sent, err := sentCSRF(w, r)
	if err != nil {
		c.fail(w, r, err)
		return false
	}
	if c.csrfValid(sent, "session", s.Token) {
		s.CSRFOK = true
		return true
	}
	if sent == "" && isMultipart(r) && streamSuffix != "" && strings.HasSuffix(r.URL.Path, streamSuffix) {
		return true
	}
	c.csrfFailed(w, r)
	return false
}

// toLogin redirects to a login page, remembering where the caller was
// going (a GET within the same area only).
func (c *Console) toLogin(w http.ResponseWriter, r *http.Request, login, why string) {
	q := url.Values{}
	if r.Method == http.MethodGet && r.URL.Path != "/console/" && r.URL.Path != "/my/" {
		q.Set("next", r.URL.RequestURI())
	}
	if why != "" {
		q.Set("m", why)
	}
	target := login
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// safeNext returns next when it is a path in the area, else home.
func safeNext(next, area string) string {
	if !strings.HasPrefix(next, area) || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") ||
		strings.HasPrefix(next, area+"login") {
		return area
	}
	return next
}

// preSession returns the login form's pre-session value, setting the
// cookie when there is none.
func (c *Console) preSession(w http.ResponseWriter, r *http.Request, path string) string {
	if ck, err := r.Cookie(preCookie); err == nil && len(ck.Value) >= 16 {
		return ck.Value
	}
	b := make([]byte, 18)
	rand.Read(b)
	v := base64.RawURLEncoding.EncodeToString(b)
	c.setCookie(w, r, preCookie, v, path, time.Now().Add(2*time.Hour))
	return v
}

// loginCSRFOK checks a login form against its pre-session cookie.
func (c *Console) loginCSRFOK(w http.ResponseWriter, r *http.Request) bool {
	ck, err := r.Cookie(preCookie)
	if err != nil {
		return false
	}
	sent, err := sentCSRF(w, r)
	return err == nil && c.csrfValid(sent, "login", ck.Value)
}
