"""Transform time against function size, in one process.

    python benchmarks/bench_transform_size.py [--sizes 40,100,200,400,1000] [--repeat 3]

Generates straight-line NumPy functions of n statements (a chain of elementwise
operations and reductions, the shape of unrolled model code), takes `s2s.grad` of each
with the disk cache off, and prints the best time of the first call (the transform)
and its time per statement: linear growth shows as a flat per-statement column. The
rule library is loaded once, by a warm-up transform, before any measurement.
"""
import argparse
import os
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ["S2S_DISK_CACHE"] = "0"
import s2s  # noqa: E402

OPERATIONS = [
    "np.sin(a) * b",
    "a + b * 0.3",
    "np.tanh(a - b)",
    "a * a + 1.0",
    "np.exp(-b * b) + a",
    "np.sum(a) * b",
    "np.maximum(a, b) - 0.5 * a",
]


def source(n, name):
    lines = [f"def {name}(x, y):", "    a = x * 1.0", "    b = y + 0.5"]
    for i in range(n):
        lines.append(f"    a, b = b, {OPERATIONS[i % len(OPERATIONS)]}")
    lines.append("    return np.sum(a * b)")
    return "import numpy as np\n\n\n" + "\n".join(lines) + "\n"


def function(n, directory, counter=[0]):  # noqa: B006 - a fresh name per function
    counter[0] += 1
    name = f"f{n}_{counter[0]}"
    path = os.path.join(directory, f"{name}.py")
    with open(path, "w") as f:
        f.write(source(n, name))
    namespace = {}
    exec(compile(source(n, name), path, "exec"), namespace)  # noqa: S102 - our own generated code
    return namespace[name]


def transform_time(n, directory, repeat):
    x, y = np.linspace(0.1, 0.9, 3), np.linspace(-0.5, 0.5, 3)
    best = float("inf")
    for _ in range(repeat):
        f = function(n, directory)
        start = time.process_time()
        with np.errstate(all="ignore"):  # the values of this chain do not matter
            s2s.grad(f)(x, y)
        best = min(best, time.process_time() - start)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="40,100,200,400,1000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as directory:
        start = time.process_time()
        transform_time(1, directory, 1)
        print(f"warm-up (loads the rule library): {(time.process_time() - start) * 1e3:8.1f} ms CPU")
        print(f"{'statements':>10} {'transform (CPU)':>16} {'per statement':>14}")
        for n in sizes:
            t = transform_time(n, directory, args.repeat)
            print(f"{n:>10} {t * 1e3:13.1f} ms {t / n * 1e6:11.0f} us")


if __name__ == "__main__":
    main()
