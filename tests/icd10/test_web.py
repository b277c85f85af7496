"""The staff's ICD-10 search (an htmx fragment of options) and the diagnosis field every form can hold, in
Kazakh and Russian."""

import re

import pytest
from flask import render_template_string
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict
from wtforms.validators import DataRequired

from app.forms import DiagnosisField, Form
from tests.conftest import page_text

TEXTS = {
    "kk": {
        "no_such": "ХАЖ-10 бойынша мұндай код жоқ: J06.7.",
        "label": "Диагноз (ХАЖ-10)",
        "hint": "Кодты (J06.9) немесе диагноздың сөздерін теріп, тізімнен таңдаңыз.",
    },
    "ru": {
        "no_such": "Такого кода МКБ-10 нет: J06.7.",
        "label": "Диагноз (МКБ-10)",
        "hint": "Введите код (J06.9) или слова диагноза и выберите его из списка.",
    },
}
J069_RU = "Острая инфекция верхних дыхательных путей неуточненная"


@pytest.mark.parametrize("role", ["doctor", "head", "registrar"])
@pytest.mark.parametrize("language", ["kk", "ru"])
def test_search_gives_options_in_the_pages_language(client, login, role, language):
    login(role)
    client.get(f"/lang/{language}")
    response = client.get("/staff/icd10/search?q=j06", headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.strip().startswith('<datalist id="q-icd10-options">')
    assert '<option value="J06.9"' in html
    # No official Kazakh titles exist: Kazakh pages show the Russian title too (data/README.md).
    assert f"J06.9 {J069_RU}" in page_text(response)
    assert (
        [line for line in html.splitlines() if "<option" in line][0].strip().startswith('<option value="J06"')
    )


def test_search_reads_the_inputs_own_name_as_htmx_sends_it(client, login):
    login("doctor")
    response = client.get("/staff/icd10/search?field=diagnosis&diagnosis=острая+инфекция+верхних")
    html = response.get_data(as_text=True)
    assert '<datalist id="diagnosis-icd10-options">' in html
    assert '<option value="J06.9"' in html


@pytest.mark.parametrize("query", ["", "qqqq", "<script>", "x" * 3000])
def test_search_with_nothing_to_find_gives_an_empty_list(client, login, query):
    login("doctor")
    response = client.get("/staff/icd10/search", query_string={"q": query, "field": "<b>"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<option" not in html and "<b>" not in html and "<script>" not in html


def test_search_is_only_for_staff(client, login):
    assert client.get("/staff/icd10/search?q=J06").status_code == 302  # to the sign-in page
    login("admin")
    assert client.get("/staff/icd10/search?q=J06").status_code == 403


class DiagnosisForm(Form):
    diagnosis = DiagnosisField(validators=[DataRequired()])


def _posted(app, value, language):
    with app.test_request_context(method="POST", data={"diagnosis": value}), force_locale(language):
        form = DiagnosisForm(formdata=MultiDict({"diagnosis": value}))
        valid = form.validate()
        html = render_template_string(
            '{% from "icd10/_field.html" import diagnosis_input %}{{ diagnosis_input(form.diagnosis) }}',
            form=form,
        )
        return valid, form, html, [str(error) for error in form.diagnosis.errors]


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_field_refuses_a_code_that_does_not_exist(app, language):
    valid, form, html, errors = _posted(app, "j067", language)
    assert not valid
    assert errors == [TEXTS[language]["no_such"]]
    assert TEXTS[language]["no_such"] in html
    assert 'value="J06.7"' in html  # what was typed stays in the input
    assert 'aria-invalid="true"' in html


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_field_holds_the_normalised_code_and_shows_its_title(app, language):
    valid, form, html, errors = _posted(app, "j 06 9", language)
    assert valid and errors == []
    assert form.diagnosis.data == "J06.9"
    assert form.diagnosis.diagnosis.title_ru == J069_RU
    assert TEXTS[language]["label"] in html and TEXTS[language]["hint"] in html
    assert f"J06.9 {J069_RU}" in html
    # The htmx search is wired to the input; nothing inline for the CSP to refuse.
    assert 'hx-get="/staff/icd10/search?field=diagnosis"' in html
    assert 'list="diagnosis-icd10-options"' in html and '<datalist id="diagnosis-icd10-options">' in html
    assert "<script" not in html and "style=" not in html and not re.search(r"\son\w+=", html)


def test_the_field_reads_cyrillic_look_alikes(app):
    valid, form, _html, _errors = _posted(app, "т81,4", "ru")
    assert valid and form.diagnosis.data == "T81.4"


def test_an_empty_field_is_left_to_the_forms_own_validators(app):
    valid, _form, _html, errors = _posted(app, "", "ru")
    assert not valid and len(errors) == 1 and "МКБ" not in errors[0]
