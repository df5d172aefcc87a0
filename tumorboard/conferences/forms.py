"""Series, reschedule and agenda forms."""

from __future__ import annotations

from datetime import datetime, timedelta

from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TimeField,
)
from wtforms.validators import Length, Optional

from tumorboard.conferences.recurrence import ORDINALS, WEEKDAY_NAMES, Repeat, RepeatPattern, read_rrule
from tumorboard.conferences.rules import ATTENDANCE_TARGETS, CONSENSUS_CHOICES, SeriesInput
from tumorboard.forms import CheckboxListField, Form, WholeNumberField, optional_text, vocabulary_choices
from tumorboard.vocab import COC_REQUIRED_SPECIALTIES, BoardRole, SiteGroup, Specialty

COMMON_ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Puerto_Rico",
    "Europe/London",
    "Europe/Berlin",
    "UTC",
)


class SeriesForm(Form):
    """A conference series."""

    name = optional_text("Name", 120, description="For example Breast Tumor Board.")
    site_groups = CheckboxListField("Site groups", choices=vocabulary_choices(SiteGroup))
    pattern = SelectField("Repeats", choices=vocabulary_choices(RepeatPattern), default=RepeatPattern.WEEKLY.value)
    weekday = SelectField(
        "On", choices=[SelectChoice(str(i), name) for i, name in enumerate(WEEKDAY_NAMES)], default="1"
    )
    nth = SelectField(
        "Week of the month (monthly)",
        choices=[SelectChoice(str(n), label) for n, label in ORDINALS.items()],
        default="1",
    )
    custom = optional_text("Custom RRULE", 200, description="Only for 'Custom', e.g. FREQ=WEEKLY;BYDAY=MO,TH.")
    starts_on = DateField("First meeting", validators=[Optional()])
    start_time = TimeField("Starts at", validators=[Optional()])
    end_time = TimeField("Ends at", validators=[Optional()])
    timezone = SelectField("Time zone", choices=[SelectChoice(zone, zone) for zone in COMMON_ZONES])
    place = optional_text("Place", 200)
    video_link = optional_text("Video link", 500)
    # A new series starts from the model's defaults (a coordinator changes what differs).
    capacity = WholeNumberField("Case capacity", default=12, validators=[Optional()])
    minutes_per_case = WholeNumberField(
        "Minutes per case", default=5, validators=[Optional()],
        description="Real boards average about 3 minutes a case.",
    )
    deadline_working_days = WholeNumberField("Submission deadline (working days before)", default=2,
                                             validators=[Optional()])
    weeks_ahead = WholeNumberField("Generate occurrences (weeks ahead)", default=12, validators=[Optional()])
    opens_minutes_before = WholeNumberField(
        "Room opens (minutes before the start)", default=30, validators=[Optional()],
        description="Check-in, discussion and votes from then on.",
    )
    closes_hours_after = WholeNumberField("Room closes (hours after the end)", default=4, validators=[Optional()],
                                          description="After that the chair or a coordinator only corrects attendance.")
    required_specialties = CheckboxListField(
        "Required specialties (quorum)",
        choices=vocabulary_choices(Specialty),
        default=[s.value for s in COC_REQUIRED_SPECIALTIES],
    )
    consensus = SelectField(
        "Consensus when agree votes reach",
        choices=[SelectChoice(k, k.replace("/", " of ")) for k in CONSENSUS_CHOICES],
        default="2/3",
    )
    attendance_target = SelectField(
        "Members attend at least",
        choices=[SelectChoice(k, "no target" if k == "none" else f"{k.replace('/', ' of ')} meetings")
                 for k in ATTENDANCE_TARGETS],
        default="2/3", description="A member under it is flagged on the members page.",
    )
    confirm_schedule = BooleanField("Save the new schedule and cancel these meetings")
    active = BooleanField("Active", default=True)
    disagree_needs_comment = BooleanField("A disagree vote needs a comment", default=True)
    closing_voter_percent = WholeNumberField(
        "Closing needs more than this share of checked-in physicians to vote (%)", default=50,
        validators=[Optional()], description="50: a majority. Below it, or without quorum, the chair closes only "
        "with a reason, shown on the letter and in the report.",
    )

    def to_input(self) -> SeriesInput:
        """The typed series (after validate())."""
        return SeriesInput(
            name=self.name.data or "",
            site_groups=frozenset(SiteGroup(g) for g in self.site_groups.data or ()),
            required_specialties=frozenset(Specialty(s) for s in self.required_specialties.data or ()),
            repeat=Repeat(
                RepeatPattern(self.pattern.data), int(self.weekday.data), int(self.nth.data), self.custom.data or ""
            ),
            starts_on=self.starts_on.data,
            start_time=self.start_time.data,
            end_time=self.end_time.data,
            timezone=self.timezone.data,
            place=self.place.data or "",
            video_link=self.video_link.data or "",
            capacity=self.capacity.data,
            minutes_per_case=self.minutes_per_case.data,
            deadline_working_days=self.deadline_working_days.data,
            weeks_ahead=self.weeks_ahead.data,
            opens_minutes_before=self.opens_minutes_before.data,
            closes_hours_after=self.closes_hours_after.data,
            consensus=self.consensus.data,
            active=self.active.data,
            disagree_needs_comment=self.disagree_needs_comment.data,
            closing_voter_percent=self.closing_voter_percent.data,
            attendance_target=self.attendance_target.data,
            confirm_schedule=bool(self.confirm_schedule.data),
        )

    def fill_from(self, series: object) -> None:
        """Show a stored series."""
        repeat = read_rrule(series.rrule)
        end_time = (
            datetime.combine(series.starts_on, series.start_time) + timedelta(minutes=series.duration_minutes)
        ).time()
        self.name.data, self.place.data, self.video_link.data = series.name, series.place, series.video_link
        self.site_groups.data = [g.value for g in series.site_groups]
        self.required_specialties.data = [s.value for s in series.required_specialties]
        self.pattern.data = repeat.pattern.value
        self.weekday.data = str(repeat.weekday if repeat.weekday is not None else 1)
        self.nth.data, self.custom.data = str(repeat.nth or 1), repeat.custom
        self.starts_on.data, self.start_time.data, self.end_time.data = series.starts_on, series.start_time, end_time
        self.timezone.data, self.capacity.data, self.minutes_per_case.data = (
            series.timezone,
            series.capacity,
            series.minutes_per_case,
        )
        self.deadline_working_days.data, self.weeks_ahead.data = series.deadline_working_days, series.weeks_ahead
        self.opens_minutes_before.data = series.opens_minutes_before
        self.closes_hours_after.data = series.closes_hours_after
        self.consensus.data = f"{series.consensus_numerator}/{series.consensus_denominator}"
        self.active.data = series.active
        self.disagree_needs_comment.data = series.disagree_needs_comment
        self.closing_voter_percent.data = series.closing_voter_percent
        target = (series.attendance_target_numerator, series.attendance_target_denominator)
        self.attendance_target.data = next((k for k, v in ATTENDANCE_TARGETS.items() if v == target), "none")


class MemberForm(Form):
    """Put a physician on a board: typed by name (the list offers the physicians), with a role."""

    member = StringField("Physician", validators=[Length(max=64)],
                         description="Type a few letters of the name and choose from the list.")
    role = SelectField("As", choices=vocabulary_choices(BoardRole), default=BoardRole.MEMBER.value)


class MemberRoleForm(Form):
    """Change a member's role, or take them off the board ("remove")."""

    role = SelectField("Role", choices=[*vocabulary_choices(BoardRole), SelectChoice("remove", "Off the board")])


class RescheduleForm(Form):
    """Move one occurrence."""

    starts_at = DateTimeLocalField("New date and time", validators=[Optional()], format="%Y-%m-%dT%H:%M")


class CancelForm(Form):
    """Cancel one occurrence."""

    reason = StringField("Reason", validators=[Optional(), Length(max=300)])


class AgendaForm(Form):
    """Any agenda change: carries the version of the agenda the user saw."""

    version = WholeNumberField("Agenda version", validators=[Optional()])
    case_id = WholeNumberField("Case number", validators=[Optional()])
    minutes = WholeNumberField("Minutes", validators=[Optional()])
    position = WholeNumberField("Position", validators=[Optional()])
    case_ids = SelectMultipleField("Cases", coerce=int, validate_choice=False)  # several queued cases at once
