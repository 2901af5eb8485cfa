package serve

import (
	"io/fs"
	"mime"
	"net/http"
	"path"
)

// index answers GET /: the studio's page.
func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	serveAsset(w, "web/index.html")
}

// static answers GET /static/{file}: the studio's script and style sheet.
func (s *Server) static(w http.ResponseWriter, r *http.Request) {
	file := r.PathValue("file")
	if !fs.ValidPath(file) || path.Base(file) != file || file == "index.html" {
		fail(w, errorf(http.StatusNotFound, "no static file %q", file))
		return
	}
	serveAsset(w, "web/"+file)
}

// serveAsset answers an embedded file.
func serveAsset(w http.ResponseWriter, name string) {
	body, err := assets.ReadFile(name)
	if err != nil {
		fail(w, errorf(http.StatusNotFound, "no static file %q", path.Base(name)))
		return
	}
	ctype := mime.TypeByExtension(path.Ext(name))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(body)
}

// healthz answers GET /healthz.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// openapi answers GET /api/openapi.json.
func (s *Server) openapi(w http.ResponseWriter, r *http.Request) {
	serveAsset(w, "openapi.json")
}
