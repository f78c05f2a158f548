"""A fluid simulation differentiated end to end: the initial velocity field is optimised
so that the smoke, advected for a number of steps, forms a target picture.

The simulator is plain NumPy on a periodic grid (np.roll for the finite differences
and the Jacobi pressure solve, integer-array indexing for semi-Lagrangian advection,
after Jos Stam's "stable fluids" and the seeds' "backpropagating through a fluid
simulation"). s2s.value_and_grad differentiates the whole simulation with respect to
the initial velocities, for SciPy's L-BFGS.

    python examples/fluid.py [--quick] [--out fluid.png]
"""
import time

import numpy as np
from _gallery import parse_args, pyplot, save
from scipy.optimize import minimize

import s2s


def project(vx, vy, iterations):
    """The divergence-free part of the velocity field (a Jacobi solve for the pressure)."""
    h = 1.0 / vx.shape[0]
    div = -0.5 * h * (np.roll(vx, -1, axis=0) - np.roll(vx, 1, axis=0)
                      + np.roll(vy, -1, axis=1) - np.roll(vy, 1, axis=1))
    p = np.zeros_like(vx)
    for _ in range(iterations):
        p = (div + np.roll(p, 1, axis=0) + np.roll(p, -1, axis=0)
             + np.roll(p, 1, axis=1) + np.roll(p, -1, axis=1)) / 4.0
    vx = vx - 0.5 * (np.roll(p, -1, axis=0) - np.roll(p, 1, axis=0)) / h
    vy = vy - 0.5 * (np.roll(p, -1, axis=1) - np.roll(p, 1, axis=1)) / h
    return vx, vy


def advect(f, vx, vy):
    """Move the field f along the velocity: each cell reads f, bilinearly interpolated,
    where its content was one time step ago."""
    rows, cols = f.shape
    cell_xs, cell_ys = np.meshgrid(np.arange(rows), np.arange(cols), indexing="ij")
    center_xs = (cell_xs - vx).ravel()
    center_ys = (cell_ys - vy).ravel()
    left = np.floor(center_xs).astype(int)
    top = np.floor(center_ys).astype(int)
    right_weight = center_xs - left
    bottom_weight = center_ys - top
    left, right = np.mod(left, rows), np.mod(left + 1, rows)
    top, bottom = np.mod(top, cols), np.mod(top + 1, cols)
    flat = ((1 - right_weight) * ((1 - bottom_weight) * f[left, top] + bottom_weight * f[left, bottom])
            + right_weight * ((1 - bottom_weight) * f[right, top] + bottom_weight * f[right, bottom]))
    return flat.reshape(rows, cols)


def step(vx, vy, smoke, pressure_iterations=10):
    """One time step: the velocity moves itself and is made divergence-free again, then carries the smoke."""
    vx_moved, vy_moved = advect(vx, vx, vy), advect(vy, vx, vy)
    vx, vy = project(vx_moved, vy_moved, pressure_iterations)
    return vx, vy, advect(smoke, vx, vy)


def simulate(velocity, smoke, steps, frames=None):
    """The smoke after `steps` steps from the initial velocity (both components, flattened);
    the smoke at every step is appended to `frames` when one is given (for the picture)."""
    n = smoke.shape[0]
    vx, vy = velocity[:n * n].reshape(n, n), velocity[n * n:].reshape(n, n)
    for _ in range(steps):
        vx, vy, smoke = step(vx, vy, smoke)
        if frames is not None:
            frames.append(smoke)
    return smoke


def distance_to_target(velocity, smoke, target, steps):
    """Squared distance of the final smoke to the target."""
    return np.sum((simulate(velocity, smoke, steps) - target) ** 2)


def pictures(n):
    """The initial smoke (a band) and the target (a ring)."""
    x, y = np.meshgrid(np.linspace(-1, 1, n), np.linspace(-1, 1, n), indexing="ij")
    smoke = (np.abs(y) < 0.25).astype(float)
    r = np.sqrt(x ** 2 + y ** 2)
    return smoke, ((r > 0.35) & (r < 0.65)).astype(float)


def draw(before, after, target, path):
    plt = pyplot(path)
    if plt is None:
        return
    shown = np.linspace(0, len(before) - 1, 5).astype(int)
    fig, axes = plt.subplots(2, len(shown) + 1, figsize=(2 * len(shown) + 2, 4.4))
    for row, frames, label in zip(axes, [before, after], ["initial velocity zero", "optimised initial velocity"]):
        for ax, t in zip(row, shown):
            ax.imshow(frames[t].T, cmap="magma", vmin=0, vmax=1, origin="lower")
            ax.set_title(f"t = {t}", fontsize=9)
        row[0].set_ylabel(label, fontsize=9)
    axes[0, -1].imshow(target.T, cmap="magma", vmin=0, vmax=1, origin="lower")
    axes[0, -1].set_title("target", fontsize=9)
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
    axes[1, -1].axis("off")
    save(fig, path)


def main(n=32, steps=12, iterations=40, out="fluid.png"):
    smoke, target = pictures(n)
    velocity = np.zeros(2 * n * n)
    value_and_grad = s2s.value_and_grad(distance_to_target)
    print(f"{n} x {n} grid, {steps} time steps; distance to the target at rest: "
          f"{distance_to_target(velocity, smoke, target, steps):.2f}")
    start = time.perf_counter()
    result = minimize(value_and_grad, velocity, args=(smoke, target, steps), jac=True, method="L-BFGS-B",
                      options={"maxiter": iterations})
    print(f"L-BFGS, {result.nit} iterations ({result.nfev} simulations and their gradients) in "
          f"{time.perf_counter() - start:.1f} s: distance {result.fun:.2f}")
    before, after = [smoke], [smoke]  # the smoke at every step, for the picture
    simulate(velocity, smoke, steps, before), simulate(result.x, smoke, steps, after)
    draw(before, after, target, out)
    return result.x, smoke, target


if __name__ == "__main__":
    args = parse_args(__doc__)
    main(**(dict(n=12, steps=4, iterations=5) if args.quick else {}), out=args.out or "fluid.png")
