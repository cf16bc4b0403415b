//! The maps and sets the core keeps for itself (anchors, duplicate keys, seen nodes,
//! memos): `std`'s tables with foldhash's fast hasher, seeded at random per process.
//! Their keys are node ids, spans and short strings of one document, never iterated in
//! an order that reaches the output.

/// The hasher's state: foldhash's fast hasher, random per process.
pub(crate) type State = foldhash::fast::RandomState;

/// A `HashMap` with [`State`].
pub(crate) type HashMap<K, V> = std::collections::HashMap<K, V, State>;
/// A `HashSet` with [`State`].
pub(crate) type HashSet<K> = std::collections::HashSet<K, State>;
