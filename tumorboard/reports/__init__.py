"""Accreditation and quality reporting."""
