"""Greedy shrinking of a failing program to a small reproducer.

A candidate is the program with one statement deleted, one compound statement replaced
by one of its bodies, or one expression replaced by one of its operands or by `1.0`.
The first candidate that still fails the same way is kept, and the search restarts from
it, until no candidate does or the time budget is spent. The signature of `f` is never
changed, so the same arguments still apply.
"""
import ast
import builtins
import copy
import symtable
import time
import warnings


def undefined_names(source):
    """Names read somewhere in `source` that nothing defines (a deleted assignment)."""
    table = symtable.symtable(source, "<program>", "exec")
    defined = {s.get_name() for s in table.get_symbols() if s.is_assigned() or s.is_imported()}
    missing = []

    def visit(scope):
        for symbol in scope.get_symbols():
            name = symbol.get_name()
            if symbol.is_referenced() and (symbol.is_global() or scope is table) and name not in defined \
                    and not hasattr(builtins, name):
                missing.append(name)
        for child in scope.get_children():
            visit(child)

    visit(table)
    return missing


def _statement_lists(tree):
    """Paths (node path, field) of every statement list except the module's own."""
    for path, node in _walk(tree, ()):
        for field in ("body", "orelse"):
            block = getattr(node, field, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt) and node is not tree:
                yield path, field


def _walk(node, path):
    yield path, node
    for field, value in ast.iter_fields(node):
        if isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, ast.AST):
                    yield from _walk(item, path + ((field, i),))
        elif isinstance(value, ast.AST):
            yield from _walk(value, path + ((field, None),))


def _at(tree, path):
    node = tree
    for field, index in path:
        node = getattr(node, field) if index is None else getattr(node, field)[index]
    return node


def _replace(tree, path, new):
    parent = _at(tree, path[:-1])
    field, index = path[-1]
    if index is None:
        setattr(parent, field, new)
    else:
        getattr(parent, field)[index] = new


def _is_loop_counter(statement):
    """`n += 1` of a generated while loop: deleting it would loop forever."""
    return isinstance(statement, ast.AugAssign) and isinstance(statement.value, ast.Constant) \
        and statement.value.value == 1 and isinstance(statement.op, ast.Add)


def _deletions(tree):
    """Runs of statements deleted: halves of each block first, then single statements."""
    for size in ("half", 1):
        for path, field in _statement_lists(tree):
            block = getattr(_at(tree, path), field)
            run = len(block) // 2 if size == "half" else 1
            if size == "half" and run < 2:
                continue
            for start in range(0, len(block), run):
                if any(_is_loop_counter(s) for s in block[start:start + run]):
                    continue
                yield lambda t, path=path, field=field, start=start, run=run: _delete(t, path, field, start, run)


def _delete(tree, path, field, start, run):
    target = getattr(_at(tree, path), field)
    del target[start:start + run]
    if not target and field != "orelse":
        target.append(ast.Pass())


def _module_deletions(tree):
    """Helpers and constants that may no longer be needed (never `f` or the imports)."""
    for i, statement in enumerate(tree.body):
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            continue
        if isinstance(statement, ast.FunctionDef) and statement.name == "f":
            continue
        if isinstance(statement, ast.Assign) and any(getattr(t, "id", None) == "f" for t in statement.targets):
            continue  # f = Model(0.5).loss
        yield lambda t, i=i: t.body.pop(i)


def _hoists(tree):
    """A compound statement replaced by one of its bodies."""
    for path, node in _walk(tree, ()):
        if isinstance(node, (ast.If, ast.For, ast.While)) and path and path[-1][1] is not None:
            for field in ("body", "orelse"):
                if getattr(node, field):
                    def hoist(t, path=path, field=field):
                        parent = _at(t, path[:-1])
                        name, index = path[-1]
                        block = getattr(parent, name)
                        block[index:index + 1] = getattr(_at(t, path), field)
                    yield hoist


GUARDS = {"sqrt", "log", "log1p"}


def _guarded(tree):
    """Nodes inside a domain guard (the argument of a log or sqrt, a divisor, the base of
    a fractional power): simplifying them would make the program ill-defined."""
    guarded = set()
    for node in ast.walk(tree):
        inner = []
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) in GUARDS:
            inner = node.args
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            inner = [node.right]
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow) and not _is_int(node.right):
            inner = [node.left]
        guarded.update(id(n) for part in inner for n in ast.walk(part))
    return guarded


def _is_int(node):
    return isinstance(node, ast.Constant) and float(node.value).is_integer()


def _float_operands(node):
    """Operands that can stand in for `node`: float-valued ones, not shapes or indices."""
    children = node.args if isinstance(node, ast.Call) else list(ast.iter_child_nodes(node))
    return [child for child in children if isinstance(child, ast.expr)
            and not isinstance(child, (ast.Attribute, ast.Slice, ast.Tuple, ast.List, ast.Constant))]


def _simplifications(tree):
    """An expression replaced by one of its operands, or by the constant 1.0."""
    guarded = _guarded(tree)
    for path, node in _walk(tree, ()):
        if not isinstance(node, (ast.BinOp, ast.UnaryOp, ast.Call, ast.Subscript, ast.IfExp, ast.BoolOp)):
            continue
        if id(node) in guarded or (path and path[-1][0] in ("targets", "target", "slice")):
            continue
        for operand in [*_float_operands(node), ast.Constant(1.0)]:
            yield lambda t, path=path, operand=operand: _replace(t, path, copy.deepcopy(operand))


def candidates(tree):
    yield from _module_deletions(tree)
    yield from _deletions(tree)
    yield from _hoists(tree)
    yield from _simplifications(tree)


def shrink(source, still_fails, budget_s=30.0):
    """The smallest variant of `source` found for which `still_fails(variant)` holds."""
    deadline = time.monotonic() + budget_s
    tree = ast.parse(source)
    best = source
    position = 0  # after a success, go on from the same candidate number, not from the start
    while time.monotonic() < deadline:
        changes = list(candidates(tree))
        for number in range(len(changes)):
            number = (position + number) % len(changes)
            if time.monotonic() >= deadline:
                return best
            candidate = copy.deepcopy(tree)
            try:
                changes[number](candidate)
                text = ast.unparse(ast.fix_missing_locations(candidate)) + "\n"
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", SyntaxWarning)  # such as 1.0(x)
                    compile(text, "<candidate>", "exec")  # a starred operand alone is no expression
            except Exception:
                continue
            if len(text) < len(best) and still_fails(text):
                tree, best, position = candidate, text, number
                break
        else:
            return best
    return best
