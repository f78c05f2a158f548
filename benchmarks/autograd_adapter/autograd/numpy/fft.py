"""autograd.numpy.fft is numpy.fft."""
from .._delegate import delegate

delegate(globals(), "numpy.fft")
