package cuda

// Graph is an executable CUDA graph, made by capturing the stream between
// BeginCapture and EndCapture, replayed by Launch.
type Graph struct {
	d     *Device
	graph uintptr
	exec  uintptr
}

// Stream capture modes (CUstreamCaptureMode).
const captureGlobal = 0

// BeginCapture starts recording the stream's work into a graph instead of running
// it: kernels, copies and products queued until EndCapture become the graph's nodes,
// with the arguments they had when queued (pointers, sizes, scalars: to vary a value
// between replays, keep it in device memory). The capture is in global mode: while it
// lasts, unsafe calls from any thread of the process (Alloc, Free, AllocHost, Sync, a
// copy from Go memory) fail, which Go's moving of goroutines between threads makes the
// safe choice.
func (d *Device) BeginCapture() error {
	if d.err != nil {
		return d.err
	}
	d.lock()
	defer d.unlock()
	err := d.drv.check("cuStreamBeginCapture", d.drv.streamBeginCapture(d.stream, captureGlobal))
	d.capturing = err == nil
	return err
}

// EndCapture ends the capture begun by BeginCapture and returns the instantiated
// graph. An error of a call during the capture is returned here.
func (d *Device) EndCapture() (*Graph, error) {
	d.lock()
	defer d.unlock()
	dr := d.drv
	d.capturing = false
	g := &Graph{d: d}
	if err := dr.check("cuStreamEndCapture", dr.streamEndCapture(d.stream, &g.graph)); err != nil {
		d.record(err)
		return nil, err
	}
	if d.err != nil {
		dr.graphDestroy(g.graph)
		return nil, d.err
	}
	if err := dr.check("cuGraphInstantiate", dr.graphInstantiate(&g.exec, g.graph, 0)); err != nil {
		dr.graphDestroy(g.graph)
		return nil, err
	}
	return g, nil
}

// Launch replays the graph on the device's stream, asynchronously.
func (g *Graph) Launch() error {
	d := g.d
	if d.err != nil {
		return d.err
	}
	d.lock()
	defer d.unlock()
	err := d.drv.check("cuGraphLaunch", d.drv.graphLaunch(g.exec, d.stream))
	d.record(err)
	return err
}

// Close releases the graph.
func (g *Graph) Close() {
	if g.exec == 0 {
		return
	}
	d := g.d
	d.lock()
	defer d.unlock()
	d.drv.graphExecDestroy(g.exec)
	d.drv.graphDestroy(g.graph)
	g.exec, g.graph = 0, 0
}
