"""The YAML file layer: the strict loader (what every reader reads the same way),
writing scalars back as YAML text, and splicing text at node positions.
"""
