"""Smoke tests of the gallery (examples/): each program runs at a tiny size, and the
gradient it trains with matches central differences on a few coordinates."""
import importlib.util
import os
import pathlib
import shutil
import subprocess
import sys

import numpy as np
import pytest
from conftest import numeric_grad

import s2s

EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples"


def example(name):
    """A script of examples/ as a module (examples/ is not a package; its scripts import _gallery)."""
    if str(EXAMPLES) not in sys.path:
        sys.path.insert(0, str(EXAMPLES))
    spec = importlib.util.spec_from_file_location(f"s2s_gallery_{name.replace('/', '_')}", EXAMPLES / f"{name}.py")
    module = sys.modules[spec.name] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def leaf_arrays(x):
    """The arrays of a nested list/tuple/dict, in order (each a view the caller may write into)."""
    if isinstance(x, dict):
        return leaf_arrays(list(x.values()))
    if isinstance(x, (list, tuple)):
        return [a for item in x for a in leaf_arrays(item)]
    return [x]


def copy_tree(x):
    if isinstance(x, dict):
        return {k: copy_tree(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(copy_tree(item) for item in x)
    return np.array(x, dtype=float)


def check_coordinates(f, args, gradient, wrt=0, count=3, seed=0):
    """gradient (of f at args, w.r.t. args[wrt]) agrees with central differences on
    `count` random coordinates of each array leaf of args[wrt]."""
    rs = np.random.RandomState(seed)
    for leaf, (value, g_leaf) in enumerate(zip(leaf_arrays(args[wrt]), leaf_arrays(gradient))):
        for flat in rs.choice(np.size(value), min(count, np.size(value)), replace=False):
            def along(t, leaf=leaf, flat=flat):
                moved = list(args)
                moved[wrt] = copy_tree(args[wrt])
                leaf_arrays(moved[wrt])[leaf].reshape(-1)[flat] = t
                return f(*moved)

            expected = numeric_grad(along, (float(np.reshape(value, -1)[flat]),))
            actual = float(np.asarray(g_leaf).reshape(-1)[flat])
            assert actual == pytest.approx(expected, rel=1e-5, abs=1e-7), (leaf, flat)


def test_mlp_classifier():
    ex = example("mlp_classifier")
    params, inputs, labels = ex.main(points_per_class=10, sizes=(2, 5, 2), steps=30, out=None)
    assert ex.loss(params, inputs, labels) < np.log(2)  # better than chance after 30 steps
    gradient = s2s.grad(ex.loss)(params, inputs, labels)
    check_coordinates(ex.loss, (params, inputs, labels), gradient)


def test_bbvi_banana():
    ex = example("bbvi_banana")
    start = np.array([1.0, 1.0, -1.0, -1.0])
    params = ex.main(steps=40, num_samples=20, out=None)
    assert ex.elbo(params, ex.log_banana, 500, 1) > ex.elbo(start, ex.log_banana, 500, 1)
    gradient = s2s.grad(ex.elbo)(params, ex.log_banana, 20, 3)
    check_coordinates(ex.elbo, (params, ex.log_banana, 20, 3), gradient, count=4)


def test_bnn_hmc():
    ex = example("bnn_hmc")
    chain, x, y = ex.main(n=10, hidden=3, samples=6, burn_in=2, n_steps=5, out=None)
    assert chain.shape == (6, 10)
    # the potential's gradient, and the energy error differentiated through the leapfrog
    # (a derivative of code that calls s2s.grad of a nested function)
    rs = np.random.RandomState(1)
    q, p = chain[-1], rs.randn(10)
    args = (q, p, x, y, 3, 0.01, 4)
    check_coordinates(ex.log_posterior, (q, x, y, 3), s2s.grad(ex.log_posterior)(q, x, y, 3))
    check_coordinates(ex.energy_error, args, s2s.grad(ex.energy_error)(*args), count=4)
    d_step = s2s.grad(ex.energy_error, wrt="step")(*args)
    assert d_step == pytest.approx(numeric_grad(ex.energy_error, args, wrt=5), rel=1e-5)


def test_gaussian_process():
    ex = example("gaussian_process")
    log_params, xs, ys = ex.main(n=8, iterations=1, out=None)
    assert len(xs) == 4 and np.min(ys) <= np.min(ys[:3])
    rs = np.random.RandomState(2)
    x = rs.uniform(-3, 3, 8)
    y = np.sin(x)
    theta = np.array([0.2, -0.1, -2.0])
    gradient = s2s.grad(ex.log_marginal_likelihood)(theta, x, y)
    check_coordinates(ex.log_marginal_likelihood, (theta, x, y), gradient)
    candidates = np.array([-1.0, 0.4, 2.2])
    for wrt, args in [(0, (candidates, theta, x, y)), (1, (candidates, theta, x, y))]:
        check_coordinates(ex.expected_improvement, args, s2s.grad(ex.expected_improvement, wrt=wrt)(*args), wrt=wrt)


@pytest.mark.parametrize("kind", ["rnn", "lstm"])
def test_char_rnn(kind):
    ex = example("char_rnn")
    rs = np.random.RandomState(0)
    chars = sorted(set(ex.TEXT))
    params, curve = ex.train(kind, chars, hidden=4, length=5, batch=3, steps=8, rs=rs)
    assert curve[-1] < curve[0]
    inputs, targets = ex.batches(ex.TEXT, chars, 5, 3, rs)
    gradient = s2s.grad(ex.loss)(params, kind, inputs, targets)
    check_coordinates(ex.loss, (params, kind, inputs, targets), gradient, count=2)
    assert len(ex.sample(params, kind, chars, "a", 5, rs)) == 6


def test_fixed_point():
    ex = example("fixed_point")
    unrolled, implicit = ex.main(size=6, rate=0.8, iterations=(5, 200), tolerances=(1e-3, 1e-12), out=None)
    # relative errors against the hand-derived gradient (small b: |dL/db| ~ 1e-3, tol is absolute)
    assert unrolled[-1][1] < 1e-9 and implicit[-1][1] < 1e-6 and implicit[-1][1] < implicit[0][1]
    rs = np.random.RandomState(3)
    W = ex.contraction(6, 0.9, rs)
    b, target = rs.randn(6), rs.randn(6)
    args = (b, W, target, 1e-13)
    check_coordinates(ex.loss_implicit, args, s2s.grad(ex.loss_implicit)(*args))
    check_coordinates(ex.loss_implicit, args, s2s.grad(ex.loss_implicit, wrt="W")(*args), wrt=1)  # W, read by the step
    check_coordinates(ex.loss_unrolled, (b, W, target, 30), s2s.grad(ex.loss_unrolled)(b, W, target, 30))


def test_newton_cg():
    ex = example("newton_cg")
    clean, noisy, denoised = ex.main(n=12, out=None)
    assert np.mean((denoised - clean) ** 2) < np.mean((noisy - clean) ** 2)
    rs = np.random.RandomState(4)
    u, v = rs.randn(144), rs.randn(144)
    args = (u, noisy, 0.15)
    check_coordinates(ex.total_variation_objective, args, s2s.grad(ex.total_variation_objective)(*args))
    # H v against central differences of the gradient along v
    gradient = s2s.grad(ex.total_variation_objective)
    eps = 1e-6
    expected = (gradient(u + eps * v, noisy, 0.15) - gradient(u - eps * v, noisy, 0.15)) / (2 * eps)
    np.testing.assert_allclose(s2s.hvp(ex.total_variation_objective)(*args, v), expected, rtol=1e-5, atol=1e-6)


def test_fluid():
    ex = example("fluid")
    velocity, smoke, target = ex.main(n=8, steps=3, iterations=3, out=None)
    assert ex.distance_to_target(velocity, smoke, target, 3) < ex.distance_to_target(0 * velocity, smoke, target, 3)
    rs = np.random.RandomState(5)
    args = (0.7 * rs.randn(2 * 64), smoke, target, 3)
    check_coordinates(ex.distance_to_target, args, s2s.grad(ex.distance_to_target)(*args), count=6)


def test_ode_fit():
    ex = example("ode_fit")
    by_rk4, by_odeint, true, (rk4_errors, odeint_errors) = ex.main(
        observations=8, substeps=3, iterations=5, compared_substeps=(1, 8), tolerances=(1e-5, 1e-10), out=None)
    assert np.all(np.isfinite(by_rk4)) and np.all(np.isfinite(by_odeint))
    # against the exact model's gradient: RK4's error falls with its step, the adjoint's with its tolerance
    assert rk4_errors[1][1] < rk4_errors[0][1] and odeint_errors[1][1] < 1e-6
    rs = np.random.RandomState(6)
    times = np.linspace(0, 3, 4)
    observed = np.exp(rs.randn(4, 2) * 0.1 + 1.0)
    args = (np.log([0.9, 0.4, 0.5, 0.7]), np.array([2.0, 1.0]), times, observed, 3)
    check_coordinates(ex.squared_error, args, s2s.grad(ex.squared_error)(*args), count=4)
    # odeint's solution is accurate to about its tolerance: differences over a wider step
    args = args[:-1] + (1e-12,)
    expected = numeric_grad(ex.squared_error_odeint, args, eps=1e-4)
    np.testing.assert_allclose(s2s.grad(ex.squared_error_odeint)(*args), expected, rtol=1e-6)


def test_gmm():
    ex = example("gmm")
    params, data = ex.main(n=40, steps=15, out=None)
    gradient = s2s.grad(ex.log_likelihood)(params, data)
    check_coordinates(ex.log_likelihood, (params, data), gradient)


def test_hmm_em():
    ex = example("hmm_em")
    history = ex.main(states=2, symbols=3, length=30, iterations=6, out=None)
    assert np.all(np.diff(history) > -1e-9)  # EM never lowers the likelihood
    rs = np.random.RandomState(7)
    log_params = tuple(np.log(p) for p in ex.random_params(2, 3, rs))
    observations = rs.randint(0, 3, 12)
    counts = s2s.grad(ex.log_partition_function)(log_params, observations)
    check_coordinates(ex.log_partition_function, (log_params, observations), counts)
    # expected counts: one initial state, a transition between each pair, an emission each
    assert [np.sum(c) for c in counts] == pytest.approx([1, 11, 12])


def test_vae():
    ex = example("vae")
    params, images = ex.main(size=5, count=40, hidden=6, batch=10, steps=25, out=None)
    rs = np.random.RandomState(8)
    start = (ex.init_net([25, 6, 4], rs), ex.init_net([2, 6, 25], rs))
    assert ex.elbo(params, images, 0) > ex.elbo(start, images, 0)
    args = (params, images[:10], 3)
    check_coordinates(ex.elbo, args, s2s.grad(ex.elbo)(*args), count=2)


def test_gan():
    ex = example("gan")
    generator, discriminator, images = ex.main(size=5, count=40, latent=2, hidden=6, batch=8, steps=10, out=None)
    noise = np.random.RandomState(9).randn(8, 2)
    args = (discriminator, generator, images[:8], noise)
    check_coordinates(ex.discriminator_loss, args, s2s.grad(ex.discriminator_loss)(*args), count=2)
    args = (generator, discriminator, noise)
    check_coordinates(ex.generator_loss, args, s2s.grad(ex.generator_loss)(*args), count=2)


def test_taxonomy_loss():
    ex = example("taxonomy_loss")
    params, x, labels, leaves = ex.main(n=60, features=3, steps=5)
    probabilities = np.exp(np.stack(list(ex.leaf_log_probs(params, ex.TAXONOMY, "root", x).values())))
    np.testing.assert_allclose(np.sum(probabilities, axis=0), 1.0)
    args = (params, x, labels, leaves)
    check_coordinates(ex.tree_loss, args, s2s.grad(ex.tree_loss)(*args), count=2)


def test_cbow():
    ex = example("cbow")
    params, contexts, targets = ex.main(sentences=8, dimensions=3, steps=5, out=None)
    args = (params, contexts[:20], targets[:20])
    check_coordinates(ex.cbow_loss, args, s2s.grad(ex.cbow_loss)(*args))
    w = np.random.RandomState(10).randn(7, 4)
    check_coordinates(ex.seed_cbow, (w, 3), s2s.grad(ex.seed_cbow)(w, 3), count=8)


def test_export(tmp_path):
    """examples/export, copied and rebuilt with `s2s build`: the gradient runs in a process
    where s2s cannot be imported, and it is right. The committed copy was built from
    today's model.py (its source hash matches; the compiler's output may have moved on)."""
    project = tmp_path / "export"
    shutil.copytree(EXAMPLES / "export", project, ignore=shutil.ignore_patterns("generated", "__pycache__"))
    build = subprocess.run([sys.executable, "-m", "s2s", "build"], cwd=project, capture_output=True, text=True,
                           env={**os.environ, "PYTHONPATH": str(EXAMPLES.parent)})
    assert build.returncode == 0, build.stderr

    def source_hash(path):
        return next(line for line in path.read_text().splitlines() if line.startswith("# source sha256"))

    committed = EXAMPLES / "export" / "generated" / "loss_grad.py"
    assert source_hash(committed) == source_hash(project / "generated" / "loss_grad.py"), \
        "model.py changed: regenerate with: cd examples/export && s2s build"
    run = subprocess.run([sys.executable, str(project / "train.py"), "--quick"], capture_output=True, text=True,
                         env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    assert run.returncode == 0, run.stderr
    assert "s2s imported: False" in run.stdout
    spec = importlib.util.spec_from_file_location("s2s_gallery_loss_grad", project / "generated" / "loss_grad.py")
    exported = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(exported)
    model = example("export/model")
    rs = np.random.RandomState(11)
    args = (rs.randn(4), rs.randn(10, 3), (rs.rand(10) > 0.5).astype(float))
    np.testing.assert_allclose(exported.dloss(*args), numeric_grad(model.loss, args), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(exported.dloss(*args, 0.5), numeric_grad(model.loss, args + (0.5,)), rtol=1e-6, atol=1e-9)


def test_examples_run_without_matplotlib(monkeypatch, capsys, tmp_path):
    """No matplotlib: no picture, and a line saying how to get it."""
    example("mlp_classifier")  # puts examples/ on sys.path
    import _gallery

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    path = tmp_path / "picture.png"
    assert _gallery.pyplot(str(path)) is None
    assert "pip install '.[plot]'" in capsys.readouterr().out
    assert not path.exists()
