"""The MQTT side of ingest: subscribe, batch, hand batches to the service, send commit-acks."""
