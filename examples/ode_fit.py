"""Fitting an ODE's parameters through its solver, two ways: Lotka-Volterra predator and
prey, integrated by SciPy's odeint and by a classical Runge-Kutta (RK4) loop.

The four rates are fitted to noisy observations of both populations by L-BFGS with the
gradient of the squared error, once through scipy.integrate.odeint (which s2s
differentiates by the adjoint method: one more ODE, solved backwards in time with the
pullback of lotka_volterra) and once through about 200 RK4 steps (backpropagation
through every step). Each gradient is compared with central differences of the exact
model (odeint at tolerance 1e-12): RK4's is the gradient of its discretisation, as good
as its step is small; the adjoint's is the exact flow's, as good as its tolerances.

    python examples/ode_fit.py [--quick] [--out ode_fit.png]
"""
import time

import numpy as np
from _gallery import parse_args, pyplot, save
from scipy.integrate import odeint
from scipy.optimize import minimize

import s2s


def lotka_volterra(y, t, log_rates):
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
        for i in range(substeps):
            t = t0 + i * h
            k1 = f(y, t, params)
            k2 = f(y + 0.5 * h * k1, t + 0.5 * h, params)
            k3 = f(y + 0.5 * h * k2, t + 0.5 * h, params)
            k4 = f(y + h * k3, t + h, params)
            y = y + h / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
        ys.append(y)
    return np.stack(ys)


def squared_error(log_rates, y0, times, observed, substeps):
    """The fit's error (of log populations) through the RK4 loop."""
    return np.sum((np.log(rk4(lotka_volterra, y0, times, log_rates, substeps)) - np.log(observed)) ** 2)


def squared_error_odeint(log_rates, y0, times, observed, tol=1e-8):
    """The same error through odeint, solved to relative and absolute tolerance `tol`."""
    solution = odeint(lotka_volterra, y0, times, args=(log_rates,), rtol=tol, atol=tol)
    return np.sum((np.log(solution) - np.log(observed)) ** 2)


def central_differences(f, x, eps=1e-5):
    return np.array([(f(x + eps * e) - f(x - eps * e)) / (2 * eps) for e in np.eye(len(x))])


def seconds_per_call(f, *args, repeat=3):
    """The fastest of `repeat` calls (after one that generates the code)."""
    f(*args)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        f(*args)
        times.append(time.perf_counter() - start)
    return min(times)


def gradient_errors(rates, args_rk4, args_odeint, substeps, tolerances):
    """[(seconds per gradient, relative error against the exact model's central
    differences)] for RK4 at each number of substeps, and for odeint at each tolerance."""
    y0, times, observed = args_odeint
    exact = central_differences(lambda r: squared_error_odeint(r, y0, times, observed, 1e-12), rates)

    def row(gradient, *args):
        return seconds_per_call(gradient, rates, *args), np.linalg.norm(gradient(rates, *args) - exact) / np.linalg.norm(exact)

    rk4_rows = [row(s2s.grad(squared_error), *args_rk4[:-1], n) for n in substeps]
    odeint_rows = [row(s2s.grad(squared_error_odeint), *args_odeint, tol) for tol in tolerances]
    return rk4_rows, odeint_rows


def fit(value_and_grad, start_rates, args, iterations):
    start = time.perf_counter()
    result = minimize(value_and_grad, start_rates, args=args, jac=True, method="L-BFGS-B", options={"maxiter": iterations})
    return result, time.perf_counter() - start


def draw(times, observed, dense_times, fits, errors, substeps, tolerances, path):
    plt = pyplot(path)
    if plt is None:
        return
    fig, (ax, cost) = plt.subplots(1, 2, figsize=(11, 3.8))
    for i, name in enumerate(["prey", "predators"]):
        ax.plot(times, observed[:, i], "o", color=f"C{i}", ms=4, label=f"{name}, observed")
        for (label, dense), style in zip(fits, ["-", "--"]):
            ax.plot(dense_times, dense[:, i], style, color=f"C{i}", label=f"{name}, fitted through {label}")
    ax.set_xlabel("time")
    ax.legend(fontsize=7, ncol=2, loc="upper center")
    ax.set_ylim(0, 1.5 * np.max(observed))
    ax.set_title("Lotka-Volterra rates fitted through an ODE solver", fontsize=10)
    for rows, marker, label, settings in [(errors[0], "o-", "RK4 loop, backpropagated", [f"{n}" for n in substeps]),
                                          (errors[1], "s-", "odeint, adjoint method", [f"{t:.0e}" for t in tolerances])]:
        seconds, relative = zip(*rows)
        cost.loglog(np.array(seconds) * 1e3, relative, marker, label=label)
        for x, y, text in zip(seconds, relative, settings):
            cost.annotate(text, (x * 1e3, y), fontsize=7, xytext=(3, 3), textcoords="offset points")
    cost.set_xlabel("time per gradient (ms)")
    cost.set_ylabel("relative error of the gradient")
    cost.set_ylim(top=100 * max(e for rows in errors for _, e in rows))
    cost.legend(fontsize=8, loc="upper right")
    cost.set_title("gradient error against the exact model (labels: substeps, tolerance)", fontsize=10)
    save(fig, path)


def main(observations=40, substeps=5, iterations=100, compared_substeps=(1, 2, 5, 10, 20),
         tolerances=(1e-4, 1e-6, 1e-8, 1e-10), out="ode_fit.png", seed=0):
    rs = np.random.RandomState(seed)
    true_log_rates = np.log([1.0, 0.5, 0.3, 0.8])
    y0 = np.array([2.0, 1.0])
    times = np.linspace(0, 15, observations)
    observed = odeint(lotka_volterra, y0, times, args=(true_log_rates,)) * np.exp(0.05 * rs.randn(observations, 2))
    start_rates = np.log([0.7, 0.7, 0.7, 0.7])
    args_rk4, args_odeint = (y0, times, observed, substeps), (y0, times, observed)
    by_rk4, seconds_rk4 = fit(s2s.value_and_grad(squared_error), start_rates, args_rk4, iterations)
    by_odeint, seconds_odeint = fit(s2s.value_and_grad(squared_error_odeint), start_rates, args_odeint, iterations)
    print(f"L-BFGS from error {squared_error_odeint(start_rates, *args_odeint):.3f}, true rates {np.round(np.exp(true_log_rates), 3)}:")
    for label, result, seconds in [(f"{substeps * (observations - 1)} RK4 steps", by_rk4, seconds_rk4),
                                   ("odeint (adjoint)", by_odeint, seconds_odeint)]:
        print(f"  through {label:<16} error {result.fun:.4f} in {result.nit} iterations, {seconds:.1f} s; "
              f"rates {np.round(np.exp(result.x), 3)}")
    errors = gradient_errors(start_rates, args_rk4, args_odeint, compared_substeps, tolerances)
    print("gradient at the start against central differences of the exact model (odeint, tol 1e-12):")
    for label, settings, rows in [("RK4 substeps", compared_substeps, errors[0]), ("odeint tol", tolerances, errors[1])]:
        print(f"  {label}: " + "; ".join(f"{s:g}: {e:.1e} in {1e3 * t:.0f} ms" for s, (t, e) in zip(settings, rows)))
    dense_times = np.linspace(0, 15, 300)
    fits = [("RK4", rk4(lotka_volterra, y0, dense_times, by_rk4.x, 2)),
            ("odeint", odeint(lotka_volterra, y0, dense_times, args=(by_odeint.x,)))]
    draw(times, observed, dense_times, fits, errors, compared_substeps, tolerances, out)
    return by_rk4.x, by_odeint.x, true_log_rates, errors


if __name__ == "__main__":
    args = parse_args(__doc__)
    small = dict(observations=10, substeps=4, iterations=10, compared_substeps=(1, 4), tolerances=(1e-6, 1e-10))
    main(**(small if args.quick else {}), out=args.out or "ode_fit.png")
