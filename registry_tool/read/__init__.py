"""The read path: the registry at a revision as typed objects (the Python API), its
JSON documents, and the semantic diff between two snapshots.
"""
