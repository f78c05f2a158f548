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
import types

import gast
import numpy

from .. import anno, rules

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
    return [n.id for n in gast.walk(target) if isinstance(n, gast.Name)]


def _names(node):
    return {n.id for n in gast.walk(node) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}


def differentiable_operands(value):
    """The names whose derivatives can flow into `value`'s, or None if nothing flows."""
    if isinstance(value, gast.Name):
        return {value.id}
    if isinstance(value, (gast.Constant, gast.Compare, gast.JoinedStr)):
        return set()
    if isinstance(value, gast.Attribute):
        return set() if value.attr in NONDIFF_ATTRIBUTES else _names(value.value)
    if isinstance(value, gast.Subscript):
        return _names(value.value)  # indices carry no derivative
    if isinstance(value, (gast.BinOp, gast.UnaryOp, gast.Call)):
        callee = anno.get(value, "callee")
        if callee is not None and rules.is_non_differentiable(callee):
            return set()
        if isinstance(value, gast.Call):
            operands = set()
            for a in value.args:
                operands |= _names(a)
            for k in value.keywords:
                operands |= _names(k.value)
            if callee is None:
                operands |= _names(value.func)  # a call through a local: its closure may vary
            return operands
        return _names(value)
    if isinstance(value, (gast.Tuple, gast.List, gast.Set, gast.Dict)):
        return _names(value)
    return _names(value)


def analyze(fn_node, active_params, param_kinds):
    binds = list(assignments(fn_node.body))
    varied = set(active_params)
    changed = True
    while changed:
        changed = False
        for targets, value, stmt in binds:
            if isinstance(stmt, gast.For):
                flows = _names(value) & varied and not _is_range(value)
            else:
                flows = differentiable_operands(value) & varied
            if flows and not set(targets) <= varied:
                varied |= set(targets)
                changed = True
    returned = [s.value for s in fn_node.body if isinstance(s, gast.Return) and s.value is not None]
    useful = {n.id for r in returned for n in gast.walk(r) if isinstance(n, gast.Name)}
    changed = True
    while changed:
        changed = False
        for targets, value, stmt in binds:
            if set(targets) & useful:
                needed = _names(value) if isinstance(stmt, gast.For) else differentiable_operands(value)
                if not needed <= useful:
                    useful |= needed
                    changed = True
    return Activity(varied, useful, infer_kinds(binds, param_kinds))


def _is_range(node):
    return isinstance(node, gast.Call) and anno.get(node, "callee") is range


def infer_kinds(binds, param_kinds):
    """Greatest fixed point: a name keeps a kind only if all its bindings produce it."""
    order = {"scalar": 2, "numeric": 1, None: 0}
    kinds = {name: kind for name, kind in param_kinds.items() if kind}
    assigned = {}
    for targets, value, stmt in binds:
        for t in targets:
            assigned.setdefault(t, []).append((value, stmt, len(targets) > 1))
    for name in assigned:
        if name not in param_kinds:
            kinds[name] = "scalar"
    changed = True
    while changed:
        changed = False
        for name, values in assigned.items():
            if name in param_kinds:
                continue
            kind = "scalar"
            for value, stmt, unpacked in values:
                k = None if unpacked else _kind_of(value, stmt, kinds)
                kind = min(kind, k, key=order.get)
            if kinds.get(name) != kind:
                kinds[name] = kind
                changed = True
    return {n: k for n, k in kinds.items() if k}


def _kind_of(value, stmt, kinds):
    if isinstance(stmt, gast.For):
        return "scalar" if _is_range(value) else None
    if isinstance(value, gast.Constant):
        v = value.value
        return "scalar" if isinstance(v, (int, float, complex)) and not isinstance(v, bool) else None
    if isinstance(value, gast.Name):
        return kinds.get(value.id)
    if isinstance(value, (gast.BinOp, gast.UnaryOp)):
        operands = [value.left, value.right] if isinstance(value, gast.BinOp) else [value.operand]
        found = [_atom_kind(o, kinds) for o in operands]
        if all(k == "scalar" for k in found):
            return "scalar"
        return "numeric" if any(found) else None
    if isinstance(value, gast.Call):
        callee = anno.get(value, "callee")
        args = [_atom_kind(a, kinds) for a in value.args]
        if isinstance(callee, types.BuiltinFunctionType) and getattr(callee, "__module__", None) == "math":
            return "scalar"
        if callee in (float, abs, int) and all(k == "scalar" for k in args):
            return "scalar"
        if isinstance(callee, numpy.ufunc):
            return "scalar" if args and all(k == "scalar" for k in args) else "numeric"
        if getattr(callee, "__module__", "") and str(getattr(callee, "__module__", "")).startswith("numpy"):
            return "numeric"
        return None
    return None


def _atom_kind(node, kinds):
    if isinstance(node, gast.Constant):
        v = node.value
        return "scalar" if isinstance(v, (int, float)) and not isinstance(v, bool) else None
    if isinstance(node, gast.Name):
        return kinds.get(node.id)
    if isinstance(node, gast.Attribute) and anno.has(node, "object"):
        return "scalar" if isinstance(anno.get(node, "object"), (int, float)) else None
    return None


def kind_of_value(value):
    """The kind of a runtime argument, for call-time specialization."""
    if isinstance(value, (bool, numpy.bool_)):
        return None
    if isinstance(value, (int, float, numpy.floating, numpy.integer)):
        return "scalar"
    if isinstance(value, numpy.ndarray):
        return "numeric"
    return None



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
            if isinstance(stmt, gast.For) and _names(stmt.iter) & varied and not _is_range(stmt.iter):
                current |= set(_target_names(stmt.target))
            while True:
                after = current | block(stmt.body, set(current))
                if after == current:
                    return current
                current = after
        return varied

    block(fn_node.body, set(active_params))
    return entries
