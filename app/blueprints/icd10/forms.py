"""The lookup has no form of its own: a diagnosis is typed into a `DiagnosisField` (app/forms.py) of the
form that records it, and searched through the view's query string."""
