//! Redis' glob dialect, for `KEYS`, `SCAN ... MATCH` and a fault rule's
//! `key` pattern.
//!
//! A port of `stringmatchlen` from Redis 7.0's `util.c`, because the
//! differential test holds fake-redis to Redis' answers and no crate
//! implements Redis' edge cases: `[` without a closing `]` matches up to the
//! end of the pattern, a reversed range `[z-a]` is a range, `\` escapes
//! anywhere, bytes compare as C's signed `char`, and a pattern nested more
//! than 1000 `*` deep never matches (Redis' guard against abusive patterns,
//! CVE-2022-36021). The "skip longer matches" short cut keeps a pattern of
//! many `*` linear instead of exponential, as in Redis.

/// How deep `*` may recurse before a pattern is refused, as in Redis.
const MAX_NESTING: usize = 1000;

/// Whether `string` matches the glob `pattern` (case-sensitive).
///
/// Like Redis' `stringmatchlen`, the empty string matches no pattern that
/// has to consume a byte, not even `*`; Redis' callers special-case a lone
/// `*` as "everything" before matching, and so do ours (see
/// [`matches_key`]).
pub(crate) fn matches(pattern: &[u8], string: &[u8]) -> bool {
    let mut skip_longer = false;
    match_impl(pattern, string, &mut skip_longer, 0)
}

/// `KEYS`' and `SCAN`'s rule: a lone `*` selects every key (the empty key
/// too); any other pattern goes through [`matches`].
pub(crate) fn matches_key(pattern: &[u8], key: &[u8]) -> bool {
    pattern == b"*" || matches(pattern, key)
}

/// The byte at `i`, or 0 past the end: Redis reads C strings, whose
/// terminating NUL the algorithm relies on.
fn at(bytes: &[u8], i: usize) -> u8 {
    bytes.get(i).copied().unwrap_or(0)
}

/// A byte as C's signed `char`, for range comparisons.
fn signed(byte: u8) -> i32 {
    i32::from(byte as i8)
}

fn match_impl(pattern: &[u8], string: &[u8], skip_longer: &mut bool, nesting: usize) -> bool {
    if nesting > MAX_NESTING {
        return false;
    }
    // `p` and `s` index the remaining pattern and string.
    let (mut p, mut s) = (0usize, 0usize);
    while p < pattern.len() && s < string.len() {
        match pattern[p] {
            b'*' => {
                while p + 1 < pattern.len() && pattern[p + 1] == b'*' {
                    p += 1;
                }
                if p + 1 == pattern.len() {
                    return true;
                }
                while s < string.len() {
                    if match_impl(&pattern[p + 1..], &string[s..], skip_longer, nesting + 1) {
                        return true;
                    }
                    if *skip_longer {
                        return false;
                    }
                    s += 1;
                }
                *skip_longer = true;
                return false;
            }
            b'?' => s += 1,
            b'[' => {
                p += 1;
                let negate = at(pattern, p) == b'^';
                if negate {
                    p += 1;
                }
                let mut matched = false;
                let c = string[s];
                loop {
                    let remaining = pattern.len().saturating_sub(p);
                    if at(pattern, p) == b'\\' && remaining >= 2 {
                        p += 1;
                        if pattern[p] == c {
                            matched = true;
                        }
                    } else if at(pattern, p) == b']' {
                        break;
                    } else if remaining == 0 {
                        // Unterminated class: step back so the increment
                        // below lands on the end of the pattern.
                        p -= 1;
                        break;
                    } else if remaining >= 3 && pattern[p + 1] == b'-' {
                        let (mut start, mut end) = (signed(pattern[p]), signed(pattern[p + 2]));
                        if start > end {
                            std::mem::swap(&mut start, &mut end);
                        }
                        p += 2;
                        if (start..=end).contains(&signed(c)) {
                            matched = true;
                        }
                    } else if pattern[p] == c {
                        matched = true;
                    }
                    p += 1;
                }
                if negate {
                    matched = !matched;
                }
                if !matched {
                    return false;
                }
                s += 1;
            }
            byte => {
                let literal = if byte == b'\\' && pattern.len() - p >= 2 {
                    p += 1;
                    pattern[p]
                } else {
                    byte
                };
                if literal != string[s] {
                    return false;
                }
                s += 1;
            }
        }
        p += 1;
        if s == string.len() {
            while at(pattern, p) == b'*' {
                p += 1;
            }
            break;
        }
    }
    p >= pattern.len() && s == string.len()
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn stars_questions_and_classes_match_like_redis() {
        for (pattern, string, expected) in [
            ("*", "", false),
            ("*", "anything", true),
            ("h?llo", "hello", true),
            ("h?llo", "hllo", false),
            ("h*llo", "heeeello", true),
            ("h[ae]llo", "hallo", true),
            ("h[ae]llo", "hillo", false),
            ("h[^e]llo", "hallo", true),
            ("h[^e]llo", "hello", false),
            ("h[a-b]llo", "hbllo", true),
            ("h[b-a]llo", "hallo", true),
            ("k\\*", "k*", true),
            ("k\\*", "kx", false),
            ("user:*", "user:1", true),
            ("user:*", "users", false),
            ("a*b*c", "aXbYc", true),
            ("a*b*c", "aXbY", false),
            ("[abc", "a", true),
            ("", "", true),
            ("", "a", false),
            ("a", "", false),
            ("a**", "a", true),
        ] {
            assert_eq!(
                matches(pattern.as_bytes(), string.as_bytes()),
                expected,
                "{pattern:?} on {string:?}"
            );
        }
    }

    #[test]
    fn a_lone_star_selects_every_key_even_the_empty_one() {
        assert!(super::matches_key(b"*", b""));
        assert!(!super::matches_key(b"?", b""));
    }

    #[test]
    fn abusive_patterns_finish_quickly() {
        let pattern = "a*".repeat(5000) + "b";
        let string = "a".repeat(5000);
        assert!(!matches(pattern.as_bytes(), string.as_bytes()));
    }
}
