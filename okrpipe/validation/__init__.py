"""Validation of every batch against the event contract, an expectation suite run by Great
Expectations (SPEC 3). Only :mod:`okrpipe.validation.gx_engine` imports great_expectations."""
