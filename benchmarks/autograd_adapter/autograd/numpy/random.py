"""autograd.numpy.random is numpy.random."""
from .._delegate import delegate

delegate(globals(), "numpy.random")
