"""Calendar-link secrets: at least 128 bits, each new, found by digest, compared whole."""

from tumorboard.tokens import new_token, same_token, token_digest


def test_a_link_token_carries_at_least_128_random_bits_and_is_new_each_time():
    tokens = {new_token() for _ in range(100)}
    assert len(tokens) == 100 and all(len(t) * 6 >= 128 for t in tokens)  # URL-safe base64: 6 bits a character


def test_a_token_is_found_by_its_digest_and_must_match_whole():
    token = new_token()
    assert token_digest(token) == token_digest(token) != token_digest(token[:-1]) and token_digest(None) is None
    assert same_token(token, token) and not same_token(token, token[:-1] + "x") and not same_token(None, token)
