"""The zone-drawing helper: grab a frame, draw the configured zones, add a zone to a config."""
