//! Charts of the genre pages and the home page: how the sound changed by decade, one
//! line per 0..1 feature over the decades.

use charming::{
    component::{Axis, Grid},
    element::{AxisType, Tooltip, Trigger},
    series::Line,
    Chart,
};

use super::{legend_on_top, palette, round3};
use crate::catalog::{
    genres::{decade_label, DecadeRow},
    Feature,
};

/// One line per feature (0..1 scale) across the decades, oldest first.
pub fn decade_lines(features: &[Feature], decades: &[DecadeRow]) -> Chart {
    let labels: Vec<String> = decades.iter().map(|d| decade_label(d.decade)).collect();
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
    for feature in features {
        let data: Vec<f64> = decades
            .iter()
            .map(|d| round3(feature.scale(d.value(*feature).unwrap_or(0.0))))
            .collect();
        chart = chart.series(Line::new().name(feature.label()).data(data));
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
            tracks: 1,
            average: AudioFeatures {
                energy,
                ..AudioFeatures::default()
            },
            avg_popularity: None,
        };
        let json = serde_json::to_value(decade_lines(
            &[Feature::Energy, Feature::Valence],
            &[row(1990, 0.25), row(2000, 0.5)],
        ))
        .unwrap();
        assert_eq!(json["xAxis"]["data"], serde_json::json!(["1990s", "2000s"]));
        let series = json["series"].as_array().unwrap();
        assert_eq!(series.len(), 2);
        assert_eq!(series[0]["type"], "line");
        assert_eq!(series[0]["name"], "Energy");
        assert_eq!(series[0]["data"], serde_json::json!([0.25, 0.5]));
    }
}
