//! How a track's musical facts read wherever a page lists tracks (the perfect song's
//! answer and next matches, an artist's tracks), so that they read the same everywhere.

use maud::{html, Markup};

use crate::{catalog::musical_key::MusicalKey, decimal::fixed};

/// Key as a name and a Camelot code, with the tempo beside it: "C♯ minor · 12A · 128 BPM".
///
/// Two parts, each kept on one line (`.ps-dj-part`): where a column is narrow, the tempo
/// goes under the key rather than either splitting a word at a time.
pub fn key_and_tempo(key: Option<MusicalKey>, bpm: Option<f64>) -> Markup {
    html! {
        span class="ps-dj" {
            span class="ps-dj-part" {
                @if let Some(k) = key {
                    (k.name()) " · " abbr class="ps-camelot" title="Camelot code" { (k.camelot()) }
                } @else { "key unknown" }
            }
            // The dot stays with the key (a no-break space before it), so a wrapped
            // tempo starts its line with the number.
            @if let Some(bpm) = bpm { "\u{a0}· " span class="ps-dj-part" { (fixed(bpm, 0)) " BPM" } }
        }
    }
}
