"""Training with a gradient that s2s generated ahead of time, in a process without s2s.

`s2s build`, run in this directory, wrote generated/loss_grad.py from model.py's loss
(the targets are in pyproject.toml here); the file is committed, and this script
imports it with s2s made unimportable, as on a machine where only NumPy is installed.
`s2s build --check` (in CI) fails when model.py changes and the file is not rebuilt.

    cd examples/export && python train.py [--quick]
"""
import sys
import time

sys.modules["s2s"] = None  # any `import s2s` from here on raises ImportError

import numpy as np  # noqa: E402
from generated.loss_grad import dloss  # noqa: E402
from model import loss  # noqa: E402


def make_data(rows, features, rs):
    X = rs.randn(rows, features)
    y = (X @ np.linspace(-2.0, 2.0, features) + 0.5 + 0.5 * rs.randn(rows) > 0).astype(float)
    return X, y


def main(rows=5000, features=20, steps=200, learning_rate=1.0, seed=0):
    X, y = make_data(rows, features, np.random.RandomState(seed))
    w = np.zeros(features + 1)
    start = time.perf_counter()
    for step in range(steps):
        if step % max(1, steps // 5) == 0:
            print(f"step {step:4d}  loss {loss(w, X, y):.4f}")
        w = w - learning_rate * dloss(w, X, y)
    print(f"{steps} gradient steps in {time.perf_counter() - start:.2f} s with the exported gradient "
          f"(s2s imported: {sys.modules['s2s'] is not None}): loss {loss(w, X, y):.4f}, "
          f"training accuracy {np.mean((X @ w[1:] + w[0] > 0) == y):.3f}")
    return w, X, y


if __name__ == "__main__":
    main(**(dict(rows=200, steps=20) if "--quick" in sys.argv[1:] else {}))
