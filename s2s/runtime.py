"""What generated derivative code calls.

Small and dependent on numpy alone: `s2s.export` copies the helpers a module uses
into the exported file, so nothing here may import the rest of s2s.

Adjoint values mirror the structure of their primal: a float's adjoint is a float,
an array's an array of the same shape, a list/tuple/dict/dataclass/NamedTuple's the
same container of adjoints. `None` stands for "no adjoint" (a non-differentiable
leaf such as an int or a string) and is the additive identity of `add_grad`.
"""
import copy
import dataclasses
import functools
import inspect
import itertools
import math
import operator
from collections.abc import KeysView, Mapping

import numpy as np

_SCALARS = (float, int, complex, np.number, np.bool_)


def is_array(x):
    """Whether `x` is an array: NumPy's, or of a type that implements NumPy's dispatch
    protocol (Dask, CuPy), on which NumPy functions return arrays of that same type.

    The helpers below build arrays from the arrays they are given (`np.zeros_like(x)`,
    not `np.zeros(shape)`) and never convert one, so a lazy (Dask) array stays lazy and
    a GPU (CuPy) array stays on its device.
    """
    return isinstance(x, np.ndarray) or hasattr(type(x), "__array_function__")


def as_array(x):
    """`x` as an array: an array as it is, anything else (a list, a scalar) through np.asarray."""
    return x if is_array(x) else np.asarray(x)


def _copy(x, dtype):
    """A copy of the array `x` with this dtype, which can be updated in place without touching `x`."""
    out = x.astype(dtype)
    return out.copy() if out is x else out  # Dask's astype returns the array itself for its own dtype


def size(x):
    """`np.size(x)`, from the shape (Dask implements `np.shape` but not `np.size`)."""
    return math.prod(np.shape(x))


def as_type_of(x, out):
    """`out`, as an array of `x`'s type if `x` is an array of another type that wins
    NumPy's dispatch (a NumPy adjoint that meets a Dask one becomes a Dask array)."""
    if is_array(x) and type(x) is not type(out):
        return out + np.zeros_like(x, shape=(), dtype=out.dtype)
    return out


def _is_tuple_like(x):
    return isinstance(x, tuple) and not hasattr(x, "_fields")


def _shape(x):
    # arrays and NumPy scalars carry their shape; np.shape's dispatch costs more than
    # the arithmetic of a small adjoint; Python floats, the scalar code's values, first
    if type(x) is float:
        return ()
    return x.shape if isinstance(x, (np.ndarray, np.generic)) else np.shape(x)


def _is_complex(x):
    # cheaper than np.iscomplexobj on Python floats, which unbroadcast sees most
    return isinstance(x, complex) or getattr(getattr(x, "dtype", None), "kind", None) == "c"


def unbroadcast(g, like):
    """Sum `g` down to the shape of `like`: the adjoint of NumPy broadcasting (and the
    real part for a real `like`: the gradient of a real argument is real)."""
    if type(g) is np.ndarray and type(like) is np.ndarray and g.shape == like.shape and (g.dtype.kind != "c" or like.dtype.kind == "c"):
        return g  # the common case, first: nothing to sum, nothing imaginary to drop
    if _is_complex(g) and not _is_complex(like):
        g = np.real(g)
    shape = _shape(like)
    gshape = _shape(g)
    if gshape == shape:
        return g
    if not shape:
        return np.sum(g)
    g = np.sum(g, axis=tuple(range(len(gshape) - len(shape)))) if len(gshape) > len(shape) else g
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and np.shape(g)[i] != 1)
    return np.sum(g, axis=axes, keepdims=True) if axes else g


def shape_stand_in(x):
    """What a loop's tape keeps of an array the backward sweep reads only for its shape
    and dtype (the `like` of `unbroadcast`): one shared read-only array of zeros of that
    shape and dtype, so each trip adds a reference, not the array. Other values as they are."""
    if type(x) is np.ndarray:
        return _zeros_standing_in(x.shape, x.dtype)
    return x


@functools.lru_cache(maxsize=256)
def _zeros_standing_in(shape, dtype):
    return np.broadcast_to(np.zeros((), dtype), shape)


def soft_zero_as(d, like):
    """An adjoint leaving a loop whose last iteration set it to the scalar 0.0 (a zero
    only ever added to inside the loop): real zeros shaped like `like` where that is an
    array, as the code after the loop may index them; any other adjoint as it is."""
    if type(d) is float and d == 0.0 and is_array(like):
        return zeros_like(like)
    return d


def zeros_like(x):
    """The zero adjoint of a primal value.

    Arrays and scalars get real zeros. Containers get the same container holding None
    in every slot: a lazy zero, so that accumulating into one element of a list of
    layers never allocates zeros for all of them (`grad_item` and `match_like` turn a
    None back into real zeros where one is needed).
    """
    if isinstance(x, (bool, np.bool_, str, bytes, slice, range, KeysView)) or x is None or x is Ellipsis or x is _ABSENT:
        return None  # values that carry no derivative (flags, indices, names, a dict's keys, a key not yet in a dict)
    if is_array(x):
        return np.zeros_like(x, dtype=x.dtype if x.dtype.kind in "fc" else float)
    if isinstance(x, (float, int, np.floating, np.integer)):
        return 0.0
    if isinstance(x, (complex, np.complexfloating)):
        return 0j
    if callable(x) and container_functions(x) is None:
        return None  # a function value: its derivative is that of what it captures
    return map_structure(lambda _: None, x)


def grad_item(d_container, key, element):
    """`d_container[key]`, with a lazy (None) zero made real for `element` (a dict's
    derivative holds no entry for a key it has no derivative for)."""
    if d_container is None:
        item = None
    else:
        item = d_container.get(key) if isinstance(d_container, dict) else d_container[key]
    return zeros_like(element) if item is None else item


def _list_flatten(x):
    return x, None


def _list_unflatten(aux, children):
    return list(children)


def _dict_flatten(x):
    return list(x.values()), list(x)


def _dict_unflatten(keys, children):
    return dict(zip(keys, children))


def _tuple_unflatten(cls, children):
    return tuple(children) if cls is tuple else cls(*children)


def _dataclass_flatten(x):
    names = [f.name for f in dataclasses.fields(x) if f.init]
    return [getattr(x, n) for n in names], (type(x), names)


def _dataclass_unflatten(aux, children):
    cls, names = aux
    return cls(**dict(zip(names, children)))


def _partial_flatten(p):
    return [*p.args, *p.keywords.values()], (p.func, len(p.args), tuple(p.keywords))


def _partial_unflatten(aux, children):
    func, n, keys = aux
    return functools.partial(func, *children[:n], **dict(zip(keys, children[n:])))


# The container types whose derivatives are containers of the same type: type ->
# (flatten, unflatten), flatten(x) -> (children, aux), unflatten(aux, children) -> x.
# Tuples, NamedTuples and dataclasses are found by their protocols; users add their own
# types with `s2s.register_container`.
_CONTAINERS = {
    list: (_list_flatten, _list_unflatten),
    dict: (_dict_flatten, _dict_unflatten),
    functools.partial: (_partial_flatten, _partial_unflatten),
}


def register_container(cls, flatten, unflatten):
    """Make instances of `cls` containers: derivatives of one are a `cls` of derivatives."""
    _CONTAINERS[cls] = (flatten, unflatten)


def container_functions(x):
    """(flatten, unflatten) for a container value, or None for a leaf."""
    entry = _CONTAINERS.get(type(x))
    if entry is not None:
        return entry
    if isinstance(x, tuple):
        return (lambda t: (list(t), type(t))), _tuple_unflatten
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return _dataclass_flatten, _dataclass_unflatten
    return None


def map_structure(fn, x, *rest):
    """Apply `fn` leafwise over containers with the structure of `x`."""
    functions = container_functions(x)
    if functions is None:
        raise TypeError(f"s2s: cannot differentiate with respect to a value of type {type(x).__name__}")
    flatten, unflatten = functions
    children, aux = flatten(x)
    if isinstance(x, dict):  # other dicts of the same keys, maybe in another order
        others = [[r[k] for k in aux] for r in rest]
    else:
        others = [flatten(r)[0] for r in rest]
    return unflatten(aux, [fn(*items) for items in zip(children, *others)])


def add_grad(a, b):
    """Sum of two adjoints of the same primal; None is zero."""
    if a is None:
        return b
    if b is None:
        return a
    if isinstance(a, _SCALARS) or is_array(a):
        return a + b
    if isinstance(a, list):
        return [add_grad(p, q) for p, q in zip(a, b)]
    if isinstance(a, dict) and isinstance(b, dict) and a.keys() != b.keys():
        # adjoints of one dict at two points of the program, a key added in between: the
        # adjoint that lacks it holds a zero for it
        return {k: add_grad(a.get(k), b.get(k)) for k in {**a, **b}}
    return map_structure(add_grad, a, b)


def _has_integer_array(index):
    if type(index) in (slice, int):
        return False
    parts = index if isinstance(index, tuple) else (index,)
    return any(
        (isinstance(p, list) or is_array(p)) and as_array(p).dtype.kind in "iu" for p in parts
    )


def add_at(d_container, container, index, d_item):
    """Adjoint of reading `container[index]`: add `d_item` into the container's adjoint.

    Never mutates `d_container`: adjoint arrays may be shared between variables.
    """
    if d_item is None or container is None:  # None (a lazy zero adjoint, as grad_item reads it) has no derivative
        return d_container
    if (
        d_container is None and type(index) is slice and type(container) is np.ndarray
        and type(d_item) is np.ndarray and container.dtype == d_item.dtype == np.float64
    ):
        # the common first read of a slice (x[1:]), first: zeros of the container's own
        # dtype, and the item written, not added (a slice repeats no position)
        out = np.zeros_like(container)
        out[index] = d_item
        return out
    if is_array(container):
        if d_container is None:
            out = np.zeros_like(container, dtype=np.result_type(container.dtype, d_item, float))
        else:
            out = _copy(d_container, np.result_type(d_container, d_item))
        out = as_type_of(d_item, out)
        if _has_integer_array(index):
            np.add.at(out, index, d_item)  # repeated indices accumulate
        else:
            out[index] += d_item
        return out
    if d_container is None:
        d_container = zeros_like(container)
    if isinstance(container, dict):
        out = dict(d_container)
        out[index] = add_grad(out.get(index), d_item)
        return out
    out = list(d_container)
    if isinstance(index, slice):
        for position, item in zip(range(len(container))[index], d_item):
            out[position] = add_grad(out[position], item)
    else:
        out[index] = add_grad(out[index], d_item)
    if isinstance(container, tuple):
        return tuple(out) if _is_tuple_like(container) else type(container)(*out)
    return out


def getattr_adjoint(d_obj, obj, name, d_attr):
    """Adjoint of reading `obj.name` for dataclasses, NamedTuples and registered containers."""
    if d_attr is None:
        return d_obj
    if d_obj is None:
        d_obj = zeros_like(obj)
    if dataclasses.is_dataclass(obj):
        return dataclasses.replace(d_obj, **{name: add_grad(getattr(d_obj, name), d_attr)})
    if hasattr(d_obj, "_replace"):  # a NamedTuple
        return d_obj._replace(**{name: add_grad(getattr(d_obj, name), d_attr)})
    out = copy.copy(d_obj)  # another registered container: a new one, the attribute set
    setattr(out, name, add_grad(getattr(d_obj, name), d_attr))
    return out


def pack_like(like, items):
    """Adjoint of unpacking `a, b = like`: the adjoints back in `like`'s container type.

    An item without adjoint (None) becomes the zero of its element, so that adjoints
    of numeric values are never None.
    """
    items = [None] * len(like) if items is None else items
    items = [zeros_like(element) if item is None else item for element, item in zip(like, items)]
    if is_array(like):
        return np.stack(items)
    if isinstance(like, list):
        return items
    if _is_tuple_like(like):
        return tuple(items)
    return type(like)(*items)


def loop_item(x, index):
    """The item `for e in x` binds at position `index`: a dict's key, else `x[index]`
    (for a loop over a value whose type only the call shows)."""
    if isinstance(x, dict):
        return next(itertools.islice(x, index, None))
    return x[index]


def loop_item_grad(d_x, x, index, g):
    """Adjoint of `loop_item` for `x`: a dict's keys carry no derivative."""
    return d_x if isinstance(x, dict) else add_at(d_x, x, index, g)


def loop_item_tangent(d_x, x, index, item):
    """Tangent of `loop_item`: zero for a dict's key."""
    return tangent_zeros(item) if isinstance(x, dict) else grad_item(d_x, index, item)


def dict_keys(d):
    """What `for k in d:` iterates over a dict: its keys, which carry no derivative."""
    return list(d)


def seq_len(x):
    """Length of what a differentiated loop iterates over by position."""
    if isinstance(x, (list, tuple, range, str, dict)) or is_array(x):
        return len(x)
    raise TypeError(
        f"s2s: a differentiated for-loop can iterate over lists, tuples, arrays and ranges, "
        f"not {type(x).__name__}; use .items(), .values() or list(...) explicitly"
    )


def ones_like_output(y):
    """The seed of reverse mode: 1.0 for a real scalar output (ones for an array of one
    element, as autograd accepts); other outputs are rejected."""
    if type(y) is float:
        return 1.0
    if size(y) != 1 or isinstance(y, (list, tuple, dict)):
        raise TypeError(
            f"s2s.grad needs a scalar-valued function, but it returned a value of shape {np.shape(y)}; "
            "use s2s.elementwise_grad, s2s.vjp or s2s.jacobian for non-scalar outputs"
        )
    if np.iscomplexobj(y) or isinstance(y, (bool, np.bool_)) or getattr(y, "dtype", None) == np.bool_:
        raise TypeError(f"s2s.grad needs a real-valued function, but it returned a {type(y).__name__}: "
                        "differentiate its real part, or use s2s.vjp")
    return 1.0 if np.ndim(y) == 0 else np.ones_like(y, dtype=float)


def real_output_seed(sources):
    """The seed 1.0 of reverse mode for a function returning `np.sum(v)`, where `v` is
    complex exactly when one of `sources` (a tuple) is (the sum is not computed), and
    that raises where one is: so would the function (program._summed_output)."""
    for x in sources:
        if _is_complex(x):
            raise TypeError("s2s.grad needs a real-valued function of real values, but it returned or computed with "
                            "a complex value: differentiate its real part, or use s2s.vjp")
    return 1.0


def logistic(t):
    """1 / (1 + exp(-t)), the derivative of np.logaddexp(t, 0.0), from exp(-|t|) alone:
    no overflow, and a relative error of a few ulps where it is tiny (t < -30)."""
    e = np.exp(np.abs(t) * -1.0)  # not -np.abs(t): booleans do not negate
    return np.where(t >= 0, 1.0, e) / (1.0 + e)


def match_like(g, x):
    """Give a gradient the type, shape and dtype of the argument it belongs to."""
    # the common cases first, with nothing to change: every call of a gradient runs this
    if type(x) is float and type(g) is float:
        return g
    if type(x) is np.ndarray and type(g) is np.ndarray and g.shape == x.shape and g.dtype == x.dtype and x.dtype.kind in "fc":
        return g
    if is_array(x):
        g = zeros_like(x) if g is None else as_array(g)
        if g.shape != x.shape:
            g = np.broadcast_to(g, x.shape)
        g = match_complex(x, g)  # the adjoint of a real argument's inclusion into the complex numbers
        return g.astype(x.dtype if x.dtype.kind in "fc" else float, copy=False)
    if isinstance(x, (bool, np.bool_, str, bytes, type(None))):
        return g
    if g is None:
        g = zeros_like(x)
    if is_array(g) and not isinstance(g, np.ndarray):
        return g  # a scalar's derivative as a 0-d Dask or CuPy array: a float() would compute it
    if isinstance(x, np.complexfloating):
        return type(x)(g)
    if isinstance(x, np.floating):
        return type(x)(np.real(g))
    if isinstance(x, (float, int)):
        if isinstance(g, float):  # np.float64 too: the common case, kept cheap
            return float(g)
        return float(np.real(g)) if np.ndim(g) == 0 else g
    if isinstance(x, complex):
        return complex(g)
    return map_structure(lambda xi, gi: match_like(gi, xi), x, g)


def match_like_grad(dy, g):
    """Adjoint of `match_like(g, x)` with respect to `g`: the derivative summed back to
    `g`'s shape, None where `g` was a lazy None zero."""
    if g is None or dy is None:
        return None
    if container_functions(g) is not None:
        return map_structure(match_like_grad, dy, g)
    return unbroadcast(dy, g)


def astype(x, dtype):
    """`x.astype(dtype)` as a function, so it has one derivative rule."""
    return x.astype(dtype)


def list_append(lst, item):
    """`lst.append(item)` as a function returning the (same, mutated) list."""
    lst.append(item)
    return lst


def list_pop(lst):
    """`lst.pop()` as a function."""
    return lst.pop()


def last_grad(d_lst, item):
    """Adjoint of appending `item`: the last entry of the list's adjoint.

    List adjoints are aligned at the top, like the lists they mirror; a missing or None
    entry is a zero. (An array is the adjoint of a list of numbers NumPy reduced.)
    """
    g = d_lst[-1] if d_lst is not None and len(d_lst) else None
    return zeros_like(item) if g is None else g


def drop_last(d_lst):
    """The list's adjoint before an append: without its last entry (in place)."""
    if d_lst is None or not len(d_lst):
        return d_lst
    if is_array(d_lst):
        return d_lst[:-1]
    d_lst.pop()
    return d_lst


def push_grad(d_lst, lst, g):
    """Adjoint of popping from `lst`: put the popped value's adjoint back on top (in place).

    A missing adjoint starts as zeros for the list as it is now, after the pop: the
    backward sweep has undone every later append and pop on it.
    """
    if lst is None:  # None (a list adjoint's lazy zero, as drop_last gives it back) has no derivative
        return d_lst
    if d_lst is None:
        d_lst = zeros_like(lst)
    d_lst.append(g)
    return d_lst


def add_to_last(d_lst, lst, g):
    """Adjoint of reading the last entry of a list's adjoint: add `g` to its top (in place)."""
    if lst is None:  # None (a list adjoint's lazy zero, as last_grad reads it) has no derivative
        return d_lst
    if d_lst is None:
        d_lst = zeros_like(lst)
    if d_lst and d_lst[-1] is not None:
        d_lst[-1] = add_grad(d_lst[-1], g)
    elif d_lst:
        d_lst[-1] = g
    else:
        d_lst.append(g)
    return d_lst


def ones_like(x):
    """The seed of an elementwise gradient: ones with the shape of the output."""
    return np.ones_like(x, dtype=float) if np.ndim(x) else 1.0


def unpack_grad(d_packed, like):
    """Adjoint of `pack_like(like, items)`: the items' adjoints, as a tuple (None is zero)."""
    if d_packed is None:
        d_packed = [None] * len(like)
    return tuple(zeros_like(element) if g is None else g for element, g in zip(like, d_packed))


def field_grad(d_obj, name, like):
    """`d_obj.name`, with a lazy (None) zero made real for `like`."""
    g = None if d_obj is None else getattr(d_obj, name)
    return zeros_like(like) if g is None else g


def copied(x):
    """`x.copy()`: a new value of x's own type (an array's copy, a list's or a dict's,
    shallow as Python's), which is also the derivative of such a copy; a number (a
    derivative's scalar zero) or None (a zero) stands for itself."""
    return x if x is None or not hasattr(x, "copy") else x.copy()


def copy_grad(d_lst, like):
    """Adjoint (and tangent) of `list(like)`: a copy of the list's derivative, back in
    `like`'s own type when that is an array or a tuple. `list` of a dict lists its keys,
    which carry no derivative."""
    if isinstance(d_lst, dict):  # the tangent of a dict's keys: a zero per key
        return [None] * len(like)
    if d_lst is None or isinstance(like, dict):
        return None
    return pack_like(like, d_lst) if isinstance(like, tuple) or is_array(like) else list(d_lst)


def tangent_zeros(x):
    """A zero tangent with the full structure of `x` (no lazy None inside). A flag's is
    0.0, as an integer's and a boolean array's are: arithmetic reads a boolean as a
    number (`d * _cmp`, np.where's adjoint), and so does its tangent at second order."""
    if container_functions(x) is not None:
        return map_structure(tangent_zeros, x)
    if isinstance(x, (bool, np.bool_)):
        return 0.0
    return zeros_like(x)


def append_tangent(d_lst, d_item, item):
    """Tangent of `lst.append(item)`: the tangent list grows with it (zero if None)."""
    d_lst.append(tangent_zeros(item) if d_item is None else d_item)
    return d_lst


def unit_like(x, index):
    """The `index`-th unit vector (in flat order) with the shape of `x`."""
    if np.ndim(x) == 0:
        return 1.0
    e = np.zeros_like(x, dtype=float)
    e[np.unravel_index(index, np.shape(x))] = 1.0
    return e


def setitem(x, index, value):
    """`x[index] = value` as a function returning the (same, updated) container."""
    x[index] = value
    return x


def private_copy(x):
    """A copy of an argument the function updates in place: the caller's stays as it was."""
    if is_array(x):
        return x.copy()
    return type(x)(x) if isinstance(x, (list, dict)) else x


_ABSENT = object()  # a dict key that did not exist before an item assignment


def saved_item(x, index):
    """What `x[index] = ...` is about to overwrite, copied (for the backward sweep)."""
    if is_array(x):
        return x[index].copy()
    if isinstance(x, dict):
        return x.get(index, _ABSENT)
    return x[index]


def restore_item(x, index, old):
    """Undo `x[index] = ...` in place, so the backward sweep sees the old values; returns
    `x`, as setitem does (an update in place, differentiated as one at the next order)."""
    if old is _ABSENT:
        del x[index]
    else:
        x[index] = old
    return x


def take_grad(d_x, index, value, x=None):
    """Adjoint of `x[index] = value` for `value`: the derivative at the written items
    (an item a later repeat of its position overwrote gets none; where `x` rounds the
    value, none at all)."""
    if d_x is None or rounds(x, value):
        return zeros_like(value)
    if is_array(d_x):
        g = d_x[index].copy()
        if _has_integer_array(index):
            g = g * last_writes(d_x, index)
        return unbroadcast(g, value)
    g = d_x.get(index) if isinstance(d_x, dict) else d_x[index]
    return zeros_like(value) if g is None else g


def last_writes(x, index):
    """1 at the items of `x[index] = v` that stay written, 0 at those a later repeat of the
    same position overwrites (NumPy's assignment keeps the last); 1.0 without an integer
    array in the index (no position repeats)."""
    if not (is_array(x) and _has_integer_array(index)):
        return 1.0
    order = np.reshape(np.arange(np.size(x[index])), np.shape(x[index]))
    last = np.full_like(x, -1, dtype=np.intp)
    last[index] = order
    return (last[index] == order).astype(float)


def zero_at(d_x, index):
    """Adjoint of `x[index] = value` for `x`: the overwritten items get no derivative."""
    if d_x is None:
        return None
    out = d_x.copy() if isinstance(d_x, (list, dict)) or is_array(d_x) else d_x
    if is_array(out):
        out[index] = 0.0
    elif isinstance(out, dict):
        out.pop(index, None)
    else:
        out[index] = None
    return out


def setitem_tangent(d_x, index, d_value, value, x=None):
    """Tangent of `x[index] = value`: the tangent is written in the same place (a zero
    where `x` rounds the value)."""
    d_x[index] = tangent_zeros(value) if d_value is None or rounds(x, value) else d_value
    return d_x


def rounds(x, value):
    """Whether `x[...] = value` stores the value rounded, which has no derivative: a float
    or a complex number stored in an array of integers or booleans."""
    if not (is_array(x) and x.dtype.kind in "biu"):
        return False
    return (value.dtype if hasattr(value, "dtype") else np.asarray(value).dtype).kind in "fc"


def as_in_place(new, old):
    """What `old op= v` leaves in `old`, given `new = old op v`: where `old` is an array,
    NumPy updates it in place, so the result keeps its shape and dtype, and NumPy raises
    where it cannot (a wider broadcast shape; a cast to another kind, such as floats
    into an integer array). Elsewhere (a number, a list) `new` itself."""
    if not is_array(old) or (type(new) is np.ndarray and new.shape == old.shape and new.dtype == old.dtype):
        return new
    if np.shape(new) != old.shape:
        raise ValueError(f"non-broadcastable output operand with shape {old.shape} doesn't match the broadcast shape {np.shape(new)}")
    dtype = np.result_type(new)
    if not np.can_cast(dtype, old.dtype, "same_kind"):
        raise TypeError(f"Cannot cast the result of an update in place from dtype({str(dtype)!r}) to dtype({str(old.dtype)!r}) "
                        "with casting rule 'same_kind'")
    return new.astype(old.dtype) if dtype != old.dtype else new


def add_at_inplace(d_container, index, d_item):
    """`add_at` on an array the caller owns: updated in place (repeated indices add up)."""
    np.add.at(d_container, index, d_item)
    return d_container


def dict_get(mapping, key, default=None):
    """`mapping.get(key, default)` as a function."""
    return mapping.get(key, default)


def get_grad(d_mapping, mapping, key, g):
    """Adjoint of `mapping.get(key, default)` for the mapping: at `key`, if it was there."""
    return add_at(d_mapping, mapping, key, g) if key in mapping else d_mapping


def present_grad(d_mapping, mapping, key, like):
    """`d_mapping[key]` if `key` is in `mapping`, else a zero like `like` (the adjoint of
    `get_grad` for the value it adds)."""
    return take_grad(d_mapping, key, like) if key in mapping and d_mapping is not None else zeros_like(like)


def default_grad(mapping, key, g, default):
    """Adjoint of `mapping.get(key, default)` for the default: all of it, if it was used."""
    return zeros_like(default) if key in mapping else g


def restore_contents(x, saved):
    """Put back the contents `x` had (saved by `private_copy`), in place; a container that
    did not exist then (None) is None again."""
    if saved is None or x is None:
        return saved
    if is_array(x):
        x[...] = saved
    elif isinstance(x, dict):
        x.clear()
        x.update(saved)
    else:
        x[:] = saved
    return x


def cleared(d_x):
    """The derivative of contents that were overwritten: nothing (a reset, not a sum)."""
    return None


def stop_gradient(x):
    """`x`, through which no derivative flows (a straight-through estimator, a target)."""
    return x


def fixed_point(f, a, x0, tol=1e-10, max_iter=1000):
    """The fixed point x = f(a, x), iterated from `x0` until successive iterates differ by
    at most `tol` (or `max_iter` steps). s2s differentiates it by the implicit function
    theorem, not through the iterations."""
    x = x0
    for _ in range(max_iter):
        x_next = f(a, x)
        if _close(x_next, x, tol):
            return x_next
        x = x_next
    return x


def _close(p, q, tol):
    return np.max(np.abs(as_array(p) - as_array(q))) <= tol


def fixed_point_vjp(backward, tape, g, tol, max_iter):
    """Adjoint of `fixed_point` for `a`: with u = g + (df/dx)^T u solved by iteration,
    (df/da)^T u; `backward(tape, u)` is f's pullback at the fixed point."""
    u = g
    for _ in range(max_iter):
        u_next = add_grad(g, backward(tape, u)[1])
        if _close(u_next, u, tol):
            u = u_next
            break
        u = u_next
    return backward(tape, u)[0]


def fixed_point_jvp(jvp, a, x, da, tol, max_iter):
    """Tangent of `fixed_point`: t = (df/da) da + (df/dx) t, solved by iteration;
    `jvp(a, x, da, dx)` is f's forward mode at the fixed point."""
    t = tangent_zeros(x)
    for _ in range(max_iter):
        t_next = jvp(a, x, da, t)[1]
        if _close(t_next, t, tol):
            return t_next
        t = t_next
    return t


class insert_grad_of:  # noqa: N801 - used like a function, in a with statement
    """`with s2s.insert_grad_of(x) as dx: ...` runs its block in the backward sweep on the
    derivative of `x` (see s2s.passes.hooks). Outside differentiated code the block runs
    once on zeros, and changes nothing."""

    def __init__(self, x):
        self.zeros = tangent_zeros(x)

    def __enter__(self):
        return self.zeros

    def __exit__(self, *exc):
        return False


# ---- helpers called by derivative rules
# Each helper is a small piece of plain NumPy that a rule in templates/ calls; most are
# vector-Jacobian products of a primitive (linear in their first argument), and have
# rules of their own in templates/runtime_helpers.py so generated code that calls them
# can be differentiated again. None of them mutates its inputs.


def _sum_to_shape(g, shape):
    """Sum `g` over the axes that broadcasting `shape` up to `g`'s shape created."""
    g = as_array(g)
    if g.shape == tuple(shape):
        return g
    lead = g.ndim - len(shape)
    g = np.sum(g, axis=tuple(range(lead))) if lead > 0 else g
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    return np.sum(g, axis=axes, keepdims=True) if axes else g


def _normalize_axes(axes, ndim):
    """A tuple of non-negative axes from an int, a sequence, or None (every axis)."""
    if axes is None:
        return tuple(range(ndim))
    if isinstance(axes, (int, np.integer)):
        axes = (axes,)
    return tuple(int(a) % ndim if ndim else int(a) for a in axes)


def broadcast_like(g, like):
    """Broadcast `g` to the shape of `like` (a fresh, writable array): the adjoint of `unbroadcast`.
    A `like` that is no array or number (a list, an object) leaves `g` as it is."""
    if not (is_array(like) or isinstance(like, _SCALARS)) or np.shape(g) == np.shape(like):
        return g
    return _filled_like(like, g, np.result_type(g))


def _filled_like(x, g, dtype):
    """A fresh, writable array with the shape of `x` holding `g` broadcast to it; of the
    array type NumPy's dispatch gives `x` and `g` together (a Dask `x` or `g` makes a
    Dask array)."""
    if is_array(g):
        return np.zeros_like(x, dtype=dtype) + g
    return np.full_like(x, g, dtype=dtype)


def grad_reduce(g, x, axis=None, keepdims=False):
    """Broadcast the gradient `g` of a reduction over `axis` back to the shape of `x`."""
    if _shape(g) == _shape(x):
        return g
    if not keepdims and axis is not None:
        g = np.expand_dims(g, axis)
    return _filled_like(x, g, np.result_type(g, float) if axis is None and not keepdims else np.result_type(g))


def tie_weights(x, result, axis=None, keepdims=False):
    """Where `x` attains the max/min `result` of its reduction: 1/(number of ties), else 0."""
    mask = x == grad_reduce(result, x, axis, keepdims)
    return mask / np.sum(mask, axis=axis, keepdims=True)


def prod_others(x, axis=None):
    """For each element of `x`, the product of the other elements along `axis`.

    Computed from exclusive cumulative products, so zeros in `x` are no problem
    (unlike `prod(x) / x`).
    """
    x = as_array(x)
    if x.ndim == 0:
        return np.ones_like(x, dtype=np.result_type(x, 1.0))
    axes = _normalize_axes(axis, x.ndim)
    ends = tuple(range(x.ndim - len(axes), x.ndim))
    moved = np.moveaxis(x, axes, ends)
    flat = np.reshape(moved, moved.shape[: x.ndim - len(axes)] + (-1,))
    ones = np.ones_like(flat[..., :1], dtype=np.result_type(x, 1.0))
    before = np.cumprod(np.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
    after = np.cumprod(np.concatenate([ones, flat[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    return np.moveaxis(np.reshape(before * after, moved.shape), ends, axes)


def prod_others_tangent(v, x, axis=None):
    """The derivative of `prod_others(x, axis)` along `v`: for each element i, the sum
    over the other elements k of v[k] times the product of the elements other than i
    and k. That matrix is symmetric, so this is the adjoint too. Exact at zeros: they
    are counted, never divided by (with one zero only the terms through it remain,
    with two only the pair, with three or more none)."""
    x = as_array(x)
    dtype = np.result_type(x, v, 1.0)
    if x.ndim == 0:  # no other elements: prod_others is the constant 1
        return np.zeros(np.shape(x), dtype=dtype)
    axes = _normalize_axes(axis, x.ndim)
    ends = tuple(range(x.ndim - len(axes), x.ndim))

    def flat(a):
        moved = np.moveaxis(np.broadcast_to(a, x.shape), axes, ends)
        return np.reshape(moved, moved.shape[: x.ndim - len(axes)] + (-1,))

    xs, vs = flat(x), flat(as_array(v))
    zero = xs == 0
    zeros = np.sum(zero, axis=-1, keepdims=True)
    safe = np.where(zero, 1, xs)
    others = prod_others(safe, -1)  # the product of the other nonzero elements
    ratios = np.where(zero, 0, vs / safe)
    spread = np.sum(ratios, axis=-1, keepdims=True)  # sum of v[k] / x[k] over nonzero x[k]
    through_zeros = np.sum(np.where(zero, vs, 0), axis=-1, keepdims=True)  # sum of v[k] over zero x[k]
    factor = np.where(
        zeros == 0, spread - ratios,
        np.where(zeros == 1, np.where(zero, spread, through_zeros),
                 np.where((zeros == 2) & zero, through_zeros - vs, 0)))
    moved_shape = tuple(n for i, n in enumerate(x.shape) if i not in axes) + tuple(x.shape[a] for a in axes)
    return np.moveaxis(np.reshape((others * factor).astype(dtype, copy=False), moved_shape), ends, axes)


def cumsum_grad(g, x, axis=None):
    """Adjoint of `np.cumsum(x, axis)`: a reversed cumulative sum, in the shape of `x`."""
    if axis is None:
        return np.reshape(np.cumsum(as_array(g)[::-1])[::-1], np.shape(x))
    return np.flip(np.cumsum(np.flip(g, axis), axis=axis), axis)


def inverse_axes(axes, ndim):
    """The permutation that undoes `np.transpose(_, axes)` on an array of `ndim` dims."""
    if axes is None:
        return None
    return tuple(int(i) for i in np.argsort(_normalize_axes(axes, ndim)))


def dot_grad_left(g, a, b):
    """Adjoint of `np.dot(a, b)` with respect to `a`, given the gradient `g` of the result."""
    a_ndim, b = np.ndim(a), as_array(b)
    if b.ndim == 2 and 1 <= a_ndim <= 2:
        return np.dot(g, b.T)  # BLAS reads the transposed view directly
    if a_ndim == 0:
        return np.sum(g * b)
    if b.ndim == 0:
        return g * b
    if b.ndim == 1:
        return np.multiply.outer(g, b)
    g_axes = tuple(range(a_ndim - 1, np.ndim(g)))
    b_axes = tuple(range(b.ndim - 2)) + (b.ndim - 1,)
    return np.tensordot(g, b, axes=(g_axes, b_axes))


def dot_grad_right(g, a, b):
    """Adjoint of `np.dot(a, b)` with respect to `b`, given the gradient `g` of the result."""
    a, b_ndim = as_array(a), np.ndim(b)
    if a.ndim == 2 and 1 <= b_ndim <= 2:
        return np.dot(a.T, g)
    if a.ndim == 1 and b_ndim == 2:
        return np.outer(a, g)
    if b_ndim == 0:
        return np.sum(g * a)
    if a.ndim == 0:
        return g * a
    lead = tuple(range(a.ndim - 1))
    if b_ndim == 1:
        return np.tensordot(g, a, axes=(lead, lead))
    return np.moveaxis(np.tensordot(a, g, axes=(lead, lead)), 0, -2)


def _matmul_promote(g, a_ndim, b_ndim):
    """The gradient of `matmul` with the dims that 1-D operands drop put back."""
    if b_ndim == 1:
        g = np.expand_dims(g, -1)
    if a_ndim == 1:
        g = np.expand_dims(g, -2)
    return g


def matmul_grad_left(g, a, b):
    """Adjoint of `a @ b` with respect to `a` (1-D operands and batch broadcasting included)."""
    a_shape, b = np.shape(a), as_array(b)
    g = _matmul_promote(g, len(a_shape), b.ndim)
    bm = b[:, None] if b.ndim == 1 else b
    ga = np.matmul(g, np.swapaxes(bm, -1, -2))
    full = (1,) + a_shape if len(a_shape) == 1 else a_shape
    return np.reshape(_sum_to_shape(ga, full), a_shape)


def matmul_grad_right(g, a, b):
    """Adjoint of `a @ b` with respect to `b` (1-D operands and batch broadcasting included)."""
    a, b_shape = as_array(a), np.shape(b)
    g = _matmul_promote(g, a.ndim, len(b_shape))
    am = a[None, :] if a.ndim == 1 else a
    gb = np.matmul(np.swapaxes(am, -1, -2), g)
    full = b_shape + (1,) if len(b_shape) == 1 else b_shape
    return np.reshape(_sum_to_shape(gb, full), b_shape)


def _tensordot_axes(axes, a_ndim, b_ndim):
    """`np.tensordot`'s `axes` argument as two tuples of non-negative axes."""
    if isinstance(axes, (int, np.integer)):
        return tuple(range(a_ndim - axes, a_ndim)), tuple(range(axes))
    a_axes, b_axes = axes
    return _normalize_axes(a_axes, a_ndim), _normalize_axes(b_axes, b_ndim)


def tensordot_grad_left(g, a, b, axes=2):
    """Adjoint of `np.tensordot(a, b, axes)` with respect to `a`."""
    a_ndim, b = np.ndim(a), as_array(b)
    a_axes, b_axes = _tensordot_axes(axes, a_ndim, b.ndim)
    a_free = [i for i in range(a_ndim) if i not in a_axes]
    b_free = [i for i in range(b.ndim) if i not in b_axes]
    g_b_part = tuple(range(len(a_free), np.ndim(g)))
    ga = np.tensordot(g, b, axes=(g_b_part, tuple(b_free)))
    # ga's axes: a's free axes, then a's summed axes in the order of b's summed axes
    order = a_free + [a_axes[b_axes.index(i)] for i in sorted(b_axes)]
    return np.transpose(ga, np.argsort(order)) if order else ga


def tensordot_grad_right(g, a, b, axes=2):
    """Adjoint of `np.tensordot(a, b, axes)` with respect to `b`."""
    a, b_ndim = as_array(a), np.ndim(b)
    a_axes, b_axes = _tensordot_axes(axes, a.ndim, b_ndim)
    a_free = [i for i in range(a.ndim) if i not in a_axes]
    b_free = [i for i in range(b_ndim) if i not in b_axes]
    gb = np.tensordot(a, g, axes=(tuple(a_free), tuple(range(len(a_free)))))
    # gb's axes: b's summed axes in the order of a's summed axes, then b's free axes
    order = [b_axes[a_axes.index(i)] for i in sorted(a_axes)] + b_free
    return np.transpose(gb, np.argsort(order)) if order else gb


def _zeros_for(x):
    """A float zero with the shape of `x` (for a missing, i.e. zero, gradient)."""
    return np.zeros_like(x, dtype=float)


def split_like(g, arrays, axis=0):
    """Adjoint of `np.concatenate(arrays, axis)`: `g` cut into pieces shaped like `arrays`
    (by slicing, which every array type has; Dask has no `np.split`)."""
    flat = axis is None
    if flat:
        g, axis = np.ravel(g), 0
    sizes = [size(a) if flat else np.shape(a)[axis] for a in arrays]
    lead = (slice(None),) * (axis % np.ndim(g))
    ends = np.cumsum(sizes)
    pieces = [g[lead + (slice(int(end) - n, int(end)),)] for end, n in zip(ends, sizes)]
    return [np.reshape(p, np.shape(a)) for p, a in zip(pieces, arrays)] if flat else pieces


def concat_like(gs, arrays, axis=0):
    """`np.concatenate(gs, axis)`, a None in (or for) `gs` being zeros shaped like `arrays`; adjoint of `split_like`."""
    gs = [None] * len(arrays) if gs is None else gs
    parts = [_zeros_for(a) if g is None else g for g, a in zip(gs, arrays)]
    if axis is None:
        parts = [np.ravel(p) for p in parts]
        axis = 0
    return np.concatenate(parts, axis=axis)


def unstack(g, arrays, axis=0):
    """Adjoint of `np.stack(arrays, axis)`: the slices of `g` along `axis`, as a list
    (an array when `arrays` was one array)."""
    if is_array(arrays):
        return np.moveaxis(g, axis, 0)
    return [np.take(g, i, axis=axis) for i in range(len(arrays))]


def stack_like(gs, arrays, axis=0):
    """`np.stack(gs, axis)`, a None in (or for) `gs` being zeros shaped like `arrays`; adjoint of `unstack`."""
    gs = [None] * len(arrays) if gs is None else gs
    return np.stack([_zeros_for(a) if g is None else g for g, a in zip(gs, arrays)], axis=axis)


def _nesting(obj):
    """How many array dimensions a nested list/tuple of scalars and arrays spans."""
    depth = 0
    while isinstance(obj, (list, tuple)) and len(obj):
        depth, obj = depth + 1, obj[0]
    return depth + np.ndim(obj)


def array_grad(g, obj):
    """Adjoint of `np.array(obj)`: `g` split into the nested list/tuple structure of `obj`."""
    if not isinstance(obj, (list, tuple)):
        return np.reshape(g, np.shape(obj)) if np.shape(g) != np.shape(obj) else g
    g = as_array(g)
    while g.ndim > _nesting(obj) and g.shape[0] == 1:  # leading axes added by ndmin
        g = g[0]
    items = [array_grad(g[i], item) for i, item in enumerate(obj)]
    return tuple(items) if type(obj) is tuple else items


def array_like(gs, obj):
    """`np.array(gs)`, a None in the nested `gs` being zeros shaped like that part of `obj`; adjoint of `array_grad`."""
    if gs is None:
        return _zeros_for(obj)
    if not isinstance(obj, (list, tuple)):
        return gs
    return np.array([array_like(g, item) for g, item in zip(gs, obj)])


# ---- helpers for Python's builtins and comprehensions
# Rules in templates/builtins.py. A list's derivative may be shorter than the list,
# aligned at the top (see `last_grad`); None, for it or an entry, is a zero.


def _aligned(gs, n):
    """A list's derivative `gs` as `n` entries, padded with zeros (None) at the bottom."""
    gs = [] if gs is None else list(gs)
    return [None] * (n - len(gs)) + gs


def dict_from(keys, values):
    """A dict comprehension's result from its keys and values in order: a later duplicate key wins."""
    return dict(zip(keys, _aligned(values, len(keys))))


def dict_values_grad(d_dict, keys, values):
    """Adjoint of `dict_from(keys, values)` for the values: each key's adjoint where it won, zeros elsewhere."""
    winner = {k: i for i, k in enumerate(keys)}
    return [grad_item(d_dict, k, v) if winner[k] == i else None for i, (k, v) in enumerate(zip(keys, values))]


def build_dict(args, kwargs):
    """`dict(*args, **kwargs)`: the builtin as a function of its packed arguments, so
    that it has rules (a mapping or a list or tuple of pairs, then keywords)."""
    return dict(*args, **kwargs)


def _dict_origins(args, kwargs):
    """{key of `dict(*args, **kwargs)`: (part, where its value came from)}: ("kwargs",
    key), or ("args", key) from a mapping, ("args", i) from the i-th pair (a later
    pair and a keyword win, as in Python)."""
    origins = {}
    if args:
        (source,) = args
        if isinstance(source, Mapping):
            origins = {k: ("args", k) for k in source}
        elif isinstance(source, (list, tuple)):
            origins = {pair[0]: ("args", i) for i, pair in enumerate(source)}
        else:  # an iterator the call used up: nothing left to send derivatives back to
            raise TypeError(f"s2s differentiates dict(...) of a mapping or a list or tuple of pairs, not of a "
                            f"{type(source).__name__}: pass list(...) of it")
    origins.update((k, ("kwargs", k)) for k in kwargs)
    return origins


def build_dict_grad(d_dict, args, kwargs, part):
    """Adjoint of `build_dict` for `part` ("args" or "kwargs"): each value's derivative
    back where the value came from, zeros where a later one won."""
    won = {origin: key for key, origin in _dict_origins(args, kwargs).items()}

    def derivative(origin):
        key = won.get((part, origin), _ABSENT)
        return None if d_dict is None or key is _ABSENT else d_dict.get(key)

    if part == "kwargs":
        return {k: derivative(k) for k in kwargs}
    if not args:
        return ()
    (source,) = args
    if isinstance(source, Mapping):
        return ({k: derivative(k) for k in source},)
    return (type(source)((None, derivative(i)) for i in range(len(source))),)


def build_dict_part(args, kwargs, d_part, part):
    """Transpose of `build_dict_grad`: a dict of `build_dict(args, kwargs)`'s keys holding
    the derivatives `d_part` of `part` where its values won (None elsewhere)."""
    if part == "args":  # (the source's derivative,): a dict, or a sequence of (None, d value)
        d_part = None if not d_part else d_part[0]
    out = {}
    for key, (origin_part, origin) in _dict_origins(args, kwargs).items():
        d_value = None
        if origin_part == part and d_part is not None:
            d_value = d_part.get(origin) if isinstance(d_part, dict) else d_part[origin]
            if part == "args" and not isinstance(d_part, dict):
                d_value = None if d_value is None else d_value[1]
        out[key] = d_value
    return out


def sum_grad(g, items):
    """Adjoint of `sum(items)` for the items: `g` summed down to each item's shape."""
    if is_array(items):  # summed over its first axis
        return broadcast_like(unbroadcast(g, items[0]) if len(items) else 0.0, items)
    return [None if item is None else unbroadcast(g, item) for item in items]


def sum_like(gs, like):
    """The sum of the derivatives `gs` in the shape of `like`: the tangent of `sum`, transpose of `sum_grad`."""
    total = zeros_like(like)
    for g in [] if gs is None else gs:
        if g is not None:
            total = total + g
    return total


def extremum_weights(items, result):
    """For each item: 1/(number of ties) where it equals the max or min `result`, else 0."""
    hits = [np.shape(item) == np.shape(result) and bool(np.all(item == result)) for item in items]  # rows too
    count = sum(hits)
    weights = [hit / count if count else 0.0 for hit in hits]
    return np.array(weights) if is_array(items) else weights


def scale_each(g, weights):
    """`g` times each weight: the adjoint of choosing among items (see `extremum_weights`)."""
    if is_array(weights):  # the items are an array's rows (or elements)
        return np.reshape(weights, np.shape(weights) + (1,) * np.ndim(g)) * g
    return [g * w for w in weights]


def weighted_sum(gs, weights):
    """The sum of the derivatives `gs` times `weights`: the transpose of `scale_each`."""
    total = 0.0
    for g, w in zip(_aligned(gs, len(weights)), weights):
        if g is not None:
            total = total + g * w
    return total


def sort_order(items, key=None, reverse=False):
    """The positions of `items` in the order `sorted(items, key=key, reverse=reverse)` puts them.

    Both sorts are stable (also in reverse), so equal items keep the same positions.
    """
    items = list(items)
    rank = items.__getitem__ if key is None else (lambda i: key(items[i]))
    return sorted(range(len(items)), key=rank, reverse=reverse)


def permute(gs, order):
    """The derivatives `gs` of a sequence's items, taken in `order`: the tangent of sorting."""
    if isinstance(gs, dict):
        return None  # a dict sorted is its keys, which carry no derivative
    gs = _aligned(gs, len(order))
    return [gs[i] for i in order]


def unpermute(g, order, like):
    """Transpose of `permute`: each entry of `g` back at the position it was taken from, in `like`'s container."""
    if isinstance(like, (dict, KeysView)):
        return None  # a dict sorted is its keys, which carry no derivative
    g = _aligned(g, len(order))
    out = [None] * len(order)
    for position, i in enumerate(order):
        out[i] = g[position]
    if isinstance(like, np.ndarray):
        return np.array([zeros_like(x) if v is None else v for x, v in zip(like, out)], dtype=float).reshape(like.shape)
    return out


# ---- helpers for linear algebra, sorting and einsum
# Rules in templates/linalg.py (and one_if_none's in templates/scipy_special.py). As
# above, each is plain NumPy, linear in its derivative argument, and paired with its
# transpose, so that derivative code calling it can be differentiated again.


def tril_half_diagonal(x):
    """The lower triangle of (each matrix in) `x` with its diagonal halved; its own transpose."""
    return 0.5 * (np.tril(x) + np.tril(x, -1))


def symmetrize_lower(x):
    """The symmetric (Hermitian) matrix that (each matrix in) `x`'s lower triangle stands for.

    `np.linalg.cholesky` and `np.linalg.eigh` read only the lower triangle of their
    argument, so the derivative of their input is `symmetrize_lower(dx)`.
    """
    return np.tril(x, -1) + np.conj(np.swapaxes(np.tril(x, -1), -1, -2)) + _real_diagonal(x)


def fold_to_lower(g):
    """Transpose of `symmetrize_lower`: `g`'s lower triangle plus its upper one reflected
    (conjugated: the matrix is Hermitian), the diagonal real."""
    return np.tril(g, -1) + np.tril(np.conj(np.swapaxes(g, -1, -2)), -1) + _real_diagonal(g)


def _real_diagonal(x):
    """The real part of (each matrix in) `x`'s diagonal, as a matrix: a Hermitian matrix's
    diagonal is real, and cholesky and eigh ignore its imaginary part."""
    return np.real(x) * np.eye(np.shape(x)[-1])


def as_columns(x, b):
    """`x` as a stack of matrices: with a trailing axis of 1 if `b` is a vector (as
    `np.linalg.solve(a, b)` reads a 1-D `b`), else as it is."""
    return np.expand_dims(x, -1) if np.ndim(b) == 1 else x


def from_columns(x, b):
    """Transpose (and inverse) of `as_columns`: the trailing axis dropped again if `b` is a vector."""
    return np.squeeze(x, -1) if np.ndim(b) == 1 else x


def diagonal_grad(g, a, offset=0, axis1=0, axis2=1):
    """Adjoint of `np.diagonal(a, offset, axis1, axis2)`: `g` on that diagonal of zeros shaped like `a`."""
    out = np.zeros(np.shape(a), dtype=np.result_type(g, float))
    matrices = np.moveaxis(out, (axis1, axis2), (-2, -1))  # a view of `out`
    n = np.diagonal(out, offset, axis1, axis2).shape[-1]
    rows = np.arange(n) + max(-offset, 0)
    matrices[..., rows, rows + offset] = g
    return out


def trace_grad(g, a, offset=0, axis1=0, axis2=1):
    """Adjoint of `np.trace(a, offset, axis1, axis2)`: `g` along that diagonal of zeros shaped like `a`."""
    return diagonal_grad(np.expand_dims(g, -1), a, offset, axis1, axis2)


def diag_grad(g, v, k=0):
    """Adjoint of `np.diag(v, k)`: the k-th diagonal of `g` for a vector `v`, else `g` on
    the k-th diagonal of zeros shaped like the matrix `v`."""
    if np.ndim(v) == 1:
        return np.diagonal(g, k).copy()
    return diagonal_grad(g, v, k, 0, 1)


def _sort_order(a, axis):
    """Indices that sort `a` along `axis` (flattened for None), stably."""
    return np.argsort(np.ravel(a) if axis is None else a, axis=-1 if axis is None else axis, kind="stable")


def sort_take(x, a, axis=-1):
    """`x`'s entries in the order that sorting `a` along `axis` puts `a`'s: the tangent of `np.sort`."""
    order = _sort_order(a, axis)
    if axis is None:
        return np.ravel(x)[order]
    return np.take_along_axis(np.asarray(x), order, axis=axis)


def sort_untake(g, a, axis=-1):
    """Transpose of `sort_take`: each entry of `g` back where `np.sort(a, axis)` took it from."""
    order = _sort_order(a, axis)
    out = np.zeros(np.shape(a), dtype=np.result_type(g, float))
    if axis is None:
        flat = np.ravel(out)
        flat[order] = np.ravel(g)
        return np.reshape(flat, np.shape(a))
    np.put_along_axis(out, order, g, axis=axis)
    return out


def _norm_kind(x, ord, axis):
    """'two' for 2-norms (vector 2-norm, Frobenius), 'vector' for other vector norms, 'matrix' else."""
    if ord is None:
        return "two"
    matrix = (axis is None and np.ndim(x) == 2) or (axis is not None and np.ndim(axis) == 1 and len(axis) == 2)
    if matrix:
        return "two" if ord == "fro" else "matrix"
    return "two" if ord == 2 else "vector"


def norm_two_scale(x, ord=None, axis=None):
    """1.0 if `np.linalg.norm(x, ord, axis)` is smooth like a 2-norm (vector 2- and
    p-norms, Frobenius), else 0.0: the piecewise linear norms take their gradient from
    `norm_kink_weights`, the norms by singular values from `norm_singular_weights`."""
    kind = _norm_kind(x, ord, axis)
    if kind == "two" or (kind == "vector" and ord not in (0, 1, np.inf, -np.inf)):
        return 1.0
    return 0.0


def norm_power(x, ord=None, axis=None):
    """p of a smooth p-norm (2 for the 2-norm and Frobenius norm): d|x|_p = x |x|^(p-2) / |x|_p^(p-1)."""
    smooth = _norm_kind(x, ord, axis) == "vector" and norm_two_scale(x, ord, axis) == 1.0
    return float(ord) if smooth else 2.0


def _matrix_axes(x, axis):
    return (-2, -1) if axis is None else tuple(axis)


def norm_kink_weights(x, result, ord=None, axis=None, keepdims=False):
    """d norm / d x for the piecewise linear norms: vector ord 1, inf, -inf, and matrix
    ord 1, -1 (extreme column sums of |x|), inf, -inf (row sums); 0 for the others.
    Ties split the gradient evenly."""
    kind = _norm_kind(x, ord, axis)
    if kind == "matrix" and ord in (1, -1, np.inf, -np.inf):
        rows, columns = _matrix_axes(x, axis)
        summed = rows if ord in (1, -1) else columns  # a column sum runs over the rows
        sums = np.sum(np.abs(x), axis=summed, keepdims=True)
        hits = sums == grad_reduce(result, sums, axis, keepdims)
        return np.sign(x) * hits / np.sum(hits, axis=(rows, columns), keepdims=True)
    if kind != "vector" or norm_two_scale(x, ord, axis) == 1.0 or ord == 0:
        return np.zeros(np.shape(x))
    if ord == 1:
        return np.sign(x)
    hits = np.abs(x) == grad_reduce(result, x, axis, keepdims)
    return np.sign(x) * hits / np.sum(hits, axis=axis, keepdims=True)


def norm_singular_weights(x, ord=None, axis=None):
    """d norm / d x for the matrix norms by singular values: u v^T of the largest (ord 2)
    or smallest (ord -2) singular value, U V^T for the nuclear norm; 0 for the others."""
    if _norm_kind(x, ord, axis) != "matrix" or ord not in (2, -2, "nuc"):
        return np.zeros(np.shape(x))
    axes = _matrix_axes(x, axis)
    m = np.moveaxis(x, axes, (-2, -1))
    u, s, vh = np.linalg.svd(m, full_matrices=False)
    if ord != "nuc":
        k = 0 if ord == 2 else -1
        u, vh = u[..., :, [k]], vh[..., [k], :]
    return np.moveaxis(np.conj(np.matmul(u, vh)), (-2, -1), axes)


def norm_singular_hvp(v, x, ord=None, axis=None):
    """The derivative of `norm_singular_weights` along v: the norm's Hessian times v, which
    is symmetric, so this is the weights' adjoint too; 0 for the other norms. With the
    reduced SVD x = U S V^T and P = U^T v V: for the nuclear norm, the derivative of the
    polar factor U V^T (P's skew part over s_i + s_j, and v's parts outside U's and V's
    ranges); for ord 2 and -2, that of u_k v_k^T from the singular vectors' derivatives.
    Real matrices whose singular values are distinct (and, for these norms, nonzero)."""
    if _norm_kind(x, ord, axis) != "matrix" or ord not in (2, -2, "nuc"):
        return np.zeros(np.shape(x))
    if np.iscomplexobj(x) or np.iscomplexobj(v):
        raise NotImplementedError(f"s2s: no second derivative of np.linalg.norm with ord={ord!r} over complex matrices")
    axes = _matrix_axes(x, axis)
    m, dm = np.moveaxis(x, axes, (-2, -1)), np.moveaxis(v, axes, (-2, -1))
    u, s, vh = np.linalg.svd(m, full_matrices=False)
    vv, dmt = np.swapaxes(vh, -1, -2), np.swapaxes(dm, -1, -2)
    p = np.matmul(np.swapaxes(u, -1, -2), np.matmul(dm, vv))
    outside_u = np.matmul(dm, vv) - np.matmul(u, p)  # (I - U U^T) v V
    outside_v = np.matmul(dmt, u) - np.matmul(vv, np.swapaxes(p, -1, -2))  # (I - V V^T) v^T U
    if ord == "nuc":
        skew = (p - np.swapaxes(p, -1, -2)) / (s[..., :, None] + s[..., None, :])
        d = (np.matmul(u, np.matmul(skew, vh)) + np.matmul(outside_u / s[..., None, :], vh)
             + np.matmul(u, np.swapaxes(outside_v / s[..., None, :], -1, -2)))
    else:
        k = 0 if ord == 2 else np.shape(s)[-1] - 1
        sk = s[..., k:k + 1]
        gaps = sk * sk - s * s
        gaps[..., k] = np.inf  # u_k's own direction does not move
        du = np.matmul(u, ((sk * p[..., :, k] + s * p[..., k, :]) / gaps)[..., :, None]) + outside_u[..., :, k:k + 1] / sk[..., None]
        dv = np.matmul(vv, ((s * p[..., :, k] + sk * p[..., k, :]) / gaps)[..., :, None]) + outside_v[..., :, k:k + 1] / sk[..., None]
        d = np.matmul(du, vh[..., k:k + 1, :]) + np.matmul(u[..., :, k:k + 1], np.swapaxes(dv, -1, -2))
    return np.moveaxis(d, (-2, -1), axes)


# einsum: for subscripts s with operands x1..xn and output slot x0, the scalar
# T = <x0, einsum(s, x1, ..., xn)> is linear in every slot; einsum_partial{j} is its
# derivative with respect to slot j (which does not depend on x_j's values, only its
# shape). einsum itself is einsum_partial0; the adjoint of operand k is einsum_partial{k}
# with the output gradient in slot 0; and every partial's derivatives are partials again.

_EINSUM_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_EINSUM_LABELS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"  # sublist labels 0..51


def einsum_has_subscripts(first):
    """Whether an einsum whose first argument is `first` is the subscripts form."""
    return isinstance(first, str)


def einsum_sublist_subscripts(first, sublists, output=None):
    """The subscripts of np.einsum's sublist form: `first` is the first operand, and
    `([0, 1], [1, 2]), [0, 2]` becomes "AB,BC->AC". Labels 0-25 are A-Z and 26-51 a-z,
    NumPy's own mapping, so an implicit output (its letters sorted) keeps NumPy's order."""
    if isinstance(first, str):
        raise TypeError("s2s: np.einsum's subscripts passed in as a value, with more than four operands: "
                        "write them as a literal string to differentiate the call")

    def letters(sublist):
        spelled = []
        for label in sublist:
            if label is Ellipsis:
                spelled.append("...")
                continue
            label = operator.index(label)
            if not 0 <= label < 52:
                raise ValueError(f"einsum: subscript {label} is not within the valid range [0, 52)")
            spelled.append(_EINSUM_LABELS[label])
        return "".join(spelled)

    inputs = ",".join(letters(s) for s in sublists)
    return inputs if output is None else inputs + "->" + letters(output)


def _einsum_specs(subscripts, shapes):
    """The subscripts of the output and of each operand, '...' spelled out in letters."""
    subscripts = subscripts.replace(" ", "")
    inputs, arrow, output = subscripts.partition("->")
    inputs = inputs.split(",")
    if len(inputs) != len(shapes):
        raise ValueError(f"einsum subscripts {subscripts!r} name {len(inputs)} operands, but {len(shapes)} were given")
    fresh = [c for c in _EINSUM_LETTERS if c not in subscripts]
    n_ellipsis = max([len(shape) - len(s) + 3 for s, shape in zip(inputs, shapes) if "..." in s] or [0])
    ellipsis = "".join(fresh[:n_ellipsis])
    specs = []
    for s, shape in zip(inputs, shapes):
        if "..." in s:
            s = s.replace("...", ellipsis[n_ellipsis - (len(shape) - len(s) + 3):])
        specs.append(s)
    if not arrow:  # implicit output: the letters used once, in order, after the ellipsis
        letters = "".join(specs)
        output = ellipsis + "".join(sorted(c for c in set(letters) if letters.count(c) == 1 and c not in ellipsis))
    return [output.replace("...", ellipsis)] + specs


def _einsum_partial(j, subscripts, slots):
    if not isinstance(subscripts, str):  # the sublist form, left as written (passes/spellings.py)
        raise TypeError(
            "s2s: np.einsum's sublist form is differentiated with literal sublists, or with sublists passed in "
            "as values when the first operand is a name and no argument calls anything; write the call so"
        )
    slots = list(slots)
    while slots[-1] is None:  # operands not passed
        slots.pop()
    specs = _einsum_specs(subscripts, [np.shape(x) for x in slots[1:]])
    target, shape = specs[j], np.shape(slots[j])
    sizes = dict(zip(target, shape))
    unique = "".join(dict.fromkeys(target))
    others = [(s, as_array(x)) for i, (s, x) in enumerate(zip(specs, slots)) if i != j]
    present = set("".join(s for s, _ in others))
    kept = "".join(c for c in unique if c in present)
    y = np.einsum(",".join(s for s, _ in others) + "->" + kept, *[x for _, x in others], optimize=len(others) > 2)
    # a broadcast (size 1) axis of the target sums the gradient over it
    wide = tuple(i for i, c in enumerate(kept) if sizes[c] == 1 and y.shape[i] != 1)
    y = np.sum(y, axis=wide, keepdims=True) if wide else y
    # letters only the target has: the derivative is constant along them
    y = np.reshape(y, tuple(y.shape[kept.index(c)] if c in kept else 1 for c in unique))
    if unique == target:
        out = np.broadcast_to(y, shape).copy() if y.shape != shape else y
    else:  # repeated letters: y goes on a diagonal of zeros
        out = np.zeros(shape, dtype=np.result_type(y, float))
        view = np.einsum(target + "->" + unique, out)
        if not np.shares_memory(view, out):
            raise RuntimeError("s2s: np.einsum returned no view of the diagonal it needs to write")
        view[...] = y
    return out[()] if out.ndim == 0 else out


def einsum_partial0(subscripts, x0, x1, x2=None, x3=None, x4=None):
    """`np.einsum(subscripts, x1, ...)`, in the shape of `x0` (see the note above)."""
    return _einsum_partial(0, subscripts, (x0, x1, x2, x3, x4))


def einsum_partial1(subscripts, x0, x1, x2=None, x3=None, x4=None):
    """The adjoint of einsum's first operand, for the output gradient `x0`."""
    return _einsum_partial(1, subscripts, (x0, x1, x2, x3, x4))


def einsum_partial2(subscripts, x0, x1, x2=None, x3=None, x4=None):
    """The adjoint of einsum's second operand, for the output gradient `x0`."""
    return _einsum_partial(2, subscripts, (x0, x1, x2, x3, x4))


def einsum_partial3(subscripts, x0, x1, x2=None, x3=None, x4=None):
    """The adjoint of einsum's third operand, for the output gradient `x0`."""
    return _einsum_partial(3, subscripts, (x0, x1, x2, x3, x4))


def einsum_partial4(subscripts, x0, x1, x2=None, x3=None, x4=None):
    """The adjoint of einsum's fourth operand, for the output gradient `x0`."""
    return _einsum_partial(4, subscripts, (x0, x1, x2, x3, x4))


def one_if_none(b):
    """`b`, or 1.0 for None (an optional weight, such as logsumexp's `b`)."""
    return 1.0 if b is None else b


# -- calls of function values (see s2s/function_values.py for their derivatives)


VALUE_CALL_CHECKS = []  # run before each call through a function value (s2s/function_values.py adds one)


def call_value(function, args, kwargs):
    """`function(*args, **kwargs)` for a function known only when the call runs."""
    for check in VALUE_CALL_CHECKS:
        check(function, args, kwargs)
    return function(*args, **kwargs)


def call_updating(function, updated, *args, **kwargs):
    """`function(*args, **kwargs)`, which updates the parameters named in `updated` in
    place, run on private copies of those: (its result, *the copies as it left them).
    The caller binds its names to the copies, where Python's call updates its objects."""
    bound = inspect.signature(function).bind(*args, **kwargs)
    for parameter in updated:
        bound.arguments[parameter] = private_copy(bound.arguments[parameter])
    result = function(*bound.args, **bound.kwargs)
    return (result, *(bound.arguments[parameter] for parameter in updated))


def make_partial(function, args, kwargs):
    """`functools.partial(function, *args, **kwargs)`; also what a nested function used
    as a value becomes: its lifted code with the values it captures bound first."""
    return functools.partial(function, *args, **kwargs)


def is_container_type(cls):
    """A class whose instances are containers that hold its arguments: registered by the
    user, a dataclass, a NamedTuple (`list(...)` and `dict(...)` have rules of their own)."""
    return isinstance(cls, type) and cls not in (list, dict, functools.partial) and (
        cls in _CONTAINERS or dataclasses.is_dataclass(cls) or (issubclass(cls, tuple) and hasattr(cls, "_fields"))
    )


def make_container(cls, args, kwargs):
    """`cls(*args, **kwargs)` for a container type: its derivative is that of the
    arguments it holds (see `held_arguments`)."""
    return cls(*args, **kwargs)


def held_arguments(container, args, kwargs):
    """(children, aux, positions): for each child of `container`, the position of the
    argument (of args, then kwargs' values) it is, or None for a constant it made."""
    children, aux = container_functions(container)[0](container)
    passed = list(args) + list(kwargs.values())
    positions = []
    for child in children:
        same = [i for i, a in enumerate(passed) if a is child]
        position = next((i for i in same if i not in positions), same[0] if same else None)
        if position is None and not (child is None or isinstance(child, (bool, int, str))):
            raise TypeError(f"s2s: {type(container).__name__}(...) holds a value it computed from its arguments, "
                            "whose derivative s2s does not know: build it from the values it holds")
        positions.append(position)
    return children, aux, positions


def container_grad(d_container, container, args, kwargs, part):
    """Adjoint of `make_container`: the derivatives of its arguments (`part` "args") or
    keywords ("kwargs"), each the sum of those of the children it is (None is zero)."""
    children, _, positions = held_arguments(container, args, kwargs)
    d_children = [None] * len(children) if d_container is None else container_functions(d_container)[0](d_container)[0]
    passed = list(args) + list(kwargs.values())
    grads = [None] * len(passed)
    for position, g in zip(positions, d_children):
        if position is not None:
            grads[position] = add_grad(grads[position], g)
    grads = [zeros_like(a) if g is None else g for a, g in zip(passed, grads)]
    return tuple(grads[:len(args)]) if part == "args" else dict(zip(kwargs, grads[len(args):]))


def container_tangent(container, args, kwargs, d_args, d_kwargs):
    """Tangent of `make_container`: a container of the tangents of what it holds."""
    children, aux, positions = held_arguments(container, args, kwargs)
    tangents = list(filled_tangent(d_args, args)) + list(filled_tangent(d_kwargs, kwargs).values())
    held = [tangent_zeros(c) if p is None else tangents[p] for c, p in zip(children, positions)]
    return container_functions(container)[1](aux, held)


def container_cotangent(d_part, container, args, kwargs, part):
    """Adjoint of `container_grad` (linear in the container's derivative): the container
    of what the derivatives `d_part` of its arguments or keywords give its children."""
    if part == "args":
        return container_tangent(container, args, kwargs, d_part, None)
    return container_tangent(container, args, kwargs, None, d_part)


def partial_grad(d_partial, args, kwargs, part):
    """The derivatives of the bound arguments (`part` "args") or keywords ("kwargs") in
    the derivative of a partial, which is a partial of derivatives (None is zero)."""
    if part == "args":
        bound = d_partial.args if d_partial is not None else (None,) * len(args)
        return tuple(zeros_like(a) if g is None else g for a, g in zip(args, bound))
    bound = d_partial.keywords if d_partial is not None else {}
    return {k: zeros_like(v) if bound.get(k) is None else bound[k] for k, v in kwargs.items()}


def _derivatives_only(*args, **kwargs):
    """The function of a partial of derivatives built from its bound arguments alone
    (partial_cotangent): only its arguments are read, it is never called."""
    raise TypeError("s2s: a partial of derivatives is not a function to call")


def partial_cotangent(d_part, args, kwargs, part):
    """Adjoint of `partial_grad`: a partial whose bound arguments (`part` "args") or
    keywords ("kwargs") are `d_part`, the others zero."""
    d_args = filled_tangent(d_part if part == "args" else None, args)
    d_kwargs = filled_tangent(d_part if part == "kwargs" else None, kwargs)
    return functools.partial(_derivatives_only, *d_args, **d_kwargs)


def unpack_args(items, starred):
    """The arguments of `f(a, *b)`: `items` (a, b), `starred` (False, True) -> (a, *b)."""
    out = []
    for item, is_starred in zip(items, starred):
        if is_starred:
            out.extend(item)
        else:
            out.append(item)
    return tuple(out)


def unpack_args_grad(d_args, items, starred):
    """Adjoint of `unpack_args`: each item's derivative, a starred one in its own type."""
    position, out = 0, []
    for item, is_starred in zip(items, starred):
        if is_starred:
            n = len(item)
            out.append(pack_like(item, None if d_args is None else list(d_args[position:position + n])))
            position += n
        else:
            out.append(zeros_like(item) if d_args is None or d_args[position] is None else d_args[position])
            position += 1
    return tuple(out)


def transposed(rows):
    """`list(zip(*rows))`: the columns of a sequence of sequences, as tuples."""
    return [tuple(column) for column in zip(*rows)]


def transposed_grad(d_columns, rows):
    """Adjoint of `transposed`: the columns' derivatives, back in the rows' types."""
    n = min((len(r) for r in rows), default=0)
    columns = [None] * n if d_columns is None else d_columns
    out = []
    for i, row in enumerate(rows):
        items = [None if column is None else column[i] for column in columns] + [None] * (len(row) - n)
        out.append(pack_like(row, items))
    return pack_like(rows, out)


def filled_tangent(d, like):
    """A tangent with its None (zero) parts made real zeros shaped like `like`'s."""
    if d is None:
        return tangent_zeros(like)
    if container_functions(like) is not None:
        return map_structure(filled_tangent, d, like)
    return d


def partial_tangent(function, args, kwargs, d_args, d_kwargs):
    """Tangent of `make_partial`: a partial of the bound arguments' tangents."""
    return make_partial(function, filled_tangent(d_args, args), filled_tangent(d_kwargs, kwargs))
# ---- operations that only move, copy or drop elements (tile, roll, split, pad, ...)
# Rules in templates/arrays.py. Applied to labels 1, 2, ... in place of the moved
# arguments, such an operation shows where each element goes (0: an element that came
# from none of them, such as pad's zeros); the adjoint sums the gradient by label.


def _positions(which):
    return (which,) if isinstance(which, (int, str)) else tuple(which)


def _apply_moved(op, args, kwargs, which, values):
    """`op(*args, **kwargs)` with `values` in place of the arguments at `which`."""
    args, kwargs = list(args), dict(kwargs)
    for position, value in zip(_positions(which), values):
        if isinstance(position, str):
            kwargs[position] = value
        else:
            args[position] = value
    return op(*args, **_given(kwargs))


def _given(kwargs):
    """The keyword arguments a call passed: None stands for one it did not pass (np.pad
    takes constant_values in its constant mode only)."""
    return {k: v for k, v in kwargs.items() if v is not None}


def _moved(args, kwargs, which):
    return [kwargs[p] if isinstance(p, str) else args[p] for p in _positions(which)]


def _labelled(x, start):
    """`x` with its elements replaced by labels start, start + 1, ...; and the next label."""
    if isinstance(x, (slice, str, type(None))):  # np.r_'s ranges and directives
        return x, start
    if isinstance(x, (list, tuple)):
        out = []
        for item in x:
            item, start = _labelled(item, start)
            out.append(item)
        return type(x)(out), start
    n = int(np.size(x))
    return np.arange(start, start + n).reshape(np.shape(x)), start + n


def _flat(x, like=None):
    """The elements of a nested list/tuple of arrays, in order (None: zeros shaped like `like`)."""
    if isinstance(like if like is not None else x, (list, tuple)):
        items = like if like is not None else x
        gs = [None] * len(items) if x is None else x
        return np.concatenate([np.zeros(0)] + [_flat(g, item) for g, item in zip(gs, items)])
    return np.zeros(np.size(like)) if x is None else np.ravel(x)


def _unflat(values, like, start):
    """Values shaped like `like` from `values[start:]`; and the next position."""
    if isinstance(like, (list, tuple)):
        out = []
        for item in like:
            item, start = _unflat(values, item, start)
            out.append(item)
        return type(like)(out), start
    if isinstance(like, (slice, str, type(None))):
        return None, start
    n = int(np.size(like))
    part = values[start:start + n]
    return (part.reshape(np.shape(like)) if isinstance(like, np.ndarray) else part[0]), start + n


_NOT_MOVES = ("maximum", "mean", "median", "minimum", "linear_ramp")


def _where_moved(op, which, args, kwargs, start):
    """`op` applied to labels start, start + 1, ... in place of the moved arguments; and the next label."""
    labels = []
    for x in _moved(args, kwargs, which):
        label, start = _labelled(x, start)
        labels.append(label)
    return _flat(_apply_moved(op, args, kwargs, which, labels)), start


def gather_grad(g, op, which, args, kwargs):
    """Adjoint of `op(*args, **kwargs)`, an operation that only moves, copies or drops
    the elements of its arguments at positions `which` (an index or keyword, or a tuple
    of them): each element gets the sum of `g` wherever `op` put it. `op` runs on two
    sets of labels: an element that is the same in both is a constant `op` made (pad's
    zeros, np.r_'s ranges), not a moved one."""
    if kwargs.get("mode") in _NOT_MOVES or callable(kwargs.get("mode")):
        raise TypeError(f"s2s: no derivative rule for np.pad with mode={kwargs['mode']!r}")
    first, end = _where_moved(op, which, args, kwargs, 1)
    second, _ = _where_moved(op, which, args, kwargs, end)
    ids = np.where(second - first == end - 1, first, 0).astype(np.intp)
    flat_g = _flat(g, op(*args, **_given(kwargs)))
    sums = np.bincount(ids, np.real(flat_g), minlength=end)
    if np.iscomplexobj(flat_g):
        sums = sums + 1j * np.bincount(ids, np.imag(flat_g), minlength=end)
    grads, position = [], 1
    for x in _moved(args, kwargs, which):
        grad, position = _unflat(sums, x, position)
        grads.append(grad)
    return grads[0] if isinstance(which, (int, str)) else tuple(grads)


def _filled(t, x):
    """The tangent `t` of `x`, a None in it (or for it) made zeros shaped like that part of `x`."""
    if isinstance(x, (slice, str, type(None))):
        return x
    if isinstance(x, (list, tuple)):
        ts = [None] * len(x) if t is None else t
        return type(x)(_filled(ti, xi) for ti, xi in zip(ts, x))
    return np.zeros(np.shape(x)) if t is None else t


def _difference(a, b):
    if isinstance(a, (list, tuple)):
        return type(a)(_difference(p, q) for p, q in zip(a, b))
    return a - b


def move_like(op, which, tangents, args, kwargs):
    """`op` applied to `tangents` in place of its arguments at `which` (None: zeros),
    less the constants `op` makes (np.r_'s ranges): the transpose of `gather_grad`."""
    single = isinstance(which, (int, str))
    tangents = [None] * len(_positions(which)) if tangents is None else (tangents,) if single else tangents
    moved = _moved(args, kwargs, which)
    filled = [_filled(t, x) for t, x in zip(tangents, moved)]
    zeros = [_filled(None, x) for x in moved]
    return _difference(_apply_moved(op, args, kwargs, which, filled), _apply_moved(op, args, kwargs, which, zeros))


def match_complex(x, g):
    """`g`, or its real part where `x` is real: the gradient of a real argument is real."""
    return g if np.iscomplexobj(x) else np.real(g)


def diff_grad(g, n=1, axis=-1):
    """Adjoint of `np.diff(a, n, axis)`: the transposed difference, n times."""
    for _ in range(n):
        g = -np.diff(g, axis=axis, prepend=0.0, append=0.0)
    return g


def kron_shapes(a, b):
    """(a's shape, b's shape, both padded to one length, and the result's shape with
    their axes interleaved): np.kron's result, reshaped to that, has a and b's axes apart."""
    n = max(np.ndim(a), np.ndim(b))
    sa = (1,) * (n - np.ndim(a)) + np.shape(a)
    sb = (1,) * (n - np.ndim(b)) + np.shape(b)
    return sa, sb, tuple(x for pair in zip(sa, sb) for x in pair)


def kron_subscripts(a, b, which):
    """einsum subscripts taking np.kron's interleaved gradient to the gradient of a (which=0) or b."""
    n = max(np.ndim(a), np.ndim(b))
    letters = _EINSUM_LETTERS[:2 * n]
    own, other = letters[which::2], letters[1 - which::2]
    return f"{letters},{other}->{own}"


def inner_axes(a, b):
    """The tensordot axes of `np.inner(a, b)`: the last axes, or none where one is a
    scalar (inner then multiplies)."""
    return ([-1], [-1]) if np.ndim(a) and np.ndim(b) else ([], [])


def cross_grad_a(g, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Adjoint of `np.cross(a, b, axisa, axisb, axisc, axis)` with respect to `a` (used
    for its shape): <cross(a, b), g> = <a, cross(b, g)>."""
    return _cross_grad(g, a, b, 0, axisa, axisb, axisc, axis)


def cross_grad_b(g, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Adjoint of `np.cross(a, b, ...)` with respect to `b` (used for its shape):
    <cross(a, b), g> = <b, cross(g, a)>."""
    return _cross_grad(g, a, b, 1, axisa, axisb, axisc, axis)


def _cross_grad(g, a, b, which, axisa, axisb, axisc, axis):
    # 2-vectors are 3-vectors in the plane z = 0; when both are, np.cross gives only the
    # z component, without a vector axis
    if axis is not None:
        axisa = axisb = axisc = axis
    va, vb = np.moveaxis(as_array(a), axisa, -1), np.moveaxis(as_array(b), axisb, -1)
    if va.shape[-1] == vb.shape[-1] == 2:
        gv = np.stack([np.zeros_like(g), np.zeros_like(g), g], axis=-1)
    else:
        gv = np.moveaxis(as_array(g), axisc, -1)
    va3, vb3 = (v if v.shape[-1] == 3 else np.concatenate([v, np.zeros_like(v[..., :1])], -1) for v in (va, vb))
    like, v, axis_of_like = (a, va, axisa) if which == 0 else (b, vb, axisb)
    grad = np.cross(vb3, gv) if which == 0 else np.cross(gv, va3)
    ndim = np.ndim(like)
    return unbroadcast(np.moveaxis(grad[..., :v.shape[-1]], -1, axis_of_like % ndim - ndim), like)


# ---- the discrete Fourier transform (rules in templates/fft.py)


def fit_like(y, like):
    """`y` cut or padded with zeros to the shape of `like`, axis by axis: the transpose of
    the cutting or padding the fft functions do for `n` and `s`."""
    for axis, n in enumerate(np.shape(like)):
        y = _fit_axis(y, n, axis)
    return y


def _fit_axis(y, n, axis):
    axis = axis % np.ndim(y)
    m = np.shape(y)[axis]
    if m >= n:
        return y[(slice(None),) * axis + (slice(0, n),)]
    return np.pad(y, [(0, n - m if i == axis else 0) for i in range(np.ndim(y))])


def fft_axes(a, s=None, axes=None):
    """The axes an n-dimensional fft transforms (its `axes`, or the last len(s), or all)."""
    if axes is not None:
        return tuple(axes)
    return tuple(range(np.ndim(a) - (np.ndim(a) if s is None else len(s)), np.ndim(a)))


def rfft_grad(g, a, n=None, axis=-1, norm=None):
    """Adjoint of `np.fft.rfft(a, n, axis, norm)` (a real): the half spectrum padded to
    n points, transformed, cut to a's length along axis, and its real part."""
    n = np.shape(a)[axis] if n is None else n
    return np.real(_fit_axis(np.fft.fft(_fit_axis(g, n, axis), None, axis, norm), np.shape(a)[axis], axis))


def irfft_grad(g, a, n=None, axis=-1, norm=None):
    """Adjoint of `np.fft.irfft(a, n, axis, norm)`: the inverse transform's first points,
    doubled where irfft counts a coefficient twice (all but the zero and Nyquist ones)."""
    m = np.shape(a)[axis]
    n = 2 * (m - 1) if n is None else n
    twice = np.full(n // 2 + 1, 2.0)
    twice[0] = 1.0
    if n % 2 == 0:
        twice[-1] = 1.0
    twice = np.reshape(twice, (-1,) + (1,) * (np.ndim(g) - 1 - axis % np.ndim(g)))
    half = _fit_axis(np.fft.ifft(g, None, axis, norm), n // 2 + 1, axis) * twice
    return match_complex(a, _fit_axis(half, m, axis))


def rfftn_grad(g, a, s=None, axes=None, norm=None):
    """Adjoint of `np.fft.rfftn`: rfft along the last axis, fft along the others, transposed."""
    axes = fft_axes(a, s, axes)
    n = None if s is None else s[-1]
    return fit_like(rfft_grad(np.fft.fftn(g, None, axes[:-1], norm), a, n, axes[-1], norm), a)


def irfftn_grad(g, a, s=None, axes=None, norm=None):
    """Adjoint of `np.fft.irfftn`: ifft along all axes but the last, then irfft, transposed."""
    axes = fft_axes(a, s, axes)
    n = None if s is None else s[-1]
    return match_complex(a, fit_like(np.fft.ifftn(irfft_grad(g, a, n, axes[-1], norm), None, axes[:-1], norm), a))


# ---- singular values and vectors (rules in templates/linalg.py)


def reduced_svd_only(a, full_matrices):
    """1.0 where the singular vectors are determined: a reduced SVD, or a square matrix."""
    if full_matrices and np.shape(a)[-1] != np.shape(a)[-2]:
        raise NotImplementedError(
            "s2s: np.linalg.svd with full_matrices=True of a non-square matrix has no derivative "
            "(the extra singular vectors are arbitrary); pass full_matrices=False"
        )
    return 1.0


def no_derivative(g, x, function, argument):
    """What a rule assigns for an argument `x` it has no derivative for (an order, a
    count, a float `ddof`): raises if `x` holds floats, so that differentiating with
    respect to it is never a silent zero. Integers, booleans (where's condition),
    strings and indices have no nearby values: their derivative is zero, exactly (they
    carry one only riding on a differentiated tape, at second order)."""
    if _holds_floats(x):
        raise TypeError(f"s2s: {function} has no derivative rule with respect to its argument {argument}")
    return zeros_like(x) if is_array(x) else 0.0


def _holds_floats(x):
    if isinstance(x, functools.partial):  # a function value with the values it captures
        return _holds_floats(x.args) or _holds_floats(x.keywords)
    if isinstance(x, (list, tuple)):
        return any(_holds_floats(item) for item in x)
    if isinstance(x, dict):
        return any(_holds_floats(item) for item in x.values())
    kind = getattr(getattr(x, "dtype", None), "kind", None)
    if kind == "O":
        return any(_holds_floats(item) for item in np.ravel(x))
    return kind in ("f", "c") or isinstance(x, (float, complex))


def uplo_transpose(x, UPLO="L"):
    """`x`, transposed when a symmetric matrix is read from its upper triangle (UPLO='U'),
    so that rules for the lower triangle serve both."""
    return np.conj(np.swapaxes(x, -1, -2)) if UPLO in ("U", "u") else x


# ---- scipy.signal.convolve and banded matrices (rules in templates/scipy_linalg.py)


def _convolve_window(in1, in2, mode):
    """Where convolve's output (for `mode`) sits in the full convolution: its slices."""
    s1, s2 = np.shape(in1), np.shape(in2)
    if mode == "full":
        return tuple(slice(0, a + b - 1) for a, b in zip(s1, s2))
    if mode == "same":
        return tuple(slice((b - 1) // 2, (b - 1) // 2 + a) for a, b in zip(s1, s2))
    return tuple(slice(min(a, b) - 1, max(a, b)) for a, b in zip(s1, s2))


def convolve_embed(g, in1, in2, mode="full"):
    """The gradient of convolve's output placed in the full convolution (zeros elsewhere)."""
    full = np.zeros(tuple(a + b - 1 for a, b in zip(np.shape(in1), np.shape(in2))), dtype=np.result_type(g, float))
    full[_convolve_window(in1, in2, mode)] = g
    return full


def convolve_crop(x, in1, in2, mode="full"):
    """The transpose of `convolve_embed`: the window of the full convolution `mode` keeps."""
    return x[_convolve_window(in1, in2, mode)]


def from_band(l_and_u, ab):
    """The square matrix whose diagonal ordered form (scipy.linalg.solve_banded) is `ab`
    (it only moves elements: its rules are gather_grad and move_like)."""
    lower, upper = l_and_u
    n = np.shape(ab)[-1]
    rows, cols = np.indices((n, n))
    inside = (cols - rows <= upper) & (rows - cols <= lower)
    return np.where(inside, ab[np.clip(upper + rows - cols, 0, lower + upper), cols], 0.0)


def eig_vectors_tangent(dv, v):
    """`dv` less its part along each eigenvector's own real direction, which would change
    its length (np.linalg.eig returns unit vectors); a projection, so its own transpose."""
    return dv - v * np.expand_dims(np.real(np.sum(np.conj(v) * dv, axis=-2)), -2)


def inverse_gaps(w):
    """F[..., i, j] = 1 / (w_j - w_i) where the values differ, else 0: the coupling of
    eigen- and singular vectors through their values (eigh, eig, svd)."""
    gap = np.expand_dims(w, -2) - np.expand_dims(w, -1)
    return (gap != 0.0) / (gap + (gap == 0.0))


def gradient_grad(g, f, varargs=(), axis=None, edge_order=1):
    """Adjoint of `np.gradient(f, *varargs, axis=axis, edge_order=edge_order)`: along each
    axis the difference operator is a matrix D (np.gradient of the identity), and the
    adjoint sums D^T applied to that axis's gradient (None: no gradient)."""
    axes = tuple(range(np.ndim(f))) if axis is None else (axis,) if np.ndim(axis) == 0 else tuple(axis)
    gs = list(g) if isinstance(g, (list, tuple)) else [g]
    spacings = list(varargs) * len(axes) if len(varargs) == 1 else list(varargs) or [1.0] * len(axes)
    out = np.zeros(np.shape(f), dtype=np.result_type(f, float))
    for a, ga, h in zip(axes, gs, spacings):
        if ga is not None:
            n = np.shape(f)[a]
            d = np.gradient(np.eye(n), h, axis=0, edge_order=edge_order)
            out = out + np.moveaxis(np.tensordot(d, np.moveaxis(ga, a, 0), axes=([0], [0])), 0, a)
    return out
