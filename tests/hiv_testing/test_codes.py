"""Personal codes: random, readable, checked; a typo is caught by the check character."""

from app.services.hiv_testing import codes


def test_codes_are_random_readable_and_carry_a_valid_check_character():
    made = {codes.new_code() for _ in range(2000)}
    assert len(made) == 2000
    for code in made:
        assert len(code) == 9
        assert set(code) <= set(codes.ALPHABET)
        assert codes.is_well_formed(code)
    assert not set("01258BGILOSZ") & set(codes.ALPHABET)


def test_every_single_typo_and_every_swap_of_neighbours_is_caught():
    code = "AKJAVJRDH"
    assert codes.is_well_formed(code)
    for position in range(len(code)):
        for char in codes.ALPHABET:
            if char != code[position]:
                assert not codes.is_well_formed(code[:position] + char + code[position + 1 :])
    for position in range(len(code) - 1):
        swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
        if swapped != code:
            assert not codes.is_well_formed(swapped)


def test_a_code_typed_with_dashes_spaces_small_letters_or_cyrillic_look_alikes_is_read():
    assert codes.display("AKJAVJRDH") == "AKJA-VJRD-H"
    assert codes.normalise(" akja-vjrd-h ") == "AKJAVJRDH"
    assert codes.normalise("АКJА VJRD Н") == "AKJAVJRDH"  # Cyrillic А, К, Н
    assert not codes.is_well_formed(codes.normalise("AKJA-VJRD"))
