"""Patients and cases: submission, the queue, case history, import."""
