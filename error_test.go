package huitong

import "testing"

func TestHTTPStatus(t *testing.T) {
	for kind, want := range map[Kind]int{Invalid: 400, Unauthenticated: 401, Forbidden: 403, NotFound: 404,
		MethodNotAllowed: 405, Conflict: 409, TooLarge: 413, RateLimited: 429, Internal: 500, Unavailable: 503, Kind(99): 500} {
		if got := kind.HTTPStatus(); got != want {
			t.Errorf("%v.HTTPStatus() = %d, want %d", kind, got, want)
		}
	}
}
