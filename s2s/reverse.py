"""Reverse mode: a forward sweep that records, a backward sweep that replays.

For each statement of a function in A-normal form this module emits its forward code
and its adjoint code, in reverse order, using the `adjoint` rule of each primitive.
Control flow is replayed from the stack: an `if` records which branch ran, a loop
how often it ran. What the generator emits is *logical*: derivative contributions,
"adjoint blocks" that only run where the result's derivative can be nonzero, and
paired save/restore markers around every assignment. The passes in
`passes/accumulate.py` and `passes/records.py` then decide how contributions
accumulate and which values the stack must really carry.

Restore discipline (Tangent's): the forward sweep saves a variable's old value before
overwriting it; the backward sweep restores it after that assignment's adjoint. So at
every point of the backward sweep each primal variable holds the value it had at the
matching point of the forward sweep, and rules may read any primal value.
"""
import operator

import gast

from . import anno, dispatch, rules, runtime
from .naming import identifier
from .passes.activity import NONDIFF_ATTRIBUTES, differentiable_operands
from .passes.anf import is_update_in_place
from .passes.blocks import LOOPS, walk_within
from .passes.desugar import index_expression, subscript_index
from .syntax import (
    NodeTransformer,
    assign,
    call,
    clone,
    const,
    constant_kind,
    describe,
    generated,
    marker,
    name,
    pop,
    push,
    ref,
    source_text,
    walk,
)

# --------------------------------------------------------------------------- building blocks


def contribution(adjoint, value):
    """`adjoint += value`, resolved by the accumulate pass."""
    node = assign(adjoint, value)
    anno.set(node, "derivative_of", True)
    anno.set(node, "self_accumulating", False)
    return node


def adjoint_block(statements, requires, must_run=False):
    """Statements that only matter where one of `requires` (adjoints) may be nonzero."""
    node = gast.If(const(True), statements or [gast.Pass()], [])
    anno.set(node, "adjoint_block", list(requires))
    anno.set(node, "must_run", must_run)
    return node


def append_at_ends(block, stmt):
    """Append `stmt` on every path through `block`, before a tail `break`."""
    if block and isinstance(block[-1], gast.Break):
        return block[:-1] + [stmt, block[-1]]
    if block and isinstance(block[-1], gast.If) and _has_tail_break(block[-1]):
        last = block[-1]
        last.body = append_at_ends(last.body, clone(stmt))
        last.orelse = append_at_ends(last.orelse, stmt)
        return block
    return block + [stmt]


def _has_tail_break(node):
    """Does a branch of `node` end in a break of the enclosing loop (not of a loop inside)?"""
    return any(isinstance(n, gast.Break) for n in walk_within([node], LOOPS))


# --------------------------------------------------------------------------- the generator


class ReverseGenerator:
    """Forward and backward code for one function specialization."""

    def __init__(self, fn_source, activity, namer, program, loop_entry=None):
        self.src = fn_source
        self.act = activity
        self.loop_entry = loop_entry or {}
        # the bookkeeping names must not clash with the code's own (which may be
        # generated code with a `_stack` of its own)
        self.stack = namer.fresh("_stack")
        self.tape = namer.fresh("_tape")
        self.namer = namer
        self.program = program
        self.adjoint_primal = {}  # adjoint name -> primal name
        self.record_ids = 0

    # -- names

    def adjoint(self, primal):
        """The adjoint name of an active primal name, or None."""
        if not self.act.active(primal):
            return None
        d = self.namer.derivative(primal)
        self.adjoint_primal[d] = primal
        return d

    def active_atom(self, node):
        return isinstance(node, gast.Name) and self.act.active(node.id)

    def new_record(self):
        self.record_ids += 1
        return self.record_ids

    # -- blocks

    def block(self, stmts):
        """(forward sweep, backward sweep) of `stmts`: the backward sweep holds the
        statements' adjoints in reverse order, joined once at the end (prepending each
        statement's copied the sweep so far: quadratic in a long function)."""
        forward, adjoints = [], []
        for stmt in stmts:
            f, b = self.statement(stmt)
            forward += f
            adjoints.append(b)
        return forward, [s for b in reversed(adjoints) for s in b]

    def statement(self, stmt):
        if isinstance(stmt, gast.Assign):
            return self.assignment(stmt)
        if isinstance(stmt, gast.If):
            return self.if_statement(stmt)
        if isinstance(stmt, gast.For):
            return self.for_loop(stmt)
        if isinstance(stmt, gast.While):
            return self.while_loop(stmt)
        if isinstance(stmt, gast.Return):
            raise self.src.error("return must be last after normalization", stmt)
        if anno.has(stmt, "grad_hook"):
            return [], self.gradient_hook(stmt)
        # Expr, Assert, Raise, Pass, Break: forward only (side effects run once)
        return [stmt], []

    def gradient_hook(self, stmt):
        """The block of `with s2s.insert_grad_of(x) as dx:`, on x's adjoint at this point."""
        target, alias, body = anno.get(stmt, "grad_hook")
        d = self.adjoint(target)
        if d is None:
            return []  # x carries no derivative here: nothing to hook
        statements = [assign(alias, name(d))] + clone(body) + [assign(d, name(alias))]
        return [self.located(adjoint_block(statements, [d]), stmt)]

    # -- assignments

    def assignment(self, stmt):
        target, value = stmt.targets[0], stmt.value
        if isinstance(target, gast.Name) and isinstance(value, gast.Name) and target.id == value.id:
            return [], []  # x = x (left by lowering jumps): binds nothing, differentiates to nothing
        if self.is_differentiated_call(stmt):
            self.call_forward(stmt)
        target = stmt.targets[0]
        if isinstance(target, gast.Name) and is_update_in_place(target.id, stmt.value, anno.get(stmt.value, "callee")):
            return self.update_in_place(stmt)
        target = stmt.targets[0]
        targets = [n.id for n in walk(target) if isinstance(n, gast.Name)]
        forward = [marker("save", var=t, site=id(stmt)) for t in targets] + [stmt]
        backward = []
        adjoints = [self.adjoint(t) for t in targets]
        if any(adjoints) or self.mutates_active_list(stmt.value):
            backward.append(self.adjoint_of_assignment(stmt, target, targets, adjoints))
            backward += [marker("consume", adjoint=d) for d in adjoints if d]
        if isinstance(stmt.value, gast.Call) and anno.get(stmt.value, "callee") is runtime.list_pop:
            # undone after its adjoint, while the popped value is still bound: lst.append(x)
            lst = stmt.value.args[0]
            undo = gast.Expr(call(gast.Attribute(clone(lst), "append", gast.Load()), name(targets[0])))
            backward.append(marker("restore_item", var=lst.id, undo=undo))
        backward += [marker("restore", var=t, site=id(stmt)) for t in reversed(targets)]
        for node in backward:
            gast.copy_location(node, stmt)
        return forward, backward

    def adjoint_of_assignment(self, stmt, target, targets, adjoints):
        value = stmt.value
        if anno.get(stmt, "user_call"):
            statements = self.call_backward(stmt, adjoints[0])
            return self.located(adjoint_block(statements, [adjoints[0]], must_run=True), stmt)
        if isinstance(target, gast.Tuple):  # a, b = t
            if not self.active_atom(value):
                return adjoint_block([], [])
            items = gast.Tuple([name(d) if d else const(None) for d in adjoints], gast.Load())
            packed = call(ref(runtime.pack_like, "pack_like"), name(value.id), items)
            return self.located(
                adjoint_block([contribution(self.adjoint(value.id), packed)], [d for d in adjoints if d]),
                stmt,
            )
        result = targets[0]
        d_result = adjoints[0]
        if not any(self.act.active(n) for n in differentiable_operands(value)) and not self.mutates_active_list(value):
            return adjoint_block([], [])  # nothing differentiable flows in: only consume
        statements, must_run = self.adjoint_statements(stmt, value, result, d_result)
        requires = [d_result] if d_result else []
        entry_reads = anno.get(stmt, "entry_reads", ())
        if entry_reads:
            guarded = {self.adjoint(v) for v in entry_reads}
            statements = [self.first_iteration_guard(s) if _contributes_to(s, guarded) else s for s in statements]
        return self.located(adjoint_block(statements, requires, must_run), stmt)

    def first_iteration_guard(self, contribution_stmt):
        """Skip a contribution in the loop's first iteration, where its target is not varied."""
        target = contribution_stmt.targets[0].id
        zero = marker("zero", adjoint=target)  # the entry value's adjoint: zero, not skipped
        guard = gast.If(name(_GUARD), [contribution_stmt], [zero])
        anno.set(guard, "iteration_guard", True)
        return guard

    def mark_entry_reads(self, loop):
        """Annotate statements of a loop body that read values not varied on entry.

        In the first iteration those values are the ones from before the loop, which do
        not depend on the inputs, so their derivative contributions are skipped there.
        Only top-level assignments before the name's first top-level rebinding count.
        """
        entry = self.loop_entry.get(id(loop))
        if entry is None:
            return False
        assigned = {n.id for s in loop.body for n in walk(s) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}
        pending = {v for v in assigned if self.act.active(v) and v not in entry}
        if isinstance(loop, gast.For):
            pending.discard(loop.target.id)
        marked = False
        for stmt in loop.body:
            if not pending or not isinstance(stmt, gast.Assign):
                break
            reads = differentiable_operands(stmt.value) & pending
            if reads:
                anno.set(stmt, "entry_reads", reads)
                marked = True
            pending -= {n.id for n in walk(stmt.targets[0]) if isinstance(n, gast.Name)}
        return marked

    def update_in_place(self, stmt):
        """`lst = list_append(lst, v)`: the list keeps its identity, so nothing is saved or
        consumed; the rule updates the list's adjoint in place, always (even for a zero
        adjoint), to keep the adjoints of the entries below aligned."""
        lst = stmt.targets[0].id
        forward, backward = [stmt], []
        callee = anno.get(stmt.value, "callee")
        if callee in (runtime.setitem, runtime.restore_item):
            # what it overwrites is saved, and put back after its adjoint; setitem is
            # written as in the source
            _, index, value = stmt.value.args
            written = stmt
            if callee is runtime.setitem:
                item = gast.Subscript(name(lst), subscript_index(index), gast.Store())
                written = gast.copy_location(gast.Assign([item], value), stmt)
            forward = [marker("save_item", var=lst, index=clone(index)), written]
            backward.append(marker("restore_item", var=lst, index=clone(index)))
        elif callee is runtime.list_append:  # undone after its adjoint: lst.pop()
            undo = gast.Expr(call(gast.Attribute(name(lst), "pop", gast.Load())))
            backward.append(marker("restore_item", var=lst, undo=undo))
        else:  # any other update in place: its contents before, saved and put back
            forward.insert(0, marker("save_item", var=lst, snapshot=True))
            backward.append(marker("restore_item", var=lst, snapshot=True))
        if self.act.active(lst):
            statements, _ = self.adjoint_statements(stmt, stmt.value, lst, self.adjoint(lst))
            backward.insert(0, self.located(adjoint_block(statements, [], must_run="none"), stmt))
        return forward, [gast.copy_location(b, stmt) for b in backward]

    def mutates_active_list(self, value):
        callee = anno.get(value, "callee") if isinstance(value, gast.Call) else None
        return callee is not None and rules.is_always_run(callee) and self.active_atom(value.args[0])

    def located(self, node, stmt):
        anno.set(node, "origin_line", getattr(stmt, "lineno", None))
        return gast.copy_location(node, stmt)

    def adjoint_statements(self, stmt, value, result, d_result):
        """(statements, must_run) contributing d_result to the operands of `value`."""
        if isinstance(value, gast.Name):
            return ([contribution(self.adjoint(value.id), name(d_result))] if self.active_atom(value) else []), False
        if isinstance(value, gast.Constant):
            return [], False
        if isinstance(value, (gast.Tuple, gast.List)):
            return self.display_adjoint(value.elts, [const(i) for i in range(len(value.elts))], d_result), False
        if isinstance(value, gast.Dict):
            return self.display_adjoint(value.values, value.keys, d_result), False
        if isinstance(value, gast.Subscript):
            bindings = {"x": value.value, "index": index_expression(value.slice)}
            return self.rule_statements(rules.adjoint_rule(operator.getitem), bindings, result, stmt), False
        if isinstance(value, gast.Attribute):
            if value.attr in NONDIFF_ATTRIBUTES:
                return [], False
            bindings = {"x": value.value, "name": const(value.attr)}
            return self.rule_statements(rules.adjoint_rule(getattr), bindings, result, stmt), False
        if isinstance(value, (gast.BinOp, gast.UnaryOp, gast.Call)):
            return self.call_adjoint(stmt, value, result, d_result)
        raise self.src.error(f"cannot differentiate a {type(value).__name__} expression", stmt, type(value).__name__)

    def display_adjoint(self, elements, keys, d_result):
        out = []
        for element, key in zip(elements, keys):
            if self.active_atom(element):
                item = call(ref(runtime.grad_item, "grad_item"), name(d_result), clone(key), name(element.id))
                out.append(contribution(self.adjoint(element.id), item))
        return out

    def call_adjoint(self, stmt, value, result, d_result):
        callee = anno.get(value, "callee")
        if isinstance(value, gast.BinOp):
            bindings_args, keywords = [value.left, value.right], []
        elif isinstance(value, gast.UnaryOp):
            bindings_args, keywords = [value.operand], []
        else:
            bindings_args, keywords = value.args, value.keywords
        if callee is runtime.fixed_point:
            return self.fixed_point_adjoint(stmt, value, result, d_result), False
        rule = rules.adjoint_rule(callee) if callee is not None else None
        if rule is not None:
            fake_call = gast.Call(name("_"), list(bindings_args), list(keywords))
            bindings = rules.bind_arguments(rule, fake_call, self.src)
            must_run = "none" if rules.is_always_run(callee) else False
            return self.rule_statements(rule, bindings, result, stmt), must_run
        what = describe(callee) if callee is not None else source_text(value.func)
        raise self.src.error(rules.missing_rule_message(callee, what, "adjoint"), stmt, what)

    def rule_statements(self, rule, bindings, result, stmt):
        instance = rules.instantiate(rule, bindings, result, self.adjoint, self.namer)
        return [self.simplify_unbroadcast(s, result) for s in instance.statements]

    def simplify_unbroadcast(self, stmt, result):
        """`unbroadcast(g, x)` is `g` when x and the result are scalars (no broadcasting)."""
        if self.act.kind(result) != "scalar":
            return stmt
        return _DropScalarUnbroadcast(self.act).visit(stmt)

    def fixed_point_adjoint(self, stmt, value, result, d_result):
        """x = fixed_point(f, a, x0): by the implicit function theorem, with f's forward and
        backward sweeps at the fixed point (the iterations are not differentiated)."""
        function, a, tol, max_iter = dispatch.fixed_point_parts(self.src, stmt, value)
        if not self.active_atom(a):
            return []
        forward_name, backward_name = self.program.request(function, (True, True), (self.act.kind(a.id), self.act.kind(result)))
        tape = self.namer.fresh(f"_{identifier(function.__name__)}_tape")
        at_fixed_point = gast.Assign(
            [gast.Tuple([name(self.namer.fresh("_fixed_point"), gast.Store()), name(tape, gast.Store())], gast.Store())],
            call(generated(forward_name), name(a.id), name(result)),
        )
        vjp = call(ref(runtime.fixed_point_vjp, "fixed_point_vjp"), generated(backward_name), name(tape), name(d_result), tol, max_iter)
        return [at_fixed_point, contribution(self.adjoint(a.id), vjp)]

    # -- calls of user functions

    def is_differentiated_call(self, stmt):
        """An assignment `t = f(...)` of a user function whose result needs a derivative."""
        value, target = stmt.value, stmt.targets[0]
        if not (isinstance(value, gast.Call) and isinstance(target, gast.Name) and self.act.active(target.id)):
            return False
        callee = anno.get(value, "callee")
        if callee is not None and rules.adjoint_rule(callee) is not None:
            return False
        function, _ = dispatch.call_target(value, self.act)
        return function is not None and any(self.act.active(n) for n in differentiable_operands(value))

    def call_forward(self, stmt):
        """`t = f(a, b)` -> `t, _f_tape = f_forward(a, b)`: each call records on its own tape."""
        value = stmt.value
        function, leading = dispatch.call_target(value, self.act)
        value.args = leading + value.args
        positional = self.program.bind_call(self.src, stmt, value, function)
        active = tuple(self.active_atom(a) for a in positional)
        kinds = tuple(self.act.kind(a.id) if isinstance(a, gast.Name) else constant_kind(a) for a in positional)
        forward_name, backward_name = self.program.request(function, active, kinds)
        tape = self.namer.fresh(f"_{identifier(function.__name__)}_tape")
        active_args = [a for a, is_active in zip(positional, active) if is_active]
        value.args = positional
        value.keywords = []
        if getattr(anno.get(value, "callee"), "_s2s_checkpoint", False):
            # the forward sweep calls the function as written, keeping no tape: the
            # backward sweep runs its forward sweep again from the same arguments
            recompute = gast.Assign(
                [gast.Tuple([name(self.namer.fresh("_recomputed"), gast.Store()), name(tape, gast.Store())], gast.Store())],
                call(generated(forward_name), *clone(positional)),
            )
            anno.set(stmt, "user_call", (backward_name, tape, active_args, [recompute]))
            return
        value.func = generated(forward_name)
        stmt.targets = [gast.Tuple([stmt.targets[0], name(tape, gast.Store())], gast.Store())]
        anno.set(stmt, "user_call", (backward_name, tape, active_args, []))

    def call_backward(self, stmt, d_result):
        """`f_backward(_f_tape, dt)` returns the adjoints of f's active arguments."""
        backward_name, tape, active_args, recompute = anno.get(stmt, "user_call")
        grads = call(generated(backward_name), name(tape), name(d_result))
        if len(active_args) == 1:
            return recompute + [contribution(self.adjoint(active_args[0].id), grads)]
        holder = self.namer.fresh("_grads")
        out = recompute + [assign(holder, grads)]
        for i, arg in enumerate(active_args):
            item = gast.Subscript(name(holder), const(i), gast.Load())
            out.append(contribution(self.adjoint(arg.id), item))
        return out

    # -- control flow

    def if_statement(self, stmt):
        body_f, body_b = self.block(stmt.body)
        else_f, else_b = self.block(stmt.orelse)
        if not body_b and not else_b:
            stmt.body, stmt.orelse = body_f or [gast.Pass()], else_f
            return [stmt], []
        record = self.new_record()
        taken, not_taken = push(const(True), self.stack), push(const(False), self.stack)
        anno.set(taken, "record", record)
        anno.set(not_taken, "record", record)
        stmt.body = append_at_ends(body_f, taken)
        stmt.orelse = append_at_ends(else_f, not_taken)
        backward = gast.If(pop(self.stack), body_b or [gast.Pass()], else_b)
        anno.set(backward, "record", record)
        return [stmt], [gast.copy_location(backward, stmt)]

    def for_loop(self, stmt):
        """Replay a loop backwards over the same iterations (a prefix of them after a break).

        A range is evaluated again in the backward sweep when its bounds do not change
        in the loop, else recorded; any other (non-differentiated) iterable is listed
        once in the forward sweep.
        """
        is_range = isinstance(stmt.iter, gast.Call) and anno.get(stmt.iter, "callee") is range
        if not is_range and {n.id for n in walk(stmt.iter) if isinstance(n, gast.Name)} & self.act.varied:
            raise self.src.error("cannot differentiate a loop over this iterable", stmt, "for loop")
        targets = [n.id for n in walk(stmt.target) if isinstance(n, gast.Name)]
        assigned_in_body = {n.id for s in stmt.body for n in walk(s) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}
        guarded = is_range and isinstance(stmt.target, gast.Name) and not set(targets) & assigned_in_body and self.mark_entry_reads(stmt)
        body_f, body_b = self.block(stmt.body)
        # each iteration binds the targets afresh (from values with no derivative): what
        # the iteration accumulated into their adjoints goes nowhere further
        body_b += [marker("consume", adjoint=self.adjoint(v)) for v in targets if self.adjoint(v)]
        save = [marker("save", var=v, site=id(stmt)) for v in targets]
        restore = [marker("restore", var=v, site=id(stmt)) for v in reversed(targets)]
        if not any(not anno.get(b, "marker") == "consume" for b in body_b):
            stmt.body = body_f
            return save + [stmt], restore
        record = self.new_record()
        forward, backward_before, after = [], [], []
        iter_names = {n.id for n in walk(stmt.iter) if isinstance(n, gast.Name)}
        if is_range and not iter_names & assigned_in_body:
            iterations = clone(stmt.iter)  # evaluated again in the backward sweep
        else:
            listed = self.namer.fresh("_iterations")
            value = stmt.iter if is_range else call(ref(list, "list"), stmt.iter)
            forward_list, backward_list = self.statement(gast.copy_location(assign(listed, value), stmt))
            forward += forward_list
            backward_before = backward_list
            stmt.iter = name(listed)
            iterations = name(listed)
        if any(isinstance(n, gast.Break) for n in walk_within(stmt.body, LOOPS)):
            count = self.namer.fresh("_trips")
            start, step, keep = assign(count, const(0)), assign(count, gast.BinOp(name(count), gast.Add(), const(1))), push(name(count), self.stack)
            for s in (start, step, keep):
                anno.set(s, "record", record)
            forward.append(start)
            body_f = [step] + body_f
            after = [keep]
            iterations = gast.Subscript(iterations, gast.Slice(None, pop(self.stack), None), gast.Load())
        stmt.body = body_f
        backward = self.backward_loop(stmt.target, iterations, body_b, guarded, record)
        return save + forward + [stmt] + after, [gast.copy_location(b, stmt) for b in backward] + backward_before + restore

    def backward_loop(self, target, iterations, body, guarded, record):
        """`for target in reversed(iterations): body`, binding the range first if guards need it."""
        target = name(target, gast.Store()) if isinstance(target, str) else clone(target)
        before = []
        if guarded:
            range_name = self.namer.fresh("_iterations")
            before.append(assign(range_name, iterations))
            iterations = name(range_name)
            first = gast.Compare(name(target.id), [gast.NotEq()], [gast.Attribute(name(range_name), "start", gast.Load())])
            for node in walk(gast.Module(body, [])):
                # this loop's guards only: a nested loop's were set to its own first iteration
                if anno.get(node, "iteration_guard") and isinstance(node.test, gast.Name) and node.test.id == _GUARD:
                    node.test = clone(first)
        loop = gast.For(target, gast.Call(ref(reversed, "reversed"), [iterations], []), body, [], None)
        anno.set(loop, "record", record)
        for b in before:
            anno.set(b, "record_companion", record)
        return before + [loop]

    def while_loop(self, stmt):
        guarded = self.mark_entry_reads(stmt)
        body_f, body_b = self.block(stmt.body)
        if not body_b:
            stmt.body = body_f
            return [stmt], []
        record = self.new_record()
        count = self.namer.fresh("_trips")
        start, step, keep = assign(count, const(0)), assign(count, gast.BinOp(name(count), gast.Add(), const(1))), push(name(count), self.stack)
        for s in (start, step, keep):
            anno.set(s, "record", record)
        stmt.body = [step] + body_f
        trips = gast.Call(ref(range, "range"), [pop(self.stack)], [])
        backward = self.backward_loop(self.namer.fresh("_trip"), trips, body_b, guarded, record)
        return [start, stmt, keep], [gast.copy_location(b, stmt) for b in backward]


_GUARD = "_not_first_iteration"


def _contributes_to(stmt, adjoints):
    return anno.get(stmt, "derivative_of") and not anno.get(stmt, "self_accumulating") and stmt.targets[0].id in adjoints


class _DropScalarUnbroadcast(NodeTransformer):
    """`unbroadcast(g, x)` is `g` where x is a constant or a scalar. A class of the
    module's: one made per call is a reference cycle, which kept trees alive until the
    collector ran."""

    def __init__(self, kinds):
        self.kinds = kinds

    def visit_Call(self, node):
        self.generic_visit(node)
        if anno.get(node.func, "object") is runtime.unbroadcast and len(node.args) == 2:
            like = node.args[1]
            if isinstance(like, gast.Constant) or (isinstance(like, gast.Name) and self.kinds.kind(like.id) == "scalar"):
                return node.args[0]
        return node
