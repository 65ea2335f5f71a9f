"""Position providers of a moving camera: GPX tracks, NMEA 0183, gpsd and static positions."""
