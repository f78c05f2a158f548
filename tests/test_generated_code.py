"""What the generated gradient of `np.sum(...)` computes and leaves out: a scalar seed
(passes/uniform.py) and no forward code only the sum read (passes/shapes.py). Every
derivative is checked against central differences, a hand-derived formula, or autograd
(a test-only oracle, for second derivatives)."""
import tracemalloc
import warnings

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
from conftest import numeric_grad

import s2s


def _code(derivative):
    return "\n".join(line for line in s2s.source(derivative).splitlines() if not line.lstrip().startswith("#"))


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def sum_only(x):
    return np.sum(x)


def scaled_sum(x):
    return np.sum(x * 3.0)


def neighbours(x):
    return np.sum(x[1:] * x[:-1])


def chained(x):
    a = -x
    b = a / 2.0 + 1.0
    return np.sum(b * b)


def against_scalar(x, y):
    return np.sum(x * y - y)


def broadcast_partner(x, y):
    return np.sum(x * y)  # y may broadcast: its adjoint is summed, not uniform


def sliced_differently(x):
    return np.sum(x[2:] * x[:-1][1:])


@pytest.mark.parametrize("f", [rosenbrock, sum_only, scaled_sum, neighbours, chained, sliced_differently])
def test_sum_gradients_against_central_differences(f):
    x = np.random.RandomState(0).randn(6)
    np.testing.assert_allclose(s2s.grad(f)(x), numeric_grad(f, [x]), rtol=1e-6, atol=1e-7)


def rosenbrock_grad_by_hand(x):
    inner = x[1:] - x[:-1] ** 2
    expected = np.zeros_like(x)
    expected[1:] = 200.0 * inner
    expected[:-1] += -400.0 * inner * x[:-1] - 2.0 * (1.0 - x[:-1])
    return expected


def test_rosenbrock_by_hand():
    x = np.random.RandomState(1).randn(7)
    np.testing.assert_allclose(s2s.grad(rosenbrock)(x), rosenbrock_grad_by_hand(x), rtol=1e-12)


def test_constant_factors_are_folded_to_the_same_numbers():
    # each array scaled once: `200.0 * _sub` for `1.0 * 100.0 * (2 * _sub)`; the
    # factors folded are powers of two, so every element is the number the unfolded
    # formula gives, bit for bit (subnormal and huge elements included)
    g = s2s.grad(rosenbrock)
    rs = np.random.RandomState(9)
    for scale in (1.0, 1e-160, 1e150):
        x = rs.randn(12) * scale
        with np.errstate(over="ignore", invalid="ignore"):  # at 1e150 both overflow alike
            inner, outer = x[1:] - x[:-1] ** 2, 1.0 - x[:-1]
            unfolded = np.zeros_like(x)
            unfolded[:-1] += -(1.0 * (2 * outer))
            unfolded[:-1] += -(1.0 * 100.0 * (2 * inner)) * (2 * x[:-1])
            unfolded[1:] += 1.0 * 100.0 * (2 * inner)
            np.testing.assert_array_equal(g(x), unfolded)
    text = _code(g)
    assert "200.0 * _sub" in text and "-2.0 * _sub2" in text and "-2 * d_sub * _item2" in text
    assert "1.0 *" not in text and "(2 * " not in text


def test_scalar_and_broadcast_partners():
    rs = np.random.RandomState(2)
    x = rs.randn(2, 3)
    for y in (0.7, rs.randn(3), rs.randn(2, 1), rs.randn(2, 3)):
        for f in (against_scalar, broadcast_partner):
            for wrt in (0, 1):
                got = s2s.grad(f, wrt=wrt)(x, y)
                np.testing.assert_allclose(got, numeric_grad(f, [x, y], wrt), rtol=1e-6, atol=1e-7)
                assert np.shape(got) == np.shape([x, y][wrt])


def test_gradient_of_a_plain_sum_is_an_array_of_ones():
    x = np.arange(4.0)
    g = s2s.grad(sum_only)(x)
    assert isinstance(g, np.ndarray) and g.shape == (4,)
    np.testing.assert_array_equal(g, np.ones(4))
    g[0] = 5.0  # a fresh array the caller may write
    np.testing.assert_array_equal(s2s.grad(sum_only)(x), np.ones(4))


def test_value_and_grad_keeps_the_sum():
    x = np.random.RandomState(3).randn(5)
    value, g = s2s.value_and_grad(rosenbrock)(x)
    assert value == rosenbrock(x)
    np.testing.assert_allclose(g, numeric_grad(rosenbrock, [x]), rtol=1e-6, atol=1e-6)


def test_complex_sum_is_refused_without_computing_it():
    with pytest.raises(TypeError, match="real-valued"):
        s2s.grad(scaled_sum)(np.ones(3) + 1j)


def test_generated_code_leaves_out_what_only_the_seed_read():
    g = s2s.grad(rosenbrock)
    g(np.ones(5))
    text = "\n".join(line for line in s2s.source(g).splitlines() if not line.lstrip().startswith("#"))
    assert "np.sum" not in text and "ones_like_output" not in text and "grad_reduce" not in text
    assert "** 2" in text  # x[:-1] ** 2: the backward sweep reads it
    # of 9 before: those of uniform adjoints go, and those of real arrays of the shape
    # they would be summed to (x is real, or the seed raises)
    assert "unbroadcast(" not in text


def root_scaled_sum(x, y):
    return np.sum(x * y ** 0.5)  # complex for a negative Python float y


def real_part_of_complex_products(x, c):
    return np.sum(np.real(x * c) * x)  # x * c is complex: its adjoint's real part is taken


def test_a_complex_value_from_real_arguments_is_refused():
    x = np.array([1.0, 2.0, 3.0])
    for wrt in (0, 1):
        with pytest.raises(TypeError, match="real-valued"):
            s2s.grad(root_scaled_sum, wrt=wrt)(x, -1.0)
        np.testing.assert_allclose(s2s.grad(root_scaled_sum, wrt=wrt)(x, 2.0), numeric_grad(root_scaled_sum, [x, 2.0], wrt=wrt), rtol=1e-6)



def complex_before_rebinding(x, c):
    a = x * c  # complex for a complex c
    c = x * 2.0  # c is real from here on: the seed must check a, not c
    return np.sum(a * 2.0)


def test_a_parameter_rebound_later_is_checked_as_it_was_read():
    x, c = np.array([0.5, -1.0, 2.0]), np.array([1.0 + 1.0j, 2.0, 3.0])
    assert np.iscomplexobj(complex_before_rebinding(x, c))
    with pytest.raises(TypeError, match="real-valued"):
        s2s.grad(complex_before_rebinding)(x, c)
    real = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(s2s.grad(complex_before_rebinding)(x, real), numeric_grad(complex_before_rebinding, [x, real]), rtol=1e-6)

def test_a_complex_intermediate_gives_a_real_gradient():
    x, c = np.array([0.5, -1.0, 2.0]), np.array([1.0 + 2.0j, -0.5j, 3.0])
    g = s2s.grad(real_part_of_complex_products)
    np.testing.assert_allclose(g(x, c), numeric_grad(real_part_of_complex_products, [x, c]), rtol=1e-6)
    assert g(x, c).dtype == np.float64


def test_an_unstable_result_keeps_the_general_seed():
    def rebound(x):
        s = np.sum(x)
        s = s * 2.0
        return s

    x = np.random.RandomState(4).randn(3)
    np.testing.assert_allclose(s2s.grad(rebound)(x), numeric_grad(rebound, [x]), rtol=1e-6)


def logistic_nll(w, X, y):
    z = np.dot(X, w)
    return np.sum(np.logaddexp(0.0, z) - y * z)


def squared_error(w, A, t):
    return np.sum((A @ w - t) ** 2)


def test_a_loss_against_targets_leaves_out_the_sum():
    # y * z may fail (y is any array), so it stays; the difference it feeds has the
    # shape of y * z whatever y is (z's shape is part of it), so it cannot fail and goes
    rs = np.random.RandomState(5)
    X, w, y = rs.randn(7, 3), rs.randn(3), (rs.rand(7) > 0.5) * 1.0
    g = s2s.grad(logistic_nll)
    z = X @ w
    np.testing.assert_allclose(g(w, X, y), X.T @ (1.0 / (1.0 + np.exp(-z)) - y), rtol=1e-10)
    text = _code(g)
    assert "np.sum" not in text and "ones_like_output" not in text and "grad_reduce" not in text
    assert "y * z" in text and " - _mul" not in text
    A, t = rs.randn(6, 3), rs.randn(6)
    g = s2s.grad(squared_error)
    np.testing.assert_allclose(g(w, A, t), 2.0 * A.T @ (A @ w - t), rtol=1e-10)
    assert "np.sum" not in _code(g) and "grad_reduce" not in _code(g)


def test_a_target_that_broadcasts_wider_or_fails():
    rs = np.random.RandomState(6)
    X, w = rs.randn(5, 2), rs.randn(2)
    z = X @ w
    y = rs.randn(3, 1)  # y * z is (3, 5): each logaddexp counts three times
    expected = X.T @ (3.0 / (1.0 + np.exp(-z)) - np.sum(y))
    np.testing.assert_allclose(s2s.grad(logistic_nll)(w, X, y), expected, rtol=1e-10)
    np.testing.assert_allclose(s2s.grad(logistic_nll, wrt=2)(w, X, y), numeric_grad(logistic_nll, [w, X, y], wrt=2), rtol=1e-6)
    t = rs.randn(4)  # A @ w has 6 elements: Python raises, and so does the gradient
    with pytest.raises(ValueError):
        squared_error(w, rs.randn(6, 2), t)
    with pytest.raises(ValueError):
        s2s.grad(squared_error)(w, rs.randn(6, 2), t)



def test_a_logaddexp_read_by_its_adjoint_alone_is_not_computed():
    # once the sum goes, logaddexp(0.0, z) is read by its adjoint's factor alone,
    # exp(z - logaddexp(0.0, z)): that is logistic(z), and the logaddexp goes
    # (passes/fusion.py); z spans hundreds here, so both tails are reached
    rs = np.random.RandomState(9)
    X, w, y = rs.randn(40, 3), rs.randn(3) * 200.0, (rs.rand(40) > 0.5) * 1.0
    z = X @ w
    assert z.min() < -745 and z.max() > 745
    g = s2s.grad(logistic_nll)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # logistic neither overflows nor warns
        got = g(w, X, y)
    np.testing.assert_allclose(got, X.T @ (np.exp(z - np.logaddexp(0.0, z)) - y), rtol=1e-12)
    text = _code(g)
    assert "np.logaddexp(" not in text and "logistic(z)" in text and "np.exp" not in text
    with pytest.raises(TypeError):  # as np.logaddexp raises on a complex z
        logistic_nll(w + 0j, X, y)
    with pytest.raises(TypeError):
        g(w + 0j, X, y)
    # where the value is returned, the forward sweep has it, and the factor reads it
    value, grad = s2s.value_and_grad(logistic_nll)(w, X, y)
    assert value == logistic_nll(w, X, y)
    np.testing.assert_allclose(grad, got, rtol=1e-12)
    text = _code(s2s.value_and_grad(logistic_nll))
    assert "np.logaddexp(" in text and "logistic(" not in text


def test_the_hessian_of_a_logaddexp_loss_differentiates_its_logistic():
    rs = np.random.RandomState(10)
    X, w, y, v = rs.randn(30, 4), rs.randn(4), (rs.rand(30) > 0.5) * 1.0, rs.randn(4)
    p = 1.0 / (1.0 + np.exp(-(X @ w)))
    hessian = X.T @ ((p * (1.0 - p))[:, None] * X)  # by hand: X^T diag(p (1 - p)) X
    np.testing.assert_allclose(s2s.hvp(logistic_nll)(w, X, y, v), hessian @ v, rtol=1e-10)
    np.testing.assert_allclose(s2s.hessian(logistic_nll)(w, X, y), hessian, rtol=1e-10)
    g = s2s.grad(logistic_nll)
    g(w, X, y)
    assert "logistic(" in s2s.source(g)


def logaddexp_of_two(u, s):
    v = u * s + 1.0  # of u's shape: the logaddexp cannot fail on real arrays
    return np.sum(np.logaddexp(u, v) * 0.5)


def logaddexp_before_a_rebinding(z, c):
    r = np.logaddexp(z, c)  # of the argument c: the backward sweep finds c rebound
    c = c * 2.0
    return np.sum(r * c)


@pytest.mark.parametrize("f", [logaddexp_of_two, logaddexp_before_a_rebinding])
def test_logaddexp_factors_of_each_argument(f):
    rs = np.random.RandomState(11)
    args = [rs.randn(5) * 3.0, 0.7]
    for wrt in (0, 1):
        np.testing.assert_allclose(s2s.grad(f, wrt=wrt)(*args), numeric_grad(f, args, wrt), rtol=1e-6, atol=1e-8)
    g = s2s.grad(f)
    g(*args)
    assert ("np.logaddexp(" not in _code(g)) == (f is logaddexp_of_two)

def mean_squared_error(w, X, y):
    return np.mean((X @ w - y) ** 2)


def test_a_mean_loss_keeps_its_seed_a_scalar():
    # np.mean's adjoint divides by the count of elements: that of an array of the
    # class, not of the value only the mean read (which then goes with the mean)
    rs = np.random.RandomState(8)
    X, w, y = rs.randn(9, 3), rs.randn(3), rs.randn(9)
    g = s2s.grad(mean_squared_error)
    np.testing.assert_allclose(g(w, X, y), 2.0 / 9 * X.T @ (X @ w - y), rtol=1e-12)
    text = _code(g)
    assert "np.mean" not in text and "** 2" not in text and "grad_reduce" not in text
    assert "size(_sub)) * 2 * _sub" in text  # the scalars multiply first: one array product
    wide = rs.randn(4, 1)  # (X @ w - wide) is (4, 9): the mean is over 36 elements
    np.testing.assert_allclose(g(w, X, wide), 2.0 / 36 * X.T @ np.sum(X @ w - wide, axis=0), rtol=1e-12)
    np.testing.assert_allclose(s2s.grad(mean_squared_error, wrt=2)(w, X, wide), numeric_grad(mean_squared_error, [w, X, wide], wrt=2), rtol=1e-6)
    with pytest.raises(TypeError, match="real-valued"):
        g(w + 0j, X, y)
    value, grad = s2s.value_and_grad(mean_squared_error)(w, X, y)
    assert value == mean_squared_error(w, X, y)
    np.testing.assert_allclose(grad, 2.0 / 9 * X.T @ (X @ w - y), rtol=1e-12)


def neighbouring_products(w, X, u):
    z = X @ w  # 1-d for a 1-d w: z[1:] and z[:-1] are its neighbours
    s = np.dot(u, u)  # a scalar: 1-d by 1-d
    return np.sum(z[1:] * z[:-1] * s)


def sliced_vector_matrix_product(w, X, u):
    return np.sum(np.matmul(u, X.T)[:-1] * np.sum(w))


@pytest.mark.parametrize("f", [neighbouring_products, sliced_vector_matrix_product])
@pytest.mark.parametrize("w_shape", [(3,), (3, 2)])
def test_products_have_the_dimensions_numpy_gives(f, w_shape):
    rs = np.random.RandomState(7)
    w, X, u = rs.randn(*w_shape), rs.randn(4, 3), rs.randn(3)
    for wrt in (0, 1, 2):
        np.testing.assert_allclose(s2s.grad(f, wrt=wrt)(w, X, u), numeric_grad(f, [w, X, u], wrt), rtol=1e-6, atol=1e-8)


# --------------------------------------------------------------------------- copies (passes/copies.py)


def taylor_sine(x):
    ans = currterm = x
    i = 0
    while True:
        currterm = -currterm * x ** 2 / ((2 * i + 3) * (2 * i + 2))
        ans = ans + currterm
        if np.abs(currterm) < 1e-12:
            break
        i = i + 1
    return ans


def test_taylor_sine_gradient_is_the_cosine_without_copy_temporaries():
    g = s2s.grad(taylor_sine)
    assert abs(g(0.9) - np.cos(0.9)) < 1e-10
    lines = [line.strip() for line in s2s.source(g).splitlines()]
    assert "ans = ans + currterm" in lines
    # `ans = currterm = x` is the program's own; a copy of anything but x is not
    copies = [line for line in lines if "=" in line and all(part.strip().isidentifier() for part in line.split("="))]
    assert all(line.split("=")[1].strip() in ("x", "None") for line in copies), copies


def test_a_convergence_test_on_a_scalar_calls_abs():
    # np.abs of a Python float costs several times abs(); compared only, in a test,
    # both give the same decision (passes/scalars.py)
    g = s2s.grad(taylor_sine)
    assert abs(g(0.9) - np.cos(0.9)) < 1e-10
    assert "if abs(currterm) < 1e-12:" in s2s.source(g)
    assert abs(g(np.float32(0.9)) - np.cos(0.9)) < 1e-6


def halve_until_small(x, limit):
    s = x * 3.0
    while np.abs(s) > limit:  # compared with an array: NumPy's comparison decides, np.abs stays
        s = s * 0.5
    return s * x


def test_np_abs_compared_with_an_array_stays():
    g = s2s.grad(halve_until_small)
    limit = np.array([0.7])
    np.testing.assert_allclose(g(1.1, limit), numeric_grad(lambda x: halve_until_small(x, limit), [1.1]), rtol=1e-6)
    assert "np.abs(s) > limit" in s2s.source(g)


def test_a_local_named_abs_keeps_np_abs():
    def f(x):
        abs = x * 0.5  # noqa: A001 - the generated test must not call this local
        while np.abs(x) < 4.0:
            x = x * 2.0 + abs
        return x

    g = s2s.grad(f)
    np.testing.assert_allclose(g(0.3), numeric_grad(f, [0.3]), rtol=1e-6)
    assert "np.abs(x) < 4.0" in s2s.source(g)


# --------------------------------------------------------------------------- what a loop saves (passes/records.py)


def test_a_loop_invariant_scalar_is_not_saved_each_trip():
    # `x ** 2` in the loop holds the same value on every trip: the backward sweep reads
    # that value, with no push and pop per trip
    g = s2s.grad(taylor_sine)
    assert abs(g(1.3) - np.cos(1.3)) < 1e-10
    source = s2s.source(g)
    assert "_pow = x ** 2" in source and "_stack.append(_pow)" not in source
    # the pullback, whose backward sweep is a function of its own, and second order
    np.testing.assert_allclose(s2s.vjp(taylor_sine)(1.3)[1](2.0), 2.0 * np.cos(1.3), rtol=1e-10)
    np.testing.assert_allclose(s2s.grad(s2s.grad(taylor_sine))(1.3), -np.sin(1.3), rtol=1e-9)
    np.testing.assert_allclose(s2s.hvp(taylor_sine)(1.3, 0.5), -0.5 * np.sin(1.3), rtol=1e-9)


def test_invariant_arithmetic_of_a_backward_loop_is_computed_before_it():
    # `2 * x`, the derivative of `x ** 2` the adjoint reads, is the same on every trip
    g = s2s.grad(taylor_sine)
    assert abs(g(1.3) - np.cos(1.3)) < 1e-10
    lines = [line.strip() for line in s2s.source(g).splitlines()]
    loop = next(i for i, line in enumerate(lines) if line.startswith("for _trip in"))
    hoisted = [line for line in lines[:loop] if line.endswith("= 2 * x")]
    assert len(hoisted) == 1 and "2 * x" not in "\n".join(lines[loop:])
    assert hoisted[0].split(" = ")[0] in "\n".join(lines[loop:])


def weighted_powers(x, a, n):
    s = 0.0
    for i in range(n):
        for j in range(2):
            s = s + (a * x ** 2 - x * a) * (i + j)
    return s


def rebinds_the_parameter(x, a):
    s = 0.0
    for _ in range(3):
        s = s + x ** 2 * a
        x = x * 0.5 + a
    return s


@pytest.mark.parametrize("n", [0, 1, 3])
def test_hoisted_arithmetic_gives_the_derivatives_of_every_trip_count(n):
    # two loops deep, and none: the hoisted values are what each trip computed
    for wrt in (0, 1):
        g = s2s.grad(weighted_powers, wrt=wrt)
        expected = sum(i + j for i in range(n) for j in range(2)) * ((2.0 * 0.7 * 1.3 - 0.7) if wrt == 0 else (1.3 ** 2 - 1.3))
        assert abs(g(1.3, 0.7, n) - expected) < 1e-12
    g = s2s.grad(rebinds_the_parameter)  # x changes every trip: nothing of it is hoisted
    np.testing.assert_allclose(g(1.3, 0.7), numeric_grad(rebinds_the_parameter, [1.3, 0.7]), rtol=1e-7)
    np.testing.assert_allclose(s2s.grad(rebinds_the_parameter, wrt=1)(1.3, 0.7), numeric_grad(rebinds_the_parameter, [1.3, 0.7], wrt=1), rtol=1e-7)


def invariant_through_a_name(x, y):
    c = y * y
    for _ in range(3):
        t = c * 3.0  # invariant: c is bound once, from a parameter never rebound
        x = np.sin(x) * t
    return x


def rebound_operand(x, y):
    for _ in range(3):
        t = y * 2.0  # not invariant: y changes every trip
        x = np.sin(x) * t
        y = y + x
    return x * y


@pytest.mark.parametrize("f", [invariant_through_a_name, rebound_operand])
def test_saves_of_loop_bindings_follow_their_operands(f):
    g = s2s.grad(f, wrt=(0, 1))
    for args in [(0.4, 0.7), (-1.2, 0.3)]:
        expected = [numeric_grad(f, args, wrt=i) for i in range(2)]
        np.testing.assert_allclose(g(*args), expected, rtol=1e-6, atol=1e-8)
    saved = "_stack.append(t)" in s2s.source(g)
    assert saved == (f is rebound_operand)


def copy_then_rebind(x):
    a = x * 2.0
    b = a
    b = b + 1.0
    c = b
    a = a * c
    return np.sum(a * b + c)


def copy_then_update_in_place(x):
    a = x * 2.0
    b = a
    c = b * 1.5
    b[0] = 3.0 * x[1]  # updates the array a names too (a is not read again)
    return np.sum(c * b)


@pytest.mark.parametrize("f", [copy_then_rebind, copy_then_update_in_place])
def test_forwarded_copies_keep_values(f):
    x = np.random.RandomState(5).randn(3)
    np.testing.assert_allclose(s2s.grad(f)(x), numeric_grad(f, [x]), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(s2s.value_and_grad(f)(x)[0], f(x))


def test_arithmetic_temporaries_are_computed_where_read():
    g = s2s.grad(saxpy)
    expected = (0.7 * (0.7 * 1.1 - 0.4) - 0.4) + 0.7 * (0.7 * 1.1 - 0.4) + 0.7 * 0.7 * 1.1
    np.testing.assert_allclose(g(0.7, 1.1, -0.4), expected, rtol=1e-12)
    lines = [line.strip() for line in s2s.source(g).splitlines()]
    assert "z = a * z + y" in lines  # the formula as written, not `_mul2 = a * z; z = _mul2 + y`
    assert not any(line.startswith("_mul") for line in lines), lines
    # adjoints of temporaries too: Rosenbrock's `d_pow = -d_sub` goes into its one read
    x = np.linspace(-1.0, 1.5, 6)
    g = s2s.grad(rosenbrock)
    np.testing.assert_allclose(g(x), rosenbrock_grad_by_hand(x), rtol=1e-12)
    assert "d_pow =" not in s2s.source(g)


def _after(rewrite, text):
    """The lines of `text`'s function after `rewrite` (a pass on one FunctionDef)."""
    import gast

    from s2s.emit import emit_module

    fn = rewrite(gast.parse(text).body[0])
    return [line.strip() for line in emit_module([fn], [])[0].splitlines() if line.strip()]


def _products_folded(statement):
    """`statement` (one line) after simplify.fold_products, d_a and d_b being adjoints."""
    from s2s.passes import simplify

    return _after(lambda fn: (simplify.fold_products(fn.body, {"d_a", "d_b"}), fn)[1], f"def f():\n    {statement}")[1]


def test_folded_products_are_those_that_give_the_same_numbers():
    assert _products_folded("d_a = 3.0 * (2 * x)") == "d_a = 6.0 * x"
    assert _products_folded("d_a = -(0.5 * x)") == "d_a = -0.5 * x"
    assert _products_folded("d_a = -d_b * (4 * y)") == "d_a = -4 * d_b * y"
    assert _products_folded("d_a = 2 * y * -d_b") == "d_a = -2 * d_b * y"
    assert _products_folded("d_a = 1.0 * 100.0 * (2 * y)") == "d_a = 200.0 * y"
    # kept: a scale that rounds (0.5, 3) moved across a product, an int negated (an
    # unsigned array would raise), a primal negated, the user's statements, identities
    for kept in ("d_a = 3.0 * (0.5 * x)", "d_a = -d_b * (3 * y)", "d_a = -(2 * x)", "d_a = -x * (2 * y)",
                 "z = 3.0 * (2 * x)", "d_a = 1.0 * x", "d_a = x * 1", "d_a = 1099511627776 * (1099511627776 * x)"):
        assert _products_folded(kept) == kept, kept


def _sunk(text):
    """`text`'s function after passes/copies.py."""
    from s2s.passes import copies

    return _after(copies.remove_copies, text)


def test_a_temporary_is_not_computed_after_other_operations():
    # `a - b` would run before `a / b`: a different error where both fail
    assert "_t = a / b" in _sunk("def f(a, b):\n    _t = a / b\n    v = (a - b) * _t\n    return v")
    assert "v = a * (a / b)" in _sunk("def f(a, b):\n    _t = a / b\n    v = a * _t\n    return v")
    # nor past a statement that binds what it reads, nor into a call
    kept_copy = "def f(a, b, c):\n    _t = a / b\n    a = c\n    v = a * _t\n    if v:\n        c = v\n    return a + c"
    assert "_t = a / b" in _sunk(kept_copy)
    assert "_t = a / b" in _sunk("def f(a, b):\n    _t = a / b\n    a = b + 1.0\n    v = a * _t\n    return v")
    assert "_t = a / b" in _sunk("def f(a, b):\n    _t = a / b\n    v = g(_t)\n    return v")
    # the user's own names stay
    assert "t = a / b" in _sunk("def f(a, b):\n    t = a / b\n    v = a * t\n    return v")


# --------------------------------------------------------------------------- derivatives of the gradient


def rosenbrock_hvp_by_hand(x, v):
    """H @ v of the Rosenbrock function, from its Hessian's three diagonals."""
    main = np.zeros_like(x)
    main[:-1] = 1200.0 * x[:-1] ** 2 - 400.0 * x[1:] + 2.0
    main[1:] += 200.0
    off = -400.0 * x[:-1]  # H[i, i + 1] = H[i + 1, i]
    out = main * v
    out[:-1] += off * v[1:]
    out[1:] += off * v[:-1]
    return out


def test_hvp_and_hessian_match_the_hand_written_product():
    rs = np.random.RandomState(6)
    x, v = rs.randn(8), rs.randn(8)
    np.testing.assert_allclose(s2s.hvp(rosenbrock)(x, v), rosenbrock_hvp_by_hand(x, v), rtol=1e-10)
    np.testing.assert_allclose(s2s.hessian(rosenbrock)(x) @ v, rosenbrock_hvp_by_hand(x, v), rtol=1e-10)
    # the same derivative object, called with arguments of another kind
    hvp = s2s.hvp(scaled_sum)
    np.testing.assert_allclose(hvp(x, v), np.zeros(8))
    assert hvp(0.5, 2.0) == 0.0


def test_second_derivatives_start_from_the_gradient_generated_for_the_kinds():
    # hvp, hessian and grad of a gradient differentiate the gradient generated for the
    # arguments' kinds (a scalar seed, no forward sum, folded constants), not the variant
    # for arguments of any kind (ones_like_output, grad_reduce, the sum computed)
    rs = np.random.RandomState(9)
    x, v = rs.randn(7), rs.randn(7)
    hvp = s2s.hvp(rosenbrock)
    np.testing.assert_allclose(hvp(x, v), rosenbrock_hvp_by_hand(x, v), rtol=1e-10)
    source = _code(hvp)
    for general in ("ones_like_output", "grad_reduce", "np.sum", "unbroadcast"):
        assert general not in source, source
    assert "200.0 * " in source  # the gradient's folded constant
    assert "+=" not in source and "add_at_inplace" not in source  # no adjoint updated in place
    g = s2s.grad(rosenbrock)
    g(x)

    def projected(z):
        return np.sum(g(z) * v)

    np.testing.assert_allclose(s2s.grad(projected)(x), rosenbrock_hvp_by_hand(x, v), rtol=1e-10)
    np.testing.assert_allclose(s2s.hessian(rosenbrock)(x) @ v, rosenbrock_hvp_by_hand(x, v), rtol=1e-10)
    np.testing.assert_allclose(g(x), rosenbrock_grad_by_hand(x), rtol=1e-12)


def test_a_tangent_difference_is_one_subtraction():
    def f(x):
        return np.sin(x[1:] - x[:-1] ** 2) - np.cos(-x[1:])

    rs = np.random.RandomState(10)
    x, v = rs.randn(6), rs.randn(6)
    jvp = s2s.jvp(f)
    value, tangent = jvp(x, v)
    eps = 1e-6
    np.testing.assert_allclose(tangent, (f(x + eps * v) - f(x - eps * v)) / (2 * eps), rtol=1e-6, atol=1e-8)
    assert "+ -" not in _code(jvp) and " - d" in _code(jvp)


def test_gradient_of_a_gradient_component():
    def first_component(x):
        return s2s.grad(chained)(x)[0] * x[1]

    x = np.random.RandomState(7).randn(4)
    np.testing.assert_allclose(s2s.grad(first_component)(x), numeric_grad(first_component, [x]), rtol=1e-6, atol=1e-7)


def _bound_and_read(source):
    """(names each statement of the generated function binds, names read after it)."""
    import ast

    fn = next(node for node in ast.parse(source).body if isinstance(node, ast.FunctionDef))
    statements = list(fn.body)
    for i, stmt in enumerate(statements):
        later = {n.id for s in statements[i + 1:] for n in ast.walk(s) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        bound = {t.id for t in getattr(stmt, "targets", []) if isinstance(t, ast.Name)}
        yield bound, later


def test_hvp_carries_no_tangent_of_the_seed_nor_dead_statements():
    # The gradient's seed and what is computed from it alone through arguments read
    # for their shape (grad_reduce(d, x), unbroadcast(d, like): declared constant_in)
    # vary with nothing: no zero tangent is made and multiplied through; a tangent
    # nothing reads (of the sum the seed only checks) is not computed; and the
    # gradient's own value is not returned: its backward sweep's dead statements (its
    # accumulation, its match_like) go, as dead adjoints do
    rs = np.random.RandomState(8)
    x, v = rs.randn(9), rs.randn(9)
    hvp = s2s.hvp(rosenbrock)
    np.testing.assert_allclose(hvp(x, v), rosenbrock_hvp_by_hand(x, v), rtol=1e-10)
    source = s2s.source(hvp)
    assert "tangent_zeros" not in source
    tangent_function = "\n".join(line for line in source[source.index("def rosenbrock_tangent"):].splitlines() if "del " not in line)
    for bound, later in _bound_and_read(tangent_function):
        assert bound <= later, (bound, tangent_function)
    assert source.count("add_at(") == 3  # the tangent's three, not the gradient's beside them


def fails_in_a_dead_statement(x):
    unused = x[:2] + x[:3]  # noqa: F841 - shapes (2,) and (3,): Python raises ValueError
    return np.sum(x ** 2)


def test_an_hvp_raises_where_the_function_raises():
    x, v = np.ones(4), np.ones(4)
    for derivative in (s2s.grad(fails_in_a_dead_statement), lambda x: s2s.hvp(fails_in_a_dead_statement)(x, v)):
        with pytest.raises(ValueError, match="broadcast"):
            derivative(x)


def saxpy(a, x, y):
    z = a * x + y
    z = a * z + y
    z = a * z + y
    return z


def rebound_in_a_branch(x, c):
    z = x * 2.0
    if c > 0.0:
        z = z * x  # saved only when the branch runs
    z = np.sin(z)
    return z * x


def calls_a_helper_that_rebinds(x, c):
    return rebound_in_a_branch(x, c) * 3.0  # the helper's sweeps are two functions, its saves on its tape


def test_straight_line_saves_are_names_not_a_stack():
    g = s2s.grad(saxpy)
    # d/da of a(a(ax + y) + y) + y
    expected = (0.7 * (0.7 * 1.1 - 0.4) - 0.4) + 0.7 * (0.7 * 1.1 - 0.4) + 0.7 * 0.7 * 1.1
    np.testing.assert_allclose(g(0.7, 1.1, -0.4), expected, rtol=1e-12)
    assert "_stack" not in s2s.source(g)


@pytest.mark.parametrize("f", [rebound_in_a_branch, calls_a_helper_that_rebinds])
@pytest.mark.parametrize("c", [1.0, -1.0])
def test_a_save_in_a_branch_taken_or_not(f, c):
    for x in (0.3, -1.2):
        np.testing.assert_allclose(s2s.grad(f)(x, c), numeric_grad(f, [x, c]), rtol=1e-6)
        value, pullback = s2s.vjp(f)(x, c)
        assert value == f(x, c)
        np.testing.assert_allclose(pullback(2.0), 2.0 * numeric_grad(f, [x, c]), rtol=1e-6)
        scale = 3.0 if f is calls_a_helper_that_rebinds else 1.0
        second = autograd.grad(autograd.grad(lambda t: _rebound_for_autograd(t, c) * scale))(x)
        np.testing.assert_allclose(s2s.grad(s2s.grad(f))(x, c), second, rtol=1e-9)
        np.testing.assert_allclose(s2s.hvp(f)(x, c, 0.5), 0.5 * second, rtol=1e-9)


def _rebound_for_autograd(x, c):
    """rebound_in_a_branch for autograd, the test-only oracle of its second derivative."""
    z = x * 2.0
    if c > 0.0:
        z = z * x
    return anp.sin(z) * x


def test_scalar_gradients_keep_the_argument_type():
    # floats take a shorter call path (api.Derivative._float_function): the gradient
    # still has its argument's type, whatever the generated code returned
    for wrt, expected in [(0, 0.7 * (0.7 * 1.1 - 0.4) - 0.4 + 0.7 * (0.7 * 1.1 - 0.4) + 0.7 * 0.7 * 1.1), (2, 1.0 + 0.7 + 0.49)]:
        g = s2s.grad(saxpy, wrt=wrt)
        for a in (0.7, np.float64(0.7)):
            args = [a, 1.1, -0.4]
            args[wrt] = type(a)(args[wrt])
            got = g(*args)
            assert type(got) is type(a) and np.isclose(got, expected, rtol=1e-12)
        value, grad = s2s.value_and_grad(saxpy, wrt=wrt)(0.7, 1.1, -0.4)
        assert value == saxpy(0.7, 1.1, -0.4) and np.isclose(grad, expected, rtol=1e-12)
    assert s2s.grad(saxpy)(0.7, x=1.1, y=-0.4) == s2s.grad(saxpy)(0.7, 1.1, -0.4)  # keywords: the general path


# --------------------------------------------------------------------------- what a loop's tape holds


def damped_sum(x, a):
    for _ in range(200):
        x = 0.99 * x + a  # the backward sweep reads x and 0.99 * x for their shapes only
    return x


def tanh_layers(x, a):
    for _ in range(4):
        x = np.tanh(x) * 0.9 + a  # the backward sweep reads tanh's value, and a scalar a broadcast
    return np.sum(x * x)


def test_a_loop_tape_keeps_stand_ins_for_shapes():
    x, a = np.array([0.3, -1.0, 2.0]), np.array([0.1, 0.2, 0.3])
    vjp = s2s.vjp(damped_sum)
    value, pullback = vjp(x, a)
    np.testing.assert_allclose(value, damped_sum(x, a))
    v = np.array([1.0, -2.0, 0.5])
    np.testing.assert_allclose(pullback(v), 0.99 ** 200 * v, rtol=1e-12)  # d x_200 / d x_0 = 0.99^200
    assert "_stack.append(shape_stand_in(x))" in s2s.source(vjp)
    # every trip's stand-in is one shared array: the tape grows by a reference per trip,
    # where it held two arrays (120 bytes each and more) per trip
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        value, pullback = vjp(x, a)
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert held < 200 * 2 * 40, held


@pytest.mark.parametrize("a", [0.2, np.array([0.1, -0.2, 0.3])])
def test_stand_ins_leave_values_the_backward_sweep_reads(a):
    x = np.array([0.3, -1.0, 2.0])
    g = s2s.grad(tanh_layers)
    np.testing.assert_allclose(g(x, a), numeric_grad(tanh_layers, [x, a]), rtol=1e-6)
    v = np.array([1.0, -0.5, 0.25])
    second = autograd.hessian_vector_product(_tanh_layers_for_autograd)(x, a, v)
    np.testing.assert_allclose(s2s.hvp(tanh_layers)(x, a, v), second, rtol=1e-9)


def _tanh_layers_for_autograd(x, a):
    """tanh_layers for autograd, the test-only oracle of its HVP."""
    for _ in range(4):
        x = anp.tanh(x) * 0.9 + a
    return anp.sum(x * x)


# --------------------------------------------------------------------------- release (passes/release.py)


def _peak_memory(function, *args):
    """The most memory (bytes, NumPy's arrays included) traced at once during the call."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        function(*args)
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


def test_arrays_are_released_after_their_last_read():
    # The HVP of Rosenbrock names some 50 arrays; held to the return, 33 were
    # alive at its peak (and faulted in again on each call once glibc trimmed them)
    x = np.random.RandomState(3).randn(20000)
    v = np.random.RandomState(4).randn(20000)
    hvp = s2s.hvp(rosenbrock)
    np.testing.assert_allclose(hvp(x, v), rosenbrock_hvp_by_hand(x, v), rtol=1e-10)
    assert _peak_memory(hvp, x, v) < 16 * x.nbytes  # 33 arrays before
    grad = s2s.grad(rosenbrock)
    np.testing.assert_allclose(grad(x), rosenbrock_grad_by_hand(x), rtol=1e-12)
    assert _peak_memory(grad, x) < 6 * x.nbytes  # 8 before
    assert "del " in s2s.source(grad)


def test_scalar_code_and_code_differentiated_again_keep_their_names():
    g = s2s.grad(saxpy)
    g(0.7, 1.1, -0.4)
    assert "del " not in s2s.source(g)  # a del would cost as much as the arithmetic
    assert "del " not in s2s.grad(rosenbrock).module().text  # the variant of any kinds: differentiated again


def _released(text):
    """`text`'s function after passes/release.py, its calls of builtins resolved as
    passes/resolve.py resolves them."""
    import builtins

    import gast

    from s2s import anno
    from s2s.passes import release
    from s2s.syntax import walk

    def resolved_then_released(fn):
        for node in walk(fn):
            if isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and hasattr(builtins, node.func.id):
                anno.set(node, "callee", getattr(builtins, node.func.id))
        return release.release_dead_names(fn)

    return _after(resolved_then_released, text)


def test_only_names_bound_on_every_path_and_read_by_no_closure_are_released():
    lines = _released("def f(x, c):\n    a = x * 2\n    b = a + 1\n    g = b * b\n    h = g + x\n    return h")
    assert lines[1:4] == ["a = x * 2", "b = a + 1", "del a"]
    assert "del b" in lines and "del g" not in lines  # g: the return frees it next
    assert "del x" not in lines  # a parameter's object is the caller's
    branch = "def f(x, c):\n    if c:\n        a = x * 2\n    else:\n        a = x\n    b = a + 1\n    g = b * x\n    return g"
    assert not any(line.startswith("del") and "a" in line.split() for line in _released(branch))
    closure = "def f(x):\n    a = x * 2\n    k = lambda: a\n    b = x + 1\n    g = b * x\n    return k() + g"
    assert not any("a" in line.replace(",", " ").split() for line in _released(closure) if line.startswith("del"))
    small = "def f(x):\n    s = slice(1, None)\n    b = x[s]\n    g = b * x\n    h = g * x\n    return h"
    assert not any(line.startswith("del") and " s" in line for line in _released(small))


def filled(x, y):
    for i in range(len(x)):
        y[i] = y[i] * 0.5 + x[i] ** 2
    return np.sum(y * x)


def test_an_element_stored_in_an_array_of_floats_is_read_back_as_it_is():
    # an array argument of known dimensions holds floats (activity.kind_of_value), which
    # store a value unrounded: its adjoint is read as `dy[i]`; an array of integers may
    # round it, and keeps the helper that gives a rounded value no derivative
    x = np.array([0.45, 1.3, 2.7])
    for y in (np.zeros(3), np.arange(3)):
        g = s2s.grad(filled)
        expected = numeric_grad(lambda x: filled(x, y.copy()), [x])  # filled writes into y
        np.testing.assert_allclose(g(x, y.copy()), expected, rtol=1e-6, atol=1e-9)
        assert ("take_grad(" in _code(g)) == (y.dtype.kind == "i")
