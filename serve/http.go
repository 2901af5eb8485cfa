package serve

import (
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"mime"
	"net"
	"net/http"
	"os"
	"path"
	"runtime/debug"
	"strconv"
	"strings"
)

// statusError is an error with its HTTP status.
type statusError struct {
	status int
	msg    string
	retry  int // a 503's Retry-After in seconds; 0 is 1
}

func (e *statusError) Error() string { return e.msg }

// errorf makes a statusError.
func errorf(status int, format string, args ...any) error {
	return &statusError{status: status, msg: fmt.Sprintf(format, args...)}
}

// writeError answers {"error": msg} with status.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// fail answers err: its status if it is a statusError, else 500.
func fail(w http.ResponseWriter, err error) {
	var se *statusError
	if errors.As(err, &se) {
		if se.status == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", strconv.Itoa(max(se.retry, 1)))
		}
		writeError(w, se.status, se.msg)
		return
	}
	writeError(w, http.StatusInternalServerError, err.Error())
}

// writeJSON answers v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"error":"the answer could not be encoded as JSON"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}

// decodeJSON reads r's body, at most MaxBody bytes, into v: one JSON object
// with known fields only. The body must be sent as Content-Type
// application/json (415 otherwise): a browser cannot send that type to
// another site without its consent (a CORS preflight, which this server does
// not grant), so no foreign page can post to the API.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return errorf(http.StatusUnsupportedMediaType, "the body must be JSON sent with Content-Type: application/json, got %q", r.Header.Get("Content-Type"))
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("more than one JSON value")
	}
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return errorf(http.StatusRequestEntityTooLarge, "request body is larger than %d bytes", MaxBody)
	case isTimeout(err):
		return errorf(http.StatusRequestTimeout, "the request body was not received within the server's read timeout")
	case err != nil:
		return errorf(http.StatusBadRequest, "bad JSON body: %v", err)
	}
	return nil
}

// isTimeout reports whether err is a read that ran past its deadline.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// recoverPanics answers 500 when h panics, and logs the panic with its stack;
// the server goes on.
func recoverPanics(logger *log.Logger, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil || v == http.ErrAbortHandler {
				if v != nil {
					panic(v) // net/http's own way to abort a response
				}
				return
			}
			logger.Printf("serve: panic serving %s %s: %v\n%s", r.Method, r.URL.Path, v, debug.Stack())
			writeError(w, http.StatusInternalServerError, "internal error (a panic; see the server's log)")
		}()
		h.ServeHTTP(w, r)
	})
}

// loopbackHosts refuses (421) a request whose Host header does not name the
// loopback interface (localhost, 127.0.0.0/8 or ::1, with or without a port):
// a server on loopback without a token is reachable by a page of another site
// whose name was made to resolve to 127.0.0.1 (DNS rebinding), and such a
// page's requests carry its own name as Host.
func loopbackHosts(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isLoopbackHost(r.Host) {
			writeError(w, http.StatusMisdirectedRequest, fmt.Sprintf("host %q is not served: this server answers only requests for localhost, 127.0.0.1 or [::1] (without --token it is reachable from this machine only)", r.Host))
			return
		}
		h.ServeHTTP(w, r)
	})
}

// isLoopbackHost reports whether a Host header names the loopback interface.
func isLoopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	} else if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
		host = host[1 : len(host)-1]
	}
	return loopbackName(host)
}

// secureHeaders sets the headers that keep the studio's page to its own
// scripts and its answers from being sniffed.
func secureHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'")
		hd.Set("Referrer-Policy", "no-referrer")
		h.ServeHTTP(w, r)
	})
}

// jsonMuxErrors answers the mux's own 404 and 405 (no route; a route with
// another method) in JSON, keeping the Allow header of a 405. A path that is
// not canonical (see canonicalPath) is a 404 too, where the mux would redirect
// it to its cleaned form: each resource has one path, so a client that builds
// another has a bug to see, not a redirect to follow silently.
func jsonMuxErrors(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !canonicalPath(r.URL.EscapedPath()) {
			writeError(w, http.StatusNotFound, fmt.Sprintf("no route %s %s: a path begins with / and has no empty, . or .. element; see /api/openapi.json", r.Method, r.RequestURI))
			return
		}
		h, pattern := mux.Handler(r)
		if pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		rec := &statusRecorder{header: http.Header{}}
		h.ServeHTTP(rec, r)
		if rec.status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", rec.header.Get("Allow"))
			writeError(w, rec.status, fmt.Sprintf("method %s is not allowed on %s (allowed: %s)", r.Method, r.URL.Path, rec.header.Get("Allow")))
			return
		}
		writeError(w, http.StatusNotFound, fmt.Sprintf("no route %s %s: see /api/openapi.json", r.Method, r.URL.Path))
	})
}

// canonicalPath reports whether p, a request's escaped path, is in the form
// the routes are written in: it begins with / and has no empty, "." or ".."
// element ("//", "/./", "/../"), so that path.Clean leaves it as it is but for
// a final slash. The mux answers any other path with a redirect.
func canonicalPath(p string) bool {
	clean := path.Clean(p)
	return strings.HasPrefix(p, "/") && (p == clean || clean != "/" && p == clean+"/")
}

// statusRecorder keeps the status and header a handler writes, and drops
// its body.
type statusRecorder struct {
	header http.Header
	status int
}

func (s *statusRecorder) Header() http.Header { return s.header }
func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
}
func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return len(b), nil
}
