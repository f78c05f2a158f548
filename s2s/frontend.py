"""Frontend: a Python function object -> its gast FunctionDef and a name resolver.

Names are resolved against the function's closure, globals and builtins at transform
time, so later passes know which callee is `np.dot` and which is a user function.
"""
import builtins
import dataclasses
import inspect
import linecache
import textwrap
import types

import gast

from .errors import TransformError

_MISSING = object()


@dataclasses.dataclass
class FunctionSource:
    """A parsed function and where it came from."""

    func: object
    node: gast.FunctionDef
    filename: str
    closure: dict

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
            return self.func.__globals__[name]
        return getattr(builtins, name, _MISSING)

    def line(self, lineno):
        return linecache.getline(self.filename, lineno) if lineno else ""

    def error(self, message, node=None, construct=None):
        """A TransformError located at `node` of this function."""
        lineno = getattr(node, "lineno", None) if node is not None else self.node.lineno
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
    if not isinstance(func, types.FunctionType):
        raise TransformError(
            f"cannot differentiate {_describe(func)}: it is not a Python function with source "
            f"(a builtin, C function or {type(func).__name__} object)",
            construct="function without source",
        )
    code = func.__code__
    filename = code.co_filename
    try:
        lines, first_line = inspect.getsourcelines(func)
    except (OSError, TypeError) as exc:
        raise TransformError(
            f"cannot differentiate {_describe(func)}: its source is not available ({exc}); "
            "define it in a file, not at an interactive prompt",
            filename,
            code.co_firstlineno,
            construct="function without source",
        ) from None
    source = textwrap.dedent("".join(lines))
    try:
        module = gast.parse(source)
    except SyntaxError as exc:
        raise TransformError(f"cannot parse the source of {_describe(func)}: {exc.msg}", filename, first_line) from None
    node = _find_definition(module, func, filename, first_line)
    gast.increment_lineno(node, first_line - 1)
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
    if code.co_name == "<lambda>":
        raise TransformError(
            "lambda functions are not supported yet; define the function with def",
            filename,
            first_line,
            linecache.getline(filename, first_line),
            "lambda",
        )
    for stmt in module.body:
        if isinstance(stmt, (gast.FunctionDef, gast.AsyncFunctionDef)) and stmt.name == code.co_name:
            if isinstance(stmt, gast.AsyncFunctionDef):
                raise TransformError("async functions cannot be differentiated", filename, first_line, construct="async def")
            return stmt
    raise TransformError(f"cannot find the definition of {code.co_name} in its source", filename, first_line)
