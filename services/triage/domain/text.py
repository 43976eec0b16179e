"""Vietnamese text folding for triage (the implementation lives in shared.text)."""

from shared.text import fold, fold_words

__all__ = ["fold", "fold_words"]
