//! Fitting text to a terminal: lines made of styled spans whose width is counted in columns
//! (a CJK character takes two, a combining mark none), cutting a line to a width with `…`, and
//! wrapping a list of items under a label in at most a given number of lines, ending with
//! `… +N more` when the rest does not fit.
//!
//! Widths are measured on the plain text; colour codes are added only when a line is written, so
//! a coloured summary wraps exactly like a plain one.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::Style;

/// Display columns of a string that holds no control character (app text has been through
/// `escape::visible` before it gets here).
pub(super) fn columns(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// `text` cut to at most `max` columns, ending with `…` when something was cut.
pub(super) fn cut(text: &str, max: usize) -> String {
    if columns(text) <= max {
        return text.to_owned();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for ch in text.chars() {
        let w = UnicodeWidthChar::width(ch).unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        used += w;
        out.push(ch);
    }
    out.push('…');
    out
}

/// One output line: spans of text, each with an optional style.
#[derive(Debug, Clone, Default)]
pub(super) struct Line {
    spans: Vec<(String, Option<Style>)>,
}

impl Line {
    pub(super) fn new() -> Self {
        Line::default()
    }

    pub(super) fn plain(text: impl Into<String>) -> Self {
        Line::new().with(text, None)
    }

    pub(super) fn styled(text: impl Into<String>, style: Style) -> Self {
        Line::new().with(text, Some(style))
    }

    pub(super) fn with(mut self, text: impl Into<String>, style: Option<Style>) -> Self {
        self.push(text, style);
        self
    }

    pub(super) fn push(&mut self, text: impl Into<String>, style: Option<Style>) {
        let text = text.into();
        if !text.is_empty() {
            self.spans.push((text, style));
        }
    }

    pub(super) fn width(&self) -> usize {
        self.spans.iter().map(|(text, _)| columns(text)).sum()
    }

    /// Cut to `max` columns: the span that crosses the edge ends with `…`, later spans go.
    pub(super) fn cut(mut self, max: usize) -> Self {
        if self.width() <= max {
            return self;
        }
        let mut used = 0;
        let mut kept = Vec::new();
        for (text, style) in self.spans.drain(..) {
            let w = columns(&text);
            if used + w < max {
                used += w;
                kept.push((text, style));
                continue;
            }
            kept.push((cut(&text, max - used), style));
            break;
        }
        Line { spans: kept }
    }

    /// The text with SGR sequences when `color`; trailing spaces removed either way.
    pub(super) fn render(&self, color: bool) -> String {
        let mut out = String::new();
        for (text, style) in &self.spans {
            match (style, color) {
                (Some(style), true) => {
                    out.push_str(&format!("\x1b[{}m{text}\x1b[0m", style.code()));
                }
                _ => out.push_str(text),
            }
        }
        if !color {
            out.truncate(out.trim_end().len());
        }
        out
    }
}

/// A list to wrap: items in order, the separator between them, the style of every item.
pub(super) struct List<'a> {
    pub items: &'a [String],
    pub separator: &'a str,
    pub style: Option<Style>,
}

/// Lays `list` out after `lead` (the first line's label), continuing on lines indented by
/// `indent` columns, in at most `max_lines` lines of `width` columns. Items that do not fit are
/// counted in a final `… +N more`. An item wider than a whole line is cut.
pub(super) fn wrap(
    lead: Line,
    indent: usize,
    list: &List<'_>,
    width: usize,
    max_lines: usize,
) -> Vec<Line> {
    let max_lines = max_lines.max(1);
    let separator_width = columns(list.separator);
    let mut lines = Vec::new();
    let mut line = lead;
    let mut on_line = 0;
    let mut position = 0;
    while let Some(item) = list.items.get(position) {
        let left = list.items.len() - position - 1;
        let last_line = lines.len() + 1 == max_lines;
        // On the last line an item must leave room for the count of what follows it.
        let reserve = if last_line && left > 0 {
            separator_width + columns(&more_text(left))
        } else {
            0
        };
        let separator = if on_line > 0 { list.separator } else { "" };
        // A line that another follows ends with the separator's mark (`,`), so the reader sees
        // that the list goes on.
        let trailer = if last_line || left == 0 {
            0
        } else {
            columns(list.separator.trim_end())
        };
        if line.width() + columns(separator) + columns(item) + reserve.max(trailer) <= width {
            line.push(separator, None);
            line.push(item.clone(), list.style);
            on_line += 1;
            position += 1;
            continue;
        }
        if on_line == 0 {
            // Alone on its line and still too wide: cut it, unless so little would be left
            // that only the count of the hidden items says anything.
            let room = width.saturating_sub(line.width() + reserve.max(trailer));
            if room >= columns(item).min(MIN_CUT_ITEM) || !last_line {
                let room = room.max(MIN_CUT_ITEM.min(width.saturating_sub(line.width() + trailer)));
                line.push(cut(item, room), list.style);
                on_line += 1;
                position += 1;
                continue;
            }
        }
        if last_line {
            let hidden = list.items.len() - position;
            line.push(separator, None);
            line.push(more_text(hidden), Some(Style::Dim));
            lines.push(line.cut(width));
            return lines;
        }
        line.push(list.separator.trim_end(), None);
        lines.push(line);
        line = Line::plain(" ".repeat(indent));
        on_line = 0;
    }
    lines.push(line.cut(width));
    lines
}

/// An item cut shorter than this says too little to be worth showing.
const MIN_CUT_ITEM: usize = 8;

fn more_text(hidden: usize) -> String {
    format!("… +{hidden} more")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    fn texts(lines: &[Line]) -> Vec<String> {
        lines.iter().map(|l| l.render(false)).collect()
    }

    #[test]
    fn wide_characters_count_two_columns() {
        assert_eq!(columns("微信"), 4);
        assert_eq!(cut("微信支付", 5), "微信…");
        assert_eq!(cut("abc", 3), "abc");
        assert_eq!(cut("abcd", 3), "ab…");
    }

    #[test]
    fn a_list_wraps_under_its_label_and_counts_what_it_leaves_out() {
        let names = items(&["alpha", "beta", "gamma", "delta", "epsilon", "zeta"]);
        let list = List {
            items: &names,
            separator: ", ",
            style: None,
        };
        let lines = wrap(Line::plain("  label  "), 9, &list, 26, 2);
        assert_eq!(
            texts(&lines),
            ["  label  alpha, beta,", "         gamma, … +3 more"]
        );
        assert!(lines.iter().all(|l| l.width() <= 26));
        let narrow = wrap(Line::plain("  label  "), 9, &list, 22, 2);
        assert_eq!(
            texts(&narrow),
            ["  label  alpha, beta,", "         … +4 more"]
        );
        let all = wrap(Line::plain("x: "), 3, &list, 200, 1);
        assert_eq!(texts(&all), ["x: alpha, beta, gamma, delta, epsilon, zeta"]);
    }

    #[test]
    fn an_item_wider_than_the_line_is_cut() {
        let names = items(&["a-very-long-host-name.example.com"]);
        let list = List {
            items: &names,
            separator: ", ",
            style: None,
        };
        let lines = wrap(Line::plain("  "), 2, &list, 20, 3);
        assert_eq!(texts(&lines), ["  a-very-long-host-…"]);
    }

    #[test]
    fn colour_does_not_change_the_width() {
        let line = Line::styled("red", Style::Red).with(" plain", None);
        assert_eq!(line.width(), 9);
        assert_eq!(line.render(true), "\x1b[31mred\x1b[0m plain");
        assert_eq!(line.clone().cut(5).render(false), "red …");
    }
}
