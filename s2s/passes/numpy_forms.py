"""Rewrite NumPy's alternative spellings into the forms its rules are written for.

- `np.r_[a, b]`, `np.c_[a, b]` (index tricks that build arrays) become calls of the
  objects' `__getitem__`, which have rules; as subscripts they would read as indexing
  a constant, whose derivative is zero.
- `np.einsum(a, [0, 1], b, [1, 2], [0, 2])` (the sublist form, with literal lists)
  becomes `np.einsum("ab,bc->ac", a, b)`.
"""
import string

import gast
import numpy

from .desugar import _is_static_path, index_expression
from .resolve import static_object


def rewrite_numpy_forms(fn_source):
    _Forms(fn_source).visit(fn_source.node)
    return fn_source


class _Forms(gast.NodeTransformer):
    def __init__(self, fn_source):
        self.src = fn_source

    def static(self, node):
        if not _is_static_path(node, self.src):
            return None
        return static_object(node, self.src, set())

    def visit_Subscript(self, node):
        self.generic_visit(node)
        if isinstance(node.ctx, gast.Load) and isinstance(node.value, (gast.Name, gast.Attribute)):
            obj = self.static(node.value)
            if obj is numpy.r_ or obj is numpy.c_:
                method = gast.Attribute(node.value, "__getitem__", gast.Load())
                return gast.copy_location(gast.Call(method, [index_expression(node.slice)], []), node)
        return node

    def visit_Call(self, node):
        self.generic_visit(node)
        if isinstance(node.func, (gast.Name, gast.Attribute)) and self.static(node.func) is numpy.einsum:
            subscripts = _sublist_subscripts(node.args)
            if subscripts is not None:
                node.args = [gast.Constant(subscripts, None)] + node.args[0:len(node.args) - len(node.args) % 2:2]
        return node


def _sublist(node):
    """A literal list of ints (or Ellipsis) as einsum letters, else None."""
    if not isinstance(node, (gast.List, gast.Tuple)):
        return None
    letters = []
    for e in node.elts:
        if not isinstance(e, gast.Constant) or not (type(e.value) is int or e.value is Ellipsis):
            return None
        letters.append("..." if e.value is Ellipsis else string.ascii_letters[e.value])
    return "".join(letters)


def _sublist_subscripts(args):
    """`(a, [0, 1], b, [1, 2], [0, 2])` -> "ab,bc->ac"; None unless every sublist is literal."""
    if len(args) < 2 or isinstance(args[0], gast.Constant):
        return None
    inputs = [_sublist(s) for s in args[1::2]]
    output = _sublist(args[-1]) if len(args) % 2 else ""
    if None in inputs or output is None:
        return None
    return ",".join(inputs) + ("->" + output if len(args) % 2 else "")
