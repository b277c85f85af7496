"""Two app processes behind nginx on a PostgreSQL primary with a streaming standby, all on loopback
(issue 23's test of the real thing; scripts/cluster-test.sh). In file order: each test leaves the cluster
serving for the next, the failover last."""

import re
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.cluster.conftest import PATIENTS
from tests.cluster.harness import APP_PORTS, NGINX_PORT, PRIMARY_PORT, STANDBY_PORT

pytestmark = pytest.mark.cluster

A, B = (f"http://127.0.0.1:{port}" for port in APP_PORTS)
NGINX = f"http://127.0.0.1:{NGINX_PORT}"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
NOT_GIVEN = "Бұл емхана бұл қызметті көрсетпейді."  # kk: "This clinic does not give this service."


def csrf_of(response: requests.Response) -> str:
    found = CSRF.search(response.text)
    assert found, f"no CSRF token on {response.url}"
    return found.group(1)


def book(base: str, session: list, slot: list) -> int:
    (cookie, token, _), (doctor_id, key) = session, slot
    try:
        response = requests.post(
            f"{base}/appointments/book",
            data={"doctor": doctor_id, "slot": key, "csrf_token": token},
            cookies={"session": cookie},
            allow_redirects=False,
            timeout=60,
        )
    except requests.RequestException:
        return 0
    return response.status_code


def test_two_hosts_migrating_at_once_migrate_once(cluster):
    migrated = [output for output in cluster.upgrade_outputs if "migrated" in output]
    waited = [output for output in cluster.upgrade_outputs if "nothing to migrate" in output]
    assert len(migrated) == 1 and len(waited) == 1, cluster.upgrade_outputs


def test_a_patient_signs_in_on_one_process_and_goes_on_on_the_other(cluster):
    browser = requests.Session()
    iin_page = browser.get(f"{A}/appointments/")
    assert iin_page.status_code == 200
    phone = f"+7703{PATIENTS - 1:07d}"  # the last seeded patient (tests/cluster/seed.py)
    iin = cluster.sql(PRIMARY_PORT, f"SELECT iin FROM patient WHERE phone = '{phone}'")
    sent = browser.post(f"{A}/appointments/code", data={"iin": iin, "csrf_token": csrf_of(iin_page)})
    assert sent.status_code == 200
    text = cluster.sql(
        PRIMARY_PORT, f"SELECT text FROM sms_outbox WHERE phone = '{phone}' ORDER BY id DESC LIMIT 1"
    )
    code = re.search(r"\b(\d{6})\b", text).group(1)
    # The code is checked by the other process, with the session the first one began.
    checked = browser.post(
        f"{B}/appointments/code/check",
        data={"code": code, "csrf_token": csrf_of(sent)},
        allow_redirects=False,
    )
    assert checked.status_code in (302, 303), checked.text[:500]
    assert "/appointments/choose" in checked.headers["Location"]
    for base in (A, B):
        page = browser.get(f"{base}/appointments/choose")
        assert page.status_code == 200 and "Кластеров" in page.text


def test_an_admin_change_on_one_process_is_seen_at_once_on_the_other(cluster):
    admin = requests.Session()
    form = admin.get(f"{A}/staff/login")
    signed_in = admin.post(
        f"{A}/staff/login",
        data={"username": "admin", "password": "emhana-demo-2026", "csrf_token": csrf_of(form)},
        allow_redirects=False,
    )
    assert signed_in.status_code in (302, 303), "the demo admin could not sign in"
    given_before = NOT_GIVEN not in requests.get(f"{B}/services/inpatient-extract").text
    switch = admin.get(f"{B}/staff/inpatient-extracts/module")  # the session from A works on B too
    assert switch.status_code == 200
    data = {"csrf_token": csrf_of(switch)}
    if not given_before:
        data["enabled"] = "y"
    assert (
        admin.post(f"{A}/staff/inpatient-extracts/module", data=data, allow_redirects=False).status_code < 400
    )
    for base in (B, A):
        page = requests.get(f"{base}/services/inpatient-extract").text
        assert (NOT_GIVEN not in page) is (not given_before), base


def test_200_concurrent_bookings_over_both_processes_give_one_success_per_slot(cluster):
    sessions, slots = cluster.data["sessions"][:200], cluster.data["slots"][:20]
    # Ten patients race for each of 20 slots, alternately through A and B, all at once.
    jobs = [(APP_PORTS[index % 2], sessions[index], slots[index % 20]) for index in range(200)]
    with ThreadPoolExecutor(max_workers=100) as pool:
        statuses = list(pool.map(lambda job: book(f"http://127.0.0.1:{job[0]}", job[1], job[2]), jobs))
    assert statuses.count(303) == 20, statuses
    assert statuses.count(200) == 180, statuses  # the others: "this time was just taken", nothing booked
    doctor_id = slots[0][0]
    rows = cluster.sql(
        PRIMARY_PORT,
        f"SELECT starts_at, count(*) FROM appointment WHERE doctor_id = {doctor_id} AND status = 'booked' "
        "GROUP BY starts_at",
    ).splitlines()
    assert len(rows) == 20 and all(row.endswith("|1") for row in rows), rows


def test_killing_one_process_under_load_loses_no_committed_request(cluster):
    sessions, slots = cluster.data["sessions"][200:300], cluster.data["slots"][20:120]
    doctor_id = slots[0][0]
    before = int(cluster.sql(PRIMARY_PORT, f"SELECT count(*) FROM appointment WHERE doctor_id = {doctor_id}"))
    results: list[int] = [0] * len(sessions)

    def one(index: int) -> None:
        results[index] = book(NGINX, sessions[index], slots[index])

    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(one, index) for index in range(len(sessions))]
        deadline = time.monotonic() + 30
        while sum(1 for future in futures if future.done()) < 30 and time.monotonic() < deadline:
            time.sleep(0.05)
        cluster.kill_app(APP_PORTS[0])  # mid-load: A dies with requests in its hands
        for future in futures:
            future.result(timeout=120)
    succeeded = [index for index, status in enumerate(results) if status == 303]
    in_flight = [index for index, status in enumerate(results) if status not in (303, 200)]
    after = int(cluster.sql(PRIMARY_PORT, f"SELECT count(*) FROM appointment WHERE doctor_id = {doctor_id}"))
    made = after - before
    # Every 303 the user saw is a committed booking; at most the requests A held when it died are unknown.
    assert len(succeeded) <= made <= len(succeeded) + len(in_flight), (results, made)
    assert len(in_flight) <= 8, results  # only what A had in hand (8 threads) can have been lost in flight
    assert all(status == 303 for status in results[-40:]), results  # B took over everything after
    for index in succeeded:  # each patient whose booking was confirmed has it
        iin = sessions[index][2]
        count = cluster.sql(
            PRIMARY_PORT,
            "SELECT count(*) FROM appointment a JOIN patient p ON p.id = a.patient_id "
            f"WHERE p.iin = '{iin}' AND a.status = 'booked'",
        )
        assert count == "1", (index, iin)
    cluster.start_app(APP_PORTS[0])
    cluster.wait_until_serving(APP_PORTS[0])


def test_after_the_primary_dies_and_the_standby_is_promoted_the_app_serves_again(cluster):
    sessions, slots = cluster.data["sessions"][300:], cluster.data["slots"][120:]
    assert book(NGINX, sessions[0], slots[0]) == 303
    cluster.wait_for_standby_to_catch_up()
    assert cluster.sql(STANDBY_PORT, "SELECT pg_is_in_recovery()") == "t"
    cluster.pg_ctl("primary", "-m", "immediate", "stop")  # the primary's machine dies
    down = requests.get(f"{NGINX}/appointments/choose", cookies={"session": sessions[1][0]}, timeout=30)
    assert down.status_code == 503, down.status_code
    cluster.pg_ctl("standby", "promote", "-w")  # the administrator promotes the standby
    # DATABASE_URL names both servers (target_session_attrs=read-write): no restart, no edit; the pool's
    # pre-ping drops the dead connections and the next ones find the new primary.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        page = requests.get(f"{NGINX}/appointments/choose", cookies={"session": sessions[1][0]}, timeout=30)
        if page.status_code == 200:
            break
        time.sleep(0.5)
    assert page.status_code == 200 and "Кластеров" in page.text
    # The booking made before the failover is there, and a new one is written to the promoted standby.
    assert cluster.sql(STANDBY_PORT, "SELECT count(*) FROM appointment WHERE status = 'booked'") != "0"
    for port in APP_PORTS:
        assert book(f"http://127.0.0.1:{port}", sessions[2 + port % 2], slots[2 + port % 2]) == 303
    assert cluster.sql(STANDBY_PORT, "SELECT pg_is_in_recovery()") == "f"
