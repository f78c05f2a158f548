"""The public API: derivative objects that generate their code on first call."""
import dataclasses
import functools
import inspect

from . import __version__, cache, emit, frontend, loader, runtime
from .errors import TransformError
from .passes.activity import kind_of_value
from .frontend import param_names
from .program import Program, prepare


@dataclasses.dataclass
class Generated:
    """A generated module: its text, the objects its names are bound to, its entry point."""

    text: str
    namespace: dict
    entry: str
    function: object = None

    def load(self, module_name):
        module = loader.load_module(self.text, self.namespace, module_name)
        self.function = getattr(module, self.entry)
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
    return tuple(indices), single


class Derivative:
    """A derivative of `func`: callable like it, generated (once) on first use."""

    def __init__(self, func, mode, wrt=0, verbose=False):
        # name and docs from func, but never its __dict__ (a Derivative's own state)
        functools.update_wrapper(self, func, updated=())
        del self.__wrapped__  # inspect must see this object, not the primal
        self.func = func
        self.mode = mode
        self.verbose = verbose
        try:
            self.signature = inspect.signature(func)
        except (TypeError, ValueError):
            raise TransformError(f"cannot differentiate {func!r}: it has no Python signature") from None
        self.wrt, self.single = _wrt_indices(self.signature, wrt, func)
        self.__signature__ = self.signature
        self._last_source = None

    def transformable_function(self):
        """The generated function, for differentiating this derivative again."""
        return self.generated(tuple(None for _ in self.signature.parameters))

    def __repr__(self):
        return f"<s2s {self.mode} of {getattr(self.func, '__qualname__', self.func)}>"

    def _arguments(self, args, kwargs):
        bound = self.signature.bind(*args, **kwargs)
        bound.apply_defaults()
        values = list(bound.arguments.values())
        for i in self.wrt:
            if isinstance(values[i], int) and not isinstance(values[i], bool):
                values[i] = float(values[i])  # differentiate integers as the reals they stand for
        return values

    def __call__(self, *args, **kwargs):
        values = self._arguments(args, kwargs)
        generated = self.generated(tuple(kind_of_value(v) for v in values))
        out = generated(*values)
        if self.mode == "value_and_grad":
            value, grads = out
            return value, self._shape_grads(grads, values)
        return self._shape_grads(out, values)

    def _shape_grads(self, grads, values):
        if len(self.wrt) == 1:
            grads = (grads,)
        shaped = tuple(runtime.match_like(g, values[i]) for g, i in zip(grads, self.wrt))
        return shaped[0] if self.single else shaped

    def generated(self, kinds):
        """The generated function for arguments of these kinds (generated once)."""
        return self.module(kinds).function

    def module(self, kinds=None):
        """The Generated module for arguments of these kinds (default: of any kinds).

        From the memory cache, else the disk cache, else transformed now.
        """
        if kinds is None:
            kinds = tuple(None for _ in self.signature.parameters)
        key = (frontend.unwrap(self.func), self.mode, self.wrt, kinds)
        name = self._module_name()
        generated = cache.lookup(
            key,
            lambda: self._generate(kinds).load(name),
            disk=cache.DiskKey(self.func, self.mode, self.wrt, kinds),
            load=lambda text, namespace, entry: Generated(text, namespace, entry).load(name),
        )
        self._last_source = generated.text
        return generated

    def _module_name(self):
        return f"{self.mode}_{getattr(self.func, '__name__', 'f')}"

    def _generate(self, kinds):
        src, _ = prepare(self.func)
        params = param_names(src.node)
        program = Program()
        active = tuple(i in self.wrt for i in range(len(params)))
        driver_name = program.names.fresh(f"d{src.name}")
        program.reverse_driver(self.func, active, kinds, driver_name, with_value=self.mode == "value_and_grad")
        wrt_names = ", ".join(params[i] for i in self.wrt)
        header = [
            f"# Generated by s2s {__version__}: {self.mode} of {src.name} with respect to {wrt_names}.",
            f"# Source: {src.filename}:{src.node.lineno}",
        ]
        text, namespace = emit.emit_module(program.functions, header)
        if self.verbose:
            print(text)
        return Generated(text, namespace, driver_name)

    def source(self):
        if self._last_source is None:
            self.generated(tuple(None for _ in self.signature.parameters))
        return self._last_source


def _static(constructor):
    """Mark an API function whose calls on global functions s2s evaluates at transform time."""
    constructor._s2s_static_call = True
    return constructor


@_static
def grad(func=None, wrt=0, *, verbose=False):
    """The gradient of a scalar-valued `func` with respect to argument(s) `wrt`.

    `wrt` is an index or parameter name, or a tuple of them (giving a tuple of
    gradients). Gradients have the structure, shape and dtype of their argument.
    Usable as `@s2s.grad` or `@s2s.grad(wrt="W")`.
    """
    if func is None:
        return lambda f: grad(f, wrt, verbose=verbose)
    return Derivative(func, "grad", wrt, verbose)


@_static
def value_and_grad(func=None, wrt=0, *, verbose=False):
    """Like `grad`, but returns `(func(*args), gradient)` from one forward sweep."""
    if func is None:
        return lambda f: value_and_grad(f, wrt, verbose=verbose)
    return Derivative(func, "value_and_grad", wrt, verbose)


def source(derivative):
    """The generated Python source of a derivative returned by s2s."""
    if not isinstance(derivative, Derivative):
        raise TypeError(f"s2s.source expects a derivative made by s2s, not {derivative!r}")
    return derivative.source()
