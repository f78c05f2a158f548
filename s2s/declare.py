"""Declarations from which s2s writes the adjoint and tangent rules itself.

A rule written out by hand (`@adjoint`, `@tangent`) states a derivative twice, once per
mode. Most primitives need less:

- `elementwise(table, *modules)`: an elementwise function is one line of a table, its
  partial derivatives in terms of its arguments and `result`, written once for NumPy,
  `math` and SciPy alike (`"tanh(x)": "1.0 - result * result"`, `cos` meaning `np.cos`
  for NumPy and `math.cos` for `math`);
- `@linear(prim)`: a function linear in the arguments whose derivatives its adjoint
  assigns; the adjoint (the transpose) is written, the tangent is the function itself
  applied to the tangents; `@multilinear(prim)` likewise for a product, linear in
  each argument separately (the tangent is the product rule);
- `reductions(table, module)`: a reduction over `axis` is one line, the derivative of
  its result with respect to each element;
- `linear(table)`, `multilinear(table)`, `rule_table(table)`: rules whose statements fit
  on a line (the transposes of the runtime helpers, mostly), one line each: the head
  names the function as the declaring module does, then the adjoint's statements, or
  for `rule_table` the adjoint's and the tangent's.

Each declaration is turned into the text of ordinary rules (so generated code reads
like the rule: `d[x] = d[result] * (1.0 - result * result)`) and registered like one.
"""
import ast
import builtins
import functools
import inspect
import sys
import textwrap
import types

import numpy as np

from . import runtime
from .rules import adjoint, tangent
from .syntax import walk

_ALIASES = {"numpy": "np", "scipy.special": "special"}


def _alias(namespace):
    """np, math, special; `norm` for the distribution object scipy.stats.norm."""
    name = getattr(namespace, "__name__", None) or namespace.name
    return _ALIASES.get(name, name.split(".")[-1])


def _d(name):
    return ast.Subscript(ast.Name("d", ast.Load()), ast.Name(name, ast.Load()), ast.Load())


def _times(derivative, factor):
    """`derivative * factor`, spelled as by hand: `d / den` for `1.0 / den`, `-d * e` for `-e`,
    and `d / den * num` for `num / den`: the derivative divided first, as a relative change
    (`d[y] / y`), which stays in range where `num / den` alone under- or overflows (the
    tangent of `g / y` in the second derivative of log(1 + exp(500)))."""
    if isinstance(factor, ast.UnaryOp) and isinstance(factor.op, ast.USub):
        return _times(ast.UnaryOp(ast.USub(), derivative), factor.operand)
    if isinstance(factor, ast.BinOp) and isinstance(factor.left, ast.UnaryOp) and isinstance(factor.left.op, ast.USub):
        return _times(ast.UnaryOp(ast.USub(), derivative), ast.BinOp(factor.left.operand, factor.op, factor.right))
    if isinstance(factor, ast.Constant) and factor.value == 1:
        return derivative
    if isinstance(factor, ast.BinOp) and isinstance(factor.op, ast.Div):
        return _times(ast.BinOp(derivative, ast.Div(), factor.right), factor.left)
    return ast.BinOp(derivative, ast.Mult(), factor)


def _sum(terms):
    total = terms[0]
    for term in terms[1:]:
        if isinstance(term, ast.BinOp) and isinstance(term.left, ast.UnaryOp) and isinstance(term.left.op, ast.USub):
            total = ast.BinOp(total, ast.Sub(), ast.BinOp(term.left.operand, term.op, term.right))
        else:
            total = ast.BinOp(total, ast.Add(), term)
    return total


class _Qualify(ast.NodeTransformer):
    """`cos(x)` -> `np.cos(x)`: a free name of a formula, from the first module that has it."""

    def __init__(self, params, modules, helpers=()):
        self.params, self.modules = set(params) | set(helpers), modules
        self.aliases = {_alias(m) for m in modules}

    def visit_Name(self, node):
        if node.id in self.params or node.id in self.aliases:  # np.log1p where special.log1p would come first
            return node
        for module in self.modules:
            if hasattr(module, node.id):
                return ast.Attribute(ast.Name(_alias(module), ast.Load()), node.id, ast.Load())
        if hasattr(builtins, node.id):
            return node
        raise NameError(f"elementwise rule: {node.id} is in none of {[_alias(m) for m in self.modules]}")


def _define(source, namespace, filename):
    """The function a rule's text defines, with `namespace` as its globals."""
    scope = {}
    exec(compile(source, filename, "exec"), namespace, scope)
    return next(iter(scope.values()))


def _caller_file():
    frame = sys._getframe(2)
    return frame.f_code.co_filename


def elementwise(table, module, within=None, names=None, broadcasts=True):
    """Register both rules of each elementwise function in `table`.

    table: {"f(x, y)": ("df/dx", "df/dy")}, or {"f(x)": "df/dx"}: each partial
    derivative in terms of the arguments and `result`; None for an argument without one
    (an integer order), which raises if it is differentiated. f is `module.f` (or
    `module.<names[f]>`; with `names`, a function the module lacks is skipped); a free
    name of a formula is looked up in the modules `within` (default: `module`), then
    Python's builtins. broadcasts: binary adjoints sum back to each argument's shape
    (`unbroadcast`); False for scalar modules such as math.
    """
    filename = _caller_file()
    modules = tuple(within or (module,))
    namespace = {_alias(m): m for m in modules + (module,)}
    namespace.update(unbroadcast=runtime.unbroadcast, no_derivative=runtime.no_derivative, __builtins__=__builtins__)
    for head, partials in table.items():
        fn_name, params, arguments = _head(head)
        partials = (partials,) if isinstance(partials, str) else partials
        name = (names or {}).get(fn_name, fn_name)
        aliases = name if isinstance(name, tuple) else (name,)
        primitives = [getattr(module, n, None) for n in aliases if n is not None]
        if None in primitives or not primitives:
            if names is None:
                raise AttributeError(f"{_alias(module)} has no {name}")
            primitives = [p for p in primitives if p is not None]
        qualify = _Qualify(set(params) | {"result"}, modules)
        factors = {p: qualify.visit(ast.parse(f, mode="eval").body) for p, f in zip(params, partials) if f is not None}
        refused = [p for p, f in zip(params, partials) if f is None]
        signature = f"def {fn_name}(result, {arguments}):\n"
        adjoints = []
        for p, factor in factors.items():
            value = _times(_d("result"), factor)
            if broadcasts and len(params) > 1:
                value = ast.Call(ast.Name("unbroadcast", ast.Load()), [value, ast.Name(p, ast.Load())], [])
            adjoints.append(f"    d[{p}] = {ast.unparse(value)}\n")
        adjoints += [f"    d[{p}] = no_derivative(d[result], {p}, {fn_name!r}, {p!r})\n" for p in refused]
        tangent_value = _sum([_times(_d(p), factor) for p, factor in factors.items()]
                             + [ast.parse(f"no_derivative(d[{p}], {p}, {fn_name!r}, {p!r})", mode="eval").body for p in refused])
        adjoint_source = signature + "".join(adjoints)
        tangent_source = signature + f"    d[result] = {ast.unparse(tangent_value)}\n"
        for primitive in primitives:
            _register_source(adjoint, primitive, adjoint_source, namespace, filename)
            _register_source(tangent, primitive, tangent_source, namespace, filename)


def reductions(table, module, names=None):
    """Register both rules of each reduction in `table`: {"prod(a, axis=None, ...,
    keepdims=False)": "prod_others(a, axis)"}, the derivative of the result with respect
    to each element of the first argument, in terms of the arguments and `result`, shaped
    like that argument (autograd's convention for complex arguments: conj(x) / |x| for
    |x|). The adjoint spreads the result's gradient over the reduced axes and multiplies
    by it, the tangent sums the tangent times it over them (its real part, where the
    result is real). Free names
    are NumPy's or s2s.runtime's helpers; `names` as for `elementwise`."""
    filename = _caller_file()
    namespace = dict(np=np, grad_reduce=runtime.grad_reduce, match_complex=runtime.match_complex, __builtins__=__builtins__)
    for head, partial in table.items():
        fn_name, params, arguments = _head(head)
        factor = ast.parse(partial, mode="eval").body
        helpers = {n.id: getattr(runtime, n.id) for n in walk(factor)
                   if isinstance(n, ast.Name) and not hasattr(np, n.id) and hasattr(runtime, n.id)}
        namespace.update(helpers)
        factor = _Qualify(set(params) | {"result"}, (np,), helpers).visit(factor)
        signature = f"def {fn_name}(result, {arguments}):\n"
        x = params[0]
        spread = ast.parse(f"grad_reduce(d[result], {x}, axis, keepdims)", mode="eval").body
        total = ast.parse("match_complex(result, np.sum(_, axis=axis, keepdims=keepdims))", mode="eval").body
        total.args[1].args = [ast.BinOp(_d(x), ast.Mult(), factor)]
        adjoint_source = signature + f"    d[{x}] = {ast.unparse(ast.BinOp(spread, ast.Mult(), factor))}\n"
        tangent_source = signature + f"    d[result] = {ast.unparse(total)}\n"
        for name in (names or {}).get(fn_name, (fn_name,)):
            _register_source(adjoint, getattr(module, name), adjoint_source, namespace, filename)
            _register_source(tangent, getattr(module, name), tangent_source, namespace, filename)


def _head(head):
    """"f(x, y=1.0, *, z=None)" -> ("f", ["x", "y", "z"], "x, y=1.0, *, z=None")."""
    fn = ast.parse(f"def {head}: pass").body[0]
    params = [a.arg for a in fn.args.args + fn.args.kwonlyargs]
    return fn.name, params, ast.unparse(fn.args)


def rearrangements(table, module):
    """Register both rules of functions that only move, copy or drop the elements of
    some arguments (tile, roll, split, pad): {"f(a, b, n=1)": "a"} or ("a", "b").

    The adjoint sums the gradient back to where each element came from (`gather_grad`,
    which applies f to labels), the tangent is f applied to the tangents (`move_like`).
    """
    filename = _caller_file()
    namespace = {_alias(module): module, "gather_grad": runtime.gather_grad, "move_like": runtime.move_like}
    for head, moved in table.items():
        fn_name, params, arguments = _head(head)
        if not hasattr(module, fn_name):
            continue  # not in this NumPy (newer ones drop np.row_stack): nothing to differentiate
        fn = ast.parse(f"def {head}: pass").body[0]
        positional = [a.arg for a in fn.args.args]
        moved = (moved,) if isinstance(moved, str) else moved
        which = [positional.index(m) if m in positional else m for m in moved]
        which = repr(which[0]) if len(which) == 1 else repr(tuple(which))
        args = f"({', '.join(positional)}{',' if len(positional) == 1 else ''})"
        kwargs = "{" + ", ".join(f"{a.arg!r}: {a.arg}" for a in fn.args.kwonlyargs) + "}"
        op = f"{_alias(module)}.{fn_name}"
        signature = f"def {fn_name}(result, {arguments}):\n"
        tangents = f"d[{moved[0]}]" if len(moved) == 1 else "(" + ", ".join(f"d[{m}]" for m in moved) + ")"
        if len(moved) == 1:
            adjoint_body = f"    d[{moved[0]}] = gather_grad(d[result], {op}, {which}, {args}, {kwargs})\n"
        else:
            adjoint_body = f"    grads = gather_grad(d[result], {op}, {which}, {args}, {kwargs})\n" + "".join(
                f"    d[{m}] = grads[{i}]\n" for i, m in enumerate(moved))
        tangent_body = f"    d[result] = move_like({op}, {which}, {tangents}, {args}, {kwargs})\n"
        primitive = getattr(module, fn_name)
        _register_source(adjoint, primitive, signature + adjoint_body, namespace, filename)
        _register_source(tangent, primitive, signature + tangent_body, namespace, filename)


def _register_source(mode, primitive, source, namespace, filename):
    template = _define(source, namespace, filename)
    mode(primitive)(template, source=source)


def linear(*primitives):
    """Decorate the adjoint rule of functions linear in the arguments it assigns
    derivatives to (jointly, as `add_at(d_container, ..., d_item)`: then the function
    must read None as zero, see `none_aware`). The tangent rule is written from it: the
    function applied to the tangents of those arguments and to the other arguments.

    `linear(table)` declares several such functions, one line each:
    {"np.flip(m, axis=None)": "d[m] = np.flip(d[result], axis)"} (see `rule_table`)."""
    if len(primitives) == 1 and isinstance(primitives[0], dict):
        return _linear_table(primitives[0], sys._getframe(1).f_globals, jointly=True)
    return _declared_tangent(primitives, jointly=True)


def multilinear(*primitives):
    """Decorate the adjoint rule of functions linear in each argument it assigns
    derivatives to, the others held fixed (products: dot, kron, einsum). The tangent
    rule is the product rule: one term per such argument, the function applied to its
    tangent and to the other arguments (`dot(d[a], b) + dot(a, d[b])`).
    `multilinear(table)` as `linear(table)`."""
    if len(primitives) == 1 and isinstance(primitives[0], dict):
        return _linear_table(primitives[0], sys._getframe(1).f_globals, jointly=False)
    return _declared_tangent(primitives, jointly=False)


def rule_table(table):
    """Register both rules of functions whose rules fit on a line, written out:
    {"copy_grad(d_lst, like)": ("d[d_lst] = copy_grad(d[result], d_lst)",
    "d[result] = copy_grad(d[d_lst], like)")}, the adjoint's statements, then the
    tangent's (`;` between two statements). The head names the function as the calling
    module does (`np.real_if_close(a, tol=100)`), or s2s.runtime for its helpers; a name
    in a rule must be bound in one of the two."""
    for primitive, templates in _table_rules(table, sys._getframe(1).f_globals, ("adjoint", "tangent")):
        for mode, (template, source) in zip((adjoint, tangent), templates):
            mode(primitive)(template, source=source)


def _table_rules(table, namespace, rules_per_line):
    """(primitive, [(template, source) per rule]) for each line of a table of rules
    (`rules_per_line` names what a line gives); a name in one is the declaring module's,
    else s2s.runtime's (the helpers rules call)."""
    filename = namespace.get("__file__", "<rule table>")
    namespace = {**vars(runtime), **namespace}
    for head, bodies in table.items():
        bodies = (bodies,) if isinstance(bodies, str) else tuple(bodies)
        if len(bodies) != len(rules_per_line) or not all(isinstance(b, str) for b in bodies):
            raise TypeError(f"the line of {head} gives {' and '.join(rules_per_line)} rule text: "
                            f"{len(rules_per_line)} string(s), not {bodies!r}")
        function, arguments = head.split("(", 1)
        root, *path = function.split(".")
        primitive = functools.reduce(getattr, path, namespace[root] if root in namespace else getattr(builtins, root))
        name = [part for part in (root, *path) if not part.startswith("__")][-1].rstrip("_")  # np.c_.__getitem__: c
        rules = []
        for body in bodies:
            statements = "".join(f"    {ast.get_source_segment(body, s)}\n" for s in ast.parse(body).body)
            source = f"def {name}_(result, {arguments}:\n{statements}"
            template = _define(source, namespace, filename)
            unbound = {n.id for n in walk(ast.parse(source)) if isinstance(n, ast.Name)} - set(
                inspect.signature(template).parameters) - {"d", "result"} - set(namespace) - set(dir(builtins))
            if unbound:
                raise NameError(f"{filename}: the rule of {function} names {sorted(unbound)}, unbound there")
            rules.append((template, source))
        yield primitive, rules


def _linear_table(table, namespace, jointly):
    for primitive, [(template, source)] in _table_rules(table, namespace, ("adjoint",)):
        adjoint(primitive)(template, source=source)
        _declare_tangent((primitive,), template, source, jointly)


def _declared_tangent(primitives, jointly):
    def decorate(template):
        adjoint(*primitives)(template)
        _declare_tangent(primitives, template, textwrap.dedent(inspect.getsource(template)), jointly)
        return template

    return decorate


def _declare_tangent(primitives, template, source, jointly):
    """Register the tangent rule of linear (jointly) or multilinear `primitives` whose
    adjoint rule is `template`, written in `source`."""
    fn = ast.parse(source).body[0]
    assigned = list(dict.fromkeys(t.slice.id for s in fn.body if isinstance(s, ast.Assign) for t in s.targets if _is_d(t)))
    params = list(inspect.signature(template).parameters.values())
    head = f"def {fn.name}({ast.unparse(fn.args)}):"
    last_linear = max(i for i, p in enumerate(params) if p.name in assigned)
    for primitive in primitives:
        namespace = dict(template.__globals__)
        function = ast.parse(_reference(primitive, namespace), mode="eval").body
        terms = [_call(function, params, last_linear, varied) for varied in ([assigned] if jointly else [[a] for a in assigned])]
        source = f"{head}\n    d[{params[0].name}] = {ast.unparse(_sum(terms))}\n"
        _register_source(tangent, primitive, source, namespace, template.__code__.co_filename)


def _call(function, params, last_linear, varied):
    """`function(...)` of a rule's parameters, with `d[p]` for those in `varied`."""
    args, keywords = [], []
    for i, p in enumerate(params[1:], 1):
        value = _d(p.name) if p.name in varied else ast.Name(p.name, ast.Load())
        if p.kind == p.KEYWORD_ONLY or (i > last_linear and p.default is not p.empty):
            keywords.append(ast.keyword(p.name, value))
        elif p.kind == p.VAR_POSITIONAL:
            args.append(ast.Starred(value, ast.Load()))
        else:
            args.append(value)
    return ast.Call(function, args, keywords)


def _is_d(node):
    return isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "d" and isinstance(node.slice, ast.Name)


def _reference(primitive, namespace):
    """Text naming `primitive` in `namespace`: `np.fft.fft` where np is bound there, else
    a name bound to it (added to the namespace if needed)."""
    name = getattr(primitive, "__name__", None)
    if getattr(builtins, name or "", None) is primitive:
        return name
    for alias, value in list(namespace.items()):
        if isinstance(value, types.ModuleType) and not alias.startswith("_"):
            path = _path_in(value, primitive, name)
            if path:
                return f"{alias}{path}"
    for alias, value in namespace.items():
        if value is primitive:
            return alias
    namespace[f"_{name}"] = primitive
    return f"_{name}"


def _path_in(module, primitive, name, depth=0):
    if getattr(module, name or "", None) is primitive:
        return f".{name}"
    if depth == 0 and module.__name__ == "numpy":
        for sub in ("fft", "linalg"):
            path = _path_in(getattr(module, sub), primitive, name, 1)
            if path:
                return f".{sub}{path}"
    return None
