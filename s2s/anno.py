"""Facts that passes attach to gast nodes: the IR between the passes, in one place.

Every pass takes and returns gast. What one pass tells a later one travels as an
annotation on a node (`anno.set(node, key, value)`), listed here with who writes and
who reads it. A pass never re-derives a fact another pass owns: it reads the key.

Normalized code (after `anf`, the input of every analysis): a function body of
`Assign` (one operation over atoms per assignment: names and constants), `If`,
`For`, `While`, `Expr` (kept whole: side effects run once), ending in one `Return`
of an atom. In-place updates are bindings: `y[i] = v` is `y = setitem(y, i, v)`,
`lst.append(v)` is `lst = list_append(lst, v)`.

Key               on                 written by                    read by
----------------  -----------------  ----------------------------  ------------------------------
object            Name/Attribute     desugar, spellings, closures, resolve, anf, emit (binds the
                                     comprehensions, syntax.ref    name to that object)
callee            BinOp/UnaryOp/     resolve (the Python object    activity, aliasing, views,
                  Call/Subscript     performing the operation,     loops, fields, varargs,
                                     None if not static);          reverse, forward, dispatch,
                                     writeback (a call's           release (`slice(...)` binds
                                     dispatch.UpdatesReturned)     a small value), deadcode
                                                                   (pure calls), program (a
                                                                   gradient's seed call: where
                                                                   its backward sweep starts)
locals            FunctionDef        desugar (memo of bound names) desugar
copies_argument   Name (func)        desugar (the entry copy of an aliasing (Python has no copy:
                                     argument updated in place)    updates reach the caller)
augmented         Name (target)      desugar (`x op= v` on a       aliasing (on an array or list
                                     name)                         it is an update in place)
writes_back       Assign             writeback (`x = _h[1]`: the   aliasing (an update in place of
                                     call updated x in place; the  x, unseen by the holder), activity
                                     holder of its results)        (x keeps its kind)
packed            Call               varargs (every parameter      program.bind_call
                                     passed, in order)
unpacked_callee   Call (call_value)  varargs (the function that    program (what the call may
                                     `f(*args)` calls, if known)   update in place)
grad_hook         Expr               hooks (insert_grad_of block)  anf, reverse, forward
source            FunctionDef        program._function             emit (scope, comment lines)
generated         Name               syntax.generated (a function  emit (left as written)
                                     of the same module)
marker            Expr               reverse (syntax.marker):      accumulate ("consume", "zero"),
                                     "save"/"restore" of a name,   records (the rest), emit
                                     "save_item"/"restore_item",   ("comment")
                                     "consume", "zero", "comment"
var, site, index, Expr (marker)      reverse: the variable, the    records
undo, snapshot                       binding statement (id), the
                                     item index, the undo of an
                                     append/pop, a whole-container
                                     snapshot
record            If/For/push        reverse (id shared by a       records.drop_empty_records
record_companion  Assign             recorded decision and its
                                     replay)
adjoint_block,    If (adjoint block) reverse: the adjoints it      accumulate
must_run                             needs nonzero, whether it
                                     runs regardless
derivative_of,    Assign             rules.instantiate / reverse:  accumulate, forward
self_accumulating                    a derivative contribution
iteration_guard   If                 reverse (first iteration of   accumulate, reverse
                                     a loop: entry value unvaried)
entry_reads       Assign             reverse.mark_entry_reads      reverse
user_call         Assign             reverse.call_forward          reverse.call_backward
origin_line       If (adjoint block) reverse                       accumulate (located errors)
tangent_slot      Constant None      rules (zero tangent of an     forward (drops the term)
                                     inactive argument)
default_argument  rule binding       rules.bind_arguments (a       rules.instantiate (drops the
                                     parameter the call left at    keyword argument that passes
                                     its default)                  it on)

What the forward sweep saves follows from two analyses, not from counting cases:
- records.resolve_records: a name is *needed* if the backward sweep reads it; a
  binding of a needed name saves the old value iff a definition reaches it (the
  parameter's own value, an earlier binding in program order, or the binding itself
  in an earlier loop iteration): reaching definitions over structured code; a name
  every binding of which binds one and the same arithmetic of literals and invariant
  scalars (scalar parameters never rebound, and such names) holds only that one
  value, so none of its bindings saves. A save outside loops keeps the value in a
  fresh name, not on the stack; a save in a loop of a value the backward sweep reads
  only as an argument declared `shape_only` (rules) pushes `shape_stand_in(v)`.
- passes/shapes.py: shape classes (equal shapes), statements that cannot fail (or
  fail only where a value is complex), and complex sources, over the stable names
  (bound once, at the top level); the gradient of a function returning `np.sum(v)`
  keeps its seed a scalar while these facts say it stands for an array of equal shape
  (passes/uniform.py), and leaves out forward statements that cannot fail and whose
  value nothing reads (deadcode), then a logaddexp its adjoint alone reads, computing
  that adjoint from its operands (passes/fusion.py).
- passes/aliasing.py: points-to (with recency and views) and liveness decide which
  updates in place Python would make visible through another name, or that a call
  s2s leaves to Python makes to what another statement reads (the backward sweep would
  read the updated values); those are refused, all others are differentiated per
  name. passes/views.py then reads as copies the views of arrays written later and
  every binding that makes a name share an object written later
  (aliasing.bindings_written_later: `_, t = pair` of a tuple holding the array, and the
  display `pair = (0.5, y)` itself, which then holds a copy), which
  the program cannot observe once aliasing is ruled out, and passes a user function a
  copy of an argument whose object the generated code updates in place after the call
  (aliasing.arguments_written_later: the same points-to, with program order and loops
  for "after"), since the callee's tape holds its arguments by reference.
"""

_KEY = "_s2s_anno"


class Facts(dict):
    """Copying a tree copies its facts, but not the objects they refer to (modules...)."""

    def __deepcopy__(self, memo):
        return Facts(self)


# the facts of a node that has none: read, never written (a new empty dict per read of
# an unannotated node was a few percent of a transform)
_NONE = {}


def get(node, key, default=None):
    return getattr(node, _KEY, _NONE).get(key, default)


def set(node, key, value):  # noqa: A001 - mirrors dict vocabulary
    if not hasattr(node, _KEY):
        setattr(node, _KEY, Facts())
    getattr(node, _KEY)[key] = value


def has(node, key):
    return key in getattr(node, _KEY, _NONE)
