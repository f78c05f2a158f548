"""Emit a generated module as readable Python source.

Every free name in the generated functions is bound to the object it meant where it
came from (the user's module, a rule's module, the runtime); the module's namespace
maps those names to those objects, and its header imports them where they can be
imported, so the text reads as ordinary Python.
"""
import ast
import builtins
import math
import re
import sys
import types
from contextlib import contextmanager

import gast

from . import anno, runtime, scopes
from .frontend import _MISSING
from .syntax import walk

COMMENT = "__s2s_comment__"
# The note loader appends to a generated line (where in the user's code it came from).
ORIGIN_COMMENT = re.compile(r'\s*# source: File ".*", line \d+\s*$')


class Namespace:
    """Names of the generated module -> objects, without conflicts."""

    def __init__(self, defined):
        self.objects = {}
        self.by_id = {}
        self.defined = set(defined)
        self.origins = {}

    def bind(self, preferred, obj, origin=None):
        """The module name for `obj`; `origin`: (function, name) it was resolved in, if any."""
        if id(obj) in self.by_id and self.objects.get(self.by_id[id(obj)]) is obj:
            return self.by_id[id(obj)]
        name, i = preferred, 2
        while name in self.defined or (name in self.objects and self.objects[name] is not obj):
            name, i = f"{preferred}_{i}", i + 1
        self.objects[name] = obj
        self.by_id[id(obj)] = name
        if origin is not None:
            self.origins[name] = scopes.user_origin(*origin)
        return name


class Bindings(dict):
    """A generated module's names -> objects, and where its names and lines came from.

    `origins` maps a name bound from a user function's scope to (that function, the
    name there), so the disk cache can look it up again in another process.
    `lines` maps a line of the generated text to the (file, line) of the user's code it
    came from, for tracebacks (see loader).
    """

    def __init__(self, objects, origins, lines=None):
        super().__init__(objects)
        self.origins = dict(origins)
        self.lines = dict(lines or {})


def _locals(fn, names):
    """The names `fn` binds; `names`: its Name nodes."""
    bound = {a.id for a in fn.args.args}
    for node in names:
        if node.ctx.__class__ in (gast.Store, gast.Param):
            bound.add(node.id)
    return bound


def emit_module(functions, header_lines):
    """(source text, namespace dict) for a list of generated FunctionDefs."""
    defined = {fn.name for fn in functions}
    namespace = Namespace(defined)
    # each function walked once: binding its names and finding literals change no node
    # these read (walks were a third of emitting)
    names, negative = {}, False
    for fn in functions:
        nodes = list(walk(fn))
        names[id(fn)] = [node for node in nodes if node.__class__ is gast.Name]
        negative = negative or any(node.__class__ is gast.Constant and _is_negative_literal(node) for node in nodes)
    # Bind user-code names first so generated references reuse the user's aliases (np).
    pending = []
    for fn in functions:
        src = anno.get(fn, "source")
        local = _locals(fn, names[id(fn)])
        bound = {}  # a free name -> its name in the module: binding a name again gives the same
        for node in names[id(fn)]:
            if node.ctx.__class__ is gast.Load and node.id not in local:
                if anno.get(node, "generated"):
                    continue  # a function of this module
                if anno.has(node, "object"):
                    pending.append((node, anno.get(node, "object")))
                    continue
                if node.id not in bound:
                    obj = src.resolve(node.id) if src is not None else _MISSING
                    bound[node.id] = node.id if obj is _MISSING else namespace.bind(node.id, obj, (src.func, node.id))
                node.id = bound[node.id]
    for node, obj in pending:
        node.id = namespace.bind(_preferred_name(node.id, obj), obj)
    for fn in functions:
        comments_to_strings(fn)
        _tidy_bodies([fn, *_statements(fn)])
    module = gast.Module(body=list(functions), type_ignores=[])
    origins = _statement_origins(module)
    tree = _to_ast(module)
    if negative:  # rare (folded constants): a transformer over the whole tree only then
        tree = _NegativeLiterals().visit(tree)
    unparser = _Unparser()
    body = unparser.visit(tree)
    lines = header_lines + [""] + _import_lines(namespace.objects) + ["", ""]
    text = "\n".join(lines) + body + "\n"
    table = _line_table(tree, unparser, origins, len(lines) - 1)
    return text, Bindings(namespace.objects, namespace.origins, table)


# gast class -> (the ast class of its name, that class's fields on this Python)
_AST_CLASSES = {}
_CONTEXTS = {gast.Load: ast.Load(), gast.Store: ast.Store(), gast.Del: ast.Del()}


def _to_ast(node):
    """The `ast` tree of a gast tree, for unparsing alone: gast.gast_to_ast at a third of
    its cost (a tenth of a transform), as it copies locations (the unparser reads none)
    and dispatches per node. A node becomes the ast class of its name with the fields
    it has of that class's (a Name's annotation goes); parameters become `arg`s, an
    except handler's name a string."""
    cls = node.__class__
    if cls is gast.Name:  # two in five nodes: a context of the kind shared, as ast.parse shares them
        return ast.Name(node.id, _CONTEXTS.get(node.ctx.__class__) or _to_ast(node.ctx))
    if cls is gast.arguments:
        return ast.arguments(
            [_arg(a) for a in node.posonlyargs], [_arg(a) for a in node.args], _arg(node.vararg),
            [_arg(a) for a in node.kwonlyargs], _to_ast_list(node.kw_defaults), _arg(node.kwarg), _to_ast_list(node.defaults),
        )
    target = _AST_CLASSES.get(cls)
    if target is None:
        ast_cls = getattr(ast, cls.__name__)
        target = _AST_CLASSES[cls] = (ast_cls, ast_cls._fields)
    ast_cls, fields = target
    new = ast_cls.__new__(ast_cls)
    values = node.__dict__
    for field in fields:
        if field in values:
            value = values[field]
            if value.__class__ is list:
                value = _to_ast_list(value)
            elif isinstance(value, ast.AST):
                value = _to_ast(value)
            setattr(new, field, value)
    if cls is gast.ExceptHandler and node.name is not None:
        new.name = node.name.id
    return new


def _to_ast_list(nodes):
    return [_to_ast(n) if isinstance(n, ast.AST) else n for n in nodes]  # kw_defaults hold None


def _arg(node):
    return None if node is None else ast.arg(node.id, None if node.annotation is None else _to_ast(node.annotation), node.type_comment)


def _statements(node):
    """A tree's statements in source order (bodies before orelse), nested ones included."""
    for field in ("body", "orelse"):
        for stmt in getattr(node, field, None) or ():
            yield stmt
            yield from _statements(stmt)


def _statement_origins(module):
    """(file, line) of the user's code for each statement of the generated module, or None.

    A statement carries the line of the user statement it was generated from; one
    without (most of the backward sweep) belongs to the statement the comment above it
    names, as the reader of the code sees it. Lines outside the function (a rule's own
    code) are not the user's.
    """
    origins = []
    for fn in module.body:
        src = anno.get(fn, "source")
        node = getattr(src, "node", None)
        first = getattr(node, "lineno", None)
        last = getattr(node, "end_lineno", None) or first
        origins.append(None)  # the def itself
        commented = None  # the line the last comment names
        for stmt in _statements(fn):
            line = getattr(stmt, "lineno", None)
            if _is_comment(stmt):  # a comment in the text, not a statement
                commented = anno.get(stmt, "line")
                continue
            if not (isinstance(line, int) and first is not None and first <= line <= last):
                line = commented
            origins.append((src.filename, line) if line else None)
    return origins


def _line_table(tree, unparser, origins, offset):
    """{line of the text: (file, line)}, keyed by the line that can end in a comment:
    a simple statement's last line, a compound statement's header line, as `unparser`
    wrote `tree` (the text's lines from `offset` + 1 on)."""
    statements = [stmt for fn in tree.body for stmt in [fn, *_statements(fn)] if not _is_comment(stmt)]
    if unparser.comment_as_docstring or len(statements) != len(origins):
        return {}  # the text holds a statement more than `origins` describe: no table, never a wrong one
    lines = unparser.statement_lines()
    table = {}
    for stmt, origin in zip(statements, origins):
        line = lines.get(id(stmt))
        if origin is not None and line is not None:
            table[line + offset] = origin
    return table


def _is_negative_literal(node):
    value = getattr(node, "value", None) if isinstance(node, (gast.Constant, ast.Constant)) else None
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.copysign(1, value) < 0


class _NegativeLiterals(ast.NodeTransformer):
    """A folded negative constant as `-c`: ast.unparse writes Constant(-2.0) as `-2.0`
    wherever it stands, so `(-2.0) ** 2` would read back as `-(2.0 ** 2)`."""

    def visit_Constant(self, node):
        if _is_negative_literal(node):
            return ast.UnaryOp(ast.USub(), ast.Constant(-node.value))
        return node


def _preferred_name(current, obj):
    if isinstance(obj, types.ModuleType):
        return {"numpy": "np"}.get(obj.__name__, obj.__name__.split(".")[-1])
    if getattr(builtins, getattr(obj, "__name__", ""), None) is obj:
        return obj.__name__
    return getattr(obj, "__name__", current) if callable(obj) else current


def _import_lines(objects):
    modules, from_runtime, from_other, constants = [], [], [], []
    # The module runs with these names already bound (see loader.py), so an import line
    # is written only where it would find the same object again: a module loaded from a
    # file path and not in sys.modules must not be imported by name.
    for name, obj in sorted(objects.items()):
        if isinstance(obj, types.ModuleType) and sys.modules.get(obj.__name__) is obj:
            modules.append(f"import {obj.__name__}" + (f" as {name}" if name != obj.__name__ else ""))
        elif getattr(builtins, name, None) is obj:
            continue
        elif getattr(runtime, getattr(obj, "__name__", ""), None) is obj:
            from_runtime.append(name if name == obj.__name__ else f"{obj.__name__} as {name}")
        elif _importable(obj):
            qual = obj.__qualname__
            from_other.append(f"from {obj.__module__} import {qual}" + (f" as {name}" if name != qual else ""))
        else:
            constants.append(name)
    lines = modules
    if from_runtime:
        lines.append("from s2s.runtime import " + ", ".join(from_runtime))
    lines += from_other
    if constants:
        lines.append("# bound from the differentiated function's scope: " + ", ".join(constants))
    return lines


def _importable(obj):
    """Is `obj` a module-level function or class that `from module import name` finds?"""
    qual = getattr(obj, "__qualname__", None) if isinstance(obj, (type, types.FunctionType, types.BuiltinFunctionType)) else None
    module = sys.modules.get(getattr(obj, "__module__", None) or "")
    return bool(qual) and "." not in qual and "<" not in qual and getattr(module, qual, None) is obj


def _tidy_bodies(statements):
    """Passes may leave a block empty, or holding only comments, or a stray `pass`;
    `statements`: a function and its statements (blocks are statements' alone:
    generated code has no `try` or `with`, whose handlers hold blocks too)."""
    for child in statements:
        for field in ("body", "orelse"):
            block = getattr(child, field, None)
            if not isinstance(block, list) or not block and field == "orelse":
                continue
            block = [s for s in block if not isinstance(s, gast.Pass)]
            if all(_is_comment(s) for s in block):
                block.append(gast.Pass())
            setattr(child, field, block)


def _is_comment(stmt):
    """A comment statement (comments_to_strings), of a gast tree or of its ast."""
    return (
        isinstance(stmt, (gast.Expr, ast.Expr)) and isinstance(stmt.value, (gast.Constant, ast.Constant))
        and str(stmt.value.value).startswith(COMMENT)
    )


def comments_to_strings(fn):
    """Turn comment markers of a generated FunctionDef into string statements."""
    _comments_to_strings(fn.body, anno.get(fn, "source"))
    return fn


def _comments_to_strings(stmts, src):
    """(A function of the module's, not a closure: a recursive closure is a reference
    cycle, which kept the function's source and tree alive until the collector ran.)"""
    for stmt in stmts:
        if anno.get(stmt, "marker") == "comment":
            text = src.line(anno.get(stmt, "line")) if src is not None else ""
            text = ORIGIN_COMMENT.sub("", text).strip()  # a generated line's own note
            stmt.value = gast.Constant(f"{COMMENT} {text}", None)
        for field in ("body", "orelse"):
            _comments_to_strings(getattr(stmt, field, []) or [], src)



class _Unparser(ast._Unparser):
    """`ast.unparse` writing one text on every supported Python (3.10-3.13), so that
    `s2s build --check` does not depend on the version that built the files.

    f-strings are written in the form every version reads (3.12+ would nest quotes);
    on 3.10, tuples lose their redundant parentheses (`a, b = f()`, `for i, x in ...`)
    and `lambda: x` its space, as on 3.11+.

    Generated code's comment statements (comments_to_strings) are written as comments,
    a repeat of the comment before it in the same function left out; one first in a
    function is its docstring, as the base class writes it. The lines statements are
    written on are noted as they are written (`statement_lines`), for the line table:
    the text was parsed again for them, which cost as much as compiling it.
    """

    def __init__(self, **options):  # 3.10 and 3.11 make f-string parts' with options
        super().__init__(**options)
        self._comment = None  # the comment written last in this function
        self._marks = []  # (index in self._source, statement, "start" | "header" | "end")
        self._header = None  # the if/for/while whose header is being written
        self.comment_as_docstring = False

    def traverse(self, node):
        writer = _EXPRESSION_WRITERS.get(node.__class__)
        if writer is not None:
            writer(self, node, self.get_precedence(node))
        elif not isinstance(node, ast.stmt):
            super().traverse(node)
        elif _is_comment(node):
            comment = node.value.value[len(COMMENT) + 1:]
            if comment != self._comment:
                self.fill("# " + comment)
            self._comment = comment
        else:
            if isinstance(node, _HEADED):
                self._header = node
            super().traverse(node)
            if not hasattr(node, "body"):
                self._marks.append((len(self._source), node, "end"))

    def fill(self, text=""):
        super().fill(text)
        if self._header is not None and text:  # the header's first line
            self._marks.append((len(self._source), self._header, "start"))

    @contextmanager
    def block(self, *, extra=None):
        if self._header is not None:  # the header ends at its colon
            self._marks.append((len(self._source), self._header, "header"))
            self._header = None
        with super().block(extra=extra):
            yield

    def visit_FunctionDef(self, node):
        self._comment = None
        super().visit_FunctionDef(node)

    def visit_If(self, node):
        """The base class's, an `elif` noted as the statement it is."""
        self.fill("if ")
        self.traverse(node.test)
        with self.block():
            self.traverse(node.body)
        # collapse nested ifs into equivalent elifs.
        while node.orelse and len(node.orelse) == 1 and isinstance(node.orelse[0], ast.If):
            node = self._header = node.orelse[0]
            self.fill("elif ")
            self.traverse(node.test)
            with self.block():
                self.traverse(node.body)
        # final else
        if node.orelse:
            self.fill("else")
            with self.block():
                self.traverse(node.orelse)

    def _write_docstring_and_traverse_body(self, node):
        """The base class's, the docstring noted as the statement it is."""
        if docstring := self.get_raw_docstring(node):
            self._write_docstring(docstring)
            if _is_comment(node.body[0]):
                self.comment_as_docstring = True
            else:
                self._marks.append((len(self._source), node.body[0], "end"))
            self.traverse(node.body[1:])
        else:
            self.traverse(node.body)

    def statement_lines(self):
        """{id of a statement written: the line the line table keys it by}: a simple
        statement's last line, an if/for/while's header line where it is one line."""
        lines, starts = {}, {}
        line, counted = 1, 0
        for index, stmt, kind in self._marks:
            line += "".join(self._source[counted:index]).count("\n")
            counted = index
            if kind == "end":
                lines[id(stmt)] = line
            elif kind == "start":
                starts[id(stmt)] = line
            elif starts.get(id(stmt)) == line:
                lines[id(stmt)] = line
        return lines

    def visit_JoinedStr(self, node):
        expressions = []
        self._fstring_fields(node, '"', expressions)
        for quote in ('"', "'", '"""', "'''"):  # the first that no expression contains
            if not any(quote in e or "\\" in e or "#" in e for e in expressions):
                self.write("f" + quote + self._fstring_fields(node, quote, []) + quote)
                return
        super().visit_JoinedStr(node)  # code only Python 3.12+ reads: only it can run it

    def _fstring_fields(self, node, quote, expressions):
        """The text between an f-string's quotes; collects its expressions' texts."""
        out = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                out.append(_escape(value.value, quote).replace("{", "{{").replace("}", "}}"))
                continue
            inner = type(self)()
            inner.set_precedence(ast._Precedence.TEST.next(), value.value)
            expression = inner.visit(value.value)
            expressions.append(expression)
            field = "{" + (" " if expression.startswith("{") else "") + expression
            if value.conversion != -1:
                field += "!" + chr(value.conversion)
            if value.format_spec:
                field += ":" + self._fstring_fields(value.format_spec, quote, expressions)
            out.append(field + "}")
        return "".join(out)

    # The expressions generated code is made of, written as the base class writes them
    # (the same parentheses, from the same precedences) without its per-node dispatch,
    # context managers and table of precedences: the precedence an expression is written
    # at is passed down. Unparsing was a third of emitting.

    def _expression(self, node, precedence):
        """Write expression `node` where `precedence` binds: the base class writes the
        expressions no writer here knows, reading the precedence from its table."""
        writer = _EXPRESSION_WRITERS.get(node.__class__)
        if writer is None:
            self.set_precedence(precedence, node)
            super().traverse(node)
        else:
            writer(self, node, precedence)

    def _unparse_items(self, items):
        for i, item in enumerate(items):
            if i:
                self._source.append(", ")
            self._expression(item, _TEST)

    def _unparse_name(self, node, precedence):
        self._source.append(node.id)

    def _unparse_constant(self, node, precedence):
        value = node.value
        if value.__class__ not in _NUMBERS or node.kind is not None:  # a string, a tuple, `...`
            self.set_precedence(precedence, node)
            super().traverse(node)
        elif value.__class__ is float:  # an overflowing literal for an infinity, as the base class
            self._source.append(repr(value).replace("inf", ast._INFSTR).replace("nan", f"({ast._INFSTR}-{ast._INFSTR})"))
        else:
            self._source.append(repr(value))

    def _unparse_attribute(self, node, precedence):
        self._expression(node.value, _ATOM)
        # `3 .real`: `3.real` reads as a float literal
        space = isinstance(node.value, ast.Constant) and isinstance(node.value.value, int)
        self._source.append((" ." if space else ".") + node.attr)

    def _unparse_call(self, node, precedence):
        self._expression(node.func, _ATOM)
        self._source.append("(")
        self._unparse_items(node.args + node.keywords)
        self._source.append(")")

    def _unparse_keyword(self, node, precedence):
        self._source.append("**" if node.arg is None else node.arg + "=")
        self._expression(node.value, _TEST)

    def _unparse_binop(self, node, precedence):
        operator = self.binop[node.op.__class__.__name__]
        operator_precedence = self.binop_precedence[operator]
        if operator in self.binop_rassoc:
            left, right = operator_precedence.next(), operator_precedence
        else:
            left, right = operator_precedence, operator_precedence.next()
        parenthesized = precedence > operator_precedence
        if parenthesized:
            self._source.append("(")
        self._expression(node.left, left)
        self._source.append(f" {operator} ")
        self._expression(node.right, right)
        if parenthesized:
            self._source.append(")")

    def _unparse_unaryop(self, node, precedence):
        operator = self.unop[node.op.__class__.__name__]
        operator_precedence = self.unop_precedence[operator]
        parenthesized = precedence > operator_precedence
        # `-x`, `not x`: a sign is not separated from its operand
        self._source.append(("(" if parenthesized else "") + operator + ("" if operator_precedence is _FACTOR else " "))
        self._expression(node.operand, operator_precedence)
        if parenthesized:
            self._source.append(")")

    def _unparse_subscript(self, node, precedence):
        self._expression(node.value, _ATOM)
        self._source.append("[")
        index = node.slice
        if isinstance(index, ast.Tuple) and index.elts:  # `a[i, j]`: a tuple index without parentheses
            self._unparse_tuple_items(index.elts)
        else:
            self._expression(index, _TEST)
        self._source.append("]")

    def _unparse_tuple(self, node, precedence):
        parenthesized = not node.elts or precedence > _TUPLE
        if parenthesized:
            self._source.append("(")
        self._unparse_tuple_items(node.elts)
        if parenthesized:
            self._source.append(")")

    def _unparse_tuple_items(self, items):
        """A tuple's items: one has a comma after it."""
        self._unparse_items(items)
        if len(items) == 1:
            self._source.append(",")

    def _unparse_list(self, node, precedence):
        self._source.append("[")
        self._unparse_items(node.elts)
        self._source.append("]")

    def get_type_comment(self, node):
        """The base class reads `node.lineno` for a `# type: ignore` of the module, and
        generated modules have none: their trees need no locations (filling them in
        cost as much as unparsing)."""
        if node.type_comment is not None:
            return f" # type: {node.type_comment}"
        return None

    if sys.version_info < (3, 11):

        def visit_Tuple(self, node):
            parenthesize = not node.elts or self.get_precedence(node) > ast._Precedence.TUPLE
            with self.delimit_if("(", ")", parenthesize):
                self.items_view(self.traverse, node.elts)

        def visit_Assign(self, node):
            for target in node.targets:
                self.set_precedence(ast._Precedence.TUPLE, target)
            super().visit_Assign(node)

        def _for_helper(self, fill, node):
            self.set_precedence(ast._Precedence.TUPLE, node.target)
            super()._for_helper(fill, node)

        def visit_Lambda(self, node):
            with self.require_parens(ast._Precedence.TEST, node):
                arguments = type(self)().visit(node.args)
                self.write("lambda" + (" " + arguments if arguments else "") + ": ")
                self.set_precedence(ast._Precedence.TEST, node.body)
                self.traverse(node.body)


_ATOM, _TUPLE, _TEST, _FACTOR = ast._Precedence.ATOM, ast._Precedence.TUPLE, ast._Precedence.TEST, ast._Precedence.FACTOR
_NUMBERS = (int, float, bool, type(None))
_EXPRESSION_WRITERS = {
    ast.Name: _Unparser._unparse_name, ast.Constant: _Unparser._unparse_constant, ast.Attribute: _Unparser._unparse_attribute,
    ast.Call: _Unparser._unparse_call, ast.keyword: _Unparser._unparse_keyword, ast.BinOp: _Unparser._unparse_binop,
    ast.UnaryOp: _Unparser._unparse_unaryop, ast.Subscript: _Unparser._unparse_subscript, ast.Tuple: _Unparser._unparse_tuple,
    ast.List: _Unparser._unparse_list,
}

_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(text, quote):
    """A string's characters as they are written between `quote`s."""
    return "".join(
        _ESCAPES.get(c) or ("\\" + c if c == quote[0] else c if c.isprintable() else repr(c)[1:-1]) for c in text
    )


# the compound statements with a header the line table keys them by
_HEADED = (ast.If, ast.For, ast.AsyncFor, ast.While)


def unparse(tree):
    """Python source for an `ast` tree, the same on every supported Python."""
    return _Unparser().visit(tree)
