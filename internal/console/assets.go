package console

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

// Everything under assets/ is served, so that a file dropped there (the
// dashboard's vendor/echarts.min.js and dashboard.js) needs no code.
//
//go:embed assets
var assetFS embed.FS

// asset is one embedded file with the hash in its URL.
type asset struct {
	data        []byte
	hash        string
	contentType string
}

var assets = loadAssets()

func loadAssets() map[string]asset {
	out := map[string]asset{}
	err := fs.WalkDir(assetFS, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := assetFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		ct := mime.TypeByExtension(path.Ext(p))
		switch path.Ext(p) {
		case ".js":
			ct = "text/javascript; charset=utf-8"
		case ".css":
			ct = "text/css; charset=utf-8"
		case ".svg":
			ct = "image/svg+xml"
		}
		if ct == "" {
			ct = "application/octet-stream"
		}
		out[strings.TrimPrefix(p, "assets/")] = asset{data: data, hash: hex.EncodeToString(sum[:6]), contentType: ct}
		return nil
	})
	if err != nil {
		panic("console: assets: " + err.Error())
	}
	return out
}

// assetURL is the cache-busting URL of an asset under an area's prefix;
// the hash changes whenever the file does.
func assetURL(prefix, p string) string {
	a, ok := assets[p]
	if !ok {
		return prefix + "assets/missing/" + p
	}
	return prefix + "assets/" + a.hash + "/" + p
}

func hasAsset(p string) bool {
	_, ok := assets[p]
	return ok
}

// assetHandler serves an asset whose URL names its current hash, for a
// year; any other URL is 404, so a stale page never gets a new file under
// an old name.
func assetHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := assets[r.PathValue("path")]
		if !ok || a.hash != r.PathValue("hash") {
			w.Header().Set("Cache-Control", "no-store")
			http.Error(w, "404 not found", http.StatusNotFound)
			return
		}
		h := w.Header()
		h.Set("Content-Type", a.contentType)
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		h.Set("ETag", `"`+a.hash+`"`)
		if r.Header.Get("If-None-Match") == `"`+a.hash+`"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Write(a.data)
	})
}
