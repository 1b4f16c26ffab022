package console

import (
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"huitong"
	"huitong/internal/catalog"
	"huitong/internal/ingest"
)

type dataData struct {
	R        catalog.Resource
	CanWrite bool
	Quality  *ingest.Quality
	Spark    *sparkline
	Batches  []ingest.Batch
	Pager    pager
}

// dataPage shows a resource's data: the upload form for the provider, the
// quality report, and the batch history.
func (c *Console) dataPage(w http.ResponseWriter, r *http.Request) {
	d, err := c.dataOf(r, r.PathValue("code"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "data", c.newPage(r, "data.title", d))
}

func (c *Console) dataOf(r *http.Request, code string) (*dataData, error) {
	ctx := r.Context()
	res, err := c.Catalog.Get(ctx, code)
	if err != nil {
		return nil, err
	}
	p := sessionFrom(ctx).P
	if !canReadData(p, res.ProviderUSCC) {
		return nil, huitong.ErrForbidden
	}
	d := &dataData{R: res, CanWrite: canWrite(p, res.ProviderUSCC)}
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	bs, next, err := c.Ingest.ListBatches(ctx, code, max(0, before))
	if err != nil {
		return nil, err
	}
	d.Batches, d.Pager = bs, pagerOf(r, "before", next)
	q, err := c.Ingest.Quality(ctx, code)
	if err != nil {
		return nil, err
	}
	d.Quality = &q
	vals := make([]float64, len(q.Trend))
	labels := make([]string, len(q.Trend))
	for i, b := range q.Trend {
		vals[i], labels[i] = b.Validity, strconv.FormatInt(b.BatchID, 10)
	}
	d.Spark = newSparkline(vals, labels)
	return d, nil
}

// upload feeds a file into a resource, as POST /api/v1/resources/{code}/
// batches does, from a multipart form streamed part by part.
func (c *Console) upload(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	up := ingest.Upload{}
	part := c.uploadPart(w, r, func(name, v string) {
		switch name {
		case "mode":
			up.Mode = v
		case "encoding":
			up.Encoding = v
		case "sheet":
			up.Sheet = v
		case "strict":
			up.Strict = v != ""
		}
	}, func(err error) { c.uploadFailed(w, r, code, err) })
	if part == nil {
		return
	}
	up.Body, up.Filename, up.ContentType = ingest.SizeLimited(part), part.FileName(), part.Header.Get("Content-Type")
	b, err := c.Ingest.Ingest(r.Context(), code, up)
	if err != nil {
		c.uploadFailed(w, r, code, err)
		return
	}
	see(w, r, withFlash("/console/batches/"+strconv.FormatInt(b.ID, 10), "uploaded"))
}

// uploadPart reads an upload form streamed part by part, its body limited
// to ingest.MaxUploadBytes: the CSRF token and the options come first,
// each option handed to option, then the file, which is never held whole.
// It returns the file's part once the CSRF token checks. Otherwise it has
// answered and returns nil: a bad token itself, any other problem through
// failed.
func (c *Console) uploadPart(w http.ResponseWriter, r *http.Request, option func(name, value string), failed func(error)) *multipart.Part {
	s := sessionFrom(r.Context())
	r.Body = http.MaxBytesReader(w, r.Body, ingest.MaxUploadBytes)
	mr, err := r.MultipartReader()
	if err != nil {
		failed(huitong.Invalidf("not_multipart", "请通过上传表单提交文件", "send the file with the upload form"))
		return nil
	}
	sent := ""
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			failed(noFile())
			return nil
		}
		if err != nil {
			failed(huitong.Invalidf("bad_upload", "上传中断或格式错误，请重试", "the upload was cut off or malformed; try again"))
			return nil
		}
		if part.FormName() == "file" {
			if !s.CSRFOK && !c.csrfValid(sent, "session", s.Token) {
				c.csrfFailed(w, r)
				return nil
			}
			if part.FileName() == "" {
				failed(noFile())
				return nil
			}
			return part
		}
		v := formValue(part)
		if part.FormName() == "_csrf" {
			sent = v
		} else {
			option(part.FormName(), v)
		}
	}
}

func noFile() error {
	var v huitong.Validation
	v.Add("file", "required", "请选择要上传的文件", "choose a file to upload")
	return v.Err()
}

// formValue reads a small form field of a multipart body.
func formValue(p *multipart.Part) string {
	b, _ := io.ReadAll(io.LimitReader(p, 4096))
	return strings.TrimSpace(string(b))
}

func (c *Console) uploadFailed(w http.ResponseWriter, r *http.Request, code string, err error) {
	if k := huitong.ErrorKind(err); k == huitong.Internal || k == huitong.NotFound || k == huitong.Forbidden || k == huitong.Unavailable {
		c.fail(w, r, err)
		return
	}
	d, lerr := c.dataOf(r, code)
	if lerr != nil {
		c.fail(w, r, lerr)
		return
	}
	pg := c.newPage(r, "data.title", d)
	pg.Err = errorsOf(err, pg.Lang)
	c.render(w, r, formStatus(err), "data", pg)
}

type batchData struct {
	B           ingest.Batch
	CanDownload bool
}

func batchID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

func (c *Console) batchView(w http.ResponseWriter, r *http.Request) {
	id, ok := batchID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	b, err := c.Ingest.GetBatch(r.Context(), id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d := batchData{B: b}
	if res, err := c.Catalog.Get(r.Context(), b.ResourceCode); err == nil {
		d.CanDownload = canWrite(sessionFrom(r.Context()).P, res.ProviderUSCC)
	}
	c.render(w, r, http.StatusOK, "batch", c.newPage(r, "batch.page_title", d))
}

// batchErrors downloads a batch's rejected rows and findings as XLSX,
// from the same report the API's errors download serves.
func (c *Console) batchErrors(w http.ResponseWriter, r *http.Request) {
	id, ok := batchID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	rep, err := c.Ingest.BatchReport(r.Context(), id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	f, err := rep.Workbook()
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="batch-%d-errors.xlsx"`, id))
	f.Write(w)
}
