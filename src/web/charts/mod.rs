//! Pure functions from data to ECharts options (built with charming). No I/O here, so
//! they are easy to test and benchmark. Shared builders live here; each feature keeps its
//! own in a submodule (one file per blueprint).

pub mod artists;
pub mod genres;

use charming::{
    component::{Axis, Grid, Legend},
    element::{AxisLabel, AxisType, Color, Symbol, Tooltip, Trigger},
    series::Bar,
    Chart,
};

use crate::catalog::Feature;

pub mod perfect_song;

/// A named series of raw feature values, in the order of the features it is drawn over.
pub struct ProfileSeries<'a> {
    pub name: &'a str,
    pub values: Vec<f64>,
}

/// Grouped bars of one or more feature profiles over 0..1 features. Values are drawn on
/// the 0..1 scale (tempo and loudness rescaled by `Feature::scale`).
pub fn profile_bars(features: &[Feature], series: &[ProfileSeries<'_>]) -> Chart {
    let labels: Vec<String> = features.iter().map(|f| f.label().to_string()).collect();
    // The legend (when there is one) goes above the plot: below it, it ran into the
    // slanted feature names.
    let with_legend = series.len() > 1;
    let mut chart = Chart::new()
        .color(palette())
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .grid(
            Grid::new()
                // Room for the first slanted name, which `contain_label` leaves out.
                .left(24)
                .right("3%")
                .top(if with_legend { 48 } else { 16 })
                .bottom("3%")
                .contain_label(true),
        )
        .x_axis(
            Axis::new()
                .type_(AxisType::Category)
                .axis_label(AxisLabel::new().interval(0).rotate(30))
                .data(labels),
        )
        .y_axis(Axis::new().type_(AxisType::Value).min(0).max(1));
    if with_legend {
        chart = chart.legend(legend_on_top());
    }
    for s in series {
        let data: Vec<f64> = features
            .iter()
            .zip(&s.values)
            .map(|(f, v)| round3(f.scale(*v)))
            .collect();
        chart = chart.series(Bar::new().name(s.name).data(data));
    }
    chart
}

/// A legend across the top of a chart, clear of the axes and their labels.
pub fn legend_on_top() -> Legend {
    Legend::new().top(0).left("center")
}

/// Series colours shared by every chart: distinguishable in light and dark themes and
/// for the common colour-vision deficiencies (Okabe-Ito based), the app's green first.
pub fn palette() -> Vec<Color> {
    [
        "#1db954", "#0072b2", "#e69f00", "#cc79a7", "#56b4e9", "#d55e00", "#999999",
    ]
    .into_iter()
    .map(Color::from)
    .collect()
}

/// Marker shapes for line series, one per series in palette order: with seven lines
/// on one chart, two of the palette's colours are blues (Energy and Valence on the
/// decade charts), and a shape tells them apart where colour cannot, in the legend
/// as on the line.
pub fn line_symbols() -> [Symbol; 7] {
    [
        Symbol::Circle,
        Symbol::Rect,
        Symbol::Triangle,
        Symbol::Diamond,
        Symbol::Custom("emptyCircle".to_string()),
        Symbol::Custom("emptyRect".to_string()),
        Symbol::Custom("emptyTriangle".to_string()),
    ]
}

/// A value to three decimals, rounded as the tables beside the charts round it
/// (`decimal::fixed`, from the exact binary value): `(v * 1000).round()` made Queen's
/// lowest energy, 0.0455, read 0.046 in the chart and 0.045 in its table.
pub(crate) fn round3(v: f64) -> f64 {
    crate::decimal::fixed(v, 3).as_str().parse().unwrap_or(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_decimals_round_as_the_tables_do() {
        assert_eq!(round3(0.0455), 0.045, "the table's 0.045");
        assert_eq!(round3(0.4336), 0.434);
        assert_eq!(round3(1.0), 1.0);
    }

    #[test]
    fn profile_bars_have_one_series_per_profile_and_scaled_values() {
        let chart = profile_bars(
            &[Feature::Energy, Feature::Tempo],
            &[
                ProfileSeries {
                    name: "A",
                    values: vec![0.5, 125.0],
                },
                ProfileSeries {
                    name: "B",
                    values: vec![0.25, 250.0],
                },
            ],
        );
        let json: serde_json::Value = serde_json::to_value(&chart).unwrap();
        let series = json["series"].as_array().unwrap();
        assert_eq!(series.len(), 2);
        assert_eq!(series[0]["type"], "bar");
        assert_eq!(series[0]["name"], "A");
        assert_eq!(series[0]["data"], serde_json::json!([0.5, 0.5]));
        assert_eq!(series[1]["data"], serde_json::json!([0.25, 1.0]));
        assert_eq!(
            json["xAxis"]["data"],
            serde_json::json!(["Energy", "Tempo"])
        );
        // The legend sits above the plot, which starts below it.
        assert_eq!(json["legend"]["top"], 0);
        assert_eq!(json["grid"][0]["top"], 48);
    }
}
