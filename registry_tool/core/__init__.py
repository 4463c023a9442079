"""Pure values: the model, the policy, findings, semantic changes and rule ids.

No I/O, no YAML, no Git: everything else is built on these.
"""
