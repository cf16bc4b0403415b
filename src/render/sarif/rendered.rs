//! SARIF results rendered apart from the writer, on the thread that checked their batch
//! (see [`crate::Checker::check_all_rendered`]), then written in order by
//! [`SarifWriter::rendered`]: everything but each fingerprint's occurrence, which
//! depends on the results before it and is filled in by the writer.

use super::{
    finding_identity, finding_result, identity_hash, occurrence, region, Region, SarifOptions,
    SarifWriter,
};
use crate::position::LineIndex;
use crate::render::append_pretty;
use crate::report::ErrorEntry;

/// A batch's results and error regions as [`SarifWriter`] writes them, made by
/// [`RenderedResults::new`] with the writer's options and indentation
/// ([`SarifWriter::indent`]); the same bytes as the writer's own for a log that shows
/// no fixes.
pub struct RenderedResults {
    /// Each finding's result, pretty-printed at the writer's depth, with its
    /// fingerprint's occurrence left out.
    results: Vec<Result>,
    /// The region of each error entry, in order.
    errors: Vec<Region>,
}

/// One result, its identity's hash, and where the occurrence goes in its bytes.
struct Result {
    bytes: Vec<u8>,
    hash: u64,
    at: usize,
}

impl RenderedResults {
    /// `batch`'s results and error regions; `li` indexes the batch's file, `indent` is
    /// the writer's ([`SarifWriter::indent`]).
    pub fn new(
        li: &LineIndex<'_>,
        batch: &crate::Batch,
        opts: &SarifOptions,
        indent: usize,
    ) -> Self {
        let results = batch
            .findings
            .iter()
            .map(|f| {
                let hash = identity_hash(&finding_identity(f));
                // The fingerprint without its occurrence, `<hash>:`: the occurrence goes
                // before the quote that closes it, the first string after the key
                // `"partialFingerprints"` (a quote inside a string is escaped, so the
                // key's unescaped quotes are found only where it is a key).
                let prefix = format!("{hash:016x}:");
                let result = finding_result(f, region(Some(li), f.span), prefix.clone(), opts);
                let mut bytes = Vec::with_capacity(1024);
                // Into a `Vec`: nothing to fail.
                let _ = append_pretty(&mut bytes, &result, indent / 2 + 1);
                let key = memchr::memmem::find(&bytes, b"\"partialFingerprints\"").unwrap_or(0);
                let closing = format!("\"{prefix}\"");
                let at = bytes
                    .get(key..)
                    .and_then(|after| memchr::memmem::find(after, closing.as_bytes()))
                    .map_or(bytes.len(), |i| key + i + closing.len() - 1);
                Result { bytes, hash, at }
            })
            .collect();
        RenderedResults {
            results,
            errors: batch
                .errors
                .iter()
                .map(|e| region(Some(li), e.span))
                .collect(),
        }
    }
}

impl<W: std::io::Write> SarifWriter<W> {
    /// The indentation of the log's `results` key, in spaces (for
    /// [`RenderedResults::new`]).
    pub fn indent(&self) -> usize {
        self.indent
    }

    /// The log's options (for [`RenderedResults::new`]).
    pub fn options(&self) -> &SarifOptions {
        &self.opts
    }

    /// Writes a batch rendered apart ([`RenderedResults::new`], with this writer's
    /// options and no fixes shown) whose error entries are `errors`: the same bytes as
    /// [`crate::render::EntryWriter::batch`] with the batch.
    ///
    /// # Errors
    /// The first error the output returns.
    pub fn rendered(
        &mut self,
        rendered: &RenderedResults,
        errors: &[ErrorEntry],
    ) -> std::io::Result<()> {
        for r in &rendered.results {
            let n = occurrence(&mut self.seen, r.hash);
            self.next_result()?;
            let (head, tail) = r.bytes.split_at(r.at.min(r.bytes.len()));
            self.out.write_all(head)?;
            write!(self.out, "{n}")?;
            self.out.write_all(tail)?;
        }
        for (e, at) in errors.iter().zip(&rendered.errors) {
            self.errors.keep(e, at.clone());
        }
        Ok(())
    }
}
