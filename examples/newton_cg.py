"""Newton-CG with s2s.hvp on 10^4 unknowns: total-variation denoising of a 100 x 100 image.

The objective is plain NumPy on the image; s2s.grad gives its gradient and s2s.hvp its
Hessian-vector products (forward mode over reverse mode, no 10^4 x 10^4 Hessian ever
formed), which SciPy's Newton-CG uses in its inner conjugate-gradient solves. L-BFGS,
with the gradient only, runs beside it for comparison: Newton-CG takes fewer, dearer
iterations (the times exclude generating the derivatives' code, on the first call).

    python examples/newton_cg.py [--quick] [--out newton_cg.png]
"""
import time

import numpy as np
from _gallery import parse_args, pyplot, save
from scipy.optimize import minimize

import s2s


def total_variation_objective(u, noisy, weight, eps=0.005):
    """Least squares to the noisy image plus a smoothed total variation of u (n x n, flattened)."""
    n = noisy.shape[0]
    image = u.reshape(n, n)
    dx = image[1:, :-1] - image[:-1, :-1]
    dy = image[:-1, 1:] - image[:-1, :-1]
    fit = 0.5 * np.sum((image - noisy) ** 2)
    return fit + weight * np.sum(np.sqrt(eps ** 2 + dx ** 2 + dy ** 2))


def test_image(n):
    """Piecewise constant: a disc and a square on a background."""
    y, x = np.mgrid[0:n, 0:n] / n
    image = 0.2 + 0.6 * ((x - 0.35) ** 2 + (y - 0.4) ** 2 < 0.05)
    image += 0.4 * ((abs(x - 0.7) < 0.15) & (abs(y - 0.65) < 0.15))
    return image


def solve(method, noisy, weight, **options):
    args = (noisy, weight)
    counts = {"gradients": 0, "hvps": 0}
    gradient, hvp = s2s.grad(total_variation_objective), s2s.hvp(total_variation_objective)

    def jac(u, *args):
        counts["gradients"] += 1
        return gradient(u, *args)

    def hessp(u, v, *args):
        counts["hvps"] += 1
        return hvp(u, *args, v)

    gradient(noisy.ravel(), *args), hvp(noisy.ravel(), *args, noisy.ravel())  # generate the code before timing
    start = time.perf_counter()
    extra = {"hessp": hessp} if method == "Newton-CG" else {}
    result = minimize(total_variation_objective, noisy.ravel(), args=args, jac=jac, method=method,
                      options=options, **extra)
    seconds = time.perf_counter() - start
    print(f"{method:9s}: objective {result.fun:.6f} after {result.nit} iterations, {counts['gradients']} gradients, "
          f"{counts['hvps']} Hessian-vector products, {seconds:.1f} s")
    return result.x.reshape(noisy.shape)


def draw(clean, noisy, denoised, path):
    plt = pyplot(path)
    if plt is None:
        return
    fig, axes = plt.subplots(1, 3, figsize=(9, 3.2))
    for ax, image, title in zip(axes, [clean, noisy, denoised], ["clean", "noisy", "denoised by Newton-CG + s2s.hvp"]):
        ax.imshow(image, cmap="gray", vmin=0, vmax=1.2)
        ax.set_title(title, fontsize=10)
        ax.axis("off")
    save(fig, path)


def main(n=100, weight=0.15, noise=0.15, out="newton_cg.png", seed=0):
    rs = np.random.RandomState(seed)
    clean = test_image(n)
    noisy = clean + noise * rs.randn(n, n)
    print(f"total-variation denoising of a {n} x {n} image: {n * n} unknowns")
    denoised = solve("Newton-CG", noisy, weight, xtol=1e-8)
    solve("L-BFGS-B", noisy, weight, maxiter=20000, maxfun=20000)
    print(f"RMS error to the clean image: noisy {np.sqrt(np.mean((noisy - clean) ** 2)):.4f}, "
          f"denoised {np.sqrt(np.mean((denoised - clean) ** 2)):.4f}")
    draw(clean, noisy, denoised, out)
    return clean, noisy, denoised


if __name__ == "__main__":
    args = parse_args(__doc__)
    main(**(dict(n=20) if args.quick else {}), out=args.out or "newton_cg.png")
