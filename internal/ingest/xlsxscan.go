package ingest

import (
	"bufio"
	"bytes"
	"io"
	"strconv"
	"unicode/utf8"
)

// sheetScanner splits worksheet XML into the tokens plainSheet needs,
// without allocating per token as encoding/xml does: start and end tags
// by local name (prefixes dropped, as xml.Decoder.RawToken's Name.Local),
// attribute values and text with entities decoded and line ends
// normalised, as encoding/xml does them. What it does not handle (CDATA,
// a document type, a non-UTF-8 encoding, an unknown entity, invalid
// UTF-8) is errNotPlain, and excelize reads the sheet instead.
type sheetScanner struct {
	r *bufio.Reader

	kind      int // scanStart, scanEnd, scanText
	name      []byte
	attrs     []scanAttr
	text      []byte
	selfClose bool // the start tag just returned closes itself
	pendEnd   bool
	buf       []byte // backing for attribute values
	names     []byte // backing for the names of the current token
	bytewise  bool   // read one byte at a time: what FuzzSheetScanner compares the fast path with
}

type scanAttr struct {
	name  []byte
	value []byte
}

const (
	scanStart = iota + 1
	scanEnd
	scanText
)

func newSheetScanner(r io.Reader) *sheetScanner {
	return &sheetScanner{r: bufio.NewReaderSize(r, 64<<10)}
}

// attr returns the value of the attribute with the local name n.
func (s *sheetScanner) attr(n string) ([]byte, bool) {
	for _, a := range s.attrs {
		if string(a.name) == n {
			return a.value, true
		}
	}
	return nil, false
}

// next reads the next token. At the end of the input it returns io.EOF.
func (s *sheetScanner) next() error {
	if s.pendEnd {
		s.pendEnd = false
		s.kind = scanEnd
		return nil
	}
	s.names = s.names[:0]
	c, err := s.r.ReadByte()
	if err != nil {
		return err
	}
	if c != '<' {
		s.r.UnreadByte()
		s.text = s.text[:0]
		var err error
		if s.text, err = s.readText(s.text, '<'); err != nil && err != io.EOF {
			return err
		}
		s.kind = scanText
		return nil
	}
	c, err = s.r.ReadByte()
	if err != nil {
		return errNotPlain
	}
	switch c {
	case '?':
		// <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
		body, err := s.skipTo("?>")
		if err != nil {
			return err
		}
		if i := bytes.Index(body, []byte("encoding=")); i >= 0 {
			enc := bytes.ToLower(body[i+len("encoding="):])
			if !bytes.HasPrefix(enc, []byte(`"utf-8"`)) && !bytes.HasPrefix(enc, []byte(`'utf-8'`)) {
				return errNotPlain
			}
		}
		return s.next()
	case '!':
		if b, _ := s.r.Peek(2); string(b) == "--" {
			if _, err := s.skipTo("-->"); err != nil {
				return err
			}
			return s.next()
		}
		return errNotPlain // CDATA, DOCTYPE
	case '/':
		name, err := s.readName()
		if err != nil {
			return err
		}
		s.skipSpace()
		if c, err := s.r.ReadByte(); err != nil || c != '>' {
			return errNotPlain
		}
		s.name, s.kind = name, scanEnd
		return nil
	}
	s.r.UnreadByte()
	name, err := s.readName()
	if err != nil {
		return err
	}
	s.name, s.kind, s.selfClose = name, scanStart, false
	s.attrs, s.buf = s.attrs[:0], s.buf[:0]
	for {
		s.skipSpace()
		c, err := s.r.ReadByte()
		if err != nil {
			return errNotPlain
		}
		switch c {
		case '>':
			return nil
		case '/':
			if c, err := s.r.ReadByte(); err != nil || c != '>' {
				return errNotPlain
			}
			s.selfClose, s.pendEnd = true, true
			return nil
		}
		s.r.UnreadByte()
		an, err := s.readName()
		if err != nil {
			return err
		}
		s.skipSpace()
		if c, err := s.r.ReadByte(); err != nil || c != '=' {
			return errNotPlain
		}
		s.skipSpace()
		q, err := s.r.ReadByte()
		if err != nil || (q != '"' && q != '\'') {
			return errNotPlain
		}
		start := len(s.buf)
		if s.buf, err = s.readText(s.buf, q); err != nil {
			return errNotPlain
		}
		if _, err := s.r.ReadByte(); err != nil { // the closing quote
			return errNotPlain
		}
		s.attrs = append(s.attrs, scanAttr{name: an, value: s.buf[start:len(s.buf):len(s.buf)]})
	}
}

// readName reads a tag or attribute name and returns its local part. The
// slice is valid until the next token.
func (s *sheetScanner) readName() ([]byte, error) {
	start := len(s.names)
	name := s.names
	for {
		// The bytes of a name are copied straight from the read buffer;
		// the one after it is looked at below.
		w := s.window()
		i := 0
		for i < len(w) && !nameStop[w[i]] {
			i++
		}
		name = append(name, w[:i]...)
		s.r.Discard(i)
		if i < len(w) && nameEnd(w[i]) {
			break // the byte after the name, left unread
		}
		b, err := s.r.ReadByte()
		if err != nil {
			return nil, errNotPlain
		}
		if nameEnd(b) {
			s.r.UnreadByte()
			break
		}
		if b == '<' || b == '"' || b == '\'' || b == '&' {
			return nil, errNotPlain
		}
		name = append(name, b)
	}
	s.names = name
	name = name[start:len(name):len(name)]
	if len(name) == 0 {
		return nil, errNotPlain
	}
	if i := bytes.LastIndexByte(name, ':'); i >= 0 {
		name = name[i+1:]
	}
	return name, nil
}

// nameStop marks the bytes that end a name or have no place in one.
var nameStop = [256]bool{' ': true, '\t': true, '\n': true, '\r': true, '>': true, '/': true, '=': true,
	'<': true, '"': true, '\'': true, '&': true}

// textStop marks the bytes readText must look at one by one: the ends of
// a text or value, line ends to normalise, entities, and control
// characters (among which tab and newline are plain).
var textStop = func() (t [256]bool) {
	for b := 0; b < 0x20; b++ {
		t[b] = b != '\t' && b != '\n'
	}
	t['<'], t['&'], t['"'], t['\''] = true, true, true, true
	return t
}()

// window returns the bytes already read into the buffer, reading more
// first when there are none; at the end of the input or on an error it is
// empty, and the next ReadByte reports why.
func (s *sheetScanner) window() []byte {
	if s.bytewise {
		return nil
	}
	if s.r.Buffered() == 0 {
		s.r.Peek(1)
	}
	w, _ := s.r.Peek(s.r.Buffered())
	return w
}

// nameEnd reports whether b ends a name.
func nameEnd(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '>' || b == '/' || b == '='
}

func (s *sheetScanner) skipSpace() {
	w := s.window()
	i := 0
	for i < len(w) && (w[i] == ' ' || w[i] == '\t' || w[i] == '\n' || w[i] == '\r') {
		i++
	}
	s.r.Discard(i)
	if i < len(w) {
		return // a byte other than space, left unread
	}
	for {
		b, err := s.r.ReadByte()
		if err != nil {
			return
		}
		if b != ' ' && b != '\t' && b != '\n' && b != '\r' {
			s.r.UnreadByte()
			return
		}
	}
}

// skipTo reads past the next occurrence of end and returns what came
// before it.
func (s *sheetScanner) skipTo(end string) ([]byte, error) {
	var body []byte
	for {
		b, err := s.r.ReadByte()
		if err != nil {
			return nil, errNotPlain
		}
		body = append(body, b)
		if bytes.HasSuffix(body, []byte(end)) {
			return body[:len(body)-len(end)], nil
		}
		if len(body) > 1<<16 {
			return nil, errNotPlain
		}
	}
}

// readText appends decoded text up to (not including) the byte stop.
func (s *sheetScanner) readText(dst []byte, stop byte) ([]byte, error) {
	start := len(dst)
	for {
		// Plain bytes are copied straight from the read buffer; the rest
		// go through the switch below one at a time.
		w := s.window()
		i := 0
		for i < len(w) && !textStop[w[i]] && w[i] != stop {
			i++
		}
		dst = append(dst, w[:i]...)
		s.r.Discard(i)
		if i < len(w) && w[i] == stop {
			// The stop byte, left unread.
			if !utf8.Valid(dst[start:]) {
				return dst, errNotPlain
			}
			return dst, nil
		}
		b, err := s.r.ReadByte()
		if err != nil {
			if !utf8.Valid(dst[start:]) {
				return dst, errNotPlain
			}
			return dst, err
		}
		switch b {
		case stop:
			s.r.UnreadByte()
			if !utf8.Valid(dst[start:]) {
				return dst, errNotPlain
			}
			return dst, nil
		case '<':
			return dst, errNotPlain // in an attribute value
		case '\r':
			// Line ends become \n, as encoding/xml makes them.
			if nb, err := s.r.Peek(1); err == nil && nb[0] == '\n' {
				continue
			}
			dst = append(dst, '\n')
		case '&':
			var ent []byte
			for {
				c, err := s.r.ReadByte()
				if err != nil {
					return dst, errNotPlain
				}
				if c == ';' {
					break
				}
				ent = append(ent, c)
				if len(ent) > 10 {
					return dst, errNotPlain
				}
			}
			switch string(ent) {
			case "lt":
				dst = append(dst, '<')
			case "gt":
				dst = append(dst, '>')
			case "amp":
				dst = append(dst, '&')
			case "quot":
				dst = append(dst, '"')
			case "apos":
				dst = append(dst, '\'')
			default:
				if len(ent) < 2 || ent[0] != '#' {
					return dst, errNotPlain
				}
				var n uint64
				var err error
				if ent[1] == 'x' {
					n, err = strconv.ParseUint(string(ent[2:]), 16, 32)
				} else {
					n, err = strconv.ParseUint(string(ent[1:]), 10, 32)
				}
				if err != nil || !xmlChar(rune(n)) {
					return dst, errNotPlain
				}
				dst = utf8.AppendRune(dst, rune(n))
			}
		default:
			if b < 0x20 && b != '\t' && b != '\n' {
				return dst, errNotPlain // not an XML character
			}
			dst = append(dst, b)
		}
	}
}

// xmlChar reports whether r may appear in an XML document.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}
