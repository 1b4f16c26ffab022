package ingest

import (
	"errors"
	"fmt"
	"io"
	"net/http"

	"huitong"
)

// MaxUploadBytes bounds one uploaded data file, through the API and the
// console alike.
const MaxUploadBytes = 4 << 30

// SizeLimited reads an upload cut at a listener's size limit
// (http.MaxBytesReader), turning the limit into a 413 error for the reader
// that hits it.
func SizeLimited(r io.Reader) io.Reader { return sizeLimited{r} }

type sizeLimited struct{ r io.Reader }

func (s sizeLimited) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		err = &huitong.Error{Kind: huitong.TooLarge, Code: "body_too_large",
			Message:   fmt.Sprintf("上传文件过大（上限 %d GiB）", mb.Limit>>30),
			MessageEN: fmt.Sprintf("the file is too large (limit %d GiB)", mb.Limit>>30)}
	}
	return n, err
}
