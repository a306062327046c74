//! Charts of the artist pages: a comparison as grouped bars or as a radar, and the
//! spread of an artist's features as box plots. Only 0..1 features are drawn, so the
//! plotted numbers are the exact averages (to three decimals) that tooltips show.

use charming::{
    component::{Axis, Grid, Legend, RadarCoordinate},
    datatype::DataPointItem,
    element::{AxisLabel, AxisType, ItemStyle, LineStyle, LineStyleType, Symbol, Tooltip, Trigger},
    series::{Bar, Boxplot, Line, Radar},
    Chart,
};

use super::ProfileSeries;
use crate::catalog::{artists::distribution::Distribution, Feature};

/// Colour of the catalog-average reference, kept neutral so the artists stand out.
const REFERENCE_COLOR: &str = "#8a8f98";

fn labels(features: &[Feature]) -> Vec<String> {
    features.iter().map(|f| f.label().to_string()).collect()
}

/// A category axis of feature names that shows every name (slanted, since
/// "Instrumentalness" does not fit upright beside its neighbours).
fn feature_axis(features: &[Feature]) -> Axis {
    Axis::new()
        .type_(AxisType::Category)
        .data(labels(features))
        .axis_label(AxisLabel::new().interval(0).rotate(30))
}

fn values(features: &[Feature], series: &ProfileSeries<'_>) -> Vec<f64> {
    features
        .iter()
        .zip(&series.values)
        .map(|(f, v)| round3(f.scale(*v)))
        .collect()
}

/// One bar series per artist over the features, and the catalog average as a dashed
/// reference line with markers. Hovering a feature shows every exact value.
pub fn comparison_bars(
    features: &[Feature],
    artists: &[ProfileSeries<'_>],
    reference: &ProfileSeries<'_>,
) -> Chart {
    let mut chart = Chart::new()
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .legend(Legend::new().top("bottom"))
        .grid(
            Grid::new()
                .left("3%")
                .right("3%")
                .top("6%")
                .bottom("14%")
                .contain_label(true),
        )
        .x_axis(feature_axis(features))
        .y_axis(Axis::new().type_(AxisType::Value).min(0).max(1));
    for artist in artists {
        chart = chart.series(Bar::new().name(artist.name).data(values(features, artist)));
    }
    chart.series(
        Line::new()
            .name(reference.name)
            .symbol(Symbol::Diamond)
            .symbol_size(10)
            .line_style(
                LineStyle::new()
                    .type_(LineStyleType::Dashed)
                    .color(REFERENCE_COLOR),
            )
            .item_style(ItemStyle::new().color(REFERENCE_COLOR))
            .data(values(features, reference)),
    )
}

/// The same numbers as a radar: one polygon per artist and one for the catalog average.
pub fn comparison_radar(
    features: &[Feature],
    artists: &[ProfileSeries<'_>],
    reference: &ProfileSeries<'_>,
) -> Chart {
    let indicators: Vec<(&str, f64, f64)> =
        features.iter().map(|f| (f.label(), 0.0, 1.0)).collect();
    let mut data: Vec<DataPointItem> = artists
        .iter()
        .map(|a| DataPointItem::new(values(features, a)).name(a.name))
        .collect();
    data.push(
        DataPointItem::new(values(features, reference))
            .name(reference.name)
            .item_style(ItemStyle::new().color(REFERENCE_COLOR)),
    );
    Chart::new()
        .tooltip(Tooltip::new().trigger(Trigger::Item))
        .legend(Legend::new().top("bottom"))
        .radar(RadarCoordinate::new().indicator(indicators).radius("62%"))
        .series(Radar::new().name("Average features").data(data))
}

/// Box plots (min, quartiles, max) of the 0..1 features across an artist's tracks.
pub fn distribution_boxplot(distributions: &[Distribution]) -> Chart {
    let shown: Vec<&Distribution> = distributions
        .iter()
        .filter(|d| d.feature.is_unit_interval())
        .collect();
    let features: Vec<Feature> = shown.iter().map(|d| d.feature).collect();
    let data: Vec<Vec<f64>> = shown
        .iter()
        .map(|d| {
            vec![d.min, d.q1, d.median, d.q3, d.max]
                .into_iter()
                .map(round3)
                .collect()
        })
        .collect();
    Chart::new()
        .tooltip(Tooltip::new().trigger(Trigger::Item))
        .grid(
            Grid::new()
                .left("3%")
                .right("3%")
                .bottom("3%")
                .contain_label(true),
        )
        .x_axis(feature_axis(&features))
        .y_axis(Axis::new().type_(AxisType::Value).min(0).max(1))
        .series(Boxplot::new().name("Across their tracks").data(data))
}

fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series() -> (Vec<ProfileSeries<'static>>, ProfileSeries<'static>) {
        (
            vec![
                ProfileSeries {
                    name: "A",
                    values: vec![0.5, 0.25],
                },
                ProfileSeries {
                    name: "B",
                    values: vec![0.1234, 1.0],
                },
            ],
            ProfileSeries {
                name: "Catalog average",
                values: vec![0.3, 0.3],
            },
        )
    }

    #[test]
    fn bars_have_a_series_per_artist_and_a_reference_line() {
        let (artists, reference) = series();
        let json = serde_json::to_value(comparison_bars(
            &[Feature::Energy, Feature::Valence],
            &artists,
            &reference,
        ))
        .unwrap();
        let s = json["series"].as_array().unwrap();
        assert_eq!(s.len(), 3);
        assert_eq!(
            (s[0]["type"].as_str(), s[0]["name"].as_str()),
            (Some("bar"), Some("A"))
        );
        assert_eq!(s[1]["data"], serde_json::json!([0.123, 1.0]));
        assert_eq!(
            (s[2]["type"].as_str(), s[2]["name"].as_str()),
            (Some("line"), Some("Catalog average"))
        );
        assert_eq!(
            json["xAxis"]["data"],
            serde_json::json!(["Energy", "Valence"])
        );
    }

    #[test]
    fn radar_has_an_indicator_per_feature_and_a_polygon_per_profile() {
        let (artists, reference) = series();
        let json = serde_json::to_value(comparison_radar(
            &[Feature::Energy, Feature::Valence],
            &artists,
            &reference,
        ))
        .unwrap();
        let radar = if json["radar"].is_array() {
            &json["radar"][0]
        } else {
            &json["radar"]
        };
        assert_eq!(radar["indicator"][1]["name"], "Valence");
        assert_eq!(radar["indicator"][1]["max"], 1.0);
        let data = json["series"][0]["data"].as_array().unwrap();
        assert_eq!(data.len(), 3);
        assert_eq!(data[2]["name"], "Catalog average");
        assert_eq!(data[0]["value"], serde_json::json!([0.5, 0.25]));
    }

    #[test]
    fn boxplot_keeps_unit_features_only() {
        let d = |feature| Distribution {
            feature,
            count: 3,
            min: 0.1,
            q1: 0.2,
            median: 0.3,
            q3: 0.4,
            max: 0.5,
        };
        let json = serde_json::to_value(distribution_boxplot(&[
            d(Feature::Energy),
            d(Feature::Tempo),
        ]))
        .unwrap();
        assert_eq!(json["xAxis"]["data"], serde_json::json!(["Energy"]));
        assert_eq!(
            json["series"][0]["data"],
            serde_json::json!([[0.1, 0.2, 0.3, 0.4, 0.5]])
        );
    }
}
