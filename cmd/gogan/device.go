package main

import (
	"fmt"

	"github.com/gogan/gogan/gan"
)

// useDevice moves a job to the device --device names ("cpu" leaves it) and
// returns where it computes: "cpu" or the GPU's name.
func useDevice(job gan.Job, device string, tf32, graph bool) (string, error) {
	if ordinal, _ := gan.ParseDevice(device); ordinal < 0 {
		return "cpu", nil
	}
	t, ok := job.(*gan.Trainer)
	if !ok {
		return "", fmt.Errorf("--device %s: only GANs train on a GPU yet (not %s)", device, job.Settings().Model)
	}
	if err := t.UseDevice(device); err != nil {
		return "", err
	}
	t.SetTF32(tf32)
	t.SetCUDAGraph(graph)
	return t.Device(), nil
}

// syncDevice waits for a job's queued GPU work, so that a timer reads the
// work done.
func syncDevice(job gan.Job) error {
	if t, ok := job.(*gan.Trainer); ok {
		return t.Sync()
	}
	return nil
}

// usesGraph reports whether a job's steps replay a captured CUDA graph.
func usesGraph(job gan.Job) bool {
	t, ok := job.(*gan.Trainer)
	return ok && t.CUDAGraph()
}

// convBackend says what runs a job's convolutions on a GPU ("" on the CPU).
func convBackend(job gan.Job) string {
	if t, ok := job.(*gan.Trainer); ok {
		return t.ConvBackend()
	}
	return ""
}
