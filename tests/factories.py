"""Factories for tests: each returns a committed row, every field defaulted and overridable."""

from __future__ import annotations

import functools
import itertools
from datetime import UTC, date, datetime, time, timedelta

from tumorboard.auth.models import User, hash_password
from tumorboard.cases.models import Case, Patient
from tumorboard.conferences.models import Conference, ConferenceSeries, SeriesRequiredSpecialty, SeriesSiteGroup
from tumorboard.domain import Actor
from tumorboard.extensions import db
from tumorboard.room.models import Presentation
from tumorboard.vocab import COC_REQUIRED_SPECIALTIES, CaseStatus, ConferenceStatus, Role, Sex, SiteGroup, Specialty

_counter = itertools.count(1)


@functools.cache
def _hash_once(password: str) -> str:
    """The test password's hash, computed once per run: every factory user shares it (salts do not matter here)."""
    return hash_password(password)


class Factories:
    """make.user(), make.patient(), make.case(), make.series(), make.conference(), make.presentation()."""

    def __init__(self, password: str) -> None:
        self.password = password

    @staticmethod
    def actor(user: User | None, now: datetime | None = None) -> Actor:
        """Who calls an operation directly in a test: `user` from 127.0.0.1, now (or at `now`)."""
        return Actor(user=user, remote_addr="127.0.0.1", now=now or datetime.now(UTC))

    @staticmethod
    def _save(obj: object) -> object:
        db.session.add(obj)
        db.session.commit()
        return obj

    def user(self, roles: tuple[Role, ...] = (Role.PHYSICIAN,), **overrides: object) -> User:
        """A user who can sign in with the test password."""
        n = next(_counter)
        fields = {
            "username": f"user{n}",
            "email": f"user{n}@hospital.example.org",
            "full_name": f"Test User {n}",
            "specialty": Specialty.SURGERY,
            "credentials": "MD",
            "password_hash": "",
        }
        fields.update(overrides)
        user = User(**fields)
        user.roles = frozenset(roles)
        user.password_hash = _hash_once(self.password)
        return self._save(user)

    def patient(self, **overrides: object) -> Patient:
        """A patient with a unique MRN."""
        n = next(_counter)
        fields = {
            "mrn": f"MRN{n:06d}",
            "last_name": "Doe",
            "first_name": "Jane",
            "birth_date": date(1960, 5, 17),
            "sex": Sex.FEMALE,
        }
        fields.update(overrides)
        return self._save(Patient(**fields))

    def case(self, **overrides: object) -> Case:
        """A submitted breast case."""
        fields = {
            "site_group": SiteGroup.BREAST,
            "histology": "Invasive ductal carcinoma",
            "status": CaseStatus.SUBMITTED,
            "diagnosis_date": date.today() - timedelta(days=20),
            "question": "Neoadjuvant therapy?",
        }
        fields.update(overrides)
        if "patient" not in fields and "patient_id" not in fields:
            fields["patient"] = self.patient()
        return self._save(Case(**fields))

    def series(self, **overrides: object) -> ConferenceSeries:
        """A weekly breast board requiring the five CoC specialties."""
        n = next(_counter)
        fields = {
            "name": f"Breast Tumor Board {n}",
            "rrule": "FREQ=WEEKLY;BYDAY=TU",
            "starts_on": date.today() - timedelta(days=28),
            "start_time": time(7, 0),
            "duration_minutes": 60,
            "timezone": "America/New_York",
            "place": "Room 3B",
        }
        fields.update(overrides)
        series = ConferenceSeries(**fields)
        series.site_group_rows = [SeriesSiteGroup(site_group=SiteGroup.BREAST)]
        series.required_specialty_rows = [SeriesRequiredSpecialty(specialty=s) for s in COC_REQUIRED_SPECIALTIES]
        return self._save(series)

    def conference(self, **overrides: object) -> Conference:
        """A scheduled conference three days from now."""
        start = datetime.combine(date.today() + timedelta(days=3), time(12, 0), UTC)
        fields = {
            "occurrence_start": start,
            "starts_at": start,
            "duration_minutes": 60,
            "status": ConferenceStatus.SCHEDULED,
        }
        fields.update(overrides)
        if "series" not in fields and "series_id" not in fields:
            fields["series"] = self.series()
        return self._save(Conference(**fields))

    def presentation(self, **overrides: object) -> Presentation:
        """A case on a conference's agenda."""
        fields: dict[str, object] = {"position": 0}
        fields.update(overrides)
        if "conference" not in fields:
            fields["conference"] = self.conference()
        if "case" not in fields:
            fields["case"] = self.case()
        return self._save(Presentation(**fields))
