"""The README documents every setting there is."""

from pydantic import BaseModel

from groundline.settings import Settings
from tests.conftest import REPO


def _variables(model: type[BaseModel], prefix: str) -> list[str]:
    names = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            names += _variables(annotation, f"{prefix}{name.upper()}__")
        else:
            names.append(f"{prefix}{name.upper()}")
    return names


def test_every_setting_is_in_the_readme_and_env_example() -> None:
    readme = (REPO / "README.md").read_text()
    example = (REPO / ".env.example").read_text()
    for variable in _variables(Settings, "GROUNDLINE_"):
        assert f"`{variable}`" in readme, variable
        assert variable in example, variable
