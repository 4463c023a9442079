"""Editing: proposals (new bytes for model files, judged before writing), the
operations that build them, the model-file editor, and where they are written.
"""
