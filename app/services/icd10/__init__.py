"""ICD-10 diagnoses (МКБ-10 / ХАЖ-10): a kernel lookup every service that writes a diagnosis uses
(certificates, inpatient extracts, sick leave, urgent care). Reference data only: no requests, no patient
data, nothing audited.

- `Diagnosis`: a code ("J06.9", or a category such as "J06") with its Russian title and, when an official
  Kazakh title exists, its Kazakh one; `title(language)` gives the one to show (Russian on Kazakh pages when
  there is no Kazakh title).
- `normalise(text)`: what a person typed as a code, as the classifier writes it ("j 069" -> "J06.9",
  Cyrillic "Т81.4" -> "T81.4").
- `find(code)`: the diagnosis of an existing code, or None.
- `search(query, limit)`: by code prefix, or by the words of the title.

The data is the Russian Ministry of Health's open МКБ-10 classifier (data/README.md), read once per process
on first use.
"""

from app.services.icd10.queries import find, search
from app.services.icd10.rules import Diagnosis, normalise

__all__ = ["Diagnosis", "find", "normalise", "search"]
