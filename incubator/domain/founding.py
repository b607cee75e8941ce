"""Founding groups: the legal forms they aim for and the milestones on the way."""

from __future__ import annotations

from enum import StrEnum


class LegalForm(StrEnum):
    SOCIAL_COOPERATIVE = "social_cooperative"  # spółdzielnia socjalna
    ASSOCIATION = "association"  # stowarzyszenie rejestrowe
    ORDINARY_ASSOCIATION = "ordinary_association"  # stowarzyszenie zwykłe
    FOUNDATION = "foundation"  # fundacja


class GroupStage(StrEnum):
    """Milestones in order; ABANDONED can follow any of them."""

    FORMED = "formed"
    TRAINING = "training"
    STATUTE_DRAFTED = "statute_drafted"
    FOUNDING_MEETING_HELD = "founding_meeting_held"
    APPLICATION_FILED = "application_filed"
    REGISTERED = "registered"
    ABANDONED = "abandoned"
