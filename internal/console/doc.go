// Package console is the web console of huitong: server-rendered pages,
// Chinese first with English switchable, over the same domain services the
// JSON API calls, so that every page is authorised and audited exactly as
// its API twin.
//
// # Two handlers
//
// [Console.Handler] serves the department console under /console/ on the
// internal listener (政务外网); [Console.PublicHandler] serves the citizen
// pages under /my/ on the public listener (互联网). Each side has its own
// cookie and its own path, so that a cookie of one side is never sent to
// the other.
//
// # License library
//
// With Console.Licenses set, the internal console has the issuers' pages
// under /console/licenses (list, issue, revoke, re-issue, import, types)
// and both sides a verification form (/console/verify, /my/verify) that
// anyone may use, logged in or not; citizens get /my/licenses and
// /my/consents. [Console.LicensePage] renders /verify/{identifier}, what a
// license's QR code opens, on either listener: as neither serves the
// other's assets, that page carries its stylesheet inline, allowed by its
// hash in its Content-Security-Policy.
//
// # Sessions and CSRF
//
// Logging in with the form calls org.Service.Login and keeps the very
// session token the API hands out in the HttpOnly, SameSite=Lax cookie
// huitong_session (huitong_citizen on the public side). Each request
// resolves it with org.Service.Authenticate and puts the principal into the
// context, as the API's bearer middleware does. Every POST form carries
// _csrf, an HMAC of the session token under Console.CSRFKey; the login and
// verification forms bind it to a random pre-session cookie instead.
//
// # Templates and assets
//
// Pages are html/template files embedded in the binary and parsed once, at
// start, for each language. Files under assets/ are embedded too and served
// under /console/assets/<content hash>/ (and /my/assets/<hash>/), immutable,
// so that a new build never meets a stale cache. The Content-Security-Policy
// allows scripts and styles from the binary itself only: no inline script,
// no outside URL.
//
// # Dashboard
//
// /console/dashboard holds the chart containers (ids in DashboardCharts)
// and loads assets/vendor/echarts.min.js and assets/dashboard.js when they
// are embedded. The scripts fetch their figures from the console's bridge
// to the JSON API (GET /console/api/v1/stats/dashboard, named by the
// data-source attribute of #dashboard), which calls the API handler with
// the session's principal: the same handler, the same checks.
package console
