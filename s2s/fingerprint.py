"""Fingerprints of user code and of the rule library, computed without transforming.

A derivative's generated code depends on the source of the differentiated function and
of every user function it can reach, on what their free names refer to (a module, a
library function, a constant), and on the derivative rules. `fingerprint(func)` reads
all that by parsing, never transforming, for the disk cache's key and export headers.
"""
import ast
import builtins
import dataclasses
import functools
import hashlib
import inspect
import json
import linecache
import os
import sys
import textwrap
import types

import numpy as np

from .syntax import dotted_name, walk

LIBRARIES = ("numpy", "scipy", "s2s")  # never walked into: their functions have rules
MAX_FUNCTIONS = 200  # beyond this, give up (no disk cache) rather than walk a library
_MISSING = object()
_LITERALS = (type(None), bool, int, float, complex, str, bytes)


class Unsupported(Exception):
    """The code cannot be identified reliably: do not cache it on disk."""


@dataclasses.dataclass
class Fingerprint:
    """What identifies a function's code.

    digest: every fact the generated code depends on, file locations included.
    source_sha256: the source texts alone, portable between machines (export headers).
    functions: "module:qualname" -> each function reached (None where two share a key).
    """

    digest: str
    source_sha256: str
    functions: dict


def function_key(func):
    return f"{getattr(func, '__module__', None)}:{getattr(func, '__qualname__', None)}"


def fingerprint(func):
    """The Fingerprint of `func`'s code, or None where it cannot be identified."""
    try:
        return _Walk().run(func)
    except Unsupported:
        return None


def source_lines(func):
    """inspect.getsourcelines of the function's own code (a `functools.wraps` wrapper
    is not followed to what it wraps), its file found through its module: given the code
    alone, inspect searches every loaded module for the file, 100 ms on a first call."""
    code = func.__code__
    lines = _lines_by_positions(code, func.__globals__)
    if lines is not None:
        return lines, code.co_firstlineno
    own = types.FunctionType(code, func.__globals__, code.co_name, None, func.__closure__)
    return inspect.getsourcelines(own)


def _lines_by_positions(code, module_globals):
    """The lines a def spans, from its first line (decorators included) to the last its
    instructions reach (Python 3.11's positions): what inspect finds by tokenizing the
    file, whose first use in a process costs most of a disk-cache hit. None where it
    cannot tell (3.10, a lambda, which inspect extends to whole lines, no file) or where
    the lines do not parse as one definition."""
    if not hasattr(code, "co_positions") or code.co_name == "<lambda>":
        return None
    linecache.checkcache(code.co_filename)  # a file edited since it was read, as inspect does
    file_lines = linecache.getlines(code.co_filename, module_globals)
    ends = [end for c in _nested_codes(code) for _, end, _, _ in c.co_positions() if end is not None]
    first, last = code.co_firstlineno, max(ends, default=0)
    if not first <= last <= len(file_lines):
        return None
    lines = file_lines[first - 1:last]
    try:
        tree = ast.parse(textwrap.dedent("".join(lines)))
    except (SyntaxError, ValueError):
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    return lines


def _nested_codes(code):
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _nested_codes(const)


def is_library(obj):
    module = getattr(obj, "__module__", None) or ""
    return module.split(".")[0] in LIBRARIES


def _stdlib(module):
    top = (module or "").split(".")[0]
    return top in getattr(sys, "stdlib_module_names", ()) or top in ("builtins", "__builtin__")


def _sha(text):
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class _Walk:
    """Breadth-first over the user functions reachable through free names."""

    def __init__(self):
        self.keys = {}  # id(function) -> key
        self.queue = []
        self.records = []
        self.sources = []
        self.functions = {}
        self._keep = []  # objects whose ids are used as keys stay alive during the walk

    def run(self, func):
        derivatives = []  # a derivative of a derivative: identified by each level, then the code
        while not isinstance(func, types.FunctionType) and is_library(type(func)) and hasattr(func, "func"):
            derivatives.append([type(func).__qualname__, repr(getattr(func, "mode", None)), repr(getattr(func, "wrt", None))])
            func = func.func
        if isinstance(func, types.MethodType):
            func = func.__func__
        if not isinstance(func, types.FunctionType):
            raise Unsupported
        self.records.append(["derivatives", derivatives])
        self.add(func)
        root = True
        while self.queue:
            self.visit(self.queue.pop(0), required=root)
            root = False
        digest = _sha(json.dumps(self.records, sort_keys=True))
        return Fingerprint(digest, _sha("\n\0".join(self.sources)), self.functions)

    def add(self, func):
        if id(func) in self.keys:
            return self.keys[id(func)]
        if len(self.keys) >= MAX_FUNCTIONS:
            raise Unsupported
        key = function_key(func)
        self.keys[id(func)] = key
        self._keep.append(func)
        self.functions[key] = func if key not in self.functions else None  # None: ambiguous
        self.queue.append(func)
        return key

    def visit(self, func, required):
        key = self.keys[id(func)]
        code = func.__code__
        try:
            lines, first = source_lines(func)
            source = textwrap.dedent("".join(lines))
            tree = ast.parse(source)
        except (OSError, TypeError, SyntaxError, IndentationError):
            if required:
                raise Unsupported from None
            # Not transformable either; identify it by its bytecode.
            self.records.append([key, "nosource", _code_digest(code)])
            return
        names = {}
        fn = tree.body[0] if tree.body else tree
        static = _static_call_arguments(fn, lambda dotted: self.resolve(func, dotted))
        for dotted in _free_references(fn):
            names[dotted] = self.describe(self.resolve(func, dotted), by_value=dotted in static)
        # the bytecode too: two lambdas on one line share their source text
        self.records.append([key, code.co_filename, first, source, _code_digest(code), sorted(names.items())])
        self.sources.append(source)

    @staticmethod
    def resolve(func, dotted):
        parts = dotted.split(".")
        head = parts[0]
        closure = {}
        if func.__closure__:
            for name, cell in zip(func.__code__.co_freevars, func.__closure__):
                try:
                    closure[name] = cell.cell_contents
                except ValueError:
                    pass
        if head in closure:
            obj = closure[head]
        elif head in func.__globals__:
            obj = func.__globals__[head]
        else:
            obj = getattr(builtins, head, _MISSING)
        for part in parts[1:]:
            if obj is _MISSING:
                break
            try:
                obj = inspect.getattr_static(obj, part) if not isinstance(obj, types.ModuleType) else getattr(obj, part)
            except AttributeError:
                obj = _MISSING
            if isinstance(obj, (staticmethod, classmethod)):
                obj = obj.__func__
        return obj

    def describe(self, obj, by_value=False):
        """A JSON-able description of what a free name refers to (by_value: a number an
        s2s transform made at transform time reads, `s2s.grad(g, wrt=K)`)."""
        if obj is _MISSING:
            return ["missing"]
        if isinstance(obj, types.ModuleType):
            return ["module", obj.__name__]
        if type(obj) in (int, float, complex) and not by_value:
            # data the generated code reads when it runs (scopes.ScopeWatch), never bakes
            # in: `lambda w: loss(w, X[i])` made anew for each i shares one entry
            return ["number", type(obj).__name__]
        if isinstance(obj, _LITERALS) or (isinstance(obj, tuple) and type(obj) is tuple and _all_literal(obj)):
            return ["const", type(obj).__name__, repr(obj)]
        if isinstance(obj, types.MethodType):
            return ["method", self.describe(obj.__func__), self.describe(type(obj.__self__))]
        if isinstance(obj, types.FunctionType):
            if is_library(obj):
                return ["function", obj.__module__, obj.__qualname__]
            return ["user", self.add(obj)]
        if isinstance(obj, functools.partial):
            return ["partial", self.describe(obj.func), [self.describe(a) for a in obj.args],
                    sorted((k, self.describe(v)) for k, v in obj.keywords.items())]
        if isinstance(obj, type):
            return self.describe_class(obj)
        if isinstance(obj, np.ndarray):
            return ["array", obj.dtype.str, obj.ndim]
        if isinstance(obj, np.generic):
            return ["scalar", obj.dtype.str, repr(obj)]
        if is_library(type(obj)) and hasattr(obj, "func"):  # a derivative made by s2s
            return ["s2s", type(obj).__qualname__, self.describe(obj.func),
                    repr(getattr(obj, "mode", None)), repr(getattr(obj, "wrt", None))]
        if isinstance(obj, (types.BuiltinFunctionType, np.ufunc)) or is_library(obj):
            return ["callable", str(getattr(obj, "__module__", None)), str(getattr(obj, "__name__", type(obj).__name__))]
        return ["object", self.describe_class(type(obj))]

    def describe_class(self, cls):
        out = ["class", cls.__module__, cls.__qualname__]
        if is_library(cls) or _stdlib(cls.__module__):
            return out
        for name, member in sorted(vars(cls).items()):
            if isinstance(member, (staticmethod, classmethod)):
                member = member.__func__
            if isinstance(member, types.FunctionType) and member.__qualname__.startswith(cls.__qualname__ + "."):
                out.append([name, self.add(member)])
        return out


def _code_digest(code):
    """A hash of bytecode and constants (nested code objects by their own digest, not repr)."""
    consts = [
        _code_digest(c) if isinstance(c, types.CodeType) else sorted(map(repr, c)) if isinstance(c, frozenset) else repr(c)
        for c in code.co_consts
    ]
    return _sha(json.dumps([code.co_code.hex(), consts, list(code.co_names)]))


def _all_literal(values):
    return all(isinstance(v, _LITERALS) or (type(v) is tuple and _all_literal(v)) for v in values)


def _static_call_arguments(fn, resolve):
    """Dotted names passed to a call of an s2s transform (`s2s.grad(g, wrt=K)`): the
    transform is made when the code is generated, so their values are built in."""
    found = set()
    for node in walk(fn):
        if isinstance(node, ast.Call) and (callee := dotted_name(node.func)) is not None:
            if getattr(resolve(callee), "_s2s_static_call", False):
                arguments = node.args + [k.value for k in node.keywords]
                found.update(d for d in map(dotted_name, arguments) if d is not None)
    return found


def _free_references(fn):
    """Dotted names (`np.linalg.norm`, `helper`) a function reads from outside itself."""
    local = set()
    for node in walk(fn):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            local.add(node.id)
        elif isinstance(node, ast.arg):
            local.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node is not fn:
            local.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            local.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            local.add(node.name)
    found = set()
    for node in walk(fn):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in local:
            found.add(node.id)
        elif isinstance(node, ast.Attribute):
            parts, base = [node.attr], node.value
            while isinstance(base, ast.Attribute):
                parts.append(base.attr)
                base = base.value
            if isinstance(base, ast.Name) and base.id not in local:
                found.add(".".join([base.id] + parts[::-1]))
    return sorted(found)


# --------------------------------------------------------------------------- the compiler and the rules

def file_stamps(folder, suffix=".py"):
    """[relative path, size, modification time] of the files under `folder`: what
    identifies code read from them, without reading them (a disk-cache hit pays for it)."""
    stamps = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(n for n in names if n.endswith(suffix)):
            st = os.stat(os.path.join(root, name))
            stamps.append([os.path.relpath(os.path.join(root, name), folder), st.st_size, st.st_mtime_ns])
    return stamps


@functools.lru_cache(maxsize=None)
def compiler_digest():
    """Identifies the compiler itself: a fix to s2s must never be hidden by an entry
    generated before it (the version number changes less often than the code)."""
    stamps = file_stamps(os.path.dirname(os.path.realpath(__file__)))
    return _sha(json.dumps(stamps))


def rules_digest():
    """Identifies the derivative rules in use (the library's and the user's)."""
    from . import rules

    return rules.digest()

