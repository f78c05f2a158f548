"""A-normal form: one operation per assignment, operands are names or constants.

Kept whole, because they are never differentiated: `if`/`while` tests (the backward
pass replays recorded decisions), subscript indices, f-strings and expression
statements (side effects such as print stay in the forward sweep and run once).
"""
import gast

from .. import anno, dispatch, rules
from ..syntax import NodeTransformer, walk
from .desugar import collect_locals
from .resolve import static_object

OPERATION_NAMES = {  # temporaries are named by their operation (hoist too)
    gast.Add: "add", gast.Sub: "sub", gast.Mult: "mul", gast.Div: "div", gast.FloorDiv: "floordiv",
    gast.Mod: "mod", gast.Pow: "pow", gast.MatMult: "matmul", gast.USub: "neg", gast.UAdd: "pos",
    gast.Not: "not", gast.Invert: "invert",
}


def to_anf(fn_source, namer):
    anf = _ANF(fn_source, namer)
    fn_source.node.body = anf.block(fn_source.node.body)
    return fn_source


def _name(id_, ctx=None):
    return gast.Name(id_, ctx or gast.Load(), None, None)


class _ANF:
    def __init__(self, fn_source, namer):
        self.src = fn_source
        self.namer = namer
        self.locals = collect_locals(fn_source.node)
        self.constant_tuples = _constant_tuple_items(fn_source.node)

    def block(self, stmts):
        out = []
        for stmt in stmts:
            new = self.stmt(stmt)
            for s in new:  # statements made here (branches of `a if c else b` too) point at their source
                for n in walk(s):
                    if isinstance(n, gast.stmt) and getattr(n, "lineno", None) is None:
                        gast.copy_location(n, stmt)
            out += new
        return out

    def stmt(self, s):
        out = []
        if isinstance(s, gast.Assign):
            self.assign(s.targets[0], s.value, out, s)
        elif isinstance(s, gast.If):
            if _mutations(s.test) or any(self.calls_user_function(n) for n in walk(s.test)):
                # `if lst.pop():` pops once, before the branch; `if h(x) > 0:` may update
                # x (passes/writeback.py)
                s.test = self.atom(s.test, out)
            s.body = self.block(s.body)
            s.orelse = self.block(s.orelse)
            out.append(s)
        elif isinstance(s, gast.While):
            if _mutations(s.test):
                raise self.src.error("a while condition that changes a list is not supported", s, "while condition")
            s.body = self.block(s.body)
            out.append(s)
        elif isinstance(s, gast.For):
            s.iter = self.iterable(s.iter, out)
            rebound = {
                n.id
                for b in s.body
                for a in walk(b)
                # every target of an assignment (`v1, v0 = v0, v1` too), but not y of
                # `y = setitem(y, i, v)`: an update in place keeps y's object
                if isinstance(a, gast.Assign) and not (isinstance(a.targets[0], gast.Name) and updated_name(a) == a.targets[0].id)
                for n in walk(a.targets[0])
                if isinstance(n, gast.Name)
            } | {n.id for b in s.body for f in walk(b) if isinstance(f, gast.For) for n in walk(f.target) if isinstance(n, gast.Name)}
            s.iter = self.evaluated_once(s.iter, rebound, out)
            s.body = self.own_loop_targets(s, rebound) + self.block(s.body)
            out.append(s)
        elif isinstance(s, gast.Return):
            if s.value is not None:
                s.value = self.atom(s.value, out)
            out.append(s)
        elif anno.has(s, "grad_hook"):
            out.append(s)
        elif isinstance(s, gast.Expr) and isinstance(s.value, gast.Constant):
            pass  # docstring or bare constant
        elif isinstance(s, gast.Expr) and (_mutations(s.value) or self.calls_user_function(s.value)):
            # a bare `lst.pop()`, or `push(stack, v)`, which may update its arguments
            # (passes/writeback.py): a binding, so it is differentiated
            self.atom(s.value, out)
        else:  # Expr, Assert, Raise, Pass, Break, Continue: kept whole
            out.append(s)
        return out

    def assign(self, target, value, out, origin):
        if isinstance(target, gast.Name):
            simple = self.op(value, out, hint=target.id)
            reads = {n.id for n in walk(simple) if isinstance(n, gast.Name)}
            callee = static_object(simple.func, self.src, self.locals) if isinstance(simple, gast.Call) else None
            if target.id in reads and not isinstance(simple, gast.Name) and not is_update_in_place(target.id, simple, callee):
                # x = x * a: the operand and the result must be different names, so the
                # backward sweep can restore the old x while keeping the new one's adjoint
                temp = self.namer.fresh("_" + _hint(simple))
                out.append(gast.Assign([_name(temp, gast.Store())], simple))
                simple = _name(temp)
            out.append(gast.Assign([target], simple))
        elif isinstance(target, (gast.Tuple, gast.List)):
            source = self.atom(value, out)
            if isinstance(source, gast.Name) and source.id in {n.id for n in walk(target) if isinstance(n, gast.Name)}:
                # v, x = x: as for x = x * a, the unpacked value and a target get different names
                temp = self.namer.fresh("_" + source.id)
                out.append(gast.Assign([_name(temp, gast.Store())], source))
                source = _name(temp)
            flat = []
            for element in target.elts:
                if isinstance(element, gast.Name):
                    flat.append(element)
                else:  # nested unpacking: bind to a temporary, unpack that next
                    temp = self.namer.fresh("_unpacked")
                    flat.append(_name(temp, gast.Store()))
            out.append(gast.Assign([gast.Tuple(flat, gast.Store())], source))
            for element, bound in zip(target.elts, flat):
                if not isinstance(element, gast.Name):
                    self.assign(element, _name(bound.id), out, origin)
        else:
            kind = "subscript" if isinstance(target, gast.Subscript) else "attribute"
            raise self.src.error(
                f"assignment to a {kind} is not supported yet", origin, f"{kind} assignment"
            )

    def iterable(self, node, out):
        """Loop forms the loops pass understands stay whole (range, zip, enumerate,
        d.items()/.values()/.keys()); any other iterable is bound to a name first."""
        loop_form = isinstance(node, gast.Call) and (
            self.is_static(node.func) and static_object(node.func, self.src, self.locals) in (range, zip, enumerate)
            or isinstance(node.func, gast.Attribute) and node.func.attr in ("items", "values", "keys") and not node.args
        )
        if not loop_form:
            return self.atom(node, out)
        if isinstance(node.func, gast.Attribute) and not self.is_static(node.func):
            node.func = gast.Attribute(self.atom(node.func.value, out), node.func.attr, gast.Load())
        node.args = [self.atom(a, out) for a in node.args]
        node.keywords = [gast.keyword(k.arg, self.atom(k.value, out)) for k in node.keywords]
        return node

    def own_loop_targets(self, loop, rebound):
        """`for e in x: e = 1.0` -> `for _e in x: e = _e; e = 1.0`: a loop target the body
        binds again is an ordinary name, saved and restored like any other, and the loop
        binds a name of its own (the backward sweep's loop binds that name again)."""
        binds = []
        for node in walk(loop.target):
            if isinstance(node, gast.Name) and node.id in rebound:
                own = self.namer.fresh("_" + node.id)
                binds.append(gast.copy_location(gast.Assign([_name(node.id, gast.Store())], _name(own)), loop))
                node.id = own
        return binds

    def evaluated_once(self, iterable, rebound, out):
        """Python evaluates a loop's iterable once: a name the body rebinds (`for e in x:
        x = ...`) is read into a temporary first, which the loop then iterates."""

        def fixed(atom):
            if isinstance(atom, gast.Name) and atom.id in rebound:
                temp = self.namer.fresh("_" + atom.id)
                out.append(gast.Assign([_name(temp, gast.Store())], atom))
                return _name(temp)
            return atom

        if isinstance(iterable, gast.Call):
            if isinstance(iterable.func, gast.Attribute):
                iterable.func.value = fixed(iterable.func.value)
            iterable.args = [fixed(a) for a in iterable.args]
            for k in iterable.keywords:
                k.value = fixed(k.value)
            return iterable
        return fixed(iterable)

    def calls_user_function(self, node):
        if not isinstance(node, gast.Call):
            return False
        return dispatch.user_function(static_object(node.func, self.src, self.locals)) is not None

    def is_static(self, node):
        """A dotted name rooted at a global (np.linalg.norm), or a derivative of a global
        function (`s2s.grad(f)`): resolved at transform time."""
        if isinstance(node, gast.Call):
            return (
                self.is_static(node.func)
                and all(isinstance(a, gast.Constant) or self.is_static(a) for a in node.args)
                and all(isinstance(k.value, gast.Constant) or self.is_static(k.value) for k in node.keywords)
                and getattr(static_object(node.func, self.src, self.locals), "_s2s_static_call", False)
            )
        while isinstance(node, gast.Attribute):
            node = node.value
        return isinstance(node, gast.Name) and node.id not in self.locals

    def atom(self, node, out, hint=None):
        if isinstance(node, (gast.Name, gast.Constant)):
            return node
        if isinstance(node, gast.Attribute) and self.is_static(node):
            return node  # a module constant such as np.pi
        simple = self.op(node, out)
        if isinstance(simple, (gast.Name, gast.Constant)):
            return simple
        temp = self.namer.fresh("_" + (hint or _hint(simple)))
        out.append(gast.Assign([_name(temp, gast.Store())], simple))
        return _name(temp)

    def op(self, node, out, hint=None):
        """`node` as one operation over atoms, emitting what it needs into `out`."""
        if isinstance(node, (gast.Name, gast.Constant, gast.JoinedStr)):
            return node
        if isinstance(node, gast.BinOp):
            return gast.BinOp(self.atom(node.left, out), node.op, self.atom(node.right, out))
        if isinstance(node, gast.UnaryOp):
            if isinstance(node.op, (gast.USub, gast.UAdd)) and isinstance(node.operand, gast.Constant):
                value = node.operand.value
                return gast.Constant(-value if isinstance(node.op, gast.USub) else value, None)
            return gast.UnaryOp(node.op, self.atom(node.operand, out))
        if isinstance(node, gast.Compare):
            return gast.Compare(self.atom(node.left, out), node.ops, [self.atom(c, out) for c in node.comparators])
        if isinstance(node, gast.Call):
            if self.is_static(node.func):
                func = node.func
            elif isinstance(node.func, gast.Attribute):  # obj.method(...): kept a method call
                func = gast.Attribute(self.atom(node.func.value, out), node.func.attr, gast.Load())
            else:
                func = self.atom(node.func, out)
            args = [
                gast.Starred(self.atom(a.value, out), gast.Load()) if isinstance(a, gast.Starred) else self.atom(a, out)
                for a in node.args
            ]
            keywords = [gast.keyword(k.arg, self.atom(k.value, out)) for k in node.keywords]
            call = gast.Call(func, args, keywords)
            anno.set(call, "object", anno.get(node.func, "object")) if anno.has(node.func, "object") else None
            return call
        if isinstance(node, gast.Subscript):
            known = self.constant_tuples.get(getattr(node.value, "id", None), {})
            index = node.slice.value if isinstance(node.slice, gast.Constant) else None
            if isinstance(index, int) and not isinstance(index, bool) and index in known:
                return gast.Constant(known[index], None)  # t[0] of t = (1.0, x): a constant, no derivative
            value = self.atom(node.value, out)
            return gast.Subscript(value, self.hoist_mutations(node.slice, out), gast.Load())
        if isinstance(node, gast.Attribute):
            if self.is_static(node):
                return node
            return gast.Attribute(self.atom(node.value, out), node.attr, gast.Load())
        if isinstance(node, (gast.Tuple, gast.List, gast.Set)):
            if any(isinstance(e, gast.Starred) for e in node.elts):
                raise self.src.error("starred elements in a display are not supported yet", node, "starred display")
            elts = [self.atom(e, out) for e in node.elts]
            return gast.Set(elts) if isinstance(node, gast.Set) else type(node)(elts, gast.Load())
        if isinstance(node, gast.Dict):
            if any(k is None for k in node.keys):
                raise self.src.error("**-unpacking in a dict display is not supported yet", node, "dict unpacking")
            return gast.Dict([self.atom(k, out) for k in node.keys], [self.atom(v, out) for v in node.values])
        if isinstance(node, gast.BoolOp):
            return self.bool_op(node, out, hint)
        if isinstance(node, gast.IfExp):
            temp = self.namer.fresh("_" + (hint or "choice"))
            then_out, else_out = [], []
            then_out.append(gast.Assign([_name(temp, gast.Store())], self.op(node.body, then_out)))
            else_out.append(gast.Assign([_name(temp, gast.Store())], self.op(node.orelse, else_out)))
            out.append(gast.If(node.test, then_out, else_out))
            return _name(temp)
        raise self.src.error(f"{type(node).__name__} expressions are not supported", node, type(node).__name__)

    def hoist_mutations(self, node, out):
        """Bind list mutations inside an expression kept whole (an index) to names first."""
        return _HoistMutations(self, out).visit(node)

    def bool_op(self, node, out, hint):
        """Short-circuit `a and b` / `a or b` as branches, evaluating `b` only when needed."""
        temp = self.namer.fresh("_" + (hint or "cond"))
        first, *rest = node.values
        out.append(gast.Assign([_name(temp, gast.Store())], self.op(first, out)))
        for value in rest:
            inner = []
            inner.append(gast.Assign([_name(temp, gast.Store())], self.op(value, inner)))
            test = _name(temp) if isinstance(node.op, gast.And) else gast.UnaryOp(gast.Not(), _name(temp))
            out.append(gast.If(test, inner, []))
        return _name(temp)


def updated_name(assign):
    """The name an assignment updates in place, after desugar: `y` of `y = setitem(y, i,
    v)`, `lst` of `lst = list_append(lst, v)` or `v = list_pop(lst)`; else None."""
    value = assign.value
    if not (isinstance(value, gast.Call) and value.args and isinstance(value.args[0], gast.Name)):
        return None
    callee = anno.get(value, "callee") or anno.get(value.func, "object")
    return value.args[0].id if rules.is_always_run(callee) else None


def _constant_tuple_items(fn):
    """{name: {position: constant}} for names bound once, to a tuple display, whose
    constant items a read `t[k]` may take directly (a tuple never changes)."""
    bindings = {}
    for node in walk(fn):
        if isinstance(node, gast.Name) and isinstance(node.ctx, (gast.Store, gast.Param)):
            bindings[node.id] = bindings.get(node.id, 0) + 1
    found = {}
    for node in walk(fn):
        if isinstance(node, gast.Assign) and isinstance(node.targets[0], gast.Name) and isinstance(node.value, gast.Tuple):
            name = node.targets[0].id
            if bindings[name] == 1:
                items = {i: e.value for i, e in enumerate(node.value.elts) if isinstance(e, gast.Constant)}
                items.update({i - len(node.value.elts): v for i, v in list(items.items())})
                found[name] = items
    return found


def _hint(node):
    if isinstance(node, (gast.BinOp, gast.UnaryOp)):
        return OPERATION_NAMES.get(type(node.op), "op")
    if isinstance(node, gast.Call):
        f = node.func
        return f.attr if isinstance(f, gast.Attribute) else f.id if isinstance(f, gast.Name) else "call"
    if isinstance(node, gast.Subscript):
        return "item"
    if isinstance(node, gast.Attribute):
        return node.attr
    if isinstance(node, gast.Compare):
        return "cmp"
    return type(node).__name__.lower()


def _mutations(node):
    """Does `node` call a primitive that mutates a list (list_pop, list_append)?"""
    return any(isinstance(n, gast.Call) and rules.is_always_run(anno.get(n.func, "object")) for n in walk(node))


def is_update_in_place(target, value, callee):
    """`lst = list_append(lst, v)`: a primitive updating `lst` in place and returning it.

    Such an assignment keeps one name for one object: it gets no temporary (which would
    alias the list under two names) and its rules update the list's derivative in place.
    """
    return (
        isinstance(value, gast.Call)
        and rules.is_always_run(callee)
        and bool(value.args)
        and isinstance(value.args[0], gast.Name)
        and value.args[0].id == target
    )


class _HoistMutations(NodeTransformer):
    """A list mutation inside an expression becomes a name `anf` binds in `out` first. A
    class of the module's: one made per call is a reference cycle, which kept the
    function's tree alive until the collector ran."""

    def __init__(self, anf, out):
        self.anf, self.out = anf, out

    def visit_Call(self, call):
        return self.anf.atom(call, self.out) if _mutations(call) else self.generic_visit(call)
