# This machine's float32 GEMM rate through OpenBLAS (Debian's numpy), the limit the training's
# figures are set against: C = A B at 1024^3 and at the shapes of one training step of the
# comparison model (batch 100, 784-400-20). Threads come from OPENBLAS_NUM_THREADS, set by the
# caller before Python starts. Prints JSON. Usage: bench_gemm.py SECONDS [1024]
# (with 1024: the 1024^3 product only, as bench.sh measures OpenBLAS's core types)
import json, os, sys, time
import numpy as np

seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0

def gflops(m, k, n):
    a = np.random.default_rng(1).standard_normal((m, k), dtype=np.float32)
    b = np.random.default_rng(2).standard_normal((k, n), dtype=np.float32)
    for _ in range(3):
        a @ b
    calls, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        a @ b
        calls += 1
    return 2.0 * m * k * n * calls / (time.perf_counter() - t0) / 1e9

# forward X W^T (100x784 by 784x400, 100x400 by 400x784), backward dW = dY^T X (400x100 by 100x784)
shapes = {"1024^3": (1024, 1024, 1024), "100x784x400": (100, 784, 400), "100x400x784": (100, 400, 784),
          "400x100x784": (400, 100, 784)}
out = {"threads": int(os.environ.get("OPENBLAS_NUM_THREADS", "0")), "blas": "openblas (numpy " + np.__version__ + ")"}
if os.environ.get("OPENBLAS_CORETYPE"):
    out["blas"] += ", OPENBLAS_CORETYPE " + os.environ["OPENBLAS_CORETYPE"]
if sys.argv[2:] == ["1024"]:
    shapes = {"1024^3": shapes["1024^3"]}
for name, (m, k, n) in shapes.items():
    out["gflops_" + name] = round(gflops(m, k, n), 1)
print(json.dumps(out))
