package console

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"huitong"
	"huitong/internal/license"
	"huitong/internal/org"
)

// The citizens' license pages on the public listener: my licenses with
// their QR codes and credentials, my consents (授权用证) with a button to
// withdraw one, and the form that lets a department use one license.

// licenseCitizenPages registers the citizens' license pages and the
// verification page on the public side's mux.
func (c *Console) licenseCitizenPages(mux *http.ServeMux) {
	mux.Handle("GET /my/licenses", c.citizen(c.myLicenses))
	mux.Handle("GET /my/licenses/{identifier}/consent", c.citizen(c.consentForm))
	mux.Handle("POST /my/licenses/{identifier}/consent", c.citizen(c.consentSubmit))
	mux.Handle("GET /my/consents", c.citizen(c.myConsents))
	mux.Handle("POST /my/consents/{id}/withdraw", c.citizen(c.consentWithdraw))
	mux.Handle("GET /my/verify", c.anyone(c.verifyForm, citizenCookie))
	mux.Handle("POST /my/verify", c.anyone(c.verifySubmit, citizenCookie))
}

// myLicense is one of the citizen's licenses with its fields titled.
type myLicense struct {
	L    license.License
	Rows []valueRow
}

type myLicensesData struct {
	Items []myLicense
	Pager pager
}

const myLicensePageSize = 20

// myLicenses lists the citizen's licenses, as GET /api/v1/my/licenses.
func (c *Console) myLicenses(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	page, err := c.Licenses.Mine(ctx, license.Query{Limit: myLicensePageSize, PageToken: r.URL.Query().Get("page_token")})
	if err != nil {
		if huitong.ErrorKind(err) != huitong.Invalid {
			c.fail(w, r, err)
			return
		}
		pg := c.newPage(r, "my.licenses_title", &myLicensesData{})
		pg.Err = errorsOf(err, pg.Lang)
		c.render(w, r, http.StatusBadRequest, "my_licenses", pg)
		return
	}
	d := &myLicensesData{Pager: pagerOf(r, "page_token", page.NextPageToken)}
	for _, l := range page.Items {
		it := myLicense{L: l}
		if t, err := c.Licenses.Type(ctx, l.TypeCode); err == nil {
			it.Rows = valueRows(t, l.Data)
		}
		d.Items = append(d.Items, it)
	}
	c.render(w, r, http.StatusOK, "my_licenses", c.newPage(r, "my.licenses_title", d))
}

// mine finds one of the citizen's licenses; NotFound when the citizen
// holds none of that identifier.
func (c *Console) mine(ctx context.Context, id string) (license.License, error) {
	tok := ""
	for range 20 {
		page, err := c.Licenses.Mine(ctx, license.Query{Limit: 100, PageToken: tok})
		if err != nil {
			return license.License{}, err
		}
		for _, l := range page.Items {
			if l.Identifier == id {
				return l, nil
			}
		}
		if tok = page.NextPageToken; tok == "" {
			break
		}
	}
	return license.License{}, huitong.NotFoundf("license_not_found", "您没有证照 %s", "you hold no license %s", huitong.Clip(id, 80))
}

// consentForm is the consent form as the page holds it.
type consentForm struct {
	Grantee, GranteeUSCC, Purpose, Until string
	OneTime                              bool
}

type consentData struct {
	L    license.License
	Orgs []org.Org
	F    consentForm
}

func (c *Console) consentPage(r *http.Request, f consentForm) (*consentData, error) {
	l, err := c.mine(r.Context(), r.PathValue("identifier"))
	if err != nil {
		return nil, err
	}
	l.Credential = ""
	return &consentData{L: l, Orgs: c.orgs(r.Context()), F: f}, nil
}

func (c *Console) consentForm(w http.ResponseWriter, r *http.Request) {
	d, err := c.consentPage(r, consentForm{})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "my_consent", c.newPage(r, "my.consent_title", d))
}

// consentSubmit gives a consent, as POST /api/v1/licenses/{id}/consents:
// the USCC typed in wins over the org chosen from the list.
func (c *Console) consentSubmit(w http.ResponseWriter, r *http.Request) {
	pf := r.PostForm
	f := consentForm{Grantee: pf.Get("grantee"), GranteeUSCC: strings.TrimSpace(pf.Get("grantee_uscc")),
		Purpose: strings.TrimSpace(pf.Get("purpose")), Until: strings.TrimSpace(pf.Get("expires_at")), OneTime: pf.Get("one_time") != ""}
	in := license.ConsentInput{GranteeUSCC: f.GranteeUSCC, Purpose: f.Purpose, ExpiresAt: f.Until, OneTime: f.OneTime}
	if in.GranteeUSCC == "" {
		in.GranteeUSCC = f.Grantee
	}
	_, err := c.Licenses.Consent(r.Context(), r.PathValue("identifier"), in)
	if err == nil {
		see(w, r, withFlash("/my/consents", "consented"))
		return
	}
	if k := huitong.ErrorKind(err); k == huitong.Internal || k == huitong.Unavailable || k == huitong.NotFound || k == huitong.Forbidden {
		c.fail(w, r, err)
		return
	}
	d, lerr := c.consentPage(r, f)
	if lerr != nil {
		c.fail(w, r, lerr)
		return
	}
	pg := c.newPage(r, "my.consent_title", d)
	pg.Err = errorsOf(err, pg.Lang)
	c.render(w, r, formStatus(err), "my_consent", pg)
}

type myConsentsData struct {
	Items []license.Consent
}

func (c *Console) myConsents(w http.ResponseWriter, r *http.Request) {
	c.consents(w, r, http.StatusOK, formErrors{})
}

// consents lists the citizen's consents, as GET /api/v1/my/consents, with
// fe from a failed withdrawal.
func (c *Console) consents(w http.ResponseWriter, r *http.Request, status int, fe formErrors) {
	cs, err := c.Licenses.Consents(r.Context(), "", false)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	pg := c.newPage(r, "my.consents_title", &myConsentsData{Items: cs})
	pg.Err = fe
	c.render(w, r, status, "my_consents", pg)
}

// consentWithdraw withdraws a consent, as DELETE /api/v1/consents/{id}.
func (c *Console) consentWithdraw(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		c.notFound(w, r)
		return
	}
	if _, err = c.Licenses.WithdrawConsent(r.Context(), id); err == nil {
		see(w, r, withFlash("/my/consents", "consent_withdrawn"))
		return
	}
	if k := huitong.ErrorKind(err); k != huitong.Conflict && k != huitong.Invalid {
		c.fail(w, r, err)
		return
	}
	c.consents(w, r, formStatus(err), errorsOf(err, langOf(r.Context())))
}
