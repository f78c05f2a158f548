"""Functions as values, methods and objects, packed arguments: each derivative checked
against central differences in reverse and in forward mode."""
import dataclasses
import functools
import importlib.util
import textwrap
import typing

import numpy as np
import pytest
import scipy.special
from conftest import numeric_grad

import s2s

# --------------------------------------------------------------------------- the programs


def leapfrog(q, p, data):  # Hamiltonian Monte Carlo, the derivative of a nested potential
    def potential(z):
        return 0.5 * np.sum((z - data) ** 2) + np.sum(np.cos(z))

    dU = s2s.grad(potential)
    p = p - 0.05 * dU(q)
    q = q + 0.1 * p
    p = p - 0.05 * dU(q)
    return np.sum(q**2) + np.sum(p**3)


def make_activation(kind):
    if kind == "softplus":
        return lambda t: np.log1p(np.exp(t))
    return np.tanh


def returned_functions(x):
    act = make_activation("softplus")
    act2 = make_activation("tanh")
    return np.sum(act(x) + act2(x))


def make_power(n):
    return lambda t: t**n


def closures_made_anew(x):
    # each call makes new closure objects; their captured powers tell them apart
    return np.sum(make_power(2.0)(x) + make_power(3.0)(x))


def functions_in_a_list(x):
    total = 0.0
    for op in [np.sin, np.cos, lambda t: t**3]:
        total = total + np.sum(op(x))
    return total


def functions_in_a_dict(x):
    fns = {"a": np.sin, "b": np.exp}
    total = 0.0
    for k in fns:
        total = total + np.sum(fns[k](x))
    return total


def apply_twice(f, v):
    return f(f(v))


def apply(f, v):
    return f(v)


def functions_passed_to_helpers(w):
    return np.sum(apply_twice(np.sin, w)) + np.sum(apply(lambda u: u * u, w))


def lambda_capturing_a_varied_value(w):
    scale = w[0] * 2.0
    return np.sum(apply(lambda u: u * scale, w))


def make_scaler(s):
    return lambda t: t * s


def closure_over_a_varied_value(w):
    f = make_scaler(w[1])
    return np.sum(f(w) ** 2)


def keywords_to_a_function_value(x):
    f = apply
    return np.sum(f(v=x, f=np.sin))


def scaled(scale, v):
    return scale * np.sin(v)


def uses_partial(x):
    g = functools.partial(scaled, 3.0)
    return np.sum(g(x))


def loss_one(p, d):
    return np.sum((p * d) ** 2)


def sum_of_map_of_partial(p):
    data = [np.ones(3), 2 * np.ones(3), np.arange(3.0)]
    return sum(map(functools.partial(loss_one, p), data))


def map_of_a_lambda(p):
    data = [np.ones(3), np.arange(3.0)]
    return sum(map(lambda d: loss_one(p, d), data))


def logged(f):
    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        return f(*args, **kwargs)

    return wrapper


@logged
def decorated(x):
    return np.sum(np.sin(x) * x)


def calls_decorated(x):
    return decorated(x) * 2.0


def inner3(a, b, c):
    return a * b + c


def forwards(*args):
    return inner3(*args)


def forwards_star_args(x):
    return np.sum(forwards(x, x, 1.0))


def forwards_kwargs(x):
    options = {"c": x, "b": 2.0}
    return np.sum(inner3(x, **options))


def generator_expressions(x):
    parts = list(np.sin(x[i]) for i in range(3))
    t = tuple(x[i] ** 2 for i in range(3))
    total = np.sum(np.stack(list(v * 2 for v in parts))) + t[0] * t[1]
    for v in (np.cos(x[i]) for i in range(3)):
        total = total + v * v
    return total


def iterate_rows(A):
    total = 0.0
    for row in A:
        total = total + np.sum(row**2)
    return total + np.sum([i * 3 for i in A[0]])


def zip_of_computed_arrays(x):
    total = 0.0
    for u, v in zip(np.sin(x), np.cos(x)):
        total = total + u * v
    return total


def nn(params, x, nonlinearity=np.tanh):
    return nonlinearity(x * params)


def function_valued_default(params):
    return np.sum(nn(params, np.ones(3))) + np.sum(nn(params, np.ones(3), np.sin))


def unpack(params):
    return [params[0], params[1]], [params[2] * params[0], params[1] ** 2]


def zip_of_unpacked(params):
    total = 0.0
    for a, b in zip(*unpack(params)):
        total = total + a * b
    return total


def squares(x):
    yield x * x
    yield from [x, 2 * x]
    return


def unpack_layers(params):
    for i in range(2):
        yield params[2 * i], params[2 * i + 1]


def generator_functions(x):
    params = [x, x * 2.0, np.sin(x), x[::-1]]
    total = sum(squares(x[0])) * x[1]
    for W, b in unpack_layers(params):
        total = total + np.sum(np.tanh(W * b))
    return total


def sample_diag_gaussian(mean, log_std):
    return mean + np.exp(log_std) * 0.5


def alias_two_scopes_up(params):
    sample = sample_diag_gaussian

    def middle(x):
        def inner(y):
            return np.sum(sample(y, y))

        return inner(x)

    return middle(params)


def keyword_dict(x):
    d = dict(a=x[0], b=x[1] * x[2])
    return d["a"] * d["b"]


def sorted_by_a_lambda(x):
    return sorted([x, 2 * x], key=lambda v: -v)[0]


VECTOR_CASES = [
    returned_functions, closures_made_anew, functions_in_a_list, functions_in_a_dict, functions_passed_to_helpers,
    lambda_capturing_a_varied_value, closure_over_a_varied_value, keywords_to_a_function_value,
    uses_partial, sum_of_map_of_partial, map_of_a_lambda, decorated, calls_decorated,
    forwards_star_args, forwards_kwargs, generator_expressions, zip_of_computed_arrays,
    function_valued_default, zip_of_unpacked, keyword_dict, generator_functions,
    alias_two_scopes_up,
]

X = np.array([0.3, -0.4, 0.5])


@pytest.mark.parametrize("f", VECTOR_CASES, ids=lambda f: f.__name__)
def test_reverse_and_forward_mode(f):
    expected = numeric_grad(f, [X])
    assert np.allclose(s2s.grad(f)(X), expected, atol=1e-6)
    assert np.allclose(s2s.grad(f)(X), expected, atol=1e-6)  # again: from the caches
    value, tangent = s2s.jvp(f)(X, np.array([1.0, -2.0, 0.5]))
    assert np.isclose(value, f(X))
    assert np.isclose(tangent, expected @ np.array([1.0, -2.0, 0.5]), atol=1e-6)


def test_leapfrog_differentiates_through_the_gradient_of_a_nested_potential():
    p, data = np.array([0.1, 0.2, -0.3]), np.array([1.0, 0.5, 0.0])
    expected = numeric_grad(leapfrog, [X, p, data])
    assert np.allclose(s2s.grad(leapfrog)(X, p, data), expected, atol=1e-6)
    assert np.isclose(s2s.jvp(leapfrog)(X, p, data, np.ones(3))[1], np.sum(expected), atol=1e-6)


def test_iterating_the_rows_of_an_array():
    A = np.arange(6.0).reshape(2, 3) / 7
    assert np.allclose(s2s.grad(iterate_rows)(A), numeric_grad(iterate_rows, [A]), atol=1e-6)


def test_lambda_as_a_sort_key():
    assert s2s.grad(sorted_by_a_lambda)(1.0) == 2.0
    assert s2s.grad(sorted_by_a_lambda)(-1.0) == 1.0


def sent_into(x):
    y = yield x
    return y


def calls_sent_into(x):
    return sum(sent_into(x))


def late_binding(x):
    fs = []
    for k in range(3):
        fs.append(lambda t: t * k)
    return fs[0](x)


def early_binding(x):
    fs = []
    for k in range(3):
        fs.append(lambda t, k=k, c=2.0: t * k * c)
    total = 0.0
    for g in fs:
        total = total + g(x)
    return total


def named_early_binding(x):
    k = 2.0
    h = lambda t, k=k: t * k  # noqa: E731 - the form under test
    return h(x)


def test_a_lambda_binding_a_loop_variable_by_its_default():
    assert s2s.grad(early_binding)(1.5) == 6.0
    assert s2s.jvp(early_binding)(1.5, 1.0) == (9.0, 6.0)
    assert s2s.grad(named_early_binding)(1.5) == 2.0


def default_read_where_defined(x):
    w = np.sin(x)
    def scaled(u, w=w):  # Python evaluates w here: the rebinding below does not reach it
        return u * w
    w = 3.0 * x
    return np.sum(scaled(x) + w)


def default_overridden(x):
    w = np.sin(x)
    def scaled(u, z=1.0, w=w, *, c=np.cos(x)):  # noqa: B008 - the form under test
        return u * w * z + c
    return np.sum(scaled(x, 2.0, x) + scaled(x, 3.0) + scaled(x, c=x) + scaled(x))


def defaults_in_a_loop_used_as_values(x):
    fs = []
    total = 0.0
    for k in range(3):
        c = x * k
        def times(u, c=c):
            return u * c
        total = total + np.sum(times(x))
        fs.append(times)
    return total + np.sum(apply_to(fs[1], x))


@pytest.mark.parametrize("f", [default_read_where_defined, default_overridden, defaults_in_a_loop_used_as_values])
def test_a_named_nested_function_whose_defaults_read_locals(f):
    x = np.array([0.3, -0.7, 1.1])
    t = np.array([0.5, -1.0, 2.0])
    want = numeric_grad(f, (x,))
    value, got = s2s.value_and_grad(f)(x)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8)
    assert value == f(x)
    np.testing.assert_allclose(s2s.jvp(f)(x, t)[1], want @ t, rtol=1e-6)
    second = (s2s.grad(f)(x + 1e-5 * t) - s2s.grad(f)(x - 1e-5 * t)) / 2e-5
    np.testing.assert_allclose(s2s.hvp(f)(x, t), second, rtol=1e-5, atol=1e-7)


def default_updated_after(x):
    w = np.sin(x)
    def scaled(u, w=w):
        return u * w
    w[0] = 5.0  # the default is the same array: Python's scaled sees the write
    return np.sum(scaled(x))


def default_read_by_a_sibling(x):
    w = np.sin(x)
    def scaled(u, w=w):
        return u * w
    def twice(u):
        return scaled(u) * 2.0
    return np.sum(twice(x))


def default_of_a_transformed_function(x):
    w = np.sin(x)
    def loss(u, w=w):
        return np.sum(u * w)
    return np.sum(s2s.grad(loss)(x))


@pytest.mark.parametrize("f, match", [
    (default_updated_after, "w is updated in place here, but _scaled_w shares its contents"),
    (default_read_by_a_sibling, "whose defaults read local names, is used inside a nested function"),
    (default_of_a_transformed_function, "s2s.grad of the nested function loss, whose defaults read local names"),
])
def test_defaults_reading_locals_that_s2s_does_not_follow_are_refused(f, match):
    with pytest.raises(s2s.TransformError, match=match) as info:
        s2s.grad(f)(np.array([0.3, -0.7]))
    assert "test_function_values.py" in str(info.value)


def test_a_closure_over_a_rebound_name_is_refused():
    # Python reads k when fs[0] is called (k == 2); a value made in the loop would read 0
    with pytest.raises(s2s.TransformError, match="reads k, which is bound more than once") as info:
        s2s.grad(late_binding)(1.0)
    assert "test_function_values.py" in str(info.value)


def nested_generator(x):
    def gen():
        yield x * x

    return sum(gen())


def test_a_nested_generator_is_refused():
    with pytest.raises(s2s.TransformError, match="generator") as info:
        s2s.grad(nested_generator)(1.0)
    assert "test_function_values.py" in str(info.value) and "yield" in str(info.value)


def test_a_yield_whose_value_is_used_is_refused():
    with pytest.raises(s2s.TransformError, match="values sent into a generator"):
        s2s.grad(calls_sent_into)(1.0)


# --------------------------------------------------------------------------- methods and objects


class Model:
    def __init__(self, scale):
        self.scale = scale

    def loss(self, w):
        return np.sum(np.sin(w) * self.scale)

    @classmethod
    def cubic(cls, w):
        return np.sum(w**3)

    def __call__(self, w):
        return np.sum(np.cos(w) * self.scale)


model = Model(2.0)


def uses_a_global_model(w):
    return model.loss(w) + model(w)


class Exponential:
    @s2s.primitive
    def __call__(self, x):
        return np.sum(np.exp(x))


@s2s.adjoint(Exponential.__call__)
def _exponential_adjoint(result, self, x):
    d[x] = d[result] * np.exp(x)  # noqa: F821 - template syntax


@s2s.tangent(Exponential.__call__)
def _exponential_tangent(result, self, x):
    d[result] = np.sum(d[x] * np.exp(x))  # noqa: F821 - template syntax


@pytest.mark.parametrize(
    "f", [model.loss, Model.cubic, model, uses_a_global_model, Exponential(), functools.partial(loss_one, X)],
    ids=["bound method", "classmethod", "callable object", "global object", "primitive __call__", "partial"],
)
def test_callables_other_than_functions(f):
    w = np.array([0.1, 0.2, 0.3])
    expected = numeric_grad(f, [w])
    assert np.allclose(s2s.grad(f)(w), expected, atol=1e-6)
    assert np.isclose(s2s.jvp(f)(w, np.ones(3))[1], np.sum(expected), atol=1e-6)


def test_source_of_a_bound_method_names_its_parameter_not_self():
    first = s2s.source(s2s.grad(model.loss)).splitlines()[0]
    assert first.endswith("grad of loss with respect to w.")


def test_a_numpy_function_is_differentiated_by_its_rules():
    assert np.isclose(s2s.grad(np.tanh)(0.5), 1 - np.tanh(0.5) ** 2)
    with pytest.raises(s2s.TransformError, match="no derivative rule"):
        s2s.grad(len)([1.0])


# --------------------------------------------------------------------------- containers


class Pair:
    """A user container: gradients of a Pair are Pairs."""

    def __init__(self, first, second):
        self.first, self.second = first, second


s2s.register_container(Pair, lambda p: ([p.first, p.second], None), lambda aux, children: Pair(*children))


def pair_loss(p):
    return np.sum(p.first * np.sin(p.second))


def test_a_registered_container_gets_gradients_of_its_own_type():
    p = Pair(np.array([1.0, 2.0]), np.array([0.5, -0.5]))
    g = s2s.grad(pair_loss)(p)
    assert isinstance(g, Pair)
    assert np.allclose(g.first, np.sin(p.second))
    assert np.allclose(g.second, p.first * np.cos(p.second))
    tangent = Pair(np.array([1.0, 0.0]), np.array([0.0, 1.0]))
    assert np.isclose(s2s.jvp(pair_loss)(p, tangent)[1], np.sin(0.5) + 2 * np.cos(-0.5))


@dataclasses.dataclass
class Layer:
    W: np.ndarray
    b: np.ndarray


def layer_loss(layer):
    return np.sum(np.tanh(layer.W @ np.ones(2) + layer.b))


def test_dataclass_gradients_still_are_dataclasses():
    layer = Layer(np.eye(2), np.array([0.1, 0.2]))
    g = s2s.grad(layer_loss)(layer)
    assert isinstance(g, Layer)
    assert np.allclose(g.b, numeric_grad(lambda b: layer_loss(Layer(layer.W, b)), [layer.b]))


class Scaled(typing.NamedTuple):
    value: np.ndarray
    scale: float


class Halved:
    """A container whose constructor computes what it holds."""

    def __init__(self, value):
        self.value = value * 0.5


def halved_unflatten(aux, children):
    halved = object.__new__(Halved)
    halved.value = children[0]
    return halved


s2s.register_container(Halved, lambda h: ([h.value], None), halved_unflatten)


def containers_built_inside(x):
    layer = Layer(np.outer(x[:2], x[1:]), x[:2] * 2.0)
    pair = Pair(x, x)  # the same array held twice
    scaled = Scaled(np.sin(x), scale=x[0])
    return layer_loss(layer) + pair_loss(pair) + np.sum(scaled.value) * scaled.scale


def test_containers_built_inside_in_every_mode():
    expected = numeric_grad(containers_built_inside, [X])
    assert np.allclose(s2s.grad(containers_built_inside)(X), expected, atol=1e-6)
    assert np.isclose(s2s.jvp(containers_built_inside)(X, np.ones(3))[1], np.sum(expected), atol=1e-6)
    h = 1e-5
    column = (numeric_grad(containers_built_inside, [X + [h, 0, 0]]) - numeric_grad(containers_built_inside, [X - [h, 0, 0]])) / (2 * h)
    assert np.allclose(s2s.hessian(containers_built_inside)(X)[:, 0], column, atol=1e-4)
    assert np.allclose(s2s.hvp(containers_built_inside)(X, np.array([1.0, 0, 0])), column, atol=1e-4)


def test_a_container_that_computes_what_it_holds_is_an_error():
    with pytest.raises(TypeError, match="Halved.*computed from its arguments"):
        s2s.grad(lambda x: np.sum(Halved(x).value))(X)


def scale_in_place(a, s):
    a *= s


def forwards_to_scale(*args, **kwargs):
    return scale_in_place(*args, **kwargs)


def function_value_updating_an_argument(x, s):
    update = [scale_in_place][0]
    update(x, s)  # Python changes the caller's x, and the result depends on s through it
    return np.sum(x) * s


def forwarded_call_updating_an_argument(x, s):
    forwards_to_scale(a=x, s=s)
    return s * 2.0


@pytest.mark.parametrize("f", [function_value_updating_an_argument, forwarded_call_updating_an_argument])
def test_an_update_in_place_through_a_function_value_is_refused(f):
    x = np.array([1.0, 2.0])
    with pytest.raises(s2s.TransformError, match="in place"):
        s2s.grad(f, wrt=1)(x, 0.5)
    assert np.array_equal(x, [1.0, 2.0])


# --------------------------------------------------------------------------- Python's semantics


def test_jvp_of_a_function_with_a_default():
    x = np.array([0.5, 1.5])
    value, tangent = s2s.jvp(nn)(0.7, x, 1.0)
    assert np.allclose(tangent, x * (1 - np.tanh(0.7 * x) ** 2))


def keyword_only(x, *, k=3.0):
    return np.sum(x**k)


def test_jvp_of_a_function_with_keyword_only_parameters():
    assert np.isclose(s2s.jvp(keyword_only)(X, np.ones(3))[1], np.sum(3 * X**2))


def one_element(x):
    return np.sum(x**2, keepdims=True)


def test_grad_of_a_one_element_output():
    assert np.allclose(s2s.grad(one_element)(X), 2 * X)


def test_a_module_loaded_from_a_path_and_not_in_sys_modules(tmp_path):
    path = tmp_path / "functions_by_path.py"
    path.write_text(textwrap.dedent("""
        import numpy as np

        def helper(x):
            return np.sin(x) * x

        def f(x):
            return np.sum(helper(x) ** 2)
    """))
    spec = importlib.util.spec_from_file_location("functions_by_path", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert np.allclose(s2s.grad(module.f)(X), numeric_grad(module.f, [X]), atol=1e-6)


# --------------------------------------------------------------------------- every helper has rules


def through_list(x):
    lst = list((x, x * x))
    return lst[0] * lst[1] * x


def through_get(x):
    d = {"a": x * x}
    return d.get("a", 0.0) * x + d.get("b", x) * x


def through_append(x):
    lst = []
    for i in range(3):
        lst.append(x * i)
    return lst[2] * lst[1] * x


def through_setitem(x):
    y = np.zeros(3)
    y[1] = x * x
    return np.sum(y) * x


def gammaln_times(x):
    return scipy.special.gammaln(x) * x


@pytest.mark.parametrize("f", [through_list, through_get, through_append, through_setitem, gammaln_times])
def test_second_derivatives_in_every_combination_of_modes(f):
    x, h = 1.7, 1e-4
    expected = (f(x + h) - 2 * f(x) + f(x - h)) / h**2
    assert np.isclose(s2s.grad(s2s.grad(f))(x), expected, rtol=1e-5)
    assert np.isclose(s2s.jvp(s2s.grad(f))(x, 1.0)[1], expected, rtol=1e-5)
    assert np.isclose(s2s.grad(lambda v: s2s.jvp(f)(v, 1.0)[1])(x), expected, rtol=1e-5)


def get_with_a_constant_default(x):
    d = {"a": x * x}
    return d.get("a", 0.0)


def test_forward_mode_of_get_with_a_constant_default():
    # the tangent rule names runtime.dict_get by its module path; a constant default's
    # zero tangent must not drop the mapping's tangent
    assert s2s.jvp(get_with_a_constant_default)(1.5, 1.0) == (2.25, 3.0)


def make_dropout(rate):
    return lambda h: h * (np.random.rand(*np.shape(h)) > rate)


def random_function_value(x):
    drop = make_dropout(0.5)
    return np.sum(drop(x) ** 2)


def test_a_function_value_that_changes_when_run_again_is_an_error():
    # its derivative is taken by running it again: another random mask, never a wrong gradient
    x = np.linspace(0.1, 1.0, 50)
    with pytest.raises(s2s.TransformError, match="returned another value"):
        s2s.grad(random_function_value)(x)
    with pytest.raises(s2s.TransformError, match="returned another value"):
        s2s.jvp(random_function_value)(x, x)


# ------------------------------------ nested functions transformed where they are defined


def split_weights(w, k):
    return w[:k], w[k:2 * k], w[2 * k:3 * k], w[-1]


def sliced_potential(q, x, k):
    """The gradient of a nested potential whose weights are sliced with bounds computed
    from an argument (bnn_hmc's unpacking): differentiated again, the slice(...) calls
    of the first derivative are constants."""
    def potential(w):
        a, b, c, d = split_weights(w, k)
        return np.sum((np.tanh(np.outer(x, a) + b) @ c + d) ** 2)

    dU = s2s.grad(potential)
    return np.sum(dU(q) ** 2)


def inline_gradient_of_nested(q, p, x, step):
    """`s2s.grad(potential)(q)` written where it is used, the potential reading x."""
    def potential(w):
        return np.sum(np.cos(x * w[0]) * w[1] ** 2) + 0.5 * np.sum(w ** 2)

    p = p - 0.5 * step * s2s.grad(potential)(q)
    q = q + step * p
    p = p - 0.5 * step * s2s.value_and_grad(potential)(q)[1]
    return np.sum(q ** 2) + np.sum(p ** 3)


@pytest.mark.parametrize("wrt", [0, 1])
def test_a_slice_with_bounds_from_an_argument_at_second_order(wrt):
    q, x = np.random.RandomState(0).randn(7), np.linspace(-1.0, 1.0, 4)
    expected = numeric_grad(sliced_potential, [q, x, 2], wrt=wrt)
    np.testing.assert_allclose(s2s.grad(sliced_potential, wrt=wrt)(q, x, 2), expected, rtol=1e-6, atol=1e-6)
    tangent = np.ones_like(q) if wrt == 0 else np.ones_like(x)
    _, jvp = s2s.jvp(sliced_potential, wrt=wrt)(q, x, 2, tangent)
    assert np.isclose(jvp, np.sum(expected), rtol=1e-6)


@pytest.mark.parametrize("wrt", [0, 1, 2, 3])
def test_an_inline_gradient_of_a_nested_function(wrt):
    args = [np.array([0.3, -0.2]), np.array([0.1, 0.4]), np.linspace(-1.0, 1.0, 4), 0.1]
    expected = numeric_grad(inline_gradient_of_nested, args, wrt=wrt)
    np.testing.assert_allclose(s2s.grad(inline_gradient_of_nested, wrt=wrt)(*args), expected, rtol=1e-6, atol=1e-8)
    _, jvp = s2s.jvp(inline_gradient_of_nested, wrt=wrt)(*args, np.ones_like(args[wrt]))
    assert np.isclose(jvp, np.sum(expected), rtol=1e-6)


def fixed_point_of_a_closure(b, W):
    def step(c, z):  # reads W: the fixed point moves with W too
        return np.tanh(W @ z + c)

    return np.sum(s2s.fixed_point(step, b, np.zeros_like(b), tol=1e-13, max_iter=1000) ** 2)


def fixed_point_of_a_lambda(b, W):
    z = s2s.fixed_point(lambda c, z: np.tanh(W @ z + c), 2.0 * b, np.zeros_like(b), tol=1e-13, max_iter=1000)
    return np.sum(z ** 2)


def fixed_point_of_a_pure_nested_step(b, W):
    def step(params, z):
        c, V = params
        return np.tanh(V @ z + c)

    return np.sum(s2s.fixed_point(step, (b, W), np.zeros_like(b), tol=1e-13, max_iter=1000) ** 2)


def fixed_point_by_keywords(b, W):
    def step(c, z):
        return np.tanh(W @ z + c)

    return np.sum(s2s.fixed_point(x0=np.zeros_like(b), a=b, f=step, tol=1e-13) ** 2)


def fixed_point_of_a_value(b, W):
    step = [np.tanh][0]
    return np.sum(s2s.fixed_point(step, b, np.zeros_like(b)))


@pytest.mark.parametrize(
    "f", [fixed_point_of_a_closure, fixed_point_of_a_lambda, fixed_point_of_a_pure_nested_step, fixed_point_by_keywords]
)
@pytest.mark.parametrize("wrt", [0, 1])
def test_fixed_point_of_a_nested_step(f, wrt):
    rs = np.random.RandomState(1)
    args = [rs.randn(3), 0.3 * rs.randn(3, 3)]
    expected = numeric_grad(f, args, wrt=wrt)
    np.testing.assert_allclose(s2s.grad(f, wrt=wrt)(*args), expected, rtol=1e-6, atol=1e-8)
    _, jvp = s2s.jvp(f, wrt=wrt)(*args, np.ones_like(args[wrt]))
    assert np.isclose(jvp, np.sum(expected), rtol=1e-6)


def test_fixed_point_of_a_function_value_is_a_located_error():
    with pytest.raises(s2s.TransformError, match="fixed_point needs a function defined with def") as info:
        s2s.grad(fixed_point_of_a_value)(np.zeros(2), np.eye(2))
    assert "test_function_values.py" in str(info.value)


# ------------------------------ second derivatives through calls of function values
# value_vjp and value_jvp differentiate, when they run, s2s's own pullback or
# pushforward of the function called; each mode pair below is checked against second
# central differences of the function itself.


def symmetrized(fun):
    # autograd's check of symmetric-matrix functions: a wrapper that forwards *args
    return lambda *args: fun(0.5 * (args[0] + args[0].T), *args[1:])


def matrix_energy(A, c):
    return np.sin(A) * c + A**3


symmetric_energy = symmetrized(matrix_energy)


def through_a_starred_wrapper(A, c):
    return np.sum(symmetric_energy(A, c) ** 2)


def through_a_list_of_functions(A, c):
    total = 0.0
    for op in [np.sin, np.tanh, lambda u: u * c]:
        total = total + np.sum(op(A * c) ** 2)
    return total


def scaled_energy(A, c, scale=1.0):
    return np.cos(A) * scale + A * c


def through_a_partial_binding_a_keyword(A, c):
    energy = functools.partial(scaled_energy, scale=c * c)
    return np.sum(energy(A, c) ** 2)


def apply_to(fn, x):
    return fn(x)


def through_a_closure_passed_as_an_argument(A, c):
    return np.sum(apply_to(lambda u: np.sin(u * c) * u, A) ** 2)


def _second_difference(f, A, c, u, v, h=1e-3):
    """u' (d2f/dA2) v by central differences of f alone."""
    def at(a, b):
        return f(A + a * h * u + b * h * v, c)

    return (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / (4 * h * h)


def _mixed_difference(f, A, c, v, h=1e-3):
    """d/dc of (df/dA . v) by central differences of f alone."""
    def at(a, b):
        return f(A + a * h * v, c + b * h)

    return (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / (4 * h * h)


SECOND_ORDER_VALUE_CALLS = [
    through_a_starred_wrapper,
    through_a_list_of_functions,
    through_a_partial_binding_a_keyword,
    through_a_closure_passed_as_an_argument,
]


@pytest.mark.parametrize("f", SECOND_ORDER_VALUE_CALLS)
def test_second_derivatives_through_calls_of_function_values(f):
    rs = np.random.RandomState(3)
    A, c = 0.5 * rs.randn(2, 2), 0.7
    u, v = rs.randn(2, 2), rs.randn(2, 2)
    expected = _second_difference(f, A, c, u, v)
    H = s2s.hessian(f)(A, c)  # reverse over reverse, or forward over reverse
    assert np.isclose(np.einsum("ij,ijkl,kl->", u, H, v), expected, rtol=1e-5)
    assert np.isclose(np.sum(u * s2s.hvp(f)(A, c, v)), expected, rtol=1e-5)  # forward over reverse
    assert np.isclose(np.sum(u * s2s.grad(lambda a, b: np.sum(s2s.grad(f)(a, b) * v))(A, c)), expected, rtol=1e-5)

    def tangent(a, b):
        return s2s.jvp(f)(a, b, v)[1]

    assert np.isclose(np.sum(u * s2s.grad(tangent)(A, c)), expected, rtol=1e-5)  # reverse over forward
    assert np.isclose(s2s.jvp(tangent)(A, c, u)[1], expected, rtol=1e-5)  # forward over forward
    # the derivative with respect to what the function value captures or is passed
    mixed = _mixed_difference(f, A, c, v)
    assert np.isclose(s2s.grad(tangent, wrt=1)(A, c), mixed, rtol=1e-5)
    assert np.isclose(np.sum(v * s2s.grad(s2s.grad(f, wrt=1))(A, c)), mixed, rtol=1e-5)  # reverse over reverse


def test_a_third_derivative_through_a_function_value_is_a_located_error():
    def f(x, w):
        return apply_to(lambda u: np.sin(u * w), x) * x

    assert np.isclose(s2s.grad(s2s.grad(f))(0.3, 1.2), 2 * 1.2 * np.cos(0.36) - 1.44 * 0.3 * np.sin(0.36))
    with pytest.raises(s2s.TransformError, match="no derivative rule for s2s.function_values.value_vjp_grad"):
        s2s.grad(s2s.grad(s2s.grad(f)))(0.3, 1.2)


def forwarding_everything(fn):
    def forward(*args, **kwargs):
        return fn(*args, **kwargs)

    return forward


half_scaled_energy = forwarding_everything(functools.partial(scaled_energy, scale=0.5))


def through_a_forwarded_partial_binding_a_keyword(A, c):
    # the call's keyword overrides the partial's, as only the call shows when it runs
    return np.sum(half_scaled_energy(A, c, scale=c) ** 2) + np.sum(half_scaled_energy(A, c))


def test_a_partial_binding_a_keyword_called_with_forwarded_keywords():
    # a regression (autograd's test_mvn_sing_cov): opening the partial at transform time
    # added its keyword to a call that also passes **kwargs (a TransformError)
    rs = np.random.RandomState(4)
    A, c = rs.randn(2, 2), 0.3
    f = through_a_forwarded_partial_binding_a_keyword
    np.testing.assert_allclose(s2s.grad(f)(A, c), numeric_grad(f, [A, c]), rtol=1e-6)
    assert s2s.grad(f, wrt=1)(A, c) == pytest.approx(numeric_grad(f, [A, c], wrt=1), rel=1e-6)
    u, v = rs.randn(2, 2), rs.randn(2, 2)
    assert np.isclose(np.sum(u * s2s.hvp(f)(A, c, v)), _second_difference(f, A, c, u, v), rtol=1e-5)
