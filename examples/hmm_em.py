"""A hidden Markov model fitted by EM, its E-step the gradient of the log partition function.

The forward algorithm computes log Z, the log-likelihood of the observed sequence, as
a function of the log initial, transition and emission probabilities. Its gradient
with respect to those logs is the expected number of times each is used given the
data: exactly the E-step's expected counts. So EM is: counts = s2s.grad(log Z),
then normalise the counts (the M-step).

    python examples/hmm_em.py [--quick] [--out hmm_em.png]
"""
import time

import numpy as np
from _gallery import parse_args, pyplot, save
from scipy.special import logsumexp

import s2s


def log_partition_function(log_params, observations):
    """log p(observations) by the forward algorithm, in log space."""
    log_initial, log_transition, log_emission = log_params
    log_alpha = log_initial + log_emission[:, observations[0]]
    for y in observations[1:]:
        log_alpha = logsumexp(log_alpha[:, None] + log_transition, axis=0) + log_emission[:, y]
    return logsumexp(log_alpha)


def normalise(counts):
    return counts / np.sum(counts, axis=-1, keepdims=True)


def em(params, observations, iterations):
    expected_counts = s2s.value_and_grad(log_partition_function)
    history = []
    for _ in range(iterations):
        log_likelihood, counts = expected_counts(tuple(np.log(p) for p in params), observations)  # E-step
        history.append(log_likelihood)
        params = tuple(normalise(c) for c in counts)  # M-step
    return params, history


def sample(params, length, rs):
    initial, transition, emission = params
    states, observations = [rs.choice(len(initial), p=initial)], []
    for _ in range(length):
        observations.append(rs.choice(emission.shape[1], p=emission[states[-1]]))
        states.append(rs.choice(len(initial), p=transition[states[-1]]))
    return np.array(observations)


def random_params(states, symbols, rs):
    return normalise(rs.rand(states)), normalise(rs.rand(states, states) + 1.0), normalise(rs.rand(states, symbols) + 1.0)


def matched(fitted, true):
    """The fitted hidden states reordered to match the true ones (by their emissions)."""
    order = [int(np.argmin([np.sum(np.abs(f - t)) for f in fitted[2]])) for t in true[2]]
    return fitted[0][order], fitted[1][np.ix_(order, order)], fitted[2][order]


def draw(history, fitted, true, path):
    plt = pyplot(path)
    if plt is None:
        return
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.2), gridspec_kw={"width_ratios": [1.4, 1, 1]})
    axes[0].plot(history)
    axes[0].set_xlabel("EM iteration")
    axes[0].set_ylabel("log-likelihood")
    axes[0].set_title("EM, E-step = s2s.grad(log Z)", fontsize=10)
    for ax, matrix, title in zip(axes[1:], [true[2], fitted[2]], ["true emissions", "fitted emissions"]):
        ax.imshow(matrix, cmap="Blues", vmin=0, vmax=np.max(true[2]))
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("symbol")
        ax.set_ylabel("hidden state")
    save(fig, path)


def main(states=3, symbols=8, length=1000, iterations=40, out="hmm_em.png", seed=2):
    rs = np.random.RandomState(seed)
    true = (np.ones(states) / states,
            normalise(np.eye(states) * 8 + rs.rand(states, states)),
            normalise(rs.rand(states, symbols) ** 4))
    observations = sample(true, length, rs)
    start = time.perf_counter()
    fitted, history = em(random_params(states, symbols, rs), observations, iterations)
    print(f"EM on {length} observations, {iterations} iterations in {time.perf_counter() - start:.1f} s: "
          f"log-likelihood {history[0]:.1f} -> {history[-1]:.1f} "
          f"(the true parameters give {log_partition_function(tuple(np.log(p) for p in true), observations):.1f})")
    fitted = matched(fitted, true)
    print("transition matrix, fitted (true):")
    for f_row, t_row in zip(fitted[1], true[1]):
        print("  " + "  ".join(f"{f:.3f} ({t:.3f})" for f, t in zip(f_row, t_row)))
    draw(history, fitted, true, out)
    return history


if __name__ == "__main__":
    args = parse_args(__doc__)
    main(**(dict(length=100, iterations=5) if args.quick else {}), out=args.out or "hmm_em.png")
