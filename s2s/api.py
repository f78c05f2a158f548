"""The public API: derivative objects that generate their code on first call."""
import contextlib
import copy
import dataclasses
import functools
import gc
import inspect
import types

import numpy as np

from . import __version__, cache, emit, frontend, loader, rules, runtime, scopes
from .errors import TransformError
from .frontend import param_names
from .naming import identifier
from .passes.activity import kind_of_value
from .program import Program, forget_prepared, prepared_source, updated_parameters


@dataclasses.dataclass
class Generated:
    """A generated module: its text, the objects its names are bound to, its entry point."""

    text: str
    namespace: dict
    entry: str
    function: object = None

    watch: object = None

    def load(self, module_name):
        module = loader.load_module(self.text, self.namespace, module_name)
        self.function = getattr(module, self.entry)
        self.watch = scopes.ScopeWatch(module.__dict__, getattr(self.namespace, "origins", {}))
        return self


def _wrt_indices(signature, wrt, func):
    params = list(signature.parameters)
    single = not isinstance(wrt, (tuple, list))
    indices = []
    for w in [wrt] if single else wrt:
        if isinstance(w, str):
            if w not in params:
                raise TypeError(f"{func.__qualname__} has no parameter named {w!r} (parameters: {', '.join(params)})")
            indices.append(params.index(w))
        elif isinstance(w, int) and -len(params) <= w < len(params):
            indices.append(w % len(params))
        else:
            raise TypeError(f"wrt must name a parameter of {func.__qualname__} by index or name, not {w!r}")
    if not indices:
        raise TypeError(f"wrt must name at least one parameter of {func.__qualname__}")
    if len(set(indices)) < len(indices):
        raise TypeError(f"wrt names a parameter of {func.__qualname__} twice: {wrt!r}")
    return tuple(indices), single


def _signature(func):
    """inspect.signature(func); for a ufunc without one (Python 3.10's inspect, older
    NumPy), its `nin` inputs as positional parameters."""
    try:
        return inspect.signature(func)
    except (TypeError, ValueError):
        if isinstance(func, np.ufunc):
            positional = inspect.Parameter.POSITIONAL_ONLY
            return inspect.Signature([inspect.Parameter(f"x{i + 1}", positional) for i in range(func.nin)])
        raise TransformError(f"cannot differentiate {func!r}: it is not a Python function with source") from None


def _readable(func, signature):
    """`func` where s2s reads its source as is; otherwise — a bound method or classmethod,
    a callable object, a partial, a `functools.wraps` wrapper that forwards `*args,
    **kwargs` — a function that calls it with the parameters `func` shows (so `wrt`
    counts the parameters after `self`, and s2s.source names them)."""
    if hasattr(func, "transformable_function") or hasattr(func, "__s2s_source__"):
        return func
    if isinstance(func, types.FunctionType) and inspect.signature(func, follow_wrapped=False) == signature:
        return func
    python = isinstance(func, (types.FunctionType, types.MethodType, functools.partial)) or isinstance(
        inspect.getattr_static(type(func), "__call__", None), types.FunctionType
    )
    if not python and rules.adjoint_rule(func) is None:
        raise TransformError(
            f"cannot differentiate {getattr(func, '__qualname__', func)!r}: it is not a Python function with "
            "source, and has no derivative rule"
        )
    simple = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    params = [p for p in signature.parameters.values() if p.default is p.empty]
    if not all(p.kind in simple for p in params):
        raise TransformError(f"cannot differentiate {func!r}: it has required parameters that are not positional")
    if getattr(inspect.unwrap(getattr(func, "__func__", func)), "__code__", None) is not None:
        # Python code: its optional parameters too, their defaults kept
        params = [p for p in signature.parameters.values() if p.kind in simple]
        defaults = {p.name: p.default for p in params if p.default is not p.empty}
        names = [p.name for p in params]
        return frontend.calling_function(func, names, defaults=defaults, copied=_updated_by_method(func, names))
    return frontend.calling_function(func, [p.name for p in params])


def _updated_by_method(func, names):
    """The parameters (of `names`, those after `self` or `cls`) a bound method updates in
    place: the function that calls it passes copies, as s2s does for a function's own
    arguments, so that the caller's arrays never change."""
    if not isinstance(func, types.MethodType) or not isinstance(func.__func__, types.FunctionType):
        return ()
    updated = updated_parameters(func.__func__, (kind_of_value(func.__self__),))
    return tuple(n for n, p in zip(names, param_names(prepared_source(func.__func__).node)[1:]) if p in updated)


# argument types that are no array of another type than NumPy's, checked first on every call
_PLAIN_TYPES = frozenset({float, int, np.float64, np.ndarray})
_FLOAT_TYPES = frozenset({float, np.float64})  # of kind "scalar", taken as they are


def _lift_arrays(values, wrt):
    """The differentiated NumPy arrays among `values` as arrays of the type of the first
    other array argument (Dask, CuPy), if there is one: adjoints are updated in place, and
    a lazy Dask value written into a NumPy array would be computed."""
    if _PLAIN_TYPES.issuperset(map(type, values)):
        return values
    other = next((v for v in values if runtime.is_array(v) and not isinstance(v, np.ndarray)), None)
    if other is not None:
        for i in wrt:
            if isinstance(values[i], np.ndarray):
                values[i] = runtime.as_type_of(other, values[i])
    return values


@contextlib.contextmanager
def _cyclic_gc_paused():
    """A transform allocates nodes by the hundred thousand, and the cyclic collector,
    which their count triggers, walks every live one each time: transform time grew
    quadratically with the function's size. Reference counting frees the transform's
    garbage meanwhile; the collector runs as before once the outermost transform ends."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Derivative:
    """A derivative of `func`: callable like it, generated (once) on first use."""

    def __init__(self, func, mode, wrt=0, verbose=False):
        # name and docs from func, but never its __dict__ (a Derivative's own state)
        functools.update_wrapper(self, func, updated=())
        del self.__wrapped__  # inspect must see this object, not the primal
        self.func = func
        self.mode = mode
        self.verbose = verbose
        self.signature = _signature(func)
        self.func = _readable(func, self.signature)
        if self.func is not func:
            self.signature = inspect.signature(self.func)
        self.wrt, self.single = _wrt_indices(self.signature, wrt, func)
        self.__signature__ = self.signature
        self._last_kinds = None  # the kinds of the last call: s2s.source shows that variant
        self._functions = {}  # argument kinds -> Generated module, for this derivative
        self._idle_float_function = None  # for floats only, once made with nothing to watch
        self.again = False  # generated as code to differentiate again (Program(again=True))
        simple = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        params = self.signature.parameters.values()
        self._positional = len(params) if all(p.kind in simple for p in params) else -1
        self._scalar_kinds = ("scalar",) * len(params)

    def transformable_function(self, kinds=None):
        """The generated function, for differentiating this derivative again: for
        arguments of any kind (`kinds`, what `transformable_kinds` returned, is None)."""
        return self.generated(tuple(None for _ in self.signature.parameters))

    def transformable_kinds(self, kinds):
        """The argument kinds `transformable_function` generates for, of the kinds the
        caller knows (None: any kind)."""
        return None

    def __repr__(self):
        return f"<s2s {self.mode} of {getattr(self.func, '__qualname__', self.func)}>"

    def _arguments(self, args, kwargs):
        if not kwargs and len(args) == self._positional:  # the common call: nothing to bind
            values = list(args)
        else:
            bound = self.signature.bind(*args, **kwargs)
            bound.apply_defaults()
            values = list(bound.arguments.values())
        for i in self.wrt:
            if isinstance(values[i], int) and not isinstance(values[i], bool):
                values[i] = float(values[i])  # differentiate integers as the reals they stand for
        return _lift_arrays(values, self.wrt)

    def _float_function(self, args, kwargs):
        """The generated function for a call with floats only, if it is made and current,
        else None: scalar code such as saxpy, where the general path of `_dispatch` costs
        several times the arithmetic (nothing to convert, and every kind is "scalar")."""
        if kwargs or len(args) != self._positional:
            return None
        for value in args:
            if type(value) not in _FLOAT_TYPES:
                return None
        function = self._idle_float_function
        if function is None:
            module = self._functions.get(self._scalar_kinds)
            if module is None or not module.watch.refresh():
                return None
            if module.watch.idle:  # it reads nothing that can be rebound: current for good
                self._idle_float_function = module.function
            function = module.function
        self._last_kinds = self._scalar_kinds
        return function

    def _dispatch(self, args, kwargs):
        """The argument values, converted as the generated code takes them, and the
        generated function for their kinds."""
        function = self._float_function(args, kwargs)
        if function is not None:
            return args, function
        values = self._arguments(args, kwargs)
        return values, self.generated(tuple(map(kind_of_value, values)))

    def __call__(self, *args, **kwargs):
        values, function = self._dispatch(args, kwargs)
        return function(*values)

    def _shape_grads(self, grads, values):
        """Gradients from generated code, in parameter order (a tuple for several), as the
        caller asked: in its wrt order (a tuple for a tuple wrt), each shaped like its argument."""
        if len(self.wrt) == 1:
            grads = (grads,)
        by_position = dict(zip(sorted(self.wrt), grads))
        shaped = tuple(runtime.match_like(by_position[i], values[i]) for i in self.wrt)
        return shaped[0] if self.single else shaped

    def generated(self, kinds):
        """The generated function for arguments of these kinds (generated once, and again
        when a function it was generated for is rebound), with the data it reads from
        the user's scopes as they are now."""
        self._last_kinds = kinds
        module = self._functions.get(kinds)
        if module is None or not module.watch.refresh():
            module = self.module(kinds)
            if not module.watch.refresh():  # generated for what has been rebound since (by this object or another)
                cache.forget(self._key(kinds))
                forget_prepared()
                module = self.module(kinds)
                module.watch.refresh()
            self._functions[kinds] = module
        return module.function

    def module(self, kinds=None):
        """The Generated module for arguments of these kinds (default: of any kinds).

        From the memory cache, else the disk cache, else transformed now.
        """
        if kinds is None:
            kinds = tuple(None for _ in self.signature.parameters)
        name = self._module_name()
        generated = cache.lookup(
            self._key(kinds),
            lambda: self._generate(kinds).load(name),
            disk=cache.DiskKey(self.func, self.mode, self._wrt_key(), kinds, {"again": True} if self.again else None),
            load=lambda text, namespace, entry: Generated(text, namespace, entry).load(name),
        )
        return generated

    def _key(self, kinds):
        return (_identity(self.func), self.mode, self._wrt_key(), kinds, self.again)

    def _wrt_key(self):
        """wrt as the generated code depends on it: wrt=0 and wrt=(0,) return differently."""
        return self.wrt if self.single else ("tuple",) + self.wrt

    def _module_name(self):
        return f"{self.mode}_{identifier(getattr(self.func, '__name__', 'f'))}"

    def _generate(self, kinds):
        with _cyclic_gc_paused():
            return self._generate_now(kinds)

    def _generate_now(self, kinds):
        src = prepared_source(self.func, kinds)
        params = param_names(src.node)
        program = Program(self.again)
        active = tuple(i in self.wrt for i in range(len(params)))
        entry = self.build(program, active, kinds, src.name)
        program.release_dead_names(kinds)
        wrt_names = ", ".join(params[i] for i in self.wrt)
        header = [
            f"# Generated by s2s {__version__}: {self.mode} of {src.name} with respect to {wrt_names}.",
            f"# Source: {src.filename}:{src.node.lineno}",
        ]
        text, namespace = emit.emit_module(program.functions, header)
        # the user functions code was generated for, watched like the module's own names
        for i, ((function, scope_name), obj) in enumerate(sorted(program.called_globals().items(), key=lambda kv: kv[0][1])):
            if (function, scope_name) not in namespace.origins.values() and not scopes.generated_definition(function, scope_name):
                namespace[f"{scopes.GENERATED_FOR}{i}"] = obj
                namespace.origins[f"{scopes.GENERATED_FOR}{i}"] = (function, scope_name)
        if self.verbose:
            print(text)
        return Generated(text, namespace, entry)

    def build(self, program, active, kinds, name):
        """Generate this derivative's functions into `program`; returns the entry's name."""
        raise NotImplementedError

    def source(self):
        """The generated source of the variant last called (before any call: for
        arguments of any kind)."""
        return self.module(self._last_kinds).text


class Gradient(Derivative):
    """`grad`, `value_and_grad` and `elementwise_grad`: a reverse sweep seeded with ones."""

    _again = None  # this gradient as code to differentiate again, made when first wanted

    def build(self, program, active, kinds, name):
        seed = runtime.ones_like if self.mode == "elementwise_grad" else runtime.ones_like_output
        driver = program.names.fresh(f"d{name}")
        order = None if self.single else self.wrt
        return program.reverse_driver(self.func, active, kinds, driver, self.mode == "value_and_grad", seed, order)

    def __call__(self, *args, **kwargs):
        function = self._float_function(args, kwargs) if self.mode == "grad" else None
        if function is not None:  # scalar code: one check less than the general path
            out = function(*args)
            if type(out) is float and self.single and type(args[self.wrt[0]]) is float:
                return out  # match_like's first case, without the calls
            return self._shape_grads(out, args)
        values, function = self._dispatch(args, kwargs)
        out = function(*values)
        if self.mode == "value_and_grad":
            value, grads = out
            return value, self._shape_grads(grads, values)
        return self._shape_grads(out, values)

    def transformable_kinds(self, kinds):
        return kinds if kinds is not None and any(kind is not None for kind in kinds) else None

    def transformable_function(self, kinds=None):
        """For arguments of kinds the caller knows, the code `grad` generates for them
        less what cannot be differentiated again (Program(again=True)): a second
        derivative starts from the first one's scalar seed, dropped forward sum and
        folded constants. Else the variant for arguments of any kind."""
        if kinds is None:
            return super().transformable_function()
        if self._again is None:
            self._again = copy.copy(self)  # its own caches, keyed as code to differentiate again
            self._again.again, self._again._functions, self._again._last_kinds = True, {}, None
        return self._again.generated(kinds)

    def _shape_grads(self, grads, values):
        """The generated driver returns the gradients in the caller's wrt order already."""
        if self.single:
            return runtime.match_like(grads, values[self.wrt[0]])
        return tuple(runtime.match_like(g, values[i]) for g, i in zip(grads, self.wrt))


class JVP(Derivative):
    """`jvp(f)(*args, tangent) -> (f(*args), J @ tangent)`: forward mode."""

    def __init__(self, func, mode, wrt=0, verbose=False):
        super().__init__(func, mode, wrt, verbose)
        tangent = inspect.Parameter("tangent", inspect.Parameter.POSITIONAL_OR_KEYWORD)
        simple = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        if self.single and all(p.kind in simple for p in self.signature.parameters.values()):
            # as a callee inside differentiated code it takes (*args, tangent), every
            # argument given: a default could not be told from the tangent
            params = [p.replace(default=inspect.Parameter.empty) for p in self.signature.parameters.values()]
            self.__signature__ = self.signature.replace(parameters=[*params, tangent])

    def build(self, program, active, kinds, name):
        entry = program.request_forward(self.func, active, kinds)
        program.generate_requested()
        return entry

    def transformable_function(self, kinds=None):
        if not self.single:
            raise TransformError("a jvp with several wrt arguments cannot be differentiated again")
        return self.pushforward_function()

    def pushforward_function(self):
        """The generated `f_jvp(*args, *tangents) -> (f(*args), tangent)`, one tangent per
        wrt argument in parameter order, as s2s differentiates it again."""
        return super().transformable_function()

    def __call__(self, *args):
        values, function, tangents = self._arguments_and_tangents(args)
        value, out = function(*values, *tangents)
        return value, runtime.match_like(out, value)

    def _arguments_and_tangents(self, args):
        """(argument values, the generated function for them, the tangents in parameter
        order, each shaped like its argument) of a call `(*args, tangent)`."""
        if not args:
            raise TypeError(f"{self.mode}(f)(*args, tangent) needs the tangent as its last argument")
        *primal, tangent = args
        values, function = self._dispatch(tuple(primal), {})
        tangents = (tangent,) if self.single else tuple(tangent)
        if len(tangents) != len(self.wrt):
            raise TypeError(f"{self.mode} with respect to {len(self.wrt)} arguments needs as many tangents")
        by_position = {i: runtime.match_like(t, values[i]) for t, i in zip(tangents, self.wrt)}
        return values, function, [by_position[i] for i in sorted(self.wrt)]  # f_jvp takes them in parameter order


class VJP(Derivative):
    """`vjp(f)(*args) -> (f(*args), pullback)`; the pullback may be called many times."""

    def build(self, program, active, kinds, name):
        return program.vjp_driver(self.func, active, kinds, program.names.fresh(f"vjp_{name}"))

    # the generated function returns the tape and the backward sweep, not the pullback
    # closure a call makes: differentiating it as the call would be wrong
    refused_when_differentiated = ("a call of s2s.vjp(f)'s result cannot be differentiated again: differentiate "
                                   "s2s.grad of the projection (lambda x: np.sum(cotangent * f(x))) instead")

    def transformable_function(self, kinds=None):
        raise TransformError(self.refused_when_differentiated)

    def __call__(self, *args, **kwargs):
        values, function = self._dispatch(args, kwargs)
        value, tape, backward = function(*values)

        def pullback(cotangent):
            return self._shape_grads(backward(tape, runtime.match_like(cotangent, value)), values)

        return value, pullback


class Pullback(Derivative):
    """`pullback(f)(*args, cotangent) -> (f(*args), grads)`, the gradients as the
    generated backward sweep returns them (one, or a tuple in parameter order): both
    sweeps in one function that s2s differentiates again, for second derivatives of a
    call through a function value (s2s/function_values.py)."""

    def build(self, program, active, kinds, name):
        return program.pullback_driver(self.func, active, kinds, program.names.fresh(f"pullback_{name}"))


class Jacobian(Derivative):
    """`jacobian(f)(*args)`: shape `f(*args).shape + x.shape`; forward mode when the
    argument has fewer elements than the output, reverse mode otherwise."""

    def __init__(self, func, mode, wrt=0, verbose=False):
        super().__init__(func, mode, wrt, verbose)
        if not self.single:
            raise TypeError("jacobian takes one wrt argument (an index or a name)")

    def build(self, program, active, kinds, name):
        return program.jacobian_driver(self.func, active, kinds, program.names.fresh(f"jacobian_{name}"))

    def __call__(self, *args, **kwargs):
        values, function = self._dispatch(args, kwargs)
        return function(*values)


def _identity(func):
    """What code generated for `func` depends on: a derivative by what it is (the module
    made for `s2s.grad(f)` serves every `s2s.grad(f)` object), a function by identity."""
    if isinstance(func, Derivative):
        return (type(func).__name__, func.mode, func._wrt_key(), _identity(func.func))
    return frontend.unwrap(func)


def _static(constructor):
    """Mark an API function whose calls on global functions s2s evaluates at transform time."""
    constructor._s2s_static_call = True
    return constructor


def _maker(cls, mode, doc):
    @_static
    def make(func=None, wrt=0, *, verbose=False):
        if func is None:  # used as @s2s.grad(wrt="W")
            return lambda f: make(f, wrt, verbose=verbose)
        return cls(func, mode, wrt, verbose)

    make.__name__ = make.__qualname__ = mode
    make.__doc__ = doc
    return make


grad = _maker(
    Gradient,
    "grad",
    """The gradient of a scalar-valued `func` with respect to argument(s) `wrt`.

    `wrt` is an index or parameter name, or a tuple of them (giving a tuple of
    gradients). Gradients have the structure, shape and dtype of their argument.
    Usable as `@s2s.grad` or `@s2s.grad(wrt="W")`.
    """,
)
value_and_grad = _maker(Gradient, "value_and_grad", "Like `grad`, but returns `(func(*args), gradient)` from one forward sweep.")
elementwise_grad = _maker(
    Gradient,
    "elementwise_grad",
    """The gradient of `sum(func(*args))`: for elementwise `func`, the derivative of each
    output element with respect to its input element. Nests (`elementwise_grad` of an
    `elementwise_grad`) for higher derivatives.""",
)
jvp = _maker(JVP, "jvp", "Forward mode: `jvp(f, wrt)(*args, tangent) -> (f(*args), J @ tangent)`.")
vjp = _maker(VJP, "vjp", "Reverse mode: `vjp(f, wrt)(*args) -> (f(*args), pullback)`, `pullback(v) = v @ J`.")
jacobian = _maker(Jacobian, "jacobian", Jacobian.__doc__)


class Checkpoint:
    """`s2s.checkpoint(f)`: `f`, whose forward sweep is not kept for the backward sweep
    but recomputed there — memory traded for time, for long chains of calls."""

    _s2s_checkpoint = True

    def __init__(self, function):
        functools.update_wrapper(self, function)
        self.function = function

    def __call__(self, *args, **kwargs):
        return self.function(*args, **kwargs)


@_static
def checkpoint(function):
    """Differentiate calls of `function` by recomputing its forward sweep when needed."""
    return Checkpoint(function)


@_static
def hessian(func, wrt=0, *, verbose=False):
    """The Hessian of scalar `func`: the Jacobian of its gradient (forward over reverse
    when the argument is small, reverse over reverse otherwise)."""
    return Jacobian(Gradient(func, "grad", wrt, verbose), "hessian", wrt, verbose)


class HVP(JVP):
    """`hvp(f)(*args, v)`: the Hessian-vector product by forward over reverse, without
    forming the Hessian: the tangent of the gradient along `v`, alone (a jvp of the
    gradient whose value is not returned)."""

    def __init__(self, func, mode="hvp", wrt=0, verbose=False):
        super().__init__(Gradient(func, "grad", wrt, verbose), mode, wrt, verbose)

    def build(self, program, active, kinds, name):
        return program.tangent_driver(self.func, active, kinds, program.names.fresh(f"hvp_{name}"))

    def transformable_function(self, kinds=None):
        if not self.single:
            raise TransformError("an hvp with several wrt arguments cannot be differentiated again")
        return Derivative.transformable_function(self)

    def __call__(self, *args):
        values, function, tangents = self._arguments_and_tangents(args)
        like = values[self.wrt[0]] if self.single else tuple(values[i] for i in self.wrt)
        return runtime.match_like(function(*values, *tangents), like)


@_static
def hvp(func, wrt=0, *, verbose=False):
    """Hessian-vector products of scalar `func`: `hvp(f)(*args, v) = H @ v`."""
    return HVP(func, "hvp", wrt, verbose)


def source(derivative):
    """The generated Python source of a derivative returned by s2s."""
    if not isinstance(derivative, Derivative):
        raise TypeError(f"s2s.source expects a derivative made by s2s, not {derivative!r}")
    return derivative.source()
