"""Desugar surface syntax into fewer forms.

- `x op= v` on a name becomes `x = x op v` (on subscripts and attributes: error, for now);
- `a = b = v` becomes one assignment per target;
- chained comparisons `a < b < c` become `a < b and b < c`;
- array methods and `.T` become calls of the NumPy functions they mean, so one rule
  per primitive covers both spellings (`x.sum(axis=0)` -> `numpy.sum(x, axis=0)`).
"""

import gast
import numpy

from .. import anno, runtime
from ..frontend import param_names
from ..syntax import NodeTransformer, clone, walk

# Array methods whose NumPy function takes the array first and the same arguments.
_ARRAY_METHODS = {
    "sum": numpy.sum,
    "mean": numpy.mean,
    "prod": numpy.prod,
    "max": numpy.max,
    "min": numpy.min,
    "std": numpy.std,
    "var": numpy.var,
    "dot": numpy.dot,
    "ravel": numpy.ravel,
    "flatten": numpy.ravel,
    "squeeze": numpy.squeeze,
    "cumsum": numpy.cumsum,
    "clip": numpy.clip,
    "round": numpy.round,
    "argmax": numpy.argmax,
    "argmin": numpy.argmin,
    "any": numpy.any,
    "all": numpy.all,
    "conj": numpy.conj,
    "conjugate": numpy.conjugate,
    "nonzero": numpy.nonzero,
    "copy": numpy.copy,  # with an order (without one: runtime.copied)
    "repeat": numpy.repeat,
    "take": numpy.take,
    "diagonal": numpy.diagonal,
    "trace": numpy.trace,
    "swapaxes": numpy.swapaxes,
    "argsort": numpy.argsort,
}
# Array attributes computed by a NumPy function of the array.
_ARRAY_ATTRIBUTES = {"T": numpy.transpose, "real": numpy.real, "imag": numpy.imag}
# Methods taking their shape or axes either packed or unpacked: x.reshape(2, 3).
_VARIADIC_METHODS = {"reshape": numpy.reshape, "transpose": numpy.transpose}


def _updated_in_place(fn_node):
    """Names whose objects the function updates in place: `d[k] = v`, `del d[k]`, `d.update(...)`..."""
    updated = set()
    for n in walk(fn_node):
        if isinstance(n, gast.Subscript) and isinstance(n.ctx, (gast.Store, gast.Del)) and isinstance(n.value, gast.Name):
            updated.add(n.value.id)
        if isinstance(n, gast.Call) and isinstance(n.func, gast.Attribute) and isinstance(n.func.value, gast.Name):
            if n.func.attr in ("update", "pop", "popitem", "setdefault", "clear"):
                updated.add(n.func.value.id)
    return updated


def numpy_ref(func):
    """A gast expression that names a NumPy function, with the object attached."""
    node = gast.Attribute(gast.Name("numpy", gast.Load(), None, None), func.__name__, gast.Load())
    anno.set(node, "object", func)
    anno.set(node.value, "object", numpy)
    return node


def runtime_ref(function):
    """A gast name of an s2s.runtime helper, with the object attached."""
    node = gast.Name(function.__name__, gast.Load(), None, None)
    anno.set(node, "object", function)
    return node


def desugar(fn_source):
    desugaring = _Desugar(fn_source)
    desugaring.visit(fn_source.node)
    copies = []
    for name in sorted(desugaring.copied):
        copier = runtime_ref(runtime.private_copy)
        anno.set(copier, "copies_argument", True)  # Python updates the caller's object (aliasing)
        call = gast.Call(copier, [gast.Name(name, gast.Load(), None, None)], [])
        copies.append(gast.copy_location(gast.Assign([gast.Name(name, gast.Store(), None, None)], call), fn_source.node))
    fn_source.node.body = copies + fn_source.node.body
    return fn_source


class _Desugar(NodeTransformer):
    def __init__(self, fn_source):
        self.src = fn_source
        self.copied = set()  # arguments updated in place: copied on entry
        self.updated_in_place = _updated_in_place(fn_source.node)
        self.taken = None  # the function's names, once a temporary is needed

    def visit_AugAssign(self, node):
        """x op= v -> x = as_in_place(x op v, x); y[i] op= v -> _old = y[i]; y[i] =
        as_in_place(_old op v, _old) (then a setitem, below): an array is updated in place,
        keeping its shape and dtype or raising as NumPy does (runtime.as_in_place), where
        a number is rebound (passes/scalars.py then drops the call)."""
        self.generic_visit(node)
        before = []
        old = _as_load(node.target)
        if isinstance(node.target, gast.Subscript):
            name = self.fresh_name("_old")
            before = [gast.copy_location(gast.Assign([gast.Name(name, gast.Store(), None, None)], old), node)]
            old = gast.Name(name, gast.Load(), None, None)
        value = gast.Call(runtime_ref(runtime.as_in_place), [gast.BinOp(old, node.op, node.value), _as_load(old)], [])
        update = gast.copy_location(gast.Assign([node.target], value), node)
        if isinstance(node.target, gast.Subscript):
            return before + _listed(self.visit_Assign(update))
        if isinstance(node.target, gast.Name):
            anno.set(node.target, "augmented", True)  # on an array or list, an update in place (passes/aliasing.py)
        return update

    def visit_Assign(self, node):
        self.generic_visit(node)
        if len(node.targets) == 1 and isinstance(node.targets[0], gast.Subscript):
            return self.item_assignment(node)
        if len(node.targets) == 1 and isinstance(node.targets[0], gast.Attribute):
            raise self.src.error("assignment to an attribute is not supported", node, "attribute assignment")
        if len(node.targets) == 1 and _unpacks_into_items(node.targets[0]):
            return self.unpacking_into_items(node)
        if len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, gast.Name):
                node.value = self.listed_view(node.value, bound=True)
            if isinstance(target, gast.Name) and isinstance(node.value, gast.Name) and node.value.id == target.id:
                return None  # x = x binds nothing new
            return node
        # a = b = v: evaluate v once, then bind each target from the first
        first, *others = node.targets
        out = [gast.copy_location(gast.Assign([first], node.value), node)]
        for target in others:
            out.append(gast.copy_location(gast.Assign([target], _as_load(first)), node))
        return out

    def visit_AnnAssign(self, node):
        self.generic_visit(node)
        if node.value is None:
            return None
        return gast.copy_location(gast.Assign([node.target], node.value), node)

    def visit_Compare(self, node):
        self.generic_visit(node)
        if len(node.ops) == 1:
            return node
        # a < b < c  ->  a < b and b < c  (b is a name after ANF, so evaluated once there)
        parts, left = [], node.left
        for op, right in zip(node.ops, node.comparators):
            parts.append(gast.Compare(left, [op], [right]))
            left = right
        return gast.copy_location(gast.BoolOp(gast.And(), parts), node)

    def visit_Attribute(self, node):
        self.generic_visit(node)
        if node.attr in _ARRAY_ATTRIBUTES and isinstance(node.ctx, gast.Load) and not _is_static_path(node, self.src):
            return gast.copy_location(gast.Call(numpy_ref(_ARRAY_ATTRIBUTES[node.attr]), [node.value], []), node)
        return node

    def visit_Expr(self, node):
        self.generic_visit(node)
        call = node.value
        if isinstance(call, gast.Call) and _is_mutation(call, "list_append"):
            # lst.append(v) -> lst = list_append(lst, v): the mutation becomes a binding
            return gast.copy_location(gast.Assign([_as_store(call.args[0])], call), node)
        return node

    def visit_Call(self, node):
        self.generic_visit(node)
        node.args = [self.listed_view(a) for a in node.args]
        func = node.func
        if not isinstance(func, gast.Attribute) or _is_static_path(func, self.src):
            return node
        if func.attr in ("append", "pop") and isinstance(func.value, gast.Name):
            return self.list_mutation(node)
        if func.attr == "get" and 1 <= len(node.args) <= 2 and not node.keywords:
            ref = gast.Name("dict_get", gast.Load(), None, None)
            anno.set(ref, "object", runtime.dict_get)
            return gast.copy_location(gast.Call(ref, [func.value] + node.args, []), node)
        method = func.attr
        if method == "copy" and not node.args and not node.keywords:  # a list's or dict's too: their own type
            ref = gast.Name("copied", gast.Load(), None, None)
            anno.set(ref, "object", runtime.copied)
            return gast.copy_location(gast.Call(ref, [func.value], []), node)
        if method in _ARRAY_METHODS:
            call = gast.Call(numpy_ref(_ARRAY_METHODS[method]), [func.value] + node.args, node.keywords)
            return gast.copy_location(call, node)
        if method in _VARIADIC_METHODS:
            args = node.args
            if len(args) > 1:
                args = [gast.Tuple(list(args), gast.Load())]
            call = gast.Call(numpy_ref(_VARIADIC_METHODS[method]), [func.value] + args, node.keywords)
            return gast.copy_location(call, node)
        if method == "view" and not node.args and not node.keywords:  # y.view(): a view of y, like np.asarray(y)
            return gast.copy_location(gast.Call(numpy_ref(numpy.asarray), [func.value], []), node)
        if method == "astype":
            ref = gast.Name("astype", gast.Load(), None, None)
            anno.set(ref, "object", runtime.astype)
            return gast.copy_location(gast.Call(ref, [func.value] + node.args, node.keywords), node)
        return node


    def listed_view(self, value, bound=False):
        """`d.values()` / `d.items()` passed to a call (`max(d.values())`) or bound to a
        name: the list of a comprehension over it, differentiated like a loop over the
        dict's items, rather than the call of a bound method, whose derivative
        is lost. A call consumes the view at once; a name bound to it would see later
        updates of the dict, which a list does not: that is refused."""
        if not (isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute) and value.func.attr in ("values", "items")):
            return value
        if value.args or value.keywords or _is_static_path(value.func, self.src):
            return value
        mapping = value.func.value
        if bound and isinstance(mapping, gast.Name) and mapping.id in self.updated_in_place:
            raise self.src.error(f"a name bound to {mapping.id}.{value.func.attr}() of a dict updated in place is not supported; "
                                 f"bind list({mapping.id}.{value.func.attr}()) instead", value, f"dict.{value.func.attr}() view")
        target = gast.Name("_dict_value", gast.Store(), None, None)
        if value.func.attr == "items":
            target = gast.Tuple([gast.Name("_dict_key", gast.Store(), None, None), target], gast.Store())
        return gast.copy_location(gast.ListComp(_as_load(target), [gast.comprehension(target, value, [], 0)]), value)

    def unpacking_into_items(self, node):
        """`y[0], y[1] = y[1], y[0]`: Python evaluates the value, then assigns each target
        from left to right (a target's index reads the names bound before it): the value
        is unpacked into temporaries, each target then assigned one of them in order."""
        leaves = []

        def temporaries(target):
            if isinstance(target, (gast.Tuple, gast.List)):
                return gast.Tuple([temporaries(e) for e in target.elts], gast.Store())
            temp = self.fresh_name("_unpacked")
            leaves.append((target, temp))
            return gast.Name(temp, gast.Store(), None, None)

        out = [gast.copy_location(gast.Assign([temporaries(node.targets[0])], node.value), node)]
        for target, temp in leaves:
            assigned = self.visit_Assign(gast.copy_location(gast.Assign([target], gast.Name(temp, gast.Load(), None, None)), node))
            out += _listed(assigned)
        return out

    def fresh_name(self, hint):
        if self.taken is None:
            self.taken = {n.id for n in walk(self.src.node) if isinstance(n, gast.Name)}
        name = next(f"{hint}{i}" for i in range(len(self.taken) + 1) if f"{hint}{i}" not in self.taken)
        self.taken.add(name)
        return name

    def item_assignment(self, node):
        """`y[i] = v` -> `y = setitem(y, i, v)`: an update in place, like list.append.

        An argument updated in place is copied first, so the caller's array, list or
        dict is never changed by the derivative code.
        """
        target = node.targets[0]
        if not isinstance(target.value, gast.Name):
            raise self.src.error("item assignment is supported on a name only (y[i] = v)", node, "item assignment")
        name = target.value.id
        before = []
        if isinstance(node.value, gast.Name) and node.value.id == name:
            # `u[...] = u` assigns what u held before (NumPy copies where the two overlap):
            # an alias of u, which passes/views.py reads as a copy since u is written,
            # keeps the value's adjoint apart from the adjoint of the updated u
            alias = self.fresh_name(f"{name}_before")
            before = [gast.copy_location(gast.Assign([gast.Name(alias, gast.Store(), None, None)], node.value), node)]
            node.value = gast.Name(alias, gast.Load(), None, None)
        ref = gast.Name("setitem", gast.Load(), None, None)
        anno.set(ref, "object", runtime.setitem)
        update = gast.Call(ref, [_as_load(target.value), index_expression(target.slice), node.value], [])
        if name in param_names(self.src.node):
            self.copied.add(name)
        update = gast.copy_location(gast.Assign([_as_store(target.value)], update), node)
        return before + [update] if before else update

    def list_mutation(self, node):
        """`lst.append(v)` / `lst.pop()` on a list the function created."""
        func = node.func
        lst = func.value.id
        if lst in param_names(self.src.node):
            self.copied.add(lst)
        expected = 1 if func.attr == "append" else 0
        if len(node.args) != expected or node.keywords:
            raise self.src.error(f"{lst}.{func.attr} with these arguments is not supported", node, f"list.{func.attr}")
        primitive = runtime.list_append if func.attr == "append" else runtime.list_pop
        ref = gast.Name(primitive.__name__, gast.Load(), None, None)
        anno.set(ref, "object", primitive)
        return gast.copy_location(gast.Call(ref, [func.value] + node.args, []), node)


def _unpacks_into_items(target):
    """Does an unpacking assign an item (`a, y[i] = ...`)?"""
    return isinstance(target, (gast.Tuple, gast.List)) and any(
        isinstance(e, gast.Subscript) or _unpacks_into_items(e) for e in target.elts
    )


def index_expression(node):
    """A subscript's index as an ordinary expression (slices become slice(...) calls)."""
    if isinstance(node, gast.Slice):
        parts = [clone(p) if p is not None else gast.Constant(None, None) for p in (node.lower, node.upper, node.step)]
        func = gast.Name("slice", gast.Load(), None, None)
        anno.set(func, "object", slice)
        return gast.Call(func, parts, [])
    if isinstance(node, gast.Tuple):
        return gast.Tuple([index_expression(e) for e in node.elts], gast.Load())
    return clone(node)


def subscript_index(node):
    """The inverse of index_expression: `slice(a, b, None)` back to `a:b`, for readable code."""
    if isinstance(node, gast.Call) and anno.get(node.func, "object") is slice and not node.keywords:
        parts = [None if isinstance(p, gast.Constant) and p.value is None else clone(p) for p in node.args]
        return gast.Slice(*(parts + [None] * (3 - len(parts))))
    if isinstance(node, gast.Tuple):
        return gast.Tuple([subscript_index(e) for e in node.elts], gast.Load())
    return clone(node)


def _is_mutation(call, name):
    return anno.get(call.func, "object") is getattr(runtime, name)


def _as_store(node):
    return gast.Name(node.id, gast.Store(), None, None)


def _listed(statements):
    """A visitor's result as a list of statements."""
    return statements if isinstance(statements, list) else [statements]


def _as_load(target):
    """A Load-context copy of an assignment target."""
    node = clone(target)
    for n in walk(node):
        if hasattr(n, "ctx"):
            n.ctx = gast.Load()
    return node


def _is_static_path(node, fn_source):
    """True for dotted names rooted at a module or other global (np.linalg.norm)."""
    while isinstance(node, gast.Attribute):
        node = node.value
    if not isinstance(node, gast.Name):
        return False
    local_names = anno.get(fn_source.node, "locals")
    if local_names is None:
        local_names = collect_locals(fn_source.node)
        anno.set(fn_source.node, "locals", local_names)
    return node.id not in local_names


def collect_locals(fn_node):
    """Names bound inside a function: parameters and every assignment target."""
    names = set()
    args = fn_node.args
    for a in args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg]:
        if a is not None:
            names.add(a.id)
    for stmt in fn_node.body:
        for node in walk(stmt):
            if isinstance(node, gast.Name) and isinstance(node.ctx, (gast.Store, gast.Param)):
                names.add(node.id)
    return names
