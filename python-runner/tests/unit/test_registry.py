import pytest

from mlbridge_runner import (
    AlreadyRegistered,
    InvalidPipelineName,
    NotRegistered,
    Registry,
    RegistryError,
    default_registry,
    pipeline,
)


@pytest.fixture
def registry():
    return Registry()


def test_bare_decorator_uses_the_function_name(registry):
    @registry.pipeline
    def train_model(dataset: str) -> str:
        return dataset

    assert registry["train_model"].fn is train_model
    assert train_model("x") == "x"  # returned unchanged
    assert registry["train_model"].timeout is None


def test_named_forms(registry):
    @registry.pipeline("fit")
    def a():
        pass

    @registry.pipeline(name="predict", timeout=2)
    def b():
        pass

    @registry.pipeline()
    def c():
        pass

    assert registry.names() == ["c", "fit", "predict"]
    assert registry["predict"].timeout == 2.0


def test_module_level_decorator_fills_the_default_registry():
    @pipeline("unit_test_default_registry_entry")
    def f():
        pass

    try:
        assert default_registry["unit_test_default_registry_entry"].fn is f
    finally:
        dict.pop(default_registry, "unit_test_default_registry_entry")


def test_async_pipelines_are_marked(registry):
    @registry.pipeline
    async def fetch():
        return 1

    assert registry["fetch"].is_async


def test_duplicate_name_fails_at_registration(registry):
    registry.register(lambda: 1, "same")
    with pytest.raises(AlreadyRegistered, match="same"):
        registry.register(lambda: 2, "same")


@pytest.mark.parametrize(
    "name",
    ["", " x", "x ", "echo ", "with space", "a/b", "os.system('x')", "1starts_with_digit", "ü", "x" * 201, "a\n"],
)
def test_bad_names_fail_at_registration(registry, name):
    with pytest.raises(InvalidPipelineName):
        registry.register(lambda: None, name)
    with pytest.raises(InvalidPipelineName):
        registry.pipeline(name)


def test_good_names(registry):
    names = ["a", "_private", "train_model", "ml.train-v2", "A" * 200]
    functions = {name: (lambda: None) for name in names}
    for name in names:
        entry = registry.register(functions[name], name)
        assert entry.name == name  # kept exactly: no case folding, no clipping
    assert registry.names() == sorted(names)
    assert all(registry[name].fn is functions[name] for name in names)


def test_non_string_name(registry):
    with pytest.raises(InvalidPipelineName):
        registry.register(lambda: None, 42)  # type: ignore[arg-type]


def test_bad_timeouts(registry):
    for timeout in (0, -1, "5", True):
        with pytest.raises(RegistryError):
            registry.register(lambda: None, "t", timeout)  # type: ignore[arg-type]


def test_not_callable_and_positional_only(registry):
    with pytest.raises(RegistryError):
        registry.register("not a function", "x")  # type: ignore[arg-type]

    def positional_only(a, /):
        pass

    with pytest.raises(RegistryError, match="positional-only"):
        registry.register(positional_only)


def test_options_need_parentheses(registry):
    def f():
        pass

    with pytest.raises(RegistryError):
        registry.pipeline("a", name="b")


def test_missing_name_raises_not_registered_listing_names(registry):
    registry.register(lambda: None, "echo")
    with pytest.raises(NotRegistered) as info:
        registry["nope"]
    assert isinstance(info.value, KeyError)
    assert info.value.name == "nope"
    assert str(info.value) == "no pipeline named 'nope' is registered; registered: echo"


@pytest.mark.parametrize(
    "name",
    ["__import__('os').system('x')", "os.system", "eval", "builtins.exec", "echo ", " echo", "ECHO", "exec", "print"],
)
def test_code_like_names_are_simply_not_found(registry, name):
    registry.register(lambda: "echo", "echo")
    with pytest.raises(NotRegistered):
        registry[name]


def test_direct_assignment_is_refused(registry):
    with pytest.raises(RegistryError):
        registry["x"] = None  # type: ignore[assignment]
