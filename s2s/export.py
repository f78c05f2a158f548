"""Export a derivative as a standalone Python file that imports without s2s.

The file is the generated module `s2s.source` shows, with
  - a header naming the source function, its file, a sha256 of its source (and of the
    functions it calls), the s2s version and the command that regenerates it;
  - the `s2s.runtime` helpers it uses copied in (with the helpers those use), in
    place of `from s2s.runtime import ...`;
  - names bound from the user's scope written as imports or literal constants;
  - `__all__` naming the derivative function.
The text is deterministic (no dates, no absolute paths), so a build can compare it
byte for byte with the file on disk.
"""
import ast
import functools
import inspect
import os
import sys

from . import __version__, atomic, fingerprint, recipes, runtime, scopes
from .errors import TransformError
from .syntax import walk


def export(derivative, path, *, command=None):
    """Write `derivative`'s generated module to `path` as a standalone file (atomically).

    command: the command that regenerates the file, for its header (default: the
    `s2s grad` command line that does, run from the file's directory).
    Returns the path written.
    """
    path = os.fspath(path)
    text = render(derivative, os.path.dirname(os.path.abspath(path)), command=command, output=os.path.basename(path))
    atomic.write_text(path, text)
    return path


def render(derivative, base_dir=None, *, command=None, output=None):
    """The standalone module text of `derivative`; paths in it are relative to base_dir."""
    module = _generated_module(derivative)
    root = _root_function(derivative)
    base_dir = os.path.abspath(base_dir or os.getcwd())
    body, body_names = _body(module.text)
    imports, inlined, aliases = _bindings(module.namespace, module.entry, root)
    runtime_imports, runtime_source = _runtime_section(inlined, module.namespace, body_names)
    all_imports = _merge_imports(runtime_imports + imports)
    parts = [
        "\n".join(_header(derivative, root, base_dir, command, output, all_imports)),
        "\n".join(all_imports + [""] + aliases) if aliases else "\n".join(all_imports),
        f"__all__ = [{module.entry!r}]",
    ]
    if runtime_source:
        parts.append("# s2s runtime helpers used below, copied from s2s/runtime.py\n\n" + runtime_source)
    parts.append(body)
    return "\n\n\n".join(p.strip("\n") for p in parts if p.strip()) + "\n"


# --------------------------------------------------------------------------- pieces


def _generated_module(derivative):
    module = getattr(derivative, "module", None)
    if not callable(module):
        raise TypeError(f"s2s.export expects a derivative made by s2s, not {derivative!r}")
    return module()


def _root_function(derivative):
    """The user function at the bottom of a derivative (of a derivative...)."""
    func = derivative
    for _ in range(100):
        inner = getattr(func, "func", None)
        if inner is None:
            break
        func = inner
    return getattr(func, "__func__", func)


def _primal_level(derivative):
    """`hessian(f)` is built as a jacobian of grad(f), `hvp(f)` as a jvp of it: name
    them by f."""
    func = getattr(derivative, "func", None)
    if getattr(derivative, "mode", None) in ("hessian", "hvp") and hasattr(func, "func"):
        return func.func
    return func


def _describe(derivative):
    """'grad of loss with respect to W', or 'jacobian of (grad of f ...)'."""
    func = _primal_level(derivative)
    mode = getattr(derivative, "mode", "derivative")
    signature = getattr(derivative, "signature", None)
    names = list(signature.parameters) if signature is not None else []
    wrt = [names[i] if isinstance(i, int) and i < len(names) else str(i) for i in getattr(derivative, "wrt", ())]
    inner = _describe(func) if hasattr(func, "func") else getattr(func, "__qualname__", repr(func))
    inner = f"({inner})" if hasattr(func, "func") else inner
    return f"{mode} of {inner}" + (f" with respect to {', '.join(wrt)}" if wrt else "")


def _relative(path, base_dir):
    try:
        rel = os.path.relpath(path, base_dir)
    except ValueError:  # another drive (Windows)
        rel = os.path.basename(path)
    return rel.replace(os.sep, "/")


def _default_command(derivative, root, base_dir, output):
    filename = _relative(root.__code__.co_filename, base_dir) if hasattr(root, "__code__") else "FILE"
    command = f"s2s grad {filename}:{getattr(root, '__qualname__', 'FUNC')}"
    signature = getattr(derivative, "signature", None)
    names = list(signature.parameters) if signature is not None else []
    wrt = getattr(derivative, "wrt", ())
    wrt_names = tuple(names[i] if isinstance(i, int) and i < len(names) else i for i in wrt)
    mode = getattr(derivative, "mode", "grad")
    if hasattr(_primal_level(derivative), "func") or mode not in ("grad", "jvp", "forward"):
        # no command line for it: the Python call
        return f"s2s.export(s2s.{mode}({_describe_call(derivative)}, wrt={wrt_names!r}), {output or 'PATH'!r})"
    if tuple(wrt) != (0,):
        command += "".join(f" --wrt {w}" for w in wrt_names)
    if mode != "grad":
        command += " --mode forward"
    return command + (f" -o {output}" if output else "")


def _describe_call(derivative):
    func = _primal_level(derivative)
    if hasattr(func, "func"):
        return f"s2s.{getattr(func, 'mode', 'grad')}({_describe_call(func)})"
    return getattr(func, "__qualname__", "f")


def _header(derivative, root, base_dir, command, output, imports):
    if command is None:
        command = _default_command(derivative, root, base_dir, output)
    found = fingerprint.fingerprint(root) if hasattr(root, "__code__") else None
    digest = found.source_sha256 if found else "unknown (source not available)"
    where = _relative(root.__code__.co_filename, base_dir) if hasattr(root, "__code__") else "unknown"
    needs = sorted({line.split()[1].split(".")[0] for line in imports} - set(sys.stdlib_module_names))
    return [
        f"# Generated by s2s {__version__}: do not edit by hand. Regenerate with:",
        f"#     {command}",
        "#",
        f"# {_describe(derivative)}",
        f"# source: {where}, function {getattr(root, '__qualname__', root)}",
        f"# source sha256 (with the functions it calls): {digest}",
        f"# needs: {', '.join(needs) or 'the standard library'} (not s2s)",
    ]


def _body(text):
    """The generated functions (text from the first def on) and the names they define."""
    tree = ast.parse(text)
    defs = [s for s in tree.body if not isinstance(s, (ast.Import, ast.ImportFrom))]
    if not defs:
        return "", set()
    first = defs[0]
    start = min([first.lineno] + [d.lineno for d in getattr(first, "decorator_list", [])])
    lines = text.splitlines()[start - 1:]
    names = set()
    for stmt in defs:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(stmt.name)
        for node in walk(stmt) if isinstance(stmt, ast.Assign) else ():
            if isinstance(node, ast.Name):
                names.add(node.id)
    return _two_blank_lines("\n".join(lines), {d.lineno - start for d in defs}), names


def _two_blank_lines(text, starts):
    """PEP 8 spacing: two blank lines before each top-level definition."""
    lines = text.split("\n")
    out = []
    for i, line in enumerate(lines):
        if i in starts and out:
            while out and not out[-1].strip():
                out.pop()
            out += ["", ""]
        out.append(line)
    return "\n".join(out)


def _bindings(namespace, entry, root):
    """(import lines, runtime helpers to copy, alias/constant lines) for the bound names."""
    imports, inlined, aliases = [], set(), []
    where = getattr(root, "__qualname__", repr(root))
    origins = getattr(namespace, "origins", {})
    for name, obj in sorted(namespace.items()):
        found = recipes.recipe(obj)
        if found is None:
            found = _from_user_module(obj, origins.get(name))
        if found is None:
            raise TransformError(
                f"cannot export the derivative of {where}: the generated code uses {name!r}, "
                f"a {type(obj).__name__} from its scope that is neither importable nor a literal "
                "constant; make it a module-level constant or function, or pass it as an argument"
            )
        if "module" in found:
            module_name = found["module"]
            if module_name.split(".")[0] == "s2s":
                raise _needs_s2s(where, name, module_name)
            last = module_name.rsplit(".", 1)
            if name == module_name:
                imports.append(f"import {module_name}")
            elif len(last) == 2:
                imports.append(f"from {last[0]} import {last[1]}" + (f" as {name}" if name != last[1] else ""))
            else:
                imports.append(f"import {module_name} as {name}")
        elif "builtin" in found:
            if name != found["builtin"]:
                aliases.append(f"{name} = {found['builtin']}")
        elif "const" in found:
            aliases.append(f"{name} = {found['const']}")
        else:
            module_name, qualname = found["from"], found["qualname"]
            if module_name == runtime.__name__ and "." not in qualname:
                inlined.add(qualname)
                if name != qualname:
                    aliases.append(f"{name} = {qualname}")
            elif module_name.split(".")[0] == "s2s":
                raise _needs_s2s(where, name, f"{module_name}.{qualname}")
            elif module_name == "__main__":
                raise TransformError(
                    f"cannot export the derivative of {where}: the generated code uses {name!r}, defined in "
                    "the __main__ script, which an exported module cannot import; move it to a module"
                )
            elif "." in qualname:
                imports.append(f"import {module_name}")
                aliases.append(f"{name} = {module_name}.{qualname}")
            else:
                imports.append(f"from {module_name} import {qualname}" + (f" as {name}" if name != qualname else ""))
    return imports, inlined, aliases


def _from_user_module(obj, origin):
    """A recipe importing a global of the user's module it was read from (`from model import A`)."""
    if origin is None:
        return None
    function, name = scopes.user_origin(*origin)  # read by generated code: where it got it
    module_name = getattr(function, "__module__", None)
    module = sys.modules.get(module_name) if isinstance(module_name, str) else None
    if module is None or module_name == "__main__" or getattr(module, name, None) is not obj:
        return None
    if function.__globals__ is not vars(module) or name in function.__code__.co_freevars:
        return None
    return {"from": module_name, "qualname": name}


def _needs_s2s(where, name, what):
    return TransformError(
        f"cannot export the derivative of {where}: the generated code uses {name!r} ({what}), which "
        "needs s2s itself; an exported module may use numpy, scipy and the s2s runtime helpers only"
    )


def _merge_imports(lines):
    """Distinct import lines: plain imports first, then from-imports, each sorted."""
    unique = sorted(set(lines))
    return [line for line in unique if line.startswith("import ")] + [line for line in unique if line.startswith("from ")]


# --------------------------------------------------------------------------- runtime


@functools.lru_cache(maxsize=None)
def _runtime_parts():
    """runtime.py's top-level statements: name -> (position, text, names it reads)."""
    source = inspect.getsource(runtime)
    tree = ast.parse(source)
    lines = source.splitlines()
    parts, imports = {}, {}
    for position, stmt in enumerate(tree.body):
        start = min([stmt.lineno] + [d.lineno for d in getattr(stmt, "decorator_list", [])])
        text = "\n".join(lines[start - 1:stmt.end_lineno])
        reads = frozenset(n.id for n in walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load))
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            for alias in stmt.names:
                imports[(alias.asname or alias.name).split(".")[0]] = text
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            parts[stmt.name] = (position, text, reads)
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                for node in walk(target):
                    if isinstance(node, ast.Name):
                        parts[node.id] = (position, text, reads)
    return parts, imports


def _runtime_section(needed, namespace, body_names):
    """(import lines, source text) of the runtime helpers `needed` and what they use."""
    parts, imports = _runtime_parts()
    missing = sorted(n for n in needed if n not in parts)
    if missing:
        raise TransformError(f"cannot export: s2s.runtime has no top-level definition of {', '.join(missing)}")
    chosen, todo, used_imports = set(), list(needed), set()
    while todo:
        name = todo.pop()
        if name in chosen:
            continue
        chosen.add(name)
        for read in parts[name][2]:
            if read in parts and read not in chosen:
                todo.append(read)
            elif read in imports:
                used_imports.add(read)
    for name in sorted(chosen | used_imports):
        ours = getattr(runtime, name, None)
        if name in body_names or (name in namespace and namespace[name] is not ours):
            raise TransformError(
                f"cannot export: the runtime helper name {name!r} is also a name of the generated code"
            )
    texts = sorted({parts[n][:2] for n in chosen})
    return sorted({imports[n] for n in used_imports}), "\n\n\n".join(text for _, text in texts)
