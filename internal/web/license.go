package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"huitong"
	"huitong/internal/ingest"
	"huitong/internal/license"
)

// licenseRoutes are the routes of the license library. Verification, the
// published keys, status lists, verification pages and QR codes answer on
// both listeners; issuing and use are internal; citizens' own licenses and
// consents are public.
func (s *Server) licenseRoutes() []Route {
	var rs []Route
	for _, public := range []bool{false, true} {
		rs = append(rs,
			Route{Method: "POST", Pattern: "/api/v1/licenses/verify", Public: public, handler: s.verifyLicense},
			Route{Method: "GET", Pattern: "/.well-known/jwks.json", Public: public, handler: s.jwks},
			Route{Method: "GET", Pattern: "/status/{uscc}/{list}", Public: public, handler: s.statusList},
			Route{Method: "GET", Pattern: "/verify/{identifier}/qr.png", Public: public, handler: s.licenseQRPNG},
			Route{Method: "GET", Pattern: "/verify/{identifier}/qr.svg", Public: public, handler: s.licenseQRSVG},
			Route{Method: "POST", Pattern: "/api/v1/licenses/{identifier}/consents", Public: public, handler: s.createConsent},
			Route{Method: "GET", Pattern: "/api/v1/licenses/{identifier}/consents", Public: public, handler: s.licenseConsents},
			Route{Method: "DELETE", Pattern: "/api/v1/consents/{id}", Public: public, handler: s.withdrawConsent},
			Route{Method: "GET", Pattern: "/verify/{identifier}", Public: public, handler: s.verifyPage},
		)
	}
	return append(rs,
		Route{Method: "POST", Pattern: "/api/v1/license-types", handler: s.defineLicenseType},
		Route{Method: "GET", Pattern: "/api/v1/license-types", handler: s.listLicenseTypes},
		Route{Method: "GET", Pattern: "/api/v1/license-types/{code}", handler: s.getLicenseType},
		Route{Method: "POST", Pattern: "/api/v1/license-types/{code}/imports", handler: s.importLicenses},
		Route{Method: "POST", Pattern: "/api/v1/licenses", handler: s.issueLicense},
		Route{Method: "GET", Pattern: "/api/v1/licenses", handler: s.listLicenses},
		Route{Method: "GET", Pattern: "/api/v1/licenses/{identifier}", handler: s.getLicense},
		Route{Method: "POST", Pattern: "/api/v1/licenses/{identifier}/revoke", handler: s.revokeLicense},
		Route{Method: "POST", Pattern: "/api/v1/licenses/{identifier}/reissue", handler: s.reissueLicense},
		Route{Method: "GET", Pattern: "/api/v1/consents", handler: s.grantedConsents},
		Route{Method: "POST", Pattern: "/api/v1/license-keys/{uscc}/rotate", handler: s.rotateLicenseKey},

		Route{Method: "GET", Pattern: "/api/v1/my/licenses", Public: true, handler: s.myLicenses},
		Route{Method: "GET", Pattern: "/api/v1/my/consents", Public: true, handler: s.myConsents},
	)
}

func (s *Server) defineLicenseType(w http.ResponseWriter, r *http.Request) {
	var in license.Type
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	t, err := s.Licenses.DefineType(r.Context(), in)
	answer(s, w, r, http.StatusCreated, t, err)
}

func (s *Server) listLicenseTypes(w http.ResponseWriter, r *http.Request) {
	ts, err := s.Licenses.Types(r.Context())
	answer(s, w, r, http.StatusOK, map[string]any{"items": ts}, err)
}

func (s *Server) getLicenseType(w http.ResponseWriter, r *http.Request) {
	if _, err := huitong.Require(r.Context()); err != nil {
		s.writeError(w, r, err)
		return
	}
	t, err := s.Licenses.Type(r.Context(), r.PathValue("code"))
	answer(s, w, r, http.StatusOK, t, err)
}

func (s *Server) importLicenses(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	body := ingest.SizeLimited(http.MaxBytesReader(w, r.Body, ingest.MaxUploadBytes))
	rep, err := s.Licenses.Import(r.Context(), r.PathValue("code"), license.ImportInput{
		Body: body, ContentType: r.Header.Get("Content-Type"), Filename: q.Get("filename"),
		Encoding: q.Get("encoding"), Sheet: q.Get("sheet"),
	})
	answer(s, w, r, http.StatusCreated, rep, err)
}

func (s *Server) issueLicense(w http.ResponseWriter, r *http.Request) {
	var in license.IssueInput
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	l, err := s.Licenses.Issue(r.Context(), in)
	answer(s, w, r, http.StatusCreated, l, err)
}

func (s *Server) licenseQuery(r *http.Request) (license.Query, error) {
	q := r.URL.Query()
	n, err := limitParam(r)
	return license.Query{TypeCode: q.Get("type_code"), HolderCode: q.Get("holder_code"), Status: q.Get("status"),
		IssuedFrom: q.Get("issued_from"), IssuedTo: q.Get("issued_to"), Limit: n, PageToken: q.Get("page_token")}, err
}

func (s *Server) listLicenses(w http.ResponseWriter, r *http.Request) {
	q, err := s.licenseQuery(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.Licenses.List(r.Context(), q)
	answer(s, w, r, http.StatusOK, p, err)
}

func (s *Server) myLicenses(w http.ResponseWriter, r *http.Request) {
	q, err := s.licenseQuery(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.Licenses.Mine(r.Context(), q)
	answer(s, w, r, http.StatusOK, p, err)
}

func (s *Server) getLicense(w http.ResponseWriter, r *http.Request) {
	l, err := s.Licenses.Get(r.Context(), r.PathValue("identifier"))
	answer(s, w, r, http.StatusOK, l, err)
}

func (s *Server) revokeLicense(w http.ResponseWriter, r *http.Request) {
	var in license.RevokeInput
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	l, err := s.Licenses.Revoke(r.Context(), r.PathValue("identifier"), in)
	answer(s, w, r, http.StatusOK, l, err)
}

func (s *Server) reissueLicense(w http.ResponseWriter, r *http.Request) {
	var in license.ReissueInput
	if err := decodeOptionalJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	l, err := s.Licenses.Reissue(r.Context(), r.PathValue("identifier"), in)
	answer(s, w, r, http.StatusCreated, l, err)
}

func (s *Server) createConsent(w http.ResponseWriter, r *http.Request) {
	var in license.ConsentInput
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.Licenses.Consent(r.Context(), r.PathValue("identifier"), in)
	answer(s, w, r, http.StatusCreated, c, err)
}

func (s *Server) licenseConsents(w http.ResponseWriter, r *http.Request) {
	cs, err := s.Licenses.Consents(r.Context(), r.PathValue("identifier"), false)
	answer(s, w, r, http.StatusOK, map[string]any{"items": cs}, err)
}

func (s *Server) myConsents(w http.ResponseWriter, r *http.Request) {
	cs, err := s.Licenses.Consents(r.Context(), "", false)
	answer(s, w, r, http.StatusOK, map[string]any{"items": cs}, err)
}

func (s *Server) grantedConsents(w http.ResponseWriter, r *http.Request) {
	cs, err := s.Licenses.Consents(r.Context(), "", true)
	answer(s, w, r, http.StatusOK, map[string]any{"items": cs}, err)
}

func (s *Server) withdrawConsent(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.Licenses.WithdrawConsent(r.Context(), id)
	answer(s, w, r, http.StatusOK, c, err)
}

func (s *Server) rotateLicenseKey(w http.ResponseWriter, r *http.Request) {
	k, err := s.Licenses.RotateKey(r.Context(), r.PathValue("uscc"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"kid": k.ID, "issuer_uscc": k.IssuerUSCC, "created_at": k.CreatedAt})
}

func (s *Server) verifyLicense(w http.ResponseWriter, r *http.Request) {
	var in license.VerifyInput
	body := http.MaxBytesReader(w, r.Body, license.MaxCredentialBytes+4096)
	if err := decodeBody(body, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.Licenses.Verify(r.Context(), in)
	answer(s, w, r, http.StatusOK, res, err)
}

// verifyPage answers /verify/{identifier}, what a license's QR code opens:
// the LicensePage for browsers when set, else the verification in JSON.
func (s *Server) verifyPage(w http.ResponseWriter, r *http.Request) {
	if s.LicensePage != nil && !strings.Contains(r.Header.Get("Accept"), "application/json") {
		s.LicensePage.ServeHTTP(w, r)
		return
	}
	res, err := s.Licenses.Verify(r.Context(), license.VerifyInput{Identifier: r.PathValue("identifier")})
	answer(s, w, r, http.StatusOK, res, err)
}

func (s *Server) jwks(w http.ResponseWriter, r *http.Request) {
	keys, err := s.Licenses.Keys.Keys(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	b, err := json.Marshal(license.JWKS(keys))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=60")
	w.Header().Set("Content-Type", "application/jwk-set+json")
	w.Write(b)
}

func (s *Server) statusList(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.PathValue("list"))
	if err != nil {
		s.writeError(w, r, huitong.NotFoundf("status_list_not_found", "状态列表不存在", "no such status list"))
		return
	}
	token, err := s.Licenses.StatusList(r.Context(), r.PathValue("uscc"), n)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/vc+jwt")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write([]byte(token))
}

// qrTarget returns the verification URL of an identifier, if well formed.
func (s *Server) qrTarget(w http.ResponseWriter, r *http.Request) (string, bool) {
	id := r.PathValue("identifier")
	res, err := s.Licenses.Verify(r.Context(), license.VerifyInput{Identifier: id})
	if err != nil {
		s.writeError(w, r, err)
		return "", false
	}
	if res.Status == license.StatusMalformed || res.Status == license.StatusNotFound {
		s.writeError(w, r, huitong.NotFoundf("license_not_found", "证照 %s 不存在", "license %s not found", id))
		return "", false
	}
	return s.Licenses.PublicURL + "/verify/" + id, true
}

func (s *Server) licenseQRPNG(w http.ResponseWriter, r *http.Request) {
	url, ok := s.qrTarget(w, r)
	if !ok {
		return
	}
	size, _ := strconv.Atoi(r.URL.Query().Get("size"))
	if size < 64 || size > 1024 {
		size = 256
	}
	png, err := license.QRPNG(url, size)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Write(png)
}

func (s *Server) licenseQRSVG(w http.ResponseWriter, r *http.Request) {
	url, ok := s.qrTarget(w, r)
	if !ok {
		return
	}
	svg, err := license.QRSVG(url)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Write(svg)
}
