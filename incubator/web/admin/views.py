"""Managers: user accounts."""
