"""Remove dead stores from a backward sweep.

A derivative computed and then never read — the contribution of an iteration whose
loop variable is rebound from data with no derivative, say — is dropped, provided
computing it has no effect: only arithmetic and calls of NumPy (not its random draws),
`math` and the runtime's pure helpers. Liveness runs backwards over the structured code, to a fixed
point around loops.
"""
import types

import gast
import numpy

from .. import anno, rules, runtime
from ..syntax import clone, loads, walk


def _object(node):
    """The object a (dotted) name in generated code was bound to, or None."""
    if isinstance(node, gast.Attribute):
        base = _object(node.value)
        return getattr(base, node.attr, None) if base is not None else None
    return anno.get(node, "object")


def _pure_call(node):
    function = anno.get(node, "callee") or _object(node.func)  # the resolved call, or a name s2s bound
    if function is None or rules.is_always_run(function):
        return False
    module = getattr(function, "__module__", None) or ""
    return (
        isinstance(function, numpy.ufunc)
        or (module.startswith("numpy") and not module.startswith("numpy.random"))  # a draw moves the generator
        or module == "math"
        or (module == runtime.__name__ and isinstance(function, types.FunctionType))
    )


def _pure(node):
    return all(_pure_call(n) for n in walk(node) if isinstance(n, gast.Call))


def pure_assignment(stmt):
    return _pure(stmt.value)


def remove_dead_stores(stmts, live_out, may_drop=pure_assignment):
    """`stmts` without assignments to names not read later that `may_drop` allows
    (by default: pure ones); `live_out` are read after."""
    return _block(stmts, set(live_out), may_drop)[0]


def _block(stmts, live, may_drop):
    out = []
    for stmt in reversed(stmts):
        kept, live = _statement(stmt, live, may_drop)
        out += kept
    return out[::-1], live


def _statement(stmt, live, may_drop):
    """(what stays of `stmt`, the names live before it); updates `live`, the set its
    block owns, in place: a new set per statement made long blocks quadratic."""
    if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
        target = stmt.targets[0].id
        if target not in live and may_drop(stmt):
            return [], live
        live.discard(target)
        live |= loads(stmt.value)
        return [stmt], live
    if isinstance(stmt, gast.If):
        stmt.body, then_live = _block(stmt.body, set(live), may_drop)
        stmt.orelse, else_live = _block(stmt.orelse, set(live), may_drop)
        return [stmt], then_live | else_live | loads(stmt.test)
    if isinstance(stmt, (gast.For, gast.While)):
        header = loads(stmt.iter if isinstance(stmt, gast.For) else stmt.test)
        entry = set(live)
        while True:  # what the body needs on entry also flows round the back edge
            _, body_live = _block(clone(stmt.body), entry | live, may_drop)
            if body_live <= entry:
                break
            entry |= body_live
        stmt.body, _ = _block(stmt.body, entry | live, may_drop)
        return [stmt], entry | live | header
    live |= loads(stmt)
    return [stmt], live
