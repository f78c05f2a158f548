"""Updates in place that another name would see: followed by Python, refused by s2s.

s2s tracks values and their derivatives by name. Python mutates objects: after
`v = x; x += 1.0` (x an array), `v` holds the new values too. Derivative code that
rebinds `x` to a new array, or updates it without knowing about `v`, would
differentiate another program than the one written, so such code is refused with a
located TransformError. The check runs per specialization, since whether `x += 1.0`
mutates depends on x's kind (an array or list: yes; a number: it rebinds).

The analysis, on A-normal form:
- *points-to*, flow-sensitive and may: each name points to a set of abstract objects:
  a parameter's own object, a global's, or the object made at an assignment (its
  site). Objects may *contain* others (a list its items, a view its base is modelled as
  the same object). Numbers hold no object: a name of scalar kind points to nothing.
- *liveness*: the names read later before being bound again.
- an *update in place* of name `y` (item assignment, append/pop, `y op= v` of a
  non-scalar, `out=`, a call of a function that updates its argument, or the binding
  back of what such a call updated: passes/writeback.py) mutates the
  objects `y` points to. It is refused when another name that is live after it reaches
  one of those objects; when it writes into a parameter's object through another name
  (the caller's array would change); and, inside a helper, it is reported to callers,
  who refuse the call when the argument they passed is read afterwards.
"""
import dataclasses
import types

import gast
import numpy

from .. import anno, rules, runtime
from ..frontend import param_names
from ..syntax import DISPLAYS, display_items, loads, walk

# NumPy functions whose result may share memory with their first argument.
VIEWS = {
    numpy.reshape, numpy.ravel, numpy.transpose, numpy.squeeze, numpy.expand_dims, numpy.swapaxes,
    numpy.moveaxis, numpy.rollaxis, numpy.asarray, numpy.asanyarray, numpy.ascontiguousarray,
    numpy.atleast_1d, numpy.atleast_2d, numpy.atleast_3d, numpy.broadcast_to, numpy.diagonal,
    numpy.real, numpy.imag, numpy.flip, numpy.fliplr, numpy.flipud, numpy.rot90, numpy.split,
    numpy.array_split, numpy.hsplit, numpy.vsplit, numpy.dsplit, numpy.broadcast_arrays,
    numpy.require, numpy.diag, numpy.matrix_transpose if hasattr(numpy, "matrix_transpose") else numpy.transpose,
    numpy.permute_dims if hasattr(numpy, "permute_dims") else numpy.transpose,
}
def einsum_may_be_a_view(value):
    """Whether the call `value` is an np.einsum that may return a view of its operand:
    NumPy permutes or takes a diagonal without copying for one operand (`"ij->ji"`,
    `einsum(a, [1, 0])`, with or without an output sublist); two or more make a new array."""
    if anno.get(value, "callee") is not numpy.einsum:
        return False
    args = value.args
    if args and isinstance(args[0], gast.Constant) and isinstance(args[0].value, str):
        return len(args) == 2
    return len(args) <= 3


# Updates in place the desugared code spells as calls: the first argument is updated.
UPDATES = {runtime.setitem, runtime.restore_item, runtime.list_append, runtime.list_pop}


def updated_parameters(src, kinds, callees):
    """The parameters whose objects the function may update in place, given the kinds of
    its names (None for unknown: `v = p.s; v /= 2.0` may update p's contents)."""
    analysis = _Analysis(src, kinds, callees)
    analysis.run()
    params = param_names(src.node)
    return {p for u in analysis.updates for p in params if ("param", p) in map(_base, u.objects)}


def parameters_updated_by_name(src, callees):
    """The parameters whose objects the function updates in place only through the
    parameter's own name (or not at all), also when it passes them to a call that
    updates them: what a caller can bind back (passes/writeback.py)."""
    analysis = _Analysis(src, {}, callees)
    analysis.run()
    params = param_names(src.node)
    found = set(params)
    for u in analysis.updates:
        through = u.arguments if u.via_call else ((u.name, frozenset(u.objects)),)
        for p in params:
            if ("param", p) in map(_base, u.objects) and {n for n, objs in through if ("param", p) in map(_base, objs)} != {p}:
                found.discard(p)
    return found


def returned_parameters(src, callees):
    """The parameters whose objects the function's result may be, view or hold, whatever
    their kinds. (Not counted: the items of a parameter, which a caller takes the result
    to maybe be or hold, as it knows what they are.)"""
    analysis = _Analysis(src, {}, callees)
    final = analysis.run()
    result = src.node.body[-1].value
    objects = final.reach(analysis.atom(result, final)) if result is not None else set()
    return {p for p in param_names(src.node) if ("param", p) in map(_base, objects)}


def check_updates(src, kinds, callees):
    """Raise TransformError for an update in place that another live name would see.

    kinds: name -> kind (None for unknown); callees: what is known of the user
    functions called (see _Analysis).
    """
    analysis = _Analysis(src, kinds, callees)
    analysis.run()
    for u in analysis.updates:
        changed = {_base(o) for o in u.objects}
        for p in param_names(src.node):
            # through the parameter itself, an item assignment, append or pop works on
            # a copy (desugar); through another name, it would write into the caller's
            if ("param", p) in changed and u.via_call:
                raise src.error(
                    f"the call updates the argument {p} in place (in the function it calls); s2s never changes "
                    f"the caller's arrays, so make a copy first (np.copy, list(...))",
                    u.stmt,
                    "update in place of an argument",
                )
            if ("param", p) in changed and u.name != p and _writes(u.stmt):
                raise src.error(
                    f"{u.name} is updated in place here, which changes the argument {p} it shares contents with; "
                    f"make a copy first (np.copy, list(...))",
                    u.stmt,
                    "update in place of an argument",
                )
        for obj in changed:
            if obj[0] == "global":
                raise src.error(
                    f"{u.name} is updated in place here, which changes the global {obj[1]}; s2s does not follow "
                    f"updates of globals: make a copy first",
                    u.stmt,
                    "update in place of a global",
                )
        if u.via_call:
            _check_read_elsewhere(src, u, changed)
        if anno.has(u.stmt, "writes_back"):
            _check_passed_twice(src, u, changed)
        # the user's own names first: a temporary s2s made is named only if nothing else shares
        for other in sorted(analysis.live_after[id(u.stmt)], key=lambda n: (n.startswith("_"), n)):
            seen = {_base(o) for o in u.before.reach(u.before.names.get(other, ()))}
            if (other != u.name or u.via_call) and other not in u.unseen and seen & changed:
                reason = (
                    f"the call updates {u.name} in place (in the function it calls), and {other} is read afterwards"
                    if u.via_call
                    else f"{u.name} is updated in place here, but {other} shares its contents and is read afterwards"
                )
                raise src.error(
                    f"{reason}: s2s follows values by name and would not see the change through {other}; "
                    f"make a copy first (np.copy, list(...)) so that the two are separate",
                    u.stmt,
                    "update in place of a shared value",
                )


def _check_passed_twice(src, u, changed):
    """Refuse a call that updates an argument in place (bound back by passes/writeback.py)
    while another of its arguments shares that object: Python's callee would see the
    update through its other parameter (`h(x, x)`), s2s's follows values by name."""
    holder = anno.get(u.stmt, "writes_back")
    call_node = next(
        s.value for s in walk(src.node)
        if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name) and s.targets[0].id == holder
    )
    passed = [a.id for a in call_node.args + [k.value for k in call_node.keywords] if isinstance(a, gast.Name)]
    if u.name in passed:
        passed.remove(u.name)  # the updated argument itself; the same name again is another parameter
    for other in dict.fromkeys(passed):
        if {_base(o) for o in u.before.reach(u.before.names.get(other, ()))} & changed:
            shared = f"{other} as another argument too" if other == u.name else f"{other}, which shares its contents, as another argument"
            raise src.error(
                f"the call updates {u.name} in place (in the function it calls) and takes {shared}: s2s follows "
                f"values by name and the function would not see the change through its other parameter; "
                f"pass a copy (np.copy({other}))",
                u.stmt,
                "update in place of a shared value",
            )


def _check_read_elsewhere(src, u, changed):
    """Refuse an update by a call (one s2s leaves to Python, not bound back) of what
    another statement reads, before it too: the backward sweep reads values by name where
    it needs them, after the call changed them. (What the call reads, and the statements
    that pack its arguments, see the values Python gives them.)"""
    own = _statements_of_call(src.node, u.stmt)
    readers = set()
    for node in walk(src.node):
        if isinstance(node, gast.stmt) and not isinstance(node, (gast.FunctionDef, gast.If, gast.For, gast.While)) and id(node) not in own:
            readers |= loads(node)
    for test in (n for n in walk(src.node) if isinstance(n, (gast.If, gast.For, gast.While))):
        readers |= loads(test.test if not isinstance(test, gast.For) else test.iter)
    for other in sorted(readers, key=lambda n: (n.startswith("_"), n)):
        if {_base(o) for o in u.before.reach(u.before.names.get(other, ()))} & changed:
            raise src.error(
                f"the call may update {other} in place, which another statement reads, and s2s cannot bind the "
                f"update back here; pass a copy (np.copy({other}))",
                u.stmt,
                "update in place",
            )


def _statements_of_call(fn, stmt):
    """ids of `stmt` and of the statements that pack the arguments it passes: a temporary
    bound once to a display, or to unpack_args of one (passes/varargs.py)."""
    binding = {}
    for node in walk(fn):
        if isinstance(node, gast.Assign) and isinstance(node.targets[0], gast.Name):
            binding.setdefault(node.targets[0].id, []).append(node)
    own, todo = {id(stmt)}, list(loads(stmt.value if isinstance(stmt, (gast.Assign, gast.Expr)) else stmt))
    while todo:
        bound = binding.get(todo.pop(), [])
        if len(bound) != 1 or id(bound[0]) in own:
            continue
        value = bound[0].value
        packs = isinstance(value, (gast.Tuple, gast.Dict)) or (isinstance(value, gast.Call) and anno.get(value, "callee") is runtime.unpack_args)
        if packs and bound[0].targets[0].id.startswith("_"):
            own.add(id(bound[0]))
            todo += loads(value)
    return own


def arguments_written_later(src, kinds, callees, is_user_call):
    """({id(statement): indices of its call's arguments to pass as copies (positional
    ones, then keyword ones, counted on)}, the TransformError refusing a call or None),
    for the calls of user functions whose argument's object the generated code may
    update in place after the call (not an argument the function updates: Python's
    update must reach it).

    Why: the callee's tape (and its result) may hold that object by reference, and its
    backward sweep must read the values of the call's time. The caller's backward sweep
    puts its own updates back only where it reads the values afterwards, and on a private
    copy where its pullback must stay repeatable, so the callee would see other values.
    A copy at the call holds what Python passed; Python's program cannot tell, since
    check_updates refuses any update that a name read afterwards (the result included)
    would see. "After" is a later statement in program order, or any statement of a loop
    around the call. An object reached only through a container's items would need a deep
    copy: that is refused (the first such call's error is returned, not raised: the copies
    may separate what it saw; see views.copy_call_arguments).
    """
    analysis = _Analysis(src, kinds, callees)
    analysis.run()
    order = _program_order(src.node.body)
    copies, refusal = {}, None
    for stmt_id, (value, state) in analysis.calls.items():
        if not is_user_call(value):
            continue
        updated = {id(a) for a in callees.updates(value, value)}  # Python's updates reach the caller: no copy
        later = set()
        for u in analysis.updates:
            if u.in_place and _may_run_after(order, id(u.stmt), stmt_id):
                later |= {_base(o) for o in u.objects}
        for i, arg in enumerate(value.args + [k.value for k in value.keywords]):  # keywords after the positions
            if id(arg) in updated:
                continue
            direct = {_base(o) for o in analysis.atom(arg, state)}  # what a (shallow) copy separates
            inside = {_base(o) for o in state.reach(direct)} - direct
            if inside & later and refusal is None:
                refusal = src.error(
                    f"an item of {_describe(arg)} is updated in place after this call, whose derivative may read it; "
                    f"pass a copy of the item (np.copy) instead",
                    _statement(src.node, stmt_id),
                    "update in place of an item passed to a function",
                )
            if direct & later:
                copies.setdefault(stmt_id, []).append(i)
    return copies, refusal


def bindings_written_later(src, kinds, callees):
    """{id(assignment): the names to be read as copies}: those it binds to an object
    another name reaches already (`t = y`, `_, t = pair`, `t = y[1:]`, `y = t`), or, of
    a display (`pair = (0.5, y)`), the names of the items it holds, where a write in
    place (item assignment, append or pop, or their undoing in generated code) may
    change that object after the binding, in program order or in a loop around both.

    Why: the backward sweep reads each name's value as it was at its forward point, and
    puts back what a write overwrote only on the names it reads afterwards (on a private
    copy where the tape must stay repeatable), so a name that shared the written object
    would see other values. A copy at the binding holds what Python had there; Python's
    program cannot tell, since check_updates refuses a write that a name read afterwards
    would see (generated code, which is not checked, reads the names it shares only
    before it writes them)."""
    analysis = _Analysis(src, kinds, callees, joins=True)
    analysis.run()
    order = _program_order(src.node.body)
    writes = [u for u in analysis.updates if _writes(u.stmt)]
    copies = {}
    for stmt_id, bound in analysis.joins.items():
        for n, objects in bound.items():
            if any(objects & {_base(o) for o in u.objects} and _may_run_after(order, id(u.stmt), stmt_id) for u in writes):
                copies.setdefault(stmt_id, set()).add(n)
    return copies


def _describe(node):
    return node.id if isinstance(node, gast.Name) else "an argument"


def _statement(fn, stmt_id):
    return next(n for n in walk(fn) if id(n) == stmt_id)


def _program_order(stmts, loops=(), order=None):
    """id(stmt) -> (position in program order, ids of the loops around it)."""
    order = {} if order is None else order
    for stmt in stmts:
        order[id(stmt)] = (len(order), loops)
        inner = loops + (id(stmt),) if isinstance(stmt, (gast.For, gast.While)) else loops
        for field in ("body", "orelse"):
            _program_order(getattr(stmt, field, []) or [], inner, order)
    return order


def _may_run_after(order, stmt_id, call_id):
    (position, loops), (call_position, call_loops) = order[stmt_id], order[call_id]
    return position > call_position or bool(set(loops) & set(call_loops))


def _updates_first_argument(callee):
    """Desugared updates in place, and the runtime's (in generated code: restores of items
    and contents, adjoints accumulated in place), which rules run always."""
    return callee in UPDATES or rules.is_always_run(callee)


def _writes(stmt):
    """An update the generated code performs in place (item assignment, append, pop), as
    opposed to `x op= v`, which it performs by binding a new value."""
    value = stmt.value if isinstance(stmt, gast.Assign) else None
    return isinstance(value, gast.Call) and anno.get(value, "callee") in UPDATES


@dataclasses.dataclass
class _Update:
    stmt: object
    name: str  # the name it is made through
    objects: set  # what that name points to
    via_call: bool  # made by a function called here
    before: object  # the State before the statement
    unseen: frozenset = frozenset()  # names that cannot have seen it (the holder of a written-back call's results)
    arguments: tuple = ()  # of a call: (name passed, the objects it reaches) for each
    in_place: bool = True  # False for `x op= v` and a write-back, which the generated code performs by binding a new value


@dataclasses.dataclass
class State:
    """Points-to facts at a program point, with the *recency* abstraction: the object made
    at a site most recently, ("site", id, "new"), is told apart from those it made before
    ("site", id, "old"), so a list of arrays filled in a loop, or a tape of saved values,
    does not alias the array the next iteration makes. ("view", o) shares o's memory."""

    names: dict  # name -> objects it may be
    contents: dict  # object -> objects it may contain
    elements: dict  # object -> per-position objects, for tuples and lists made by a display
    # the sites whose newest object the facts may hold: a site made for the first time
    # has nothing to age, and straight-line code then costs no rewrite per statement
    made: set = dataclasses.field(default_factory=set, compare=False)

    def copy(self):
        return State(dict(self.names), dict(self.contents), dict(self.elements), set(self.made))

    def join(self, other):
        out = self.copy()
        out.made |= other.made
        for field in ("names", "contents"):
            mine, theirs = getattr(out, field), getattr(other, field)
            for k, v in theirs.items():
                mine[k] = mine.get(k, frozenset()) | v
        for k, v in other.elements.items():
            mine = out.elements.get(k)
            if k not in self.elements:
                out.elements[k] = v
            elif mine is not None and v is not None and len(mine) == len(v):
                out.elements[k] = tuple(a | b for a, b in zip(mine, v))
            else:
                out.elements[k] = None
        return out

    def reach(self, objects):
        """The objects reachable from `objects` through containment (views included)."""
        seen, todo = set(), list(objects)
        while todo:
            o = todo.pop()
            if o not in seen:
                seen.add(o)
                todo += self.contents.get(_base(o), ())
        return seen

    def contain(self, containers, items):
        for c in containers:
            if c[0] != "view":
                self.contents[c] = self.contents.get(c, frozenset()) | frozenset(items)

    def age(self, site):
        """A new object is made at `site`: the one made there before becomes old."""
        new, old = ("site", site, "new"), ("site", site, "old")
        if site not in self.made:
            self.made.add(site)
            return new

        def renamed(objects):
            if new not in objects and ("view", new) not in objects:
                return objects  # the common case, kept cheap: nothing made at the site
            return frozenset(_replace(o, new, old) for o in objects)

        self.names = {k: renamed(v) for k, v in self.names.items()}
        contents = {}
        for k, v in self.contents.items():
            key = _replace(k, new, old)
            contents[key] = contents.get(key, frozenset()) | renamed(v)
        self.contents = contents
        elements = {}
        for k, v in self.elements.items():
            key = _replace(k, new, old)
            elements[key] = None if key in elements or v is None else tuple(renamed(e) for e in v)
        self.elements = elements
        return new


class _Analysis:
    def __init__(self, src, kinds, callees, joins=False):
        """callees.updates(call, stmt): the atoms the call passes to parameters that the user
        function it runs may update in place; callees.returned(call): the argument atoms whose objects its result may
        be or hold (None: any of them); callees.written_back(call): for a call that
        returns what it updates (passes/writeback.py), (those atoms for the function's
        own result, the atoms updated), else None."""
        self.src = src
        self.kinds = kinds
        self.callees = callees
        self.locals = _bound_names(src.node)
        self.containers = set()  # sites that make lists, tuples, dicts (no views of them)
        self.updates = []
        self.live_after = {}
        self.calls = {}  # id(call of a user function) -> (the call, the State before it)
        # id(binding) -> {name bound: objects it may be (bases)}, where another name
        # already reaches one of them: the binding makes it shared; of a display, {name
        # of an item: its objects}, which the display shares (found if `joins`)
        self.joins = {} if joins else None

    def run(self):
        params = param_names(self.src.node)
        names = {p: frozenset({("param", p)}) for p in params if self.kinds.get(p) != "scalar"}
        final = self.block(self.src.node.body, State(names, {}, {}))
        _liveness(self.src.node.body, set(), self.live_after)
        return final

    # -- objects

    def items(self, state, objects):
        """What indexing or unpacking `objects` gives: their items, and views of arrays."""
        out = {o for c in objects for o in state.contents.get(_base(c), ())}
        return out | {_view(c) for c in objects if not (c[0] == "site" and c[1] in self.containers)}

    def atom(self, node, state):
        if isinstance(node, gast.Name):
            if node.id in self.locals:
                return set(state.names.get(node.id, ()))
            bound = anno.get(node, "object") if anno.has(node, "object") else self.src.resolve(node.id)
            if _immutable(bound):
                return set()  # a number or string held by a global: no object to update
            return {("global", node.id)}
        if isinstance(node, gast.Attribute) and isinstance(node.value, gast.Name) and node.value.id in self.locals:
            # `[d.get]`: a bound method holds its object; a field is one of its items
            owner = self.atom(node.value, state)
            return owner | self.items(state, owner)
        return set()

    # -- flow

    def block(self, stmts, state):
        for stmt in stmts:
            state = self.statement(stmt, state)
        return state

    def statement(self, stmt, state):
        if isinstance(stmt, gast.Assign):
            return self.assign(stmt, state)
        if isinstance(stmt, gast.If):
            return self.block(stmt.body, state).join(self.block(stmt.orelse, state))
        if isinstance(stmt, (gast.For, gast.While)):
            return self.loop(stmt, state)
        if isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call):  # a call for its effects
            return self.value_objects(stmt, stmt.value, state)[0]
        return state

    def loop(self, stmt, state):
        """The loop's entry state, to a fixed point over its iterations (updates found in
        an earlier round are found again in the last)."""
        entry = state
        for _ in range(30):
            recorded = len(self.updates)
            head = entry.copy()
            if isinstance(stmt, gast.For):
                items = self.loop_items(stmt.iter, entry)
                for t in _names(stmt.target):
                    head.names[t] = frozenset() if self.kinds.get(t) == "scalar" else frozenset(items)
            joined = entry.join(self.block(stmt.body, head))
            if joined == entry:
                return entry
            del self.updates[recorded:]
            entry = joined
        raise self.src.error("this loop is too complex for s2s's alias analysis", stmt, "loop")

    def loop_items(self, iterable, state):
        """What a loop over `iterable` binds its target to (a row of an array is a view)."""
        if isinstance(iterable, gast.Call) and anno.get(iterable, "callee") is range:
            return set()
        if isinstance(iterable, gast.Call) and isinstance(iterable.func, gast.Attribute):
            operands = [iterable.func.value]  # d.items()
        else:
            operands = iterable.args if isinstance(iterable, gast.Call) else [iterable]
        found = set()
        for a in operands:
            found |= self.items(state, self.atom(a, state))
        return found

    def assign(self, stmt, state):
        target, value = stmt.targets[0], stmt.value
        if isinstance(target, gast.Name) and anno.get(target, "augmented"):
            old = state.names.get(target.id, frozenset())
            if self.kinds.get(target.id) != "scalar" and old:
                self.updates.append(_Update(stmt, target.id, set(old), False, state, in_place=False))
        if anno.has(stmt, "writes_back"):  # the call updated it in place, before its results existed
            old = state.names.get(target.id, frozenset())
            holder = frozenset({anno.get(stmt, "writes_back")})
            self.updates.append(_Update(stmt, target.id, set(old), False, state, holder, in_place=False))
        after, objects = self.value_objects(stmt, value, state)
        if isinstance(target, gast.Name) and anno.get(target, "augmented"):
            objects = set(objects) | after.names.get(target.id, frozenset())  # an array or list: the same object
        if isinstance(target, gast.Name):
            bound = {target.id: objects}
        else:  # unpacked: items by position where known, else any item or a row of an array
            targets = target.elts
            known = [after.elements.get(o) for o in objects]
            if len(objects) == 1 and known[0] is not None and len(known[0]) == len(targets):
                bound = {t.id: set(e) for t, e in zip(targets, known[0])}
            else:
                bound = {t.id: self.items(after, objects) for t in targets}
        for n, objs in bound.items():
            after.names[n] = frozenset() if self.kinds.get(n) == "scalar" else frozenset(objs)
        if self.joins is not None and not (isinstance(value, gast.Call) and _updates_first_argument(anno.get(value, "callee"))):
            self.record_joins(stmt, state, after)
        return after

    def record_joins(self, stmt, before, after):
        if isinstance(stmt.value, DISPLAYS):  # it holds its items' objects
            for item in display_items(stmt.value):
                objects = {_base(o) for o in self.atom(item, before)}
                if objects and isinstance(item, gast.Name) and item.id in self.locals:
                    self.joins.setdefault(id(stmt), {})[item.id] = objects
            return
        made = ("site", id(stmt), "new")
        for n in _names(stmt.targets[0]):
            objects = {_base(o) for o in after.names.get(n, ())} - {made}  # what it made is its own
            if not objects:
                continue
            holders = (m for m, held in before.names.items() if m != n and held)
            if any({_base(o) for o in before.reach(before.names[m])} & objects for m in holders):
                self.joins.setdefault(id(stmt), {})[n] = objects

    def value_objects(self, stmt, value, state):
        """(state after, the objects `value` may be), recording updates and containment."""
        if isinstance(value, gast.Name):
            return state.copy(), self.atom(value, state)
        if isinstance(value, gast.Call) and anno.get(value, "callee") is runtime.loop_item:  # `x[i]`, or a dict's key
            return state.copy(), self.items(state, self.atom(value.args[0], state))
        if isinstance(value, gast.Subscript):
            base = self.atom(value.value, state)
            known = [state.elements.get(o) for o in base]
            index = value.slice.value if isinstance(value.slice, gast.Constant) else None
            if len(base) == 1 and known[0] is not None and isinstance(index, int) and -len(known[0]) <= index < len(known[0]):
                return state.copy(), set(known[0][index])  # t[1] of a tuple made here: that item
            return state.copy(), self.items(state, base)
        if isinstance(value, gast.Attribute):
            return state.copy(), self.items(state, self.atom(value.value, state))
        if isinstance(value, gast.Call) and _updates_first_argument(anno.get(value, "callee")):
            return self.update_call(stmt, value, state)
        operands = self.operands(value, state)
        after = state.copy()
        new = after.age(id(stmt))
        old = ("site", id(stmt), "old")
        operands = [{_replace(o, new, old) for o in objs} for objs in operands]
        if isinstance(value, DISPLAYS):
            self.containers.add(id(stmt))
            after.contain({new}, set().union(*operands) if operands else set())
            if isinstance(value, (gast.Tuple, gast.List)):
                after.elements[new] = tuple(frozenset(o) for o in operands)
            return after, {new}
        if isinstance(value, gast.BinOp):  # list + list: a new list of the same items
            for objs in operands:
                after.contain({new}, {o for c in objs for o in after.contents.get(_base(c), ())})
            return after, {new}
        if not isinstance(value, gast.Call):
            return after, {new}
        return after, self.call_objects(stmt, value, new, operands, state, after)

    def operands(self, value, state):
        if isinstance(value, DISPLAYS):
            return [self.atom(e, state) for e in display_items(value)]
        if isinstance(value, gast.BinOp):
            return [self.atom(value.left, state), self.atom(value.right, state)]
        if isinstance(value, gast.Call):
            args = [a.value if isinstance(a, gast.Starred) else a for a in value.args]
            found = [self.atom(a, state) for a in args] + [self.atom(k.value, state) for k in value.keywords]
            # last: the object a method is called on (`d.values()`), and a local function
            # value (`g = d.get; g(k)`, a partial), which its result may be or hold
            called = value.func.value if isinstance(value.func, gast.Attribute) else value.func
            if isinstance(called, gast.Name) and called.id in self.locals:
                found.append(self.atom(called, state))
            return found
        return []

    def update_call(self, stmt, value, state):
        """setitem, restore_item, append, pop (and the runtime's updates): the first
        argument updated in place."""
        callee = anno.get(value, "callee")
        args = value.args
        first = self.atom(args[0], state) if args else set()
        name = args[0].id if args and isinstance(args[0], gast.Name) else "?"
        self.updates.append(_Update(stmt, name, first, False, state))
        after = state.copy()
        for o in first:
            after.elements.pop(o, None)  # its positions change
        if callee is runtime.list_pop:
            return after, {o for c in first for o in state.contents.get(_base(c), ())}
        stored = args[-1:] if callee in UPDATES else args[1:]  # the runtime's: any argument may be stored
        if not first:  # the runtime's updates make a new container from a lazy zero (None)
            first = {after.age(id(stmt))}
        after.contain(first, set().union(*(self.atom(a, state) for a in stored)) if stored else set())
        return after, first

    def call_objects(self, stmt, value, new, operands, state, after):
        callee = anno.get(value, "callee")
        for i, k in enumerate(value.keywords):
            if k.arg == "out" and isinstance(k.value, gast.Name):
                self.updates.append(_Update(stmt, k.value.id, operands[len(value.args) + i], True, state))
        everything = set().union(*operands) if operands else set()
        if callee in VIEWS:
            return {new} | {_view(o) for o in (operands[0] if operands else ())}
        if einsum_may_be_a_view(value):
            return {new} | {_view(o) for o in everything}
        if callee is runtime.private_copy and anno.get(value.func, "copies_argument") and self.joins is None:
            # s2s's copy of an argument updated in place: Python has none (what the
            # generated code shares, `joins`, counts it: the copy is its own object)
            return set(everything)
        if callee is runtime.private_copy:
            after.contain({new}, {o for c in everything for o in after.contents.get(_base(c), ())})
            return {new}
        if callee in (list, tuple, dict, zip, enumerate, sorted, reversed, runtime.make_container, runtime.build_dict,
                      runtime.unpack_args, runtime.dict_from, runtime.make_partial, runtime.copied):
            # (make_container: a dataclass or registered container built here holds its
            # arguments; build_dict: dict(...) holds the values of its arguments;
            # unpack_args: the arguments of f(a, *b), which a call of f may update;
            # dict_from: a dict comprehension's dict holds the items of its values' list;
            # make_partial: a partial, or a nested function as a value, holds the items
            # of its packed arguments and captured values; copied: `x.copy()`, shallow)
            self.containers.add(id(stmt))
            after.contain({new}, self.items(after, everything))
            return {new}
        if callee is runtime.dict_get:  # `d.get(k, default)`: an item of d, or the default itself
            return self.items(after, operands[0] if operands else set()) | set().union(*operands[2:])
        if callee is runtime.transposed:  # `zip(*rows)`, made a list at once: its tuples hold the rows' items
            self.containers.add(id(stmt))
            after.contain({new}, self.items(after, self.items(after, everything)))
            return {new}
        if callee is runtime.call_value:
            # `f(*args)` of a known f may update what it passes; a function known only when
            # it runs, or called with packed arguments, may return what it is passed, or
            # what the function value is or holds (a bound method's object and its items, a
            # partial's arguments, a closure's values); not a global it is an item of (a
            # list of functions), which the generated code reads as Python does
            passed = after.reach(set().union(*operands[1:]))
            self.call_updates(stmt, value, state, passed)
            held = after.reach(operands[0] if operands else set())
            returned = passed | {o for o in held if _base(o)[0] != "global"}
            after.contain({new}, returned)
            return {new} | returned
        if isinstance(callee, numpy.ufunc) or _is_numpy(callee) or rules.adjoint_rule(callee) or rules.is_non_differentiable(callee):
            return {new}  # a primitive: a new value
        self.calls[id(stmt)] = (value, state)
        reached = after.reach(everything)
        self.call_updates(stmt, value, state, reached)
        written = self.callees.written_back(value)
        if written is not None:  # (result, *updated): each position known
            returned, updated = written
            shared = [state.reach(self.atom(a, state)) for a in updated]
            if any(set(map(_base, a)) & set(map(_base, b)) for i, a in enumerate(shared) for b in shared[i + 1 :]):
                raise self.src.error(
                    "the call updates in place two arguments that may share contents; make a copy first (np.copy, list(...))",
                    stmt,
                    "update in place of a shared value",
                )
            result = self.result_objects(after.age((id(stmt), "result")), returned, everything, state, after)
            positions = [frozenset(result)] + [frozenset(self.atom(a, state)) for a in updated]
            self.containers.add(id(stmt))
            after.elements[new] = tuple(positions)
            after.contain({new}, set().union(*positions))
            return {new}
        returned = self.callees.returned(value)
        if returned is not None:
            return self.result_objects(new, returned, everything, state, after)
        # a constructor, a builtin, an unknown function: its result may hold or be its arguments
        after.contain({new}, reached)
        return {new} | reached

    def result_objects(self, made, returned, everything, state, after):
        """What a user function's result may be: made by it, an item of an argument, or an
        argument it returns (`returned`: those atoms)."""
        kept = set().union(*(self.atom(a, state) for a in returned))
        items = after.reach({o for c in everything for o in after.contents.get(_base(c), ())})
        after.contain({made}, after.reach(kept) | items)
        return {made} | kept | items

    def call_updates(self, stmt, value, state, reached):
        """Record what a call of a user function updates in place, of the objects it reaches."""
        updated = self.callees.updates(value, stmt) if reached else []
        if updated:
            names = ", ".join(dict.fromkeys(a.id for a in updated if isinstance(a, gast.Name)))
            objects = set().union(*(self.atom(a, state) for a in updated))
            arguments = tuple((a.id, frozenset(state.reach(self.atom(a, state)))) for a in updated if isinstance(a, gast.Name))
            self.updates.append(_Update(stmt, names, state.reach(objects), True, state, arguments=arguments))


def _immutable(value):
    """A value no update in place can change (generated code is made anew if a global's
    type changes: see scopes.ScopeWatch)."""
    if isinstance(value, tuple):
        return all(_immutable(v) for v in value)
    scalars = (bool, int, float, complex, str, bytes, numpy.number, numpy.bool_)
    return value is None or isinstance(value, scalars + (types.FunctionType, types.BuiltinFunctionType))


def _base(obj):
    return obj[1] if obj[0] == "view" else obj


def _view(obj):
    return obj if obj[0] == "view" else ("view", obj)


def _replace(obj, new, old):
    if obj == new:
        return old
    if obj[0] == "view" and obj[1] == new:
        return ("view", old)
    return obj


def _is_numpy(obj):
    return isinstance(obj, (types.FunctionType, types.BuiltinFunctionType)) and str(getattr(obj, "__module__", "")).startswith("numpy")


def _names(target):
    return [n.id for n in walk(target) if isinstance(n, gast.Name)]


def _bound_names(fn):
    names = set(param_names(fn))
    for node in walk(fn):
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
            names.add(node.id)
    return names


def _liveness(stmts, live_out, live_after):
    """Backward liveness over structured code; fills live_after[id(stmt)]; returns live-in."""
    live = set(live_out)
    for stmt in reversed(stmts):
        live_after[id(stmt)] = set(live)
        if isinstance(stmt, gast.If):
            live = loads(stmt.test) | _liveness(stmt.body, live, live_after) | _liveness(stmt.orelse, live, live_after)
        elif isinstance(stmt, (gast.For, gast.While)):
            header = loads(stmt.iter) if isinstance(stmt, gast.For) else loads(stmt.test)
            loop_live = set(live) | header
            for _ in range(50):  # what the next iteration reads is live at the end of this one
                body_in = _liveness(stmt.body, loop_live, live_after)
                if isinstance(stmt, gast.For):
                    body_in -= set(_names(stmt.target))
                grown = loop_live | body_in | header
                if grown == loop_live:
                    break
                loop_live = grown
            live = loop_live
        elif isinstance(stmt, gast.Assign):
            live = (live - set(_names(stmt.targets[0]))) | loads(stmt.value) | (
                loads(stmt.targets[0]) if not isinstance(stmt.targets[0], gast.Name) else set()
            )
        else:
            live = live | loads(stmt)
    return live
