package eval

import "testing"

// TestNewMonitorRejectsN: N is 0 (the default) or in [MinSamples, MaxSamples];
// anything else is refused before an evaluation would panic on it.
func TestNewMonitorRejectsN(t *testing.T) {
	for _, n := range []int{-1, MinSamples - 1, MaxSamples + 1} {
		m, err := NewMonitor(MonitorConfig{Data: "mine", Test: noiseImages(20, 1), N: n, Cache: CacheOptions{Dir: t.TempDir()}})
		if m != nil || err == nil || !contains(err.Error(), "0 (the default) or 10 to 100000", "got") {
			t.Errorf("N %d: error %v", n, err)
		}
	}
}
