"""The cache of generated modules: memory, disk between processes, corruption, threads."""
import importlib.util
import inspect
import json
import linecache
import os
import re
import subprocess
import sys
import textwrap
import threading
import time
import traceback
import uuid

import numpy as np
import pytest
from conftest import numeric_grad

import s2s
from s2s import api, cache, diskcache, fingerprint, loader

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

MODEL = """
import numpy as np

SCALE = 0.5


def predict(W, x):
    return np.tanh(x @ W)


def loss(W, x, y):
    h = predict(W, x)
    for _ in range(2):
        h = np.tanh(h @ W.T @ W)
    return np.mean((h - y) ** 2) * SCALE
"""


def load(directory, source=MODEL, name=None):
    """Write `source` as a module file and import it under a fresh name."""
    name = name or f"cached_model_{uuid.uuid4().hex[:8]}"
    path = os.path.join(directory, f"{name}.py")
    with open(path, "w") as f:
        f.write(textwrap.dedent(source))
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    directory = tmp_path / "cache"
    monkeypatch.setenv("S2S_CACHE_DIR", str(directory))
    monkeypatch.delenv("S2S_DISK_CACHE", raising=False)
    s2s.clear_cache()
    yield directory
    s2s.clear_cache()


@pytest.fixture
def data(rng):
    return rng.randn(3, 3), rng.randn(4, 3), rng.randn(4, 3)


def entries(directory):
    return sorted((directory / f"v{diskcache.FORMAT}").glob("*.json"))


def check_gradient(module, data):
    g = s2s.grad(module.loss)(*data)
    np.testing.assert_allclose(g, numeric_grad(module.loss, data), rtol=1e-6, atol=1e-8)


def test_memory_then_disk_then_memory(cache_dir, tmp_path, data):
    model = load(tmp_path)
    check_gradient(model, data)
    assert s2s.cache_info()[:3] == (0, 0, 1)
    [entry] = entries(cache_dir)
    s2s.grad(model.loss)(*data)
    assert s2s.cache_info().memory_hits == 1
    s2s.clear_cache()  # memory only: the disk entry stays
    assert entries(cache_dir) == [entry]
    check_gradient(model, data)
    info = s2s.cache_info()
    assert (info.disk_hits, info.misses) == (1, 0)
    assert "memory_hits=" in repr(info) and "disk_hits=" in repr(info) and "misses=" in repr(info)


def test_source_shows_the_same_code_from_disk(cache_dir, tmp_path):
    model = load(tmp_path)
    text = s2s.source(s2s.grad(model.loss))
    s2s.clear_cache()
    assert s2s.source(s2s.grad(model.loss)) == text
    assert s2s.cache_info().disk_hits == 1


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_entries_are_private_to_their_owner(cache_dir, tmp_path, data):
    model = load(tmp_path)
    s2s.grad(model.loss)(*data)
    [entry] = entries(cache_dir)
    assert entry.stat().st_mode & 0o777 == 0o600
    assert (cache_dir / f"v{diskcache.FORMAT}").stat().st_mode & 0o777 == 0o700
    assert not [p for p in (cache_dir / f"v{diskcache.FORMAT}").iterdir() if p.suffix != ".json"]  # no temporary files left
    entry.chmod(0o666)  # writable by others: not trusted, so not used
    s2s.clear_cache()
    s2s.grad(model.loss)(*data)
    assert s2s.cache_info().misses == 1
    assert entry.stat().st_mode & 0o777 == 0o600  # and rewritten


def corrupt_and_reload(cache_dir, tmp_path, data, damage):
    model = load(tmp_path)
    expected = s2s.grad(model.loss)(*data)
    [entry] = entries(cache_dir)
    damage(entry)
    s2s.clear_cache()
    np.testing.assert_allclose(s2s.grad(model.loss)(*data), expected, rtol=1e-12)
    info = s2s.cache_info()
    assert (info.disk_hits, info.misses) == (0, 1)
    record = json.loads(entry.read_text())  # rewritten whole
    assert diskcache.read(record["key"]) is not None
    s2s.clear_cache()
    s2s.grad(model.loss)(*data)
    assert s2s.cache_info().disk_hits == 1


def test_a_truncated_entry_is_regenerated(cache_dir, tmp_path, data):
    corrupt_and_reload(cache_dir, tmp_path, data, lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]))


def test_an_empty_or_garbage_entry_is_regenerated(cache_dir, tmp_path, data):
    corrupt_and_reload(cache_dir, tmp_path, data, lambda p: p.write_bytes(b"\x00\xff not json"))


def test_an_edited_text_is_not_executed(cache_dir, tmp_path, data):
    def edit(path):
        record = json.loads(path.read_text())
        record["text"] = record["text"].replace("return dW", "raise SystemExit('edited code ran')")
        path.write_text(json.dumps(record))

    corrupt_and_reload(cache_dir, tmp_path, data, edit)


def test_an_edited_recipe_is_not_used(cache_dir, tmp_path, data):
    def edit(path):
        record = json.loads(path.read_text())
        record["recipes"]["np"] = {"module": "os"}
        path.write_text(json.dumps(record))

    corrupt_and_reload(cache_dir, tmp_path, data, edit)


def test_an_entry_for_another_key_is_not_used(cache_dir, tmp_path, data):
    other = load(tmp_path, MODEL.replace("range(2)", "range(5)"))
    s2s.grad(other.loss)(*data)
    [other_entry] = entries(cache_dir)
    other_bytes = other_entry.read_bytes()
    other_entry.unlink()
    corrupt_and_reload(cache_dir, tmp_path, data, lambda p: p.write_bytes(other_bytes))


def test_an_entry_of_another_format_is_not_used(cache_dir, tmp_path, data):
    def edit(path):
        record = json.loads(path.read_text())
        record["format"] = 999
        path.write_text(json.dumps(record))

    corrupt_and_reload(cache_dir, tmp_path, data, edit)


def key_fields(func):
    return cache.DiskKey(func, "grad", (0,), (None, None, None)).fields()


def test_key_follows_source_callees_constants_and_options(tmp_path):
    def fields(source=MODEL):
        linecache.clearcache()  # the file is rewritten in place, maybe within one mtime tick
        return key_fields(load(tmp_path, source, name="keyed_model").loss)

    base = fields()
    assert base is not None and base == fields()  # the same code in another module object
    for changed in (
        MODEL.replace("range(2)", "range(3)"),  # the function itself
        MODEL.replace("np.tanh(x @ W)", "np.sin(x @ W)"),  # a function it calls
        MODEL.replace("SCALE = 0.5", "SCALE = 1"),  # the type of a number it reads
    ):
        assert fields(changed)["code"] != base["code"]
    # a number's value is read when the code runs: the same code serves every value
    assert fields(MODEL.replace("SCALE = 0.5", "SCALE = 0.25"))["code"] == base["code"]
    linecache.clearcache()
    func = load(tmp_path, MODEL, name="keyed_model").loss
    assert key_fields(func) == base
    assert cache.DiskKey(func, "grad", (1,), (None,) * 3).fields() != base
    assert cache.DiskKey(func, "grad", (0,), ("numeric",) * 3).fields() != base
    assert cache.DiskKey(func, "value_and_grad", (0,), (None,) * 3).fields() != base


def test_code_without_source_is_not_cached_on_disk(cache_dir):
    assert cache.DiskKey(np.sum, "grad", (0,), (None,)).fields() is None
    assert fingerprint.fingerprint(len) is None


def test_closures_share_an_entry_but_use_their_own_values(cache_dir, tmp_path):
    model = load(tmp_path, """
        import numpy as np

        def make(a):
            def f(x):
                return np.sum(np.sin(x) * a)
            return f
    """)
    x = np.linspace(0.0, 1.0, 3)
    f1, f2 = model.make(np.array([1.0, 2.0, 3.0])), model.make(np.array([-1.0, 0.5, 4.0]))
    np.testing.assert_allclose(s2s.grad(f1)(x), np.cos(x) * [1.0, 2.0, 3.0])
    np.testing.assert_allclose(s2s.grad(f2)(x), np.cos(x) * [-1.0, 0.5, 4.0])
    # the second closure's module is the first's text, bound to its own cell: no disk read
    assert s2s.cache_info()[:3] == (1, 0, 1) and len(entries(cache_dir)) == 1


STEPS = """
import numpy as np


def loss(w, x):
    return np.sum(np.tanh(x @ w) ** 2) + 0.5 * np.sum(w * w)


def steps(w, X, count):
    grads = []
    for i in range(count):
        grads.append(s2s.grad(lambda v: loss(v, X[i]))(w))
    return grads


def scaled(k):
    return lambda v: np.sum(np.sin(v) * k)


def curvature_steps(w, u, X, count):
    products = []
    for i in range(count):
        products.append(s2s.hvp(lambda v: loss(v, X[i]))(w, u))
    return products
"""


@pytest.mark.parametrize("disk", ["1", "0"])
def test_a_closure_made_anew_each_step_is_transformed_once(cache_dir, tmp_path, rng, monkeypatch, disk):
    """`lambda v: loss(v, X[i])` made at every step: one transform, one disk entry,
    each step's gradient with its own i (a number the code reads when it runs)."""
    monkeypatch.setenv("S2S_DISK_CACHE", disk)
    model = load(tmp_path, "import s2s\n" + STEPS)
    w, X = rng.randn(3), rng.randn(6, 4, 3)
    grads = model.steps(w, X, len(X))
    for i, g in enumerate(grads):
        np.testing.assert_allclose(g, numeric_grad(lambda v: model.loss(v, X[i]), (w,)), rtol=1e-6, atol=1e-8)
    info = s2s.cache_info()
    assert info.misses == 1 and info.disk_hits == 0 and info.memory_hits == len(X) - 1
    assert len(entries(cache_dir)) == (1 if disk == "1" else 0)
    # a float cell, then an int and an array: each kind of value, and its own values
    x = np.linspace(-1.0, 1.0, 3)
    for k in (2.5, -0.5, 3, np.array([1.0, -2.0, 0.5])):
        np.testing.assert_allclose(s2s.grad(model.scaled(k))(x), numeric_grad(model.scaled(k), (x,)), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("disk", ["1", "0"])
def test_an_hvp_of_a_closure_made_anew_each_step_is_transformed_once(cache_dir, tmp_path, rng, monkeypatch, disk):
    """The same for a derivative of a derivative: its module is kept as an entry (the
    functions the inner derivative's module defines need no watch), each step's
    Hessian-vector product with its own i."""
    monkeypatch.setenv("S2S_DISK_CACHE", disk)
    model = load(tmp_path, "import s2s\n" + STEPS)
    w, u, X = rng.randn(3), rng.randn(3), rng.randn(5, 4, 3)
    products = model.curvature_steps(w, u, X, len(X))
    info = s2s.cache_info()
    assert info.misses == 2 and info.disk_hits == 0  # the gradient inside, and the hvp, once each
    assert len(entries(cache_dir)) == (2 if disk == "1" else 0)
    for i, p in enumerate(products):
        by_differences = numeric_grad(lambda v: np.sum(s2s.grad(lambda q: model.loss(q, X[i]))(v) * u), (w,))
        np.testing.assert_allclose(p, by_differences, rtol=1e-5, atol=1e-7)


def test_a_derivative_made_anew_each_call_reuses_its_module(cache_dir, tmp_path, rng):
    """The SciPy idiom `hessp=lambda x, p: s2s.hvp(f)(x, p)`: no disk read, no growth."""
    model = load(tmp_path, MODEL)
    W, x, y = rng.randn(3, 3), rng.randn(4, 3), rng.randn(4, 3)
    v = rng.randn(3, 3)

    def hvp_by_differences(W):
        return numeric_grad(lambda U: np.sum(s2s.grad(model.loss)(U, x, y) * v), (W,))

    first = s2s.hvp(model.loss)(W, x, y, v)
    before = s2s.cache_info()
    for _ in range(5):
        np.testing.assert_allclose(s2s.hvp(model.loss)(W, x, y, v), first)
    after = s2s.cache_info()
    assert after.misses == before.misses and after.disk_hits == before.disk_hits and after.entries == before.entries
    np.testing.assert_allclose(first, hvp_by_differences(W), rtol=1e-5, atol=1e-7)


def test_memory_holds_at_most_its_size(cache_dir, tmp_path, monkeypatch, rng):
    monkeypatch.setenv("S2S_MEMORY_CACHE_SIZE", "3")
    model = load(tmp_path, "import s2s\n" + STEPS)
    x = np.linspace(-1.0, 1.0, 3)
    functions = [model.scaled(float(k)) for k in range(8)]
    derivatives = [s2s.grad(f) for f in functions]
    for f, d in zip(functions, derivatives):
        np.testing.assert_allclose(d(x), numeric_grad(f, (x,)), rtol=1e-6, atol=1e-8)
        assert s2s.cache_info().entries <= 3
    for f, d in zip(functions, derivatives):  # each derivative keeps the modules it uses
        np.testing.assert_allclose(d(x), numeric_grad(f, (x,)), rtol=1e-6, atol=1e-8)
    assert s2s.cache_info().misses == 1


def test_disk_cache_can_be_turned_off(cache_dir, tmp_path, data, monkeypatch):
    monkeypatch.setenv("S2S_DISK_CACHE", "0")
    s2s.grad(load(tmp_path).loss)(*data)
    assert not cache_dir.exists()


def test_clear_cache_can_clear_the_disk(cache_dir, tmp_path, data):
    model = load(tmp_path)
    s2s.grad(model.loss)(*data)
    assert entries(cache_dir)
    s2s.clear_cache(disk=True)
    assert not entries(cache_dir)
    s2s.grad(model.loss)(*data)
    assert s2s.cache_info().misses == 1


def test_default_directory_per_platform(monkeypatch):
    monkeypatch.delenv("S2S_CACHE_DIR", raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", "/xdg/cache")
    assert diskcache.directory() == os.path.join("/xdg/cache", "s2s")
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert diskcache.directory() == os.path.join(os.path.expanduser("~/.cache"), "s2s")
    monkeypatch.setattr(sys, "platform", "darwin")
    assert diskcache.directory() == os.path.expanduser("~/Library/Caches/s2s")
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", "C:\\Users\\me\\AppData\\Local")
    assert diskcache.directory() == os.path.join("C:\\Users\\me\\AppData\\Local", "s2s", "Cache")
    monkeypatch.setenv("S2S_CACHE_DIR", "/somewhere/else")
    assert diskcache.directory() == os.path.abspath("/somewhere/else")


def test_a_new_process_loads_from_disk(cache_dir, tmp_path):
    load(tmp_path, name="fresh_model")
    code = (
        "import numpy as np, s2s, fresh_model\n"
        "W, x = np.ones((3, 3)), np.ones((4, 3))\n"
        "print(s2s.grad(fresh_model.loss)(W, x, 0.5 * x).sum())\n"
        "print(s2s.cache_info())\n"
        "import sys; print(sorted(m for m in sys.modules if m.startswith('s2s.templates.')))\n"
    )
    env = dict(os.environ, S2S_CACHE_DIR=str(cache_dir), PYTHONPATH=os.pathsep.join([str(tmp_path), ROOT]))
    runs = [subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120) for _ in range(2)]
    assert all(r.returncode == 0 for r in runs), runs[0].stderr + runs[1].stderr
    (value1, info1, rules1), (value2, info2, rules2) = (r.stdout.split("\n")[:3] for r in runs)
    assert "disk_hits=0" in info1 and "misses=1" in info1
    assert "disk_hits=1" in info2 and "misses=0" in info2
    assert float(value1) == float(value2)
    assert rules1 != "[]" and rules2 == "[]"  # a hit identifies the rule library without loading it


USER_TANH = """
import numpy as np
import s2s


@s2s.adjoint(np.tanh)
def tanh(result, x):
    d[x] = d[result] / np.cosh(x) ** 2


def f(x):
    return np.sum(np.tanh(x))
"""


def test_a_user_rule_outlives_the_library_loading_after_it(tmp_path):
    """Registered before the first transform (which loads the library), the user's rule
    is the one used; and the rules' key is the same before and after the library loads."""
    (tmp_path / "user_tanh.py").write_text(USER_TANH)  # imported by the new process only
    code = (
        "import numpy as np, s2s, user_tanh\n"
        "from s2s import rules\n"
        "before = rules.digest()\n"
        "x = np.linspace(-1.0, 1.0, 4)\n"
        "d = s2s.grad(user_tanh.f)\n"
        "print(list(d(x)))\n"
        "print('cosh' in s2s.source(d), before == rules.digest())\n"
    )
    env = dict(os.environ, S2S_DISK_CACHE="0", PYTHONPATH=os.pathsep.join([str(tmp_path), ROOT]))
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    gradient, flags = run.stdout.split("\n")[:2]
    x = np.linspace(-1.0, 1.0, 4)
    np.testing.assert_allclose(eval(gradient), 1.0 - np.tanh(x) ** 2, rtol=1e-12)  # noqa: S307 - a printed list of floats
    assert flags == "True True"


def test_file_stamps_follow_edits(tmp_path):
    (tmp_path / "rule.py").write_text("x = 1\n")
    (tmp_path / "notes.txt").write_text("not code\n")
    before = fingerprint.file_stamps(tmp_path)
    assert [s[0] for s in before] == ["rule.py"]
    (tmp_path / "rule.py").write_text("x = 2\n")  # same size
    os.utime(tmp_path / "rule.py", ns=(before[0][2] + 10**9, before[0][2] + 10**9))
    assert fingerprint.file_stamps(tmp_path) != before


# --------------------------------------------------------------------------- threads


def test_concurrent_first_calls_transform_once(cache_dir, tmp_path, data, monkeypatch):
    model = load(tmp_path)
    generate = api.Derivative._generate
    calls = []

    def slow_generate(self, kinds):
        calls.append(kinds)
        time.sleep(0.05)  # every thread arrives while the first one transforms
        return generate(self, kinds)

    monkeypatch.setattr(api.Derivative, "_generate", slow_generate)
    df = s2s.grad(model.loss)
    barrier = threading.Barrier(8)
    results, errors = [None] * 8, []

    def work(i):
        try:
            barrier.wait()
            results[i] = df(*data)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert len(calls) == 1
    info = s2s.cache_info()
    assert (info.misses, info.memory_hits, info.entries) == (1, 7, 1)
    for r in results:
        np.testing.assert_array_equal(r, results[0])


def test_different_derivatives_generate_concurrently(cache_dir):
    first_started, second_done = threading.Event(), threading.Event()
    out = {}

    def slow():
        first_started.set()
        assert second_done.wait(10), "the second key waited for the first"
        return "first"

    t = threading.Thread(target=lambda: out.setdefault("a", cache.lookup(("test", "a"), slow)))
    t.start()
    assert first_started.wait(10)
    out["b"] = cache.lookup(("test", "b"), lambda: "second")
    second_done.set()
    t.join(10)
    assert out == {"a": "first", "b": "second"}


def test_a_failed_generation_is_not_cached(cache_dir):
    def fail():
        raise ValueError("boom")

    with pytest.raises(ValueError):
        cache.lookup(("test", "fail"), fail)
    assert cache.lookup(("test", "fail"), lambda: 42) == 42


@pytest.mark.skipif(not hasattr(s2s, "hessian"), reason="needs second derivatives")
def test_derivatives_of_derivatives_are_cached_on_disk(cache_dir, tmp_path, rng):
    model = load(tmp_path, """
        import numpy as np

        def quartic(x):
            return np.sum(x ** 4) + np.dot(x, x) * x[0]
    """)
    x = rng.randn(3)
    H = s2s.hessian(model.quartic)(x)
    s2s.clear_cache()
    np.testing.assert_array_equal(s2s.hessian(model.quartic)(x), H)
    info = s2s.cache_info()
    assert (info.disk_hits, info.misses) == (1, 0)


def test_key_follows_the_compiler_itself(tmp_path, monkeypatch):
    """A fix to s2s must never be hidden by an entry an older compiler generated."""
    func = load(tmp_path, MODEL, name="compiler_keyed_model").loss
    base = key_fields(func)
    assert base["compiler"] == fingerprint.compiler_digest()
    monkeypatch.setattr(fingerprint, "compiler_digest", lambda: "another compiler")
    assert key_fields(func)["compiler"] != base["compiler"]


def many_models(directory, count):
    return [load(directory, MODEL.replace("SCALE = 0.5", f"SCALE = {i + 1}.5")) for i in range(count)]


def entry_files(directory):
    return sorted(str(p) for p in (directory / f"v{diskcache.FORMAT}").glob("*.json")) + sorted(str(p) for p in (directory / "generated").glob("*.py"))


def test_pruning_removes_the_least_recently_used(cache_dir, tmp_path, data):
    models = many_models(tmp_path, 3)
    files_of = []
    for model in models:
        before = set(entry_files(cache_dir))
        s2s.grad(model.loss)(*data)
        files_of.append(sorted(set(entry_files(cache_dir)) - before))
        assert len(files_of[-1]) == 2  # its entry and its generated module
    now = time.time()
    for age, paths in zip((300, 200, 100), files_of):  # models[0] written first
        for path in paths:
            os.utime(path, (now - age, now - age))
    s2s.clear_cache()
    s2s.grad(models[0].loss)(*data)  # read from disk: now the most recently used
    assert s2s.cache_info().disk_hits == 1
    kept = sum(os.path.getsize(p) for p in files_of[0])
    assert diskcache.prune(max_bytes=int(kept / 0.9) + 1) == 4
    assert sorted(entry_files(cache_dir)) == files_of[0]
    s2s.clear_cache()
    for model in models:
        s2s.grad(model.loss)(*data)
    assert s2s.cache_info()[:3] == (0, 1, 2)


def test_the_cache_stays_under_its_size_limit(cache_dir, tmp_path, data, monkeypatch):
    monkeypatch.setenv("S2S_CACHE_MAX_MB", "0.03")  # about 30 kB: a few entries
    assert diskcache.limit() == int(0.03 * 1024 * 1024)
    for model in many_models(tmp_path, 12):
        check_gradient(model, data)
        assert diskcache.usage()[2] <= diskcache.limit()
    assert 0 < diskcache.usage()[0] < 12
    monkeypatch.setenv("S2S_CACHE_MAX_MB", "lots")
    assert diskcache.limit() == diskcache.DEFAULT_LIMIT_MB * 1024 * 1024


# --------------------------------------------------------------------------- tracebacks

BROKEN = """
import numpy as np

SCALE = np.ones(4)


def loss(w, x):
    h = np.tanh(x @ w)
    z = h * SCALE
    return np.sum(z ** 2)
"""


def line_of(text, statement):
    return textwrap.dedent(text).splitlines().index(statement) + 1


def test_a_traceback_through_generated_code_names_the_users_line(cache_dir, tmp_path, rng):
    model = load(tmp_path, BROKEN)
    dloss = s2s.grad(model.loss)
    with pytest.raises(ValueError) as failure:
        dloss(rng.randn(3, 3), rng.randn(4, 3))  # h is (4, 3), SCALE (4,): cannot broadcast
    last = traceback.extract_tb(failure.value.__traceback__)[-1]
    assert last.filename.startswith(str(cache_dir / "generated"))
    assert last.line.endswith(f'# source: File "{model.__file__}", line {line_of(BROKEN, "    z = h * SCALE")}')


def check_origins(dloss, model):
    """Each line below a comment `# STATEMENT` names the user's line holding STATEMENT."""
    comment = None
    for line in inspect.getsourcelines(dloss.generated(dloss._last_kinds))[0]:
        code, _, origin = line.rstrip("\n").partition("  # source: ")
        if code.strip().startswith("#"):
            comment = code.strip()[2:]
        elif comment and not code.lstrip().startswith(("return", "def ", "for ", "pass")):
            filename, number = re.fullmatch(r'File "(.*)", line (\d+)', origin).groups()
            assert filename == model.__file__
            assert linecache.getline(filename, int(number)).strip() == comment, line
    assert comment is not None


def test_every_backward_line_names_the_line_it_differentiates(cache_dir, tmp_path, rng):
    model = load(tmp_path)
    args = [rng.randn(*s) for s in ((3, 3), (4, 3), (4, 3))]
    dloss = s2s.grad(model.loss)
    dloss(*args)
    check_origins(dloss, model)
    s2s.clear_cache()
    dloss = s2s.grad(model.loss)
    dloss(*args)
    assert s2s.cache_info().disk_hits == 1  # the line table comes back from disk
    check_origins(dloss, model)


@pytest.mark.parametrize("disk_cache", ["1", "0"])
def test_an_uncaught_error_shows_the_users_line(tmp_path, disk_cache):
    """The interpreter's own printer reads the lines from the file (3.10-3.12)."""
    load(tmp_path, BROKEN, name="broken_model")
    script = "import numpy as np, s2s, broken_model\ns2s.grad(broken_model.loss)(np.ones((3, 3)), np.ones((4, 3)))\n"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([ROOT, str(tmp_path)]), S2S_DISK_CACHE=disk_cache,
               S2S_CACHE_DIR=str(tmp_path / "cache"))
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 1 and "ValueError" in out.stderr
    model_file = tmp_path / "broken_model.py"
    assert f'z = h * SCALE  # source: File "{model_file}", line {line_of(BROKEN, "    z = h * SCALE")}' in out.stderr


def no_temporary_folder():
    raise OSError("read-only file system")


def test_without_any_writable_folder_the_lines_still_show(tmp_path, monkeypatch, rng):
    monkeypatch.setenv("S2S_DISK_CACHE", "0")
    monkeypatch.setattr(loader, "_private_folder", no_temporary_folder)
    model = load(tmp_path, BROKEN)
    s2s.clear_cache()
    with pytest.raises(ValueError) as failure:
        s2s.grad(model.loss)(rng.randn(3, 3), rng.randn(4, 3))
    last = traceback.extract_tb(failure.value.__traceback__)[-1]
    assert last.filename.startswith(loader.GENERATED_DIR)  # linecache alone serves the lines
    assert last.line.startswith("z = h * SCALE  # source: File")
    s2s.clear_cache()


REBOUND = """
import numpy as np
import s2s

K = 0


def g(a, b):
    return np.sum(a * a * b)


def through_static(a, b):
    return np.sum(s2s.grad(g, wrt=K)(a, b))


class Model:
    pass


model = Model()
model.act = np.tanh


def through_attribute(x):
    return np.sum(model.act(x))


def act(x):
    return np.tanh(x)


def sine(x):
    return np.sin(x)


def through_callee(x):
    return np.sum(act(x))


SCALE = 2.0


def cosine(x):
    return np.cos(x)


def scalar_through_callee(x):
    return cosine(x) * SCALE
"""


@pytest.mark.parametrize("disk", ["1", "0"])
def test_code_made_for_what_has_been_rebound_is_never_reused(cache_dir, tmp_path, monkeypatch, disk):
    """By the derivative object that made it or by a new one: a callee rebound, a
    callable attribute of a data object (resolved when the code is made), a number a
    transform inside the code reads (`s2s.grad(g, wrt=K)`); and for a call with floats
    only (which skips the general checks of the arguments), a callee and a number read."""
    monkeypatch.setenv("S2S_DISK_CACHE", disk)
    m = load(tmp_path, REBOUND)
    a, b, x = np.array([1.0, 2.0]), np.array([3.0, 5.0]), np.array([0.5, 1.0])
    cases = [
        (m.through_static, (a, b), lambda: setattr(m, "K", 1)),
        (m.through_attribute, (x,), lambda: setattr(m.model, "act", np.sin)),
        (m.through_callee, (x,), lambda: setattr(m, "act", m.sine)),
        (m.scalar_through_callee, (0.5,), lambda: setattr(m, "cosine", m.sine)),
        (m.scalar_through_callee, (0.5,), lambda: setattr(m, "SCALE", 3.0)),
    ]
    for f, args, rebind in cases:
        kept = s2s.grad(f)
        np.testing.assert_allclose(kept(*args), numeric_grad(f, args), rtol=1e-6, atol=1e-8)
        rebind()
        for d in (kept, s2s.grad(f)):
            np.testing.assert_allclose(d(*args), numeric_grad(f, args), rtol=1e-6, atol=1e-8)


SOURCE_SHAPES = '''
import numpy as np


def plain(x):
    return np.sin(x)


def identity(function):
    return function


@identity
@identity
def decorated(x):
    return x


def ends_in_a_call_over_lines(x):
    y = x * 2.0
    return np.sum(
        y,
    )


def with_a_nested_def(x):
    def inner(z):
        if z > 0:
            return z
        return -z
    return inner(x)


def ends_in_a_branch(x):
    if x > 0:
        x = x + 1.0
    else:
        pass
    # a comment after the last statement
    return x


async def asynchronous(x):
    return x


class Holder:
    def method(self, x):
        return x


def one_line(x): return x + 1.0
'''


def test_source_lines_are_inspects(tmp_path):
    """The lines a disk-cache key and the frontend read for a function, found from its
    instructions' positions without tokenizing the file, are those inspect finds."""
    module = load(str(tmp_path), SOURCE_SHAPES)
    functions = [module.plain, module.decorated, module.ends_in_a_call_over_lines,
                 module.with_a_nested_def, module.ends_in_a_branch, module.asynchronous,
                 module.Holder.method, module.one_line, lambda x: x]
    for func in functions:
        assert fingerprint.source_lines(func) == inspect.getsourcelines(func), func.__name__


def test_a_transform_leaves_the_cyclic_collector_as_it_found_it():
    import gc

    def f(x):
        return np.sum(x ** 2)

    assert gc.isenabled()
    s2s.grad(f)(np.ones(2))
    assert gc.isenabled()
    gc.disable()
    try:
        s2s.grad(lambda x: np.sum(x ** 3))(np.ones(2))
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_source_lines_read_a_file_edited_since(tmp_path):
    module = load(str(tmp_path), SOURCE_SHAPES, name="edited_shapes")
    assert "np.sin" in "".join(fingerprint.source_lines(module.plain)[0])
    edited = load(str(tmp_path), SOURCE_SHAPES.replace("np.sin(x)", "np.cos(x)"), name="edited_shapes")
    assert "np.cos" in "".join(fingerprint.source_lines(edited.plain)[0])
