"""Reading the audit log's filters from a query string. Pure: no Flask, no session."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date

from tumorboard.vocab import RecordType


@dataclass(frozen=True)
class AuditFilter:
    """What the auditor searches for. Holds no patient data: it travels in the URL."""

    username: str = ""
    action: str = ""
    entity_type: RecordType | None = None
    entity_id: int | None = None
    patient_id: int | None = None  # an id, chosen by "Find a patient", never a name or MRN
    case_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None

    def as_args(self) -> dict[str, str]:
        """The filter as query-string arguments (empty ones left out), for links and the export."""
        return {f.name: str(getattr(self, f.name)) for f in fields(self) if getattr(self, f.name) not in ("", None)}


def _record_number(raw: str) -> int:
    if not (raw.isdigit() and 0 < int(raw) < 2**63):
        raise ValueError(raw)
    return int(raw)


def parse_audit_filter(args: Mapping[str, str]) -> tuple[AuditFilter, list[str]]:
    """The filter from a query string; a value that cannot be read is dropped with a message saying so."""
    problems: list[str] = []
    values: dict[str, object] = {name: (args.get(name) or "").strip()[:64] for name in ("username", "action")}
    readers = {
        "entity_type": (RecordType, "Ignored the record type '{}': it is not one the log keeps."),
        "entity_id": (_record_number, "Ignored the record number '{}': it is not a whole number."),
        "patient_id": (_record_number, "Ignored the patient '{}': it is not a patient number."),
        "case_id": (_record_number, "Ignored the case number '{}': it is not a whole number."),
    }
    for name, (read, refusal) in readers.items():
        if raw := (args.get(name) or "").strip():
            try:
                values[name] = read(raw)
            except ValueError:
                problems.append(refusal.format(raw[:20]))
    for name, label in (("date_from", "from"), ("date_to", "to")):
        raw = (args.get(name) or "").strip()
        if raw:
            try:
                values[name] = date.fromisoformat(raw)
            except ValueError:
                problems.append(f"Ignored the {label} date '{raw[:20]}': write it YYYY-MM-DD.")
    found = AuditFilter(**values)
    if found.date_from and found.date_to and found.date_from > found.date_to:
        problems.append("The from date is after the to date: nothing can match.")
    return found, problems
