"""okrpipe's Prefect flows: the pipeline, the key-result refresh and the weekly review.

The flows are thin: each task calls one library function of ``okrpipe`` (mostly
``okrpipe.orchestration``); the library never imports Prefect. ``prefect.yaml`` (project
root) deploys them to a process work pool.
"""

from __future__ import annotations

import os

# Prefect's telemetry thread logs "database is locked" tracebacks and tries a DNS lookup
# (STACK.md); the servers these processes start (ephemeral, test) inherit the setting.
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
