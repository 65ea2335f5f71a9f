"""Multi-object tracking: a compact ByteTrack (see :mod:`edge.tracking.bytetrack`)."""
