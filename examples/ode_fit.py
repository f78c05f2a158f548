"""Fitting an ODE's parameters through its solver: Lotka-Volterra predator and prey,
integrated by a classical Runge-Kutta (RK4) loop that s2s differentiates.

The four rates are fitted to noisy observations of both populations by L-BFGS with
the gradient of the squared error through about 200 RK4 steps. SciPy's odeint solves the
fitted system again as a check of the integrator (odeint has no derivative rule in s2s
yet, so it is not differentiated here).

    python examples/ode_fit.py [--quick] [--out ode_fit.png]
"""
import time

import numpy as np
from _gallery import parse_args, pyplot, save
from scipy.integrate import odeint
from scipy.optimize import minimize

import s2s


def lotka_volterra(y, log_rates):
    """d(prey, predators)/dt; the rates are positive, through their logs."""
    a, b, c, d = np.exp(log_rates)
    prey, predators = y[0], y[1]
    return np.array([a * prey - b * prey * predators, c * prey * predators - d * predators])


def rk4(f, y0, times, params, substeps):
    """The solution at `times` (from y0 at times[0]), `substeps` RK4 steps between each."""
    ys = [y0]
    y = y0
    for t0, t1 in zip(times[:-1], times[1:]):
        h = (t1 - t0) / substeps
        for _ in range(substeps):
            k1 = f(y, params)
            k2 = f(y + 0.5 * h * k1, params)
            k3 = f(y + 0.5 * h * k2, params)
            k4 = f(y + h * k3, params)
            y = y + h / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
        ys.append(y)
    return np.stack(ys)


def squared_error(log_rates, y0, times, observed, substeps):
    return np.sum((np.log(rk4(lotka_volterra, y0, times, log_rates, substeps)) - np.log(observed)) ** 2)


def draw(times, observed, fitted, dense_times, dense, path):
    plt = pyplot(path)
    if plt is None:
        return
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for i, name in enumerate(["prey", "predators"]):
        ax.plot(times, observed[:, i], "o", color=f"C{i}", ms=4, label=f"{name}, observed")
        ax.plot(dense_times, dense[:, i], "-", color=f"C{i}", label=f"{name}, fitted")
    ax.set_xlabel("time")
    ax.legend(fontsize=8, ncol=2, loc="upper center")
    ax.set_ylim(0, 1.35 * np.max(observed))
    ax.set_title("Lotka-Volterra rates fitted through an RK4 solver")
    save(fig, path)


def main(observations=40, substeps=5, iterations=100, out="ode_fit.png", seed=0):
    rs = np.random.RandomState(seed)
    true_log_rates = np.log([1.0, 0.5, 0.3, 0.8])
    y0 = np.array([2.0, 1.0])
    times = np.linspace(0, 15, observations)
    observed = odeint(lambda y, t: lotka_volterra(y, true_log_rates), y0, times) * np.exp(0.05 * rs.randn(observations, 2))
    start_rates = np.log([0.7, 0.7, 0.7, 0.7])
    value_and_grad = s2s.value_and_grad(squared_error)
    args = (y0, times, observed, substeps)
    start = time.perf_counter()
    result = minimize(value_and_grad, start_rates, args=args, jac=True, method="L-BFGS-B",
                      options={"maxiter": iterations})
    print(f"L-BFGS through {substeps * (observations - 1)} RK4 steps: error {squared_error(start_rates, *args):.3f} -> "
          f"{result.fun:.4f} in {result.nit} iterations, {time.perf_counter() - start:.1f} s")
    print(f"rates: fitted {np.round(np.exp(result.x), 3)}, true {np.round(np.exp(true_log_rates), 3)}")
    dense_times = np.linspace(0, 15, 300)
    dense = rk4(lotka_volterra, y0, dense_times, result.x, 2)
    reference = odeint(lambda y, t: lotka_volterra(y, result.x), y0, dense_times, rtol=1e-10, atol=1e-10)
    print(f"RK4 against odeint at the fitted rates: largest difference {np.max(np.abs(dense - reference)):.1e}")
    draw(times, observed, result.x, dense_times, dense, out)
    return result.x, true_log_rates


if __name__ == "__main__":
    args = parse_args(__doc__)
    main(**(dict(observations=10, substeps=4, iterations=10) if args.quick else {}), out=args.out or "ode_fit.png")
