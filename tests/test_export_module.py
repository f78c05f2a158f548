"""s2s.export: standalone derivative modules that import and run without s2s."""
import ast
import importlib.util
import os
import subprocess
import sys
import textwrap
import uuid

import numpy as np
import pytest
from conftest import numeric_grad

import s2s
from s2s import runtime

MLP = """
import numpy as np

SCALE = 0.5


def predict(params, inputs):
    for W, b in params:
        outputs = np.dot(inputs, W) + b
        inputs = np.tanh(outputs)
    return outputs


def logprob(params, inputs, targets):
    preds = predict(params, inputs)
    return np.sum((preds - targets) ** 2) * SCALE
"""

WITHOUT_S2S = """
import pickle, sys
sys.modules["s2s"] = None  # importing s2s (or s2s.runtime) now fails
sys.path.insert(0, sys.argv[1])
module = __import__(sys.argv[2])
derivative = getattr(module, module.__all__[0])
args = pickle.load(open(sys.argv[3], "rb"))
pickle.dump(derivative(*args), open(sys.argv[4], "wb"))
"""


def load(directory, source, name=None):
    name = name or f"export_model_{uuid.uuid4().hex[:8]}"
    path = os.path.join(directory, f"{name}.py")
    with open(path, "w") as f:
        f.write(textwrap.dedent(source))
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def run_without_s2s(directory, module_name, args):
    import pickle

    with open(os.path.join(directory, "args.pkl"), "wb") as f:
        pickle.dump(args, f)
    out = subprocess.run(
        [sys.executable, "-c", WITHOUT_S2S, str(directory), module_name, "args.pkl", "out.pkl"],
        cwd=directory, capture_output=True, text=True, timeout=120,
    )
    assert out.returncode == 0, out.stderr
    with open(os.path.join(directory, "out.pkl"), "rb") as f:
        return pickle.load(f)


@pytest.fixture
def mlp(tmp_path, rng):
    model = load(tmp_path, MLP)
    params = [(rng.randn(4, 5) * 0.3, rng.randn(5) * 0.3), (rng.randn(5, 3) * 0.3, rng.randn(3) * 0.3)]
    return model, (params, rng.randn(6, 4), rng.randn(6, 3))


def test_exported_gradient_runs_without_s2s_and_matches_differences(tmp_path, mlp):
    model, args = mlp
    path = s2s.export(s2s.grad(model.logprob), tmp_path / "mlp_grad.py")
    assert path == str(tmp_path / "mlp_grad.py")
    grads = run_without_s2s(tmp_path, "mlp_grad", args)
    params, x, y = args
    for layer, ((gW, gb), (W, b)) in enumerate(zip(grads, params)):
        def f_W(W_, layer=layer):
            p = [list(t) for t in params]
            p[layer][0] = W_
            return model.logprob([tuple(t) for t in p], x, y)

        def f_b(b_, layer=layer):
            p = [list(t) for t in params]
            p[layer][1] = b_
            return model.logprob([tuple(t) for t in p], x, y)

        np.testing.assert_allclose(gW, numeric_grad(f_W, [W]), rtol=1e-5, atol=1e-8)
        np.testing.assert_allclose(gb, numeric_grad(f_b, [b]), rtol=1e-5, atol=1e-8)


def test_several_wrt_and_value_and_grad(tmp_path, rng):
    model = load(tmp_path, """
        import numpy as np

        def loss(W, x, y):
            return np.mean((np.tanh(x @ W) - y) ** 2)
    """)
    W, x, y = rng.randn(3, 2), rng.randn(4, 3), rng.randn(4, 2)
    s2s.export(s2s.grad(model.loss, wrt=("W", "x")), tmp_path / "two.py")
    dW, dx = run_without_s2s(tmp_path, "two", (W, x, y))
    np.testing.assert_allclose(dW, numeric_grad(model.loss, [W, x, y], 0), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(dx, numeric_grad(model.loss, [W, x, y], 1), rtol=1e-6, atol=1e-9)
    s2s.export(s2s.value_and_grad(model.loss), tmp_path / "vg.py")
    value, dW = run_without_s2s(tmp_path, "vg", (W, x, y))
    assert value == pytest.approx(model.loss(W, x, y))
    np.testing.assert_allclose(dW, numeric_grad(model.loss, [W, x, y], 0), rtol=1e-6, atol=1e-9)


def test_exported_derivatives_keep_the_functions_defaults(tmp_path, rng):
    """`def loss(W, x, scale=2.0, shift=(1.0, 0.5), *, power=3)`: the exported gradient,
    value_and_grad and Hessian take the same optional arguments, with the same defaults."""
    model = load(tmp_path, """
        import numpy as np

        def loss(W, x, scale=2.0, shift=(1.0, 0.5), *, power=3):
            return np.sum((np.tanh(x @ W) * scale + shift[0]) ** power) + shift[1] * np.sum(W ** 2)
    """)
    W, x = 0.5 * rng.randn(3, 2), rng.randn(4, 3)
    s2s.export(s2s.grad(model.loss), tmp_path / "defaults.py")
    exported = load(tmp_path, (tmp_path / "defaults.py").read_text(), "defaults_again")
    np.testing.assert_allclose(run_without_s2s(tmp_path, "defaults", (W, x)), numeric_grad(model.loss, [W, x]), rtol=1e-6)

    def given(W):
        return model.loss(W, x, 1.5, (0.0, 2.0), power=2)

    np.testing.assert_allclose(exported.dloss(W, x, 1.5, (0.0, 2.0), power=2), numeric_grad(given, [W]), rtol=1e-6)
    s2s.export(s2s.value_and_grad(model.loss), tmp_path / "defaults_vg.py")
    value, dW = run_without_s2s(tmp_path, "defaults_vg", (W, x))
    assert value == pytest.approx(model.loss(W, x))
    np.testing.assert_allclose(dW, numeric_grad(model.loss, [W, x]), rtol=1e-6)
    w = rng.randn(3)
    vector = load(tmp_path, """
        import numpy as np

        def f(w, scale=2.0):
            return np.sum(np.sin(w) * scale) ** 2
    """)
    s2s.export(s2s.hessian(vector.f), tmp_path / "defaults_hessian.py")
    total = 2.0 * np.sum(np.sin(w))  # f = total^2: H = 2 (2 cos w)(2 cos w)^T - 2 total diag(2 sin w)
    expected = 8.0 * np.outer(np.cos(w), np.cos(w)) - 4.0 * total * np.diag(np.sin(w))
    np.testing.assert_allclose(run_without_s2s(tmp_path, "defaults_hessian", (w,)), expected, rtol=1e-5)


def test_a_helpers_numpy_scalar_default_exports_as_a_call_of_its_type(tmp_path, rng):
    model = load(tmp_path, """
        import numpy as np

        def scaled(p, gain=np.float32(0.1), shift=np.int64(2)):
            return p * gain + shift

        def loss(w):
            return np.sum(scaled(w * w) ** 2)
    """)
    w = rng.randn(3)
    s2s.export(s2s.grad(model.loss), tmp_path / "scalar_defaults.py")
    assert "float32(0.10000000149011612)" in (tmp_path / "scalar_defaults.py").read_text()
    np.testing.assert_allclose(run_without_s2s(tmp_path, "scalar_defaults", (w,)), numeric_grad(model.loss, [w]), rtol=1e-6)


def functions(text):
    return {n.name: ast.dump(n) for n in ast.parse(text).body if isinstance(n, ast.FunctionDef)}


def test_export_is_the_generated_code_plus_header_and_runtime(tmp_path, mlp):
    model, _ = mlp
    df = s2s.grad(model.logprob)
    s2s.export(df, tmp_path / "out.py")
    text = (tmp_path / "out.py").read_text()
    generated = functions(s2s.source(df))
    exported = functions(text)
    for name, dump in generated.items():
        assert exported[name] == dump  # the same code
    helpers = set(exported) - set(generated)
    assert helpers and all(hasattr(runtime, h) for h in helpers)  # and runtime helpers only
    assert "tensordot_grad_left" not in helpers  # just those it needs (and theirs)
    tree = ast.parse(text)
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not [m for m in imported if m.split(".")[0] == "s2s"]
    [all_] = [n for n in tree.body if isinstance(n, ast.Assign) and n.targets[0].id == "__all__"]
    assert ast.literal_eval(all_.value)[0] == df.module().entry
    assert "SCALE = 0.5" in text  # a constant of the user's module, as a literal


def test_header_names_source_hash_version_and_is_deterministic(tmp_path, mlp, monkeypatch):
    model, _ = mlp
    df = s2s.grad(model.logprob)
    s2s.export(df, tmp_path / "a.py")
    header = (tmp_path / "a.py").read_text().split("\n\n")[0]
    assert "logprob" in header and os.path.basename(model.__file__) in header
    assert s2s.__version__ in header and "do not edit" in header and "sha256" in header
    assert str(tmp_path) not in (tmp_path / "a.py").read_text()  # no absolute paths
    monkeypatch.chdir(tmp_path.parent)
    s2s.export(df, tmp_path / "b.py")
    a, b = (tmp_path / "a.py").read_text(), (tmp_path / "b.py").read_text()
    assert a == b.replace("-o b.py", "-o a.py")


def test_export_overwrites_atomically(tmp_path, mlp):
    model, _ = mlp
    target = tmp_path / "out.py"
    target.write_text("old")
    s2s.export(s2s.grad(model.logprob), target)
    assert target.read_text().startswith("# Generated by s2s")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_module_globals_are_imported_and_closures_refused(tmp_path, rng):
    model = load(tmp_path, """
        import numpy as np

        A = np.array([1.0, -2.0, 3.0])

        def f(x):
            return np.sum(np.sin(x) * A)

        def make(a):
            def g(x):
                return np.sum(np.sin(x) * a)
            return g
    """, name="globals_model")
    s2s.export(s2s.grad(model.f), tmp_path / "f_grad.py")
    assert "from globals_model import A" in (tmp_path / "f_grad.py").read_text()
    x = rng.randn(3)
    np.testing.assert_allclose(run_without_s2s(tmp_path, "f_grad", (x,)), np.cos(x) * model.A)
    with pytest.raises(s2s.TransformError, match="'a'"):
        s2s.export(s2s.grad(model.make(np.ones(3))), tmp_path / "g_grad.py")
    assert not (tmp_path / "g_grad.py").exists()


def test_export_rejects_what_is_not_a_derivative(tmp_path):
    with pytest.raises(TypeError):
        s2s.export(len, tmp_path / "x.py")


def test_second_order_exports_import_the_globals_the_model_reads(tmp_path, rng):
    """The hessian's code reads A through the gradient's generated module: export finds
    where that module took it from, with the cache cold and warm."""
    model = load(tmp_path, """
        import numpy as np

        A = np.array([1.0, -2.0, 3.0])

        def f(x):
            return np.sum(A * x ** 3)
    """, name="hessian_globals_model")
    x = rng.randn(3)
    for _ in range(2):
        s2s.clear_cache()  # the second time, both levels come from the disk cache
        s2s.export(s2s.hessian(model.f), tmp_path / "f_hessian.py")
        assert "from hessian_globals_model import A" in (tmp_path / "f_hessian.py").read_text()
        np.testing.assert_allclose(run_without_s2s(tmp_path, "f_hessian", (x,)), np.diag(6.0 * model.A * x))
    assert s2s.cache_info().disk_hits >= 1


HIGHER = """
import numpy as np


def quartic(x):
    return np.sum(x ** 4) + np.dot(x, x) * x[0]


def vector_fn(x):
    return np.array([x[0] * x[1], np.sin(x[2]), x[0] ** 3])
"""


@pytest.mark.skipif(not (hasattr(s2s, "jvp") and hasattr(s2s, "hessian")), reason="needs forward mode")
def test_forward_and_second_order_exports_run_without_s2s(tmp_path, rng):
    model = load(tmp_path, HIGHER)
    x, t = rng.randn(3), rng.randn(3)
    s2s.export(s2s.jvp(model.vector_fn), tmp_path / "forward.py")
    value, jv = run_without_s2s(tmp_path, "forward", (x, t))
    eps = 1e-6
    np.testing.assert_allclose(value, model.vector_fn(x))
    np.testing.assert_allclose(jv, (model.vector_fn(x + eps * t) - model.vector_fn(x - eps * t)) / (2 * eps), rtol=1e-6)
    s2s.export(s2s.hessian(model.quartic), tmp_path / "hessian.py")
    H = np.diag(12 * x ** 2) + 2 * x[0] * np.eye(3)
    H[0, :] += 2 * x
    H[:, 0] += 2 * x
    np.testing.assert_allclose(run_without_s2s(tmp_path, "hessian", (x,)), H, rtol=1e-10)
    assert "hessian of quartic" in (tmp_path / "hessian.py").read_text()
    # s2s.hvp's module returns H @ v alone, as the call does
    s2s.export(s2s.hvp(model.quartic), tmp_path / "hvp.py")
    np.testing.assert_allclose(run_without_s2s(tmp_path, "hvp", (x, t)), H @ t, rtol=1e-10)
    assert "hvp of quartic" in (tmp_path / "hvp.py").read_text()
    assert "s2s.export(s2s.hvp(quartic, wrt=('x',))" in (tmp_path / "hvp.py").read_text()


# The text every supported Python (3.10-3.13) must write for these statements: a file
# built on one version is up to date on another (CI runs this on the oldest and newest).
SAME_TEXT_ON_EVERY_PYTHON = [
    ("(a, b) = f(x)", "a, b = f(x)"),
    ("((a, b), c) = g()", "(a, b), c = g()"),
    ("x = a, b", "x = (a, b)"),
    ("for (i, x) in enumerate(y):\n    s = i, x", "for i, x in enumerate(y):\n    s = (i, x)"),
    ("q = [(u, v) for (u, v) in zip(a, b)]", "q = [(u, v) for u, v in zip(a, b)]"),
    ("h = lambda : 3", "h = lambda: 3"),
    ("t = (1,)", "t = (1,)"),
    ("e = ()", "e = ()"),
    ("y = a[1:2, 3]", "y = a[1:2, 3]"),
    ("def g():\n    return a, -b", "def g():\n    return (a, -b)"),
]
FSTRINGS = [
    ("f'loss {x:.3f} {name!r} {d[\"k\"]}'", "f\"loss {x:.3f} {name!r} {d['k']}\""),
    ("f\"{'q' if c else 'r'} {{lit}} it's \\t\"", "f\"{('q' if c else 'r')} {{lit}} it's \\t\""),
    ("f'{y:>{w}}' 'plain\\n'", 'f"{y:>{w}}plain\\n"'),
    ("f'{f\"{x}\"}'", "f'{f\"{x}\"}'"),
    ("f'{\"a\" + name}'", "f\"{'a' + name}\""),
    ("f\'\'\'{d[\"it's\"]} \"\'\'\'", "f\"\"\"{d[\"it's\"]} \\\"\"\"\""),
]


@pytest.mark.parametrize("source, expected", SAME_TEXT_ON_EVERY_PYTHON + FSTRINGS)
def test_generated_text_does_not_depend_on_the_python_version(source, expected):
    from s2s.emit import unparse

    assert unparse(ast.parse(source)) == expected


@pytest.mark.parametrize("source, expected", FSTRINGS)
def test_fstrings_are_rewritten_to_equal_strings(source, expected):
    scope = {"x": 3.14159, "name": "nm", "d": {"k": 5, "it's": 6}, "y": 7, "w": 4, "c": False}
    assert eval(expected, dict(scope)) == eval(source, dict(scope))
