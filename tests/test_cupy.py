"""Derivatives of the README's array programs on CuPy (GPU) arrays: the results are
CuPy arrays, computed on the device, equal to NumPy's to 1e-10. CuPy refuses to
convert its arrays to NumPy implicitly, so any helper that did would fail here.
Skipped where CuPy or a CUDA device is absent."""
import pytest
from conftest import leaves
from test_array_programs import assert_close, cases, run_case

cp = pytest.importorskip("cupy")


def _has_device():
    try:
        return cp.cuda.runtime.getDeviceCount() > 0
    except Exception:  # no driver, no runtime library: CuPy raises its own errors
        return False


pytestmark = pytest.mark.skipif(not _has_device(), reason="CuPy is installed but no CUDA device is available")


@pytest.mark.parametrize("name, placement, derivative", list(cases(("all",))))
def test_derivative_on_cupy_stays_on_the_device_and_matches_numpy(name, placement, derivative):
    got, want = run_case(name, placement, derivative, cp.asarray)
    assert all(isinstance(leaf, cp.ndarray) for leaf in leaves(got)), [type(leaf) for leaf in leaves(got)]
    assert_close([cp.asnumpy(leaf) for leaf in leaves(got)], want)
