"""Constant folding and identities on rule bodies instantiated with constants.

`x ** 2` instantiates the power rule with y = 2, leaving `x ** (2 - (2 != 0))`;
folding turns it into `x ** 1` and then `x`, so the code reads as by hand and does no
needless work. Only operations on literal numbers are folded, and only identities that
hold for every NumPy value (x * 1, x ** 1, x / 1).
"""
import operator

import gast

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


def _is_one(node):
    return _number(node) and type(node.value) is not bool and node.value == 1


class Fold(gast.NodeTransformer):
    def visit_BinOp(self, node):
        self.generic_visit(node)
        if _number(node.left) and _number(node.right) and type(node.op) in _BINARY:
            try:
                return gast.Constant(_BINARY[type(node.op)](node.left.value, node.right.value), None)
            except (ZeroDivisionError, OverflowError):
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

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, gast.USub) and _number(node.operand):
            return gast.Constant(-node.operand.value, None)
        return node


def fold(node):
    return Fold().visit(node)
