from portal.services import passwords


def test_hashes_are_argon2id_and_verify() -> None:
    hashed = passwords.hash_password("a long passphrase")
    assert hashed.startswith("$argon2id$")
    assert passwords.verify_password(hashed, "a long passphrase")
    assert not passwords.verify_password(hashed, "a long passphrasE")


def test_a_malformed_hash_does_not_verify() -> None:
    assert not passwords.verify_password("not a hash", "anything")


def test_short_passwords_are_refused() -> None:
    assert passwords.password_problem("x" * (passwords.MIN_LENGTH - 1))
    assert passwords.password_problem("q7#vLp2!") is None


def test_passwords_up_to_the_maximum_are_accepted_and_longer_refused() -> None:
    assert passwords.MAX_LENGTH >= 64
    assert passwords.password_problem("w" * 30 + "z" * (passwords.MAX_LENGTH - 30)) is None
    assert passwords.password_problem("w" * (passwords.MAX_LENGTH + 1))


def test_common_passwords_are_refused_whatever_the_case() -> None:
    assert passwords.password_problem("password1")
    assert passwords.password_problem("Football")
    assert passwords.password_problem("12345678")


def test_the_email_or_name_is_refused_as_password() -> None:
    assert passwords.password_problem("olena.k@example.org", email="olena.k@example.org")
    assert passwords.password_problem("olenakovalenko", email="olenakovalenko@example.org")


def test_the_default_cost_meets_the_owasp_recommendation(tmp_path) -> None:
    from argon2 import extract_parameters

    from portal import create_app

    create_app({"SECRET_KEY": "k" * 40}, instance_path=str(tmp_path))  # production settings
    parameters = extract_parameters(passwords.hash_password("a long passphrase"))
    assert parameters.type.name == "ID"
    assert (parameters.time_cost, parameters.memory_cost, parameters.parallelism) == (3, 65536, 4)
