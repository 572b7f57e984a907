"""Cleaners, one module per dataset. Each module declares ``DATASETS`` (see ``datasets``).

A cleaner is a pure function of its input DataFrame(s) plus explicit options: no file
I/O, no globals, so it runs the same on a user's file, the shipped data, or a partition.
"""
