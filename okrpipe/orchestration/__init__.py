"""The library side of the Prefect flows in ``flows/``.

Every function here is plain okrpipe code (no Prefect import): the flows are thin wrappers
whose tasks each call one of these functions, so the same steps run, and are tested, with
or without an orchestrator.
"""
