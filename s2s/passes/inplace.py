"""Update adjoint arrays in place where that is safe.

Rules never mutate their arguments: `add_at` and `zero_at` return updated copies,
because an adjoint array may be shared (`unbroadcast` may return its argument, so
`a + b` can leave da and db the same array). Copying makes element-by-element loops
quadratic. This pass tracks which adjoint arrays are *owned* — freshly allocated by
this function and not since read in a way that could share them — and turns updates
of owned arrays into the statements one writes by hand: `dx[i] += g`, `dy[i] = 0.0`,
`g = dy[i]`. It runs on the backward sweep after `accumulate`, so it sees real code.
"""

import gast

from .. import anno, runtime
from ..syntax import clone, walk
from .activity import _item_kind, index_is_scalar, ndim_of
from .desugar import runtime_ref, subscript_index

# Functions whose results are new objects that never share their arguments' memory.
_FRESH = {
    runtime.zeros_like, runtime.add_at, runtime.zero_at, runtime.take_grad, runtime.dot_grad_left,
    runtime.dot_grad_right, runtime.matmul_grad_left, runtime.matmul_grad_right, runtime.tensordot_grad_left,
    runtime.tensordot_grad_right, runtime.cumsum_grad,
}
# Functions that return their first argument itself where no broadcasting is needed.
_FIRST_ARGUMENT_OR_FRESH = {runtime.unbroadcast, runtime.broadcast_like, runtime.grad_reduce}


def _callee(node):
    return anno.get(node.func, "object") if isinstance(node, gast.Call) else None


class InPlace:
    def __init__(self, adjoint_primal, activity):
        self.adjoint_primal = adjoint_primal
        self.act = activity

    def run(self, stmts):
        return self.block(stmts, set())

    def is_array(self, adjoint):
        ndim = ndim_of(self.act.kind(self.adjoint_primal.get(adjoint)))
        return ndim is not None and ndim >= 1

    def block(self, stmts, owned):
        out = []
        for stmt in stmts:
            out += self.statement(stmt, owned)
        return out

    def statement(self, stmt, owned):
        if isinstance(stmt, gast.If):
            then_owned, else_owned = set(owned), set(owned)
            stmt.body = self.block(stmt.body, then_owned)
            stmt.orelse = self.block(stmt.orelse, else_owned)
            owned.intersection_update(then_owned & else_owned)
            return [stmt]
        if isinstance(stmt, (gast.For, gast.While)):
            return [self.loop(stmt, owned)]
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
            return [self.assignment(stmt, owned)]
        self.forget_shared(stmt, owned)
        return [stmt]

    def loop(self, stmt, owned):
        """Owned on entry to the body: owned before the loop and after each iteration."""
        entry = set(owned)
        while True:
            after = set(entry)
            self.block(clone(stmt.body), after)
            if entry <= after:
                break
            entry &= after
        stmt.body = self.block(stmt.body, set(entry))
        owned.intersection_update(entry)
        return stmt

    def assignment(self, stmt, owned):
        target, value = stmt.targets[0].id, stmt.value
        callee = _callee(value)
        updated = value.args[0].id if callee in (runtime.add_at, runtime.zero_at) and isinstance(value.args[0], gast.Name) else None
        if updated == target and target in owned and self.is_array(target):
            return gast.copy_location(self.update_in_place(callee, value), stmt)
        if callee is runtime.take_grad and isinstance(value.args[0], gast.Name) and value.args[0].id in owned:
            read = self.element_read(value)
            if read is not None:
                return gast.copy_location(gast.Assign([stmt.targets[0]], read), stmt)
        self.forget_shared(value, owned)
        if self.is_fresh(value, owned):
            owned.add(target)
        else:
            owned.discard(target)
        return stmt

    def update_in_place(self, callee, value):
        d, index = value.args[0].id, value.args[2] if callee is runtime.add_at else value.args[1]
        target = gast.Subscript(gast.Name(d, gast.Load(), None, None), subscript_index(index), gast.Store())
        if callee is runtime.zero_at:
            return gast.Assign([target], gast.Constant(0.0, None))  # the overwritten items get nothing
        if self.basic_index(index):
            return gast.AugAssign(target, gast.Add(), value.args[3])
        update = gast.Call(runtime_ref(runtime.add_at_inplace), [gast.Name(d, gast.Load(), None, None), index, value.args[3]], [])
        return gast.Assign([gast.Name(d, gast.Store(), None, None)], update)

    def basic_index(self, index):
        """An index that selects each item at most once (`+=` then adds, never loses, updates)."""
        parts = index.elts if isinstance(index, gast.Tuple) else [index]
        return all(index_is_scalar(p, self.act.kinds) or _callee(p) is slice for p in parts)

    def element_read(self, take):
        """`take_grad(d, i, v, x)` as `d[i]` where that reads one element (a copy, not a
        view) of an array of known dimensions: one of floats or complex numbers
        (activity.ndim_of), which stores a value unrounded."""
        d, index, value, _ = take.args
        kind = self.act.kind(self.adjoint_primal.get(d.id))
        if _item_kind(kind, subscript_index(index), self.act.kinds) != "scalar":
            return None
        if isinstance(value, gast.Name) and self.act.kind(value.id) != "scalar":
            return None
        return gast.Subscript(gast.Name(d.id, gast.Load(), None, None), subscript_index(index), gast.Load())

    def is_fresh(self, value, owned):
        if isinstance(value, (gast.BinOp, gast.UnaryOp)):
            return True
        callee = _callee(value)
        if callee is runtime.zero_at:  # of a lazy zero (None) it is None: fresh only from an owned array
            return isinstance(value.args[0], gast.Name) and value.args[0].id in owned
        if callee in _FRESH:
            return True
        if callee in _FIRST_ARGUMENT_OR_FRESH:
            return self.is_fresh(value.args[0], owned)
        return False

    def forget_shared(self, node, owned):
        """An adjoint read where it may end up shared is no longer owned."""
        if owned:  # none owned: none to forget, no walk
            owned.difference_update(_shared_reads(node))


def _shared_reads(node):
    """Names read in `node` other than as operands or as arguments of fresh-result calls.
    One walk: it is breadth first, so an operator or call comes before its operands."""
    safe, shared = set(), set()
    for n in walk(node):
        if isinstance(n, (gast.BinOp, gast.UnaryOp, gast.Compare)):
            operands = [n.left, n.right] if isinstance(n, gast.BinOp) else [n.operand] if isinstance(n, gast.UnaryOp) else [n.left, *n.comparators]
            safe.update(id(o) for o in operands)
        elif isinstance(n, gast.Call) and _callee(n) in _FRESH:
            safe.update(id(a) for a in n.args)
        elif isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load) and id(n) not in safe:
            shared.add(n.id)
    return shared
