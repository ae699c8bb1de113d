"""Voice delivery cues from the audio: pitch variation, loudness variation, speaking time.

Pitch and intensity come from Praat's algorithms through praat-parselmouth. These are cues
about delivery (a flat voice, a quiet one), not a reading of emotion. Detectors sit behind
``CueDetector`` so another one (an emotion model, say) can be added to ``DETECTORS`` later;
its output lands in ``Voice.cues`` under its name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from interviewsense.audio.vad import Region
from interviewsense.domain import Component, Voice
from interviewsense.scoring.curves import rising, scaled
from interviewsense.scoring.rubric import Rubric

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

SAMPLE_RATE = 16_000
MIN_VOICED_FRAMES = 30  # 0.3 s of voiced speech at a 10 ms step


class CueDetector(Protocol):
    name: str

    def detect(self, samples: npt.NDArray[np.float32], regions: list[Region]) -> dict[str, Any]:
        """Measurements from the answer's audio; keys and units are the detector's own."""
        ...


class ProsodyDetector:
    """F0 (semitones around the speaker's median) and intensity (dB), via Praat."""

    name = "prosody"

    def detect(self, samples: npt.NDArray[np.float32], regions: list[Region]) -> dict[str, Any]:
        import numpy as np
        import parselmouth

        sound = parselmouth.Sound(samples.astype(np.float64), sampling_frequency=SAMPLE_RATE)
        pitch = sound.to_pitch(time_step=0.01, pitch_floor=75.0, pitch_ceiling=500.0)
        f0 = pitch.selected_array["frequency"]
        f0 = f0[f0 > 0]
        out: dict[str, Any] = {"voiced_frames": int(f0.size)}
        if f0.size >= MIN_VOICED_FRAMES:
            median = float(np.median(f0))
            st = 12.0 * np.log2(f0 / median)
            out["pitch_median_hz"] = round(median, 1)
            out["pitch_sd_semitones"] = round(float(np.std(st)), 2)
            p10, p90 = np.percentile(st, [10, 90])
            out["pitch_range_semitones"] = round(float(p90 - p10), 2)
        intensity = sound.to_intensity(minimum_pitch=75.0, time_step=0.01)
        db = intensity.values[0]
        times = np.asarray(intensity.xs())
        if regions:
            mask = np.zeros(times.shape, dtype=bool)
            for start, end in regions:
                mask |= (times >= start) & (times <= end)
            db = db[mask]
        finite = db[np.isfinite(db)]
        if finite.size:
            finite = finite[finite > finite.max() - 30.0]  # drop silence inside the regions
        if finite.size >= MIN_VOICED_FRAMES:
            out["loudness_sd_db"] = round(float(np.std(finite)), 2)
            out["loudness_mean_db"] = round(float(np.mean(finite)), 1)
        return out


DETECTORS: list[CueDetector] = [ProsodyDetector()]


def speaking_ratio(regions: list[Region]) -> float | None:
    """Speech time over the time from the first to the last speech."""
    if not regions:
        return None
    span = regions[-1][1] - regions[0][0]
    if span <= 0:
        return None
    return round(min(1.0, sum(e - s for s, e in regions) / span), 3)


def score_voice(
    samples: npt.NDArray[np.float32] | None, regions: list[Region], rubric: Rubric
) -> Voice:
    if samples is None:
        return Voice(score=None, available=False, note="no audio: voice cues need a recording")
    if not regions:
        return Voice(score=None, available=False, note="no speech was heard")
    cues: dict[str, Any] = {}
    for detector in DETECTORS:
        cues[detector.name] = detector.detect(samples, regions)
    pro = cues.get("prosody", {})
    v = "voice"
    parts: list[Component] = []
    sd = pro.get("pitch_sd_semitones")
    monotone: bool | None = None
    if sd is not None:
        full = rubric.num(v, "pitch_points")
        flat, lively = rubric.num(v, "pitch_flat_sd"), rubric.num(v, "pitch_lively_sd")
        monotone = sd < rubric.num(v, "monotone_below_sd")
        parts.append(
            scaled(
                "pitch variation",
                full,
                rising(sd, flat, lively),
                f"pitch varies by {sd:.1f} semitones (SD); full points from {lively:g}, "
                f"none at {flat:g} or less",
            )
        )
    loud = pro.get("loudness_sd_db")
    if loud is not None:
        full = rubric.num(v, "loudness_points")
        flat, lively = rubric.num(v, "loudness_flat_sd"), rubric.num(v, "loudness_lively_sd")
        parts.append(
            scaled(
                "loudness variation",
                full,
                rising(loud, flat, lively),
                f"loudness varies by {loud:.1f} dB (SD); full points from {lively:g}",
            )
        )
    ratio = speaking_ratio(regions)
    if ratio is not None:
        full = rubric.num(v, "ratio_points")
        low, ok = rubric.num(v, "ratio_low"), rubric.num(v, "ratio_ok")
        parts.append(
            scaled(
                "speaking time",
                full,
                rising(ratio, low, ok),
                f"speech fills {ratio:.0%} of the answer; full points from {ok:.0%}",
            )
        )
    total = sum(p.max_points for p in parts)
    score = int(round(100 * sum(p.points for p in parts) / total)) if total else None
    return Voice(
        score=score,
        available=score is not None,
        note="" if score is not None else "too little voiced speech to measure",
        pitch_median_hz=pro.get("pitch_median_hz"),
        pitch_sd_semitones=sd,
        pitch_range_semitones=pro.get("pitch_range_semitones"),
        monotone=monotone,
        loudness_sd_db=loud,
        speaking_ratio=ratio,
        cues=cues,
        breakdown=parts,
    )
