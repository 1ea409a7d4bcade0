"""Field encryption and the key ring: round trips, tampering, contexts, rotation, key sources."""

from __future__ import annotations

import base64
import json
import stat

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracing_app.protection.crypto import (
    DecryptionError,
    KeyRing,
    KeyRingError,
    context_for,
    decrypt,
    encrypt,
    generate_key_file,
    load_key_ring,
    needs_rotation,
    reencrypt,
    reencrypt_batch,
)
from tracing_app.protection.keyfile import (
    add_key_to_file,
    key_file_path,
    read_key_file,
    remove_key_from_file,
    set_current_key,
)
from tracing_app.protection.keys import KEYS_ENV_VAR, parse_key_ring

# No .hypothesis/ folder, the same examples on every run, and a suite that stays fast.
PROPERTIES = settings(database=None, derandomize=True, max_examples=100, deadline=None)


OLD_KEY = bytes(range(32))
NEW_KEY = bytes(range(100, 132))
CONTEXT = context_for("tickets", 42, "last_name")


def b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


def secrets_of(*keys: bytes) -> list[str]:
    """Every way a key could show up in a message: base64, URL-safe base64, hex."""
    return [
        form
        for key in keys
        for form in (b64(key), base64.urlsafe_b64encode(key).decode(), key.hex())
    ]


def altered(token: str) -> str:
    """Change one character of a token's payload."""
    return token[:20] + ("B" if token[20] == "A" else "A") + token[21:]


@pytest.fixture
def old_ring():
    """A ring with one key: the state before a rotation."""
    return KeyRing([("0ld0ld00", OLD_KEY)])


@pytest.fixture
def ring():
    """A ring after a new key was added: the new key is current."""
    return KeyRing([("0ld0ld00", OLD_KEY), ("e5f6a7b8", NEW_KEY)])


# --- round trips ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["Peeters", "", "Zoë D'Hondt-Müller", "ligne 1\nligne 2", "€" * 300]
)
def test_round_trip(ring, value):
    token = encrypt(value, context=CONTEXT, key_ring=ring)
    assert token.startswith("v1:e5f6a7b8:")
    assert value not in token or not value
    assert decrypt(token, context=CONTEXT, key_ring=ring) == value


@PROPERTIES
@given(value=st.text(max_size=200), row_id=st.integers(min_value=1))
def test_any_text_round_trips(value, row_id):
    ring = KeyRing([("k1", OLD_KEY)])
    context = context_for("tickets", row_id, "notes")
    assert (
        decrypt(encrypt(value, context=context, key_ring=ring), context=context, key_ring=ring)
        == value
    )


def test_none_stays_none(ring):
    assert encrypt(None, context=CONTEXT, key_ring=ring) is None
    assert decrypt(None, context=CONTEXT, key_ring=ring) is None
    assert not needs_rotation(None, key_ring=ring)
    assert reencrypt(None, context=CONTEXT, key_ring=ring) is None


def test_only_text_is_encrypted(ring):
    with pytest.raises(TypeError):
        encrypt(b"bytes", context=CONTEXT, key_ring=ring)
    with pytest.raises(ValueError, match="context"):
        encrypt("x", context="", key_ring=ring)


def test_same_value_gives_a_new_token_each_time(ring):
    assert encrypt("Peeters", context=CONTEXT, key_ring=ring) != encrypt(
        "Peeters", context=CONTEXT, key_ring=ring
    )


def test_tokens_show_the_length_only_in_steps_of_16_bytes(ring):
    def size(value):
        return len(encrypt(value, context=CONTEXT, key_ring=ring))

    assert size("") == size("a") == size("a" * 15)
    assert size("a" * 16) > size("a" * 15)


def test_context_parts_cannot_contain_the_separator():
    assert context_for("tickets", 7, "phone") == "tickets:7:phone"
    with pytest.raises(ValueError, match="':'"):
        context_for("tickets", "7:phone", "x")
    with pytest.raises(ValueError, match="non-empty"):
        context_for("tickets", "", "phone")


# --- refusals -------------------------------------------------------------------------


def test_every_flipped_byte_is_refused(ring):
    token = encrypt("Peeters", context=CONTEXT, key_ring=ring)
    prefix, payload = token.rsplit(":", 1)
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    for position in range(len(raw)):
        flipped = bytearray(raw)
        flipped[position] ^= 0x01
        forged = f"{prefix}:{base64.urlsafe_b64encode(flipped).rstrip(b'=').decode()}"
        with pytest.raises(DecryptionError):
            decrypt(forged, context=CONTEXT, key_ring=ring)


def test_every_changed_character_is_refused(ring):
    token = encrypt("Peeters", context=CONTEXT, key_ring=ring)
    start = len("v1:e5f6a7b8:")
    for position in range(start, len(token)):
        replacement = "A" if token[position] != "A" else "B"
        with pytest.raises(DecryptionError):
            decrypt(
                token[:position] + replacement + token[position + 1 :],
                context=CONTEXT,
                key_ring=ring,
            )


@pytest.mark.parametrize(
    "context",
    [
        context_for("tickets", 43, "last_name"),  # another row
        context_for("tickets", 42, "first_name"),  # another column
        context_for("contacts", 42, "last_name"),  # another table
    ],
)
def test_a_token_only_opens_in_its_own_place(ring, context):
    token = encrypt("Peeters", context=CONTEXT, key_ring=ring)
    with pytest.raises(DecryptionError, match="authentication"):
        decrypt(token, context=context, key_ring=ring)


def test_unknown_key_id_is_refused(ring):
    token = encrypt("Peeters", context=CONTEXT, key_ring=ring)
    other = KeyRing([("0ld0ld00", OLD_KEY)])
    with pytest.raises(DecryptionError, match=r"'e5f6a7b8'.*not in the key ring"):
        decrypt(token, context=CONTEXT, key_ring=other)


def test_a_token_relabelled_with_another_key_id_is_refused(ring):
    token = encrypt("Peeters", context=CONTEXT, key_ring=ring)
    with pytest.raises(DecryptionError):
        decrypt(token.replace("e5f6a7b8", "0ld0ld00"), context=CONTEXT, key_ring=ring)


@pytest.mark.parametrize(
    "token",
    [
        "",
        "Peeters",
        "v2:e5f6a7b8:AAAA",
        "v1:",
        "v1:e5f6a7b8:",
        "v1:bad id:AAAA",
        "v1:e5f6a7b8:!!!!",
        "v1:e5f6a7b8:AAAA",
    ],
)
def test_malformed_tokens_are_refused(ring, token):
    with pytest.raises(DecryptionError):
        decrypt(token, context=CONTEXT, key_ring=ring)


def test_errors_and_reprs_hold_no_plaintext_or_key_material(ring):
    token = encrypt("Peeters", context=CONTEXT, key_ring=ring)
    messages = []
    for bad_token, bad_context in (
        (token, context_for("tickets", 1, "x")),
        (altered(token), CONTEXT),
    ):
        with pytest.raises(DecryptionError) as caught:
            decrypt(bad_token, context=bad_context, key_ring=ring)
        messages.append(str(caught.value))
    with pytest.raises(DecryptionError) as caught:
        reencrypt_batch([(CONTEXT, altered(token))], key_ring=ring)
    messages += [str(caught.value), repr(caught.value), repr(ring), str(ring)]
    index_keys = [ring.blind_index_key(key_id) for key_id in ring.key_ids]
    for text in messages:
        assert "Peeters" not in text
        for secret in secrets_of(OLD_KEY, NEW_KEY, *index_keys):
            assert secret not in text
    assert repr(ring) == "<KeyRing ['0ld0ld00', 'e5f6a7b8'] current='e5f6a7b8' source=''>"


# --- rotation -------------------------------------------------------------------------


def test_rotation_moves_old_tokens_to_the_current_key(old_ring, ring):
    old_token = encrypt("Peeters", context=CONTEXT, key_ring=old_ring)
    assert not needs_rotation(old_token, key_ring=old_ring)
    assert needs_rotation(old_token, key_ring=ring)
    assert decrypt(old_token, context=CONTEXT, key_ring=ring) == "Peeters"

    new_token = reencrypt(old_token, context=CONTEXT, key_ring=ring)
    assert new_token.startswith("v1:e5f6a7b8:")
    assert not needs_rotation(new_token, key_ring=ring)
    assert decrypt(new_token, context=CONTEXT, key_ring=ring) == "Peeters"
    assert reencrypt(new_token, context=CONTEXT, key_ring=ring) == new_token


def test_reencrypting_needs_the_right_context(old_ring, ring):
    old_token = encrypt("Peeters", context=CONTEXT, key_ring=old_ring)
    with pytest.raises(DecryptionError):
        reencrypt(old_token, context=context_for("tickets", 1, "last_name"), key_ring=ring)


def test_batch_reencryption_keeps_order_and_every_value(old_ring, ring):
    values = [f"value {n}" for n in range(20)] + [None]
    contexts = [context_for("tickets", n, "notes") for n in range(len(values))]
    items = [
        (c, encrypt(v, context=c, key_ring=old_ring)) for c, v in zip(contexts, values, strict=True)
    ]
    items[3] = (contexts[3], encrypt("value 3", context=contexts[3], key_ring=ring))  # done before
    tokens = reencrypt_batch(iter(items), key_ring=ring)
    assert tokens[3] == items[3][1]
    decrypted = [
        decrypt(t, context=c, key_ring=ring) for c, t in zip(contexts, tokens, strict=True)
    ]
    assert decrypted == values
    assert not any(needs_rotation(token, key_ring=ring) for token in tokens)


def test_batch_reencryption_is_all_or_nothing(old_ring, ring):
    good = (CONTEXT, encrypt("Peeters", context=CONTEXT, key_ring=old_ring))
    copied = (context_for("tickets", 43, "last_name"), good[1])  # a token moved to another row
    with pytest.raises(DecryptionError, match=r"item 1 \(tickets:43:last_name\)"):
        reencrypt_batch([good, copied, good], key_ring=ring)


def test_a_staged_key_decrypts_but_is_not_used_yet(old_ring):
    staged = KeyRing([("0ld0ld00", OLD_KEY), ("e5f6a7b8", NEW_KEY)], current="0ld0ld00")
    token = encrypt("Peeters", context=CONTEXT, key_ring=staged)
    assert token.startswith("v1:0ld0ld00:")
    assert decrypt(token, context=CONTEXT, key_ring=old_ring) == "Peeters"


# --- the key ring ---------------------------------------------------------------------


def test_purposes_have_separate_keys(ring):
    index_key = ring.blind_index_key("e5f6a7b8")
    assert len(index_key) == 32
    assert index_key not in (NEW_KEY, ring.blind_index_key("0ld0ld00"))


@pytest.mark.parametrize(
    ("keys", "current", "message"),
    [
        ([], None, "no keys"),
        ([("a", OLD_KEY), ("a", NEW_KEY)], None, "appears twice"),
        ([("a", OLD_KEY[:16])], None, "not 32 bytes"),
        ([("a:b", OLD_KEY)], None, "malformed key id"),
        ([("a", OLD_KEY)], "b", "not in the ring"),
    ],
)
def test_malformed_rings_are_refused(keys, current, message):
    with pytest.raises(KeyRingError, match=message):
        KeyRing(keys, current=current)


def test_environment_forms(ring):
    compact = f"0ld0ld00:{b64(OLD_KEY)}, e5f6a7b8:{b64(NEW_KEY)}"
    entries = [{"id": "0ld0ld00", "key": b64(OLD_KEY)}, {"id": "e5f6a7b8", "key": b64(NEW_KEY)}]
    url_safe = f"0ld0ld00:{base64.urlsafe_b64encode(OLD_KEY).decode().rstrip('=')}"
    for value in (compact, json.dumps(entries), json.dumps({"keys": entries}), {"keys": entries}):
        parsed = parse_key_ring(value)
        assert parsed.key_ids == ("0ld0ld00", "e5f6a7b8")
        assert parsed.current_id == "e5f6a7b8"
    staged = parse_key_ring({"current": "0ld0ld00", "keys": entries})
    assert staged.current_id == "0ld0ld00"
    token = encrypt("x", context=CONTEXT, key_ring=ring)
    assert decrypt(token, context=CONTEXT, key_ring=parse_key_ring(compact)) == "x"
    assert parse_key_ring(url_safe).key_ids == ("0ld0ld00",)


@pytest.mark.parametrize(
    "value",
    [
        f"{b64(OLD_KEY)}:0ld0ld00",  # id and key swapped
        b64(OLD_KEY),  # no id
        f'{{"keys": [{{"id": "{b64(OLD_KEY)}", "key": "{b64(OLD_KEY)}"}}]}}',
        f'{{"current": "{b64(OLD_KEY)}", "keys": [{{"id": "a", "key": "{b64(OLD_KEY)}"}}]}}',
        '{"keys": [',
        f"a:{b64(OLD_KEY)[:-4]}",
    ],
)
def test_malformed_environment_values_never_echo_a_key(value):
    with pytest.raises(KeyRingError) as caught:
        parse_key_ring(value, source=KEYS_ENV_VAR)
    assert str(caught.value).startswith(f"{KEYS_ENV_VAR}: ")
    for secret in secrets_of(OLD_KEY):
        assert secret[:20] not in str(caught.value)


# --- key sources ----------------------------------------------------------------------


def test_generated_key_file_is_private_and_never_overwritten(tmp_path):
    path = key_file_path(tmp_path / "instance")
    key_id = generate_key_file(path)
    assert key_id is not None
    assert len(key_id) == 8
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    content = path.read_text()
    assert generate_key_file(path) is None
    assert path.read_text() == content
    ring = load_key_ring(tmp_path / "instance", environ={})
    assert ring.key_ids == (key_id,)
    assert ring.source == str(path)
    assert list(path.parent.iterdir()) == [path]  # no temporary file left


def test_a_key_file_others_can_read_is_refused(tmp_path):
    path = tmp_path / "keys.json"
    generate_key_file(path)
    path.chmod(0o644)
    with pytest.raises(KeyRingError, match="chmod 600"):
        read_key_file(path)


def test_the_environment_wins_over_the_file(tmp_path):
    generate_key_file(key_file_path(tmp_path))
    ring = load_key_ring(tmp_path, environ={KEYS_ENV_VAR: f"env1:{b64(NEW_KEY)}"})
    assert ring.key_ids == ("env1",)
    assert ring.source == f"environment {KEYS_ENV_VAR}"
    assert load_key_ring(tmp_path, environ={KEYS_ENV_VAR: "  "}).source.endswith("keys.json")


def test_no_keys_anywhere_says_what_to_do(tmp_path):
    with pytest.raises(KeyRingError, match=r"tracing-app init.*TRACING_DATA_KEYS"):
        load_key_ring(tmp_path, environ={})


def test_adding_staging_and_retiring_keys_in_the_file(tmp_path):
    path = key_file_path(tmp_path)
    first = generate_key_file(path)
    token = encrypt("Peeters", context=CONTEXT, key_ring=read_key_file(path))

    staged = add_key_to_file(path, make_current=False)
    assert read_key_file(path).current_id == first
    set_current_key(path, staged)
    ring = read_key_file(path)
    assert (ring.key_ids, ring.current_id) == ((first, staged), staged)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

    newest = add_key_to_file(path)
    assert read_key_file(path).current_id == newest
    with pytest.raises(KeyRingError, match="current key cannot be removed"):
        remove_key_from_file(path, newest)
    with pytest.raises(KeyRingError, match="no key"):
        remove_key_from_file(path, "missing")
    with pytest.raises(KeyRingError, match="not in the ring"):
        set_current_key(path, "missing")

    token = reencrypt(token, context=CONTEXT, key_ring=read_key_file(path))
    remove_key_from_file(path, first)
    ring = read_key_file(path)
    assert ring.key_ids == (staged, newest)
    assert decrypt(token, context=CONTEXT, key_ring=ring) == "Peeters"
    assert list(path.parent.iterdir()) == [path]
