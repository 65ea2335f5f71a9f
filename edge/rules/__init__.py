"""The rules that decide which tracked detections are violations.

One small module per rule: :mod:`~edge.rules.shape` (instant score, area, aspect),
:mod:`~edge.rules.zones` (image zones and anchor points), :mod:`~edge.rules.dwell`,
:mod:`~edge.rules.schedules`, :mod:`~edge.rules.permits`, :mod:`~edge.rules.confirm`
(track-level median score); :mod:`~edge.rules.engine` applies them in order.
"""
