"""The construct families of Python's callables and objects, mixed into generator.Writer.

Functions as values (returned by calls, in lists and dicts, passed to helpers, as
defaults, aliased two scopes up), `functools.partial` and `map`, generator expressions
and generator functions, `*args`/`**kwargs` forwarding and `functools.wraps`
decorators, methods and callable instances of global objects, bound methods and
classmethods as the differentiated function, registered containers and dataclasses,
and `s2s.grad` of a nested function.

A function value here maps a value of any kind (a float or an array) to one of the
same kind, so that it can be called on whatever expression the program has at hand.
The names such functions read are bound once and never updated afterwards (they are
`frozen`): Python reads them when the function is called, which s2s refuses to
emulate for a name bound twice (a limitation the README lists).
"""
import contextlib
import dataclasses

ELEMENTWISE = ["np.sin({})", "np.tanh({})", "np.cos({})", "np.arctan({})", "np.exp(np.sin({}))",
               "np.log(1.0 + {0} * {0})", "np.sqrt(1.0 + {0} * {0})"]
NUMPY_FUNCTIONS = ["np.sin", "np.tanh", "np.cos", "np.arctan"]


@dataclasses.dataclass(frozen=True)
class Record:
    """The kind of an object with fields: a registered `Pair` or a dataclass `Layer`."""

    cls: str
    fields: tuple  # ((field name, kind), ...)


LIBRARY = {
    "updating": '''
def push_item(stack, value):
    stack.append(value)


def pop_item(stack):
    return stack.pop()


def set_entry(d, key, value):
    d[key] = value


def make_entries(a, b):
    return {'a': a, 'b': b}
''',
    "apply": '''
def apply(fn, v):
    return fn(v)


def apply_twice(fn, v):
    return fn(fn(v))


def forwarded(fn):
    return lambda *args, **kwargs: fn(args[0], *args[1:], **kwargs)
''',
    "factory": '''
def make_act(kind):
    if kind == "soft":
        return lambda t: np.log(1.0 + np.exp(t))
    if kind == "scaled":
        def scaled_tanh(t):
            return np.tanh(t) * 1.5
        return scaled_tanh
    return np.sin


def make_scaler(s):
    return lambda t: t * s + np.sin(t)
''',
    "act_or": '''
def act_or(a0, act=np.tanh):
    return act(a0) * 0.5 + a0
''',
    "scaled": '''
def scaled(s, v):
    return s * np.sin(v) + v


def scaled_by(v, gain=1.0):
    return gain * np.sin(v) + v
''',
    "note": '''
def note(v, flag):
    """Returns nothing: None from a bare `return`, or from the end of its body."""
    if flag:
        return
''',
    "logged": '''
def logged(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)
    return wrapper
''',
    "scaler": '''
class Scaler:
    def __init__(self, k):
        self.k = k

    def apply(self, t):
        return np.sin(t) * self.k + t

    def __call__(self, t):
        return np.tanh(t) * self.k


SCALER = Scaler(0.7)
''',
    "primitive": '''
class Softplus:
    """A primitive __call__, differentiated by the rules registered for it."""

    @s2s.primitive
    def __call__(self, t):
        return np.log1p(np.exp(t))


@s2s.adjoint(Softplus.__call__)
def _softplus_adjoint(result, self, t):
    d[t] = d[result] / (1.0 + np.exp(-t))


@s2s.tangent(Softplus.__call__)
def _softplus_tangent(result, self, t):
    d[result] = d[t] / (1.0 + np.exp(-t))


SOFTPLUS = Softplus()
''',
    "pair": '''
class Pair:
    def __init__(self, first, second):
        self.first, self.second = first, second


s2s.register_container(Pair, lambda p: ([p.first, p.second], None), lambda aux, children: Pair(*children))


def pair_norm(p):
    return np.sum(p.first * p.first) + np.sum(np.sin(p.second))
''',
    "layer": '''
@dataclasses.dataclass
class Layer:
    W: object
    b: object


def layer_out(layer):
    return np.sum(np.tanh(layer.W * 0.5 + layer.b))
''',
}
IMPORTS = {"logged": "functools", "pair": "s2s", "layer": "dataclasses", "primitive": "s2s"}


class CallableFamilies:
    """Writer methods of the callable and object families (see the module docstring)."""

    # ------------------------------------------------------------------ module-level definitions

    def need(self, key):
        """Define the library function `key` at module level (once)."""
        if key not in self.library:
            self.library[key] = LIBRARY[key]
            if key in IMPORTS:
                self.imports.add(IMPORTS[key])

    @contextlib.contextmanager
    def module_level(self, key):
        """Lines emitted inside go to the module, before the helpers, as `key`."""
        lines, indent = self.lines, self.indent
        self.lines, self.indent = [], 0
        try:
            yield
        finally:
            self.library[key] = "\n" + "\n".join(self.lines) + "\n"
            self.lines, self.indent = lines, indent

    def module_act(self):
        """A module-level elementwise function act<N>, new or already defined."""
        existing = [key for key in self.library if key.startswith("act")]
        if existing and self.chance(0.6):
            return self.pick(existing)
        name = f"act{len(existing)}"
        with self.module_level(name):
            self.emit(f"def {name}(t):")
            self.emit(f"    return {self.elementwise('t', [])}")
        return name

    def elementwise(self, var, captured, depth=2):
        """An expression of `var` of var's kind, whatever it is: NumPy functions of it and
        arithmetic with scalars (`captured` names and literals)."""
        if depth <= 0 or self.chance(0.2):
            return var
        inner = self.elementwise(var, captured, depth - 1)
        scalar = self.pick([self.literal(), *captured]) if captured else self.literal()
        return self.pick([
            lambda: self.pick(ELEMENTWISE).format(inner),
            lambda: f"({inner} * {scalar})",
            lambda: f"({inner} + {scalar})",
            lambda: f"({inner} * {self.elementwise(var, captured, depth - 1)})",
        ])()

    def freeze(self, scope, kind=None, prefix="k"):
        """A new name bound once to a value of `kind` and never updated: safe for functions to read."""
        kind = kind or "f"
        name = scope.fresh(prefix)
        self.emit(f"{name} = {self.expr(scope, kind, 1)}")
        scope.vars[name] = kind
        scope.frozen.add(name)
        return name

    # ------------------------------------------------------------------ function values

    def function_value(self, scope):
        """The text of a function value that maps any kind to the same kind; it reads
        only frozen names and values computed where it is written."""
        p = self.profile
        frozen = sorted(n for n in scope.frozen if scope.vars.get(n) == "f")
        options = [lambda: self.pick(NUMPY_FUNCTIONS), self.module_act, lambda: self.lambda_value(scope, frozen)]
        if p.function_values:
            self.need("factory")
            options += [lambda: f'make_act({self.pick(["soft", "scaled", "sine"])!r})',
                        lambda: f"make_scaler({self.scalar(scope, 1)})"]
        if p.partials:
            self.need("scaled")
            options += [lambda: f"functools.partial(scaled, {self.scalar(scope, 1)})",
                        lambda: f"functools.partial(scaled_by, gain={self.scalar(scope, 1)})"]
            self.imports.add("functools")
        if p.methods:
            self.need("scaler")
            options += [lambda: "SCALER", lambda: "SCALER.apply"]
        return self.pick(options)()

    def lambda_value(self, scope, frozen):
        """A lambda reading frozen names, or binding a value by its default where it is written."""
        param = scope.fresh("p")
        if self.chance(0.4):
            bound = scope.fresh("b")
            return f"(lambda {param}, {bound}={self.scalar(scope, 1)}: {self.elementwise(param, [bound])})"
        return f"(lambda {param}: {self.elementwise(param, frozen)})"

    def fv_kind(self):
        return self.pick(self.kinds())

    def bind_result(self, scope, kind, value):
        name = scope.fresh("c")
        self.emit(f"{name} = {value}")
        scope.vars[name] = kind
        if isinstance(kind, tuple):
            scope.owned.add(name)

    def function_values(self, scope, depth):
        """A function value bound to a name, passed to a helper, in a list or dict, as a
        default, or aliased two scopes up; then called."""
        if self.chance(0.3):
            self.freeze(scope)  # something for the lambdas to read
        kind = self.fv_kind()
        self.pick([self.fv_named, self.fv_applied, self.fv_list, self.fv_dict, self.fv_default, self.fv_alias])(
            scope, kind)

    def fv_named(self, scope, kind):
        name = scope.fresh("g")
        self.emit(f"{name} = {self.function_value(scope)}")
        scope.frozen.add(name)
        self.bind_result(scope, kind, f"{name}({self.expr(scope, kind, 1)}) + {name}({self.expr(scope, kind, 1)})")

    def fv_applied(self, scope, kind):
        self.need("apply")
        if self.chance(0.25):  # a wrapper that forwards *args to the function value
            self.bind_result(scope, kind, f"forwarded({self.function_value(scope)})({self.expr(scope, kind, 1)})")
            return
        if self.profile.partials and self.chance(0.15):  # a call passing a keyword the partial binds
            self.need("scaled")
            self.imports.add("functools")
            partial = f"functools.partial(scaled_by, gain={self.scalar(scope, 1)})"
            self.bind_result(scope, kind, f"forwarded({partial})({self.expr(scope, kind, 1)}, gain={self.scalar(scope, 1)})")
            return
        helper = self.pick(["apply", "apply_twice"])
        self.bind_result(scope, kind, f"{helper}({self.function_value(scope)}, {self.expr(scope, kind, 1)})")

    def fv_list(self, scope, kind):
        acc, op = scope.fresh("c"), scope.fresh("op")
        self.emit(f"{acc} = {self.expr(scope, kind, 1)}")
        functions = ", ".join(self.function_value(scope) for _ in range(self.rng.randint(2, 3)))
        self.emit(f"for {op} in [{functions}]:")
        self.emit(f"    {acc} = {acc} + {op}({self.expr(scope, kind, 1)})")
        scope.vars[acc] = kind

    def fv_dict(self, scope, kind):
        table, key = scope.fresh("fns"), scope.fresh("k")
        self.emit(f"{table} = {{'a': {self.function_value(scope)}, 'b': {self.function_value(scope)}}}")
        scope.frozen.add(table)
        if self.chance(0.5):
            acc = scope.fresh("c")
            self.emit(f"{acc} = {self.expr(scope, kind, 1)}")
            self.emit(f"for {key} in {table}:")
            self.emit(f"    {acc} = {acc} + {table}[{key}]({self.expr(scope, kind, 1)})")
            scope.vars[acc] = kind
        else:
            self.bind_result(scope, kind, f"{table}['a']({self.expr(scope, kind, 1)}) * {table}['b']({self.expr(scope, kind, 1)})")

    def fv_default(self, scope, kind):
        """A helper whose function-valued parameter has a default, with or without it."""
        self.need("act_or")
        argument = self.expr(scope, kind, 1)
        call = self.pick([f"act_or({argument})", f"act_or({argument}, {self.function_value(scope)})",
                          f"act_or({argument}, act={self.function_value(scope)})"])
        self.bind_result(scope, kind, call)

    def fv_alias(self, scope, kind):
        """An alias of a function read by a function nested two levels down."""
        alias = scope.fresh("alias")
        self.emit(f"{alias} = {self.pick([self.module_act(), *NUMPY_FUNCTIONS])}")
        scope.frozen.add(alias)
        middle, inner, p, q = scope.fresh("mid"), scope.fresh("inner"), scope.fresh("p"), scope.fresh("p")
        self.emit(f"def {middle}({p}):")
        self.emit(f"    def {inner}({q}):")
        self.emit(f"        return {alias}({q}) * 0.5 + {q}")
        self.emit(f"    return {inner}({p}) + {p}")
        self.bind_result(scope, kind, f"{middle}({self.expr(scope, kind, 1)})")

    # ------------------------------------------------------------------ partial and map

    def partials(self, scope, depth):
        kind = self.fv_kind()
        self.need("scaled")
        self.imports.add("functools")
        self.pick([
            lambda: self.bind_result(scope, kind, f"functools.partial(scaled, {self.scalar(scope, 1)})({self.expr(scope, kind, 1)})"),
            lambda: self.bind_result(scope, kind, f"sum(map({self.function_value(scope)}, [{self.expr(scope, kind, 1)}, {self.expr(scope, kind, 1)}]))"),
            lambda: self.map_loop(scope, kind),
            lambda: self.map_over(scope),
            lambda: self.noted(scope, kind),
        ])()

    def noted(self, scope, kind):
        """A call of a function that returns None, its result returned on a path never taken."""
        self.need("note")
        value, flag = self.expr(scope, kind, 1), f"{self.scalar(scope, 1)} > 0.0"
        result = scope.fresh("r")
        self.emit(f"{result} = {self.pick([f'note({value}, {flag})', f'functools.partial(note, {value})({flag})'])}")
        if not scope.loop_depth:
            self.emit(f"if {result} is not None:")
            self.emit(f"    return {result}")

    def map_loop(self, scope, kind):
        acc, item = scope.fresh("c"), scope.fresh("e")
        self.emit(f"{acc} = {self.expr(scope, kind, 1)}")
        self.emit(f"for {item} in map({self.function_value(scope)}, [{self.expr(scope, kind, 1)}, {self.expr(scope, kind, 1)}]):")
        self.emit(f"    {acc} = {acc} * 0.5 + {item}")
        scope.vars[acc] = kind

    def map_over(self, scope):
        """map over a list of floats (a list) or over a 1-D array's elements (summed)."""
        lists = scope.of_kind("L")
        vectors = scope.of_kind((3,)) + scope.of_kind((2,))
        if lists and self.chance(0.5):
            self.bind_result(scope, "L", f"list(map({self.function_value(scope)}, {self.pick(lists)}))")
        elif vectors:
            self.bind_result(scope, "f", f"sum(map({self.function_value(scope)}, {self.pick(vectors)}))")
        else:
            self.bind_result(scope, "f", f"sum(map({self.function_value(scope)}, [{self.scalar(scope, 1)}, {self.scalar(scope, 1)}]))")

    # ------------------------------------------------------------------ generators

    def generators(self, scope, depth):
        self.pick([self.generator_expression, self.generator_function])(scope)

    def generator_expression(self, scope):
        """A generator expression consumed by list(), tuple(), np.stack or np.array."""
        item = scope.fresh("e")
        vectors = scope.of_kind((3,)) + scope.of_kind((2,))
        matrices = scope.of_kind((2, 3))
        saved = scope.snapshot()
        if matrices and self.chance(0.4):
            source = self.pick(matrices)
            scope.vars[item] = (3,)
            row = self.array(scope, (3,), 1)
            scope.restore(saved)
            consumer = self.pick(["np.stack(list({}))", "np.array(list({}))", "np.stack(tuple({}))"])
            self.bind_result(scope, (2, 3), consumer.format(f"{row} for {item} in {source}"))
            return
        source = self.pick(vectors) if vectors else f"range({self.pick([2, 3])})"
        scope.vars[item] = "f" if vectors else "i"
        element = self.scalar(scope, 1) if vectors else f"({self.scalar(scope, 1)} + float({item}))"
        scope.restore(saved)
        length = 2 if source in scope.of_kind((2,)) or source == "range(2)" else 3
        generator = f"{element} for {item} in {source}"
        form = self.pick(["list", "tuple", "array"])
        if form == "list":
            self.bind_result(scope, "L", f"list({generator})")
        elif form == "tuple":
            name = scope.fresh("t")
            self.emit(f"{name} = tuple({generator})")
            self.bind_result(scope, "f", f"{name}[0] * {name}[-1]")
        else:
            self.bind_result(scope, (length,), f"np.array(list({generator}))")

    def generator_function(self, scope):
        """A module-level generator function, iterated by a for loop or consumed by sum()."""
        kind = self.fv_kind()
        count = len([key for key in self.library if key.startswith("gen")])
        name = f"gen{count}"
        inner = type(scope)(kind, self.names, [])
        inner.vars = {"a0": kind, "a1": "f"}
        with self.module_level(name):
            self.emit(f"def {name}(a0, a1):")
            self.indent += 1
            self.emit(f"yield {self.expr(inner, kind, 1)}")
            last = self.pick([
                lambda: [f"yield from [{self.expr(inner, kind, 1)}, a0 * a1]"],
                lambda: ["for i in range(2):", "    yield a0 * (a1 + i)"],
                lambda: [f"yield {self.expr(inner, kind, 1)}"],
            ])()
            for line in last:
                self.emit(line)
            self.indent -= 1
        call = f"{name}({self.expr(scope, kind, 1)}, {self.scalar(scope, 1)})"
        if self.chance(0.5):
            self.bind_result(scope, kind, f"sum({call})")
        else:
            acc, item = scope.fresh("c"), scope.fresh("e")
            self.emit(f"{acc} = {self.expr(scope, kind, 1)}")
            self.emit(f"for {item} in {call}:")
            self.emit(f"    {acc} = {acc} + np.tanh({item})")
            scope.vars[acc] = kind

    # ------------------------------------------------------------------ forwarding

    def forwarding_helper(self, helper):
        """A module-level function forwarding *args and **kwargs to `helper`."""
        name = f"fwd_{helper.name}"
        self.emit(f"def {name}(*args, **kwargs):")
        self.emit(f"    return {helper.name}(*args, **kwargs)")
        self.emit("")
        return dataclasses.replace(helper, name=name)

    def starred(self, args, keywords):
        """Arguments (name, text) passed through *-unpacking (and **-unpacking of the rest)."""
        split = self.rng.randint(0, len(args))
        head, tail = args[:split], args[split:]
        parts = [f"*({', '.join(v for _, v in head)},)"] if head else []
        if tail and keywords:
            parts.append("**{" + ", ".join(f"{k!r}: {v}" for k, v in tail) + "}")
        else:
            parts += [v for _, v in tail]
        return ", ".join(parts)

    # ------------------------------------------------------------------ methods and objects

    def methods(self, scope, depth):
        """A method and the __call__ of a global object, called directly; or a primitive
        __call__ with rules of its own."""
        kind = self.fv_kind()
        if self.chance(0.3):
            self.need("primitive")
            self.bind_result(scope, kind, f"SOFTPLUS({self.expr(scope, kind, 1)})")
            return
        self.need("scaler")
        self.bind_result(scope, kind, self.pick([
            f"SCALER.apply({self.expr(scope, kind, 1)}) + SCALER({self.expr(scope, kind, 1)})",
            f"SCALER({self.expr(scope, kind, 1)}) * SCALER.k",
        ]))

    def records(self, scope, depth):
        """A registered container or a dataclass built, read field by field, passed to a helper."""
        if self.chance(0.5):
            self.need("pair")
            kinds = (self.fv_kind(), self.fv_kind())
            kind = Record("Pair", (("first", kinds[0]), ("second", kinds[1])))
            helper = "pair_norm"
        else:
            self.need("layer")
            w = self.fv_kind()
            kind = Record("Layer", (("W", w), ("b", self.pick(["f", w]))))
            helper = "layer_out"
        name = scope.fresh("r")
        values = ", ".join(self.expr(scope, k, 1) for _, k in kind.fields)
        self.emit(f"{name} = {kind.cls}({values})")
        scope.vars[name] = kind
        if self.chance(0.5):
            self.bind_result(scope, "f", f"{helper}({name})")

    def record_fields(self, scope, kind):
        """`r.field` expressions of `kind` from the records in scope."""
        return [f"{name}.{field}" for name, record in scope.vars.items() if isinstance(record, Record)
                for field, k in record.fields if k == kind]

    # ------------------------------------------------------------------ derivatives inside

    def nested_grad(self, scope, depth):
        """A nested function's s2s.grad called inside (a leapfrog step of Hamiltonian Monte Carlo)."""
        self.imports.add("s2s")
        kind = self.fv_kind()
        data = self.freeze(scope, self.pick([kind, "f"]))
        potential, z, gradient = scope.fresh("pot"), scope.fresh("z"), scope.fresh("dU")
        inner = type(scope)("f", self.names, scope.helpers)
        inner.vars = {z: kind, data: scope.vars[data]}
        self.emit(f"def {potential}({z}):")
        if isinstance(kind, tuple) and self.chance(0.4):  # slice bounds computed from the argument (the gallery's BNN)
            self.emit(f"    half = {z}.shape[0] // 2 + 1")
            self.emit(f"    return 0.5 * np.sum(({z}[:half] - {data}) ** 2) + np.sum({z}[half:] ** 2) + {self.scalar(inner, 2)}")
        else:
            self.emit(f"    return 0.5 * np.sum(({z} - {data}) ** 2) + {self.scalar(inner, 2)}")
        self.emit(f"{gradient} = s2s.grad({potential})")
        scope.frozen.update([potential, gradient])
        q = scope.fresh("q")
        self.emit(f"{q} = {self.expr(scope, kind, 1)}")
        self.emit(f"{q} = {q} - 0.05 * {gradient}({q})")
        if self.chance(0.5):
            self.emit(f"{q} = {q} - 0.05 * {gradient}({self.expr(scope, kind, 1)})")
        if self.chance(0.4):  # the transform called inline, as the gallery's HMC step does
            self.emit(f"{q} = {q} - 0.05 * s2s.grad({potential})({q})")
        if self.chance(0.3):  # an equilibrium of a nested contraction reading a local: the implicit function theorem
            step, a, x = scope.fresh("step"), scope.fresh("a"), scope.fresh("z")
            self.emit(f"def {step}({a}, {x}):")
            self.emit(f"    return 0.5 * np.tanh({x}) + 0.3 * {a} + 0.1 * np.sum({data})")
            scope.frozen.add(step)
            self.emit(f"{q} = s2s.fixed_point({step}, {q}, {q} * 0.0, tol=1e-12, max_iter=200)")
        if self.chance(0.25):  # an ODE solved by odeint, differentiated by the adjoint method
            self.imports.add("scipy.integrate")
            rhs, y, t, rate = scope.fresh("rhs"), scope.fresh("y"), scope.fresh("t"), scope.fresh("r")
            self.emit(f"def {rhs}({y}, {t}, {rate}):")
            self.emit(f"    return -{rate} * {y} + 0.1 * np.sin({t}) * np.tanh({y})")  # nonlinear: second order
            scope.frozen.add(rhs)
            path = scope.fresh("path")
            times = "np.linspace(0.0, 1.0, 4)"
            if self.chance(0.5):  # times that move with the input: the rows move at their slopes
                times = f"np.linspace(0.05 * np.tanh(np.sum({q})), 1.0 + 0.1 * np.sin(np.sum({q})), 4)"
            self.emit(f"{path} = scipy.integrate.odeint({rhs}, np.ravel({q}), {times}, "
                      f"args=(0.5 + 0.1 * np.tanh(np.sum({q})),), rtol=1e-10, atol=1e-10)")
            self.emit(f"{q} = {q} + 0.1 * np.reshape({path}[-1], np.shape({q}))")
        scope.vars[q] = kind
