"""A name written in place holds an object of its own, and reads from it are copies.

The backward sweep reads values from the tape and undoes writes in place on a private
copy of the written array, so every value it reads must still hold what it held at
its own forward point. These bindings break that:
- `t = y[1:]` (or `np.reshape(y, ...)`) is a view: a later `y[i] = v` changes `t`;
- `y = t` (or `y = f(t)` returning its argument) makes `t` the array that a later
  `y[i] = v` writes into, while the backward sweep may still read `t` (`t = x / x;
  x = t` is what `x /= x` becomes).
- `t = y` (or `r0, r1 = y`) of a `y` written later: `t` would show the write.
- `for r in y` (or over enumerate(y), zip(y, ...)) of a `y` written later: each `r`
  is a view of a row, read as `r = private_copy(_row)`; `rows = list(y)` and
  `parts = np.split(y, 3)` hold views of y's rows or blocks: they are made of a copy
  of y (`_shared = private_copy(y); parts = np.split(_shared, 3)`).
- any other binding that makes a name share an object written later, as the points-to
  of passes/aliasing.py finds it (`_, t = pair` of `pair = (0.5, y)`, then `y[0] = v`, as
  in a gradient's own code, which undoes writes in place: `y = restore_item(y, ...)`).
- a display holding an object written later, or appended to or popped (`args = (p,)`
  for `dict(p)`, then `p.append(v)`): the backward sweep reads the display, as the
  packed arguments of a rule or a call, and a gradient's code pops what it appended.
All are read as copies (`t = private_copy(y[1:])`, `y = private_copy(t)`, `args =
(_shared,)` after `_shared = private_copy(p)`), displays first. Python's
program cannot tell: passes/aliasing.py has refused every write that a name read
afterwards would see, so only the backward sweep could have seen the sharing.
The same holds for a tape: a user function called with `y`, written later, gets a copy
of `y` (copy_call_arguments), which its tape may hold.
"""
import gast
import numpy

from .. import anno, runtime
from ..syntax import DISPLAYS, call, display_items, name, ref, walk
from .aliasing import UPDATES, VIEWS, arguments_written_later, bindings_written_later, einsum_may_be_a_view
from .blocks import rewrite_statements

_ITEM_WRITES = UPDATES - {runtime.list_append, runtime.list_pop}

# Calls whose result is, or holds, views of their first argument (`list(y)` holds y's rows).
_VIEWS_OF_FIRST = VIEWS | {list, tuple, sorted, reversed}


def copy_shared_bindings(fn_source, activity, namer, callees):
    """Rewrite the bindings above, and any other that passes/aliasing.py finds to share
    an object written later (`_, t = pair` of a tuple holding y); returns True if any
    changed. callees: what aliasing needs of the user functions called."""
    updates = [
        (s.targets[0].id, anno.get(s.value, "callee"))
        for s in walk(fn_source.node)
        if isinstance(s, gast.Assign) and isinstance(s.value, gast.Call) and anno.get(s.value, "callee") in UPDATES
    ]
    if not updates:  # no update in place: nothing to keep apart
        return False
    # names written item by item: views of them (rows, `list(y)`, `np.split(y, 3)`) would
    # see the writes; an append or pop changes only the list's length
    written = {n for n, callee in updates if callee in _ITEM_WRITES}
    shared_later = bindings_written_later(fn_source, activity.kinds, callees)
    changed = False

    def copy_items(stmt):  # `pair = (a, y)`: the display holds a copy of y
        nonlocal changed
        if not (isinstance(stmt, gast.Assign) and isinstance(stmt.value, DISPLAYS)):
            return [stmt]
        names = {t for t in shared_later.get(id(stmt), ()) if activity.kind(t) != "scalar"}
        changed = changed or bool(names)
        return _copied_items(stmt, names, namer)

    # Displays first: a name bound to an item of the display's copy (`_, t = pair`)
    # shares nothing then, as the analysis of the copied code finds.
    if shared_later:
        fn_source.node.body = rewrite_statements(fn_source.node.body, copy_items)
    if changed:
        shared_later = bindings_written_later(fn_source, activity.kinds, callees)

    def rewrite(stmt):
        nonlocal changed
        if isinstance(stmt, gast.For) and _iterated(stmt.iter) & written:
            rows = [t for t in walk(stmt.target) if isinstance(t, gast.Name) and activity.kind(t.id) != "scalar"]
            for t in rows:  # `for r in y` binds views of y's rows: `for _row in y: r = private_copy(_row)`
                row = namer.fresh("_row")
                copied = _private_copy(name(row))
                stmt.body.insert(0, gast.copy_location(gast.Assign([name(t.id, gast.Store())], copied), stmt))
                t.id = row
            changed = changed or bool(rows)
            return [stmt]
        if not (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], (gast.Name, gast.Tuple))):
            return [stmt]
        targets = [t.id for t in walk(stmt.targets[0]) if isinstance(t, gast.Name)]
        value, viewed = stmt.value, _viewed(stmt.value)
        if all(activity.kind(t) == "scalar" for t in targets):
            return [stmt]
        if isinstance(value, gast.Call) and viewed in written and anno.get(value, "callee") is not runtime.loop_item:
            # `np.split(y, 3)`, `list(y)`: views of y, maybe in a list: made of a copy of y
            changed = True
            shared = namer.fresh("_shared")
            copied = _private_copy(value.args[0])
            value.args[0] = name(shared)
            return [gast.copy_location(gast.Assign([name(shared, gast.Store())], copied), stmt), stmt]
        rebinds_written = isinstance(stmt.targets[0], gast.Name) and targets[0] in written and not is_fresh(value)
        if viewed not in written and not rebinds_written:
            names = {t for t in shared_later.get(id(stmt), ()) if activity.kind(t) != "scalar"}
            changed = changed or bool(names)
            return _copied_targets(stmt, names, namer)
        changed = True
        shared = namer.fresh("_shared")
        copied = _private_copy(name(shared))
        first = gast.copy_location(gast.Assign([name(shared, gast.Store())], value), stmt)
        if isinstance(stmt.targets[0], gast.Name):
            return [first, gast.copy_location(gast.Assign(stmt.targets, copied), stmt)]
        copy = namer.fresh("_copy")  # `r0, r1 = y`: unpacks a name (ANF form), `_copy = private_copy(y)`
        second = gast.copy_location(gast.Assign([name(copy, gast.Store())], copied), stmt)
        return [first, second, gast.copy_location(gast.Assign(stmt.targets, name(copy)), stmt)]

    fn_source.node.body = rewrite_statements(fn_source.node.body, rewrite)
    return changed


def _private_copy(node):
    """`private_copy(node)`, its callee known to the passes that read it."""
    copied = call(ref(runtime.private_copy, "private_copy"), node)
    anno.set(copied, "callee", runtime.private_copy)
    return copied


def _copied_items(stmt, names, namer):
    """`pair = (a, y)` as `_shared = private_copy(y); pair = (a, _shared)`, for the items `names`."""
    items = display_items(stmt.value)
    copies = {}
    for i, item in enumerate(items):
        if isinstance(item, gast.Name) and item.id in names:
            if item.id not in copies:
                copies[item.id] = namer.fresh("_shared")
            items[i] = name(copies[item.id])
    return [gast.copy_location(gast.Assign([name(c, gast.Store())], _private_copy(name(n))), stmt) for n, c in copies.items()] + [stmt]


def _copied_targets(stmt, names, namer):
    """`a, t = v` as `a, _shared = v; t = private_copy(_shared)`, for the targets `names`."""
    out = [stmt]
    for target in walk(stmt.targets[0]):
        if isinstance(target, gast.Name) and target.id in names:
            shared = namer.fresh("_shared")
            copied = _private_copy(name(shared))
            out.append(gast.copy_location(gast.Assign([name(target.id, gast.Store())], copied), stmt))
            target.id = shared
    return out


def copy_call_arguments(fn_source, activity, namer, callees, is_user_call):
    """`t = h(y)` of a user function, with `y`'s object updated in place later: `h` gets
    a copy (`_argument = private_copy(y); t = h(_argument)`), which its tape and result
    may hold (see aliasing.arguments_written_later). Returns True if any changed.

    A call refused because an item of its argument is written later may be fine once the
    copies are made: in a gradient's own code, `_, tape = h_forward(y)` holds y, written
    later (`y = restore_item(y, ...)`), until h_forward gets a copy of y. So the refusal
    stands only if the analysis of the code with the copies finds it again, or finds
    more copies to make (then the first round's error is raised)."""
    copies, refusal = arguments_written_later(fn_source, activity.kinds, callees, is_user_call)
    if refusal is not None and not copies:
        raise refusal

    def rewrite(stmt):
        if id(stmt) not in copies:
            return [stmt]
        out = []
        positional = len(stmt.value.args)
        for i in copies[id(stmt)]:
            keyword = stmt.value.keywords[i - positional] if i >= positional else None  # h(a=y)
            argument = namer.fresh("_argument")
            copied = _private_copy(keyword.value if keyword else stmt.value.args[i])
            out.append(gast.copy_location(gast.Assign([name(argument, gast.Store())], copied), stmt))
            if keyword:
                keyword.value = name(argument)
            else:
                stmt.value.args[i] = name(argument)
        return out + [stmt]

    fn_source.node.body = rewrite_statements(fn_source.node.body, rewrite)
    if refusal is not None:
        more, again = arguments_written_later(fn_source, activity.kinds, callees, is_user_call)
        if again is not None or more:
            raise again or refusal
    return bool(copies)


def _iterated(iterable):
    """The names whose items a loop over `iterable` binds: `y`, `enumerate(y)`, `zip(y, z)`..."""
    if isinstance(iterable, gast.Name):
        return {iterable.id}
    if isinstance(iterable, gast.Call) and anno.get(iterable, "callee") in (enumerate, zip, list, reversed, sorted, tuple):
        return {a.id for a in iterable.args if isinstance(a, gast.Name)}
    return set()


def _viewed(value):
    """The array a value may be, view or hold views of: `y`, `y[i]`, `np.reshape(y, ...)`,
    `np.split(y, 3)`, `list(y)`; else None."""
    if isinstance(value, gast.Name):
        return value.id
    if isinstance(value, gast.Subscript) and isinstance(value.value, gast.Name):
        return value.value.id
    if isinstance(value, gast.Call) and anno.get(value, "callee") is runtime.loop_item:  # a loop's `y[i]`
        return value.args[0].id
    if isinstance(value, gast.Call) and anno.get(value, "callee") in _VIEWS_OF_FIRST and value.args and isinstance(value.args[0], gast.Name):
        return value.args[0].id
    return None


def is_fresh(value):
    """Is `value` a new object, never one an existing name holds? (An update in place
    keeps its own object: `y = setitem(y, ...)`.)"""
    if isinstance(value, (gast.BinOp, gast.UnaryOp, gast.Compare, gast.Constant, gast.Tuple, gast.List, gast.Dict, gast.Set)):
        return True
    if not isinstance(value, gast.Call):
        return False
    callee = anno.get(value, "callee")
    if callee in UPDATES or callee is runtime.private_copy:
        return True
    if callee in VIEWS or einsum_may_be_a_view(value):
        return False
    return isinstance(callee, numpy.ufunc) or str(getattr(callee, "__module__", "")).startswith("numpy")
