"""Which cases a user may read when the program restricts physicians to their own boards (Settings).

Coordinators, navigators, auditors and admins read every case. A physician then reads a case when they
present or manage it, when it is requested for a series they belong to, when its site group is reviewed by
one of their series, or when it is on an agenda of one of their series; a conference's pages are theirs when
they belong to its series, are checked in at it, or present a case at it.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort

from tumorboard.auth.models import User
from tumorboard.cases.models import Case
from tumorboard.conferences.models import Conference, SeriesMember, SeriesSiteGroup
from tumorboard.extensions import db
from tumorboard.program.settings import program_settings
from tumorboard.room.models import Attendance, Presentation
from tumorboard.vocab import Role

SEE_EVERY_CASE = (Role.COORDINATOR, Role.NAVIGATOR, Role.AUDITOR, Role.ADMIN)
# Who sees the room, its votes and tallies (on the case page too); navigators see the outcome only.
IN_THE_ROOM = (Role.PHYSICIAN, Role.COORDINATOR, Role.AUDITOR)


def restricted(user: User) -> bool:
    """Whether the program's restriction applies to this user."""
    return bool(program_settings().restrict_cases_to_series) and not user.has_role(*SEE_EVERY_CASE)


def readable_cases(user: User) -> sa.ColumnElement[bool] | None:
    """A condition on cases for the ones `user` may read, or None when they may read every case."""
    if not restricted(user):
        return None
    series = sa.select(SeriesMember.series_id).where(SeriesMember.user_id == user.id)
    sites = sa.select(SeriesSiteGroup.site_group).where(SeriesSiteGroup.series_id.in_(series))
    on_agenda = (
        sa.select(Presentation.case_id)
        .join(Conference, Presentation.conference_id == Conference.id)
        .where(Conference.series_id.in_(series))
    )
    return sa.or_(
        Case.presenting_physician_id == user.id,
        Case.managing_physician_id == user.id,
        Case.requested_series_id.in_(series),
        Case.site_group.in_(sites),
        Case.id.in_(on_agenda),
    )


def require_case(user: User, case_id: int) -> None:
    """403 unless `user` may read the case."""
    condition = readable_cases(user)
    if condition is not None and db.session.scalar(sa.select(Case.id).where(Case.id == case_id, condition)) is None:
        abort(403)


def require_conference(user: User, conference: Conference) -> None:
    """403 unless `user` may see the conference's cases."""
    if not restricted(user):
        return
    mine = sa.or_(
        sa.exists().where(SeriesMember.series_id == conference.series_id, SeriesMember.user_id == user.id),
        sa.exists().where(Attendance.conference_id == conference.id, Attendance.user_id == user.id),
        sa.exists().where(Presentation.conference_id == conference.id, Presentation.presenter_id == user.id),
    )
    if not db.session.scalar(sa.select(mine)):
        abort(403)
