"""The satisfaction survey of regulation 003: offered once a request is completed, once per request, worded
for the channel the request was made on, and anonymous in every report."""

import re

import pytest

from app.core.actors import Actor
from app.core.clock import local_now
from app.extensions import db
from app.models import SurveyResponse
from app.services import catalogue, survey
from app.services import requests as request_service
from tests.conftest import page_text
from tests.feedback_factories import last_code, make_patient, make_request

ANSWERS = {"process_rating": "satisfied", "information_rating": "partly_satisfied"}
# Regulation 003, annex 3 (003:216-230), «"Сапа" және "қолжетімділік" электрондық мемлекеттік қызметтің
# көрсеткіштерін айқындауға арналған сауалнама нысаны», word for word:
#   «(қызметтің атауы)»
#   «1. Электрондық мемлекеттік қызмет көрсетудің үдеріс сапасына және нәтижесіне қанағаттанасыз ба?»
#   «2. Электрондық мемлекеттік қызмет көрсету тәртібі жөніндегі ақпараттың сапасына қанағаттанасыз ба?»
# Web and kiosk requests get these words (ru: the project's faithful translation; 003 has no Russian); desk
# and phone requests keep the shorter form without «Электрондық мемлекеттік» (fidelity review row 15).
ELECTRONIC_QUESTIONS = {
    "kk": (
        "1. Электрондық мемлекеттік қызмет көрсетудің үдеріс сапасына және нәтижесіне қанағаттанасыз ба?",
        "2. Электрондық мемлекеттік қызмет көрсету тәртібі жөніндегі ақпараттың сапасына қанағаттанасыз ба?",
    ),
    "ru": (
        "1. Удовлетворены ли Вы качеством процесса и результатом оказания электронной "
        "государственной услуги?",
        "2. Удовлетворены ли Вы качеством информации о порядке оказания электронной государственной услуги?",
    ),
}
SHORT_QUESTIONS = {
    "kk": (
        "1. Қызмет көрсету үдерісінің сапасына және нәтижесіне қанағаттанасыз ба?",
        "2. Қызмет көрсету тәртібі жөніндегі ақпараттың сапасына қанағаттанасыз ба?",
    ),
    "ru": (
        "1. Удовлетворены ли вы качеством процесса и результатом оказания услуги?",
        "2. Удовлетворены ли вы качеством информации о порядке оказания услуги?",
    ),
}
TEXTS = {
    "kk": {
        "question": ELECTRONIC_QUESTIONS["kk"][0],  # the fixture's request was made on the web
        "heading": "Қызметті бағалаңыз",
        "thanks": "Рақмет! Сіздің жауаптарыңыз",
        "rated": "Сіз бұл қызметті бағаладыңыз.",
        "choose": "Бір жауапты таңдаңыз.",
    },
    "ru": {
        "question": ELECTRONIC_QUESTIONS["ru"][0],
        "heading": "Оцените услугу",
        "thanks": "Спасибо! Ваши ответы",
        "rated": "Вы оценили эту услугу.",
        "choose": "Выберите один ответ.",
    },
}


def _follow(client, request, phone="+77011234567"):
    client.post("/status", data={"number": request.number})
    assert client.post(f"/status/{request.number}/code", data={"code": last_code(phone)}).status_code == 303


@pytest.fixture
def completed(app, frozen):
    frozen(2026, 3, 18, 10, 0)
    request = make_request(make_patient())
    request_service.transition(request, "completed", actor=Actor.system())
    db.session.commit()
    return request


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_a_completed_request_is_rated_once(client, completed, language):
    client.set_cookie("emhana_lang", language, domain="localhost")
    texts = TEXTS[language]
    _follow(client, completed)
    page = page_text(client.get(f"/status/{completed.number}"))
    assert texts["question"] in page

    response = client.post(f"/status/{completed.number}/survey", data=ANSWERS)
    assert response.status_code == 303
    page = page_text(client.get(response.headers["Location"]))
    assert texts["thanks"] in page and texts["rated"] in page
    assert texts["question"] not in page, "the survey is offered once"

    again = client.post(
        f"/status/{completed.number}/survey", data={**ANSWERS, "process_rating": "not_satisfied"}
    )
    assert again.status_code == 422
    assert db.session.query(SurveyResponse).count() == 1
    stored = db.session.query(SurveyResponse).one()
    assert (stored.process_rating, stored.information_rating) == ("satisfied", "partly_satisfied")
    assert stored.answered_on == local_now().date()


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_both_questions_must_be_answered(client, completed, language):
    client.set_cookie("emhana_lang", language, domain="localhost")
    _follow(client, completed)
    response = client.post(f"/status/{completed.number}/survey", data={"process_rating": "satisfied"})
    assert response.status_code == 422
    assert TEXTS[language]["choose"] in page_text(response)
    kept = re.search(
        r'<input checked[^>]*name="process_rating"[^>]*value="satisfied"', response.get_data(as_text=True)
    )
    assert kept, "the answer given is kept"
    assert db.session.query(SurveyResponse).count() == 0

    response = client.post(
        f"/status/{completed.number}/survey",
        data={"process_rating": "great", "information_rating": "satisfied"},
    )
    assert response.status_code == 422
    assert db.session.query(SurveyResponse).count() == 0


@pytest.mark.parametrize("language", ["kk", "ru"])
@pytest.mark.parametrize(
    ("channel", "questions"),
    [
        ("web", ELECTRONIC_QUESTIONS),
        ("kiosk", ELECTRONIC_QUESTIONS),
        ("desk", SHORT_QUESTIONS),
        ("phone", SHORT_QUESTIONS),
    ],
)
def test_the_questions_follow_the_channel_and_the_heading_names_the_service(
    client, app, frozen, channel, questions, language
):
    """003 annex 3 for an electronic service (web, kiosk) word for word; the shorter form for desk and phone;
    the heading names the service as the form's «(қызметтің атауы)» line does."""
    frozen(2026, 3, 18, 10, 0)
    request = make_request(make_patient(), "appointment", channel=channel)
    request_service.transition(request, "completed", actor=Actor.system())
    db.session.commit()
    client.set_cookie("emhana_lang", language, domain="localhost")
    _follow(client, request)
    response = client.get(f"/status/{request.number}")
    page = page_text(response)
    assert questions[language][0] in page and questions[language][1] in page
    other = SHORT_QUESTIONS if questions is ELECTRONIC_QUESTIONS else ELECTRONIC_QUESTIONS
    assert other[language][0] not in page and other[language][1] not in page
    name = catalogue.get("appointment").name.in_language(language)
    heading = re.search(r'<form class="survey".*?<h2>(.*?)</h2>', response.get_data(as_text=True), re.S)
    assert TEXTS[language]["heading"] in heading.group(1) and name in heading.group(1)
    assert name == {"kk": "Дәрігердің қабылдауына жазылу", "ru": "Запись на приём к врачу"}[language]

    # A refused answer shows the form again in the same words.
    response = client.post(f"/status/{request.number}/survey", data={"process_rating": "satisfied"})
    assert response.status_code == 422
    assert questions[language][1] in page_text(response)
    assert client.post(f"/status/{request.number}/survey", data=ANSWERS).status_code == 303
    assert db.session.query(SurveyResponse).one().channel == channel


def test_question_texts_per_channel(app):
    for channel in ("web", "kiosk"):
        assert survey.question_texts(channel) is survey.ELECTRONIC_QUESTION_TEXTS
    for channel in ("desk", "phone"):
        assert survey.question_texts(channel) is survey.QUESTION_TEXTS


def test_the_survey_is_not_offered_before_completion(client, app, frozen):
    frozen(2026, 3, 18, 10, 0)
    request = make_request(make_patient())
    _follow(client, request)
    assert TEXTS["kk"]["question"] not in page_text(client.get(f"/status/{request.number}"))
    response = client.post(f"/status/{request.number}/survey", data=ANSWERS)
    assert response.status_code == 422
    assert "Сауалнама өтінім орындалғаннан кейін ашылады." in page_text(response)
    assert db.session.query(SurveyResponse).count() == 0


def test_only_the_person_who_follows_the_request_may_rate_it(client, completed):
    response = client.post(f"/status/{completed.number}/survey", data=ANSWERS)
    assert response.status_code == 303 and "/status?number=" in response.headers["Location"]
    assert db.session.query(SurveyResponse).count() == 0


def test_the_same_request_cannot_be_rated_twice_by_the_service(app, completed):
    survey.record_answer(completed, process="satisfied", information="satisfied")
    with pytest.raises(survey.SurveyError):
        survey.record_answer(completed, process="not_satisfied", information="satisfied")
    assert not survey.is_offered(completed)


def test_reports_count_answers_without_saying_whose_they_are(client, login, app, frozen):
    frozen(2026, 3, 18, 10, 0)
    people = [make_patient(serial, phone=f"+7701000000{serial}") for serial in (1, 2, 3)]
    requests = []
    for person, (process, information) in zip(
        people,
        [("satisfied", "satisfied"), ("not_satisfied", "partly_satisfied"), ("satisfied", "not_satisfied")],
        strict=True,
    ):
        request = make_request(person)
        request_service.transition(request, "completed", actor=Actor.system())
        survey.record_answer(request, process=process, information=information)
        requests.append(request)
    db.session.commit()

    results = {r.question: r.counts for r in survey.results(local_now().date(), local_now().date())}
    assert results["process"] == {"not_satisfied": 1, "partly_satisfied": 0, "satisfied": 2}
    assert results["information"] == {"not_satisfied": 1, "partly_satisfied": 1, "satisfied": 1}

    login("head")
    query = "date_from=2026-03-01&date_to=2026-03-31"
    for url in (f"/staff/monitoring?{query}", f"/staff/monitoring.csv?{query}"):
        body = client.get(url).get_data(as_text=True)
        for request, person in zip(requests, people, strict=True):
            assert request.number not in body
            assert person.iin not in body and person.last_name not in body
