//! The benchmark's printed table: Markdown rows of measures and same-run
//! ratios, each ratio beside its target, so the README can quote it as is.

/// Rows of `| measure | value |`.
#[derive(Default)]
pub(super) struct Table {
    rows: Vec<(String, String)>,
}

impl Table {
    pub(super) fn row(&mut self, measure: impl Into<String>, value: impl Into<String>) {
        self.rows.push((measure.into(), value.into()));
    }

    /// `numerator / denominator` of the same run, with its target if any.
    pub(super) fn ratio(
        &mut self,
        measure: &str,
        numerator: f64,
        denominator: f64,
        target: Option<f64>,
    ) {
        self.row(
            format!("**{measure}**"),
            ratio_cell(numerator, denominator, target),
        );
    }

    pub(super) fn render(&self) -> String {
        let mut out = String::from("| measure | value |\n|---|---|\n");
        for (measure, value) in &self.rows {
            out.push_str(&format!("| {} | {} |\n", cell(measure), cell(value)));
        }
        out
    }
}

/// A ratio to two decimals, and whether it reaches its target; `n/a` when
/// the denominator was not measured.
pub(super) fn ratio_cell(numerator: f64, denominator: f64, target: Option<f64>) -> String {
    let ratio = numerator / denominator;
    if !ratio.is_finite() || denominator <= 0.0 {
        return "n/a".into();
    }
    match target {
        None => format!("{ratio:.2}"),
        // Compared as printed, so a printed 0.90 never says "below 0.90".
        Some(t) if (ratio * 100.0).round() >= (t * 100.0).round() => {
            format!("**{ratio:.2}** (target ≥ {t:.2}: reached)")
        }
        Some(t) => format!("**{ratio:.2}** (target ≥ {t:.2}: NOT reached)"),
    }
}

/// The median of `values` (the mean of the middle two when their number
/// is even); `None` when there are none.
pub(super) fn median(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let middle = sorted.len() / 2;
    match sorted.len() {
        0 => None,
        n if n % 2 == 1 => Some(sorted[middle]),
        _ => Some((sorted[middle - 1] + sorted[middle]) / 2.0),
    }
}

/// A Markdown table cell: a `|` inside would end it.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_cells_say_whether_the_target_is_reached() {
        assert_eq!(
            ratio_cell(9.0, 10.0, Some(0.9)),
            "**0.90** (target ≥ 0.90: reached)"
        );
        assert_eq!(
            ratio_cell(8.9, 10.0, Some(0.9)),
            "**0.89** (target ≥ 0.90: NOT reached)"
        );
        assert_eq!(ratio_cell(1.0, 4.0, None), "0.25");
        assert_eq!(ratio_cell(1.0, 0.0, Some(0.5)), "n/a");
        assert_eq!(ratio_cell(0.0, 0.0, None), "n/a");
    }

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[0.7]), Some(0.7));
        assert_eq!(median(&[0.9, 0.1, 0.5]), Some(0.5));
        // 0.63 0.64 0.67 0.75: not the upper middle value (0.67).
        let even = median(&[0.67, 0.64, 0.75, 0.63]).unwrap();
        assert!((even - 0.655).abs() < 1e-9, "{even}");
    }

    #[test]
    fn the_table_is_markdown_with_pipes_escaped() {
        let mut table = Table::default();
        table.row("a | b", "1 /s");
        table.ratio("x / y", 1.0, 2.0, Some(0.8));
        assert_eq!(
            table.render(),
            "| measure | value |\n|---|---|\n| a \\| b | 1 /s |\n\
             | **x / y** | **0.50** (target ≥ 0.80: NOT reached) |\n"
        );
    }
}
