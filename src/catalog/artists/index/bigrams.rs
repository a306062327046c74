//! Character bigrams: what "did you mean" narrows its candidates by before computing
//! edit distances.

/// The distinct pairs of adjacent characters of a key, each packed into a u64.
pub(super) fn distinct_bigrams(key: &str) -> Vec<u64> {
    let mut pairs = Vec::new();
    distinct_bigrams_into(key, &mut pairs);
    pairs
}

/// `distinct_bigrams` into a reused buffer: the index computes them for every artist.
pub(super) fn distinct_bigrams_into(key: &str, pairs: &mut Vec<u64>) {
    pairs.clear();
    let mut chars = key.chars();
    let Some(mut previous) = chars.next() else {
        return;
    };
    for ch in chars {
        pairs.push((u64::from(previous as u32) << 32) | u64::from(ch as u32));
        previous = ch;
    }
    pairs.sort_unstable();
    pairs.dedup();
}
