"""Lower break, continue and return so that every jump is in tail position.

After this pass a function has a single `return` as its last statement, loop bodies
contain no `continue`, and a `break` is only ever the last statement on its path
through the loop body. The reverse generator then replays control flow from recorded
branch decisions and trip counts alone.

Statements after a conditional jump move into the branch that falls through (no
flags, no duplication). Only where several paths fall through are flags used.
"""
import gast

from ..syntax import walk

_JUMPS = (gast.Break, gast.Continue, gast.Return)


def _name(id_, ctx=None):
    return gast.Name(id_, ctx or gast.Load(), None, None)


def _assign(name, value):
    return gast.Assign([_name(name, gast.Store())], value)


def _const(value):
    return gast.Constant(value, None)


def lower_jumps(fn_source, namer):
    fn = fn_source.node
    lowering = _Lowering(namer)
    body = lowering.returns_out_of_loops(fn.body, in_loop=False)
    if lowering.used_return_flag:
        body = [_assign(lowering.returned, _const(False)), _assign(lowering.retval, _const(None))] + body
    body = lowering.lower_block(body + [gast.Return(_const(None))])  # falling off the end returns None
    fn.body = _single_exit(body, namer)
    _check_no_continue(fn_source, fn.body)
    return fn_source


def _check_no_continue(fn_source, stmts):
    """The backward sweep replays a loop body from its recorded branches, which a
    `continue` left in it would skip: refuse rather than record a wrong tape."""
    for loop in (n for s in stmts for n in walk(s) if isinstance(n, (gast.For, gast.While))):
        for stmt in loop.body:
            for node in _same_loop(stmt):
                if isinstance(node, gast.Continue):
                    raise fn_source.error("s2s could not lower this `continue`; please report it", node if hasattr(node, "lineno") else loop, "continue")


def _same_loop(node):
    """The nodes of `node` outside the loops nested in it."""
    yield node
    if not isinstance(node, (gast.For, gast.While)):
        for child in gast.iter_child_nodes(node):
            yield from _same_loop(child)


def _has_jump(node):
    """Does `node` contain a break/continue of the current loop, or any return?"""
    if isinstance(node, _JUMPS):
        return True
    if isinstance(node, gast.If):
        return any(_has_jump(s) for s in node.body + node.orelse)
    if isinstance(node, (gast.For, gast.While)):
        return any(isinstance(n, gast.Return) for s in node.body for n in walk(s))
    return False


def _ends(block):
    """The number of fall-through ends of a lowered block."""
    if not block:
        return 1
    last = block[-1]
    if isinstance(last, _JUMPS):
        return 0
    if isinstance(last, gast.If) and _has_jump(last):
        return _ends(last.body) + _ends(last.orelse)
    return 1


class _Lowering:
    def __init__(self, namer):
        self.namer = namer
        self.returned = namer.fresh("_returned")
        self.retval = namer.fresh("_return_value")
        self.used_return_flag = False

    def returns_out_of_loops(self, stmts, in_loop):
        """`return v` inside a loop -> set flags and break; re-jump after the loop."""
        out = []
        for stmt in stmts:
            if isinstance(stmt, gast.Return) and in_loop:
                self.used_return_flag = True
                value = stmt.value if stmt.value is not None else _const(None)
                out += [
                    gast.copy_location(_assign(self.retval, value), stmt),
                    _assign(self.returned, _const(True)),
                    gast.Break(),
                ]
                continue
            if isinstance(stmt, gast.If):
                stmt.body = self.returns_out_of_loops(stmt.body, in_loop)
                stmt.orelse = self.returns_out_of_loops(stmt.orelse, in_loop)
            elif isinstance(stmt, (gast.For, gast.While)):
                had = any(isinstance(n, gast.Return) for s in stmt.body for n in walk(s))
                stmt.body = self.returns_out_of_loops(stmt.body, in_loop=True)
                out.append(stmt)
                if had:
                    jump = gast.Break() if in_loop else gast.Return(_name(self.retval))
                    out.append(gast.If(_name(self.returned), [jump], []))
                continue
            out.append(stmt)
        return out

    def lower_block(self, stmts):
        out = []
        for k, stmt in enumerate(stmts):
            if isinstance(stmt, (gast.For, gast.While)):
                stmt.body = _drop_tail_continues(self.lower_block(stmt.body)) or [gast.Pass()]
                out.append(stmt)
                continue
            if isinstance(stmt, _JUMPS):
                out.append(stmt)
                return out  # anything after a jump is unreachable
            if isinstance(stmt, gast.If) and _has_jump(stmt):
                stmt.body = self.lower_block(stmt.body)
                stmt.orelse = self.lower_block(stmt.orelse)
                rest = stmts[k + 1 :]
                ends = _ends([stmt])
                if not rest or ends == 0:
                    return out + [stmt]
                if ends == 1:
                    return out + _attach([stmt], self.lower_block(rest))
                return out + self._with_flags(stmt, rest)
            if isinstance(stmt, gast.If):  # no jump out of it, but maybe loops with their own inside
                stmt.body = self.lower_block(stmt.body) or [gast.Pass()]
                stmt.orelse = self.lower_block(stmt.orelse)
            out.append(stmt)
        return out

    def _with_flags(self, stmt, rest):
        """Several paths fall through `stmt`: turn its jumps into flags, guard `rest`."""
        flags = {}

        def replace(block):
            new = []
            for s in block:
                if isinstance(s, _JUMPS):
                    kind = type(s).__name__.lower()
                    if kind not in flags:
                        flags[kind] = self.namer.fresh(f"_{kind}")
                    if isinstance(s, gast.Return):
                        value = s.value if s.value is not None else _const(None)
                        new.append(_assign(self.retval, value))
                    new.append(_assign(flags[kind], _const(True)))
                    continue
                if isinstance(s, gast.If):
                    s.body = replace(s.body) or [gast.Pass()]
                    s.orelse = replace(s.orelse)
                new.append(s)
            return new

        replace([stmt])
        init = [_assign(flag, _const(False)) for flag in flags.values()]
        jumped = gast.BoolOp(gast.Or(), [_name(f) for f in flags.values()]) if len(flags) > 1 else _name(*flags.values())
        # The path that jumped takes its jump again after the guard: the last of the
        # flags set is the jump itself, so no path falls out of the else branch, and
        # the blocks around this one see the jump (a `continue` skips their rest too).
        kinds = list(flags)
        exits = [gast.If(_name(flags[kind]), [self._jump(kind)], []) for kind in kinds[:-1]] + [self._jump(kinds[-1])]
        guard = gast.If(gast.UnaryOp(gast.Not(), jumped), self.lower_block(rest), self.lower_block(exits))
        return init + [stmt, guard]

    def _jump(self, kind):
        return {"break": gast.Break, "continue": gast.Continue}[kind]() if kind != "return" else gast.Return(_name(self.retval))


def _attach(block, rest):
    """Append `rest` at the single fall-through end of a lowered block."""
    last = block[-1] if block else None
    if isinstance(last, gast.If) and _has_jump(last):
        if _ends(last.body) == 1:
            last.body = _attach(last.body, rest)
        else:
            last.orelse = _attach(last.orelse, rest)
        return block
    return block + rest


def _drop_tail_continues(block):
    """A `continue` in tail position of a loop body is a no-op."""
    if not block:
        return block
    last = block[-1]
    if isinstance(last, gast.Continue):
        return block[:-1]
    if isinstance(last, gast.If):
        last.body = _drop_tail_continues(last.body) or [gast.Pass()]
        last.orelse = _drop_tail_continues(last.orelse)
    return block


def _single_exit(body, namer):
    """Tail returns -> assignments to one variable, returned once at the end."""
    if _ends(body) == 0 and isinstance(body[-1], gast.Return):
        if not any(isinstance(n, gast.Return) for s in body[:-1] for n in walk(s)):
            if body[-1].value is None:  # a bare `return` returns None
                body[-1].value = _const(None)
            return body
    result = namer.fresh("_result")

    def replace(block):
        for i, s in enumerate(block):
            if isinstance(s, gast.Return):
                value = s.value if s.value is not None else _const(None)
                block[i] = gast.copy_location(_assign(result, value), s)
            elif isinstance(s, gast.If):
                replace(s.body)
                replace(s.orelse)
        return block

    return replace(body) + [gast.Return(_name(result))]
