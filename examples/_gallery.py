"""What the gallery's examples share: the command line, Adam, and an optional matplotlib.

matplotlib comes with the `plot` extra (python -m pip install ".[plot]"); without it
every example still runs and prints its numbers, and says how to get its picture.
"""
import argparse

import numpy as np


def parse_args(doc, argv=None):
    """`--quick` (a small, fast run) and `--out PATH` (the PNG; 'none' for no picture)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small problem and few steps, in seconds")
    parser.add_argument("--out", default=None, help="where to save the picture ('none': no picture)")
    return parser.parse_args(argv)


def pyplot(path):
    """matplotlib.pyplot drawing off-screen, or None (after saying why) when there is no picture to make."""
    if path is None or path == "none":
        return None
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print(f"matplotlib is not installed, so no {path}: python -m pip install '.[plot]' to get the picture")
        return None
    return plt


def plane_grid(x_range, y_range, points):
    """A points x points grid over a rectangle, for contour plots: its x and y coordinates
    (points, points) and the same points as rows (points ** 2, 2)."""
    gx, gy = np.meshgrid(np.linspace(*x_range, points), np.linspace(*y_range, points))
    return gx, gy, np.stack([gx.ravel(), gy.ravel()], axis=1)


def save(fig, path):
    """Write the figure as a small PNG and say where."""
    fig.savefig(path, dpi=80, bbox_inches="tight")
    print(f"wrote {path}")


def tree_map(fn, x, *rest):
    """fn applied leafwise over nested lists/tuples/dicts of arrays, keeping their structure."""
    if isinstance(x, dict):
        return {k: tree_map(fn, x[k], *(r[k] for r in rest)) for k in x}
    if isinstance(x, (list, tuple)):
        return type(x)(tree_map(fn, *items) for items in zip(x, *rest))
    return fn(x, *rest)


def adam(grad, params, steps, step_size=0.01, b1=0.9, b2=0.999, eps=1e-8, callback=None):
    """Adam (Kingma and Ba) on an array or a nested list/tuple/dict of arrays; grad(params, i)
    is the gradient at step i, callback(params, i) runs before each step."""
    m = tree_map(np.zeros_like, params)
    v = tree_map(np.zeros_like, params)
    for i in range(steps):
        if callback:
            callback(params, i)
        g = grad(params, i)
        m = tree_map(lambda a, d: b1 * a + (1 - b1) * d, m, g)
        v = tree_map(lambda a, d: b2 * a + (1 - b2) * d ** 2, v, g)
        params = tree_map(
            lambda x, a, c: x - step_size * (a / (1 - b1 ** (i + 1))) / (np.sqrt(c / (1 - b2 ** (i + 1))) + eps),
            params, m, v,
        )
    return params
