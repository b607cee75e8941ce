"""Exports build bytes (never a Response): .ics, PDF, CSV."""
