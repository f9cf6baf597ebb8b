"""個人番号 at rest (ADR 0015): the key directory's keys and the cipher made from them."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from jichitai.adapters.security.my_number_keys import MyNumberKeyError, MyNumberKeys

NUMBER = "123456789018"
CODE, OTHER = "131016", "462012"


@pytest.fixture
def keys(tmp_path: Path) -> MyNumberKeys:
    return MyNumberKeys(tmp_path / "keys")


def test_a_sealed_number_opens_to_itself_and_reads_nothing_of_it(keys: MyNumberKeys) -> None:
    cipher = keys.cipher(CODE)
    sealed = cipher.seal(NUMBER)
    assert sealed.startswith(f"enc:v1:{cipher.current}:")
    assert NUMBER not in sealed
    assert cipher.seal(NUMBER) != sealed  # a fresh nonce each time
    assert cipher.open(sealed) == NUMBER


def test_a_number_moved_to_another_municipality_or_field_does_not_open(
    keys: MyNumberKeys,
) -> None:
    sealed = keys.cipher(CODE).seal(NUMBER)
    with pytest.raises(MyNumberKeyError):
        keys.cipher(OTHER).open(sealed)  # other keys, unknown key id
    cipher = keys.cipher(CODE)
    with pytest.raises(MyNumberKeyError):
        cipher.open(sealed, field="residence_card_number")
    # Even with the very same key, another municipality's associated data refuses it.
    other = type(cipher)(OTHER, cipher.current, cipher.data_keys, cipher.search_key)
    with pytest.raises(MyNumberKeyError):
        other.open(sealed)


def test_a_tampered_ciphertext_does_not_open(keys: MyNumberKeys) -> None:
    cipher = keys.cipher(CODE)
    sealed = cipher.seal(NUMBER)
    last = sealed[-2]
    tampered = sealed[:-2] + ("A" if last != "A" else "B") + sealed[-1]
    with pytest.raises(MyNumberKeyError):
        cipher.open(tampered)


def test_json_members_are_sealed_and_opened_to_the_very_same_text(keys: MyNumberKeys) -> None:
    cipher = keys.cipher(CODE)
    text = (
        '{"a":1,"individual_number":"123456789018","m":[{"individual_number": "000000000019"},'
        '{"individual_number":null}],"note":"individual_number",'
        '"fields":[["氏名","高橋"],["個人番号","000000000027"]]}'
    )
    sealed = cipher.seal_json(text)
    assert not any(n in sealed for n in ("123456789018", "000000000019", "000000000027"))
    assert '["氏名","高橋"]' in sealed
    assert '"individual_number":null' in sealed
    assert cipher.seal_json(sealed) == sealed  # sealed values are left alone
    assert cipher.open_json(sealed) == text


def test_the_search_hash_is_keyed_per_municipality(keys: MyNumberKeys) -> None:
    here, there = keys.cipher(CODE), keys.cipher(OTHER)
    assert here.search_hash(NUMBER) == here.search_hash(NUMBER)
    assert here.search_hash(NUMBER) != there.search_hash(NUMBER)
    assert NUMBER not in here.search_hash(NUMBER)


def test_rotation_seals_new_values_with_the_new_key_and_still_opens_the_old(
    keys: MyNumberKeys, tmp_path: Path
) -> None:
    old = keys.cipher(CODE)
    sealed = old.seal(NUMBER)
    new_id = keys.rotate(CODE)
    rotated = MyNumberKeys(tmp_path / "keys").cipher(CODE)  # another process reads the files
    assert rotated.current == new_id != old.current
    assert rotated.seal(NUMBER).startswith(f"enc:v1:{new_id}:")
    assert rotated.open(sealed) == NUMBER
    assert rotated.search_hash(NUMBER) == old.search_hash(NUMBER)  # search key unchanged
    assert keys.cipher(CODE).current == new_id  # this process sees its own rotation


def test_rewrap_changes_the_master_key_and_every_key_still_opens(
    keys: MyNumberKeys, tmp_path: Path
) -> None:
    sealed = {code: keys.cipher(code).seal(NUMBER) for code in (CODE, OTHER)}
    keys.rotate(CODE)
    directory = tmp_path / "keys" / "my_number"
    before = {p.name for p in directory.glob("kek-*.key")}
    master, count = keys.rewrap()
    assert count == 5  # CODE: 2 data keys + search key; OTHER: 1 + search key
    assert {p.name for p in directory.glob("kek-*.key")} == {f"kek-{master}.key"} != before
    fresh = MyNumberKeys(tmp_path / "keys")
    for code, text in sealed.items():
        assert fresh.cipher(code).open(text) == NUMBER


def test_key_files_are_owner_only(keys: MyNumberKeys, tmp_path: Path) -> None:
    keys.cipher(CODE)
    base = tmp_path / "keys" / "my_number"
    files = [p for p in base.rglob("*") if p.is_file()]
    assert files
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    for folder in (base, base / CODE):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert not any(NUMBER in p.read_bytes().decode(errors="replace") for p in files)


def test_rewrap_of_a_directory_without_municipalities_makes_a_master_key_only(
    keys: MyNumberKeys, tmp_path: Path
) -> None:
    master, count = keys.rewrap()
    assert count == 0
    assert (tmp_path / "keys" / "my_number" / "kek.current").read_text() == master
