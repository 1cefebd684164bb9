//! What the values that reach a call's arguments (`Sites::arguments`, found by
//! [`crate::dex::values`]) decide for `with_strings` rules: the rule's strings are matched against
//! the values passed to the rule's method instead of any string the calling method loads.

use std::collections::BTreeMap;

use crate::dex::ArgumentValue;
use crate::rules::ApiRule;

/// By caller position: whether some call of the method in that caller is passed one of the
/// rule's strings. A caller absent from the map has no call whose argument values are known, and
/// is judged by the strings it loads, as without values.
pub(super) fn with_strings_values(
    rule: &ApiRule,
    arguments: &[ArgumentValue],
) -> BTreeMap<u32, bool> {
    let mut by_caller: BTreeMap<u32, bool> = BTreeMap::new();
    for argument in arguments {
        let matched = rule.strings.iter().any(|s| *s == *argument.value);
        *by_caller.entry(argument.site.caller).or_default() |= matched;
    }
    by_caller
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dex::SiteRef;
    use crate::dex::values::How;

    #[test]
    fn a_caller_passing_the_key_matches_and_one_passing_another_does_not() {
        let rules = crate::rules::RuleSet::builtin().expect("built-in rules load");
        let rule = rules.api("android_id").expect("android_id rule");
        let value = |caller, value: &str| ArgumentValue {
            site: SiteRef { caller, offset: 4 },
            argument: 1,
            value: value.into(),
            how: How::Literal,
        };
        let judged = with_strings_values(
            rule,
            &[
                value(1, "android_id"),
                value(2, "bluetooth_name"),
                value(3, "bluetooth_name"),
                value(3, "android_id"),
            ],
        );
        assert_eq!(judged, BTreeMap::from([(1, true), (2, false), (3, true)]));
    }
}
