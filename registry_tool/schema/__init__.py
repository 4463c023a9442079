"""The JSON Schemas shipped with the package: loading them, the compiled fast check,
and schema violations in our own words with line and column.
"""
