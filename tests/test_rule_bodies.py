"""Every rule in templates/, run directly, without the compiler.

A rule body is executed as plain Python with `d` a dictionary, after dropping what the
generator drops for inactive arguments (their adjoint statements; their tangent terms).
Adjoint rules must satisfy <g, J v> == <J^T g, v> and tangent rules J v == (central
difference of the primitive along v). The rules' shape is checked too: straight-line
code, one assignment per derivative, tangent terms each linear in one `d[arg]`.
"""
import ast
import builtins
import inspect
import math
import operator

import numpy as np
import pytest
from conftest import directional, leaves, random_like, vdot

from s2s import rules
from s2s import runtime as rt

try:
    from scipy import special
except ImportError:  # scipy is optional: its rules are then not registered either
    special = None

# ----------------------------------------------------------------- running a rule body


def _d_ref(node):
    """For `d[name]`: name; else None."""
    if (
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Name)
        and node.value.id == "d"
        and isinstance(node.slice, ast.Name)
    ):
        return node.slice.id
    return None


def _refs(node):
    return [name for n in ast.walk(node) if (name := _d_ref(n)) is not None]


def _terms(expr, sign=1):
    """The top-level summands of an expression, with their signs."""
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Add, ast.Sub)):
        right_sign = sign if isinstance(expr.op, ast.Add) else -sign
        return _terms(expr.left, sign) + _terms(expr.right, right_sign)
    return [(sign, expr)]


def _sum(terms):
    out = None
    for sign, term in terms:
        if out is None:
            out = term if sign > 0 else ast.UnaryOp(ast.USub(), term)
        else:
            out = ast.BinOp(out, ast.Add() if sign > 0 else ast.Sub(), term)
    return out


class _StringKeys(ast.NodeTransformer):
    def visit_Subscript(self, node):
        self.generic_visit(node)
        name = _d_ref(node)
        if name is not None:
            node.slice = ast.Constant(name)
        return node


def _parse(rule):
    fn = ast.parse(rule.source).body[0]
    fn.decorator_list = []
    return fn


def compile_rule(rule, active):
    """The rule as a Python function of (result, *args) reading/writing d["name"]."""
    fn = _parse(rule)
    body = []
    for stmt in fn.body:
        target = _d_ref(stmt.targets[0]) if isinstance(stmt, ast.Assign) else None
        if target is not None and rule.mode == "adjoint" and target not in active:
            continue  # the adjoint of an inactive argument is not computed
        if target is not None and rule.mode == "tangent":
            kept = [(s, t) for s, t in _terms(stmt.value) if _refs(t)[0] in active]
            if not kept:
                continue
            stmt.value = _sum(kept)
        body.append(stmt)
    fn.body = body or [ast.Pass()]
    fn.name = "_rule"
    module = ast.fix_missing_locations(ast.Module([_StringKeys().visit(fn)], []))
    namespace = dict(rule.template.__globals__)
    exec(compile(module, inspect.getsourcefile(rule.template), "exec"), namespace)
    return namespace["_rule"], namespace


def call_rule(rule, active, result, args, kwargs, seeds):
    fn, namespace = compile_rule(rule, active)
    namespace["d"] = d = dict(seeds)
    fn(result, *args, **kwargs)
    return d


# ----------------------------------------------------------------- the cases


def pos(rng, *shape):
    return np.abs(rng.randn(*shape)) + 0.5


def unit(rng, *shape):
    return rng.uniform(-0.9, 0.9, shape)


def away_from_zero(rng, *shape):
    x = rng.randn(*shape)
    return x + 0.3 * np.sign(x)


def pf(rng):
    """A Python float."""
    return float(rng.uniform(0.3, 0.9))


A34 = lambda rng: (rng.randn(3, 4),)  # noqa: E731


def well_conditioned(rng, *shape):
    """Square matrices (the last two axes) far from singular."""
    return rng.randn(*shape, shape[-1]) + shape[-1] * np.eye(shape[-1])


def spd(rng, *shape):
    """Symmetric positive definite matrices (the last two axes)."""
    a = rng.randn(*shape, shape[-1])
    return np.matmul(a, np.swapaxes(a, -1, -2)) + shape[-1] * np.eye(shape[-1])


def case(prim, make, active, kwargs=None, id=None, marks=()):
    return pytest.param(prim, make, active, kwargs or {}, id=id or getattr(prim, "__name__", str(prim)), marks=marks)


NUMPY_2_1 = pytest.mark.skipif(np.lib.NumpyVersion(np.__version__) < "2.1.0", reason="np.clip(min=, max=) is new")


CASES = [
    # operators, with broadcasting
    case(operator.add, lambda r: (r.randn(3, 4), r.randn(4)), "xy", id="add_(3,4)+(4,)"),
    case(operator.sub, lambda r: (r.randn(3, 1), r.randn(1, 4)), "xy", id="sub_(3,1)-(1,4)"),
    case(operator.mul, lambda r: (r.randn(3, 1), r.randn(1, 4)), "xy", id="mul_(3,1)*(1,4)"),
    case(operator.mul, lambda r: (pf(r), r.randn(3)), "xy", id="mul_float*array"),
    case(operator.truediv, lambda r: (r.randn(3, 4), pos(r, 4)), "xy", id="truediv_(3,4)/(4,)"),
    case(operator.truediv, lambda r: (pf(r), pf(r)), "xy", id="truediv_floats"),
    case(operator.neg, lambda r: (r.randn(3),), "x"),
    case(operator.pos, lambda r: (r.randn(3),), "x"),
    case(operator.pow, lambda r: (pos(r, 3, 4), 3), "x", id="pow_array**3"),
    case(operator.pow, lambda r: (pos(r, 3, 4), r.randn(4)), "xy", id="pow_(3,4)**(4,)"),
    case(operator.pow, lambda r: (pf(r), pf(r)), "xy", id="pow_floats"),
    case(operator.pow, lambda r: (2.0, r.randn(3)), "y", id="pow_2**x"),
    case(np.power, lambda r: (pos(r, 3, 1), r.randn(1, 4)), "xy", id="np.power_broadcast"),
    case(builtins.pow, lambda r: (pf(r), pf(r)), ("base", "exp"), id="builtin_pow"),
    case(operator.matmul, lambda r: (r.randn(2, 3), r.randn(3, 4)), "xy", id="matmul_2d"),
    case(np.matmul, lambda r: (r.randn(5, 2, 3), r.randn(3)), "xy", id="matmul_batch_vec"),
    case(abs, lambda r: (away_from_zero(r, 3, 4),), "x", id="builtin_abs"),
    case(abs, lambda r: (-pf(r),), "x", id="builtin_abs_float"),
    case(np.abs, lambda r: (away_from_zero(r, 3),), "x", id="np.abs"),
    # elementwise
    case(np.exp, A34, "x"),
    case(np.exp, lambda r: (pf(r),), "x", id="exp_float"),
    case(np.exp2, A34, "x"),
    case(np.expm1, A34, "x"),
    case(np.log, lambda r: (pos(r, 3, 4),), "x"),
    case(np.log2, lambda r: (pos(r, 3, 4),), "x"),
    case(np.log10, lambda r: (pos(r, 3, 4),), "x"),
    case(np.log1p, lambda r: (pos(r, 3, 4),), "x"),
    case(np.sqrt, lambda r: (pos(r, 3, 4),), "x"),
    case(np.cbrt, lambda r: (pos(r, 3, 4),), "x"),
    case(np.square, A34, "x"),
    case(np.reciprocal, lambda r: (pos(r, 3, 4),), "x"),
    case(np.sin, A34, "x"),
    case(np.cos, A34, "x"),
    case(np.tan, lambda r: (unit(r, 3, 4),), "x"),
    case(np.arcsin, lambda r: (unit(r, 3, 4),), "x"),
    case(np.arccos, lambda r: (unit(r, 3, 4),), "x"),
    case(np.arctan, A34, "x"),
    case(np.sinh, A34, "x"),
    case(np.cosh, A34, "x"),
    case(np.tanh, A34, "x"),
    case(np.arcsinh, A34, "x"),
    case(np.arccosh, lambda r: (pos(r, 3, 4) + 1.0,), "x"),
    case(np.arctanh, lambda r: (unit(r, 3, 4),), "x"),
    case(np.arctan2, lambda r: (r.randn(3, 4), r.randn(4)), "yx"),
    case(np.hypot, lambda r: (r.randn(3, 1), r.randn(4)), "xy"),
    case(np.logaddexp, lambda r: (r.randn(3, 4), r.randn(4)), "xy"),
    case(np.maximum, lambda r: (r.randn(3, 1), r.randn(4)), "xy"),
    case(np.minimum, lambda r: (r.randn(3, 4), 0.1), "x", id="minimum_scalar"),
    case(np.fmax, lambda r: (r.randn(3, 4), r.randn(3, 4)), "xy"),
    case(np.where, lambda r: (r.randn(3, 4) > 0, r.randn(3, 4), r.randn(4)), ("x", "y")),
    case(np.where, lambda r: (r.randn(3) > 0, pf(r), r.randn(3)), ("x", "y"), id="where_float"),
    case(np.clip, lambda r: (r.randn(3, 4) * 2, -0.5, 0.7), ("a",), id="clip_constants"),
    case(np.clip, lambda r: (r.randn(3, 4) * 2, np.full(4, -0.5), 0.7), ("a", "a_min", "a_max"), id="clip_arrays"),
    case(np.clip, lambda r: (r.randn(3, 4) * 2,), ("a", "min", "max"), {"min": -0.5, "max": 0.7}, id="clip_kw",
         marks=NUMPY_2_1),
    # reductions
    case(np.sum, A34, "a"),
    case(np.sum, A34, "a", {"axis": 0}, id="sum_axis0"),
    case(np.sum, lambda r: (r.randn(2, 3, 4),), "a", {"axis": (0, 2), "keepdims": True}, id="sum_axes_keepdims"),
    case(np.sum, lambda r: (r.randn(2, 3, 4), -1), "a", id="sum_positional_axis"),
    case(np.mean, A34, "a"),
    case(np.mean, A34, "a", {"axis": 1, "keepdims": True}, id="mean_axis1_keepdims"),
    case(np.var, A34, "a", {"axis": 0}, id="var_axis0"),
    case(np.var, A34, "a", {"ddof": 1}, id="var_ddof1"),
    case(np.std, A34, "a"),
    case(np.std, A34, "a", {"axis": -1, "keepdims": True}, id="std_keepdims"),
    case(np.prod, A34, "a"),
    case(np.prod, A34, "a", {"axis": 1}, id="prod_axis1"),
    case(np.prod, lambda r: (r.randn(2, 3, 4),), "a", {"axis": (0, 2), "keepdims": True}, id="prod_axes_keepdims"),
    case(np.max, A34, "a"),
    case(np.max, A34, "a", {"axis": 0}, id="max_axis0"),
    case(np.amax, A34, "a", {"axis": 1, "keepdims": True}, id="amax_keepdims"),
    case(np.min, A34, "a"),
    case(np.amin, lambda r: (r.randn(2, 3, 4),), "a", {"axis": (1, 2)}, id="amin_axes"),
    case(np.cumsum, A34, "a"),
    case(np.cumsum, A34, "a", {"axis": 1}, id="cumsum_axis1"),
    # products
    case(np.dot, lambda r: (r.randn(3), r.randn(3)), "ab", id="dot_vec_vec"),
    case(np.dot, lambda r: (r.randn(2, 3), r.randn(3, 4)), "ab", id="dot_mat_mat"),
    case(np.dot, lambda r: (r.randn(2, 3), r.randn(3)), "ab", id="dot_mat_vec"),
    case(np.dot, lambda r: (r.randn(2, 4, 3), r.randn(5, 3, 2)), "ab", id="dot_nd"),
    case(np.dot, lambda r: (pf(r), r.randn(3)), "ab", id="dot_scalar"),
    case(np.outer, lambda r: (r.randn(3), r.randn(2, 2)), "ab"),
    case(np.tensordot, lambda r: (r.randn(2, 3, 4), r.randn(3, 4, 5)), "ab"),
    case(np.tensordot, lambda r: (r.randn(3, 4), r.randn(5, 3)), "ab", {"axes": (0, 1)}, id="tensordot_pairs"),
    case(np.tensordot, lambda r: (r.randn(3), r.randn(4)), "ab", {"axes": 0}, id="tensordot_outer"),
    # shapes
    case(np.transpose, A34, "a"),
    case(np.transpose, lambda r: (r.randn(2, 3, 4), (1, 2, 0)), "a", id="transpose_axes"),
    case(np.transpose, lambda r: (r.randn(2, 3, 4),), "a", {"axes": (-1, 0, 1)}, id="transpose_negative_axes"),
    case(np.reshape, lambda r: (r.randn(3, 4), (2, 6)), "a"),
    case(np.reshape, lambda r: (r.randn(3, 4), -1), "a", {"order": "F"}, id="reshape_F"),
    case(np.ravel, A34, "a"),
    case(np.ravel, A34, "a", {"order": "F"}, id="ravel_F"),
    case(np.expand_dims, lambda r: (r.randn(3, 4), (0, 2)), "a"),
    case(np.squeeze, lambda r: (r.randn(3, 1, 4, 1),), "a"),
    case(np.squeeze, lambda r: (r.randn(3, 1, 4, 1),), "a", {"axis": 1}, id="squeeze_axis"),
    case(np.broadcast_to, lambda r: (r.randn(3, 1), (2, 3, 4)), ("array",)),
    case(np.flip, A34, "m"),
    case(np.flip, A34, "m", {"axis": 1}, id="flip_axis"),
    # lists
    case(np.concatenate, lambda r: ([r.randn(2, 3), r.randn(4, 3)],), ("arrays",)),
    case(np.concatenate, lambda r: ([r.randn(3, 2), r.randn(3, 1)], 1), ("arrays",), id="concatenate_axis1"),
    case(np.concatenate, lambda r: ([r.randn(3, 2), r.randn(5)],), ("arrays",), {"axis": None}, id="concat_None"),
    case(np.stack, lambda r: ([r.randn(3), r.randn(3), r.randn(3)],), ("arrays",)),
    case(np.stack, lambda r: ([r.randn(2, 3), r.randn(2, 3)],), ("arrays",), {"axis": -1}, id="stack_last"),
    case(np.array, lambda r: ([pf(r), pf(r), pf(r)],), ("object",), id="array_of_floats"),
    case(np.array, lambda r: ([[pf(r), pf(r)], [pf(r), pf(r)]],), ("object",), id="array_nested"),
    case(np.array, lambda r: ([r.randn(3), r.randn(3)],), ("object",), {"ndmin": 3}, id="array_of_arrays_ndmin"),
    case(np.asarray, lambda r: ([pf(r), pf(r)],), "a", id="asarray_list"),
    case(np.asarray, A34, "a", id="asarray_array"),
    case(rt.astype, lambda r: (r.randn(3), np.float64), "x", id="astype_float"),
    case(rt.astype, lambda r: (r.uniform(0.2, 0.8, 3) + np.arange(3), int), "x", id="astype_int"),
    case(float, lambda r: (np.float64(pf(r)),), "x", id="float"),
    # the math module, on Python floats
    case(math.exp, lambda r: (pf(r),), "x"),
    case(math.expm1, lambda r: (pf(r),), "x"),
    case(math.log, lambda r: (pf(r),), "x"),
    case(math.log, lambda r: (pf(r), pf(r) + 1.5), ("x", "base"), id="log_base"),
    case(math.log1p, lambda r: (pf(r),), "x"),
    case(math.pow, lambda r: (pf(r), pf(r)), "xy"),
    case(math.sqrt, lambda r: (pf(r),), "x"),
    case(math.hypot, lambda r: (pf(r), -pf(r)), "xy"),
    case(math.fabs, lambda r: (-pf(r),), "x"),
    case(math.sin, lambda r: (pf(r),), "x"),
    case(math.cos, lambda r: (pf(r),), "x"),
    case(math.tan, lambda r: (pf(r),), "x"),
    case(math.asin, lambda r: (pf(r),), "x"),
    case(math.acos, lambda r: (pf(r),), "x"),
    case(math.atan, lambda r: (pf(r),), "x"),
    case(math.atan2, lambda r: (pf(r), -pf(r)), "yx"),
    case(math.sinh, lambda r: (pf(r),), "x"),
    case(math.cosh, lambda r: (pf(r),), "x"),
    case(math.tanh, lambda r: (pf(r),), "x"),
    case(math.asinh, lambda r: (pf(r),), "x"),
    case(math.acosh, lambda r: (pf(r) + 1.0,), "x"),
    case(math.atanh, lambda r: (pf(r),), "x"),
    # the runtime helpers that rules call (for derivatives of derivatives)
    case(rt.unbroadcast, lambda r: (r.randn(3, 4), np.zeros(4)), "g"),
    case(rt.broadcast_like, lambda r: (r.randn(3, 1), np.zeros((2, 3, 4))), "g"),
    case(rt.grad_reduce, lambda r: (r.randn(4), np.zeros((3, 4)), 0, False), "g"),
    case(rt.grad_reduce, lambda r: (r.randn(3, 1), np.zeros((3, 4)), 1, True), "g", id="grad_reduce_keepdims"),
    case(rt.prod_others, lambda r: (r.randn(3, 4),), "x"),
    case(rt.logistic, lambda r: (r.randn(3, 4) * 5.0,), "t"),
    case(rt.prod_others, lambda r: (r.randn(3, 4), 1), "x", id="prod_others_axis"),
    case(rt.cumsum_grad, lambda r: (r.randn(12), np.zeros((3, 4))), "g"),
    case(rt.cumsum_grad, lambda r: (r.randn(3, 4), np.zeros((3, 4)), 0), "g", id="cumsum_grad_axis"),
    case(rt.dot_grad_left, lambda r: (r.randn(2, 4), r.randn(2, 3), r.randn(3, 4)), ("g", "b")),
    case(rt.dot_grad_right, lambda r: (r.randn(2, 4), r.randn(2, 3), r.randn(3, 4)), ("g", "a")),
    case(rt.dot_grad_left, lambda r: (r.randn(2), r.randn(2, 3), r.randn(3)), ("g", "b"), id="dot_grad_left_vec"),
    case(rt.matmul_grad_left, lambda r: (r.randn(5, 2, 4), r.randn(2, 3), r.randn(5, 3, 4)), ("g", "b")),
    case(rt.matmul_grad_right, lambda r: (r.randn(5, 2, 4), r.randn(2, 3), r.randn(5, 3, 4)), ("g", "a")),
    case(rt.tensordot_grad_left, lambda r: (r.randn(2, 5), r.randn(2, 3, 4), r.randn(3, 4, 5)), ("g", "b")),
    case(rt.tensordot_grad_right, lambda r: (r.randn(2, 5), r.randn(2, 3, 4), r.randn(3, 4, 5)), ("g", "a")),
    case(rt.split_like, lambda r: (r.randn(5, 3), [np.zeros((2, 3)), np.zeros((3, 3))]), "g"),
    case(rt.concat_like, lambda r: ([r.randn(2, 3), r.randn(3, 3)], [np.zeros((2, 3)), np.zeros((3, 3))]), ("gs",)),
    case(rt.unstack, lambda r: (r.randn(3, 2), [np.zeros(3), np.zeros(3)], 1), "g"),
    case(rt.stack_like, lambda r: ([r.randn(3), r.randn(3)], [np.zeros(3), np.zeros(3)], 1), ("gs",)),
    case(rt.array_grad, lambda r: (r.randn(2, 2), [[1.0, 2.0], [3.0, 4.0]]), "g"),
    case(rt.array_like, lambda r: ([[pf(r), pf(r)], [pf(r), pf(r)]], [[1.0, 2.0], [3.0, 4.0]]), ("gs",)),
    # linear algebra (templates/linalg.py); slogdet and eigh return NamedTuples and are
    # checked in test_linalg_and_scipy.py
    case(np.linalg.inv, lambda r: (well_conditioned(r, 3),), "a"),
    case(np.linalg.inv, lambda r: (well_conditioned(r, 2, 3),), "a", id="inv_stack"),
    case(np.linalg.solve, lambda r: (well_conditioned(r, 3), r.randn(3)), "ab", id="solve_vector"),
    case(np.linalg.solve, lambda r: (well_conditioned(r, 3), r.randn(3, 2)), "ab", id="solve_matrix"),
    case(np.linalg.solve, lambda r: (well_conditioned(r, 2, 3), r.randn(2, 3, 2)), "ab", id="solve_stack"),
    case(np.linalg.solve, lambda r: (well_conditioned(r, 3, 3), r.randn(3)), "ab", id="solve_stack_one_vector"),
    case(np.linalg.solve, lambda r: (well_conditioned(r, 3), r.randn(2, 3, 2)), "ab", id="solve_stack_of_b"),
    case(np.linalg.det, lambda r: (well_conditioned(r, 3),), "a"),
    case(np.linalg.det, lambda r: (well_conditioned(r, 2, 3),), "a", id="det_stack"),
    case(np.linalg.cholesky, lambda r: (spd(r, 3),), "a"),
    case(np.linalg.cholesky, lambda r: (spd(r, 2, 3),), "a", id="cholesky_stack"),
    case(np.linalg.norm, A34, "x"),
    case(np.linalg.norm, A34, "x", {"axis": 1, "keepdims": True}, id="norm_axis_keepdims"),
    case(np.linalg.norm, A34, "x", {"ord": "fro"}, id="norm_fro"),
    case(np.linalg.norm, lambda r: (r.randn(2, 3, 4),), "x", {"axis": (0, 2)}, id="norm_frobenius_axes"),
    case(np.linalg.norm, lambda r: (away_from_zero(r, 5),), "x", {"ord": 1}, id="norm_1"),
    case(np.linalg.norm, lambda r: (r.randn(5),), "x", {"ord": np.inf}, id="norm_inf"),
    case(np.linalg.norm, lambda r: (r.randn(3, 4),), "x", {"ord": -np.inf, "axis": 0}, id="norm_-inf_axis"),
    case(np.linalg.norm, lambda r: (r.randn(5),), "x", {"ord": 2}, id="norm_2"),
    case(np.trace, A34, "a"),
    case(np.trace, lambda r: (r.randn(3, 4, 5), 1, 0, 2), "a", id="trace_axes"),
    case(np.diagonal, lambda r: (r.randn(3, 4, 5),), "a", {"offset": -1, "axis1": 2, "axis2": 0}, id="diagonal_axes"),
    case(np.diag, lambda r: (r.randn(3),), "v", id="diag_build"),
    case(np.diag, lambda r: (r.randn(3), -1), "v", id="diag_build_k"),
    case(np.diag, lambda r: (r.randn(3, 4), 1), "v", id="diag_take"),
    case(np.tril, A34, "m"),
    case(np.triu, lambda r: (r.randn(2, 3, 4), -1), "m", id="triu_k"),
    case(np.swapaxes, lambda r: (r.randn(2, 3, 4), 0, -1), "a"),
    case(np.moveaxis, lambda r: (r.randn(2, 3, 4), (0, 1), (2, 0)), "a"),
    case(np.sort, lambda r: (r.randn(5),), "a"),
    case(np.sort, lambda r: (r.randn(3, 4), 0), "a", id="sort_axis0"),
    case(np.sort, lambda r: (r.randn(3, 4),), "a", {"axis": None}, id="sort_flat"),
    case(np.einsum, lambda r: ("ij,j->i", r.randn(3, 4), r.randn(4)), "ab", id="einsum_matvec"),
    case(np.einsum, lambda r: ("ij,jk", r.randn(3, 4), r.randn(4, 2)), "ab", id="einsum_implicit"),
    case(np.einsum, lambda r: ("iji->ij", r.randn(3, 2, 3)), "a", id="einsum_diagonal"),
    case(np.einsum, lambda r: ("...ij,...jk->...ik", r.randn(2, 3, 4), r.randn(4, 2)), "ab", id="einsum_ellipsis"),
    case(np.einsum, lambda r: ("ij,k,jk,i->", r.randn(2, 3), r.randn(4), r.randn(3, 4), r.randn(2)), "abce",
         id="einsum_four"),
    # the helpers that these rules call
    case(rt.as_columns, lambda r: (r.randn(2, 3), np.zeros(3)), "x", id="as_columns_vector"),
    case(rt.as_columns, lambda r: (r.randn(2, 3), np.zeros((2, 3))), "x", id="as_columns_matrix"),
    case(rt.from_columns, lambda r: (r.randn(2, 3, 1), np.zeros(3)), "x"),
    case(rt.tril_half_diagonal, lambda r: (r.randn(2, 3, 3),), "x"),
    case(rt.symmetrize_lower, lambda r: (r.randn(2, 3, 3),), "x"),
    case(rt.fold_to_lower, lambda r: (r.randn(2, 3, 3),), "g"),
    case(rt.diagonal_grad, lambda r: (r.randn(4, 2), np.zeros((3, 4, 5)), 1, 2, 0), "g"),
    case(rt.trace_grad, lambda r: (r.randn(4), np.zeros((3, 4, 5)), -1, 0, 2), "g"),
    case(rt.diag_grad, lambda r: (r.randn(4, 4), np.zeros(3), 1), "g", id="diag_grad_vector"),
    case(rt.diag_grad, lambda r: (r.randn(3), np.zeros((3, 4)), 1), "g", id="diag_grad_matrix"),
    case(rt.sort_take, lambda r: (r.randn(3, 4), r.randn(3, 4), 0), "x"),
    case(rt.sort_untake, lambda r: (r.randn(12), r.randn(3, 4), None), "g"),
    case(rt.einsum_partial0, lambda r: ("ij,jk,k->i", np.zeros(2), r.randn(2, 3), r.randn(3, 4), r.randn(4)),
         ("x1", "x2", "x3")),
    case(rt.einsum_partial1, lambda r: ("ij,jk,k->i", r.randn(2), r.randn(2, 3), r.randn(3, 4), r.randn(4)),
         ("x0", "x2", "x3")),
    case(rt.einsum_partial2, lambda r: ("ij,jk,k->i", r.randn(2), r.randn(2, 3), r.randn(3, 4), r.randn(4)),
         ("x0", "x1", "x3")),
    case(rt.einsum_partial3, lambda r: ("ij,jk,k->i", r.randn(2), r.randn(2, 3), r.randn(3, 4), r.randn(4)),
         ("x0", "x1", "x2")),
    case(rt.einsum_partial4, lambda r: ("i,i,ij,j->", 1.0, r.randn(2), r.randn(2), r.randn(2, 3), r.randn(3)),
         ("x0", "x1", "x2", "x3")),
    case(rt.einsum_partial1, lambda r: ("ii->i", r.randn(3), r.randn(3, 3)), ("x0",), id="einsum_partial1_diagonal"),
]

if special is not None:
    CASES += [
        case(special.logsumexp, A34, "a"),
        case(special.logsumexp, A34, "a", {"axis": 1, "keepdims": True}, id="logsumexp_axis_keepdims"),
        case(special.logsumexp, lambda r: (r.randn(3, 4), 0, pos(r, 4)), "ab", id="logsumexp_b"),
        case(special.gammaln, lambda r: (pos(r, 3, 4),), "x"),
        case(special.digamma, lambda r: (pos(r, 3, 4),), "x"),
        case(special.polygamma, lambda r: (1, pos(r, 3, 4)), "x"),
        case(special.expit, A34, "x"),
        case(special.logit, lambda r: (r.uniform(0.1, 0.9, (3, 4)),), "x"),
        case(special.erf, A34, "z"),
        case(special.erfc, A34, "x"),
        case(special.ndtr, A34, "x"),
        case(special.log_ndtr, lambda r: (r.randn(3, 4) * 3.0,), "x"),
        case(special.xlogy, lambda r: (r.randn(3, 4), pos(r, 4)), "xy"),
        case(rt.one_if_none, lambda r: (r.randn(3),), "b"),
    ]


def _setup(prim, make, kwargs, mode):
    rng = np.random.RandomState(0)
    args = make(rng)
    rule = rules.adjoint_rule(prim) if mode == "adjoint" else rules.tangent_rule(prim)
    assert rule is not None, f"no {mode} rule for {prim}"
    bound = rule.signature.bind(*args, **kwargs)
    return rng, rule, bound


def _call(prim, bound, changes=None):
    arguments = dict(bound.arguments)
    arguments.update(changes or {})
    new = bound.signature.bind_partial()
    new.arguments.update(arguments)
    return prim(*new.args, **new.kwargs)


def _same_shapes(a, b):
    return [np.shape(p) for p in leaves(a)] == [np.shape(p) for p in leaves(b)]


@pytest.mark.parametrize("prim, make, active, kwargs", CASES)
def test_adjoint_rule(prim, make, active, kwargs):
    rng, rule, bound = _setup(prim, make, kwargs, "adjoint")
    result = _call(prim, bound)
    g = random_like(rng, result)
    d = call_rule(rule, set(active), result, bound.args, bound.kwargs, {rule.result_param: g})
    names = list(bound.arguments)
    for p in active:
        v = random_like(rng, bound.arguments[p])
        jv = directional(lambda *a: _call(prim, bound, dict(zip(names, a))), list(bound.arguments.values()),
                         [v if n == p else None for n in names])
        assert p in d, f"the rule assigns no d[{p}]"
        assert _same_shapes(d[p], bound.arguments[p]), f"d[{p}] has the wrong shape"
        assert vdot(d[p], v) == pytest.approx(vdot(g, jv), rel=1e-6, abs=1e-8), p


@pytest.mark.parametrize("prim, make, active, kwargs", CASES)
def test_tangent_rule(prim, make, active, kwargs):
    rng, rule, bound = _setup(prim, make, kwargs, "tangent")
    result = _call(prim, bound)
    names = list(bound.arguments)
    tangents = {p: random_like(rng, bound.arguments[p]) for p in active}
    d = call_rule(rule, set(active), result, bound.args, bound.kwargs, tangents)
    jv = directional(lambda *a: _call(prim, bound, dict(zip(names, a))), list(bound.arguments.values()),
                     [tangents.get(n) for n in names])
    out = d[rule.result_param]
    assert _same_shapes(out, jv) or np.ndim(result) == 0 and np.ndim(out) == 0
    for got, want in zip(leaves(out), leaves(jv)):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8)


# ----------------------------------------------------------------- values at kinks and zeros


def adjoint_of(prim, *args, g=1.0, active=None, **kwargs):
    rule = rules.adjoint_rule(prim)
    bound = rule.signature.bind(*args, **kwargs)
    result = prim(*args, **kwargs)
    active = active or [p for p, v in bound.arguments.items() if not isinstance(v, (int, type(None)))]
    return call_rule(rule, set(active), result, bound.args, bound.kwargs, {rule.result_param: g})


def test_ties_split_the_gradient_evenly():
    d = adjoint_of(np.maximum, np.array([1.0, 2.0]), np.array([1.0, 3.0]), g=np.ones(2))
    np.testing.assert_array_equal(d["x"], [0.5, 0.0])
    np.testing.assert_array_equal(d["y"], [0.5, 1.0])
    d = adjoint_of(np.max, np.array([3.0, 1.0, 3.0]), active=["a"])
    np.testing.assert_array_equal(d["a"], [0.5, 0.0, 0.5])
    d = adjoint_of(np.min, np.array([[1.0, 1.0], [0.0, 2.0]]), axis=1, g=np.array([2.0, 3.0]), active=["a"])
    np.testing.assert_array_equal(d["a"], [[1.0, 1.0], [3.0, 0.0]])


def test_abs_clip_and_pow_at_kinks_and_zeros():
    np.testing.assert_array_equal(adjoint_of(np.abs, np.array([-2.0, 0.0, 3.0]), g=np.ones(3))["x"], [-1, 0, 1])
    assert adjoint_of(math.fabs, 0.0)["x"] == 0.0
    d = adjoint_of(np.clip, np.array([-1.0, 0.0, 0.5, 2.0]), 0.0, 1.0, g=np.ones(4), active=["a"])
    np.testing.assert_array_equal(d["a"], [0.0, 1.0, 1.0, 0.0])
    # x ** y at x == 0: finite where the true derivative is
    d = adjoint_of(operator.pow, np.array([0.0, 2.0]), np.array([0.0, 2.0]), g=np.ones(2))
    np.testing.assert_array_equal(d["x"], [0.0, 4.0])
    np.testing.assert_allclose(d["y"], [0.0, 4.0 * np.log(2.0)])
    assert adjoint_of(operator.pow, 0.0, 2)["x"] == 0.0
    assert adjoint_of(operator.pow, 0.0, 2.0, active=["y"])["y"] == 0.0
    assert adjoint_of(math.pow, 0.0, 3.0)["x"] == 0.0
    np.testing.assert_array_equal(adjoint_of(np.prod, np.array([2.0, 0.0, 3.0]), active=["a"])["a"], [0.0, 6.0, 0.0])


def test_math_rules_stay_on_python_floats():
    for prim in (math.exp, math.sin, math.cos, math.tanh, math.sqrt, math.log, math.atan, math.fabs):
        d = adjoint_of(prim, 0.7)
        assert type(d["x"]) is float, prim
    assert type(adjoint_of(math.pow, 0.7, 2.5)["y"]) is float
    assert type(adjoint_of(operator.pow, 0.7, 2)["x"]) is float
    assert type(adjoint_of(operator.mul, 0.7, 2.0)["x"]) is float


def test_list_arguments_get_list_adjoints():
    d = adjoint_of(np.concatenate, [np.ones(2), np.ones(3)], g=np.arange(5.0), active=["arrays"])
    assert isinstance(d["arrays"], list) and [a.tolist() for a in d["arrays"]] == [[0, 1], [2, 3, 4]]
    d = adjoint_of(np.array, [[1.0, 2.0], (3.0, 4.0)], g=np.arange(4.0).reshape(2, 2), active=["object"])
    assert d["object"][0] == [0.0, 1.0] and d["object"][1] == (2.0, 3.0)


# ----------------------------------------------------------------- the shape of the rules

TEMPLATE_FILES = ("operators.py", "numpy_core.py", "runtime_helpers.py", "linalg.py", "scipy_special.py",
                  "elementwise.py", "arrays.py", "complex_numbers.py", "fft.py", "scipy_linalg.py")


def all_rules():
    rules._load_templates()
    out = []
    for table in (rules._ADJOINTS, rules._TANGENTS):
        for primitive, rule in table.values():
            if inspect.getsourcefile(rule.template).endswith(TEMPLATE_FILES):
                out.append(pytest.param(rule, id=f"{rule.mode}-{getattr(primitive, '__name__', primitive)}"))
    return out


_FORBIDDEN = (ast.If, ast.For, ast.While, ast.Try, ast.With, ast.Lambda, ast.ListComp, ast.DictComp, ast.SetComp,
              ast.GeneratorExp, ast.IfExp, ast.Return, ast.FunctionDef, ast.NamedExpr)


@pytest.mark.parametrize("rule", all_rules())
def test_rule_is_straight_line_code_of_the_allowed_form(rule):
    fn = _parse(rule)
    params = [a.arg for a in fn.args.args + fn.args.kwonlyargs]
    assert all(not isinstance(n, _FORBIDDEN) for stmt in fn.body for n in ast.walk(stmt))
    targets = []
    for stmt in fn.body:
        assert isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
        target = _d_ref(stmt.targets[0])
        if target is not None:
            targets.append(target)
        else:
            assert isinstance(stmt.targets[0], ast.Name)  # a temporary
        assert all(name in params for name in _refs(stmt.value)), "d[...] must name a parameter"
    assert len(targets) == len(set(targets)), "a derivative is assigned twice"
    if rule.mode == "adjoint":
        assert targets and rule.result_param not in targets
        for stmt in fn.body:
            assert set(_refs(stmt.value)) <= {rule.result_param}
    else:
        assert targets == [rule.result_param]
        (assign,) = [s for s in fn.body if _d_ref(s.targets[0]) is not None]
        for _, term in _terms(assign.value):
            # a term may be jointly linear in several d[arg] when its function reads None as zero
            joint = isinstance(term, ast.Call) and rules.is_none_aware(_called(term, rule))
            assert len(set(_refs(term))) == 1 or joint, f"tangent term {ast.unparse(term)} must be linear in one d[arg]"
            assert rule.result_param not in _refs(term)


_DISTRIBUTIONS = ("norm", "t", "beta", "chi2", "gamma", "poisson")  # scipy.stats objects


def _called(call, rule):
    return eval(compile(ast.Expression(call.func), "<rule>", "eval"), dict(rule.template.__globals__))


@pytest.mark.parametrize("rule", all_rules())
def test_rule_calls_only_numpy_math_and_runtime(rule):
    fn = _parse(rule)
    namespace = rule.template.__globals__
    for node in ast.walk(fn):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute):  # np.log, np.linalg.solve, special.digamma (scipy)
                root, path = func, []
                while isinstance(root, ast.Attribute):
                    root, path = root.value, [root.attr] + path
                assert isinstance(root, ast.Name) and root.id in ("np", "math", "operator", "special", "stats", "scipy") + _DISTRIBUTIONS, ast.unparse(func)
                obj = namespace[root.id]
                for attr in path:
                    obj = getattr(obj, attr)
                assert rules.adjoint_rule(obj) or rules.is_non_differentiable(obj), ast.unparse(func)
            else:
                obj = namespace.get(func.id, getattr(builtins, func.id, None))
                if getattr(obj, "__module__", None) == "s2s.ode":
                    assert getattr(obj, "_s2s_by_source", False), func.id  # odeint's: differentiated by their source
                    continue
                assert obj is float or getattr(obj, "__module__", None) == "s2s.runtime", func.id
                helper = getattr(obj, "__name__", "")
                assert obj is float or rules.adjoint_rule(obj) or rules.is_non_differentiable(obj), helper


def test_every_rule_has_both_modes():
    rules._load_templates()

    def ours(table):
        return {k for k, (_, r) in table.items() if inspect.getsourcefile(r.template).endswith(TEMPLATE_FILES)}

    assert ours(rules._ADJOINTS) == ours(rules._TANGENTS)


def test_non_differentiable_functions_are_registered():
    for f in (np.floor, np.sign, np.argmax, np.isnan, np.greater, np.logical_xor, np.any, np.zeros_like,
              np.random.randn, np.random.default_rng, math.floor, math.isfinite, len, range, int,
              round, isinstance, print, np.shape, np.size):
        assert rules.is_non_differentiable(f), f
    for f in (max, min, sorted, abs, np.abs, np.max, float, np.arange, np.linspace, np.full, np.full_like):
        assert not rules.is_non_differentiable(f), f
