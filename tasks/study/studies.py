"""Studies over the database: created once with their plan's protocol and the fingerprint of
their dataset, reopened only on the same dataset, and the planned trials' rows and runs."""
from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, ProgrammingError
from sqlmodel import Session as DbSession

from db import repo
from db.pg import shown
from db.models import PlannedTrial, Study
from tasks.dataset.loader import Dataset, dataset_fingerprint
from tasks.dataset.runs import Run, make_run
from tasks.study.plan import PlanTrial, Protocol


class DatasetChangedError(Exception):
    """The dataset's meta files differ from those the study began with."""


class StudyError(Exception):
    """A study or session request that cannot be met; the message says why."""


class StoredDataError(Exception):
    """A value stored in the database cannot be read (edited by hand outside the app)."""


def check_dataset(study: Study, root: Path | str) -> None:
    current = dataset_fingerprint(root)
    if current != study.dataset_fingerprint:
        raise DatasetChangedError(
            f"the dataset at {root} has changed since study {study.name!r} began "
            f"(fingerprint {study.dataset_fingerprint[:12]} then, {current[:12]} now). Its runs and answers "
            "may no longer match; restore the original files or start a new study. Stored responses are untouched.")


def open_study(engine: Engine, dataset: Dataset, name: str, protocol: Protocol) -> Study:
    """The study called ``name``: created with this protocol, or the existing one after checking
    that the dataset is unchanged (its stored protocol stays in force)."""
    with DbSession(engine) as s:
        study = repo.get_study(s, name)
        if study is None:
            try:
                return repo.add_study(s, Study(name=name, dataset_root=str(dataset.root),
                                               dataset_fingerprint=dataset_fingerprint(dataset.root),
                                               protocol_json=protocol.to_json()))
            except IntegrityError:  # another station created it at the same moment: use theirs
                s.rollback()
                study = repo.get_study(s, name)
                if study is None:
                    raise
            except ProgrammingError as exc:  # a lab server's station role may add sessions, not studies
                if "permission denied" not in str(exc.orig).lower():
                    raise
                where = shown(engine.url)
                raise StudyError(f"the study {name!r} does not exist on the lab server {where}, and the role "
                                 f"{engine.url.username!r} may not create one (a station joins studies the "
                                 "experimenter created); create it first as the experimenter, or name a study "
                                 "that exists") from None
    check_dataset(study, dataset.root)
    return study


def study_protocol(study: Study) -> Protocol:
    try:
        return Protocol.from_json(study.protocol_json)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise StoredDataError(f"study {study.name!r} (id {study.id}): its stored protocol_json cannot be read "
                              f"({exc.__class__.__name__}: {exc}); it was edited outside the app. Stored "
                              "responses are untouched.") from None


def trial_options(trial) -> list[str]:
    """The presented options of a stored planned trial; a hand-edited options_json is a clear
    error naming the session, position and item, not a JSONDecodeError."""
    try:
        options = json.loads(trial.options_json)
    except (ValueError, TypeError) as exc:
        options = exc
    if not isinstance(options, list) or not options or not all(isinstance(o, str) for o in options):
        why = (f"{options.__class__.__name__}: {options}" if isinstance(options, Exception)
               else "an empty list" if options == [] else "not a list of texts")
        raise StoredDataError(f"session {trial.session_id}, trial at position {trial.position} (item "
                              f"{trial.item_id!r}, planned trial id {trial.id}): its stored options_json cannot "
                              f"be read ({why}); it was edited outside the app. Stored responses are untouched.")
    return options


def trial_row(pt: PlanTrial) -> PlannedTrial:
    """A planned trial as a table object (take-home packages serialise these)."""
    return PlannedTrial(**trial_values(pt))


def trial_values(pt: PlanTrial, options_json: dict[tuple[str, ...], str] | None = None) -> dict:
    """The stored values of one planned trial (a plain row for the bulk insert); options_json
    is an optional cache of encoded option lists."""
    run = pt.run
    options = tuple(run.options)
    encoded = None if options_json is None else options_json.get(options)
    if encoded is None:
        encoded = json.dumps(list(options), ensure_ascii=False)
        if options_json is not None:
            options_json[options] = encoded
    return dict(
        position=pt.position, block=pt.block, kind=pt.kind, catch_of=pt.catch_of, break_before=pt.break_before,
        variant=run.variant, item_id=run.item.id, rotate_id=run.rotate_id, unique_id=run.unique_id,
        task=run.item.task, category=run.item.category, sub_category=run.item.sub_category,
        options_json=encoded, answer=run.answer,
        answer_letter=run.answer_letter, shuffled_seg_order=run.shuffled_seg_order, withheld_reason=None,
    )


# attempts at enrolment when another station took the same position or code at the same moment
def run_for(dataset: Dataset, trial: PlannedTrial) -> Run:
    """The presentable run of a planned trial, rebuilt from the dataset."""
    from tasks.dataset.items import VARIANT_SOURCE

    return make_run(dataset.item(VARIANT_SOURCE[trial.variant], trial.item_id), trial.variant, trial.rotate_id)
