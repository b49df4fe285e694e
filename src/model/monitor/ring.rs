//! `Ring`: a queue that keeps at most `capacity` items, dropping the oldest.

use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ring<T> {
    capacity: usize,
    items: VecDeque<T>,
}

impl<T> Ring<T> {
    /// A ring of at least one item.
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Self {
            capacity,
            items: VecDeque::with_capacity(capacity),
        }
    }

    /// Appends `item`, dropping the oldest when full.
    pub fn push(&mut self, item: T) {
        while self.items.len() >= self.capacity {
            self.items.pop_front();
        }
        self.items.push_back(item);
    }

    /// Drops items from the front while `stale` holds.
    pub fn drop_while(&mut self, stale: impl Fn(&T) -> bool) {
        while self.items.front().is_some_and(&stale) {
            self.items.pop_front();
        }
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> {
        self.items.iter()
    }

    pub fn last(&self) -> Option<&T> {
        self.items.back()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_holds_more_than_its_capacity_and_keeps_the_newest() {
        let mut ring = Ring::new(3);
        for n in 0..1_000 {
            ring.push(n);
            assert!(ring.len() <= 3);
        }
        assert_eq!(ring.iter().copied().collect::<Vec<_>>(), [997, 998, 999]);
        assert_eq!(ring.capacity(), 3);
    }

    #[test]
    fn a_zero_capacity_still_keeps_the_latest_item() {
        let mut ring = Ring::new(0);
        ring.push('a');
        ring.push('b');
        assert_eq!(ring.last(), Some(&'b'));
        assert_eq!(ring.len(), 1);
    }
}
