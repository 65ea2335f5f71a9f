"""Delivery to the case-creator: the MQTT link, the outbox sender, heartbeats, config pushes."""
