"""HIV testing: labels and messages (lazy_gettext, read in the reader's language)."""

from flask_babel import lazy_gettext as _l

REGIME_LABELS = {"anonymous": _l("Anonymous"), "confidential": _l("Confidential")}
PAYER_LABELS = {
    "citizen": _l("Citizen of Kazakhstan (free)"),
    "kandas": _l("Kandas (free)"),
    "foreigner": _l("Foreign citizen (paid)"),
    "stateless": _l("Stateless person (paid)"),
}
REASON_LABELS = {
    "voluntary": _l("Voluntary, at own request"),
    "pregnancy": _l("Pregnancy"),
    "donor": _l("Blood or organ donor"),
    "employment": _l("Before employment (mandatory)"),
    "migrant": _l("Foreigner applying for a permit"),
    "contact": _l("Contact with a person living with HIV"),
    "clinical": _l("Clinical indications"),
    "other": _l("Other"),
}
RESULT_LABELS = {
    "negative": _l("Negative: antibodies not detected"),
    "positive": _l("Positive screening: sent for confirmation"),
    "invalid": _l("Invalid sample: blood to be drawn again"),
}
STAGE_LABELS = {
    "registered": _l("Waiting for the blood draw"),
    "drawn": _l("Waiting for the laboratory"),
    "redraw": _l("Blood to be drawn again"),
    "result_ready": _l("Result ready to hand over"),
    "handed_over": _l("Result handed over"),
}
SEX_LABELS = {"M": _l("Male"), "F": _l("Female"), "": _l("Not stated")}

STEP_LABELS = {
    "hiv_registered": _l("Registered under a personal code, pre-test counselling"),
    "hiv_blood_drawn": _l("Blood drawn"),
    "hiv_result_entered": _l("Laboratory result entered"),
    "hiv_redraw_needed": _l("Invalid sample: redraw needed"),
    "hiv_certificate_issued": _l("Certificate issued"),
    "hiv_post_test_counselling": _l("Post-test counselling, referred for confirmation"),
}

NO_SUCH_CODE = _l(
    "No test has this personal code. Check the code on the talon character by character and type it again."
)
TOO_MANY_LOOKUPS = _l(
    "Too many unknown codes were typed here. Please wait %(minutes)s minutes and try again."
)
ALREADY_DRAWN = _l("Blood has already been drawn for this code; the result is awaited.")
NOT_DRAWN = _l("No blood has been drawn for this sample yet.")
RESULT_ALREADY_ENTERED = _l("A result has already been entered for this sample. Nothing was changed.")
NO_SUCH_SAMPLE = _l("No sample has this number. Check the number on the tube.")
RESULT_NOT_READY = _l("The result is not ready yet. Nothing was handed over.")
NOT_NEGATIVE = _l(
    "A certificate is issued only for a negative result. A positive result is handed over in person, with "
    "post-test counselling and a referral for confirmation."
)
NOT_POSITIVE = _l("Post-test counselling for confirmation is recorded only for a positive screening result.")
ALREADY_HANDED_OVER = _l("The result for this code has already been handed over. Nothing was changed.")
IDENTITY_PENDING = _l(
    "The state database of individuals has not answered yet, so the named certificate cannot be issued. "
    "Try again in a few minutes."
)
UNKNOWN_IIN = _l(
    "No person with this IIN is found in the state database of individuals. Please check the IIN."
)
PAYMENT_REQUIRED = _l("A paid test needs its payment record: the amount, the receipt number and the date.")
NO_IDENTITY_WHEN_ANONYMOUS = _l(
    "An anonymous test takes no IIN. To record an identity, choose the confidential regime."
)
IIN_REQUIRED = _l("A confidential test needs the person's IIN.")
TERMS_WARNING = _l(
    "The regulation gives 3 working days for a positive result and 20 for a negative one, which may be "
    "inverted. Confirm the terms against the current national standard."
)
