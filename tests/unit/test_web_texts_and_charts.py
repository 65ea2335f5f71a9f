"""Review UI pieces without a server: texts in both languages, SVG charts, sightings."""

from __future__ import annotations

import json
import re

from contracts import encode, examples
from server.services.review_reads import sighting_of
from server.web.charts import Bar, Point, bars, point_map
from server.web.gcj02 import wgs84_to_gcj02
from server.web.i18n import _EN, _ZH, Texts, pick_language
from server.web.session import safe_next


def test_both_languages_have_every_text() -> None:
    assert set(_EN) == set(_ZH)
    assert Texts("zh")("confirm") == "立案" and Texts("en")("confirm") == "Confirm (立案)"
    assert Texts("zh").status("rejected") == "注销" and Texts("en").status("rejected") == "Rejected"
    assert Texts("zh").reason("false_positive") == "误报"
    assert Texts("fr")("queue") == "待审队列"  # unknown language: the default, Chinese
    assert pick_language("en") == "en" and pick_language(None) == "zh"
    assert Texts("en")("no-such-key") == "no-such-key"


def test_bars_scale_to_the_largest_and_escape_labels() -> None:
    svg = str(bars([Bar("<script>", 2, "2"), Bar("garbage", 4, "4")], title="t"))
    widths = [
        float(w)
        for w in re.findall(r'class="chart-track" rx="3"/><rect [^>]*width="([\d.]+)"', svg)
    ]
    assert widths == [180.0, 360.0]
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    rates = str(bars([Bar("rate", 0.25, "25%")], scale=1.0))
    assert 'width="90.0"' in rates
    assert str(bars([])) == ""


def test_point_map_puts_north_up_and_east_right() -> None:
    centre = Point(31.2, 121.4, "case", "#1")
    north_east = Point(31.2 + 20 / 111_195, 121.4 + 0.0002, "event", "a & b")
    svg = str(point_map([centre, north_east]))
    circles = re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)" r="(\d+)" class="pm-(\w+)"', svg)
    (cx0, cy0, _, kind0), (cx1, cy1, _, kind1) = circles
    assert (kind0, kind1) == ("case", "event")
    assert float(cx1) > float(cx0) and float(cy1) < float(cy0)
    assert "a &amp; b" in svg and "10 m" in svg


def test_sighting_reads_box_and_model_from_the_stored_payload() -> None:
    event = examples.event()
    sighting = sighting_of(event.event_id, encode(event).decode())
    assert sighting is not None
    assert sighting.model_name == "streetwatch-yolov8n" and sighting.config_version == 3
    left, top, width, height = sighting.box_percent()
    assert round(left, 2) == round(100 * 812 / 1920, 2)
    assert round(top + height, 2) == round(100 * 866 / 1080, 2)
    assert width > 0 and height > 0
    broken = json.dumps({"camera": {"frame_width": 0}})
    assert sighting_of("x", broken) is None and sighting_of("x", "not json") is None


def test_after_login_only_local_ui_paths() -> None:
    assert safe_next("/ui/cases/3?x=1") == "/ui/cases/3?x=1"
    bad_targets = ("https://evil.example/", "//evil.example/ui/", "/api/v1/cases", None)
    for bad in (*bad_targets, "/ui\\..\\", "/ui/login?next=/ui/login", "/ui/lang/en"):
        assert safe_next(bad) == "/ui/queue"
    back = "/ui/login?next=/ui/cases/1"
    assert safe_next(back, allow_login=True) == back  # the language switch on the login form


def test_gcj02_shifts_points_in_china_only() -> None:
    lat, lon = wgs84_to_gcj02(31.1774276, 121.5272106)  # the published eviltransform example
    assert abs(lat - 31.17530398364597) < 1e-9 and abs(lon - 121.531541859215) < 1e-9
    assert wgs84_to_gcj02(48.8584, 2.2945) == (48.8584, 2.2945)  # Paris: unchanged
