"""Synthetic street scenes: the project's own data for street vending, garbage and signage.

A ground-plane compositor (numpy, OpenCV and optionally Pillow for CJK text; no torch): a
straight street with buildings is populated with procedurally drawn objects — violations,
look-alike negatives and clutter — and viewed through a pinhole camera on a pole or a patrol
e-bike. Every view knows exactly which object shows where and how much of it is visible.

Entry points:

* :func:`training.synth.sample.make_image_sample` — one random still from ``(seed, index)``.
* :func:`training.synth.dataset.write_dataset` — a YOLO dataset with truth and counts.
* :func:`training.synth.video.write_clip` — an MP4 with per-frame truth and a GPX track.

Same seed and options give byte-identical labels and identical pixels.
"""
