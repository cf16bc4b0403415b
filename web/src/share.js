// Share links: the manifest and the options in the URL fragment, which browsers never send
// to a server:  #yaml=<base64url of the UTF-8 text, no padding>[&level=baseline|restricted][&pss=v1.N]

/** Base64url (RFC 4648 §5) of the UTF-8 bytes of `text`, without `=` padding. */
export function toBase64Url(text) {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The text of a base64url string (padding optional); throws on bad input or bad UTF-8. */
export function fromBase64Url(s) {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(s)) throw new Error('the manifest is not base64url');
  const b64 = s.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/');
  if (b64.length % 4 === 1) throw new Error('the manifest is truncated');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i += 1) bytes[i] = bin.charCodeAt(i);
  return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
}

/** The fragment (without `#`) for a manifest and options; the defaults are left out. */
export function encodeShare(text, level, pss) {
  let out = `yaml=${toBase64Url(text)}`;
  if (level === 'baseline' || level === 'restricted') out += `&level=${level}`;
  if (pss && pss !== 'latest') out += `&pss=${encodeURIComponent(pss)}`;
  return out;
}

/** `{yaml, level, pss}` from a fragment (without `#`), or `{error}`. */
export function decodeShare(fragment) {
  const out = {};
  for (const part of fragment.split('&')) {
    const i = part.indexOf('=');
    const k = i < 0 ? part : part.slice(0, i);
    const v = i < 0 ? '' : part.slice(i + 1);
    try {
      if (k === 'yaml') out.yaml = fromBase64Url(v);
      else if (k === 'level') out.level = decodeURIComponent(v);
      else if (k === 'pss') out.pss = decodeURIComponent(v);
    } catch (e) {
      return { error: e.message || String(e) };
    }
  }
  return out;
}
