package ingest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// sniffLen is how much of a file decides its encoding.
const sniffLen = 64 << 10

// normalizeCharset maps a charset label to the names used here: "utf-8",
// "gbk", "gb18030", "utf-16", "utf-16le", "utf-16be"; "" stays "".
func normalizeCharset(label string) (string, error) {
	switch s := strings.ToLower(strings.TrimSpace(label)); s {
	case "":
		return "", nil
	case "utf-8", "utf8", "unicode-1-1-utf-8", "us-ascii", "ascii":
		return "utf-8", nil // ASCII is a subset of UTF-8
	case "gbk", "gb2312", "gb_2312", "gb_2312-80", "cp936", "windows-936", "x-gbk", "csgb2312", "chinese", "euc-cn":
		return "gbk", nil
	case "gb18030":
		return "gb18030", nil
	case "utf-16", "utf16", "unicode", "ucs-2":
		return "utf-16", nil
	case "utf-16le", "utf-16be":
		return s, nil
	}
	return "", fileErrorf(CodeUnsupportedEncoding, 0,
		fmt.Sprintf("不支持的字符编码 %q：请使用 UTF-8、GBK、GB18030 或 UTF-16", label),
		fmt.Sprintf("unsupported character encoding %q: use UTF-8, GBK, GB18030 or UTF-16", label))
}

// textReader yields the UTF-8 text of a CSV upload in any accepted
// encoding, deciding the encoding from the first 64 KiB:
//
//   - a byte order mark (UTF-8, UTF-16 LE or BE) decides, and is dropped,
//     whatever was declared: it cannot be an accident;
//   - else a declared encoding decides;
//   - else valid UTF-8 is UTF-8 and anything else GB18030, the superset of
//     GBK and GB2312 that old Chinese systems export. A prefix that is all
//     ASCII decides nothing: the decision waits for the first non-ASCII
//     byte, however far into the file, and looks at the 64 KiB from there.
//
// GBK is decoded as GB18030 too: every GBK file is a GB18030 file, and
// exports labelled GBK often hold GB18030-only characters such as 䶮.
type textReader struct {
	br *bufio.Reader // the raw upload
	// r reads the text once the encoding is known; nil while the input has
	// been all ASCII.
	r       io.Reader
	charset string
	// decoded is set when r converts from another encoding; the decoder
	// puts U+FFFD for bytes it cannot decode, so U+FFFD in the text marks
	// a broken row. In UTF-8 text U+FFFD is an ordinary character and
	// broken bytes are found by utf8.Valid instead.
	decoded bool
}

// newTextReader sniffs r. Errors are *FileError: empty_file, not_csv
// (binary data), bad_encoding (a declared or BOM-marked UTF-8 file that is
// not, or bytes neither UTF-8 nor GB18030), read_error.
func newTextReader(r io.Reader, declared string) (*textReader, error) {
	t := &textReader{br: bufio.NewReaderSize(r, sniffLen)}
	head, err := t.br.Peek(sniffLen)
	atEOF := err != nil
	if err != nil && err != io.EOF {
		return nil, uploadReadError(err)
	}
	if len(head) == 0 {
		return nil, errEmptyFile()
	}
	switch {
	case bytes.HasPrefix(head, []byte("\xef\xbb\xbf")):
		_, _ = t.br.Discard(3)
		if err := checkBinary(head[3:]); err != nil {
			return nil, err
		}
		return t, t.useUTF8(head[3:], atEOF)
	case bytes.HasPrefix(head, []byte("\xff\xfe")):
		t.use("utf-16", unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM))
		return t, nil
	case bytes.HasPrefix(head, []byte("\xfe\xff")):
		t.use("utf-16", unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM))
		return t, nil
	}
	switch declared {
	case "utf-16":
		t.use("utf-16", unicode.UTF16(unicode.LittleEndian, unicode.UseBOM))
		return t, nil
	case "utf-16le":
		t.use("utf-16", unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM))
		return t, nil
	case "utf-16be":
		t.use("utf-16", unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM))
		return t, nil
	}
	if err := checkBinary(head); err != nil {
		return nil, err
	}
	switch declared {
	case "utf-8":
		return t, t.useUTF8(head, atEOF)
	case "gbk", "gb18030":
		t.use(declared, simplifiedchinese.GB18030)
		return t, nil
	}
	switch {
	case !validUTF8Prefix(head, atEOF):
		if !validGB18030Prefix(head, atEOF) {
			return nil, fileErrorf(CodeBadEncoding, 0,
				"无法识别文件的字符编码：既不是 UTF-8 也不是 GBK/GB18030，请另存为 UTF-8 后上传",
				"cannot tell the character encoding: the file is neither UTF-8 nor GBK/GB18030; save it as UTF-8")
		}
		t.use("gb18030", simplifiedchinese.GB18030)
	case atEOF || !allASCII(head):
		t.r, t.charset = t.br, "utf-8"
	default:
		t.charset = "utf-8" // so far; Read decides at the first non-ASCII byte
	}
	return t, nil
}

func errEmptyFile() *FileError {
	return fileErrorf(CodeEmptyFile, 0, "文件是空的", "the file is empty")
}

func (t *textReader) use(charset string, e encoding.Encoding) {
	t.r = transform.NewReader(t.br, e.NewDecoder())
	t.charset, t.decoded = charset, true
}

// useUTF8 reads the rest as UTF-8, which head must be.
func (t *textReader) useUTF8(head []byte, atEOF bool) error {
	t.r, t.charset = t.br, "utf-8"
	if !validUTF8Prefix(head, atEOF) {
		return fileErrorf(CodeBadEncoding, 0,
			"文件声明为 UTF-8，但内容不是有效的 UTF-8：请确认编码（常见为 GBK）",
			"the file is declared UTF-8 but is not valid UTF-8: check its encoding (often GBK)")
	}
	return nil
}

// Read reads decoded text. While the input has been all ASCII it passes
// bytes through, and decides the encoding at the first other byte.
func (t *textReader) Read(p []byte) (int, error) {
	if t.r != nil {
		return t.r.Read(p)
	}
	if len(p) == 0 {
		return 0, nil
	}
	n := t.br.Buffered()
	if n == 0 {
		n = 1 // Peek fills the buffer
	}
	buf, err := t.br.Peek(min(n, len(p)))
	if len(buf) == 0 {
		return 0, err
	}
	i := 0
	for i < len(buf) && buf[i] < utf8.RuneSelf {
		i++
	}
	if i > 0 {
		copy(p, buf[:i])
		_, _ = t.br.Discard(i)
		return i, nil
	}
	window, err := t.br.Peek(sniffLen)
	if err != nil && err != io.EOF {
		return 0, uploadReadError(err)
	}
	if validUTF8Prefix(window, err != nil) {
		t.r = t.br
	} else {
		t.use("gb18030", simplifiedchinese.GB18030)
	}
	return t.r.Read(p)
}

// checkBinary refuses data that is not text: NUL bytes, or the signature
// of a zip (XLSX) or OLE (old .xls) file.
func checkBinary(head []byte) error {
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return fileErrorf(CodeNotCSV, 0,
			"这是一个 Excel（XLSX）或压缩文件，不是 CSV：请按 XLSX 格式上传",
			"this is an Excel (XLSX) or zip file, not CSV: upload it as XLSX")
	case bytes.HasPrefix(head, []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")):
		return fileErrorf(CodeNotCSV, 0,
			"这是旧版 Excel（.xls）文件，不是 CSV：请另存为 .xlsx 或 CSV 后上传",
			"this is an old Excel (.xls) file, not CSV: save it as .xlsx or CSV")
	case bytes.IndexByte(head, 0) >= 0:
		return fileErrorf(CodeNotCSV, 0,
			"文件含有二进制数据（NUL 字节），不是文本 CSV；若是 UTF-16 文件请带 BOM 保存或声明编码",
			"the file holds binary data (NUL bytes), not CSV text; a UTF-16 file needs a BOM or a declared encoding")
	}
	return nil
}

// validUTF8Prefix reports whether p is valid UTF-8, allowing a character cut
// at the end of p when more input follows.
func validUTF8Prefix(p []byte, atEOF bool) bool {
	if !atEOF {
		for i := len(p) - 1; i >= 0 && i >= len(p)-utf8.UTFMax; i-- {
			if utf8.RuneStart(p[i]) {
				if !utf8.FullRune(p[i:]) {
					p = p[:i]
				}
				break
			}
		}
	}
	return utf8.Valid(p)
}

// validGB18030Prefix reports whether p decodes as GB18030 without
// replacement characters, allowing a character cut at the end of p when
// more input follows.
func validGB18030Prefix(p []byte, atEOF bool) bool {
	dst := make([]byte, 2*len(p)+utf8.UTFMax)
	nDst, _, err := simplifiedchinese.GB18030.NewDecoder().Transform(dst, p, atEOF)
	if err != nil && err != transform.ErrShortSrc {
		return false
	}
	return !bytes.ContainsRune(dst[:nDst], utf8.RuneError)
}

func allASCII(p []byte) bool {
	for _, b := range p {
		if b >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// utf8Reader passes bytes through and fails with a FileError bad_encoding
// at the first byte that is not UTF-8. JSON decoders replace such bytes
// silently; a data file must not change on the way in.
type utf8Reader struct {
	r       io.Reader
	pending []byte // an incomplete character at the end of the last read
	off     int64  // offset of pending[0]
	err     error
}

func (u *utf8Reader) Read(p []byte) (int, error) {
	if u.err != nil {
		return 0, u.err
	}
	n, err := u.r.Read(p)
	if err != nil && err != io.EOF {
		u.err = uploadReadError(err)
		return n, u.err
	}
	atEOF := err == io.EOF
	chunk := p[:n]
	if len(u.pending) > 0 {
		// A new array: chunk must not share u.pending's.
		chunk = append(u.pending[:len(u.pending):len(u.pending)], chunk...)
	}
	valid, pend := splitUTF8(chunk, atEOF)
	if !valid {
		// Hand over the good bytes first, so that whatever reads them gets
		// as far as it can (and can say where it stopped).
		good := validPrefix(chunk)
		u.err = fileErrorf(CodeBadEncoding, 0,
			fmt.Sprintf("文件第 %d 字节处有无效的 UTF-8 字节：JSON 文件必须是 UTF-8 编码", u.off+int64(good)),
			fmt.Sprintf("invalid UTF-8 at byte %d: a JSON file must be UTF-8", u.off+int64(good)))
		if fromP := good - (len(chunk) - n); fromP > 0 {
			return fromP, nil
		}
		return 0, u.err
	}
	u.off += int64(len(chunk) - pend)
	u.pending = append(u.pending[:0], chunk[len(chunk)-pend:]...)
	return n, err
}

// splitUTF8 validates chunk and returns how many bytes at its end start a
// character that continues in the next chunk.
func splitUTF8(chunk []byte, atEOF bool) (valid bool, pend int) {
	if !atEOF {
		for i := len(chunk) - 1; i >= 0 && i >= len(chunk)-utf8.UTFMax; i-- {
			if utf8.RuneStart(chunk[i]) {
				if !utf8.FullRune(chunk[i:]) {
					pend = len(chunk) - i
				}
				break
			}
		}
	}
	return utf8.Valid(chunk[:len(chunk)-pend]), pend
}

// validPrefix returns the length of the longest valid UTF-8 prefix of b.
func validPrefix(b []byte) int {
	i := 0
	for i < len(b) {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			break
		}
		i += size
	}
	return i
}
