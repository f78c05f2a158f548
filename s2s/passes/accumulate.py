"""Decide how derivative contributions accumulate in a backward sweep.

The generator emits `dx += value` contributions and adjoint blocks. Walking the
backward sweep in execution order with the set of adjoints that are certainly defined,
this pass turns the first contribution on a path into `dx = value` and later ones into
`dx = dx + value` (or `add_grad` for containers), drops adjoint blocks whose result's
adjoint is certainly zero, and initializes adjoints to zero only where paths merge
with different sets defined (after branches, around loops).
"""

import gast

from .. import anno, runtime
from ..syntax import NodeTransformer, assign, call, clone, loads, marker, name, ref, walk
from .activity import is_numeric
from .blocks import LOOPS, walk_within


class Accumulate:
    def __init__(self, adjoint_primal, activity):
        self.adjoint_primal = adjoint_primal
        self.act = activity

    def run(self, stmts, defined, required=()):
        defined = set(defined)
        out = self.block(stmts, defined)
        out += [self.zero(d) for d in required if d not in defined]
        _relax_guards(out, out)
        return out

    def zero(self, adjoint, soft=False):
        """`adjoint = 0`: a real zero of the primal's shape, or the scalar 0.0 where that
        is enough (a scalar primal, or a `soft` zero that is only ever added to)."""
        primal = self.adjoint_primal[adjoint]
        if self.act.kind(primal) == "scalar" or (soft and is_numeric(self.act.kind(primal))):
            return assign(adjoint, gast.Constant(0.0, None))
        return assign(adjoint, call(ref(runtime.zeros_like, "zeros_like"), name(primal)))

    def block(self, stmts, defined):
        out = []
        for stmt in stmts:
            out += self.statement(stmt, defined)
        return out

    def statement(self, stmt, defined):
        kind = anno.get(stmt, "marker")
        if kind == "consume":
            defined.discard(anno.get(stmt, "adjoint"))
            return []
        if kind == "zero":
            defined.add(anno.get(stmt, "adjoint"))
            return [self.zero(anno.get(stmt, "adjoint"))]
        if kind:
            return [stmt]
        if anno.has(stmt, "adjoint_block"):
            return self.adjoint_block(stmt, defined)
        if anno.get(stmt, "derivative_of"):
            return self.contribution(stmt, defined)
        if isinstance(stmt, gast.If):
            return [self.branches(stmt, defined)]
        if isinstance(stmt, gast.For):
            return self.loop(stmt, defined)
        return [self.read_zeros(stmt, defined)]

    def adjoint_block(self, stmt, defined):
        requires = anno.get(stmt, "adjoint_block")
        inits = []
        if not any(r in defined for r in requires):
            must_run = anno.get(stmt, "must_run")
            if not must_run:
                return []  # the result's adjoint is zero on every path here
            if must_run != "none":  # "none": the rule reads a zero adjoint as None
                inits = [self.zero(r) for r in requires]
                defined.update(requires)
        line = anno.get(stmt, "origin_line")
        header = [marker("comment", line=line)] if line else []
        return header + inits + self.block(stmt.body, defined)

    def contribution(self, stmt, defined):
        target = stmt.targets[0].id
        value = self.read_zeros(stmt.value, defined)
        if _lazy_zero(value):
            return []  # zero_at(None, i): the items of a zero adjoint, zeroed: nothing to add
        if anno.get(stmt, "self_accumulating") or target not in defined:
            new = assign(target, value)
        elif is_numeric(self.act.kind(self.adjoint_primal.get(target))):
            new = assign(target, gast.BinOp(name(target), gast.Add(), value))
        else:
            new = assign(target, call(ref(runtime.add_grad, "add_grad"), name(target), value))
        defined.add(target)
        return [gast.copy_location(new, stmt)]

    def read_zeros(self, node, defined):
        """Reads of adjoints that are certainly zero here become None (no adjoint)."""
        return _ReadZeros(self.adjoint_primal, defined).visit(node)

    def branches(self, stmt, defined):
        then_defined, else_defined = set(defined), set(defined)
        stmt.body = self.block(stmt.body, then_defined) or [gast.Pass()]
        stmt.orelse = self.block(stmt.orelse, else_defined)
        stmt.body += [self.zero(d) for d in sorted(else_defined - then_defined)]
        stmt.orelse += [self.zero(d) for d in sorted(then_defined - else_defined)]
        defined.clear()
        defined.update(then_defined | else_defined)
        return stmt

    def loop(self, stmt, defined):
        """Adjoints carried across iterations must be defined on entry and on exit."""
        entry = set(defined)
        inits = []
        while True:
            inside = set(entry)
            body = self.block(clone(stmt.body), inside)
            grown = sorted(inside - entry)
            if not grown:
                break
            inits += [self.zero(d) for d in grown]
            entry.update(grown)
        zeros = [self.zero(d, soft=_accumulates_first(body, d)) for d in sorted(entry - inside)]
        body += zeros
        stmt.body = body or [gast.Pass()]
        defined.clear()
        defined.update(entry)
        # a soft zero is added to by the next iteration, but the last one's leaves the
        # loop, where the adjoint may be indexed (add_at): there it stands for real zeros
        after = [
            assign(z.targets[0].id, call(ref(runtime.soft_zero_as, "soft_zero_as"), name(z.targets[0].id),
                                         name(self.adjoint_primal[z.targets[0].id])))
            for z in zeros
            if isinstance(z.value, gast.Constant) and self.act.kind(self.adjoint_primal[z.targets[0].id]) != "scalar"
        ]
        return inits + [stmt] + after


def _lazy_zero(value):
    """A contribution that is None at run time: zeroing items of a zero adjoint."""
    return (
        isinstance(value, gast.Call)
        and anno.get(value.func, "object") is runtime.zero_at
        and isinstance(value.args[0], gast.Constant)
        and value.args[0].value is None
    )


def _relax_guards(stmts, function_body, reread=frozenset()):
    """A first-iteration guard zeroes the entry value's adjoint only if code reads it
    after the guard: outside the loop, or later in the loop body (the first iteration is
    the backward sweep's last, so nothing before the guard reads the zero); otherwise
    None (no allocation) is as good. Inside another loop, the next iteration of that
    loop runs this one again and reads the value anywhere in it (`reread`)."""
    for stmt in stmts:
        if isinstance(stmt, (gast.For, gast.While)):
            inner_reread = reread or loads(stmt)
        if isinstance(stmt, gast.For):
            inside = {id(n) for n in walk(stmt)}
            read_outside = {
                n.id
                for s in function_body
                for n in walk(s)
                if id(n) not in inside and isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)
            }
            for node in walk_within(stmt.body, LOOPS):  # the guards of this loop, not of loops inside it
                if anno.get(node, "iteration_guard") and node.orelse:
                    zero = node.orelse[0]
                    target = zero.targets[0].id
                    if target not in read_outside and target not in reread and target not in _loads_after(stmt.body, node):
                        zero.value = gast.Constant(None, None)
        for field in ("body", "orelse"):
            nested = isinstance(stmt, (gast.For, gast.While)) and field == "body"
            _relax_guards(getattr(stmt, field, []) or [], function_body, inner_reread if nested else reread)


def _loads_after(body, guard):
    """The names read in `body` after the statement `guard`, in source order."""
    loads, seen = set(), False

    def visit(node):
        nonlocal seen
        if node is guard:
            seen = True
            return
        if seen and isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load):
            loads.add(node.id)
        for child in gast.iter_child_nodes(node):
            visit(child)

    for stmt in body:
        visit(stmt)
    return loads


def _accumulates_first(body, adjoint):
    """Is the first use of `adjoint` in `body` an unconditional `adjoint = adjoint + x`?"""
    for stmt in body:
        uses = {n.id for n in walk(stmt) if isinstance(n, gast.Name)}
        if adjoint not in uses:
            continue
        return (
            isinstance(stmt, gast.Assign)
            and isinstance(stmt.targets[0], gast.Name)
            and stmt.targets[0].id == adjoint
            and isinstance(stmt.value, gast.BinOp)
            and isinstance(stmt.value.op, gast.Add)
            and isinstance(stmt.value.left, gast.Name)
            and stmt.value.left.id == adjoint
            and adjoint not in {n.id for n in walk(stmt.value.right) if isinstance(n, gast.Name)}
        )
    return False


class _ReadZeros(NodeTransformer):
    """Reads of the adjoints not in `defined` become None. A class of the module's: one
    made per call is a reference cycle, which kept trees alive until the collector ran."""

    def __init__(self, adjoints, defined):
        self.adjoints, self.defined = adjoints, defined

    def visit_Name(self, n):
        if isinstance(n.ctx, gast.Load) and n.id in self.adjoints and n.id not in self.defined:
            return gast.Constant(None, None)
        return n
