"""Building blocks of generated code: gast nodes made by the compiler's passes.

A name bound to an object (`ref`) is resolved to a module-level name at emit time; a
reference to another generated function (`generated`) is kept as written; a `marker`
stands for code a later pass decides on.
"""
import ast

import gast

from . import anno


def walk(node):
    """Every node of the tree at `node` but the expression contexts (a Name's Load or
    Store, a third of the nodes: passes read them as `n.ctx`, never as nodes walked to),
    in ast.walk's order (breadth first), at a third of its cost: passes walk the function
    over and over, and ast.walk's generators of generators were half of a transform's
    time. The queue is a list read as it grows (a list's iterator sees what is appended
    behind it): no deque to pop from. Only the fields that can hold nodes are read
    (`_child_fields`), and a list field's items are queued as they are: what is not a
    node (`global`'s names) is skipped when reached."""
    todo = [node]
    for node in todo:
        fields = _CHILD_FIELDS.get(node.__class__)
        if fields is None:
            if not isinstance(node, ast.AST):
                continue
            fields = _child_fields(node.__class__)
        for field in fields:
            value = getattr(node, field, None)
            if value is None:
                continue
            if isinstance(value, list):
                todo += value
            elif isinstance(value, ast.AST):
                todo.append(value)
        yield node


def loads(node):
    """The names read in the tree at `node` (its Names in a Load context): what the
    passes ask of a statement or a value most, a name or a constant as often as not
    (no walk for those)."""
    if node.__class__ is gast.Name and node.annotation is None:
        return {node.id} if node.ctx.__class__ is gast.Load else set()
    if node.__class__ is gast.Constant:
        return set()
    return {n.id for n in walk(node) if n.__class__ is gast.Name and n.ctx.__class__ is gast.Load}


# fields that hold a string or a literal's value, never a node, in ast and gast alike:
# a Name's id, a Constant's value, an Attribute's attr (most nodes are these three)
_LEAF_FIELDS = {("Name", "id"), ("Constant", "value"), ("Constant", "kind"), ("Attribute", "attr")}
_CHILD_FIELDS = {}


def _child_fields(cls):
    """The fields of node class `cls` that `walk` reads (memoized per class)."""
    fields = tuple(f for f in cls._fields if f not in ("ctx", "type_comment") and (cls.__name__, f) not in _LEAF_FIELDS)
    _CHILD_FIELDS[cls] = fields
    return fields


class NodeTransformer(gast.NodeTransformer):
    """gast.NodeTransformer, the same rewrites at about half its cost (passes transform
    whole functions): a node's fields are those `walk` reads, not every field (an
    expression context, a name's string: never a node, nor visited to rewrite one)."""

    def generic_visit(self, node):
        fields = _CHILD_FIELDS.get(node.__class__)
        if fields is None:
            fields = _child_fields(node.__class__)
        for field in fields:
            old_value = getattr(node, field, None)
            if isinstance(old_value, list):
                new_values = []
                for value in old_value:
                    if isinstance(value, ast.AST):
                        value = self.visit(value)
                        if value is None:
                            continue
                        if not isinstance(value, ast.AST):
                            new_values.extend(value)
                            continue
                    new_values.append(value)
                old_value[:] = new_values
            elif isinstance(old_value, ast.AST):
                new_node = self.visit(old_value)
                if new_node is None:
                    delattr(node, field)
                else:
                    setattr(node, field, new_node)
        return node

    def visit_Constant(self, node):
        """ast.NodeVisitor's looks for the visit_Num of Python 3.7's visitors first."""
        return self.generic_visit(node)


def clone(tree):
    """A copy of a gast tree or list of trees, facts included (the objects they refer to
    shared): what copy.deepcopy gives, at a fraction of its cost (transforms copy a lot)."""
    if isinstance(tree, list):
        return [clone(t) for t in tree]
    if not isinstance(tree, ast.AST):
        return tree
    new = type(tree).__new__(type(tree))
    for field, value in tree.__dict__.items():
        if isinstance(value, (list, ast.AST)):
            value = clone(value)
        elif isinstance(value, anno.Facts):
            value = anno.Facts(value)
        setattr(new, field, value)
    return new


def dotted_name(node):
    """`a.b.c` for a Name or a chain of Attributes on one (ast or gast), else None."""
    if isinstance(getattr(node, "id", None), str):
        return node.id
    if isinstance(getattr(node, "attr", None), str) and hasattr(node, "value"):
        base = dotted_name(node.value)
        return None if base is None else f"{base}.{node.attr}"
    return None


# Container displays: what they hold are their items (a dict's, its values).
DISPLAYS = (gast.Tuple, gast.List, gast.Set, gast.Dict)


def display_items(value):
    return value.values if isinstance(value, gast.Dict) else value.elts


def name(id_, ctx=None):
    return gast.Name(id_, ctx or gast.Load(), None, None)


def const(value):
    return gast.Constant(value, None)


def assign(target, value):
    target = name(target, gast.Store()) if isinstance(target, str) else target
    return gast.Assign([target], value)


def call(func, *args):
    func = name(func) if isinstance(func, str) else func
    return gast.Call(func, list(args), [])


def generated(function_name):
    """A reference to a function generated into the same module."""
    node = name(function_name)
    anno.set(node, "generated", True)
    return node


def ref(obj, preferred):
    """A name for a global object, bound in the generated module at emit time."""
    node = name(preferred)
    anno.set(node, "object", obj)
    return node


def bound_object(func):
    """The object a (dotted) name is bound to by `ref` or resolve (`np.exp`,
    `runtime.dict_get` in a rule's text), or None."""
    if isinstance(func, gast.Attribute):
        base = bound_object(func.value)
        return getattr(base, func.attr, None) if base is not None else None
    return anno.get(func, "object")


def called(node):
    """The function a call calls: resolved (its `callee`), else the object its name is
    bound to; None if neither is known."""
    callee = anno.get(node, "callee")
    return callee if callee is not None else bound_object(node.func)


def push(value, stack):
    return gast.Expr(call(gast.Attribute(name(stack), "append", gast.Load()), value))


def pop(stack):
    return call(gast.Attribute(name(stack), "pop", gast.Load()))


def marker(kind, **facts):
    """A statement that stands for code a later pass decides on."""
    node = gast.Expr(const(None))
    anno.set(node, "marker", kind)
    for key, value in facts.items():
        anno.set(node, key, value)
    return node



def describe(obj):
    """A callee's dotted name, for messages."""
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None) or repr(obj)
    return f"{module}.{qualname}" if module and module != "builtins" else qualname


def source_text(node):
    """An expression as it reads in Python, for messages."""
    return ast.unparse(gast.gast_to_ast(clone(node)))


def constant_kind(node):
    """The kind of a literal argument (scalar for numbers)."""
    if isinstance(node, gast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return "scalar"
    return None
