"""Python's own operations for Python scalars where NumPy's give the same answer, and
no array semantics where a value is a number.

`np.abs(x)` of a Python float costs about seven times `abs(x)`, and a scalar loop that
tests `np.abs(term) < tol` on every trip (a series summed to convergence) spends much
of its time there. Both return the same number for every scalar kind (float, int,
complex, NumPy scalars); only the result's type differs (`np.float64` for `float`).
So where that number is only compared, in the test of an `if` or a `while`, with
numeric literals or other scalars, the comparison is true for one exactly when it is
for the other, and the test calls `abs`. Runs per specialization: the scalar kinds
come from the activity analysis.
"""
import builtins

import gast
import numpy

from .. import anno, runtime
from ..syntax import ref, walk
from .desugar import collect_locals
from .resolve import static_object


def abs_in_scalar_tests(fn_source, activity):
    """Rewrite `np.abs(x)` of a scalar `x` compared in a test into `abs(x)`."""
    local_names = collect_locals(fn_source.node)
    if "abs" in local_names:
        return  # the generated code would read the local, not the builtin

    def scalar(atom):
        if isinstance(atom, gast.Constant):
            return type(atom.value) in (int, float)
        return isinstance(atom, gast.Name) and activity.kinds.get(atom.id) == "scalar"

    def numpy_abs_of_scalar(node):
        return (
            isinstance(node, gast.Call) and len(node.args) == 1 and not node.keywords and scalar(node.args[0])
            and isinstance(node.func, (gast.Name, gast.Attribute))
            and static_object(node.func, fn_source, local_names) is numpy.abs
        )

    for stmt in walk(fn_source.node):
        if not isinstance(stmt, (gast.If, gast.While)) or not isinstance(stmt.test, gast.Compare):
            continue
        operands = [stmt.test.left, *stmt.test.comparators]
        if all(scalar(o) or numpy_abs_of_scalar(o) for o in operands):
            for o in operands:
                if numpy_abs_of_scalar(o):
                    o.func = ref(builtins.abs, "abs")


def numbers_rebound(fn_source, activity):
    """`x = as_in_place(new, x)` (what desugar makes of `x op= v`) as `x = new` where x is
    a number: a number is never updated in place, `x op= v` rebinds it."""
    for node in walk(fn_source.node):
        value = getattr(node, "value", None)
        if (
            isinstance(node, gast.Assign) and isinstance(value, gast.Call) and anno.get(value, "callee") is runtime.as_in_place
            and isinstance(value.args[1], gast.Name) and activity.kinds.get(value.args[1].id) == "scalar"
        ):
            node.value = value.args[0]
