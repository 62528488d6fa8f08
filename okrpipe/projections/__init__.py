"""Projections: the tables derived from the event log and the definitions (SPEC 5-7)."""
