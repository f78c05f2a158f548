"""The pipeline: from Python functions to one generated module of derivative code.

    frontend -> checks -> desugar -> spellings -> jumps -> anf -> resolve   (once per function)
    -> activity -> loops -> reverse -> accumulate -> records      (per specialization)
    -> shapes -> uniform -> deadcode                               (grad of np.sum(...))
    -> copies                                                      (each generated function)
    -> release                                                     (modules for arrays)
    -> emit                                                        (once per module)

A *specialization* is a function with a choice of active (differentiated) parameters
and the kinds (scalar or not) of its arguments. Calls between user functions request
specializations from the program, which generates each once; recursion reuses the
specialization being generated.
"""
import copy
import inspect
import textwrap

import gast
import numpy

from . import anno, dispatch, frontend, loader, runtime
from .forward import ForwardGenerator
from .frontend import param_names
from .naming import Namer, identifier
from .passes import (
    accumulate,
    activity,
    aliasing,
    anf,
    checks,
    closures,
    comprehensions,
    copies,
    deadcode,
    desugar,
    fields,
    generators,
    hoist,
    hooks,
    inplace,
    jumps,
    loops,
    records,
    release,
    resolve,
    scalars,
    shapes,
    simplify,
    spellings,
    uniform,
    values,
    varargs,
    views,
    writeback,
)
from .passes.activity import kind_of_value
from .reverse import ReverseGenerator
from .syntax import assign, call, clone, const, constant_kind, name, ref, walk

_prepared = {}


def _refuse_call_of_underivable(src, node, function):
    """A located error for a call of an s2s derivative that cannot be differentiated again."""
    refused = getattr(function, "refused_when_differentiated", None)
    if isinstance(refused, str):
        raise src.error(refused, node, "call of a derivative")


def prepare(func):
    """Parse and normalize `func` (cached); returns a fresh copy to generate from."""
    src, namer = _prepared_once(func)
    fresh = copy.copy(src)
    fresh.node = clone(src.node)
    return fresh, copy.deepcopy(namer)


def prepared_source(func):
    """The normalized source of `func` that `prepare` copies, shared: only to be read
    (its parameters, its name), where copying the whole tree cost more than the rest."""
    return _prepared_once(func)[0]


def _prepared_once(func):
    """(source, namer) of `func`, parsed and normalized once.

    A derivative made by s2s is its generated code for arguments of any kinds: the
    code specialized for known kinds updates adjoints in place (`dy[i] = 0.0`), whose
    reverse at second order is not yet right (an HVP of a write through repeated
    positions lost the other positions' second derivatives)."""
    derivative = hasattr(func, "transformable_function")
    key = frontend.unwrap(func)
    if key not in _prepared and isinstance(func, dispatch.UpdatesReturned):
        src, namer = prepare(func.function)
        writeback.return_updates(src, namer, func)
        _prepared[key] = (src, namer)
    if key not in _prepared:
        if derivative:  # a derivative: its generated code
            func = func.transformable_function()
        src = frontend.parse_function(func)
        closures.lift_nested_functions(src)
        generators.collect_yields(src)
        hooks.lower_gradient_hooks(src)
        checks.check_supported(src)
        desugar.desugar(src)
        spellings.rewrite_spellings(src)
        comprehensions.lower_comprehensions(src)
        namer = Namer.for_function(src.node)
        namer.taken |= hooks.hook_names(src.node)
        jumps.lower_jumps(src, namer)
        anf.to_anf(src, namer)
        resolve.resolve_calls(src)
        varargs.pack_variadic_calls(src, namer)
        _prepared[key] = (src, namer)
    return _prepared[key]


def forget_prepared():
    """Parse again: a function's name resolution is part of what prepare caches."""
    _prepared.clear()
    _updated_parameters.clear()
    _returned_parameters.clear()
    _writable_parameters.clear()


class Specialization:
    """One function's normalized code, analysed for a choice of active parameters."""

    def __init__(self, func, active, kinds):
        self.src, self.namer = prepare(func)
        self.params = param_names(self.src.node)
        self.active_params = [p for p, a in zip(self.params, active) if a]
        param_kinds = dict(zip(self.params, kinds))
        self.activity = activity.analyze(self.src.node, self.active_params, param_kinds)
        # passes that need the analysis, each followed by a fresh one if it changed the code
        passes = (
            loops.index_loops, fields.bind_called_fields, _abs_in_scalar_tests, values.lower_value_calls, _check_effect_calls, _write_back,
            _check_updates, _copy_shared_bindings, _copy_call_arguments,
        )
        for specialize in passes:
            if specialize(self.src, self.activity, self.namer):
                self.activity = activity.analyze(self.src.node, self.active_params, param_kinds)

    @property
    def result(self):
        return self.src.node.body[-1].value


def _generated_by_s2s(func):
    return str(getattr(frontend.unwrap(func), "__module__", "")).startswith(loader.MODULE_PREFIX)


def _abs_in_scalar_tests(src, act, namer):
    scalars.abs_in_scalar_tests(src, act)
    return False


def _check_effect_calls(src, act, namer):
    checks.check_effect_calls(src, act, lambda call: dispatch.call_target(call, act)[0] is not None)
    checks.check_sequence_arithmetic(src, act)
    return False


def _check_updates(src, act, namer):
    """The alias check (passes/aliasing.py), on the code as the user wrote it: before
    views are read as copies. Generated code was checked as the code it came from."""
    if not _generated_by_s2s(src.func):
        aliasing.check_updates(src, act.kinds, _Callees(src, act))
    return False


def _copy_shared_bindings(src, act, namer):
    return views.copy_shared_bindings(src, act, namer, _Callees(src, act))


def _copy_call_arguments(src, act, namer):
    """A user function's argument updated in place after the call is passed as a copy
    (passes/views.py), on the code as generated: restores of items count too."""
    return views.copy_call_arguments(src, act, namer, _Callees(src, act), lambda call: dispatch.call_target(call, act)[0] is not None)


def _write_back(src, act, namer):
    return writeback.write_back_updates(src, act, namer, updated_parameters, writable_parameters)


class _Callees:
    """What passes/aliasing.py needs to know of the user functions a function calls."""

    def __init__(self, src, act):
        self.src, self.act = src, act

    def updates(self, call, stmt):
        """The atoms `call` (of statement `stmt`) passes to parameters that the user
        function it runs may update in place (given the kinds of what it passes): all of
        them where the call's arguments cannot be matched to parameters (*-unpacking)."""
        act = self.act
        function, leading = dispatch.call_target(call, act)
        unpacked = dispatch.user_function(anno.get(call, "unpacked_callee"))
        if function is None and unpacked is not None:  # f(*args) of a known f: what it passes, packed
            return call.args[1:] if updated_parameters(unpacked) else []
        if function is None:
            return []
        _refuse_call_of_underivable(self.src, stmt, function)
        starred = any(isinstance(a, gast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords)
        params = param_names(prepared_source(function).node)
        if anno.get(call, "packed"):
            passed = dict(zip(params, varargs.packed_arguments(call)))
        elif starred:
            passed = {}
        else:
            passed = dict(zip(params, leading + list(call.args)))
            passed.update((k.arg, k.value) for k in call.keywords)
        updated = updated_parameters(function, tuple(_atom_kind(passed[p], act) if p in passed else None for p in params))
        if starred and updated:
            return leading + [a.value if isinstance(a, gast.Starred) else a for a in call.args] + [k.value for k in call.keywords]
        return [atom for p, atom in passed.items() if p in updated]

    def returned(self, call):
        """The atoms `call` passes that its result may be or hold, None if unknown."""
        function, arguments = self._bound(call)
        if arguments is None:
            return None
        params = returned_parameters(function)
        return [a for p, a in arguments.items() if p in params]

    def written_back(self, call):
        if not isinstance(anno.get(call, "callee"), dispatch.UpdatesReturned):
            return None  # only writeback's calls return what they update: no binding needed
        function, arguments = self._bound(call)
        if arguments is None:
            return None
        params = returned_parameters(function.function)
        return [a for p, a in arguments.items() if p in params], [arguments[p] for p in function.updated]

    def _bound(self, call):
        """(user function, {parameter: atom}) of `call`, or (function, None) where the
        call passes what is not an atom per parameter or runs code s2s generated."""
        function, leading = dispatch.call_target(call, self.act)
        if function is None or leading or anno.get(call, "packed") or _generated_by_s2s(function):
            return function, None
        arguments = varargs.bind(self.src, call, call, function)
        if any(isinstance(a, (gast.Tuple, gast.Dict)) for a in arguments.values()):
            return function, None  # *args, **kwargs: packed here, not atoms
        return function, arguments


def _atom_kind(atom, act):
    if isinstance(atom, gast.Name):
        return kind_of_value(anno.get(atom, "object")) if anno.has(atom, "object") else act.kind(atom.id)
    return constant_kind(atom)


def _summary(memo, function, while_recursing, summarize, kinds=()):
    """A per-function fact of aliasing, for arguments of `kinds` (by parameter; None or
    missing: unknown) (memoized; `while_recursing` is what a recursive function's own
    calls count as while it is being found)."""
    key = (frontend.unwrap(function), kinds)
    if key not in memo:
        src, _ = prepare(function)
        memo[key] = while_recursing(src)
        act = activity.analyze(src.node, [], dict(zip(param_names(src.node), kinds)))
        memo[key] = summarize(src, act, _Callees(src, act))
    return memo[key]


_updated_parameters = {}
_returned_parameters = {}


def updated_parameters(function, kinds=()):
    """The parameters a user function may update in place, when called with arguments of
    `kinds` (by parameter; None or missing: unknown)."""
    if _generated_by_s2s(function) or isinstance(function, dispatch.UpdatesReturned):
        return set()  # generated functions update only what they made (their tapes); a variant returns its updates
    return _summary(_updated_parameters, function, lambda src: set(), lambda src, act, callees: aliasing.updated_parameters(src, act.kinds, callees), kinds)


def returned_parameters(function):
    """The parameters whose objects a user function's result may be."""
    return _summary(_returned_parameters, function, lambda src: set(param_names(src.node)), lambda src, act, callees: aliasing.returned_parameters(src, callees))


_writable_parameters = {}


def writable_parameters(function):
    """The parameters whose updates a call of `function` can bind back (passes/writeback.py)."""
    return _summary(
        _writable_parameters,
        function,
        lambda src: dict.fromkeys(param_names(src.node), writeback.ANY_KIND),
        lambda src, act, callees: writeback.writable_parameters(src, writable_parameters, aliasing.parameters_updated_by_name(src, callees)),
    )


class Program:
    """All functions generated for one derivative, emitted as one module."""

    def __init__(self):
        self.functions = []  # gast.FunctionDefs in emission order, each annotated with its source
        self.requests = {}
        self.worklist = []
        self.names = Namer()
        self.sources = []  # the FunctionSource of every specialization generated

    def specialize(self, func, active, kinds):
        spec = Specialization(func, active, kinds)
        self.sources.append(spec.src)
        return spec

    def release_dead_names(self, kinds):
        """`del` after last reads in every function (passes/release.py), for arguments
        of these kinds: where one is an array or an object. Not for the variant of any
        kinds, which s2s differentiates again (it reads no `del`), nor for scalars,
        whose values are small and whose code a `del` would slow."""
        if any(kind is not None and kind != "scalar" for kind in kinds):
            self.functions = [release.release_dead_names(fn) for fn in self.functions]

    def called_globals(self):
        """{(function, global name): user function it resolved to} over the whole program."""
        return {(src.func, n): obj for src in self.sources for n, obj in src.called_globals.items()}

    def request(self, func, active, kinds, stmt=None, caller=None):
        """Names of the forward/backward functions of a specialization, generated later."""
        key = (frontend.unwrap(func), active, kinds)
        if key not in self.requests:
            base = identifier(func.__name__)
            self.requests[key] = (self.names.fresh(f"{base}_forward"), self.names.fresh(f"{base}_backward"))
            self.worklist.append(key)
        return self.requests[key]

    def bind_call(self, src, stmt, value, function):
        """The atoms a call passes to each parameter of `function`, defaults filled in."""
        _refuse_call_of_underivable(src, stmt, function)
        if anno.get(value, "packed"):
            return varargs.packed_arguments(value)
        arguments = varargs.bind(src, stmt, value, function)
        parameters = inspect.signature(function, follow_wrapped=False).parameters.values()
        if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in parameters):  # a tuple default is no packing
            raise src.error(f"calling {function.__name__}, which takes *args or **kwargs, this way is not supported", stmt, "variadic call")
        return list(arguments.values())

    def request_forward(self, func, active, kinds):
        """Name of the `f_jvp` function of a specialization, generated later."""
        key = (frontend.unwrap(func), active, kinds, "forward")
        if key not in self.requests:
            self.requests[key] = self.names.fresh(f"{identifier(func.__name__)}_jvp")
            self.worklist.append(key)
        return self.requests[key]

    def generate_requested(self):
        while self.worklist:
            key = self.worklist.pop(0)
            spec = self.specialize(*key[:3])
            if key[3:] == ("forward",):
                self.functions.append(self.forward_function(spec, self.requests[key]))
            else:
                self.functions += list(self.reverse_split(spec, *self.requests[key]))

    # -- reverse mode

    def sweeps(self, spec):
        """(generator, forward stmts, backward stmts, d_result, d_params) before records."""
        loop_entry = activity.varied_on_loop_entry(spec.src.node, spec.active_params)
        gen = ReverseGenerator(spec.src, spec.activity, spec.namer, self, loop_entry)
        forward, backward = gen.block(spec.src.node.body[:-1])
        spec.stack, spec.tape = gen.stack, gen.tape
        result = spec.result
        d_result = gen.adjoint(result.id) if isinstance(result, gast.Name) else None
        d_params = []
        for p in spec.active_params:
            d = spec.namer.derivative(p)
            gen.adjoint_primal[d] = p
            d_params.append(d)
        defined = {d_result} if d_result else set()
        backward = accumulate.Accumulate(gen.adjoint_primal, spec.activity).run(backward, defined, d_params)
        backward = inplace.InPlace(gen.adjoint_primal, spec.activity).run(backward)
        returned = set(d_params) | ({spec.result.id} if isinstance(spec.result, gast.Name) else set())
        backward = deadcode.remove_dead_stores(backward, returned)
        # what the forward sweep binds: the function's own names and those generated for it
        primal_names = desugar.collect_locals(spec.src.node) | records.stored(forward)
        forward, backward, needed, unbound, restored = records.resolve_records(
            forward, backward, primal_names, set(spec.params), gen.stack, spec.namer, spec.activity.kinds
        )
        records.drop_empty_records(forward, backward)
        inits = [assign(v, gast.Constant(None, None)) for v in sorted(unbound)]
        spec.restored_in_place = restored & needed
        return inits + forward, backward, d_result, d_params, needed

    def reverse_split(self, spec, forward_name, backward_name):
        """`f_forward(*params) -> (result, tape)` and `f_backward(tape, d_result) -> grads`.

        Each call records on a tape of its own, returned to the caller (who keeps it
        for the backward sweep like any other value), and the backward sweep pops from
        a copy of it: no function mutates a list it did not create, so generated code
        can be differentiated again, and a pullback can run more than once.
        """
        forward, backward, d_result, d_params, needed = self.sweeps(spec)
        stack, tape = spec.stack, spec.tape
        save, load = records.final_state(needed, stack)
        result = spec.result
        new_tape = assign(stack, gast.List([], gast.Load()))
        returned = gast.Return(gast.Tuple([result, name(stack)], gast.Load()))
        forward_def = copies.remove_copies(_function(forward_name, spec.params, [new_tape] + forward + save + [returned], spec.src), stack)
        incoming = d_result or spec.namer.fresh("_dresult")
        copy_tape = assign(stack, call(ref(list, "list"), name(tape)))
        # containers the sweep restores in place: private copies, so that the tape still
        # holds the final state for the next call (a pullback, a Jacobian's next row)
        private = [assign(v, call(ref(runtime.private_copy, "private_copy"), name(v))) for v in sorted(spec.restored_in_place)]
        body = ([copy_tape] if _uses(load + backward, stack) else []) + load + private + backward + [gast.Return(_pack(d_params))]
        backward_def = copies.remove_copies(_function(backward_name, [tape, incoming], body, spec.src), stack)
        return forward_def, backward_def

    def forward_function(self, spec, jvp_name):
        """`f_jvp(*params, *tangents_of_active_params) -> (result, tangent of result)`."""
        gen = ForwardGenerator(spec.src, spec.activity, spec.namer, self)
        # a parameter we do not differentiate that later holds a varied value (y += x)
        # enters with a zero tangent
        entry = [assign(gen.tangent(p), gen.zero(p)) for p in spec.params if p not in spec.active_params and gen.tangent(p)]
        body = entry + gen.block(spec.src.node.body[:-1])
        result = spec.result
        d_params = [spec.namer.derivative(p) for p in spec.active_params]
        if isinstance(result, gast.Name) and spec.activity.active(result.id):
            d_result = name(gen.tangent(result.id))
        else:
            d_result = call(ref(runtime.tangent_zeros, "tangent_zeros"), clone(result))
        returned = gast.Return(gast.Tuple([clone(result), d_result], gast.Load()))
        body = _without_dead_tangents(spec, body, returned)
        return copies.remove_copies(_function(jvp_name, spec.params + d_params, body + [returned], spec.src))

    def reverse_driver(self, func, wrt, kinds, driver_name, with_value, seed=runtime.ones_like_output, order=None):
        """The function `grad` returns: both sweeps in one body, like hand-written backprop.

        `order`: the positions of the parameters in the order the caller named them;
        given, the gradients are returned in that order as a tuple (even of one).
        """
        spec = self.specialize(func, wrt, kinds)
        forward, backward, d_result, d_params, _ = self.sweeps(spec)
        result = spec.result
        body = list(forward)
        summed = _summed_output(spec) if seed is runtime.ones_like_output and d_result else None
        if summed is not None:
            facts, sources = summed
            seeding = call(ref(runtime.real_output_seed, "real_output_seed"), gast.Tuple([name(s) for s in sorted(sources)], gast.Load()))
            backward = uniform.keep_seed_scalar(backward, d_result, facts, spec.namer.primals(), spec.activity.kinds, d_params, sources)
        else:
            seeding = call(ref(seed, seed.__name__), clone(result))
        invariant = records.invariant_scalar_params(forward, spec.params, spec.activity.kinds)
        backward = hoist.hoist_invariant_arithmetic(backward, invariant, spec.namer)
        # a seed every read of which became its literal is a check alone (real_output_seed)
        seed_read = d_result and (_uses(backward, d_result) or d_result in d_params)
        body.append(assign(d_result, seeding) if seed_read else gast.Expr(seeding))
        if with_value and isinstance(result, gast.Name) and result.id in records.stored(backward):
            # the backward sweep restores what the result's name held before: keep the value
            value = spec.namer.fresh("_value")
            body.append(assign(value, name(result.id)))
            result = name(value)
        body += backward
        # the variant for arguments of any kind is what s2s differentiates again (and
        # exports): it returns gradients as s2s.grad's caller gets them
        generic = all(kind is None for kind in kinds)
        rebound = records.stored(body) if generic else set()
        returned = [_matched(d, p, body, spec.namer, rebound) if generic else name(d) for d, p in zip(d_params, spec.active_params)]
        if order is None:
            grads = returned[0] if len(returned) == 1 else gast.Tuple(returned, gast.Load())
        else:
            by_position = dict(zip(sorted(order), returned))
            grads = gast.Tuple([by_position[i] for i in order], gast.Load())
        body.append(gast.Return(gast.Tuple([clone(result), grads], gast.Load()) if with_value else grads))
        if summed is not None:
            body = _without_dead_forward_code(spec, body, summed[0], forward)
        if _uses(body, spec.stack):
            body.insert(0, assign(spec.stack, gast.List([], gast.Load())))
        self.generate_requested()
        driver = copies.remove_copies(_function(driver_name, spec.params, body, spec.src), spec.stack)
        # after copies, which puts a formula's temporaries back into it
        driver.body = simplify.fold_products(driver.body, set(spec.namer.primals()))
        driver = _with_defaults(driver, func)
        self.functions.insert(0, driver)
        return driver_name


    def _sweeps_requested(self, func, active, kinds):
        """(normalized source, forward name, backward name) of `func`, both generated."""
        src, _ = prepare(func)
        forward, backward = self.request(func, active, kinds)
        self.generate_requested()
        return src, forward, backward

    def vjp_driver(self, func, active, kinds, driver_name):
        """`vjp_f(*params) -> (result, tape, f_backward)`: the pullback runs f_backward."""
        src, forward, backward = self._sweeps_requested(func, active, kinds)
        params = ", ".join(param_names(src.node))
        text = f"""
def {driver_name}({params}):
    result, tape = {forward}({params})
    return result, tape, {backward}
"""
        self.functions.insert(0, _with_defaults(_driver(text, {forward, backward}), func))
        return driver_name

    def pullback_driver(self, func, active, kinds, driver_name):
        """`pullback_f(*params, cotangent) -> (result, grads)`: both sweeps in one plain
        function, which s2s differentiates again (no pullback closure in between)."""
        src, forward, backward = self._sweeps_requested(func, active, kinds)
        cotangent = Namer.for_function(src.node).fresh("_cotangent")
        params = ", ".join(param_names(src.node))
        text = f"""
def {driver_name}({params}, {cotangent}):
    _result, _tape = {forward}({params})
    return _result, {backward}(_tape, {cotangent})
"""
        self.functions.insert(0, _driver(text, {forward, backward}))
        return driver_name

    def tangent_driver(self, func, active, kinds, driver_name):
        """`f_tangent(*params, *tangents)`: the tangent of `f_jvp` alone, as s2s.hvp
        returns it (of a gradient, the gradient beside it is not wanted)."""
        names = param_names(prepared_source(func).node)
        local = Namer(names)
        varied = [p for p, a in zip(names, active) if a]
        tangents = [local.fresh("v" if len(varied) == 1 else f"v_{p}") for p in varied]  # hvp(f)(x, v)
        value, tangent = local.fresh("_value"), local.fresh("_tangent")
        jvp = self.request_forward(func, active, kinds)
        self.generate_requested()
        params = ", ".join(names + tangents)
        text = f"""
def {driver_name}({params}):
    {value}, {tangent} = {jvp}({params})
    return {tangent}
"""
        self.functions.insert(0, _driver(text, {jvp}))
        return driver_name

    def jacobian_driver(self, func, active, kinds, driver_name):
        """The Jacobian, column by column in forward mode when the argument has fewer
        elements than the output, else row by row in reverse mode. It is ordinary
        Python that s2s differentiates again, so `jacobian(jacobian(f))` works."""
        names = param_names(prepared_source(func).node)
        x = names[active.index(True)]
        forward, backward = self.request(func, active, kinds)
        jvp = self.request_forward(func, active, kinds)
        self.generate_requested()
        params = ", ".join(names)
        text = f"""
def {driver_name}({params}):
    _y, _tape = {forward}({params})
    _shape = np.shape(_y) + np.shape({x})
    if size({x}) < size(_y):
        _columns = []
        for _j in range(size({x})):
            _y, _column = {jvp}({params}, unit_like({x}, _j))
            _columns.append(_column)
        return np.reshape(np.stack(_columns, axis=-1), _shape)
    _rows = []
    for _i in range(size(_y)):
        _rows.append({backward}(_tape, unit_like(_y, _i)))
    return np.reshape(np.stack(_rows), _shape)
"""
        self.functions.insert(0, _with_defaults(_driver(text, {forward, backward, jvp}), func))
        return driver_name


def _summed_output(spec):
    """(shape facts, complex sources) when the function returns `np.sum(v)` or
    `np.mean(v)` of an array `v` bound once at the top level, whose complexness follows
    from stable names."""
    result = spec.result
    kinds = spec.activity.kinds
    facts = shapes.analyze(spec.src.node, spec.params, kinds)
    if not isinstance(result, gast.Name) or result.id not in facts.cannot_fail:
        return None
    binding = next(s for s in spec.src.node.body if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name) and s.targets[0].id == result.id)
    value = binding.value
    if not (isinstance(value, gast.Call) and anno.get(value, "callee") in (numpy.sum, numpy.mean)):
        return None
    sources = facts.complex_sources.get(value.args[0].id)
    return None if sources is None else (facts, sources)


def _without_dead_forward_code(spec, body, facts, forward):
    """The driver without the forward statements only the seed read (the sum, the values
    summed that only `unbroadcast` looked at): those that cannot fail (passes/shapes.py)
    and bind a primal name; backward statements go if pure, as in the backward sweep."""
    primal_names = desugar.collect_locals(spec.src.node) | records.stored(forward) | set(spec.params)
    # the facts are about a name's forward binding: a backward statement binding the
    # same name (a restore, `x = _stack.pop()`) pops the tape, and stays unless pure
    forward_statements = {id(node) for node in walk(gast.Module(forward, [])) if isinstance(node, gast.Assign)}

    def may_drop(stmt):
        target = stmt.targets[0].id
        if id(stmt) in forward_statements and target in primal_names:
            return target in facts.cannot_fail
        return deadcode.pure_assignment(stmt)

    returned = {n.id for n in walk(body[-1]) if isinstance(n, gast.Name)}
    return deadcode.remove_dead_stores(body, returned, may_drop)


def _without_dead_tangents(spec, body, returned):
    """The jvp body without the tangents nothing reads (those of values the result does
    not depend on, such as the sum a gradient's seed only checks): statements binding a
    name of the forward generator's own, not a primal name, and pure. Primal statements
    all stay: they compute the values Python computes, errors included."""
    primal_names = desugar.collect_locals(spec.src.node) | set(spec.params)

    def may_drop(stmt):
        return stmt.targets[0].id not in primal_names and deadcode.pure_assignment(stmt)

    live = {n.id for n in walk(returned) if isinstance(n, gast.Name)}
    return deadcode.remove_dead_stores(body, live, may_drop)


_DRIVER_NAMES = {"np": numpy, "unit_like": runtime.unit_like, "size": runtime.size, "range": range}


def _with_defaults(driver, func):
    """The driver's trailing parameters get `func`'s defaults, so that a derivative
    called without s2s (an exported module) takes the arguments the function takes. The
    parameters stay positional: s2s's own callers pass every argument in order."""
    try:
        parameters = list(inspect.signature(func).parameters.values())
    except (TypeError, ValueError):
        return driver
    if [p.name for p in parameters] != [a.id for a in driver.args.args]:
        return driver  # packed *args / **kwargs: the driver's parameters are not the function's
    defaults = []
    for p in reversed(parameters):
        if p.default is p.empty or p.kind not in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
            break
        literal = type(p.default) in (int, float, complex, bool, str) or p.default is None
        defaults.insert(0, const(p.default) if literal else ref(p.default, f"{identifier(p.name)}_default"))
    driver.args.defaults = defaults
    return driver


def _driver(text, generated_names):
    """A driver written by s2s itself, its global names bound to their objects."""
    fn = gast.parse(textwrap.dedent(text)).body[0]
    for node in walk(fn):
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load):
            if node.id in _DRIVER_NAMES:
                anno.set(node, "object", _DRIVER_NAMES[node.id])
            elif node.id in generated_names:
                anno.set(node, "generated", True)
    return fn


def _matched(d, param, body, namer, rebound):
    """`match_like(d, param)`: the gradient `d` of `param` as s2s.grad's caller gets it (a
    lazy None zero in a container made a real one). A parameter the body rebinds (in
    `rebound`) is kept in a name of its own at entry."""
    like = param
    if param in rebound:
        like = namer.fresh(f"_{param}_like")
        body.insert(0, assign(like, name(param)))
    return call(ref(runtime.match_like, "match_like"), name(d), name(like))


def _pack(names):
    if len(names) == 1:
        return name(names[0])
    return gast.Tuple([name(n) for n in names], gast.Load())


def _uses(body, variable):
    return any(isinstance(n, gast.Name) and n.id == variable for s in body for n in walk(s))


def _function(fn_name, params, body, src):
    args = gast.arguments(
        args=[gast.Name(p, gast.Param(), None, None) for p in params],
        posonlyargs=[], vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[],
    )
    fn = gast.FunctionDef(
        name=fn_name, args=args, body=body, decorator_list=[], returns=None, type_comment=None, type_params=[]
    )
    anno.set(fn, "source", src)
    return fn

