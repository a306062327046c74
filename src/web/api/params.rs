//! Query parameters as the API reads them: the query string's pairs, a name given twice,
//! whole numbers with one wording everywhere, and the messages for parameters
//! poem-openapi could not read (a missing one, a value of the wrong type).

use std::borrow::Cow;

use crate::web::query::{Pairs, QueryPairs};

use poem_openapi::{
    registry::{MetaSchema, MetaSchemaRef},
    types::{ParseFromParameter, ParseResult, Type},
};

/// The query string's (name, value) pairs, decoded, in order (the app's one parser).
pub fn pairs(query: Option<&str>) -> Pairs {
    QueryPairs::parse_exact(query).0
}

/// Prefixes of the names `/recommendations` reads. A name with one of them that names no
/// seed list, feature or attribute (`target_energi`, `seed_track`, `TARGET_ENERGY`) is a
/// typo that would otherwise change nothing without a word, so it is refused; any other
/// unknown name is ignored, as Spotify ignores it.
pub const TUNING_PREFIXES: [&str; 5] = ["seed", "target", "min", "max", "weight"];

/// The names some endpoint reads besides `TUNING_PREFIXES`' (`ids`, search's `q`, ...).
const NAMES_READ: [&str; 8] = [
    "ids",
    "q",
    "type",
    "limit",
    "offset",
    "market",
    "metric",
    "max_per_artist",
];

/// Whether some endpoint reads a parameter of this name: one of `NAMES_READ` as written
/// (`Limit` is nobody's, and ignored), or a tuning name in any letter case (which
/// `/recommendations` reads, refusing `TARGET_ENERGY` as misspelt).
fn is_read(name: &str) -> bool {
    NAMES_READ.contains(&name)
        || name.split_once('_').is_some_and(|(prefix, _)| {
            TUNING_PREFIXES.contains(&prefix.to_ascii_lowercase().as_str())
        })
}

/// The first parameter name given more than once, if any, of the names the API reads:
/// which of the values would count is then unclear. A name no endpoint reads is
/// ignored however often it comes (`_=1&_=2`, two cache-busters), as it is once.
/// One pass with a set: this runs before the token is checked, and comparing each
/// name with every earlier one made an 8 KiB query of short names cost millions of
/// comparisons to anyone.
pub fn repeated(pairs: &[(String, String)]) -> Option<&str> {
    let mut seen = std::collections::HashSet::with_capacity(pairs.len());
    pairs
        .iter()
        .map(|(name, _)| name.as_str())
        .filter(|name| is_read(name))
        .find(|name| !seen.insert(*name))
}

/// What is wrong with the query string as a whole, whatever the endpoint: a name given
/// twice, or a market that is not a country's.
pub fn query_problem(pairs: &[(String, String)]) -> Option<String> {
    repeated(pairs)
        .map(repeated_message)
        .or_else(|| market_problem(pairs))
}

/// The message for a parameter given more than once.
pub fn repeated_message(name: &str) -> String {
    format!(
        "{name} is given more than once: give it once (a list is one comma-separated value, as in Spotify's API)."
    )
}

/// ISO 3166-1 alpha-2 country codes (Debian's iso-codes 2024), and XK (Kosovo), which
/// Spotify lists among its markets.
const MARKETS: &str =
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN \
     BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ \
     DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL \
     GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM \
     JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME \
     MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP \
     NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD \
     SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO \
     TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW";

/// What is wrong with a `market` parameter, if one is given. The catalog has no markets,
/// so the value changes nothing, but Spotify refuses a code that is not a country's and
/// a client that sends one has a bug it should hear about.
pub fn market_problem(pairs: &[(String, String)]) -> Option<String> {
    let (_, market) = pairs.iter().find(|(name, _)| name == "market")?;
    let code = market.trim();
    let known = code == "from_token"
        || (code.len() == 2
            && MARKETS
                .split_ascii_whitespace()
                .any(|m| m.eq_ignore_ascii_case(code)));
    (!known).then(|| {
        format!(
            "Invalid market code “{}”: give an ISO 3166-1 alpha-2 country code such as US, or from_token.",
            crate::quoted::quoted(market)
        )
    })
}

/// The message for a required parameter that is not there.
pub fn missing_message(name: &str) -> String {
    format!("Missing required parameter {name}.")
}

/// A whole number from `lo` to `hi` (`5.0` is 5, see `whole_number`); the message says
/// both what and where.
pub fn whole_number(name: &str, value: &str, (lo, hi): (i64, i64)) -> Result<i64, String> {
    crate::whole_number::parse(value)
        .filter(|v| (lo..=hi).contains(v))
        .ok_or_else(|| {
            format!(
                "{name} must be a whole number from {lo} to {hi}, not “{}”.",
                crate::quoted::quoted(value)
            )
        })
}

/// A query parameter documented as an integer but read as text, so the handler checks it
/// and answers in the API's words (`whole_number`) instead of the parser's.
#[derive(Debug, Clone)]
pub struct WholeNumber(pub String);

impl Type for WholeNumber {
    const IS_REQUIRED: bool = true;
    type RawValueType = String;
    type RawElementValueType = String;

    fn name() -> Cow<'static, str> {
        "integer".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema::new("integer")))
    }

    fn as_raw_value(&self) -> Option<&String> {
        Some(&self.0)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a String> + 'a> {
        Box::new(std::iter::once(&self.0))
    }
}

impl ParseFromParameter for WholeNumber {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        Ok(WholeNumber(value.to_string()))
    }
}

impl WholeNumber {
    /// The value, `default` when the parameter is absent.
    pub fn read(
        given: Option<&WholeNumber>,
        name: &str,
        default: i64,
        range: (i64, i64),
    ) -> Result<i64, String> {
        match given {
            None => Ok(default),
            Some(w) => whole_number(name, &w.0, range),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_names_are_found() {
        let p = pairs(Some("limit=1&q=2&limit=3"));
        assert_eq!(repeated(&p), Some("limit"));
        assert_eq!(repeated(&pairs(Some("a=1&b=2"))), None);
        assert_eq!(repeated(&pairs(None)), None);
        for good in ["US", "se", "XK", "from_token"] {
            assert_eq!(
                market_problem(&pairs(Some(&format!("market={good}")))),
                None,
                "{good}"
            );
        }
        for bad in ["XX", "", "USA", "%ff", "U"] {
            assert!(
                market_problem(&pairs(Some(&format!("market={bad}")))).is_some(),
                "{bad}"
            );
        }
        assert_eq!(market_problem(&pairs(Some("q=a"))), None);
        // Percent-encoded names are the same name.
        assert_eq!(repeated(&pairs(Some("ids=x&%69ds=y"))), Some("ids"));
        // A name no endpoint reads is ignored, repeated or not; one that is read is not.
        assert_eq!(
            repeated(&pairs(Some("_=1&_=2&foo=a&foo=b&Limit=1&Limit=2"))),
            None
        );
        assert_eq!(
            repeated(&pairs(Some("target_energy=1&target_energy=2"))),
            Some("target_energy")
        );
    }

    #[test]
    fn whole_numbers_say_their_range() {
        assert_eq!(whole_number("limit", "7", (0, 50)), Ok(7));
        assert_eq!(whole_number("limit", " 7.0", (0, 50)), Ok(7));
        assert_eq!(whole_number("limit", "-0.00", (0, 50)), Ok(0));
        for bad in [
            "-1",
            "51",
            "abc",
            "1.5",
            "",
            "99999999999999999999999",
            "51.0",
            "7.0.0",
            "inf",
        ] {
            assert_eq!(
                whole_number("limit", bad, (0, 50)),
                Err(format!(
                    "limit must be a whole number from 0 to 50, not “{bad}”."
                ))
            );
        }
    }
}
