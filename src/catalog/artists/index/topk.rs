//! The `k` best candidates of a scan, kept without storing every match.

use std::collections::BinaryHeap;

/// The `k` smallest items offered, kept in a max-heap while scanning: most candidates
/// are rejected after one comparison, and nothing proportional to the matches is stored.
pub(super) struct TopK<T: Ord> {
    k: usize,
    heap: BinaryHeap<T>,
}

impl<T: Ord> TopK<T> {
    pub(super) fn new(k: usize) -> Self {
        TopK {
            k,
            heap: BinaryHeap::with_capacity(k + 1),
        }
    }

    pub(super) fn offer(&mut self, item: T) {
        if self.heap.len() < self.k {
            self.heap.push(item);
        } else if let Some(mut worst) = self.heap.peek_mut() {
            if item < *worst {
                *worst = item;
            }
        }
    }

    pub(super) fn into_sorted(self) -> Vec<T> {
        self.heap.into_sorted_vec()
    }
}
