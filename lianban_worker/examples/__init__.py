"""Example workers (docs/integration.md#external-tasks)."""
