"""The edge node's config file (``kind: edge``): device, broker, video, model, place and rules.

Load it with :func:`load_edge_config`; the tunable part (``rules``) is the contract's
:class:`~contracts.tuning.Tunables`, so a server config push is validated the same way.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import AwareDatetime, Field, field_validator, model_validator

from contracts.base import DeviceId, Frozen, Label
from contracts.tuning import Permit, Schedule, Tunables, Zone
from edge.config_patrol import GpsLocation
from edge.config_sections import (
    Calibration,
    DeliverySettings,
    EventSettings,
    TrackingSettings,
    track_start_problems,
)
from streetwatch.mqtt_settings import MqttSettings, ca_file_problem
from streetwatch.yamlconf import load_config
from streetwatch.yamlerrors import KeyPath, errors_at


class DeviceSettings(Frozen):
    """Who this edge node is."""

    id: DeviceId = Field(title="Device id", description="Unique id; appears in every topic.")
    name: str = Field(
        min_length=1, max_length=100, title="Display name", description="Shown to operators."
    )


class _Source(Frozen):
    name: str = Field(
        "cam0",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$",
        title="Camera name",
        description="Names this camera in events (camera.source_id).",
    )


class FileSource(_Source):
    """A recorded video; frame time = ``start_time`` + the frame's presentation time."""

    kind: Literal["file"] = Field(title="Kind", description="A video file.")
    path: Path = Field(title="Video file", description="Path of the video file.")
    start_time: AwareDatetime = Field(
        title="Recording start",
        description="When the first frame was recorded, ISO 8601 with a UTC offset.",
    )


class ImagesSource(_Source):
    """A folder of still images in name order; image i is at ``start_time`` + i / ``fps``."""

    kind: Literal["images"] = Field(title="Kind", description="A folder of images.")
    path: Path = Field(title="Image folder", description="Folder of JPEG/PNG images.")
    fps: float = Field(gt=0.0, le=120.0, title="Frame rate", description="Images per second.")
    start_time: AwareDatetime = Field(
        title="Start time", description="Time of the first image, ISO 8601 with a UTC offset."
    )


class _LiveSource(_Source):
    reconnect_min_s: float = Field(
        1.0, gt=0.0, le=600.0, title="First retry", description="First reconnect delay, s."
    )
    reconnect_max_s: float = Field(
        30.0, gt=0.0, le=3600.0, title="Longest retry", description="Reconnect delay cap, s."
    )
    timeout_s: float = Field(
        5.0,
        gt=0.0,
        le=300.0,
        title="Timeout",
        description="Seconds without a frame before the stream counts as lost.",
    )

    @model_validator(mode="after")
    def _backoff_ordered(self) -> _LiveSource:
        if self.reconnect_min_s > self.reconnect_max_s:
            raise ValueError("reconnect_min_s is above reconnect_max_s")
        return self


class RtspSource(_LiveSource):
    """A network camera stream; frame time is the wall clock (UTC) at decode."""

    kind: Literal["rtsp"] = Field(title="Kind", description="An RTSP stream.")
    uri: str = Field(
        pattern=r"^rtsps?://\S+$", title="Stream URI", description="rtsp://user:pass@host/path."
    )
    transport: Literal["tcp", "udp"] = Field(
        "tcp", title="RTP transport", description="'tcp' (interleaved) or 'udp'."
    )


class HttpSource(_LiveSource):
    """A stream over HTTP(S) (MJPEG, MPEG-TS, HLS); frame time is the wall clock at decode."""

    kind: Literal["http"] = Field(title="Kind", description="An HTTP stream.")
    uri: str = Field(
        pattern=r"^https?://\S+$", title="Stream URI", description="http://host:port/path."
    )


class CameraSource(_LiveSource):
    """A local camera (V4L2); frame time is the wall clock (UTC) at capture."""

    kind: Literal["camera"] = Field(title="Kind", description="A local camera.")
    device: str = Field(
        "/dev/video0", min_length=1, title="Device", description="Device path or index, e.g. 0."
    )


Source = Annotated[
    FileSource | ImagesSource | RtspSource | HttpSource | CameraSource,
    Field(discriminator="kind"),
]


class ModelSettings(Frozen):
    """The detector; its class names come from the ONNX file's metadata."""

    path: Path = Field(title="Model file", description="Path of the .onnx detector.")
    providers: list[Annotated[str, Field(pattern=r"^[A-Za-z]+ExecutionProvider$")]] = Field(
        default_factory=lambda: ["CPUExecutionProvider"],
        min_length=1,
        title="Providers",
        description="ONNX Runtime execution providers, in order of preference.",
    )
    threads: int = Field(2, ge=1, le=64, title="Threads", description="Intra-op CPU threads.")

    @field_validator("path")
    @classmethod
    def _is_onnx(cls, value: Path) -> Path:
        if value.suffix.lower() != ".onnx":
            raise ValueError(f"model path {str(value)!r} must name an .onnx file")
        return value


class DetectionSettings(Frozen):
    """How often the detector runs."""

    rate_hz: float = Field(
        5.0, gt=0.0, le=60.0, title="Detection rate", description="Frames detected per second."
    )
    queue_frames: int = Field(
        4,
        ge=1,
        le=256,
        title="Decode queue",
        description="Frames waiting for the detector; a live source drops frames when full, "
        "a file waits.",
    )


class StaticLocation(Frozen):
    """A fixed camera: every event carries this surveyed position (fix ``static``)."""

    mode: Literal["static"] = Field(title="Mode", description="A fixed position.")
    lat: float = Field(ge=-90.0, le=90.0, title="Latitude", description="WGS-84 degrees.")
    lon: float = Field(ge=-180.0, le=180.0, title="Longitude", description="WGS-84 degrees.")
    calibration: Calibration | None = Field(
        None,
        title="Ground calibration",
        description="Four or more image-to-ground points; each violation then gets its own "
        "position, else the camera's.",
    )

    @model_validator(mode="after")
    def _calibration_points_distinct(self) -> StaticLocation:
        pixels = [point.pixel for point in self.calibration or []]
        if len(set(pixels)) != len(pixels):
            raise ValueError("calibration lists the same image point twice")
        return self


Location = Annotated[StaticLocation | GpsLocation, Field(discriminator="mode")]


class OutboxSettings(Frozen):
    """The durable queue of events waiting for the server's commit-ack."""

    path: Path = Field(Path("data/outbox.sqlite3"), title="Outbox file", description="SQLite file.")
    max_bytes: int = Field(
        2 * 1024**3,
        ge=1024**2,
        title="Size budget",
        description="Bytes the outbox may use; evidence is dropped first when full.",
    )


class EvidenceSettings(Frozen):
    """How evidence images are cut and encoded."""

    jpeg_quality: int = Field(85, ge=1, le=100, title="JPEG quality", description="1..100.")
    crop_padding: float = Field(
        0.15, ge=0.0, le=1.0, title="Crop padding", description="Margin around the box."
    )
    max_width: int = Field(
        1920,
        ge=64,
        le=8192,
        title="Frame width",
        description="Evidence frames wider than this are scaled down, pixels.",
    )
    crop_max_width: int = Field(
        640, ge=32, le=8192, title="Crop width", description="Largest crop width, pixels."
    )
    annotated_dir: Path | None = Field(
        None,
        title="Annotated copies",
        description="Folder for annotated display copies (box, label, time, place); they are "
        "never sent and never replace the clean evidence.",
    )


class TaxonomyEntry(Frozen):
    """A violation class in the city's case taxonomy."""

    code: str = Field(
        pattern=r"^[0-9A-Za-z._-]{1,32}$",  # as ViolationEvent.taxonomy_code
        title="Taxonomy code",
        description="The city's code for this kind of case; events carry it.",
    )
    name_zh: str = Field(
        min_length=1, max_length=64, title="Chinese name", description="e.g. 暴露垃圾."
    )


class EdgeConfig(Frozen):
    """The config file of one edge node.

    The top-level ``kind: edge`` tells it from a server config (``kind: server``):
    ``streetwatch config check`` picks the model by that key, and loading a server file
    as an edge config fails on it.
    """

    version: Literal[1] = Field(title="Version", description="Format of this file; always 1.")
    kind: Literal["edge"] = Field(title="Kind", description="'edge' for an edge node.")
    device: DeviceSettings = Field(title="Device", description="Identity of this node.")
    mqtt: MqttSettings = Field(title="MQTT", description="Broker connection.")
    source: Source = Field(title="Video source", description="file, images, rtsp or camera.")
    model: ModelSettings = Field(title="Model", description="The ONNX detector.")
    detection: DetectionSettings = Field(
        default_factory=DetectionSettings, title="Detection", description="Detection rate."
    )
    location: Location = Field(title="Location", description="static position or gps.")
    timezone: str = Field(
        "Asia/Shanghai",
        title="Time zone",
        description="IANA zone of schedules, permits and geo-fence windows and dates.",
    )
    outbox: OutboxSettings = Field(
        default_factory=OutboxSettings, title="Outbox", description="Durable event queue."
    )
    evidence: EvidenceSettings = Field(
        default_factory=EvidenceSettings, title="Evidence", description="Evidence images."
    )
    heartbeat_s: float = Field(
        30.0, ge=1.0, le=3600.0, title="Heartbeat", description="Seconds between heartbeats."
    )
    reload_s: float = Field(
        2.0,
        ge=0.1,
        le=3600.0,
        title="Reload check",
        description="Seconds between checks of this file for changed rules.",
    )
    tracking: TrackingSettings = Field(
        default_factory=TrackingSettings, title="Tracking", description="The object tracker."
    )
    events: EventSettings = Field(
        default_factory=EventSettings,
        title="Events",
        description="Lifecycle, dedup and near-miss samples.",
    )
    delivery: DeliverySettings = Field(
        default_factory=DeliverySettings,
        title="Delivery",
        description="Publishing and draining the outbox.",
    )
    taxonomy: dict[Label, TaxonomyEntry] = Field(
        min_length=1, title="Taxonomy", description="Code and name of each violation class."
    )
    rules: Tunables = Field(
        default_factory=Tunables, title="Rules", description="Thresholds, zones, schedules."
    )

    @property
    def client_id(self) -> str:
        """The MQTT client id: ``mqtt.client_id`` or else the device id."""
        return self.mqtt.client_id or self.device.id

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            if not available_timezones():
                raise ValueError("this machine has no time zone database; install tzdata") from None
            raise ValueError(f"unknown time zone {value!r}; use an IANA name") from None
        return value

    @model_validator(mode="after")
    def _rule_classes_in_taxonomy(self) -> EdgeConfig:
        problems = [
            (("rules", *keys), f"class {label!r} is not in taxonomy; add it there with its code")
            for keys, label in class_references(self.rules)
            if label not in self.taxonomy
        ]
        if problems:
            raise errors_at(type(self).__name__, problems)
        return self

    @model_validator(mode="after")
    def _tracks_start_at_min_score(self) -> EdgeConfig:
        problems = track_start_problems(self.tracking.high_score, self.rules.classes)
        if problems:
            raise errors_at(type(self).__name__, problems)
        return self

    @model_validator(mode="after")
    def _ca_file_usable(self) -> EdgeConfig:
        problem = ca_file_problem(self.mqtt.ca_file) if self.mqtt.ca_file else None
        if problem is not None:
            message = f"{self.mqtt.ca_file} cannot be used: {problem}"
            raise errors_at(type(self).__name__, [(("mqtt", "ca_file"), message)])
        return self


def class_references(rules: Tunables) -> Iterator[tuple[KeyPath, str]]:
    """Yield where in ``rules`` each class name appears, and the name."""
    for label in rules.classes:
        yield ("classes", label), label
    groups: list[tuple[str, Sequence[Zone | Schedule | Permit]]] = [
        ("zones", rules.zones),
        ("schedules", rules.schedules),
        ("permits", rules.permits),
    ]
    for field, items in groups:
        for index, item in enumerate(items):
            for position, label in enumerate(item.classes):
                yield (field, index, "classes", position), label


def load_edge_config(path: Path) -> EdgeConfig:
    """Load and validate an edge config file.

    Raises:
        streetwatch.yamlconf.ConfigError: the file is not a valid edge config.
    """
    return load_config(path, EdgeConfig)


__all__ = [
    "CameraSource",
    "DetectionSettings",
    "DeviceSettings",
    "EdgeConfig",
    "EvidenceSettings",
    "FileSource",
    "GpsLocation",
    "HttpSource",
    "ImagesSource",
    "ModelSettings",
    "OutboxSettings",
    "RtspSource",
    "Source",
    "StaticLocation",
    "TaxonomyEntry",
    "class_references",
    "load_edge_config",
]
