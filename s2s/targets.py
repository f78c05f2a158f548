"""Build targets: derivatives named as FILE:FUNC, made into standalone files.

Used by the command line (`s2s grad`, `s2s build`). Every failure is a TargetError
with a one-line message; nothing is written until every target has rendered.
"""
import dataclasses
import importlib
import inspect
import os
import sys

from . import atomic
from .errors import TransformError
from .export import render as render_module  # (s2s.export is the function)

MODES = ("reverse", "forward")
_KEYS = {"function", "wrt", "mode", "output"}


class TargetError(Exception):
    """A target that cannot be built: a missing file, function or parameter, a bad option."""


@dataclasses.dataclass
class Target:
    """One derivative to build: `function` is "path/to/file.py:name" (or "package.module:name")."""

    function: str
    wrt: tuple = ()
    mode: str = "reverse"
    output: str = None

    def render(self, base_dir, command=None):
        """The standalone module text for this target (paths relative to base_dir)."""
        func = load_function(self.function, base_dir)
        derivative = make_derivative(func, self.wrt, self.mode, self.function)
        out_dir = os.path.dirname(os.path.join(base_dir, self.output)) if self.output else base_dir
        try:
            return render_module(derivative, out_dir, command=command, output=os.path.basename(self.output or ""))
        except TransformError as exc:
            raise TargetError(f"{self.function}: {exc}") from None
        except TypeError as exc:  # a bad wrt reported when the derivative generates
            raise TargetError(f"{self.function}: {exc}") from None


def load_function(spec, base_dir):
    """The function named by "FILE:FUNC" (FILE relative to base_dir) or "module:FUNC"."""
    where, sep, name = spec.rpartition(":")
    if not sep or not where or not name:
        raise TargetError(f"{spec!r}: expected FILE:FUNCTION, for example model.py:loss")
    path = os.path.join(base_dir, where)
    if os.path.isfile(path):
        module = _import_file(os.path.abspath(path), where)
    elif where.endswith(".py") or "/" in where or os.sep in where:
        raise TargetError(f"{where}: no such file")
    else:
        module = _import_module(where)
    obj = module
    for part in name.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            raise TargetError(f"{where} has no function {name!r}")
    if not callable(obj):
        raise TargetError(f"{where}:{name} is a {type(obj).__name__}, not a function")
    return obj


def _module_name_for(path):
    """(sys.path entry, dotted module name) for a file, climbing out of packages."""
    directory, filename = os.path.split(path)
    parts = [os.path.splitext(filename)[0]]
    while os.path.isfile(os.path.join(directory, "__init__.py")):
        directory, package = os.path.split(directory)
        parts.append(package)
    return directory, ".".join(reversed(parts))


def _import_file(path, shown):
    root, module_name = _module_name_for(path)
    if not all(p.isidentifier() for p in module_name.split(".")):
        raise TargetError(f"{shown}: {module_name!r} is not an importable module name")
    if root not in sys.path:
        sys.path.insert(0, root)
    module = _import_module(module_name, shown)
    found = getattr(module, "__file__", None)
    if not found or not os.path.exists(found) or not os.path.samefile(found, path):
        raise TargetError(f"{shown}: importing it as {module_name!r} finds {found or 'a built-in module'} instead")
    return module


def _import_module(module_name, shown=None):
    shown = shown or module_name
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            raise TargetError(f"{shown}: no such file or module") from None
        raise TargetError(f"importing {shown} failed: {type(exc).__name__}: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - the user's module raised while importing
        raise TargetError(f"importing {shown} failed: {type(exc).__name__}: {exc}") from None


def make_derivative(func, wrt, mode, shown):
    """The s2s derivative of `func` with respect to the parameters `wrt` (names or indices)."""
    import s2s

    wrt = tuple(wrt)
    try:
        params = list(inspect.signature(func).parameters)
    except (TypeError, ValueError):
        raise TargetError(f"{shown}: not a Python function with a signature") from None
    for w in wrt:
        if isinstance(w, str) and w not in params:
            raise TargetError(f"{shown} has no parameter named {w!r} (parameters: {', '.join(params)})")
        if isinstance(w, int) and not -len(params) <= w < len(params):
            raise TargetError(f"{shown} has no parameter number {w} (it has {len(params)})")
    chosen = wrt[0] if len(wrt) == 1 else (wrt or 0)
    try:
        if mode == "reverse":
            return s2s.grad(func, wrt=chosen)
        if mode == "forward":
            jvp = getattr(s2s, "jvp", None)
            if jvp is None:
                raise TargetError(f"{shown}: forward mode (s2s.jvp) is not available in this version of s2s")
            if "wrt" in inspect.signature(jvp).parameters:
                return jvp(func, wrt=chosen)
            if wrt and chosen != 0 and chosen != params[0]:
                raise TargetError(f"{shown}: forward mode here differentiates with respect to all inputs; drop --wrt")
            return jvp(func)
    except (TypeError, TransformError) as exc:
        raise TargetError(f"{shown}: {exc}") from None
    raise TargetError(f"{shown}: mode must be one of {', '.join(MODES)}, not {mode!r}")


def parse_wrt(values):
    """--wrt / `wrt =` values: names, or indices given as digits."""
    if values is None:
        return ()
    if isinstance(values, (str, int)) and not isinstance(values, bool):
        values = [values]
    out = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (str, int)):
            raise TargetError(f"wrt must name parameters (strings) or give their positions, not {v!r}")
        out.append(int(v) if isinstance(v, str) and v.isdigit() else v)
    return tuple(out)


# --------------------------------------------------------------------------- pyproject


def find_pyproject(start):
    directory = os.path.abspath(start)
    while True:
        candidate = os.path.join(directory, "pyproject.toml")
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(directory)
        if parent == directory:
            raise TargetError(f"no pyproject.toml in {os.path.abspath(start)} or above")
        directory = parent


def read_targets(pyproject):
    """The [tool.s2s] targets of a pyproject.toml, validated."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    try:
        with open(pyproject, "rb") as f:
            config = tomllib.load(f)
    except OSError as exc:
        raise TargetError(f"{pyproject}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise TargetError(f"{pyproject}: not valid TOML: {exc}") from None
    section = config.get("tool", {}).get("s2s")
    if not isinstance(section, dict) or "targets" not in section:
        raise TargetError(f"{pyproject}: no [tool.s2s] targets to build")
    raw = section["targets"]
    if not isinstance(raw, list):
        raise TargetError(f"{pyproject}: [tool.s2s] targets must be a list of tables")
    targets, outputs = [], set()
    for i, entry in enumerate(raw, 1):
        what = f"{pyproject}: target {i}"
        if not isinstance(entry, dict):
            raise TargetError(f"{what} must be a table like {{ function = \"model.py:loss\", output = \"model_grad.py\" }}")
        unknown = sorted(set(entry) - _KEYS)
        if unknown:
            raise TargetError(f"{what} has unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(_KEYS))})")
        for key in ("function", "output"):
            if not isinstance(entry.get(key), str) or not entry[key]:
                raise TargetError(f"{what} needs {key} = \"...\"")
        mode = entry.get("mode", "reverse")
        if mode not in MODES:
            raise TargetError(f"{what}: mode must be one of {', '.join(MODES)}, not {mode!r}")
        output = os.path.normpath(entry["output"])
        _check_inside(os.path.dirname(os.path.abspath(pyproject)), entry["output"], what)
        if output in outputs:
            raise TargetError(f"{what}: output {entry['output']} is already written by another target")
        outputs.add(output)
        try:
            wrt = parse_wrt(entry.get("wrt"))
        except TargetError as exc:
            raise TargetError(f"{what}: {exc}") from None
        targets.append(Target(entry["function"], wrt, mode, entry["output"]))
    return targets


def _check_inside(project, output, what):
    """Outputs are files of the project: a pyproject.toml cannot write elsewhere."""
    if os.path.isabs(output) or os.path.splitdrive(output)[0]:
        raise TargetError(f"{what}: output {output} must be a path relative to the project directory {project}")
    root = os.path.realpath(project)
    path = os.path.realpath(os.path.join(project, output))  # symbolic links followed
    if path == root or os.path.commonpath([root, path]) != root:
        raise TargetError(f"{what}: output {output} is outside the project directory {project}; refusing to write it")


def build(pyproject, check=False, command="s2s build"):
    """Render every target; write the changed ones, or (check) only compare.

    Returns [(output path as written in pyproject.toml, status)], status one of
    "written", "written (directory created)", "unchanged", "stale", "missing",
    "up to date". Outputs must lie inside the project (the pyproject.toml's directory);
    missing directories there are created.
    """
    base_dir = os.path.dirname(os.path.abspath(pyproject))
    rendered = [(t, t.render(base_dir, command)) for t in read_targets(pyproject)]
    results = []
    for target, text in rendered:
        path = os.path.join(base_dir, target.output)
        try:
            with open(path, "rb") as f:
                current = f.read()
        except FileNotFoundError:
            current = None
        except OSError as exc:
            raise TargetError(f"{target.output}: {exc.strerror}") from None
        same = current == text.encode("utf-8")
        if check:
            results.append((target.output, "up to date" if same else "missing" if current is None else "stale"))
        elif same:
            results.append((target.output, "unchanged"))
        else:
            created = not os.path.isdir(os.path.dirname(path))
            write(path, text, create_directory=True)
            results.append((target.output, "written (directory created)" if created else "written"))
    return results


def check_directory(path):
    """`s2s grad -o PATH` writes into an existing directory only: a typo creates nothing."""
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise TargetError(f"cannot write {path}: no directory {os.path.dirname(path) or directory} (create it first)")


def write(path, text, create_directory=False):
    directory = os.path.dirname(os.path.abspath(path))
    try:
        if create_directory:
            os.makedirs(directory, exist_ok=True)
        atomic.write_text(path, text)
    except OSError as exc:
        raise TargetError(f"cannot write {path}: {exc.strerror or exc}") from None
