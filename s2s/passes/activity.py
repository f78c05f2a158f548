"""Activity and kind analysis over a function in A-normal form.

A name is *active* when it is varied (depends differentiably on an input we
differentiate) and useful (influences the returned value differentiably). Only active
statements get derivative code. The analysis is flow-insensitive over names, which is
conservative: a name is active if any of its assignments is.

A name's *kind* is "scalar" (a Python or NumPy scalar: no broadcasting, no shape),
"numeric" (scalar or array) or None (anything, including containers). Kinds let the
generator drop `unbroadcast` for scalars and accumulate with `+` instead of `add_grad`.
"""
import dataclasses
import sys
import types

import gast
import numpy

from .. import anno, rules, runtime
from ..syntax import loads, walk

# Attributes that are metadata, not values: reading them is not differentiable.
NONDIFF_ATTRIBUTES = {"shape", "ndim", "size", "dtype", "itemsize", "nbytes", "strides", "__class__"}


@dataclasses.dataclass
class Activity:
    varied: set
    useful: set
    kinds: dict

    def active(self, name):
        return name in self.varied and name in self.useful

    def kind(self, name):
        return self.kinds.get(name)


def assignments(stmts):
    """Yield (targets, value, stmt) for every binding: assignments and loop targets."""
    for stmt in stmts:
        if isinstance(stmt, gast.Assign):
            yield _target_names(stmt.targets[0]), stmt.value, stmt
        elif isinstance(stmt, gast.For):
            yield _target_names(stmt.target), stmt.iter, stmt
            yield from assignments(stmt.body)
        elif isinstance(stmt, (gast.If, gast.While)):
            yield from assignments(stmt.body)
            yield from assignments(stmt.orelse)


def _target_names(target):
    return [n.id for n in walk(target) if isinstance(n, gast.Name)]


def differentiable_operands(value):
    """The names whose derivatives can flow into `value`'s, or None if nothing flows."""
    if isinstance(value, gast.Name):
        return {value.id}
    if isinstance(value, (gast.Constant, gast.Compare, gast.JoinedStr)):
        return set()
    if isinstance(value, gast.Attribute):
        return set() if value.attr in NONDIFF_ATTRIBUTES else loads(value.value)
    if isinstance(value, gast.Subscript):
        return loads(value.value)  # indices carry no derivative
    if isinstance(value, (gast.BinOp, gast.UnaryOp, gast.Call)):
        callee = anno.get(value, "callee")
        if callee is not None and rules.is_non_differentiable(callee):
            return set()
        if isinstance(value, gast.Call):
            # an argument the callee is declared constant in (read for its shape) carries none
            constant = rules.constant_arguments(callee, value) if callee is not None else frozenset()
            operands = set()
            for a in value.args:
                if id(a) not in constant:
                    operands |= loads(a)
            for k in value.keywords:
                if id(k.value) not in constant:
                    operands |= loads(k.value)
            if callee is None:
                operands |= loads(value.func)  # a call through a local: its closure may vary
            return operands
        return loads(value)
    return loads(value)


def analyze(fn_node, active_params, param_kinds):
    binds = list(assignments(fn_node.body))
    # what each binding's value reads, for both fixed points (found once, not per round):
    # a loop's every name (over a range: none varies the target), else what can flow
    reads = [
        (set(targets), loads(value), _is_range(value)) if isinstance(stmt, gast.For) else (set(targets), differentiable_operands(value), False)
        for targets, value, stmt in binds
    ]
    varied = set(active_params)
    changed = True
    while changed:
        changed = False
        for targets, operands, over_range in reads:
            if operands & varied and not over_range and not targets <= varied:
                varied |= targets
                changed = True
    returned = [s.value for s in fn_node.body if isinstance(s, gast.Return) and s.value is not None]
    useful = {n.id for r in returned for n in walk(r) if isinstance(n, gast.Name)}
    changed = True
    while changed:
        changed = False
        for targets, operands, _ in reads:
            if targets & useful and not operands <= useful:
                useful |= operands
                changed = True
    return Activity(varied, useful, infer_kinds(binds, param_kinds))


def _is_range(node):
    return isinstance(node, gast.Call) and anno.get(node, "callee") is range


def ndim_of(kind):
    """The number of dimensions a kind promises: 0 for scalars, N for "array:N", else None.
    An "array:N" holds floats or complex numbers: arguments of other dtypes are of kind
    "numeric" (kind_of_value), as are the results of functions that make booleans or
    integers (comparisons, np.argmax...), so that storing a float in one never rounds."""
    if kind == "scalar":
        return 0
    if isinstance(kind, str) and kind.startswith("array:"):
        return int(kind[6:])
    return None


def is_numeric(kind):
    """A scalar or an array (of known or unknown ndim), as opposed to anything else."""
    return kind == "scalar" or kind == "numeric" or ndim_of(kind) is not None


def _of_ndim(ndim):
    return "scalar" if ndim == 0 else f"array:{ndim}"


def _join(a, b):
    """The kind of a name bound to values of kinds a and b."""
    if a == b:
        return a
    return "numeric" if is_numeric(a) and is_numeric(b) else None


def infer_kinds(binds, param_kinds):
    """Greatest fixed point: a name keeps a kind only if all its bindings produce it."""
    kinds = {name: kind for name, kind in param_kinds.items() if kind}
    assigned = {}
    for targets, value, stmt in binds:
        if anno.has(stmt, "writes_back"):
            continue  # Python updated the object in place: its type is the one the name had
        target = stmt.target if isinstance(stmt, gast.For) else stmt.targets[0]
        for t in targets:
            assigned.setdefault(t, []).append((value, stmt, _position(target, t)))
    optimistic = {name: "top" for name in assigned if name not in param_kinds}
    kinds.update(optimistic)
    changed = True
    while changed:
        changed = False
        for name, values in assigned.items():
            # a parameter bound again has the kind of every value it holds (`s = x` makes
            # a float parameter an array): its argument's kind, joined with those
            kind = param_kinds.get(name) if name in param_kinds else "top"
            for value, stmt, position in values:
                k = _kind_of(value, stmt, kinds, position)
                kind = k if kind == "top" else _join(kind, k) if k != "top" else kind
            if kinds.get(name) != kind:
                kinds[name] = kind
                changed = True
    return {n: k for n, k in kinds.items() if k and k != "top"}


def _position(target, name):
    """None for a name bound whole; its position for `a, b = ...`; "nested" deeper."""
    if isinstance(target, gast.Name):
        return None
    names = [e.id if isinstance(e, gast.Name) else None for e in getattr(target, "elts", [])]
    return names.index(name) if name in names else "nested"


def _kind_of(value, stmt, kinds, position=None):
    if isinstance(stmt, gast.For):
        return _item_of_loop(value, kinds, position)
    if position is not None:
        return None  # an item unpacked from a value
    if isinstance(value, (gast.Constant, gast.Name)):
        return _atom_kind(value, kinds)
    if isinstance(value, gast.BinOp) and isinstance(value.op, gast.MatMult):
        return _matmul([_atom_kind(o, kinds) for o in (value.left, value.right)])
    if isinstance(value, (gast.BinOp, gast.UnaryOp)):
        operands = [value.left, value.right] if isinstance(value, gast.BinOp) else [value.operand]
        return _broadcast([_atom_kind(o, kinds) for o in operands])
    if isinstance(value, gast.Subscript):
        return _item_kind(_atom_kind(value.value, kinds), value.slice, kinds)
    if isinstance(value, gast.Attribute):
        return field_kind(_atom_kind(value.value, kinds), value.attr)
    if isinstance(value, gast.Call):
        callee = anno.get(value, "callee")
        args = [_atom_kind(a, kinds) for a in value.args]
        if callee in (runtime.setitem, runtime.private_copy, runtime.as_in_place) or (callee in _SAME_KIND and not value.keywords):
            return args[0] if args else None  # the same container, or one like it (dtype included)
        if isinstance(callee, types.BuiltinFunctionType) and getattr(callee, "__module__", None) == "math":
            return "scalar"
        if callee in (float, abs, int) and all(k == "scalar" for k in args):
            return "scalar"
        if callee is numpy.matmul and len(args) == 2 and not value.keywords:
            return _matmul(args)
        if callee is numpy.dot and len(args) == 2 and not value.keywords:
            return _dot(args)
        if isinstance(callee, numpy.ufunc):
            if callee.nout != 1:
                return None
            return "numeric" if _makes_booleans(callee) else (_broadcast(args) or "numeric")
        if callee in _TUPLE_RESULTS:
            return None  # a tuple of arrays: its adjoints add up with add_grad, never with +
        if str(getattr(callee, "__module__", "") or "").startswith("numpy"):
            return "numeric"
        return None
    return None


def _makes_booleans(ufunc):
    """A comparison, np.isnan, np.logical_and...: booleans whatever the (non-object) operands."""
    return all(t.endswith("?") for t in ufunc.types if "O" not in t)


_SAME_KIND = {numpy.zeros_like, numpy.ones_like, numpy.empty_like, numpy.copy, runtime.copied}
# NumPy functions that return tuples (or lists) of arrays rather than one array.
_TUPLE_RESULTS = {
    numpy.linalg.slogdet, numpy.linalg.eigh, numpy.linalg.eig, numpy.linalg.svd, numpy.linalg.qr, numpy.linalg.lstsq,
    numpy.histogram, numpy.meshgrid, numpy.broadcast_arrays, numpy.unique, numpy.nonzero,
}


def _broadcast(kinds):
    """The kind of an elementwise result of operands of these kinds."""
    if "top" in kinds:
        return "top"
    ndims = [ndim_of(k) for k in kinds]
    if all(n is not None for n in ndims):
        return _of_ndim(max(ndims))
    return "numeric" if any(is_numeric(k) for k in kinds) else None


def _matmul(kinds):
    """The kind of `a @ b`: a 1-d operand loses its one axis, stacks of matrices broadcast."""
    a, b = (ndim_of(k) for k in kinds)
    if not a or not b:  # a scalar operand raises; an unknown ndim stays unknown
        return _broadcast(kinds) and ("top" if "top" in kinds else "numeric")
    if a == 1 or b == 1:
        return _of_ndim(a + b - 2)
    return _of_ndim(max(a, b))


def _dot(kinds):
    """The kind of `np.dot(a, b)`: a product by a scalar broadcasts, else the last axis of
    `a` meets the last (1-d `b`) or second-to-last axis of `b`."""
    a, b = (ndim_of(k) for k in kinds)
    if a is None or b is None:
        return "numeric"
    return _of_ndim(max(a, b) if a == 0 or b == 0 else a + b - 2)


def _item_kind(container, index, kinds):
    """The kind of `container[index]`: scalar when every axis gets a scalar index."""
    if container == "top":
        return "top"
    ndim = ndim_of(container)
    if ndim is None or ndim == 0:
        return "numeric" if is_numeric(container) else None
    parts = index.elts if isinstance(index, gast.Tuple) else [index]
    if any(not (index_is_scalar(p, kinds) or isinstance(p, gast.Slice)) for p in parts) or len(parts) > ndim:
        return "numeric"
    return _of_ndim(ndim - sum(1 for p in parts if not isinstance(p, gast.Slice)))


def index_is_scalar(node, kinds):
    """Is an index expression an integer (so a read is an element, a write no scatter)?"""
    if isinstance(node, gast.Constant):
        return isinstance(node.value, int) and not isinstance(node.value, bool)
    if isinstance(node, gast.Name):
        return kinds.get(node.id) == "scalar"
    if isinstance(node, gast.BinOp) and isinstance(node.op, (gast.Add, gast.Sub, gast.Mult, gast.FloorDiv, gast.Mod)):
        return index_is_scalar(node.left, kinds) and index_is_scalar(node.right, kinds)
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        return index_is_scalar(node.operand, kinds)
    return False


def _item_of_loop(iterable, kinds, position):
    """The kind of what a loop binds: a number from range, a row (N-1 dims) of an N-d
    array, also through reversed/sorted/list, enumerate (index, row) and zip (rows)."""

    def row(node):
        ndim = ndim_of(_atom_kind(node, kinds)) if isinstance(node, gast.Name) else None
        return _of_ndim(ndim - 1) if ndim else None

    if _is_range(iterable):
        return "scalar" if position is None else None
    callee = anno.get(iterable, "callee") if isinstance(iterable, gast.Call) else None
    args = iterable.args if isinstance(iterable, gast.Call) else []
    if callee in (reversed, sorted, list) and len(args) == 1 and position is None:
        return row(args[0])
    if callee is enumerate and len(args) == 1 and position in (0, 1):
        return "scalar" if position == 0 else row(args[0])
    if callee is zip and isinstance(position, int) and position < len(args):
        return row(args[position])
    return row(iterable) if position is None else None


def _atom_kind(node, kinds):
    if isinstance(node, gast.Constant):
        v = node.value
        return "scalar" if isinstance(v, (int, float)) and not isinstance(v, bool) else None
    if isinstance(node, gast.Name):
        return kinds.get(node.id)
    if isinstance(node, gast.Attribute) and anno.has(node, "object"):
        return "scalar" if isinstance(anno.get(node, "object"), (int, float)) else None
    return None


# Every call of a derivative computes its arguments' kinds: the commonest types first,
# by exact type (a subclass, a masked array say, takes the checks below).
_SCALAR_TYPES = frozenset({float, int, numpy.float64, numpy.float32, numpy.int64})


def kind_of_value(value, depth=0):
    """The kind of a runtime argument, for call-time specialization: scalar, array of
    N dimensions, or an object (dataclass, NamedTuple, instance of a user class) with
    the kinds of its fields, so that `p.layer(x)` can be resolved to `Layer.__call__`."""
    if type(value) in _SCALAR_TYPES:
        return "scalar"
    if type(value) is numpy.ndarray:
        return _of_ndim(value.ndim) if value.ndim and value.dtype.kind in "fc" else "numeric"
    if isinstance(value, (bool, numpy.bool_)):
        return None
    masked = sys.modules.get("numpy.ma")  # not imported: no masked array exists (importing it costs 100 ms)
    if masked is not None and isinstance(value, masked.MaskedArray):  # NumPy's functions ignore the mask; rules do not
        raise TypeError("s2s cannot differentiate with respect to a masked array; pass its .filled(...) data")
    if isinstance(value, (int, float, numpy.floating, numpy.integer)):
        return "scalar"
    if runtime.is_array(value):  # NumPy's, Dask's, CuPy's...
        return _of_ndim(value.ndim) if value.ndim and value.dtype.kind in "fc" else "numeric"
    fields = _fields(value)
    if fields is None or depth > 4:
        return None
    return ("object", type(value), tuple((f, kind_of_value(getattr(value, f), depth + 1)) for f in fields))


def _fields(value):
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [f.name for f in dataclasses.fields(value)]
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return list(value._fields)
    if type(value).__module__ not in ("builtins", "numpy") and hasattr(value, "__dict__") and not isinstance(
        value, (types.ModuleType, types.FunctionType, type)
    ):
        return sorted(vars(value))
    return None


def object_type(kind):
    """The class of an object kind, or None."""
    return kind[1] if isinstance(kind, tuple) and kind[0] == "object" else None


def field_kind(kind, name):
    return dict(kind[2]).get(name) if object_type(kind) is not None else None



def varied_on_loop_entry(fn_node, active_params):
    """For each loop (by id): the names that may be varied when control reaches it.

    Flow-sensitive, unlike `analyze`: in `for W, b in params: inputs = tanh(inputs @ W)`
    the parameter `inputs` is not varied on entry, so the derivative it would receive
    from the first iteration is not needed.
    """
    entries = {}

    def block(stmts, varied):
        for stmt in stmts:
            varied = statement(stmt, varied)
        return varied

    def statement(stmt, varied):
        if isinstance(stmt, gast.Assign):
            targets = set(_target_names(stmt.targets[0]))
            flows = differentiable_operands(stmt.value) & varied
            return (varied - targets) | (targets if flows else set())
        if isinstance(stmt, gast.If):
            return block(stmt.body, set(varied)) | block(stmt.orelse, set(varied))
        if isinstance(stmt, (gast.For, gast.While)):
            entries[id(stmt)] = entries.get(id(stmt), set()) | varied
            current = set(varied)
            if isinstance(stmt, gast.For) and loads(stmt.iter) & varied and not _is_range(stmt.iter):
                current |= set(_target_names(stmt.target))
            while True:
                after = current | block(stmt.body, set(current))
                if after == current:
                    return current
                current = after
        return varied

    block(fn_node.body, set(active_params))
    return entries
