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


# --------------------------------------------------------------------------- Rosenbrock


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def rosenbrock_grad_by_hand(x):
    inner = x[1:] - x[:-1] ** 2
    g = np.zeros_like(x)
    g[1:] = 200.0 * inner
    g[:-1] -= 400.0 * inner * x[:-1] + 2.0 * (1.0 - x[:-1])
    return g


def autograd_rosenbrock(x):
    return anp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


# --------------------------------------------------------------------------- logistic regression


def logistic_nll(w, X, y):
    z = np.dot(X, w)
    return np.sum(np.logaddexp(0.0, z) - y * z)


def logistic_nll_grad_by_hand(w, X, y):
    z = np.dot(X, w)
    return np.dot(X.T, 0.5 * (1.0 + np.tanh(0.5 * z)) - y)  # sigmoid(z) - y, back through X


def autograd_logistic_nll(w, X, y):
    z = anp.dot(X, w)
    return anp.sum(anp.logaddexp(0.0, z) - y * z)


# --------------------------------------------------------------------------- Taylor series with break


def taylor_sine(x):
    ans = currterm = x
    i = 0
    while True:
        currterm = -currterm * x ** 2 / ((2 * i + 3) * (2 * i + 2))
        ans = ans + currterm
        if np.abs(currterm) < 1e-12:
            break
        i = i + 1
    return ans


def taylor_sine_grad_by_hand(x):
    # d(ans)/dx term by term: each term is c_k x^(2k+1), its derivative (2k+1) c_k x^(2k)
    ans = currterm = x
    grad = 1.0
    i = 0
    while True:
        currterm = -currterm * x ** 2 / ((2 * i + 3) * (2 * i + 2))
        ans = ans + currterm
        grad = grad + (2 * i + 3) * currterm / x
        if abs(currterm) < 1e-12:
            break
        i = i + 1
    return grad


def autograd_taylor_sine(x):
    ans = currterm = x
    i = 0
    while True:
        currterm = -currterm * x ** 2 / ((2 * i + 3) * (2 * i + 2))
        ans = ans + currterm
        if anp.abs(currterm) < 1e-12:
            break
        i = i + 1
    return ans


# --------------------------------------------------------------------------- saxpy


def saxpy(a, x, y):
    z = a * x + y
    z = a * z + y
    z = a * z + y
    return z


def saxpy_grad_by_hand(a, x, y):
    z1 = a * x + y
    z2 = a * z1 + y
    # z3 = a * z2 + y: d/da = z2 + a * (z1 + a * x)
    return z2 + a * (z1 + a * x)


def autograd_saxpy(a, x, y):
    z = a * x + y
    z = a * z + y
    z = a * z + y
    return z


# --------------------------------------------------------------------------- optional JAX, PyTorch


def jax_contenders(fn_by_name):
    """{name: jitted gradient} of JAX functions built by `fn_by_name(jnp)`, or {} without JAX."""
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        return {}
    jax.config.update("jax_enable_x64", True)
    out = {}
    for label, (fn, argnums) in fn_by_name(jnp).items():
        g = jax.grad(fn, argnums=argnums)
        jitted = jax.jit(g)
        out[label] = (lambda g: lambda *a: jax.block_until_ready(g(*a)))(g), (lambda g: lambda *a: jax.block_until_ready(g(*a)))(jitted)
    return out


def torch_gradient(fn, argnums):
    """A PyTorch gradient of `fn(torch, *tensors)` wrt the positions `argnums`, or None."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)

    def gradient(*args):
        tensors = [torch.tensor(a, dtype=torch.float64, requires_grad=i in argnums) for i, a in enumerate(args)]
        out = fn(torch, *tensors)
        return torch.autograd.grad(out, [tensors[i] for i in argnums])

    return gradient


def report_optional(name, s2s_time, calls):
    """One line per optional contender (JAX eager, JAX jit, PyTorch) that is installed."""
    present = [(label, c) for label, c in calls if c is not None and c[0] is not None]
    if not present:
        return
    times = best_times(*[c for _, c in present])
    print(f"{'':<22} " + " | ".join(f"{label} {t * 1e6:9.1f} us ({t / s2s_time:4.1f}x s2s)" for (label, _), t in zip(present, times)))


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
    return t_s2s


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

    x = rs.randn(10_000)
    np.testing.assert_allclose(s2s.grad(rosenbrock)(x), rosenbrock_grad_by_hand(x), rtol=1e-10)
    t = report(
        "Rosenbrock n=10^4",
        (rosenbrock, x),
        (rosenbrock_grad_by_hand, x),
        (s2s.grad(rosenbrock), x),
        (autograd.grad(autograd_rosenbrock), x) if autograd else None,
    )
    jax_rosenbrock = jax_contenders(lambda jnp: {"rosen": (lambda x: jnp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2), 0)})
    report_optional("Rosenbrock", t, [
        ("JAX", (jax_rosenbrock["rosen"][0], x) if jax_rosenbrock else None),
        ("JAX jit", (jax_rosenbrock["rosen"][1], x) if jax_rosenbrock else None),
        ("PyTorch", (torch_gradient(lambda torch, x: torch.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2), (0,)), x)),
    ])

    X = rs.randn(2000, 50)
    w, y = rs.randn(50) * 0.1, (rs.rand(2000) < 0.5).astype(float)
    np.testing.assert_allclose(s2s.grad(logistic_nll)(w, X, y), logistic_nll_grad_by_hand(w, X, y), rtol=1e-8)
    t = report(
        "logistic NLL 2000x50",
        (logistic_nll, w, X, y),
        (logistic_nll_grad_by_hand, w, X, y),
        (s2s.grad(logistic_nll), w, X, y),
        (autograd.grad(autograd_logistic_nll), w, X, y) if autograd else None,
    )
    jax_nll = jax_contenders(lambda jnp: {"nll": (lambda w, X, y: jnp.sum(jnp.logaddexp(0.0, X @ w) - y * (X @ w)), 0)})
    report_optional("logistic NLL", t, [
        ("JAX", (jax_nll["nll"][0], w, X, y) if jax_nll else None),
        ("JAX jit", (jax_nll["nll"][1], w, X, y) if jax_nll else None),
        ("PyTorch", (torch_gradient(lambda torch, w, X, y: torch.sum(torch.logaddexp(torch.zeros(()), X @ w) - y * (X @ w)), (0,)), w, X, y)),
    ])

    np.testing.assert_allclose(s2s.grad(taylor_sine)(1.3), taylor_sine_grad_by_hand(1.3), rtol=1e-10)
    report(
        "Taylor sine (break)",
        (taylor_sine, 1.3),
        (taylor_sine_grad_by_hand, 1.3),
        (s2s.grad(taylor_sine), 1.3),
        (autograd.grad(autograd_taylor_sine), 1.3) if autograd else None,
    )

    np.testing.assert_allclose(s2s.grad(saxpy)(0.7, 1.1, -0.4), saxpy_grad_by_hand(0.7, 1.1, -0.4), rtol=1e-12)
    report(
        "saxpy (3 scalar ops)",
        (saxpy, 0.7, 1.1, -0.4),
        (saxpy_grad_by_hand, 0.7, 1.1, -0.4),
        (s2s.grad(saxpy), 0.7, 1.1, -0.4),
        (autograd.grad(autograd_saxpy), 0.7, 1.1, -0.4) if autograd else None,
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
