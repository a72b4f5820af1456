from mlbridge_runner.runner.failures import MAX_MESSAGE_CHARS, remote_error, type_name


class Custom(Exception):
    pass


class BadStr(Exception):
    def __str__(self):
        raise RuntimeError("no")


def raised(exc):
    try:
        raise exc
    except BaseException as caught:  # noqa: BLE001
        return caught


def test_type_names():
    assert type_name(ValueError()) == "ValueError"
    assert type_name(Custom()) == f"{__name__}.Custom"


def test_context_chain_outermost_first_and_suppressed_context():
    try:
        try:
            try:
                raise OSError("disk")
            except OSError:
                raise KeyError("k")
        except KeyError as exc:
            raise Custom("top") from exc
    except Custom as top:
        error = remote_error(top, "PIPELINE_ERROR")
    assert [c.type for c in error.causes] == ["KeyError", "OSError"]

    try:
        try:
            raise OSError("hidden")
        except OSError:
            raise ValueError("shown") from None
    except ValueError as exc:
        assert remote_error(exc, "PIPELINE_ERROR").causes == ()


def test_cycle_in_chain_terminates():
    a, b = Custom("a"), Custom("b")
    a.__cause__, b.__cause__ = b, a
    assert len(remote_error(a, "X").causes) == 1


def test_broken_str_and_huge_messages():
    assert "BadStr" in remote_error(raised(BadStr()), "X").message
    assert len(remote_error(raised(ValueError("x" * 100_000)), "X").message) <= MAX_MESSAGE_CHARS
