//! What the fuzz targets share: the invariants every report must hold, and a mutator
//! that knows YAML.

pub mod mutate;

use kube_secctx::position::{LineIndex, Unit};
use kube_secctx::render::{json, sarif, text};
use kube_secctx::Report;

/// Every span of `report` lies in `text` on character boundaries, start <= end, and every
/// front end's rendering of it completes (text with frames, JSON in both position units,
/// and with `sarif`, SARIF, whose rule descriptors make it the slowest), with positions
/// that convert back to the same bytes.
pub fn assert_report_sane(text: &str, report: &Report, sarif: bool) {
    let li = LineIndex::new(text);
    let spans = report
        .findings
        .iter()
        .map(|f| f.span)
        .chain(report.errors.iter().map(|e| e.span));
    for span in spans {
        assert!(span.start <= span.end, "{span:?}");
        assert!(span.end <= text.len(), "{span:?} past {}", text.len());
        assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
        for unit in [Unit::Byte, Unit::Char, Unit::Utf16] {
            let at = li.line_col(span.start, unit);
            assert_eq!(li.byte_offset(at, unit), span.start, "{span:?} {unit:?}");
        }
    }
    let sources = |_: &str| Some(text);
    let _ = text::render(report, &sources, &text::TextOptions::default());
    let _ = json::render(report, &sources);
    let view = json::JsonReport::new(report, &sources, json::Positions::Utf16);
    let _ = serde_json::to_string(&view);
    if sarif {
        let _ = sarif::render(report, &sources, &sarif::SarifOptions::default());
    }
}
