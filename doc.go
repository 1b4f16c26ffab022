// Package huitong holds the vocabulary every part of the platform shares: the
// error kinds that become stable API codes, and the principal (the user or app)
// on whose behalf a call runs.
//
// # Errors
//
// Domain services return *Error values built with Invalidf, NotFoundf and the
// other constructors. Each carries a Kind, a stable snake_case Code, and a
// message in Chinese and in English. The web package maps the Kind to an HTTP
// status in exactly one place; anything that is not an *Error is an internal
// fault whose detail is logged and never shown to the caller.
//
// # Principals
//
// Authentication puts a *Principal into the request context with
// WithPrincipal; services read it with PrincipalFrom and decide with its
// HasRole and InOrg methods.
package huitong
