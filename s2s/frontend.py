"""Frontend: a Python function object -> its gast FunctionDef and a name resolver.

Names are resolved against the function's closure, globals and builtins at transform
time, so later passes know which callee is `np.dot` and which is a user function.
"""
import ast
import builtins
import dataclasses
import inspect
import linecache
import textwrap
import types

import gast

from . import fingerprint
from .errors import TransformError
from .naming import identifier
from .syntax import clone, walk

_MISSING = object()


@dataclasses.dataclass
class FunctionSource:
    """A parsed function and where it came from."""

    func: object
    node: gast.FunctionDef
    filename: str
    closure: dict
    # what names (dotted: `model.act`) resolved to at transform time where the code is
    # generated for it (a user function, a value a static call reads): rebinding one of
    # them makes the code stale (see scopes.py)
    called_globals: dict = dataclasses.field(default_factory=dict)

    @property
    def name(self):
        return self.node.name

    @property
    def globals(self):
        return self.func.__globals__

    def resolve(self, name):
        """The object a free name refers to, or _MISSING."""
        if name in self.closure:
            return self.closure[name]
        if name in self.func.__globals__:
            obj = self.func.__globals__[name]
            if isinstance(obj, types.FunctionType) and not fingerprint.is_library(obj):
                self.called_globals[name] = obj
            return obj
        return getattr(builtins, name, _MISSING)

    def line(self, lineno):
        return linecache.getline(self.filename, lineno) if lineno else ""

    def error(self, message, node=None, construct=None):
        """A TransformError located at `node` of this function."""
        # a statement s2s made without a location (a desugaring's): the function's line
        lineno = getattr(node, "lineno", None) or self.node.lineno
        return TransformError(message, self.filename, lineno, self.line(lineno), construct)


def param_names(fn_node):
    """The names of a FunctionDef's parameters, in order (positional, then keyword-only)."""
    args = fn_node.args
    named = args.posonlyargs + args.args + ([args.vararg] if args.vararg else []) + args.kwonlyargs
    return [a.id for a in named + ([args.kwarg] if args.kwarg else [])]


def _describe(func):
    return getattr(func, "__qualname__", None) or repr(func)


def unwrap(func):
    """The plain function behind bound methods and callable objects."""
    if isinstance(func, types.MethodType):
        return func.__func__
    return func


def parse_function(func):
    """Read `func`'s source into a gast FunctionDef with file line numbers."""
    func = unwrap(func)
    if hasattr(func, "__s2s_source__"):  # a nested function s2s lifted: parsed already
        lifted = func.__s2s_source__
        return FunctionSource(lifted.func, clone(lifted.node), lifted.filename, dict(lifted.closure))
    if not isinstance(func, types.FunctionType):
        raise TransformError(
            f"cannot differentiate {_describe(func)}: it is not a Python function with source "
            f"(a builtin, C function or {type(func).__name__} object)",
            construct="function without source",
        )
    code = func.__code__
    filename = code.co_filename
    try:
        lines, first_line = fingerprint.source_lines(func)
    except (OSError, TypeError) as exc:
        raise TransformError(
            f"cannot differentiate {_describe(func)}: its source is not available ({exc}); "
            "define it in a file, not at an interactive prompt",
            filename,
            code.co_firstlineno,
            construct="function without source",
        ) from None
    if code.co_name == "<lambda>":
        node = _lambda_definition(func, filename)
    else:
        # parsed below as many empty lines as precede it in its file: file line numbers
        # as parsed, where gast.increment_lineno walked the tree again
        source = "\n" * (first_line - 1) + textwrap.dedent("".join(lines))
        try:
            module = gast.parse(source)
        except SyntaxError as exc:
            raise TransformError(
                f"cannot parse the source of {_describe(func)}: {exc.msg}", filename, first_line
            ) from None
        node = _find_definition(module, func, filename, first_line)
    node.decorator_list = []
    closure = {}
    if func.__closure__:
        for name, cell in zip(code.co_freevars, func.__closure__):
            try:
                closure[name] = cell.cell_contents
            except ValueError:  # an empty cell: the name is not bound yet
                pass
    return FunctionSource(func, node, filename, closure)


def _find_definition(module, func, filename, first_line):
    code = func.__code__
    for stmt in module.body:
        if isinstance(stmt, (gast.FunctionDef, gast.AsyncFunctionDef)) and stmt.name == code.co_name:
            if isinstance(stmt, gast.AsyncFunctionDef):
                raise TransformError("async functions cannot be differentiated", filename, first_line, construct="async def")
            return stmt
    raise TransformError(f"cannot find the definition of {code.co_name} in its source", filename, first_line)


def _lambda_definition(func, filename):
    """`def _lambda(<parameters>): return <body>` for a lambda, found in its file.

    The whole file is parsed, because the lines inspect gives for a lambda can be a
    fragment (`    lambda x: x ** 2)` inside a call). Of the lambdas that start on the
    code's first line and take its parameters, those that do not enclose the source
    spans of its instructions (Python 3.11+), then those that use other names or
    constants, are dropped (unless that would drop all). Where several remain it is an
    error: a guess could differentiate the wrong function.
    """
    code = func.__code__
    line = code.co_firstlineno
    text = linecache.getline(filename, line)
    try:
        module = gast.parse("".join(linecache.getlines(filename, func.__globals__)))
    except SyntaxError as exc:
        raise TransformError(f"cannot parse this lambda's file: {exc.msg}", filename, line, text, "lambda") from None
    params = list(inspect.signature(func).parameters)
    candidates = [
        n for n in walk(module) if isinstance(n, gast.Lambda) and n.lineno == line and param_names(n) == params
    ]
    spans = _code_spans(code)
    for matches in (lambda n: _encloses(n, spans), lambda n: _uses(_compiled(n, filename)) == _uses(code)):
        if len(candidates) > 1:
            candidates = [n for n in candidates if matches(n)] or candidates
    if not candidates:
        raise TransformError("cannot find this lambda in its file (was it changed?)", filename, line, text, "lambda")
    if len(candidates) > 1:
        raise TransformError(
            f"cannot tell apart the {len(candidates)} lambdas on this line that take ({', '.join(params)}); "
            "define the function with def, or give each lambda a line of its own",
            filename,
            line,
            text,
            "lambda",
        )
    lam = candidates[0]
    body = [gast.copy_location(gast.Return(lam.body), lam.body)]
    fn = gast.FunctionDef(
        name="_lambda", args=lam.args, body=body, decorator_list=[], returns=None, type_comment=None, type_params=[]
    )
    return gast.copy_location(fn, lam)


def _code_spans(code):
    """(line, end line, column, end column) of each instruction of `code` that has a source span.

    Empty where Python keeps no columns (3.10, or `-X no_debug_ranges`).
    """
    positions = code.co_positions() if hasattr(code, "co_positions") else ()
    return [p for p in positions if None not in p and (p[0], p[2]) != (p[1], p[3])]


def _encloses(node, spans):
    start, end = (node.lineno, node.col_offset), (node.end_lineno, node.end_col_offset)
    return all(start <= (line, col) and (end_line, end_col) <= end for line, end_line, col, end_col in spans)


def _compiled(lam, filename):
    """The code object of a parsed lambda, compiled on its own."""
    tree = ast.fix_missing_locations(ast.Expression(gast.gast_to_ast(clone(lam))))
    return next(c for c in compile(tree, filename, "eval").co_consts if isinstance(c, types.CodeType))


def _uses(code):
    """The names and constants that `code` and the code nested in it use.

    Names read from an enclosing function are free variables here and globals in a
    lambda compiled on its own, so both count as names.
    """
    names, constants = set(code.co_names) | set(code.co_freevars), []
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            inner_names, inner_constants = _uses(c)
            names |= inner_names
            constants += inner_constants
        else:
            constants.append(repr(c))
    return names, sorted(constants)


_shims = {}


class _Same:
    """A key part equal only to the same object, which it keeps alive (so its id is not
    reused by another object while the key is cached)."""

    __slots__ = ("obj",)

    def __init__(self, obj):
        self.obj = obj

    def __eq__(self, other):
        return isinstance(other, _Same) and other.obj is self.obj

    def __hash__(self):
        return id(self.obj)


def _identity(target):
    """What the derivative of calling `target` depends on. Two Python functions with the
    same code, globals, defaults and closure values are transformed alike, so a closure
    a call makes anew each time (`return lambda t: np.tanh(t)`) is transformed once."""
    if not isinstance(target, types.FunctionType):
        return target
    try:
        cells = tuple(_Same(c.cell_contents) for c in target.__closure__ or ())
    except ValueError:  # an empty cell
        return target
    defaults = tuple(map(_Same, (target.__defaults__ or ()) + tuple((target.__kwdefaults__ or {}).values())))
    return ("function", target.__code__, _Same(target.__globals__), cells, defaults)


def calling_function(target, positional, keywords=(), defaults=None, copied=()):
    """A Python function `def f(a, b, k_x): return target(a, b, x=k_x)` that s2s can
    read: how something without source of its own (a NumPy function, a bound method, a
    callable object, a partial) is differentiated where a Python function is expected.
    `positional` names its parameters, `defaults` gives some of them defaults, `copied`
    those passed as copies (`private_copy(a)`, the name generated code imports it by).
    Made once per target and call shape, so that derivatives of it are cached."""
    from .runtime import private_copy

    defaults = defaults or {}
    try:
        key = (_identity(target), tuple(positional), tuple(keywords), tuple(defaults.items()), tuple(copied))
        hash(key)
    except TypeError:
        key = (id(target), tuple(positional), tuple(keywords), tuple(map(id, defaults.values())), tuple(copied))
    shim = _shims.get(key)
    if shim is None:
        name = identifier(getattr(target, "__name__", None) or type(target).__name__)
        params = [f"{p}=_default_{p}" if p in defaults else p for p in positional] + [f"_{k}" for k in keywords]
        passed = [f"private_copy({p})" if p in copied else p for p in positional] + [f"{k}=_{k}" for k in keywords]
        text = f"def {name}({', '.join(params)}):\n    return _target({', '.join(passed)})\n"
        globals_ = {"_target": target, "private_copy": private_copy}
        namespace = {**globals_, **{f"_default_{p}": v for p, v in defaults.items()}}
        filename = f"<s2s: a call of {' '.join(_describe(target).split())}>"  # one line: it heads generated code
        exec(compile(text, filename, "exec"), namespace)
        shim = namespace[name]
        shim.__s2s_source__ = FunctionSource(shim, gast.parse(text).body[0], filename, globals_)
        _shims[key] = shim
    return shim
