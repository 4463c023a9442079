"""Snapshots of a registry: the protocol every reader works on, a commit read from
Git's object database, and the files of a working tree.
"""
