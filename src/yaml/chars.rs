//! saphyr's character indices to byte offsets.

/// Maps saphyr's character indices to byte offsets within one document's text.
pub(super) struct CharMap {
    /// `(char index after a multi-byte char, extra bytes so far)`, ascending.
    steps: Vec<(usize, usize)>,
}

impl CharMap {
    pub(super) fn new(s: &str) -> Self {
        let mut steps = Vec::new();
        if !s.is_ascii() {
            let mut extra = 0;
            for (ci, ch) in s.chars().enumerate() {
                let l = ch.len_utf8();
                if l > 1 {
                    extra += l - 1;
                    steps.push((ci + 1, extra));
                }
            }
        }
        CharMap { steps }
    }

    pub(super) fn byte(&self, char_index: usize) -> usize {
        let n = self.steps.partition_point(|&(c, _)| c <= char_index);
        let extra = n
            .checked_sub(1)
            .and_then(|i| self.steps.get(i))
            .map_or(0, |&(_, e)| e);
        char_index + extra
    }
}
