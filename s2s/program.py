"""The pipeline: from Python functions to one generated module of derivative code.

    frontend -> checks -> desugar -> jumps -> anf -> resolve      (prepare, once per function)
    -> activity -> loops -> reverse -> accumulate -> records      (per specialization)
    -> emit                                                        (once per module)

A *specialization* is a function with a choice of active (differentiated) parameters
and the kinds (scalar or not) of its arguments. Calls between user functions request
specializations from the program, which generates each once; recursion reuses the
specialization being generated.
"""
import copy

import gast

from . import anno, frontend
from .frontend import param_names
from .naming import Namer
from .passes import accumulate, activity, anf, checks, desugar, jumps, loops, records, resolve
from .reverse import ReverseGenerator, assign, call, name, ref
from . import runtime

_prepared = {}


def prepare(func):
    """Parse and normalize `func` (cached); returns a fresh copy to generate from."""
    key = frontend.unwrap(func)
    if key not in _prepared:
        if hasattr(func, "transformable_function"):  # a derivative: its generated code
            func = func.transformable_function()
        src = frontend.parse_function(func)
        checks.check_supported(src)
        desugar.desugar(src)
        namer = Namer.for_function(src.node)
        jumps.lower_jumps(src, namer)
        anf.to_anf(src, namer)
        resolve.resolve_calls(src)
        _prepared[key] = (src, namer)
    src, namer = _prepared[key]
    fresh = copy.copy(src)
    fresh.node = copy.deepcopy(src.node)
    return fresh, copy.deepcopy(namer)


class Specialization:
    """One function's normalized code, analysed for a choice of active parameters."""

    def __init__(self, func, active, kinds):
        self.src, self.namer = prepare(func)
        self.params = param_names(self.src.node)
        self.active_params = [p for p, a in zip(self.params, active) if a]
        param_kinds = dict(zip(self.params, kinds))
        self.activity = activity.analyze(self.src.node, self.active_params, param_kinds)
        if loops.index_loops(self.src, self.activity, self.namer):
            self.activity = activity.analyze(self.src.node, self.active_params, param_kinds)

    @property
    def result(self):
        return self.src.node.body[-1].value


class Program:
    """All functions generated for one derivative, emitted as one module."""

    def __init__(self):
        self.functions = []  # gast.FunctionDefs in emission order, each annotated with its source
        self.requests = {}
        self.worklist = []
        self.names = Namer()

    def request(self, func, active, kinds, stmt=None, caller=None):
        """Names of the forward/backward functions of a specialization, generated later."""
        key = (frontend.unwrap(func), active, kinds)
        if key not in self.requests:
            base = func.__name__
            self.requests[key] = (self.names.fresh(f"{base}_forward"), self.names.fresh(f"{base}_backward"))
            self.worklist.append(key)
        return self.requests[key]

    def generate_requested(self):
        while self.worklist:
            func, active, kinds = key = self.worklist.pop(0)
            forward_name, backward_name = self.requests[key]
            spec = Specialization(func, active, kinds)
            forward_def, backward_def = self.reverse_split(spec, forward_name, backward_name)
            self.functions += [forward_def, backward_def]

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
        primal_names = desugar.collect_locals(spec.src.node)
        forward, backward, needed, unbound = records.resolve_records(forward, backward, primal_names, set(spec.params), gen.stack)
        records.drop_empty_records(forward, backward)
        inits = [assign(v, gast.Constant(None, None)) for v in sorted(unbound)]
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
        forward_def = _function(forward_name, spec.params, [new_tape] + forward + save + [returned], spec.src)
        incoming = d_result or spec.namer.fresh("_dresult")
        copy_tape = assign(stack, call(ref(list, "list"), name(tape)))
        body = ([copy_tape] if _uses(load + backward, stack) else []) + load + backward + [gast.Return(_pack(d_params))]
        backward_def = _function(backward_name, [tape, incoming], body, spec.src)
        return forward_def, backward_def

    def reverse_driver(self, func, wrt, kinds, driver_name, with_value):
        """The function `grad` returns: both sweeps in one body, like hand-written backprop."""
        spec = Specialization(func, wrt, kinds)
        forward, backward, d_result, d_params, _ = self.sweeps(spec)
        result = spec.result
        body = list(forward)
        if d_result:
            seed = call(ref(runtime.ones_like_output, "ones_like_output"), gast.Name(result.id, gast.Load(), None, None))
            body.append(assign(d_result, seed))
        else:
            body.append(gast.Expr(call(ref(runtime.ones_like_output, "ones_like_output"), copy.deepcopy(result))))
        body += backward
        grads = _pack(d_params)
        body.append(gast.Return(gast.Tuple([copy.deepcopy(result), grads], gast.Load()) if with_value else grads))
        if _uses(body, spec.stack):
            body.insert(0, assign(spec.stack, gast.List([], gast.Load())))
        self.generate_requested()
        driver = _function(driver_name, spec.params, body, spec.src)
        self.functions.insert(0, driver)
        return driver_name


def _pack(names):
    if len(names) == 1:
        return name(names[0])
    return gast.Tuple([name(n) for n in names], gast.Load())


def _uses(body, variable):
    return any(isinstance(n, gast.Name) and n.id == variable for s in body for n in gast.walk(s))


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

