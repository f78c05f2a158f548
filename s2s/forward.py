"""Forward mode: tangent statements interleaved with the primal ones.

Each assignment of an active name is followed by the `tangent` rule of its primitive,
`dt = ...`, written as a sum of terms each linear in one argument's tangent; terms of
inactive arguments (whose tangent is zero) are dropped. Control flow needs no
recording: the tangent code runs inside the same branches and loops as the primal.
Calls of user functions become calls of their `f_jvp`, which returns the result and
its tangent.
"""
import operator

import gast
import numpy

from . import anno, dispatch, rules, runtime, syntax
from .passes.activity import NONDIFF_ATTRIBUTES, differentiable_operands, is_numeric
from .passes.anf import updated_name
from .passes.desugar import index_expression
from .passes.views import is_fresh
from .syntax import assign, call, clone, const, constant_kind, describe, generated, name, ref, source_text, walk


class ForwardGenerator:
    """Tangent code for one function specialization."""

    def __init__(self, fn_source, activity, namer, program):
        self.src = fn_source
        self.act = activity
        self.namer = namer
        self.program = program
        # names updated in place: their tangents are too (setitem_tangent, append_tangent)
        self.written = {updated_name(s) for s in walk(fn_source.node) if isinstance(s, gast.Assign)} - {None}

    def tangent(self, primal):
        """The tangent name of an active primal name, or None (a zero tangent)."""
        return self.namer.derivative(primal) if self.act.active(primal) else None

    def zero(self, primal):
        """A zero tangent for `primal`, with its structure."""
        if self.act.kind(primal) == "scalar":
            return const(0.0)
        return call(ref(runtime.tangent_zeros, "tangent_zeros"), name(primal))

    def atom_tangent(self, node):
        """The tangent of an atom where a value is needed (zeros if inactive)."""
        if isinstance(node, gast.Name) and self.act.active(node.id):
            return name(self.tangent(node.id))
        return call(ref(runtime.tangent_zeros, "tangent_zeros"), clone(node))

    # -- statements

    def block(self, stmts):
        out = []
        for stmt in stmts:
            out += self.statement(stmt)
        return out

    def statement(self, stmt):
        if anno.has(stmt, "grad_hook"):
            return []  # gradient hooks act on the backward sweep only
        if isinstance(stmt, gast.Assign):
            return self.assignment(stmt)
        if isinstance(stmt, (gast.If, gast.While, gast.For)):
            stmt.body = self.block(stmt.body) or [gast.Pass()]
            if isinstance(stmt, gast.For):  # targets bound from values without tangents
                targets = [n.id for n in walk(stmt.target) if isinstance(n, gast.Name) and self.act.active(n.id)]
                stmt.body = [assign(self.tangent(t), self.zero(t)) for t in targets] + stmt.body
            stmt.orelse = self.block(stmt.orelse)
            if isinstance(stmt, gast.For) and {n.id for n in walk(stmt.iter) if isinstance(n, gast.Name)} & self.act.varied:
                if anno.get(stmt.iter, "callee") is not range:
                    raise self.src.error("cannot differentiate a loop over this iterable", stmt, "for loop")
            return [stmt]
        return [stmt]

    def assignment(self, stmt):
        target, value = stmt.targets[0], stmt.value
        targets = [n.id for n in walk(target) if isinstance(n, gast.Name)]
        if not any(self.act.active(t) for t in targets):
            if self.mutates_active_list(value):  # popping an inactive value: keep the tangent list in step
                rule_statements = self.tangent_statements(stmt, value, targets[0], self.namer.fresh("_unused"))
                return [stmt] + [gast.copy_location(s, stmt) for s in rule_statements]
            return [stmt]
        if isinstance(target, gast.Tuple):  # a, b = t
            names = [name(self.tangent(t) or self.namer.fresh("_"), gast.Store()) for t in targets]
            tangents = gast.Assign([gast.Tuple(names, gast.Store())], self.atom_tangent(value))
            return [stmt, gast.copy_location(tangents, stmt)]
        result, d_result = targets[0], self.tangent(targets[0])
        if not any(self.act.active(n) for n in differentiable_operands(value)) and not self.mutates_active_list(value):
            return [stmt, gast.copy_location(assign(d_result, self.zero(result)), stmt)]
        if self.is_user_call(value):
            return [self.user_call(stmt, value, result, d_result)]
        out = [stmt] + self.tangent_statements(stmt, value, result, d_result)
        return [gast.copy_location(s, stmt) for s in out]

    def mutates_active_list(self, value):
        callee = anno.get(value, "callee") if isinstance(value, gast.Call) else None
        return callee is not None and rules.is_always_run(callee) and isinstance(value.args[0], gast.Name) and self.act.active(value.args[0].id)

    def tangent_statements(self, stmt, value, result, d_result):
        if isinstance(value, gast.Name):
            return [assign(d_result, self.atom_tangent(value))]
        if isinstance(value, (gast.Tuple, gast.List)):
            return [assign(d_result, type(value)([self.atom_tangent(e) for e in value.elts], gast.Load()))]
        if isinstance(value, gast.Dict):
            return [assign(d_result, gast.Dict([clone(k) for k in value.keys], [self.atom_tangent(v) for v in value.values]))]
        if isinstance(value, gast.Subscript):
            if isinstance(value.value, gast.Name) and not is_numeric(self.act.kind(value.value.id)):
                # a name of no numeric kind may hold a value without a derivative (a range,
                # None), whose tangent is None: the item's tangent is then a zero
                return [assign(d_result, call(ref(runtime.grad_item, "grad_item"), name(self.tangent(value.value.id)), index_expression(value.slice), name(result)))]
            bindings = {"x": value.value, "index": index_expression(value.slice)}
            return self.rule_statements(rules.tangent_rule(operator.getitem), bindings, result, d_result)
        if isinstance(value, gast.Attribute):
            if value.attr in NONDIFF_ATTRIBUTES:
                return [assign(d_result, self.zero(result))]
            bindings = {"x": value.value, "name": const(value.attr)}
            return self.rule_statements(rules.tangent_rule(getattr), bindings, result, d_result)
        callee = anno.get(value, "callee")
        if callee is runtime.fixed_point:
            return self.fixed_point_tangent(stmt, value, result, d_result)
        rule = rules.tangent_rule(callee) if callee is not None else None
        if rule is None:
            what = describe(callee) if callee is not None else source_text(value.func)
            raise self.src.error(rules.missing_rule_message(callee, what, "tangent"), stmt, what)
        if isinstance(value, gast.BinOp):
            args, keywords = [value.left, value.right], []
        elif isinstance(value, gast.UnaryOp):
            args, keywords = [value.operand], []
        else:
            args, keywords = value.args, value.keywords
        bindings = rules.bind_arguments(rule, gast.Call(name("_"), list(args), list(keywords)), self.src)
        return self.rule_statements(rule, bindings, result, d_result, value)

    def fixed_point_tangent(self, stmt, value, result, d_result):
        """x = fixed_point(f, a, x0): t = (df/da) da + (df/dx) t, with f's forward mode."""
        function, a, tol, max_iter = dispatch.fixed_point_parts(self.src, stmt, value)
        jvp_name = self.program.request_forward(function, (True, True), (self.act.kind(a.id), self.act.kind(result)))
        tangent = call(
            ref(runtime.fixed_point_jvp, "fixed_point_jvp"), generated(jvp_name), name(a.id), name(result), self.atom_tangent(a), tol, max_iter
        )
        return [assign(d_result, tangent)]

    def rule_statements(self, rule, bindings, result, d_result, primal_value=None):
        def tangent(primal):
            return d_result if primal == result else self.tangent(primal)

        instance = rules.instantiate(rule, bindings, result, tangent, self.namer)
        out = []
        for s in instance.statements:
            if anno.get(s, "derivative_of"):
                value, dropped = _drop_zero_terms(s.value)
                if value is None:
                    value = self.zero(result)
                elif dropped and self.act.kind(result) != "scalar":
                    # the terms left may have a smaller shape than the result: `y + x` with
                    # only the scalar y active has the tangent dy, broadcast to x's shape
                    value = call(ref(runtime.broadcast_like, "broadcast_like"), value, name(result))
                s = assign(d_result, self.unshared(value, result, primal_value))
            out.append(s)
        return out

    def unshared(self, tangent, result, primal_value):
        """A tangent shares an object with another only where the primal values do: the
        tangent of a new primal value (`v = 1.0 + x`) that is an argument's tangent
        itself (`broadcast_like(dx, v)` returns dx) is copied when either name is
        updated in place, as the update would change both tangents."""
        if not is_fresh(primal_value) or _new_array(tangent) or rules.is_always_run(anno.get(primal_value, "callee")):
            return tangent  # a view (views.py copies what needs it), a new array, an update in place
        read = {n.id for n in walk(tangent) if isinstance(n, gast.Name)}
        if result in self.written or any(self.tangent(w) in read for w in self.written if self.act.active(w)):
            return call(ref(runtime.private_copy, "private_copy"), tangent)
        return tangent

    # -- calls of user functions

    def is_user_call(self, value):
        if not isinstance(value, gast.Call):
            return False
        callee = anno.get(value, "callee")
        if callee is not None and rules.tangent_rule(callee) is not None:
            return False
        return dispatch.call_target(value, self.act)[0] is not None

    def user_call(self, stmt, value, result, d_result):
        """`t = f(a, b)` -> `t, dt = f_jvp(a, b, da)`."""
        function, leading = dispatch.call_target(value, self.act)
        value.args = leading + value.args
        positional = self.program.bind_call(self.src, stmt, value, function)
        active = tuple(isinstance(a, gast.Name) and self.act.active(a.id) for a in positional)
        kinds = tuple(self.act.kind(a.id) if isinstance(a, gast.Name) else constant_kind(a) for a in positional)
        jvp_name = self.program.request_forward(function, active, kinds)
        tangents = [name(self.tangent(a.id)) for a, is_active in zip(positional, active) if is_active]
        value.func = generated(jvp_name)
        value.args = positional + tangents
        value.keywords = []
        stmt.targets = [gast.Tuple([name(result, gast.Store()), name(d_result, gast.Store())], gast.Store())]
        return stmt


def _new_array(tangent):
    """Is a tangent expression a new object: arithmetic, or a ufunc's result?"""
    if isinstance(tangent, (gast.BinOp, gast.UnaryOp)):
        return True
    callee = syntax.bound_object(tangent.func) if isinstance(tangent, gast.Call) else None
    return isinstance(callee, numpy.ufunc) or callee is runtime.private_copy


def _drop_zero_terms(expr):
    """(the sum without its terms that hold a zero (None) tangent or None if nothing is
    left, whether a term was dropped)."""
    terms = []
    _split_sum(expr, 1, terms)
    kept = [(sign, term) for sign, term in terms if not _is_zero(term)]
    if not kept:
        return None, True
    sign, total = kept[0]
    total = total if sign > 0 else gast.UnaryOp(gast.USub(), total)
    for sign, term in kept[1:]:
        total = gast.BinOp(total, gast.Add() if sign > 0 else gast.Sub(), term)
    return total, len(kept) < len(terms)


def _split_sum(expr, sign, terms):
    """The signed terms of a sum; a negated term's sign flips (`a + -b` is `a - b`:
    negation is exact, so each difference rounds as the sum did)."""
    if isinstance(expr, gast.BinOp) and isinstance(expr.op, (gast.Add, gast.Sub)):
        _split_sum(expr.left, sign, terms)
        _split_sum(expr.right, sign if isinstance(expr.op, gast.Add) else -sign, terms)
    elif isinstance(expr, gast.UnaryOp) and isinstance(expr.op, gast.USub):
        _split_sum(expr.operand, -sign, terms)
    else:
        terms.append((sign, expr))


def _is_none(node):
    """A zero tangent put in for an inactive argument (not a literal None such as axis=None)."""
    return isinstance(node, gast.Constant) and node.value is None and anno.get(node, "tangent_slot")


def _is_zero(term):
    """Does a term of a tangent rule vanish because a tangent in it is zero (None)?"""
    if _is_none(term):
        return True
    if isinstance(term, gast.BinOp):
        return _is_zero(term.left) or _is_zero(term.right)
    if isinstance(term, gast.UnaryOp):
        return _is_zero(term.operand)
    if isinstance(term, (gast.Subscript, gast.Attribute)):
        return _is_zero(term.value)
    if isinstance(term, gast.Call):
        args = list(term.args) + [k.value for k in term.keywords]
        if rules.is_none_aware(syntax.bound_object(term.func)):
            slots = [a for a in args if anno.get(a, "tangent_slot")]
            return bool(slots) and all(_is_none(a) for a in slots)
        return any(_is_zero(a) for a in args)
    if isinstance(term, (gast.Tuple, gast.List)):
        return all(_is_zero(e) for e in term.elts)
    return False
