"""Ingestion: input files become batches of the append-only event log (SPEC 1-3)."""
