"""Keep the seed of a gradient a scalar through the top of the backward sweep.

The gradient of `np.sum(v)` is an array of ones shaped like `v`; a backward sweep that
builds it multiplies every adjoint after it by ones. Here an adjoint may instead hold
a *uniform* value: a real scalar u standing for the array of v's shape filled with u.
Broadcasting makes u act as that array wherever it meets an array of v's shape or a
scalar, so the statements through which it flows compute the same values.

Abstract values of an adjoint expression (the facts come from passes/shapes.py):
- REAL: a real scalar (the seed 1.0, literal numbers, arithmetic of them);
- ("uniform", c): a real scalar standing for an array of shape class c;
- ("array", c, real): an array of shape class c (a uniform value broadcast against
  one), real when it is arithmetic of real values: the seed, and primal names whose
  complexness follows from the sources the seed checked (`real_output_seed` raises
  if one is complex).
`grad_reduce(u, v, None, False)` (a full reduction's adjoint) of a REAL u is uniform in
v's class; `unbroadcast(g, like)` with g uniform or a real array of like's class is g
(the shapes are equal, and there is no imaginary part to drop; on an array that may be
complex the call stays); arithmetic keeps the class.
Any other use of a uniform adjoint first makes it the array it stands for
(`broadcast_like`), as do returning it and control flow.
"""
import gast

from .. import anno, runtime
from ..syntax import assign, call, name, ref, walk
from . import simplify
from .activity import ndim_of

REAL = ("real",)
SEED = 1.0  # what real_output_seed returns: the seed's reads become this literal


def keep_seed_scalar(backward, seed, facts, primal_of, kinds, returned, checked):
    """`backward` (top-level statements, after records) with the adjoint `seed` (a real
    scalar) kept uniform where the shape facts allow; `primal_of` maps adjoint names to
    their primal names; `checked` are the names the seed found real."""
    values = {seed: REAL}
    literals = {seed: SEED}  # names holding a literal number, until rebound: read as it
    out = []

    def materialize(names):
        for d in sorted(n for n in names if n in values):
            if values.pop(d)[0] == "uniform":
                like = _first_of_class(primal_of[d], facts, kinds)
                value = gast.Constant(literals.pop(d), None) if d in literals else name(d)
                out.append(assign(d, call(ref(runtime.broadcast_like, "broadcast_like"), value, name(like))))

    for stmt in backward:
        target = stmt.targets[0].id if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) else None
        evaluated = _Evaluator(values, facts, kinds, checked, literals).evaluate(stmt.value) if target else None
        stored = {n.id for n in walk(stmt) if isinstance(n, gast.Name) and not isinstance(n.ctx, gast.Load)}
        for n in stored:
            literals.pop(n, None)
        fact = _fact_for(target, evaluated[0], facts, primal_of, kinds) if evaluated else None
        if fact is None:
            materialize({n.id for n in walk(stmt) if isinstance(n, gast.Name)})
            values.pop(target, None)
            for n in stored:
                values.pop(n, None)
            out.append(stmt)
            continue
        stmt.value = evaluated[1]
        values[target] = fact
        if isinstance(stmt.value, gast.Constant):
            literals[target] = stmt.value.value
        out.append(stmt)
    materialize(set(returned))
    return out


def _first_of_class(primal, facts, kinds):
    """The stable array name bound first (a parameter, or the earliest statement) whose
    shape is `primal`'s: what a uniform adjoint of `primal` is broadcast to, so that
    `primal` itself is not kept for its shape alone (a forward value only the sum read
    then goes). Stable names hold their values through the sweep."""
    wanted = facts.shape_class[primal]
    return next(n for n, c in facts.shape_class.items() if c == wanted and _is_array(n, kinds))


def _fact_for(target, value, facts, primal_of, kinds):
    """What `target = <value>` makes the target (its abstract value), or None when the
    value is no adjoint of the target's shape (make inputs arrays)."""
    primal = primal_of.get(target)
    if primal is None or value is None:
        return None
    if value == REAL:
        return REAL if kinds.get(primal) == "scalar" else None
    if facts.shape_class.get(primal) != value[1] or not _is_array(primal, kinds):
        return None
    return value


class _Evaluator:
    def __init__(self, values, facts, kinds, checked, literals):
        self.values, self.facts, self.kinds, self.checked = values, facts, kinds, checked
        self.literals = literals

    def evaluate(self, node):
        """(abstract value, the node rewritten), or None where the rules above do not apply."""
        if isinstance(node, gast.Constant) and type(node.value) in (int, float):
            return REAL, node
        if isinstance(node, gast.Name):
            if node.id in self.literals:
                return self.values[node.id], gast.Constant(self.literals[node.id], None)
            if node.id in self.values:
                return self.values[node.id], node
            if node.id in self.facts.shape_class and _is_array(node.id, self.kinds):
                sources = self.facts.complex_sources.get(node.id)
                return ("array", self.facts.shape_class[node.id], sources is not None and sources <= self.checked), node
            return None
        if isinstance(node, gast.UnaryOp) and isinstance(node.op, (gast.USub, gast.UAdd)):
            inner = self.evaluate(node.operand)
            return inner and (inner[0], simplify.fold_literals(gast.UnaryOp(node.op, inner[1])))
        if isinstance(node, gast.BinOp) and isinstance(node.op, (gast.Add, gast.Sub, gast.Mult, gast.Div)):
            left, right = self.evaluate(node.left), self.evaluate(node.right)
            if left is None or right is None:
                return None
            combined = _combine(left[0], right[0])
            return combined and (combined, simplify.fold_literals(_scalar_first(left, node.op, right)))
        if isinstance(node, gast.Call) and not node.keywords:
            return self.helper_call(node)
        return None

    def helper_call(self, node):
        callee = anno.get(node.func, "object")
        args = node.args
        if callee is runtime.unbroadcast and len(args) == 2 and isinstance(args[1], gast.Name):
            g, like = self.evaluate(args[0]), args[1].id
            if g is None:
                return None
            if g[0] == REAL and self.kinds.get(like) == "scalar":
                return g  # a scalar onto a scalar: nothing to sum, nothing imaginary
            if g[0] != REAL and self.facts.shape_class.get(like) == g[0][1] and _is_array(like, self.kinds):
                if g[0][0] == "uniform" or g[0][2]:
                    return g  # equal shapes, and a real value
                return g[0], gast.Call(node.func, [g[1], args[1]], [])
            return None
        if callee is runtime.size and len(args) == 1 and isinstance(args[0], gast.Name) and args[0].id in self.facts.shape_class:
            # a count of elements (np.mean's adjoint divides by it): that of a full
            # reduction is 1, that of an array the first of its class's (so the value
            # itself need not be kept for its size)
            x = args[0].id
            if not self.facts.shape_class[x]:
                return REAL, gast.Constant(1, None)
            if _is_array(x, self.kinds):
                return REAL, gast.Call(node.func, [name(_first_of_class(x, self.facts, self.kinds))], [])
            return None
        if callee is runtime.grad_reduce and len(args) == 4 and _is_constant(args[2], None) and _is_constant(args[3], False):
            g, x = self.evaluate(args[0]), args[1]
            if g is not None and g[0] == REAL and isinstance(x, gast.Name) and x.id in self.facts.shape_class and _is_array(x.id, self.kinds):
                return ("uniform", self.facts.shape_class[x.id]), g[1]
        return None


def _scalar_first(left, op, right):
    """`left op right` (evaluated operands); a product of a scalar (a real one, or a
    uniform value's) and `k * X`, k a power of two, as `scalar * k * X`: the scalars
    multiply first, the array is scaled once, and the real number rounded is the same
    (simplify.power_of_two_scaling)."""
    if isinstance(op, gast.Mult):
        for scalar, scaled in ((left, right), (right, left)):
            if scalar[0][0] in ("real", "uniform") and simplify.power_of_two_scaling(scaled[1]):
                if isinstance(scalar[1], gast.Constant) and not simplify.representable(scalar[1].value * scaled[1].left.value):
                    continue  # a literal product no array would take
                factor = gast.BinOp(scalar[1], gast.Mult(), scaled[1].left)
                return gast.BinOp(factor, gast.Mult(), scaled[1].right)
    return gast.BinOp(left[1], op, right[1])


def _is_array(primal, kinds):
    return ndim_of(kinds.get(primal)) not in (None, 0)


def _is_constant(node, value):
    return isinstance(node, gast.Constant) and node.value is value


def _combine(a, b):
    """The abstract value of `a op b` for elementwise arithmetic."""
    if a == REAL:
        return b
    if b == REAL:
        return a
    if a[1] != b[1]:
        return None
    if a[0] == b[0] == "uniform":
        return a
    return ("array", a[1], _real(a) and _real(b))


def _real(value):
    return value[0] == "uniform" or value[2]
