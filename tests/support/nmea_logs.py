"""Hand-made NMEA 0183 sentences and logs (with correct checksums) for position tests."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

RIDE_START = datetime(2024, 6, 1, 8, 0, tzinfo=timezone.utc)
LAT0, LON0 = 31.2286, 121.4753


def sentence(body: str) -> str:
    """Return ``$body*CK`` with its XOR checksum."""
    checksum = 0
    for char in body:
        checksum ^= ord(char)
    return f"${body}*{checksum:02X}"


def _ddmm(value: float, width: int) -> str:
    degrees = int(value)
    minutes = (value - degrees) * 60.0
    return f"{degrees:0{width}d}{minutes:07.4f}"


def epoch(
    when: datetime,
    lat: float | None,
    lon: float | None,
    *,
    talker: str = "GN",
    course: float = 0.0,
    knots: float = 10.0,
    satellites: int = 8,
    hdop: float = 0.9,
) -> list[str]:
    """Return the RMC, GGA and VTG sentences of one epoch (no fix when lat is None)."""
    hms = when.strftime("%H%M%S.") + f"{when.microsecond // 10000:02d}"
    day = when.strftime("%d%m%y")
    if lat is None or lon is None:
        return [
            sentence(f"{talker}RMC,{hms},V,,,,,,,{day},,,N"),
            sentence(f"{talker}GGA,{hms},,,,,0,00,,,M,,M,,"),
        ]
    la, lo = _ddmm(lat, 2), _ddmm(lon, 3)
    return [
        sentence(f"{talker}RMC,{hms},A,{la},N,{lo},E,{knots:.1f},{course:.1f},{day},,,A"),
        sentence(f"{talker}GGA,{hms},{la},N,{lo},E,1,{satellites:02d},{hdop:.1f},10.0,M,0.0,M,,"),
        sentence(f"{talker}VTG,{course:.1f},T,,M,{knots:.1f},N,{knots * 1.852:.1f},K,A"),
    ]


def northbound_ride(seconds: int, *, gap: tuple[int, int] | None = None) -> list[str]:
    """Return a ride due north at 5.144 m/s (10 kn), one epoch a second; ``gap`` (from, to)
    seconds are epochs without a fix."""
    lines = []
    for second in range(seconds):
        when = RIDE_START + timedelta(seconds=second)
        lat = LAT0 + second * 5.144 / 111_319.5
        lost = gap is not None and gap[0] <= second < gap[1]
        talker = ("GN", "GP", "BD", "GB")[second % 4]
        lines += epoch(when, None if lost else lat, None if lost else LON0, talker=talker)
    return lines


def write_log(path: Path, lines: list[str]) -> Path:
    """Write an NMEA log file (CRLF line ends, as a receiver sends them)."""
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("ascii"))
    return path
