//! Result rows: one JSON object per line on stdout, collected by `bench/run.sh`.

use serde_json::json;

/// Which way a figure improves; decides how the report reads a ratio.
#[derive(Clone, Copy)]
pub enum Better {
    /// Smaller is better (latency, time, bytes).
    Lower,
    /// Bigger is better (throughput).
    Higher,
}

/// One figure for the table: Roster's value and the anchor it is compared with.
pub struct Row<'a> {
    /// Section of the table, e.g. "Server fan-out".
    pub section: &'a str,
    /// What was measured.
    pub figure: &'a str,
    /// Unit of both values.
    pub unit: &'a str,
    /// Roster's measured value; None when Roster's run failed (the anchor still shows).
    pub roster: Option<f64>,
    /// Name of the anchor (a measured comparator, or "target").
    pub anchor_name: &'a str,
    /// The anchor's value, None when there is nothing to compare with.
    pub anchor: Option<f64>,
    /// Direction of improvement.
    pub better: Better,
}

impl Row<'_> {
    /// Print the row as one JSON line on stdout.
    pub fn emit(&self) {
        let better = match self.better {
            Better::Lower => "lower",
            Better::Higher => "higher",
        };
        println!(
            "{}",
            json!({
                "section": self.section,
                "figure": self.figure,
                "unit": self.unit,
                "roster": self.roster,
                "anchor_name": self.anchor_name,
                "anchor": self.anchor,
                "better": better,
            })
        );
    }
}
