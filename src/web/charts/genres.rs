//! Charts of the genre pages and the home page: how the sound changed by decade, one
//! line per 0..1 feature over the decades.

use charming::{
    component::{Axis, Grid},
    datatype::CompositeValue,
    element::{AxisType, Tooltip, Trigger},
    series::Line,
    Chart,
};

use super::{legend_on_top, line_symbols, palette, round3};
use crate::catalog::{
    genres::{decade_label, DecadeRow},
    Feature,
};

/// One line per feature (0..1 scale) across the decades, oldest first. A decade of
/// fewer than `few` tracks is named "(few)" on the axis and left off the lines: drawn
/// like the others, 3 tracks of the 1950s made the tallest point of the home page's
/// chart. A value a decade lacks is a gap, not 0.
pub fn decade_lines(features: &[Feature], decades: &[DecadeRow], few: i64) -> Chart {
    let labels: Vec<String> = decades
        .iter()
        .map(|d| {
            let label = decade_label(d.decade);
            if d.tracks < few {
                format!("{label} (few)")
            } else {
                label
            }
        })
        .collect();
    let mut chart = Chart::new()
        .color(palette())
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .legend(legend_on_top())
        .grid(
            Grid::new()
                .left(8)
                .right("4%")
                .top(72)
                .bottom("3%")
                .contain_label(true),
        )
        .x_axis(Axis::new().type_(AxisType::Category).data(labels))
        .y_axis(Axis::new().type_(AxisType::Value).min(0).max(1));
    let symbols = line_symbols();
    for (feature, symbol) in features.iter().zip(symbols.iter().cycle()) {
        // ECharts leaves a gap at "-".
        let data: Vec<CompositeValue> = decades
            .iter()
            .map(|d| match d.value(*feature) {
                Some(value) if d.tracks >= few => round3(feature.scale(value)).into(),
                _ => "-".into(),
            })
            .collect();
        chart = chart.series(
            Line::new()
                .name(feature.label())
                .symbol(symbol.clone())
                .symbol_size(8)
                .data(data),
        );
    }
    chart
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::AudioFeatures;

    #[test]
    fn a_line_per_feature_over_the_decades() {
        let row = |decade, energy| DecadeRow {
            decade,
            tracks: 10,
            average: AudioFeatures {
                energy,
                ..AudioFeatures::default()
            },
            avg_popularity: None,
        };
        let few = DecadeRow {
            tracks: 2,
            ..row(1950, 0.9)
        };
        let json = serde_json::to_value(decade_lines(
            &[Feature::Energy, Feature::Valence],
            &[few, row(1990, 0.25), row(2000, 0.5)],
            5,
        ))
        .unwrap();
        assert_eq!(
            json["xAxis"]["data"],
            serde_json::json!(["1950s (few)", "1990s", "2000s"])
        );
        let series = json["series"].as_array().unwrap();
        assert_eq!(series.len(), 2);
        assert_eq!(series[0]["type"], "line");
        assert_eq!(series[0]["name"], "Energy");
        assert_eq!(series[0]["data"], serde_json::json!(["-", 0.25, 0.5]));
        // Each line its own marker: on the pages' seven lines Energy and Valence are
        // both blue.
        let all =
            serde_json::to_value(decade_lines(&Feature::UNIT, &[row(1990, 0.25)], 5)).unwrap();
        let symbols: Vec<&serde_json::Value> = all["series"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| &s["symbol"])
            .collect();
        assert_eq!(symbols.len(), 7);
        for (i, symbol) in symbols.iter().enumerate() {
            assert!(symbol.is_string());
            assert!(!symbols[..i].contains(symbol), "{symbols:?}");
        }
    }
}
