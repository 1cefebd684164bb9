//! Making strings taken from an APK safe to show: every renderer passes app-controlled text
//! (labels, class names, URLs, anomaly details) through here before it reaches a terminal, an
//! HTML page or a Markdown document.
//!
//! Hostile apps choose these strings. A label may carry ANSI escape sequences that rewrite the
//! reader's terminal, bidirectional overrides that make `moc.evil` read as `evil.com`, `<script>`
//! for the HTML report, or `|` and `](javascript:` for Markdown. Control and invisible formatting
//! characters are replaced by a visible `\u{..}` spelling, so the reader sees that they were there.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Characters that must never reach an output verbatim: C0 and C1 controls (ESC, CR, BEL, ...),
/// DEL, and the invisible formatting characters that reorder or hide text (bidi embeddings,
/// overrides and isolates, zero-width characters, the byte-order mark, soft hyphen).
fn is_unsafe_char(ch: char) -> bool {
    ch.is_control()
        || matches!(
            ch,
            '\u{00ad}'
                | '\u{061c}'
                | '\u{180e}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{2069}'
                | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}'
        )
}

/// Replaces every unsafe character by `\u{hex}` so that it is visible and inert.
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for ch in text.chars() {
        if is_unsafe_char(ch) {
            // Writing to a String cannot fail.
            let _ = write!(out, "\\u{{{:x}}}", ch as u32);
        } else {
            out.push(ch);
        }
    }
    Cow::Owned(out)
}

/// [`visible`], then cut to at most `max_chars` characters with a trailing `…`, so that one
/// megabyte-long string from a hostile APK cannot flood a one-screen summary.
pub fn visible_truncated(text: &str, max_chars: usize) -> String {
    let shown = visible(text);
    if shown.chars().count() <= max_chars {
        return shown.into_owned();
    }
    let mut out: String = shown.chars().take(max_chars.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Text content or a quoted attribute value for HTML: unsafe characters made visible, then the
/// five characters that HTML gives meaning to replaced by character references.
pub fn html(text: &str) -> String {
    let shown = visible(text);
    let mut out = String::with_capacity(shown.len() + 16);
    for ch in shown.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

/// Plain Markdown text (a paragraph or a table cell): unsafe characters made visible and every
/// ASCII punctuation character that CommonMark or GitHub tables could read as syntax
/// backslash-escaped (CommonMark lets any ASCII punctuation be escaped this way); `$` too, as
/// GitHub reads `$...$` as math. Dots, commas, colons, slashes, hyphens, quotes and parentheses
/// are left alone: callers never put this text at the start of a line, where some of them would
/// start a list or a heading, and inline they start nothing once `[`, `<` and line breaks are
/// neutralised; escaping them would make package names unreadable.
pub fn markdown_text(text: &str) -> String {
    let shown = visible(text);
    let mut out = String::with_capacity(shown.len() + 8);
    for ch in shown.chars() {
        if matches!(
            ch,
            '\\' | '`'
                | '*'
                | '_'
                | '['
                | ']'
                | '<'
                | '>'
                | '|'
                | '~'
                | '&'
                | '!'
                | '#'
                | '{'
                | '}'
                | '$'
        ) {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// A Markdown code span holding `text` verbatim: the fence is one backtick longer than the
/// longest run inside it (CommonMark code spans end only at a run of equal length). In a table
/// cell `|` still splits cells even inside code, so `in_table` escapes it as GitHub's table
/// extension requires.
pub fn markdown_code(text: &str, in_table: bool) -> String {
    let shown = visible(text);
    let mut longest_run = 0usize;
    let mut run = 0usize;
    for ch in shown.chars() {
        if ch == '`' {
            run += 1;
            longest_run = longest_run.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat(longest_run + 1);
    let body = if in_table {
        shown.replace('|', "\\|")
    } else {
        shown.into_owned()
    };
    // A space on each side keeps a leading or trailing backtick from joining the fence; CommonMark
    // strips one such space from each end.
    let pad = if body.starts_with('`') || body.ends_with('`') || body.is_empty() {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{body}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_become_visible() {
        assert_eq!(visible("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(visible("x\r\ny"), "x\\u{d}\\u{a}y");
        assert_eq!(visible("\u{202e}moc"), "\\u{202e}moc");
        assert!(matches!(visible("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn html_escapes_markup_and_quotes() {
        assert_eq!(
            html("<script>\"a\"&'b'"),
            "&lt;script&gt;&quot;a&quot;&amp;&#39;b&#39;"
        );
    }

    #[test]
    fn truncation_counts_characters_not_bytes() {
        assert_eq!(visible_truncated("ééééé", 3), "éé…");
        assert_eq!(visible_truncated("abc", 3), "abc");
    }

    #[test]
    fn markdown_code_fences_around_backticks() {
        assert_eq!(markdown_code("a`b", false), "``a`b``");
        assert_eq!(markdown_code("`x", false), "`` `x ``");
        assert_eq!(markdown_code("a|b", true), "`a\\|b`");
    }

    #[test]
    fn markdown_text_escapes_link_and_table_syntax() {
        assert_eq!(markdown_text("[x](y)|z"), "\\[x\\](y)\\|z");
        assert_eq!(markdown_text("a$b'c"), "a\\$b'c");
    }
}
