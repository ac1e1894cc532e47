//! The PNG writer: each chart of a section, drawn into its file.

use std::path::Path;

use super::model::{Chart, Plot, Section};
use crate::charts::{bar, cloud, funnel, line, rates, revenue, trend, ChartError};
use crate::timefmt::Zone;

/// Draws `chart` into `dir`.
pub fn draw(dir: &Path, chart: &Chart, zone: &Zone) -> Result<(), ChartError> {
    let path = dir.join(chart.file);
    match &chart.plot {
        Plot::Timeline(t, words) => line::draw_in(&path, t, zone, words).map(drop),
        Plot::Bars(b) => bar::draw(&path, b).map(drop),
        Plot::Cloud(words) => cloud::draw(&path, words).map(drop),
        Plot::Trend(t) => trend::draw(&path, t, zone).map(drop),
        Plot::Funnel(f) => funnel::draw(&path, f).map(drop),
        Plot::Revenue(r) => revenue::draw(&path, r, zone).map(drop),
        Plot::Rates(r) => rates::draw(&path, r).map(drop),
    }
}

/// Draws the charts of `section` into `dir`; returns their files.
pub fn section(
    dir: &Path,
    section: &Section,
    zone: &Zone,
) -> Result<Vec<&'static str>, ChartError> {
    for chart in &section.charts {
        draw(dir, chart, zone)?;
    }
    Ok(section.charts.iter().map(|c| c.file).collect())
}
