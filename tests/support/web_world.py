"""A review-UI world: users, street-scene evidence and cases made through real ingest.

The scene images are drawn with OpenCV (a street, a kerb, shop fronts and a garbage pile
at the event's box), so screenshots of the case page look like real evidence. A small
cookie-keeping HTTP client logs in through the real login form.
"""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np

from contracts import EvidenceKind, ViolationEvent, encode, examples
from server.domain.roles import Role
from server.services.context import ServerContext
from server.services.ingest import IngestService
from server.services.users import UserService
from support.api_server import Reply
from support.messages import example_heartbeat, example_status
from support.server_harness import TOPICS, event_at, inbound_event, inbound_evidence, inbound_raw

PASSWORD = "correct-horse-battery"
USERS = {"viewer": Role.VIEWER, "operator": Role.OPERATOR, "admin": Role.ADMIN}
FRAME_SIZE = (960, 540)
"""(width, height) of the scene frame: half the 1920x1080 camera frame of the events."""
XH1 = (31.19345, 121.43712)  # grid XH-CX-01: garbage goes to xuhui-sanitation
HP = (31.230416, 121.473701)  # grid HP-NJ-01: anything goes to huangpu-enforcement
CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')


def add_users(ctx: ServerContext) -> None:
    """Create the users ``viewer``, ``operator`` and ``admin`` with :data:`PASSWORD`."""
    service = UserService(ctx)
    for name, role in USERS.items():
        service.create(name, role, PASSWORD)


@cache
def street_scene(seed: int) -> tuple[bytes, bytes]:
    """Return (frame, crop) JPEGs of a street with a garbage pile inside the example box."""
    width, height = FRAME_SIZE
    rng = np.random.default_rng(seed)
    img = np.zeros((height, width, 3), np.uint8)
    img[:] = (92, 88, 84)  # asphalt (BGR)
    img[: height // 3] = (205, 190, 170)  # sky/buildings band
    for x in range(0, width, 120):  # shop fronts
        tone = tuple(int(v) for v in rng.integers(90, 200, 3))
        cv2.rectangle(img, (x + 6, 20), (x + 112, height // 3 + 40), tone, -1)
        cv2.rectangle(img, (x + 20, 60), (x + 98, height // 3 + 30), (60, 60, 60), -1)
    cv2.rectangle(img, (0, height // 3 + 40), (width, height // 3 + 150), (170, 170, 165), -1)
    cv2.line(img, (0, height // 3 + 150), (width, height // 3 + 150), (230, 230, 230), 4)
    for x in range(0, width, 90):  # lane markings
        cv2.line(img, (x, height - 60), (x + 50, height - 60), (235, 235, 235), 5)
    noise = rng.normal(0, 6, img.shape).astype(np.int16)
    img = np.clip(img.astype(np.int16) + noise, 0, 255).astype(np.uint8)
    box = examples.event().camera.box
    x1, y1, x2, y2 = (int(v / 2) for v in (box.x1, box.y1, box.x2, box.y2))
    for _ in range(14):  # the garbage pile: bags and boxes inside the box
        cx, cy = int(rng.integers(x1 + 15, x2 - 15)), int(rng.integers(y1 + 30, y2 - 12))
        colour = tuple(int(v) for v in rng.integers(20, 230, 3))
        cv2.ellipse(
            img,
            (cx, cy),
            (int(rng.integers(12, 28)), int(rng.integers(10, 20))),
            0,
            0,
            360,
            colour,
            -1,
        )
    cv2.rectangle(img, (x1 + 10, y1 + 20), (x1 + 50, y1 + 60), (40, 120, 190), -1)
    ok_frame, frame = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 85])
    ok_crop, crop = cv2.imencode(".jpg", img[y1:y2, x1:x2], [cv2.IMWRITE_JPEG_QUALITY, 90])
    assert ok_frame and ok_crop
    return bytes(frame.tobytes()), bytes(crop.tobytes())


def scene_event(
    device_id: str,
    place: tuple[float, float],
    seed: int,
    *,
    label: str = "garbage",
    violation_id: str | None = None,
) -> ViolationEvent:
    """Return an event at ``place`` whose evidence is the street scene of ``seed``."""
    frame, crop = street_scene(seed)
    base = event_at(device_id, place=place, label=label, violation_id=violation_id)
    crop_w, crop_h = _size(crop)
    evidence = [
        examples.evidence_item(EvidenceKind.FRAME, frame, *FRAME_SIZE),
        examples.evidence_item(EvidenceKind.CROP, crop, crop_w, crop_h),
    ]
    return ViolationEvent.model_validate({**base.model_dump(), "evidence": evidence})


def _size(jpeg: bytes) -> tuple[int, int]:
    decoded = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert decoded is not None
    return int(decoded.shape[1]), int(decoded.shape[0])


def ingest_scene(ctx: ServerContext, event: ViolationEvent, seed: int) -> None:
    """Ingest ``event`` and its scene evidence through the real ingest service."""
    frame, crop = street_scene(seed)
    data = {EvidenceKind.FRAME: frame, EvidenceKind.CROP: crop}
    messages = [inbound_event(event)] + [
        inbound_evidence(event, item.kind, data[item.kind]) for item in event.evidence
    ]
    IngestService(ctx).process(messages)


def ingest_heartbeat(ctx: ServerContext, device_id: str) -> None:
    """Ingest the online status and one heartbeat of ``device_id`` (it then shows online)."""
    status, beat = example_status(device_id), example_heartbeat(device_id)
    IngestService(ctx).process(
        [
            inbound_raw(TOPICS.status(device_id), encode(status)),
            inbound_raw(TOPICS.heartbeat(device_id), encode(beat)),
        ]
    )


@dataclass
class WebClient:
    """A browser-like HTTP client: keeps cookies, does not follow redirects."""

    base: str

    def __post_init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def get(self, path: str) -> Reply:
        """GET ``path``."""
        return self._send(urllib.request.Request(self.base + path))

    def post(self, path: str, form: dict[str, str]) -> Reply:
        """POST a urlencoded form."""
        data = urllib.parse.urlencode(form).encode()
        request = urllib.request.Request(self.base + path, data, method="POST")
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        return self._send(request)

    def request(self, method: str, path: str, data: bytes | None = None) -> Reply:
        """Send any method with an optional JSON body."""
        request = urllib.request.Request(self.base + path, data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        return self._send(request)

    def csrf(self, path: str) -> str:
        """Return the CSRF token in the forms of the page at ``path``."""
        found = CSRF_RE.search(self.get(path).body.decode())
        assert found, f"no CSRF field on {path}"
        return found.group(1)

    def login(self, name: str, password: str = PASSWORD) -> Reply:
        """Log in through the form; return the answer to the post."""
        token = self.csrf("/ui/login")
        form = {"username": name, "password": password, "csrf": token, "next": "/ui/queue"}
        return self.post("/ui/login", form)

    def _send(self, request: urllib.request.Request) -> Reply:
        try:
            with self.opener.open(request, timeout=10) as answer:
                return Reply(answer.status, answer.read(), dict(answer.headers))
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read(), dict(error.headers))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None
