// The small part of markdown the rules' docs use, turned into DOM nodes (never HTML
// strings): `## ` sections, paragraphs, `code`, **bold**, <https://links> and [text](links).

/** The sections of a rule's docs by heading: {"Why it matters": "...", "Fix": "...", ...}. */
export function docSections(md) {
  const out = {};
  let cur = null;
  let inFence = false;
  for (const line of md.split('\n')) {
    if (line.startsWith('```')) inFence = !inFence;
    const m = !inFence && /^##\s+(.+?)\s*$/.exec(line);
    if (m) {
      cur = m[1];
      out[cur] = [];
    } else if (cur) {
      out[cur].push(line);
    }
  }
  for (const k of Object.keys(out)) out[k] = out[k].join('\n').trim();
  return out;
}

/** `<p>` elements for the paragraphs of a section (lists become lines of their own). */
export function paragraphs(text, cls) {
  const out = [];
  for (const block of text.split(/\n\s*\n/)) {
    const lines = block.split('\n');
    if (lines.every((l) => /^\s*[-*]\s/.test(l))) {
      const ul = document.createElement('ul');
      if (cls) ul.className = cls;
      for (const l of lines) {
        const li = document.createElement('li');
        li.append(inlineMarkdown(l.replace(/^\s*[-*]\s+/, '')));
        ul.append(li);
      }
      out.push(ul);
    } else {
      const p = document.createElement('p');
      if (cls) p.className = cls;
      p.append(inlineMarkdown(lines.join(' ')));
      out.push(p);
    }
  }
  return out;
}

/** A fragment for one line of inline markdown. Links become plain text: nothing leaves the page. */
export function inlineMarkdown(text) {
  const frag = document.createDocumentFragment();
  const re = /`([^`]+)`|\*\*([^*]+)\*\*|<(https?:\/\/[^>\s]+)>|\[([^\]]+)\]\((?:[^)\s]+)\)/g;
  let last = 0;
  let m;
  while ((m = re.exec(text))) {
    if (m.index > last) frag.append(text.slice(last, m.index));
    if (m[1] !== undefined) {
      const c = document.createElement('code');
      c.textContent = m[1];
      frag.append(c);
    } else if (m[2] !== undefined) {
      const b = document.createElement('strong');
      b.textContent = m[2];
      frag.append(b);
    } else if (m[3] !== undefined) {
      const s = document.createElement('span');
      s.className = 'url';
      s.textContent = m[3];
      frag.append(s);
    } else {
      frag.append(m[4]);
    }
    last = re.lastIndex;
  }
  if (last < text.length) frag.append(text.slice(last));
  return frag;
}
