// Package license is the electronic license library (电子证照库): license
// types, issuance of licenses identified per GB/T 36904 and signed as W3C
// Verifiable Credentials 2.0 secured with JOSE (a compact JWS with typ
// vc+jwt), revocation through W3C Bitstring Status Lists, re-issue as a new
// version, verification online and offline, and the holder's consent for a
// department to use a license (授权用证).
//
// The credential layer (Sign, Verify, status lists, JWKS) needs no database:
// the offline verifier of the command line uses it with a published JWKS and
// status list only. The Service adds the library on top of a Store.
package license
