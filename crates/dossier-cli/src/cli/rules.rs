//! `dossier rules list|check` and the `--rules DIR` option shared with `scan`.

use std::fmt::Write as _;

use anyhow::{Result, bail};

use dossier::report::{RuleDocText, RuleDocs};
use dossier::rules::{self, RuleSet, RulesDirError};

use super::args::{RulesArgs, RulesCommand, RulesFormat};
use super::output::emit;

/// The built-in rules, with a user's directory on top when given.
pub fn load(args: &RulesArgs) -> Result<RuleSet> {
    let builtin = RuleSet::builtin().map_err(|err| anyhow::anyhow!("built-in rules: {err}"))?;
    match &args.dir {
        None => Ok(builtin),
        Some(dir) => builtin
            .with_overrides(dir)
            .map_err(|err| rules_dir_error(dir, err)),
    }
}

fn rules_dir_error(dir: &std::path::Path, err: RulesDirError) -> anyhow::Error {
    match err {
        RulesDirError::Invalid(errors) => {
            let mut text = format!(
                "{}: {} problem(s) in the rule files",
                dir.display(),
                errors.len()
            );
            for error in errors {
                let _ = write!(text, "\n  {error}");
            }
            anyhow::anyhow!(text)
        }
        other => anyhow::anyhow!("{}: {other}", dir.display()),
    }
}

/// Rule docs for SARIF's rule descriptions.
pub struct Docs<'r>(pub &'r RuleSet);

impl RuleDocs for Docs<'_> {
    fn rule_doc(&self, id: &str) -> Option<RuleDocText> {
        let doc = self.0.doc_of(id)?;
        Some(RuleDocText {
            what: doc.what.clone(),
            why: doc.why.clone(),
            references: doc.references.clone(),
        })
    }
}

pub fn run(command: &RulesCommand) -> Result<()> {
    match command {
        RulesCommand::List {
            rules: args,
            format,
        } => {
            let set = load(args)?;
            let text = match format {
                RulesFormat::Md => rules::render_docs(&set),
                RulesFormat::Text => {
                    let mut text = String::new();
                    for row in set.rows() {
                        let _ = writeln!(
                            text,
                            "{:<11} {:<44} {:<40} {}",
                            row.family.as_str(),
                            row.id,
                            row.categories.join(","),
                            row.what
                        );
                    }
                    let _ = writeln!(text, "{} rules, digest {}", set.rows().len(), set.digest());
                    text
                }
            };
            emit(&text, None, &[])
        }
        RulesCommand::Check { dir } => match rules::check_dir(dir) {
            Ok(summary) => {
                let text = format!(
                    "{}: {} file(s) valid; {} rule(s) added, {} replaced; effective digest {}\n",
                    dir.display(),
                    summary.files,
                    summary.added.len(),
                    summary.replaced.len(),
                    summary.digest
                );
                emit(&text, None, &[])
            }
            Err(errors) => {
                let mut text = String::new();
                for error in &errors {
                    let _ = writeln!(text, "{error}");
                }
                eprint!("{text}");
                bail!(
                    "{}: {} problem(s) in the rule files",
                    dir.display(),
                    errors.len()
                )
            }
        },
    }
}
