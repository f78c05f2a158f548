"""autograd.builtins: Python's own containers (s2s differentiates them as they are)."""
import builtins

dict, list, tuple, isinstance, type = builtins.dict, builtins.list, builtins.tuple, builtins.isinstance, builtins.type
