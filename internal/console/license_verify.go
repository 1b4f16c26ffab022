package console

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"html/template"
	"io"
	"net/http"
	"strings"

	"huitong"
	"huitong/internal/ids"
	"huitong/internal/license"
)

// Verification of licenses, for anyone: the form of /console/verify and
// /my/verify (a credential pasted or uploaded, or an identifier), and the
// page /verify/{identifier} that a license's QR code opens. Each shows
// what POST /api/v1/licenses/verify answers: valid or not, why, the issuer,
// and the license as the verifier's masked view holds it, nothing more.

type verifyData struct {
	CSRF                   string
	Credential, Identifier string
	Result                 *license.Result
	// Standalone is set on /verify/{identifier}, which has no form.
	Standalone bool
}

// maxVerifyBody bounds the verification form: a credential pasted and one
// uploaded, with room for the rest.
const maxVerifyBody = 2*license.MaxCredentialBytes + 16<<10

// anyone resolves the session of cookie when there is one, so that the
// header shows who is logged in, and serves h logged in or not. The page
// checks its own CSRF token against the pre-session cookie.
func (c *Console) anyone(h http.HandlerFunc, cookie string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ck, err := r.Cookie(cookie); err == nil && ck.Value != "" {
			p, err := c.Orgs.Authenticate(r.Context(), ck.Value)
			citizenOnly := err == nil && p.HasRole(huitong.RoleCitizen) && len(p.Roles) == 1
			if err == nil && citizenOnly == (cookie == citizenCookie) {
				s := c.begin(w, r, p, ck.Value)
				r = r.WithContext(context.WithValue(huitong.WithPrincipal(r.Context(), p), sessionKey{}, s))
			}
		}
		h(w, r)
	})
}

func (c *Console) verifyCSRF(w http.ResponseWriter, r *http.Request) string {
	return c.csrfToken("verify", c.preSession(w, r, areaOf(r).prefix))
}

func (c *Console) verifyForm(w http.ResponseWriter, r *http.Request) {
	d := &verifyData{CSRF: c.verifyCSRF(w, r)}
	c.render(w, r, http.StatusOK, "verify", c.newPage(r, "verify.title", d))
}

// verifySubmit verifies what the form holds: an uploaded file first, then
// the credential pasted, then the identifier (or a verification link).
func (c *Console) verifySubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxVerifyBody)
	var err error
	if isMultipart(r) {
		err = r.ParseMultipartForm(maxVerifyBody)
		if r.MultipartForm != nil {
			defer r.MultipartForm.RemoveAll()
		}
	} else {
		err = r.ParseForm()
	}
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		c.fail(w, r, huitong.E(huitong.TooLarge, "body_too_large", "提交的内容过大", "the form is too large"))
		return
	}
	pre, cerr := r.Cookie(preCookie)
	if err != nil || cerr != nil || !c.csrfValid(r.FormValue("_csrf"), "verify", pre.Value) {
		c.csrfFailed(w, r)
		return
	}
	d := &verifyData{CSRF: c.verifyCSRF(w, r), Credential: strings.TrimSpace(r.FormValue("credential")),
		Identifier: strings.TrimSpace(r.FormValue("identifier"))}
	in := license.VerifyInput{Credential: d.Credential, Identifier: identifierOf(d.Identifier)}
	if strings.HasPrefix(in.Credential, ids.LicenseIDPrefix) {
		in.Credential, in.Identifier = "", identifierOf(in.Credential)
	}
	if f, _, ferr := r.FormFile("file"); ferr == nil {
		b, rerr := io.ReadAll(io.LimitReader(f, license.MaxCredentialBytes+1))
		f.Close()
		if rerr != nil || len(b) > license.MaxCredentialBytes {
			c.verifyFailed(w, r, d, huitong.Invalidf("validation_failed", "上传的凭证文件过大", "the credential file is too large").
				WithDetails(huitong.FieldError{Field: "file", Code: "too_large", Message: "凭证文件过大", MessageEN: "the file is too large"}))
			return
		}
		if s := strings.TrimSpace(string(b)); s != "" {
			in.Credential = s
		}
	}
	res, err := c.Licenses.Verify(r.Context(), in)
	if err != nil {
		c.verifyFailed(w, r, d, err)
		return
	}
	d.Result = &res
	c.render(w, r, http.StatusOK, "verify", c.newPage(r, "verify.title", d))
}

func (c *Console) verifyFailed(w http.ResponseWriter, r *http.Request, d *verifyData, err error) {
	if k := huitong.ErrorKind(err); k == huitong.Internal || k == huitong.Unavailable {
		c.fail(w, r, err)
		return
	}
	pg := c.newPage(r, "verify.title", d)
	pg.Err = errorsOf(err, pg.Lang)
	c.render(w, r, formStatus(err), "verify", pg)
}

// identifierOf returns the identifier of a verification link
// (…/verify/{identifier}), or s itself.
func identifierOf(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndex(s, "/verify/"); i >= 0 {
		s = s[i+len("/verify/"):]
		s, _, _ = strings.Cut(s, "/")
		s, _, _ = strings.Cut(s, "?")
	}
	return s
}

// LicensePage returns the handler of /verify/{identifier} for browsers,
// on both listeners: the verification of the identifier in the public
// layout, zh/en. Its stylesheet is inlined (and allowed by its hash), as
// neither listener serves the other's assets.
func (c *Console) LicensePage() http.Handler {
	return c.withLang(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", verifyPagePolicy)
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-store")
		if c.Licenses == nil {
			c.notFound(w, r)
			return
		}
		id := r.PathValue("identifier")
		res, err := c.Licenses.Verify(r.Context(), license.VerifyInput{Identifier: id})
		if err != nil {
			c.fail(w, r, err)
			return
		}
		status := http.StatusOK
		if res.Status == license.StatusNotFound || res.Status == license.StatusMalformed {
			status = http.StatusNotFound
		}
		d := &verifyData{Identifier: id, Result: &res, Standalone: true}
		c.render(w, r, status, "verify", c.newPage(r, "verify.page_title", d))
	}))
}

// inlineCSS is the stylesheet of the /verify/ pages, and verifyPagePolicy
// their Content-Security-Policy, which allows that stylesheet by its hash
// and nothing else inline.
var (
	inlineCSS        = template.CSS(assets["app.css"].data)
	verifyPagePolicy = func() string {
		sum := sha256.Sum256([]byte(inlineCSS))
		return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; img-src 'self' data:; " +
			"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
	}()
)
