"""The command line: `s2s grad`, `s2s build [--check]`, and their errors."""
import os
import subprocess
import sys
import textwrap
import uuid

import numpy as np
import pytest
from conftest import numeric_grad

import s2s
from s2s import cli

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

MODEL = """
import numpy as np


def loss(W, b, x):
    return np.sum(np.tanh(x @ W + b) ** 2)


def unsupported(x):
    try:
        return np.sum(x ** 2)
    except ValueError:
        return 0.0
"""


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A directory with a uniquely named model module, as the current directory."""
    name = f"cli_model_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{name}.py").write_text(MODEL)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path, name


def s2s_main(*argv, capsys):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def import_file(path):
    namespace = {}
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    return namespace


def test_grad_prints_a_standalone_module(project, capsys):
    tmp_path, name = project
    code, out, err = s2s_main("grad", f"{name}.py:loss", "--wrt", "W", capsys=capsys)
    assert code == 0, err
    assert "def dloss(" in out and f"s2s grad {name}.py:loss --wrt W" in out
    compile(out, "printed.py", "exec")


def test_grad_writes_and_the_file_computes_the_gradient(project, capsys, rng):
    tmp_path, name = project
    (tmp_path / "out").mkdir()
    code, _, err = s2s_main("grad", f"{name}.py:loss", "--wrt", "W", "b", "-o", "out/grad.py", capsys=capsys)
    assert code == 0, err
    namespace = import_file(tmp_path / "out" / "grad.py")
    dW, db = namespace[namespace["__all__"][0]](W := rng.randn(3, 2), b := rng.randn(2), x := rng.randn(4, 3))
    loss = sys.modules[name].loss
    np.testing.assert_allclose(dW, numeric_grad(loss, [W, b, x], 0), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(db, numeric_grad(loss, [W, b, x], 1), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["grad", "missing.py:loss"], "missing.py"),
        (["grad", "{name}.py:no_such_function"], "no_such_function"),
        (["grad", "{name}.py:loss", "--wrt", "Q"], "'Q'"),
        (["grad", "{name}.py:loss", "--wrt", "7"], "7"),
        (["grad", "{name}.py"], "FILE:FUNCTION"),
        (["grad", "{name}.py:np"], "module"),
        (["grad", "no_such_module:loss"], "no_such_module"),
    ],
)
def test_grad_errors_are_one_line_and_write_nothing(project, capsys, argv, message):
    tmp_path, name = project
    argv = [a.format(name=name) for a in argv] + ["-o", "out.py"]
    code, out, err = s2s_main(*argv, capsys=capsys)
    assert code == 2
    assert err.startswith("s2s: error:") and message in err and err.count("\n") == 1
    assert "Traceback" not in err
    assert not (tmp_path / "out.py").exists()


def test_a_module_that_fails_to_import_is_reported(project, capsys):
    tmp_path, _ = project
    (tmp_path / "bad_import_model.py").write_text("import numpy as np\nraise RuntimeError('no data')\n")
    code, _, err = s2s_main("grad", "bad_import_model.py:f", capsys=capsys)
    assert code == 2 and "RuntimeError: no data" in err and "Traceback" not in err


def test_forward_mode(project, capsys):
    tmp_path, name = project
    code, out, err = s2s_main("grad", f"{name}.py:loss", "--mode", "forward", capsys=capsys)
    if hasattr(s2s, "jvp"):
        assert code == 0, err
        compile(out, "forward.py", "exec")
    else:
        assert code == 2 and "forward mode" in err and "Traceback" not in err


def test_a_transform_error_is_reported_without_traceback(project, capsys):
    tmp_path, name = project
    code, _, err = s2s_main("grad", f"{name}.py:unsupported", "-o", "x.py", capsys=capsys)
    assert code == 2 and "try/except" in err and f"{name}.py" in err and "Traceback" not in err
    assert not (tmp_path / "x.py").exists()


def test_the_module_entry_point(project):
    tmp_path, name = project
    run = [sys.executable, "-m", "s2s", "grad"]
    env = dict(os.environ, PYTHONPATH=ROOT)
    out = subprocess.run(run + ["missing.py:loss", "-o", "x.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 2 and "missing.py" in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "x.py").exists()
    out = subprocess.run(run + [f"{name}.py:loss"], cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0 and "def dloss(" in out.stdout, out.stderr


# --------------------------------------------------------------------------- build


def pyproject(tmp_path, targets):
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent(f"""
        [project]
        name = "example"

        [tool.s2s]
        targets = [
        {targets}
        ]
    """))


def test_build_check_edit_rebuild(project, capsys):
    tmp_path, name = project
    pyproject(tmp_path, f"""
        {{ function = "{name}.py:loss", wrt = ["W", "b"], output = "generated/loss_grad.py" }},
        {{ function = "{name}.py:loss", wrt = 2, mode = "reverse", output = "generated/loss_dx.py" }},
    """)
    out_W, out_x = tmp_path / "generated" / "loss_grad.py", tmp_path / "generated" / "loss_dx.py"
    code, out, _ = s2s_main("build", "--check", capsys=capsys)
    assert code == 1 and "loss_grad.py: missing" in out and "loss_dx.py: missing" in out
    assert not out_W.exists() and not out_x.exists()

    code, out, err = s2s_main("build", capsys=capsys)
    assert code == 0, err
    assert "generated/loss_grad.py: written (directory created)" in out and "loss_dx.py: written\n" in out
    assert "regenerate with:\n#     s2s build" in out_W.read_text().lower()
    assert str(tmp_path) not in out_W.read_text()
    stamp = out_W.stat().st_mtime_ns
    assert s2s_main("build", capsys=capsys)[1].count("unchanged") == 2
    assert out_W.stat().st_mtime_ns == stamp  # an unchanged output is not rewritten
    assert s2s_main("build", "--check", capsys=capsys)[0] == 0

    source = tmp_path / f"{name}.py"
    source.write_text(MODEL.replace("** 2", "** 3"))
    s2s.clear_cache()
    before = out_W.read_bytes()
    sys.modules.pop(name)  # a new process would import the edited file
    code, out, err = s2s_main("build", "--check", capsys=capsys)
    assert code == 1 and "generated/loss_grad.py: stale" in out and "generated/loss_dx.py: stale" in out
    assert out_W.read_bytes() == before  # --check writes nothing
    assert s2s_main("build", capsys=capsys)[0] == 0
    assert s2s_main("build", "--check", capsys=capsys)[0] == 0


ARRAY_MODEL = """
import numpy as np

TABLE = np.linspace(0.5, 2.0, 3)


def loss(w, x):
    return np.sum(np.tanh(x @ w) * TABLE)
"""


def test_check_passes_when_the_disk_cache_holds_the_derivative(project, capsys, rng):
    """What export needs to know (TABLE is the model's own global) comes back from disk too."""
    tmp_path, _ = project
    name = f"array_model_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{name}.py").write_text(ARRAY_MODEL)
    pyproject(tmp_path, f'{{ function = "{name}.py:loss", output = "gen/loss_grad.py" }}')
    s2s.clear_cache(disk=True)
    assert s2s_main("build", capsys=capsys)[0] == 0
    for _ in range(2):  # the second time, the derivative comes from the disk cache
        s2s.clear_cache()
        code, out, err = s2s_main("build", "--check", capsys=capsys)
        assert code == 0, err
        assert "gen/loss_grad.py: up to date" in out
    assert s2s.cache_info().disk_hits == 1
    w, x = rng.randn(3, 3), rng.randn(4, 3)
    namespace = import_file(tmp_path / "gen" / "loss_grad.py")
    model = sys.modules[name]
    np.testing.assert_allclose(namespace["dloss"](w, x), numeric_grad(model.loss, (w, x)), rtol=1e-6, atol=1e-8)


def test_build_from_a_subdirectory_and_a_package(project, capsys, monkeypatch):
    tmp_path, _ = project
    package = f"pkg_{uuid.uuid4().hex[:8]}"
    (tmp_path / package).mkdir()
    (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / package / "scales.py").write_text("FACTOR = 3.0\n")
    (tmp_path / package / "model.py").write_text(textwrap.dedent("""
        import numpy as np
        from .scales import FACTOR

        def energy(x):
            return FACTOR * np.sum(x ** 2)
    """))
    pyproject(tmp_path, f'{{ function = "{package}/model.py:energy", output = "{package}/energy_grad.py" }}')
    monkeypatch.chdir(tmp_path / package)
    code, _, err = s2s_main("build", capsys=capsys)
    assert code == 0, err
    namespace = import_file(tmp_path / package / "energy_grad.py")
    np.testing.assert_allclose(namespace["denergy"](np.arange(3.0)), 6.0 * np.arange(3.0))
    assert sys.modules[f"{package}.model"].__file__ == str(tmp_path / package / "model.py")


@pytest.mark.parametrize(
    "targets, message",
    [
        ('{ function = "MODEL.py:nope", output = "a.py" }', "nope"),
        ('{ function = "missing.py:loss", output = "a.py" }', "missing.py"),
        ('{ function = "MODEL.py:loss", wrt = ["Q"], output = "a.py" }', "'Q'"),
        ('{ function = "MODEL.py:loss", wrt = [1.5], output = "a.py" }', "wrt"),
        ('{ function = "MODEL.py:loss" }', "output"),
        ('{ function = "MODEL.py:loss", output = "a.py", mdoe = "forward" }', "mdoe"),
        ('{ function = "MODEL.py:loss", output = "a.py", mode = "sideways" }', "sideways"),
        ('{ function = "MODEL.py:loss", output = "a.py" }, { function = "MODEL.py:loss", output = "./a.py" }', "a.py"),
        ('"MODEL.py:loss"', "table"),
        ('{ function = "MODEL.py:loss", output = "../../escape.py" }', "outside the project"),
        ('{ function = "MODEL.py:loss", output = "sub/../../escape.py" }', "outside the project"),
        ('{ function = "MODEL.py:loss", output = "." }', "outside the project"),
        ('{ function = "MODEL.py:loss", output = "ABSOLUTE" }', "must be a path relative to the project"),
        ('{ function = "MODEL.py:loss", output = "link/escape.py" }', "outside the project"),
    ],
)
def test_bad_targets_write_nothing(project, capsys, targets, message):
    tmp_path, name = project
    outside = tmp_path.parent / f"outside_{uuid.uuid4().hex[:8]}"
    outside.mkdir()
    (tmp_path / "link").symlink_to(outside, target_is_directory=True)  # a way out of the project
    good = f'{{ function = "{name}.py:loss", output = "good.py" }}'
    targets = targets.replace("MODEL", name).replace("ABSOLUTE", str(outside / "escape.py"))
    pyproject(tmp_path, good + ",\n" + targets)
    for argv in (["build"], ["build", "--check"]):
        code, out, err = s2s_main(*argv, capsys=capsys)
        assert code == 2 and message in err and err.startswith("s2s: error:") and err.count("\n") == 1
        assert "Traceback" not in err
    assert not (tmp_path / "good.py").exists() and not (tmp_path / "a.py").exists()
    assert not os.listdir(outside) and not (tmp_path.parent.parent / "escape.py").exists()


def test_grad_refuses_to_write_into_a_missing_directory(project, capsys):
    tmp_path, name = project
    code, _, err = s2s_main("grad", f"{name}.py:loss", "-o", "nodir/loss_grad.py", capsys=capsys)
    assert code == 2 and "no directory nodir (create it first)" in err and err.count("\n") == 1
    assert not (tmp_path / "nodir").exists()


@pytest.mark.parametrize(
    "content, message",
    [("[project]\nname = 'x'\n", "no [tool.s2s] targets"), ("[tool.s2s\n", "not valid TOML"), (None, "no pyproject.toml")],
)
def test_bad_pyproject(tmp_path, monkeypatch, capsys, content, message):
    project = tmp_path / "deep" / "er"
    project.mkdir(parents=True)
    if content is not None:
        (project / "pyproject.toml").write_text(content)
        code, _, err = s2s_main("build", "--config", str(project / "pyproject.toml"), capsys=capsys)
    else:
        monkeypatch.chdir(project)
        monkeypatch.setattr(os.path, "isfile", lambda p, isfile=os.path.isfile: isfile(p) and p.startswith(str(tmp_path)))
        code, _, err = s2s_main("build", capsys=capsys)
    assert code == 2 and message in err and "Traceback" not in err


def test_cache_info_and_clear(project, capsys, monkeypatch, rng):
    tmp_path, name = project
    cache_dir = tmp_path / "the-cache"
    monkeypatch.setenv("S2S_CACHE_DIR", str(cache_dir))
    monkeypatch.setenv("S2S_CACHE_MAX_MB", "2")
    s2s.clear_cache()
    loss = __import__(name).loss
    s2s.grad(loss)(rng.randn(3, 2), rng.randn(2), rng.randn(4, 3))
    code, out, _ = s2s_main("cache", "info", capsys=capsys)
    assert code == 0
    assert f"directory: {cache_dir}" in out and "disk cache: on" in out
    assert "in 1 derivative(s) and 1 generated file(s)" in out and "limit: 2.0 MB" in out
    code, out, _ = s2s_main("cache", "clear", capsys=capsys)
    assert code == 0 and out == f"removed 2 file(s) from {cache_dir}\n"
    assert "in 0 derivative(s) and 0 generated file(s)" in s2s_main("cache", "info", capsys=capsys)[1]
    monkeypatch.setenv("S2S_DISK_CACHE", "0")
    assert "disk cache: off" in s2s_main("cache", "info", capsys=capsys)[1]
    s2s.clear_cache()
