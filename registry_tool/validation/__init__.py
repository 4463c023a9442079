"""Validation: the rules (one module per concern under ``rules/``), the engine that
runs them on a snapshot, a change or a range of commits, and its report.
"""
