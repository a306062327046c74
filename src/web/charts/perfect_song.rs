//! Charts of the perfect-song page: the original's parallel-coordinates chart (the
//! target in one colour, the match in another, a fixed sample of the catalog faint
//! behind) and grouped bars of target versus match per feature.
//!
//! The faint sample is the same for every answer of a catalog version, so it is its own
//! series (`sample_series`), served once at a cacheable URL and put under the live
//! chart by the page's script, instead of being half of every slider-step fragment.

use charming::{
    component::{Legend, ParallelAxis, ParallelAxisDefault, ParallelCoordinate},
    element::{Color, Emphasis, LineStyle, TextStyle, Tooltip, Trigger},
    series::Parallel,
    Chart,
};

use super::{palette, profile_bars, ProfileSeries};
use crate::{catalog::Feature, matching::SampleTrack};

/// How many catalog tracks are drawn faintly behind the target and the match: enough
/// to show where the music is, few enough to keep the live fragment small.
pub const SAMPLE_SIZE: usize = 200;

pub const TARGET_NAME: &str = "Your target";
pub const MATCH_NAME: &str = "Perfect song";
pub const SAMPLE_NAME: &str = "Other tracks";

/// One axis per feature, each over the feature's own range (BPM, dB, ...). Lines: the
/// match, then the target drawn on top (the page puts `sample_series` beneath both).
pub fn parallel(features: &[Feature], target: &[f64], matched: Option<&[Option<f64>]>) -> Chart {
    let colours = palette();
    let mut chart = Chart::new()
        .animation(false)
        .tooltip(Tooltip::new().trigger(Trigger::Item))
        .legend(
            Legend::new()
                .top("bottom")
                .data(vec![TARGET_NAME, MATCH_NAME]),
        )
        .parallel(
            ParallelCoordinate::new()
                .left(48)
                // The slanted names run to the right of their axis: the last one
                // ("Tempo (BPM)", "Loudness (dB)") needs this much room.
                .right(92)
                .top(56)
                .bottom(48)
                // Slanted names fit five to ten axes on a phone.
                .parallel_axis_default(
                    ParallelAxisDefault::new()
                        .name_rotate(20)
                        .name_gap(10)
                        .name_text_style(TextStyle::new().font_size(11)),
                ),
        );
    for (dim, feature) in features.iter().enumerate() {
        let (min, max) = feature.range();
        let name = match feature.unit() {
            Some(unit) => format!("{} ({unit})", feature.label()),
            None => feature.label().to_string(),
        };
        chart = chart.parallel_axis(
            ParallelAxis::new()
                .dim(dim as f64)
                .name(name)
                .min(min)
                .max(max),
        );
    }
    if let Some(matched) = matched {
        let row: Vec<Option<f64>> = features
            .iter()
            .zip(matched)
            .map(|(f, v)| v.map(|v| round(*f, v)))
            .collect();
        chart = chart.series(
            Parallel::new()
                .name(MATCH_NAME)
                .line_style(line(colours[1].clone()))
                .data(vec![row]),
        );
    }
    let row: Vec<f64> = features
        .iter()
        .zip(target)
        .map(|(f, v)| round(*f, *v))
        .collect();
    chart.series(
        Parallel::new()
            .name(TARGET_NAME)
            .line_style(line(colours[0].clone()))
            .data(vec![row]),
    )
}

/// The catalog sample as one faint parallel series over `features` (the same axes, in
/// the same order, as the `parallel` chart it goes under). Silent on hover, so the
/// tooltip picks the two lines that matter.
pub fn sample_series(features: &[Feature], sample: &[SampleTrack]) -> Parallel {
    let rows: Vec<Vec<Option<f64>>> = sample
        .iter()
        .map(|track| {
            features
                .iter()
                .map(|f| {
                    track
                        .values
                        .iter()
                        .find(|(g, _)| g == f)
                        .and_then(|(_, v)| v.map(|v| round(*f, v)))
                })
                .collect()
        })
        .collect();
    Parallel::new()
        .name(SAMPLE_NAME)
        .line_style(
            LineStyle::new()
                .color(Color::from("#8a8f98"))
                .width(0.5)
                .opacity(0.18),
        )
        .emphasis(Emphasis::new().disabled(true))
        .data(rows)
}

fn line(colour: Color) -> LineStyle {
    LineStyle::new().color(colour).width(3.5).opacity(1.0)
}

/// Target versus match per feature, on the common 0..1 scale.
///
/// Without a legend: the page draws it right under the parallel chart, whose legend names
/// the same two series in the same colours (two identical legends one above the other
/// read as a mistake).
pub fn target_vs_match(features: &[Feature], target: &[f64], matched: &[f64]) -> Chart {
    profile_bars(
        features,
        &[
            ProfileSeries {
                name: TARGET_NAME,
                values: target.to_vec(),
            },
            ProfileSeries {
                name: MATCH_NAME,
                values: matched.to_vec(),
            },
        ],
    )
    .legend(Legend::new().show(false))
}

/// Enough precision for a line on a few hundred pixels, and a smaller fragment.
fn round(feature: Feature, value: f64) -> f64 {
    let scale = if feature.is_unit_interval() {
        1000.0
    } else {
        10.0
    };
    (value * scale).round() / scale
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bars_under_the_parallel_chart_show_no_second_legend() {
        let chart = target_vs_match(&[Feature::Energy], &[0.5], &[0.4]);
        let json = serde_json::to_value(&chart).unwrap();
        assert_eq!(json["legend"]["show"], false, "{json}");
        assert_eq!(json["series"].as_array().map(Vec::len), Some(2));
    }

    #[test]
    fn parallel_has_an_axis_per_feature_and_target_on_top() {
        let features = [Feature::Energy, Feature::Tempo];
        let chart = parallel(&features, &[0.5, 120.0], Some(&[Some(0.4), None]));
        let json = serde_json::to_value(&chart).unwrap();
        let axes = json["parallelAxis"].as_array().unwrap();
        assert_eq!(axes.len(), 2);
        assert_eq!(axes[1]["name"], "Tempo (BPM)");
        assert_eq!(axes[1]["max"], 250.0);
        let series = json["series"].as_array().unwrap();
        let names: Vec<&str> = series.iter().map(|s| s["name"].as_str().unwrap()).collect();
        assert_eq!(names, [MATCH_NAME, TARGET_NAME]);
        assert!(series.iter().all(|s| s["type"] == "parallel"));
        assert_eq!(series[0]["data"], serde_json::json!([[0.4, null]]));
        assert_eq!(series[1]["data"], serde_json::json!([[0.5, 120.0]]));
    }

    #[test]
    fn the_sample_is_one_faint_series_over_the_same_axes() {
        let sample = vec![SampleTrack {
            track_id: 1,
            values: vec![(Feature::Energy, Some(0.25)), (Feature::Tempo, Some(99.04))],
        }];
        let series = sample_series(&[Feature::Tempo, Feature::Energy], &sample);
        let json = serde_json::to_value(&series).unwrap();
        assert_eq!(json["type"], "parallel");
        assert_eq!(json["name"], SAMPLE_NAME);
        assert_eq!(json["data"], serde_json::json!([[99.0, 0.25]]));
        assert_eq!(json["emphasis"]["disabled"], true);
    }

    #[test]
    fn bars_compare_target_and_match() {
        let chart = target_vs_match(&[Feature::Energy], &[0.5], &[0.75]);
        let json = serde_json::to_value(&chart).unwrap();
        assert_eq!(json["series"][0]["data"], serde_json::json!([0.5]));
        assert_eq!(json["series"][1]["data"], serde_json::json!([0.75]));
    }
}
