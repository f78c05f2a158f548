"""A pytest plugin for the adapter run: a test still running after S2S_TEST_SECONDS
(default 120) fails with TimeoutError, so one slow test cannot stall the count."""
import os
import signal

import pytest


def _expire(signum, frame):
    raise TimeoutError(f"the adapter's limit of {os.environ.get('S2S_TEST_SECONDS', '120')} s per test")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    signal.signal(signal.SIGALRM, _expire)
    signal.alarm(int(os.environ.get("S2S_TEST_SECONDS", "120")))
    try:
        yield
    finally:
        signal.alarm(0)
