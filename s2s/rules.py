"""The registry of derivative templates, and their inlining into generated code.

A template is a Python function whose first parameter names the primitive's result
and whose other parameters name its arguments; its body uses `d[name]` for the
derivative of a name. `@adjoint(prim)` rules assign `d[arg]` from `d[result]` (reverse
mode); `@tangent(prim)` rules assign `d[result]` from `d[arg]` (forward mode). The
generator substitutes the real names and inlines the body, so the derivative code a
user reads is the rule text. Where a rule gives a differentiated argument no
derivative and its primitive is not declared `constant_in` it, the instance starts with
a check that raises if the argument holds floats (`runtime.no_derivative`).
"""
import ast
import functools
import hashlib
import importlib
import importlib.util
import inspect
import json
import os
import pkgutil
import sys
import textwrap
import types

import gast
import numpy

from . import anno, fingerprint, runtime
from .errors import TransformError
from .passes import simplify
from .syntax import call, clone, const, ref, walk

_ADJOINTS = {}
_TANGENTS = {}
_NON_DIFFERENTIABLE = {}
_ALWAYS_RUN = {}
_NONE_AWARE = {}
_CONSTANT_IN = {}
_SHAPE_ONLY = {}
_TABLES = {
    "adjoint": _ADJOINTS, "tangent": _TANGENTS, "non_differentiable": _NON_DIFFERENTIABLE,
    "always_run": _ALWAYS_RUN, "none_aware": _NONE_AWARE, "constant_in": _CONSTANT_IN, "shape_only": _SHAPE_ONLY,
}
_version = [0]  # bumped by every registration, so digest() knows when to recompute
_digest_memo = {}
_loaded = False
_loading_library = [False]
# (table name, key) -> what the user registered there; the library's rules never replace
# them, whenever the library loads, and digest() identifies them one by one
_from_user = {}


def _key(obj):
    """Registries are keyed by identity; a bound method (`scipy.stats.norm.logpdf`) is a
    new object at every attribute access, so it is keyed by its instance and function."""
    if isinstance(obj, types.MethodType):
        return (id(obj.__self__), id(obj.__func__))
    return id(obj)


def _same(a, b):
    if isinstance(a, types.MethodType) and isinstance(b, types.MethodType):
        return a.__self__ is b.__self__ and a.__func__ is b.__func__
    return a is b


class Rule:
    """One template: a parsed body and the signature it binds call arguments to.

    `template` is a function `(result, *args)` whose body is the rule; `source` its text
    (written by hand, or generated from a declaration: `elementwise`, `linear`).
    """

    def __init__(self, primitive, template, mode, source=None):
        self.primitive = primitive
        self.template = template
        self.mode = mode
        self.source = source if source is not None else textwrap.dedent(inspect.getsource(template))
        signature = inspect.signature(template)
        params = list(signature.parameters.values())
        if not params:
            raise TypeError(f"template {template.__name__} needs a first parameter for the result")
        self.result_param = params[0].name
        self.signature = signature.replace(parameters=params[1:])
        self._body = None
        self._underived = None
        self._bound_names = None
        self._derivative_reads = None

    @property
    def body(self):
        if self._body is None:
            fn = gast.parse(self.source).body[0]
            _resolve_globals(fn, self.template)
            self._body = fn.body
        return self._body

    @property
    def underived(self):
        """The parameters the rule gives no derivative: no `d[p] = ...` in an adjoint, no
        `d[p]` read in a tangent."""
        if self._underived is None:
            stored = self.mode == "adjoint"
            derived = {
                n.slice.id for n in walk(gast.Module(self.body, []))
                if isinstance(n, gast.Subscript) and isinstance(n.value, gast.Name) and n.value.id == "d"
                and isinstance(n.slice, gast.Name) and isinstance(n.ctx, gast.Store) == stored
            }
            self._underived = frozenset(self.signature.parameters) - derived
        return self._underived

    @property
    def bound_names(self):
        """The names the body binds, in the order `walk` finds them: each instance
        renames them to fresh ones."""
        if self._bound_names is None:
            stored = (n.id for n in walk(gast.Module(self.body, [])) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store))
            self._bound_names = list(dict.fromkeys(stored))
        return self._bound_names

    @property
    def derivative_reads(self):
        """Per statement of the body: the `d[p]` its value reads, in walk order (whether
        a contribution reads its own target)."""
        if self._derivative_reads is None:
            self._derivative_reads = [
                [n for n in walk(stmt.value) if _is_derivative_slot(n)] if isinstance(stmt, gast.Assign) else []
                for stmt in self.body
            ]
        return self._derivative_reads

    def describe(self):
        name = getattr(self.primitive, "__name__", repr(self.primitive))
        return f"{self.mode} rule for {name} ({inspect.getsourcefile(self.template)})"


def _resolve_globals(fn, template):
    """Attach the object each free name of a template refers to."""
    params = {a.id for a in fn.args.args + fn.args.kwonlyargs}
    stored = {n.id for n in walk(fn) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}
    namespace = template.__globals__
    builtins = namespace.get("__builtins__", {})
    builtins = builtins if isinstance(builtins, dict) else vars(builtins)
    for node in walk(fn):
        if isinstance(node, gast.Name) and node.id not in params | stored | {"d"}:
            if node.id in namespace:
                anno.set(node, "object", namespace[node.id])
            elif node.id in builtins:
                anno.set(node, "object", builtins[node.id])


def _declare(table_name, primitive, value):
    """Enter `value` for `primitive` in a table: a user's entry stays the user's."""
    slot = (table_name, _key(primitive))
    if _loading_library[0]:
        if slot not in _from_user:
            _TABLES[table_name][slot[1]] = value
        return
    _TABLES[table_name][slot[1]] = _from_user[slot] = value
    _version[0] += 1


def _register(table_name, primitives, mode):
    def decorate(template, source=None):
        for primitive in primitives:
            _declare(table_name, primitive, (primitive, Rule(primitive, template, mode, source)))
        return template

    return decorate


def adjoint(*primitives):
    """Register the reverse-mode rule of `primitives`: `d[arg] = ... d[result] ...`."""
    return _register("adjoint", primitives, "adjoint")


def tangent(*primitives):
    """Register the forward-mode rule of `primitives`: `d[result] = ... d[arg] ...`."""
    return _register("tangent", primitives, "tangent")


def non_differentiable(*primitives):
    """Declare functions whose outputs carry no derivative (floor, comparisons, len...)."""
    for p in primitives:
        _declare("non_differentiable", p, p)


def always_run(*primitives):
    """Declare primitives with side effects whose adjoint runs even for a zero result adjoint."""
    for p in primitives:
        _declare("always_run", p, p)


def none_aware(*primitives):
    """Declare functions that read a None derivative argument as zero."""
    for p in primitives:
        _declare("none_aware", p, p)


def constant_in(primitive, *params):
    """Declare that `primitive`'s value does not move when the arguments `params` move a
    little: read only for a shape or a length, or piecewise constant in them. A rule
    that gives such a parameter no derivative then takes a differentiated argument
    there as a zero; for any other parameter without one, the derivative code raises
    where a float reaches it (`runtime.no_derivative`)."""
    _declare("constant_in", primitive, (primitive, frozenset(params)))


def shape_only(primitive, *params):
    """Declare that `primitive` reads only the shape, dtype and type of the arguments
    `params` (the `like` of `unbroadcast`): constant in them, and a loop's tape may keep a
    stand-in of that shape and dtype for such an argument in place of its value."""
    constant_in(primitive, *params)
    _declare("shape_only", primitive, (primitive, frozenset(params)))


def constant_arguments(primitive, call_node):
    """The argument nodes of `call_node` (a call of `primitive`) bound to parameters it
    is declared constant in: no derivative flows from them (the activity analysis)."""
    return _declared_arguments(_CONSTANT_IN, primitive, call_node)


def shape_arguments(primitive, call_node):
    """The argument nodes of `call_node` bound to parameters `primitive` reads only the
    shape and dtype of (declared `shape_only`)."""
    return _declared_arguments(_SHAPE_ONLY, primitive, call_node)


def _declared_arguments(table, primitive, call_node):
    _load_templates()
    entry = table.get(_key(primitive))
    if not entry or not _same(entry[0], primitive):
        return frozenset()
    rule = adjoint_rule(primitive) or tangent_rule(primitive)
    if rule is None:
        return frozenset()
    if any(isinstance(a, gast.Starred) for a in call_node.args) or any(k.arg is None for k in call_node.keywords):
        return frozenset()
    try:
        bound = rule.signature.bind(*call_node.args, **{k.arg: k.value for k in call_node.keywords})
    except TypeError:
        return frozenset()
    simple = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return frozenset(
        id(bound.arguments[p]) for p in entry[1]
        if p in bound.arguments and rule.signature.parameters[p].kind in simple
    )


def is_none_aware(obj):
    _load_templates()
    return obj is not None and _same(_NONE_AWARE.get(_key(obj)), obj)


def is_always_run(obj):
    _load_templates()
    return obj is not None and _same(_ALWAYS_RUN.get(_key(obj)), obj)


# Rule modules for libraries s2s does not depend on: loaded once the program has
# imported the library (importing SciPy just for its rules would slow every first use).
_FOR_LIBRARY = {"scipy_special": "scipy", "scipy_linalg": "scipy"}
_waiting = []  # (rule module, library) not loaded yet


def _load_templates():
    global _loaded
    if not _loaded:
        _loaded = True
        package = _templates_package()
        for info in pkgutil.iter_modules(package.__path__):
            _waiting.append((f"{package.__name__}.{info.name}", _FOR_LIBRARY.get(info.name)))
    for entry in [e for e in _waiting if e[1] is None or sys.modules.get(e[1]) is not None]:  # None: blocked
        # struck off once imported, or once its import failed (a library that does not
        # import); an import interrupted (a KeyboardInterrupt, a signal handler's
        # exception, which are not Exceptions) is tried again, not left without rules
        _loading_library[0] = True
        try:
            importlib.import_module(entry[0])
        except Exception:
            _strike_off(entry)
            raise
        finally:
            _loading_library[0] = False
        _strike_off(entry)


def _strike_off(entry):
    if entry in _waiting:  # an import of one rule module may load the others'
        _waiting.remove(entry)


def _templates_package():
    """`s2s.templates`: installed from templates/, or read from the source tree."""
    try:
        return importlib.import_module("s2s.templates")
    except ImportError:
        root = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "templates")
        spec = importlib.util.spec_from_file_location(
            "s2s.templates", os.path.join(root, "__init__.py"), submodule_search_locations=[root]
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules["s2s.templates"] = module
        spec.loader.exec_module(module)
        return module


def adjoint_rule(obj):
    _load_templates()
    entry = _ADJOINTS.get(_key(obj))
    return entry[1] if entry and _same(entry[0], obj) else None


def tangent_rule(obj):
    _load_templates()
    entry = _TANGENTS.get(_key(obj))
    return entry[1] if entry and _same(entry[0], obj) else None


# Functions no rule can be written for, and why: what a refusal of a call of one says.
_UNORDERED = "a set keeps neither order nor repeats, so no derivative can go back to the values put in it; build a list"
WHY_NO_RULE = {set: _UNORDERED, frozenset: _UNORDERED}


def missing_rule_message(obj, what, mode):
    """The refusal of a call of `obj` (described as `what`) that has no `mode` rule."""
    reason = WHY_NO_RULE.get(obj) if isinstance(obj, type) else None
    if reason:
        return f"{what} of differentiated values: {reason} (or wrap what carries no derivative in s2s.stop_gradient)"
    if mode == "tangent":
        return f"no forward-mode (tangent) rule for {what}; register one with @s2s.tangent"
    return f"no derivative rule for {what}; register one with @s2s.adjoint, or mark the value with s2s.stop_gradient"


def is_non_differentiable(obj):
    _load_templates()
    entry = _NON_DIFFERENTIABLE.get(_key(obj))
    return entry is not None and _same(entry, obj)


def digest():
    """Identifies the rules in use, the library's and the user's (for cache keys), without
    loading the library: it counts by the contents of its files, each user rule by its
    primitive, its template's name and the contents of the file it is written in, a
    user's declaration (non-differentiable, ...) by the primitive's name.
    """
    if _digest_memo.get("version") != _version[0]:
        entries = []
        for (table_name, _), value in list(_from_user.items()):
            if table_name in ("constant_in", "shape_only"):
                entries.append([table_name, _name(value[0]), sorted(value[1])])
            elif isinstance(value, tuple):  # (primitive, Rule)
                primitive, rule = value
                code = rule.template.__code__
                entries.append([table_name, _name(primitive), _name(rule.template), code.co_firstlineno, _file_digest(code.co_filename)])
            else:
                entries.append([table_name, _name(value)])
        entries.sort(key=repr)
        _digest_memo.update(version=_version[0], digest=hashlib.sha256(json.dumps([_library_digest(), entries]).encode()).hexdigest())
    return _digest_memo["digest"]


@functools.lru_cache(maxsize=None)
def _library_digest():
    """The rule library's files (once per process: the library is loaded once)."""
    return fingerprint.file_stamps(_templates_package().__path__[0])


def _name(obj):
    """A name for a primitive that is the same in every process (never an address)."""
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None) or type(obj).__qualname__
    return f"{getattr(obj, '__module__', '')}.{name}"


@functools.lru_cache(maxsize=None)
def _file_digest(filename):
    try:
        with open(filename, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()
    except OSError:
        return filename


# --------------------------------------------------------------------------- inlining


def bind_arguments(rule, call, fn_source):
    """Map each template parameter to the gast atom the call passes (or its default)."""
    args = []
    for a in call.args:
        if isinstance(a, gast.Starred):
            raise fn_source.error("*-arguments to a primitive are not supported", call, "starred call")
        args.append(a)
    kwargs = {}
    for k in call.keywords:
        if k.arg is None:
            raise fn_source.error("**-arguments to a primitive are not supported", call, "keyword unpacking")
        kwargs[k.arg] = k.value
    try:
        bound = rule.signature.bind(*args, **kwargs)
    except TypeError as exc:
        name = getattr(rule.primitive, "__name__", "primitive")
        raise fn_source.error(f"cannot match the call of {name} to its derivative rule: {exc}", call) from None
    result = {}
    for name, param in rule.signature.parameters.items():
        if name in bound.arguments:
            value = bound.arguments[name]
            if param.kind == param.VAR_POSITIONAL:
                value = gast.Tuple(list(value), gast.Load())
            result[name] = value
        elif param.kind == param.VAR_POSITIONAL:
            result[name] = gast.Tuple([], gast.Load())
        elif param.default is not inspect.Parameter.empty:
            result[name] = constant(param.default)
            anno.set(result[name], "default_argument", True)
        else:
            result[name] = gast.Constant(None, None)
    return result


def constant(value):
    """A gast expression for a default value: a literal, a NumPy scalar made from one
    (`float64(0.5)`, its type bound by name: generated modules need not import numpy
    as np), or a name bound to the object."""
    if type(value) in (int, float, complex, str, bool, type(None)):
        return gast.Constant(value, None)
    if isinstance(value, numpy.generic) and _exact_as_python(value.dtype):
        return call(ref(type(value), type(value).__name__), gast.Constant(value.item(), None))
    if type(value) is tuple:
        return gast.Tuple([constant(v) for v in value], gast.Load())
    node = gast.Name(f"_default_{type(value).__name__}", gast.Load(), None, None)
    anno.set(node, "object", value)
    return node


def _exact_as_python(dtype):
    """Whether `.item()` of a scalar of `dtype` is a Python number of the same value
    (a long double is wider than a float)."""
    return dtype.kind in "biu" or (dtype.kind == "f" and dtype.itemsize <= 8) or (dtype.kind == "c" and dtype.itemsize <= 16)


class Instance:
    """A template body instantiated at one call site.

    `statements` are the rule's statements with names substituted. Assignments to a
    derivative carry the annotation `derivative_of` (the primal name whose derivative
    they assign) and, where the rule reads that same derivative on its right-hand
    side (a rule that accumulates by itself, such as `add_at`), `self_accumulating`.
    """

    def __init__(self, statements):
        self.statements = statements


def _guards(rule, bindings, result, derivative_name):
    """`no_derivative(None, x, ...)` for each parameter bound to an atom that holds a
    differentiated name (derivative_name gives it one: a name, or one in a tuple of
    `*args` or an index) that `rule` gives no derivative and its primitive is not
    declared constant in: the contribution would be dropped, so a float there raises.
    The activity analysis is conservative (an index unpacked from a tape with the arrays
    next to it counts as differentiated), so the check is on the value."""
    _load_templates()
    entry = _CONSTANT_IN.get(_key(rule.primitive))
    constant = entry[1] if entry and _same(entry[0], rule.primitive) else frozenset()
    function = getattr(rule.primitive, "__name__", repr(rule.primitive))

    def differentiated(atom):
        return any(
            isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)
            and n.id != result  # updated in place: the result's derivative is its own
            and derivative_name(n.id) is not None
            for n in walk(atom)
        )

    return [
        gast.Expr(call(ref(runtime.no_derivative, "no_derivative"), const(None), clone(bindings[p]), const(function), const(p)))
        for p in rule.signature.parameters
        if p in rule.underived and p not in constant and p in bindings and differentiated(bindings[p])
    ]


def instantiate(rule, bindings, result, derivative_name, namer):
    """Substitute names into `rule`'s body.

    bindings: template parameter -> gast atom at the call site.
    result: the name the primitive's result is bound to.
    derivative_name(primal_name) -> name of its derivative, or None where the primal is
    inactive (its derivative is zero); statements assigning such derivatives are dropped.
    """
    params = dict(bindings)
    params[rule.result_param] = gast.Name(result, gast.Load(), None, None)
    renames = {n: namer.fresh(n if n.startswith("_") else f"_{n}") for n in rule.bound_names}

    substitute = _Substitute(rule, params, renames, derivative_name)
    statements = _guards(rule, bindings, result, derivative_name)
    # the rule's statements are read as they are and copied only where kept (a copy of
    # the whole body was half of instantiating it, most of it dropped statements')
    for stmt, derivative_reads in zip(rule.body, rule.derivative_reads):
        if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1:
            primal = substitute.derivative_of(stmt.targets[0])
            if primal is not None:
                target_name = derivative_name(primal) if primal else None
                if target_name is None:
                    continue  # the derivative of an inactive argument is zero
                reads_itself = any(substitute.derivative_of(n) == primal for n in derivative_reads)
                new = simplify.fold(substitute.copy(stmt))
                anno.set(new, "derivative_of", primal)
                anno.set(new, "self_accumulating", reads_itself)
                statements.append(new)
                continue
        statements.append(simplify.fold(substitute.copy(stmt)))
    return Instance(statements)


def _is_derivative_slot(node):
    """`d[p]` in a rule's body: the derivative of parameter p."""
    return (
        isinstance(node, gast.Subscript) and isinstance(node.value, gast.Name) and node.value.id == "d"
        and isinstance(node.slice, gast.Name)
    )


class _Substitute:
    """A rule's body at a call site: parameters become the call's atoms, the body's own
    names fresh ones, `d[p]` the derivative of p's atom (a zero slot where it has none).
    A class of the module's, not of each call: a class made per call is a reference
    cycle, which kept the whole function's tree alive until the collector ran."""

    def __init__(self, rule, params, renames, derivative_name):
        self.rule, self.params, self.renames, self.derivative_name = rule, params, renames, derivative_name

    def derivative_of(self, node):
        """For `d[p]`: the primal name p stands for, or None."""
        if _is_derivative_slot(node):
            bound = self.params.get(node.slice.id)
            if bound is None:
                raise TransformError(f"{self.rule.describe()}: d[{node.slice.id}] names no parameter")
            return bound.id if isinstance(bound, gast.Name) else False
        return None

    def left_at_default(self, node):
        return isinstance(node, gast.Name) and anno.get(self.params.get(node.id), "default_argument") and node.id not in self.renames

    def copy(self, node):
        """The instance of the rule's `node`: a copy (as `clone` makes, the rule's tree is
        left as it is) with the substitutions made as it is copied, in the order of its
        fields (a derivative's name is made on first use), not a clone transformed after:
        a NodeTransformer's visit per node was most of instantiating a rule."""
        cls = node.__class__
        if cls is gast.Name:
            if node.id in self.params and isinstance(node.ctx, gast.Load):
                return clone(self.params[node.id])
            if node.id in self.renames:
                return gast.Name(self.renames[node.id], clone(node.ctx), None, None)
        elif cls is gast.Subscript:
            primal = self.derivative_of(node)
            if primal is not None:
                return self._slot(node, primal)
        new = cls.__new__(cls)
        for field, value in node.__dict__.items():
            if isinstance(value, list):
                if cls is gast.Call and field == "keywords":
                    # `f(x, axis=axis)` where the call left axis at its default: `f(x)`
                    # (a template's defaults are the function's own)
                    value = [k for k in value if not self.left_at_default(k.value)]
                value = [self.copy(v) if isinstance(v, ast.AST) else v for v in value]
            elif isinstance(value, ast.AST):
                value = self.copy(value)
            elif isinstance(value, anno.Facts):
                value = anno.Facts(value)
            setattr(new, field, value)
        return new

    def _slot(self, node, primal):
        """What `d[p]` reads or binds: p's derivative, or a zero slot where it has none."""
        name = self.derivative_name(primal) if primal else None
        if name is None:
            slot = gast.Constant(None, None)  # zero: the caller drops or folds it
        else:
            slot = gast.Name(name, type(node.ctx)(), None, None)
        anno.set(slot, "tangent_slot", True)
        return slot
