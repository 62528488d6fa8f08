"""okrpipe: an event-sourced KPI and OKR metrics pipeline on DuckDB.

The package is the functional core. It never imports Prefect (flows/ does) and imports
Great Expectations only inside :mod:`okrpipe.validation.gx_runner`.
"""

__version__ = "0.1.0"
