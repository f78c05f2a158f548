"""Time the first transform of the seed MLP loss, and a disk-cache hit, in fresh processes.

    python benchmarks/bench_transform.py [--runs 7]

Each measurement runs in a new Python process (nothing in memory), timing the first
call of `s2s.grad(logprob)` (which generates or loads the derivative, then runs it):
  - transform: the disk cache off (S2S_DISK_CACHE=0), so the code is generated;
  - disk hit: a cache directory filled by an earlier process, so it is loaded.
It prints the median over the runs of each, and their ratio. `import s2s` is timed
separately: both pay it. The children compile Python files once, into a bytecode cache
of their own (PYTHONPYCACHEPREFIX), as an installed package does: an environment with
PYTHONDONTWRITEBYTECODE would otherwise charge every import its compilation.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


# The seed MLP (as in the acceptance suite's test_core.py).
def predict(params, inputs):
    for W, b in params:
        outputs = np.dot(inputs, W) + b
        inputs = np.tanh(outputs)
    return outputs


def logprob(params, inputs, targets):
    preds = predict(params, inputs)
    return np.sum((preds - targets) ** 2)


def data():
    rs = np.random.RandomState(0)
    sizes = [4, 5, 3]
    params = [(rs.randn(m, n) * 0.3, rs.randn(n) * 0.3) for m, n in zip(sizes[:-1], sizes[1:])]
    return params, rs.randn(6, 4), rs.randn(6, 3)


CHILD = """
import json, time
import numpy
t0, c0 = time.perf_counter(), time.process_time()
import s2s
t1, c1 = time.perf_counter(), time.process_time()
import bench_transform as b
args = b.data()
dlogprob = s2s.grad(b.logprob)
t2, c2 = time.perf_counter(), time.process_time()
dlogprob(*args)
t3, c3 = time.perf_counter(), time.process_time()
dlogprob(*args)
t4 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "import_cpu": c1 - c0, "first": t3 - t2, "first_cpu": c3 - c2, "call": t4 - t3, "info": s2s.cache_info()._asdict()}))
"""


def child(env, pycache):
    root = os.path.dirname(HERE)
    env = dict(os.environ, **env, PYTHONPATH=os.pathsep.join([HERE, root, os.environ.get("PYTHONPATH", "")]))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = pycache
    out = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as cache_dir, tempfile.TemporaryDirectory() as pycache:
        child({"S2S_DISK_CACHE": "0"}, pycache)  # fills the bytecode cache
        transform = [child({"S2S_DISK_CACHE": "0"}, pycache) for _ in range(runs)]
        fill = child({"S2S_CACHE_DIR": cache_dir, "S2S_DISK_CACHE": "1"}, pycache)
        assert fill["info"]["misses"] == 1, fill
        hits = [child({"S2S_CACHE_DIR": cache_dir, "S2S_DISK_CACHE": "1"}, pycache) for _ in range(runs)]
    assert all(r["info"]["disk_hits"] == 1 and r["info"]["misses"] == 0 for r in hits), hits
    assert all(r["info"]["misses"] == 1 for r in transform), transform

    def median(results, field):
        return statistics.median(r[field] for r in results) * 1e3

    t_first, h_first = median(transform, "first"), median(hits, "first")
    call = median(transform + hits, "call")
    print(f"seed MLP loss (logprob over predict), fresh process each, median of {runs} runs")
    print(f"  import s2s (after numpy):         {median(transform + hits, 'import'):7.2f} ms "
          f"({median(transform + hits, 'import_cpu'):.2f} ms CPU, paid by both)")
    print(f"  first call, transform (no cache): {t_first:7.2f} ms ({median(transform, 'first_cpu'):.2f} ms CPU)")
    print(f"  first call, disk-cache hit:       {h_first:7.2f} ms ({median(hits, 'first_cpu'):.2f} ms CPU)")
    print(f"  a later call (generated code):    {call:7.3f} ms")
    print(f"  transform / disk hit:             {t_first / h_first:7.1f}x "
          f"(net of the call: {(t_first - call) / (h_first - call):.1f}x)")


if __name__ == "__main__":
    main()
