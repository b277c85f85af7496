"""Every blueprint of the app, registered from this one explicit list."""

from app.blueprints.admin import bp as admin_bp
from app.blueprints.appointments import bp as appointments_bp
from app.blueprints.appointments import desk_bp as desk_appointments_bp
from app.blueprints.attachment import bp as attachment_bp
from app.blueprints.attachment import desk_bp as desk_attachment_bp
from app.blueprints.auth import bp as auth_bp
from app.blueprints.cabinet import bp as cabinet_bp
from app.blueprints.certificates import bp as certificates_bp
from app.blueprints.complaints import bp as complaints_bp
from app.blueprints.documents import bp as documents_bp
from app.blueprints.hiv_testing import desk_bp as desk_hiv_testing_bp  # noqa: I001  (HIV testing, service 7)
from app.blueprints.home_visits import bp as home_visits_bp
from app.blueprints.home_visits import desk_bp as desk_home_visits_bp
from app.blueprints.icd10 import bp as icd10_bp
from app.blueprints.inpatient_extracts import desk_bp as desk_inpatient_extracts_bp
from app.blueprints.kiosk import bp as kiosk_bp
from app.blueprints.monitoring import bp as monitoring_bp
from app.blueprints.outbox_admin import bp as outbox_admin_bp
from app.blueprints.phc_certificates import desk_bp as desk_phc_certificates_bp
from app.blueprints.public import bp as public_bp
from app.blueprints.referrals import bp as referrals_bp
from app.blueprints.referrals import desk_bp as desk_referrals_bp
from app.blueprints.registry_admin import bp as registry_admin_bp
from app.blueprints.registry_queue import bp as registry_queue_bp
from app.blueprints.sick_leave import desk_bp as desk_sick_leave_bp  # noqa: I001  (sick leave, services 10, 11)
from app.blueprints.signing_admin import bp as signing_admin_bp
from app.blueprints.signoff import bp as signoff_bp
from app.blueprints.staff import bp as staff_bp
from app.blueprints.status import bp as status_bp
from app.blueprints.training import desk_bp as desk_training_bp
from app.blueprints.urgent_care import bp as urgent_care_bp
from app.blueprints.urgent_care import desk_bp as desk_urgent_care_bp
from app.blueprints.verify import bp as verify_bp

BLUEPRINTS = (
    public_bp,
    auth_bp,
    staff_bp,
    admin_bp,
    kiosk_bp,
    registry_admin_bp,
    registry_queue_bp,
    appointments_bp,
    desk_appointments_bp,
    certificates_bp,
    documents_bp,
    verify_bp,
    outbox_admin_bp,
    status_bp,
    complaints_bp,
    monitoring_bp,
    home_visits_bp,
    desk_home_visits_bp,
    attachment_bp,
    desk_attachment_bp,
    desk_phc_certificates_bp,
    desk_inpatient_extracts_bp,
    signoff_bp,
    icd10_bp,
    urgent_care_bp,
    desk_urgent_care_bp,
    referrals_bp,
    desk_referrals_bp,
    desk_training_bp,
    desk_hiv_testing_bp,
    signing_admin_bp,
    cabinet_bp,
    desk_sick_leave_bp,
)
