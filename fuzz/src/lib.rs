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

/// The fix property for `text` with every fix applied: no offered fix failed its
/// verification, every offered fix was applied, the edits are sorted and apart and make
/// the fixed text, each document's object is the original's plus exactly the applied
/// fixes' changes, and fixing the fixed text changes nothing.
pub fn assert_fix_property(text: &str) {
    use kube_secctx::fix::{apply_edits, fix_text, ops, FixSelection, Offer};
    use kube_secctx::yaml::{parse_stream, Limits};
    let opts = kube_secctx::Options::default();
    let all = FixSelection {
        unsafe_fixes: true,
        rules: None,
    };
    let Ok(fixed) = fix_text(&opts, "f", text, &all, true) else {
        return;
    };
    // YAML's printable characters only (c-printable): a text with other control
    // characters is not a manifest anyone writes, and the verification is there to
    // refuse what the planner cannot write for it.
    let printable = !text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'));
    for (i, offer) in fixed.offers.iter().enumerate() {
        match offer {
            Offer::Fix(_) => assert!(fixed.applied.contains(&i), "offered, not applied"),
            Offer::None(why) => assert!(!printable || !why.contains("verification"), "{why}"),
        }
    }
    for pair in fixed.edits.windows(2) {
        if let [a, b] = pair {
            assert!(a.span.end <= b.span.start, "overlapping edits");
        }
    }
    assert_eq!(apply_edits(text, &fixed.edits), fixed.text);
    if fixed.applied.is_empty() {
        return;
    }
    let limits = Limits::default();
    let old = parse_stream(text, &limits);
    let new = parse_stream(&fixed.text, &limits);
    assert_eq!(old.errors.len(), new.errors.len(), "new YAML errors");
    assert_eq!(old.documents.len(), new.documents.len());
    for (a, b) in old.documents.iter().zip(&new.documents) {
        let (Some(ra), Some(rb)) = (a.root, b.root) else {
            continue;
        };
        let mut expected = a.to_json(ra);
        let mut list: Vec<ops::Op> = Vec::new();
        for &i in &fixed.applied {
            if let (Some(Offer::Fix(fix)), Some(f)) = (fixed.offers.get(i), fixed.findings.get(i)) {
                if f.document == a.index {
                    list.extend(fix.ops.iter().filter(|o| !list.contains(o)).cloned().collect::<Vec<_>>());
                }
            }
        }
        assert!(ops::apply(&mut expected, &list).is_ok());
        assert_eq!(b.to_json(rb), expected, "document {}", a.index);
    }
    // A key an `unknown-field` fix renamed or moved is read from then on: its content's
    // findings get their fixes in later passes (`fix_until_settled`, as `--fix` runs),
    // which must settle before the last pass.
    let unknown = |f: &kube_secctx::fix::Fixed, i: &usize| {
        f.findings.get(*i).is_some_and(|x| x.rule == "unknown-field")
    };
    // And a key an `unknown-field` fix could not move while its mapping had no other key
    // (the other fixes gave it one) moves on the next run.
    let second_only_unknown = fix_text(&opts, "f", &fixed.text, &all, false).is_ok_and(|s| {
        !s.applied.is_empty() && s.applied.iter().all(|i| unknown(&s, i))
    });
    let revealing = fixed.applied.iter().any(|i| unknown(&fixed, i)) || second_only_unknown;
    let settled_text = if revealing {
        let Ok(settled) = kube_secctx::fix::fix_until_settled(&opts, "f", &fixed.text, &all) else {
            return;
        };
        assert!(settled.passes < kube_secctx::fix::MAX_PASSES, "the fixes did not settle");
        settled.text
    } else {
        fixed.text
    };
    if let Ok(again) = fix_text(&opts, "f", &settled_text, &all, false) {
        assert!(again.applied.is_empty(), "a second run applied fixes");
        assert_eq!(again.text, settled_text);
    }
}
