"""The seed plot: tanh and its first six derivatives, each one s2s transforming the
previous one's generated code again.

    python -m pip install ".[plot]" && python examples/tanh_derivatives.py [out.png]
"""
import sys

import numpy as np

import s2s


def tanh(x):
    return np.tanh(x)


def derivatives(f, n):
    out = [f]
    for _ in range(n):
        out.append(s2s.elementwise_grad(out[-1]))
    return out


if __name__ == "__main__":
    output = sys.argv[1] if len(sys.argv) > 1 else "tanh_derivatives.png"
    x = np.linspace(-7, 7, 400)
    curves = [d(x) for d in derivatives(tanh, 6)]
    for k, y in enumerate(curves):
        print(f"derivative {k}: max |value| {np.max(np.abs(y)):8.4f}")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        sys.exit("matplotlib is not installed: python -m pip install '.[plot]'")
    fig, ax = plt.subplots(figsize=(8, 5))
    for k, y in enumerate(curves):
        ax.plot(x, y, label="tanh" if k == 0 else f"d{k}")
    ax.set_title("tanh and its first six derivatives (s2s.elementwise_grad, nested)")
    ax.legend(loc="upper left")
    ax.axis("off")
    fig.savefig(output, dpi=100, bbox_inches="tight")
    print(f"wrote {output}")
