"""The serving database that BI tools read while the pipeline writes (SPEC 10)."""
