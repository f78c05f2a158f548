"""Logistic regression on 10^7 rows with s2s gradients, on a local Dask cluster.

The data are a Dask array generated chunk by chunk on the cluster's worker processes
(10^7 x 10 float64 is 800 MB, never held in one place). The loss is plain NumPy code;
`s2s.value_and_grad` of it, called on the Dask data, returns a lazy loss and gradient,
which each step computes together on the cluster, with Dask's progress bar. The loss
curve is saved as a PNG at the end.

    python -m pip install ".[test,plot]"
    python examples/dask_logistic_regression.py [--rows 10000000] [--steps 15] [--out loss.png]
"""
import argparse
import resource
import sys

import numpy as np

import s2s


def nll(w, X, y):
    """Mean negative log-likelihood of logistic regression; w[0] is the bias."""
    z = X @ w[1:] + w[0]
    return np.mean(np.logaddexp(0.0, z) - y * z)


def make_data(rows, features, chunk_rows, seed=0):
    """Features ~ N(0, 1) and noisy labels of a known linear model, as lazy Dask arrays."""
    import dask.array as da

    rng = da.random.RandomState(seed)
    X = rng.standard_normal((rows, features), chunks=(chunk_rows, features))
    w_true = np.linspace(-1.0, 1.0, features)
    y = (X @ w_true + 0.5 + rng.standard_normal(rows, chunks=chunk_rows) > 0).astype(float)
    return X, y


def peak_rss_mb():
    """This process's peak resident memory, in MB (ru_maxrss is in KB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def train(client, X, y, steps, learning_rate):
    """Gradient descent from zero; returns the weights and the loss at each step."""
    from dask.distributed import progress

    loss_and_grad = s2s.value_and_grad(nll)
    w = np.zeros(X.shape[1] + 1)
    losses = []
    for step in range(steps):
        loss, grad = loss_and_grad(w, X, y)  # lazy Dask arrays: a task graph, nothing computed yet
        # unoptimized: the data's tasks keep one definition from step to step (the scheduler
        # warns when graph fusion gives a key it still knows another one)
        futures = client.compute([loss, grad], optimize_graph=False)
        progress(futures)  # Dask's progress bar, while the workers compute
        loss, grad = client.gather(futures)
        losses.append(float(loss))
        print(f"\nstep {step:3d}  loss {loss:.6f}  |grad| {np.linalg.norm(grad):.2e}", flush=True)
        w = w - learning_rate * grad
    return w, losses


def plot(losses, rows, path):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print(f"matplotlib is not installed, so no {path}: python -m pip install '.[plot]' to get the picture")
        return
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(range(len(losses)), losses, marker="o")
    ax.set_xlabel("gradient descent step")
    ax.set_ylabel("mean negative log-likelihood")
    ax.set_title(f"logistic regression on {rows:,} rows (Dask, s2s.value_and_grad)")
    fig.savefig(path, dpi=100, bbox_inches="tight")
    print(f"wrote {path}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10**7)
    parser.add_argument("--features", type=int, default=10)
    parser.add_argument("--chunk-rows", type=int, default=250_000)
    parser.add_argument("--steps", type=int, default=15)
    parser.add_argument("--learning-rate", type=float, default=4.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", default="dask_logistic_regression.png")
    args = parser.parse_args(argv)

    from dask.distributed import Client, LocalCluster

    with LocalCluster(
        n_workers=args.workers, threads_per_worker=1, processes=True
    ) as cluster, Client(cluster) as client:
        X, y = make_data(args.rows, args.features, min(args.chunk_rows, args.rows))
        print(f"data: {X.shape[0]:,} x {X.shape[1]} float64 ({X.nbytes / 2**20:,.0f} MB) in {X.npartitions} chunks")
        w, losses = train(client, X, y, args.steps, args.learning_rate)
        workers = client.run(peak_rss_mb)
    print("weights:", np.array2string(w, precision=3))
    print(f"peak memory: this process {peak_rss_mb():.0f} MB, workers "
          + ", ".join(f"{mb:.0f} MB" for mb in workers.values()))
    plot(losses, args.rows, args.out)
    return losses


if __name__ == "__main__":
    main()
