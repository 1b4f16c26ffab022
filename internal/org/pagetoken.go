package org

import (
	"encoding/base64"
	"strconv"

	"huitong"
)

// Page tokens are opaque to callers: the base64 of the last key served.

func encodePageToken(after string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("k:" + after))
}

func decodePageToken(tok string) (string, error) {
	if tok == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) < 2 || string(b[:2]) != "k:" {
		return "", huitong.Invalidf("invalid_page_token", "分页令牌无效", "invalid page token")
	}
	return string(b[2:]), nil
}

func decodeIDPageToken(tok string) (int64, error) {
	s, err := decodePageToken(tok)
	if err != nil || s == "" {
		return 0, err
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id < 0 {
		return 0, huitong.Invalidf("invalid_page_token", "分页令牌无效", "invalid page token")
	}
	return id, nil
}
