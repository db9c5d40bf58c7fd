//! Text shown to a person on a terminal. File names, ids and document text come from outside and
//! may carry control characters that make a terminal act (clear the screen, retitle the window,
//! hide text); they are made visible before they are printed.

use std::borrow::Cow;

/// `text` with every control character other than tab (C0, DEL and C1) written as a visible
/// escape, ESC as `\u{1b}`; text without one comes back borrowed.
pub fn escape_for_terminal(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 8);
    for character in text.chars() {
        if needs_escape(character) {
            escaped.extend(character.escape_unicode());
        } else {
            escaped.push(character);
        }
    }
    Cow::Owned(escaped)
}

fn needs_escape(character: char) -> bool {
    character.is_control() && character != '\t'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_visible() {
        assert_eq!(
            escape_for_terminal("a\u{1b}]0;pwn\u{7}b\u{7f}\u{9b}\n"),
            r"a\u{1b}]0;pwn\u{7}b\u{7f}\u{9b}\u{a}"
        );
    }

    #[test]
    fn plain_text_and_tabs_are_borrowed() {
        let text = "Mentorskap\tå ✓";
        assert!(matches!(escape_for_terminal(text), Cow::Borrowed(t) if t == text));
    }
}
