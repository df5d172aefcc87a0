"""Append-only audit log of every view and change of patient data."""
