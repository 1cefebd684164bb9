//! What goes wrong with rule files: [`RuleError`] (one problem at a file position) and
//! [`RulesDirError`] (why a `--rules DIR` could not be applied), and the order problems are shown in.

use std::path::PathBuf;

use super::super::model::Origin;

/// One problem in a rule file, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.render())]
pub struct RuleError {
    /// The file as shown to the user (`rules/apis.toml`, or the path under `--rules DIR`).
    pub file: String,
    /// 1-based line; 0 when the problem concerns the whole file (it could not be read).
    pub line: usize,
    /// 1-based column in characters; 0 with `line == 0`.
    pub column: usize,
    pub message: String,
}

impl RuleError {
    /// A problem at the place a rule (or one of its values) was defined.
    pub(super) fn at(origin: &Origin, message: String) -> RuleError {
        RuleError {
            file: origin.file.clone(),
            line: origin.line,
            column: origin.column,
            message,
        }
    }

    /// A problem with a whole file (or directory), which has no line.
    pub(super) fn whole_file(file: String, message: String) -> RuleError {
        RuleError {
            file,
            line: 0,
            column: 0,
            message,
        }
    }

    fn render(&self) -> String {
        if self.line == 0 {
            format!("{}: {}", self.file, self.message)
        } else {
            format!(
                "{}:{}:{}: {}",
                self.file, self.line, self.column, self.message
            )
        }
    }
}

/// Why `--rules DIR` could not be applied.
#[derive(Debug, thiserror::Error)]
pub enum RulesDirError {
    #[error("cannot read rules directory {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} problem(s) in rules directory:\n{}", .0.len(), join_errors(.0))]
    Invalid(Vec<RuleError>),
}

fn join_errors(errors: &[RuleError]) -> String {
    errors
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Orders problems by file, line, column and message, and drops repeats: the order they were
/// found in depends on the order of the checks, which is no concern of the reader.
pub(super) fn sort_errors(errors: &mut Vec<RuleError>) {
    errors.sort_by(|a, b| {
        (&a.file, a.line, a.column, &a.message).cmp(&(&b.file, b.line, b.column, &b.message))
    });
    errors.dedup();
}
