"""The ``okrpipe`` command line (SPEC 8): a thin shell over the library."""
