"""The digital reference a new study takes: the dataset's declared one, else the Protocol default."""
from tasks.dataset.loader import load_dataset
from tasks.study.plan import DEFAULT_REFERENCE_DB_SPL, DEFAULT_REFERENCE_DBFS, declared_reference, protocol_for
from tests.support.factories import pc_items, sr_items, write_dataset

BANK = {"reference_dbfs": -30.0, "reference_db_spl": 70.0}


def _load(tmp_path, pc, sr=()):
    return load_dataset(write_dataset(tmp_path / "d", pc=pc, tr=[], sr=list(sr)), check_audio=False)


def test_a_dataset_whose_items_all_declare_one_reference_gives_it(tmp_path):
    ds = _load(tmp_path, [dict(it, params={"digital_reference": BANK}) for it in pc_items()])
    assert declared_reference(ds) == (-30.0, 70.0)
    protocol = protocol_for(ds, seed=3)
    assert (protocol.reference_dbfs, protocol.reference_db_spl, protocol.seed) == (-30.0, 70.0, 3)
    # a reference named by the caller wins
    assert protocol_for(ds, reference_dbfs=-25.0).reference_dbfs == -25.0


def test_no_declaration_or_disagreement_gives_the_protocol_default(tmp_path):
    plain = _load(tmp_path, pc_items())
    assert declared_reference(plain) is None
    assert (protocol_for(plain).reference_dbfs, protocol_for(plain).reference_db_spl) == \
        (DEFAULT_REFERENCE_DBFS, DEFAULT_REFERENCE_DB_SPL) == (-20.0, 70.0)
    mixed = [dict(it, params={"digital_reference": BANK}) for it in pc_items()]
    mixed[0] = dict(mixed[0], params={"digital_reference": {"reference_dbfs": -20.0, "reference_db_spl": 70.0}})
    assert declared_reference(_load(tmp_path / "m", mixed)) is None
    partly = [dict(it, params={"digital_reference": BANK}) for it in pc_items()]
    assert declared_reference(_load(tmp_path / "p", partly, sr_items())) is None  # the sr items declare none
