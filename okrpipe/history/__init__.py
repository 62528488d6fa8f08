"""Event-sourced time: figures as known at any moment, snapshots, lineage and diffs."""
