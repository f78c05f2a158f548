"""A classifier MLP trained with Adam on two interleaved spirals, with its decision boundary.

The network, its cross-entropy loss and Adam (examples/_gallery.py) are plain NumPy; s2s.grad
writes the backward pass of the loss.

    python examples/mlp_classifier.py [--quick] [--out mlp_classifier.png]
"""
import time

import numpy as np
from _gallery import adam, parse_args, plane_grid, pyplot, save

import s2s


def spirals(points_per_class, noise, rs):
    """Two interleaved spirals in the plane: inputs (2n, 2) and integer labels (2n,)."""
    t = np.sqrt(rs.rand(points_per_class)) * 3 * np.pi
    arm = np.stack([t * np.cos(t), t * np.sin(t)], axis=1) / (3 * np.pi)
    inputs = np.concatenate([arm, -arm]) + noise * rs.randn(2 * points_per_class, 2)
    labels = np.concatenate([np.zeros(points_per_class, int), np.ones(points_per_class, int)])
    return inputs, labels


def init_params(sizes, rs):
    return [(rs.randn(m, n) * np.sqrt(2.0 / m), np.zeros(n)) for m, n in zip(sizes[:-1], sizes[1:])]


def logits(params, inputs):
    for W, b in params[:-1]:
        inputs = np.tanh(inputs @ W + b)
    W, b = params[-1]
    return inputs @ W + b


def loss(params, inputs, labels, l2=1e-4):
    """Mean cross-entropy of the softmax of the logits, plus a little weight decay."""
    z = logits(params, inputs)
    log_probs = z - np.max(z, axis=1, keepdims=True)
    log_probs = log_probs - np.log(np.sum(np.exp(log_probs), axis=1, keepdims=True))
    nll = -np.mean(log_probs[np.arange(len(labels)), labels])
    return nll + l2 * sum(np.sum(W ** 2) for W, _ in params)


def accuracy(params, inputs, labels):
    return np.mean(np.argmax(logits(params, inputs), axis=1) == labels)


def draw(params, inputs, labels, path):
    plt = pyplot(path)
    if plt is None:
        return
    gx, gy, grid = plane_grid((-1.3, 1.3), (-1.3, 1.3), 200)
    z = logits(params, grid)
    p1 = np.exp(z[:, 1] - np.logaddexp(z[:, 0], z[:, 1])).reshape(gx.shape)
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.contourf(gx, gy, p1, levels=20, cmap="RdBu_r", alpha=0.6)
    ax.contour(gx, gy, p1, levels=[0.5], colors="k")
    ax.scatter(*inputs.T, c=labels, cmap="RdBu_r", edgecolors="w", linewidths=0.4, s=16)
    ax.set_title("MLP classifier (Adam, s2s.grad): decision boundary")
    ax.set_aspect("equal")
    save(fig, path)


def main(points_per_class=200, sizes=(2, 32, 32, 2), steps=800, out="mlp_classifier.png", seed=0):
    rs = np.random.RandomState(seed)
    inputs, labels = spirals(points_per_class, 0.03, rs)
    params = init_params(list(sizes), rs)
    dloss = s2s.grad(loss)

    def report(p, i):
        if i % max(1, steps // 8) == 0:
            print(f"step {i:4d}  loss {loss(p, inputs, labels):.4f}  accuracy {accuracy(p, inputs, labels):.3f}")

    start = time.perf_counter()
    params = adam(lambda p, i: dloss(p, inputs, labels), params, steps, callback=report)
    final = loss(params, inputs, labels)
    print(f"after {steps} Adam steps ({time.perf_counter() - start:.1f} s): loss {final:.4f}, "
          f"training accuracy {accuracy(params, inputs, labels):.3f}")
    draw(params, inputs, labels, out)
    return params, inputs, labels


if __name__ == "__main__":
    args = parse_args(__doc__)
    small = dict(points_per_class=40, sizes=(2, 16, 2), steps=60) if args.quick else {}
    main(**small, out=args.out or "mlp_classifier.png")
