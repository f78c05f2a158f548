"""Arithmetic of invariant scalars in a backward loop, computed once before the loop.

An adjoint that reads a derivative of a parameter's power, `2 * x` for `x ** 2`,
evaluates it again on every trip of the backward loop, although its value is the
same on each. Such an expression is computed once, into a name bound just before
the outermost loop of the backward sweep that holds it, when it is
- arithmetic (`+`, `-`, `*`, unary `-`) of numeric literals and *invariant scalar
  parameters* (records.invariant_scalar_params: of kind "scalar", never bound in
  the forward sweep, so bound, and to the same immutable number, everywhere in the
  backward sweep): its value before the loop is its value on every trip;
- arithmetic that neither raises nor has an effect: `+`, `-` and `*` of Python's
  ints, floats and complexes and of NumPy's scalars give a number (inf where they
  overflow, which NumPy warns of). Computing it once, or where the loop makes no
  trip, changes no value the caller sees (a program that sets
  `np.seterr(all="raise")` could see a FloatingPointError from a NumPy scalar's
  overflow that a loop of no trips would not have raised).
"""
import gast

from ..syntax import NodeTransformer, assign, name
from .anf import OPERATION_NAMES

_OPERATORS = (gast.Add, gast.Sub, gast.Mult)


def hoist_invariant_arithmetic(backward, invariant, namer):
    """`backward` (statements of a backward sweep) with each loop's arithmetic of
    `invariant` names and literals computed before the loop, once per expression."""
    out = []
    for stmt in backward:
        if isinstance(stmt, (gast.For, gast.While)):
            hoisted = _Hoister(invariant, namer)
            hoisted.visit(stmt)
            out += [assign(target, value) for target, value in hoisted.bindings.values()]
        out.append(stmt)
    return out


class _Hoister(NodeTransformer):
    def __init__(self, invariant, namer):
        self.invariant, self.namer = invariant, namer
        self.bindings = {}  # dump of the expression -> (the name bound to it, the expression)

    def visit_FunctionDef(self, node):
        return node  # a nested function reads names when it runs: left as written

    visit_Lambda = visit_FunctionDef

    def visit_BinOp(self, node):
        return self._hoisted(node) or self.generic_visit(node)

    def visit_UnaryOp(self, node):
        return self._hoisted(node) or self.generic_visit(node)

    def _hoisted(self, node):
        if not self._invariant(node) or not any(isinstance(n, gast.Name) for n in gast.walk(node)):
            return None  # arithmetic of literals alone Python folds as it compiles
        key = gast.dump(node)
        if key not in self.bindings:
            self.bindings[key] = (self.namer.fresh(f"_{OPERATION_NAMES[type(node.op)]}"), node)
        return name(self.bindings[key][0])

    def _invariant(self, node):
        if isinstance(node, gast.Constant):
            return type(node.value) in (int, float, complex)
        if isinstance(node, gast.Name):
            return node.id in self.invariant
        if isinstance(node, gast.BinOp):
            return isinstance(node.op, _OPERATORS) and self._invariant(node.left) and self._invariant(node.right)
        if isinstance(node, gast.UnaryOp):
            return isinstance(node.op, gast.USub) and self._invariant(node.operand)
        return False

