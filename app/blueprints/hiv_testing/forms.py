"""Forms of the HIV testing pages. Field checks here; the service's rules in app.services.hiv_testing."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, IntegerField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from app.core.clock import local_now
from app.core.iin import is_valid_iin
from app.forms import Form
from app.services.hiv_testing import (
    MAX_PRICE,
    MAX_TERM_DAYS,
    PAYER_LABELS,
    PAYERS,
    REASON_LABELS,
    REASONS,
    REGIME_LABELS,
    REGIMES,
    RESULT_LABELS,
    RESULTS,
    SEX_LABELS,
    is_paid,
)


class RegistrationForm(Form):
    regime = RadioField(
        _l("Regime"),
        choices=[SelectChoice(regime, REGIME_LABELS[regime]) for regime in REGIMES],
        default="anonymous",
        validators=[DataRequired(_l("Choose the regime."))],
    )
    iin = StringField(
        _l("IIN (confidential test only)"),
        validators=[Length(max=20)],
        description=_l("Leave empty for an anonymous test: it takes no IIN, name, phone or address."),
    )
    sex = SelectField(
        _l("Sex"), choices=[SelectChoice(code, SEX_LABELS[code]) for code in ("", "M", "F")], default=""
    )
    birth_year = IntegerField(_l("Year of birth (optional)"), validators=[Optional()])
    payer = SelectField(
        _l("Payer category"), choices=[SelectChoice(payer, PAYER_LABELS[payer]) for payer in PAYERS]
    )
    reason = SelectField(
        _l("Reason for the test"), choices=[SelectChoice(reason, REASON_LABELS[reason]) for reason in REASONS]
    )
    pre_test_counselling = BooleanField(_l("Pre-test counselling given"))
    payment_amount = IntegerField(_l("Amount paid, tenge"), validators=[Optional()])
    payment_receipt = StringField(_l("Receipt number"), validators=[Length(max=40)])
    payment_date = DateField(_l("Date of payment"), validators=[Optional()])
    language = SelectField(
        _l("Language of the talon"),
        choices=[SelectChoice("kk", "Қазақша"), SelectChoice("ru", "Русский")],
        default="kk",
    )

    def validate_iin(self, field) -> None:
        value = (field.data or "").strip()
        field.data = value
        if self.regime.data == "anonymous" and value:
            raise ValidationError(
                _l("An anonymous test takes no IIN. To record an identity, choose the confidential regime.")
            )
        if self.regime.data == "confidential":
            if not value:
                raise ValidationError(_l("A confidential test needs the person's IIN."))
            if not is_valid_iin(value):
                raise ValidationError(
                    _l("This is not a valid IIN: it must be 12 digits with a valid check digit.")
                )

    def validate_birth_year(self, field) -> None:
        if field.data is not None and not 1900 <= field.data <= local_now().year:
            raise ValidationError(_l("Enter a year between 1900 and this year."))

    def validate_pre_test_counselling(self, field) -> None:
        if not field.data:
            raise ValidationError(
                _l("Record the pre-test counselling before referring to the procedure room.")
            )

    def validate(self, extra_validators=None) -> bool:
        """The payment record of a paid test (its fields are optional on their own)."""
        valid = super().validate(extra_validators)
        if not is_paid(self.payer.data):
            return valid
        amount = self.payment_amount
        if not amount.errors and (amount.data is None or not 0 < amount.data <= MAX_PRICE):
            amount.errors = [*amount.errors, _l("Enter the amount paid.")]
        self.payment_receipt.data = (self.payment_receipt.data or "").strip()
        if not self.payment_receipt.errors and not self.payment_receipt.data:
            self.payment_receipt.errors = [*self.payment_receipt.errors, _l("Enter the receipt number.")]
        if not self.payment_date.errors and self.payment_date.data is None:
            self.payment_date.errors = [*self.payment_date.errors, _l("Enter the date of payment.")]
        return valid and not (amount.errors or self.payment_receipt.errors or self.payment_date.errors)


class CodeForm(Form):
    code = StringField(
        _l("Personal code from the talon"),
        validators=[DataRequired(_l("Enter the personal code.")), Length(max=40)],
    )


class ResultForm(Form):
    sample = StringField(
        _l("Sample number"), validators=[DataRequired(_l("Enter the sample number.")), Length(max=40)]
    )
    result = RadioField(
        _l("Result"),
        choices=[SelectChoice(result, RESULT_LABELS[result]) for result in RESULTS],
        validators=[DataRequired(_l("Choose the result."))],
    )


class SettingsForm(Form):
    positive_term_days = IntegerField(
        _l("Term for a positive result, working days"),
        validators=[DataRequired(_l("Enter a number of working days.")), NumberRange(1, MAX_TERM_DAYS)],
    )
    negative_term_days = IntegerField(
        _l("Term for a negative result, working days"),
        validators=[DataRequired(_l("Enter a number of working days.")), NumberRange(1, MAX_TERM_DAYS)],
    )
    price = IntegerField(
        _l("Price for foreigners and stateless persons, tenge"),
        validators=[InputRequired(_l("Enter the price.")), NumberRange(0, MAX_PRICE)],
    )
    room = StringField(_l("Room where the result is collected"), validators=[Length(max=20)])
    hours_kk = StringField(_l("Hours to collect the result (Kazakh)"), validators=[Length(max=200)])
    hours_ru = StringField(_l("Hours to collect the result (Russian)"), validators=[Length(max=200)])
