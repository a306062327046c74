//! Spotify's paging objects' links: which neighbouring pages a page names.

/// The offsets of a page's `next` and `previous` pages: none past the `total` items,
/// none past `max_offset`, the deepest offset the operation accepts (following `next`
/// never ends in a 400), and none at all for `limit=0`, whose neighbours would be the
/// page itself.
pub fn neighbours(
    offset: u32,
    limit: u32,
    total: i64,
    max_offset: u32,
) -> (Option<u32>, Option<u32>) {
    if limit == 0 {
        return (None, None);
    }
    let next = offset
        .checked_add(limit)
        .filter(|&next| i64::from(next) < total && next <= max_offset);
    let previous = (offset > 0).then(|| offset.saturating_sub(limit));
    (next, previous)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_link_only_to_pages_that_answer() {
        assert_eq!(neighbours(0, 20, 100, 1000), (Some(20), None));
        assert_eq!(neighbours(20, 20, 100, 1000), (Some(40), Some(0)));
        assert_eq!(neighbours(90, 20, 100, 1000), (None, Some(70)));
        // The deepest offset is 1000: a next page beyond it would be refused.
        assert_eq!(neighbours(980, 20, 5000, 1000), (Some(1000), Some(960)));
        assert_eq!(neighbours(1000, 20, 5000, 1000), (None, Some(980)));
        assert_eq!(neighbours(1000, 50, 5000, 1000), (None, Some(950)));
        assert_eq!(neighbours(5, 0, 100, 1000), (None, None));
        // Past the end, the previous page is still the one before.
        assert_eq!(neighbours(200, 20, 100, 1000), (None, Some(180)));
        assert_eq!(
            neighbours(u32::MAX, 50, i64::MAX, u32::MAX),
            (None, Some(u32::MAX - 50))
        );
    }
}
