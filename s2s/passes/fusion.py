"""Adjoint factors from a value's operands, where the value is computed for them alone.

A rule's adjoint reads the primitive's result where that is cheapest: logaddexp's
factor `exp(a - result)` costs one exp once the forward sweep has the result. A
gradient leaves out the forward statements whose values only its seed read
(program.py, with the facts of passes/shapes.py); where what `r = np.logaddexp(a, b)`
computes is then read only by its own adjoint, computing it (a log1p of an exp, four
times an exp's cost) for that alone is waste. Here, in a gradient's top-level body:
- each factor `exp(a - r)` becomes `logistic(a - b)` (`logistic(a)` for b = 0):
  exp(a) / (exp(a) + exp(b)) is 1 / (1 + exp(b - a)), which runtime.logistic computes
  from exp(-|a - b|) alone;
- each read of r for its shape and realness (the `like` of `unbroadcast(g, r)` and
  of `broadcast_like(g, r)`) reads the operand of r's shape class instead: r is real,
  and so is that operand once the seed has checked it (the reads are in the backward
  sweep, after the seed);
and r's binding goes, where the gradient may leave it out (`may_drop`, which holds
where r's operands are numbers or stable names, bound before r and never again, so
that they hold what r read wherever they are read after it, and the seed checks their
complexness: passes/shapes.py, "fails if complex").
"""
import gast
import numpy

from .. import anno, runtime
from ..syntax import NodeTransformer, call, called, clone, ref, walk

_SHAPE_READS = (runtime.unbroadcast, runtime.broadcast_like)


def logaddexp_factors(body, facts, may_drop, seed_index):
    """`body` (a gradient's top-level statements, its seed at `seed_index`) with each
    logaddexp computed only for its adjoint left out, as above."""
    if seed_index is None:
        return body
    for stmt in list(body):
        fusion = _Fusion.of(stmt, facts, may_drop)
        if fusion is not None and fusion.reads_fused(body, seed_index):
            body = [fusion.rewrite(s) for s in body if s is not stmt]
    return body


class _Fusion:
    """The binding `r = np.logaddexp(a, b)` and what its reads become."""

    def __init__(self, result, operands, like):
        self.result, self.operands, self.like = result, operands, like

    @classmethod
    def of(cls, stmt, facts, may_drop):
        if not (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and isinstance(stmt.value, gast.Call)):
            return None
        value, result = stmt.value, stmt.targets[0].id
        if anno.get(value, "callee") is not numpy.logaddexp or value.keywords or len(value.args) != 2 or not may_drop(stmt):
            return None
        shape_class = facts.shape_class.get(result)
        like = next((o.id for o in value.args if isinstance(o, gast.Name) and facts.shape_class.get(o.id) == shape_class), None)
        return None if like is None else cls(result, value.args, like)

    def reads_fused(self, body, seed_index):
        """Whether every read of the result is a factor or a shape read, after the seed."""
        fused = reads = 0
        for i, stmt in enumerate(body):
            for node in walk(stmt):
                if isinstance(node, gast.Name) and node.id == self.result and isinstance(node.ctx, gast.Load):
                    reads += 1
                elif isinstance(node, gast.Call) and i > seed_index and (self._factor(node) or self._shape_read(node)):
                    fused += 1
        return reads == fused

    def _factor(self, node):
        """`a` of `exp(a - r)`, a being an operand of r's binding, or None."""
        if called(node) is not numpy.exp or len(node.args) != 1 or node.keywords:
            return None
        difference = node.args[0]
        if not (isinstance(difference, gast.BinOp) and isinstance(difference.op, gast.Sub)):
            return None
        if not (isinstance(difference.right, gast.Name) and difference.right.id == self.result):
            return None
        return next((o for o in self.operands if _same_atom(o, difference.left)), None)

    def _shape_read(self, node):
        return (
            called(node) in _SHAPE_READS and len(node.args) == 2 and not node.keywords
            and isinstance(node.args[1], gast.Name) and node.args[1].id == self.result
            and not any(isinstance(n, gast.Name) and n.id == self.result for n in walk(node.args[0]))
        )

    def rewrite(self, stmt):
        return _Rewrite(self).visit(stmt)


class _Rewrite(NodeTransformer):
    def __init__(self, fusion):
        self.fusion = fusion

    def visit_Call(self, node):
        node = self.generic_visit(node)
        a = self.fusion._factor(node)
        if a is not None:
            first, second = self.fusion.operands
            b = second if a is first else first
            argument = clone(a) if _is_zero(b) else gast.BinOp(clone(a), gast.Sub(), clone(b))
            return call(ref(runtime.logistic, "logistic"), argument)
        if self.fusion._shape_read(node):
            node.args[1] = gast.Name(self.fusion.like, gast.Load(), None, None)
        return node


def _same_atom(a, b):
    if isinstance(a, gast.Name) and isinstance(b, gast.Name):
        return a.id == b.id
    return isinstance(a, gast.Constant) and isinstance(b, gast.Constant) and type(a.value) is type(b.value) and a.value == b.value


def _is_zero(atom):
    return isinstance(atom, gast.Constant) and type(atom.value) in (int, float) and atom.value == 0
