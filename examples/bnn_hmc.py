"""A Bayesian neural network sampled by Hamiltonian Monte Carlo, with posterior predictive bands.

A one-hidden-layer tanh network on noisy 1-D data with a gap. The leapfrog integrator
defines the potential energy (the negative log posterior) as a nested function and
takes its gradient with s2s.grad inside itself, so leapfrog is itself differentiable:
the smoke test differentiates the energy error of a trajectory through it.

    python examples/bnn_hmc.py [--quick] [--out bnn_hmc.png]
"""
import time

import numpy as np
from _gallery import parse_args, pyplot, save

import s2s


def unpack(w, hidden):
    """The layers of a weight vector: input weights, hidden biases, output weights, output bias."""
    return w[:hidden], w[hidden:2 * hidden], w[2 * hidden:3 * hidden], w[3 * hidden]


def predict(w, x, hidden):
    """The network's outputs at inputs x (n,), its weights packed in one vector w."""
    W1, b1, W2, b2 = unpack(w, hidden)
    h = np.tanh(np.outer(x, W1) + b1)
    return h @ W2 + b2


def log_posterior(w, x, y, hidden, noise=0.1, prior_sd=1.0):
    """Gaussian likelihood with known noise, and a N(0, prior_sd^2) prior on every weight."""
    residual = y - predict(w, x, hidden)
    return -0.5 * np.sum(residual ** 2) / noise ** 2 - 0.5 * np.sum(w ** 2) / prior_sd ** 2


def leapfrog(q, p, x, y, hidden, step, n_steps):
    """n_steps of the leapfrog integrator for H(q, p) = U(q) + |p|^2 / 2."""
    def potential(w):
        return -log_posterior(w, x, y, hidden)

    p = p - 0.5 * step * s2s.grad(potential)(q)
    for _ in range(n_steps - 1):
        q = q + step * p
        p = p - step * s2s.grad(potential)(q)
    q = q + step * p
    p = p - 0.5 * step * s2s.grad(potential)(q)
    return q, p


def hamiltonian(q, p, x, y, hidden):
    return -log_posterior(q, x, y, hidden) + 0.5 * np.sum(p ** 2)


def energy_error(q, p, x, y, hidden, step, n_steps):
    """H(end of the trajectory) - H(start): zero for an exact integrator."""
    q_end, p_end = leapfrog(q, p, x, y, hidden, step, n_steps)
    return hamiltonian(q_end, p_end, x, y, hidden) - hamiltonian(q, p, x, y, hidden)


def hmc(q, x, y, hidden, samples, step, n_steps, rs):
    chain, accepted = [], 0
    for _ in range(samples):
        p = rs.randn(len(q))
        q_end, p_end = leapfrog(q, p, x, y, hidden, step, n_steps)
        dH = hamiltonian(q_end, p_end, x, y, hidden) - hamiltonian(q, p, x, y, hidden)
        if np.log(rs.rand()) < -dH:  # Metropolis: accept with probability min(1, exp(-dH))
            q = q_end
            accepted += 1
        chain.append(q)
    return np.array(chain), accepted / samples


def make_data(n, rs):
    x = np.concatenate([rs.uniform(-3, -1, n // 2), rs.uniform(1, 3, n - n // 2)])
    return x, np.sin(x) + 0.1 * rs.randn(n)


def draw(chain, x, y, hidden, path):
    plt = pyplot(path)
    if plt is None:
        return
    grid = np.linspace(-5, 5, 200)
    predictions = np.array([predict(w, grid, hidden) for w in chain])
    lo, mid, hi = np.percentile(predictions, [2.5, 50, 97.5], axis=0)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.fill_between(grid, lo, hi, color="C0", alpha=0.3, label="95% posterior predictive band (mean function)")
    ax.plot(grid, mid, "C0", label="posterior median")
    ax.plot(x, y, "k.", label="data")
    ax.set_ylim(-3, 3)
    ax.legend(loc="lower left", fontsize=8)
    ax.set_title("Bayesian neural network by HMC (leapfrog through s2s.grad)")
    save(fig, path)


def main(n=40, hidden=10, samples=400, burn_in=100, step=0.004, n_steps=25, out="bnn_hmc.png", seed=0):
    rs = np.random.RandomState(seed)
    x, y = make_data(n, rs)
    q = 0.5 * rs.randn(3 * hidden + 1)
    start = time.perf_counter()
    chain, acceptance = hmc(q, x, y, hidden, samples, step, n_steps, rs)
    print(f"{samples} HMC samples of {len(q)} weights, {n_steps} leapfrog steps each, "
          f"in {time.perf_counter() - start:.1f} s; acceptance rate {acceptance:.2f}")
    kept = chain[burn_in:]
    print(f"log posterior: first sample {log_posterior(chain[0], x, y, hidden):.1f}, "
          f"mean after burn-in {np.mean([log_posterior(w, x, y, hidden) for w in kept]):.1f}")
    draw(kept, x, y, hidden, out)
    return chain, x, y


if __name__ == "__main__":
    args = parse_args(__doc__)
    small = dict(n=20, hidden=5, samples=40, burn_in=20) if args.quick else {}
    main(**small, out=args.out or "bnn_hmc.png")
