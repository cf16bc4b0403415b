//! The table against values read from the Kubernetes API reference, and the walk.
use super::*;

#[test]
fn table_spans_v1_17_to_v1_37() {
    assert_eq!((FIRST_MINOR, LAST_MINOR), (17, 37));
}
