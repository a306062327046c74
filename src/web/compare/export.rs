//! `GET /artists/compare.csv?artist=…` and `GET /genres/compare.csv?genre=…`: the
//! compared groups' averages, one row each, then the catalog average, as the
//! comparison's tables show them.

use poem::Response;

use super::{params::CompareRequest, views::REFERENCE_NAME, Compared};
use crate::{
    catalog::{
        compare::{Comparable, FieldProblem},
        snapshot::CatalogSnapshot,
        Feature,
    },
    error::{AppError, AppResult},
    web::csv_export::{number, CsvTable},
};

/// Decimals kept for averages: more than the screen shows, less than a float's noise.
const DECIMALS: usize = 4;

fn optional<T: ToString>(value: Option<T>) -> String {
    value.map_or(String::new(), |v| v.to_string())
}

/// The file of a comparison, or the problems with its names as one error (404 when a
/// name finds nothing, 400 when the selection has the wrong shape).
pub fn comparison_csv<T: Comparable>(
    request: &CompareRequest,
    catalog: &CatalogSnapshot,
    compared: Result<Vec<Compared<'_>>, Vec<FieldProblem<'_, T>>>,
) -> AppResult<Response> {
    let compared = compared.map_err(|problems| problems_error(request, &problems))?;
    let kind = request.kind;
    let mut header: Vec<String> = vec![
        kind.noun.to_string(),
        format!("{}_id", kind.noun),
        "tracks".into(),
        "first_year".into(),
        "last_year".into(),
        kind.tags_column.into(),
    ];
    header.extend(Feature::ALL.iter().map(|f| format!("avg_{}", f.key())));
    let mut table = CsvTable::new(header);
    for c in &compared {
        let mut row = vec![
            c.name.to_string(),
            c.id.to_string(),
            c.track_count.to_string(),
            optional(c.min_year),
            optional(c.max_year),
            c.tags
                .iter()
                .map(|(name, n)| format!("{name} ({n})"))
                .collect::<Vec<_>>()
                .join("; "),
        ];
        row.extend(
            Feature::ALL
                .iter()
                .map(|&f| c.value(f).map_or(String::new(), |v| number(v, DECIMALS))),
        );
        table.push(row);
    }
    let mut reference = vec![
        REFERENCE_NAME.to_string(),
        String::new(),
        catalog.meta.track_count.to_string(),
        optional(catalog.meta.min_year),
        optional(catalog.meta.max_year),
        String::new(),
    ];
    reference.extend(Feature::ALL.iter().map(|&f| {
        let value = match f {
            Feature::Popularity => catalog.artists.reference_popularity(),
            other => catalog.average.get(other),
        };
        value.map_or(String::new(), |v| number(v, DECIMALS))
    }));
    table.push(reference);
    let names: Vec<&str> = compared.iter().map(|c| c.name).collect();
    table.download(&format!("compare {}", names.join(" ")))
}

fn problems_error<T: Comparable>(
    request: &CompareRequest,
    problems: &[FieldProblem<'_, T>],
) -> AppError {
    let message = problems
        .iter()
        .map(|p| {
            let typed = p
                .field
                .and_then(|i| request.fields.get(i))
                .map_or("", |f| f.trim());
            // A file has no links to offer: the names are in the message itself
            // (it asked "Did you mean one of these?" and listed none).
            let choices: Vec<String> = p
                .problem
                .choices()
                .iter()
                .map(|c| format!("“{}”", crate::quoted::quoted(c.compare_name())))
                .collect();
            match choices.is_empty() {
                true => p.problem.message(typed),
                false => format!("{} {}.", p.problem.message(typed), choices.join(", ")),
            }
        })
        .collect::<Vec<_>>()
        .join(" ");
    if problems.iter().any(|p| p.problem.is_unresolved_name()) {
        AppError::NotFound(message)
    } else {
        AppError::BadRequest(message)
    }
}
