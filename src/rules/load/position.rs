//! Byte offsets into a rule file's text (as serde and `toml::Spanned` give them) as the 1-based
//! line and column, in characters, that error messages and rule origins show.

/// The start of every line of one text, so that each offset costs a binary search and a count
/// within its line instead of a scan from the start of the file (a file holds hundreds of rules).
pub struct LineIndex<'a> {
    text: &'a str,
    /// Byte offset of the first character of each line; `starts[0] == 0`, ascending.
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { text, starts }
    }

    /// 1-based line and column (in characters) of a byte offset; offsets past the end or inside
    /// a UTF-8 sequence are clamped to the previous character boundary.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = crate::utf8::floor_char_boundary(self.text, offset);
        // Lines starting at or before the offset; at least one, since `starts[0] == 0`.
        let line = self.starts.partition_point(|&start| start <= offset);
        let line_start = self.starts[line - 1];
        let column = self.text[line_start..offset].chars().count() + 1;
        (line, column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The former definition, a scan from the start of the text, as the reference.
    fn line_col_by_scan(text: &str, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        (line, column)
    }

    #[test]
    fn line_and_column_count_characters() {
        let lines = LineIndex::new("ab\n→cd\n");
        assert_eq!(lines.line_col(0), (1, 1));
        assert_eq!(lines.line_col(3), (2, 1));
        assert_eq!(lines.line_col(6), (2, 2));
        assert_eq!(lines.line_col(4), (2, 1)); // inside the arrow: clamped back
        assert_eq!(lines.line_col(999), (3, 1));
    }

    #[test]
    fn every_offset_agrees_with_a_scan_from_the_start() {
        for text in [
            "",
            "\n",
            "\n\n",
            "a",
            "ab\n→cd\n",
            "x\r\ny\n\nzé\u{1F600}\nend",
        ] {
            let lines = LineIndex::new(text);
            for offset in 0..=text.len() + 2 {
                assert_eq!(
                    lines.line_col(offset),
                    line_col_by_scan(text, offset),
                    "{text:?} at {offset}"
                );
            }
        }
    }
}
