"""The rule library: one adjoint (reverse) and one tangent (forward) rule per primitive.

Each module reads like a table of calculus. In a rule, the first parameter names the
primitive's result, the others its arguments, and `d[name]` is the derivative of a
name. Adjoint rules assign `d[arg]` from `d[result]`; tangent rules assign `d[result]`
as a sum of terms each linear in one `d[arg]`, so terms of inactive arguments drop out.
Rules are inlined into generated code, which may itself be differentiated again: a
rule may call only functions that have rules of their own.
"""
