"""What a plan is made of: per record of the file an action, its changes, errors and warnings;
the :class:`Preview` gathers them for one file and counts them for the pages."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

CREATE = "create"
UPDATE = "update"
UNCHANGED = "unchanged"
WITHDRAW = "withdraw"
SKIP = "skip"
PROPOSE = "propose"  # teachers only: groups proposed to the director, who confirms
ACTIONS = (CREATE, UPDATE, UNCHANGED, WITHDRAW, SKIP, PROPOSE)
KIND_ACTIONS = {
    "groups": (CREATE, UPDATE, UNCHANGED, WITHDRAW, SKIP),
    "pupils": (CREATE, UPDATE, UNCHANGED, WITHDRAW, SKIP),
    "teachers": (PROPOSE, UNCHANGED, SKIP),
}


def action_label(action: str) -> str:
    """An action in words, for the pages."""
    return {
        CREATE: _("new"),
        UPDATE: _("changed"),
        UNCHANGED: _("unchanged"),
        WITHDRAW: _("withdrawn"),
        SKIP: _("not imported"),
        PROPOSE: _("proposed to the director"),
    }[action]


def kind_label(kind: str) -> str:
    return {"group": _("Group"), "pupil": _("Pupil"), "teacher": _("Teacher")}[kind]


def counts_summary(counts: dict[str, dict[str, int]]) -> list[str]:
    """Counts as :meth:`Preview.counts` gives them, in words, one line per kind."""
    names = {"groups": _("Groups"), "pupils": _("Pupils"), "teachers": _("Teachers")}
    lines = []
    for name, actions in counts.items():
        parts = [f"{action_label(action)} {n}" for action, n in actions.items() if n]
        if parts:
            lines.append(f"{names[name]}: {', '.join(parts)}")
    return lines


@dataclass
class RecordAction:
    """What happens to one group, pupil or teacher of the file."""

    kind: str  # "group", "pupil" or "teacher"
    key: str  # the record's key in the file
    label: str  # its name, for people
    action: str = CREATE  # one of ACTIONS
    changes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    detail: dict = field(default_factory=dict, repr=False, compare=False)

    def skip(self, error: str | None = None) -> RecordAction:
        self.action = SKIP
        if error:
            self.errors.append(error)
        return self

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)

    @property
    def action_label(self) -> str:
        return action_label(self.action)


@dataclass
class Preview:
    """The plan for one file. With ``errors`` the file cannot be imported at all."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    school_year: int | None = None
    brin: str = ""
    groups: list[RecordAction] = field(default_factory=list)
    pupils: list[RecordAction] = field(default_factory=list)
    teachers: list[RecordAction] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def records(self) -> list[RecordAction]:
        return [*self.groups, *self.pupils, *self.teachers]

    def counts(self) -> dict[str, dict[str, int]]:
        """``{"groups": {"create": n, ...}, "pupils": {...}, "teachers": {"propose": n, ...}}``."""
        result = {}
        for name, actions in KIND_ACTIONS.items():
            seen = Counter(record.action for record in getattr(self, name))
            result[name] = {action: seen.get(action, 0) for action in actions}
        return result

    def summary(self) -> list[str]:
        """The counts in words, one line per kind, e.g. "Groups: new 7, not imported 1"."""
        return counts_summary(self.counts())

    @property
    def proposed_groups(self) -> int:
        """How many group assignments the import proposes to the director."""
        return sum(
            len(record.detail.get("groups", ()))
            for record in self.teachers
            if record.action == PROPOSE
        )
