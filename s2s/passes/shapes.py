"""Shape facts over a function in A-normal form: which values have equal shapes, which
statements cannot fail, and what decides whether a value is complex.

The facts hold for the *stable* names: bound once, by a top-level assignment (or a
parameter never rebound), so a name holds one value wherever it is read after its
binding, in the forward sweep and in the backward sweep alike. A parameter bound once
at the top level holds the argument before that: a read there is of no stable name.
Every fact follows from one statement and the facts of its operands:

- shape class: a set of atoms (a parameter, a value of unknown shape, a slice) whose
  shapes broadcast together to the value's; names with equal classes have equal shapes.
  An elementwise operation (arithmetic, unary minus, a one-output ufunc) that succeeds
  has the union of its operands' classes (scalars, shape `()`, add nothing); a slice
  `x[a:-b]` of a 1-d array has `max(0, len(x) - a - b)` elements, so slices of one
  array with equal `a + b` share a class (`x[1:]` and `x[:-1]`).
- cannot fail: an elementwise operation of arrays whose classes nest (one holds all the
  others' atoms: each of their shapes then broadcasts to its shape, `z` against
  `y * z`), or of an array and a scalar, a slice as above, and `np.sum(x)` or
  `np.mean(x)` of an array (a scalar: the empty class, shape `()`) are NumPy
  operations that, on numeric arrays (the arrays s2s differentiates through), neither
  raise (no broadcasting error; NumPy warns, not raises, on division by zero, and the
  mean of no elements is nan) nor have effects, so one whose value nobody reads may be
  left out (a program that sets `np.seterr(all="raise")` would see no
  FloatingPointError from it).
- complex sources: `a + b`, `a - b`, `a * b`, `a / b`, `-a`, `a ** c` (c an integral
  constant, or a real constant and `a` an array: a Python float to a fractional power
  is complex where it is negative, a NumPy array's element nan) and slices are complex
  exactly when an operand is; a name's sources are the stable names its complexness
  follows from through such operations. A ufunc defined on real numbers alone
  (`np.logaddexp`) is real: it has none.
- fails if complex: such a ufunc, on operands whose classes nest as above, raises
  (TypeError) exactly where an operand is complex: the stable names that decide it are
  its operands' complex sources. A gradient whose seed checks them (`real_output_seed`
  raises a TypeError too) may leave it out where nothing reads its value.
"""
import dataclasses

import gast
import numpy

from .. import anno
from ..syntax import walk
from .activity import ndim_of

_ELEMENTWISE = (gast.Add, gast.Sub, gast.Mult, gast.Div, gast.Pow)
_COMPLEX_FOLLOWS = (gast.Add, gast.Sub, gast.Mult, gast.Div)


@dataclasses.dataclass
class ShapeFacts:
    shape_class: dict  # stable name -> frozenset of atoms; equal classes, equal shapes
    cannot_fail: set  # stable names whose binding neither raises nor has an effect
    complex_sources: dict  # stable name -> frozenset of stable names, or None (unknown)
    fails_if_complex: dict  # stable name -> frozenset of stable names: its binding fails only where one is complex

    def same_shape(self, a, b):
        return a in self.shape_class and self.shape_class.get(a) == self.shape_class.get(b)


def analyze(fn_node, params, kinds):
    counts = {}
    for node in walk(gast.Module(fn_node.body, [])):
        if isinstance(node, gast.Name) and isinstance(node.ctx, (gast.Store, gast.Del)):
            counts[node.id] = counts.get(node.id, 0) + 1
    arguments = [p for p in params if p not in counts]  # parameters never rebound
    facts = ShapeFacts({p: frozenset([p]) for p in arguments}, set(), {p: frozenset([p]) for p in arguments}, {})
    # the stable names bound so far: a parameter bound once at the top level is one from
    # its binding on, and before it holds the argument, which no fact describes
    stable = set(arguments)
    for stmt in fn_node.body:
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and counts[stmt.targets[0].id] == 1:
            _bind(facts, stmt.targets[0].id, stmt.value, kinds, stable)
            stable.add(stmt.targets[0].id)
    return facts


def _bind(facts, target, value, kinds, stable):
    operands = _operands(value)
    if operands is None or not all(_is_number(o) or (isinstance(o, gast.Name) and o.id in stable) for o in operands):
        facts.shape_class[target] = frozenset([target])
        facts.complex_sources[target] = frozenset([target])
        return
    shape_class = _shape_class(value, operands, facts, kinds)
    facts.shape_class[target] = frozenset([target]) if shape_class is None else shape_class
    sources = _complex_sources(value, operands, facts, kinds)
    facts.complex_sources[target] = frozenset([target]) if sources is None else sources
    if isinstance(value, gast.Name):
        facts.cannot_fail.add(target)
    elif _broadcasts(operands, facts, kinds):
        if _cannot_fail(value):
            facts.cannot_fail.add(target)
        elif isinstance(value, gast.Call) and anno.get(value, "callee") in _REAL_UFUNCS:
            facts.fails_if_complex[target] = _sources_of(operands, facts)


def _operands(value):
    """The atoms an elementwise operation, slice or full reduction reads; None for other values."""
    if isinstance(value, gast.BinOp) and isinstance(value.op, _ELEMENTWISE):
        return [value.left, value.right]
    if isinstance(value, gast.UnaryOp) and isinstance(value.op, gast.USub):
        return [value.operand]
    if isinstance(value, gast.Name):
        return [value]
    if isinstance(value, gast.Subscript) and isinstance(value.value, gast.Name) and _slice_offset(value.slice) is not None:
        return [value.value]
    if isinstance(value, gast.Call) and not value.keywords and _is_elementwise_call(value):
        return list(value.args)
    return None


def _is_elementwise_call(value):
    callee = anno.get(value, "callee")
    return (isinstance(callee, numpy.ufunc) and callee.nout == 1 and len(value.args) == callee.nin) or (
        callee in _FULL_REDUCTIONS and len(value.args) == 1
    )


def _is_number(atom):
    return isinstance(atom, gast.Constant) and type(atom.value) in (int, float)


def _is_scalar(atom, kinds):
    return _is_number(atom) or kinds.get(atom.id) == "scalar"


def _shape_class(value, operands, facts, kinds):
    if isinstance(value, gast.Call) and anno.get(value, "callee") in _FULL_REDUCTIONS:
        return frozenset()  # a scalar: shape (), which broadcasting leaves alone
    if isinstance(value, gast.Subscript):
        base = value.value.id
        if ndim_of(kinds.get(base)) != 1:
            return None
        return frozenset([("slice", facts.shape_class[base], _slice_offset(value.slice))])
    return frozenset().union(*(facts.shape_class[o.id] for o in operands if not _is_scalar(o, kinds))) or None


def _slice_offset(index):
    """a + b for `[a:-b]`, `[a:]`, `[:-b]` with integer a >= 0, b >= 0 (the elements it
    leaves out of a 1-d array), else None."""
    if not isinstance(index, gast.Slice) or index.step is not None:
        return None
    start = 0 if index.lower is None else _int(index.lower)
    stop = 0 if index.upper is None else _int(index.upper)
    if start is None or stop is None or start < 0 or stop > 0 or (index.upper is not None and stop == 0):
        return None  # x[a:0] is empty: not len(x) - a
    return start - stop


def _int(node):
    if isinstance(node, gast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        inner = _int(node.operand)
        return None if inner is None else -inner
    return None


def _complex_sources(value, operands, facts, kinds):
    follows = (
        isinstance(value, (gast.Name, gast.Subscript))
        or isinstance(value, gast.UnaryOp)
        or (isinstance(value, gast.BinOp) and isinstance(value.op, _COMPLEX_FOLLOWS))
        or (isinstance(value, gast.BinOp) and isinstance(value.op, gast.Pow) and _real_power(value, kinds))
    )
    if isinstance(value, gast.Call) and anno.get(value, "callee") in _REAL_UFUNCS:
        return frozenset()
    return _sources_of(operands, facts) if follows else None


def _sources_of(operands, facts):
    return frozenset().union(*(facts.complex_sources[o.id] for o in operands if isinstance(o, gast.Name)))


def _real_power(value, kinds):
    """`a ** c` is real for every real `a`: c an integral constant, or a real constant
    and `a` an array (NumPy gives nan for a negative element to a fractional power)."""
    exponent = value.right.value if isinstance(value.right, gast.Constant) else None
    if type(exponent) is int or (type(exponent) is float and exponent.is_integer()):
        return True
    base = value.left
    return type(exponent) is float and isinstance(base, gast.Name) and ndim_of(kinds.get(base.id)) not in (None, 0)


def _broadcasts(operands, facts, kinds):
    """Whether the operands are arrays and numbers that broadcast together: an array
    among them, of known dimensions, whose shape class holds the others'."""
    arrays = [o.id for o in operands if not _is_scalar(o, kinds)]
    if not arrays or any(ndim_of(kinds.get(a)) in (None, 0) for a in arrays):
        return False  # arithmetic of Python numbers raises (1.0 / 0.0)
    classes = [facts.shape_class[a] for a in arrays]
    return frozenset().union(*classes) in classes  # else broadcasting may fail


def _cannot_fail(value):
    """Whether the operation, on operands that broadcast, neither raises nor has effects."""
    if isinstance(value, gast.BinOp) and isinstance(value.op, gast.Pow):
        # an integer array to a negative integer power raises
        return isinstance(value.right, gast.Constant) and (type(value.right.value) is float or (type(value.right.value) is int and value.right.value >= 0))
    if isinstance(value, gast.Call):
        return anno.get(value, "callee") in _FULL_REDUCTIONS or anno.get(value, "callee") in _TOTAL_UFUNCS
    return True


_FULL_REDUCTIONS = {numpy.sum, numpy.mean}
# one-output ufuncs defined on every real and complex array
_TOTAL_UFUNCS = {numpy.sin, numpy.cos, numpy.exp, numpy.tanh, numpy.negative, numpy.add, numpy.subtract, numpy.multiply}
# one-output ufuncs defined on every real array (integers and booleans cast), whose
# loops reject complex ones (TypeError)
_REAL_UFUNCS = {numpy.logaddexp, numpy.logaddexp2}
