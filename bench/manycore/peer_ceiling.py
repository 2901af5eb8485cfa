# The peer's side of gemm's BenchmarkSgemmIndependent and BenchmarkSgemmShared: float32
# products through PyTorch's CPU kernels (MKL/oneDNN), in GFLOP/s per core.
# usage: python3 peer_ceiling.py THREADS SECONDS
#   run THREADS copies of this script at once with THREADS=1 for the independent ceiling
#   (each prints its own rate), or one copy with THREADS=N for one product shared by N threads.
import json, sys, time, torch
threads, seconds = int(sys.argv[1]), float(sys.argv[2])
torch.set_num_threads(threads)
for name, m, k, n in [("conv", 1024, 1600, 128), ("dense", 256, 1024, 784), ("square", 1024, 1024, 1024)]:
    a, b = torch.randn(m, k), torch.randn(k, n)
    for _ in range(5): a @ b
    reps, t = 0, time.perf_counter()
    while time.perf_counter() - t < seconds:
        a @ b; reps += 1
    dt = time.perf_counter() - t
    print(json.dumps({"shape": f"{name}_{m}x{k}x{n}", "threads": threads,
                      "gflops_per_core": round(2 * m * k * n * reps / dt / 1e9 / threads, 1)}))
