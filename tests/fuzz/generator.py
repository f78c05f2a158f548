"""Seeded random programs in the Python/NumPy subset the README says s2s supports.

A program is the source text of a module defining helpers and `f(...)`. Every value
has a static kind — "f" (a float), "i" (an int), an array shape such as (2, 3), "L" (a
non-empty list of floats) or "D" (a dict of floats with keys "a" and "b") — so that the
generated code is well-typed and broadcasts correctly. Domains are guarded by
construction (logs and square roots of positive expressions); programs that still
overflow are rejected by the runner and the next one is drawn.

Construct families can be switched off through a `Profile`, which is how one bisects
which family a bug needs.
"""
import dataclasses
import math
import random

from .callables import CallableFamilies

SCALAR, INT, LIST, DICT = "f", "i", "L", "D"
ONE = (1,)  # a one-element output, which grad accepts
SHAPES = [(3,), (2,), (2, 3)]
DICT_KEYS = ("a", "b")


@dataclasses.dataclass(frozen=True)
class Profile:
    """Which construct families programs may use."""

    arrays: bool = True  # arrays, broadcasting, reductions, slices
    rebinding: bool = True  # x = x, swaps, augmented assignment, rebinding a loop's iterable
    aliasing: bool = True  # two names for one array, helpers mutating their parameters
    inplace: bool = True  # y[i] = v, y[1:] += v on fresh arrays and on arguments
    branches: bool = True  # if / elif / else
    loops: bool = True  # for and while
    jumps: bool = True  # break, continue and return at any depth
    containers: bool = True  # lists, tuples, dicts
    helpers: bool = True  # module-level helpers, called twice, recursive ones
    closures: bool = True  # nested defs, lambdas, module constants
    comprehensions: bool = True
    powers: bool = True  # ** with negative literal bases, fractional exponents
    outputs: bool = True  # tuple-, array- and shape-(1,)-valued functions
    function_values: bool = True  # functions returned by calls, in lists and dicts, passed, defaults, aliases
    partials: bool = True  # functools.partial, map
    generators: bool = True  # generator expressions in list()/tuple()/np.stack, generator functions
    forwarding: bool = True  # functools.wraps decorators, *args/**kwargs forwarding, f(*t), zip(*rows)
    methods: bool = True  # methods and __call__ of global objects; f a bound method or a classmethod
    records: bool = True  # s2s.register_container types and dataclasses
    nested_grad: bool = True  # s2s.grad of a nested function, called inside
    defaults: bool = True  # f with a defaulted parameter


FAMILIES = [field.name for field in dataclasses.fields(Profile)]


def profile_without(families):
    """The full profile with the named families switched off."""
    unknown = set(families) - set(FAMILIES)
    if unknown:
        raise ValueError(f"unknown construct families {sorted(unknown)}; known: {', '.join(FAMILIES)}")
    return Profile(**{name: False for name in families})


@dataclasses.dataclass
class Program:
    """A generated module: `source` defines `f` with parameters of `kinds`."""

    source: str
    kinds: list
    wrt: int
    out_kind: object

    @property
    def scalar_output(self):
        return self.out_kind == SCALAR


@dataclasses.dataclass
class Helper:
    """A module-level helper the program may call."""

    name: str
    params: list  # kinds of the parameters a0, a1, ...
    result: object  # kind of the result; None for a helper that only mutates a0
    extra: list = dataclasses.field(default_factory=list)  # (parameter, value) passed as is
    default: bool = False  # the last parameter has a default and may be left out


def is_array(kind):
    return isinstance(kind, tuple)


class Scope:
    """The typed names visible at a point of the program being written."""

    def __init__(self, out_kind, names, helpers):
        self.vars = {}  # name -> kind
        self.owned = set()  # arrays that no other name, view or caller shares
        self.out_kind = out_kind
        self.names = names  # shared fresh-name counter
        self.helpers = helpers  # Helper objects callable here
        self.loop_depth = 0
        self.outside_loops = set()  # names bound before the outermost loop being written
        self.frozen = set()  # names functions read: never rebound or updated after their binding

    def enter_loop(self, before):
        if not self.loop_depth:
            self.outside_loops = set(before)
        self.loop_depth += 1

    def exit_loop(self):
        self.loop_depth -= 1

    def mutable(self, names):
        return sorted(n for n in names if n not in self.frozen)

    def fresh(self, prefix):
        self.names[prefix] = self.names.get(prefix, -1) + 1
        return f"{prefix}{self.names[prefix]}"

    def kinds_present(self, kinds):
        return [k for k in kinds if self.of_kind(k)]

    def of_kind(self, kind):
        return [name for name, k in self.vars.items() if k == kind]

    def snapshot(self):
        return dict(self.vars)

    def restore(self, saved):
        """Forget names first bound inside a block (they may be unbound after it)."""
        self.vars = {name: kind for name, kind in self.vars.items() if name in saved}


class Writer(CallableFamilies):
    """Writes one random program; every construct family is one method."""

    def __init__(self, rng, profile):
        self.rng = rng
        self.profile = profile
        self.names = {}
        self.lines = []
        self.library = {}  # module-level definitions the program uses, by name
        self.imports = set()
        self.indent = 0
        self.has_constant = False
        self.container_helpers = False
        self.carried_powers = []  # scalars a loop updated with a parameter's power: the result reads them

    # ------------------------------------------------------------------ plumbing

    def emit(self, line):
        self.lines.append("    " * self.indent + line)

    def chance(self, p):
        return self.rng.random() < p

    def pick(self, options):
        return self.rng.choice(options)

    def kinds(self):
        return [SCALAR, *SHAPES] if self.profile.arrays else [SCALAR]

    def literal(self):
        return self.pick(["0.5", "1.5", "2.0", "0.3", "-0.7", "-1.2", "3.0", "0.25"])

    # ------------------------------------------------------------------ expressions

    def expr(self, scope, kind, depth=2):
        if kind == SCALAR:
            return self.scalar(scope, depth)
        if kind == INT:
            return self.integer(scope)
        return self.array(scope, kind, depth)

    def integer(self, scope):
        ints = scope.of_kind(INT)
        return self.pick(ints) if ints and self.chance(0.7) else self.pick(["1", "2"])

    def positive(self, scope, kind, depth):
        """An expression of `kind` whose every element is > 0.2."""
        e = self.expr(scope, kind, depth - 1)
        lib = "np" if is_array(kind) or self.chance(0.5) else "math"
        return self.pick([
            f"(1.0 + ({e}) * ({e}))",
            f"{lib}.exp({lib}.sin({e}))",
            f"(2.0 + {lib}.cos({e}))",
            f"({lib}.tanh({e}) + 1.5)",
        ])

    def scalar_leaf(self, scope):
        options = [self.literal]
        scalars = scope.of_kind(SCALAR)
        if scalars:
            options += [lambda: self.pick(scalars)] * 4
        arrays = [(n, k) for n, k in scope.vars.items() if is_array(k)]
        if arrays:
            options += [lambda: self.reduce_to_scalar(scope, *self.pick(arrays))] * 2
        if scope.of_kind(INT):
            options.append(lambda: f"float({self.pick(scope.of_kind(INT))})")
        if arrays and self.chance(0.2):
            options.append(lambda: f"float(len({self.pick(arrays)[0]}))")
        if scope.of_kind(LIST):
            options.append(lambda: f"{self.pick(scope.of_kind(LIST))}[{self.pick(['0', '-1'])}]")
        if scope.of_kind(DICT):
            options.append(lambda: f"{self.pick(scope.of_kind(DICT))}[{self.pick(DICT_KEYS)!r}]")
            options.append(lambda: self.pick([  # a dict's view consumed by a builtin
                "max({}.values())", "min({}.values())", "sorted({}.values())[0]", "list({}.values())[-1]",
                "sorted({}.items())[-1][1]", "tuple({}.items())[0][1]",
            ]).format(self.pick(scope.of_kind(DICT))))
        if self.has_constant:
            options.append(lambda: "K")
        fields = self.record_fields(scope, SCALAR)
        if fields:
            options.append(lambda: self.pick(fields))
        return self.pick(options)()

    def reduce_to_scalar(self, scope, name, shape):
        index = ", ".join(self.index_for(scope, n) for n in shape)
        options = [
            f"np.sum({name})",
            f"np.mean({name})",
            f"np.max({name})",
            f"{name}.sum()",
            f"np.sum({name} * {name})",
            f"{name}[{index}]",
            f"np.min({name})",
            f"np.linalg.norm({name}, {self.pick(['1', 'np.inf'])})",
            # arguments the rules give no derivative: an int there is exact, a
            # differentiated float must be refused (never a silent zero). (var, not
            # std: std has a kink where the entries are equal, which programs that
            # broadcast a scalar reach, and there its derivative is one of rounding)
            f"np.var({name}, ddof={self.index_for(scope, 2)})",
        ]
        if len(shape) == 1:
            options.append(f"np.linalg.norm({name}, 1.0 + {self.scalar(scope, 0)} ** 2)")
        return self.pick(options)

    def index_for(self, scope, length):
        ints = scope.of_kind(INT)
        if ints and self.chance(0.4):
            return f"{self.pick(ints)} % {length}"
        return str(self.rng.randrange(-length, length))

    def scalar(self, scope, depth):
        if depth <= 0 or self.chance(0.3):
            return self.scalar_leaf(scope)
        a = self.scalar(scope, depth - 1)
        b = self.scalar(scope, depth - 1)
        lib = self.pick(["np", "math"])
        options = [
            lambda: f"({a} + {b})",
            lambda: f"({a} - {b})",
            lambda: f"({a} * {b})",
            lambda: f"({a} / {self.positive(scope, SCALAR, depth)})",
            lambda: f"-{a}",
            lambda: f"{lib}.sin({a})",
            lambda: f"{lib}.cos({a})",
            lambda: f"{lib}.tanh({a})",
            lambda: f"{lib}.exp({lib}.sin({a}))",
            lambda: f"{lib}.log({self.positive(scope, SCALAR, depth)})",
            lambda: f"{lib}.sqrt({self.positive(scope, SCALAR, depth)})",
            lambda: f"abs({a})",
            lambda: f"max({a}, {b})",
            lambda: f"min({a}, {b})",
            lambda: f"({a}) ** 2",
            # a Python bool on the gradient's tape, which its adjoint multiplies by
            lambda: f"float(np.where({a} > {b}, {a}, {b}))",
        ]
        if self.profile.powers:
            options += [
                lambda: f"((-2.0) ** 2 * {a})",
                lambda: f"({a} + (-1.5) ** 3)",
                lambda: f"{self.positive(scope, SCALAR, depth)} ** 0.5",
                lambda: f"pow({a}, 3)",
            ]
        if self.profile.containers and scope.of_kind(LIST):
            options.append(lambda: f"sum({self.pick(scope.of_kind(LIST))})")
        if self.profile.comprehensions:
            options.append(lambda: self.generator_sum(scope))
        options += self.call_options(scope, SCALAR, depth)
        return self.pick(options)()

    def array(self, scope, shape, depth):
        names = scope.of_kind(shape) + self.record_fields(scope, shape)
        if depth <= 0 or self.chance(0.25):
            if names and self.chance(0.8):
                return self.pick(names)
            return self.pick([
                f"(np.ones({shape}) * {self.scalar_leaf(scope)})",
                f"np.full({shape}, {self.literal()})",
                f"(np.linspace(-1.0, 1.0, {shape[-1]}) + {self.scalar_leaf(scope)})" if len(shape) == 1
                else f"(np.ones({shape}) * {self.scalar_leaf(scope)})",
            ])
        a = self.array(scope, shape, depth - 1)
        other = self.broadcast_partner(scope, shape, depth - 1)
        options = [
            lambda: f"({a} + {other})",
            lambda: f"({other} - {a})",
            lambda: f"({a} * {other})",
            lambda: f"({a} / {self.positive(scope, self.pick([shape, SCALAR]), depth)})",
            lambda: f"np.sin({a})",
            lambda: f"np.cos({a})",
            lambda: f"np.tanh({a})",
            lambda: f"np.exp(np.sin({a}))",
            lambda: f"np.log({self.positive(scope, shape, depth)})",
            lambda: f"np.sqrt({self.positive(scope, shape, depth)})",
            lambda: f"np.abs({a})",
            lambda: f"np.maximum({a}, {other})",
            lambda: f"np.minimum({a}, {other})",
            lambda: f"np.where({a} > {other}, {a}, {other})",
            lambda: f"np.where({self.scalar(scope, depth - 1)} > 0.0, {a}, {other})",  # one flag for all
            lambda: f"np.clip({a}, -1.0, 1.0)",
            lambda: f"np.logaddexp({a}, {other})",
            lambda: f"({a} ** 2)",
            lambda: self.reshaped(scope, shape, depth),
        ]
        if self.profile.powers:
            options.append(lambda: f"((-0.5) ** 2 * {a})")
        options += self.call_options(scope, shape, depth)
        return self.pick(options)()

    def broadcast_partner(self, scope, shape, depth):
        """Something that broadcasts against an array of `shape`."""
        options = [lambda: self.scalar(scope, depth), lambda: self.array(scope, shape, depth)]
        if shape == (2, 3):
            options += [
                lambda: self.array(scope, (3,), depth),
                lambda: f"np.{self.pick(['sum', 'mean', 'max'])}({self.array(scope, (2, 3), 0)}, axis=1, keepdims=True)",
                lambda: f"np.sum({self.array(scope, (2, 3), 0)}, axis=0, keepdims=True)",
            ]
        return self.pick(options)()

    def reshaped(self, scope, shape, depth):
        """An array of `shape` made from arrays of other shapes: slices, reductions, products."""
        if shape == (3,):
            options = [
                lambda: f"np.sum({self.array(scope, (2, 3), depth - 1)}, axis=0)",
                lambda: f"({self.array(scope, (2, 3), depth - 1)})[{self.index_for(scope, 2)}]",
                lambda: f"({self.array(scope, (3,), depth - 1)})[::-1]",
                lambda: f"np.dot({self.array(scope, (2,), depth - 1)}, {self.array(scope, (2, 3), depth - 1)})",
                lambda: f"np.array([{self.scalar(scope, 0)}, {self.scalar(scope, 0)}, {self.scalar(scope, 0)}])",
                lambda: f"np.concatenate([{self.array(scope, (2,), depth - 1)}, np.ones(1) * {self.scalar(scope, 0)}])",
                lambda: f"np.cumsum({self.array(scope, (3,), depth - 1)})",
                lambda: f"np.pad({self.array(scope, (2,), depth - 1)}, (1, 0), constant_values={self.scalar(scope, 0)})",
                lambda: f"np.cross({self.array(scope, (3,), depth - 1)}, {self.array(scope, (3,), depth - 1)})",
                lambda: f"np.inner({self.scalar(scope, 0)}, {self.array(scope, (3,), depth - 1)})",
                # a spacing passed through *varargs: a differentiated one must be refused
                lambda: f"np.gradient({self.array(scope, (3,), depth - 1)}, "
                        f"{self.pick(['0.5', f'1.0 + {self.scalar(scope, 0)} ** 2'])})",
            ]
        elif shape == (2,):
            options = [
                lambda: f"np.mean({self.array(scope, (2, 3), depth - 1)}, axis=1)",
                lambda: f"({self.array(scope, (2, 3), depth - 1)})[:, {self.index_for(scope, 3)}]",
                lambda: f"({self.array(scope, (3,), depth - 1)})[1:]",
                lambda: f"({self.array(scope, (3,), depth - 1)})[:-1]",
                lambda: f"({self.array(scope, (3,), depth - 1)})[::2]",
                lambda: f"({self.array(scope, (2, 3), depth - 1)} @ {self.array(scope, (3,), depth - 1)})",
                lambda: f"np.dot({self.array(scope, (2, 3), depth - 1)}, {self.array(scope, (3,), depth - 1)})",
                lambda: f"np.einsum('ij,j->i', {self.array(scope, (2, 3), depth - 1)}, {self.array(scope, (3,), depth - 1)})",
                lambda: self.einsum_of_sublists(scope, depth),
                # products along an axis, with a zero among the factors or not (second
                # derivatives of np.prod are products of the others but two)
                lambda: f"np.prod({self.array(scope, (2, 3), depth - 1)}{self.pick(['', ' * np.array([1.0, 0.0, 1.0])'])}, axis=1)",
                lambda: f"np.inner({self.array(scope, (2, 3), depth - 1)}, {self.array(scope, (3,), depth - 1)})",
            ]
        else:
            options = [
                lambda: f"np.outer({self.array(scope, (2,), depth - 1)}, {self.array(scope, (3,), depth - 1)})",
                lambda: f"np.stack([{self.array(scope, (3,), depth - 1)}, {self.array(scope, (3,), depth - 1)}])",
                lambda: f"({self.array(scope, (2, 3), depth - 1)}).T.T",
                lambda: f"np.reshape({self.array(scope, (2, 3), depth - 1)}, (3, 2)).reshape((2, 3))",
                lambda: f"np.einsum('i,ij,j,j,j->ij', {self.array(scope, (2,), 0)}, {self.array(scope, (2, 3), depth - 1)}, "
                        f"{self.array(scope, (3,), 0)}, {self.array(scope, (3,), 0)}, np.ones(3))",
                lambda: f"np.cross({self.array(scope, (2, 3), depth - 1)}, {self.array(scope, (3,), depth - 1)})",
                # labels past 25 are a-z, after A-Z: the implicit output [0, 27] transposes
                lambda: f"np.einsum(({self.array(scope, (2, 3), depth - 1)}).T, [27, 0])",
                lambda: f"np.cross(({self.array(scope, (2, 3), depth - 1)}).T, {self.array(scope, (2, 3), depth - 1)}, axisa=0)",
            ]
        return self.pick(options)()

    def einsum_of_sublists(self, scope, depth):
        """np.einsum's sublist form, of shape (2,): its sublists literal or passed as
        values (then the first operand, read by name, tells the forms apart at run time)."""
        matrices = scope.of_kind((2, 3))
        first = self.pick(matrices) if matrices and self.chance(0.7) else f"({self.array(scope, (2, 3), depth - 1)})"
        # literal, values (slices of literals), and values a call makes (then refused)
        rows, columns = self.pick([("[30, 2]", "[2]"), ("[30, 2][:]", "(2,)[:]"), ("list((30, 2))", "tuple([2])")])
        return f"np.einsum({first}, {rows}, {self.array(scope, (3,), depth - 1)}, {columns})"

    def call_options(self, scope, kind, depth):
        """Calls of helpers, closures and lambdas in scope that return `kind`."""
        options = []
        for helper in scope.helpers:
            if helper.result == kind:
                options.append(lambda helper=helper: self.call(scope, helper, depth))
        return options

    def call(self, scope, helper, depth):
        """A call of `helper`, positional or by keyword, leaving out a defaulted argument."""
        params = helper.params[:-1] if helper.default and self.chance(0.5) else helper.params
        args = [(f"a{i}", self.expr(scope, kind, max(depth - 1, 0))) for i, kind in enumerate(params)]
        args += helper.extra
        keywords = self.chance(0.3)
        if self.profile.forwarding and self.chance(0.2):
            return f"{helper.name}({self.starred(args, keywords)})"
        return f"{helper.name}({', '.join(f'{k}={v}' if keywords else v for k, v in args)})"

    def generator_sum(self, scope):
        arrays = [n for n, k in scope.vars.items() if k in ((3,), (2,))]
        source = self.pick(arrays) if arrays and self.profile.arrays else "range(3)"
        var = scope.fresh("e")
        use = f"float({var})" if source == "range(3)" else var
        reducer = self.pick(["sum", "sum", "max", "min"])
        return f"{reducer}({use} * {self.scalar_leaf(scope)} for {var} in {source})"

    def condition(self, scope):
        a = self.scalar(scope, 1)
        ints = scope.of_kind(INT)
        if ints and self.chance(0.3):
            return f"{self.pick(ints)} % 2 == {self.pick(['0', '1'])}"
        scalars = scope.of_kind(SCALAR)
        if scalars and self.chance(0.2):
            # a convergence test: np.abs of a scalar, compared only (passes/scalars.py)
            test = f"np.abs({self.pick(scalars)}) < {self.pick(['0.5', self.scalar_leaf(scope)])}"
            return self.pick([test, f"0.1 <= {test}"])
        return f"{a} {self.pick(['>', '<', '>='])} {self.pick(['0.0', self.scalar_leaf(scope)])}"

    def output(self, scope, kind):
        """A value of the function's result kind built from the live variables."""
        vectors = scope.of_kind((3,))
        if kind == SCALAR and vectors and self.chance(0.2):
            # Rosenbrock's form: neighbouring slices of vectors, elementwise, summed
            params = [v for v in vectors if v.startswith("x")]  # stable unless rebound: the case it optimizes
            a, b = self.pick(params or vectors), self.pick(vectors)
            return f"np.sum(({a}[1:] - {a}[:-1] ** 2) ** 2 * {self.literal()} + ({self.literal()} - {b}[:-1]) * {b}[1:])"
        if kind == SCALAR and self.profile.arrays and self.chance(0.1):
            # a loss against targets, which may broadcast the prediction wider: the value
            # summed has the shape of `y * z` (passes/shapes.py joins their shapes), so
            # the difference holding it cannot fail and goes with the sum
            shape = self.pick(SHAPES)
            z = self.array(scope, shape, 1)
            y = self.array(scope, (2, 3) if shape == (3,) and self.chance(0.5) else shape, 0)
            link = self.pick([f"np.logaddexp(0.0, {z})", f"np.logaddexp({z}, 0.5 * {z})", f"np.tanh({z})", f"({z} ** 2)"])
            reduction = self.pick(["np.sum", "np.mean"])
            # a logaddexp read by its adjoint alone is not computed (passes/fusion.py)
            return self.pick([f"{reduction}({link} - {y} * {z})", f"{reduction}(({z} - {y}) ** 2)",
                              f"{reduction}(np.logaddexp(0.0, -{y} * {z}))"])
        if kind == SCALAR and self.profile.arrays and self.chance(0.3):
            # the sum of an array expression as the result: its gradient's seed stays a
            # scalar (passes/uniform.py), its dead forward code goes (passes/shapes.py)
            return f"{self.pick(['np.sum', 'np.mean'])}({self.array(scope, self.pick(SHAPES), 2)})"
        if kind == SCALAR:
            terms = [self.scalar(scope, 1)]
            terms += sorted({n for n in self.carried_powers if scope.vars.get(n) == SCALAR})
            for name, k in self.rng.sample(sorted(scope.vars.items()), min(2, len(scope.vars))):
                if k == SCALAR:
                    terms.append(name)
                elif is_array(k):
                    terms.append(f"np.sum({name})")
            return " + ".join(terms)
        if isinstance(kind, list):  # a tuple of values
            return "(" + ", ".join(self.output(scope, k) for k in kind) + ")"
        if kind == ONE:
            return self.pick([
                lambda: f"np.array([{self.output(scope, SCALAR)}])",
                lambda: f"({self.output(scope, SCALAR)}) * np.ones(1)",
                lambda: f"np.sum({self.array(scope, (3,), 1)}, keepdims=True)" if self.profile.arrays
                else f"np.array([{self.scalar(scope, 1)}])",
            ])()
        return self.array(scope, kind, 2)

    # ------------------------------------------------------------------ statements

    def block(self, scope, count, depth):
        """`count` random statements; stops after a jump."""
        for _ in range(count):
            if self.statement(scope, depth) == "jump":
                if self.chance(0.1):  # unreachable code after the jump
                    self.emit(f"{scope.fresh('dead')} = 1.0")
                return

    def statement(self, scope, depth):
        p = self.profile
        options = [self.assign_new] * 4
        if p.rebinding and scope.vars:
            options += [self.rebind] * 3
        if p.inplace and p.arrays:
            options += [self.inplace] * 2
        if p.aliasing and p.arrays:
            options.append(self.alias)
        if depth < 3:
            if p.branches:
                options += [self.branch] * 2
            if p.loops:
                options += [self.for_loop, self.for_loop, self.while_loop]
        if p.jumps and (scope.loop_depth or depth > 0):
            options += [self.jump] * 2
        if p.powers and scope.loop_depth:
            options += [self.constant_exponent] + [self.invariant_power] * 3
        if p.jumps and p.branches and scope.loop_depth and depth < 3:
            options.append(self.nested_jump)
        if p.containers:
            options += [self.container] * 2
        if p.helpers and scope.helpers:
            options += [self.helper_calls] * 2
        if p.closures and depth < 3:
            options += [self.closure, self.lambda_]
        if p.comprehensions:
            options.append(self.comprehension)
        if depth < 3:
            families = {"function_values": self.function_values, "partials": self.partials,
                        "generators": self.generators, "methods": self.methods, "records": self.records,
                        "nested_grad": self.nested_grad}
            options += [method for family, method in families.items() if getattr(p, family)]
        return self.pick(options)(scope, depth)

    def constant_exponent(self, scope, depth):
        """`k = 3 ** 2` bound in a loop (the gradient need not save it), then a power with
        it as the exponent, at a base that may be negative."""
        exponent, value = scope.fresh("k"), scope.fresh("v")
        self.emit(f"{exponent} = {self.pick(['2', '3'])} ** {self.pick(['1', '2'])}")
        self.emit(f"{value} = ({self.scalar(scope, 1)}) ** {exponent}")
        scope.vars[exponent], scope.vars[value] = INT, SCALAR

    def invariant_power(self, scope, depth):
        """A power of a scalar parameter in a loop, the parameter never rebound from here
        on: where nothing rebound it before either, the adjoint's `2 * x0` is computed
        once, before the backward loop (passes/hoist.py)."""
        params = [n for n in scope.mutable(scope.of_kind(SCALAR)) if n.startswith("x")]
        if not params:
            return self.assign_new(scope, depth)
        param = self.pick(params)
        scope.frozen.add(param)
        power = f"{param} ** {self.pick(['2', '3'])} * {self.scalar(scope, 1)} - {param} * {self.literal()}"
        carried = [n for n in scope.mutable(scope.of_kind(SCALAR)) if n != param and n in scope.outside_loops]
        if carried and self.chance(0.7):  # carried from trip to trip, on to the result
            name = self.pick(carried)
            self.emit(f"{name} = {name} * 0.5 + {power}")
            self.carried_powers.append(name)
        else:
            name = scope.fresh("v")
            self.emit(f"{name} = {power}")
            scope.vars[name] = SCALAR

    def assign_new(self, scope, depth):
        kind = self.pick(self.kinds())
        name = scope.fresh("v")
        self.emit(f"{name} = {self.expr(scope, kind)}")
        scope.vars[name] = kind
        if is_array(kind):
            scope.owned.add(name)  # a fresh array (views come only from bare names, see alias)

    def rebind(self, scope, depth):
        names = scope.mutable(n for n, k in scope.vars.items() if k in [SCALAR, *SHAPES])
        if not names:
            return self.assign_new(scope, depth)
        name = self.pick(names)
        kind = scope.vars[name]
        same = [n for n in scope.mutable(scope.of_kind(kind)) if n != name]
        in_place_ok = not is_array(kind) or (name in scope.owned and self.profile.inplace)
        options = [
            lambda: self.emit(f"{name} = {name}"),
            lambda: self.emit(f"{name} = {self.expr(scope, kind)}"),
            lambda: self.emit(f"{name} = np.sin({name}) + {name} * {self.scalar(scope, 1)}"),
        ]
        if same:
            other = self.pick(same)
            options.append(lambda: self.emit(f"{name}, {other} = {other}, {name}"))
            if is_array(kind):
                scope.owned.discard(name)  # ownership is per name: after a swap, be conservative
                scope.owned.discard(other)
        if in_place_ok:
            op = self.pick(["+=", "-=", "*="])
            options += [
                lambda: self.emit(f"{name} {op} {self.expr(scope, self.pick([kind, SCALAR]), 1)}"),
                lambda: self.emit(f"{name} *= {name}"),
                lambda: self.emit(f"{name} /= {self.positive(scope, SCALAR, 1)}"),
            ]
        self.pick(options)()

    def inplace(self, scope, depth):
        """y[...] = v or y[...] op= v on an array no other name shares."""
        targets = scope.mutable(n for n in scope.owned if n in scope.vars)
        integers = False
        if not targets or self.chance(0.3):
            shape = self.pick(SHAPES)
            name = scope.fresh("y")
            like = scope.of_kind(shape)
            # an array of integers stores a float rounded, which has no derivative; it
            # is written once (its whole `y += v` would raise, as NumPy does)
            integers = self.chance(0.15)
            init = self.pick([f"np.zeros({shape}, dtype=int)", f"np.arange({math.prod(shape)}).reshape({shape}) - 2"] if integers
                             else [f"np.zeros({shape})", f"np.ones({shape})"] + [f"{n}.copy()" for n in like] + [f"np.array({n})" for n in like])
            self.emit(f"{name} = {init}")
            scope.vars[name] = shape
            if not integers:
                scope.owned.add(name)
        else:
            name = self.pick(targets)
        shape = scope.vars[name]
        op = self.pick(["=", "+=", "*=", "-="])
        if shape == (2, 3):
            target, value_kind = self.pick([
                (f"[{self.index_for(scope, 2)}, {self.index_for(scope, 3)}]", SCALAR),
                (f"[{self.index_for(scope, 2)}]", (3,)),
                (f"[:, {self.index_for(scope, 3)}]", (2,)),
                ("[:, 1:]", SCALAR),  # a scalar broadcasts over the (2, 2) block
            ])
        else:
            n = shape[0]
            part = (n - 1,) if n - 1 > 1 else SCALAR  # a one-element slice takes a scalar
            target, value_kind = self.pick([(f"[{self.index_for(scope, n)}]", SCALAR), ("[1:]", part), ("[:-1]", part)])
        if integers and value_kind != SCALAR:
            op = "="  # an item of an array of integers is a number, rebound by `op=`: a row is updated in place
        if self.chance(0.3):
            value = self.self_read(name, shape, value_kind)
        else:
            value = self.expr(scope, value_kind, 1)
        if op == "=" and value_kind == SCALAR and self.chance(0.3):
            # two items assigned by unpacking, the second reading the first's old value
            first = f"{name}[0, 0]" if len(shape) == 2 else f"{name}[0]"
            self.emit(f"{name}{target}, {first} = {first}, {value}")
            return
        self.emit(f"{name}{target} {op} {value}")
        if self.chance(0.05):
            # the array into itself: NumPy reads it before it writes
            self.emit(f"{name}{self.pick(['[:]', '[...]', '[::1]'])} = {name}")

    def self_read(self, name, shape, kind):
        """A right-hand side that reads the array being written."""
        if kind == SCALAR:
            return f"np.sin({name}[0{', 0' if len(shape) == 2 else ''}]) * 2.0"
        if kind == (2,) and shape == (3,):
            return f"np.sin({name}[::2])"
        if kind == (2,) and shape == (2, 3):
            return f"{name} @ np.ones(3)"
        if kind == (3,) and shape == (2, 3):
            return f"np.cos({name}[1])"
        return f"np.sum({name}) * np.ones({kind})"

    def alias(self, scope, depth):
        """Two names for one array, then an in-place update through one of them."""
        arrays = scope.mutable(n for n, k in scope.vars.items() if is_array(k))
        if not arrays:
            return self.assign_new(scope, depth)
        source = self.pick(arrays)
        kind = scope.vars[source]
        name = scope.fresh("w")
        holders = [source]  # or the same array through what holds it
        if self.profile.containers:
            holders += [f"{{k: {source} for k in range(2)}}[1]", f"{{'a': {source}}}.get('a')",
                        f"[{{'a': {source}}}.get][0]('a')"]  # a bound method called as a value
        if self.profile.partials:
            holders.append(f"functools.partial(lambda a: a, {source})()")
        holder = self.pick(holders)
        if holder.startswith("functools"):
            self.imports.add("functools")
        self.emit(f"{name} = {holder}")
        scope.vars[name] = kind
        scope.owned.discard(source)
        updated = self.pick([name, source])
        self.emit(f"{updated} {self.pick(['+=', '*='])} {self.scalar(scope, 1)}")

    def branch(self, scope, depth):
        saved = scope.snapshot()
        self.emit(f"if {self.condition(scope)}:")
        self.nested(scope, depth)
        scope.restore(saved)
        if self.chance(0.4):
            self.emit(f"elif {self.condition(scope)}:")
            self.nested(scope, depth)
            scope.restore(saved)
        if self.chance(0.6):
            self.emit("else:")
            self.nested(scope, depth)
            scope.restore(saved)

    def nested(self, scope, depth, prelude=()):
        self.indent += 1
        for line in prelude:
            self.emit(line)
        start = len(self.lines)
        self.block(scope, self.rng.randint(1, 3), depth + 1)
        if len(self.lines) == start and not prelude:
            self.emit("pass")
        self.indent -= 1

    def for_loop(self, scope, depth):
        saved = scope.snapshot()
        var = scope.fresh("e")
        iterables = self.loop_iterables(scope, var)
        header, bound, iterable, *prelude = self.pick(iterables)
        self.emit(header)
        if prelude:  # `for k in d:` reads `e = d[k]` first
            self.indent += 1
            self.emit(prelude[0])
            self.indent -= 1
            bound = {var: SCALAR}
        scope.vars.update(bound)
        scope.enter_loop(saved)
        self.indent += 1
        if iterable and iterable not in scope.frozen and self.profile.rebinding and self.chance(0.3):
            # rebinding the sequence being iterated: Python keeps iterating the old object
            self.emit(f"{iterable} = {self.expr(scope, scope.vars[iterable], 1)}")
            scope.owned.discard(iterable)
        self.indent -= 1
        self.nested(scope, depth)
        scope.exit_loop()
        scope.restore(saved)

    def loop_iterables(self, scope, var):
        """(header, names it binds, the iterated name or None[, the body's first line]) for each applicable loop."""
        n = self.pick([2, 3])
        options = [(f"for {var} in range({n}):", {var: INT}, None)]
        for name, kind in scope.vars.items():
            if kind in ((3,), (2,)):
                options.append((f"for {var} in {name}:", {var: SCALAR}, name))
                options.append((f"for {var} in reversed({name}):", {var: SCALAR}, name))
                index = scope.fresh("i")
                options.append((f"for {index}, {var} in enumerate({name}):", {var: SCALAR, index: INT}, name))
                # iterators consumed at once (lists of tuples), and zip of one sequence
                options.append((f"for {index}, {var} in list(enumerate({name}, 1)):", {var: SCALAR, index: INT}, name))
                options.append((f"for ({var},) in zip({name}):", {var: SCALAR}, name))
            elif kind == (2, 3):
                options.append((f"for {var} in {name}:", {var: (3,)}, name))
            elif kind == LIST:
                options.append((f"for {var} in {name}:", {var: SCALAR}, None))
            elif kind == DICT:
                key = scope.fresh("k")
                options.append((f"for {key}, {var} in {name}.items():", {var: SCALAR}, None))
                options.append((f"for {key} in {name}:", {}, None, f"{var} = {name}[{key}]"))  # over the keys
                # its keys sorted, and its views
                keys = self.pick([f"sorted({name})", f"sorted({name}.keys())", f"{name}.keys()"])
                options.append((f"for {key} in {keys}:", {}, None, f"{var} = {name}[{key}]"))
                options.append((f"for {var} in {name}.values():", {var: SCALAR}, None))
                options.append((f"for {key}, {var} in sorted({name}.items()):", {var: SCALAR}, None))
        same = [(a, b) for a in scope.of_kind((3,)) for b in scope.of_kind((3,)) if a < b]
        if same:
            a, b = self.pick(same)
            other = scope.fresh("e")
            options.append((f"for {var}, {other} in zip({a}, {b}):", {var: SCALAR, other: SCALAR}, None))
            options.append((f"for {var}, {other} in tuple(zip({a}, {b})):", {var: SCALAR, other: SCALAR}, None))
            if self.profile.forwarding:
                options.append((f"for {var}, {other} in zip(*[{a}, {b}]):", {var: SCALAR, other: SCALAR}, None))
        for shape in scope.kinds_present(SHAPES):
            other = scope.fresh("e")
            row = SCALAR if len(shape) == 1 else shape[1:]
            computed = f"zip(np.sin({self.pick(scope.of_kind(shape))}), {self.array(scope, shape, 1)})"
            options.append((f"for {var}, {other} in {computed}:", {var: row, other: row}, None))
            if shape == (3,):  # the rows of an array made from an item of a vector the body may rebind
                rows = f"({self.pick(scope.of_kind(shape))}[0] * {self.array(scope, (2, 3), 1)})"
                options.append((f"for {var} in {rows}:", {var: (3,)}, None))
        return options

    def while_loop(self, scope, depth):
        saved = scope.snapshot()
        counter = scope.fresh("n")
        self.emit(f"{counter} = 0")
        self.emit(f"while {counter} < {self.pick([2, 3])}:")
        scope.vars[counter] = INT
        scope.enter_loop(saved)
        # incremented first, so that a `continue` cannot loop forever
        self.nested(scope, depth, prelude=[f"{counter} += 1"])
        scope.exit_loop()
        scope.restore(saved)

    def jump(self, scope, depth):
        kinds = ["return"] + (["break", "continue"] if scope.loop_depth else [])
        kind = self.pick(kinds)
        statement = f"return {self.output(scope, scope.out_kind)}" if kind == "return" else kind
        if self.chance(0.5):
            self.emit(f"if {self.condition(scope)}:")
            self.indent += 1
            self.emit(statement)
            self.indent -= 1
            return None
        self.emit(statement)
        return "jump"

    def nested_jump(self, scope, depth):
        """A break or continue two branches deep, with statements after each branch
        that the jump skips (lowered with a flag at each level)."""
        saved = scope.snapshot()
        self.emit(f"if {self.condition(scope)}:")
        self.indent += 1
        self.emit(f"if {self.condition(scope)}:")
        self.indent += 1
        self.emit(f"if {self.condition(scope)}:")
        self.indent += 1
        self.emit(self.pick(["break", "continue"]))
        self.indent -= 1
        self.block(scope, 1, depth + 2)
        self.indent -= 1
        scope.restore(saved)
        self.emit("else:")
        self.nested(scope, depth + 1)
        scope.restore(saved)
        self.block(scope, self.rng.randint(1, 2), depth + 1)
        self.indent -= 1
        scope.restore(saved)
        self.block(scope, 1, depth)

    def container(self, scope, depth):
        options = [self.make_list, self.make_dict, self.tuple_roundtrip]
        if scope.of_kind(LIST):
            options += [self.list_update, self.hold_list] * 2
        if scope.of_kind(DICT):
            options += [self.dict_update] * 2
        if scope.of_kind(LIST) or scope.of_kind(DICT):
            options.append(self.copy_container)
        self.pick(options)(scope)

    def copy_container(self, scope):
        """`c = L.copy()` or `d.copy()`: a list or dict of its own, updated apart from the original."""
        original = self.pick(scope.of_kind(LIST) + scope.of_kind(DICT))
        kind = scope.vars[original]
        name = scope.fresh("L" if kind == LIST else "d")
        self.emit(f"{name} = {original}.copy()")
        scope.vars[name] = kind

    def make_list(self, scope):
        name = scope.fresh("L")
        items = [self.scalar(scope, 1) for _ in range(self.rng.randint(1, 3))]
        self.emit(f"{name} = [{', '.join(items)}]")
        scope.vars[name] = LIST

    def list_update(self, scope):
        name = self.pick(scope.of_kind(LIST))
        options = [
            lambda: self.emit(f"{name}.append({self.scalar(scope, 1)})"),
            lambda: self.emit(f"{name}[0] = {self.scalar(scope, 1)}"),
            lambda: self.emit(f"{name}[-1] += {self.scalar(scope, 1)}"),
            lambda: self.list_pop(scope, name),
        ]
        if self.container_helpers:
            self.need("updating")
            options += [
                lambda: self.emit(f"push_item({name}, {self.scalar(scope, 1)})"),
                lambda: self.list_pop(scope, name, through_helpers=True),
            ]
        self.pick(options)()

    def hold_list(self, scope):
        """A display holding a list that may be appended to or popped later, read through
        the display (the backward sweep reads the display, and undoes the updates)."""
        name = self.pick(scope.of_kind(LIST))
        holder, value = scope.fresh("hold"), scope.fresh("v")
        other = self.scalar(scope, 1)
        display, path = self.pick([(f"({name}, {other})", "[0]"), (f"[{other}, {name}]", "[1]"), (f"{{'a': {name}}}", "['a']")])
        self.emit(f"{holder} = {display}")
        self.emit(f"{value} = {holder}{path}[-1] * {self.scalar(scope, 1)}")
        scope.vars[value] = SCALAR
        if self.chance(0.5):  # the list updated while the display holds it
            self.emit(f"{name}.append({self.scalar(scope, 1)})")

    def list_pop(self, scope, name, through_helpers=False):
        """Append, then pop (so that the list never becomes empty)."""
        value = self.scalar(scope, 1)
        self.emit(f"push_item({name}, {value})" if through_helpers else f"{name}.append({value})")
        popped = scope.fresh("v")
        self.emit(f"{popped} = pop_item({name})" if through_helpers else f"{popped} = {name}.pop()")
        scope.vars[popped] = SCALAR

    def make_dict(self, scope):
        name = scope.fresh("d")
        a, b = self.scalar(scope, 1), self.scalar(scope, 1)
        options = [f"{name} = {{'a': {a}, 'b': {b}}}", f"{name} = dict(a={a}, b={b})",
                   f"{name} = dict([('a', {a}), ('b', {b})])", f"{name} = dict({{'a': {a}, 'b': 0.5}}, b={b})",
                   f"{name} = dict(zip(('a', 'b'), [{a}, {b}]))"]  # an iterator consumed at once
        if self.container_helpers:  # a dict whose type only the call shows
            self.need("updating")
            options.append(f"{name} = make_entries({a}, {b})")
        self.emit(self.pick(options))
        scope.vars[name] = DICT

    def dict_update(self, scope):
        name = self.pick(scope.of_kind(DICT))
        if self.container_helpers and self.chance(0.3):
            self.need("updating")
            self.emit(f"set_entry({name}, {self.pick(DICT_KEYS)!r}, {self.scalar(scope, 1)})")
            return
        self.emit(f"{name}[{self.pick(DICT_KEYS)!r}] {self.pick(['=', '+='])} {self.scalar(scope, 1)}")

    def tuple_roundtrip(self, scope):
        """Build a tuple of two values and take it apart again."""
        kinds = [self.pick(self.kinds()), self.pick(self.kinds())]
        t = scope.fresh("t")
        self.emit(f"{t} = ({self.expr(scope, kinds[0], 1)}, {self.expr(scope, kinds[1], 1)})")
        names = [scope.fresh("v"), scope.fresh("v")]
        if self.chance(0.5):
            self.emit(f"{names[0]}, {names[1]} = {t}")
        else:
            self.emit(f"{names[0]} = {t}[0]")
            self.emit(f"{names[1]} = {t}[1]")
        for name, kind in zip(names, kinds):
            scope.vars[name] = kind  # not owned: the tuple shares it

    def helper_calls(self, scope, depth):
        """Call a helper twice, the second time on the first result where the kinds allow."""
        helper = self.pick(scope.helpers)
        result = helper.result
        first = scope.fresh("u")
        self.emit(f"{first} = {self.call(scope, helper, 1)}")
        if result is None:  # a helper mutating its (array) parameter in place
            return
        scope.vars[first] = result
        second = scope.fresh("u")
        self.emit(f"{second} = {self.call(scope, helper, 1)}")
        scope.vars[second] = result
        if is_array(result):
            scope.owned.update([first, second])

    def closure(self, scope, depth):
        kind = self.pick(self.kinds())
        name = scope.fresh("g")
        param = scope.fresh("p")
        inner = Scope(kind, self.names, scope.helpers)
        inner.vars = {n: k for n, k in scope.vars.items() if k in [SCALAR, *SHAPES]}
        inner.vars[param] = kind
        default = self.default_reading_a_local(scope, inner)
        self.emit(f"def {name}({param}{default[0] if default else ''}):")
        self.indent += 1
        self.emit(f"return {self.expr(inner, kind, 2)}")
        self.indent -= 1
        captured = scope.mutable(scope.of_kind(SCALAR))
        if captured and self.profile.rebinding and self.chance(0.3):
            late = self.pick(captured)  # rebound after the def: the call sees the new value (a default, the old one)
            self.emit(f"{late} = {late} * 0.5 + 0.1")
        self.emit_calls(scope, name, kind, default)

    def lambda_(self, scope, depth):
        kind = self.pick(self.kinds())
        name = scope.fresh("lam")
        param = scope.fresh("p")
        inner = Scope(kind, self.names, scope.helpers)
        inner.vars = {n: k for n, k in scope.vars.items() if k in [SCALAR, *SHAPES]}
        inner.vars[param] = kind
        default = self.default_reading_a_local(scope, inner)
        self.emit(f"{name} = lambda {param}{default[0] if default else ''}: {self.expr(inner, kind, 1)}")
        self.emit_calls(scope, name, kind, default)

    def default_reading_a_local(self, scope, inner):
        """Sometimes a parameter whose default reads a local (`k=k`, evaluated where the
        function is defined): (its text in the signature, its name, its kind), else None."""
        sources = [n for n, k in scope.vars.items() if k in [SCALAR, *SHAPES]]
        if not sources or not self.chance(0.3):
            return None
        source = self.pick(sources)
        parameter = scope.fresh("q")
        inner.vars[parameter] = scope.vars[source]
        return f", {parameter}={source}", parameter, scope.vars[source]

    def emit_calls(self, scope, function, kind, default=None):
        """Two calls of `function`; with a `default`, the second may pass it, by keyword or not."""
        result = scope.fresh("c")
        second = self.expr(scope, kind, 1)
        if default and self.chance(0.5):
            _, parameter, default_kind = default
            given = self.expr(scope, default_kind, 1)
            second += f", {parameter}={given}" if self.chance(0.5) else f", {given}"
        self.emit(f"{result} = {function}({self.expr(scope, kind, 1)}) + {function}({second})")
        scope.vars[result] = kind
        if is_array(kind):
            scope.owned.add(result)

    def comprehension(self, scope, depth):
        var = scope.fresh("e")
        arrays = scope.of_kind((3,)) + scope.of_kind((2,))
        source = self.pick(arrays) if arrays else "range(3)"
        inner_scope_vars = {var: SCALAR if arrays else INT}
        saved = scope.snapshot()
        scope.vars.update(inner_scope_vars)
        element = self.scalar(scope, 1)
        if not arrays:
            element = f"({element} + float({var}))"
        scope.restore(saved)
        name = scope.fresh("v")
        form = self.pick(["list", "array", "dict", "sum"])
        if form == "list":
            self.emit(f"{name} = [{element} for {var} in {source}]")
            scope.vars[name] = LIST
        elif form == "array" and self.profile.arrays:
            length = 2 if source in scope.of_kind((2,)) else 3
            self.emit(f"{name} = np.array([{element} for {var} in {source}])")
            scope.vars[name] = (length,)
            scope.owned.add(name)
        elif form == "dict" and scope.of_kind(DICT):
            key, value = scope.fresh("k"), scope.fresh("q")
            self.emit(f"{name} = {{{key}: {value} * 2.0 for {key}, {value} in {self.pick(scope.of_kind(DICT))}.items()}}")
            scope.vars[name] = DICT
        else:
            self.emit(f"{name} = sum({element} for {var} in {source})")
            scope.vars[name] = SCALAR

    # ------------------------------------------------------------------ functions

    def helper(self, helpers):
        """A module-level helper: ordinary, mutating its parameter, or recursive."""
        kinds = self.kinds()
        if self.profile.aliasing and self.profile.arrays and self.chance(0.2):
            return self.mutating_helper(helpers)
        if self.chance(0.25):
            return self.recursive_helper(helpers)
        params = [self.pick(kinds) for _ in range(self.rng.randint(1, 2))]
        result = self.pick(kinds)
        name = f"h{len(helpers)}"
        scope = Scope(result, self.names, list(helpers))
        names = [f"a{i}" for i in range(len(params))]
        scope.vars = dict(zip(names, params))
        scope.owned = set()  # the caller's arrays: updating them in place is aliasing
        default = len(params) == 2 and params[1] == SCALAR and self.chance(0.4)
        signature = ", ".join(names) + ("=0.5" if default else "")
        weights = self.profile.defaults and self.chance(0.15)  # a tuple default no call passes
        if weights:
            signature += f", w=({self.literal()}, {self.literal()})"
        if self.profile.forwarding and self.chance(0.3):
            self.need("logged")
            self.emit("@logged")
        self.emit(f"def {name}({signature}):")
        self.indent += 1
        if weights:
            product = scope.fresh("t")
            self.emit(f"{product} = w[0] * w[1]")
            scope.vars[product] = SCALAR
        self.block(scope, self.rng.randint(1, 3), 1)
        self.emit(f"return {self.output(scope, result)}")
        self.indent -= 1
        self.emit("")
        return Helper(name, params, result, default=default)

    def mutating_helper(self, helpers):
        shape = self.pick(SHAPES)
        name = f"h{len(helpers)}"
        self.emit(f"def {name}(a0, a1):")
        self.indent += 1
        # the caller sees each update (a name it passes is bound back), or the call is refused
        body = self.pick([
            "a0 *= a1", "a0 += np.sin(a0) * a1", "a0[0] = a1 * np.sum(a0)", "a0[1:] = a0[:-1] * a1",
            "w0 = a0\nw0 *= a1", "a0 *= a1\nreturn a0", "a0[0] = a1\nreturn a0[1:]",
        ])
        for line in body.split("\n"):
            self.emit(line)
        self.indent -= 1
        self.emit("")
        return Helper(name, [shape, SCALAR], None)

    def recursive_helper(self, helpers):
        kind = self.pick(self.kinds())
        name = f"h{len(helpers)}"
        scope = Scope(kind, self.names, list(helpers))
        scope.vars = {"a0": kind}
        self.emit(f"def {name}(a0, depth):")
        self.indent += 1
        self.emit("if depth <= 0:")
        self.indent += 1
        self.emit("return a0")
        self.indent -= 1
        self.emit(f"return {name}(np.tanh({self.expr(scope, kind, 1)}) * 0.9, depth - 1)")
        self.indent -= 1
        self.emit("")
        return Helper(name, [kind], kind, [("depth", self.pick(["1", "2", "3"]))])

    def program(self):
        self.has_constant = self.profile.closures and self.chance(0.3)
        # helpers updating the list or dict they are passed, which the caller reads after
        self.container_helpers = self.profile.helpers and self.profile.containers and self.chance(0.4)
        helpers = []
        if self.profile.helpers:
            for _ in range(self.rng.randint(0, 2)):
                helpers.append(self.helper(helpers))
                if self.profile.forwarding and self.chance(0.3):
                    helpers.append(self.forwarding_helper(helpers[-1]))
        kinds = [self.pick(self.kinds()) for _ in range(self.rng.randint(1, 3))]
        out_kind = SCALAR
        if self.profile.outputs and self.chance(0.25):
            out_kind = self.pick([[SCALAR, self.pick(self.kinds())], self.pick(SHAPES) if self.profile.arrays else SCALAR,
                                  ONE])
        scope = Scope(out_kind, self.names, helpers)
        params = [f"x{i}" for i in range(len(kinds))]
        scope.vars = dict(zip(params, kinds))
        scope.owned = {p for p, k in scope.vars.items() if is_array(k)}  # s2s copies an updated argument
        if self.profile.defaults and self.chance(0.2):
            params.append(f"s={self.literal()}")  # never passed: f's jvp and hvp must not take it for a tangent
            scope.vars["s"] = SCALAR
        entry = self.pick(["method", "classmethod"]) if self.profile.methods and self.chance(0.2) else "function"
        if entry == "function" and self.profile.closures and self.chance(0.15):
            entry = "factory"
        self.entry_header(entry, params, scope)
        self.block(scope, self.rng.randint(2, 7), 0)
        output = self.output(scope, out_kind)
        if entry == "factory" and out_kind == SCALAR:
            output = f"c * ({output})"  # f's derivatives tell its number from f_first's
        self.emit(f"return {output}")
        self.indent = 0
        if entry == "factory":
            # the same code with another number first (the runner differentiates f_first
            # before f): a cache keyed by code must still give f its own derivative
            self.emit("    return f")
            self.emit("")
            self.emit("")
            self.emit(f"f_first = make_f({self.literal()})")
            self.emit(f"f = make_f({self.literal()})")
        elif entry != "function":
            self.emit("")
            self.emit("")
            self.emit("f = Model(0.5).loss" if entry == "method" else "f = Model.loss")
        return Program(self.module_text(), kinds, self.rng.randrange(len(kinds)), out_kind)

    def entry_header(self, entry, params, scope):
        """`def f(...)`, a closure `f` that `make_f(c)` makes, or a method `loss` of a class
        Model that `f` will name."""
        if entry == "function":
            self.emit(f"def f({', '.join(params)}):")
            self.indent += 1
            return
        if entry == "factory":
            self.emit("def make_f(c):")
            self.emit(f"    def f({', '.join(params)}):")
            self.indent += 2
            scope.vars["c"] = SCALAR
            return
        self.emit("class Model:")
        self.indent += 1
        self.emit("def __init__(self, scale):")
        self.emit("    self.scale = scale")
        self.emit("")
        if entry == "classmethod":
            self.emit("@classmethod")
            self.emit(f"def loss(cls, {', '.join(params)}):")
            self.indent += 1
            return
        self.emit(f"def loss(self, {', '.join(params)}):")
        self.indent += 1
        name = scope.fresh("v")
        self.emit(f"{name} = self.scale")
        scope.vars[name] = SCALAR

    def module_text(self):
        """Imports, the constant, the library definitions used, the helpers, then f."""
        lines = ["import math"] + [f"import {name}" for name in sorted(self.imports)] + ["", "import numpy as np", ""]
        if self.has_constant:
            lines.append("K = 0.75")
        lines += [text for text in self.library.values()] + ["", *self.lines]
        return "\n".join(lines) + "\n"


def generate(seed, index, profile=Profile(), attempt=0):
    """The program numbered `index` of the run with `seed` (retry `attempt` if rejected)."""
    rng = random.Random(f"{seed}:{index}:{attempt}")
    return Writer(rng, profile).program()
