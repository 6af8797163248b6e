"""bench/ocr_synthetic.py: the error channel learned from the dev OCR pairs, and the
synthetic noisy text it makes (no corrector run here: that is the benchmark's job)."""
from __future__ import annotations

import importlib.util
import statistics
import sys
from pathlib import Path

import pytest
from rapidfuzz.distance import Levenshtein

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
PAIRS = SHARED / "gold" / "ocr_pairs_dev.jsonl"
TEXT = SHARED / "data" / "mls-guide-with-questions.txt"

pytestmark = pytest.mark.skipif(not (PAIRS.exists() and TEXT.exists()),
                                reason=f"dev OCR pairs or clean text not found under {SHARED}")


def _load():
    spec = importlib.util.spec_from_file_location("ocr_synthetic", REPO / "bench" / "ocr_synthetic.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("ocr_synthetic", module)
    spec.loader.exec_module(module)
    return module


syn = _load()


@pytest.fixture(scope="module")
def channel():
    return syn.Channel.learn(syn.read_pairs(PAIRS))


@pytest.fixture(scope="module")
def sources():
    return syn.source_paragraphs(TEXT.read_text(encoding="utf-8"))


def test_channel_rate_is_plausible(channel):
    assert 0.02 < channel.cer < 0.20
    rates = channel.rates()
    assert sum(rates.values()) == pytest.approx(channel.cer)  # the types add up to the CER
    assert rates["syllable substitution"] == max(rates.values())


def test_channel_has_particle_confusions(channel):
    particles = channel.particles
    assert particles[("을", "올")] >= 10
    assert particles[("는", "논")] >= 5
    assert any(particles[("를", e)] for e in ("률", "틀", "름"))
    summary = channel.summary()
    assert ["을", "올", particles[("을", "올")]] in summary["particle_confusions"]
    assert summary["jamo_confusions"]["v"]  # generalised by jamo, too


def test_channel_knows_latin_look_alikes(channel):
    assert channel.run_emit["AI"]["시"] and channel.run_emit["AI"]["Al"]


def test_alignment_gives_a_latin_run_its_particle_back():
    us, emissions, _ = syn.read_units("AI는 좋다", *syn.align("AI는 좋다", "시논 좋다"))
    assert [(u.text, e) for u, e in zip(us, emissions)][:2] == [("AI", "시"), ("는", "논")]


def test_source_paragraphs_look_like_the_dev_pairs(sources):
    assert len(sources) >= 10
    for p in sources:
        assert 100 <= len(p) <= 400
        assert syn._HANGUL.search(p) and "http" not in p and "**" not in p


def test_corruption_is_deterministic_per_seed(channel, sources):
    text = sources[0]
    assert syn.corrupt(channel, text, 7) == syn.corrupt(channel, text, 7)
    assert syn.corrupt(channel, text, 7) != syn.corrupt(channel, text, 8)
    a = syn.build_set(channel, sources[:3], 6, seed=1)
    b = syn.build_set(channel, sources[:3], 6, seed=1)
    c = syn.build_set(channel, sources[:3], 6, seed=2)
    assert a.noisy == b.noisy and a.noisy != c.noisy
    assert a.noisy[0] != a.noisy[3]  # batches of one seed differ too


def test_rate_zero_leaves_text_unchanged(channel, sources):
    for text in sources[:5]:
        assert syn.corrupt(channel, text, 3, scale=0.0) == syn.norm(text)
    zero = syn.calibrate(channel, sources[:5], rate=0.0)
    assert all(v == 0 for v in zero.values())
    assert syn.corrupt(channel, sources[0], 3, zero) == syn.norm(sources[0])


def test_synthetic_cer_is_close_to_the_channel_rate(channel, sources):
    synthetic = syn.build_set(channel, sources, 4 * len(sources), seed=0)
    cers = [Levenshtein.distance(n, c) / len(c) for n, c in zip(synthetic.noisy, synthetic.clean)]
    assert statistics.mean(cers) == pytest.approx(channel.cer, rel=0.15)
    # the mix of error types follows the dev pairs' too
    ops = sum((syn.op_counts(c, n) for n, c in zip(synthetic.noisy, synthetic.clean)), syn.Counter())
    chars = sum(map(len, synthetic.clean))
    assert ops["syllable substitution"] / chars == pytest.approx(channel.rates()["syllable substitution"], rel=0.25)


def test_uncalibrated_channel_reproduces_the_dev_rate_on_dev_text(channel):
    clean = [syn.norm(p["clean"]) for p in syn.read_pairs(PAIRS)]
    noisy = [syn.corrupt(channel, c, f"dev:{i}") for i, c in enumerate(clean)]
    cer = sum(Levenshtein.distance(n, c) for n, c in zip(noisy, clean)) / sum(map(len, clean))
    assert cer == pytest.approx(channel.cer, rel=0.25)


def test_score_matches_evaluate_formulas():
    noisy = ["모델올 사용합니다", "데이터률 처리"]
    clean = ["모델을 사용합니다", "데이터를 처리"]
    fixed = ["모델을 사용합니다", "데이터률 처리 x"]
    kept = ["모델을 사용합니다", "데이터를 처리"]
    figures = syn.score(noisy, clean, fixed, kept)
    assert figures["cer_before"] == pytest.approx(2 / 16)
    assert figures["errors_removed"] == pytest.approx(1 - 3 / 2)
    assert figures["worse"] == 1 and figures["cer_added_on_clean"] == 0
    assert figures["by_kind"]["particle/ending"] == [2, 1]
