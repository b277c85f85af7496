"""Text that exists in both languages as data (regulation wording), rather than as a Babel message."""

from dataclasses import dataclass

from app.core.i18n import current_language


@dataclass(frozen=True)
class Bilingual:
    kk: str
    ru: str

    def in_language(self, language: str) -> str:
        return self.ru if language == "ru" else self.kk

    def __str__(self) -> str:
        return self.in_language(current_language())
