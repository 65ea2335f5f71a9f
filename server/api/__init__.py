"""The HTTP API (FastAPI): cases, evidence, devices, KPIs, Open311, metrics and health."""
