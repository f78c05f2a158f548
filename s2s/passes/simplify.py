"""Constant folding: of rule bodies instantiated with constants, and of the constant
factors of a backward sweep's products.

`x ** 2` instantiates the power rule with y = 2, leaving `x ** (2 - (2 != 0))`;
folding turns it into `x ** 1` and then `x`, so the code reads as by hand and does no
needless work. Only operations on literal numbers are folded, and only identities that
hold for every NumPy value (x * 1, x ** 1, x / 1).

`fold_products` then merges the constant factors that products of adjoints pick up
from several rules (`1.0 * 100.0 * (2 * s)`, the seed times a scale times a power's
derivative) where the result is the same number, so that each array is scaled once:
- `c * (k * X)` is `(c * k) * X`, and `(-D) * (k * Y)` is `((-k) * D) * Y`, for a
  literal power of two k >= 1 (not 0.5: halving a subnormal number rounds): `k * X`
  is then exact (barring overflow, where the new form keeps the finite product), so
  either form rounds the same real number once;
- `-(c * X)` is `(-c) * X` for a float literal c (an int one could meet an unsigned
  array, whose negation wraps where `-c * X` raises): negation is exact;
- `D` above is an adjoint, a floating-point value (every adjoint is a product with
  the seed, a float), and a product of literals is Python's, as at run time.
"""
import math
import operator

import gast

from ..syntax import NodeTransformer, walk

_BINARY = {
    gast.Add: operator.add, gast.Sub: operator.sub, gast.Mult: operator.mul, gast.Div: operator.truediv,
    gast.Pow: operator.pow, gast.FloorDiv: operator.floordiv,
}
_COMPARE = {
    gast.Eq: operator.eq, gast.NotEq: operator.ne, gast.Lt: operator.lt, gast.LtE: operator.le,
    gast.Gt: operator.gt, gast.GtE: operator.ge,
}


def _number(node):
    return isinstance(node, gast.Constant) and type(node.value) in (int, float, bool)


def _literal(node):
    """A literal int or float (not a bool: `True * x` is no scaling)."""
    return isinstance(node, gast.Constant) and type(node.value) in (int, float)


def _is_one(node):
    return _number(node) and type(node.value) is not bool and node.value == 1


class _Literals(NodeTransformer):
    """Arithmetic of literal numbers replaced by the number Python computes for it, and
    nothing else: no identities such as `x * 1`, whose result would share the object
    `x` (which the inplace pass, run before fold_products, may update in place), and
    `x * 1.0` is a float array where x holds ints."""

    number = staticmethod(_literal)  # which literals fold
    operators = (gast.Add, gast.Sub, gast.Mult)

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, gast.USub) and self.number(node.operand):
            return gast.Constant(-node.operand.value, None)
        return node

    def visit_BinOp(self, node):
        self.generic_visit(node)
        if self.number(node.left) and self.number(node.right) and isinstance(node.op, self.operators):
            try:
                return gast.Constant(_BINARY[type(node.op)](node.left.value, node.right.value), None)
            except (ZeroDivisionError, OverflowError):
                return node
        return node


class Fold(_Literals):
    """Rule bodies: literals (booleans too) under every operator, comparisons of
    literals, and the identities x * 1, x / 1, x ** 1, 1 * x."""

    number = staticmethod(_number)
    operators = tuple(_BINARY)

    def visit_BinOp(self, node):
        node = super().visit_BinOp(node)
        if not isinstance(node, gast.BinOp):
            return node
        if isinstance(node.op, (gast.Mult, gast.Div, gast.Pow)) and _is_one(node.right):
            return node.left
        if isinstance(node.op, gast.Mult) and _is_one(node.left):
            return node.right
        return node

    def visit_Compare(self, node):
        self.generic_visit(node)
        if len(node.ops) == 1 and _number(node.left) and _number(node.comparators[0]) and type(node.ops[0]) in _COMPARE:
            return gast.Constant(_COMPARE[type(node.ops[0])](node.left.value, node.comparators[0].value), None)
        return node


def fold(node):
    """`node` folded (in place where it can be). A fold needs a literal number as an
    operand of an operator or comparison (the innermost one folded has one as it was
    written): a tree without one is left as it is, found by a walk, which costs a
    third of the transformer's visit (most instantiated rule statements fold nothing)."""
    if not any(_number_operand(n) for n in walk(node)):
        return node
    return Fold().visit(node)


def _number_operand(node):
    if isinstance(node, gast.BinOp):
        return _number(node.left) or _number(node.right)
    if isinstance(node, gast.UnaryOp):
        return _number(node.operand)
    if isinstance(node, gast.Compare):
        return _number(node.left) or any(_number(c) for c in node.comparators)
    return False


def fold_products(stmts, adjoints):
    """`stmts` with the products' constant factors merged, as the module docstring says,
    in the statements that bind a derivative (a name in `adjoints`), in blocks too: the
    backward sweep's arithmetic, never the user's."""
    folder = _ExactProducts(adjoints)
    for stmt in stmts:
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and stmt.targets[0].id in adjoints:
            stmt.value = folder.visit(stmt.value)
        for field in ("body", "orelse"):
            if isinstance(stmt, (gast.For, gast.While, gast.If)):
                fold_products(getattr(stmt, field), adjoints)
    return stmts


def fold_literals(node):
    """`node` with arithmetic of literal numbers (`1.0 * 100.0`) replaced by the number
    Python computes for it, and nothing else."""
    return _Literals().visit(node)


class _ExactProducts(_Literals):
    def __init__(self, adjoints):
        self.adjoints = adjoints

    def visit_Lambda(self, node):
        return node  # reads its names when called: left as written

    def visit_UnaryOp(self, node):
        node = super().visit_UnaryOp(node)
        if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub) and _scaled(node.operand) and type(node.operand.left.value) is float:
            return _product(-node.operand.left.value, node.operand.right)
        return node

    def visit_BinOp(self, node):
        node = super().visit_BinOp(node)
        if not (isinstance(node, gast.BinOp) and isinstance(node.op, gast.Mult)):
            return node
        left, right = node.left, node.right
        if _literal(left) and power_of_two_scaling(right):
            factor = left.value * right.left.value
            if representable(factor):
                return _product(factor, right.right)
        for negated, scaled in ((left, right), (right, left)):
            if (isinstance(negated, gast.UnaryOp) and isinstance(negated.op, gast.USub)
                    and isinstance(negated.operand, gast.Name) and negated.operand.id in self.adjoints
                    and power_of_two_scaling(scaled)):
                return gast.BinOp(_product(-scaled.left.value, negated.operand), gast.Mult(), scaled.right)
        return node


def power_of_two_scaling(node):
    """Whether `node` is `k * X`, X no literal and k a literal power of two >= 1: an exact
    scaling (barring overflow), which may move to another factor of a product."""
    return _scaled(node) and _power_of_two(node.left.value)


def _scaled(node):
    """`c * X`, a literal number times something else."""
    return isinstance(node, gast.BinOp) and isinstance(node.op, gast.Mult) and _literal(node.left) and not _literal(node.right)


def _power_of_two(value):
    return type(value) in (int, float) and value >= 1 and math.isfinite(value) and math.frexp(value)[0] == 0.5


def representable(value):
    """A literal that means what it says: a finite float, or an int any array takes."""
    return math.isfinite(value) if type(value) is float else abs(value) < 2 ** 31


def _product(factor, node):
    return gast.BinOp(gast.Constant(factor, None), gast.Mult(), node)
