"""From violations to events: quality score, lifecycle and dedup, samples, event payloads."""
