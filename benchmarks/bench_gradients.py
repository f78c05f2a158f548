"""Time s2s gradients against the primal, a hand-written NumPy gradient and autograd.

    python benchmarks/bench_gradients.py

BLAS runs single-threaded (unless OPENBLAS_NUM_THREADS etc. are set): on a small
machine the scheduling of BLAS threads moves the matrix-heavy timings by tens of
percent from run to run, which hides the differences this script is meant to show.

Prints, for each problem, the best time per call over interleaved repeats, and the
ratios. All timings are taken in one process, after a warm-up call (s2s transforms on
the first call).
"""
import math
import os
import sys

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")  # before numpy loads its BLAS

import numpy as np  # noqa: E402
from timing import best_times  # noqa: E402

import s2s  # noqa: E402

try:
    import autograd
    import autograd.numpy as anp
except ImportError:  # autograd is an optional comparison
    autograd = None


# --------------------------------------------------------------------------- MLP


def predict(params, inputs):
    for W, b in params:
        outputs = np.dot(inputs, W) + b
        inputs = np.tanh(outputs)
    return outputs


def logprob(params, inputs, targets):
    preds = predict(params, inputs)
    return np.sum((preds - targets) ** 2)


def logprob_grad_by_hand(params, inputs, targets):
    activations = [inputs]
    for W, b in params:
        outputs = np.dot(inputs, W) + b
        inputs = np.tanh(outputs)
        activations.append(inputs)
    delta = 2.0 * (outputs - targets)
    grads = []
    for layer in range(len(params) - 1, -1, -1):
        W, b = params[layer]
        grads.append((np.dot(activations[layer].T, delta), np.sum(delta, axis=0)))
        if layer > 0:
            delta = np.dot(delta, W.T) * (1.0 - activations[layer] ** 2)
    return grads[::-1]


def autograd_predict(params, inputs):
    for W, b in params:
        outputs = anp.dot(inputs, W) + b
        inputs = anp.tanh(outputs)
    return outputs


def autograd_logprob(params, inputs, targets):
    return anp.sum((autograd_predict(params, inputs) - targets) ** 2)


# --------------------------------------------------------------------------- RNN


def rnn_loss(W, U, xs):
    h = np.zeros(W.shape[0])
    total = 0.0
    for t in range(xs.shape[0]):
        h = np.tanh(np.dot(W, h) + np.dot(U, xs[t]))
        total = total + np.sum(h * h)
    return total


def rnn_grad_by_hand(W, U, xs):
    hs = [np.zeros(W.shape[0])]
    for t in range(xs.shape[0]):
        hs.append(np.tanh(np.dot(W, hs[-1]) + np.dot(U, xs[t])))
    dW, dU = np.zeros_like(W), np.zeros_like(U)
    dh = np.zeros(W.shape[0])
    for t in range(xs.shape[0] - 1, -1, -1):
        dh = dh + 2.0 * hs[t + 1]
        dpre = dh * (1.0 - hs[t + 1] ** 2)
        dW += np.outer(dpre, hs[t])
        dU += np.outer(dpre, xs[t])
        dh = np.dot(W.T, dpre)
    return dW, dU


def autograd_rnn_loss(W, U, xs):
    h = anp.zeros(W.shape[0])
    total = 0.0
    for t in range(xs.shape[0]):
        h = anp.tanh(anp.dot(W, h) + anp.dot(U, xs[t]))
        total = total + anp.sum(h * h)
    return total


# --------------------------------------------------------------------------- scalar loop


def scalar_loop(x, a):
    for _i in range(200):
        x = a * math.sin(x) + 0.5 * x
    return x


def scalar_loop_grad_by_hand(x, a):
    xs = []
    for _i in range(200):
        xs.append(x)
        x = a * math.sin(x) + 0.5 * x
    dx, da = 1.0, 0.0
    for x in reversed(xs):
        da += dx * math.sin(x)
        dx = dx * (a * math.cos(x) + 0.5)
    return dx, da


def autograd_scalar_loop(x, a):
    for _i in range(200):
        x = a * anp.sin(x) + 0.5 * x
    return x


def report(name, primal, hand, s2s_grad, auto):
    contenders = [primal, hand, s2s_grad] + ([auto] if auto is not None else [])
    t_primal, t_hand, t_s2s, *t_auto = best_times(*contenders)
    line = (
        f"{name:<22} primal {t_primal * 1e6:9.1f} us | hand {t_hand * 1e6:9.1f} us | "
        f"s2s {t_s2s * 1e6:9.1f} us | s2s/hand {t_s2s / t_hand:5.2f}x | s2s/primal {t_s2s / t_primal:5.2f}x"
    )
    if t_auto:
        line += f" | autograd {t_auto[0] * 1e6:9.1f} us ({t_auto[0] / t_s2s:4.1f}x s2s)"
    print(line)


def main():
    rs = np.random.RandomState(0)
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}")

    sizes = [784, 256, 256, 10]
    params = [(rs.randn(m, n) * 0.05, rs.randn(n) * 0.05) for m, n in zip(sizes[:-1], sizes[1:])]
    inputs, targets = rs.randn(128, sizes[0]), rs.randn(128, sizes[-1])
    check = s2s.grad(logprob)(params, inputs, targets)
    for (g, r) in zip(check, logprob_grad_by_hand(params, inputs, targets)):
        np.testing.assert_allclose(g[0], r[0], rtol=1e-8, atol=1e-10)
    report(
        "MLP 784-256-256-10",
        (logprob, params, inputs, targets),
        (logprob_grad_by_hand, params, inputs, targets),
        (s2s.grad(logprob), params, inputs, targets),
        (autograd.grad(autograd_logprob), params, inputs, targets) if autograd else None,
    )

    W, U, xs = rs.randn(32, 32) * 0.2, rs.randn(32, 16) * 0.2, rs.randn(100, 16)
    np.testing.assert_allclose(s2s.grad(rnn_loss, wrt=(0, 1))(W, U, xs)[0], rnn_grad_by_hand(W, U, xs)[0])
    report(
        "RNN 100 steps, 32 units",
        (rnn_loss, W, U, xs),
        (rnn_grad_by_hand, W, U, xs),
        (s2s.grad(rnn_loss, wrt=(0, 1)), W, U, xs),
        (autograd.grad(autograd_rnn_loss, (0, 1)), W, U, xs) if autograd else None,
    )

    np.testing.assert_allclose(s2s.grad(scalar_loop, wrt=(0, 1))(0.3, 1.1), scalar_loop_grad_by_hand(0.3, 1.1))
    report(
        "scalar loop, 200 steps",
        (scalar_loop, 0.3, 1.1),
        (scalar_loop_grad_by_hand, 0.3, 1.1),
        (s2s.grad(scalar_loop, wrt=(0, 1)), 0.3, 1.1),
        (autograd.grad(autograd_scalar_loop, (0, 1)), 0.3, 1.1) if autograd else None,
    )


if __name__ == "__main__":
    main()
