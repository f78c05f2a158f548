"""Comprehensions and generator expressions become ordinary loops that build lists.

    parts = [np.tanh(w * x) for x in xs if x.size > 0]
becomes
    parts = []
    for _x in xs:
        if _x.size > 0:
            parts = list_append(parts, np.tanh(w * _x))

so the loop and list machinery differentiates them like hand-written code. Loop
variables get fresh names: they neither leak out nor clash with the function's own.

- A dict comprehension builds a list of keys and one of values, then calls
  `dict_from(keys, values)` (rules in templates/builtins.py).
- A set comprehension builds a list, then calls `set`. Sets have no derivative rule:
  differentiating through one is a located error, never a silent zero.
- A generator expression is accepted as the iterable of a for loop and as an argument
  of a call that consumes it at once (`sum(...)`, `list(...)`, `zip(...)`,
  `np.stack(...)`, ...), where a list means the same; so is `map(f, xs, ...)`, which
  becomes `[f(x, ...) for x, ... in zip(xs, ...)]` with `f` evaluated once, first, and
  so are `zip(a, b)` and `enumerate(xs)` as the argument of a call that only iterates
  it (list, tuple, dict, sorted, zip, enumerate), which become
  `[(_a, _b) for _a, _b in zip(a, b)]` (`dict(zip(keys, values))`,
  `list(enumerate(xs))`); anywhere else an iterator is an error, as it has no
  derivative rule.
- The loops run before the statement that holds the comprehension; in a branch of
  `x if c else y` or right of `and`/`or`, in an if statement that runs them only
  where Python would. In a `while` test (run again and again), or after a `pop()` in
  the same statement (which it would then run before), a comprehension is an error.

Builtins that take several values get one iterable instead, so each has one rule:
`max(a, b)` -> `max([a, b])`, and `reversed(xs)` -> `xs[::-1]`, a sequence the
backward sweep can read again (an iterator is used up by the forward sweep); so is
`zip(*rows)` -> `transposed(rows)`, the list of columns.
"""
import builtins

import gast
import numpy

from .. import anno, runtime
from ..naming import Namer
from ..syntax import NodeTransformer, walk
from .desugar import collect_locals
from .resolve import static_object

# Calls that consume an iterable at once. np.stack and np.array reject a generator
# (or wrap it in an object array): a list is what was meant.
_CONSUMERS = (
    builtins.sum, builtins.max, builtins.min, builtins.any, builtins.all, builtins.sorted,
    builtins.tuple, builtins.list, builtins.set, builtins.dict, builtins.zip, builtins.enumerate,
    numpy.stack, numpy.array, numpy.concatenate, numpy.hstack, numpy.vstack,
)
# Of those, the ones that only iterate their argument, where a list of the tuples that
# zip(...) or enumerate(...) yields is exactly the iterator (max and min compare tuples,
# np.array wraps an iterator in an object array, np.stack rejects one).
_ITERATING = (builtins.list, builtins.tuple, builtins.dict, builtins.sorted, builtins.zip, builtins.enumerate)
_COMPREHENSIONS = (gast.ListComp, gast.SetComp, gast.DictComp, gast.GeneratorExp)
# Arguments of `reversed` that are no sequence, or need no derivative: kept as written.
_VIEWS = ("keys", "values", "items")


def lower_comprehensions(fn_source):
    fn_source.node.body = _Lowering(fn_source).block(fn_source.node.body)
    return fn_source


def _ref(obj):
    node = gast.Name(obj.__name__, gast.Load(), None, None)
    anno.set(node, "object", obj)
    return node


def _load(id_):
    return gast.Name(id_, gast.Load(), None, None)


def _store(id_):
    return gast.Name(id_, gast.Store(), None, None)


def _append(lst, value):
    """`lst = list_append(lst, value)`, as desugar writes `lst.append(value)`."""
    return _assign(lst, gast.Call(_ref(runtime.list_append), [_load(lst), value], []))


def _assign(id_, value):
    return gast.Assign([_store(id_)], value)


def _has_comprehension(*nodes):
    return any(isinstance(n, _COMPREHENSIONS) for node in nodes for n in walk(node))


def _located(stmts, node):
    for stmt in stmts:
        for n in walk(stmt):
            if isinstance(n, gast.stmt) and getattr(n, "lineno", None) is None:
                gast.copy_location(n, node)
    return stmts


class _Lowering:
    def __init__(self, fn_source):
        self.src = fn_source
        self.namer = Namer.for_function(fn_source.node)
        self.locals = collect_locals(fn_source.node)

    def block(self, stmts):
        out = []
        for stmt in stmts:
            out += self.statement(stmt)
        return out

    def statement(self, stmt):
        """`stmt` with its comprehensions lowered, after the loops that build them."""
        before = []
        if isinstance(stmt, gast.While):
            if _has_comprehension(stmt.test):
                raise self.src.error(
                    "a comprehension in a while condition is not supported: it would run once, before the loop; "
                    "compute it before the loop and again at the end of the body",
                    stmt,
                    "comprehension",
                )
            stmt.body = self.block(stmt.body)
            return [stmt]
        if isinstance(stmt, (gast.If, gast.For)):  # the test or iterable runs once, before the body
            if isinstance(stmt, gast.If):
                stmt.test = self.lower(stmt.test, before, {})
            else:
                stmt.iter = self.lower(self.as_list(stmt.iter, before, {}), before, {})
            stmt.body, stmt.orelse = self.block(stmt.body), self.block(stmt.orelse)
            return before + [stmt]
        if (
            isinstance(stmt, gast.Assign)
            and isinstance(stmt.value, gast.ListComp)
            and isinstance(stmt.targets[0], gast.Name)
            and stmt.targets[0].id not in {n.id for n in walk(stmt.value) if isinstance(n, gast.Name)}
        ):
            self.comprehension(stmt.value, {}, before, into=stmt.targets[0].id)  # build the list in its own name
            return before
        return before + [self.lower(stmt, before, {})]

    def lower(self, node, before, renames):
        """`node` with its comprehensions replaced by values that loops, added to `before`, build."""
        count = len(before)
        node = _Expressions(self, renames, before).visit(node)
        if len(before) > count and any(
            isinstance(n, gast.Call) and anno.get(n.func, "object") is runtime.list_pop for n in walk(node)
        ):
            raise self.src.error(
                "a comprehension and a pop() in one statement are not supported: the comprehension would run "
                "first; pop in a statement of its own",
                node,
                "comprehension",
            )
        return node

    def callee(self, call):
        return static_object(call.func, self.src, self.locals)

    def as_list(self, iterable, before, renames, consumer=None):
        """A generator expression or `map(...)` consumed at once (or iterated by a for
        loop), as a list comprehension; so are `zip(...)` and `enumerate(...)` when the
        `consumer` only iterates them (a loop over them iterates by position:
        passes/loops.py)."""
        if isinstance(iterable, gast.GeneratorExp):
            return gast.copy_location(gast.ListComp(iterable.elt, iterable.generators), iterable)
        if not isinstance(iterable, gast.Call) or any(isinstance(a, gast.Starred) for a in iterable.args):
            return iterable
        callee = self.callee(iterable)
        if any(consumer is c for c in _ITERATING) and (
            (callee is builtins.zip and iterable.args and not iterable.keywords) or (callee is builtins.enumerate and iterable.args)
        ):
            # the tuples the iterator yields, in a list: `[(_a, _b) for _a, _b in zip(a, b)]`
            arity = len(iterable.args) if callee is builtins.zip else 2
            items = [self.namer.fresh("_item") for _ in range(arity)]
            target = gast.Tuple([_store(i) for i in items], gast.Store())
            element = gast.Tuple([_load(i) for i in items], gast.Load())
            return gast.copy_location(gast.ListComp(element, [gast.comprehension(target, iterable, [], 0)]), iterable)
        if callee is not builtins.map or len(iterable.args) < 2 or iterable.keywords:
            return iterable
        function = self.namer.fresh("_mapped")
        before += _located([_assign(function, self.lower(iterable.args[0], before, renames))], iterable)
        items = [self.namer.fresh("_item") for _ in iterable.args[1:]]
        target = gast.Tuple([_store(i) for i in items], gast.Store()) if len(items) > 1 else _store(items[0])
        source = iterable.args[1] if len(items) == 1 else gast.Call(_ref(builtins.zip), list(iterable.args[1:]), [])
        element = gast.Call(_load(function), [_load(i) for i in items], [])
        generator = gast.comprehension(target, source, [], 0)
        return gast.copy_location(gast.ListComp(element, [generator]), iterable)

    def comprehension(self, node, renames, before, into=None):
        """Add the loops that build `node`'s value to `before`; returns an expression for the value."""
        first = self.lower(node.generators[0].iter, before, renames)  # runs in the enclosing scope
        inner = dict(renames)
        for generator in node.generators:
            for n in walk(generator.target):
                if isinstance(n, gast.Name):
                    inner[n.id] = self.namer.fresh("_" + n.id)
        if isinstance(node, gast.DictComp):
            lists, items = [self.namer.fresh("_keys"), self.namer.fresh("_values")], [node.key, node.value]
        else:
            lists, items = [into or self.namer.fresh("_list")], [node.elt]
        body = []
        for lst, item in zip(lists, items):
            body.append(_append(lst, self.lower(item, body, inner)))
        for index in reversed(range(len(node.generators))):
            generator = node.generators[index]
            for test in reversed(generator.ifs):
                guard = []
                body = guard + [gast.If(self.lower(test, guard, inner), body, [])]
            head = []
            iterable = first if index == 0 else self.lower(generator.iter, head, inner)
            target = _Expressions(self, inner, head).visit(generator.target)
            body = head + [gast.For(target, iterable, body, [], None)]
        before += _located([_assign(lst, gast.List([], gast.Load())) for lst in lists] + body, node)
        if isinstance(node, gast.DictComp):
            value = gast.Call(_ref(runtime.dict_from), [_load(lst) for lst in lists], [])
        elif isinstance(node, gast.SetComp):
            value = gast.Call(_ref(builtins.set), [_load(lists[0])], [])
        else:
            value = _load(lists[0])
        return gast.copy_location(value, node)

    def builtin_call(self, node, callee):
        """One iterable for the builtins that also take several values, or give an iterator."""
        if callee is builtins.zip and len(node.args) == 1 and isinstance(node.args[0], gast.Starred) and not node.keywords:
            # zip(*rows): the columns, as a list the backward sweep can read again
            return gast.copy_location(gast.Call(_ref(runtime.transposed), [node.args[0].value], []), node)
        if any(isinstance(a, gast.Starred) for a in node.args):
            return node
        if (callee is builtins.max or callee is builtins.min) and len(node.args) > 1:
            node.args = [gast.List(node.args, gast.Load())]
        elif callee is builtins.reversed and len(node.args) == 1 and not self.keeps_reversed(node.args[0]):
            backwards = gast.Slice(None, None, gast.Constant(-1, None))
            return gast.copy_location(gast.Subscript(node.args[0], backwards, gast.Load()), node)
        return node

    def keeps_reversed(self, argument):
        """`reversed(range(n))` and `reversed(d.items())`: no sequence to slice, or no derivative."""
        if not isinstance(argument, gast.Call):
            return False
        if isinstance(argument.func, gast.Attribute) and argument.func.attr in _VIEWS:
            return True
        return self.callee(argument) is builtins.range


class _Expressions(NodeTransformer):
    """Replaces the comprehensions of an expression, renaming the loop variables in scope."""

    def __init__(self, lowering, renames, before):
        self.lowering = lowering
        self.renames = renames
        self.before = before

    def visit_Name(self, node):
        node.id = self.renames.get(node.id, node.id)
        return node

    def visit_ListComp(self, node):
        return self.lowering.comprehension(node, self.renames, self.before)

    visit_SetComp = visit_DictComp = visit_ListComp

    def visit_GeneratorExp(self, node):
        raise self.lowering.src.error(
            "a generator expression is supported only as a for loop's iterable and as the argument of sum, "
            "max, min, any, all, sorted, tuple, list, set, dict, zip, enumerate, np.stack, np.array or "
            "np.concatenate; use a list comprehension",
            node,
            "generator expression",
        )

    # A comprehension that runs only sometimes, in a branch of `x if c else y` or right
    # of `and`/`or`: the expression becomes an if statement, its loops go in the branch.

    def visit_IfExp(self, node):
        if not _has_comprehension(node.body, node.orelse):
            return self.generic_visit(node)
        choice = self.lowering.namer.fresh("_choice")
        then, otherwise = [], []
        then.append(_assign(choice, self.lowering.lower(node.body, then, self.renames)))
        otherwise.append(_assign(choice, self.lowering.lower(node.orelse, otherwise, self.renames)))
        self.before += _located([gast.If(self.visit(node.test), then, otherwise)], node)
        return _load(choice)

    def visit_BoolOp(self, node):
        if not _has_comprehension(*node.values[1:]):
            return self.generic_visit(node)
        cond = self.lowering.namer.fresh("_cond")
        self.before += _located([_assign(cond, self.visit(node.values[0]))], node)
        for value in node.values[1:]:
            then = []
            then.append(_assign(cond, self.lowering.lower(value, then, self.renames)))
            test = _load(cond) if isinstance(node.op, gast.And) else gast.UnaryOp(gast.Not(), _load(cond))
            self.before += _located([gast.If(test, then, [])], node)
        return _load(cond)

    def visit_Call(self, node):
        callee = self.lowering.callee(node)  # before loop variables are renamed
        if any(callee is c for c in _CONSUMERS):
            node.args = [self.lowering.as_list(a, self.before, self.renames, callee) for a in node.args]
        self.generic_visit(node)
        return self.lowering.builtin_call(node, callee)
