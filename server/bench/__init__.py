"""``streetwatch bench server``: ingest throughput against bare MQTT, and latency."""
