"""Every reporter: data in, strings out. Each command's formats sit in a registry
that also feeds its ``--format`` choices.
"""
