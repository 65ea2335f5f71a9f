"""The service layer: the only code that writes rows. The MQTT consumer and the API call it."""
