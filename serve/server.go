package serve

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"runtime"
	"strings"
	"time"
)

// Limits on one request.
const (
	MaxBody   = 1 << 20 // bytes of a request body
	MaxN      = 256     // samples of one generation
	MaxFrames = 64      // frames of one interpolation
)

// Config says what to serve and how.
type Config struct {
	// Runs is a folder of runs, each served under its folder's name. Give
	// Runs or Run, not both.
	Runs string
	// Run is one run folder.
	Run string
	// Token, if not empty, is required as "Authorization: Bearer Token" by
	// the /api/ routes (all but /api/openapi.json).
	Token string
	// MaxConcurrent bounds the generations that run at once; 0 is
	// runtime.NumCPU().
	MaxConcurrent int
	// QueueWait is how long a generation waits for a free slot before the
	// answer is 503; 0 answers 503 at once.
	QueueWait time.Duration
	// RequestTimeout is the deadline of a request; 0 is 30 s.
	RequestTimeout time.Duration
	// StreamTimeout is the longest an event stream stays open (the browser
	// then reconnects); 0 is 10 min.
	StreamTimeout time.Duration
	// Poll is how often an event stream looks at the run's files; 0 is 500 ms.
	Poll time.Duration
	// MaxStreams bounds the event streams open at once (each polls its run's
	// files); one more gets 503 with Retry-After. 0 is 64.
	MaxStreams int
	// Log receives one line per error worth a look (panics, checkpoints that
	// do not load); nil discards them.
	Log *log.Logger
}

// withDefaults fills the zero fields of c.
func (c Config) withDefaults() Config {
	if c.MaxConcurrent <= 0 {
		c.MaxConcurrent = runtime.NumCPU()
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = 30 * time.Second
	}
	if c.StreamTimeout <= 0 {
		c.StreamTimeout = 10 * time.Minute
	}
	if c.Poll <= 0 {
		c.Poll = 500 * time.Millisecond
	}
	if c.MaxStreams <= 0 {
		c.MaxStreams = 64
	}
	if c.Log == nil {
		c.Log = log.New(io.Discard, "", 0)
	}
	return c
}

// Server serves the API and the studio. It is safe for concurrent use.
type Server struct {
	cfg     Config
	runs    *registry
	slots   chan struct{} // a token per running generation
	streams chan struct{} // a token per open event stream
	handler http.Handler
	// stop is closed when Serve shuts down, to end the event streams, which
	// http.Server.Shutdown would otherwise wait for.
	stop chan struct{}
}

//go:embed web openapi.json
var assets embed.FS

// New checks cfg and returns a Server. The runs folder must exist; its runs
// are looked up at each request, so runs started later are served too.
func New(cfg Config) (*Server, error) {
	cfg = cfg.withDefaults()
	reg, err := newRegistry(cfg.Runs, cfg.Run, cfg.Log)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, runs: reg, slots: make(chan struct{}, cfg.MaxConcurrent),
		streams: make(chan struct{}, cfg.MaxStreams), stop: make(chan struct{})}
	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		var h http.Handler = rt.handler
		if !rt.stream {
			h = s.withTimeout(h)
		}
		if !rt.public {
			h = s.withToken(h)
		}
		mux.Handle(rt.method+" "+rt.pattern, h)
	}
	s.handler = recoverPanics(cfg.Log, secureHeaders(jsonMuxErrors(mux)))
	return s, nil
}

// route is one entry of the route table.
type route struct {
	method, pattern string
	handler         http.HandlerFunc
	public          bool // served without the token
	stream          bool // an event stream: its own deadline, no request timeout
}

// routes is the table of every route the server answers; openapi.json
// documents each (TestOpenAPICoversRoutes). No pattern ends in / but the
// root's, "/{$}": the mux would redirect the path without the slash to it
// (TestNoRedirects).
func (s *Server) routes() []route {
	return []route{
		{method: "GET", pattern: "/{$}", handler: s.index, public: true},
		{method: "GET", pattern: "/static/{file}", handler: s.static, public: true},
		{method: "GET", pattern: "/healthz", handler: s.healthz, public: true},
		{method: "GET", pattern: "/api/openapi.json", handler: s.openapi, public: true},
		{method: "GET", pattern: "/api/models", handler: s.models},
		{method: "POST", pattern: "/api/models/{name}/generate", handler: s.generate},
		{method: "POST", pattern: "/api/models/{name}/interpolate", handler: s.interpolate},
		{method: "GET", pattern: "/api/runs/{name}/metrics", handler: s.metrics},
		{method: "GET", pattern: "/api/runs/{name}/events", handler: s.events, stream: true},
		{method: "GET", pattern: "/api/runs/{name}/samples/{file}", handler: s.sample},
	}
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Serve answers the connections of ln until ctx is cancelled, then shuts down
// gracefully: it stops accepting, ends the event streams, and waits up to 10 s
// for the requests under way.
//
// Without a token, on a loopback address, only requests whose Host header
// names loopback are answered (421 otherwise), against DNS rebinding.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	var h http.Handler = s
	if s.cfg.Token == "" && IsLoopback(ln.Addr().String()) {
		h = secureHeaders(loopbackHosts(s))
	}
	hs := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       s.cfg.RequestTimeout,
		WriteTimeout:      s.cfg.RequestTimeout + 10*time.Second, // event streams lift and extend theirs
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          s.cfg.Log,
	}
	hs.RegisterOnShutdown(func() { close(s.stop) })
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// withTimeout runs h under the request deadline.
func (s *Server) withTimeout(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), s.cfg.RequestTimeout)
		defer cancel()
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}

// withToken refuses requests without the bearer token, when there is one.
// The hashes make the comparison's time independent of the lengths too.
func (s *Server) withToken(h http.Handler) http.Handler {
	if s.cfg.Token == "" {
		return h
	}
	want := sha256.Sum256([]byte(s.cfg.Token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := bearerToken(r.Header.Get("Authorization"))
		sum := sha256.Sum256([]byte(got))
		if !ok || subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="gogan"`)
			msg := "missing token: send Authorization: Bearer TOKEN"
			if ok {
				msg = "wrong token"
			}
			writeError(w, http.StatusUnauthorized, msg)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// bearerToken is the token of an Authorization header of the Bearer scheme,
// whose name is case-insensitive (RFC 7235).
func bearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return token, true
}

// IsLoopback reports whether addr (host:port) listens on the loopback
// interface only: localhost, 127.0.0.0/8 or ::1. An empty host (every
// interface) is not.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	return err == nil && loopbackName(host)
}

// loopbackName reports whether a host name, without port or brackets, names the
// loopback interface: localhost (in any case), 127.0.0.0/8 or ::1.
func loopbackName(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
