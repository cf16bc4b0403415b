//! The summary table: one row per figure, beside its peer, with the ratio and its goal.

/// One row of the summary.
pub struct Row {
    /// What is measured, with its input.
    pub figure: String,
    /// Its value (time, rate, memory), with the spread where there is one.
    pub value: String,
    /// What it is compared with.
    pub peer: String,
    /// The peer's value.
    pub peer_value: String,
    /// The ratio (with the spread of the round-by-round ratios where there is one).
    pub ratio: String,
    /// The goal, `≥ 0.80`, `≤ 4.0×`, or `-` for a figure shown for information.
    pub goal: String,
    /// Whether the goal is met (`None`: no goal, or not measured).
    pub met: Option<bool>,
    /// Why the figure is missing: printed as a numbered note under the table.
    pub note: Option<String>,
}

impl Row {
    /// A row for a figure that could not be measured, saying why.
    pub fn missing(figure: impl Into<String>, peer: impl Into<String>, why: &str) -> Row {
        Row {
            figure: figure.into(),
            value: "n/a".to_owned(),
            peer: peer.into(),
            peer_value: String::new(),
            ratio: "-".to_owned(),
            goal: "-".to_owned(),
            met: None,
            note: Some(why.to_owned()),
        }
    }
}

/// `x` against a goal: `at_least` (`≥ goal`) or at most (`≤ goal`).
pub fn meets(x: f64, goal: f64, at_least: bool) -> bool {
    if at_least {
        x >= goal
    } else {
        x <= goal
    }
}

/// The rows as a `|`-separated table with aligned columns and a header, then the notes
/// of the missing figures (`n/a [1]`), each reason once.
pub fn render(rows: &[Row]) -> String {
    let header = [
        "figure",
        "value",
        "peer",
        "peer value",
        "ratio",
        "goal",
        "met",
    ];
    let mut notes: Vec<&str> = Vec::new();
    let cells: Vec<[String; 7]> = rows
        .iter()
        .map(|r| {
            let value = match &r.note {
                Some(note) => {
                    let k = match notes.iter().position(|n| n == note) {
                        Some(k) => k,
                        None => {
                            notes.push(note);
                            notes.len() - 1
                        }
                    };
                    format!("{} [{}]", r.value, k + 1)
                }
                None => r.value.clone(),
            };
            [
                r.figure.clone(),
                value,
                r.peer.clone(),
                r.peer_value.clone(),
                r.ratio.clone(),
                r.goal.clone(),
                match r.met {
                    Some(true) => "yes".to_owned(),
                    Some(false) => "NO".to_owned(),
                    None => String::new(),
                },
            ]
        })
        .collect();
    let mut width = header.map(|h| h.chars().count());
    for row in &cells {
        for (w, c) in width.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cols: &[String]| {
        let padded: Vec<String> = cols
            .iter()
            .zip(&width)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w.saturating_sub(c.chars().count()))))
            .collect();
        format!("{}\n", padded.join(" | ").trim_end())
    };
    let mut out = line(&header.map(str::to_owned));
    out.push_str(&line(&width.map(|w| "-".repeat(w))));
    for row in &cells {
        out.push_str(&line(row));
    }
    for (k, note) in notes.iter().enumerate() {
        out.push_str(&format!("[{}] {note}\n", k + 1));
    }
    out
}
