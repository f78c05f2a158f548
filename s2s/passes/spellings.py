"""Rewrite alternative spellings into the forms the rules are written for.

- `scipy.stats.multivariate_normal.pdf` and `dirichlet.pdf` become exp of their logpdf.
- `np.linalg.svd(x, compute_uv=False)` becomes `np.linalg.svdvals(x)`, and
  `np.linalg.norm(x, "nuc")` (with or without `axis`) the sum of those (a result of
  another structure, or a norm by way of the singular values, has a rule of its own).

- `np.r_[a, b]`, `np.c_[a, b]` (index tricks that build arrays) become calls of the
  objects' `__getitem__`, which have rules; as subscripts they would read as indexing
  a constant, whose derivative is zero.
- `np.einsum(a, [0, 1], b, [1, 2], [0, 2])` (the sublist form, with literal lists)
  becomes `np.einsum("AB,BC->AC", a, b)`. With sublists passed as values, the
  subscripts are spelled at run time: `np.einsum(x, s, t)` becomes
  `np.einsum(x, s, t) if isinstance(x, str) else np.einsum(subscripts(x, (s,), t), x)`,
  since either form may be meant (more than four operands cannot be the subscripts
  form the rule takes, so there only the second); the arguments must not call
  anything, and the first must be a name or a constant subscript of one. An einsum of more than four
  operands (the rule's limit) becomes einsums of at most four.
"""
import sys

import gast
import numpy

from .. import anno, runtime
from ..syntax import NodeTransformer, clone, walk
from .desugar import _is_static_path, index_expression, numpy_ref, runtime_ref
from .resolve import static_object


def rewrite_spellings(fn_source):
    _Forms(fn_source).visit(fn_source.node)
    return fn_source


class _Forms(NodeTransformer):
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
        func = self.static(node.func) if isinstance(node.func, (gast.Name, gast.Attribute)) else None
        if func is numpy.einsum:
            subscripts = _sublist_subscripts(node.args)
            if subscripts is not None:
                node.args = [gast.Constant(subscripts, None)] + _operands(node.args)
            elif _sublists_passed_in(node.args):
                return gast.copy_location(_einsum_of_sublists_passed_in(node), node)
            if len(node.args) > 5 and not node.keywords:
                return _einsum_in_groups(node)
        if func is numpy.linalg.svd and _literal_keyword(node, "compute_uv", False):
            return gast.copy_location(gast.Call(_numpy_linalg("svdvals"), node.args[:1], []), node)
        if _is_density_of_log_density(func):
            if isinstance(node.func, gast.Attribute):
                log_density = gast.Attribute(node.func.value, "logpdf", gast.Load())
            else:  # the bound method itself, by a name of its own (pdf = mvn.pdf)
                log_density = gast.Name(f"_{node.func.id}_logpdf", gast.Load(), None, None)
                anno.set(log_density, "object", func.__self__.logpdf)
            return gast.copy_location(gast.Call(numpy_ref(numpy.exp), [gast.Call(log_density, node.args, node.keywords)], []), node)
        nuclear = _literal_keyword(node, "ord", "nuc") or _literal_argument(node, 1, "nuc")
        axis = [k.value for k in node.keywords if k.arg == "axis"] + node.args[2:3]
        if func is numpy.linalg.norm and nuclear and len(node.args) + len(node.keywords) == 2 + len(axis):
            # the sum of the singular values (with keepdims= the rule's first-order weights serve)
            matrices = node.args[0]
            if axis:
                moved = gast.Constant(-2, None), gast.Constant(-1, None)
                matrices = gast.Call(numpy_ref(numpy.moveaxis), [matrices, axis[0], gast.Tuple(list(moved), gast.Load())], [])
            singular_values = gast.Call(_numpy_linalg("svdvals"), [matrices], [])
            total = gast.Call(numpy_ref(numpy.sum), [singular_values], [gast.keyword("axis", gast.Constant(-1, None))])
            return gast.copy_location(total, node)
        return node


def _labels(node):
    """A literal list of ints (or Ellipsis) as a list of einsum labels, else None."""
    if not isinstance(node, (gast.List, gast.Tuple)):
        return None
    if not all(isinstance(e, gast.Constant) and (type(e.value) is int or e.value is Ellipsis) for e in node.elts):
        return None
    return [e.value for e in node.elts]


def _operands(args):
    """The operands of the sublist form `(a, [0, 1], b, [1, 2], [0, 2])`: a, b."""
    return args[0:len(args) - len(args) % 2:2]


def _sublist_subscripts(args):
    """`(a, [0, 1], b, [1, 2], [0, 2])` -> "AB,BC->AC"; None unless every sublist is literal."""
    if len(args) < 2 or isinstance(args[0], gast.Constant):
        return None
    sublists = [_labels(s) for s in args[1::2]]
    output = _labels(args[-1]) if len(args) % 2 else None
    if None in sublists or (len(args) % 2 and output is None):
        return None
    return runtime.einsum_sublist_subscripts(None, sublists, output)


def _sublists_passed_in(args):
    """Whether the call may be the sublist form with sublists that are values, and can
    be rewritten: the first argument is read twice, once to tell the forms apart, so it
    must be a name or a constant subscript of one (no property, no call); and the
    sublist form evaluates the sublists before the operands after the first, so no
    argument may call anything (whose effects would then come in another order)."""
    if len(args) < 2 or any(isinstance(a, gast.Starred) for a in args):
        return False
    if any(isinstance(n, gast.Call) for a in args for n in walk(a)):
        return False
    first = args[0]
    while isinstance(first, gast.Subscript) and isinstance(first.slice, gast.Constant):
        first = first.value
    return isinstance(first, gast.Name)


def _einsum_of_sublists_passed_in(call):
    """The IfExp of the module docstring (the sublist form alone past five arguments)."""
    args = call.args
    sublists = gast.Tuple(args[1::2] if len(args) % 2 == 0 else args[1:-1:2], gast.Load())
    spelled = [clone(args[0]), sublists] + ([args[-1]] if len(args) % 2 else [])
    subscripts = gast.Call(runtime_ref(runtime.einsum_sublist_subscripts), spelled, [])
    sublist_form = gast.Call(call.func, [subscripts] + [clone(a) for a in _operands(args)], call.keywords)
    if len(args) > 5:
        return sublist_form
    test = gast.Call(runtime_ref(runtime.einsum_has_subscripts), [clone(args[0])], [])
    return gast.IfExp(test, clone(call), sublist_form)


def _einsum_in_groups(call):
    """`np.einsum("a,b,c,d,e->", ...)` with more than four operands (the rule's limit) as
    einsums of at most four: the operands after the third contracted first, keeping
    the letters the others or the output still need. Literal subscripts without '...'
    only; other calls are left for the rule, which refuses them."""
    subscripts = call.args[0].value if isinstance(call.args[0], gast.Constant) else None
    if not isinstance(subscripts, str) or "." in subscripts:
        return call
    inputs, arrow, output = subscripts.replace(" ", "").partition("->")
    specs = inputs.split(",")
    if len(specs) != len(call.args) - 1:
        return call
    if not arrow:  # implicit output: the letters used once, in alphabetical order
        output = "".join(sorted(c for c in set(inputs) if inputs.count(c) == 1 and c != ","))
    kept = "".join(dict.fromkeys(c for c in "".join(specs[3:]) if c in "".join(specs[:3]) + output))
    rest = gast.Call(call.func, [gast.Constant(",".join(specs[3:]) + "->" + kept, None)] + call.args[4:], [])
    rest = _einsum_in_groups(rest) if len(specs) > 7 else rest
    head = ",".join(specs[:3] + [kept]) + "->" + output
    return gast.copy_location(gast.Call(call.func, [gast.Constant(head, None)] + call.args[1:4] + [rest], []), call)


def _literal_keyword(call, name, value):
    return any(k.arg == name and isinstance(k.value, gast.Constant) and k.value.value == value for k in call.keywords)


def _literal_argument(call, position, value):
    return len(call.args) > position and isinstance(call.args[position], gast.Constant) and call.args[position].value == value


def _numpy_linalg(name):
    node = gast.Attribute(numpy_ref(numpy.linalg.svd).value, "linalg", gast.Load())
    anno.set(node, "object", numpy.linalg)
    node = gast.Attribute(node, name, gast.Load())
    anno.set(node, "object", getattr(numpy.linalg, name))
    return node


def _is_density_of_log_density(func):
    """scipy.stats.multivariate_normal.pdf and dirichlet.pdf: exp of their logpdf, which has the rule."""
    stats = sys.modules.get("scipy.stats")
    owner = getattr(func, "__self__", None)
    return (stats is not None and getattr(func, "__name__", None) == "pdf"
            and (owner is stats.multivariate_normal or owner is stats.dirichlet))
