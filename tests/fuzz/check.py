"""Run one generated program through every s2s mode and classify what happens.

Classes, per program and mode: "ok"; "wrong" (a value, derivative, structure, shape or
dtype differs from Python and from every oracle that could judge it); "crash" (an
exception other than s2s.TransformError); "refused" (s2s.TransformError, or the
TypeError a rule raises for a differentiated float in an argument it has no derivative
for, such as norm's ord, or for an einsum sublist form the README says it does not
differentiate); "mutated" (an argument, tangent or cotangent changed by the
call).
"""
import copy
import dataclasses
import re
import signal
import sys
import warnings
import zlib

import numpy as np

from . import oracles

MODES = ("grad", "jvp", "vjp", "hvp", "hessian", "gradgrad")
CLASSES = ("ok", "wrong", "crash", "refused", "mutated")
SEVERITY = ("wrong", "mutated", "crash", "refused", "ok")  # a program's class: its worst mode's
VALUE_RTOL = 1e-7
FIRST_RTOL = 1e-4
SECOND_RTOL = 3e-3
MAX_PRIMAL_S = 0.2
MODE_TIMEOUT_S = 60
MAX_MAGNITUDE = 1e4  # programs whose values exceed this are rejected (overflow, bad conditioning)
# ... and programs with a value on the way larger than this: central differences at
# h = 1e-6 lose about |v| * 1e-16 / 1e-6 to the rounding of a value v that cancels later
# (`(1.0 - big) + x + big` is flat in x in floating point), and 1e6 keeps that under the
# first-order tolerance
MAX_INTERMEDIATE = 1e6
# runtime.no_derivative's refusal (summary.txt counts them by function and argument: one
# for a helper's shape argument would be a missing rules.constant_in declaration)
RUNTIME_REFUSAL = re.compile(
    r"s2s: \w+ has no derivative rule with respect to its argument \w+$"
    r"|s2s: np\.einsum's sublist form is differentiated with literal sublists, or "  # README's einsum limits
)


class Rejected(Exception):
    """The program is not a valid test: it raises, overflows, or runs too long in Python."""


class Timeout(BaseException):
    """A mode ran too long (a BaseException, so that no `except Exception` swallows it)."""


@dataclasses.dataclass
class Outcome:
    klass: str
    detail: str = ""

    @property
    def kind(self):
        """The failure without names, numbers or places: failures of one kind probably
        share a cause."""
        if self.klass == "wrong" and not self.detail.startswith("structure"):
            return self.detail.split(":")[0]  # value, derivative, pullback
        detail = re.sub(r"\S*\.py:\d+:\s*", "", self.detail)
        detail = re.sub(r"'[^']*'|\"[^\"]*\"", "'_'", detail)
        return re.sub(r"-?\d+(\.\d+)?(e-?\d+)?", "N", detail)[:120]

    @property
    def signature(self):
        """What must stay the same while shrinking."""
        return self.klass, self.kind


def sample(kinds, rng):
    return [float(rng.uniform(-1.5, 1.5)) if kind == "f" else rng.uniform(-1.5, 1.5, kind) for kind in kinds]


def arguments(seed, index):
    return np.random.RandomState(zlib.crc32(f"{seed}:{index}:args".encode()))


def random_like(value, rng):
    return oracles.unflatten_like(rng.uniform(-1.0, 1.0, oracles.flatten(value).size), value)


def alarm(seconds):
    """Raise Timeout in this (main) thread after `seconds` (0 cancels)."""
    def fire(signum, frame):
        raise Timeout(f"no result after {seconds} s")

    signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)


def quiet_call(function, *args):
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args)


def primal(module, args):
    """f(*args) on copies, or Rejected if it is not a well-defined float computation."""
    try:
        # the first call may generate the derivatives f calls (s2s.grad inside): not timed
        # as strictly as the second, since the oracles call f a few hundred times
        for seconds in (MODE_TIMEOUT_S, MAX_PRIMAL_S):
            alarm(seconds)
            with np.errstate(all="raise"), warnings.catch_warnings():
                warnings.simplefilter("error")
                out = module.f(*copy.deepcopy(args))
    except (Exception, Timeout) as error:
        raise Rejected(f"{type(error).__name__}: {error}") from None
    finally:
        alarm(0)
    if not all(isinstance(leaf, (float, np.floating, np.ndarray)) for leaf in oracles.leaves(out)):
        raise Rejected("a result that is not made of floats")
    values = oracles.flatten(out)
    if values.dtype != np.float64 or not np.all(np.isfinite(values)) or np.max(np.abs(values)) > MAX_MAGNITUDE:
        raise Rejected("not a finite float64 of moderate size")
    if largest_local(module, args) > MAX_INTERMEDIATE:
        raise Rejected("a value on the way too large for central differences")
    return out


def largest_local(module, args):
    """The largest magnitude any local variable of the program's functions takes while
    f(*args) runs (each line and each return, by a trace function)."""
    largest = [0.0]

    def trace(frame, event, arg):
        if frame.f_code.co_filename != module.__file__:
            return None
        largest[0] = max([largest[0], magnitude(arg) if event == "return" else 0.0]
                         + [magnitude(v) for v in frame.f_locals.values()])
        return trace

    previous = sys.gettrace()
    sys.settrace(trace)
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            module.f(*copy.deepcopy(args))
    finally:
        sys.settrace(previous)
    return largest[0]


def magnitude(value, depth=2):
    """The largest absolute number in `value` (in lists, tuples and dicts two levels deep)."""
    if isinstance(value, (float, complex, np.number)) or (isinstance(value, int) and not isinstance(value, bool)):
        return float(abs(value))
    if isinstance(value, np.ndarray) and value.dtype.kind in "fciu" and value.size:
        return float(np.max(np.abs(value)))
    if depth and isinstance(value, (list, tuple, dict)):
        items = value.values() if isinstance(value, dict) else value
        return max((magnitude(item, depth - 1) for item in items), default=0.0)
    return 0.0


def structure_error(got, like, what, value=False):
    """Why `got` does not have the structure, shape and dtype of `like` (None if it does):
    a derivative's leaves are float64; a value's (`value`) have the dtype Python's have."""
    if isinstance(like, (list, tuple)):
        if type(got) is not type(like) or len(got) != len(like):
            return f"structure: {what} is {type(got).__name__}, expected {type(like).__name__} of {len(like)}"
        for i, (g, item) in enumerate(zip(got, like)):
            error = structure_error(g, item, f"{what}[{i}]", value)
            if error:
                return error
        return None
    if isinstance(like, dict):
        if not isinstance(got, dict) or got.keys() != like.keys():
            return f"structure: {what} is {type(got).__name__}, expected a dict with keys {sorted(like)}"
        for key in like:
            error = structure_error(got[key], like[key], f"{what}[{key!r}]", value)
            if error:
                return error
        return None
    if np.ndim(like) == 0:
        integral = value and np.asarray(like).dtype.kind in "iub"  # a value of integers (or flags) stays so
        kinds = (int, bool, np.integer, np.bool_) if integral else (float, np.floating)
        if not isinstance(got, kinds) or isinstance(got, np.ndarray):
            return f"structure: {what} is {type(got).__name__} {np.shape(got)}, expected a {'number' if integral else 'float'}"
        return None
    dtype = np.asarray(like).dtype if value else np.dtype(np.float64)
    if not isinstance(got, np.ndarray) or got.shape != np.shape(like) or got.dtype != dtype:
        desc = f"{type(got).__name__} {np.shape(got)} {getattr(got, 'dtype', '')}"
        return f"structure: {what} is {desc}, expected {dtype} array {np.shape(like)}"
    return None


def same(a, b):
    if type(a) is not type(b):
        return False
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return bool(np.array_equal(a, b, equal_nan=True))


class _NoReferences:
    """References that compare nothing (derivatives computed only to be forgotten)."""

    @staticmethod
    def jacobians():
        return []

    @staticmethod
    def hessians():
        return []


NO_REFERENCES = _NoReferences()


class Case:
    """One program at one point, checked mode by mode."""

    def __init__(self, program, module, args, references, rng):
        self.program, self.module, self.args, self.refs = program, module, args, references
        self.out = primal(module, args)
        self.x = args[program.wrt]
        self.tangent = random_like(self.x, rng)
        self.cotangent = random_like(self.out, rng)
        self.direction = random_like(self.x, rng)

    def applies(self, mode):
        one_element = not isinstance(self.out, (tuple, list)) and np.size(self.out) == 1  # as grad accepts
        if mode in ("grad", "hvp", "hessian", "gradgrad") and not one_element:
            return False
        return mode != "gradgrad" or np.ndim(self.x) == 0

    def run(self, mode, timeout=0):
        """The Outcome of `mode` (never raises, except Timeout when `timeout` is set)."""
        import s2s

        inputs = [self.args, self.tangent, self.cotangent, self.direction]
        before = copy.deepcopy(inputs)
        try:
            if timeout:
                alarm(timeout)
            self.differentiate_with_other_data(mode, s2s)
            problems = quiet_call(getattr(self, f"check_{mode}"), s2s)
        except s2s.TransformError as error:
            return Outcome("refused", f"TransformError: {first_line(error)}")
        except Timeout:
            raise
        except TypeError as error:
            if not RUNTIME_REFUSAL.match(str(error)):
                return Outcome("crash", f"TypeError: {first_line(error)}")
            return Outcome("refused", f"TypeError: {first_line(error)}")
        except Exception as error:
            return Outcome("crash", f"{type(error).__name__}: {first_line(error)}")
        finally:
            if timeout:
                alarm(0)
        if not same(inputs, before):
            return Outcome("mutated", "mutated: an argument changed")
        if problems:
            return Outcome("wrong", problems[0])
        return Outcome("ok")

    def differentiate_with_other_data(self, mode, s2s):
        """The same derivative first with other data, which must not stay in what s2s keeps
        for f: of `f_first` (f's code made again with another number), and of f with the
        module's number K changed (generated code reads it when it runs)."""
        variants = [(name, value) for name, value in (("f", getattr(self.module, "f_first", None)), ("K", 1.25))
                    if value is not None and hasattr(self.module, name)]
        references = self.refs
        self.refs = NO_REFERENCES  # f's references are computed for f only
        try:
            for name, value in variants:
                saved = getattr(self.module, name)
                setattr(self.module, name, value)
                try:
                    quiet_call(getattr(self, f"check_{mode}"), s2s)
                except Exception:  # noqa: BLE001 - only f's outcome counts
                    pass
                finally:
                    setattr(self.module, name, saved)
        finally:
            self.refs = references

    # --------------------------------------------------------------- the modes

    def value_problems(self, value):
        error = structure_error(value, self.out, "value", value=True)
        if error:
            return [error]
        if not oracles.close(oracles.flatten(value), oracles.flatten(self.out), VALUE_RTOL):
            return [f"value: {value!r}, Python gives {self.out!r}"]
        return []

    def derivative_problems(self, got, like, references, rtol, what):
        error = structure_error(got, like, what)
        if error:
            return [error]
        flat = np.reshape(np.asarray(oracles.flatten(got), dtype=float), (-1,))
        if references and not any(oracles.close(flat, np.reshape(r, (-1,)), rtol) for r in references):
            return [f"derivative: {what} = {np.round(flat, 6).tolist()}, expected {np.round(np.reshape(references[0], (-1,)), 6).tolist()}"]
        return []

    def check_grad(self, s2s):
        value, gradient = s2s.value_and_grad(self.module.f, wrt=self.program.wrt)(*self.args)
        expected = [j[0] for j in self.refs.jacobians()]
        return (self.value_problems(value) + self.derivative_problems(gradient, self.x, expected, FIRST_RTOL, "gradient")
                + self.complex_problems(s2s))

    def complex_problems(self, s2s):
        """`value_and_grad` at the arguments made complex (each float shifted by 0.25j)
        raises a TypeError where Python returns a complex value, and raises where Python
        raises: it never takes a complex function for a real one (a TransformError, a
        refusal of the complex arguments, is allowed)."""
        from s2s import TransformError  # `s2s` may stand for a broken one (tests/test_fuzz.py)

        args = [a + 0.25j if isinstance(a, float) or (isinstance(a, np.ndarray) and a.dtype == np.float64) else a for a in self.args]
        try:
            out = quiet_call(self.module.f, *copy.deepcopy(args))
        except Exception:  # noqa: BLE001 - what Python raises, the gradient must raise too
            out = None
        if out is not None and not np.iscomplexobj(oracles.flatten(out)):
            return []  # a real function of complex arguments: autograd's convention, not checked here
        try:
            quiet_call(s2s.value_and_grad(self.module.f, wrt=self.program.wrt), *args)
        except (TypeError, TransformError):
            return []
        except Exception as error:  # noqa: BLE001
            if out is None:
                return []
            return [f"complex error: value_and_grad raised {type(error).__name__}, not TypeError, for a complex result"]
        if out is None:
            return ["complex raise: value_and_grad returned a gradient where Python raised"]
        return ["complex result: value_and_grad returned a gradient where Python returned a complex value"]

    def check_jvp(self, s2s):
        value, tangent_out = s2s.jvp(self.module.f, wrt=self.program.wrt)(*self.args, self.tangent)
        t = oracles.flatten(self.tangent)
        expected = [j @ t for j in self.refs.jacobians()]
        return self.value_problems(value) + self.derivative_problems(tangent_out, self.out, expected, FIRST_RTOL, "J @ t")

    def check_vjp(self, s2s):
        value, pullback = s2s.vjp(self.module.f, wrt=self.program.wrt)(*self.args)
        first = pullback(self.cotangent)
        second = pullback(self.cotangent)
        u = oracles.flatten(self.cotangent)
        expected = [u @ j for j in self.refs.jacobians()]
        problems = self.value_problems(value) + self.derivative_problems(first, self.x, expected, FIRST_RTOL, "u @ J")
        if not problems and not same(first, second):
            problems.append("pullback: a second call gives another result")
        return problems

    def check_hvp(self, s2s):
        wrt = self.program.wrt
        product = s2s.hvp(self.module.f, wrt=wrt)(*self.args, self.direction)
        v = oracles.flatten(self.direction)
        expected = [h @ v for h in self.refs.hessians()]
        # the gradient's code as s2s differentiates it again must compute the gradient
        gradient, _ = s2s.jvp(s2s.grad(self.module.f, wrt=wrt), wrt=wrt)(*self.args, self.direction)
        first = [j[0] for j in self.refs.jacobians()]
        return (self.derivative_problems(product, self.x, expected, SECOND_RTOL, "H @ v")
                + self.derivative_problems(gradient, self.x, first, FIRST_RTOL, "the gradient's value in its jvp"))

    def check_hessian(self, s2s):
        hessian = s2s.hessian(self.module.f, wrt=self.program.wrt)(*self.args)
        like = np.zeros(np.shape(self.x) * 2)
        if np.ndim(self.x) == 0 and isinstance(hessian, np.ndarray) and hessian.shape == ():
            hessian = float(hessian)  # the README promises an array of shape x.shape * 2: () here
            like = 0.0
        return self.derivative_problems(hessian, like, self.refs.hessians(), SECOND_RTOL, "hessian")

    def check_gradgrad(self, s2s):
        wrt = self.program.wrt
        second = s2s.grad(s2s.grad(self.module.f, wrt=wrt), wrt=wrt)(*self.args)
        return self.derivative_problems(second, self.x, self.refs.hessians(), SECOND_RTOL, "grad(grad)")


def first_line(error):
    text = str(error).strip().splitlines()
    return text[0][:200] if text else ""


def worst(outcomes):
    """A program's class over its modes."""
    classes = {o.klass for o in outcomes}
    return next((c for c in SEVERITY if c in classes), "ok")
