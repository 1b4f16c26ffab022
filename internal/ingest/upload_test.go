package ingest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"huitong"
)

func TestSizeLimited(t *testing.T) {
	body := http.MaxBytesReader(httptest.NewRecorder(), io.NopCloser(strings.NewReader("0123456789")), 4)
	_, err := io.ReadAll(SizeLimited(body))
	if huitong.ErrorKind(err) != huitong.TooLarge || huitong.ErrorCode(err) != "body_too_large" {
		t.Errorf("over the limit: %v", err)
	}
	got, err := io.ReadAll(SizeLimited(strings.NewReader("abc")))
	if err != nil || string(got) != "abc" {
		t.Errorf("under the limit: %q, %v", got, err)
	}
}
