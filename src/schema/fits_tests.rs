//! [`super::value_fits`]: the check of the fix that renames a misspelled key.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use super::super::{find_model, LAST_MINOR};
use super::value_fits;

#[test]
fn a_value_fits_a_field_of_its_type() {
    let text = "a: {drop: [ALL]}\nb: true\nc: {nope: 1}\n";
    let stream = crate::yaml::parse_stream(text, &crate::yaml::Limits::default());
    let doc = &stream.documents[0];
    let root = doc.root.unwrap();
    let sc = find_model("SecurityContext").unwrap();
    let v = |k: &str| doc.get(root, k).unwrap();
    // `capabilities` is a Capabilities object: a mapping of its fields fits, a scalar or
    // a mapping with another key does not.
    assert!(value_fits(doc, v("a"), sc, "capabilities", LAST_MINOR));
    assert!(!value_fits(doc, v("b"), sc, "capabilities", LAST_MINOR));
    assert!(!value_fits(doc, v("c"), sc, "capabilities", LAST_MINOR));
    // `privileged` is a boolean; `appArmorProfile` is not a field at v1.29.
    assert!(value_fits(doc, v("b"), sc, "privileged", LAST_MINOR));
    assert!(!value_fits(doc, v("a"), sc, "appArmorProfile", 29));
}
