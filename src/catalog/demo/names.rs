//! Invented names for the demo catalog: artists, track titles and albums, assembled from
//! the word lists in `words.rs`.

use std::collections::HashSet;

use super::{genres::NameStyle, words::*};
use crate::catalog::rng::Rng;

/// Invents artist names, never the same one twice (compared case-insensitively).
pub struct ArtistNamer {
    taken: HashSet<String>,
}

impl ArtistNamer {
    pub fn new() -> ArtistNamer {
        ArtistNamer {
            taken: HashSet::new(),
        }
    }

    /// A name in the given style; once that style's combinations run short, a person's
    /// name with a middle initial, and as a last resort a numbered one, so it always
    /// terminates.
    pub fn name(&mut self, style: NameStyle, rng: &mut Rng) -> String {
        for attempt in 0.. {
            let candidate = match attempt {
                0..50 => artist_name(style, rng),
                50..500 => {
                    let initial = char::from(b'A' + rng.int(0, 25) as u8);
                    format!(
                        "{} {initial}. {}",
                        rng.pick(FIRST_NAMES),
                        rng.pick(SURNAMES)
                    )
                }
                _ => format!("{} {}", person(rng), attempt),
            };
            if self.taken.insert(candidate.to_lowercase()) {
                return candidate;
            }
        }
        unreachable!("the numbered fallback is always new")
    }
}

fn person(rng: &mut Rng) -> String {
    format!("{} {}", rng.pick(FIRST_NAMES), rng.pick(SURNAMES))
}

fn invented_word(rng: &mut Rng) -> String {
    format!(
        "{}{}{}",
        rng.pick(ONSETS),
        rng.pick(CODAS),
        rng.pick(ENDINGS)
    )
}

fn artist_name(style: NameStyle, rng: &mut Rng) -> String {
    match style {
        NameStyle::Person => person(rng),
        NameStyle::Band => {
            let band = format!("{} {}", rng.pick(BAND_ADJECTIVES), rng.pick(BAND_NOUNS));
            if rng.chance(0.6) {
                format!("The {band}")
            } else {
                band
            }
        }
        NameStyle::Rapper => {
            if rng.chance(0.7) {
                format!("{} {}", rng.pick(RAP_PREFIXES), invented_word(rng))
            } else {
                invented_word(rng)
            }
        }
        NameStyle::Producer => {
            let word = invented_word(rng);
            if rng.chance(0.2) {
                format!("DJ {word}")
            } else {
                word
            }
        }
        NameStyle::Latin => {
            if rng.chance(0.15) {
                format!("{} {}", rng.pick(LATIN_BANDS), rng.pick(LATIN_PLACES))
            } else {
                format!("{} {}", rng.pick(LATIN_FIRST), rng.pick(LATIN_SURNAMES))
            }
        }
        NameStyle::Ensemble => match rng.int(0, 2) {
            0 => format!("The {} {}", rng.pick(PLACES), rng.pick(ENSEMBLES)),
            1 => format!("{} {}", rng.pick(PLACES), rng.pick(ENSEMBLES)),
            _ => format!("Ensemble {}", rng.pick(PLACES)),
        },
        NameStyle::Texture => format!(
            "{} {}",
            rng.pick(TEXTURE_ADJECTIVES),
            rng.pick(TEXTURE_NOUNS)
        ),
        NameStyle::JazzGroup => format!("{} {}", person(rng), rng.pick(JAZZ_GROUPS)),
    }
}

/// What kind of titles a genre's tracks get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TitleStyle {
    Song,
    Spanish,
    Classical,
    Ambient,
}

impl TitleStyle {
    pub fn for_genre(genre: &str) -> TitleStyle {
        match genre {
            "latin" => TitleStyle::Spanish,
            "classical" => TitleStyle::Classical,
            "ambient" => TitleStyle::Ambient,
            _ => TitleStyle::Song,
        }
    }
}

/// The musical facts a classical title names.
pub struct Tonality {
    pub key: i32,
    pub major: bool,
    pub triple_meter: bool,
}

pub fn track_title(style: TitleStyle, tonality: &Tonality, rng: &mut Rng) -> String {
    match style {
        TitleStyle::Song => song_title(rng),
        TitleStyle::Spanish => match rng.int(0, 4) {
            0 | 1 => {
                let (a, b) = two_distinct(SPANISH_NOUNS, rng);
                format!("{a} de {b}")
            }
            2 | 3 => format!("{} {}", rng.pick(SPANISH_LEADS), rng.pick(SPANISH_NOUNS)),
            _ => song_title(rng),
        },
        TitleStyle::Classical => {
            let form = if tonality.triple_meter {
                rng.pick(TRIPLE_FORMS)
            } else {
                rng.pick(CLASSICAL_FORMS)
            };
            let key = KEY_NAMES[tonality.key.rem_euclid(12) as usize];
            let mode = if tonality.major { "Major" } else { "Minor" };
            let mut title = format!("{form} No. {} in {key} {mode}", rng.int(1, 24));
            if rng.chance(0.5) {
                title.push_str(&format!(", Op. {}", rng.int(2, 120)));
            }
            if matches!(
                *form,
                "Sonata" | "Concerto" | "Symphony" | "Suite" | "Partita"
            ) {
                title.push_str(&format!(": {}", rng.pick(MOVEMENTS)));
            }
            title
        }
        TitleStyle::Ambient => match rng.int(0, 2) {
            0 => format!("{} {}", rng.pick(TEXTURE_NOUNS), rng.pick(ROMAN)),
            1 => format!(
                "{} {}",
                rng.pick(TEXTURE_ADJECTIVES),
                rng.pick(TEXTURE_NOUNS)
            ),
            _ => format!("{} ({})", rng.pick(TITLE_NOUNS), rng.pick(TEXTURE_NOUNS)),
        },
    }
}

/// Two different words from a list, so a title never reads "Heart of the Heart".
fn two_distinct<'a>(words: &[&'a str], rng: &mut Rng) -> (&'a str, &'a str) {
    let first = rng.index(words.len());
    // Any index but `first`: draw from the others and skip over it.
    let mut second = rng.index(words.len() - 1);
    if second >= first {
        second += 1;
    }
    (words[first], words[second])
}

/// English plural of a musical form ("Symphony" -> "Symphonies", "Sonata" -> "Sonatas").
fn plural(form: &str) -> String {
    match form.strip_suffix('y') {
        Some(stem) => format!("{stem}ies"),
        None => format!("{form}s"),
    }
}

fn song_title(rng: &mut Rng) -> String {
    match rng.int(0, 6) {
        0 | 1 => format!("{} {}", rng.pick(TITLE_ADJECTIVES), rng.pick(TITLE_NOUNS)),
        2 => rng.pick(TITLE_NOUNS).to_string(),
        3 => format!("{} the {}", rng.pick(TITLE_VERBS), rng.pick(TITLE_NOUNS)),
        4 => {
            let (a, b) = two_distinct(TITLE_NOUNS, rng);
            format!("{a} of the {b}")
        }
        5 => rng.pick(TITLE_PHRASES).to_string(),
        _ => format!(
            "The {} {}",
            rng.pick(TITLE_ADJECTIVES),
            rng.pick(TITLE_NOUNS)
        ),
    }
}

pub fn album_title(style: TitleStyle, rng: &mut Rng) -> String {
    match (style, rng.int(0, 5)) {
        (TitleStyle::Classical, n) => match n {
            0 | 1 => format!("Works for Piano, Vol. {}", rng.int(1, 6)),
            2 => format!("{} Recital", rng.pick(PLACES)),
            3 => format!("Chamber Works, Vol. {}", rng.int(1, 6)),
            _ => {
                let (a, b) = two_distinct(CLASSICAL_FORMS, rng);
                format!("{} and {}", plural(a), plural(b))
            }
        },
        (TitleStyle::Spanish, 0..=2) => {
            let (a, b) = two_distinct(SPANISH_NOUNS, rng);
            format!("{a} de {b}")
        }
        (_, 0 | 1) => format!("{} {}", rng.pick(TITLE_ADJECTIVES), rng.pick(TITLE_NOUNS)),
        (_, 2) => rng.pick(TITLE_NOUNS).to_string(),
        (_, 3) => format!("The {} Sessions", rng.pick(PLACES)),
        (_, 4) => {
            let (a, b) = two_distinct(TITLE_NOUNS, rng);
            format!("{a} & {b}")
        }
        _ => format!("Songs from the {}", rng.pick(TITLE_NOUNS)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Famous acts whose names a careless word list could rebuild.
    const FAMOUS: &[&str] = &[
        "The Paper Kites",
        "Glass Animals",
        "Arctic Monkeys",
        "The Black Keys",
        "Iron Maiden",
        "The Velvet Underground",
        "Velvet Revolver",
        "The Killers",
        "Arcade Fire",
        "Vampire Weekend",
        "Tangerine Dream",
        "Lil Wayne",
        "Lil Baby",
        "Lil Nas X",
        "Lil Uzi Vert",
        "Lil Tecca",
        "Lil Durk",
        "Lil Mosey",
        "Kid Cudi",
        "Kid Rock",
        "Big Sean",
        "Lady Gaga",
        "King Princess",
        "MC Hammer",
        "Yung Gravy",
        "Kygo",
        "Zedd",
        "Alesso",
        "Tiësto",
        "Kavinsky",
        "Los Lobos",
        "Los Tigres del Norte",
        "Hammock",
        "Helios",
        "Marconi Union",
        "Simi",
        "Kid Koala",
        "Karol G",
        "Sia",
        "Kronos Quartet",
        "Silver Apples",
        "Neon Trees",
        "The Stone Roses",
        "Sunken Ships",
        "Bon Iver",
        "Fleet Foxes",
        "The Lumineers",
        "Mumford & Sons",
        "Of Monsters and Men",
        "The Head and the Heart",
    ];

    #[test]
    fn no_famous_artist_is_reproduced() {
        let famous: HashSet<String> = FAMOUS.iter().map(|n| n.to_lowercase()).collect();
        let mut namer = ArtistNamer::new();
        let mut rng = Rng::new(11);
        let styles = [
            NameStyle::Person,
            NameStyle::Band,
            NameStyle::Rapper,
            NameStyle::Producer,
            NameStyle::Latin,
            NameStyle::Ensemble,
            NameStyle::Texture,
            NameStyle::JazzGroup,
        ];
        // 150 per style: more than the demo catalog draws of any one style.
        for i in 0..1_200 {
            let name = namer.name(styles[i % styles.len()], &mut rng);
            assert!(
                !famous.contains(&name.to_lowercase()),
                "{name} is a real act"
            );
            assert_eq!(name.trim(), name);
        }
    }

    #[test]
    fn the_namer_never_repeats_a_name_in_any_case() {
        let mut namer = ArtistNamer::new();
        let mut rng = Rng::new(5);
        let mut seen = HashSet::new();
        for _ in 0..2_000 {
            let name = namer.name(NameStyle::Band, &mut rng);
            assert!(seen.insert(name.to_lowercase()), "{name} repeated");
        }
    }

    #[test]
    fn classical_titles_name_the_tracks_key() {
        let mut rng = Rng::new(1);
        let tonality = Tonality {
            key: 3,
            major: false,
            triple_meter: true,
        };
        let title = track_title(TitleStyle::Classical, &tonality, &mut rng);
        assert!(title.contains("in E-Flat Minor"), "{title}");
        assert!(TRIPLE_FORMS.iter().any(|f| title.starts_with(f)), "{title}");
    }
}
