"""Does the server hold exactly the cases the clips call for?

Each case is matched to the nearest true object of its class, in either clip, within the clip's
position accuracy. The demo succeeds when every expected object has a case of its class within
that accuracy (objects of one class closer than the server's case radius share a case, as the
server clusters them), no case matches a forbidden object or nothing at all, and no object is
the nearest of two cases.
"""

from __future__ import annotations

from dataclasses import dataclass

from edge.position.fixes import distance_m
from server.services.views import CaseSummary
from streetwatch.demo.scenario import Clip
from training.synth.truth import ObjectTruth


@dataclass(frozen=True)
class Match:
    """A case and the object it reports (None: no object of its class near it)."""

    case: CaseSummary
    clip: str | None
    object_id: int | None
    distance_m: float | None


@dataclass(frozen=True)
class Outcome:
    """How the cases compare with the clips' expectations."""

    matches: tuple[Match, ...]
    missing: tuple[tuple[str, int], ...]
    unexpected: tuple[Match, ...]
    duplicates: tuple[tuple[str, int], ...]
    expected: int

    @property
    def exact(self) -> bool:
        """Every expected violation has exactly one case and there is no other case."""
        return not (self.missing or self.unexpected or self.duplicates)


def match_case(case: CaseSummary, clips: tuple[Clip, ...]) -> Match:
    """The nearest true object of the case's class within its clip's accuracy."""
    best: Match = Match(case, None, None, None)
    for clip in clips:
        for obj in clip.truth.objects:
            if obj.class_name != case.label:
                continue
            far = distance_m(obj.lat, obj.lon, case.lat, case.lon)
            if far <= clip.accuracy_m and (best.distance_m is None or far < best.distance_m):
                best = Match(case, clip.kind, obj.object_id, far)
    return best


def _covered(obj: ObjectTruth, clip: Clip, cases: list[CaseSummary]) -> bool:
    return any(
        case.label == obj.class_name
        and distance_m(obj.lat, obj.lon, case.lat, case.lon) <= clip.accuracy_m
        for case in cases
    )


def compare(cases: list[CaseSummary], clips: tuple[Clip, ...]) -> Outcome:
    """Compare the server's cases with what the clips contain."""
    matches = tuple(match_case(case, clips) for case in cases)
    seen: dict[tuple[str, int], int] = {}
    unexpected = []
    for match in matches:
        if match.clip is None or match.object_id is None:
            unexpected.append(match)
            continue
        clip = next(c for c in clips if c.kind == match.clip)
        if match.object_id not in clip.expectation.allowed():
            unexpected.append(match)
        key = (match.clip, match.object_id)
        seen[key] = seen.get(key, 0) + 1
    missing = tuple(
        (clip.kind, obj.object_id)
        for clip in clips
        for obj in clip.truth.objects
        if obj.object_id in clip.expectation.expected and not _covered(obj, clip, cases)
    )
    duplicates = tuple(key for key, count in seen.items() if count > 1)
    expected = sum(len(c.expectation.expected) for c in clips)
    return Outcome(matches, missing, tuple(unexpected), duplicates, expected)
