"""Station settings, declared once with their defaults and stored in the database: in the app's
own SQLite file, or, when the database is a lab server shared by several stations, in a local
SQLite file of this computer (each booth has its own device, transducer, equalization, PIN)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session as DbSession

from db.models import Setting

DEFAULTS: dict[str, Any] = {
    "last_study": None,  # name of the study the console opens with
    "dataset_root": None,  # None: the built-in bank
    "device": None,  # audio.devices.DeviceChoice as a dict
    "transducer": "",  # e.g. "Sennheiser HD 650"
    "ceiling_db_spl": 85.0,  # hearing-safety ceiling; never above 100 (audio.safety enforces it)
    # over the ceiling: refuse (False, the default: nothing is played quieter than the item
    # means without the lab choosing it) or attenuate (True; each such response stores
    # attenuation_db, the dB taken off)
    "allow_attenuation": False,
    "calibration_max_age_days": 30,
    "participant_exit_pin": "0000",  # PIN to leave the participant window
    "auto_play": True,
    "retspl_table": "TDH-39",
    "bank_renderer": "hrtf",  # the built-in bank's spatial items: "hrtf" or "spherical" (docs/hrtf.md)
    "bank_hrtf_file": None,  # a SimpleFreeFieldHRIR SOFA file for the built-in bank (None: MIT KEMAR)
    # the participant window adds the binaural localization check after antiphase and Huggins (docs/hrtf.md)
    "screening_localization": False,
    # transducer name -> measured headphone response (WAV or SOFA) whose inverse filter equalizes it
    "headphone_eq_files": None,  # None: no transducer is equalized
    # the take-home package dialog's last choices: {"folder", "information", "consent", "return_instructions"}
    "takehome_texts": None,
    "last_export_folder": None,  # the Results page's export dialog opens here (None: the documents folder)
}


STATION_SETTINGS_FILE = "station-settings.sqlite3"


class Settings:
    def __init__(self, engine: Engine):
        self.engine = engine

    @classmethod
    def for_station(cls, engine: Engine, data_folder: Path) -> "Settings":
        """This computer's settings: in ``engine`` itself when it is a local SQLite file, else (a
        lab server) in ``data_folder``/station-settings.sqlite3, created on first use."""
        if engine.dialect.name == "sqlite":
            return cls(engine)
        from db.engine import open_database

        return cls(open_database(Path(data_folder) / STATION_SETTINGS_FILE))

    def get(self, key: str) -> Any:
        if key not in DEFAULTS:
            raise KeyError(f"unknown setting {key!r}")
        with DbSession(self.engine) as s:
            row = s.get(Setting, key)
            return DEFAULTS[key] if row is None else json.loads(row.value_json)

    def set(self, key: str, value: Any) -> None:
        if key not in DEFAULTS:
            raise KeyError(f"unknown setting {key!r}")
        with DbSession(self.engine) as s:
            row = s.get(Setting, key) or Setting(key=key, value_json="null")
            row.value_json = json.dumps(value)
            s.add(row)
            s.commit()
