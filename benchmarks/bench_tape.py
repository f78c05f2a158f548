"""What the tape of a long loop holds, and how the generated code reads.

    python benchmarks/bench_tape.py

- The long loop: 10^5 iterations over a 3-vector (the issue's 10^6 scaled down, the
  bytes per iteration are the same). Its backward sweep reads no value the forward
  sweep computed (`x = 0.99999 * x + a` has constant partial derivatives), only the
  shapes of `x` and `0.99999 * x` (for `unbroadcast`): its tape holds, per trip, two
  references to one shared stand-in of that shape (`shape_stand_in`), 16 bytes, where
  it held the two arrays (288 bytes). Measured with tracemalloc: the memory a
  `s2s.vjp` call leaves allocated while its pullback is alive.
- The README's MLP: lines of code of the generated gradient module against a
  hand-written backprop (comments, blank lines and imports not counted), and the
  runtime helper names a reader must look up.
"""
import inspect
import tracemalloc

import numpy as np
from bench_gradients import logprob, logprob_grad_by_hand  # the README's MLP, and its backprop by hand

import s2s

ITERATIONS = 100_000


def long_loop(x, a):
    for _i in range(ITERATIONS):
        x = 0.99999 * x + a
    return x


def tape_bytes_per_iteration():
    x, a = np.ones(3), np.full(3, 0.01)
    vjp = s2s.vjp(long_loop)
    vjp(x, a)  # transform first
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    value, pullback = vjp(x, a)
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    np.testing.assert_allclose(pullback(np.ones(3)), np.full(3, 0.99999 ** ITERATIONS), rtol=1e-9)
    return held / ITERATIONS


def code_lines(text):
    return [
        line for line in text.splitlines()
        if line.strip() and not line.strip().startswith("#") and not line.startswith(("import ", "from "))
    ]


def main():
    print(f"long loop, {ITERATIONS} iterations over a 3-vector: tape {tape_bytes_per_iteration():.0f} bytes per iteration "
          "(its backward sweep reads the shapes only)")
    rs = np.random.RandomState(0)
    params = [(rs.randn(4, 8), rs.randn(8)), (rs.randn(8, 3), rs.randn(3))]
    inputs, targets = rs.randn(16, 4), rs.randn(16, 3)
    grad = s2s.grad(logprob)
    grad(params, inputs, targets)
    text = s2s.source(grad)
    generated = code_lines(text)
    by_hand = code_lines(inspect.getsource(logprob_grad_by_hand))
    helpers = next(line for line in text.splitlines() if line.startswith("from s2s.runtime import"))
    names = helpers.split(" import ")[1].split(", ")
    print(f"README MLP: generated module {len(generated)} lines of code, hand-written backprop {len(by_hand)} "
          f"({len(generated) / len(by_hand):.1f}x); {len(names)} runtime helpers: {', '.join(names)}")


if __name__ == "__main__":
    main()
