//! Which document of a duplicated value keeps it, and what happens to the
//! others: pure rules over the documents' dates and their `_id` order.

use crate::db::dedupe::{DocumentId, HeldValue, Holder};
use crate::model::{DedupeAction, KeepRule};

/// The date field each rule reads.
pub fn date_field(rule: KeepRule) -> &'static str {
    match rule {
        KeepRule::Oldest => "createdAt",
        KeepRule::Newest => "updatedAt",
    }
}

/// The position of the document that keeps the value, among documents in
/// `_id` order with the rule's date (`None`: missing or not a date). A
/// document with a date is preferred to one without; ties go to the
/// smallest `_id` for `Oldest`, the largest for `Newest`.
pub fn keeper(rule: KeepRule, dates: &[Option<i64>]) -> usize {
    let positions = 0..dates.len();
    let chosen = match rule {
        KeepRule::Oldest => positions.min_by_key(|&i| (dates[i].is_none(), dates[i], i)),
        KeepRule::Newest => positions.max_by_key(|&i| (dates[i].is_some(), dates[i], i)),
    };
    chosen.unwrap_or(0)
}

/// One group's decision.
pub struct GroupChoice<'a> {
    pub held: &'a HeldValue,
    pub kept: &'a Holder,
    /// Every other document, with what happens to it.
    pub others: Vec<(&'a DocumentId, DedupeAction)>,
    /// Extra copies identical to the kept one apart from `_id`.
    pub identical: u64,
}

pub fn choose(held: &HeldValue, rule: KeepRule, drop_identical: bool) -> GroupChoice<'_> {
    let field = date_field(rule);
    let dates: Vec<Option<i64>> = held.holders.iter().map(|h| h.date(field)).collect();
    let kept_at = keeper(rule, &dates);
    let kept = &held.holders[kept_at];
    let mut identical = 0;
    let others = held
        .holders
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != kept_at)
        .map(|(_, holder)| {
            let same = holder.same_apart_from_id(kept);
            identical += u64::from(same);
            let action = if same && drop_identical {
                DedupeAction::Delete
            } else {
                DedupeAction::Unset
            };
            (holder.id(), action)
        })
        .collect();
    GroupChoice {
        held,
        kept,
        others,
        identical,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oldest_keeps_the_earliest_date_then_the_smallest_id() {
        assert_eq!(keeper(KeepRule::Oldest, &[Some(5), Some(3), Some(3)]), 1);
        assert_eq!(keeper(KeepRule::Oldest, &[None, Some(9), None]), 1);
        assert_eq!(keeper(KeepRule::Oldest, &[None, None]), 0);
    }

    #[test]
    fn newest_keeps_the_latest_date_then_the_largest_id() {
        assert_eq!(keeper(KeepRule::Newest, &[Some(5), Some(7), Some(7)]), 2);
        assert_eq!(keeper(KeepRule::Newest, &[Some(1), None, None]), 0);
        assert_eq!(keeper(KeepRule::Newest, &[None, None]), 1);
    }
}
