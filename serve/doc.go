// Package serve is gogan's HTTP server: a JSON API that generates images with
// the runs of a folder, and a web studio (an HTML page, a small script and a
// style sheet, embedded with go:embed, nothing fetched from elsewhere) to try
// the generators and to watch a run train. `gogan serve` runs it.
//
//	srv, err := serve.New(serve.Config{Runs: "runs"})
//	ln, err := net.Listen("tcp", "127.0.0.1:8080")
//	err = srv.Serve(ctx, ln) // until ctx is cancelled, then a graceful shutdown
//
// # Routes
//
// The routes are listed in one table (routes) and documented in the OpenAPI 3
// file openapi.json, served at /api/openapi.json; a test checks that the two
// agree:
//
//	GET  /                                the studio
//	GET  /static/{file}                   its script and style sheet
//	GET  /healthz                         {"status": "ok"}
//	GET  /api/openapi.json                the API's description
//	GET  /api/models                      the runs: model, step, dataset, shape, classes, FID
//	POST /api/models/{name}/generate      a PNG grid, or JSON with one base64 PNG per sample
//	POST /api/models/{name}/interpolate   an animated GIF, or a PNG strip
//	GET  /api/runs/{name}/metrics         metrics.jsonl as a JSON array
//	GET  /api/runs/{name}/events          Server-Sent Events: new metrics lines, sample grids, checkpoints
//	GET  /api/runs/{name}/samples/{file}  a sample grid of the run (samples/*.png)
//
// # Runs and their names
//
// With Config.Runs, a run is a folder directly inside it that holds
// checkpoints/latest.json or metrics.jsonl; its name is the folder's name.
// With Config.Run, the one run is named after its folder. A name is one path
// element: empty names, "." and "..", separators and absolute paths are
// refused (400), and a symbolic link that leads outside the runs folder is
// refused (403), so no request reads outside it.
//
// # Checkpoints replaced while serving
//
// A run that is still training replaces its checkpoint now and then. Each
// generation stats checkpoints/latest.json; when its time or size changed and
// its content too, the generator is loaded again, whole and checked
// (generator.Load), and only then swapped in under the run's lock. A
// checkpoint that does not load (a file replaced during the read) leaves the
// previous generator in service and is tried again a moment later. gogan
// writes checkpoints atomically, so a half-written file is never read. With
// no previous generator, a checkpoint that does not load gets 503 (with
// Retry-After; the server's log has the full error), and a run whose model
// generates nothing (a classifier) gets 400. These answers name the run, never
// the server's folders.
//
// # Limits
//
// Request bodies are at most MaxBody bytes (413 beyond), n at most MaxN and
// frames at most MaxFrames (400 beyond). At most Config.MaxConcurrent
// generations run at once; a request that finds no free slot within
// Config.QueueWait gets 503 with Retry-After, as does an event stream past
// Config.MaxStreams open at once. Every request runs under a
// deadline (Config.RequestTimeout; event streams Config.StreamTimeout, after
// which the browser reconnects), and the http.Server has read, write and idle
// timeouts. With Config.Token, every /api/ route but the OpenAPI file needs
// "Authorization: Bearer TOKEN" (compared in constant time; 401 without).
//
// # Other sites' pages
//
// A browser lets any page send requests to 127.0.0.1, and a page whose name
// its owner makes resolve to 127.0.0.1 (DNS rebinding) can read the answers.
// So POST bodies must be sent with Content-Type application/json (415
// otherwise), which a page cannot send to another site without a CORS
// preflight that this server never grants; and Serve, without a token on a
// loopback address, answers only requests whose Host header names loopback
// (localhost, 127.0.0.0/8 or [::1], with or without a port; 421 otherwise).
// With a token, or on another address, every Host is answered.
//
// # Errors
//
// Every error the server writes is JSON, {"error": "..."}, with its status: 400 bad JSON or
// values or a run that makes no images, 401 no or wrong token, 403 a name leading outside the runs folder,
// 404 unknown run or route, 405 wrong method (with Allow), 408 a body not received within
// the read timeout, 413 body too large, 415 a body not sent as
// application/json, 421 a Host that is not loopback, 503 busy, out of time or
// a checkpoint that does not load, 500 a panic in a handler (recovered: the server keeps running).
//
// Paths are taken as sent, never redirected: each resource has one path. A
// path with an empty, "." or ".." element ("//", "/./", "/../") gets 404
// where http.ServeMux would redirect (307) to the cleaned path, as does a
// path with a final slash (but "/"): a client that builds such a path has a
// bug that a redirect, followed silently, would hide. HEAD is answered
// wherever GET is; OPTIONS gets 405 with Allow (the server grants no CORS
// preflight).
//
// A few answers are written by net/http itself, before any handler runs, in
// plain text, closing the connection: 431 for request headers past 64 KiB
// (http.Server.MaxHeaderBytes), 400 for a request it cannot parse (a
// malformed request line or header, no Host in HTTP/1.1), 501 for a
// Transfer-Encoding other than chunked, and 417, without a body, for an
// Expect other than 100-continue. net/http's connection loop writes them
// with no hook, so making them JSON would take rewriting its bytes on the
// connection; a check in a handler under a larger MaxHeaderBytes would only
// move net/http's plain 431 further out, and let each request hold more
// memory. An "OPTIONS *" request gets net/http's empty 200.
package serve
