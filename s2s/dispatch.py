"""Which Python function a call runs, for the calls s2s differentiates by transforming.

A callee resolved at transform time (`np.dot`, a global function, `s2s.grad(f)`) has
its own rule or is a user function. A call through an object argument — `layer(x)`,
`model.predict(x)` — is resolved from the object's kind: the argument's type, recorded
when the derivative is first called (see `activity.kind_of_value`).
"""
import dataclasses
import inspect
import types

import gast

from . import anno, runtime
from .passes import varargs
from .passes.activity import object_type
from .syntax import source_text

# the parameters an UpdatesReturned variant takes before the function's own: call_updating's
UPDATES_RETURNED_LEADING = ("_function", "_updated")


@dataclasses.dataclass(frozen=True)
class UpdatesReturned:
    """`function` made to return `(result, *the parameters named in updated)`."""

    function: object
    updated: tuple

    def __post_init__(self):
        # named as the function (generated names, the alias check's "made by s2s" test)
        object.__setattr__(self, "__name__", self.function.__name__)
        object.__setattr__(self, "__module__", self.function.__module__)

    @property
    def __signature__(self):
        own = inspect.signature(self.function, follow_wrapped=False)
        leading = [inspect.Parameter(p, inspect.Parameter.POSITIONAL_ONLY) for p in UPDATES_RETURNED_LEADING]
        return own.replace(parameters=leading + list(own.parameters.values()))

    def __call__(self, *args, **kwargs):
        return runtime.call_updating(*args, **kwargs)


def primitive(function):
    """Declare `function` a primitive: s2s does not read its source, and differentiates its
    calls only by the rules registered for it with `s2s.adjoint` / `s2s.tangent`."""
    function._s2s_primitive = True
    return function


def differentiated_by_source(function):
    """Declare a function of s2s's own (s2s/ode.py) differentiated as a user function is,
    by transforming its source, although libraries otherwise need rules."""
    function._s2s_by_source = True
    return function


def user_function(callee):
    """The Python function to transform for a call, or None if it is not one."""
    if getattr(callee, "_s2s_primitive", False):
        return None  # differentiated by its rules, or an error
    if getattr(callee, "_s2s_by_source", False):
        return callee
    if getattr(callee, "_s2s_checkpoint", False):
        return user_function(callee.function)
    if hasattr(callee, "transformable_function") or isinstance(callee, UpdatesReturned):  # made by s2s
        return callee
    if isinstance(callee, types.MethodType):
        callee = callee.__func__
    if isinstance(callee, types.FunctionType):
        module = getattr(callee, "__module__", "") or ""
        if module.split(".")[0] not in ("numpy", "scipy", "s2s"):  # libraries need rules
            return callee
    return None


def call_target(value, activity):
    """(function to transform, atoms to pass before the call's own arguments), or (None, [])."""
    callee = anno.get(value, "callee")
    if callee is not None:
        return user_function(callee), []
    func = value.func
    if isinstance(func, gast.Name):  # layer(x): the object's __call__
        cls = object_type(activity.kind(func.id))
        method = inspect.getattr_static(cls, "__call__", None) if cls else None
        if isinstance(method, types.FunctionType):
            return user_function(method), [gast.Name(func.id, gast.Load(), None, None)]
    if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name):  # model.predict(x)
        cls = object_type(activity.kind(func.value.id))
        method = inspect.getattr_static(cls, func.attr, None) if cls else None
        if isinstance(method, staticmethod):
            return user_function(method.__func__), []
        if isinstance(method, types.FunctionType):
            return user_function(method), [gast.Name(func.value.id, gast.Load(), None, None)]
    return None, []


def fixed_point_parts(src, stmt, value):
    """(f, a, tol, max_iter) of a call of fixed_point, f resolved to a user function."""
    arguments = varargs.bind(src, stmt, value, runtime.fixed_point)
    f = arguments["f"]
    if isinstance(f, gast.Name):  # a global function, or a nested one (lifted by passes/closures)
        function = user_function(anno.get(f, "object") if anno.has(f, "object") else src.resolve(f.id))
    else:
        function = None
    if function is None:
        raise src.error(
            f"fixed_point needs a function defined with def (f(a, x) -> x), here or at module level, as its first "
            f"argument; {source_text(f)} is not one",
            stmt,
            "fixed_point",
        )
    return function, arguments["a"], arguments["tol"], arguments["max_iter"]
